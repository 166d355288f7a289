"""``python -m crmkit`` runs the command line."""

import sys

from crmkit.cli import main

sys.exit(main())

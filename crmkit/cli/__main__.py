"""``python -m crmkit.cli`` runs the command line (as ``python -m crmkit`` does)."""

import sys

from crmkit.cli import main

sys.exit(main())

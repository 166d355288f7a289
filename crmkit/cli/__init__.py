"""The ``crmkit`` command line: the same operations as the notebook API.

Every subcommand opens the CRM named by ``--db`` (default: ``$CRMKIT_DB`` or
``crm.duckdb``), calls the facade a notebook user calls, prints what it did and closes
the database.

Exit codes scripts can rely on:

- 0: success;
- 1: an error (bad input, unknown owner, undo conflict, unreadable file ...), printed as
  one line without a traceback;
- 2: wrong usage (unknown subcommand or option);
- 3: success with rejected rows (an import or a validation that found rows it could not
  store).

Nothing stored is written raw to the terminal: every line printed goes through
:func:`~crmkit._util._shorten.printable`, so a value holding a terminal escape sequence
(``ESC[2J`` clears the screen), a NUL or a bidirectional override shows as ``\\x1b[2J``
instead of acting; values quoted in error messages are cut short.

The package, one job per module:

- ``_main``: :func:`main`, which parses, runs and turns errors into exit codes;
- ``_parser``: the top-level parser and its global options (``--db``, ``--user``);
- ``_commands``: the table of subcommands, each with the function that adds its options
  and the function that runs it, grouped by job (files, records, duplicates, history,
  demo);
- ``_import_flags``: the flags that set :class:`~crmkit._importing._options.ImportOptions`
  fields, defined once;
- ``_filters``: the filter options shared by ``filter``, ``export``, ``reassign``,
  ``dedupe`` and ``merge``, defined once;
- ``_database``: opening the database a command names;
- ``_output``: printing (escaped), warnings and one-line errors;
- ``_sample_data``: loading the generator's sample files (also used by the notebooks);
- ``_exit_codes``: the exit codes above.
"""

from crmkit.cli._exit_codes import EXIT_ERROR, EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from crmkit.cli._main import main
from crmkit.cli._sample_data import band_summary, load_sample_folder

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "band_summary",
    "load_sample_folder",
    "main",
]

"""crmkit: keep a CRM's accounts and contacts in DuckDB; clean, query and edit them from Jupyter.

>>> import crmkit as ck
>>> crm = ck.open()                      # in memory; ck.open("crm.duckdb") for a file
>>> acc = crm.accounts.add(name="APROOL", sector="Software", employees=85)
>>> len(crm.accounts)
1
>>> crm.close()

The public names are listed once, in ``__init__.pyi`` (what type checkers and IDEs read);
this module reads the same file and loads each name on first use, so ``import crmkit``
stays light (the command line's ``--help``, the import workers) until a name is needed.
"""

from crmkit._util._lazy import lazy_names as _lazy_names

__version__ = "0.1.0"

_LAZY, _load = _lazy_names(__file__, globals())
__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str) -> object:
    if name == "widgets":  # ipywidgets only for users who display a form
        import importlib

        return importlib.import_module("crmkit.widgets")
    return _load(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

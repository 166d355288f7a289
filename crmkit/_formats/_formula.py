"""Formula neutralisation ("CSV injection"): text no spreadsheet will run as a formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could
be run by a spreadsheet as a formula. In CSV such a cell gets a leading ``'`` (the OWASP
advice), and so does a cell that already starts with ``'`` before one of ``= + - @``, so
that crmkit's importer, which drops one such ``'``, gives back the value exported. Numbers
and phone numbers (``+33625341257``, ``-12.5``) are left alone. See
:func:`neutralize_formula` for the rule.
"""

from __future__ import annotations

import re

from crmkit._normalize import QUOTED_FORMULA

__all__ = ["QUOTED_TRIGGER", "neutralize_formula"]

_FORMULA_TRIGGERS = frozenset("=+-@\t\r")

# Text crmkit's importer would give back without its first "'": one or more "'" before
# = + - @. Such text gets one "'" more on export, so that the importer restores it.
# The same pattern the import reads the protection back with: kept once, in _normalize.
QUOTED_TRIGGER = re.compile(QUOTED_FORMULA)

# Text made only of digits, spaces, dots, dashes and parentheses after an optional sign
# (E.164 or formatted phone numbers, "-12.5"). Without letters, ":" "!" "|" or "&" it can
# name no function, no cell reference and no external (DDE) link: the worst a
# spreadsheet does with it is compute a number. Prefixing it with "'" would only damage
# the phone numbers that fill a CRM.
_NUMBER_LIKE = re.compile(r"[+-]?[0-9 .()\-]*\Z")


def neutralize_formula(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: a leading ``'`` when it could run.

    The rule, applied to every CSV cell and header (XLSX cells, typed text that no
    spreadsheet runs, only take its third point):

    1. Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
       evaluated as a formula by Excel or LibreOffice (``=HYPERLINK(...)``, DDE
       ``=cmd|' /C calc'!A0``): it gets a ``'`` in front, as OWASP recommends ...
    2. ... except when it is made only of digits, spaces, dots, dashes and parentheses
       after an optional sign, like the phone number ``+33625341257`` or ``-12.5``: a
       spreadsheet can at worst read that as a number, never as a function call or a
       link, and a CRM is full of them. Phone numbers are written as they are.
    3. Text that already starts with one or more ``'`` followed by ``=``, ``+``, ``-`` or
       ``@`` (``'=x``, ``''+33...``) gets one ``'`` more.

    The rule is undone by removing one ``'`` from text made of one or more ``'`` then
    ``=``, ``+``, ``-`` or ``@``, as crmkit's importer does
    (:func:`crmkit._normalize._values.unquote_formula`): importing a crmkit CSV or XLSX gives back
    every value exported, the formula-like ones included. (Only text starting with a tab
    or a carriage return keeps its ``'``: crmkit trims those on every input, so it never
    stores them.)

    Examples
    --------
    >>> neutralize_formula('=HYPERLINK("http://evil","x")')
    '\\'=HYPERLINK("http://evil","x")'
    >>> neutralize_formula("+1+1"), neutralize_formula("@SUM(1+1)"), neutralize_formula("-x")
    ("'+1+1", "'@SUM(1+1)", "'-x")
    >>> neutralize_formula("+33625341257"), neutralize_formula("+1 (415) 555-0199")
    ('+33625341257', '+1 (415) 555-0199')
    >>> neutralize_formula("'=x"), neutralize_formula("'+33625341257")
    ("''=x", "''+33625341257")
    >>> neutralize_formula("'x"), neutralize_formula("Hélène")
    ("'x", 'Hélène')
    """
    first = text[:1]
    if first in _FORMULA_TRIGGERS:
        if _NUMBER_LIKE.match(text) is None:
            return "'" + text
    elif first == "'" and QUOTED_TRIGGER.match(text):
        return "'" + text
    return text

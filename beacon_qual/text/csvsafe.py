"""CSV cells that a spreadsheet cannot run as formulas.

Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what spreadsheets read as a
formula (or as the start of one); such a cell gets a leading ``'``. Numbers are never touched, and neither
is text that is only a number (``-0.75``, ``-3``, ``+1e-3``: a survey summary's figures, a scale's levels
such as ``-9`` for "refused"): a spreadsheet reads it as that number, which runs nothing, while the quote
would turn it into text.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (prefix a quote); numbers pass unchanged,
    whether they come as numbers or as text that is only a number."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value

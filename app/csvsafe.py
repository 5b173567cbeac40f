"""Spreadsheet-safe CSV cells (OWASP "CSV Injection").

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (or a tab or
carriage return before one) as a formula: `=HYPERLINK(...)` leaks the sheet to a URL,
`=cmd|...` asked old Excel to start a program. Layer values come from uploads and from the
public, so every CSV we write prefixes such *text* cells with a single quote, which the
programs show as text and hide. Numbers are never touched: a negative number in a numeric
column must stay a number (only `str` values are ever rewritten).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: What OWASP lists as the first characters of a cell a spreadsheet may evaluate.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` with a leading ' when it is text that starts like a formula; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text columns went through `safe_cell` (geometry untouched)."""
    out = frame.copy()
    geometry = getattr(frame, "_geometry_column_name", None)
    for name in frame.select_dtypes(include=["object", "string"]).columns:
        if name != geometry:
            out[name] = frame[name].map(safe_cell)
    return out

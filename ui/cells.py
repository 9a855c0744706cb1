"""Tables without "None": a missing value shows as an empty cell (issue 11 item 10).

Streamlit draws a missing value as a grey "None" (or "NaN", "NaT"); ``blank_missing`` turns the
missing cells of a frame into "" before it is shown, keeping every other value as it was: a
column with a missing value becomes text, dates formatted as the tables format them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

DATETIME_FORMAT = "%Y-%m-%d %H:%M"  # how a date-time cell reads (UTC)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an HTTP status read as float because of a gap
    return str(value)


def blank_missing(frame: pd.DataFrame, as_text: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` with every missing cell shown as "" (columns without one are left alone, but
    those named in ``as_text``: always text, so a table can give them a text column whether or
    not one of their cells is missing; a date column typed as dates would draw "" as "None")."""
    out = frame.copy()
    for column in out.columns:
        if column in as_text or out[column].isna().any():
            out[column] = [_text(v) for v in out[column]]
    return out

"""CSV that is safe to open in a spreadsheet: the writer every CSV export uses, the dashboard's
downloads (``ui/export.py``) and ``python -m ingest export`` alike.

UTF-8 with a byte-order mark (so Excel reads Indonesian, Cyrillic and CJK text correctly), CRLF
line ends, a header row, and every text cell that a spreadsheet would evaluate as a formula
(starting with ``= + - @``, a tab or a carriage return, also after leading spaces or in
full-width form) prefixed with an apostrophe. Numeric columns are written unchanged; timestamps
as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) and dates as ``YYYY-MM-DD``. Pure: no Streamlit, no database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

BOM = "\ufeff"
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how a timestamp is written (UTC; csv_text's too)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# What a spreadsheet may skip before it reads a formula: any Unicode space (but the tab, CR
# and LF that are triggers themselves), the BOM and the zero-width characters.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u180e"
# The one definition of a risky cell: skippable characters, then a trigger.
_FORMULA = re.compile(rf"^(?:[^\S\t\r\n]|[{_INVISIBLE}])*[{re.escape(''.join(FORMULA_TRIGGERS))}]")


def guard_cell(value: Any) -> Any:
    """A text cell neutralised against formula injection; anything else unchanged."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text column guarded (numeric, bool and date columns kept)."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            continue
        is_text = series.map(lambda v: isinstance(v, str))
        if is_text.all():
            text = series.astype(object)
            risky = text.str.contains(_FORMULA, na=False)
            out[column] = text.where(~risky, "'" + text)
        else:
            out[column] = series.map(guard_cell)
    return out


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    out = guard_frame(df)
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            has_tz = getattr(series.dt, "tz", None) is not None
            out[column] = series.dt.strftime("%Y-%m-%dT%H:%M:%SZ" if has_tz else "%Y-%m-%d")
    return out


def csv_text(df: pd.DataFrame, *, header: bool = True) -> str:
    """``df`` as guarded CSV text (no BOM: a file starts with ``BOM``, then its chunks, the
    first with the header)."""
    return _prepare(df).to_csv(index=False, header=header, lineterminator="\r\n")


def utc_stamp(value: datetime) -> str:
    """A timezone-aware timestamp as ``STAMP`` (in UTC), as every export writes it."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.year < 1000:  # isoformat pads the year, strftime may not
        return value.strftime(STAMP)
    return value.isoformat(timespec="seconds")[:-6] + "Z"  # without "+00:00"


def _plain(value: Any) -> Any:
    """A cell that is not plain ``str``, as ``csv_text`` writes it (a timestamp: ``STAMP``)."""
    if isinstance(value, datetime):  # a naive one as csv_text writes such a column: the day
        return utc_stamp(value) if value.tzinfo else value.strftime("%Y-%m-%d")
    return guard_cell(value)


def csv_rows_text(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    """Rows of cells (text, whole numbers, timestamps, None) as guarded CSV text, the very
    text ``csv_text`` writes for a frame of them (``header`` first when given; no BOM), without
    building the frame: what the large exports write."""
    match = _FORMULA.match
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(
        [
            ("'" + v if match(v) else v)
            if v.__class__ is str
            else v
            if v is None or v.__class__ is int
            else _plain(v)
            for v in row
        ]
        for row in rows
    )
    return buffer.getvalue()

"""CSV exports: exactly the rows of a view, safe to open in a spreadsheet.

UTF-8 with a byte-order mark (so Excel reads Indonesian, Cyrillic and CJK text correctly), a file
name that carries the filter description, and every text cell that a spreadsheet would evaluate
as a formula (starting with ``= + - @``, a tab or a carriage return, also after leading spaces or
in full-width form) prefixed with an apostrophe. Numeric columns are written unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from ingest.queries import Filters, slug

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


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as guarded CSV: UTF-8 with a BOM, header row, no index."""
    return _prepare(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def chunks_to_csv_bytes(frames: Iterable[pd.DataFrame], limit: int | None = None) -> bytes:
    """Several frames (e.g. an export's chunks) as one guarded CSV, at most ``limit`` rows."""
    buffer = io.StringIO()
    written = 0
    header = True
    for frame in frames:
        if limit is not None:
            frame = frame.head(max(0, limit - written))
        if frame.empty and not header:
            break
        _prepare(frame).to_csv(buffer, index=False, header=header, lineterminator="\r\n")
        header = False
        written += len(frame)
        if limit is not None and written >= limit:
            break
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_name(what: str, filters: Filters | None = None) -> str:
    """``pantau_<what>_<filter slug>.csv``."""
    name = f"pantau_{what}"
    if filters is not None:
        name += "_" + slug(filters)
    return name + ".csv"


def download_csv(
    label: str,
    data: pd.DataFrame | Callable[[], bytes],
    what: str,
    filters: Filters | None = None,
) -> None:
    """A Streamlit download button for ``data`` (a frame, or a callable for large exports)."""
    import streamlit as st

    payload: bytes | Callable[[], bytes]
    payload = to_csv_bytes(data) if isinstance(data, pd.DataFrame) else data
    st.download_button(
        label,
        data=payload,
        file_name=file_name(what, filters),
        mime="text/csv",
        key=f"dl_{what}",
        icon=":material/download:",
        on_click="ignore",
    )


def download_all_articles(filters: Filters, total: int) -> None:
    """The button for every article under ``filters`` (``total`` of them), sized to the export:
    over ``export_row_limit`` a warning instead; up to ``sizes.EAGER_EXPORT_ROWS`` the file is
    built with the page; larger, when the button is clicked (off the page's run)."""
    import streamlit as st

    from ingest import config
    from ingest.queries import iter_articles
    from ui import data, sizes

    limit = int(config.get("export_row_limit"))
    if total > limit:
        st.warning(
            f"{total:,} articles match: more than the export limit of {limit:,}. "
            "Narrow the filters to download them all."
        )
        return
    engine = data.engine()

    def build_all() -> bytes:
        frames = (fr.drop(columns=["id"]) for fr in iter_articles(engine, filters))
        return chunks_to_csv_bytes(frames, limit=limit)

    payload: bytes | Callable[[], bytes] = build_all
    if total <= sizes.EAGER_EXPORT_ROWS:
        payload = build_all()
    else:
        st.caption(f"{total:,} rows: the file is built when you click.")
    download_csv(f"Download all {total:,} articles (CSV)", payload, "articles", filters)

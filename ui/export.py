"""CSV exports: exactly the rows of a view, safe to open in a spreadsheet.

UTF-8 with a byte-order mark (so Excel reads Indonesian, Cyrillic and CJK text correctly), a file
name that carries the filter description, and every text cell that a spreadsheet would evaluate
as a formula (starting with ``= + - @``, a tab or a carriage return, also after leading spaces or
in full-width form) prefixed with an apostrophe. Numeric columns are written unchanged. The
writer and its guard live in ``ingest.csv_safety``, shared with ``python -m ingest export``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence

import pandas as pd
from sqlalchemy import Engine

from ingest.csv_safety import csv_rows_text, csv_text
from ingest.csv_safety import guard_cell as guard_cell  # re-exported for the pages
from ingest.queries import Filters, slug
from ui.counts import quantity


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as guarded CSV: UTF-8 with a BOM, header row, no index."""
    return csv_text(df).encode("utf-8-sig")


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
        buffer.write(csv_text(frame, header=header))
        header = False
        written += len(frame)
        if limit is not None and written >= limit:
            break
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_csv_bytes(
    chunks: Iterable[Sequence[Sequence]], columns: Sequence[str], limit: int | None = None
) -> bytes:
    """Chunks of rows over ``columns`` (e.g. ``iter_article_rows``') as one guarded CSV, at most
    ``limit`` rows: the bytes ``chunks_to_csv_bytes`` writes for frames of them, without the
    frames (the large "Download all")."""
    buffer = io.StringIO()
    written = 0
    header = True
    for rows in chunks:
        if limit is not None:
            rows = rows[: max(0, limit - written)]
        if not rows and not header:
            break
        buffer.write(csv_rows_text(rows, columns if header else None))
        header = False
        written += len(rows)
        if limit is not None and written >= limit:
            break
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def articles_csv_bytes(
    engine: Engine, filters: Filters, limit: int | None = None, chunk: int | None = None
) -> bytes:
    """The "Download all" file: every article under ``filters`` (at most ``limit``), newest
    first, the columns of ``ARTICLE_COLUMNS`` but the id, streamed from the query as rows
    (``chunk`` at a time; default ``EXPORT_CHUNK_ROWS``)."""
    from ingest.queries import ARTICLE_COLUMNS, iter_article_rows
    from ingest.queries.articles import EXPORT_CHUNK_ROWS

    rows = iter_article_rows(engine, filters, chunk=chunk or EXPORT_CHUNK_ROWS, stamped=True)
    chunks = ([row[1:] for row in part] for part in rows)
    return rows_to_csv_bytes(chunks, ARTICLE_COLUMNS[1:], limit=limit)


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
        return articles_csv_bytes(engine, filters, limit=limit)

    payload: bytes | Callable[[], bytes] = build_all
    if total <= sizes.EAGER_EXPORT_ROWS:
        payload = build_all()
    else:
        st.caption(f"{total:,} rows: the file is built when you click.")
    download_csv(f"Download all {quantity(total)} (CSV)", payload, "articles", filters)

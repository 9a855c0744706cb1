"""Tables: every page draws its st.dataframe through ``table``, which gives each column its
width from the one table of widths (``WIDTH_PX``) and lets one long text column (a headline, an
error) take the room the others leave, in a 1000 px window and in a 1920 px one alike.

Why some columns are pinned. In a table as wide as the page (``width="stretch"``) Streamlit
1.67's grid gives every column that is not pinned an equal share of the width left over
(``grow: 1``: its frontend's ``isStretched && !isPinned``), an explicit ``width`` included; it
draws pinned columns first, their text faded. So in a table whose long column takes the spare
width every other column is pinned (it keeps its width) and the long column is drawn last. A
table with nothing to widen is as wide as its columns (``width="content"``): nothing grows,
nothing is pinned, its columns stay in their order. A pinned column is frozen only while the
pinned ones take at most 60 % of the table; in a 1000 px window they take more and scroll."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any, Literal

import pandas as pd
import streamlit as st

from ui import viewport
from ui.sizes import TABLE_MAX_PX, TABLE_ROW_PX
from ui.wrap import row_px, wrap_text

# The room a table has in a 1000 px window beside the sidebar: the main column, a bordered box in
# it (a watch), half of it (st.columns(2)). test_browser.py::test_tables_fit_at_1000_px
# measures that no table scrolls sideways there.
MAIN_PX = 538
BOX_PX = 506
HALF_PX = 260
LONG_MIN_PX = 60  # a long column narrower than this in a 1000 px window is a mistake
# How much of the main column's width beyond the 1000 px window's (MAIN_PX) each room gains:
# a box in the main column all of it, half of the main column half. A room not named here is
# taken not to grow (its long column wrapped as in a 1000 px window: rows taller, never cut).
GROWTH = {MAIN_PX: 1.0, BOX_PX: 1.0, HALF_PX: 0.5}
# The main column's width in a 1000 px window as ui.viewport measures it: the table's border
# (1 px each side) around MAIN_PX.
COLUMN_PX = MAIN_PX + 2

# Each column's width in pixels, by its name in the frame, wherever it is shown. A table's long
# column is not looked up here: it takes what the others leave of the table's room. A cell too
# narrow for its text ends in "…"; the whole text is in the CSV download.
WIDTH_PX = {
    # articles: the day, outlet and language one under the other (ui.layout.articles_table)
    "source": 124, "published_at": 92, "outlet": 80, "language": 76, "countries": 88, "topics": 130,
    "url": 36,  # the ↗ link
    # an article's evidence (its longest words whole: "international", "institution", "summary")
    "tag": 104, "kind": 96, "type": 86, "where": 72, "prominence": 80,
    # stories
    "story": 52, "reach": 48, "articles": 64, "outlets": 56, "languages": 44,
    "first_seen": 92,  # its day and its time, one under the other
    "outlet_country": 110, "first_published": 128, "later_hours": 84,
    # counts and scores
    "recent": 75, "expected": 75, "score": 75, "baseline": 75, "period": 96, "share": 80,
    # feeds, their polls and a watch's deliveries
    "title": 140,  # a feed's name (an article's title is always its table's long column)
    "health": 80, "error_count": 56, "enabled": 64, "last_polled_at": 120, "last_status": 52,
    "next_poll_at": 120, "home": 110, "fulltext": 64, "texts_ok": 70, "texts_failed": 52,
    "texts_pending": 58, "coverage": 76, "started_at": 120, "outcome": 70, "http_status": 48,
    "duration_ms": 56, "new_articles": 48, "error_category": 80,
    "created_at": 118, "trigger": 62, "channel": 66, "status": 58, "attempts": 44,
}  # fmt: skip


# Wider widths for the columns an article's table stacks its text in (ui.layout.articles_table),
# where the table has the room for them and its title keeps LONG_WIDE_PX (a window of about
# 1500 px with the tags, 1200 without): an outlet's name on one line (all but 2 % of the demo
# feeds'), more countries and topics to a line, so rows of three lines, not four or five.
WIDE_PX = {"source": 240, "countries": 124, "topics": 200}
LONG_WIDE_PX = 400


def wide_widths(columns: Collection[str], fit: int) -> dict[str, int]:
    """The widths of ``columns`` (all but a table's long one) in a table that has ``fit`` px in
    a 1000 px window: their ``WIDE_PX`` ones where its room in this browser (``room``) leaves
    the long column LONG_WIDE_PX beside them, otherwise their ``WIDTH_PX`` ones."""
    wide = {c: WIDE_PX.get(c, WIDTH_PX[c]) for c in columns}
    if room(fit) - sum(wide.values()) >= LONG_WIDE_PX:
        return wide
    return {c: WIDTH_PX[c] for c in columns}


def column_widths(
    columns: list[str], long: str | None, fit: int, given: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Each column's width: ``given``'s, else from ``WIDTH_PX``, the long one what the others
    leave of ``fit``. Raises ValueError when they do not fit in ``fit`` (the long one at least
    LONG_MIN_PX)."""
    widths = {c: (given or {}).get(c, WIDTH_PX[c]) for c in columns if c != long}
    if long is not None:
        widths[long] = fit - sum(widths.values())
    if sum(widths.values()) > fit or (long is not None and widths[long] < LONG_MIN_PX):
        raise ValueError(f"columns {widths} do not fit in {fit} px")
    return widths


def room(fit: int) -> int:
    """The width a table that has ``fit`` px in a 1000 px window has in this browser (its main
    column as ``ui.viewport`` measured it): never less than ``fit``, where a narrower window
    scrolls the table sideways and its long column keeps its width."""
    main = viewport.main_px()
    if main is None:
        return fit
    return fit + max(0, math.floor((main - COLUMN_PX) * GROWTH.get(fit, 0.0)))


def table(
    frame: pd.DataFrame,
    key: str,
    labels: Mapping[str, str | Mapping[str, Any]],
    *,
    long: str | None = None,
    grow: bool = True,
    fit: int = MAIN_PX,
    height: int | Literal["auto", "rows"] = "auto",
    row_height: int | None = None,
    wrap: Collection[str] = (),
    widths: Mapping[str, int] | None = None,
) -> None:
    """``frame`` as a table, without its index: ``labels`` gives each column its label or its
    ``st.column_config`` (widths come from ``WIDTH_PX``). ``long`` names the column that takes
    the width the others leave in ``fit`` px; with ``grow`` it also takes all the spare width
    of a wider window, and is drawn last. Without ``grow`` (or a long column) the table is as
    wide as its columns; ``widths`` gives some columns other widths than ``WIDTH_PX``'s (a
    growing table's ``wide_widths``). ``row_height`` (``ui.wrap.row_px``) makes rows tall
    enough for cells of several lines; None keeps the grid's one-line rows. ``wrap`` names
    text columns read whole: the rows are made at least as tall as the most lines any of their
    cells needs at the width its column is drawn at (``ui.wrap``), and the grid breaks the text
    there: in ``fit`` px, or, for the long column of a table that grows, in what the others
    leave of the table's room in this browser (``room``; ``ui.viewport``), so that a wide
    window's rows are no taller than its one-line headlines need.
    ``height="rows"``: as tall as its rows, up to ``sizes.TABLE_MAX_PX``."""
    stretch = long is not None and grow
    # The widths the grid draws here: the long column of a stretched table takes what the
    # others leave of the table's room in this browser (ui.viewport), the others keep theirs.
    drawn = column_widths(list(frame.columns), long, room(fit) if stretch else fit, widths)
    needed = row_px(
        wrap_text(text if isinstance(text, str) else "", drawn[name])
        for name in wrap
        for text in frame[name]
    )
    row_height = max(row_height or 0, needed or 0) or None
    rows = min((row_height or TABLE_ROW_PX) * len(frame) + 40, TABLE_MAX_PX)
    config: dict[str, Any] = {}
    for name, width in drawn.items():
        given = labels.get(name, {})
        config[name] = {
            **({"label": given} if isinstance(given, str) else given),
            "width": width,
            "pinned": stretch and name != long,
        }
    st.dataframe(
        frame, hide_index=True, key=key, height=rows if height == "rows" else height,
        column_config=config,
        width="stretch" if stretch else "content", row_height=row_height,
    )  # fmt: skip

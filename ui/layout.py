"""Page building blocks: what every page does first (page config, first-run seeding, the
empty-store message, the sidebar filters), the kind empty state, links between pages and the
table of articles."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import streamlit as st

from ingest import config
from ingest.filter_words import language_name
from ingest.queries import Filters, topic_label
from ingest.scheduler import start_background_poller
from ui import data, filters, highlight, seeding, tables, view, viewport, watch_view, wrap
from ui.counts import counted

# The tab icon, served by the app itself (a ":material/…" page icon would make the browser
# fetch an SVG from a Google fonts host).
FAVICON = str(Path(__file__).resolve().parent.parent / "static" / "favicon.svg")


def start_page(title: str, page: str) -> Filters:
    """Configure the page, seed an empty store, render the filters that apply to ``page``
    (``ui.filters.PAGE_FILTERS``) and, when any does, the view in words; stop kindly if the
    store holds nothing. The URL keeps only ``page``'s view settings (``ui.view``)."""
    st.set_page_config(page_title=f"{title} · Pantau", page_icon=FAVICON, layout="wide")
    seeding.ensure_seeded()
    if config.get("background_poll"):
        start_background_poller(data.engine())
    if data.is_empty():
        st.title(title)
        st.info(
            "The store holds no articles yet. Start polling with `python -m ingest run` "
            "(or import feed files with `python -m ingest import PATH`), then reload this page."
        )
        st.stop()
    f = filters.sidebar_filters(page)
    viewport.track()  # the main column's width, for the tables' row heights (ui.tables)
    filtered = bool(filters.PAGE_FILTERS[page])
    if filtered:
        watch_view.watch_this_view(f)
    view.keep_only(page)
    st.title(title)
    if filtered:  # the words name what the page counts: articles, or stories
        counts = "count" in filters.PAGE_FILTERS[page]
        filters.caption(f, counted(f).capitalize() if counts else "Articles")
    return f


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def nav_link(page: str, label: str, icon: str | None = None) -> None:
    """A link to another page; silently absent when the page is not registered (a page script
    run on its own, e.g. in a test)."""
    from streamlit.errors import StreamlitAPIException

    with contextlib.suppress(StreamlitAPIException):
        st.page_link(page, label=label, icon=icon)


def _codes(codes: str) -> list[str]:
    """``"RUS; UKR"`` as ``["RUS", "UKR"]``."""
    return [c for c in codes.split("; ") if c]


# What a reader of the articles table is told about its columns (their headers' help).
SOURCE_HELP = "The day it was published (UTC), the outlet and the article's language."
TIMED_SOURCE_HELP = "When it was published (UTC), the outlet and the article's language."
COUNTRIES_HELP = (
    "The countries the article involves, by their ISO 3166 codes (RUS Russia, UKR Ukraine, "
    "PRK North Korea…). Under “Read an article” below, each is named, with the words that "
    "tagged it."
)


def articles_table(
    rows: pd.DataFrame, key: str, *, tags: bool = False, timed: bool = False
) -> None:
    """Articles (rows of ``queries.list_articles``) as a table: where each comes from (day,
    outlet, language, one under the other), the title, which takes the spare width, and a link
    to the source when it is http(s); with ``tags`` also its countries (ISO3 codes) and topics,
    the table as tall as its rows; with ``timed`` the time of day (UTC) after the day (a
    story's articles, hours apart). Every cell but the title is laid out in lines that fit its
    column (``ui.wrap``), the title wraps, and the rows are as tall as the most lines, so none
    is cut in a 1000 px window; in a wider one the columns are wider where the title keeps
    room enough (``tables.wide_widths``), their cells in fewer lines. Without ``tags`` it fits
    a bordered box (a watch's matches)."""
    when = "%Y-%m-%d %H:%M" if timed else "%Y-%m-%d"
    fit = tables.MAIN_PX if tags else tables.BOX_PX
    px = tables.wide_widths(
        ["source", "countries", "topics", "url"] if tags else ["source", "url"], fit
    )
    # One under the other in the narrow column; in a wide one as many to a line as fit, as the
    # grid lays them out there, set apart by a dot (Al Jazeera English · English).
    packed = px["source"] > tables.WIDTH_PX["source"]
    lines: dict[str, list[list[str]]] = {
        "source": [
            wrap.stack([f"{day:{when}}", *([outlet] if outlet else []), language_name(lang)],
                       px["source"], " · ")
            if packed else
            [*wrap.wrap_text(f"{day:{when}}", px["source"]),
             *(wrap.wrap_text(outlet, px["source"]) if outlet else []),
             language_name(lang)]
            for day, outlet, lang in zip(rows["published_at"], rows["outlet"], rows["language"],
                                         strict=True)
        ]
    }  # fmt: skip
    columns = ["source", "title"]
    if tags:
        columns += ["countries", "topics"]
        lines["countries"] = [wrap.stack(_codes(s), px["countries"]) for s in rows["countries"]]
        lines["topics"] = [
            wrap.stack([topic_label(t) for t in _codes(s)], px["topics"], ", ")
            for s in rows["topics"]
        ]
    shown = pd.DataFrame({
        "title": rows["title"].to_numpy(),
        "url": [highlight.safe_url(u) or "" for u in rows["url"]],  # no grey "None"
        **{name: [wrap.cell(c) for c in cells] for name, cells in lines.items()},
    })  # fmt: skip
    tables.table(
        shown[[*columns, "url"]], key, long="title", fit=fit, widths=px,
        height="rows" if tags else "auto", wrap=("title",),
        row_height=wrap.row_px(c for cells in lines.values() for c in cells),
        labels={
            "source": st.column_config.TextColumn(
                "Published", help=TIMED_SOURCE_HELP if timed else SOURCE_HELP),
            "title": "Title",
            "countries": st.column_config.TextColumn("Countries", help=COUNTRIES_HELP),
            "topics": "Topics",
            "url": st.column_config.LinkColumn("Link", display_text="↗",
                                               help="Open the article at its source"),
        },
    )  # fmt: skip


def reader(item: dict, meta: str, key: str) -> None:
    """The reader view of one article (``highlight.reader_html``): title, outlet and date, the
    body (or the summary when none is stored) with every evidence span highlighted, each country
    in its colour with a legend, and the link to the source."""
    with st.container(border=True, key=key):
        st.markdown(highlight.reader_html(item, meta), unsafe_allow_html=True)
        if not item.get("body"):
            st.caption("No full text is stored for this article: its feed summary is shown.")

"""Feeds: the health of every feed, adding a feed (validated), enabling and disabling."""

from __future__ import annotations

import streamlit as st

from ingest import store
from ingest.filter_words import language_name
from ingest.geo import country_name
from ui import data, export, feeds, highlight, tables
from ui.cells import blank_missing
from ui.layout import empty_state, start_page

# The full text table's last column, its header short enough for its 78 px in a 1000 px window.
FAILURES_HELP = (
    "Failures by kind: how the article pages that were not extracted ended (paywall, consent "
    "wall, disallowed by robots.txt, error…), each with its count."
)

start_page("Feeds", page="feeds")
st.caption("This page is not filtered: it lists every feed in the store.")

health = data.feed_health()
if health.empty:
    empty_state("No feeds yet. Add one below, or load the catalogue with `python -m ingest run`.")
else:
    feeds.health_metrics(health)
    view = health.assign(
        home=[country_name(c) if c else "" for c in health["home"]],
        language=[language_name(c) if c else "" for c in health["language"].fillna("")],
    )
    # Three narrow tables, not one wide one: each fits the main column of a 1000 px window
    # (ui.tables; test_browser.py::test_tables_fit_at_1000_px).
    shown = blank_missing(view, as_text=("last_polled_at", "next_poll_at"))  # UTC
    text = st.column_config.TextColumn
    health_tab, errors_tab, source_tab = st.tabs(["Health", "Errors", "Source"])
    with health_tab:
        tables.table(
            shown[["title", "health", "enabled", "articles", "last_polled_at", "error_count"]],
            "feeds_table", wrap=("title", "health"),
            labels={"title": text("Feed"), "health": text("Health"),
                    "enabled": st.column_config.CheckboxColumn("Enabled"),
                    "articles": st.column_config.NumberColumn("Articles"),
                    "last_polled_at": text("Last poll (UTC)"),
                    "error_count": st.column_config.NumberColumn("Errors")},
        )  # fmt: skip
    with errors_tab:
        tables.table(
            shown[["title", "last_status", "last_error", "next_poll_at"]], "feed_errors_table",
            labels={"title": text("Feed"), "last_status": text("HTTP"),
                    "last_error": text("Last error"), "next_poll_at": text("Next poll (UTC)")},
            long="last_error", wrap=("title", "last_error"),
        )  # fmt: skip
    with source_tab:
        tables.table(
            shown[["title", "language", "home", "url"]], "feed_source_table",
            labels={"title": text("Feed"), "language": text("Language"),
                    "home": text("Home country"), "url": text("Feed URL")},
            long="url", wrap=("title", "language", "home", "url"),
        )  # fmt: skip
    export.download_csv("Download feed health (CSV)", health, "feeds")

    st.subheader("Full text")
    coverage = data.text_coverage()
    fulltext = dict(zip(coverage["id"], coverage["fulltext"], strict=True))
    st.caption(
        "Article pages fetched and extracted per feed (`python -m ingest enrich`; `run` does it "
        "for new articles): extracted, ended otherwise (paywall, consent wall, robots.txt, "
        "errors…), still queued, and the share of the feed's articles with their full text."
    )
    tables.table(
        coverage[["title", "fulltext", "texts_ok", "texts_failed", "texts_pending", "coverage",
                  "failures"]],
        "fulltext_table", long="failures", grow=False, wrap=("title", "failures"),
        labels={
            "title": text("Feed"),
            "fulltext": st.column_config.CheckboxColumn("Full text"),
            "texts_ok": st.column_config.NumberColumn("Extracted"),
            "texts_failed": st.column_config.NumberColumn("Failed"),
            "texts_pending": st.column_config.NumberColumn("Queued"),
            "coverage": st.column_config.ProgressColumn("Coverage", format="percent",
                                                        min_value=0.0, max_value=1.0),
            "failures": text("Failures", help=FAILURES_HELP),
        },
    )  # fmt: skip

    st.subheader("Enable or disable a feed")
    ids = list(health["id"])
    names = dict(zip(health["id"], health["title"], strict=True))
    status = dict(zip(health["id"], health["health"], strict=True))
    enabled = dict(zip(health["id"], health["enabled"], strict=True))
    c1, c2 = st.columns([3, 1])
    picked = c1.selectbox(
        "Feed",
        ids,
        key="feed_pick",
        format_func=lambda i: f"{names.get(i, i)} ({status.get(i, '?')})",
    )
    if picked is not None:
        is_on = bool(enabled[picked])
        label = "Disable" if is_on else "Enable"
        if status[picked] in ("retired", "archive"):
            c2.caption("Retired and archive feeds are not polled.")
        elif c2.button(label, key="feed_toggle"):
            store.set_feed_enabled(data.engine(), int(picked), not is_on)
            data.clear()
            st.toast(highlight.md_escape(f"{label}d {names[picked]}."))
            st.rerun()
        on = bool(fulltext.get(picked, True))
        c3, c4 = st.columns([3, 1])
        c3.caption(
            "Full text: "
            + ("on — article pages are fetched and extracted" if on else "off — teasers only")
        )
        if c4.button("Turn full text off" if on else "Turn full text on", key="fulltext_toggle"):
            store.set_feed_fulltext(data.engine(), int(picked), not on)
            data.clear()
            st.toast(highlight.md_escape(f"Full text {'off' if on else 'on'} for {names[picked]}."))
            st.rerun()
        polls = data.recent_polls(int(picked))
        if polls.empty:
            st.caption("This feed has not been polled yet.")
        else:
            tables.table(
                blank_missing(polls, as_text=("started_at",)), "polls_table", long="error",
                wrap=("started_at", "outcome", "error_category", "error"),
                labels={
                    "started_at": text("Started (UTC)"), "outcome": text("Outcome"),
                    "http_status": text("HTTP"),
                    "duration_ms": st.column_config.NumberColumn("ms"),
                    "new_articles": st.column_config.NumberColumn("New"),
                    "error_category": text("Error kind"), "error": text("Error"),
                },
            )  # fmt: skip

st.subheader("Add a feed")
feeds.add_feed_form()

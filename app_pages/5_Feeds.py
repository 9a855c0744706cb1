"""Feeds: the health of every feed, adding a feed (validated), enabling and disabling."""

from __future__ import annotations

import streamlit as st

from ingest import store
from ingest.filter_words import language_name
from ingest.geo import country_name
from ui import data, export, feeds, highlight
from ui.cells import blank_missing
from ui.layout import empty_state, start_page

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
    # (538 px; test_browser.py::test_tables_fit_at_1000_px). Widths in pixels.
    shown = blank_missing(view, as_text=("last_polled_at", "next_poll_at"))  # UTC
    feed = st.column_config.TextColumn("Feed", width=150)
    health_tab, errors_tab, source_tab = st.tabs(["Health", "Errors", "Source"])
    health_tab.dataframe(
        shown[["title", "health", "enabled", "articles", "last_polled_at", "error_count"]],
        hide_index=True, key="feeds_table",
        column_config={
            "title": feed, "health": st.column_config.TextColumn("Health", width=80),
            "enabled": st.column_config.CheckboxColumn("Enabled", width=64),
            "articles": st.column_config.NumberColumn("Articles", width=64),
            "last_polled_at": st.column_config.TextColumn("Last poll (UTC)", width=120),
            "error_count": st.column_config.NumberColumn("Errors", width=56),
        },
    )  # fmt: skip
    errors_tab.dataframe(
        shown[["title", "last_status", "last_error", "next_poll_at"]],
        hide_index=True, key="feed_errors_table",
        column_config={
            "title": feed, "last_status": st.column_config.TextColumn("HTTP", width=52),
            "last_error": st.column_config.TextColumn("Last error", width=210),
            "next_poll_at": st.column_config.TextColumn("Next poll (UTC)", width=120),
        },
    )  # fmt: skip
    source_tab.dataframe(
        shown[["title", "language", "home", "url"]], hide_index=True, key="feed_source_table",
        column_config={
            "title": feed, "language": st.column_config.TextColumn("Language", width=90),
            "home": st.column_config.TextColumn("Home country", width=110),
            "url": st.column_config.TextColumn("Feed URL", width=186),
        },
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
    st.dataframe(  # widths (px) that fit a 1000 px window, as above
        coverage[["title", "fulltext", "texts_ok", "texts_failed", "texts_pending", "coverage",
                  "failures"]],
        hide_index=True, key="fulltext_table",
        column_config={
            "title": st.column_config.TextColumn("Feed", width=120),
            "fulltext": st.column_config.CheckboxColumn("Full text", width=64),
            "texts_ok": st.column_config.NumberColumn("Extracted", width=70),
            "texts_failed": st.column_config.NumberColumn("Failed", width=52),
            "texts_pending": st.column_config.NumberColumn("Queued", width=58),
            "coverage": st.column_config.ProgressColumn("Coverage", format="percent",
                                                        min_value=0.0, max_value=1.0, width=76),
            "failures": st.column_config.TextColumn("Failures by kind", width=96),
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
            st.dataframe(  # widths (px) that fit a 1000 px window, as above
                blank_missing(polls, as_text=("started_at",)), hide_index=True,
                key="polls_table",
                column_config={
                    "started_at": st.column_config.TextColumn("Started (UTC)", width=120),
                    "outcome": st.column_config.TextColumn("Outcome", width=70),
                    "http_status": st.column_config.TextColumn("HTTP", width=48),
                    "duration_ms": st.column_config.NumberColumn("ms", width=56),
                    "new_articles": st.column_config.NumberColumn("New", width=48),
                    "error_category": st.column_config.TextColumn("Error kind", width=80),
                    "error": st.column_config.TextColumn("Error", width=110),
                },
            )  # fmt: skip

st.subheader("Add a feed")
feeds.add_feed_form()

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
st.caption("Feeds are not filtered by the sidebar: this page lists every feed in the store.")

health = data.feed_health()
if health.empty:
    empty_state("No feeds yet. Add one below, or load the catalogue with `python -m ingest run`.")
else:
    feeds.health_metrics(health)
    view = health.assign(
        home=[country_name(c) if c else "" for c in health["home"]],
        language=[language_name(c) if c else "" for c in health["language"].fillna("")],
    )
    st.dataframe(
        blank_missing(view[["title", "health", "enabled", "language", "home", "articles",
                            "last_polled_at", "last_status", "error_count", "last_error",
                            "next_poll_at", "url"]]),
        hide_index=True, key="feeds_table",
        column_config={
            "title": "Feed", "health": "Health", "enabled": "Enabled", "language": "Language",
            "home": "Home country", "articles": "Articles",
            "last_polled_at": st.column_config.DatetimeColumn("Last poll (UTC)",
                                                              format="YYYY-MM-DD HH:mm"),
            "last_status": "HTTP", "error_count": "Errors", "last_error": "Last error",
            "next_poll_at": st.column_config.DatetimeColumn("Next poll (UTC)",
                                                            format="YYYY-MM-DD HH:mm"),
            "url": st.column_config.TextColumn("Feed URL"),
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
    st.dataframe(
        coverage[["title", "fulltext", "articles", "texts_ok", "texts_failed", "texts_pending",
                  "coverage", "failures"]],
        hide_index=True, key="fulltext_table",
        column_config={
            "title": "Feed", "fulltext": "Full text on", "articles": "Articles",
            "texts_ok": "Extracted", "texts_failed": "Failed", "texts_pending": "Queued",
            "coverage": st.column_config.ProgressColumn("Coverage", format="percent",
                                                        min_value=0.0, max_value=1.0),
            "failures": "Failures by kind",
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
            st.dataframe(blank_missing(polls), hide_index=True, key="polls_table")

st.subheader("Add a feed")
feeds.add_feed_form()

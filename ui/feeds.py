"""Feed widgets the pages share: the row of feed-health counts (Overview, Feeds) and the Feeds
page's "Add a feed" form. The form's checks and storing are ``ingest.feed_adding``'s, shared with
the CLI's ``add-feed``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ingest.feed_adding import FeedRefused, check_feed, display_name, store_feed
from ingest.geo import all_countries, country_name
from ui import data, highlight

# The health states in the order the metrics show them, each with what it means.
HEALTH_STATES = {
    "ok": "polled, and the last poll succeeded",
    "failing": "polled, and the last poll failed",
    "never polled": "enabled, not polled yet",
    "suspended": "too many failures in a row: not polled until enabled again",
    "disabled": "switched off",
    "retired": "gone for good (HTTP 410)",
    "archive": "saved feed files (the demo, an import): never polled",
}


def health_counts(health: pd.DataFrame) -> list[tuple[str, int]]:
    """(state, feeds) for every state present, in HEALTH_STATES order: they add up to the
    feeds listed."""
    counts = health["health"].value_counts()
    order = [s for s in HEALTH_STATES if s in counts] + sorted(
        set(counts.index) - set(HEALTH_STATES)
    )
    return [(state, int(counts[state])) for state in order]


def health_metrics(health: pd.DataFrame) -> None:
    """All feeds, then one metric per health state (ok, failing, …): the states add up to all."""
    counts = health_counts(health)
    cols = st.columns(1 + len(counts))
    cols[0].metric("All feeds", f"{len(health):,}")
    for col, (state, n) in zip(cols[1:], counts, strict=True):
        col.metric(state.capitalize(), f"{n:,}", help=HEALTH_STATES.get(state))


def add_feed_form() -> None:
    """The form; on submit the feed is checked (public http(s), reachable, parses) and stored."""
    codes = sorted((c.iso3 for c in all_countries()), key=country_name)
    with st.form("add_feed", clear_on_submit=False):
        url = st.text_input("Feed URL (http or https)", key="add_url", max_chars=2000)
        a1, a2, a3 = st.columns(3)
        title = a1.text_input("Title (optional)", key="add_title", max_chars=200)
        language = a2.text_input("Language code (optional, e.g. id)", key="add_lang", max_chars=8)
        country = a3.selectbox(
            "Outlet's home country (optional)", ["", *codes], key="add_country",
            format_func=lambda c: country_name(c) if c else "—",
        )  # fmt: skip
        submitted = st.form_submit_button("Check and add")
    if not submitted:
        return
    try:
        with st.spinner("Fetching and parsing the feed…"):
            feed = check_feed(url, country=country)
    except FeedRefused as exc:
        prefix = "Refused" if exc.bad_input else "Could not add the feed"
        st.error(highlight.md_escape(f"{prefix}: {exc}"))
        return
    store_feed(data.engine(), feed, title=title, language=language)
    data.clear()
    name = display_name(feed, title)
    st.success(highlight.md_escape(f"Added “{name}” ({feed.items} items now in the feed)."))

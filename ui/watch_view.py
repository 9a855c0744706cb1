"""“Watch this view”: the sidebar's popover that saves the current filters as a watch
(``ingest.alerts``; the Watchlist page lists them)."""

from __future__ import annotations

import streamlit as st

from ingest import alerts, store
from ingest.filters import Filters, to_query_params
from ui import data


def watch_this_view(f: Filters) -> None:
    """A sidebar popover: name the current view (without its dates) and how to be told."""
    with st.sidebar.popover("Watch this view", icon=":material/notifications:"):
        st.caption(
            "Be told when new articles match these filters, and when they spike. Every watch "
            "has an Atom feed; a webhook and an email are optional."
        )
        with st.form("watch_this_view", clear_on_submit=True, border=False):
            name = st.text_input("Name", key="watch_name")
            webhook = st.text_input("Webhook URL (optional)", key="watch_webhook")
            email = st.text_input("Email (optional)", key="watch_email")
            if st.form_submit_button("Create watch"):
                query = {k: v for k, v in to_query_params(f).items() if k not in ("from", "to")}
                try:
                    spec = alerts.make_spec(name, query, webhook_url=webhook, email=email)
                    store.create_watch(data.engine(), spec, store.now_utc())
                except (alerts.WatchError, store.WatchExists) as exc:
                    st.error(f"Not created: {exc}")
                else:
                    st.success(f"Watching “{spec.name}”: see the Watchlist page.")

"""What every page does first: page config, first-run seeding, the empty-store message."""

from __future__ import annotations

import contextlib

import streamlit as st

from ingest import config
from ingest.queries import Filters
from ingest.scheduler import start_background_poller
from ui import data, filters, seeding


def start_page(title: str, icon: str, describe: bool = True) -> Filters:
    """Configure the page, seed an empty store, render the shared filters; stop kindly if the
    store holds nothing."""
    st.set_page_config(page_title=f"{title} · Pantau", page_icon=icon, layout="wide")
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
    f = filters.sidebar_filters()
    st.title(title)
    if describe:
        filters.caption(f)
    return f


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def nav_link(page: str, label: str, icon: str | None = None) -> None:
    """A link to another page; silently absent when the page is not registered (a page script
    run on its own, e.g. in a test)."""
    from streamlit.errors import StreamlitAPIException

    with contextlib.suppress(StreamlitAPIException):
        st.page_link(page, label=label, icon=icon)

"""First run: an empty store is filled from the bundled demo snapshots, with a progress bar."""

from __future__ import annotations

import logging

import streamlit as st

from ingest import config, queries
from ui import data

log = logging.getLogger(__name__)


def ensure_seeded() -> None:
    """Seed an empty store once per server when ``seed_demo`` is on; say kindly if it cannot."""
    engine = data.engine()
    if not queries.is_empty(engine) or not config.get("seed_demo"):
        return
    try:
        from ingest.pipeline import seed_demo
    except ImportError:
        st.info(
            "The store is empty and the demo data cannot be loaded in this installation. "
            "Poll live feeds with `python -m ingest run`, then reload this page."
        )
        return
    bar = st.progress(0.0, text="First run: loading the bundled demo feeds…")

    def progress(done: int, total: int, label: str) -> None:
        fraction = min(1.0, done / total) if total else 0.0
        bar.progress(fraction, text=f"First run: loading demo feeds ({done}/{total}) {label}")

    try:
        with st.spinner("Seeding the store from the demo snapshots…"):
            stored = seed_demo(engine, progress)
    except Exception:  # a failed seed must not take the page down
        log.exception("seeding the demo store failed")
        bar.empty()
        st.warning(
            "Loading the demo data failed (details in the server log). "
            "Poll live feeds with `python -m ingest run`."
        )
        return
    bar.empty()
    data.clear()
    st.toast(f"Loaded {stored:,} demo articles.")

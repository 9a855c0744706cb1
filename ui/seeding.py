"""First run: an empty store is filled from the bundled demo snapshots, with a progress bar.

Seeding runs in one background thread per server process, not in a page's script: a reader who
closes the tab or clicks away mid-seed would otherwise stop the script and leave the store half
filled for good. Every page shows the progress and re-runs until the thread is done. Seeding is
idempotent (already-stored items are skipped), so a store that holds only demo data is topped up
again at each server start: a seed cut short by a killed server finishes on the next start.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import streamlit as st

from ingest import config, queries
from ui import data

log = logging.getLogger(__name__)


@dataclass
class SeedJob:
    done: int = 0
    total: int = 0
    label: str = ""
    stored: int = 0
    error: str | None = None
    finished: bool = False
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self, done: int, total: int, label: str) -> None:
        self.done, self.total, self.label = done, total, label

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


@st.cache_resource(show_spinner=False)
def _job(database_url: str) -> SeedJob:
    """The one seeding job of this server process for this store."""
    return SeedJob()


def _run(job: SeedJob) -> None:
    from ingest.pipeline import seed_demo
    from ingest.scheduler import load_catalogue

    try:
        # The catalogue goes in on first use too, so the Feeds page lists what polling will
        # fetch; a broken catalogue file must not keep the demo out.
        load_catalogue(data.engine())
    except Exception:
        log.exception("loading the feed catalogue failed")
    try:
        job.stored = seed_demo(data.engine(), job.progress)
    except Exception as exc:  # reported on the page, never raised into a script
        log.exception("seeding the demo store failed")
        job.error = str(exc) or exc.__class__.__name__
    finally:
        job.finished = True


def start_if_needed() -> SeedJob:
    """Start seeding once per process when the store is empty or holds only demo data."""
    job = _job(str(config.get("database_url")))
    with job.lock:
        if job.thread is None and config.get("seed_demo"):
            engine = data.engine()
            if queries.is_empty(engine) or queries.is_demo_only(engine):
                job.thread = threading.Thread(
                    target=_run, args=(job,), name="pantau-demo-seed", daemon=True
                )
                job.thread.start()
            else:
                job.finished = True
    return job


def ensure_seeded() -> None:
    """Show the seeding progress and stop the page until the store is ready."""
    job = start_if_needed()
    if job.running:
        st.session_state["_seed_watched"] = True  # this reader saw the store being filled
        fraction = min(1.0, job.done / job.total) if job.total else 0.0
        st.progress(
            fraction,
            text=f"First run: loading the bundled demo feeds ({job.done}/{job.total or '…'}) "
            f"{job.label}",
        )
        st.caption("This takes under half a minute, once. The page refreshes by itself.")
        time.sleep(1.0)
        st.rerun()
    if job.error and not st.session_state.get("_seed_error_shown"):
        st.session_state["_seed_error_shown"] = True
        st.warning(
            "Loading the demo data failed (details in the server log). "
            "Poll live feeds with `python -m ingest run`."
        )
    # The toast only for a reader who watched the seeding happen (not for every later visit
    # to a server that once seeded), and only when it stored something.
    watched = st.session_state.get("_seed_watched", False)
    if job.finished and job.stored and watched and not st.session_state.get("_seed_toast_shown"):
        st.session_state["_seed_toast_shown"] = True
        data.clear()
        st.toast(f"Loaded {job.stored:,} demo articles.")

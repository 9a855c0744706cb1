"""The polling loop: claim due feeds, fetch them concurrently, store what is new.

One bad feed never stops the others: every outcome of a poll — success, 304, a categorised
fetch or parse error, even a bug of ours — ends as one ``polls`` row and the feed's new state.
A failing feed backs off (doubling, capped at ``max_backoff_hours``, never before Retry-After)
and is suspended after ``suspend_after_failures`` consecutive failures; 410 retires it, a
permanent redirect moves it.

Several workers (processes or machines) can run at once against PostgreSQL: each claims due
feeds with ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease (``store.claim_due_feeds``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from ingest import config, store
from ingest.bars import progress_bar
from ingest.fetch import FetchResult, fetch_feed
from ingest.parse import parse_feed
from ingest.pipeline import new_items, tag_items

log = logging.getLogger(__name__)

# Fetch error categories that say "try again later" rather than "this feed is broken":
# they back off like any failure but never suspend the feed.
TEMPORARY = {"rate_limited", "timeout"}

# Back-off of a failing feed: the poll interval times BACKOFF_FACTOR per consecutive failure,
# capped by max_backoff_hours; the exponent stops growing at MAX_BACKOFF_DOUBLINGS (the cap is
# long reached by then) so the arithmetic never overflows.
BACKOFF_FACTOR = 2
MAX_BACKOFF_DOUBLINGS = 30
# A claimed feed is leased for LEASE_DEADLINES fetch deadlines plus LEASE_MARGIN (parse, tag,
# save): long enough for any poll to finish, short enough that a crashed worker's feeds return.
LEASE_DEADLINES = 3
LEASE_MARGIN = timedelta(seconds=60)
CLAIM_PER_THREAD = 2  # feeds claimed per fetch thread in one batch
IDLE_SECONDS = 30.0  # the service loop's sleep when nothing is due


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def next_poll_time(
    now: datetime,
    *,
    failures: int,
    retry_after: datetime | None = None,
    interval: timedelta | None = None,
    cap: timedelta | None = None,
) -> datetime:
    """When to poll a feed next, given its consecutive failures (0 after a success).

    Healthy: every ``interval``. Failing: interval × 2^failures, capped; never before the
    server's Retry-After.
    """
    interval = interval or timedelta(minutes=int(config.get("poll_interval_minutes")))
    cap = cap or timedelta(hours=int(config.get("max_backoff_hours")))
    delay = (
        interval
        if failures <= 0
        else min(interval * (BACKOFF_FACTOR ** min(failures, MAX_BACKOFF_DOUBLINGS)), cap)
    )
    moment = now + delay
    if retry_after is not None and retry_after > moment:
        moment = retry_after
    return moment


@dataclass
class PollReport:
    feed_id: int
    url: str
    outcome: str
    new_articles: int = 0
    error: str | None = None
    error_category: str | None = None


def poll_feed(engine: Engine, feed: store.FeedRow, *, worker: str | None = None) -> PollReport:
    """Fetch, parse, tag and store one feed; record the outcome on its row. Never raises."""
    started = store.now_utc()
    record = store.PollRecord(started_at=started, outcome="error", worker=worker)
    items = []
    try:
        result: FetchResult = fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        record.http_status = result.status
        record.duration_ms = result.duration_ms
        record.permanent_url = result.permanent_url
        if result.outcome == "ok" and result.body is not None:
            parsed = parse_feed(
                result.body,
                feed_url=result.final_url or feed.url,
                fetched_at=started,
                content_type=result.content_type,
                feed_key=f"feed:{feed.id}",  # stable across 301 moves
            )
            if parsed.error and not parsed.articles:
                record.error, record.error_category = parsed.error, parsed.error_category
            else:
                # Validators and "ok" only once the items are tagged: if tagging raised, an ETag
                # saved without its articles would turn the next poll into a 304 and lose them.
                items = tag_items(
                    new_items(engine, parsed.articles), feed.language or parsed.language
                )
                record.outcome = "ok"
                record.etag, record.last_modified = result.etag, result.last_modified
                record.feed_title, record.feed_site_url = parsed.title, parsed.site_url
                record.feed_language = parsed.language
        elif result.outcome == "not_modified":
            record.outcome = "not_modified"
        elif result.outcome == "gone":
            record.outcome = "gone"
            record.error, record.error_category = result.error or "410 Gone", "gone"
        else:
            record.error, record.error_category = result.error, result.error_category
        retry_after = result.retry_after
    except Exception as exc:  # a bug of ours must not stop the other feeds
        log.exception("polling %s failed", feed.url)
        record.error, record.error_category = f"internal error: {exc!r}", "internal"
        retry_after = None
    failures = 0 if record.outcome in ("ok", "not_modified") else feed.error_count + 1
    if record.outcome != "gone":
        record.next_poll_at = next_poll_time(started, failures=failures, retry_after=retry_after)
    limit = int(config.get("suspend_after_failures"))
    if limit and failures >= limit and record.error_category not in TEMPORARY:
        record.suspend = True
    if record.duration_ms is None:
        record.duration_ms = int((store.now_utc() - started) / timedelta(milliseconds=1))
    try:
        saved = store.finish_poll(engine, feed.id, record, items)
    except Exception as exc:  # the store refused: report it, keep the loop alive
        log.exception("storing the poll of %s failed", feed.url)
        return PollReport(feed.id, feed.url, "error", 0, f"store error: {exc!r}", "internal")
    return PollReport(
        feed.id, feed.url, record.outcome, saved.new_articles, record.error, record.error_category
    )


@dataclass
class PollSummary:
    reports: list[PollReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(r.outcome in ("ok", "not_modified") for r in self.reports)

    @property
    def failed(self) -> int:
        return len(self.reports) - self.ok

    @property
    def new_articles(self) -> int:
        return sum(r.new_articles for r in self.reports)

    def line(self) -> str:
        return (
            f"{len(self.reports)} feeds polled: {self.ok} ok, {self.failed} failed, "
            f"{self.new_articles} new articles in {self.seconds:.1f} s"
        )


def poll_due(
    engine: Engine,
    *,
    worker: str | None = None,
    concurrency: int | None = None,
    show_bar: bool = False,
    on_report: Callable[[PollReport], None] | None = None,
    stop: threading.Event | None = None,
) -> PollSummary:
    """Poll every feed that is due now (claimed in batches), then return."""
    worker = worker or default_worker_id()
    concurrency = concurrency or int(config.get("fetch_concurrency"))
    lease = timedelta(seconds=float(config.get("fetch_deadline")) * LEASE_DEADLINES) + LEASE_MARGIN
    summary = PollSummary()
    began = time.monotonic()
    bar = progress_bar(unit="feed", disable=not show_bar, desc="poll")
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="poll") as pool:
        while not (stop and stop.is_set()):
            claimed = store.claim_due_feeds(
                engine, now=store.now_utc(), limit=concurrency * CLAIM_PER_THREAD, lease=lease
            )
            if not claimed:
                break
            for report in pool.map(lambda f: poll_feed(engine, f, worker=worker), claimed):
                summary.reports.append(report)
                bar.update(1)
                bar.set_postfix(new=summary.new_articles, failed=summary.failed)
                if on_report:
                    on_report(report)
    bar.close()
    store.checkpoint(engine)
    summary.seconds = time.monotonic() - began
    return summary


def run_forever(
    engine: Engine,
    *,
    worker: str | None = None,
    stop: threading.Event | None = None,
    idle_seconds: float = IDLE_SECONDS,
    show_bar: bool = False,
    on_summary: Callable[[PollSummary], None] | None = None,
    after_cycle: Callable[[], object] | None = None,
) -> None:
    """The service loop: poll what is due, then (with ``enrich_after_poll`` on) fetch and extract
    the pages of the articles stored since the loop started (``ingest.enrich``; ``enrich``
    backfills older ones), then (with ``vectors_after_poll`` on) encode the newest articles
    that have no vector and link their stories across languages (``ingest.vectors``), run
    ``after_cycle`` (the alerts), sleep a little, repeat until ``stop`` is set."""
    from ingest.enrich import enrich  # enrich imports this module
    from ingest.vectors import VECTORS_PER_CYCLE, compute_vectors, vectors_enabled

    stop = stop or threading.Event()
    started = store.now_utc()
    while not stop.is_set():
        summary = poll_due(engine, worker=worker, show_bar=show_bar, stop=stop)
        if config.get("enrich_after_poll") and not stop.is_set():
            try:
                texts = enrich(engine, fetched_since=started, worker=worker, stop=stop)
                if texts.pages:
                    log.info("full text: %s", texts.line())
            except Exception:  # full text must never stop polling
                log.exception("enriching new articles failed")
        if vectors_enabled() and not stop.is_set():
            try:
                found = compute_vectors(
                    engine, limit=VECTORS_PER_CYCLE, newest_first=True, stop=stop
                )
                if found.articles:
                    log.info("%s", found.line())
            except Exception:  # vectors failing must not stop polling
                log.exception("computing the articles' vectors failed")
        if summary.reports and on_summary:
            on_summary(summary)
        if after_cycle is not None:
            try:
                after_cycle()
            except Exception:  # alerts failing must not stop the polling
                log.exception("the alert cycle failed")
        stop.wait(idle_seconds)


_background: threading.Thread | None = None
_background_lock = threading.Lock()


def load_catalogue(engine: Engine) -> int:
    """Add the catalogue's feeds that the store does not hold yet; return how many were new.
    (``ingest.catalogue.load_catalogue`` reads the file; this puts what it read in the store.)"""
    from ingest import catalogue

    return store.ensure_feeds(engine, catalogue.load_catalogue())


def _poll_in_background(engine: Engine) -> None:
    try:
        load_catalogue(engine)
    except Exception:  # a broken catalogue must not stop polling the feeds already stored
        log.exception("loading the feed catalogue failed")
    from ingest.alert_delivery import run_alerts

    run_forever(engine, after_cycle=lambda: run_alerts(engine))


def start_background_poller(engine: Engine) -> bool:
    """Start the poller in a daemon thread of this process, once; True if it was started now."""
    global _background
    with _background_lock:
        if _background is not None and _background.is_alive():
            return False
        _background = threading.Thread(
            target=_poll_in_background, args=(engine,), name="pantau-poller", daemon=True
        )
        _background.start()
        return True

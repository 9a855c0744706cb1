"""Full text for stored articles (issue 13): queue their pages, fetch them politely, extract the
main text, store it, and hand the body to tagging.

``enrich(engine, …)`` is what ``python -m ingest enrich`` and the poller (``run``, after each poll
cycle when ``enrich_after_poll`` is on) call. Steps:

1. Bodies older than ``body_retention_days`` are dropped (``store.prune_bodies``).
2. The pages of articles in scope are queued (``store.queue_texts``): articles with a link, of
   feeds whose ``fulltext`` switch is on, never queued before (``refetch`` queues the finished
   ones again).
3. ``enrich_concurrency`` threads each claim one page at a time (``store.claim_text``): a due
   page whose host no worker — in this process or any other, on either engine — holds; the
   claim holds the host too. So different hosts are fetched in parallel and one host is asked
   one page at a time across every worker, with at least ``page_host_delay_seconds`` between
   two requests to it (the host is handed back free from then), and a host's Retry-After or
   back-off pauses every worker's pages of that host.
4. Each page goes through ``page_fetch.fetch_page`` (robots.txt, the SSRF guard, size cap,
   deadline, HTML only; the process-wide ``HostGate``) and ``extract.extract``; the outcome is
   stored on the page's row (``store.finish_text``). A transient failure (429, 5xx, timeout,
   unreachable robots.txt, a host still paused) puts the page back in the queue for later — after
   Retry-After, or a doubling back-off from ``page_backoff_seconds`` — until
   ``enrich_max_attempts`` fetches; any other outcome is final.
5. A page extracted "ok" is handed, with its ``Extraction`` (body included even when
   ``store_bodies`` is off), to ``on_text`` — by default ``retag_with_body``.

Resumable: a page is finished in one transaction with its row; a killed run's claimed pages
return to the queue once their claim lapses (``enrich_lease_seconds``) and a restarted run
fetches exactly those again (a page the killed run had asked for but not stored is asked once
more), never one already stored. A run waits for pages other workers hold in its scope and ends
when nothing in its scope is due; pages queued for a later retry wait for a later run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine

from ingest import config, store
from ingest.bars import progress_bar
from ingest.extract import Extraction, extract
from ingest.page_fetch import HostGate, PageResult, fetch_page
from ingest.queries.texts import count_waiting, feed_id_for_url
from ingest.scheduler import default_worker_id
from ingest.store.texts import QUEUED, page_host

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.2  # a thread's pause when every due page's host is held by another worker
MAX_RETRY_DOUBLINGS = 6  # the retry back-off stops growing at 2**6 × page_backoff_seconds
GONE_STATUSES = frozenset({404, 410})  # the page is not there: final, recorded as "gone"
FINAL_OUTCOMES = {"not_html": "not_html", "disallowed": "disallowed", "gone": "gone"}

TextHook = Callable[[Engine, Sequence[tuple[int, Extraction]]], object]


def retag_with_body(engine: Engine, items: Sequence[tuple[int, Extraction]]) -> int:
    """Where full text meets tagging (issue 13, item 5): called with (article_id, Extraction) for
    every page extracted "ok", the body in ``Extraction.body`` whether or not the store keeps
    it. The articles are re-tagged from title + summary + body (``pipeline.retag_with_body``:
    evidence with its field and offset, prominence, language from the body); returns how many."""
    from ingest.pipeline import retag_with_body as tag_from_body

    return tag_from_body(engine, [(article_id, ex.body, ex.lead) for article_id, ex in items])


@dataclass
class EnrichSummary:
    queued: int = 0  # pages newly queued by this run
    pruned: int = 0  # stored bodies dropped by the retention
    outcomes: Counter[str] = field(default_factory=Counter)  # pages by the status stored
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(self.outcomes.values())

    def line(self) -> str:
        parts = ", ".join(f"{s} {n}" for s, n in sorted(self.outcomes.items()))
        return (
            f"{self.pages} pages ({parts or 'none'}), {self.queued} newly queued, "
            f"{self.pruned} bodies pruned, in {self.seconds:.1f} s"
        )


class _Budget:
    """At most ``limit`` claims in one run, shared by its threads (None: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self._left = limit
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left is None:
                return True
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            if self._left is not None:
                self._left += 1


def enrich(
    engine: Engine,
    *,
    since: date | None = None,
    feed_url: str | None = None,
    limit: int | None = None,
    refetch: bool = False,
    fetched_since: datetime | None = None,
    worker: str | None = None,
    concurrency: int | None = None,
    client: httpx.Client | None = None,
    gate: HostGate | None = None,
    show_bar: bool = False,
    stop: threading.Event | None = None,
    on_text: TextHook | None = None,
) -> EnrichSummary:
    """Queue, fetch, extract and store the pages of the articles in scope (see the module
    docstring). ``since``: published on or after that day; ``feed_url``: that stored feed's
    articles only (ValueError if there is none); ``limit``: at most that many pages fetched;
    ``fetched_since``: articles stored since then (the poller's new articles)."""
    began = time.monotonic()
    worker = worker or default_worker_id()
    stop = stop or threading.Event()
    on_text = on_text or retag_with_body
    feed_id = None
    if feed_url is not None:
        feed_id = feed_id_for_url(engine, feed_url)
        if feed_id is None:
            raise ValueError(f"no stored feed at {feed_url}")
    scope = store.TextScope(feed_id=feed_id, since=since, fetched_since=fetched_since)
    summary = EnrichSummary()
    retention = int(config.get("body_retention_days"))
    if retention > 0:
        summary.pruned = store.prune_bodies(engine, store.now_utc() - timedelta(days=retention))
    summary.queued = store.queue_texts(engine, scope, limit=limit, refetch=refetch)
    total = count_waiting(engine, scope)
    budget = _Budget(limit)
    lease = timedelta(seconds=int(config.get("enrich_lease_seconds")))
    lock = threading.Lock()
    threads = max(1, concurrency or int(config.get("enrich_concurrency")))
    bar = progress_bar(
        total=min(total, limit) if limit is not None else total,
        unit="page",
        disable=not show_bar,
        desc="enrich",
    )

    def work() -> None:
        while not stop.is_set() and budget.take():
            claim = store.claim_text(engine, worker=worker, lease=lease, scope=scope)
            if claim is None:
                budget.give_back()
                if count_waiting(engine, scope) == 0:
                    return
                stop.wait(IDLE_SECONDS)
                continue
            status = enrich_page(engine, claim, worker=worker, client=client, gate=gate)
            if status.extraction is not None and status.extraction.status == "ok":
                try:
                    on_text(engine, [(claim.article_id, status.extraction)])
                except Exception:  # tagging's bug must not stop the fetching
                    log.exception("tagging article %d from its body failed", claim.article_id)
            with lock:
                summary.outcomes[status.status] += 1
                bar.update(1)
                bar.set_postfix(ok=summary.outcomes["ok"])

    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="enrich") as pool:
            for future in [pool.submit(work) for _ in range(threads)]:
                future.result()
    finally:
        bar.close()
        store.release_claims(engine, worker)  # a stop (or a bug) hands back what is held
        store.checkpoint(engine)
    summary.seconds = time.monotonic() - began
    return summary


@dataclass
class PageOutcome:
    status: str  # what was stored: an extraction status, a fetch failure, or "queued" again
    extraction: Extraction | None = None


def enrich_page(
    engine: Engine,
    claim: store.Claim,
    *,
    worker: str,
    client: httpx.Client | None = None,
    gate: HostGate | None = None,
) -> PageOutcome:
    """Fetch and extract one claimed page, store the outcome, hand its host back."""
    fetched_at = store.now_utc()
    page = fetch_page(claim.url, client=client, gate=gate)
    now = store.now_utc()
    host_free_at = now + timedelta(seconds=float(config.get("page_host_delay_seconds")))
    # A Retry-After (or an unreachable robots.txt) pauses the claimed host only when that host
    # said it: one met at a redirect to another host (``final_url``) delays this page alone.
    paused = (
        page.retry_after is not None
        and page.retry_after > host_free_at
        and page_host(page.final_url) == claim.host
    )
    if paused:
        host_free_at = page.retry_after  # type: ignore[assignment]
    extraction = None
    if page.ok and page.body is not None:
        extraction = extract(page.body, url=page.final_url, content_type=page.content_type)
        record = _extracted(extraction, page, fetched_at)
    else:
        record = _failed(page, claim, fetched_at, now)
    store.finish_text(
        engine, claim, record, worker=worker, host_free_at=host_free_at, host_paused=paused
    )
    return PageOutcome(record.status, extraction)


def _extracted(extraction: Extraction, page: PageResult, fetched_at: datetime) -> store.TextRecord:
    keep = bool(config.get("store_bodies"))
    return store.TextRecord(
        status=extraction.status,
        body=extraction.body if keep else None,
        lead=extraction.lead if keep else None,
        title=extraction.title,
        published_at=_as_utc(extraction.published),
        authors=extraction.authors,
        language=extraction.language,
        chars=extraction.chars,
        extractor=extraction.extractor,
        fetched_at=fetched_at,
        extracted_at=store.now_utc(),
        http_status=page.status,
        final_url=page.final_url,
        error_category=None if extraction.status == "ok" else extraction.status,
        error=None if extraction.status == "ok" else extraction.detail,
    )


def _failed(
    page: PageResult, claim: store.Claim, fetched_at: datetime, now: datetime
) -> store.TextRecord:
    sent = page.outcome != "deferred"  # "deferred": nothing was asked of the host
    attempts = claim.attempts + (1 if sent else 0)
    common: dict[str, Any] = {
        "fetched_at": fetched_at if sent else None,
        "http_status": page.status,
        "final_url": page.final_url,
        "error_category": page.error_category,
        "error": page.error,
        "counts_as_attempt": sent,
    }
    if page.transient and attempts < int(config.get("enrich_max_attempts")):
        doublings = min(max(attempts - 1, 0), MAX_RETRY_DOUBLINGS)
        backoff = timedelta(seconds=float(config.get("page_backoff_seconds")) * 2**doublings)
        when = page.retry_after or now + backoff
        return store.TextRecord(status=QUEUED, next_attempt_at=when, **common)
    status = FINAL_OUTCOMES.get(page.outcome, "error")
    if page.status in GONE_STATUSES:
        status = "gone"
    return store.TextRecord(status=status, **common)


def _as_utc(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)

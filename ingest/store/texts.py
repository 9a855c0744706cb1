"""Full-text writes (issue 13): queueing article pages, claiming them one host at a time across
every worker, storing what was fetched and extracted, and dropping old bodies.

``article_texts`` is both the store of extracted text and the work queue of ``ingest.enrich``
(its statuses are described beside the table in ``schema``). A claim takes one queued page whose
host no worker holds, and holds the host (``host_leases``) in the same transaction: on
PostgreSQL the page's row is taken with FOR UPDATE SKIP LOCKED and the host with a conditional
upsert (``ON CONFLICT DO UPDATE … WHERE until <= now``, which waits for a concurrent claim of the
same host to commit and then sees it), on SQLite the whole claim runs in one BEGIN IMMEDIATE
transaction. The claim lapses after a lease, so the pages of a killed worker return to the
queue; a finished page is never queued again unless asked (``refetch``).

Every write that stores, replaces or drops a body keeps SQLite's body index (``search_index``)
in the same transaction: the old body out before the change, the new one in after it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, exists, or_, select, update
from sqlalchemy.engine import Connection

from ingest.store.engine import insert, is_sqlite, no_nul, now_utc, write
from ingest.store.schema import (
    HOST_LENGTH,
    WORKER_NAME_LENGTH,
    article_texts,
    articles,
    feeds,
    host_leases,
)
from ingest.store.search_index import index_bodies, unindex_bodies

QUEUED = "queued"
CLAIMED = "claimed"
TEXT_OK = "ok"  # extraction found the article's full text (ingest.extract: status "ok")
# Every status a finished page can have: extraction's (ingest.extract.STATUSES) and the fetch's.
FETCH_FAILURES = ("disallowed", "gone", "error")
QUEUE_CHUNK = 1000  # articles queued per transaction
CLAIM_CANDIDATES = 16  # queued pages looked at per claim (distinct hosts are tried in turn)


@dataclass(frozen=True)
class TextScope:
    """Which articles an enrich run works on: one feed, published on or after a day, fetched
    (first stored) at or after a moment. None means any."""

    feed_id: int | None = None
    since: date | None = None
    fetched_since: datetime | None = None

    def where(self) -> list[Any]:
        """Conditions on ``articles`` (joined to ``article_texts`` by the caller)."""
        conditions: list[Any] = []
        if self.feed_id is not None:
            conditions.append(articles.c.feed_id == self.feed_id)
        if self.since is not None:
            conditions.append(articles.c.published_day >= self.since.isoformat())
        if self.fetched_since is not None:
            conditions.append(articles.c.fetched_at >= self.fetched_since)
        return conditions


ANY_ARTICLE = TextScope()


@dataclass(frozen=True)
class Claim:
    """A page a worker now holds, with its host."""

    article_id: int
    url: str
    host: str
    attempts: int


@dataclass
class TextRecord:
    """What became of one claimed page; ``finish_text`` stores it.

    ``status`` QUEUED puts the page back for a later attempt, at ``next_attempt_at``.
    """

    status: str
    body: str | None = None
    lead: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    authors: Sequence[str] = ()
    language: str | None = None
    chars: int = 0
    extractor: str | None = None
    fetched_at: datetime | None = None
    extracted_at: datetime | None = None
    http_status: int | None = None
    final_url: str | None = None
    error_category: str | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    counts_as_attempt: bool = True


def page_host(url: str | None) -> str | None:
    """The host name a page is claimed under (lower case), or None for a URL without one."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower()[:HOST_LENGTH] if host else None


def queue_texts(
    engine: Engine,
    scope: TextScope | None = None,
    *,
    limit: int | None = None,
    refetch: bool = False,
) -> int:
    """Queue the pages of articles in ``scope`` that have a link, belong to a feed whose
    ``fulltext`` is on and have no text row yet (with ``refetch``: also those already finished,
    which go back to the queue). At most ``limit`` new pages; returns how many were queued."""
    scope = scope or ANY_ARTICLE
    queued = 0
    after = 0
    while limit is None or queued < limit:
        chunk = QUEUE_CHUNK if limit is None else min(QUEUE_CHUNK, limit - queued)
        with write(engine) as conn:
            has_text = exists().where(article_texts.c.article_id == articles.c.id)
            if refetch:
                has_text = exists().where(
                    article_texts.c.article_id == articles.c.id,
                    article_texts.c.status.in_([QUEUED, CLAIMED]),
                )
            rows = conn.execute(
                select(articles.c.id, articles.c.url)
                .select_from(articles.join(feeds, feeds.c.id == articles.c.feed_id))
                .where(
                    feeds.c.fulltext.is_(True),
                    articles.c.url.is_not(None),
                    articles.c.id > after,
                    ~has_text,
                    *scope.where(),
                )
                .order_by(articles.c.id)
                .limit(chunk)
            ).all()
            if not rows:
                break
            after = rows[-1].id
            now = now_utc()
            values = [_queued_row(row.id, row.url, now) for row in rows]
            if refetch:
                refetched = article_texts.c.article_id.in_([row.id for row in rows])
                if is_sqlite(conn):
                    unindex_bodies(conn, refetched)
                conn.execute(article_texts.delete().where(refetched))
            conn.execute(
                insert(conn, article_texts).on_conflict_do_nothing(index_elements=["article_id"]),
                values,
            )
            queued += sum(1 for v in values if v["status"] == QUEUED)
    return queued


def _queued_row(article_id: int, url: str, now: datetime) -> dict[str, Any]:
    host = page_host(url)
    row: dict[str, Any] = {
        "article_id": article_id,
        "status": QUEUED if host else "error",
        "host": host or "",
        "queued_at": now,
        "attempts": 0,
    }
    if not host:
        row.update(error_category="bad_url", error="the article's link has no host")
    return row


def claim_text(
    engine: Engine, *, worker: str, lease: timedelta, scope: TextScope | None = None
) -> Claim | None:
    """Claim one due page in ``scope`` whose host no worker holds, and hold its host, for
    ``lease``; None when there is none now (see the module docstring for how)."""
    worker = worker[:WORKER_NAME_LENGTH]
    scope = scope or ANY_ARTICLE
    with write(engine) as conn:
        now = now_utc()
        held = select(host_leases.c.host).where(host_leases.c.until > now)
        t = article_texts.c
        query = (
            select(t.article_id, t.host, t.attempts, articles.c.url)
            .select_from(article_texts.join(articles, articles.c.id == t.article_id))
            .where(
                t.status.in_([QUEUED, CLAIMED]),
                or_(t.next_attempt_at.is_(None), t.next_attempt_at <= now),
                t.host.not_in(held),
                *scope.where(),
            )
            .order_by(t.article_id)
            .limit(CLAIM_CANDIDATES)
        )
        if not is_sqlite(conn):
            query = query.with_for_update(skip_locked=True, of=article_texts)
        tried: set[str] = set()
        for row in conn.execute(query).all():
            if row.host in tried:
                continue
            tried.add(row.host)
            if not _hold_host(conn, row.host, worker, now, now + lease):
                continue
            conn.execute(
                update(article_texts)
                .where(t.article_id == row.article_id)
                .values(status=CLAIMED, claimed_by=worker, next_attempt_at=now + lease)
            )
            return Claim(row.article_id, row.url, row.host, int(row.attempts))
    return None


def _hold_host(conn: Connection, host: str, worker: str, now: datetime, until: datetime) -> bool:
    """Take ``host`` for ``worker`` until ``until`` unless another holds it past ``now``."""
    statement = insert(conn, host_leases).values(host=host, holder=worker, until=until)
    statement = statement.on_conflict_do_update(
        index_elements=["host"],
        set_={"holder": worker, "until": until},
        where=host_leases.c.until <= now,
    ).returning(host_leases.c.host)
    return conn.execute(statement).first() is not None


def finish_text(
    engine: Engine,
    claim: Claim,
    record: TextRecord,
    *,
    worker: str,
    host_free_at: datetime,
    host_paused: bool = False,
) -> None:
    """Store what became of a claimed page and hand its host back, free from ``host_free_at``
    (the least delay after this request, or the host's Retry-After). ``host_paused``: the host
    asked us to wait (429/503, back-off), so its other queued pages wait until then too."""
    worker = worker[:WORKER_NAME_LENGTH]
    authors = [no_nul(a) for a in record.authors]
    values: dict[str, Any] = {
        "status": record.status,
        "body": no_nul(record.body),
        "lead": no_nul(record.lead),
        "title": no_nul(record.title),
        "published_at": record.published_at,
        "authors": json.dumps(authors, ensure_ascii=False) if authors else None,
        "language": record.language,
        "chars": record.chars,
        "extractor": record.extractor,
        "fetched_at": record.fetched_at,
        "extracted_at": record.extracted_at,
        "http_status": record.http_status,
        "final_url": no_nul(record.final_url),
        "error_category": record.error_category,
        "error": no_nul(record.error),
        "next_attempt_at": record.next_attempt_at,
        "claimed_by": None,
    }
    if record.counts_as_attempt:
        values["attempts"] = article_texts.c.attempts + 1
    t = article_texts.c
    with write(engine) as conn:
        this_page = t.article_id == claim.article_id
        sqlite = is_sqlite(conn)
        if sqlite:
            unindex_bodies(conn, this_page)
        conn.execute(update(article_texts).where(this_page).values(**values))
        if sqlite:
            index_bodies(conn, this_page)
        conn.execute(
            update(host_leases)
            .where(host_leases.c.host == claim.host, host_leases.c.holder == worker)
            .values(holder=None, until=host_free_at)
        )
        if host_paused:
            conn.execute(
                update(article_texts)
                .where(
                    t.host == claim.host,
                    t.status == QUEUED,
                    or_(t.next_attempt_at.is_(None), t.next_attempt_at < host_free_at),
                )
                .values(next_attempt_at=host_free_at)
            )


def release_claims(engine: Engine, worker: str) -> int:
    """Put back every page ``worker`` holds (a clean stop) and free its hosts; how many."""
    worker = worker[:WORKER_NAME_LENGTH]
    with write(engine) as conn:
        released = conn.execute(
            update(article_texts)
            .where(article_texts.c.status == CLAIMED, article_texts.c.claimed_by == worker)
            .values(status=QUEUED, claimed_by=None, next_attempt_at=None)
        ).rowcount
        conn.execute(
            update(host_leases)
            .where(host_leases.c.holder == worker)
            .values(holder=None, until=now_utc())
        )
    return int(released or 0)


def prune_bodies(engine: Engine, extracted_before: datetime) -> int:
    """Drop the bodies (and leads) extracted before ``extracted_before``; status, length and
    metadata stay. Returns how many bodies were dropped."""
    old = article_texts.c.extracted_at < extracted_before
    with write(engine) as conn:
        if is_sqlite(conn):
            unindex_bodies(conn, old)
        result = conn.execute(
            update(article_texts)
            .where(old, or_(article_texts.c.body.is_not(None), article_texts.c.lead.is_not(None)))
            .values(body=None, lead=None)
        )
    return int(result.rowcount or 0)


def set_feed_fulltext(engine: Engine, feed_id: int, fulltext: bool) -> None:
    """Turn fetching of a feed's article pages on or off (pages already fetched stay)."""
    with write(engine) as conn:
        conn.execute(update(feeds).where(feeds.c.id == feed_id).values(fulltext=fulltext))

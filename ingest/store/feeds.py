"""Feed writes: the catalogue into the store, enabling and disabling, claiming due feeds for a
worker, and storing a poll's outcome (its articles, its history row and the feed's new state,
together in one transaction, so a crash between fetch and save refetches instead of losing items).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.engine import Connection

from ingest.records import Article, Tags
from ingest.store.articles import SaveResult, save_articles_in
from ingest.store.engine import insert, is_sqlite, no_nul, now_utc, write
from ingest.store.schema import WORKER_NAME_LENGTH, feeds, polls


@dataclass
class FeedRow:
    id: int
    url: str
    title: str | None
    language: str | None
    country_iso3: str | None
    etag: str | None = None
    last_modified: str | None = None
    error_count: int = 0
    status: str = "active"


def _feed_row(row: Any) -> FeedRow:
    return FeedRow(**{f.name: row._mapping[f.name] for f in fields(FeedRow)})


def ensure_feed(
    engine_or_conn: Engine | Connection,
    url: str,
    *,
    title: str | None = None,
    language: str | None = None,
    country_iso3: str | None = None,
    site_url: str | None = None,
    category: str | None = None,
    source: str = "catalogue",
    enabled: bool = True,
    status: str = "active",
    fulltext: bool = True,
) -> int:
    """The id of the feed at ``url``, inserting it first if it is new (existing rows are kept)."""
    values = {
        "url": url,
        "title": title,
        "language": language,
        "country_iso3": country_iso3,
        "site_url": site_url,
        "category": category,
        "source": source,
        "enabled": enabled,
        "status": status,
        "fulltext": fulltext,
        "created_at": now_utc(),
    }

    def run(conn: Connection) -> int:
        conn.execute(
            insert(conn, feeds).values(**values).on_conflict_do_nothing(index_elements=["url"])
        )
        return int(conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one())

    if isinstance(engine_or_conn, Connection):
        return run(engine_or_conn)
    with write(engine_or_conn) as conn:
        return run(conn)


def ensure_feeds(engine: Engine, specs: Iterable[Any], source: str = "catalogue") -> int:
    """Insert catalogue entries (objects with url, title, language, country, site_url, category,
    fulltext) that the store does not hold yet; return how many were new. (A stored feed keeps
    its row: its fulltext switch is then the Feeds page's.)"""
    new = 0
    with write(engine) as conn:
        known = set(conn.execute(select(feeds.c.url)).scalars())
        for spec in specs:
            if spec.url in known:
                continue
            ensure_feed(
                conn,
                spec.url,
                title=spec.title,
                language=spec.language,
                country_iso3=spec.country,
                site_url=getattr(spec, "site_url", None),
                category=getattr(spec, "category", None),
                source=source,
                fulltext=getattr(spec, "fulltext", True),
            )
            known.add(spec.url)
            new += 1
    return new


def set_feed_enabled(engine: Engine, feed_id: int, enabled: bool) -> None:
    """Enable or disable a feed; enabling also clears a suspension and makes it due now."""
    values: dict[str, Any] = {"enabled": enabled}
    if enabled:
        values.update(status="active", error_count=0, next_poll_at=None)
    with write(engine) as conn:
        conn.execute(
            update(feeds)
            .where(feeds.c.id == feed_id, feeds.c.status.in_(["active", "suspended"]))
            .values(**values)
        )


def claim_due_feeds(
    engine: Engine,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    feed_ids: Sequence[int] | None = None,
) -> list[FeedRow]:
    """Claim up to ``limit`` due feeds for this worker.

    A claim pushes ``next_poll_at`` out by ``lease`` in the same transaction, so no other worker
    sees the feed as due while it is being polled; the poll's outcome then sets the real next
    time. On PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers
    never wait for each other or claim the same feed.
    """
    with write(engine) as conn:
        query = (
            select(feeds)
            .where(
                feeds.c.enabled.is_(True),
                feeds.c.status == "active",
                or_(feeds.c.next_poll_at.is_(None), feeds.c.next_poll_at <= now),
            )
            .order_by(feeds.c.next_poll_at.is_not(None), feeds.c.next_poll_at, feeds.c.id)
            .limit(limit)
        )
        if feed_ids is not None:
            query = query.where(feeds.c.id.in_(list(feed_ids)))
        if not is_sqlite(conn):
            query = query.with_for_update(skip_locked=True)
        rows = [_feed_row(r) for r in conn.execute(query)]
        if rows:
            conn.execute(
                update(feeds)
                .where(feeds.c.id.in_([r.id for r in rows]))
                .values(next_poll_at=now + lease)
            )
    return rows


@dataclass
class PollRecord:
    """What one poll of one feed came to; the scheduler fills it, ``finish_poll`` stores it."""

    started_at: datetime
    outcome: str  # ok | not_modified | error | gone
    duration_ms: int | None = None
    http_status: int | None = None
    error: str | None = None
    error_category: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None
    next_poll_at: datetime | None = None
    suspend: bool = False
    worker: str | None = None
    feed_title: str | None = None
    feed_site_url: str | None = None
    feed_language: str | None = None


def finish_poll(
    engine: Engine, feed_id: int, record: PollRecord, items: Sequence[tuple[Article, Tags]] = ()
) -> SaveResult:
    """Store a poll's articles, its history row and the feed's new state in one transaction."""
    record = replace(
        record,
        error=no_nul(record.error),
        etag=no_nul(record.etag),
        last_modified=no_nul(record.last_modified),
        feed_title=no_nul(record.feed_title),
        feed_site_url=no_nul(record.feed_site_url),
        # PostgreSQL refuses a worker name longer than its column (a long hostname:pid would do).
        worker=(no_nul(record.worker) or "")[:WORKER_NAME_LENGTH] or None,
    )
    with write(engine) as conn:
        result = save_articles_in(conn, feed_id, items)
        values: dict[str, Any] = {
            "last_polled_at": record.started_at,
            "last_status": record.http_status,
            "next_poll_at": record.next_poll_at,
        }
        if record.outcome in ("ok", "not_modified"):
            values.update(
                last_success_at=record.started_at,
                error_count=0,
                last_error=None,
                last_error_category=None,
            )
            if record.outcome == "ok":
                values.update(etag=record.etag, last_modified=record.last_modified)
            if record.feed_title:
                values["title"] = func.coalesce(feeds.c.title, record.feed_title)
            if record.feed_site_url:
                values["site_url"] = func.coalesce(feeds.c.site_url, record.feed_site_url)
            if record.feed_language:
                values["language"] = func.coalesce(feeds.c.language, record.feed_language)
        else:
            values.update(
                error_count=feeds.c.error_count + 1,
                last_error=record.error,
                last_error_category=record.error_category,
            )
        if record.outcome == "gone":
            values.update(status="retired", enabled=False, next_poll_at=None)
        elif record.suspend:
            values.update(status="suspended", next_poll_at=None)
        if record.permanent_url:
            clash = conn.execute(
                select(feeds.c.id).where(feeds.c.url == record.permanent_url, feeds.c.id != feed_id)
            ).first()
            if clash is None:
                values["url"] = record.permanent_url
        conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))
        conn.execute(
            polls.insert().values(
                feed_id=feed_id,
                started_at=record.started_at,
                duration_ms=record.duration_ms,
                http_status=record.http_status,
                outcome=record.outcome,
                error_category=record.error_category,
                new_articles=result.new_articles,
                error=record.error,
                worker=record.worker,
            )
        )
    return result

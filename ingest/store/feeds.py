"""Feed writes: the catalogue into the store, enabling and disabling, claiming due feeds for a
worker, and storing a poll's outcome (its articles, its history row and the feed's new state,
together in one transaction, so a crash between fetch and save refetches instead of losing items).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection

from ingest.catalogue import outlet_key
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
    outlet: str | None = None,
    source: str = "catalogue",
    enabled: bool = True,
    status: str = "active",
    fulltext: bool = True,
) -> int:
    """The id of the feed at ``url``, inserting it first if it is new (existing rows are kept).
    ``outlet`` defaults to ``outlet_key(site_url, url)``: see ``catalogue.outlet_key``."""
    values = {
        "outlet": outlet or outlet_key(site_url, url),
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
        feed_id = int(conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one())
        if category is None or country_iso3 is None:
            fill_outlet_metadata(conn)
        return feed_id

    if isinstance(engine_or_conn, Connection):
        return run(engine_or_conn)
    with write(engine_or_conn) as conn:
        return run(conn)


def fill_outlet_metadata(conn: Connection) -> int:
    """Give every feed its outlet key (``catalogue.outlet_key`` of its site, else its URL), and
    a feed with no outlet type or home country those of a catalogue feed of the same outlet (an
    archive copy of a catalogue feed is the same outlet: issue 11 item 10). Returns the rows
    changed."""
    f = feeds.c
    rows = conn.execute(
        select(f.id, f.url, f.site_url, f.outlet, f.source, f.category, f.country_iso3)
    ).all()
    keys = {row.id: row.outlet or outlet_key(row.site_url, row.url) for row in rows}
    declared: dict[str, tuple[str | None, str | None]] = {}
    for row in rows:
        if row.source == "catalogue" and row.category:
            declared.setdefault(keys[row.id], (row.category, row.country_iso3))
    changes = []
    for row in rows:
        category, country = declared.get(keys[row.id], (None, None))
        new = (keys[row.id], row.category or category, row.country_iso3 or country)
        if new != (row.outlet, row.category, row.country_iso3):
            changes.append({"b_id": row.id, "b_outlet": new[0], "b_cat": new[1], "b_home": new[2]})
    if changes:
        conn.execute(
            feeds.update()
            .where(f.id == bindparam("b_id"))
            .values(
                outlet=bindparam("b_outlet"),
                category=bindparam("b_cat"),
                country_iso3=bindparam("b_home"),
            ),
            changes,
        )
    return len(changes)


CATALOGUE_METADATA = ("title", "language", "country_iso3", "site_url", "category", "outlet")


def _spec_metadata(spec: Any) -> dict[str, Any]:
    site_url = getattr(spec, "site_url", None)
    return {
        "title": spec.title,
        "language": spec.language,
        "country_iso3": spec.country,
        "site_url": site_url,
        "category": getattr(spec, "category", None),
        "outlet": getattr(spec, "outlet", None) or outlet_key(site_url, spec.url),
    }


def ensure_feeds(engine: Engine, specs: Iterable[Any], source: str = "catalogue") -> int:
    """Insert catalogue entries (objects with url, title, language, country, site_url, category,
    fulltext, outlet) that the store does not hold yet; return how many were new. A stored feed
    keeps its row, its fulltext switch then being the Feeds page's; the rows it already holds
    from this source take the catalogue's metadata (the catalogue declares it)."""
    new = 0
    with write(engine) as conn:
        columns = (feeds.c.url, feeds.c.source, *(feeds.c[n] for n in CATALOGUE_METADATA))
        known: dict[str, Any] = {row.url: row for row in conn.execute(select(*columns))}
        for spec in specs:
            if spec.url in known:
                row = known[spec.url]
                wanted = _spec_metadata(spec)
                if (
                    row is not None
                    and row.source == source
                    and any(row._mapping[k] != v for k, v in wanted.items())
                ):
                    conn.execute(update(feeds).where(feeds.c.url == spec.url).values(**wanted))
                continue
            metadata = _spec_metadata(spec)
            ensure_feed(
                conn,
                spec.url,
                title=metadata["title"],
                language=metadata["language"],
                country_iso3=metadata["country_iso3"],
                site_url=metadata["site_url"],
                category=metadata["category"],
                outlet=metadata["outlet"],
                source=source,
                fulltext=getattr(spec, "fulltext", True),
            )
            known[spec.url] = None
            new += 1
        fill_outlet_metadata(conn)
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

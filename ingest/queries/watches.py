"""Watches, their alerts and deliveries as the alert evaluator, the CLI and the Watchlist page
read them (issue 15). The writes are ``ingest.store.watchlist``'."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Engine,
    Select,
    String,
    cast,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.engine import Connection

from ingest.filters import EARLIEST, LATEST, Filters, article_where
from ingest.queries.articles import ARTICLE_COLUMNS, _article_rows, _tidy
from ingest.queries.read import frame
from ingest.store import WatchSpec, alert_articles, alerts, articles, deliveries, watches

MAX_NEW_MATCHES = 5000  # the most new articles one digest covers; the rest wait for the next


@dataclass(frozen=True)
class WatchRow(WatchSpec):
    """A stored watch: what it is (``WatchSpec``), its id and state."""

    id: int
    paused: bool
    created_at: datetime
    updated_at: datetime
    last_evaluated_at: datetime | None
    last_digest_at: datetime | None
    pending_since: datetime | None


_WATCH_COLUMNS = [watches.c[name] for name in WatchRow.__dataclass_fields__]


def watch_row(row: object) -> WatchRow:
    return WatchRow(*row)  # type: ignore[misc]


def watch_list(engine: Engine) -> list[WatchRow]:
    """Every watch, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(*_WATCH_COLUMNS).order_by(watches.c.name)).all()
    return [watch_row(r) for r in rows]


def watch_named(engine: Engine, name: str) -> WatchRow | None:
    with engine.connect() as conn:
        row = conn.execute(select(*_WATCH_COLUMNS).where(watches.c.name == name)).first()
    return watch_row(row) if row else None


def fetched_since(engine: Engine, since: datetime) -> list[tuple[int, datetime]]:
    """(id, fetched_at) of every article fetched since ``since``: what an alert cycle can find
    new, read once for every watch."""
    query = select(articles.c.id, articles.c.fetched_at).where(articles.c.fetched_at >= since)
    with engine.connect() as conn:
        return [(int(i), t) for i, t in conn.execute(query)]


def _run(engine_or_conn: Engine | Connection, query: Select) -> list[int]:
    if isinstance(engine_or_conn, Connection):
        return list(engine_or_conn.execute(query).scalars())
    with engine_or_conn.connect() as conn:
        return list(conn.execute(query).scalars())


def ids_in(ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """``articles.id IN ids`` with the ids bound as one JSON array that the database unpacks
    (SQLite's ``json_each``, PostgreSQL's ``json_array_elements_text``): bound one by one,
    a thousand ids cost SQLAlchemy milliseconds of Python a query, more than the query."""
    doc = json.dumps([int(i) for i in ids])
    if dialect == "sqlite":
        each = func.json_each(doc).table_valued("value")
        return articles.c.id.in_(select(each.c.value))
    each = func.json_array_elements_text(cast(literal(doc, String), JSON)).table_valued("value")
    return articles.c.id.in_(select(cast(each.c.value, BigInteger)))


def matching(
    engine_or_conn: Engine | Connection,
    ids: Sequence[int],
    f: Filters,
    *,
    unalerted_by: int | None = None,
    limit: int = MAX_NEW_MATCHES,
) -> list[int]:
    """Which of the articles ``ids`` match ``f`` (and, with ``unalerted_by``, that watch has
    not alerted on yet), oldest first, at most ``limit``. Read by primary key."""
    if not ids:
        return []
    conds = list(article_where(f))
    if unalerted_by is not None:
        conds.append(
            ~exists().where(
                alert_articles.c.watch_id == unalerted_by,
                alert_articles.c.article_id == articles.c.id,
            )
        )
    query = (
        select(articles.c.id)
        .where(ids_in(sorted(set(ids)), engine_or_conn.dialect.name), *conds)
        .order_by(articles.c.id)
        .limit(limit)
    )
    return _run(engine_or_conn, query)


def articles_by_id(engine: Engine, ids: Sequence[int]) -> pd.DataFrame:
    """These articles as the article list has them (``ARTICLE_COLUMNS``), newest first."""
    everything = Filters(EARLIEST, LATEST)
    query = (
        _article_rows(everything, engine.dialect.name)
        .where(articles.c.id.in_([int(i) for i in ids]))
        .order_by(articles.c.published_at.desc(), articles.c.id.desc())
    )
    return _tidy(frame(engine, query, ARTICLE_COLUMNS))


def alert_exists(engine: Engine, key: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(alerts.c.id).where(alerts.c.key == key)).first() is not None


def watch_alerts(engine: Engine, watch_id: int, limit: int = 50) -> pd.DataFrame:
    """A watch's latest alerts: id, key, trigger, created_at, articles, title, payload."""
    a = alerts.c
    query = (
        select(a.id, a.key, a.trigger, a.created_at, a.articles, a.title, a.payload)
        .where(a.watch_id == watch_id)
        .order_by(a.created_at.desc(), a.id.desc())
        .limit(limit)
    )
    return frame(engine, query)


def latest_alerts(engine: Engine, watch_ids: Sequence[int], limit: int = 50) -> dict[int, list]:
    """Each watch's latest alerts (at most ``limit``, newest first) as rows with key, trigger,
    created_at, title and payload: ``watch_alerts`` for many watches on one connection, as
    rows (a frame per watch cost more than its query)."""
    a = alerts.c
    out: dict[int, list] = {}
    with engine.connect() as conn:
        for watch_id in watch_ids:
            query = (
                select(a.id, a.key, a.trigger, a.created_at, a.title, a.payload)
                .where(a.watch_id == int(watch_id))
                .order_by(a.created_at.desc(), a.id.desc())
                .limit(limit)
            )
            out[int(watch_id)] = list(conn.execute(query).all())
    return out


def watch_deliveries(engine: Engine, watch_id: int, limit: int = 50) -> pd.DataFrame:
    """A watch's latest deliveries with their alert: id, alert_id, alert (title), trigger,
    created_at, channel, target, status, attempts, next_attempt_at, sent_at, last_error."""
    d, a = deliveries.c, alerts.c
    query = (
        select(
            d.id, d.alert_id, a.title.label("alert"), a.trigger, a.created_at, d.channel,
            d.target, d.status, d.attempts, d.next_attempt_at, d.sent_at, d.last_error,
        )
        .select_from(deliveries.join(alerts, alerts.c.id == d.alert_id))
        .where(a.watch_id == watch_id)
        .order_by(a.created_at.desc(), d.id.desc())
        .limit(limit)
    )  # fmt: skip
    return frame(engine, query)


def delivery_counts(engine: Engine) -> dict[str, int]:
    """Deliveries by status, over every watch."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        ).all()
    return {status: int(n) for status, n in rows}

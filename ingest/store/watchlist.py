"""Watches, alerts and deliveries: every write (issue 15). Reads are ``ingest.queries.watches``'.

Exactly once, in the store:

- An alert and everything it covers are written in one transaction, with the watch row locked
  (``locked_watch``: FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two evaluators
  serialise on the watch and the second finds the first one's ``alert_articles``; the alert's
  unique ``key`` (``digest:W:first-last``, ``spike:W:DAY``) is the last line of defence.
- Each delivery (one alert × one channel) is claimed before it is sent (``claim_deliveries``:
  a conditional UPDATE that only one worker can win) and its outcome recorded after
  (``finish_delivery``). A delivery left ``sending`` past its lease — its worker was killed —
  is claimed again and re-sent with the same delivery id (at least once between the send and
  the record; receivers dedupe on the id, see ``ingest.alerts``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ingest.store.engine import insert as upsert
from ingest.store.engine import is_sqlite, no_nul, write
from ingest.store.schema import alert_articles, alerts, deliveries, watches

# A failed delivery waits alert_retry_seconds × BACKOFF_FACTOR^(attempts−1), at most
# MAX_BACKOFF_DOUBLINGS doublings (the arithmetic never overflows).
BACKOFF_FACTOR = 2
MAX_BACKOFF_DOUBLINGS = 16
MAX_ERROR_CHARS = 1000  # a delivery's last error as stored


class WatchExists(ValueError):
    """A watch with that name (or one that makes the same file name) is already stored."""


@dataclass(frozen=True)
class WatchSpec:
    """What a watch is: its name, its filters (a URL query string without dates), how it is
    delivered and when it fires."""

    name: str
    slug: str
    query: str
    webhook_url: str | None
    email: str | None
    spike_threshold: float
    digest_minutes: int


def create_watch(engine: Engine, spec: WatchSpec, now: datetime) -> int:
    """Store a new watch; its id. Raises WatchExists when the name or slug is taken."""
    try:
        with write(engine) as conn:
            return int(
                conn.execute(
                    insert(watches)
                    .values(**_spec_values(spec), created_at=now, updated_at=now)
                    .returning(watches.c.id)
                ).scalar_one()
            )
    except IntegrityError:
        raise WatchExists(f"a watch named {spec.name!r} (or one like it) exists already") from None


def update_watch(engine: Engine, watch_id: int, spec: WatchSpec, now: datetime) -> None:
    """Change a watch's definition (not its history). Raises WatchExists on a taken name."""
    try:
        with write(engine) as conn:
            conn.execute(
                update(watches)
                .where(watches.c.id == watch_id)
                .values(**_spec_values(spec), updated_at=now)
            )
    except IntegrityError:
        raise WatchExists(f"a watch named {spec.name!r} (or one like it) exists already") from None


def _spec_values(spec: WatchSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "slug": spec.slug,
        "query": spec.query,
        "webhook_url": spec.webhook_url or None,
        "email": spec.email or None,
        "spike_threshold": float(spec.spike_threshold),
        "digest_minutes": int(spec.digest_minutes),
    }


def set_watch_paused(engine: Engine, watch_id: int, paused: bool, now: datetime) -> None:
    with write(engine) as conn:
        conn.execute(
            update(watches).where(watches.c.id == watch_id).values(paused=paused, updated_at=now)
        )


def delete_watch(engine: Engine, watch_id: int) -> bool:
    """Delete a watch with its alerts and deliveries; whether it existed."""
    with write(engine) as conn:
        # Children first: SQLite enforces the cascade only with foreign keys on.
        alert_ids = select(alerts.c.id).where(alerts.c.watch_id == watch_id)
        conn.execute(delete(deliveries).where(deliveries.c.alert_id.in_(alert_ids)))
        conn.execute(delete(alert_articles).where(alert_articles.c.watch_id == watch_id))
        conn.execute(delete(alerts).where(alerts.c.watch_id == watch_id))
        return conn.execute(delete(watches).where(watches.c.id == watch_id)).rowcount > 0


# --------------------------------------------------------------------------------------------
# Alerts


@dataclass(frozen=True)
class AlertDraft:
    """An alert about to be recorded: its key, content, the articles it covers and where it
    goes ((channel, target) pairs)."""

    watch_id: int
    key: str
    trigger: str
    title: str
    payload: str
    article_ids: tuple[int, ...]
    channels: tuple[tuple[str, str], ...]


@contextmanager
def locked_watch(engine: Engine, watch_id: int) -> Iterator[tuple[Connection, Any]]:
    """A write transaction holding watch ``watch_id`` (its row, or None when it is gone): other
    evaluators of the same watch wait until it commits."""
    with write(engine) as conn:
        query = select(watches).where(watches.c.id == watch_id)
        if not is_sqlite(conn):  # SQLite: BEGIN IMMEDIATE already holds the only write lock
            query = query.with_for_update()
        yield conn, conn.execute(query).first()


def record_alert(conn: Connection, draft: AlertDraft, now: datetime) -> int | None:
    """Record ``draft`` with its articles and one pending delivery per channel, in the caller's
    transaction; its id, or None when an alert with its key exists already."""
    statement = upsert(conn, alerts).values(
        watch_id=draft.watch_id,
        key=draft.key,
        trigger=draft.trigger,
        created_at=now,
        articles=len(draft.article_ids),
        title=draft.title,
        payload=draft.payload,
    )
    alert_id = conn.execute(
        statement.on_conflict_do_nothing(index_elements=["key"]).returning(alerts.c.id)
    ).scalar_one_or_none()
    if alert_id is None:
        return None
    if draft.article_ids:
        rows = [
            {"watch_id": draft.watch_id, "article_id": i, "alert_id": alert_id}
            for i in draft.article_ids
        ]
        conn.execute(
            upsert(conn, alert_articles).on_conflict_do_nothing(
                index_elements=["watch_id", "article_id"]
            ),
            rows,
        )
    for channel, target in draft.channels:
        conn.execute(
            insert(deliveries).values(
                alert_id=alert_id, channel=channel, target=target, next_attempt_at=now
            )
        )
    return int(alert_id)


def mark_evaluated(conn: Connection, watch_id: int, now: datetime, *, digest: bool) -> None:
    """The watch was evaluated at ``now`` (and sent a digest, when ``digest``: nothing is
    pending any more)."""
    values: dict[str, Any] = {"last_evaluated_at": now}
    if digest:
        values |= {"last_digest_at": now, "pending_since": None}
    conn.execute(update(watches).where(watches.c.id == watch_id).values(**values))


def touch_watches(
    engine: Engine, watch_ids: Sequence[int], now: datetime, pending: Sequence[int] = ()
) -> None:
    """Watches evaluated at ``now`` with nothing to record; those in ``pending`` found matches
    whose digest is not due yet (kept from the first time)."""
    if not watch_ids:
        return
    w = watches.c
    with write(engine) as conn:
        conn.execute(update(watches).where(w.id.in_(list(watch_ids))).values(last_evaluated_at=now))
        if pending:
            conn.execute(
                update(watches)
                .where(w.id.in_(list(pending)), w.pending_since.is_(None))
                .values(pending_since=now)
            )


# --------------------------------------------------------------------------------------------
# Deliveries


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    alert_id: int
    channel: str
    target: str
    attempts: int
    payload: str
    title: str
    alert_key: str
    watch_id: int


def _due(now: datetime) -> Any:
    d = deliveries.c
    return or_(
        d.status == "pending",
        and_(d.status == "failed", d.next_attempt_at <= now),
        and_(d.status == "sending", d.claimed_until < now),  # its worker died mid-delivery
    )


def claim_deliveries(
    engine: Engine,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int,
    alert_ids: Sequence[int] | None = None,
) -> list[DeliveryRow]:
    """Claim up to ``limit`` due deliveries for ``worker`` until ``now + lease``: each by a
    conditional UPDATE that only one worker can win (rowcount 1), so two workers never send
    the same delivery at once."""
    d = deliveries.c
    query = select(d.id).where(_due(now)).order_by(d.next_attempt_at, d.id).limit(limit)
    if alert_ids is not None:
        query = query.where(d.alert_id.in_(list(alert_ids)))
    with engine.connect() as conn:
        candidates = list(conn.execute(query).scalars())
    claimed: list[int] = []
    for delivery_id in candidates:
        with write(engine) as conn:
            won = conn.execute(
                update(deliveries)
                .where(d.id == delivery_id, _due(now))
                .values(
                    status="sending",
                    claimed_by=worker,
                    claimed_until=now + lease,
                    attempts=d.attempts + 1,
                )
            ).rowcount
        if won == 1:
            claimed.append(delivery_id)
    if not claimed:
        return []
    a = alerts.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                d.id, d.alert_id, d.channel, d.target, d.attempts,
                a.payload, a.title, a.key, a.watch_id,
            )
            .select_from(deliveries.join(alerts, alerts.c.id == d.alert_id))
            .where(d.id.in_(claimed))
            .order_by(d.id)
        ).all()  # fmt: skip
    return [DeliveryRow(*row) for row in rows]


def finish_delivery(
    engine: Engine,
    delivery_id: int,
    *,
    worker: str,
    now: datetime,
    error: str | None,
    attempts: int,
    retry_base: timedelta,
    max_attempts: int,
) -> str:
    """Record how a claimed delivery went: sent, failed (tried again after a doubling pause) or
    dead (after ``max_attempts``). Only the worker holding the claim records; the new status
    (or 'lost' when the claim had passed to another worker)."""
    if error is None:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
    else:
        doublings = min(max(attempts - 1, 0), MAX_BACKOFF_DOUBLINGS)
        values = {
            "status": "dead" if attempts >= max_attempts else "failed",
            "next_attempt_at": now + retry_base * (BACKOFF_FACTOR**doublings),
            "last_error": no_nul(error[:MAX_ERROR_CHARS]),
        }
    values |= {"claimed_by": None, "claimed_until": None}
    d = deliveries.c
    with write(engine) as conn:
        done = conn.execute(
            update(deliveries)
            .where(d.id == delivery_id, d.status == "sending", d.claimed_by == worker)
            .values(**values)
        ).rowcount
    return str(values["status"]) if done else "lost"


def retry_delivery(engine: Engine, delivery_id: int, now: datetime) -> None:
    """Try a failed or given-up delivery again now (the Watchlist page's button)."""
    d = deliveries.c
    with write(engine) as conn:
        conn.execute(
            update(deliveries)
            .where(d.id == delivery_id, d.status.in_(["failed", "dead"]))
            .values(status="pending", next_attempt_at=now, attempts=0)
        )

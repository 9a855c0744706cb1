"""Reads about feeds: health of every feed, its recent polls, names and home countries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    Engine,
    func,
    select,
)

from ingest.queries.read import frame
from ingest.store import (
    daily_total,
    feeds,
    polls,
    rollup_monthly_total,
)


def _health(enabled: Any, status: str, errors: int, last_polled: Any, source: str | None) -> str:
    if status == "retired":
        return "retired"
    if status == "archive" or source in ("demo", "synthetic", "import"):
        return "archive"
    if status == "suspended":
        return "suspended"
    if not enabled:
        return "disabled"
    if last_polled is None:
        return "never polled"
    if errors:
        return "failing"
    return "ok"


def feed_names(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {
            int(i): (t or u)
            for i, t, u in conn.execute(select(feeds.c.id, feeds.c.title, feeds.c.url))
        }


@dataclass(frozen=True)
class Outlet:
    """One outlet: its key (``feeds.outlet``), its name, and its feeds (a catalogue feed and
    its archive copies are one outlet: issue 11 item 10)."""

    key: str
    name: str
    feed_ids: tuple[int, ...]


_NAME_ENDS = " :-–—(,"  # what ends an outlet's name before a feed's section ("NDTV: World")


def _common_name(titles: list[str]) -> str:
    """What the titles of one outlet's feeds share, to whole words, a word's trailing
    punctuation aside ("BBC News: World", "BBC News Urdu" → "BBC News"; "NDTV: World", "NDTV"
    → "NDTV", the name its rows begin with); the first title when they share too little."""
    distinct = list(dict.fromkeys(titles))
    if len(distinct) == 1:
        return distinct[0]
    words = [[w.rstrip(_NAME_ENDS) for w in t.split()] for t in distinct]
    shared: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    name = " ".join(shared).rstrip(_NAME_ENDS)
    return name if len(name) >= 3 else distinct[0]


def outlets(engine: Engine) -> dict[str, Outlet]:
    """Every outlet by its key, feeds in id order (a feed with no key is an outlet alone)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(feeds.c.id, feeds.c.title, feeds.c.url, feeds.c.outlet, feeds.c.source).order_by(
                feeds.c.id
            )
        ).all()
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.outlet or f"feed:{row.id}", []).append(row)
    found = {}
    for key, members in groups.items():
        # catalogue titles first: the live feed names the outlet, not a snapshot of it
        ordered = sorted(members, key=lambda r: (r.source != "catalogue", r.id))
        name = _common_name([r.title or r.url for r in ordered])
        found[key] = Outlet(key, name, tuple(r.id for r in members))
    return found


def outlets_of(feed_ids: tuple[int, ...], outlets: Mapping[str, Outlet]) -> list[str]:
    """The outlets (keys) that hold any of ``feed_ids``: what the Outlets widget shows."""
    chosen = set(feed_ids)
    return [key for key, o in outlets.items() if chosen & set(o.feed_ids)]


def feeds_of(keys: list[str], outlets: Mapping[str, Outlet]) -> tuple[int, ...]:
    """Every feed of the outlets ``keys`` (a catalogue feed and its archive copies alike)."""
    return tuple(i for key in keys if key in outlets for i in outlets[key].feed_ids)


def feed_homes(engine: Engine) -> dict[int, str | None]:
    with engine.connect() as conn:
        return {int(i): c for i, c in conn.execute(select(feeds.c.id, feeds.c.country_iso3))}


def outlet_homes_held(engine: Engine) -> list[str]:
    """The outlets' home countries the store's feeds declare (ISO3, sorted)."""
    with engine.connect() as conn:
        homes = conn.execute(
            select(feeds.c.country_iso3).where(feeds.c.country_iso3.is_not(None)).distinct()
        ).scalars()
        return sorted(h for h in homes if h)


def feed_types(engine: Engine) -> dict[int, str | None]:
    """Each feed's outlet type (``feeds.category``: a key of ``catalogue.OUTLET_TYPES``)."""
    with engine.connect() as conn:
        return {int(i): c for i, c in conn.execute(select(feeds.c.id, feeds.c.category))}


def languages_held(engine: Engine) -> list[str]:
    """Every language code the store holds articles in (most articles first)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(rollup_monthly_total.c.language, func.sum(rollup_monthly_total.c.articles))
            .group_by(rollup_monthly_total.c.language)
            .order_by(
                func.sum(rollup_monthly_total.c.articles).desc(), rollup_monthly_total.c.language
            )
        )
        return [r[0] for r in rows]


# --------------------------------------------------------------------------------------------
# Feeds


RECENT_POLLS = 20  # the polls of a feed its history shows

FEED_COLUMNS = [
    "id",
    "title",
    "url",
    "language",
    "home",
    "source",
    "enabled",
    "status",
    "health",
    "last_polled_at",
    "last_success_at",
    "next_poll_at",
    "last_status",
    "error_count",
    "last_error",
    "articles",
]


def feed_health(engine: Engine) -> pd.DataFrame:
    """Every feed with its health: columns FEED_COLUMNS (articles = stored articles)."""
    counts = (
        select(daily_total.c.feed_id, func.sum(daily_total.c.articles).label("n"))
        .group_by(daily_total.c.feed_id)
        .subquery()
    )
    query = (
        select(
            feeds.c.id,
            feeds.c.title,
            feeds.c.url,
            feeds.c.language,
            feeds.c.country_iso3,
            feeds.c.source,
            feeds.c.enabled,
            feeds.c.status,
            feeds.c.error_count,
            feeds.c.last_polled_at,
            feeds.c.last_success_at,
            feeds.c.next_poll_at,
            feeds.c.last_status,
            feeds.c.last_error,
            func.coalesce(counts.c.n, 0),
        )
        .select_from(feeds.outerjoin(counts, counts.c.feed_id == feeds.c.id))
        .order_by(feeds.c.title, feeds.c.id)
    )
    rows = []
    with engine.connect() as conn:
        for r in conn.execute(query):
            rows.append(
                {
                    "id": r[0],
                    "title": r[1] or r[2],
                    "url": r[2],
                    "language": r[3] or "",
                    "home": r[4] or "",
                    "source": r[5],
                    "enabled": bool(r[6]),
                    "status": r[7],
                    "health": _health(r[6], r[7], r[8], r[9], r[5]),
                    "last_polled_at": r[9],
                    "last_success_at": r[10],
                    "next_poll_at": r[11],
                    "last_status": r[12],
                    "error_count": int(r[8] or 0),
                    "last_error": r[13] or "",
                    "articles": int(r[14] or 0),
                }
            )
    return pd.DataFrame(rows, columns=FEED_COLUMNS)


def recent_polls(engine: Engine, feed_id: int, limit: int = RECENT_POLLS) -> pd.DataFrame:
    """The last polls of one feed, newest first."""
    query = (
        select(
            polls.c.started_at,
            polls.c.outcome,
            polls.c.http_status,
            polls.c.duration_ms,
            polls.c.new_articles,
            polls.c.error_category,
            polls.c.error,
        )
        .where(polls.c.feed_id == feed_id)
        .order_by(polls.c.started_at.desc(), polls.c.id.desc())
        .limit(limit)
    )
    return frame(engine, query)

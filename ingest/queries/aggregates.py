"""Which roll-up answers which question, exactly.

A question about articles under a :class:`Filters` is answered from the daily aggregates
(``daily_total``, ``daily_country``, ``daily_pair``, ``daily_topic``) or their roll-ups when the
filters allow, and by a scan of ``articles`` otherwise (``_route`` decides; ``_source`` picks
the smallest table or union of monthly and daily parts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    or_,
    select,
    union_all,
)

from ingest.filters import Filters, rollup_where
from ingest.store import (
    MONTHLY,
    ROLLUPS,
    daily_country,
    daily_pair,
    daily_topic,
    daily_total,
)

# --------------------------------------------------------------------------------------------
# Routing: which aggregate answers a question exactly, if any


@dataclass(frozen=True)
class _Route:
    kind: str  # total | country | pair | topic
    key: tuple[str, ...] = ()


def _route(f: Filters) -> _Route | None:
    """The aggregate that holds exactly the articles matching ``f`` (None: scan articles)."""
    if f.search:
        return None
    if f.topics:
        if f.countries or f.pair or len(f.topics) > 1:
            return None
        return _Route("topic", f.topics)
    if f.pair:
        if f.countries and not set(f.countries) & set(f.pair):
            return None
        return _Route("pair", f.pair)
    if len(f.countries) == 1:
        return _Route("country", f.countries)
    if f.countries:
        return None
    return _Route("total")


_DAILY = {"total": daily_total, "country": daily_country, "pair": daily_pair, "topic": daily_topic}
_Where = Callable[[Any], list[ColumnElement[bool]]]


@dataclass(frozen=True)
class _Source:
    """Aggregate rows to sum: a table, or a union of monthly and daily parts, and the
    conditions on it. Its columns are the aggregate's keys, language, articles, and ``day``
    (when asked for by day) or ``feed_id`` (when asked for by feed)."""

    table: Any
    where: list[ColumnElement[bool]]

    @property
    def c(self) -> Any:
        return self.table.c


def _source(
    kind: str,
    f: Filters,
    where: _Where | None = None,
    *,
    by_feed: bool = False,
    by_day: bool = False,
) -> _Source:
    """The smallest aggregate that answers a question about ``kind`` (total | country | pair |
    topic) exactly under f's date, language and outlet filters; ``where`` adds conditions on
    its keys. Per feed (asked for, or an outlet filter): the daily aggregate and its monthly
    twin; otherwise their roll-ups over feeds. By day when asked for, else whole months from
    the monthly table and the days at either end from the daily one."""
    extra = where or (lambda _t: [])
    daily = _DAILY[kind]
    if by_feed or f.feed_ids:
        per_day, per_month = daily, MONTHLY[daily.name]
    else:
        per_day, per_month = ROLLUPS[daily.name]
    months = _whole_months(f.date_from, f.date_to)
    if by_day or months is None:
        return _Source(per_day, [*rollup_where(per_day, f), *extra(per_day)])
    (first, last), edges = months
    month_where = [
        per_month.c.month >= first,
        per_month.c.month <= last,
        *rollup_where(per_month, f, dates=False),
        *extra(per_month),
    ]
    if not edges:
        return _Source(per_month, month_where)
    columns = [c.name for c in per_day.columns if c.name != "day"]
    parts = [select(*(per_month.c[n] for n in columns)).where(*month_where)]
    for start, end in edges:
        part = f.with_(date_from=start, date_to=end)
        parts.append(
            select(*(per_day.c[n] for n in columns)).where(
                *rollup_where(per_day, part), *extra(per_day)
            )
        )
    return _Source(union_all(*parts).subquery("rolled"), [])


def _whole_months(start: date, end: date) -> tuple[tuple[str, str], list[tuple[date, date]]] | None:
    """The whole calendar months within [start, end] ('YYYY-MM' first and last) and the
    day ranges left over at either end; None when no whole month fits."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end) if end.month != (end + timedelta(days=1)).month else end.replace(day=1)
    if after <= first:
        return None
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if after <= end:
        edges.append((after, end))
    last = after - timedelta(days=1)
    return (first.strftime("%Y-%m"), last.strftime("%Y-%m")), edges


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def _route_where(route: _Route) -> _Where:
    """The conditions on an aggregate's keys that select a route's articles."""
    if route.kind == "country":
        return lambda t: [t.c.iso3 == route.key[0]]
    if route.kind == "pair":
        return lambda t: [t.c.iso3_a == route.key[0], t.c.iso3_b == route.key[1]]
    if route.kind == "topic":
        return lambda t: [t.c.topic == route.key[0]]
    return lambda _t: []


def _pairs_with(code: str) -> _Where:
    """The conditions on a pair aggregate that keep the pairs including ``code``."""
    return lambda t: [or_(t.c.iso3_a == code, t.c.iso3_b == code)]


def _route_source(route: _Route, f: Filters, **kwargs: bool) -> _Source:
    return _source(route.kind, f, _route_where(route), **kwargs)

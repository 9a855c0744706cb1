"""Which roll-up answers which question, exactly.

Every aggregate counts articles per day × key × feed × language; a :class:`Kind` names one by
its key. A question about the articles under a :class:`Filters` is answered from the aggregate
of one kind when that holds exactly the matching articles, else by a scan of ``articles``
(``route_for`` decides). Dates, languages and outlets are columns of every aggregate
(``ingest.filters.rollup_where``); the content filters decide the kind:

=====================================================  =========  ========================
Content filters (besides dates, languages, outlets)    Kind       Daily aggregate
=====================================================  =========  ========================
none                                                   TOTAL      ``daily_total``
one country                                            COUNTRY    ``daily_country`` (iso3)
a pair, and any countries are among its two            PAIR       ``daily_pair`` (iso3_a <
                                                                  iso3_b)
one topic, no country, no pair                         TOPIC      ``daily_topic`` (topic)
a text search; several countries; several topics; a    —          scan ``articles``
topic with a country or pair; countries besides a pair;
people or organisations (``entity=``); counting
stories (``count=stories``)
=====================================================  =========  ========================

Counting stories, a view with no content filter (route TOTAL but for ``count=stories``) reads
``story_days`` instead (``reads_story_days``): each story's articles per day × feed × language,
so the distinct stories of any range of whole days are counted from it exactly (never summed);
its stories per country and per pair (the map, the top pairs, the countries' coverage series)
read ``story_country_days`` and ``story_pair_days`` under the same check, which carry the
mention rule as a column as the country and pair aggregates do.

Of each kind the store keeps four tables (``source`` picks the smallest that answers):
``daily_*`` and ``monthly_*`` per feed (read under an outlet filter, or when asked by feed), and
``rollup_daily_*`` and ``rollup_monthly_*`` summed over feeds (read otherwise). Asked by day,
the daily table; otherwise whole calendar months from the monthly one and the days at either
end from the daily one. Some questions name the kind themselves (the countries mentioned in a
period read COUNTRY under the TOTAL route); they call ``source`` with it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select, union_all

from ingest.filters import Filters, needs_feed_tables, rollup_where
from ingest.store import MONTHLY, ROLLUPS, daily_country, daily_pair, daily_topic, daily_total

Where = Callable[[Any], list[ColumnElement[bool]]]


class Kind(Enum):
    """An aggregate, by the key it counts articles under (see the module's table)."""

    TOTAL = "total"  # no key: every article
    COUNTRY = "country"  # iso3: the articles mentioning that country
    PAIR = "pair"  # iso3_a < iso3_b: the articles mentioning both
    TOPIC = "topic"  # topic: the articles on that topic

    @property
    def daily(self) -> Table:
        """Its daily aggregate per feed (``daily_*``); the other three are derived from it."""
        return _DAILY[self]

    def key_where(self, key: tuple[str, ...]) -> Where:
        """The conditions on its tables' keys that select the articles of ``key``."""
        if self is Kind.COUNTRY:
            return lambda t: [t.c.iso3 == key[0]]
        if self is Kind.PAIR:
            return lambda t: [t.c.iso3_a == key[0], t.c.iso3_b == key[1]]
        if self is Kind.TOPIC:
            return lambda t: [t.c.topic == key[0]]
        return lambda _t: []


_DAILY = {
    Kind.TOTAL: daily_total,
    Kind.COUNTRY: daily_country,
    Kind.PAIR: daily_pair,
    Kind.TOPIC: daily_topic,
}


@dataclass(frozen=True)
class Route:
    """The aggregate that answers a question exactly: its kind and the key within it."""

    kind: Kind
    key: tuple[str, ...] = ()


def route_for(f: Filters) -> Route | None:
    """The aggregate that holds exactly the articles matching ``f`` (None: scan articles);
    the rows of the module's table, in order. The aggregates count articles: a view that
    counts stories is a scan (``ingest.queries.tally``)."""
    if f.search or f.count_stories or f.entities:
        return None  # the aggregates carry neither text, stories nor entities
    if f.topics:
        if f.countries or f.pair or len(f.topics) > 1:
            return None
        return Route(Kind.TOPIC, f.topics)
    if f.pair:
        if f.countries and not set(f.countries) & set(f.pair):
            return None
        return Route(Kind.PAIR, f.pair)
    if len(f.countries) == 1:
        return Route(Kind.COUNTRY, f.countries)
    if f.countries:
        return None
    return Route(Kind.TOTAL)


def reads_story_days(f: Filters) -> bool:
    """Whether ``story_days`` holds what ``f`` asks of stories: only the date, language and
    outlet filters (those it carries as columns, ``rollup_where``), whatever ``f`` counts."""
    return route_for(f.with_(count_stories=False)) == Route(Kind.TOTAL)


@dataclass(frozen=True)
class Source:
    """Aggregate rows to sum: a table, or a union of monthly and daily parts, and the
    conditions on it. Its columns are the aggregate's keys, language, articles, and ``day``
    (when asked for by day) or ``feed_id`` (when asked for by feed)."""

    table: Any
    where: list[ColumnElement[bool]]

    @property
    def c(self) -> Any:
        return self.table.c


def source(
    kind: Kind,
    f: Filters,
    where: Where | None = None,
    *,
    by_feed: bool = False,
    by_day: bool = False,
) -> Source:
    """The smallest aggregate that answers a question about ``kind`` exactly under f's date, language and outlet filters; ``where`` adds conditions on
    its keys. Per feed (asked for, or an outlet filter): the daily aggregate and its monthly
    twin; otherwise their roll-ups over feeds. By day when asked for, else whole months from
    the monthly table and the days at either end from the daily one."""
    if f.count_stories:
        raise ValueError("the aggregates count articles, not stories: scan (route_for)")
    if f.entities:
        raise ValueError("the aggregates carry no entities: scan (route_for)")
    extra = where or (lambda _t: [])
    daily = kind.daily
    if by_feed or needs_feed_tables(f):
        per_day, per_month = daily, MONTHLY[daily.name]
    else:
        per_day, per_month = ROLLUPS[daily.name]
    months = _whole_months(f.date_from, f.date_to)
    if by_day or months is None:
        return Source(per_day, [*rollup_where(per_day, f), *extra(per_day)])
    (first, last), edges = months
    month_where = [
        per_month.c.month >= first,
        per_month.c.month <= last,
        *rollup_where(per_month, f, dates=False),
        *extra(per_month),
    ]
    if not edges:
        return Source(per_month, month_where)
    columns = [c.name for c in per_day.columns if c.name != "day"]
    parts = [select(*(per_month.c[n] for n in columns)).where(*month_where)]
    for start, end in edges:
        part = f.with_(date_from=start, date_to=end)
        parts.append(
            select(*(per_day.c[n] for n in columns)).where(
                *rollup_where(per_day, part), *extra(per_day)
            )
        )
    return Source(union_all(*parts).subquery("rolled"), [])


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


def pairs_with(code: str) -> Where:
    """The conditions on a pair aggregate that keep the pairs including ``code``."""
    return lambda t: [or_(t.c.iso3_a == code, t.c.iso3_b == code)]


def route_source(answer: Route, f: Filters, **kwargs: bool) -> Source:
    """The aggregate rows of a route's articles under ``f`` (``source``'s keywords)."""
    return source(answer.kind, f, answer.kind.key_where(answer.key), **kwargs)

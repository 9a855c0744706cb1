"""Aggregate upkeep: the counts the charts read, kept exact in the transaction of every write.

An article adds one to ``daily_total`` and, for its day, feed and language, to ``daily_country``
for each of its countries, to ``daily_pair`` for each unordered pair of them (``iso3_a < iso3_b``)
and to ``daily_topic`` for each topic; each daily table's monthly twin and its roll-ups over
feeds follow (see ``schema``). Rows are built by column name, from the tables' primary keys, so a
table's key columns are written down once, in ``schema``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

from sqlalchemy import Table, and_, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from ingest.records import Tags, tag_prominence
from ingest.store.engine import is_sqlite, write
from ingest.store.schema import (
    AGGREGATE_KINDS,
    COUNTRY,
    MONTH_LENGTH,
    PAIR,
    PROMINENT,
    TOPIC,
    TOTAL,
    Aggregate,
    article_countries,
    article_topics,
    articles,
)

# One cell of an aggregate table: its primary-key (column, value) pairs, in the key's order.
Cell = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Counted:
    """What one article adds to (or takes from) the aggregates."""

    day: str
    feed_id: int
    language: str
    codes: tuple[str, ...]  # sorted, distinct ISO3 codes
    topics: tuple[str, ...]  # distinct topic ids
    prominent: frozenset[str] = frozenset()  # the codes that are prominent in it


def counted(day: str, feed_id: int | None, tags: Tags) -> Counted:
    return Counted(
        day,
        feed_id or 0,
        tags.language or "",
        tuple(sorted({c.iso3 for c in tags.countries})),
        tuple(dict.fromkeys(t.topic for t in tags.topics)),
        frozenset(c.iso3 for c in tags.countries if tag_prominence(c).prominent),
    )


# The keys an article counts under in each aggregate, by column name.
_KEYS_OF: dict[str, Callable[[Counted], Iterable[dict[str, Any]]]] = {
    TOTAL.name: lambda c: ({},),
    COUNTRY.name: lambda c: ({"iso3": iso3, PROMINENT: iso3 in c.prominent} for iso3 in c.codes),
    PAIR.name: lambda c: (
        {"iso3_a": a, "iso3_b": b, PROMINENT: a in c.prominent and b in c.prominent}
        for a, b in combinations(c.codes, 2)
    ),
    TOPIC.name: lambda c: ({"topic": topic} for topic in c.topics),
}


@cache
def key_names(table: Table) -> tuple[str, ...]:
    """The primary-key column names of an aggregate table, in the key's order."""
    return tuple(c.name for c in table.primary_key.columns)


def _cell(table: Table, values: Mapping[str, Any]) -> Cell:
    names = key_names(table)
    return tuple(zip(names, map(values.__getitem__, names), strict=True))


def add_to_aggregates(conn: Connection, counted: Iterable[Counted], sign: int) -> None:
    """Add (sign=1) or take away (sign=-1) articles from every aggregate table."""
    daily: dict[str, Counter[Cell]] = {a.name: Counter() for a in AGGREGATE_KINDS}
    for c in counted:
        row = {"day": c.day, "feed_id": c.feed_id, "language": c.language}
        for aggregate in AGGREGATE_KINDS:
            table, counts = aggregate.daily, daily[aggregate.name]
            for keys in _KEYS_OF[aggregate.name](c):
                counts[_cell(table, {**row, **keys})] += sign
    for aggregate in AGGREGATE_KINDS:
        _bump_with_derived(conn, aggregate, daily[aggregate.name])


def _bump_with_derived(conn: Connection, aggregate: Aggregate, counts: Counter[Cell]) -> None:
    """Add daily ``counts`` to an aggregate's daily table and to its derived tables."""
    _bump(conn, aggregate.daily, counts)
    for table in aggregate.derived:
        derived: Counter[Cell] = Counter()
        for cell, n in counts.items():
            values = dict(cell)
            values["month"] = values["day"][:MONTH_LENGTH]
            derived[_cell(table, values)] += n
        _bump(conn, table, derived)


@cache
def _upsert(table: Table, on_sqlite: bool) -> Any:
    """The upsert that adds to an aggregate table's counts, built once per table and dialect
    (building it costs more than running it on a batch's few rows)."""
    statement = (sqlite.insert if on_sqlite else postgresql.insert)(table)
    return statement.on_conflict_do_update(
        index_elements=list(key_names(table)),
        set_={"articles": table.c.articles + statement.excluded.articles},
    )


def _bump(conn: Connection, table: Table, counts: Counter[Cell]) -> None:
    """Add ``counts`` to an aggregate table (upsert: insert or increment). Rows go in key order,
    so concurrent writers on PostgreSQL take their row locks in the same order."""
    rows = [dict(cell, articles=n) for cell, n in sorted(counts.items()) if n]
    if not rows:
        return
    conn.execute(_upsert(table, is_sqlite(conn)), rows)
    if any(r["articles"] < 0 for r in rows):
        conn.execute(delete(table).where(table.c.articles <= 0))


def rebuild_aggregates(engine: Engine) -> None:
    """Recompute every aggregate from the tag tables (after bulk changes)."""
    with write(engine) as conn:
        rebuild_aggregates_in(conn)


def rebuild_aggregates_in(conn: Connection, kinds: tuple[Aggregate, ...] = AGGREGATE_KINDS) -> None:
    """``rebuild_aggregates`` of ``kinds`` in the caller's transaction (a migration's)."""
    day = articles.c.published_day
    feed = func.coalesce(articles.c.feed_id, 0)
    lang = articles.c.language
    a = article_countries.alias("a")
    b = article_countries.alias("b")
    # Each daily table's key columns (by name) and the rows they are counted over.
    sources: dict[str, tuple[dict[str, Any], Any]] = {
        TOTAL.name: ({}, articles),
        COUNTRY.name: (
            {"iso3": article_countries.c.iso3, PROMINENT: article_countries.c.prominent},
            article_countries.join(articles, articles.c.id == article_countries.c.article_id),
        ),
        PAIR.name: (
            {"iso3_a": a.c.iso3, "iso3_b": b.c.iso3, PROMINENT: a.c.prominent & b.c.prominent},
            a.join(b, and_(a.c.article_id == b.c.article_id, a.c.iso3 < b.c.iso3)).join(
                articles, articles.c.id == a.c.article_id
            ),
        ),
        TOPIC.name: (
            {"topic": article_topics.c.topic},
            article_topics.join(articles, articles.c.id == article_topics.c.article_id),
        ),
    }
    for aggregate in kinds:
        keys, rows = sources[aggregate.name]
        columns: dict[str, Any] = {"day": day, **keys, "feed_id": feed, "language": lang}
        selected = [columns[name] for name in key_names(aggregate.daily)]
        conn.execute(delete(aggregate.daily))
        conn.execute(
            aggregate.daily.insert().from_select(
                [*key_names(aggregate.daily), "articles"],
                select(*selected, func.count()).select_from(rows).group_by(*selected),
            )
        )
    rebuild_derived(conn)


def rebuild_derived(conn: Connection) -> None:
    """Recompute the monthly twins and the roll-ups from the daily aggregates."""
    for aggregate in AGGREGATE_KINDS:
        daily = aggregate.daily
        columns = {
            **{c.name: c for c in daily.columns},
            "month": func.substr(daily.c.day, 1, MONTH_LENGTH),
        }
        for table in aggregate.derived:
            selected = [columns[name] for name in key_names(table)]
            conn.execute(delete(table))
            conn.execute(
                table.insert().from_select(
                    [*key_names(table), "articles"],
                    select(*selected, func.sum(daily.c.articles)).group_by(*selected),
                )
            )

"""Every read the dashboard and the CLI make (SQLAlchemy Core, bound parameters only).

A view is described by a :class:`Filters` value: date range, countries (any of), a country pair
(both), topics (any of), languages, outlets and a text search. Each query reads the daily
aggregates (``daily_total``, ``daily_country``, ``daily_pair``, ``daily_topic``, one row per
day × key × feed × language) whenever the filters allow — dates, languages and outlets apply to
them directly, and the one content filter that matches the chart's own key (the country, the pair
or the topic being counted) is the key itself — and scans ``articles`` otherwise, restricted to
the date range first. With no outlet filter it reads their roll-ups over feeds instead, which
are several times smaller, and a long range sums whole months (see ``_source``). A text search
reads the store's search index (see ``_TextMatch``). ``describe(filters)`` says in words what a
view shows; exports call the very function the page called, so a download holds exactly the
rows on screen.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from babel import Locale
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Engine,
    Select,
    and_,
    case,
    desc,
    distinct,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from ingest.geo import country_name, is_valid_iso3
from ingest.store import (
    MONTHLY,
    ROLLUPS,
    article_countries,
    article_search,
    article_topics,
    articles,
    daily_country,
    daily_pair,
    daily_topic,
    daily_total,
    feeds,
    polls,
    rollup_monthly_country,
    rollup_monthly_total,
)

TOPIC_LABELS: dict[str, str] = {
    "military": "Military",
    "conflict": "Conflict",
    "diplomacy": "Diplomacy",
    "sanctions": "Sanctions",
    "trade": "Trade & economy",
    "energy": "Energy",
    "nuclear": "Nuclear & missiles",
    "politics": "Politics & elections",
    "unrest": "Protests & unrest",
    "humanitarian": "Humanitarian",
    "rights": "Rights & justice",
    "cyber_tech": "Cyber & technology",
}
TOPICS: tuple[str, ...] = tuple(TOPIC_LABELS)

# How far back the spike baseline reaches, and the recent window rising scores compare.
BASELINE_DAYS = 28
RECENT_DAYS = 7
SPIKE_SCORE = 3.0
SPIKE_MIN_ARTICLES = 5
SPIKE_EXPLANATION = (
    "Spike score = (articles in the window − articles expected from the baseline) ÷ "
    "√(expected + 1), where the baseline is the average of the previous "
    f"{BASELINE_DAYS} days. About 0 is usual; 3 or more (with at least "
    f"{SPIKE_MIN_ARTICLES} articles) is marked as a spike."
)

_EN = Locale.parse("en")


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("id" → "Indonesian"); "Unknown" for ''."""
    if not code:
        return "Unknown"
    return _EN.languages.get(code, code)


# --------------------------------------------------------------------------------------------
# Filters


EARLIEST = date(1970, 1, 1)  # the span of dates a filter may hold; outside it the date
LATEST = date(2100, 12, 31)  # arithmetic of the queries (± weeks) could overflow
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Filters:
    """What a view is filtered on. Countries and topics match any of; the pair matches both."""

    date_from: date
    date_to: date
    countries: tuple[str, ...] = ()
    pair: tuple[str, str] | None = None
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    search: str = ""
    feed_titles: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = min(max(getattr(self, name), EARLIEST), LATEST)
            object.__setattr__(self, name, value)
        if self.date_to < self.date_from:
            start, end = self.date_to, self.date_from
            object.__setattr__(self, "date_from", start)
            object.__setattr__(self, "date_to", end)
        countries = tuple(dict.fromkeys(c for c in self.countries if is_valid_iso3(c)))
        object.__setattr__(self, "countries", countries)
        pair = self.pair
        if pair is not None:
            a, b = pair
            pair = (
                tuple(sorted((a, b))) if a != b and is_valid_iso3(a) and is_valid_iso3(b) else None
            )
        object.__setattr__(self, "pair", pair)
        object.__setattr__(
            self, "topics", tuple(dict.fromkeys(t for t in self.topics if t in TOPIC_LABELS))
        )
        languages = (x for x in self.languages if x == "" or _LANGUAGE_CODE.fullmatch(x))
        object.__setattr__(self, "languages", tuple(dict.fromkeys(languages)))
        ids = (int(i) for i in self.feed_ids)
        object.__setattr__(
            self, "feed_ids", tuple(dict.fromkeys(i for i in ids if 0 <= i <= _MAX_ID))
        )
        # Whitespace collapsed and control characters dropped (SQLite would cut a LIKE pattern
        # at a NUL; stored text holds none).
        text = "".join(ch for ch in (self.search or "") if ch.isprintable() or ch.isspace())
        object.__setattr__(self, "search", " ".join(text.split())[:200])

    @property
    def has_content_filter(self) -> bool:
        return bool(self.countries or self.pair or self.topics or self.search)

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)


def describe(f: Filters, subject: str = "Articles") -> str:
    """The view in words: "Articles mentioning Russia and North Korea, 1–30 June 2024, all
    languages"."""
    parts: list[str] = []
    what = subject
    if f.pair:
        what += f" mentioning {country_name(f.pair[0])} and {country_name(f.pair[1])}"
        if f.countries:
            what += f" (and {_join([country_name(c) for c in f.countries], 'or')})"
    elif f.countries:
        what += f" mentioning {_join([country_name(c) for c in f.countries], 'or')}"
    if f.topics:
        what += f" on {_join([topic_label(t).lower() for t in f.topics], 'or')}"
    if f.search:
        what += f" containing “{f.search}”"
    parts.append(what)
    parts.append(date_range_words(f.date_from, f.date_to))
    if f.languages:
        parts.append("in " + _join([language_name(c) for c in f.languages], "or"))
    else:
        parts.append("all languages")
    if f.feed_ids:
        names = list(f.feed_titles) or [f"outlet #{i}" for i in f.feed_ids]
        parts.append("from " + _join(names, "or"))
    return ", ".join(parts)


def _join(items: Sequence[str], word: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def date_range_words(start: date, end: date) -> str:
    """ "1–30 June 2024", "28 May – 3 June 2024", "30 December 2023 – 2 January 2024"."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def slug(f: Filters) -> str:
    """A file-name-safe summary of the filters, e.g. ``prk-rus_2024-06-01_2024-06-30``."""
    bits: list[str] = []
    if f.pair:
        bits.append("-".join(f.pair))
    if f.countries:
        bits.append("-".join(f.countries))
    if f.topics:
        bits.append("-".join(f.topics))
    if f.languages:
        bits.append("-".join(x or "unknown" for x in f.languages))
    if f.feed_ids:
        bits.append("feeds-" + "-".join(str(i) for i in f.feed_ids[:5]))
    if f.search:
        ascii_text = unicodedata.normalize("NFKD", f.search).encode("ascii", "ignore").decode()
        bits.append(re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:30] or "search")
    bits.append(f"{f.date_from.isoformat()}_{f.date_to.isoformat()}")
    text_slug = "_".join(b.lower() for b in bits if b)
    return re.sub(r"[^a-z0-9_.-]+", "-", text_slug)[:150]


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


def _agg_where(table: Any, f: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [
        table.c.day >= f.date_from.isoformat(),
        table.c.day <= f.date_to.isoformat(),
        *_language_where(table, f),
    ]
    if f.feed_ids:
        conds.append(table.c.feed_id.in_(list(f.feed_ids)))
    return conds


def _language_where(table: Any, f: Filters) -> list[ColumnElement[bool]]:
    return [table.c.language.in_(list(f.languages))] if f.languages else []


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
        return _Source(per_day, [*_agg_where(per_day, f), *extra(per_day)])
    (first, last), edges = months
    month_where = [
        per_month.c.month >= first,
        per_month.c.month <= last,
        *_language_where(per_month, f),
        *([per_month.c.feed_id.in_(list(f.feed_ids))] if f.feed_ids else []),
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
                *_agg_where(per_day, part), *extra(per_day)
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


def _start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def _article_where(f: Filters, *, dates: bool = True) -> list[ColumnElement[bool]]:
    """Conditions on ``articles`` for every filter (the scan path)."""
    conds: list[ColumnElement[bool]] = []
    if dates:
        conds += [
            articles.c.published_at >= _start(f.date_from),
            articles.c.published_at < _start(f.date_to + timedelta(days=1)),
        ]
    if f.languages:
        conds.append(articles.c.language.in_(list(f.languages)))
    if f.feed_ids:
        conds.append(articles.c.feed_id.in_(list(f.feed_ids)))
    # Aliases keep these EXISTS subqueries from correlating with a tag table that the outer
    # query joins itself.
    if f.countries:
        acf = article_countries.alias()
        conds.append(
            exists().where(acf.c.article_id == articles.c.id, acf.c.iso3.in_(list(f.countries)))
        )
    if f.pair:
        for code in f.pair:
            ac = article_countries.alias()
            conds.append(exists().where(ac.c.article_id == articles.c.id, ac.c.iso3 == code))
    if f.topics:
        atf = article_topics.alias()
        conds.append(
            exists().where(atf.c.article_id == articles.c.id, atf.c.topic.in_(list(f.topics)))
        )
    if f.search:
        bounds = (_start(f.date_from), _start(f.date_to + timedelta(days=1))) if dates else None
        conds.append(_TextMatch(f.search, *(bounds or (None, None))))
    return conds


_BOUNDED_SEARCH = timedelta(days=92)  # ranges up to a quarter read their slice of the index


class _TextMatch(ColumnElement[bool]):
    """Articles whose title or summary contains ``search``, case-insensitively in every script
    (lower() on both sides: the store makes SQLite's lower() Unicode-aware like PostgreSQL's).

    On SQLite a search of 3 characters or more is answered by the FTS5 trigram index of
    ``store.article_search`` (lower(title) + newline + lower(summary)), searched as a phrase: a
    trigram phrase matches exactly the substrings, and a search never holds a newline
    (Filters collapses whitespace), so no match can straddle title and summary. The index is
    read only between the lowest and highest article id published in a range of up to a
    quarter (ids follow arrival, so a recent range reads a recent slice of a common word's
    matches; finding those ids costs a scan of the range's dates, not worth it for longer
    ones). Shorter searches (two CJK characters: 中国, 朝鲜) scan that same text in the
    range, behind SQLite's own LIKE when that cannot miss a match (``_plain_like_suffices``).
    PostgreSQL tests title and summary with LIKE, which its trigram indexes serve."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition itself: no "= 1" appended on SQLite
    _traverse_internals = [
        ("on_sqlite", InternalTraversal.dp_clauseelement),
        ("elsewhere", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, search: str, start: datetime | None, end: datetime | None) -> None:
        needle = search.lower()
        pattern = "%" + _escape_like(needle) + "%"
        if len(needle) >= 3:
            phrase = '"' + needle.replace('"', '""') + '"'
            conds = [article_search.c.body.op("MATCH")(phrase)]
            if start is not None and end is not None and end - start <= _BOUNDED_SEARCH:
                in_range = articles.alias("in_range")
                when = [in_range.c.published_at >= start, in_range.c.published_at < end]
                ids = article_search.c.rowid
                conds.append(ids >= select(func.min(in_range.c.id)).where(*when).scalar_subquery())
                conds.append(ids <= select(func.max(in_range.c.id)).where(*when).scalar_subquery())
            self.on_sqlite = articles.c.id.in_(select(article_search.c.rowid).where(*conds))
        else:
            body = articles.c.title + literal("\n") + articles.c.summary
            exact = func.lower(body).like(pattern, escape="\\")
            if _plain_like_suffices(needle):
                exact = and_(body.like(pattern, escape="\\"), exact).self_group()
            self.on_sqlite = exact
        self.elsewhere = or_(
            func.lower(articles.c.title).like(pattern, escape="\\"),
            func.lower(articles.c.summary).like(pattern, escape="\\"),
        ).self_group()  # parenthesised: it stands among AND-ed conditions


def _plain_like_suffices(needle: str) -> bool:
    """Whether SQLite's own LIKE on the raw text — C code, folding ASCII letters only — matches
    every text whose lower() contains ``needle`` (lower-cased), so it can go first and spare
    the exact test most rows. True when each character is one that only itself, or its ASCII
    capital, lower-cases to: ASCII bar k (the Kelvin sign) and i (İ), and the caseless
    scripts (中国, 朝鲜); not Cyrillic or Greek letters, whose capitals LIKE does not fold."""
    variants, from_several = _case_variants()
    for ch in needle:
        others = variants.get(ch, "")
        if ch in from_several or others not in ("", ch.upper() if ch.isascii() else ""):
            return False
    return True


@functools.cache
def _case_variants() -> tuple[dict[str, str], frozenset[str]]:
    """For each character that lower() makes from others, those others (when each lower-cases
    to that one character alone); and every character that a lower-casing into several
    characters produces. Built once, in about 0.3 s."""
    variants: dict[str, str] = {}
    from_several: set[str] = set()
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        lowered = ch.lower()
        if lowered == ch:
            continue
        if len(lowered) == 1:
            variants[lowered] = variants.get(lowered, "") + ch
        else:
            from_several.update(lowered)
    # The one lower-casing that depends on context: Σ at a word's end becomes ς.
    variants["ς"] = variants.get("ς", "") + "Σ"
    return variants, frozenset(from_several)


@compiles(_TextMatch, "sqlite")
def _text_match_on_sqlite(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.on_sqlite, **kw)


@compiles(_TextMatch)
def _text_match_elsewhere(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.elsewhere, **kw)


def literal_column_desc(name: str) -> Any:
    """ORDER BY a result column by its label, descending."""
    return desc(literal_column(name))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _frame(engine: Engine, query: Select, columns: Sequence[str] | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        rows = result.fetchall()
        cols = list(columns) if columns else list(result.keys())
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _scalar(engine: Engine, query: Select) -> Any:
    with engine.connect() as conn:
        return conn.execute(query).scalar()


# --------------------------------------------------------------------------------------------
# Store-wide facts


def data_date_range(engine: Engine) -> tuple[date, date] | None:
    """First and last day that the store holds articles for (None when empty)."""
    with engine.connect() as conn:
        row = conn.execute(select(func.min(daily_total.c.day), func.max(daily_total.c.day))).one()
        if row[0] is None:
            row = conn.execute(
                select(func.min(articles.c.published_day), func.max(articles.c.published_day))
            ).one()
    if row[0] is None:
        return None
    return date.fromisoformat(row[0]), date.fromisoformat(row[1])


def default_filters(engine: Engine, days: int = 30) -> Filters:
    """The last ``days`` days of data held (not of the wall clock); all of it when the store
    holds only the bundled demo snapshots, which are single moments years apart."""
    span = data_date_range(engine)
    end = span[1] if span else datetime.now(UTC).date()
    start = end - timedelta(days=days - 1)
    if span and (start < span[0] or is_demo_only(engine)):
        start = span[0]
    return Filters(date_from=start, date_to=end)


def is_empty(engine: Engine) -> bool:
    return _scalar(engine, select(articles.c.id).limit(1)) is None


def is_demo_only(engine: Engine) -> bool:
    """True when the store holds articles and every one came from a bundled demo snapshot
    (catalogue feeds that have not delivered anything yet do not count)."""
    with engine.connect() as conn:
        any_article = conn.execute(select(articles.c.id).limit(1)).first()
        live = conn.execute(
            select(articles.c.id)
            .select_from(articles.join(feeds, feeds.c.id == articles.c.feed_id))
            .where(feeds.c.source != "demo")
            .limit(1)
        ).first()
    return any_article is not None and live is None


def stats(engine: Engine) -> dict[str, Any]:
    """What ``python -m ingest stats`` prints: totals, languages, feeds by health."""
    # From the monthly roll-ups (one row per month × language): no article scan.
    with engine.connect() as conn:
        n_articles = conn.execute(
            select(func.coalesce(func.sum(rollup_monthly_total.c.articles), 0))
        ).scalar_one()
        n_feeds = conn.execute(select(func.count()).select_from(feeds)).scalar_one()
        n = func.sum(rollup_monthly_total.c.articles)
        by_language = {
            (lang or ""): int(total)
            for lang, total in conn.execute(
                select(rollup_monthly_total.c.language, n)
                .group_by(rollup_monthly_total.c.language)
                .order_by(n.desc(), rollup_monthly_total.c.language)
            )
        }
        health: dict[str, int] = {}
        for row in conn.execute(
            select(
                feeds.c.enabled,
                feeds.c.status,
                feeds.c.error_count,
                feeds.c.last_polled_at,
                feeds.c.source,
            )
        ):
            label = _health(
                row.enabled, row.status, row.error_count, row.last_polled_at, row.source
            )
            health[label] = health.get(label, 0) + 1
        n_countries = conn.execute(
            select(func.count(distinct(rollup_monthly_country.c.iso3)))
        ).scalar_one()
    span = data_date_range(engine)
    return {
        "articles": int(n_articles),
        "feeds": int(n_feeds),
        "countries": int(n_countries),
        "languages": by_language,
        "feeds_by_health": dict(sorted(health.items())),
        "first_day": span[0].isoformat() if span else None,
        "last_day": span[1].isoformat() if span else None,
        "demo_only": is_demo_only(engine),
    }


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


# --------------------------------------------------------------------------------------------
# Counts and totals


def count_articles(engine: Engine, f: Filters) -> int:
    route = _route(f)
    if route is not None:
        src = _route_source(route, f)
        query = select(func.coalesce(func.sum(src.c.articles), 0)).where(*src.where)
    else:
        query = select(func.count()).select_from(articles).where(*_article_where(f))
    return int(_scalar(engine, query) or 0)


def base_total(engine: Engine, f: Filters) -> int:
    """All articles in the period under the date, language and outlet filters only."""
    base = Filters(f.date_from, f.date_to, languages=f.languages, feed_ids=f.feed_ids)
    return count_articles(engine, base)


def totals(engine: Engine, f: Filters) -> dict[str, int]:
    """Articles, outlets, languages and countries in the filtered period."""
    route = _route(f)
    with engine.connect() as conn:
        if route is not None and route.kind == "total":
            total = _source("total", f)
            n, n_languages = conn.execute(
                select(
                    func.coalesce(func.sum(total.c.articles), 0),
                    func.count(distinct(total.c.language)),
                ).where(*total.where)
            ).one()
            # Outlets need the per-feed aggregate (one row per day × feed × language: small).
            n_feeds = conn.execute(
                select(func.count(distinct(daily_total.c.feed_id))).where(
                    *_agg_where(daily_total, f)
                )
            ).scalar_one()
            row = (n, n_feeds, n_languages)
            countries = _source("country", f)
            n_countries = conn.execute(
                select(func.count(distinct(countries.c.iso3))).where(*countries.where)
            ).scalar_one()
        else:
            matching = select(articles.c.id).where(*_article_where(f)).subquery()
            row = conn.execute(
                select(
                    func.count(),
                    func.count(distinct(articles.c.feed_id)),
                    func.count(distinct(articles.c.language)),
                ).where(*_article_where(f))
            ).one()
            n_countries = conn.execute(
                select(func.count(distinct(article_countries.c.iso3))).where(
                    article_countries.c.article_id.in_(select(matching.c.id))
                )
            ).scalar_one()
    return {
        "articles": int(row[0] or 0),
        "feeds": int(row[1] or 0),
        "languages": int(row[2] or 0),
        "countries": int(n_countries or 0),
    }


# --------------------------------------------------------------------------------------------
# Countries, pairs, topics, languages, outlets in a period


def country_counts(engine: Engine, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Articles per country mentioned in the filtered articles: iso3, country, articles, share
    (share = fraction of ALL articles in the period, under the date/language/outlet filters)."""
    route = _route(f)
    if route is not None and route.kind == "total":
        src = _source("country", f)
        n = func.sum(src.c.articles)
        query = select(src.c.iso3, n.label("articles")).where(*src.where).group_by(src.c.iso3)
    elif route is not None and route.kind == "country":
        focus = route.key[0]
        mine = _route_source(route, f)
        own = select(literal(focus).label("iso3"), func.sum(mine.c.articles)).where(*mine.where)
        pairs = _source("pair", f, _pairs_with(focus))
        partner = case((pairs.c.iso3_a == focus, pairs.c.iso3_b), else_=pairs.c.iso3_a)
        others = select(partner.label("iso3"), func.sum(pairs.c.articles)).where(*pairs.where)
        u = union_all(own, others.group_by(partner)).subquery()
        cols = list(u.c)
        query = select(cols[0].label("iso3"), func.sum(cols[1]).label("articles")).group_by(cols[0])
    else:
        n = func.count()
        query = (
            select(article_countries.c.iso3, n.label("articles"))
            .select_from(
                article_countries.join(articles, articles.c.id == article_countries.c.article_id)
            )
            .where(*_article_where(f))
            .group_by(article_countries.c.iso3)
        )
    query = query.order_by(literal_column_desc("articles"), "iso3")
    if limit:
        query = query.limit(limit)
    df = _frame(engine, query, ["iso3", "articles"])
    df = df[df["articles"].fillna(0) > 0].reset_index(drop=True)
    df["articles"] = df["articles"].astype(int)
    total = base_total(engine, f)
    df.insert(1, "country", [country_name(c) for c in df["iso3"]])
    df["share"] = df["articles"] / total if total else 0.0
    return df


def pair_counts(engine: Engine, f: Filters, limit: int | None = 20) -> pd.DataFrame:
    """Country pairs co-mentioned in the filtered articles: iso3_a, iso3_b, pair, articles."""
    return _pair_counts(engine, f, limit)


def _pair_counts(
    engine: Engine, f: Filters, limit: int | None, focus: str | None = None
) -> pd.DataFrame:
    """Pair counts; with ``focus``, only the pairs that include it (then a country filter of
    just ``focus`` can be answered from the aggregate exactly)."""
    route = _route(f)
    if focus and route is not None and route.kind == "country" and route.key[0] == focus:
        route = _Route("focus", route.key)
    if route is not None and route.kind in ("total", "focus"):
        src = _source("pair", f, _pairs_with(focus) if route.kind == "focus" else None)
        query = (
            select(src.c.iso3_a, src.c.iso3_b, func.sum(src.c.articles).label("articles"))
            .where(*src.where)
            .group_by(src.c.iso3_a, src.c.iso3_b)
        )
    else:
        a = article_countries.alias("a")
        b = article_countries.alias("b")
        j = articles.join(a, a.c.article_id == articles.c.id).join(
            b, and_(b.c.article_id == articles.c.id, a.c.iso3 < b.c.iso3)
        )
        query = (
            select(
                a.c.iso3.label("iso3_a"), b.c.iso3.label("iso3_b"), func.count().label("articles")
            )
            .select_from(j)
            .where(*_article_where(f))
            .group_by(a.c.iso3, b.c.iso3)
        )
    query = query.order_by(literal_column_desc("articles"), "iso3_a", "iso3_b")
    if limit:
        query = query.limit(limit)
    df = _frame(engine, query, ["iso3_a", "iso3_b", "articles"])
    df["articles"] = df["articles"].astype(int)
    df.insert(
        2,
        "pair",
        [
            f"{country_name(x)} – {country_name(y)}"
            for x, y in zip(df.iso3_a, df.iso3_b, strict=True)
        ],
    )
    return df


def co_mentions(engine: Engine, f: Filters, focus: str) -> pd.DataFrame:
    """Countries co-mentioned with ``focus`` in the filtered articles: iso3, country, articles."""
    g = f.with_(countries=(focus,)) if not f.countries or focus in f.countries else f
    pairs = _pair_counts(engine, g, None, focus=focus)
    mask = (pairs.iso3_a == focus) | (pairs.iso3_b == focus)
    pairs = pairs[mask]
    partner = [b if a == focus else a for a, b in zip(pairs.iso3_a, pairs.iso3_b, strict=True)]
    df = pd.DataFrame({"iso3": partner, "articles": pairs["articles"].to_numpy()})
    df.insert(1, "country", [country_name(c) for c in df["iso3"]])
    return df.sort_values(["articles", "iso3"], ascending=[False, True]).reset_index(drop=True)


def pair_matrix(engine: Engine, f: Filters, size: int = 12) -> pd.DataFrame:
    """Co-mention counts among the ``size`` most covered countries (long form: a, b, articles)."""
    top = country_counts(engine, f, limit=size)
    codes = list(top["iso3"])
    if len(codes) < 2:
        return pd.DataFrame(columns=["iso3_a", "iso3_b", "pair", "articles"])
    pairs = pair_counts(engine, f, limit=None)
    keep = pairs.iso3_a.isin(codes) & pairs.iso3_b.isin(codes)
    return pairs[keep].reset_index(drop=True)


def _grouped(engine: Engine, f: Filters, column: str) -> pd.DataFrame:
    """Articles per ``column`` (language | feed_id | topic) for the filtered articles."""
    route = _route(f)
    if column == "topic":
        if route is not None and route.kind == "total":
            src = _source("topic", f)
            query = (
                select(src.c.topic.label("key"), func.sum(src.c.articles))
                .where(*src.where)
                .group_by(src.c.topic)
            )
        else:
            query = (
                select(article_topics.c.topic.label("key"), func.count())
                .select_from(
                    article_topics.join(articles, articles.c.id == article_topics.c.article_id)
                )
                .where(*_article_where(f))
                .group_by(article_topics.c.topic)
            )
    elif route is not None:
        src = _route_source(route, f, by_feed=column == "feed_id")
        col = src.c[column]
        query = select(col.label("key"), func.sum(src.c.articles)).where(*src.where).group_by(col)
    else:
        col = articles.c[column]
        query = select(col.label("key"), func.count()).where(*_article_where(f)).group_by(col)
    df = _frame(engine, query, ["key", "articles"])
    df["articles"] = df["articles"].astype(int)
    df = df[df["articles"] > 0]
    return df.sort_values(["articles", "key"], ascending=[False, True]).reset_index(drop=True)


def topic_counts(engine: Engine, f: Filters) -> pd.DataFrame:
    """Articles per topic: topic, label, articles."""
    df = _grouped(engine, f, "topic").rename(columns={"key": "topic"})
    df.insert(1, "label", [topic_label(t) for t in df["topic"]])
    return df


def language_counts(engine: Engine, f: Filters) -> pd.DataFrame:
    """Articles per language: language, name, articles."""
    df = _grouped(engine, f, "language").rename(columns={"key": "language"})
    df["language"] = df["language"].fillna("")
    df.insert(1, "name", [language_name(c) for c in df["language"]])
    return df


def outlet_counts(engine: Engine, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Articles per outlet: feed_id, outlet, home country, articles."""
    df = _grouped(engine, f, "feed_id").rename(columns={"key": "feed_id"})
    names = feed_names(engine)
    homes = feed_homes(engine)
    df["feed_id"] = df["feed_id"].fillna(0).astype(int)
    df.insert(1, "outlet", [names.get(i, f"outlet #{i}") for i in df["feed_id"]])
    df.insert(2, "home", [country_name(homes[i]) if homes.get(i) else "" for i in df["feed_id"]])
    return df.head(limit) if limit else df


def feed_names(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {
            int(i): (t or u)
            for i, t, u in conn.execute(select(feeds.c.id, feeds.c.title, feeds.c.url))
        }


def feed_homes(engine: Engine) -> dict[int, str | None]:
    with engine.connect() as conn:
        return {int(i): c for i, c in conn.execute(select(feeds.c.id, feeds.c.country_iso3))}


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


def who_covers_whom(engine: Engine, f: Filters, countries: int = 15) -> pd.DataFrame:
    """Outlet home country × country mentioned (long form: home, iso3, articles), for the
    ``countries`` most mentioned countries."""
    route = _route(f)
    # Grouped by feed in SQL (an index-sized result) and by the feeds' home here: cheaper than
    # joining feeds to every aggregate row before grouping (88 → 65 ms all-time at 1M).
    if route is not None and route.kind == "total":
        src = _source("country", f, by_feed=True)
        query = (
            select(src.c.feed_id, src.c.iso3, func.sum(src.c.articles))
            .where(*src.where)
            .group_by(src.c.feed_id, src.c.iso3)
        )
    else:
        j = articles.join(article_countries, article_countries.c.article_id == articles.c.id)
        query = (
            select(articles.c.feed_id, article_countries.c.iso3, func.count())
            .select_from(j)
            .where(*_article_where(f))
            .group_by(articles.c.feed_id, article_countries.c.iso3)
        )
    by_feed = _frame(engine, query, ["feed_id", "iso3", "articles"])
    homes = feed_homes(engine)
    by_feed = by_feed[by_feed["feed_id"].isin(list(homes))]  # outlets still in the catalogue
    by_feed = by_feed.assign(home=[homes[int(i)] or "" for i in by_feed["feed_id"]])
    df = by_feed.groupby(["home", "iso3"], as_index=False)["articles"].sum()
    if df.empty:
        return df.assign(home_country=[], country=[])
    df["articles"] = df["articles"].astype(int)
    top = df.groupby("iso3")["articles"].sum().sort_values(ascending=False).head(countries).index
    df = df[df["iso3"].isin(top)].copy()
    df["home_country"] = [country_name(h) if h else "Unknown" for h in df["home"]]
    df["country"] = [country_name(c) for c in df["iso3"]]
    return df.sort_values(["home", "articles"], ascending=[True, False]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Time series


def _day_index(start: date, end: date) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="D")


def _daily(engine: Engine, f: Filters, series_filter: Filters) -> pd.Series:
    """Articles per day for ``series_filter`` (aggregate when exact, else a scan)."""
    route = _route(series_filter)
    if route is not None:
        src = _route_source(route, series_filter, by_day=True)
        query = select(src.c.day, func.sum(src.c.articles)).where(*src.where).group_by(src.c.day)
    else:
        query = (
            select(articles.c.published_day, func.count())
            .where(*_article_where(series_filter))
            .group_by(articles.c.published_day)
        )
    df = _frame(engine, query, ["day", "articles"])
    s = pd.Series(df["articles"].astype(int).to_numpy(), index=pd.to_datetime(df["day"]))
    return s.reindex(_day_index(series_filter.date_from, series_filter.date_to), fill_value=0)


def _daily_countries(engine: Engine, f: Filters, codes: list[str]) -> dict[str, pd.Series]:
    """Daily series of several countries in one aggregate query, when the aggregate is exact
    for each (no topic, pair or search filter); {} otherwise."""
    if not codes or f.topics or f.pair or f.search:
        return {}
    src = _source("country", f, lambda t: [t.c.iso3.in_(codes)], by_day=True)
    query = (
        select(src.c.day, src.c.iso3, func.sum(src.c.articles))
        .where(*src.where)
        .group_by(src.c.day, src.c.iso3)
    )
    df = _frame(engine, query, ["day", "iso3", "articles"])
    index = _day_index(f.date_from, f.date_to)
    out = {}
    for code in codes:
        part = df[df["iso3"] == code]
        s = pd.Series(part["articles"].astype(int).to_numpy(), index=pd.to_datetime(part["day"]))
        out[code] = s.reindex(index, fill_value=0)
    return out


def series_keys(f: Filters, by: str) -> list[tuple[str, str, Filters]]:
    """The series a coverage chart draws under ``f``: (key, label, the filters of that series)."""
    if by == "country":
        return [(c, country_name(c), f.with_(countries=(c,))) for c in f.countries]
    if by == "pair" and f.pair:
        a, b = f.pair
        return [(f"{a}-{b}", f"{country_name(a)} – {country_name(b)}", f)]
    if by == "topic":
        return [(t, topic_label(t), f.with_(topics=(t,))) for t in f.topics]
    return [("ALL", "All coverage", f)]


def coverage_series(
    engine: Engine, f: Filters, by: str = "country", freq: str = "D"
) -> pd.DataFrame:
    """Counts over time for each series of ``series_keys(f, by)``: period, key, label, articles,
    total (all coverage under the date/language/outlet filters), share, rolling mean, baseline,
    spike score, spike (bool). ``freq`` is "D" (daily) or "W" (weeks starting Monday)."""
    if by == "country" and not f.countries:
        top = country_counts(engine, f, limit=5)
        f = f.with_(countries=tuple(top["iso3"]))
    history = f.with_(date_from=f.date_from - timedelta(days=BASELINE_DAYS))
    base = Filters(history.date_from, history.date_to, languages=f.languages, feed_ids=f.feed_ids)
    total = _daily(engine, base, base)
    frames = []
    keys = series_keys(history, by)
    many = _daily_countries(engine, history, [k for k, _, _ in keys]) if by == "country" else {}
    for key, label, sf in keys:
        s = many[key] if key in many else _daily(engine, history, sf)
        frames.append(_analyse(s, total, key, label, freq, f.date_from))
    if not frames:
        return pd.DataFrame(
            columns=[
                "period",
                "key",
                "label",
                "articles",
                "total",
                "share",
                "rolling",
                "baseline",
                "score",
                "spike",
            ]
        )
    return pd.concat(frames, ignore_index=True)


def _analyse(
    s: pd.Series, total: pd.Series, key: str, label: str, freq: str, first: date
) -> pd.DataFrame:
    if freq == "W":
        s = s.resample("W-MON", label="left", closed="left").sum()
        total = total.resample("W-MON", label="left", closed="left").sum()
        window = max(1, BASELINE_DAYS // 7)
        rolling_window = 4
    else:
        window = BASELINE_DAYS
        rolling_window = 7
    baseline = s.shift(1).rolling(window, min_periods=max(1, window // 2)).mean().to_numpy()
    articles_ = s.to_numpy()
    totals = total.reindex(s.index, fill_value=0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(totals > 0, articles_ / np.where(totals > 0, totals, 1), 0.0)
        score = (articles_ - baseline) / np.sqrt(baseline + 1)
    start = pd.Timestamp(first)
    if freq == "W":
        start = start - pd.Timedelta(days=start.weekday())
    keep = s.index >= start
    return pd.DataFrame(
        {
            "period": s.index[keep],
            "key": key,
            "label": label,
            "articles": articles_[keep],
            "total": totals[keep],
            "share": share[keep],
            "rolling": s.rolling(rolling_window, min_periods=1).mean().to_numpy()[keep],
            "baseline": baseline[keep],
            "score": score[keep],
            "spike": ((score >= SPIKE_SCORE) & (articles_ >= SPIKE_MIN_ARTICLES))[keep],
        }
    )


def point_filters(f: Filters, by: str, key: str, period: date, freq: str = "D") -> Filters:
    """The filters of the articles behind one point of a coverage chart."""
    end = period + timedelta(days=6 if freq == "W" else 0)
    g = f.with_(date_from=max(period, f.date_from), date_to=min(end, f.date_to))
    if by == "country":
        return g.with_(countries=(key,))
    if by == "topic":
        return g.with_(topics=(key,))
    return g


def rising(engine: Engine, f: Filters, kind: str = "country", limit: int = 10) -> pd.DataFrame:
    """Countries or pairs rising fastest against their own baseline, ending at ``f.date_to``:
    key, label, recent (last RECENT_DAYS days), expected (from the BASELINE_DAYS before), score.
    Reads the aggregates: the date, language and outlet filters apply, and a country filter keeps
    the countries (or pairs involving them) selected."""
    end = f.date_to
    recent_start = end - timedelta(days=RECENT_DAYS - 1)
    base_start = recent_start - timedelta(days=BASELINE_DAYS)
    g = Filters(base_start, end, languages=f.languages, feed_ids=f.feed_ids)
    codes = list(f.countries)

    def chosen(t: Any) -> list[ColumnElement[bool]]:
        if not codes:
            return []
        if kind == "pair":
            return [or_(t.c.iso3_a.in_(codes), t.c.iso3_b.in_(codes))]
        return [t.c.iso3.in_(codes)]

    src = _source("pair" if kind == "pair" else "country", g, chosen, by_day=True)
    keys = [src.c.iso3_a, src.c.iso3_b] if kind == "pair" else [src.c.iso3]
    is_recent = src.c.day >= recent_start.isoformat()
    query = (
        select(
            *keys,
            func.sum(case((is_recent, src.c.articles), else_=0)).label("recent"),
            func.sum(case((is_recent, 0), else_=src.c.articles)).label("before"),
        )
        .where(*src.where)
        .group_by(*keys)
    )
    names = [k.name for k in keys]
    df = _frame(engine, query, [*names, "recent", "before"])
    if df.empty:
        return pd.DataFrame(columns=["key", "label", "recent", "expected", "score"])
    df["expected"] = df["before"].astype(float) * RECENT_DAYS / BASELINE_DAYS
    df["score"] = (df["recent"] - df["expected"]) / (df["expected"] + 1).pow(0.5)
    df = df[df["recent"] >= SPIKE_MIN_ARTICLES]
    if kind == "pair":
        df["key"] = df["iso3_a"] + "-" + df["iso3_b"]
        df["label"] = [
            f"{country_name(a)} – {country_name(b)}"
            for a, b in zip(df.iso3_a, df.iso3_b, strict=True)
        ]
    else:
        df["key"] = df["iso3"]
        df["label"] = [country_name(c) for c in df["iso3"]]
    df = df.sort_values(["score", "key"], ascending=[False, True]).head(limit)
    out = df[["key", "label", "recent", "expected", "score"]].reset_index(drop=True)
    out["recent"] = out["recent"].astype(int)
    out["expected"] = out["expected"].round(1)
    out["score"] = out["score"].round(1)
    return out


# --------------------------------------------------------------------------------------------
# Country pair


def pair_timeline(engine: Engine, f: Filters, freq: str = "D") -> pd.DataFrame:
    """For ``f.pair`` = (A, B): per period, articles mentioning both, A without B, B without A."""
    if not f.pair:
        raise ValueError("pair_timeline needs a pair in the filters")
    a, b = f.pair
    joint = _daily(engine, f, f)
    only_a = _daily(engine, f, f.with_(pair=None, countries=(a,)))
    only_b = _daily(engine, f, f.with_(pair=None, countries=(b,)))
    df = pd.DataFrame(
        {
            "both": joint,
            "a_only": (only_a - joint).clip(lower=0),
            "b_only": (only_b - joint).clip(lower=0),
        }
    )
    if freq == "W":
        df = df.resample("W-MON", label="left", closed="left").sum()
    df.index.name = "period"
    df = df.reset_index()
    long = df.melt(id_vars="period", var_name="series", value_name="articles")
    labels = {
        "both": f"{country_name(a)} and {country_name(b)}",
        "a_only": f"{country_name(a)} without {country_name(b)}",
        "b_only": f"{country_name(b)} without {country_name(a)}",
    }
    long["label"] = long["series"].map(labels)
    return long


# --------------------------------------------------------------------------------------------
# Articles


SORTS: dict[str, Any] = {
    "published_at": articles.c.published_at,
    "title": articles.c.title,
    "language": articles.c.language,
    "outlet": feeds.c.title,
}

ARTICLE_COLUMNS = [
    "id",
    "published_at",
    "title",
    "summary",
    "url",
    "outlet",
    "language",
    "countries",
    "topics",
]


def list_articles(
    engine: Engine,
    f: Filters,
    *,
    sort: str = "published_at",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> pd.DataFrame:
    """The filtered articles, one page: id, published_at, title, summary, url, outlet,
    language, countries (ISO3 codes, "; "-joined), topics ("; "-joined)."""
    order = SORTS.get(sort, articles.c.published_at)
    direction = order.desc() if descending else order.asc()
    tie = articles.c.id.desc() if descending else articles.c.id.asc()
    query = (
        _article_rows(f, engine.dialect.name)
        .order_by(direction, tie)
        .limit(max(0, int(limit)))
        .offset(max(0, int(offset)))
    )
    return _tidy(_frame(engine, query, ARTICLE_COLUMNS))


def _article_rows(f: Filters, dialect: str) -> Select:
    """The filtered articles' columns with their country codes and topics, each "; "-joined in
    code order by a correlated subquery that reads the tag table's primary key (one query per
    page or export chunk, instead of fetching the tags of thousands of ids separately)."""
    columns: list[Any] = [
        articles.c.id,
        articles.c.published_at,
        articles.c.title,
        articles.c.summary,
        articles.c.url,
        func.coalesce(feeds.c.title, feeds.c.url, "").label("outlet"),
        articles.c.language,
    ]
    for table, key, name in (
        (article_countries, "iso3", "countries"),
        (article_topics, "topic", "topics"),
    ):
        t = table.alias()
        code = t.c[key]
        if dialect == "sqlite":
            # The primary key (article_id, code) is read in order, so codes come sorted.
            joined_codes = func.group_concat(code, "; ")
        else:
            joined_codes = func.string_agg(code, aggregate_order_by(literal("; "), code))
        joined = select(joined_codes).where(t.c.article_id == articles.c.id).scalar_subquery()
        columns.append(func.coalesce(joined, "").label(name))
    return (
        select(*columns)
        .select_from(articles.outerjoin(feeds, feeds.c.id == articles.c.feed_id))
        .where(*_article_where(f))
    )


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    if not df.empty:
        df["published_at"] = pd.to_datetime(df["published_at"], utc=True)
    df["language"] = df["language"].fillna("")
    return df


def iter_articles(engine: Engine, f: Filters, *, chunk: int = 5000) -> Iterator[pd.DataFrame]:
    """Every filtered article with its tags, newest first, in chunks of ``chunk`` rows (one
    streamed query). For exports."""
    query = _article_rows(f, engine.dialect.name).order_by(
        articles.c.published_at.desc(), articles.c.id.desc()
    )
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for part in result.partitions(chunk):
            yield _tidy(pd.DataFrame([tuple(r) for r in part], columns=ARTICLE_COLUMNS))


def article_evidence(engine: Engine, article_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """For each article: title, summary, and its tags with evidence
    ({"countries": {iso3: [{text,type,start}]}, "topics": {topic: [...]}})."""
    ids = [int(i) for i in article_ids]
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    with engine.connect() as conn:
        for row in conn.execute(
            select(articles.c.id, articles.c.title, articles.c.summary, articles.c.url).where(
                articles.c.id.in_(ids)
            )
        ):
            out[row.id] = {
                "title": row.title,
                "summary": row.summary or "",
                "url": row.url,
                "countries": {},
                "topics": {},
            }
        for row in conn.execute(
            select(
                article_countries.c.article_id,
                article_countries.c.iso3,
                article_countries.c.evidence,
            )
            .where(article_countries.c.article_id.in_(ids))
            .order_by(article_countries.c.article_id, article_countries.c.iso3)
        ):
            out[row.article_id]["countries"][row.iso3] = _load_evidence(row.evidence)
        for row in conn.execute(
            select(article_topics.c.article_id, article_topics.c.topic, article_topics.c.evidence)
            .where(article_topics.c.article_id.in_(ids))
            .order_by(article_topics.c.article_id, article_topics.c.topic)
        ):
            out[row.article_id]["topics"][row.topic] = _load_evidence(row.evidence)
    return out


def _load_evidence(raw: str | None) -> list[dict[str, Any]]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    clean = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("start"), int):
            clean.append(
                {
                    "text": str(item.get("text", "")),
                    "type": str(item.get("type", "")),
                    "start": int(item["start"]),
                }
            )
    return clean


# --------------------------------------------------------------------------------------------
# Feeds


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


def recent_polls(engine: Engine, feed_id: int, limit: int = 20) -> pd.DataFrame:
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
    return _frame(engine, query)


def spike_score(recent: float, expected: float) -> float:
    """The spike score of ``recent`` articles against ``expected`` (see SPIKE_EXPLANATION)."""
    return (recent - expected) / math.sqrt(expected + 1)

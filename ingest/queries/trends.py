"""Counts over time: coverage series with their spike scores, rising countries and pairs, and a
country pair's timeline. Counting stories (``ingest.queries.tally``), a story counts once, on
the day of its first article in the view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    case,
    func,
    intersect,
    literal,
    or_,
    select,
)

from ingest.filter_words import topic_label
from ingest.filters import Filters, article_where, country_tag_where, day_start, rollup_where
from ingest.geo import country_name
from ingest.queries.aggregates import (
    Kind,
    Source,
    reads_story_days,
    route_for,
    route_source,
    source,
)
from ingest.queries.counts import country_counts, topic_counts
from ingest.queries.read import frame, scalar
from ingest.queries.tally import story_key, with_stories
from ingest.store import (
    article_countries,
    article_topics,
    articles,
    story_country_days,
    story_days,
)

# The spike score, defined once (``spike_score``) for the coverage chart and for rising:
# how far back the baseline reaches (days, and weeks for weekly series), the recent window
# rising compares with it, and what counts as a spike.
BASELINE_DAYS = 28
BASELINE_WEEKS = BASELINE_DAYS // 7
RECENT_DAYS = 7
SPIKE_SCORE = 3.0
SPIKE_MIN_ARTICLES = 5
# Rising scores only against a baseline that exists: the store must hold articles on at least
# BASELINE_MIN_DAYS of the BASELINE_DAYS before the window, and the country or pair itself at
# least BASELINE_MIN_ARTICLES there (else "expected 0.0" makes any count a huge score).
BASELINE_MIN_DAYS = BASELINE_DAYS // 2
BASELINE_MIN_ARTICLES = SPIKE_MIN_ARTICLES
# The rolling mean drawn beside each series: a week of days, or four weeks.
ROLLING_DAYS = 7
ROLLING_WEEKS = 4
ROLLING_MONTHS = 3
# The grain a coverage chart picks from its range unless one is chosen: days up to
# GRAIN_DAYS_UP_TO days, weeks up to GRAIN_WEEKS_UP_TO days (about three years), months beyond.
GRAIN_DAYS_UP_TO = 120
GRAIN_WEEKS_UP_TO = 1096
# A share of all coverage is drawn only for periods holding at least this many articles in
# all (a day with one article would show 100%); its rolling mean likewise over the window.
MIN_SHARE_TOTAL = 20
# The countries a coverage chart draws when none is chosen: the most mentioned.
TOP_SERIES = 5
# The rising countries or pairs listed.
RISING_LIMIT = 10


def spike_explanation(unit: str = "articles") -> str:
    """How a spike is scored, in the ``unit`` counted (articles, or stories)."""
    return (
        f"Spike score = ({unit} in the window − {unit} expected from the baseline) ÷ "
        "√(expected + 1), where the baseline is the average of the previous "
        f"{BASELINE_DAYS} days. About 0 is usual; 3 or more (with at least "
        f"{SPIKE_MIN_ARTICLES} {unit}) is marked as a spike."
    )


SPIKE_EXPLANATION = spike_explanation()

# --------------------------------------------------------------------------------------------
# Time series


def spike_score(observed: Any, expected: Any) -> Any:
    """The spike score of ``observed`` articles against ``expected`` (see SPIKE_EXPLANATION):
    numbers, NumPy arrays or pandas Series alike."""
    return (observed - expected) / np.sqrt(expected + 1)


def is_spike(score: Any, observed: Any) -> Any:
    """Whether a score marks a spike: high enough, on enough articles."""
    return (score >= SPIKE_SCORE) & (observed >= SPIKE_MIN_ARTICLES)


def _day_index(start: date, end: date) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="D")


def _daily(engine: Engine, series_filter: Filters, first_id: int | None = None) -> pd.Series:
    """Articles per day for ``series_filter`` (aggregate when exact, else a scan); counting
    stories, the stories whose first matching article is of that day. ``first_id`` (no
    article of the range has a lower id: ``first_id_since``) lets a scan of articles start
    from the tag indexes (``_tag_driver``) instead of every article of the range."""
    route = route_for(series_filter)
    if route is not None:
        src = route_source(route, series_filter, by_day=True)
        query = select(src.c.day, func.sum(src.c.articles)).where(*src.where).group_by(src.c.day)
    elif series_filter.count_stories and reads_story_days(series_filter):
        d = story_days.c
        first = (
            select(func.min(d.day).label("day"))
            .where(*rollup_where(story_days, series_filter))
            .group_by(d.story_id)
            .subquery("first_days")
        )
        query = select(first.c.day, func.count()).group_by(first.c.day)
    elif series_filter.count_stories:
        first = (
            select(func.min(articles.c.published_day).label("day"))
            .select_from(with_stories(articles, series_filter))
            .where(*article_where(series_filter))
            .group_by(story_key())
            .subquery("first_days")
        )
        query = select(first.c.day, func.count()).group_by(first.c.day)
    else:
        drive = _tag_driver(series_filter, first_id) if first_id is not None else []
        query = (
            select(articles.c.published_day, func.count())
            .where(*article_where(series_filter), *drive)
            .group_by(articles.c.published_day)
        )
    df = frame(engine, query, ["day", "articles"])
    s = pd.Series(df["articles"].astype(int).to_numpy(), index=pd.to_datetime(df["day"]))
    return s.reindex(_day_index(series_filter.date_from, series_filter.date_to), fill_value=0)


def first_id_since(engine: Engine, day: date) -> int | None:
    """The lowest id of the articles published on ``day`` or later (None: there are none).
    Ids follow arrival, so every article of those days, and every article stored after this
    is read, has an id at least this: the lower bound of a scan's ids (``_tag_driver``)."""
    # min(id + 0), not min(id): the latter tempts SQLite (and PostgreSQL) to walk the primary
    # key from the first article until one is recent enough, most of the table; this reads
    # the dates' index from ``day`` on.
    lowest = func.min(articles.c.id + 0)
    return scalar(engine, select(lowest).where(articles.c.published_at >= day_start(day)))


def _tag_driver(f: Filters, first_id: int) -> list[ColumnElement[bool]]:
    """A condition implied by ``f``'s country, pair and topic filters (whatever the mention
    rule: any tag row of the country or topic, prominent or not) and by its dates (ids from
    ``first_id``), that the tag indexes answer alone: the ids of the articles bearing every
    chosen tag (one of the countries, each of the pair, one of the topics) from ``first_id``
    on. Added to ``article_where(f)`` it changes no count, but the scan reads only the
    articles holding those tags in the range, not every article of the range; [] when ``f``
    has no such filter."""
    c, t = article_countries.c, article_topics.c
    tagged = []
    if f.countries:
        tagged.append(select(c.article_id).where(c.iso3.in_(f.countries), c.article_id >= first_id))
    for code in f.pair or ():
        tagged.append(select(c.article_id).where(c.iso3 == code, c.article_id >= first_id))
    if f.topics:
        tagged.append(select(t.article_id).where(t.topic.in_(f.topics), t.article_id >= first_id))
    if not tagged:
        return []
    if len(tagged) == 1:
        return [articles.c.id.in_(tagged[0])]
    # Ordered by id, which each index already is: SQLite merges the lists instead of sorting
    # each into a temporary tree (a third of the time).
    both = intersect(*tagged)
    return [articles.c.id.in_(both.order_by(both.selected_columns.article_id))]


def _daily_countries(engine: Engine, f: Filters, codes: list[str]) -> dict[str, pd.Series]:
    """Daily series of several countries in one aggregate query, when the aggregate is exact
    for each (no topic, pair or search filter); {} otherwise."""
    if not codes or f.topics or f.pair or f.search or f.count_stories or f.entities:
        return {}
    src = source(Kind.COUNTRY, f, lambda t: [t.c.iso3.in_(codes)], by_day=True)
    query = (
        select(src.c.day, src.c.iso3, func.sum(src.c.articles))
        .where(*src.where)
        .group_by(src.c.day, src.c.iso3)
    )
    return _by_country(frame(engine, query, ["day", "iso3", "articles"]), f, codes)


def _by_country(df: pd.DataFrame, f: Filters, codes: list[str]) -> dict[str, pd.Series]:
    """``day, iso3, articles`` rows as one daily series per code over ``f``'s days (0 where a
    day has no row)."""
    index = _day_index(f.date_from, f.date_to)
    out = {}
    for code in codes:
        part = df[df["iso3"] == code]
        s = pd.Series(part["articles"].astype(int).to_numpy(), index=pd.to_datetime(part["day"]))
        out[code] = s.reindex(index, fill_value=0)
    return out


def _daily_country_stories(engine: Engine, f: Filters, codes: list[str]) -> dict[str, pd.Series]:
    """Counting stories: the daily series of several countries in one scan of their tags (a
    story counted on the day of its first article tagged with the country, as ``_daily``
    counts one country's), not one scan of the articles per country; {} when ``f`` counts
    articles. Under the date, language and outlet filters alone (and the mention rule), from
    ``story_country_days`` instead of the tags."""
    if not codes or not f.count_stories:
        return {}
    rest = f.with_(countries=())  # each series' own country is the join's
    if reads_story_days(rest):  # which stories mention each country per day: no scan
        d = story_country_days.c
        first = (
            select(d.iso3, func.min(d.day).label("day"))
            .where(d.iso3.in_(codes), *rollup_where(story_country_days, rest))
            .group_by(d.iso3, d.story_id)
            .subquery("first_days")
        )
        query = select(first.c.day, first.c.iso3, func.count()).group_by(first.c.day, first.c.iso3)
        return _by_country(frame(engine, query, ["day", "iso3", "articles"]), f, codes)
    tags = article_countries.alias()
    tagged = articles.join(tags, tags.c.article_id == articles.c.id)
    first = (
        select(tags.c.iso3, func.min(articles.c.published_day).label("day"))
        .select_from(with_stories(tagged, rest))
        .where(
            tags.c.iso3.in_(codes),
            # the tags' (iso3, article_id) index read from the range's first article on: the
            # countries' tags of the range, not of all time (ids follow arrival)
            tags.c.article_id >= (first_id_since(engine, f.date_from) or 0),
            *country_tag_where(tags, rest),
            *article_where(rest),
        )
        .group_by(tags.c.iso3, story_key())
        .subquery("first_days")
    )
    query = select(first.c.day, first.c.iso3, func.count()).group_by(first.c.day, first.c.iso3)
    return _by_country(frame(engine, query, ["day", "iso3", "articles"]), f, codes)


def grain_for(f: Filters) -> str:
    """The time grain ("D", "W" or "M") that suits the length of ``f``'s date range."""
    days = (f.date_to - f.date_from).days + 1
    return "D" if days <= GRAIN_DAYS_UP_TO else "W" if days <= GRAIN_WEEKS_UP_TO else "M"


def period_start(day: date, freq: str) -> date:
    """The first day of the period (day, week from Monday, month) that holds ``day``."""
    if freq == "W":
        return day - timedelta(days=day.weekday())
    if freq == "M":
        return day.replace(day=1)
    return day


def period_end(start: date, freq: str) -> date:
    """The last day of the period that starts on ``start``."""
    if freq == "W":
        return start + timedelta(days=6)
    if freq == "M":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start


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
    """Counts over time for each series of ``series_keys(f, by)`` (no country or topic chosen:
    the ``TOP_SERIES`` most covered of the view): period, key, label, articles,
    total (all coverage under the date/language/outlet filters), share, rolling mean, baseline,
    spike score, spike (bool). ``freq`` is "D" (daily), "W" (weeks starting Monday) or "M"
    (calendar months)."""
    if by == "country" and not f.countries:
        top = country_counts(engine, f, limit=TOP_SERIES)
        f = f.with_(countries=tuple(top["iso3"]))
    if by == "topic" and not f.topics:  # the most covered topics, as for countries
        f = f.with_(topics=tuple(topic_counts(engine, f)["topic"].head(TOP_SERIES)))
    back = f.date_from - timedelta(days=BASELINE_DAYS)
    if freq == "M":  # the whole month before, as the baseline of the first
        back = period_start(period_start(f.date_from, "M") - timedelta(days=1), "M")
    history = f.with_(date_from=back)
    base = f.outlets_only(history.date_from, history.date_to)
    total = _daily(engine, base)
    frames = []
    keys = series_keys(history, by)
    codes = [k for k, _, _ in keys] if by == "country" else []
    many = _daily_countries(engine, history, codes) or _daily_country_stories(
        engine, history, codes
    )
    for key, label, sf in keys:
        s = many[key] if key in many else _daily(engine, sf)
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
                "rolling_share",
                "rolling_total",
                "baseline",
                "score",
                "spike",
            ]
        )
    return pd.concat(frames, ignore_index=True)


def _baseline(s: pd.Series, window: int) -> np.ndarray:
    """Each period's expected count: the mean of the ``window`` periods before it."""
    return s.shift(1).rolling(window, min_periods=max(1, window // 2)).mean().to_numpy()


@dataclass(frozen=True)
class SpikePoint:
    """One day of a series with its spike score, as the coverage chart scores it."""

    day: date
    articles: int
    expected: float  # from the BASELINE_DAYS before
    score: float


def spike_point(engine: Engine, f: Filters, *, first_id: int | None = None) -> SpikePoint:
    """The last day of ``f`` (``f.date_to``) in its daily series with its spike score: the
    point ``coverage_series(f, by="all")`` ends on, read from the BASELINE_DAYS before and
    that day only, without the chart's other columns. ``first_id`` (``first_id_since`` the
    baseline's first day, read once for many calls) lets a scan start from the tag indexes."""
    history = _spike_history(f)
    return _last_point(_daily(engine, history, first_id), history.date_to)


def _spike_history(f: Filters) -> Filters:
    """``f`` over its last day and the BASELINE_DAYS before: what a spike point reads."""
    return f.with_(date_from=f.date_to - timedelta(days=BASELINE_DAYS))


def _last_point(s: pd.Series, day: date) -> SpikePoint:
    """The last day of a daily series (``_daily``'s, over ``_spike_history``) scored."""
    observed = int(s.iloc[-1])
    expected = float(_baseline(s, BASELINE_DAYS)[-1])
    return SpikePoint(day, observed, expected, float(spike_score(observed, expected)))


_KEY_COLUMNS = {Kind.TOTAL: (), Kind.COUNTRY: ("iso3",), Kind.PAIR: ("iso3_a", "iso3_b"),
                Kind.TOPIC: ("topic",)}  # fmt: skip


def rolled_spike_points(engine: Engine, views: Sequence[Filters]) -> dict[int, SpikePoint]:
    """``spike_point`` of each of ``views`` that the roll-ups answer exactly (``route_for``),
    by its index in ``views``, read in one grouped query for all the views that share an
    aggregate and the filters the aggregates carry (languages, outlets, which mentions count,
    dates) — one query for ten watches of ten country pairs, instead of ten; the others are
    left out (a scan each: ``spike_point``)."""
    groups: dict[tuple[Kind, Filters], list[tuple[int, tuple[str, ...]]]] = {}
    for n, f in enumerate(views):
        route = route_for(f)
        if route is None:
            continue
        history = _spike_history(f)
        base = history.outlets_only(history.date_from, history.date_to)
        groups.setdefault((route.kind, base), []).append((n, route.key))
    points: dict[int, SpikePoint] = {}
    for (kind, base), members in groups.items():
        names = _KEY_COLUMNS[kind]
        keys = sorted({key for _, key in members})

        def chosen(t: Any, names: tuple[str, ...] = names, keys: list = keys) -> list[Any]:
            if not names:
                return []
            return [or_(*(and_(*(t.c[c] == v for c, v in zip(names, key, strict=True)))
                          for key in keys))]  # fmt: skip

        src = source(kind, base, chosen, by_day=True)
        columns = [src.c[c] for c in names]
        query = (
            select(src.c.day, *columns, func.sum(src.c.articles))
            .where(*src.where)
            .group_by(src.c.day, *columns)
        )
        df = frame(engine, query, ["day", *names, "articles"])
        df["day"] = pd.to_datetime(df["day"])
        index = _day_index(base.date_from, base.date_to)
        by_key: dict[tuple[str, ...], pd.DataFrame] = {(): df}
        if names:  # keys as tuples, whatever pandas makes of a one-column group
            parts = df.groupby(list(names), sort=False)
            by_key = {k if isinstance(k, tuple) else (k,): part for k, part in parts}
        for n, key in members:
            part = by_key.get(tuple(key), df.iloc[0:0])
            s = pd.Series(part["articles"].astype(int).to_numpy(), index=part["day"].to_numpy())
            points[n] = _last_point(s.reindex(index, fill_value=0), base.date_to)
    return points


TAGGED_MIN_VIEWS = 3  # views of one shape read together; fewer are cheaper scanned each


def _tag_shape(f: Filters) -> str | None:
    """ "country-topic" (one country, one topic) or "pair-topic" (a pair, one topic): the
    scans ``tagged_spike_points`` reads together; None for any other view (one with a filter
    its grouped join does not apply, such as text or people and organisations)."""
    if route_for(f) is not None or f.search or f.entities or f.count_stories or len(f.topics) != 1:
        return None
    if f.pair and not f.countries:
        return "pair-topic"
    if len(f.countries) == 1 and not f.pair:
        return "country-topic"
    return None


def tagged_spike_points(
    engine: Engine, views: Sequence[Filters], first_id: int | None
) -> dict[int, SpikePoint]:
    """``spike_point`` of each of ``views`` that counts the articles bearing one country tag
    (or both of a pair's) and one topic tag (``_tag_shape``), by its index in ``views``, read
    in one grouped join of the tag tables for all such views that share a shape and the
    other filters (languages, outlets, which mentions count, dates) — when at least
    TAGGED_MIN_VIEWS do. Each (article, country) and (article, topic) is one tag row (the
    tables' primary keys), so the join counts each article once per country (pair) and
    topic. ``first_id``: ``first_id_since`` the baseline's first day (None: no article)."""
    groups: dict[tuple[str, Filters], list[tuple[int, tuple[str, ...]]]] = {}
    for n, f in enumerate(views):
        shape = _tag_shape(f)
        if shape is None:
            continue
        history = _spike_history(f)
        base = history.outlets_only(history.date_from, history.date_to)
        key = (*(f.pair or f.countries), f.topics[0])
        groups.setdefault((shape, base), []).append((n, key))
    points: dict[int, SpikePoint] = {}
    for (shape, base), members in groups.items():
        if len(members) < TAGGED_MIN_VIEWS:
            continue
        index = _day_index(base.date_from, base.date_to)
        counts: dict[tuple[str, ...], pd.Series] = {}
        if first_id is not None:
            counts = _tagged_daily(engine, shape, base, [k for _, k in members], first_id)
        empty = pd.Series(0, index=index)
        for n, key in members:
            s = counts.get(key, empty).reindex(index, fill_value=0)
            points[n] = _last_point(s, base.date_to)
    return points


def _tagged_daily(
    engine: Engine, shape: str, base: Filters, keys: list[tuple[str, ...]], first_id: int
) -> dict[tuple[str, ...], pd.Series]:
    """Articles per day of each key — (country, topic) or (country a, country b, topic) —
    under ``base``'s filters (dates, languages, outlets, mentions): one grouped query."""
    codes = [key[:-1] for key in keys]
    t = article_topics.alias("tt")
    tags = [article_countries.alias(f"tc{i}") for i in range(len(codes[0]))]
    joined: Any = tags[0]
    for other in tags[1:]:
        joined = joined.join(
            other, and_(other.c.article_id == tags[0].c.article_id, tags[0].c.iso3 < other.c.iso3)
        )
    joined = joined.join(t, t.c.article_id == tags[0].c.article_id).join(
        articles, articles.c.id == tags[0].c.article_id
    )
    conds = [tags[0].c.article_id >= first_id, t.c.topic.in_(sorted({k[-1] for k in keys}))]
    for i, tag in enumerate(tags):
        conds += [tag.c.iso3.in_(sorted({c[i] for c in codes})), *country_tag_where(tag, base)]
    columns = [tag.c.iso3.label(f"c{i}") for i, tag in enumerate(tags)]
    query = (
        select(articles.c.published_day, *columns, t.c.topic, func.count())
        .select_from(joined)
        .where(*conds, *article_where(base))
        .group_by(articles.c.published_day, *(tag.c.iso3 for tag in tags), t.c.topic)
    )
    names = [c.name for c in columns]
    df = frame(engine, query, ["day", *names, "topic", "articles"])
    df["day"] = pd.to_datetime(df["day"])
    wanted = set(keys)
    out: dict[tuple[str, ...], pd.Series] = {}
    for key, part in df.groupby([*names, "topic"], sort=False):
        if key in wanted:
            out[key] = pd.Series(part["articles"].astype(int).to_numpy(), index=part["day"])
    return out


def day_count(engine: Engine, f: Filters, *, first_id: int | None = None) -> int:
    """The articles (or stories) of ``f``'s last day as its daily series counts them;
    ``first_id``: ``first_id_since`` that day."""
    return int(_daily(engine, f.with_(date_from=f.date_to), first_id).iloc[-1])


def _analyse(
    s: pd.Series, total: pd.Series, key: str, label: str, freq: str, first: date
) -> pd.DataFrame:
    if freq == "W":
        s = s.resample("W-MON", label="left", closed="left").sum()
        total = total.resample("W-MON", label="left", closed="left").sum()
        window = max(1, BASELINE_WEEKS)
        rolling_window = ROLLING_WEEKS
    elif freq == "M":
        s = s.resample("MS").sum()
        total = total.resample("MS").sum()
        window = 1  # the month before: about BASELINE_DAYS
        rolling_window = ROLLING_MONTHS
    else:
        window = BASELINE_DAYS
        rolling_window = ROLLING_DAYS
    baseline = _baseline(s, window)
    articles_ = s.to_numpy()
    totals = total.reindex(s.index, fill_value=0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(totals > 0, articles_ / np.where(totals > 0, totals, 1), 0.0)
        score = spike_score(articles_, baseline)
        # The rolling share: the window's articles over the window's total (not a mean of
        # ratios, which thin periods would swing).
        rolling_total = (
            pd.Series(totals, index=s.index).rolling(rolling_window, min_periods=1).sum()
        ).to_numpy()
        rolling_articles = s.rolling(rolling_window, min_periods=1).sum().to_numpy()
        rolling_share = np.where(
            rolling_total > 0, rolling_articles / np.where(rolling_total > 0, rolling_total, 1), 0.0
        )
    keep = s.index >= pd.Timestamp(period_start(first, freq))
    return pd.DataFrame(
        {
            "period": s.index[keep],
            "key": key,
            "label": label,
            "articles": articles_[keep],
            "total": totals[keep],
            "share": share[keep],
            "rolling": s.rolling(rolling_window, min_periods=1).mean().to_numpy()[keep],
            "rolling_share": rolling_share[keep],
            "rolling_total": rolling_total[keep],
            "baseline": baseline[keep],
            "score": score[keep],
            "spike": is_spike(score, articles_)[keep],
        }
    )


def point_filters(f: Filters, by: str, key: str, period: date, freq: str = "D") -> Filters:
    """The filters of the articles behind one point of a coverage chart."""
    end = period_end(period, freq)
    g = f.with_(date_from=max(period, f.date_from), date_to=min(end, f.date_to))
    if by == "country":
        return g.with_(countries=(key,))
    if by == "topic":
        return g.with_(topics=(key,))
    return g


def rising_windows(f: Filters) -> tuple[date, date]:
    """The first day of the baseline and of the recent window that rising compares."""
    recent_start = f.date_to - timedelta(days=RECENT_DAYS - 1)
    return recent_start - timedelta(days=BASELINE_DAYS), recent_start


def baseline_days(engine: Engine, f: Filters) -> int:
    """On how many of the BASELINE_DAYS before rising's recent window the store holds articles
    (under the language and outlet filters): below BASELINE_MIN_DAYS there is no baseline."""
    base_start, recent_start = rising_windows(f)
    g = Filters(
        base_start, recent_start - timedelta(days=1), languages=f.languages, feed_ids=f.feed_ids
    )
    return int((_daily(engine, g) > 0).sum())


def rising(
    engine: Engine, f: Filters, kind: str = "country", limit: int = RISING_LIMIT
) -> pd.DataFrame:
    """Countries or pairs rising fastest against their own baseline, ending at ``f.date_to``:
    key, label, recent (last RECENT_DAYS days), expected (from the BASELINE_DAYS before), score.
    Reads the aggregates: the date, language and outlet filters apply, and a country filter keeps
    the countries (or pairs involving them) selected. Scored only where a baseline exists (see
    BASELINE_MIN_DAYS, BASELINE_MIN_ARTICLES): empty when the store holds too little before.
    Counting stories (a scan), each story counts in the window of its first article."""
    empty = pd.DataFrame(columns=["key", "label", "recent", "expected", "score"])
    if baseline_days(engine, f) < BASELINE_MIN_DAYS:
        return empty
    end = f.date_to
    base_start, recent_start = rising_windows(f)
    g = f.outlets_only(base_start, end)
    codes = list(f.countries)

    def chosen(t: Any) -> list[ColumnElement[bool]]:
        if not codes:
            return []
        if kind == "pair":
            return [or_(t.c.iso3_a.in_(codes), t.c.iso3_b.in_(codes))]
        return [t.c.iso3.in_(codes)]

    if g.count_stories:
        src = _story_days(g, kind, chosen)
        counted: Any = literal(1)
    else:
        src = source(Kind.PAIR if kind == "pair" else Kind.COUNTRY, g, chosen, by_day=True)
        counted = src.c.articles
    keys = [src.c.iso3_a, src.c.iso3_b] if kind == "pair" else [src.c.iso3]
    is_recent = src.c.day >= recent_start.isoformat()
    query = (
        select(
            *keys,
            func.sum(case((is_recent, counted), else_=0)).label("recent"),
            func.sum(case((is_recent, 0), else_=counted)).label("before"),
        )
        .where(*src.where)
        .group_by(*keys)
    )
    names = [k.name for k in keys]
    df = frame(engine, query, [*names, "recent", "before"])
    df = df[(df["recent"] >= SPIKE_MIN_ARTICLES) & (df["before"] >= BASELINE_MIN_ARTICLES)]
    if df.empty:
        return empty
    df = df.assign(expected=df["before"].astype(float) * RECENT_DAYS / BASELINE_DAYS)
    df["score"] = spike_score(df["recent"], df["expected"])
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


def _story_days(g: Filters, kind: str, chosen: Callable[[Any], list[Any]]) -> Source:
    """Rising's rows counting stories: one per country (or pair) and story, with the day of the
    story's first article mentioning it under ``g`` (a scan: the aggregates count articles)."""
    if kind == "pair":
        a, b = article_countries.alias("a"), article_countries.alias("b")
        j = articles.join(a, a.c.article_id == articles.c.id).join(
            b, and_(b.c.article_id == articles.c.id, a.c.iso3 < b.c.iso3)
        )
        keys = [a.c.iso3.label("iso3_a"), b.c.iso3.label("iso3_b")]
        tags = [*country_tag_where(a, g), *country_tag_where(b, g)]
        picked = chosen(_Keys(iso3_a=a.c.iso3, iso3_b=b.c.iso3))
    else:
        j = articles.join(article_countries, article_countries.c.article_id == articles.c.id)
        keys = [article_countries.c.iso3.label("iso3")]
        tags = country_tag_where(article_countries, g)
        picked = chosen(_Keys(iso3=article_countries.c.iso3))
    rows = (
        select(*keys, func.min(articles.c.published_day).label("day"))
        .select_from(with_stories(j, g))
        .where(*article_where(g), *tags, *picked)
        .group_by(*(k.element for k in keys), story_key())
        .subquery("story_days")
    )
    return Source(rows, [])


class _Keys:
    """Columns by name as ``chosen`` reads them (``t.c.iso3``) on a scan's joined aliases."""

    def __init__(self, **columns: Any) -> None:
        self.c = SimpleNamespace(**columns)


# --------------------------------------------------------------------------------------------
# Country pair


def pair_timeline(engine: Engine, f: Filters, freq: str = "D") -> pd.DataFrame:
    """For ``f.pair`` = (A, B): per period, articles mentioning both, A without B, B without A."""
    if not f.pair:
        raise ValueError("pair_timeline needs a pair in the filters")
    a, b = f.pair
    joint = _daily(engine, f)
    only_a = _daily(engine, f.with_(pair=None, countries=(a,)))
    only_b = _daily(engine, f.with_(pair=None, countries=(b,)))
    df = pd.DataFrame(
        {
            "both": joint,
            "a_only": (only_a - joint).clip(lower=0),
            "b_only": (only_b - joint).clip(lower=0),
        }
    )
    if freq == "W":
        df = df.resample("W-MON", label="left", closed="left").sum()
    elif freq == "M":
        df = df.resample("MS").sum()
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

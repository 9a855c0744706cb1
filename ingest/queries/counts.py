"""Counts: store-wide facts (the span of dates held, totals for ``stats``) and articles per
country, pair, topic, language and outlet in a filtered period (or distinct stories, when the
view counts stories: ``ingest.queries.tally``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Engine,
    and_,
    case,
    distinct,
    func,
    literal,
    select,
    union_all,
)

from ingest.filter_words import language_name, outlet_type_label, topic_label
from ingest.filters import (
    Filters,
    article_where,
    country_tag_where,
    rollup_where,
)
from ingest.geo import country_name
from ingest.queries.aggregates import (
    Kind,
    pairs_with,
    reads_story_days,
    route_for,
    route_source,
    source,
)
from ingest.queries.feeds import _health, feed_homes, feed_types, outlets
from ingest.queries.read import frame, literal_column_desc, scalar
from ingest.queries.tally import story_key, tally, with_stories
from ingest.queries.texts import text_coverage, text_status_counts
from ingest.store import (
    article_countries,
    article_topics,
    articles,
    daily_total,
    feeds,
    rollup_monthly_country,
    rollup_monthly_total,
    story_country_days,
    story_days,
    story_pair_days,
)

# --------------------------------------------------------------------------------------------
# Store-wide facts

# How much a view shows unless asked otherwise: the days of the default view (the last ones of
# the data held), the pairs of a pair list, the countries of the co-mention matrix and of the
# who-covers-whom chart.
DEFAULT_VIEW_DAYS = 30
TOP_PAIRS = 20
MATRIX_COUNTRIES = 12
COVERAGE_COUNTRIES = 15


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


def default_filters(engine: Engine, days: int = DEFAULT_VIEW_DAYS) -> Filters:
    """The last ``days`` days of data held (not of the wall clock), demo store or live: a
    sidebar button widens the view to everything held in one click."""
    span = data_date_range(engine)
    end = span[1] if span else datetime.now(UTC).date()
    start = end - timedelta(days=days - 1)
    if span and start < span[0]:
        start = span[0]
    return Filters(date_from=start, date_to=end)


def is_empty(engine: Engine) -> bool:
    return scalar(engine, select(articles.c.id).limit(1)) is None


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
    coverage = text_coverage(engine)
    return {
        "articles": int(n_articles),
        "feeds": int(n_feeds),
        "countries": int(n_countries),
        "languages": by_language,
        "feeds_by_health": dict(sorted(health.items())),
        "first_day": span[0].isoformat() if span else None,
        "last_day": span[1].isoformat() if span else None,
        "demo_only": is_demo_only(engine),
        "full_text_pages": text_status_counts(engine),
        "full_text_by_feed": [
            row
            for row in coverage.to_dict("records")
            if row["texts_ok"] or row["texts_failed"] or row["texts_pending"]
        ],
    }


# --------------------------------------------------------------------------------------------
# Counts and totals


def count_articles(engine: Engine, f: Filters) -> int:
    """The articles matching ``f`` (whatever ``f`` counts: the rows a list or export holds)."""
    return coverage_count(engine, f.with_(count_stories=False))


def coverage_count(engine: Engine, f: Filters) -> int:
    """What ``f`` counts of its matching articles: the articles, or their distinct stories."""
    route = route_for(f)
    if route is not None:
        src = route_source(route, f)
        query = select(func.coalesce(func.sum(src.c.articles), 0)).where(*src.where)
    elif f.count_stories and reads_story_days(f):
        d = story_days.c
        query = select(func.count(distinct(d.story_id))).where(*rollup_where(story_days, f))
    else:
        query = select(tally(f)).select_from(with_stories(articles, f)).where(*article_where(f))
    return int(scalar(engine, query) or 0)


def base_total(engine: Engine, f: Filters) -> int:
    """All articles (or stories) in the period under the date, language and outlet filters
    only."""
    base = f.outlets_only(f.date_from, f.date_to)
    return coverage_count(engine, base)


def totals(engine: Engine, f: Filters) -> dict[str, int]:
    """Articles (or stories), outlets, languages and countries in the filtered period."""
    route = route_for(f)
    with engine.connect() as conn:
        if route is not None and route.kind is Kind.TOTAL:
            total = source(Kind.TOTAL, f)
            n, n_languages = conn.execute(
                select(
                    func.coalesce(func.sum(total.c.articles), 0),
                    func.count(distinct(total.c.language)),
                ).where(*total.where)
            ).one()
            # Outlets need the per-feed aggregate (one row per day × feed × language: small).
            n_feeds = conn.execute(
                select(func.count(distinct(daily_total.c.feed_id))).where(
                    *rollup_where(daily_total, f)
                )
            ).scalar_one()
            row = (n, n_feeds, n_languages)
            countries = source(Kind.COUNTRY, f)
            n_countries = conn.execute(
                select(func.count(distinct(countries.c.iso3))).where(*countries.where)
            ).scalar_one()
        else:
            matching = select(articles.c.id).where(*article_where(f)).subquery()
            row = conn.execute(
                select(
                    tally(f),
                    func.count(distinct(articles.c.feed_id)),
                    func.count(distinct(articles.c.language)),
                )
                .select_from(with_stories(articles, f))
                .where(*article_where(f))
            ).one()
            n_countries = conn.execute(
                select(func.count(distinct(article_countries.c.iso3))).where(
                    article_countries.c.article_id.in_(select(matching.c.id)),
                    *country_tag_where(article_countries, f),
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
    (share = fraction of ALL articles in the period, under the date/language/outlet filters).
    Counting stories, ``articles`` holds the distinct stories and the share's base is stories;
    under the date, language and outlet filters alone, read from ``story_country_days`` (a
    year at 1M: 2.95 s → 0.21 s, ``bench.bench_story_reads``)."""
    route = route_for(f)
    if route is not None and route.kind is Kind.TOTAL:
        src = source(Kind.COUNTRY, f)
        n: Any = func.sum(src.c.articles)
        query = select(src.c.iso3, n.label("articles")).where(*src.where).group_by(src.c.iso3)
    elif route is not None and route.kind is Kind.COUNTRY:
        focus = route.key[0]
        mine = route_source(route, f)
        own = select(literal(focus).label("iso3"), func.sum(mine.c.articles)).where(*mine.where)
        pairs = source(Kind.PAIR, f, pairs_with(focus))
        partner = case((pairs.c.iso3_a == focus, pairs.c.iso3_b), else_=pairs.c.iso3_a)
        others = select(partner.label("iso3"), func.sum(pairs.c.articles)).where(*pairs.where)
        u = union_all(own, others.group_by(partner)).subquery()
        cols = list(u.c)
        query = select(cols[0].label("iso3"), func.sum(cols[1]).label("articles")).group_by(cols[0])
    elif f.count_stories and reads_story_days(f):
        d = story_country_days.c
        query = (
            select(d.iso3, func.count(distinct(d.story_id)).label("articles"))
            .where(*rollup_where(story_country_days, f))
            .group_by(d.iso3)
        )
    else:
        n = tally(f)
        query = (
            select(article_countries.c.iso3, n.label("articles"))
            .select_from(
                with_stories(
                    article_countries.join(
                        articles, articles.c.id == article_countries.c.article_id
                    ),
                    f,
                )
            )
            .where(*article_where(f), *country_tag_where(article_countries, f))
            .group_by(article_countries.c.iso3)
        )
    query = query.order_by(literal_column_desc("articles"), "iso3")
    if limit:
        query = query.limit(limit)
    df = frame(engine, query, ["iso3", "articles"])
    df = df[df["articles"].fillna(0) > 0].reset_index(drop=True)
    df["articles"] = df["articles"].astype(int)
    total = base_total(engine, f)
    df.insert(1, "country", [country_name(c) for c in df["iso3"]])
    df["share"] = df["articles"] / total if total else 0.0
    return df


def pair_counts(engine: Engine, f: Filters, limit: int | None = TOP_PAIRS) -> pd.DataFrame:
    """Country pairs co-mentioned in the filtered articles: iso3_a, iso3_b, pair, articles."""
    return _pair_counts(engine, f, limit)


def _pair_counts(
    engine: Engine, f: Filters, limit: int | None, focus: str | None = None
) -> pd.DataFrame:
    """Pair counts; with ``focus``, only the pairs that include it (then a country filter of
    just ``focus`` can be answered from the aggregate exactly). Counting stories under the date,
    language and outlet filters alone: from ``story_pair_days``."""
    route = route_for(f)
    # All pairs (no content filter), or the pairs including the focus (a filter of just it).
    focused = route is not None and route.kind is Kind.COUNTRY and route.key == (focus,)
    if route is not None and (route.kind is Kind.TOTAL or focused):
        src = source(Kind.PAIR, f, pairs_with(focus) if focus and focused else None)
        query = (
            select(src.c.iso3_a, src.c.iso3_b, func.sum(src.c.articles).label("articles"))
            .where(*src.where)
            .group_by(src.c.iso3_a, src.c.iso3_b)
        )
    elif f.count_stories and reads_story_days(f):
        p = story_pair_days.c
        query = (
            select(p.iso3_a, p.iso3_b, func.count(distinct(p.story_id)).label("articles"))
            .where(*rollup_where(story_pair_days, f))
            .group_by(p.iso3_a, p.iso3_b)
        )
    else:
        a = article_countries.alias("a")
        b = article_countries.alias("b")
        j = articles.join(a, a.c.article_id == articles.c.id).join(
            b, and_(b.c.article_id == articles.c.id, a.c.iso3 < b.c.iso3)
        )
        query = (
            select(a.c.iso3.label("iso3_a"), b.c.iso3.label("iso3_b"), tally(f).label("articles"))
            .select_from(with_stories(j, f))
            .where(*article_where(f), *country_tag_where(a, f), *country_tag_where(b, f))
            .group_by(a.c.iso3, b.c.iso3)
        )
    query = query.order_by(literal_column_desc("articles"), "iso3_a", "iso3_b")
    if limit:
        query = query.limit(limit)
    df = frame(engine, query, ["iso3_a", "iso3_b", "articles"])
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


def pair_matrix(engine: Engine, f: Filters, size: int = MATRIX_COUNTRIES) -> pd.DataFrame:
    """Co-mention counts among the ``size`` most covered countries (long form: a, b, articles)."""
    top = country_counts(engine, f, limit=size)
    codes = list(top["iso3"])
    if len(codes) < 2:
        return pd.DataFrame(columns=["iso3_a", "iso3_b", "pair", "articles"])
    pairs = pair_counts(engine, f, limit=None)
    keep = pairs.iso3_a.isin(codes) & pairs.iso3_b.isin(codes)
    return pairs[keep].reset_index(drop=True)


def _grouped(engine: Engine, f: Filters, column: str) -> pd.DataFrame:
    """Articles (or stories) per ``column`` (language | feed_id | topic) for the filtered
    articles."""
    route = route_for(f)
    if column == "topic":
        if route is not None and route.kind is Kind.TOTAL:
            src = source(Kind.TOPIC, f)
            query = (
                select(src.c.topic.label("key"), func.sum(src.c.articles))
                .where(*src.where)
                .group_by(src.c.topic)
            )
        else:
            query = (
                select(article_topics.c.topic.label("key"), tally(f))
                .select_from(
                    with_stories(
                        article_topics.join(articles, articles.c.id == article_topics.c.article_id),
                        f,
                    )
                )
                .where(*article_where(f))
                .group_by(article_topics.c.topic)
            )
    elif route is not None:
        src = route_source(route, f, by_feed=column == "feed_id")
        col = src.c[column]
        query = select(col.label("key"), func.sum(src.c.articles)).where(*src.where).group_by(col)
    else:
        col = articles.c[column]
        query = (
            select(col.label("key"), tally(f))
            .select_from(with_stories(articles, f))
            .where(*article_where(f))
            .group_by(col)
        )
    df = frame(engine, query, ["key", "articles"])
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
    """Articles per outlet (its feeds summed: a catalogue feed and its archive copies are one
    outlet): feed_id (the outlet's first feed), outlet, home country, articles. Counting
    stories, an outlet's distinct stories (one carried by two of its feeds counts once)."""
    by_feed = {i: o for o in outlets(engine).values() for i in o.feed_ids}
    homes = feed_homes(engine)
    if f.count_stories:
        query = (
            select(articles.c.feed_id, story_key().label("story"))
            .select_from(with_stories(articles, f))
            .where(*article_where(f))
            .distinct()
        )
        df = frame(engine, query, ["feed_id", "story"])
    else:
        df = _grouped(engine, f, "feed_id").rename(columns={"key": "feed_id"})
    df["feed_id"] = df["feed_id"].fillna(0).astype(int)
    first = [by_feed[i].feed_ids[0] if i in by_feed else i for i in df["feed_id"]]
    per_outlet = df.assign(feed_id=first).groupby("feed_id", as_index=False, sort=False)
    if f.count_stories:
        df = per_outlet["story"].nunique().rename(columns={"story": "articles"})
    else:
        df = per_outlet["articles"].sum()
    df = df.sort_values(["articles", "feed_id"], ascending=[False, True]).reset_index(drop=True)
    df.insert(
        1, "outlet", [by_feed[i].name if i in by_feed else f"outlet #{i}" for i in df["feed_id"]]
    )
    df.insert(2, "home", [country_name(h) if (h := homes.get(i)) else "" for i in df["feed_id"]])
    return df.head(limit) if limit else df


def who_covers_whom(
    engine: Engine, f: Filters, countries: int = COVERAGE_COUNTRIES, by: str = "home"
) -> pd.DataFrame:
    """Outlet home country × country mentioned (long form: home, home_country, iso3, country,
    articles), for the ``countries`` most mentioned countries. ``by="type"``: the outlets' type
    (state-controlled, public broadcaster …) instead of their home, in the same columns."""
    if by not in ("home", "type"):
        raise ValueError(f"who covers whom by {by!r}: 'home' or 'type'")
    route = route_for(f)
    # Grouped by feed in SQL (an index-sized result) and by the feeds' home here: cheaper than
    # joining feeds to every aggregate row before grouping (88 → 65 ms all-time at 1M). Stories
    # are counted by home in SQL: a story carried by two outlets of one home counts once there.
    if f.count_stories:
        home = func.coalesce(feeds.c.country_iso3 if by == "home" else feeds.c.category, "")
        j = articles.join(feeds, feeds.c.id == articles.c.feed_id).join(
            article_countries, article_countries.c.article_id == articles.c.id
        )
        query = (
            select(home.label("home"), article_countries.c.iso3, tally(f))
            .select_from(with_stories(j, f))
            .where(*article_where(f), *country_tag_where(article_countries, f))
            .group_by(home, article_countries.c.iso3)
        )
        df = frame(engine, query, ["home", "iso3", "articles"])
        return _who_table(df, countries, by)
    if route is not None and route.kind is Kind.TOTAL:
        src = source(Kind.COUNTRY, f, by_feed=True)
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
            .where(*article_where(f), *country_tag_where(article_countries, f))
            .group_by(articles.c.feed_id, article_countries.c.iso3)
        )
    by_feed = frame(engine, query, ["feed_id", "iso3", "articles"])
    homes = feed_homes(engine) if by == "home" else feed_types(engine)
    by_feed = by_feed[by_feed["feed_id"].isin(list(homes))]  # outlets still in the catalogue
    by_feed = by_feed.assign(home=[homes[int(i)] or "" for i in by_feed["feed_id"]])
    df = by_feed.groupby(["home", "iso3"], as_index=False)["articles"].sum()
    return _who_table(df, countries, by)


def _who_table(df: pd.DataFrame, countries: int, by: str) -> pd.DataFrame:
    """Who covers whom from its counts per (home, iso3): the ``countries`` most mentioned."""
    if df.empty:
        return df.assign(home_country=[], country=[])
    df["articles"] = df["articles"].astype(int)
    top = df.groupby("iso3")["articles"].sum().sort_values(ascending=False).head(countries).index
    df = df[df["iso3"].isin(top)].copy()
    name = country_name if by == "home" else outlet_type_label
    df["home_country"] = [name(h) if h else "Unknown" for h in df["home"]]
    df["country"] = [country_name(c) for c in df["iso3"]]
    return df.sort_values(["home", "articles"], ascending=[True, False]).reset_index(drop=True)

"""Stories (issue 14): the top stories of a filtered period ranked by reach, and one story's
articles. A story is in a view when one of its articles matches the filters; its figures count
the articles that match.

Reach = outlets × languages × outlet countries (an outlet is its feeds' ``feeds.outlet`` key, so
a catalogue feed and its archive copies count once, a feed without a key alone; an outlet
without a home country counts as one country), so thirty outlets in nine languages outrank ten
sites republishing one wire story.

A story is named by its stable id (``STORY_ID``): the id of its first article (earliest
published, lowest id among equals; ``stories.first_article_id``). It depends only on which
articles the story holds, so ``restory``, another arrival order or another worker name a story
the same; the row id of ``stories`` does not (a rebuild numbers them again). The page's links,
its CSVs and ``python -m ingest export`` carry this id.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Integer, String, and_, cast, func, select

from ingest.filters import Filters, article_where, rollup_where
from ingest.queries.aggregates import reads_story_days
from ingest.queries.read import frame
from ingest.store import (
    article_countries,
    article_stories,
    articles,
    feeds,
    stories,
    story_country_days,
    story_days,
    story_pair_days,
)

TOP_STORIES = 20
STORY_ID = stories.c.first_article_id  # a story's stable id (module docstring)
ID_CHUNK = 5000  # article ids per IN (…) (SQLite binds at most 32,766 parameters)

STORY_COLUMNS = [
    "story",
    "articles",
    "outlets",
    "languages",
    "outlet_countries",
    "reach",
    "first_seen",
    "last_seen",
    "first_outlet",
    "first_title",
]

STORY_ARTICLE_COLUMNS = [
    "id",
    "published_at",
    "outlet",
    "outlet_country",
    "language",
    "title",
    "url",
    "countries",
]


def _one_country_or_pair(f: Filters) -> bool:
    """Whether ``f`` asks for one country or one pair (not both) and otherwise only what the
    story tables carry as columns (dates, languages, outlets, the mention rule)."""
    if f.pair:
        return not f.countries and reads_story_days(f.with_(pair=None))
    return len(f.countries) == 1 and reads_story_days(f.with_(countries=()))


def top_stories(engine: Engine, f: Filters, limit: int = TOP_STORIES) -> pd.DataFrame:
    """The stories with an article in the view, by reach then articles then first seen.

    Under the date, language and outlet filters alone (no content filter: what the aggregates
    answer, ``route_for``) the ranking reads ``story_days``, each story's articles per day ×
    feed × language, instead of every article of the period (a year at 1M: 2.5 s → ~0.1 s);
    its distinct counts are taken over those rows, so the figures are the same. Under one
    country or one pair as well, ``story_country_days`` or ``story_pair_days``: the same per
    cell for the articles naming it (prominently, unless any mention counts), with their number
    and first and last publication (a year at 1M under c=RUS: ~1 s reading its 157k articles,
    0.12 s so). Otherwise a scan of the matching articles."""
    if reads_story_days(f):
        d = story_days.c
        feed_id: Any = func.nullif(d.feed_id, 0)  # feed 0: no feed, as NULL is in articles
        language: Any = d.language
        n: Any = func.sum(d.articles)
        first_seen, last_seen = func.min(d.first_at), func.max(d.last_at)
        joined = story_days.join(stories, stories.c.id == d.story_id).outerjoin(
            feeds, feeds.c.id == d.feed_id
        )
        where = rollup_where(story_days, f)
    elif _one_country_or_pair(f):
        tags = story_pair_days if f.pair else story_country_days
        c = tags.c
        feed_id, language = func.nullif(c.feed_id, 0), c.language
        if f.any_mention:
            n, first_seen, last_seen = (
                func.sum(c.articles),
                func.min(c.first_at),
                func.max(c.last_at),
            )
        else:  # rows with a prominent article (rollup_where): those articles
            n = func.sum(c.prominent_articles)
            first_seen, last_seen = func.min(c.first_prominent_at), func.max(c.last_prominent_at)
        joined = tags.join(stories, stories.c.id == c.story_id).outerjoin(
            feeds, feeds.c.id == c.feed_id
        )
        if f.pair:
            low, high = sorted(f.pair)
            where = [c.iso3_a == low, c.iso3_b == high, *rollup_where(tags, f)]
        else:
            where = [c.iso3 == f.countries[0], *rollup_where(tags, f)]
    else:
        a = articles.c
        feed_id, language, n = a.feed_id, a.language, func.count()
        first_seen, last_seen = func.min(a.published_at), func.max(a.published_at)
        joined = (
            articles.join(article_stories, article_stories.c.article_id == a.id)
            .join(stories, stories.c.id == article_stories.c.story_id)
            .outerjoin(feeds, feeds.c.id == a.feed_id)
        )
        where = article_where(f)
    outlet = func.coalesce(feeds.c.outlet, "feed:" + cast(feed_id, String))
    outlets = func.count(func.distinct(outlet))
    languages = func.count(func.distinct(language))
    homes = func.count(func.distinct(func.coalesce(feeds.c.country_iso3, "")))
    reach = (outlets * languages * homes).label("reach")
    grouped = (
        select(
            STORY_ID.label("story"),
            n.label("articles"),
            outlets.label("outlets"),
            languages.label("languages"),
            homes.label("outlet_countries"),
            reach,
            first_seen.label("first_seen"),
            last_seen.label("last_seen"),
        )
        .select_from(joined)
        .where(*where)
        .group_by(STORY_ID)
        .order_by(reach.desc(), n.desc(), first_seen, STORY_ID)
        .limit(limit)
        .subquery()
    )
    first = articles.alias("first")
    first_feed = feeds.alias("first_feed")
    query = (
        select(
            grouped,
            first_feed.c.title.label("first_outlet"),
            first.c.title.label("first_title"),
        )
        .select_from(
            grouped.join(first, first.c.id == grouped.c.story).outerjoin(
                first_feed, first_feed.c.id == first.c.feed_id
            )
        )
        .order_by(
            grouped.c.reach.desc(),
            grouped.c.articles.desc(),
            grouped.c.first_seen,
            grouped.c.story,
        )
    )
    return frame(engine, query, STORY_COLUMNS)


STORY_OUTLET_COLUMNS = ["outlet", "outlet_country", "first_published", "later_hours", "articles"]


def story_outlets(engine: Engine, story_id: int) -> pd.DataFrame:
    """Who carried the story ``story_id`` and how late: one row per outlet (``feeds.outlet``,
    as reach counts them) with its name, home country, its first article's publication, the
    hours after the story's first article that was (0 for the outlet that had it first), and
    its articles; in the order the outlets had it (then by name).

    Read from the story's rows of ``story_days`` (per day × feed × language: its articles and
    their first publication), not from its articles (the 389,503-article story of
    bench_story_reads' 1M store: 0.5 s on PostgreSQL read from them)."""
    d = story_days.c
    feed_id = func.nullif(d.feed_id, 0)  # feed 0: no feed, as NULL is in articles
    key = func.coalesce(feeds.c.outlet, "feed:" + cast(feed_id, String))
    rows = frame(
        engine,
        select(
            func.min(func.coalesce(feeds.c.title, "")).label("outlet"),
            func.min(func.coalesce(feeds.c.country_iso3, "")).label("outlet_country"),
            func.min(d.first_at).label("first_published"),
            func.sum(d.articles).label("articles"),
        )
        .select_from(
            story_days.join(stories, stories.c.id == d.story_id).outerjoin(
                feeds, feeds.c.id == d.feed_id
            )
        )
        .where(cast(story_id, Integer) == STORY_ID)
        .group_by(key),
        ["outlet", "outlet_country", "first_published", "articles"],
    )
    if rows.empty:
        return pd.DataFrame(columns=STORY_OUTLET_COLUMNS)
    first = pd.to_datetime(rows["first_published"], utc=True)
    rows = rows.assign(
        first_published=first,
        later_hours=((first - first.min()).dt.total_seconds() / 3600).round(1),
        articles=rows["articles"].astype(int),
    )
    rows = rows.sort_values(["first_published", "outlet"], kind="stable").reset_index(drop=True)
    return rows[STORY_OUTLET_COLUMNS]


def story_summary(engine: Engine, story_id: int) -> dict[str, Any]:
    """What the story ``story_id`` holds, however many articles: their number, the first and
    last publication, the languages, the outlets' home countries and the countries mentioned
    (each sorted, without blanks).

    Read from the story's rows of ``story_days`` (its articles per day × feed × language, found
    by the story's index) and of ``story_country_days`` (the countries they mention, by cell),
    not from its articles: a few hundred rows however large the story (the largest of
    bench_story_reads' 1M store, 389,503 articles, took 1.7 s on PostgreSQL read from its
    articles, four nested-loop scans of them)."""
    d, c = story_days.c, story_country_days.c
    cells = story_days.join(stories, stories.c.id == d.story_id)
    mine = cast(story_id, Integer) == STORY_ID
    with engine.connect() as conn:
        n, first, last = conn.execute(
            select(
                func.coalesce(func.sum(d.articles), 0), func.min(d.first_at), func.max(d.last_at)
            )
            .select_from(cells)
            .where(mine)
        ).one()
        languages = conn.execute(
            select(d.language).distinct().select_from(cells).where(mine)
        ).scalars()
        homes = conn.execute(
            select(feeds.c.country_iso3)
            .distinct()
            .select_from(cells.outerjoin(feeds, feeds.c.id == d.feed_id))  # feed 0: none
            .where(mine)
        ).scalars()
        named = conn.execute(
            select(c.iso3)
            .distinct()
            .select_from(
                cells.join(
                    story_country_days,
                    and_(
                        c.day == d.day,
                        c.feed_id == d.feed_id,
                        c.story_id == d.story_id,
                        c.language == d.language,
                    ),
                )
            )
            .where(mine)
        ).scalars()
        return {
            "articles": int(n),
            "first_published": first,
            "last_published": last,
            "languages": sorted({x for x in languages if x}),
            "outlet_countries": sorted({x for x in homes if x}),
            "countries": sorted(set(named)),
        }


DAYS_READ_AT_MOST = 20_000  # articles of the first days read instead of a large story's own
# Those days are read when the story holds this many times as many articles (an article read by
# its day and checked by primary key costs more than one of the story's own: at 1M, reading the
# days was slower for a story of 13,610 articles with 5k on its first days, 0.03 s against 0.02).
DAYS_COST = 4


def first_days(conn: Connection, story_id: int, limit: int) -> tuple[str, str] | None:
    """The days (first, last) that hold the first ``limit`` articles of the story ``story_id``,
    when all the articles of those days are ``DAYS_COST`` times fewer than the story's (and at
    most ``DAYS_READ_AT_MOST``); else None. From ``story_days``: its articles per day, and every
    story's on those days.

    A story's first page read through its index reads every article of it before the first
    ``limit`` are known (the rows are sorted by publication): 0.5 s for the 389,503 articles
    of bench_story_reads' largest story on PostgreSQL, whose planner cannot know a story's size
    and so never reads the days instead. An article's ``published_day`` is the day of its
    ``published_at``, so the first ``limit`` by publication are among those days' articles."""
    d = story_days.c
    per_day = conn.execute(
        select(d.day, func.sum(d.articles))
        .select_from(story_days.join(stories, stories.c.id == d.story_id))
        .where(cast(story_id, Integer) == STORY_ID)
        .group_by(d.day)
        .order_by(d.day)
    ).all()
    total = sum(int(n) for _, n in per_day)
    if total <= limit:
        return None
    running, last = 0, per_day[0][0]
    for last, n in per_day:  # noqa: B007 - the day the running count reaches limit
        running += int(n)
        if running >= limit:
            break
    first = per_day[0][0]
    on_those_days = conn.execute(
        select(func.coalesce(func.sum(d.articles), 0)).where(d.day >= first, d.day <= last)
    ).scalar_one()
    if on_those_days * DAYS_COST >= total or on_those_days > DAYS_READ_AT_MOST:
        return None
    return first, last


def _members_on(conn: Connection, story_id: int, days: tuple[str, str]) -> list[int]:
    """The ids of the story's articles published on ``days`` (first, last): those days'
    articles by their day index, kept when their story is this one (by the primary key)."""
    on_days = conn.execute(
        select(articles.c.id).where(articles.c.published_day.between(*days))
    ).scalars()
    ids = sorted(int(i) for i in on_days)
    row_id = select(stories.c.id).where(cast(story_id, Integer) == STORY_ID).scalar_subquery()
    members: list[int] = []
    for i in range(0, len(ids), ID_CHUNK):
        members += conn.execute(
            select(article_stories.c.article_id).where(
                article_stories.c.article_id.in_(ids[i : i + ID_CHUNK]),
                article_stories.c.story_id == row_id,
            )
        ).scalars()
    return members


def story_articles(engine: Engine, story_id: int, limit: int | None = None) -> pd.DataFrame:
    """The articles of the story ``story_id`` (its stable id), oldest first (the first
    ``limit`` of them when given), with its outlet and countries. A large story's first page
    is read from the articles of its first days (``first_days``), when they are fewer."""
    a = articles.c
    source: Any = articles.join(article_stories, article_stories.c.article_id == a.id).join(
        stories, stories.c.id == article_stories.c.story_id
    )
    where: Any = cast(story_id, Integer) == STORY_ID
    if limit is not None:
        with engine.connect() as conn:
            days = first_days(conn, story_id, limit)
            if days is not None:
                source, where = articles, a.id.in_(_members_on(conn, story_id, days))
    rows = frame(
        engine,
        select(
            a.id,
            a.published_at,
            feeds.c.title.label("outlet"),
            feeds.c.country_iso3.label("outlet_country"),
            a.language,
            a.title,
            a.url,
        )
        .select_from(source.outerjoin(feeds, feeds.c.id == a.feed_id))
        .where(where)
        .order_by(a.published_at, a.id)
        .limit(limit),
        STORY_ARTICLE_COLUMNS[:-1],
    )
    # The listed articles' countries: a page's by their ids (not by running the story's query
    # again as a subquery, which read every article of a large story twice: 389,503 on
    # PostgreSQL, 0.5 s more for a page), the whole story's by its members.
    ids = [int(i) for i in rows["id"]]
    if limit is None:
        members = (
            select(article_stories.c.article_id)
            .join(stories, stories.c.id == article_stories.c.story_id)
            .where(cast(story_id, Integer) == STORY_ID)
        )
        wheres = [article_countries.c.article_id.in_(members)]
    else:  # in chunks: SQLite binds at most 32,766 parameters a statement
        chunks = (ids[i : i + ID_CHUNK] for i in range(0, len(ids), ID_CHUNK))
        wheres = [article_countries.c.article_id.in_(chunk) for chunk in chunks]
    codes: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for where in wheres if ids else []:
            for row in conn.execute(
                select(article_countries.c.article_id, article_countries.c.iso3)
                .where(where)
                .order_by(article_countries.c.article_id, article_countries.c.iso3)
            ):
                codes.setdefault(row.article_id, []).append(row.iso3)
    rows["countries"] = [" ".join(codes.get(int(i), [])) for i in rows["id"]]
    return rows[STORY_ARTICLE_COLUMNS]

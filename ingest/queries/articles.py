"""The filtered articles themselves: a page, every row in chunks for exports, and each
article's tags with their evidence."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Engine,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from ingest.filters import Filters, article_where, day_start
from ingest.queries.entities import article_entities as entity_evidence
from ingest.queries.read import frame
from ingest.queries.search import TextMatch
from ingest.records import WHERE_BODY, WHERE_LEAD, WHERE_TITLE, stored_evidence
from ingest.store import (
    article_countries,
    article_entities,
    article_stories,
    article_topics,
    articles,
    feeds,
    stories,
)
from ingest.store.schema import article_texts
from ingest.store.texts import TEXT_OK

# --------------------------------------------------------------------------------------------
# Articles


# A page of the article list, and the rows an export fetches at a time.
PAGE_SIZE = 50
EXPORT_CHUNK_ROWS = 5000

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
    "entities",
    "story",
]
# What ``iter_article_rows(with_feed=True)`` adds to each row: the article's feed.
ARTICLE_FEED_COLUMNS = ["feed_id", "feed_url"]


def list_articles(
    engine: Engine,
    f: Filters,
    *,
    sort: str = "published_at",
    descending: bool = True,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> pd.DataFrame:
    """The filtered articles, one page: id, published_at, title, summary, url, outlet,
    language, countries (ISO3 codes, "; "-joined), topics ("; "-joined), entities (Wikidata
    QIDs, "; "-joined), story."""
    order = SORTS.get(sort, articles.c.published_at)
    direction = order.desc() if descending else order.asc()
    tie = articles.c.id.desc() if descending else articles.c.id.asc()
    limit, offset = max(0, int(limit)), max(0, int(offset))
    newest_first = order is articles.c.published_at and descending
    if f.search and newest_first and limit:
        page, found = _newest_matches(engine, f, limit, offset)
        if page is not None:
            return page
        if found:
            wider = _wider_probe(found, limit, offset)
            if wider:
                page, _found = _newest_matches(engine, f, limit, offset, probe=wider)
                if page is not None:
                    return page
            page = _recent_matches(engine, f, direction, tie, limit, offset)
            if page is not None:
                return page
    return _page(engine, f, direction, tie, limit, offset)


def _page(
    engine: Engine, f: Filters, direction: Any, tie: Any, limit: int, offset: int
) -> pd.DataFrame:
    """One page of the filtered articles by the whole query (PostgreSQL: a search's matches
    read first, by their ids)."""
    if f.search and engine.dialect.name != "sqlite":
        end = day_start(f.date_to + timedelta(days=1))
        match = TextMatch(f.search, day_start(f.date_from), end, by_ids=True)
        rows = _article_rows(f.with_(search=""), engine.dialect.name).where(match)
    else:
        rows = _article_rows(f, engine.dialect.name)
    query = rows.order_by(direction, tie).limit(limit).offset(offset)
    return _tidy(frame(engine, query, ARTICLE_COLUMNS))


# How many of the range's newest articles a text search's first pages are looked for in first.
SEARCH_PROBE = 2000
# When those held some matches but too few, a second probe of what the first one's share of
# matches says a page needs, half as many again, if that is at most this many: 50-115 ms at 1M
# on PostgreSQL (past ~5,000 articles under a country filter its planner reads them another
# way, 0.3 s), against a read of every match of the range's last days, all of them tested
# (a phrase of common words, "of the": 0.26-0.3 s over 30 days). Both engines since
# 2026-12-05: SQLite's year page of "of the" at 1M took 197 ms by its whole query, 29 so.
SEARCH_PROBE_MAX = 5_000
SEARCH_PROBE_MARGIN = 1.5
# The last days of a longer range whose matches a page is looked for in next.
SEARCH_WINDOW_DAYS = 30


def _wider_probe(found: int, limit: int, offset: int) -> int | None:
    """The size of a second probe after a first of ``SEARCH_PROBE`` articles found ``found``
    of a page's rows (so ``offset + found`` matches): what its share of matches says the page
    needs, times ``SEARCH_PROBE_MARGIN``; None when that is more than ``SEARCH_PROBE_MAX``."""
    needed, seen = offset + limit, offset + found
    size = math.ceil(SEARCH_PROBE_MARGIN * SEARCH_PROBE * needed / seen)
    return size if SEARCH_PROBE < size <= SEARCH_PROBE_MAX else None


def _newest_matches(
    engine: Engine, f: Filters, limit: int, offset: int, probe: int | None = None
) -> tuple[pd.DataFrame | None, int]:
    """A text search's page, newest first, looked for among the ``SEARCH_PROBE`` (or
    ``probe``) newest articles that meet every other filter (dates, countries, outlets…), each
    tested on its own text (``TextMatch``'s ``row_wise``), and how many of the page's rows it
    found; no page when fewer than ``offset + limit`` of them match (then a wider read
    answers). Exact: every matching article outside those is older than each inside, so when
    enough inside match, the page is theirs. For a common word this is the whole cost of the
    page: 2,000 articles tested instead of every match the indexes hold (at 1M articles a
    year's "government" 37,501, "the" 120,026)."""
    if offset + limit > SEARCH_PROBE // 4:
        return None, 0
    others = f.with_(search="")
    window = (
        select(articles.c.id)
        .where(*article_where(others))
        .order_by(articles.c.published_at.desc(), articles.c.id.desc())
        .limit(probe or SEARCH_PROBE)
        .subquery("newest")
    )
    query = (
        _article_rows(others, engine.dialect.name)
        .where(
            articles.c.id.in_(select(window.c.id)),
            TextMatch(f.search, None, None, row_wise=True),
        )
        .order_by(articles.c.published_at.desc(), articles.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    page = frame(engine, query, ARTICLE_COLUMNS)
    return (_tidy(page) if len(page) == limit else None), len(page)


def _recent_matches(
    engine: Engine, f: Filters, direction: Any, tie: Any, limit: int, offset: int
) -> pd.DataFrame | None:
    """A search's page newest first, read from the matches of the range's last
    ``SEARCH_WINDOW_DAYS`` days alone, when the range is longer; None when they cannot fill it.
    Tried when the probe found some matches among the newest articles, but too few: the
    matches are then recent enough for the window to hold a page, more often than not. Exact
    for the same reason as the probe: every match outside the window is older than each inside.
    A phrase's or a long word's whole range costs a test of every candidate (a two-word name
    over a year of 1M articles: 9,520 bodies), the window's about a twelfth."""
    first = f.date_to - timedelta(days=SEARCH_WINDOW_DAYS - 1)
    if first <= f.date_from:
        return None
    page = _page(engine, f.with_(date_from=first), direction, tie, limit, offset)
    return page if len(page) == limit else None


def _stamp_text(column: Any, dialect: str) -> Any:
    """A stored (naive UTC) timestamp as the text every export writes for it
    (``csv_safety.STAMP``), made by the database: a CSV of 100,000 rows then neither parses nor
    formats 100,000 datetimes in Python (0.4 s of 2.2 s at 1M articles on SQLite)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)
    return func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def _article_rows(
    f: Filters,
    dialect: str,
    with_feed: bool = False,
    stamped: bool = False,
    story: int | None = None,
) -> Select:
    """The filtered articles' columns with their country codes and topics, each "; "-joined in
    code order by a correlated subquery that reads the tag table's primary key (one query per
    page or export chunk, instead of fetching the tags of thousands of ids separately), and
    their story's stable id (``queries.stories.STORY_ID``); ``with_feed``: then
    ``ARTICLE_FEED_COLUMNS``; ``stamped``: ``published_at`` as the exports' text
    (``_stamp_text``), not a datetime; ``story``: only that story's articles (its stable id,
    ``stories.first_article_id``)."""
    published = articles.c.published_at
    columns: list[Any] = [
        articles.c.id,
        _stamp_text(published, dialect).label("published_at") if stamped else published,
        articles.c.title,
        articles.c.summary,
        articles.c.url,
        func.coalesce(feeds.c.title, feeds.c.url, "").label("outlet"),
        articles.c.language,
    ]
    for table, key, name in (
        (article_countries, "iso3", "countries"),
        (article_topics, "topic", "topics"),
        (article_entities, "qid", "entities"),
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
    columns.append(stories.c.first_article_id.label("story"))
    if with_feed:
        columns += [articles.c.feed_id, feeds.c.url.label("feed_url")]
    return (
        select(*columns)
        .select_from(
            articles.outerjoin(feeds, feeds.c.id == articles.c.feed_id)
            .outerjoin(article_stories, article_stories.c.article_id == articles.c.id)
            .outerjoin(stories, stories.c.id == article_stories.c.story_id)
        )
        .where(*article_where(f))
        .where(*([] if story is None else [stories.c.first_article_id == story]))
    )


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    if not df.empty:
        df["published_at"] = pd.to_datetime(df["published_at"], utc=True)
    df["language"] = df["language"].fillna("")
    df["story"] = df["story"].astype("Int64")  # whole numbers in the CSV even beside a gap
    return df


def iter_article_rows(
    engine: Engine,
    f: Filters,
    *,
    chunk: int = EXPORT_CHUNK_ROWS,
    with_feed: bool = False,
    stamped: bool = False,
    story: int | None = None,
) -> Iterator[list[tuple]]:
    """Every filtered article as a tuple over ``ARTICLE_COLUMNS`` (then ``ARTICLE_FEED_COLUMNS`` when
    ``with_feed``), newest first, in lists of ``chunk`` (one streamed query): what the exports
    write, without building a DataFrame. ``published_at`` is a UTC datetime (``stamped``: the
    text the exports write for it, ``csv_safety.STAMP``), ``language``, ``summary`` and
    ``story`` may be None. With ``story`` (a story's stable id): only that story's articles
    among them."""
    query = _article_rows(f, engine.dialect.name, with_feed, stamped, story).order_by(
        articles.c.published_at.desc(), articles.c.id.desc()
    )
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # The planner's cost for every row of the store makes PostgreSQL compile this query
            # with JIT first: 0.4-0.6 s of a 100,000-row download, before any row is read. For
            # this transaction only (it ends when the connection is returned).
            conn.exec_driver_sql("SET LOCAL jit = off")
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for part in result.partitions(chunk):
            yield [tuple(r) for r in part]


def iter_articles(
    engine: Engine, f: Filters, *, chunk: int = EXPORT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Every filtered article with its tags, newest first, in chunks of ``chunk`` rows (one
    streamed query), as DataFrames (``iter_article_rows``)."""
    for part in iter_article_rows(engine, f, chunk=chunk):
        yield _tidy(pd.DataFrame(part, columns=ARTICLE_COLUMNS))


TagEvidence = list[tuple[str, str | None]]  # (code, stored evidence JSON) of one kind of tag


def tag_evidence(
    engine: Engine, article_ids: Sequence[int]
) -> dict[int, tuple[TagEvidence, TagEvidence, TagEvidence]]:
    """For each of ``article_ids`` that has tags: its countries' (iso3, stored evidence), its
    topics' (topic, stored evidence) and its entities' (QID, stored evidence), each in code
    order, the evidence as stored (``records.stored_evidence`` reads it;
    ``records.fielded_evidence_json`` exports it)."""
    ids = [int(i) for i in article_ids]
    out: dict[int, tuple[TagEvidence, TagEvidence, TagEvidence]] = {}
    if not ids:
        return out
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        for at, table, key in (
            (0, article_countries, "iso3"),
            (1, article_topics, "topic"),
            (2, article_entities, "qid"),
        ):
            # PostgreSQL: the ids as one array parameter (a thousand placeholders cost the
            # driver more than the query; the statement stays the same for every chunk).
            wanted = (
                table.c.article_id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
                if postgres
                else table.c.article_id.in_(ids)
            )
            rows = conn.execute(
                select(table.c.article_id, table.c[key], table.c.evidence)
                .where(wanted)
                .order_by(table.c.article_id, table.c[key])
            ).all()
            for article_id, code, evidence in rows:
                item = out.get(article_id)
                if item is None:
                    item = out[article_id] = ([], [], [])
                item[at].append((code, evidence))
    return out


def article_evidence(engine: Engine, article_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """For each article: title, summary, body (None unless its full text is kept), url, language,
    its feed (``feed_id``, ``feed_url``), its tags with evidence, each offset into its field
    ({"countries": {iso3: [{text, type, start, field}]}, "topics": {topic: [...]},
    "entities": {qid: [...]}}), each
    country's prominence ({"prominence": {iso3: (where, body mentions, prominent)}}), and where
    each topic and entity is most prominent ({"topic_prominence": {topic: where},
    "entity_prominence": {qid: where}}: title, lead or body)."""
    row: Any  # rows of several selects in turn
    ids = [int(i) for i in article_ids]
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    with engine.connect() as conn:
        for row in conn.execute(
            select(
                articles.c.id,
                articles.c.title,
                articles.c.summary,
                articles.c.url,
                articles.c.feed_id,
                articles.c.language,
                feeds.c.url.label("feed_url"),
                article_texts.c.body,
            )
            .select_from(
                articles.outerjoin(feeds, feeds.c.id == articles.c.feed_id).outerjoin(
                    article_texts,
                    and_(
                        article_texts.c.article_id == articles.c.id,
                        article_texts.c.status == TEXT_OK,
                    ),
                )
            )
            .where(articles.c.id.in_(ids))
        ):
            out[row.id] = {
                "title": row.title,
                "summary": row.summary or "",
                "body": row.body,  # the extracted full text, when the store keeps it
                "url": row.url,
                "feed_id": row.feed_id,
                "feed_url": row.feed_url,
                "language": row.language or "",
                "countries": {},
                "topics": {},
                "entities": {},
                "prominence": {},
                "topic_prominence": {},
                "entity_prominence": {},
            }
        for row in conn.execute(
            select(
                article_countries.c.article_id,
                article_countries.c.iso3,
                article_countries.c.evidence,
                article_countries.c.prominence,
                article_countries.c.body_mentions,
                article_countries.c.prominent,
            )
            .where(article_countries.c.article_id.in_(ids))
            .order_by(article_countries.c.article_id, article_countries.c.iso3)
        ):
            item = out[row.article_id]
            item["countries"][row.iso3] = _load_evidence(row.evidence, item["title"])
            item["prominence"][row.iso3] = (row.prominence, row.body_mentions, row.prominent)
        for row in conn.execute(
            select(
                article_topics.c.article_id,
                article_topics.c.topic,
                article_topics.c.evidence,
                article_topics.c.prominence,
            )
            .where(article_topics.c.article_id.in_(ids))
            .order_by(article_topics.c.article_id, article_topics.c.topic)
        ):
            item = out[row.article_id]
            item["topics"][row.topic] = _load_evidence(row.evidence, item["title"])
            item["topic_prominence"][row.topic] = row.prominence
        for row in conn.execute(
            select(
                article_entities.c.article_id,
                article_entities.c.qid,
                article_entities.c.prominence,
            ).where(article_entities.c.article_id.in_(ids))
        ):
            out[row.article_id]["entity_prominence"][row.qid] = row.prominence
    for article_id, found in entity_evidence(engine, ids).items():
        out[article_id]["entities"] = found
    return out


def _load_evidence(raw: str | None, title: str) -> list[dict[str, Any]]:
    """Stored evidence with every offset into its field (old JSON mapped to title/summary)."""
    return [
        {"text": e.text, "type": e.type, "start": e.start, "field": e.field}
        for e in (e.in_field(title) for e in stored_evidence(raw))
    ]


# How prominent a country is in an article, as its tag stores it (``records.prominence``: in
# the title, in the lead, or only further down), ranked for ordering a pair's evidence.
PROMINENCE = {WHERE_TITLE: 2, WHERE_LEAD: 1, WHERE_BODY: 0}
RANK_CANDIDATES = 500  # the newest articles of a pair that are ranked by prominence


def prominence(item: dict[str, Any], code: str) -> int:
    """PROMINENCE of ``code`` in an article of ``article_evidence``: where its tag stands
    (title, lead, further down); -1 when the article has no such tag."""
    stored = item["prominence"].get(code)
    return PROMINENCE.get(stored[0], 0) if stored else -1


def ranked_pair_articles(
    engine: Engine, f: Filters, candidates: int = RANK_CANDIDATES
) -> pd.DataFrame:
    """The articles of ``f.pair`` (the newest ``candidates``), those where both countries are
    prominent first: rows of ``list_articles`` plus ``prominence`` (the lesser of the two
    countries' PROMINENCE), ordered by it, then newest first."""
    if not f.pair:
        raise ValueError("ranked_pair_articles needs a pair in the filters")
    rows = list_articles(engine, f, limit=candidates)
    evidence = article_evidence(engine, [int(i) for i in rows["id"]])
    a, b = f.pair
    rows["prominence"] = [
        min(prominence(evidence[int(i)], a), prominence(evidence[int(i)], b))
        if int(i) in evidence
        else -1
        for i in rows["id"]
    ]
    # A stable sort keeps newest first within each level.
    return rows.sort_values("prominence", ascending=False, kind="stable").reset_index(drop=True)


def stale_tags(engine: Engine) -> int:
    """Stored articles tagged by an earlier tagger version than the running one (``python -m
    ingest retag`` brings them up to date)."""
    from ingest.store import count_to_retag
    from ingest.tagging import TAGGER_VERSION

    return count_to_retag(engine, TAGGER_VERSION)

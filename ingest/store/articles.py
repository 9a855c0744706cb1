"""Article writes: idempotent saves keyed on ``url_key`` with their tags (countries, topics,
entities), aggregates, search
index and story in one transaction; retagging that keeps the aggregates exact; the batches retag
reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import Engine, Select, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from ingest.records import (
    Article,
    CountryTag,
    EntityTag,
    Tags,
    TopicTag,
    evidence_json,
    tag_prominence,
    utc_day,
)
from ingest.store.aggregates import Counted, add_to_aggregates, counted
from ingest.store.engine import insert, is_sqlite, no_nul, write
from ingest.store.schema import (
    article_countries,
    article_entities,
    article_topics,
    articles,
    feeds,
)
from ingest.store.search_index import index_for_search
from ingest.store.stories import StoryInput, assign_stories, refresh_story_days

INSERT_CHUNK = 200  # article rows per INSERT … RETURNING
LOOKUP_CHUNK = 500  # url keys per IN (…) when checking which are known
RETAG_BATCH = 500  # articles per retag batch, unless the caller asks otherwise


@dataclass
class SaveResult:
    new_articles: int = 0
    skipped: int = 0
    article_ids: list[int] = field(default_factory=list)


def save_articles(
    engine: Engine, feed_id: int | None, items: Sequence[tuple[Article, Tags]]
) -> SaveResult:
    """Store tagged articles (idempotent on url_key) with their aggregates, in one transaction."""
    with write(engine) as conn:
        return save_articles_in(conn, feed_id, items)


def known_url_keys(engine: Engine, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the store already holds (checked before the costly tagging)."""
    keys = list(dict.fromkeys(keys))
    found: set[str] = set()
    if not keys:
        return found
    with engine.connect() as conn:
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            found.update(
                conn.execute(
                    select(articles.c.url_key).where(articles.c.url_key.in_(chunk))
                ).scalars()
            )
    return found


def _prominence_values(tag: CountryTag | TopicTag | EntityTag) -> dict[str, Any]:
    where = tag_prominence(tag)
    return {
        "prominence": where.where,
        "body_mentions": where.body_mentions,
        "prominent": where.prominent,
    }


def save_articles_in(
    conn: Connection, feed_id: int | None, items: Sequence[tuple[Article, Tags]]
) -> SaveResult:
    """``save_articles`` inside the caller's write transaction (a poll saves with its feed)."""
    result = SaveResult()
    if not items:
        return result
    unique: dict[str, tuple[Article, Tags]] = {}
    for article, tags in items:
        unique.setdefault(article.url_key, (article, tags))
    rows: list[dict[str, Any]] = [
        {
            "url_key": a.url_key,
            "url": no_nul(a.url),
            "guid": no_nul(a.guid),
            "feed_id": feed_id,
            "title": no_nul(a.title),
            "summary": no_nul(a.summary),
            "published_at": a.published_at,
            "published_day": utc_day(a.published_at.astimezone(UTC)),
            "published_clamped": a.published_clamped,
            "fetched_at": a.fetched_at,
            "language": t.language or "",
            "language_source": t.language_source,
            "tagger_version": t.tagger_version,
        }
        # Sorted by key: concurrent writers on PostgreSQL then take the unique-index locks in
        # the same order and cannot deadlock on overlapping batches.
        for a, t in sorted(unique.values(), key=lambda pair: pair[0].url_key)
    ]
    inserted: dict[str, int] = {}
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        statement = (
            insert(conn, articles)
            .on_conflict_do_nothing(index_elements=["url_key"])
            .returning(articles.c.id, articles.c.url_key)
        )
        for row in conn.execute(statement, chunk):
            inserted[row.url_key] = row.id
    result.skipped = len(items) - len(inserted)
    days: dict[str, str] = {row["url_key"]: row["published_day"] for row in rows}
    tagged = [(inserted[key], days[key], unique[key][1]) for key in inserted]
    _write_tags(conn, feed_id, tagged)
    assign_stories(
        conn,
        [
            StoryInput(
                inserted[key],
                unique[key][0].title,
                unique[key][0].summary or "",
                unique[key][1].language or "",
                unique[key][0].published_at,
                tuple(sorted({c.iso3 for c in unique[key][1].countries})),
            )
            for key in inserted
        ],
    )
    result.new_articles = len(inserted)
    result.article_ids = sorted(inserted.values())
    if result.article_ids and is_sqlite(conn):
        index_for_search(conn, result.article_ids)
    return result


def _write_tags(
    conn: Connection, feed_id: int | None, tagged: Sequence[tuple[int, str, Tags]]
) -> None:
    """Insert the tag rows of articles (id, published day, tags) and add them to the
    aggregates."""
    country_rows, topic_rows, entity_rows, counts = [], [], [], []
    for article_id, day, tags in tagged:
        for c in tags.countries:
            country_rows.append(
                {
                    "article_id": article_id,
                    "iso3": c.iso3,
                    "mentions": len(c.evidence),
                    "evidence": evidence_json(c.evidence),
                    **_prominence_values(c),
                }
            )
        seen_topics = set()
        for t in tags.topics:
            if t.topic not in seen_topics:
                seen_topics.add(t.topic)
                topic_rows.append(
                    {
                        "article_id": article_id,
                        "topic": t.topic,
                        "evidence": evidence_json(t.evidence),
                        **_prominence_values(t),
                    }
                )
        seen_entities = set()
        for e in tags.entities:
            if e.qid not in seen_entities:
                seen_entities.add(e.qid)
                entity_rows.append(
                    {
                        "article_id": article_id,
                        "qid": e.qid,
                        "mentions": len(e.evidence),
                        "evidence": evidence_json(e.evidence),
                        **_prominence_values(e),
                    }
                )
        counts.append(counted(day, feed_id, tags))
    if country_rows:
        conn.execute(article_countries.insert(), country_rows)
    if topic_rows:
        conn.execute(article_topics.insert(), topic_rows)
    if entity_rows:
        conn.execute(article_entities.insert(), entity_rows)
    add_to_aggregates(conn, counts, sign=1)


def replace_tags(engine: Engine, batch: Sequence[tuple[int, Tags]]) -> int:
    """Replace the tags of stored articles (a retag batch), keeping the aggregates exact."""
    if not batch:
        return 0
    with write(engine) as conn:
        return replace_tags_in(conn, batch)


def replace_tags_in(
    conn: Connection, batch: Sequence[tuple[int, Tags]], *, story_days: bool = True
) -> int:
    """``replace_tags`` inside the caller's transaction (a migration's, say). An article whose
    language changes moves in ``story_days`` (its cell is recomputed), and the cells of every
    article retagged are recomputed in ``story_country_days`` and ``story_pair_days``;
    ``story_days=False`` for a migration that runs before the store has stories (0008: 0016
    and 0017 fill the tables)."""
    row: Any  # rows of several selects in turn
    ids = [article_id for article_id, _ in batch]
    stored = {
        row.id: row
        for row in conn.execute(
            select(
                articles.c.id,
                articles.c.feed_id,
                articles.c.published_day,
                articles.c.language,
            ).where(articles.c.id.in_(ids))
        )
    }
    old_countries: dict[int, list[str]] = {}
    old_prominent: dict[int, set[str]] = {}
    for row in conn.execute(
        select(
            article_countries.c.article_id,
            article_countries.c.iso3,
            article_countries.c.prominent,
        ).where(article_countries.c.article_id.in_(ids))
    ):
        old_countries.setdefault(row.article_id, []).append(row.iso3)
        if row.prominent:
            old_prominent.setdefault(row.article_id, set()).add(row.iso3)
    old_topics: dict[int, list[str]] = {}
    for row in conn.execute(
        select(article_topics.c.article_id, article_topics.c.topic).where(
            article_topics.c.article_id.in_(ids)
        )
    ):
        old_topics.setdefault(row.article_id, []).append(row.topic)
    # Take the old tags out of the aggregates, then put the new ones in.
    add_to_aggregates(
        conn,
        (
            Counted(
                row.published_day,
                row.feed_id or 0,
                row.language or "",
                tuple(sorted(set(old_countries.get(article_id, ())))),
                tuple(dict.fromkeys(old_topics.get(article_id, ()))),
                frozenset(old_prominent.get(article_id, ())),
            )
            for article_id, row in stored.items()
        ),
        sign=-1,
    )
    conn.execute(delete(article_countries).where(article_countries.c.article_id.in_(ids)))
    conn.execute(delete(article_topics).where(article_topics.c.article_id.in_(ids)))
    conn.execute(delete(article_entities).where(article_entities.c.article_id.in_(ids)))
    for article_id, tags in batch:
        row = stored.get(article_id)
        if row is None:
            continue
        conn.execute(
            update(articles)
            .where(articles.c.id == article_id)
            .values(
                language=tags.language or "",
                language_source=tags.language_source,
                tagger_version=tags.tagger_version,
            )
        )
        _write_tags(conn, row.feed_id, [(article_id, row.published_day, tags)])
    if story_days:
        refresh_story_days(
            conn,
            {
                (stored[article_id].published_day, stored[article_id].feed_id or 0)
                for article_id, tags in batch
                if article_id in stored
                and (tags.language or "") != (stored[article_id].language or "")
            },
            tagged={(row.published_day, row.feed_id or 0) for row in stored.values()},
        )
    return len(stored)


def _to_tag() -> Select:
    """What tagging reads of stored articles: id, feed, title, summary, published_at, language
    and the feed's language."""
    return select(
        articles.c.id,
        articles.c.feed_id,
        articles.c.title,
        articles.c.summary,
        articles.c.published_at,
        articles.c.language,
        feeds.c.language.label("feed_language"),
    ).select_from(articles.outerjoin(feeds, feeds.c.id == articles.c.feed_id))


def articles_to_retag(
    engine: Engine, version: str, *, after_id: int = 0, limit: int = RETAG_BATCH
) -> list[dict[str, Any]]:
    """The next batch of stored articles whose tagger_version differs from ``version``."""
    with engine.connect() as conn:
        rows = conn.execute(
            _to_tag()
            .where(articles.c.id > bindparam("after"), articles.c.tagger_version != version)
            .order_by(articles.c.id)
            .limit(limit),
            {"after": after_id},
        )
        return [dict(r._mapping) for r in rows]


def articles_by_id(engine: Engine, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The stored articles of ``ids`` as ``articles_to_retag`` gives them, in id order."""
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = [int(i) for i in ids[start : start + LOOKUP_CHUNK]]
            rows = conn.execute(_to_tag().where(articles.c.id.in_(chunk)).order_by(articles.c.id))
            out.extend(dict(r._mapping) for r in rows)
    return out


def count_to_retag(engine: Engine, version: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(articles)
                .where(articles.c.tagger_version != version)
            ).scalar_one()
        )

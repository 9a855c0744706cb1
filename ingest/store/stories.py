"""Story assignment in the store: each new article joins the stories it links to (merging them
when it links to several) or starts one, in the transaction that saves it; ``rebuild_stories``
does the same for every stored article (``python -m ingest restory``).

The link rule is ``ingest.stories`` (a symmetric test within a time window), so the stories are
the connected components of the link graph whatever order articles arrive in: incremental
assignment equals a rebuild, and several workers give the stories one would.

Several workers: on SQLite every write transaction is ``BEGIN IMMEDIATE`` (one writer at a time).
On PostgreSQL a transaction takes a transaction-scoped advisory lock on each day bucket its
articles can link into (their days ± the window), in sorted order, after its inserts and before it
reads candidates, so two transactions whose articles could link run one after the other and the
second sees the first's articles. Transactions on days too far apart to link run side by side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.engine import Connection, Engine

from ingest import stories as linking
from ingest.store.engine import is_sqlite, write
from ingest.store.schema import (
    STORY_TERM_LENGTH,
    article_countries,
    article_stories,
    articles,
    stories,
    story_terms,
)

# PostgreSQL advisory-lock keys of the day buckets: this base plus the day's ordinal. Any range
# no other lock of the application uses will do (the migration lock is 7261626).
STORY_LOCK_BASE = 7_300_000_000
BUCKET_REACH = math.ceil(linking.WINDOW / timedelta(days=1))  # days either side that can link
REBUILD_BATCH = 1000  # articles per transaction in rebuild_stories


@dataclass(frozen=True)
class StoryInput:
    """What story assignment needs of one stored article."""

    article_id: int
    title: str
    summary: str
    language: str
    published_at: datetime
    countries: tuple[str, ...]

    def signature(self) -> linking.Signature:
        return linking.signature(
            self.title, self.summary, self.language, self.published_at, self.countries
        )


def _terms(sig: linking.Signature) -> list[str]:
    return list(dict.fromkeys(term[:STORY_TERM_LENGTH] for term in sig.terms))


def _lock_days(conn: Connection, days: Iterable[date]) -> None:
    """PostgreSQL: lock the day buckets ``days`` ± the window (sorted: no deadlock)."""
    if is_sqlite(conn):
        return  # BEGIN IMMEDIATE already made this the only writer
    buckets = sorted(
        {
            (day + timedelta(days=shift)).toordinal()
            for day in days
            for shift in range(-BUCKET_REACH, BUCKET_REACH + 1)
        }
    )
    for bucket in buckets:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK_BASE + bucket})


def _stored_inputs(conn: Connection, ids: Sequence[int]) -> list[StoryInput]:
    """Stored articles as story inputs, in id order."""
    if not ids:
        return []
    countries: dict[int, list[str]] = {}
    for row in conn.execute(
        select(article_countries.c.article_id, article_countries.c.iso3).where(
            article_countries.c.article_id.in_(ids)
        )
    ):
        countries.setdefault(row.article_id, []).append(row.iso3)
    rows = conn.execute(
        select(
            articles.c.id,
            articles.c.title,
            articles.c.summary,
            articles.c.language,
            articles.c.published_at,
        )
        .where(articles.c.id.in_(ids))
        .order_by(articles.c.id)
    )
    return [
        StoryInput(
            r.id,
            r.title,
            r.summary or "",
            r.language or "",
            r.published_at,
            tuple(sorted(countries.get(r.id, ()))),
        )
        for r in rows
    ]


def _candidates(conn: Connection, item: StoryInput, terms: Sequence[str]) -> list[int]:
    """Stored articles within the window sharing enough retrieval terms with ``item``."""
    if not terms:
        return []
    c = story_terms.c
    rows = conn.execute(
        select(c.article_id)
        .where(
            c.term.in_(terms),
            c.published_at >= item.published_at - linking.WINDOW,
            c.published_at <= item.published_at + linking.WINDOW,
        )
        .group_by(c.article_id)
        .having(func.count() >= linking.MIN_SHARED_TERMS)
    )
    return [r.article_id for r in rows]


def _refresh_first(conn: Connection, story_id: int) -> None:
    """A story's first article: its earliest published, the lowest id among equals."""
    first = conn.execute(
        select(articles.c.id, articles.c.published_at)
        .join(article_stories, article_stories.c.article_id == articles.c.id)
        .where(article_stories.c.story_id == story_id)
        .order_by(articles.c.published_at, articles.c.id)
        .limit(1)
    ).one()
    conn.execute(
        update(stories)
        .where(stories.c.id == story_id)
        .values(first_seen=first.published_at, first_article_id=first.id)
    )


def _assign_one(conn: Connection, item: StoryInput) -> int:
    sig = item.signature()
    terms = _terms(sig)
    candidate_ids = _candidates(conn, item, terms)
    linked_ids = [
        other.article_id
        for other in _stored_inputs(conn, candidate_ids)
        if linking.linked(sig, other.signature())
    ]
    story_ids: list[int] = []
    if linked_ids:
        story_ids = sorted(
            set(
                conn.execute(
                    select(article_stories.c.story_id).where(
                        article_stories.c.article_id.in_(linked_ids)
                    )
                ).scalars()
            )
        )
    if story_ids:
        target, absorbed = story_ids[0], story_ids[1:]
        if absorbed:
            conn.execute(
                update(article_stories)
                .where(article_stories.c.story_id.in_(absorbed))
                .values(story_id=target)
            )
            conn.execute(delete(stories).where(stories.c.id.in_(absorbed)))
    else:
        target = conn.execute(
            stories.insert()
            .values(first_seen=item.published_at, first_article_id=item.article_id)
            .returning(stories.c.id)
        ).scalar_one()
    conn.execute(article_stories.insert().values(article_id=item.article_id, story_id=target))
    if story_ids:
        _refresh_first(conn, target)
    if terms:
        conn.execute(
            story_terms.insert(),
            [
                {"term": term, "published_at": item.published_at, "article_id": item.article_id}
                for term in terms
            ],
        )
    return target


def assign_stories(conn: Connection, items: Sequence[StoryInput]) -> dict[int, int]:
    """Give each new article (not yet in a story) its story, in the caller's write transaction;
    return article id -> story id as it stands once all are assigned."""
    if not items:
        return {}
    ordered = sorted(items, key=lambda item: item.article_id)
    _lock_days(conn, {item.published_at.date() for item in ordered})
    for item in ordered:
        _assign_one(conn, item)
    ids = [item.article_id for item in ordered]
    rows = conn.execute(
        select(article_stories.c.article_id, article_stories.c.story_id).where(
            article_stories.c.article_id.in_(ids)
        )
    )
    return {row.article_id: row.story_id for row in rows}


def assign_stored(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """``assign_stories`` for stored articles that are in no story yet, by id."""
    return assign_stories(conn, _stored_inputs(conn, ids))


def rebuild_stories(engine: Engine, *, batch_size: int = REBUILD_BATCH) -> int:
    """Forget every story and assign all stored articles again, in id order, in batches; return
    the articles assigned."""
    with write(engine) as conn:
        conn.execute(delete(story_terms))
        conn.execute(delete(article_stories))
        conn.execute(delete(stories))
    done = 0
    after = 0
    while True:
        with write(engine) as conn:
            ids = list(
                conn.execute(
                    select(articles.c.id)
                    .where(articles.c.id > bindparam("after"))
                    .order_by(articles.c.id)
                    .limit(batch_size),
                    {"after": after},
                ).scalars()
            )
            if not ids:
                return done
            assign_stored(conn, ids)
        after = ids[-1]
        done += len(ids)

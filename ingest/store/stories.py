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

The same transaction keeps ``story_days`` (each story's articles per day × feed × language) and
``story_country_days`` / ``story_pair_days`` (which stories mention each country and pair, per
day × feed × language): the cells (day, feed) of the new articles and of the stories merged away
are recomputed from the articles (``refresh_story_days``), so the tables always equal their
recomputation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

import numpy as np
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.engine import Connection, Engine

from ingest import stories as linking
from ingest import vectors as encoding
from ingest.store.engine import is_sqlite, write
from ingest.store.schema import (
    article_countries,
    article_stories,
    article_vectors,
    articles,
    stories,
    story_country_days,
    story_days,
    story_pair_days,
    story_signatures,
)

# PostgreSQL advisory-lock keys of the day buckets: this base plus the day's ordinal. Any range
# no other lock of the application uses will do (the migration lock is 7261626).
STORY_LOCK_BASE = 7_300_000_000
STORY_DAYS_LOCK = STORY_LOCK_BASE - 1  # below every day's key (days count from 1)
BUCKET_REACH = math.ceil(linking.WINDOW / timedelta(days=1))  # days either side that can link
REBUILD_BATCH = 5000  # articles per transaction in rebuild_stories
# New articles published within this of each other share one window load (a feed file of a few
# days loads its window once; longer spans load in parts so memory stays bounded).
CHUNK_SPAN = timedelta(hours=72)
# Stored signatures kept decoded, by their stored form: an import's runs load overlapping windows,
# and each signature is then decoded once rather than once per window. A miss costs one decode.
DECODED_SIGNATURES = 8192


@dataclass(frozen=True)
class StoryInput:
    """What story assignment needs of one stored article."""

    article_id: int
    title: str
    summary: str
    language: str
    published_at: datetime
    countries: tuple[str, ...]
    # Its multilingual sentence vector when one is stored (``ingest.vectors``; a rebuild reads
    # it), None for an article just saved: it links across languages once its vector is stored
    # (``link_vectors``).
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    def signature(self) -> linking.Signature:
        sig = linking.signature(
            self.title, self.summary, self.language, self.published_at, self.countries
        )
        return sig if self.vector is None else replace(sig, vector=self.vector)


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
            article_vectors.c.vector,
        )
        .outerjoin(
            article_vectors,
            and_(
                article_vectors.c.article_id == articles.c.id,
                article_vectors.c.model == encoding.MODEL,
            ),
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
            None if r.vector is None else encoding.from_blob(r.vector),
        )
        for r in rows
    ]


def _chunks(items: Sequence[StoryInput]) -> list[list[StoryInput]]:
    """``items`` in runs published within ``CHUNK_SPAN`` of each other (each run in id order),
    so each run loads one window of stored signatures."""
    runs: list[list[StoryInput]] = []
    for item in sorted(items, key=lambda item: (item.published_at, item.article_id)):
        if runs and item.published_at - runs[-1][0].published_at <= CHUNK_SPAN:
            runs[-1].append(item)
        else:
            runs.append([item])
    return [sorted(run, key=lambda item: item.article_id) for run in runs]


def _load_window(
    conn: Connection,
    languages: set[str],
    low: datetime,
    high: datetime,
    *,
    vectors: bool = False,
    vectored_only: bool = False,
) -> tuple[linking.Window, list[int], list[int]]:
    """Stored signatures published in [low, high], with their story ids and article ids (in
    window order): those of ``languages``; with ``vectors``, those of any language that have a
    vector too, each signature carrying its vector; with ``vectored_only``, only those with a
    vector (of any language)."""
    window = linking.Window()
    story_of: list[int] = []
    article_of: list[int] = []
    with_vectors = vectors or vectored_only
    rows = conn.execute(
        _window_query(with_vectors, vectored_only),
        {"languages": sorted(languages), "low": low, "high": high, "model": encoding.MODEL},
    )
    for row in rows:
        article_id, language, published_at, countries, words, roundup, story_id = row[:7]
        sig = _decoded(language, published_at, countries, words, roundup)
        vector = row[7] if with_vectors else None
        window.add(sig if vector is None else replace(sig, vector=encoding.from_blob(vector)))
        story_of.append(story_id)
        article_of.append(article_id)
    return window, story_of, article_of


@cache
def _window_query(vectors: bool, vectored_only: bool) -> Select:
    """``_load_window``'s query (bound: ``languages``, ``low``, ``high``, ``model``): the
    signature's columns and the story id, then the vector when ``vectors``. Built once per
    process (a run of new articles reads one window)."""
    s = story_signatures.c
    v = article_vectors.c
    columns = [s.article_id, s.language, s.published_at, s.countries, s.words, s.roundup]
    query = select(*columns, article_stories.c.story_id).join(
        article_stories, article_stories.c.article_id == s.article_id
    )
    which: ColumnElement[bool] = s.language.in_(bindparam("languages", expanding=True))
    if vectors:
        query = query.add_columns(v.vector).join(
            article_vectors,
            and_(v.article_id == s.article_id, v.model == bindparam("model")),
            isouter=not vectored_only,
        )
        which = true() if vectored_only else or_(which, v.vector.is_not(None))
    return query.where(
        which,
        s.published_at >= bindparam("low"),
        s.published_at <= bindparam("high"),
    ).order_by(s.published_at, s.article_id)


@lru_cache(maxsize=DECODED_SIGNATURES)
def _decoded(
    language: str, published_at: datetime, countries: str, words: str, roundup: bool
) -> linking.Signature:
    """A stored signature (a row of ``story_signatures``), decoded once per stored form."""
    return linking.decoded(language, published_at, countries.split(), words, roundup=roundup)


def _assign_run(conn: Connection, run: Sequence[StoryInput]) -> set[int]:
    """Assign one run of new articles: link each (in id order) to the window and to the run's
    earlier articles, merge the stories it links, then write the result in a few statements;
    return the ids of the stored stories merged into others (gone)."""
    sigs = [item.signature() for item in run]
    low = min(sig.published_at for sig in sigs) - linking.WINDOW
    high = max(sig.published_at for sig in sigs) + linking.WINDOW
    window, story_of, _articles = _load_window(
        conn,
        {sig.language for sig in sigs},
        low,
        high,
        vectors=any(sig.vector is not None for sig in sigs),  # a rebuild: links across languages
    )
    # Union-find over nodes: ("s", stored story id) and ("n", position in run).
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        ra, rb = find(a), find(b)
        if ra != rb:
            # A stored story stays the root (the lowest id when two merge).
            ra, rb = sorted((ra, rb), key=lambda node: (node[0] != "s", node[1]))
            parent[rb] = ra
        return ra

    stored = len(story_of)
    for n, sig in enumerate(sigs):
        node = ("n", n)
        joined = {find(node)}
        for position in window.candidates(sig):
            other = ("s", story_of[position]) if position < stored else ("n", position - stored)
            if find(other) in joined or not linking.linked(sig, window.signatures[position]):
                continue
            joined.add(find(other))
            joined.add(union(node, other))
        window.add(sig)

    # Components: the stored stories each absorbs and the new articles it gains.
    absorbed: dict[tuple[str, int], set[int]] = {}
    members: dict[tuple[str, int], list[int]] = {}
    for node in list(parent):
        root = find(node)
        if node[0] == "s" and root != node:
            absorbed.setdefault(root, set()).add(node[1])
    for n in range(len(run)):
        members.setdefault(find(("n", n)), []).append(n)
    target_of: dict[tuple[str, int], int] = {}
    starting: list[tuple[tuple[str, int], StoryInput]] = []  # new stories and first articles
    for root, new in members.items():
        if root[0] == "s":
            target_of[root] = root[1]
        else:
            first = min(new, key=lambda n: (run[n].published_at, run[n].article_id))
            starting.append((root, run[first]))
    if starting:
        # One INSERT … RETURNING for the run's new stories, each recognised by its first
        # article (a new article is the first of one new story at most): asking the rows back
        # in parameter order made SQLAlchemy send them one statement a row on SQLite.
        created = {
            row.first_article_id: row.id
            for row in conn.execute(
                stories.insert().returning(stories.c.id, stories.c.first_article_id),
                [
                    {"first_seen": item.published_at, "first_article_id": item.article_id}
                    for _root, item in starting
                ],
            )
        }
        target_of.update((root, created[item.article_id]) for root, item in starting)
    conn.execute(
        article_stories.insert(),
        [
            {"article_id": item.article_id, "story_id": target_of[find(("n", n))]}
            for n, item in enumerate(run)
        ],
    )
    conn.execute(
        story_signatures.insert(),
        [
            {
                "article_id": item.article_id,
                "language": sig.language,
                "published_at": sig.published_at,
                "countries": " ".join(sorted(sig.countries)),
                "words": sig.encoded_words(),
                "roundup": sig.roundup,
            }
            for item, sig in zip(run, sigs, strict=True)
        ],
    )
    _refresh_first(
        conn,
        {root[1]: {root[1], *absorbed.get(root, ())} for root in members if root[0] == "s"},
        {
            root[1]: [(run[n].published_at, run[n].article_id) for n in new]
            for root, new in members.items()
            if root[0] == "s"
        },
    )
    for root, gone in absorbed.items():
        _absorb(conn, root[1], gone)
    return {story for gone in absorbed.values() for story in gone}


def _absorb(conn: Connection, story: int, gone: Iterable[int]) -> None:
    """Move the articles of the stories ``gone`` into ``story`` and delete them (their first
    article already counted in ``story``'s, ``_refresh_first``)."""
    ids = sorted(gone)
    conn.execute(
        update(article_stories).where(article_stories.c.story_id.in_(ids)).values(story_id=story)
    )
    conn.execute(delete(stories).where(stories.c.id.in_(ids)))


def _refresh_first(
    conn: Connection,
    merged: dict[int, set[int]],
    gained: dict[int, list[tuple[datetime, int]]],
) -> None:
    """Stored stories that gained articles: each story's first article becomes the earliest
    published (lowest id among equals) of its old first articles (``merged``: the surviving
    story id -> the ids of the stories it is made of) and the articles it gained."""
    ids = sorted({story for parts in merged.values() for story in parts})
    if not ids:
        return
    firsts = {
        row.id: (row.first_seen, row.first_article_id)
        for row in conn.execute(
            select(stories.c.id, stories.c.first_seen, stories.c.first_article_id).where(
                stories.c.id.in_(ids)
            )
        )
    }
    for story, parts in merged.items():
        first_seen, first_id = min([firsts[part] for part in parts] + gained[story])
        if (first_seen, first_id) != firsts[story]:
            conn.execute(
                update(stories)
                .where(stories.c.id == story)
                .values(first_seen=first_seen, first_article_id=first_id)
            )


def assign_stories(conn: Connection, items: Sequence[StoryInput]) -> dict[int, int]:
    """Give each new article (not yet in a story) its story, in the caller's write transaction;
    return article id -> story id as it stands once all are assigned."""
    if not items:
        return {}
    _lock_days(conn, {item.published_at.date() for item in items})
    gone: set[int] = set()
    for run in _chunks(items):
        gone |= _assign_run(conn, run)
    ids = sorted(item.article_id for item in items)
    refresh_story_days(conn, article_cells(conn, ids) | _story_cells(conn, gone))
    rows = conn.execute(
        select(article_stories.c.article_id, article_stories.c.story_id).where(
            article_stories.c.article_id.in_(ids)
        )
    )
    return {row.article_id: row.story_id for row in rows}


def link_vectors(conn: Connection, ids: Sequence[int]) -> set[int]:
    """Link the stored articles ``ids``, whose vectors were just stored (in this transaction),
    to the articles of other languages in their window, and merge the stories they link; return
    the ids of the stories merged into others (gone).

    Each article is tested against the ``linking.MAX_XL_CANDIDATES`` articles of other
    languages of its window whose vectors are nearest (``Window.across``), by ``linking.linked``
    as a rebuild tests them: the stories stay the connected components of one link graph, so
    vectors stored later equal a ``restory`` with them (while the nearest-candidates bound does
    not bind). A merged story keeps the lowest id, as when a new article bridges two."""
    if not ids:
        return set()
    wanted = set(ids)
    published = list(
        conn.execute(
            select(story_signatures.c.published_at).where(story_signatures.c.article_id.in_(ids))
        ).scalars()
    )
    if not published:
        return set()
    _lock_days(conn, {moment.date() for moment in published})
    low, high = min(published) - linking.WINDOW, max(published) + linking.WINDOW
    window, story_of, article_of = _load_window(conn, set(), low, high, vectored_only=True)
    parent: dict[int, int] = {}

    def find(story: int) -> int:
        parent.setdefault(story, story)
        while parent[story] != story:
            parent[story] = parent[parent[story]]
            story = parent[story]
        return story

    order = sorted((a, position) for position, a in enumerate(article_of) if a in wanted)
    for _article, position in order:
        sig = window.signatures[position]
        for other in window.across(sig):
            mine, theirs = find(story_of[position]), find(story_of[other])
            if mine != theirs and linking.linked(sig, window.signatures[other]):
                parent[max(mine, theirs)] = min(mine, theirs)
    merged: dict[int, set[int]] = {}
    for story in list(parent):
        merged.setdefault(find(story), set()).add(story)
    merged = {root: parts for root, parts in merged.items() if len(parts) > 1}
    if not merged:
        return set()
    gone = {story for root, parts in merged.items() for story in parts if story != root}
    cells = _story_cells(conn, gone)
    _refresh_first(conn, merged, {root: [] for root in merged})
    for root, parts in merged.items():
        _absorb(conn, root, parts - {root})
    refresh_story_days(conn, cells)
    return gone


def assign_stored(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """``assign_stories`` for stored articles that are in no story yet, by id."""
    return assign_stories(conn, _stored_inputs(conn, ids))


def rebuild_stories(engine: Engine, *, batch_size: int = REBUILD_BATCH) -> int:
    """Forget every story and assign all stored articles again, in id order, in batches; return
    the articles assigned."""
    with write(engine) as conn:
        conn.execute(delete(story_signatures))
        conn.execute(delete(article_stories))
        conn.execute(delete(stories))
        fill_story_days(conn)  # every article a story of its own until it is assigned again
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


# --------------------------------------------------------------------------------------------
# story_days: each story's articles per day × feed × language (``schema.story_days``)

Cell = tuple[str, int]  # (day, feed id; 0 for none): the unit story_days is recomputed in


def story_key() -> ColumnElement[int]:
    """An article's story (its ``story_id``; an article in no story yet, while ``restory``
    runs, is a story of its own, keyed by its id negated: story ids are positive). The one
    rule the story tables and every story count (``queries.tally``) share."""
    return func.coalesce(article_stories.c.story_id, -articles.c.id)


def _story_day_rows(*where: ColumnElement[bool]) -> Select:
    """The ``story_days`` rows of the stored articles matching ``where``, from the articles; an
    article in no story yet is a story of its own (``story_key``)."""
    a = articles.c
    story = story_key()
    keys = (a.published_day, story, func.coalesce(a.feed_id, 0), a.language)
    return (
        select(*keys, func.count(), func.min(a.published_at), func.max(a.published_at))
        .select_from(articles.outerjoin(article_stories, article_stories.c.article_id == a.id))
        .where(*where)
        .group_by(*keys)
    )


_STORY_DAY_COLUMNS = ("day", "story_id", "feed_id", "language", "articles", "first_at", "last_at")


def _story_tag_rows(pairs: bool, *where: ColumnElement[bool]) -> Select:
    """The ``story_country_days`` (or, ``pairs``, ``story_pair_days``) rows of the stored
    articles matching ``where``: per day × story × feed × language × country (pair of countries
    tagged on one article, in code order), whether one of the articles names it prominently
    (a pair: both countries prominent in one article); also how many articles name it, how many
    prominently, and the first and last publication of each. Stories as in
    ``_story_day_rows``."""
    a = articles.c
    tag = article_countries.alias("tag")
    tagged = articles.join(tag, tag.c.article_id == a.id)
    codes: tuple[ColumnElement, ...] = (tag.c.iso3,)
    prominent: ColumnElement = tag.c.prominent
    if pairs:
        other = article_countries.alias("other")
        tagged = tagged.join(other, and_(other.c.article_id == a.id, tag.c.iso3 < other.c.iso3))
        codes = (tag.c.iso3, other.c.iso3)
        prominent = and_(tag.c.prominent, other.c.prominent)
    story = story_key()
    keys = (a.published_day, story, func.coalesce(a.feed_id, 0), a.language, *codes)
    when_prominent = case((prominent, a.published_at), else_=None)
    counts = (  # how many such articles, and when (the tables' last columns)
        func.count(),
        func.sum(case((prominent, 1), else_=0)),
        func.min(a.published_at),
        func.max(a.published_at),
        func.min(when_prominent),
        func.max(when_prominent),
    )
    return (
        select(*keys, func.max(case((prominent, 1), else_=0)) == 1, *counts)
        .select_from(tagged.outerjoin(article_stories, article_stories.c.article_id == a.id))
        .where(*where)
        .group_by(*keys)
    )


# Each table recomputed per cell: its rows from the articles, and its columns in that order.
_TAG_KEYS = ("day", "story_id", "feed_id", "language")
_MENTION_COUNTS = ("articles", "prominent_articles", "first_at", "last_at",
                   "first_prominent_at", "last_prominent_at")  # fmt: skip
_STORY_TABLES: tuple[tuple[Table, Callable[..., Select], tuple[str, ...]], ...] = (
    (story_days, _story_day_rows, _STORY_DAY_COLUMNS),
    (
        story_country_days,
        lambda *where: _story_tag_rows(False, *where),
        (*_TAG_KEYS, "iso3", "prominent", *_MENTION_COUNTS),
    ),
    (
        story_pair_days,
        lambda *where: _story_tag_rows(True, *where),
        (*_TAG_KEYS, "iso3_a", "iso3_b", "prominent", *_MENTION_COUNTS),
    ),
)


def _lock_story_days(conn: Connection) -> None:
    """PostgreSQL: the lock every recomputation of the story tables holds to the commit
    (``refresh_story_days``)."""
    if not is_sqlite(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_DAYS_LOCK})


def refresh_story_days(
    conn: Connection, cells: Iterable[Cell], *, tagged: Iterable[Cell] = ()
) -> None:
    """Recompute the rows of ``story_days``, ``story_country_days`` and ``story_pair_days`` of
    each cell (day, feed) of ``cells`` from its articles (the few one feed published that day,
    through ``ix_articles_feed_day``); of ``tagged``, the rows of the two tag tables only (a
    retag that leaves the articles' languages as they were).

    PostgreSQL: under one transaction-scoped lock (``STORY_DAYS_LOCK``), held to the commit.
    A merge recomputes the cells of the stories it absorbs, on days the transaction's day locks
    may not cover, and two transactions recomputing one cell side by side would each write
    rows without the other's articles (or collide on its key). Serialised, each recomputes
    after the one before has committed, and sees it. Every caller takes it last (after its
    tags and aggregates), so no writer waits for it while holding what its holder needs."""
    cells = sorted(set(cells))
    tag_only = sorted(set(tagged) - set(cells))
    if not cells and not tag_only:
        return
    _lock_story_days(conn)
    for index, (table, _rows, _columns) in enumerate(_STORY_TABLES):
        # One DELETE and one INSERT … SELECT per feed and table, over that feed's days (an
        # import saves one feed's articles, spread over a few days: 6 statements, not 6 a day).
        for feed, days in _days_by_feed(cells if table is story_days else cells + tag_only):
            removal, recount = _cell_statements(index, bool(feed))
            values = {"feed": feed, "days": days}
            conn.execute(removal, values)
            conn.execute(recount, values)


@cache
def _cell_statements(index: int, of_a_feed: bool) -> tuple[Delete, Insert]:
    """The DELETE and the INSERT … SELECT that recompute the rows of one feed's days (bound:
    ``feed``, ``days``) in the story table ``_STORY_TABLES[index]``, for a feed (``of_a_feed``)
    or for the articles of none (feed 0). Built once per process: building the INSERT …
    SELECT of its joins cost more than running it on a feed's few days."""
    table, rows, columns = _STORY_TABLES[index]
    days: BindParameter[str] = bindparam("days", expanding=True)
    of_feed = articles.c.feed_id == bindparam("feed") if of_a_feed else articles.c.feed_id.is_(None)
    removal = delete(table).where(table.c.feed_id == bindparam("feed"), table.c.day.in_(days))
    recount = table.insert().from_select(columns, rows(articles.c.published_day.in_(days), of_feed))
    return removal, recount


def _days_by_feed(cells: Iterable[Cell]) -> list[tuple[int, list[str]]]:
    """``cells`` as (feed, its days), feeds and days in sorted order."""
    days: dict[int, list[str]] = {}
    for day, feed in sorted(cells):
        days.setdefault(feed, []).append(day)
    return sorted(days.items())


def fill_story_days(conn: Connection, tables: Sequence[Table] = ()) -> None:
    """The story tables (``tables``, else all three) recomputed from every stored article
    (migrations 0016 to 0019, ``restory``)."""
    _lock_story_days(conn)
    for table, rows, columns in _STORY_TABLES:
        if not tables or table in tables:
            conn.execute(delete(table))
            conn.execute(table.insert().from_select(columns, rows()))


def article_cells(conn: Connection, ids: Sequence[int]) -> set[Cell]:
    """The cells (day, feed) of the stored articles ``ids``."""
    if not ids:
        return set()
    rows = conn.execute(
        select(articles.c.published_day, articles.c.feed_id)
        .where(articles.c.id.in_(ids))
        .distinct()
    )
    return {(row.published_day, row.feed_id or 0) for row in rows}


def _story_cells(conn: Connection, story_ids: Iterable[int]) -> set[Cell]:
    """The cells (day, feed) ``story_days`` holds rows of the stories ``story_ids`` in."""
    ids = sorted(story_ids)
    if not ids:
        return set()
    d = story_days.c
    rows = conn.execute(select(d.day, d.feed_id).where(d.story_id.in_(ids)).distinct())
    return {(row.day, row.feed_id) for row in rows}

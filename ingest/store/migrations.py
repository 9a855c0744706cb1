"""Named migrations, append-only, each applied in its own transaction together with the record
that it ran (a row of ``schema_migrations``: name, applied_at), as sqlite-utils does.

The names are the records: a store built by earlier code has the same names recorded and gets
only the ones it lacks. A migration added later that alters a table must be idempotent (inspect
before ALTER), because 0001 creates the tables from the current metadata on a fresh database.
Several processes may migrate at once: on PostgreSQL one holds an advisory lock while it migrates
and the others wait for it; on SQLite each migration's transaction begins IMMEDIATE (one writer at
a time). Either way each migration checks its record again inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.engine import Connection

from ingest.canonical import rekeyed
from ingest.store.aggregates import rebuild_derived
from ingest.store.engine import is_sqlite, now_utc
from ingest.store.schema import (
    DERIVED,
    article_stories,
    articles,
    feeds,
    meta,
    metadata,
    schema_migrations,
    stories,
    story_signatures,
)
from ingest.store.search_index import create_search_index

# PostgreSQL advisory lock held by the process that migrates (any fixed bigint will do; it only
# has to be the same in every process that migrates this store).
MIGRATION_LOCK_KEY = 7261626


def _m0001_initial(conn: Connection) -> None:
    metadata.create_all(
        conn, tables=[t for t in metadata.sorted_tables if t is not schema_migrations]
    )


def _m0002_meta(conn: Connection) -> None:
    meta.create(conn, checkfirst=True)


def _m0003_rollups(conn: Connection) -> None:
    for table in DERIVED:
        table.create(conn, checkfirst=True)
    rebuild_derived(conn)


def _m0004_search(conn: Connection) -> None:
    """A text-search index (see ``search_index``)."""
    create_search_index(conn)


REKEY_BATCH = 5000  # articles read per batch by migration 0005


def _m0005_unambiguous_keys(conn: Connection) -> None:
    """Re-key the articles keyed on feed + GUID or feed + title in the old format, in which the
    two fields were joined bare and so could meet (``canonical.rekeyed``). URL keys stay. Ids,
    tags and aggregates are untouched: only the identity used for dedupe changes."""
    feed_urls = dict(conn.execute(select(feeds.c.id, feeds.c.url)).tuples().all())
    c = articles.c
    last = 0
    while True:
        rows = conn.execute(
            select(c.id, c.url_key, c.url, c.guid, c.title, c.feed_id)
            .where(c.id > last)
            .order_by(c.id)
            .limit(REKEY_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        changes = []
        for row in rows:
            candidates: tuple[str | None, ...] = ("",)
            if row.feed_id is not None:
                # the poller's key; an import's key (the archive feed's URL); none
                candidates = (f"feed:{row.feed_id}", feed_urls.get(row.feed_id), "")
            new_key = rekeyed(row.url_key, row.url, row.guid, row.title, candidates)
            if new_key is not None:
                changes.append({"b_id": row.id, "b_key": new_key})
        if changes:
            conn.execute(
                articles.update()
                .where(c.id == bindparam("b_id"))
                .values(url_key=bindparam("b_key")),
                changes,
            )


def _m0011_stories(conn: Connection) -> None:
    """Stories (issue 14): the tables, then every stored article assigned, oldest id first."""
    for table in (stories, article_stories, story_signatures):
        table.create(conn, checkfirst=True)
    from ingest.store.stories import REBUILD_BATCH, assign_stored

    if conn.execute(select(article_stories.c.article_id).limit(1)).first() is not None:
        return  # created by 0001 on a fresh store and filled as articles were saved
    last = 0
    while True:
        ids = list(
            conn.execute(
                select(articles.c.id)
                .where(articles.c.id > last)
                .order_by(articles.c.id)
                .limit(REBUILD_BATCH)
            ).scalars()
        )
        if not ids:
            return
        assign_stored(conn, ids)
        last = ids[-1]


MIGRATIONS: tuple[tuple[str, Callable[[Connection], None]], ...] = (
    ("0001_initial", _m0001_initial),
    ("0002_meta", _m0002_meta),
    ("0003_rollups", _m0003_rollups),
    ("0004_search", _m0004_search),
    ("0005_unambiguous_keys", _m0005_unambiguous_keys),
    ("0011_stories", _m0011_stories),
)


def _applied(conn: Connection) -> set[str]:
    return set(conn.execute(select(schema_migrations.c.name)).scalars())


def migrate(engine: Engine) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction with its record;
    return the names applied."""
    applied: list[str] = []
    with engine.connect() as conn:
        conn.execution_options(pantau_write=True)  # SQLite: each transaction BEGIN IMMEDIATE
        postgres = not is_sqlite(conn)
        if postgres:  # held across the transactions below, so one process migrates at a time
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
        try:
            with conn.begin():
                schema_migrations.create(conn, checkfirst=True)
            for name, step in MIGRATIONS:
                with conn.begin():
                    # Checked again in each transaction: another process may have applied it.
                    if name in _applied(conn):
                        continue
                    step(conn)
                    conn.execute(schema_migrations.insert().values(name=name, applied_at=now_utc()))
                applied.append(name)
        finally:
            if postgres:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
    return applied

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

from sqlalchemy import Engine, Table, and_, bindparam, inspect, or_, select, text
from sqlalchemy.engine import Connection

from ingest.canonical import rekeyed
from ingest.records import TITLE, WHERE_TITLE, stored_evidence
from ingest.store.aggregates import rebuild_aggregates_in, rebuild_derived
from ingest.store.engine import is_sqlite, now_utc
from ingest.store.schema import (
    COUNTRY,
    DERIVED,
    PAIR,
    PROMINENT,
    WATCH_TABLES,
    article_countries,
    article_texts,
    article_topics,
    articles,
    feeds,
    host_leases,
    meta,
    metadata,
    schema_migrations,
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


def _m0006_article_texts(conn: Connection) -> None:
    """Full text (issue 13): its table apart from the light ones, the per-host leases of page
    fetching, and each feed's ``fulltext`` switch (on for every stored feed)."""
    article_texts.create(conn, checkfirst=True)
    host_leases.create(conn, checkfirst=True)
    if "fulltext" not in {c["name"] for c in inspect(conn).get_columns("feeds")}:
        conn.execute(text("ALTER TABLE feeds ADD COLUMN fulltext BOOLEAN NOT NULL DEFAULT true"))


PROMINENCE_BATCH = 5000  # tag rows read per batch by migration 0007


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


def _m0007_prominence(conn: Connection) -> None:
    """Tags carry their prominence (``records.Prominence``) and the country and pair aggregates
    count by it (``schema.PROMINENT``). Tags stored before bodies were read are in the title or
    the summary: prominent, in the ``title`` when some evidence lies in the title, else in the
    ``lead`` (the summary). Idempotent: a store created by 0001 from today's tables has it all."""
    true = "1" if is_sqlite(conn) else "true"
    for table in (article_countries, article_topics):
        if PROMINENT in _columns(conn, table.name):
            continue
        for ddl in (
            "prominence VARCHAR(8) NOT NULL DEFAULT 'lead'",
            "body_mentions INTEGER NOT NULL DEFAULT 0",
            f"prominent BOOLEAN NOT NULL DEFAULT {true}",
        ):
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
        _backfill_prominence(conn, table)
    if PROMINENT not in _columns(conn, COUNTRY.daily.name):
        for aggregate in (COUNTRY, PAIR):
            for table in aggregate.tables:
                table.drop(conn, checkfirst=True)
                table.create(conn)
        rebuild_aggregates_in(conn, (COUNTRY, PAIR))


def _backfill_prominence(conn: Connection, table: Table) -> None:
    """Mark ``title`` the stored tags with evidence in their article's title (the rest stay
    ``lead``, the column's default)."""
    key = table.c.iso3 if "iso3" in table.c else table.c.topic
    last: tuple[int, str] = (0, "")
    while True:
        rows = conn.execute(
            select(table.c.article_id, key.label("key"), table.c.evidence, articles.c.title)
            .select_from(table.join(articles, articles.c.id == table.c.article_id))
            .where(
                or_(
                    table.c.article_id > last[0],
                    and_(table.c.article_id == last[0], key > last[1]),
                )
            )
            .order_by(table.c.article_id, key)
            .limit(PROMINENCE_BATCH)
        ).all()
        if not rows:
            return
        last = (rows[-1].article_id, rows[-1].key)
        in_title = [
            {"b_id": row.article_id, "b_key": row.key}
            for row in rows
            if any(e.in_field(row.title).field == TITLE for e in stored_evidence(row.evidence))
        ]
        if in_title:
            conn.execute(
                table.update()
                .where(table.c.article_id == bindparam("b_id"), key == bindparam("b_key"))
                .values(prominence=WHERE_TITLE),
                in_title,
            )


def _m0010_watches(conn: Connection) -> None:
    """Watches, their alerts and deliveries (issue 15), and the index on articles' fetch time
    that finds a watch's new matches."""
    for table in WATCH_TABLES:
        table.create(conn, checkfirst=True)
    index = next(i for i in articles.indexes if i.name == "ix_articles_fetched")
    index.create(conn, checkfirst=True)


MIGRATIONS: tuple[tuple[str, Callable[[Connection], None]], ...] = (
    ("0001_initial", _m0001_initial),
    ("0002_meta", _m0002_meta),
    ("0003_rollups", _m0003_rollups),
    ("0004_search", _m0004_search),
    ("0005_unambiguous_keys", _m0005_unambiguous_keys),
    ("0006_article_texts", _m0006_article_texts),
    ("0007_prominence", _m0007_prominence),
    ("0010_watches", _m0010_watches),
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

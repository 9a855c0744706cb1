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

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, Table, and_, bindparam, inspect, or_, select, text
from sqlalchemy.engine import Connection, Row

from ingest.canonical import rekeyed, url_key
from ingest.records import TITLE, WHERE_TITLE, stored_evidence
from ingest.store.aggregates import rebuild_aggregates_in, rebuild_derived
from ingest.store.articles import replace_tags_in
from ingest.store.engine import is_sqlite, now_utc
from ingest.store.feeds import fill_outlet_metadata
from ingest.store.schema import (
    COUNTRY,
    DERIVED,
    PAIR,
    PROMINENT,
    WATCH_TABLES,
    article_countries,
    article_entities,
    article_stories,
    article_texts,
    article_topics,
    article_vectors,
    articles,
    feeds,
    host_leases,
    ix_story_signatures_published,
    meta,
    metadata,
    schema_migrations,
    stories,
    story_country_days,
    story_days,
    story_pair_days,
    story_signatures,
)
from ingest.store.search_index import (
    compress_bodies_with_lz4,
    create_body_index,
    create_gram_indexes,
    create_id_date_index,
    create_pair_indexes,
    create_search_index,
    create_word_pair_indexes,
    index_for_search,
    index_raw_text,
    unindex_for_search,
)
from ingest.store.stories import fill_story_days
from ingest.text_clean import clean_text

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


def _article_batches(
    conn: Connection, columns: Sequence[Any], batch: int, *where: Any
) -> Iterator[Sequence[Row[Any]]]:
    """The ``columns`` (``articles.c.id`` first) of the articles matching ``where``, in batches
    of ``batch`` by id; the caller may change each batch before it asks for the next."""
    last = 0
    while True:
        rows = conn.execute(
            select(*columns)
            .where(articles.c.id > last, *where)
            .order_by(articles.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        yield rows


REKEY_BATCH = 5000  # articles read per batch by migration 0005


def _m0005_unambiguous_keys(conn: Connection) -> None:
    """Re-key the articles keyed on feed + GUID or feed + title in the old format, in which the
    two fields were joined bare and so could meet (``canonical.rekeyed``). URL keys stay. Ids,
    tags and aggregates are untouched: only the identity used for dedupe changes."""
    feed_urls = dict(conn.execute(select(feeds.c.id, feeds.c.url)).all())
    c = articles.c
    columns = (c.id, c.url_key, c.url, c.guid, c.title, c.feed_id)
    for rows in _article_batches(conn, columns, REKEY_BATCH):
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


REPAIR_BATCH = 500  # articles read per batch by migration 0008


def _m0008_decode_entities(conn: Connection) -> None:
    """Decode the entities earlier text cleaning left in stored titles and summaries
    (``&lt;로이터&gt;``, ``Merck &amp; Co.``, a cut ``&l``; issue 11), then keep everything
    derived from that text consistent: the search index, the url_key of an article keyed on its
    title, and the tags (evidence offsets move) with the aggregates, by retagging the repaired
    articles through ``replace_tags_in``. Articles without an "&" are not read twice."""
    from ingest.tagging import tag_article  # the gazetteer loads only when a row needs it

    feed_rows = conn.execute(select(feeds.c.id, feeds.c.url, feeds.c.language)).all()
    feed_urls = {row.id: row.url for row in feed_rows}
    feed_languages = {row.id: row.language for row in feed_rows}
    c = articles.c
    columns = (c.id, c.url_key, c.url, c.guid, c.feed_id, c.title, c.summary, c.published_at)
    escaped = (c.title.contains("&")) | (c.summary.contains("&"))
    for rows in _article_batches(conn, columns, REPAIR_BATCH, escaped):
        changes = []
        for row in rows:
            title, summary = clean_text(row.title), clean_text(row.summary)
            if (title, summary) == (row.title, row.summary or ""):
                continue
            key = row.url_key
            for feed_key in (f"feed:{row.feed_id}", feed_urls.get(row.feed_id)):
                if feed_key and url_key(row.url, row.guid, feed_key, row.title) == key:
                    key = url_key(row.url, row.guid, feed_key, title)
                    break
            taken = (
                key != row.url_key and conn.execute(select(c.id).where(c.url_key == key)).first()
            )
            changes.append(
                {
                    "b_id": row.id,
                    "b_title": title,
                    "b_summary": summary,
                    "b_key": row.url_key if taken else key,
                    "published_at": row.published_at,
                    "language": feed_languages.get(row.feed_id),
                }
            )
        if not changes:
            continue
        ids = [change["b_id"] for change in changes]
        sqlite = is_sqlite(conn)
        if sqlite:
            unindex_for_search(conn, ids)
        conn.execute(
            articles.update()
            .where(c.id == bindparam("b_id"))
            .values(
                title=bindparam("b_title"),
                summary=bindparam("b_summary"),
                url_key=bindparam("b_key"),
            ),
            [{k: v for k, v in change.items() if k.startswith("b_")} for change in changes],
        )
        if sqlite:
            index_for_search(conn, ids)
        replace_tags_in(
            conn,
            [
                (
                    change["b_id"],
                    tag_article(
                        change["b_title"],
                        change["b_summary"],
                        published=change["published_at"],
                        language_hint=change["language"],
                    ),
                )
                for change in changes
            ],
            story_days=False,  # a store this old has no stories yet: 0016 fills story_days
        )


def _m0009_outlet_metadata(conn: Connection) -> None:
    """feeds.outlet: one outlet identity for a catalogue feed and its archive (demo) copies
    (issue 11 items 10 and 14). Each feed gets the key of its site (``catalogue.outlet_key``),
    and a feed that carries no outlet type or home country takes them from a catalogue feed of
    the same outlet. Idempotent: the column is added only when missing (0001 creates it)."""
    if "outlet" not in {col["name"] for col in inspect(conn).get_columns("feeds")}:
        conn.exec_driver_sql("ALTER TABLE feeds ADD COLUMN outlet TEXT")
    fill_outlet_metadata(conn)


def _m0011_stories(conn: Connection) -> None:
    """Stories (issue 14): the tables, then every stored article assigned, oldest id first."""
    for table in (
        stories,
        article_stories,
        story_signatures,
        story_days,
        story_country_days,
        story_pair_days,
    ):
        table.create(conn, checkfirst=True)  # kept as stories are assigned (0016, 0017)
    from ingest.store.stories import REBUILD_BATCH, assign_stored

    if conn.execute(select(article_stories.c.article_id).limit(1)).first() is not None:
        return  # created by 0001 on a fresh store and filled as articles were saved
    for rows in _article_batches(conn, (articles.c.id,), REBUILD_BATCH):
        assign_stored(conn, [row.id for row in rows])


def _m0012_entities(conn: Connection) -> None:
    """Entity tags (issue 14): the table. Stored articles get their entities from
    ``python -m ingest retag``: the entity data is part of the tagger version, so every article
    tagged before it is stale."""
    article_entities.create(conn, checkfirst=True)


def _m0013_body_search(conn: Connection) -> None:
    """Text search reads article bodies too (issue 13 item 7): the bodies' index (see
    ``search_index``), filled from the bodies stored so far."""
    create_body_index(conn)


def _m0014_raw_search_indexes(conn: Connection) -> None:
    """PostgreSQL's search reads the raw text (``queries.search``): its trigram indexes rebuilt
    on the columns themselves, and the published-date index with the ids
    (``search_index.index_raw_text``). SQLite: nothing to do."""
    index_raw_text(conn)


def _m0015_pair_search(conn: Connection) -> None:
    """Two-character searches read an index of character pairs (``store.bigrams``), filled
    from the articles and bodies stored so far (``search_index.create_pair_indexes``)."""
    create_pair_indexes(conn)


def _m0016_story_days(conn: Connection) -> None:
    """Each story's articles per day × feed × language, which the Stories page ranks by
    (``schema.story_days``), filled from the stored articles and their stories."""
    story_days.create(conn, checkfirst=True)
    fill_story_days(conn, (story_days,))


def _m0017_story_tags(conn: Connection) -> None:
    """Which stories mention each country and each pair per day × feed × language, which the
    story counts per country and pair read (``schema.story_country_days``,
    ``schema.story_pair_days``), filled from the stored articles, their tags and stories."""
    tables = (story_country_days, story_pair_days)
    for table in tables:
        table.create(conn, checkfirst=True)
    fill_story_days(conn, tables)


def _m0018_story_country_counts(conn: Connection) -> None:
    """``story_country_days`` gains its articles' counts and first and last publication (the
    Stories page ranks stories under one country from it): the table made again and filled
    from the stored articles, their tags and stories (at 1M articles, ~10 s)."""
    story_country_days.drop(conn, checkfirst=True)
    story_country_days.create(conn)
    fill_story_days(conn, (story_country_days,))


def _m0019_story_pair_counts(conn: Connection) -> None:
    """``story_pair_days`` gains the same counts (the Stories page ranks stories under a pair
    from it): the table made again and filled from the stored articles."""
    story_pair_days.drop(conn, checkfirst=True)
    story_pair_days.create(conn)
    fill_story_days(conn, (story_pair_days,))


def _m0020_word_search(conn: Connection) -> None:
    """PostgreSQL answers a search of one word from an exact index of what each word holds
    (``store.word_grams``), built from the articles and bodies stored so far
    (``search_index.create_gram_indexes``). SQLite: nothing to do."""
    create_gram_indexes(conn)


def _m0021_id_dates(conn: Connection) -> None:
    """PostgreSQL: an index of the articles' ids with their dates, from which a search over a
    long range reads its matches' dates (``search_index.create_id_date_index``). SQLite:
    nothing to do."""
    create_id_date_index(conn)


def _m0022_body_lz4(conn: Connection) -> None:
    """PostgreSQL: bodies stored from now on are compressed with LZ4, which a search's test
    of each body decompresses faster (``search_index.compress_bodies_with_lz4``). SQLite:
    nothing to do."""
    compress_bodies_with_lz4(conn)


def _m0023_phrase_search(conn: Connection) -> None:
    """PostgreSQL answers a phrase of two words from an exact index of the words one space
    joins (``store.word_pairs``), built from the articles and bodies stored so far
    (``search_index.create_word_pair_indexes``). SQLite: nothing to do."""
    create_word_pair_indexes(conn)


def _m0024_article_vectors(conn: Connection) -> None:
    """Each article's multilingual sentence vector, which links stories across languages
    (``ingest.vectors``): the table, and the index of the stories' signatures by publication
    time that reads a window of every language. Stored articles get theirs from ``python -m ingest vectors``
    (or ``run``, after its next poll cycle), which links their stories as it stores them."""
    article_vectors.create(conn, checkfirst=True)
    ix_story_signatures_published.create(conn, checkfirst=True)


MIGRATIONS: tuple[tuple[str, Callable[[Connection], None]], ...] = (
    ("0001_initial", _m0001_initial),
    ("0002_meta", _m0002_meta),
    ("0003_rollups", _m0003_rollups),
    ("0004_search", _m0004_search),
    ("0005_unambiguous_keys", _m0005_unambiguous_keys),
    ("0006_article_texts", _m0006_article_texts),
    ("0007_prominence", _m0007_prominence),
    ("0008_decode_entities", _m0008_decode_entities),
    ("0009_outlet_metadata", _m0009_outlet_metadata),
    ("0010_watches", _m0010_watches),
    ("0011_stories", _m0011_stories),
    ("0012_entities", _m0012_entities),
    ("0013_body_search", _m0013_body_search),
    ("0014_raw_search_indexes", _m0014_raw_search_indexes),
    ("0015_pair_search", _m0015_pair_search),
    ("0016_story_days", _m0016_story_days),
    ("0017_story_tags", _m0017_story_tags),
    ("0018_story_country_counts", _m0018_story_country_counts),
    ("0019_story_pair_counts", _m0019_story_pair_counts),
    ("0020_word_search", _m0020_word_search),
    ("0021_id_dates", _m0021_id_dates),
    ("0022_body_lz4", _m0022_body_lz4),
    ("0023_phrase_search", _m0023_phrase_search),
    ("0024_article_vectors", _m0024_article_vectors),
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

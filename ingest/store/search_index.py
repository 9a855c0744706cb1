"""The text-search indexes: their definitions and fill expressions, shared by the store (which
creates and fills them) and the queries (which search them).

SQLite: two contentless FTS5 tables of trigrams (not in the metadata: virtual tables).
``article_search``: rowid = article id, body = lower(title) + newline + lower(summary), the text
the search's LIKE test reads; filled as articles are saved. ``body_search``: rowid = article id,
body = lower(article_texts.body), one row for each stored body; kept by the full-text writes
(``store.texts``: a body stored later than its article, replaced on refetch, dropped by
retention), which take a row out (with the very text it indexed, as a contentless table needs)
before its body changes and put it back after. Two tables, so a match never straddles summary
and body, and the bodies' index grows on its own: bytes per body, not per article.
PostgreSQL: trigram GIN indexes on the raw title, summary and article_texts.body (pg_trgm folds
case as it makes trigrams, so they serve the search's case-insensitive regular expressions;
migration 0014 replaced the first indexes, on lower() of each), when pg_trgm can be installed;
they keep themselves. Beside them the published-date index carries the ids (INCLUDE), so a
range's lowest and highest id are read from it alone. A search of one word reads PostgreSQL's
exact word indexes instead (``GRAM_INDEXES``, migration 0020, ``store.word_grams``), and two
characters the indexes of character pairs (``PAIR_INDEXES``, ``store.bigrams``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, column, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import table as table_clause

from ingest.records import TEXT_SEPARATOR
from ingest.store import bigrams, word_grams, word_pairs
from ingest.store.engine import is_sqlite, write
from ingest.store.schema import article_texts, articles, published_index

log = logging.getLogger(__name__)

SEARCH_TABLE = "article_search"
article_search = table_clause(SEARCH_TABLE, column("rowid"), column("body"), column(SEARCH_TABLE))
# What the index holds for an article: the text the search's LIKE test reads.
SEARCH_BODY = (
    func.lower(articles.c.title) + literal(TEXT_SEPARATOR) + func.lower(articles.c.summary)
)
SEARCHED_COLUMNS = ("title", "summary")  # PostgreSQL: one trigram index on each

BODY_TABLE = "body_search"
body_search = table_clause(BODY_TABLE, column("rowid"), column("body"), column(BODY_TABLE))
BODY_TEXT = func.lower(article_texts.c.body)  # what the body index holds for a stored body
BODY_INDEX = "ix_article_texts_body_trgm"  # PostgreSQL
# PostgreSQL's trigram indexes: name, table, the article id's column, the text column.
TRIGRAM_INDEXES = (
    *((f"ix_articles_{name}_trgm", "articles", "id", name) for name in SEARCHED_COLUMNS),
    (BODY_INDEX, "article_texts", "article_id", "body"),
)
FILL_CHUNK = 500  # article ids per INSERT … SELECT when indexing the articles just saved

# Two-character searches (``store.bigrams``). SQLite: two FTS5 tables of the pairs' tokens, for
# the articles' text (the same text as article_search: a pair across its newline is never
# searched, a search holds no newline) and for the stored bodies. PostgreSQL: expression
# indexes of the pairs of lower() of each field: name, table, column.
ARTICLE_PAIRS = "article_pairs"
BODY_PAIRS = "body_pairs"
article_pairs = table_clause(ARTICLE_PAIRS, column("rowid"), column("body"), column(ARTICLE_PAIRS))
body_pairs = table_clause(BODY_PAIRS, column("rowid"), column("body"), column(BODY_PAIRS))
ARTICLE_PAIRS_TEXT = getattr(func, bigrams.FUNCTION)(SEARCH_BODY)
BODY_PAIRS_TEXT = getattr(func, bigrams.FUNCTION)(BODY_TEXT)
PAIR_INDEXES = (
    *((f"ix_articles_{name}_pairs", "articles", name) for name in SEARCHED_COLUMNS),
    ("ix_article_texts_body_pairs", "article_texts", "body"),
)
# One-word searches on PostgreSQL (``store.word_grams``): expression indexes of the strings of
# each word of lower() of each field: name, table, column. Not led by the article id, unlike
# the trigram indexes: a read kept to a range's ids then walks every id of the range in the
# index (30 days of 1M articles: 7,000 pages a field, 60-90 ms); the planner instead ANDs the
# word's bitmap with the range's from the date index (titles, summaries) or the primary key
# (bodies), a few hundred pages (``queries.search``). SQLite has none: its FTS5 trigram
# phrases are exact already.
GRAM_INDEXES = (
    *((f"ix_articles_{name}_grams", "articles", name) for name in SEARCHED_COLUMNS),
    ("ix_article_texts_body_grams", "article_texts", "body"),
)
# Phrases on PostgreSQL (``store.word_pairs``): expression indexes of the words one space
# joins in lower() of each field, read like the word indexes.
WORD_PAIR_INDEXES = (
    *((f"ix_articles_{name}_word_pairs", "articles", name) for name in SEARCHED_COLUMNS),
    ("ix_article_texts_body_word_pairs", "article_texts", "body"),
)

# PostgreSQL: the ids with their dates, which a search over a long range reads its matches'
# dates from (``queries.search``: the matches' ids as an array, each looked up here for the
# range), from the index alone, not from each article's row (a year's count of "the" at 1M:
# 271 ms against 400). SQLite's primary key is the row itself.
ID_DATE_INDEX = "ix_articles_id_published"

# SQLite's indexes of each kind of text: name, what it holds (maintained together).
ARTICLE_INDEXES = ((SEARCH_TABLE, SEARCH_BODY), (ARTICLE_PAIRS, ARTICLE_PAIRS_TEXT))
BODY_INDEXES = ((BODY_TABLE, BODY_TEXT), (BODY_PAIRS, BODY_PAIRS_TEXT))


def create_search_index(conn: Connection) -> None:
    """Create the index (migration 0004) and fill it from the stored articles."""
    if is_sqlite(conn):
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
            "body, content='', tokenize='trigram case_sensitive 1')"
        )
        fill_search_index(conn)
        return
    _create_trigram_indexes(conn, "articles")
    # Statistics of the new index expressions now, not at the next auto-analyze: without them
    # the planner reads every match of a common word from the index (1M articles, 30 days:
    # 970 ms instead of 60 ms).
    conn.exec_driver_sql("ANALYZE articles")


def create_body_index(conn: Connection) -> None:
    """Create the bodies' index (migration 0013) and fill it from the stored bodies."""
    if is_sqlite(conn):
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {BODY_TABLE} USING fts5("
            "body, content='', tokenize='trigram case_sensitive 1')"
        )
        fill_body_index(conn)
        return
    _create_trigram_indexes(conn, "article_texts")
    conn.exec_driver_sql("ANALYZE article_texts")  # as for the articles' indexes above


def index_raw_text(conn: Connection) -> None:
    """PostgreSQL (migration 0014): each trigram index built on lower() of its column rebuilt
    on the article id and the column itself, and the published-date index rebuilt to carry the
    ids. SQLite: nothing (its indexes hold lower-cased text, and its date index carries the
    rowid already)."""
    if is_sqlite(conn):
        return
    for table in ("articles", "article_texts"):
        _create_trigram_indexes(conn, table, replace=True)
    if "INCLUDE" not in _index_definition(conn, str(published_index.name)):
        published_index.drop(conn, checkfirst=True)
        published_index.create(conn)
    conn.exec_driver_sql("ANALYZE articles")
    conn.exec_driver_sql("ANALYZE article_texts")


def _create_trigram_indexes(conn: Connection, table: str, *, replace: bool = False) -> None:
    """PostgreSQL: the trigram indexes of ``table`` (``TRIGRAM_INDEXES``), none when pg_trgm
    cannot be installed. Each is a GIN index of the article id (btree_gin's operator class) and
    the raw text, so a search kept to a range of ids finds its candidates in the index alone and
    tests only those (a 30-day search of a common word at 1M: 1,205 bodies tested, not the
    10,477 of the whole year); of the raw text alone when btree_gin cannot be installed.
    ``replace``: an index of another shape (on lower() of the text, or without the id while
    btree_gin is there) is dropped and built anew."""
    opclass = _trigram_opclass(conn)
    if opclass is None:
        return
    with_ids = _extension(conn, "btree_gin")
    for index, of_table, id_column, name in TRIGRAM_INDEXES:
        if of_table != table:
            continue
        columns = f"{id_column}, {name} {opclass}" if with_ids else f"{name} {opclass}"
        if replace:
            definition = _index_definition(conn, index)
            if definition and (
                "lower(" in definition or (with_ids and f"({id_column}," not in definition)
            ):
                conn.exec_driver_sql(f"DROP INDEX {index}")
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({columns})")


def _index_definition(conn: Connection, name: str) -> str:
    """PostgreSQL: an index's definition in the current schema ('' when there is none)."""
    found = conn.execute(select(func.pg_get_indexdef(func.to_regclass(name)))).scalar_one_or_none()
    return found or ""


def _trigram_opclass(conn: Connection) -> str | None:
    """PostgreSQL: pg_trgm's operator class for GIN, the extension installed when missing; None
    (with a warning) when it cannot be, and then the search scans."""
    if not _extension(conn, "pg_trgm"):
        log.warning("no trigram index for text search (pg_trgm missing); it will scan")
        return None
    schema = conn.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    return '"' + schema.replace('"', '""') + '".gin_trgm_ops'


def _extension(conn: Connection, name: str) -> bool:
    """PostgreSQL: whether the contrib extension ``name`` is installed, installing it when
    missing and allowed (in public, not the first schema of the search path: a schema dropped
    later must not take the extension, and every index built on it, with it)."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {name} SCHEMA public")
    except DBAPIError as exc:  # not allowed to install it
        log.warning("PostgreSQL extension %s not installed (%s)", name, exc.orig)
        return False
    return True


def fill_search_index(conn: Connection) -> None:
    """(Re)fill SQLite's search indexes of the articles' text from every stored article."""
    for name, _ in _indexes(conn, ARTICLE_INDEXES):
        conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('delete-all')")
    index_for_search(conn)


def index_for_search(conn: Connection, ids: Sequence[int] | None = None) -> None:
    """Add articles (all, or those of ``ids``) to SQLite's search indexes."""
    chunks = (
        [None] if ids is None else [ids[i : i + FILL_CHUNK] for i in range(0, len(ids), FILL_CHUNK)]
    )
    for name, content in _indexes(conn, ARTICLE_INDEXES):
        for chunk in chunks:
            rows = select(articles.c.id, content)
            if chunk is not None:
                rows = rows.where(articles.c.id.in_(chunk))
            conn.execute(_fts(name).insert().from_select(["rowid", "body"], rows))


def unindex_for_search(conn: Connection, ids: Sequence[int]) -> None:
    """Take articles out of SQLite's search indexes before their text changes (a contentless
    FTS5 table forgets a row only when given the very text it indexed)."""
    for name, content in _indexes(conn, ARTICLE_INDEXES):
        for start in range(0, len(ids), FILL_CHUNK):
            chunk = ids[start : start + FILL_CHUNK]
            rows = select(literal("delete"), articles.c.id, content).where(articles.c.id.in_(chunk))
            conn.execute(_fts_command(name).insert().from_select([name, "rowid", "body"], rows))


def fill_body_index(conn: Connection) -> None:
    """(Re)fill SQLite's body indexes from every stored body."""
    for name, _ in _indexes(conn, BODY_INDEXES):
        conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('delete-all')")
    index_bodies(conn)


def index_bodies(conn: Connection, *where: Any) -> None:
    """Add the stored bodies of the text rows matching ``where`` (all when none) to SQLite's
    body indexes; their rows must not be in them (``unindex_bodies`` first)."""
    for name, content in _indexes(conn, BODY_INDEXES):
        rows = select(article_texts.c.article_id, content).where(
            article_texts.c.body.is_not(None), *where
        )
        conn.execute(_fts(name).insert().from_select(["rowid", "body"], rows))


def unindex_bodies(conn: Connection, *where: Any) -> None:
    """Take the stored bodies of the text rows matching ``where`` out of SQLite's body
    indexes, before they change or go (given the very text indexed)."""
    for name, content in _indexes(conn, BODY_INDEXES):
        rows = select(literal("delete"), article_texts.c.article_id, content).where(
            article_texts.c.body.is_not(None), *where
        )
        conn.execute(_fts_command(name).insert().from_select([name, "rowid", "body"], rows))


def _indexes(conn: Connection, indexes: tuple[tuple[str, Any], ...]) -> list[tuple[str, Any]]:
    """Those of SQLite's ``indexes`` (name, content) the store holds: the pairs' indexes come
    with migration 0015, and the migrations before it write the others."""
    held = set(
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?, ?)",
            (SEARCH_TABLE, BODY_TABLE, ARTICLE_PAIRS, BODY_PAIRS),
        ).scalars()
    )
    return [(name, content) for name, content in indexes if name in held]


def _fts(name: str) -> Any:
    return table_clause(name, column("rowid"), column("body"))


def _fts_command(name: str) -> Any:
    """The table with its own hidden column, through which FTS5 takes commands ("delete")."""
    return table_clause(name, column(name), column("rowid"), column("body"))


def create_pair_indexes(conn: Connection) -> None:
    """Create the indexes of character pairs (migration 0015, ``store.bigrams``) and fill them:
    SQLite's two FTS5 tables from the stored articles and bodies; PostgreSQL's function and
    its three expression indexes (they keep themselves)."""
    if is_sqlite(conn):
        for name in (ARTICLE_PAIRS, BODY_PAIRS):
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
                "body, content='', detail=none, tokenize='ascii')"
            )
            conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('delete-all')")
        conn.execute(
            article_pairs.insert().from_select(
                ["rowid", "body"], select(articles.c.id, ARTICLE_PAIRS_TEXT)
            )
        )
        bodies = select(article_texts.c.article_id, BODY_PAIRS_TEXT)
        conn.execute(
            body_pairs.insert().from_select(
                ["rowid", "body"], bodies.where(article_texts.c.body.is_not(None))
            )
        )
        return
    _create_function_indexes(conn, bigrams.PG_FUNCTION, bigrams.FUNCTION, PAIR_INDEXES)
    conn.exec_driver_sql("ANALYZE articles")
    conn.exec_driver_sql("ANALYZE article_texts")


def create_gram_indexes(conn: Connection) -> None:
    """PostgreSQL (migration 0020): the function of ``store.word_grams`` and its three
    expression indexes, built from what is stored. They keep themselves. SQLite: nothing."""
    if is_sqlite(conn):
        return
    _create_string_indexes(conn, word_grams.PG_FUNCTION, word_grams.FUNCTION, GRAM_INDEXES)


def create_word_pair_indexes(conn: Connection) -> None:
    """PostgreSQL (migration 0023): the function of ``store.word_pairs`` and its three
    expression indexes, built from what is stored. They keep themselves. SQLite: nothing."""
    if is_sqlite(conn):
        return
    _create_string_indexes(conn, word_pairs.PG_FUNCTION, word_pairs.FUNCTION, WORD_PAIR_INDEXES)


def _create_string_indexes(
    conn: Connection, definition: str, function: str, indexes: tuple[tuple[str, str, str], ...]
) -> None:
    """PostgreSQL: a function of strings (``store.word_grams``, ``store.word_pairs``) and its
    GIN indexes, without statistics of their expressions (the planner must assume a match is
    rare, ``store.word_grams``); gathering them would also make every ANALYZE compute the
    strings of its sample (30,000 bodies: half a minute)."""
    _create_function_indexes(conn, definition, function, indexes)
    for index, *_ in indexes:
        conn.exec_driver_sql(f"ALTER INDEX {index} ALTER COLUMN 1 SET STATISTICS 0")


def _create_function_indexes(
    conn: Connection, definition: str, function: str, indexes: tuple[tuple[str, str, str], ...]
) -> None:
    """PostgreSQL: the function ``definition`` creates, and a GIN index of ``function`` of
    lower() of each column of ``indexes`` (name, table, column)."""
    conn.exec_driver_sql(definition)
    for index, table, name in indexes:
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({function}(lower({name})))"
        )


def rebuild_search_index(engine: Engine) -> None:
    """Refill SQLite's search indexes from the articles and their bodies, after rows were
    written other than by the store's own writes (a bulk copy, say). PostgreSQL's trigram
    indexes keep themselves."""
    if is_sqlite(engine):
        with write(engine) as conn:
            fill_search_index(conn)
            fill_body_index(conn)


def create_id_date_index(conn: Connection) -> None:
    """PostgreSQL (migration 0021): the index of the articles' ids with their dates
    (``ID_DATE_INDEX``), built from what is stored. SQLite: nothing."""
    if is_sqlite(conn):
        return
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {ID_DATE_INDEX} ON articles (id) INCLUDE (published_at)"
    )


def compress_bodies_with_lz4(conn: Connection) -> None:
    """PostgreSQL (migration 0022): the bodies stored from now on are compressed with LZ4
    rather than pglz, where the server was built with LZ4 (PostgreSQL 14 and later, as
    Debian's packages are; elsewhere nothing changes). A search that tests bodies (a phrase,
    a long word: ``queries.search``) decompresses each one it tests, and pglz's
    decompression was most of that test: 9,520 bodies of 1M articles' store tested in 241 ms
    with pglz, 132 ms with LZ4 (``bench_body_search``). Bodies stored before keep pglz, read
    as before, until they are written again (``enrich --refetch``). SQLite: nothing."""
    if is_sqlite(conn):
        return
    lz4 = conn.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    if lz4:
        conn.exec_driver_sql("ALTER TABLE article_texts ALTER COLUMN body SET COMPRESSION lz4")

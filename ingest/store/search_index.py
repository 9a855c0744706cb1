"""The text-search index: its one definition and its one fill expression, shared by the store
(which creates and fills it) and the queries (which search it).

SQLite: a contentless FTS5 table of trigrams, ``article_search`` (not in the metadata: a virtual
table), rowid = article id, body = lower(title) + newline + lower(summary), the text the search's
LIKE test reads; it is filled as articles are saved. PostgreSQL: trigram GIN indexes on
lower(title) and lower(summary), when pg_trgm can be installed; they keep themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Engine, column, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import table as table_clause

from ingest.records import TEXT_SEPARATOR
from ingest.store.engine import is_sqlite, write
from ingest.store.schema import articles

log = logging.getLogger(__name__)

SEARCH_TABLE = "article_search"
article_search = table_clause(SEARCH_TABLE, column("rowid"), column("body"))
# What the index holds for an article: the text the search's LIKE test reads.
SEARCH_BODY = (
    func.lower(articles.c.title) + literal(TEXT_SEPARATOR) + func.lower(articles.c.summary)
)
SEARCHED_COLUMNS = ("title", "summary")  # PostgreSQL: one trigram index on lower() of each
FILL_CHUNK = 500  # article ids per INSERT … SELECT when indexing the articles just saved


def create_search_index(conn: Connection) -> None:
    """Create the index (migration 0004) and fill it from the stored articles."""
    if is_sqlite(conn):
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
            "body, content='', tokenize='trigram case_sensitive 1')"
        )
        fill_search_index(conn)
        return
    try:
        with conn.begin_nested():
            # In public, not the first schema of the search path: a schema dropped later must
            # not take the extension (and every index built on it) with it.
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            schema = conn.exec_driver_sql(
                "SELECT n.nspname FROM pg_extension e "
                "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
            ).scalar_one()
            opclass = '"' + schema.replace('"', '""') + '".gin_trgm_ops'
            for name in SEARCHED_COLUMNS:
                conn.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS ix_articles_{name}_trgm ON articles "
                    f"USING gin (lower({name}) {opclass})"
                )
            # Statistics of the new index expressions now, not at the next auto-analyze: without
            # them the planner reads every match of a common word from the index (1M articles,
            # 30 days: 970 ms instead of 60 ms).
            conn.exec_driver_sql("ANALYZE articles")
    except DBAPIError as exc:  # not allowed to install it: the search scans instead
        log.warning("no trigram index for text search (%s); it will scan", exc.orig)


def fill_search_index(conn: Connection) -> None:
    """(Re)fill SQLite's search index from every stored article."""
    conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('delete-all')")
    index_for_search(conn)


def index_for_search(conn: Connection, ids: Sequence[int] | None = None) -> None:
    """Add articles (all, or those of ``ids``) to SQLite's search index."""
    chunks = (
        [None] if ids is None else [ids[i : i + FILL_CHUNK] for i in range(0, len(ids), FILL_CHUNK)]
    )
    for chunk in chunks:
        rows = select(articles.c.id, SEARCH_BODY)
        if chunk is not None:
            rows = rows.where(articles.c.id.in_(chunk))
        conn.execute(article_search.insert().from_select(["rowid", "body"], rows))


def unindex_for_search(conn: Connection, ids: Sequence[int]) -> None:
    """Take articles out of SQLite's search index before their text changes (a contentless
    FTS5 table forgets a row only when given the very text it indexed)."""
    for start in range(0, len(ids), FILL_CHUNK):
        chunk = ids[start : start + FILL_CHUNK]
        rows = select(literal("delete"), articles.c.id, SEARCH_BODY).where(articles.c.id.in_(chunk))
        conn.execute(
            table_clause(SEARCH_TABLE, column(SEARCH_TABLE), column("rowid"), column("body"))
            .insert()
            .from_select([SEARCH_TABLE, "rowid", "body"], rows)
        )


def rebuild_search_index(engine: Engine) -> None:
    """Refill SQLite's search index from the articles, after rows were written other than by
    save_articles (a bulk copy, say). PostgreSQL's trigram indexes keep themselves."""
    if is_sqlite(engine):
        with write(engine) as conn:
            fill_search_index(conn)

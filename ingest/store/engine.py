"""Engines and connections: SQLite pragmas, write transactions, WAL checkpoints, dialect helpers.

SQLite (default: a WAL-mode file under ``data/``) or PostgreSQL (any SQLAlchemy URL in
``PANTAU_DATABASE_URL``). Writes run in short transactions: ``BEGIN IMMEDIATE`` on SQLite, so two
writers queue on the busy timeout instead of failing on lock upgrade.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic, sleep
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ingest import config
from ingest.store import bigrams

# SQLite connection settings, each beside its siblings.
BUSY_TIMEOUT_SECONDS = 30  # how long a connection waits for another writer's lock
WAL_SWITCH_PATIENCE_SECONDS = 30.0  # how long switching a new file to WAL is retried
WAL_SWITCH_RETRY_SECONDS = 0.05  # pause between those retries
JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024  # the WAL file is truncated back to this size
CHECKPOINT_EVERY = 200  # write transactions between WAL checkpoints


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _use_wal(cursor: Any, patience: float = WAL_SWITCH_PATIENCE_SECONDS) -> None:
    """Put the file in WAL mode (a setting the file keeps). Switching takes the file for a
    moment and does not wait on the busy timeout, so while a brand-new store is being created
    by another connection it is retried instead of failing with "database is locked"."""
    deadline = monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or monotonic() > deadline:
                raise
            sleep(WAL_SWITCH_RETRY_SECONDS)


def _prepare_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys; we issue BEGIN ourselves (IMMEDIATE for writers)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not emit its own BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000:d}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT_BYTES:d}")
        cursor.close()
        # SQLite's lower() folds ASCII only; PostgreSQL's folds every script. Make them agree,
        # so a search for "россия" finds "Россия" on both engines.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        # The pairs of characters a two-character search reads (``store.bigrams``).
        dbapi_connection.create_function(
            bigrams.FUNCTION, 1, bigrams.pair_tokens, deterministic=True
        )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("pantau_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


# PostgreSQL: each session's memory for a sort, a hash or a bitmap. A text search's index read
# builds a bitmap of its matches; past this memory the bitmap turns lossy, and every row of a
# lossy page is then tested, which for the word indexes means computing its strings
# (``store.word_grams``). 64 MB holds a million table pages exactly (4 MB, the server's
# default, about 65,000: a 1M-article table has 39,000 or more).
PG_WORK_MEM = "64MB"


def _prepare_postgres(engine: Engine) -> None:
    """Each new session gets ``PG_WORK_MEM``, and no JIT compilation: the store's queries are
    short reads of indexes, and the price of the word indexes' function (``store.word_grams``)
    lifts a search's estimate far past the JIT's thresholds, so that compiling it took 390 ms
    of a 620 ms count (30 days of 1M articles)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET work_mem = '{PG_WORK_MEM}'")
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def database_url() -> str:
    return str(config.get("database_url"))


def make_engine(url: str | None = None, *, migrate_now: bool = True) -> Engine:
    """A new engine for ``url`` (default: the configured store), migrated unless told not to."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if is_sqlite(engine):
        _prepare_sqlite(engine)
    else:
        _prepare_postgres(engine)
    if migrate_now:
        from ingest.store.migrations import migrate  # the migrations write through this module

        migrate(engine)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (created and migrated once)."""
    url = url or database_url()
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            _engines[url] = engine
        return engine


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, a plain transaction elsewhere."""
    with engine.connect() as conn:
        conn.execution_options(pantau_write=True)
        with conn.begin():
            yield conn
    _count_write(engine)


_write_counts: Counter[int] = Counter()


def _count_write(engine: Engine) -> None:
    if not is_sqlite(engine):
        return
    _write_counts[id(engine)] += 1
    if _write_counts[id(engine)] % CHECKPOINT_EVERY == 0:
        checkpoint(engine)


def checkpoint(engine: Engine) -> None:
    """Fold the SQLite WAL back into the database so it stays bounded (no-op elsewhere)."""
    if not is_sqlite(engine):
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def now_utc() -> datetime:
    return datetime.now(UTC)


def no_nul(value: str | None) -> str | None:
    """Text without NUL: PostgreSQL refuses it in text columns (SQLite does not), so both
    engines store the same and a stray NUL in a feed or an error message cannot fail a save."""
    return value.replace("\x00", "") if value else value


def insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT that supports ON CONFLICT."""
    return (sqlite.insert if is_sqlite(conn) else postgresql.insert)(table)

"""The store: schema, append-only migrations and every write.

SQLAlchemy Core over SQLite (default: a WAL-mode file under ``data/``) or PostgreSQL (any
SQLAlchemy URL in ``PANTAU_DATABASE_URL``). Reads live in ``ingest/queries.py``.

Writes run in short transactions (``BEGIN IMMEDIATE`` on SQLite, so two writers queue on the
busy timeout instead of failing on lock upgrade). Articles are idempotent upserts keyed on
``url_key``; a feed's validators (ETag, Last-Modified) are saved in the same transaction as its
articles, never before, so a crash between fetch and save refetches instead of losing items.
The daily aggregates that the charts read are maintained in that same transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from time import monotonic, sleep
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    and_,
    bindparam,
    column,
    create_engine,
    delete,
    event,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import table as table_clause

from ingest import config
from ingest.canonical import rekeyed
from ingest.records import Article, Tags, utc_day

log = logging.getLogger(__name__)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes in Python, naive UTC in the database (portable)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite aggregates can hand back text
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

# Small facts about the store itself, e.g. which demo data set it was seeded with.
meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("site_url", Text),
    Column("language", String(16)),
    Column("country_iso3", String(3)),
    Column("category", Text),
    Column("source", String(16), nullable=False, server_default="catalogue"),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    # active | suspended (too many failures) | retired (410 Gone) | archive (imported file)
    Column("status", String(16), nullable=False, server_default="active"),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("next_poll_at", UTCDateTime),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("last_error_category", String(32)),
    Column("last_status", Integer),
    Column("created_at", UTCDateTime),
)
Index("ix_feeds_due", feeds.c.enabled, feeds.c.status, feeds.c.next_poll_at)

polls = Table(
    "polls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("duration_ms", Integer),
    Column("http_status", Integer),
    Column("outcome", String(16), nullable=False),
    Column("error_category", String(32)),
    Column("new_articles", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("worker", String(64)),
)
Index("ix_polls_feed_started", polls.c.feed_id, polls.c.started_at)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url_key", String(64), nullable=False, unique=True),
    Column("url", Text),
    Column("guid", Text),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_day", String(10), nullable=False),
    Column("published_clamped", Boolean, nullable=False, server_default=text("false")),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("language", String(16), nullable=False, server_default=""),
    Column("language_source", String(16)),
    Column("tagger_version", String(32), nullable=False, server_default=""),
)
Index("ix_articles_day", articles.c.published_day)
Index("ix_articles_feed_day", articles.c.feed_id, articles.c.published_day)
Index("ix_articles_published", articles.c.published_at)
Index("ix_articles_tagger", articles.c.tagger_version, articles.c.id)

article_countries = Table(
    "article_countries",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("iso3", String(3), nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of {text, type, start}
    PrimaryKeyConstraint("article_id", "iso3"),
)
Index("ix_article_countries_iso3", article_countries.c.iso3, article_countries.c.article_id)

article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("evidence", Text, nullable=False),
    PrimaryKeyConstraint("article_id", "topic"),
)
Index("ix_article_topics_topic", article_topics.c.topic, article_topics.c.article_id)

# Aggregates the charts read at scale. One row per day × key × feed × language, so the
# dashboard's date, source and language filters apply to them without touching articles.
# Language is '' when unknown (primary keys cannot hold NULL on PostgreSQL).


def _daily(name: str, *keys: Column) -> Table:
    """A daily aggregate: articles per day × ``keys`` × feed × language."""
    return Table(
        name,
        metadata,
        Column("day", String(10), nullable=False),
        *keys,
        Column("feed_id", Integer, nullable=False),
        Column("language", String(16), nullable=False),
        Column("articles", Integer, nullable=False),
        PrimaryKeyConstraint("day", *(k.name for k in keys), "feed_id", "language"),
    )


daily_total = _daily("daily_total")
daily_country = _daily("daily_country", Column("iso3", String(3), nullable=False))
Index("ix_daily_country_iso3", daily_country.c.iso3, daily_country.c.day)
daily_pair = _daily(
    "daily_pair",
    Column("iso3_a", String(3), nullable=False),
    Column("iso3_b", String(3), nullable=False),
)
Index("ix_daily_pair_ab", daily_pair.c.iso3_a, daily_pair.c.iso3_b, daily_pair.c.day)
Index("ix_daily_pair_b", daily_pair.c.iso3_b, daily_pair.c.day)
daily_topic = _daily("daily_topic", Column("topic", String(32), nullable=False))
Index("ix_daily_topic_topic", daily_topic.c.topic, daily_topic.c.day)

AGGREGATES = (daily_total, daily_country, daily_pair, daily_topic)

# Roll-ups of each daily aggregate over every feed, by day and by month ('YYYY-MM'): what a view
# with no outlet filter reads (the default). Dropping the feed dimension makes them several times
# smaller, and a long range sums months instead of days: at 1M articles the all-time map reads
# tens of thousands of rollup_monthly_country rows instead of a million daily_country rows.


def _key_columns(table: Table) -> list[Column]:
    """The key columns of a daily aggregate besides day, feed and language (iso3, topic …)."""
    return [c for c in table.columns if c.name not in ("day", "feed_id", "language", "articles")]


def _derived(daily: Table, period: str, by_feed: bool) -> Table:
    """A coarser twin of ``daily``: articles per ``period`` (day or month) × keys × (feed) ×
    language. Named monthly_* (per feed), rollup_daily_* or rollup_monthly_* (over feeds)."""
    keys = [Column(c.name, c.type, nullable=False) for c in _key_columns(daily)]
    grain = "daily" if period == "day" else "monthly"
    feed = [Column("feed_id", Integer, nullable=False)] if by_feed else []
    return Table(
        daily.name.replace("daily", grain if by_feed else f"rollup_{grain}", 1),
        metadata,
        Column(period, String(10), nullable=False),
        *keys,
        *feed,
        Column("language", String(16), nullable=False),
        Column("articles", Integer, nullable=False),
        PrimaryKeyConstraint(period, *(k.name for k in keys), *(c.name for c in feed), "language"),
    )


MONTHLY: dict[str, Table] = {t.name: _derived(t, "month", True) for t in AGGREGATES}
ROLLUPS: dict[str, tuple[Table, Table]] = {
    t.name: (_derived(t, "day", False), _derived(t, "month", False)) for t in AGGREGATES
}
DERIVED: tuple[Table, ...] = (*MONTHLY.values(), *(t for pair in ROLLUPS.values() for t in pair))
rollup_daily_total, rollup_monthly_total = ROLLUPS["daily_total"]
rollup_daily_country, rollup_monthly_country = ROLLUPS["daily_country"]
rollup_daily_pair, rollup_monthly_pair = ROLLUPS["daily_pair"]
rollup_daily_topic, rollup_monthly_topic = ROLLUPS["daily_topic"]
# Series read one key's days: these indexes hold the counts too, so a series is an index scan.
_d = rollup_daily_country.c
Index("ix_rollup_daily_country_iso3", _d.iso3, _d.day, _d.language, _d.articles)
_d = rollup_daily_pair.c
Index("ix_rollup_daily_pair_ab", _d.iso3_a, _d.iso3_b, _d.day, _d.language, _d.articles)
Index("ix_rollup_daily_pair_b", _d.iso3_b, _d.day, _d.iso3_a, _d.language, _d.articles)
_d = rollup_daily_topic.c
Index("ix_rollup_daily_topic_topic", _d.topic, _d.day, _d.language, _d.articles)


# --------------------------------------------------------------------------------------------
# Engine


def _is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _use_wal(cursor: Any, patience: float = 30.0) -> None:
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
            sleep(0.05)


def _prepare_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys; we issue BEGIN ourselves (IMMEDIATE for writers)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not emit its own BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_size_limit = 67108864")
        cursor.close()
        # SQLite's lower() folds ASCII only; PostgreSQL's folds every script. Make them agree,
        # so a search for "россия" finds "Россия" on both engines.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("pantau_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


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
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if _is_sqlite(engine):
        _prepare_sqlite(engine)
    if migrate_now:
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
CHECKPOINT_EVERY = 200  # write transactions between WAL checkpoints


def _count_write(engine: Engine) -> None:
    if not _is_sqlite(engine):
        return
    _write_counts[id(engine)] += 1
    if _write_counts[id(engine)] % CHECKPOINT_EVERY == 0:
        checkpoint(engine)


def checkpoint(engine: Engine) -> None:
    """Fold the SQLite WAL back into the database so it stays bounded (no-op elsewhere)."""
    if not _is_sqlite(engine):
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --------------------------------------------------------------------------------------------
# Migrations: append-only, each applied in a transaction together with the record that it ran.
# A migration added later that alters a table must be idempotent (inspect before ALTER),
# because 0001 creates the tables from the current metadata on a fresh database.


SEARCH_TABLE = "article_search"
# SQLite's FTS5 index (migration 0004; not in metadata, a virtual table): rowid = article id,
# body = lower(title) + newline + lower(summary), the text the search's LIKE test reads.
article_search = table_clause(SEARCH_TABLE, column("rowid"), column("body"))


def _m0001_initial(conn: Connection) -> None:
    metadata.create_all(
        conn, tables=[t for t in metadata.sorted_tables if t is not schema_migrations]
    )


def _m0002_meta(conn: Connection) -> None:
    meta.create(conn, checkfirst=True)


def _m0003_rollups(conn: Connection) -> None:
    for table in DERIVED:
        table.create(conn, checkfirst=True)
    _rebuild_rollups(conn)


def _m0004_search(conn: Connection) -> None:
    """A text-search index. SQLite: a contentless FTS5 table of trigrams over each article's
    lower-cased title and summary (searched as a phrase: see queries._TextMatch). PostgreSQL:
    trigram GIN indexes on lower(title) and lower(summary), when pg_trgm can be installed."""
    if _is_sqlite(conn):
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
            "body, content='', tokenize='trigram case_sensitive 1')"
        )
        _fill_search_index(conn)
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
            for column in ("title", "summary"):
                conn.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS ix_articles_{column}_trgm ON articles "
                    f"USING gin (lower({column}) {opclass})"
                )
            # Statistics of the new index expressions now, not at the next auto-analyze: without
            # them the planner reads every match of a common word from the index (1M articles,
            # 30 days: 970 ms instead of 60 ms).
            conn.exec_driver_sql("ANALYZE articles")
    except DBAPIError as exc:  # not allowed to install it: the search scans instead
        log.warning("no trigram index for text search (%s); it will scan", exc.orig)


def _fill_search_index(conn: Connection) -> None:
    """(Re)fill SQLite's search index from every stored article."""
    conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('delete-all')")
    _index_for_search(conn)


def _index_for_search(conn: Connection, ids: Sequence[int] | None = None) -> None:
    """Add articles (all, or those of ``ids``) to SQLite's search index."""
    body = func.lower(articles.c.title) + literal("\n") + func.lower(articles.c.summary)
    chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        rows = select(articles.c.id, body)
        if chunk is not None:
            rows = rows.where(articles.c.id.in_(chunk))
        conn.execute(article_search.insert().from_select(["rowid", "body"], rows))


def rebuild_search_index(engine: Engine) -> None:
    """Refill SQLite's search index from the articles, after rows were written other than by
    save_articles (a bulk copy, say). PostgreSQL's trigram indexes keep themselves."""
    if _is_sqlite(engine):
        with write(engine) as conn:
            _fill_search_index(conn)


REKEY_BATCH = 5000  # articles read per batch by migration 0005


def _m0005_unambiguous_keys(conn: Connection) -> None:
    """Re-key the articles keyed on feed + GUID or feed + title in the old format, in which the
    two fields were joined bare and so could meet (``canonical.rekeyed``). URL keys stay. Ids,
    tags and aggregates are untouched: only the identity used for dedupe changes."""
    feed_urls = dict(conn.execute(select(feeds.c.id, feeds.c.url)).all())
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
            candidates = (
                ("",)
                if row.feed_id is None
                else (
                    f"feed:{row.feed_id}",  # the poller's key
                    feed_urls.get(row.feed_id),  # an import's key: the archive feed's URL
                    "",
                )
            )
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


MIGRATIONS: tuple[tuple[str, Callable[[Connection], None]], ...] = (
    ("0001_initial", _m0001_initial),
    ("0002_meta", _m0002_meta),
    ("0003_rollups", _m0003_rollups),
    ("0004_search", _m0004_search),
    ("0005_unambiguous_keys", _m0005_unambiguous_keys),
)


def migrate(engine: Engine) -> list[str]:
    """Apply every migration not yet recorded; return the names applied."""
    applied: list[str] = []
    with write(engine) as conn:
        if not _is_sqlite(conn):
            # Several workers may start at once: one migrates, the others wait.
            conn.execute(text("SELECT pg_advisory_xact_lock(7261626)"))
        schema_migrations.create(conn, checkfirst=True)
        done = set(conn.execute(select(schema_migrations.c.name)).scalars())
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn)
            conn.execute(schema_migrations.insert().values(name=name, applied_at=now_utc()))
            applied.append(name)
    return applied


def now_utc() -> datetime:
    return datetime.now(UTC)


def _no_nul(value: str | None) -> str | None:
    """Text without NUL: PostgreSQL refuses it in text columns (SQLite does not), so both
    engines store the same and a stray NUL in a feed or an error message cannot fail a save."""
    return value.replace("\x00", "") if value else value


def _insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT that supports ON CONFLICT."""
    return (sqlite.insert if _is_sqlite(conn) else postgresql.insert)(table)


def get_meta(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(engine: Engine, key: str, value: str) -> None:
    with write(engine) as conn:
        statement = _insert(conn, meta).values(key=key, value=value)
        conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


# --------------------------------------------------------------------------------------------
# Feeds


@dataclass
class FeedRow:
    id: int
    url: str
    title: str | None
    language: str | None
    country_iso3: str | None
    etag: str | None = None
    last_modified: str | None = None
    error_count: int = 0
    status: str = "active"


def _feed_row(row: Any) -> FeedRow:
    return FeedRow(
        id=row.id,
        url=row.url,
        title=row.title,
        language=row.language,
        country_iso3=row.country_iso3,
        etag=row.etag,
        last_modified=row.last_modified,
        error_count=row.error_count,
        status=row.status,
    )


def ensure_feed(
    engine_or_conn: Engine | Connection,
    url: str,
    *,
    title: str | None = None,
    language: str | None = None,
    country_iso3: str | None = None,
    site_url: str | None = None,
    category: str | None = None,
    source: str = "catalogue",
    enabled: bool = True,
    status: str = "active",
) -> int:
    """The id of the feed at ``url``, inserting it first if it is new (existing rows are kept)."""
    values = {
        "url": url,
        "title": title,
        "language": language,
        "country_iso3": country_iso3,
        "site_url": site_url,
        "category": category,
        "source": source,
        "enabled": enabled,
        "status": status,
        "created_at": now_utc(),
    }

    def run(conn: Connection) -> int:
        conn.execute(
            _insert(conn, feeds).values(**values).on_conflict_do_nothing(index_elements=["url"])
        )
        return int(conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one())

    if isinstance(engine_or_conn, Connection):
        return run(engine_or_conn)
    with write(engine_or_conn) as conn:
        return run(conn)


def ensure_feeds(engine: Engine, specs: Iterable[Any], source: str = "catalogue") -> int:
    """Insert catalogue entries (objects with url, title, language, country, site_url, category)
    that the store does not hold yet; return how many were new."""
    new = 0
    with write(engine) as conn:
        known = set(conn.execute(select(feeds.c.url)).scalars())
        for spec in specs:
            if spec.url in known:
                continue
            ensure_feed(
                conn,
                spec.url,
                title=spec.title,
                language=spec.language,
                country_iso3=spec.country,
                site_url=getattr(spec, "site_url", None),
                category=getattr(spec, "category", None),
                source=source,
            )
            known.add(spec.url)
            new += 1
    return new


def set_feed_enabled(engine: Engine, feed_id: int, enabled: bool) -> None:
    """Enable or disable a feed; enabling also clears a suspension and makes it due now."""
    values: dict[str, Any] = {"enabled": enabled}
    if enabled:
        values.update(status="active", error_count=0, next_poll_at=None)
    with write(engine) as conn:
        conn.execute(
            update(feeds)
            .where(feeds.c.id == feed_id, feeds.c.status.in_(["active", "suspended"]))
            .values(**values)
        )


def claim_due_feeds(
    engine: Engine,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    feed_ids: Sequence[int] | None = None,
) -> list[FeedRow]:
    """Claim up to ``limit`` due feeds for this worker.

    A claim pushes ``next_poll_at`` out by ``lease`` in the same transaction, so no other worker
    sees the feed as due while it is being polled; the poll's outcome then sets the real next
    time. On PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers
    never wait for each other or claim the same feed.
    """
    with write(engine) as conn:
        query = (
            select(feeds)
            .where(
                feeds.c.enabled.is_(True),
                feeds.c.status == "active",
                or_(feeds.c.next_poll_at.is_(None), feeds.c.next_poll_at <= now),
            )
            .order_by(feeds.c.next_poll_at.is_not(None), feeds.c.next_poll_at, feeds.c.id)
            .limit(limit)
        )
        if feed_ids is not None:
            query = query.where(feeds.c.id.in_(list(feed_ids)))
        if not _is_sqlite(conn):
            query = query.with_for_update(skip_locked=True)
        rows = [_feed_row(r) for r in conn.execute(query)]
        if rows:
            conn.execute(
                update(feeds)
                .where(feeds.c.id.in_([r.id for r in rows]))
                .values(next_poll_at=now + lease)
            )
    return rows


@dataclass
class PollRecord:
    """What one poll of one feed came to; the scheduler fills it, ``finish_poll`` stores it."""

    started_at: datetime
    outcome: str  # ok | not_modified | error | gone
    duration_ms: int | None = None
    http_status: int | None = None
    error: str | None = None
    error_category: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None
    next_poll_at: datetime | None = None
    suspend: bool = False
    worker: str | None = None
    feed_title: str | None = None
    feed_site_url: str | None = None
    feed_language: str | None = None


@dataclass
class SaveResult:
    new_articles: int = 0
    skipped: int = 0
    article_ids: list[int] = field(default_factory=list)


def finish_poll(
    engine: Engine, feed_id: int, record: PollRecord, items: Sequence[tuple[Article, Tags]] = ()
) -> SaveResult:
    """Store a poll's articles, its history row and the feed's new state in one transaction."""
    record = replace(
        record,
        error=_no_nul(record.error),
        etag=_no_nul(record.etag),
        last_modified=_no_nul(record.last_modified),
        feed_title=_no_nul(record.feed_title),
        feed_site_url=_no_nul(record.feed_site_url),
        # polls.worker is VARCHAR(64): PostgreSQL refuses longer (a long hostname:pid would do).
        worker=(_no_nul(record.worker) or "")[:64] or None,
    )
    with write(engine) as conn:
        result = _save_articles(conn, feed_id, items)
        values: dict[str, Any] = {
            "last_polled_at": record.started_at,
            "last_status": record.http_status,
            "next_poll_at": record.next_poll_at,
        }
        if record.outcome in ("ok", "not_modified"):
            values.update(
                last_success_at=record.started_at,
                error_count=0,
                last_error=None,
                last_error_category=None,
            )
            if record.outcome == "ok":
                values.update(etag=record.etag, last_modified=record.last_modified)
            if record.feed_title:
                values["title"] = func.coalesce(feeds.c.title, record.feed_title)
            if record.feed_site_url:
                values["site_url"] = func.coalesce(feeds.c.site_url, record.feed_site_url)
            if record.feed_language:
                values["language"] = func.coalesce(feeds.c.language, record.feed_language)
        else:
            values.update(
                error_count=feeds.c.error_count + 1,
                last_error=record.error,
                last_error_category=record.error_category,
            )
        if record.outcome == "gone":
            values.update(status="retired", enabled=False, next_poll_at=None)
        elif record.suspend:
            values.update(status="suspended", next_poll_at=None)
        if record.permanent_url:
            clash = conn.execute(
                select(feeds.c.id).where(feeds.c.url == record.permanent_url, feeds.c.id != feed_id)
            ).first()
            if clash is None:
                values["url"] = record.permanent_url
        conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))
        conn.execute(
            polls.insert().values(
                feed_id=feed_id,
                started_at=record.started_at,
                duration_ms=record.duration_ms,
                http_status=record.http_status,
                outcome=record.outcome,
                error_category=record.error_category,
                new_articles=result.new_articles,
                error=record.error,
                worker=record.worker,
            )
        )
    return result


def save_articles(
    engine: Engine, feed_id: int | None, items: Sequence[tuple[Article, Tags]]
) -> SaveResult:
    """Store tagged articles (idempotent on url_key) with their aggregates, in one transaction."""
    with write(engine) as conn:
        return _save_articles(conn, feed_id, items)


def known_url_keys(engine: Engine, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the store already holds (checked before the costly tagging)."""
    keys = list(dict.fromkeys(keys))
    found: set[str] = set()
    if not keys:
        return found
    with engine.connect() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found.update(
                conn.execute(
                    select(articles.c.url_key).where(articles.c.url_key.in_(chunk))
                ).scalars()
            )
    return found


def _evidence_json(evidence: Sequence[Any]) -> str:
    return json.dumps(
        [{"text": e.text, "type": e.type, "start": e.start} for e in evidence], ensure_ascii=False
    )


def _save_articles(
    conn: Connection, feed_id: int | None, items: Sequence[tuple[Article, Tags]]
) -> SaveResult:
    result = SaveResult()
    if not items:
        return result
    unique: dict[str, tuple[Article, Tags]] = {}
    for article, tags in items:
        unique.setdefault(article.url_key, (article, tags))
    rows = [
        {
            "url_key": a.url_key,
            "url": _no_nul(a.url),
            "guid": _no_nul(a.guid),
            "feed_id": feed_id,
            "title": _no_nul(a.title),
            "summary": _no_nul(a.summary),
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
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        statement = (
            _insert(conn, articles)
            .on_conflict_do_nothing(index_elements=["url_key"])
            .returning(articles.c.id, articles.c.url_key)
        )
        for row in conn.execute(statement, chunk):
            inserted[row.url_key] = row.id
    result.skipped = len(items) - len(inserted)
    days = {row["url_key"]: row["published_day"] for row in rows}
    tagged = [(inserted[key], days[key], unique[key][1]) for key in inserted]
    _write_tags(conn, feed_id, tagged)
    result.new_articles = len(inserted)
    result.article_ids = sorted(inserted.values())
    if result.article_ids and _is_sqlite(conn):
        _index_for_search(conn, result.article_ids)
    return result


@dataclass(frozen=True)
class _Counted:
    """What one article adds to (or takes from) the daily aggregates."""

    day: str
    feed_id: int
    language: str
    codes: tuple[str, ...]  # sorted, distinct ISO3 codes
    topics: tuple[str, ...]  # distinct topic ids


def _counted(day: str, feed_id: int | None, tags: Tags) -> _Counted:
    return _Counted(
        day,
        feed_id or 0,
        tags.language or "",
        tuple(sorted({c.iso3 for c in tags.countries})),
        tuple(dict.fromkeys(t.topic for t in tags.topics)),
    )


def _write_tags(
    conn: Connection, feed_id: int | None, tagged: Sequence[tuple[int, str, Tags]]
) -> None:
    """Insert the tag rows of articles (id, published day, tags) and add them to the daily
    aggregates."""
    country_rows, topic_rows, counted = [], [], []
    for article_id, day, tags in tagged:
        for c in tags.countries:
            country_rows.append(
                {
                    "article_id": article_id,
                    "iso3": c.iso3,
                    "mentions": len(c.evidence),
                    "evidence": _evidence_json(c.evidence),
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
                        "evidence": _evidence_json(t.evidence),
                    }
                )
        counted.append(_counted(day, feed_id, tags))
    if country_rows:
        conn.execute(article_countries.insert(), country_rows)
    if topic_rows:
        conn.execute(article_topics.insert(), topic_rows)
    _add_to_aggregates(conn, counted, sign=1)


def _add_to_aggregates(conn: Connection, counted: Iterable[_Counted], sign: int) -> None:
    """Add (sign=1) or take away (sign=-1) articles from the four daily aggregates."""
    totals: Counter[tuple] = Counter()
    by_country: Counter[tuple] = Counter()
    by_pair: Counter[tuple] = Counter()
    by_topic: Counter[tuple] = Counter()
    for c in counted:
        tail = (c.feed_id, c.language)
        totals[(c.day, *tail)] += sign
        for iso3 in c.codes:
            by_country[(c.day, iso3, *tail)] += sign
        for a, b in combinations(c.codes, 2):
            by_pair[(c.day, a, b, *tail)] += sign
        for topic in c.topics:
            by_topic[(c.day, topic, *tail)] += sign
    _bump_with_rollups(conn, daily_total, totals)
    _bump_with_rollups(conn, daily_country, by_country)
    _bump_with_rollups(conn, daily_pair, by_pair)
    _bump_with_rollups(conn, daily_topic, by_topic)


def _bump_with_rollups(conn: Connection, table: Table, counts: Counter[tuple]) -> None:
    """Add ``counts`` (keyed day, keys…, feed, language) to a daily aggregate, its monthly
    twin, and its daily and monthly roll-ups over feeds."""
    keys = ("day", *(c.name for c in _key_columns(table)), "feed_id", "language")
    _bump(conn, table, keys, counts)
    per_feed_month: Counter[tuple] = Counter()
    by_day: Counter[tuple] = Counter()
    by_month: Counter[tuple] = Counter()
    for (day, *rest), n in counts.items():
        per_feed_month[(day[:7], *rest)] += n
        key = (*rest[:-2], rest[-1])  # without the feed
        by_day[(day, *key)] += n
        by_month[(day[:7], *key)] += n
    _bump(conn, MONTHLY[table.name], ("month", *keys[1:]), per_feed_month)
    daily, monthly = ROLLUPS[table.name]
    tail = (*keys[1:-2], "language")
    _bump(conn, daily, ("day", *tail), by_day)
    _bump(conn, monthly, ("month", *tail), by_month)


def _bump(conn: Connection, table: Table, keys: tuple[str, ...], counts: Counter[tuple]) -> None:
    """Add ``counts`` to an aggregate table (upsert: insert or increment)."""
    rows = [dict(zip(keys, key, strict=True), articles=n) for key, n in sorted(counts.items()) if n]
    if not rows:
        return
    statement = _insert(conn, table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={"articles": table.c.articles + statement.excluded.articles}
    )
    conn.execute(statement, rows)
    if any(r["articles"] < 0 for r in rows):
        conn.execute(delete(table).where(table.c.articles <= 0))


# --------------------------------------------------------------------------------------------
# Retagging


def replace_tags(engine: Engine, batch: Sequence[tuple[int, Tags]]) -> int:
    """Replace the tags of stored articles (a retag batch), keeping the aggregates exact."""
    if not batch:
        return 0
    ids = [article_id for article_id, _ in batch]
    with write(engine) as conn:
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
        for row in conn.execute(
            select(article_countries.c.article_id, article_countries.c.iso3).where(
                article_countries.c.article_id.in_(ids)
            )
        ):
            old_countries.setdefault(row.article_id, []).append(row.iso3)
        old_topics: dict[int, list[str]] = {}
        for row in conn.execute(
            select(article_topics.c.article_id, article_topics.c.topic).where(
                article_topics.c.article_id.in_(ids)
            )
        ):
            old_topics.setdefault(row.article_id, []).append(row.topic)
        # Take the old tags out of the aggregates, then put the new ones in.
        _add_to_aggregates(
            conn,
            (
                _Counted(
                    row.published_day,
                    row.feed_id or 0,
                    row.language or "",
                    tuple(sorted(set(old_countries.get(article_id, ())))),
                    tuple(dict.fromkeys(old_topics.get(article_id, ()))),
                )
                for article_id, row in stored.items()
            ),
            sign=-1,
        )
        conn.execute(delete(article_countries).where(article_countries.c.article_id.in_(ids)))
        conn.execute(delete(article_topics).where(article_topics.c.article_id.in_(ids)))
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
    return len(stored)


def rebuild_aggregates(engine: Engine) -> None:
    """Recompute every daily aggregate from the tag tables (after bulk changes)."""
    day = articles.c.published_day
    feed = func.coalesce(articles.c.feed_id, 0)
    lang = articles.c.language
    with write(engine) as conn:
        for table in AGGREGATES:
            conn.execute(delete(table))
        conn.execute(
            daily_total.insert().from_select(
                ["day", "feed_id", "language", "articles"],
                select(day, feed, lang, func.count()).group_by(day, feed, lang),
            )
        )
        j = article_countries.join(articles, articles.c.id == article_countries.c.article_id)
        conn.execute(
            daily_country.insert().from_select(
                ["day", "iso3", "feed_id", "language", "articles"],
                select(day, article_countries.c.iso3, feed, lang, func.count())
                .select_from(j)
                .group_by(day, article_countries.c.iso3, feed, lang),
            )
        )
        a = article_countries.alias("a")
        b = article_countries.alias("b")
        jp = a.join(b, and_(a.c.article_id == b.c.article_id, a.c.iso3 < b.c.iso3)).join(
            articles, articles.c.id == a.c.article_id
        )
        conn.execute(
            daily_pair.insert().from_select(
                ["day", "iso3_a", "iso3_b", "feed_id", "language", "articles"],
                select(day, a.c.iso3, b.c.iso3, feed, lang, func.count())
                .select_from(jp)
                .group_by(day, a.c.iso3, b.c.iso3, feed, lang),
            )
        )
        jt = article_topics.join(articles, articles.c.id == article_topics.c.article_id)
        conn.execute(
            daily_topic.insert().from_select(
                ["day", "topic", "feed_id", "language", "articles"],
                select(day, article_topics.c.topic, feed, lang, func.count())
                .select_from(jt)
                .group_by(day, article_topics.c.topic, feed, lang),
            )
        )
        _rebuild_rollups(conn)


def _rebuild_rollups(conn: Connection) -> None:
    """Recompute the monthly twins and the roll-ups from the daily aggregates."""
    for table in AGGREGATES:
        keys = _key_columns(table)
        month = func.substr(table.c.day, 1, 7)
        daily, monthly = ROLLUPS[table.name]
        for derived, period, feed in (
            (MONTHLY[table.name], month, [table.c.feed_id]),
            (daily, table.c.day, []),
            (monthly, month, []),
        ):
            columns = [period, *keys, *feed, table.c.language]
            conn.execute(delete(derived))
            conn.execute(
                derived.insert().from_select(
                    [c.name for c in derived.columns],
                    select(*columns, func.sum(table.c.articles)).group_by(*columns),
                )
            )


def articles_to_retag(
    engine: Engine, version: str, *, after_id: int = 0, limit: int = 500
) -> list[dict[str, Any]]:
    """The next batch of stored articles whose tagger_version differs from ``version``."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                articles.c.id,
                articles.c.title,
                articles.c.summary,
                articles.c.published_at,
                articles.c.language,
                feeds.c.language.label("feed_language"),
            )
            .select_from(articles.outerjoin(feeds, feeds.c.id == articles.c.feed_id))
            .where(articles.c.id > bindparam("after"), articles.c.tagger_version != version)
            .order_by(articles.c.id)
            .limit(limit),
            {"after": after_id},
        )
        return [dict(r._mapping) for r in rows]


def count_to_retag(engine: Engine, version: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(articles)
                .where(articles.c.tagger_version != version)
            ).scalar_one()
        )

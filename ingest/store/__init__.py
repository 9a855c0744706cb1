"""The store: schema, append-only migrations and every write, one module a job.

- ``schema``: tables, indexes and the aggregate tables (reads import them from here too)
- ``engine``: engines, SQLite pragmas, write transactions, WAL checkpoints
- ``migrations``: named migrations, each applied with its record in one transaction
- ``search_index``: the text-search index, one definition shared with the queries
- ``feeds``, ``articles``, ``aggregates``, ``stories``, ``meta``: the writes, one entity each

SQLAlchemy Core over SQLite (default: a WAL-mode file under ``data/``) or PostgreSQL. Reads live
in ``ingest.queries``. Articles are idempotent upserts keyed on ``url_key``; a feed's validators
(ETag, Last-Modified) are saved in the same transaction as its articles, and the aggregates the
charts read are maintained in that same transaction. Callers use the names re-exported here.
"""

from __future__ import annotations

from ingest.store.aggregates import rebuild_aggregates
from ingest.store.articles import (
    RETAG_BATCH,
    SaveResult,
    articles_to_retag,
    count_to_retag,
    known_url_keys,
    replace_tags,
    save_articles,
)
from ingest.store.engine import (
    CHECKPOINT_EVERY,
    checkpoint,
    database_url,
    get_engine,
    make_engine,
    now_utc,
    write,
)
from ingest.store.feeds import (
    FeedRow,
    PollRecord,
    claim_due_feeds,
    ensure_feed,
    ensure_feeds,
    finish_poll,
    set_feed_enabled,
)
from ingest.store.meta import get_meta, set_meta
from ingest.store.migrations import MIGRATIONS, migrate
from ingest.store.schema import (
    AGGREGATES,
    DERIVED,
    MONTHLY,
    ROLLUPS,
    UTCDateTime,
    article_countries,
    article_stories,
    article_topics,
    articles,
    daily_country,
    daily_pair,
    daily_topic,
    daily_total,
    feeds,
    meta,
    metadata,
    polls,
    rollup_daily_country,
    rollup_daily_pair,
    rollup_daily_topic,
    rollup_daily_total,
    rollup_monthly_country,
    rollup_monthly_pair,
    rollup_monthly_topic,
    rollup_monthly_total,
    schema_migrations,
    stories,
)
from ingest.store.search_index import SEARCH_TABLE, article_search, rebuild_search_index
from ingest.store.stories import rebuild_stories

__all__ = [
    "AGGREGATES",
    "CHECKPOINT_EVERY",
    "DERIVED",
    "MIGRATIONS",
    "MONTHLY",
    "ROLLUPS",
    "SEARCH_TABLE",
    "FeedRow",
    "PollRecord",
    "RETAG_BATCH",
    "SaveResult",
    "UTCDateTime",
    "article_countries",
    "article_search",
    "article_topics",
    "articles",
    "articles_to_retag",
    "checkpoint",
    "claim_due_feeds",
    "count_to_retag",
    "daily_country",
    "daily_pair",
    "daily_topic",
    "daily_total",
    "database_url",
    "ensure_feed",
    "ensure_feeds",
    "feeds",
    "finish_poll",
    "get_engine",
    "get_meta",
    "known_url_keys",
    "make_engine",
    "meta",
    "metadata",
    "migrate",
    "now_utc",
    "polls",
    "rebuild_aggregates",
    "rebuild_search_index",
    "rebuild_stories",
    "replace_tags",
    "rollup_daily_country",
    "rollup_daily_pair",
    "rollup_daily_topic",
    "rollup_daily_total",
    "rollup_monthly_country",
    "rollup_monthly_pair",
    "rollup_monthly_topic",
    "rollup_monthly_total",
    "save_articles",
    "schema_migrations",
    "stories",
    "article_stories",
    "set_feed_enabled",
    "set_meta",
    "write",
]

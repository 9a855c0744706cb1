"""The store's tables: every table, index and aggregate definition, and nothing that runs SQL.

Reads (``ingest.queries``) import the tables from here; the writes in this package use them too.
Portable SQL types only (SQLite ≥ 3.35 and PostgreSQL ≥ 14); timestamps are stored naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)


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

# polls.worker is VARCHAR(WORKER_NAME_LENGTH): PostgreSQL refuses longer values.
WORKER_NAME_LENGTH = 64

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
    Column("worker", String(WORKER_NAME_LENGTH)),
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

# Stories (issue 14): each article belongs to one story; a story is a connected component of the
# link graph of ``ingest.stories``. ``story_signatures`` holds what linking reads of each article,
# loaded by (language, time window) when new articles arrive.
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("first_article_id", Integer, nullable=False),
)
Index("ix_stories_first_seen", stories.c.first_seen)

article_stories = Table(
    "article_stories",
    metadata,
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("story_id", Integer, nullable=False),
)
Index("ix_article_stories_story", article_stories.c.story_id, article_stories.c.article_id)

story_signatures = Table(
    "story_signatures",
    metadata,
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("language", String(16), nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("countries", Text, nullable=False),  # ISO3 codes separated by spaces
    Column("words", Text, nullable=False),  # ingest.stories.Signature.encoded_words()
    Column("roundup", Boolean, nullable=False),  # ingest.stories.is_roundup(title)
)
Index("ix_story_signatures_window", story_signatures.c.language, story_signatures.c.published_at)

# --------------------------------------------------------------------------------------------
# Aggregates the charts read at scale. Each counts articles by a few key columns (none, iso3,
# the pair iso3_a < iso3_b, topic) in four tables:
#   daily_<name>           per day × keys × feed × language (the source of the others)
#   monthly_<name>         per month ('YYYY-MM') × keys × feed × language
#   rollup_daily_<name>    per day × keys × language, summed over feeds
#   rollup_monthly_<name>  per month × keys × language, summed over feeds
# The dashboard's date, source and language filters apply to them without touching articles; a
# view with no outlet filter (the default) reads a roll-up, and a long range sums months instead
# of days: at 1M articles the all-time map reads tens of thousands of rollup_monthly_country rows
# instead of a million daily_country rows. Language is '' when unknown (primary keys cannot hold
# NULL on PostgreSQL); an article without a feed counts under feed 0.

MONTH_LENGTH = len("YYYY-MM")  # a month is the first characters of a day


def _count_table(name: str, period: str, keys: tuple[Column, ...], by_feed: bool) -> Table:
    """Articles per ``period`` × ``keys`` × (feed) × language, keyed on all but the count."""
    feed = (Column("feed_id", Integer, nullable=False),) if by_feed else ()
    return Table(
        name,
        metadata,
        Column(period, String(10), nullable=False),
        *keys,
        *feed,
        Column("language", String(16), nullable=False),
        Column("articles", Integer, nullable=False),
        PrimaryKeyConstraint(period, *(k.name for k in keys), *(c.name for c in feed), "language"),
    )


@dataclass(frozen=True)
class Aggregate:
    """One aggregate (total, country, pair, topic): its key columns and its four tables."""

    name: str
    keys: tuple[str, ...]
    daily: Table
    monthly: Table
    rollup_daily: Table
    rollup_monthly: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.daily, self.monthly, self.rollup_daily, self.rollup_monthly)

    @property
    def derived(self) -> tuple[Table, ...]:
        """The tables computed from the daily one."""
        return (self.monthly, self.rollup_daily, self.rollup_monthly)


def _aggregate(name: str, *keys: tuple[str, int]) -> Aggregate:
    """The four tables of aggregate ``name`` keyed by ``keys`` (column name, string length)."""

    def columns() -> tuple[Column, ...]:
        return tuple(Column(key, String(length), nullable=False) for key, length in keys)

    return Aggregate(
        name=name,
        keys=tuple(key for key, _ in keys),
        daily=_count_table(f"daily_{name}", "day", columns(), by_feed=True),
        monthly=_count_table(f"monthly_{name}", "month", columns(), by_feed=True),
        rollup_daily=_count_table(f"rollup_daily_{name}", "day", columns(), by_feed=False),
        rollup_monthly=_count_table(f"rollup_monthly_{name}", "month", columns(), by_feed=False),
    )


TOTAL = _aggregate("total")
COUNTRY = _aggregate("country", ("iso3", 3))
PAIR = _aggregate("pair", ("iso3_a", 3), ("iso3_b", 3))
TOPIC = _aggregate("topic", ("topic", 32))
AGGREGATE_KINDS: tuple[Aggregate, ...] = (TOTAL, COUNTRY, PAIR, TOPIC)

daily_total, monthly_total, rollup_daily_total, rollup_monthly_total = TOTAL.tables
daily_country, monthly_country, rollup_daily_country, rollup_monthly_country = COUNTRY.tables
daily_pair, monthly_pair, rollup_daily_pair, rollup_monthly_pair = PAIR.tables
daily_topic, monthly_topic, rollup_daily_topic, rollup_monthly_topic = TOPIC.tables

# The names the reads use: the daily tables, and each daily table's derived twins by its name.
AGGREGATES: tuple[Table, ...] = tuple(a.daily for a in AGGREGATE_KINDS)
MONTHLY: dict[str, Table] = {a.daily.name: a.monthly for a in AGGREGATE_KINDS}
ROLLUPS: dict[str, tuple[Table, Table]] = {
    a.daily.name: (a.rollup_daily, a.rollup_monthly) for a in AGGREGATE_KINDS
}
DERIVED: tuple[Table, ...] = (
    *(a.monthly for a in AGGREGATE_KINDS),
    *(t for a in AGGREGATE_KINDS for t in (a.rollup_daily, a.rollup_monthly)),
)

Index("ix_daily_country_iso3", daily_country.c.iso3, daily_country.c.day)
Index("ix_daily_pair_ab", daily_pair.c.iso3_a, daily_pair.c.iso3_b, daily_pair.c.day)
Index("ix_daily_pair_b", daily_pair.c.iso3_b, daily_pair.c.day)
Index("ix_daily_topic_topic", daily_topic.c.topic, daily_topic.c.day)
# Series read one key's days: these indexes hold the counts too, so a series is an index scan.
_d = rollup_daily_country.c
Index("ix_rollup_daily_country_iso3", _d.iso3, _d.day, _d.language, _d.articles)
_d = rollup_daily_pair.c
Index("ix_rollup_daily_pair_ab", _d.iso3_a, _d.iso3_b, _d.day, _d.language, _d.articles)
Index("ix_rollup_daily_pair_b", _d.iso3_b, _d.day, _d.iso3_a, _d.language, _d.articles)
_d = rollup_daily_topic.c
Index("ix_rollup_daily_topic_topic", _d.topic, _d.day, _d.language, _d.articles)
del _d

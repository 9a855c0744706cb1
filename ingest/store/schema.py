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
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
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
    Column("category", Text),  # the outlet's type: a key of ingest.catalogue.OUTLET_TYPES
    Column("outlet", Text),  # the outlet's key, shared by its feeds and archive copies
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
    # Fetch and extract its articles' pages (issue 13); the catalogue's `fulltext`, the Feeds page.
    Column("fulltext", Boolean, nullable=False, server_default=text("true")),
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
# PostgreSQL: with the ids, so a range's lowest and highest id come from the index alone (the text
# search's bounded read); SQLite's carries the rowid anyway.
published_index = Index("ix_articles_published", articles.c.published_at, postgresql_include=["id"])
Index("ix_articles_tagger", articles.c.tagger_version, articles.c.id)


def prominence_columns() -> tuple[Column, ...]:
    """Where a tag stands (``records.Prominence``): title | lead | body, its mentions in the body
    outside the lead, and whether the rule calls it prominent (written by the store from
    ``records.is_prominent``, read by the filters). Tags stored before bodies were read are in
    the title or the summary: prominent."""
    return (
        Column("prominence", String(8), nullable=False, server_default="lead"),
        Column("body_mentions", Integer, nullable=False, server_default="0"),
        Column("prominent", Boolean, nullable=False, server_default=text("true")),
    )


article_countries = Table(
    "article_countries",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("iso3", String(3), nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of {text, type, start, field}
    *prominence_columns(),
    PrimaryKeyConstraint("article_id", "iso3"),
)
Index("ix_article_countries_iso3", article_countries.c.iso3, article_countries.c.article_id)

article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("evidence", Text, nullable=False),
    *prominence_columns(),
    PrimaryKeyConstraint("article_id", "topic"),
)
Index("ix_article_topics_topic", article_topics.c.topic, article_topics.c.article_id)

# People and organisations an article mentions (issue 14): a QID of ingest/data/entities.
article_entities = Table(
    "article_entities",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("qid", String(16), nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of {text, type, start, field}
    *prominence_columns(),
    PrimaryKeyConstraint("article_id", "qid"),
)
Index("ix_article_entities_qid", article_entities.c.qid, article_entities.c.article_id)

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
# The first article's id is the story's stable id (ingest.queries.stories.STORY_ID).
Index("ix_stories_first_article", stories.c.first_article_id)

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

# Each story's articles per day × feed × language (feed 0: none), with the first and last
# publication among them: what the Stories page ranks by (``queries.stories.top_stories``) under
# the date, language and outlet filters, without reading articles. Distinct outlets, languages and
# homes over a range are counted from its rows, so they are exact for any range of whole days
# (they are not summed). Kept by ``store.stories`` in the transaction that assigns stories: the
# cells (day, feed) an assignment, a merge or a retag touches are recomputed from the articles.
# An article in no story (while ``restory`` runs) is a story of its own: story_id = -its id.
story_days = Table(
    "story_days",
    metadata,
    Column("day", String(10), nullable=False),
    Column("story_id", Integer, nullable=False),
    Column("feed_id", Integer, nullable=False),
    Column("language", String(16), nullable=False),
    Column("articles", Integer, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("day", "story_id", "feed_id", "language"),
)
Index("ix_story_days_story", story_days.c.story_id, story_days.c.day, story_days.c.feed_id)


def _mention_counts() -> list[Column]:
    """The last columns of ``story_country_days`` and ``story_pair_days``: of a row's articles
    (naming the country; the pair: both), how many, how many name it prominently (a pair: both
    prominent in one article), and when the first and last of each were published (the
    prominent ones' NULL when none): the Stories page ranks under one country or pair by them
    (its reach, articles, first and last seen)."""
    return [
        Column("articles", Integer, nullable=False),
        Column("prominent_articles", Integer, nullable=False),
        Column("first_at", UTCDateTime, nullable=False),
        Column("last_at", UTCDateTime, nullable=False),
        Column("first_prominent_at", UTCDateTime),
        Column("last_prominent_at", UTCDateTime),
    ]


# Which stories mention each country (story_country_days) and each pair of countries named in one
# article (story_pair_days, iso3_a < iso3_b) per day × feed × language, with whether one of those
# articles names it prominently (for a pair: both countries prominent in one article), as the
# country and pair aggregates count (``records.is_prominent``, ``filters.Mention``). The story
# counts per country and pair of a range (map, top pairs, coverage series counting stories) are
# distinct counts over its rows, so they are exact for any range of whole days. Kept with
# story_days, per cell (day, feed), by ``store.stories.refresh_story_days``; a retag recomputes the
# cells of the articles it retags. Their keys start with the cell, which a recomputation deletes.
# Feed and language are columns (not summed away) so that the outlet and language filters apply,
# and because a cell is a feed's day: recomputing a whole day per new article would read every
# article of it. Size: at most a row per country tag and per co-tagged pair (fewer when a story's
# articles share a day × feed × language); 0.40 + 0.45 rows per article in bench_story_reads's
# 1M store, about 2.3 where every story is one article (1.57 tags and 0.68 pairs per article).
story_country_days = Table(
    "story_country_days",
    metadata,
    Column("day", String(10), nullable=False),
    Column("story_id", Integer, nullable=False),
    Column("feed_id", Integer, nullable=False),
    Column("language", String(16), nullable=False),
    Column("iso3", String(3), nullable=False),
    Column("prominent", Boolean, nullable=False),
    *_mention_counts(),  # the ranking under one country reads them (migration 0018)
    PrimaryKeyConstraint("day", "feed_id", "story_id", "language", "iso3"),
)
# The countries' coverage series read a few countries' rows of a range (a year at 1M: 368 →
# 311 ms with it); nothing reads these tables by story (merges find cells in story_days).
Index("ix_story_country_days_iso3", story_country_days.c.iso3, story_country_days.c.day)

story_pair_days = Table(
    "story_pair_days",
    metadata,
    Column("day", String(10), nullable=False),
    Column("story_id", Integer, nullable=False),
    Column("feed_id", Integer, nullable=False),
    Column("language", String(16), nullable=False),
    Column("iso3_a", String(3), nullable=False),
    Column("iso3_b", String(3), nullable=False),
    Column("prominent", Boolean, nullable=False),
    *_mention_counts(),  # of the articles naming both (the ranking under a pair, 0019)
    PrimaryKeyConstraint("day", "feed_id", "story_id", "language", "iso3_a", "iso3_b"),
)

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
# A window of every language (the articles with a vector, ``stories.link_vectors`` and a rebuild
# that links across languages) is read by publication time alone (0024).
ix_story_signatures_published = Index(
    "ix_story_signatures_published", story_signatures.c.published_at
)

# Each article's multilingual sentence vector (``ingest.vectors``), computed after it is stored:
# what links a story across languages (``ingest.stories``). ``model`` names the encoder: vectors
# of two models are never compared. ``vector``: ingest.vectors.VECTOR_DIMENSIONS float16 values.
article_vectors = Table(
    "article_vectors",
    metadata,
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("model", String(32), nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

# --------------------------------------------------------------------------------------------
# Full text (issue 13): one row per article whose page was queued, fetched and extracted, apart
# from the light tables the lists and charts read. The row is also the work queue of `enrich`:
#   queued   waiting to be fetched (again, after a transient failure: not before next_attempt_at)
#   claimed  a worker is fetching it; its claim lapses at next_attempt_at (a killed worker's
#            pages come back then)
#   ok | too_short | paywall | consent | video | not_html | empty | failed   what extraction found
#   disallowed (robots.txt) | gone (404/410) | error (a final fetch failure)
# body (and lead) are NULL when body storage is off, past the retention, or nothing was found;
# status and chars stay. host is the page URL's host name: claims take one host at a time.

TEXT_STATUS_LENGTH = 16
HOST_LENGTH = 255  # the longest DNS name

article_texts = Table(
    "article_texts",
    metadata,
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("status", String(TEXT_STATUS_LENGTH), nullable=False),
    Column("host", String(HOST_LENGTH), nullable=False),
    Column("body", Text),
    Column("lead", Text),
    Column("title", Text),
    Column("published_at", UTCDateTime),
    Column("authors", Text),  # JSON list of names
    Column("language", String(16)),
    Column("chars", Integer, nullable=False, server_default="0"),
    Column("extractor", String(64)),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("fetched_at", UTCDateTime),
    Column("extracted_at", UTCDateTime),
    Column("http_status", Integer),
    Column("final_url", Text),
    Column("error_category", String(32)),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime),
    Column("claimed_by", String(WORKER_NAME_LENGTH)),
)
Index("ix_article_texts_queue", article_texts.c.status, article_texts.c.next_attempt_at)
Index("ix_article_texts_host", article_texts.c.host, article_texts.c.status)
Index("ix_article_texts_extracted", article_texts.c.extracted_at)

# Which worker may talk to a host, across processes: a host is held until `until` (for a fetch,
# then for the least delay after it, or until a Retry-After); claimed only when `until` is past.
host_leases = Table(
    "host_leases",
    metadata,
    Column("host", String(HOST_LENGTH), primary_key=True),
    Column("holder", String(WORKER_NAME_LENGTH)),
    Column("until", UTCDateTime, nullable=False),
)

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
# The country and pair aggregates count each article under whether the country (for a pair: both
# countries) is prominent in it (``records.is_prominent``): the default view reads the prominent
# rows, "any mention" (``filters.Mention``) sums both.
PROMINENT = "prominent"


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


def _aggregate(name: str, *keys: tuple[str, int], prominence: bool = False) -> Aggregate:
    """The four tables of aggregate ``name`` keyed by ``keys`` (column name, string length), and
    with ``prominence`` by PROMINENT too."""

    def columns() -> tuple[Column, ...]:
        named = tuple(Column(key, String(length), nullable=False) for key, length in keys)
        return (*named, Column(PROMINENT, Boolean, nullable=False)) if prominence else named

    return Aggregate(
        name=name,
        keys=tuple(key for key, _ in keys),
        daily=_count_table(f"daily_{name}", "day", columns(), by_feed=True),
        monthly=_count_table(f"monthly_{name}", "month", columns(), by_feed=True),
        rollup_daily=_count_table(f"rollup_daily_{name}", "day", columns(), by_feed=False),
        rollup_monthly=_count_table(f"rollup_monthly_{name}", "month", columns(), by_feed=False),
    )


TOTAL = _aggregate("total")
COUNTRY = _aggregate("country", ("iso3", 3), prominence=True)
PAIR = _aggregate("pair", ("iso3_a", 3), ("iso3_b", 3), prominence=True)
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

# --------------------------------------------------------------------------------------------
# Watches and their alerts (issue 15). A watch is a saved view: its filters as the dashboard
# URL's query string (without dates: a watch follows what arrives), a name and how to deliver.
# An alert is one message (a digest of new matches, a spike, a test), its content frozen as
# JSON when it is created so every retry sends the same bytes; ``key`` makes two evaluators
# that race create it once. Each channel of an alert is one delivery, claimed before it is sent.

WATCH_NAME_LENGTH = 100

watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(WATCH_NAME_LENGTH), nullable=False, unique=True),
    Column("slug", String(WATCH_NAME_LENGTH), nullable=False, unique=True),
    Column("query", Text, nullable=False, server_default=""),
    Column("webhook_url", Text),
    Column("email", Text),
    Column("spike_threshold", Float, nullable=False),
    Column("digest_minutes", Integer, nullable=False),
    Column("paused", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_evaluated_at", UTCDateTime),
    Column("last_digest_at", UTCDateTime),
    # Set when matches were found while the digest was not due yet; cleared by the digest.
    Column("pending_since", UTCDateTime),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False, unique=True),
    Column("trigger", String(16), nullable=False),  # digest | spike | test
    Column("created_at", UTCDateTime, nullable=False),
    Column("articles", Integer, nullable=False, server_default="0"),
    Column("title", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the webhook's JSON, what every channel tells
)
Index("ix_alerts_watch_created", alerts.c.watch_id, alerts.c.created_at)

# Which articles a watch has alerted on: a digest takes the matches not listed here.
alert_articles = Table(
    "alert_articles",
    metadata,
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", Integer, nullable=False),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("watch_id", "article_id"),
)

# pending → sending (claimed by a worker until claimed_until) → sent | failed (retried at
# next_attempt_at) | dead (gave up after alert_max_attempts).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),  # webhook | email
    Column("target", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(WORKER_NAME_LENGTH)),
    Column("claimed_until", UTCDateTime),
    Column("last_error", Text),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("alert_id", "channel"),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)

# New articles are found by when they were fetched (a digest looks back from its last one).
Index("ix_articles_fetched", articles.c.fetched_at)
WATCH_TABLES: tuple[Table, ...] = (watches, alerts, alert_articles, deliveries)

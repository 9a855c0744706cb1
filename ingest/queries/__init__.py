"""Every read the dashboard and the CLI make (SQLAlchemy Core, bound parameters only).

A view is described by a :class:`Filters` value: date range, countries (any of), a country pair
(both), topics (any of), languages, outlets and a text search. Each query reads the daily
aggregates (``daily_total``, ``daily_country``, ``daily_pair``, ``daily_topic``, one row per
day × key × feed × language) whenever the filters allow — dates, languages and outlets apply to
them directly, and the one content filter that matches the chart's own key (the country, the pair
or the topic being counted) is the key itself — and scans ``articles`` otherwise, restricted to
the date range first. With no outlet filter it reads their roll-ups over feeds instead, which
are several times smaller, and a long range sums whole months (see ``aggregates``). A text search
reads the store's search index (see ``search``). ``describe(filters)`` says in words what a
view shows; exports call the very function the page called, so a download holds exactly the
rows on screen.

The package: ``aggregates`` (which roll-up answers which question), ``search`` (the text match
on each engine), ``counts``, ``trends``, ``articles`` and ``feeds``; the filters themselves are
``ingest.filters``. Every public name is re-exported here, so callers import ``ingest.queries``.
"""

from ingest.filter_words import (
    TOPIC_LABELS,
    TOPICS,
    date_range_words,
    language_name,
    topic_label,
)
from ingest.filters import (
    EARLIEST,
    LATEST,
    Filters,
    describe,
    slug,
)
from ingest.queries.aggregates import _whole_months
from ingest.queries.articles import (
    ARTICLE_COLUMNS,
    ARTICLE_FEED_COLUMNS,
    SORTS,
    article_evidence,
    iter_article_rows,
    iter_articles,
    list_articles,
    prominence,
    ranked_pair_articles,
    tag_evidence,
)
from ingest.queries.counts import (
    base_total,
    co_mentions,
    count_articles,
    country_counts,
    coverage_count,
    data_date_range,
    default_filters,
    is_demo_only,
    is_empty,
    language_counts,
    outlet_counts,
    pair_counts,
    pair_matrix,
    stats,
    topic_counts,
    totals,
    who_covers_whom,
)
from ingest.queries.entities import (
    ENTITY_COUNT_COLUMNS,
    article_entities,
    entity_counts,
    story_entities,
)
from ingest.queries.feeds import (
    FEED_COLUMNS,
    Outlet,
    feed_health,
    feed_homes,
    feed_names,
    feed_types,
    languages_held,
    outlet_homes_held,
    outlets,
    recent_polls,
)
from ingest.queries.read import literal_column_desc
from ingest.queries.search import _plain_like_suffices
from ingest.queries.stories import (
    STORY_ARTICLE_COLUMNS,
    STORY_COLUMNS,
    STORY_OUTLET_COLUMNS,
    TOP_STORIES,
    story_articles,
    story_outlets,
    story_summary,
    top_stories,
)
from ingest.queries.texts import (
    TEXT_COVERAGE_COLUMNS,
    article_bodies,
    article_text,
    article_text_rows,
    count_waiting,
    feed_id_for_url,
    text_coverage,
    text_status_counts,
)
from ingest.queries.trends import (
    BASELINE_DAYS,
    BASELINE_MIN_ARTICLES,
    BASELINE_MIN_DAYS,
    MIN_SHARE_TOTAL,
    RECENT_DAYS,
    SPIKE_EXPLANATION,
    SPIKE_MIN_ARTICLES,
    SPIKE_SCORE,
    _analyse,
    baseline_days,
    coverage_series,
    grain_for,
    is_spike,
    pair_timeline,
    point_filters,
    rising,
    rising_windows,
    series_keys,
    spike_score,
)

__all__ = [
    "ENTITY_COUNT_COLUMNS",
    "article_entities",
    "entity_counts",
    "story_entities",
    "TEXT_COVERAGE_COLUMNS",
    "article_bodies",
    "article_text_rows",
    "article_text",
    "count_waiting",
    "feed_id_for_url",
    "text_coverage",
    "text_status_counts",
    "ARTICLE_COLUMNS",
    "ARTICLE_FEED_COLUMNS",
    "BASELINE_DAYS",
    "BASELINE_MIN_ARTICLES",
    "BASELINE_MIN_DAYS",
    "EARLIEST",
    "FEED_COLUMNS",
    "LATEST",
    "MIN_SHARE_TOTAL",
    "RECENT_DAYS",
    "SORTS",
    "SPIKE_EXPLANATION",
    "SPIKE_MIN_ARTICLES",
    "SPIKE_SCORE",
    "TOPICS",
    "TOPIC_LABELS",
    "Filters",
    "_analyse",
    "_plain_like_suffices",
    "_whole_months",
    "article_evidence",
    "base_total",
    "baseline_days",
    "co_mentions",
    "count_articles",
    "coverage_count",
    "country_counts",
    "coverage_series",
    "data_date_range",
    "date_range_words",
    "default_filters",
    "describe",
    "feed_health",
    "feed_homes",
    "feed_types",
    "outlets",
    "outlet_homes_held",
    "Outlet",
    "feed_names",
    "grain_for",
    "is_demo_only",
    "is_empty",
    "is_spike",
    "iter_article_rows",
    "iter_articles",
    "language_counts",
    "language_name",
    "languages_held",
    "list_articles",
    "literal_column_desc",
    "outlet_counts",
    "pair_counts",
    "pair_matrix",
    "pair_timeline",
    "prominence",
    "point_filters",
    "ranked_pair_articles",
    "tag_evidence",
    "recent_polls",
    "rising",
    "rising_windows",
    "series_keys",
    "slug",
    "spike_score",
    "stats",
    "topic_counts",
    "topic_label",
    "totals",
    "who_covers_whom",
    "STORY_ARTICLE_COLUMNS",
    "STORY_COLUMNS",
    "STORY_OUTLET_COLUMNS",
    "TOP_STORIES",
    "story_articles",
    "story_outlets",
    "story_summary",
    "top_stories",
]

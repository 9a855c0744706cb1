"""The dashboard's cached access to the store: one engine per server, query results with a TTL.

Pages call ``query("country_counts", filters, limit=10)``; the name must be one of the read
functions of ``ingest.queries`` (a whitelist), and the result is cached per database URL and
arguments for ``cache_ttl_seconds``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import Engine

from ingest import config, queries, store

QUERIES = frozenset(
    {
        "article_evidence",
        "base_total",
        "co_mentions",
        "count_articles",
        "country_counts",
        "coverage_series",
        "data_date_range",
        "default_filters",
        "feed_health",
        "feed_names",
        "is_demo_only",
        "is_empty",
        "language_counts",
        "languages_held",
        "list_articles",
        "outlet_counts",
        "pair_counts",
        "pair_matrix",
        "pair_timeline",
        "recent_polls",
        "rising",
        "stats",
        "topic_counts",
        "totals",
        "who_covers_whom",
    }
)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.get_engine(url)


def engine() -> Engine:
    """The store's engine (created and migrated once per server and URL)."""
    return _engine(store.database_url())


@st.cache_data(ttl=int(config.get("cache_ttl_seconds")), show_spinner=False, max_entries=2000)
def _cached(url: str, name: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(_engine(url), *args, **dict(kwargs))


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """``ingest.queries.<name>(engine, *args, **kwargs)``, cached with the configured TTL."""
    if name not in QUERIES:
        raise ValueError(f"not a dashboard query: {name}")
    return _cached(store.database_url(), name, args, tuple(sorted(kwargs.items())))


def clear() -> None:
    """Forget cached results (after a write from the dashboard: a feed added or toggled)."""
    _cached.clear()

"""The dashboard's cached access to the store: one engine per server, query results with a TTL.

Each read is a named function: ``data.country_counts(f, limit=10)`` is
``ingest.queries.country_counts(engine, f, limit=10)`` on the configured store, cached per
database URL and arguments for ``cache_ttl_seconds``. A page's data can be followed from here to
its SQL with go-to-definition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from ingest import config, queries, store
from ingest.queries import Filters
from ingest.queries.articles import RANK_CANDIDATES

P = ParamSpec("P")
R = TypeVar("R")

CACHE_ENTRIES = 2000  # results kept per read function
_caches: list[Any] = []


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.get_engine(url)


def engine() -> Engine:
    """The store's engine (created and migrated once per server and URL)."""
    return _engine(store.database_url())


def _store_key(eng: Engine) -> str:
    return str(eng.url)


def _read(read: Callable[Concatenate[Engine, P], R]) -> Callable[P, R]:
    """``read`` on the configured store's engine, its results cached (per database URL and
    arguments) for ``cache_ttl_seconds``."""
    cached = st.cache_data(
        ttl=int(config.get("cache_ttl_seconds")),
        show_spinner=False,
        max_entries=CACHE_ENTRIES,
        hash_funcs={Engine: _store_key},
    )(read)
    _caches.append(cached)

    @functools.wraps(read)
    def on_store(*args: P.args, **kwargs: P.kwargs) -> R:
        return cached(engine(), *args, **kwargs)

    return on_store


def clear() -> None:
    """Forget cached results (after a write from the dashboard: a feed added or toggled)."""
    for cached in _caches:
        cached.clear()


# The store as a whole ---------------------------------------------------------------------------


@_read
def is_empty(eng: Engine) -> bool:
    return queries.is_empty(eng)


@_read
def is_demo_only(eng: Engine) -> bool:
    return queries.is_demo_only(eng)


@_read
def default_filters(eng: Engine, days: int = 30) -> Filters:
    return queries.default_filters(eng, days)


@_read
def data_date_range(eng: Engine) -> tuple[date, date] | None:
    return queries.data_date_range(eng)


@_read
def feed_names(eng: Engine) -> dict[int, str]:
    return queries.feed_names(eng)


@_read
def outlets(eng: Engine) -> dict[str, queries.Outlet]:
    return queries.outlets(eng)


@_read
def outlet_homes_held(eng: Engine) -> list[str]:
    return queries.outlet_homes_held(eng)


@_read
def languages_held(eng: Engine) -> list[str]:
    return queries.languages_held(eng)


# Counts under the filters -----------------------------------------------------------------------


@_read
def totals(eng: Engine, f: Filters) -> dict[str, int]:
    return queries.totals(eng, f)


@_read
def count_articles(eng: Engine, f: Filters) -> int:
    return queries.count_articles(eng, f)


@_read
def coverage_count(eng: Engine, f: Filters) -> int:
    return queries.coverage_count(eng, f)


@_read
def country_counts(eng: Engine, f: Filters, limit: int | None = None) -> pd.DataFrame:
    return queries.country_counts(eng, f, limit)


@_read
def pair_counts(eng: Engine, f: Filters, limit: int | None = 20) -> pd.DataFrame:
    return queries.pair_counts(eng, f, limit)


@_read
def pair_matrix(eng: Engine, f: Filters, size: int = 12) -> pd.DataFrame:
    return queries.pair_matrix(eng, f, size)


@_read
def co_mentions(eng: Engine, f: Filters, focus: str) -> pd.DataFrame:
    return queries.co_mentions(eng, f, focus)


@_read
def topic_counts(eng: Engine, f: Filters) -> pd.DataFrame:
    return queries.topic_counts(eng, f)


@_read
def language_counts(eng: Engine, f: Filters) -> pd.DataFrame:
    return queries.language_counts(eng, f)


@_read
def outlet_counts(eng: Engine, f: Filters, limit: int | None = None) -> pd.DataFrame:
    return queries.outlet_counts(eng, f, limit)


@_read
def who_covers_whom(eng: Engine, f: Filters, countries: int = 15, by: str = "home") -> pd.DataFrame:
    return queries.who_covers_whom(eng, f, countries, by=by)


# Over time --------------------------------------------------------------------------------------


@_read
def coverage_series(eng: Engine, f: Filters, by: str = "country", freq: str = "D") -> pd.DataFrame:
    return queries.coverage_series(eng, f, by=by, freq=freq)


@_read
def pair_timeline(eng: Engine, f: Filters, freq: str = "D") -> pd.DataFrame:
    return queries.pair_timeline(eng, f, freq)


@_read
def baseline_days(eng: Engine, f: Filters) -> int:
    return queries.baseline_days(eng, f)


@_read
def rising(eng: Engine, f: Filters, kind: str = "country", limit: int = 10) -> pd.DataFrame:
    return queries.rising(eng, f, kind=kind, limit=limit)


# Articles ---------------------------------------------------------------------------------------


@_read
def list_articles(
    eng: Engine,
    f: Filters,
    *,
    sort: str = "published_at",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> pd.DataFrame:
    return queries.list_articles(
        eng, f, sort=sort, descending=descending, limit=limit, offset=offset
    )


@_read
def ranked_pair_articles(
    eng: Engine, f: Filters, candidates: int = RANK_CANDIDATES
) -> pd.DataFrame:
    return queries.ranked_pair_articles(eng, f, candidates)


@_read
def article_evidence(eng: Engine, article_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    return queries.article_evidence(eng, article_ids)


# Feeds ------------------------------------------------------------------------------------------


@_read
def feed_health(eng: Engine) -> pd.DataFrame:
    return queries.feed_health(eng)


@_read
def recent_polls(eng: Engine, feed_id: int, limit: int = 20) -> pd.DataFrame:
    return queries.recent_polls(eng, feed_id, limit)


@_read
def text_coverage(eng: Engine) -> pd.DataFrame:
    return queries.text_coverage(eng)


# Stories ----------------------------------------------------------------------------------------


@_read
def top_stories(eng: Engine, f: Filters, limit: int = queries.TOP_STORIES) -> pd.DataFrame:
    return queries.top_stories(eng, f, limit)


@_read
def story_articles(eng: Engine, story_id: int, limit: int | None = None) -> pd.DataFrame:
    return queries.story_articles(eng, story_id, limit)


@_read
def story_summary(eng: Engine, story_id: int) -> dict:
    return queries.story_summary(eng, story_id)


@_read
def story_outlets(eng: Engine, story_id: int) -> pd.DataFrame:
    return queries.story_outlets(eng, story_id)


@_read
def story_entities(eng: Engine, story_id: int) -> pd.DataFrame:
    return queries.story_entities(eng, story_id)


# People and organisations -----------------------------------------------------------------------


@_read
def entity_counts(eng: Engine, f: Filters, limit: int | None = None) -> pd.DataFrame:
    return queries.entity_counts(eng, f, limit)


@_read
def stale_tags(eng: Engine) -> int:
    return queries.stale_tags(eng)

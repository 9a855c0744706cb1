"""The filter registry (ingest.filters): each filter declared once, and every declared filter
round-trips through its URL parameters and narrows the rows exactly as an independent SQL query
says, on SQLite and PostgreSQL.

The tables below are keyed by filter name and checked against ``FILTERS``, so a filter added
without a sample value and an oracle query fails here, as does a filter removed from the
registry while its field remains.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, text

from ingest import filters, queries, store
from ingest.filters import BY_NAME, FILTERS, MAX_SEARCH_CHARS, Filters, describe, slug
from ui.filters import from_query_params, to_query_params

ALL = Filters(date(2000, 1, 1), date(2030, 12, 31))
ELSEWHERE = Filters(date(2011, 3, 4), date(2012, 5, 6))  # defaults that differ from ALL


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request, dashboard_store):  # noqa: ANN001, ANN201
    source = dashboard_store
    if request.param == "postgres":
        source = request.getfixturevalue("dashboard_store_postgres")
    eng = store.make_engine(source.url)
    yield eng
    eng.dispose()


def _feed_id(engine: Engine, title: str) -> int:
    return next(i for i, t in queries.feed_names(engine).items() if t == title)


# A value for each filter's fields that narrows the labelled store (filter name → values).
SAMPLES: dict[str, Callable[[Engine], dict[str, Any]]] = {
    "dates": lambda e: {"date_from": date(2026, 2, 1), "date_to": date(2026, 2, 18)},
    "countries": lambda e: {"countries": ("RUS", "USA")},
    "pair": lambda e: {"pair": ("RUS", "UKR")},
    "entities": lambda e: {"entities": ("Q7747", "Q7184")},
    "topics": lambda e: {"topics": ("politics", "diplomacy")},
    "languages": lambda e: {"languages": ("id", "ru")},
    "outlets": lambda e: {"feed_ids": (_feed_id(e, "viva"), _feed_id(e, "lenta"))},
    "text": lambda e: {"search": "indonesia"},
    "mention": lambda e: {"any_mention": True, "countries": ("GBR",)},
    "outlet_types": lambda e: {"outlet_types": ("state", "public")},
    "outlet_homes": lambda e: {"outlet_homes": ("IDN", "RUS")},
    "count": lambda e: {"count_stories": True, "countries": ("IDN",)},
}

# The same filters as hand-written SQL over the stored tables (filter name → (SQL, params)),
# written apart from ingest.filters: published_day instead of published_at, IN instead of
# EXISTS, LIKE on each column.
ORACLES: dict[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    "dates": lambda v: (
        "SELECT id FROM articles WHERE published_day BETWEEN :a AND :b",
        {"a": v["date_from"].isoformat(), "b": v["date_to"].isoformat()},
    ),
    "countries": lambda v: (
        "SELECT id FROM articles WHERE id IN "
        "(SELECT article_id FROM article_countries WHERE iso3 IN :codes AND prominent = TRUE)",
        {"codes": list(v["countries"])},
    ),
    "pair": lambda v: (
        "SELECT id FROM articles "
        "WHERE id IN (SELECT article_id FROM article_countries WHERE iso3 = :a AND prominent) "
        "AND id IN (SELECT article_id FROM article_countries WHERE iso3 = :b AND prominent)",
        {"a": v["pair"][0], "b": v["pair"][1]},
    ),
    "entities": lambda v: (
        "SELECT id FROM articles WHERE id IN "
        "(SELECT article_id FROM article_entities WHERE qid IN :codes)",
        {"codes": list(v["entities"])},
    ),
    "topics": lambda v: (
        "SELECT id FROM articles WHERE id IN "
        "(SELECT article_id FROM article_topics WHERE topic IN :codes)",
        {"codes": list(v["topics"])},
    ),
    "languages": lambda v: (
        "SELECT id FROM articles WHERE language IN :codes",
        {"codes": list(v["languages"])},
    ),
    "outlets": lambda v: (
        "SELECT id FROM articles WHERE feed_id IN :codes",
        {"codes": list(v["feed_ids"])},
    ),
    "text": lambda v: (
        "SELECT id FROM articles WHERE lower(title) LIKE :p OR lower(summary) LIKE :p",
        {"p": "%" + v["search"].lower() + "%"},
    ),
    # Any mention: the countries' tags whether prominent or not.
    "mention": lambda v: (
        "SELECT id FROM articles WHERE id IN "
        "(SELECT article_id FROM article_countries WHERE iso3 IN :codes)",
        {"codes": list(v["countries"])},
    ),
    "outlet_types": lambda v: (
        "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.category IN :codes",
        {"codes": list(v["outlet_types"])},
    ),
    "outlet_homes": lambda v: (
        "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id "
        "WHERE f.country_iso3 IN :codes",
        {"codes": list(v["outlet_homes"])},
    ),
    # Counting stories changes what a count counts, never which articles match (the counts:
    # tests/test_story_counts.py).
    "count": lambda v: (
        "SELECT id FROM articles WHERE id IN "
        "(SELECT article_id FROM article_countries WHERE iso3 IN :codes AND prominent = TRUE)",
        {"codes": list(v["countries"])},
    ),
}


def _oracle_ids(engine: Engine, name: str, values: dict[str, Any]) -> set[int]:
    sql, params = ORACLES[name](values)
    query = text(sql)
    for key, value in params.items():
        if isinstance(value, list):
            query = query.bindparams(bindparam(key, expanding=True))
    with engine.connect() as conn:
        return {int(i) for i in conn.execute(query, params).scalars()}


def test_each_field_and_parameter_is_declared_once() -> None:
    names = [flt.name for flt in FILTERS]
    assert len(names) == len(set(names))
    fields = [name for flt in FILTERS for name in flt.fields]
    own = [f.name for f in dataclasses.fields(Filters) if f.name != "feed_titles"]
    assert sorted(fields) == sorted(own)  # every field owned, by exactly one filter
    params = [p for flt in FILTERS for p in flt.params]
    assert len(params) == len(set(params))
    assert tuple(params) == filters.PARAM_KEYS
    assert sorted(filters.WORDS_ORDER) == sorted(names)
    assert sorted(filters.SLUG_ORDER) == sorted(names)


def test_every_filter_has_a_sample_and_an_oracle() -> None:
    assert set(SAMPLES) == set(BY_NAME) == set(ORACLES)


@pytest.mark.parametrize("name", [flt.name for flt in FILTERS])
def test_a_filter_round_trips_through_its_url_parameters(name: str, engine: Engine) -> None:
    flt = BY_NAME[name]
    f = ALL.with_(**SAMPLES[name](engine))
    assert flt.is_set(f)
    own = flt.to_params(f)
    assert own and set(own) <= set(flt.params)
    params = to_query_params(f)
    assert from_query_params(params, ELSEWHERE) == f
    # Its parameter alone carries it: without it, the value is gone.
    if name != "dates":
        rest = {k: v for k, v in params.items() if k not in flt.params}
        assert from_query_params(rest, ELSEWHERE) == f.with_(
            **{n: getattr(ALL, n) for n in flt.fields}
        )
    assert describe(f) != describe(ALL)
    assert slug(f) != slug(ALL)


@pytest.mark.parametrize("name", [flt.name for flt in FILTERS])
def test_a_filter_narrows_rows_as_the_oracle_says(name: str, engine: Engine) -> None:
    values = SAMPLES[name](engine)
    f = ALL.with_(**values)
    expected = _oracle_ids(engine, name, values)
    every = queries.count_articles(engine, ALL)
    assert 0 < len(expected) < every  # the sample narrows
    listed = queries.list_articles(engine, f, limit=every + 1)
    assert set(listed["id"]) == expected
    assert queries.count_articles(engine, f) == len(expected)


@pytest.mark.parametrize(
    "typed",
    [
        "a" * (MAX_SEARCH_CHARS - 1) + " tail",  # the cut lands on the space
        "a" * (MAX_SEARCH_CHARS - 1) + "\t\n tail",
        "  korea \x00 utara  ",
        "x" * (MAX_SEARCH_CHARS + 50),
    ],
)
def test_a_cleaned_search_is_clean_again(typed: str) -> None:
    """The text search as cleaned is what any later cleaning (every ``with_``) leaves it: the
    Articles page's probe, its window of recent days and its count must search one text.
    Never longer than MAX_SEARCH_CHARS, never ending or starting with a space."""
    cleaned = Filters(date(2026, 1, 1), date(2026, 1, 31), search=typed).search
    assert cleaned == cleaned.strip() and 0 < len(cleaned) <= MAX_SEARCH_CHARS, repr(cleaned)
    assert Filters(date(2026, 1, 1), date(2026, 1, 31), search=cleaned).search == cleaned
    again = Filters(date(2026, 1, 1), date(2026, 1, 31), search=typed).with_(
        date_from=date(2026, 1, 2)
    )
    assert again.search == cleaned

"""Entity counts, an article's and a story's entities (issue 14, ``ingest.queries.entities``),
and every count under an entity filter (no aggregate carries entities: the routing must scan),
against hand-written SQL (``tests/store_oracle.py``) on the labelled store, both engines. The
labelled store's entity tags are the entity tagger's (``conftest.build_dashboard_store``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from ingest import queries, store
from ingest.filters import Filters, from_query_params
from ingest.queries.aggregates import route_for
from ingest.tagging.entities import entity_by_qid
from tests.store_oracle import Oracle
from tests.test_exports import PERIOD

DEFAULTS = Filters(date(2000, 1, 1), date(2030, 12, 31))
ENTITY_VIEWS = [
    {},
    {"entity": "Q7747,Q7184"},
    {"entity": "Q7184"},
    {"entity": "Q7184", "count": "stories"},
    {"entity": "Q7747,Q7184", "c": "RUS"},
    {"entity": "Q7184", "lang": "uk"},
    {"count": "stories"},
    {"c": "RUS"},
]


@pytest.fixture(scope="module")
def engine(store_url: str) -> Iterator[Engine]:
    eng = store.make_engine(store_url)
    yield eng
    eng.dispose()


def view(params: dict[str, str]) -> tuple[dict[str, str], Filters]:
    p = {**PERIOD, **params}
    return p, from_query_params(p, DEFAULTS)


@pytest.mark.parametrize("params", ENTITY_VIEWS, ids=repr)
def test_entity_counts_are_the_oracles(params: dict, engine: Engine, oracle: Oracle) -> None:
    p, f = view(params)
    got = queries.entity_counts(engine, f)
    want = oracle.entity_counts(p)
    assert list(zip(got["qid"], got["articles"], strict=True)) == want
    assert list(got["name"]) == [entity_by_qid(q).name for q, _ in want]
    if "entity" not in params and "c" not in params:
        assert want, "the labelled store names no entity: the case tells nothing"


@pytest.mark.parametrize("params", [v for v in ENTITY_VIEWS if "entity" in v], ids=repr)
def test_counts_under_an_entity_filter_scan_the_articles(
    params: dict, engine: Engine, oracle: Oracle
) -> None:
    p, f = view(params)
    assert route_for(f) is None
    n = oracle.count(p)
    assert 0 < n < oracle.count(view({})[0])
    assert queries.coverage_count(engine, f) == n
    assert queries.count_articles(engine, f) == oracle.count({**p, "count": ""})
    counts = queries.country_counts(engine, f)
    assert list(zip(counts["iso3"], counts["articles"], strict=True)) == [
        (c, k) for c, k, _share in oracle.country_counts(p)
    ]
    totals = queries.totals(engine, f)
    assert totals["articles"] == n


def test_article_entities_are_the_stored_rows(engine: Engine, oracle: Oracle) -> None:
    rows = oracle.rows(
        "SELECT x.article_id, x.qid, x.evidence, a.title FROM article_entities x "
        "JOIN articles a ON a.id = x.article_id"
    )
    assert rows
    want: dict[int, dict[str, list]] = {}
    for article_id, qid, evidence, title in rows:
        items = []
        for item in json.loads(evidence):
            if "field" not in item:  # offsets into title + newline + summary
                if item["start"] < len(title):
                    item = {**item, "field": "title"}
                else:
                    item = {**item, "start": item["start"] - len(title) - 1, "field": "summary"}
            items.append(item)
        want.setdefault(int(article_id), {})[qid] = items
    ids = [i for i, _ in oracle.rows("SELECT id, title FROM articles")]
    got = queries.article_entities(engine, ids)
    assert got == want
    assert all(list(v) == sorted(v) for v in got.values())
    assert queries.article_entities(engine, []) == {}


def test_story_entities_are_counted_over_the_storys_articles(
    engine: Engine, oracle: Oracle
) -> None:
    stories = oracle.rows(
        "SELECT DISTINCT s.first_article_id FROM article_entities x "
        "JOIN article_stories l ON l.article_id = x.article_id "
        "JOIN stories s ON s.id = l.story_id"
    )
    assert stories
    for (story,) in stories:
        want = oracle.rows(
            "SELECT x.qid, count(*) FROM article_entities x "
            "JOIN article_stories l ON l.article_id = x.article_id "
            "JOIN stories s ON s.id = l.story_id WHERE s.first_article_id = :story "
            "GROUP BY x.qid ORDER BY count(*) DESC, x.qid",
            {"story": story},
        )
        got = queries.story_entities(engine, int(story))
        assert list(zip(got["qid"], got["articles"], strict=True)) == [(q, int(n)) for q, n in want]
    assert queries.story_entities(engine, -1).empty

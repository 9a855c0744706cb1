"""ui/data.py: each cached read is a named function that calls the same-named read of
ingest.queries with the store's engine, with the same parameters and defaults."""

from __future__ import annotations

import inspect

from ingest import queries
from ui import data


def _reads() -> dict[str, object]:
    return {
        name: fn
        for name, fn in vars(data).items()
        if callable(fn) and hasattr(fn, "__wrapped__") and not name.startswith("_")
    }


def test_every_page_read_is_named() -> None:
    # The reads the pages and the sidebar use (a missing one fails here, not in a page run).
    assert {
        "article_evidence", "co_mentions", "count_articles", "country_counts",
        "coverage_series", "data_date_range", "default_filters", "feed_health", "feed_names",
        "is_demo_only", "is_empty", "language_counts", "languages_held", "list_articles",
        "outlet_counts", "pair_counts", "pair_matrix", "pair_timeline", "recent_polls",
        "rising", "topic_counts", "totals", "who_covers_whom",
    } <= set(_reads())  # fmt: skip


def test_each_read_has_the_parameters_of_its_query() -> None:
    for name, fn in _reads().items():
        ours = list(inspect.signature(fn).parameters.values())[1:]  # without the engine
        theirs = list(inspect.signature(getattr(queries, name)).parameters.values())[1:]
        assert [(p.name, p.kind, p.default) for p in ours] == [
            (p.name, p.kind, p.default) for p in theirs
        ], name

"""The poller tags from many threads at once: the tagger's data must be built once, not per
thread (a regression: 16 threads each built the country automaton, 1.6 GB and 80 s)."""

from __future__ import annotations

import threading

from ingest import language
from ingest.tagging import countries, tag_article, topics


def test_concurrent_first_calls_build_each_matcher_once() -> None:
    countries._build_matcher.cache_clear()
    topics._build_matcher.cache_clear()
    language._load_factory.cache_clear()
    start = threading.Barrier(8)
    results: list[set[str]] = []

    def work() -> None:
        start.wait()
        tags = tag_article("Putin meets Kim Jong Un", "Rusia dan Korea Utara", language_hint="en")
        results.append({c.iso3 for c in tags.countries})

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"RUS", "PRK"}] * 8
    assert countries._build_matcher.cache_info().misses == 1
    assert language._load_factory.cache_info().misses == 1
    assert topics._build_matcher.cache_info().currsize == topics._build_matcher.cache_info().misses

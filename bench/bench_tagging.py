"""Tagging throughput on one core for ~1 KB article texts, and the memory of a tagging process.

    .venv/bin/python bench/bench_tagging.py [--seconds 5] [--size 1000]

The texts are real: every item of every fixture feed (tests/fixtures/feeds/, parsed with
ingest.parse.parse_feed) contributes its title and summary; consecutive items of one feed are
joined until a text reaches ~``--size`` characters, so each text is in one language and carries
its feed's declared language. Three figures, articles per second on one core (the process is
pinned to one CPU where the OS allows it):

- countries + topics: ``tag_countries`` and ``tag_topics`` on the text, language given;
- full ``tag_article``: language detection (langdetect, seeded) + countries + topics;
- language detection alone.

Peak RSS (resource.getrusage) is printed after loading the tagger data and at the end.
The goal for countries + topics is ≥ 5,000 articles/s (geotext's speed, doing far more).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.parse import parse_feed  # noqa: E402

FEEDS = REPO / "tests" / "fixtures" / "feeds"
FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build_texts(size: int) -> list[tuple[str, str, str | None]]:
    """(title, summary, declared language) triples of about ``size`` characters each."""
    texts = []
    for path in sorted(FEEDS.rglob("*.xml")):
        parsed = parse_feed(path.read_bytes(), feed_url=path.as_uri(), fetched_at=FETCHED_AT)
        title, parts = None, []
        for article in parsed.articles:
            if title is None:
                title, parts = article.title, [article.summary]
            else:
                parts.append(f"{article.title}. {article.summary}")
            summary = " ".join(part for part in parts if part)
            if len(title) + 1 + len(summary) >= size:
                texts.append((title, summary[: max(size - len(title) - 1, 0)], parsed.language))
                title, parts = None, []
    return texts


def rate(label: str, work: Callable[[tuple[str, str, str | None]], object], texts, seconds: float):
    done, started = 0, time.perf_counter()
    while True:
        for item in texts:
            work(item)
        done += len(texts)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
    per_second = done / elapsed
    print(f"  {label:<34} {per_second:>9,.0f} articles/s   ({done:,} in {elapsed:.1f} s)")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--size", type=int, default=1000, help="characters per text")
    arguments = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    texts = build_texts(arguments.size)
    baseline = peak_rss_mb()
    lengths = sorted(len(title) + 1 + len(summary) for title, summary, _ in texts)
    languages = sorted({language or "?" for _, _, language in texts})
    print(
        f"{len(texts)} texts from {FEEDS.relative_to(REPO)}, median {lengths[len(lengths) // 2]} "
        f"characters, declared languages: {', '.join(languages)}"
    )

    started = time.perf_counter()
    from ingest.language import detect_language
    from ingest.records import tagging_text
    from ingest.tagging import TAGGER_VERSION, tag_article
    from ingest.tagging.countries import tag_countries
    from ingest.tagging.topics import tag_topics

    prepared = []
    for title, summary, declared in texts:  # detect once; also builds every matcher used
        language, _ = detect_language(title, summary, declared)
        text = tagging_text(title, summary)
        tag_countries(text, language=language)
        tag_topics(text, language)
        prepared.append((text, language))
    print(
        f"tagger {TAGGER_VERSION}: loaded and warmed in {time.perf_counter() - started:.1f} s; "
        f"peak RSS {peak_rss_mb():.0f} MB (before loading the tagger: {baseline:.0f} MB)"
    )

    def countries_and_topics(item: tuple[str, str | None]) -> None:
        text, language = item
        tag_countries(text, language=language)
        tag_topics(text, language)

    print("one core:")
    rate("countries + topics", countries_and_topics, prepared, arguments.seconds)
    rate(
        "tag_article (language + all tags)",
        lambda item: tag_article(item[0], item[1], language_hint=item[2]),
        texts,
        arguments.seconds,
    )
    rate(
        "language detection alone",
        lambda item: detect_language(item[0], item[1], item[2]),
        texts,
        arguments.seconds,
    )
    print(f"peak RSS of the tagging process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()

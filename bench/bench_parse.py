"""Parse throughput: parse_feed over every fixture feed, several rounds; prints figures.

    .venv/bin/python bench/bench_parse.py [--rounds 5]

Reports items/s and MB/s for parse_feed (decode + attack scan + feedparser + cleaning + keys),
the share of that spent inside feedparser itself, and the slowest feeds. Reads only
tests/fixtures/feeds/ (the copy of the real feed set that ships with the repo).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import feedparser  # noqa: E402

from ingest.parse import parse_feed  # noqa: E402

FEEDS = REPO / "tests" / "fixtures" / "feeds"
FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    files = sorted(FEEDS.rglob("*.xml"))
    bodies = [(path, path.read_bytes()) for path in files]
    total_bytes = sum(len(body) for _, body in bodies)

    # warm-up (imports, Babel month names, regex compilation)
    for path, body in bodies:
        parse_feed(body, feed_url=f"https://example.org/{path.name}", fetched_at=FETCHED_AT)

    round_seconds: list[float] = []
    per_feed: dict[str, float] = {}
    items = 0
    for _ in range(args.rounds):
        items = 0
        started = time.perf_counter()
        for path, body in bodies:
            feed_started = time.perf_counter()
            result = parse_feed(
                body, feed_url=f"https://example.org/{path.name}", fetched_at=FETCHED_AT
            )
            per_feed[path.name] = per_feed.get(path.name, 0.0) + time.perf_counter() - feed_started
            items += len(result.articles)
        round_seconds.append(time.perf_counter() - started)

    feedparser_seconds: list[float] = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        for _, body in bodies:
            feedparser.parse(io.BytesIO(body))
        feedparser_seconds.append(time.perf_counter() - started)

    best = min(round_seconds)
    median = statistics.median(round_seconds)
    print(f"feeds: {len(files)} files, {total_bytes / 1e6:.2f} MB, {items} articles per round")
    print(f"rounds: {args.rounds}; best {best:.3f} s, median {median:.3f} s per round")
    print(
        f"parse_feed throughput: {items / best:,.0f} items/s (best), {items / median:,.0f} items/s (median)"
    )
    print(f"parse_feed bytes: {total_bytes / 1e6 / best:.2f} MB/s (best)")
    fp_best = min(feedparser_seconds)
    print(
        f"feedparser.parse alone: {fp_best:.3f} s per round "
        f"({fp_best / best:.0%} of parse_feed's time)"
    )
    print("slowest feeds (mean ms per parse):")
    for name, seconds in sorted(per_feed.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {seconds / args.rounds * 1000:8.1f}  {name}")


if __name__ == "__main__":
    main()

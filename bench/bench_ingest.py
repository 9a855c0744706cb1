"""Ingest figures for issue 2: import throughput and a 500-feed poll against a local server.

    .venv/bin/python bench/bench_ingest.py [--feeds 500] [--latency 0.05 0.3]

1. Import every fixture feed file (parse + skip known + language + tags + store) into a fresh
   SQLite file: items/s and articles/s.
2. Poll N feeds served by the test HTTP server on 127.0.0.1 with a realistic per-response
   latency, at the default concurrency, through the real scheduler (fetch, parse, tag, store):
   wall time (goal: under 60 s for 500 feeds), then a second round (all 304s).
3. Peak RSS of this process.

``--stories-cost N``: instead, import every fixture feed file into a fresh SQLite file N times
with story assignment (issue 14) and N times without it (``assign_stories`` replaced by a
no-op for those runs), alternating, after one warm-up import; the median CPU seconds of each
and how much slower stories make an import (goal: at most 10 %).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from feedserver import FeedServer  # noqa: E402

from ingest import config, pipeline, scheduler, store  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "feeds"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_import(workdir: Path) -> None:
    engine = store.make_engine(f"sqlite:///{workdir / 'import.db'}")
    began = time.perf_counter()
    summary = pipeline.import_paths(engine, [FIXTURES])
    seconds = time.perf_counter() - began
    print(f"import: {summary.line()} in {seconds:.1f} s")
    print(
        f"  {summary.items / seconds:,.0f} items/s parsed+checked, "
        f"{summary.new_articles / seconds:,.0f} new articles/s tagged+stored"
    )
    began = time.perf_counter()
    again = pipeline.import_paths(engine, [FIXTURES])
    seconds = time.perf_counter() - began
    print(f"re-import (all known): {again.items / seconds:,.0f} items/s, {again.new_articles} new")
    engine.dispose()


def _import_seconds(path: Path) -> tuple[float, int]:
    """CPU seconds of one import of the fixture files into a fresh store at ``path`` (the import
    is one thread and the SQLite file is local, so CPU time is its cost without the noise of a
    busy machine's wall clock), and the articles stored."""
    engine = store.make_engine(f"sqlite:///{path}")
    try:
        began = time.process_time()
        summary = pipeline.import_paths(engine, [FIXTURES])
        return time.process_time() - began, summary.new_articles
    finally:
        engine.dispose()


def bench_stories_cost(workdir: Path, rounds: int) -> None:
    import importlib
    import statistics

    # the module (ingest.store re-exports a table under the same name)
    article_writes = importlib.import_module("ingest.store.articles")

    assign = article_writes.assign_stories
    _import_seconds(workdir / "warm.db")  # the tagger's cache and the imports warm
    seconds: dict[str, list[float]] = {"with stories": [], "without": []}
    articles = 0
    for n in range(rounds):
        for label in seconds:
            article_writes.assign_stories = assign if label == "with stories" else _no_stories
            try:
                took, articles = _import_seconds(workdir / f"{label.split()[0]}-{n}.db")
            finally:
                article_writes.assign_stories = assign
            seconds[label].append(took)
    with_s, without = (statistics.median(seconds[k]) for k in seconds)
    for label, runs in seconds.items():
        shown = ", ".join(f"{t:.2f}" for t in runs)
        median = statistics.median(runs)
        print(f"import {articles:,} articles {label}: median {median:.2f} s CPU ({shown})")
        print(f"  {articles / median:,.0f} articles/s")
    print(f"stories make the import {100 * (with_s / without - 1):+.1f} % slower (goal ≤ 10 %)")


def _no_stories(conn: object, items: object) -> dict[int, int]:
    return {}


def bench_poll(workdir: Path, feeds: int, latency: tuple[float, float]) -> None:
    os.environ["PANTAU_ALLOW_PRIVATE_ADDRESSES"] = "1"
    engine = store.make_engine(f"sqlite:///{workdir / 'poll.db'}")
    with FeedServer() as server:
        server.latency = latency
        files = server.feed_files()
        for i in range(feeds):
            # Distinct URLs; the same file under two URLs is one feed's items seen twice, which
            # dedupe recognises, so the figure covers both new and already-known items.
            store.ensure_feed(engine, server.feed_url(files[i % len(files)]) + f"?n={i}")
        concurrency = int(config.get("fetch_concurrency"))
        began = time.perf_counter()
        first = scheduler.poll_due(engine, worker="bench")
        seconds = time.perf_counter() - began
        print(
            f"poll {feeds} feeds, latency {latency[0] * 1000:.0f}-{latency[1] * 1000:.0f} ms, "
            f"concurrency {concurrency}: {seconds:.1f} s — {first.line()}"
        )
        # Make every feed due again: the second round is conditional GETs answered 304.
        from datetime import UTC, datetime, timedelta

        far = datetime.now(UTC) + timedelta(days=1)
        began = time.perf_counter()
        claimed = store.claim_due_feeds(engine, now=far, limit=feeds, lease=timedelta(seconds=0))
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(concurrency) as pool:
            reports = list(pool.map(lambda f: scheduler.poll_feed(engine, f, worker="b"), claimed))
        seconds = time.perf_counter() - began
        outcomes = {o: sum(r.outcome == o for r in reports) for o in {r.outcome for r in reports}}
        print(f"second round ({len(reports)} feeds): {seconds:.1f} s, outcomes {outcomes}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--latency", type=float, nargs=2, default=(0.05, 0.3))
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--stories-cost", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.stories_cost:
            bench_stories_cost(workdir, args.stories_cost)
            return
        if not args.skip_import:
            bench_import(workdir)
        bench_poll(workdir, args.feeds, tuple(args.latency))
    print(f"peak RSS: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()

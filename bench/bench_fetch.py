"""Poll-like fetch of N feeds (default 500) from a local server with realistic latency.

The test server (tests/feedserver.py) runs in a child process on 127.0.0.1 and serves the real
fixture feeds, each response delayed by a uniform random 50-300 ms. This process fetches N
distinct URLs with fetch's shared client in a thread pool of ``fetch_concurrency`` workers (the
default setting), like the scheduler does, then polls them all again with the validators it got
(conditional GET: 304s). Prints wall time, outcomes, per-fetch latency and peak RSS.

    .venv/bin/python bench/bench_fetch.py [--feeds 500] [--min-ms 50] [--max-ms 300]

Goal (issue 2): 500 feeds in under 60 s at the default concurrency.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import config  # noqa: E402
from ingest.fetch import FetchResult, fetch_feed  # noqa: E402


def serve(conn: Connection, low: float, high: float) -> None:
    from tests.feedserver import FeedServer

    with FeedServer() as server:
        server.latency = (low, high)
        conn.send((server.base_url, server.feed_files()))
        conn.recv()  # until told to stop
        rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send((server.connections, len(server.requests), rss_kib))


def poll(urls: list[str], validators: dict[str, tuple[str | None, str | None]], workers: int):
    # Like the scheduler: no client argument, so every thread shares fetch's process-wide client.
    def one(url: str) -> FetchResult:
        etag, modified = validators.get(url, (None, None))
        return fetch_feed(url, etag=etag, last_modified=modified)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, urls))
    return results, time.perf_counter() - started


def report(label: str, results: list[FetchResult], wall: float) -> None:
    outcomes = Counter(r.outcome if r.outcome != "error" else r.error_category for r in results)
    durations = sorted(r.duration_ms for r in results)
    p95 = durations[int(0.95 * (len(durations) - 1))]
    body_mib = sum(len(r.body or b"") for r in results) / 2**20
    print(
        f"{label:<16} {len(results)} feeds in {wall:6.2f} s "
        f"({len(results) / wall:5.1f} feeds/s)  outcomes {dict(outcomes)}  "
        f"per fetch p50 {statistics.median(durations):.0f} ms, p95 {p95} ms  "
        f"bodies {body_mib:.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--min-ms", type=float, default=50)
    parser.add_argument("--max-ms", type=float, default=300)
    args = parser.parse_args()

    os.environ["PANTAU_ALLOW_PRIVATE_ADDRESSES"] = "1"  # the server is on 127.0.0.1
    workers = int(config.get("fetch_concurrency"))

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=serve, args=(child, args.min_ms / 1000, args.max_ms / 1000), daemon=True
    )
    server.start()
    base_url, files = parent.recv()
    urls = [f"{base_url}/feeds/{files[i % len(files)]}?n={i}" for i in range(args.feeds)]
    print(
        f"{args.feeds} feeds ({len(files)} distinct fixture files), latency "
        f"{args.min_ms:.0f}-{args.max_ms:.0f} ms, fetch_concurrency {workers}"
    )

    first, wall_first = poll(urls, {}, workers)
    report("first poll", first, wall_first)
    validators = {r.url: (r.etag, r.last_modified) for r in first if r.ok}
    second, wall_second = poll(urls, validators, workers)
    report("conditional poll", second, wall_second)

    parent.send("stop")
    connections, requests, server_rss = parent.recv()
    server.join(timeout=10)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"server saw {requests} requests on {connections} connections")
    print(
        f"peak RSS: fetching process {rss_mib:.0f} MiB, server process {server_rss / 1024:.0f} MiB"
    )
    goal = "met" if wall_first < 60 else "MISSED"
    print(f"goal (< 60 s for {args.feeds} feeds): {goal} ({wall_first:.1f} s)")


if __name__ == "__main__":
    main()

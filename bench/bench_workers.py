"""Throughput of 1, 2 and 4 ingest workers on one PostgreSQL (issue 6, item 2).

    PANTAU_BENCH_POSTGRES_URL=postgresql+psycopg://user@127.0.0.1:5432/db python -m bench.bench_workers

200 feeds on the test suite's local HTTP server (the real fixture feeds, each under its own URL,
with 100-400 ms of simulated server latency by default); N ``python -m ingest run --once`` processes start
together on an empty schema. Cycle 1 stores every article (parse, tag, store: CPU-bound); cycle 2
repeats the polls, answered 304 (network-bound). Each figure is feeds polled per second, wall
clock from start to the last worker's exit. The tests check correctness (tests/test_workers.py);
this only measures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, make_url, select, text

from ingest import store
from tests.feedserver import FeedServer
from tests.test_workers import write_catalogue

ROOT = Path(__file__).resolve().parent.parent


def schema_url(base: str, schema: str) -> str:
    return (
        make_url(base)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def run_cycle(workers: int, env: dict[str, str], logs: Path, cycle: int) -> float:
    began = time.perf_counter()
    procs = []
    for k in range(workers):
        with (logs / f"n{workers}-c{cycle}-w{k}.log").open("w") as out:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "ingest", "run", "--once", "--worker-id", f"w{k}"],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=out,
                )
            )
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"a worker failed; see {logs}")
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("PANTAU_BENCH_POSTGRES_URL"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=8, help="fetches at once per worker")
    parser.add_argument(
        "--latency", type=float, nargs=2, default=[0.1, 0.4], help="server delay range, seconds"
    )
    args = parser.parse_args(argv)
    if not args.postgres:
        print("--postgres URL (or PANTAU_BENCH_POSTGRES_URL) is needed", file=sys.stderr)
        return 2
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    logs = Path(tempfile.mkdtemp(prefix="pantau-bench-workers-"))
    os.environ["PANTAU_ALLOW_PRIVATE_ADDRESSES"] = "1"
    print(
        f"cores: {os.cpu_count()}, fetch concurrency per worker: {args.concurrency}, "
        f"server latency {args.latency[0]}-{args.latency[1]} s"
    )
    with FeedServer() as server:
        server.latency = (args.latency[0], args.latency[1])
        catalogue = logs / "feeds.toml"
        write_catalogue(catalogue, server)
        for n in args.workers:
            schema = "bench_" + uuid.uuid4().hex[:12]
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = schema_url(args.postgres, schema)
            store.make_engine(url).dispose()  # migrate first, outside the timing
            env = {
                **os.environ,
                "PANTAU_DATABASE_URL": url,
                "PANTAU_FEEDS_FILE": str(catalogue),
                "PANTAU_FETCH_CONCURRENCY": str(args.concurrency),
                "PANTAU_SEED_DEMO": "0",
                "PANTAU_VECTORS_AFTER_POLL": "0",  # polling alone (run --once encodes after)
            }
            first = run_cycle(n, env, logs, 1)
            engine = store.make_engine(url, migrate_now=False)
            with engine.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(store.articles)).scalar()
                feed_ids = list(conn.execute(select(store.feeds.c.id)).scalars())
            for feed_id in feed_ids:  # due again now
                store.set_feed_enabled(engine, feed_id, True)
            second = run_cycle(n, env, logs, 2)
            engine.dispose()
            print(
                f"RESULT workers={n}: cycle 1 (store {stored:,} articles) {first:.1f} s = "
                f"{len(feed_ids) / first:.1f} feeds/s, {stored / first:.0f} articles/s; "
                f"cycle 2 (304s) {second:.1f} s = {len(feed_ids) / second:.1f} feeds/s",
                flush=True,
            )
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

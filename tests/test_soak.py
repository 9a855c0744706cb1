"""Concurrency soak (issue 5, item 8): the poller writing and 8 dashboard readers on one SQLite file.

The writer is the real poller (``python -m ingest run``) polling 200 feeds from the local test
server; the readers are 8 separate processes (as separate dashboard servers would be) calling the
dashboard's own query functions in a loop for about 45 seconds. Required: 0 "database is locked"
errors anywhere (readers, poller, poll history), 0 failed reads, the WAL file under 64 MB the
whole time (sampled), and the poller really writing during the soak. The read p99 is printed.
45 seconds is CI's size (tests/sizes.py); a developer's run soaks for 15 with the same checks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ingest import store
from tests.feedserver import FeedServer
from tests.sizes import sized
from tests.test_workers import write_catalogue

ROOT = Path(__file__).resolve().parent.parent
READERS = sized(8, 4)
SOAK_SECONDS = sized(45.0, 12.0)
WAL_LIMIT = 64 * 1024 * 1024

pytestmark = pytest.mark.slow


def read_loop(url: str, seconds: float, out: str) -> None:
    """One reader process: the dashboard's queries, round after round, each call timed."""
    import random

    from ingest import queries

    engine = store.make_engine(url, migrate_now=False)
    rng = random.Random(os.getpid())
    wide = queries.Filters(date(2010, 1, 1), date(2026, 12, 31))
    year = queries.Filters(date(2025, 2, 19), date(2026, 2, 18))
    calls = [
        ("totals", lambda: queries.totals(engine, wide)),
        ("country_counts", lambda: queries.country_counts(engine, wide)),
        ("pair_counts", lambda: queries.pair_counts(engine, wide, limit=20)),
        ("coverage_series", lambda: queries.coverage_series(engine, year)),
        ("list_articles", lambda: queries.list_articles(engine, wide)),
        (
            "list_articles_rus",
            lambda: queries.list_articles(engine, wide.with_(countries=("RUS",))),
        ),
        ("feed_health", lambda: queries.feed_health(engine)),
        ("stats", lambda: queries.stats(engine)),
    ]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        name, call = rng.choice(calls)
        began = time.perf_counter()
        try:
            call()
        except Exception as exc:  # every failure is counted and reported by the test
            errors.append(f"{name}: {exc!r}"[:500])
            continue
        latencies.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    Path(out).write_text(json.dumps({"latencies": latencies, "errors": errors}))


def start_reader(url: str, out: Path) -> subprocess.Popen:
    log = out.with_suffix(".log").open("w")
    code = (
        "import sys; from tests.test_soak import read_loop; "
        "read_loop(sys.argv[1], float(sys.argv[2]), sys.argv[3])"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, url, str(SOAK_SECONDS), str(out)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return proc


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        articles = conn.execute(select(func.count()).select_from(store.articles)).scalar_one()
        polls = conn.execute(select(func.count()).select_from(store.polls)).scalar_one()
    return int(articles), int(polls)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def test_poller_and_eight_readers_share_one_sqlite_file(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.latency = (0.05, 0.25)  # keep the poller busy through the soak
    catalogue = tmp_path / "feeds.toml"
    write_catalogue(catalogue, feed_server, count=200)  # 200 feeds at both sizes
    db = tmp_path / "pantau.db"
    url = f"sqlite:///{db}"
    wal = Path(f"{db}-wal")
    engine = store.make_engine(url)
    env = {
        **os.environ,
        "PANTAU_DATABASE_URL": url,
        "PANTAU_FEEDS_FILE": str(catalogue),
        "PANTAU_ALLOW_PRIVATE_ADDRESSES": "1",
        "PANTAU_FETCH_CONCURRENCY": "2",
        "PANTAU_SEED_DEMO": "0",
    }
    # Output to a file: a full pipe would stall the poller mid-transaction.
    poller_log = (tmp_path / "poller.log").open("w")
    poller = subprocess.Popen(
        [sys.executable, "-m", "ingest", "run", "--worker-id", "soak"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=poller_log,
        stderr=subprocess.STDOUT,
    )
    poller_log.close()
    readers: list[subprocess.Popen] = []
    try:
        # Readers start once the poller has stored something.
        deadline = time.monotonic() + 120
        while counts(engine)[0] == 0:
            assert poller.poll() is None, (tmp_path / "poller.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the poller stored nothing in 120 s"
            time.sleep(0.5)
        at_start = counts(engine)
        outputs = [tmp_path / f"reader-{k}.json" for k in range(READERS)]
        readers = [start_reader(url, out) for out in outputs]
        wal_max = 0
        while any(r.poll() is None for r in readers):
            if wal.exists():
                wal_max = max(wal_max, wal.stat().st_size)
            time.sleep(0.2)
        at_end = counts(engine)
        for r, out in zip(readers, outputs, strict=True):
            r.wait()
            assert r.returncode == 0, out.with_suffix(".log").read_text()[-3000:]
        assert poller.poll() is None, "the poller stopped during the soak"
    finally:
        for r in readers:
            if r.poll() is None:
                r.kill()
        poller.send_signal(signal.SIGTERM)
        try:
            poller.wait(timeout=120)
        except subprocess.TimeoutExpired:
            poller.kill()
            poller.wait()
    poller_err = (tmp_path / "poller.log").read_text(errors="replace")

    results = [json.loads(out.read_text()) for out in outputs]
    latencies = [ms for r in results for ms in r["latencies"]]
    errors = [e for r in results for e in r["errors"]]
    with engine.connect() as conn:
        poll_errors = list(
            conn.execute(select(store.polls.c.error).where(store.polls.c.error.is_not(None)))
            .scalars()
            .all()
        )
    engine.dispose()
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(
        f"\nsoak {SOAK_SECONDS:.0f} s, {READERS} readers: {len(latencies)} reads, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms; "
        f"WAL max {wal_max / 1e6:.1f} MB; poller wrote {at_end[0] - at_start[0]} articles "
        f"and {at_end[1] - at_start[1]} polls meanwhile"
    )
    locked = [e for e in errors + poll_errors if "locked" in e.lower()]
    assert locked == []
    assert "database is locked" not in poller_err
    assert errors == []
    assert poller.returncode == 0, poller_err[-3000:]
    assert len(latencies) >= READERS * 10
    assert wal_max < WAL_LIMIT
    assert at_end[1] > at_start[1]  # the poller wrote during the soak

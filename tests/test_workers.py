"""Several ingest workers on one PostgreSQL (issue 6, item 2), as real processes.

Four ``python -m ingest run --once --worker-id wN`` processes share one PostgreSQL store and a
catalogue of 200 feeds served by the local test server (real fixture feeds, each under its own
URL). Two cycles: after each, every feed has been polled exactly once in that cycle, no two polls
of a feed overlap in time, the second cycle is answered with 304s (validators were saved), and the
stored articles are exactly the union of what the feed bodies parse to — none lost, none twice.
Throughput against the number of workers is measured by ``bench/bench_workers.py``, not here.
200 feeds is CI's size (tests/sizes.py); a developer's run uses 60 with the same checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ingest import store
from ingest.fetch import fetch_feed
from ingest.parse import parse_feed
from tests.feedserver import FeedServer
from tests.sizes import sized

ROOT = Path(__file__).resolve().parent.parent
FEEDS = Path(__file__).parent / "fixtures" / "feeds"
PROVENANCE = FEEDS / "PROVENANCE.md"
WORKERS = 4
FEED_COUNT = sized(200, 40)
HOME = {
    "en": "USA",
    "id": "IDN",
    "zh": "CHN",
    "ko": "KOR",
    "ru": "RUS",
    "uk": "UKR",
    "ja": "JPN",
    "ur": "PAK",
    "hi": "IND",
    "el": "GRC",
    "fr": "FRA",
    "de": "DEU",
    "it": "ITA",
    "pt": "BRA",
    "es": "ESP",
}

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def fixture_languages() -> dict[str, str]:
    """Each fixture file's language (ISO 639-1), from the manifest rows in PROVENANCE.md."""
    languages = {}
    for line in PROVENANCE.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) > 6 and cells[0].startswith("feeds/") and cells[0].endswith(".xml"):
            languages[cells[0].removeprefix("feeds/")] = cells[5][:2].lower()
    return languages


def write_catalogue(path: Path, server: FeedServer, count: int = FEED_COUNT) -> list[str]:
    """``count`` [[feed]] entries cycling over the fixture feeds (the two ~900 KB ones left
    out), each under its own URL."""
    languages = fixture_languages()
    files = [
        f for f in server.feed_files() if (FEEDS / f).stat().st_size < 300_000 and f in languages
    ]
    assert len(files) >= 50
    urls, lines = [], []
    for n in range(count):
        name = files[n % len(files)]
        url = server.url(f"/feeds/{name}?n={n}")
        language = languages[name]
        urls.append(url)
        lines += [
            "[[feed]]",
            f'url = "{url}"',
            f'title = "Fixture feed {n}"',
            f'language = "{language}"',
            f'country = "{HOME.get(language, "USA")}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return urls


def expected_url_keys(urls: list[str]) -> set[str]:
    """What the feeds parse to, fetched and parsed the way the poller does it."""
    keys: set[str] = set()
    for url in urls:
        result = fetch_feed(url)
        assert result.outcome == "ok", (url, result.error)
        parsed = parse_feed(
            result.body,
            feed_url=result.final_url or url,
            fetched_at=store.now_utc(),
            content_type=result.content_type,
            feed_key=url,
        )
        keys.update(a.url_key for a in parsed.articles)
    return keys


def run_workers(env: dict[str, str], cycle: int, logs: Path) -> None:
    """Start the workers together and wait for all; output goes to files (a full pipe would
    stall a worker that may hold a row lock the others wait for)."""
    procs = []
    for k in range(WORKERS):
        out = (logs / f"c{cycle}w{k}.log").open("w")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "ingest", "run", "--once", "--worker-id", f"c{cycle}w{k}"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )
        out.close()
    for k, proc in enumerate(procs):
        proc.wait(timeout=900)
        log = (logs / f"c{cycle}w{k}.log").read_text(errors="replace")
        assert proc.returncode == 0, log[-3000:]


def polls_of(engine, worker_prefix: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(store.polls).where(store.polls.c.worker.like(worker_prefix + "%"))
        )
        return [dict(r._mapping) for r in rows]


def assert_one_poll_per_feed(engine, polls: list[dict], feed_ids: set[int]) -> None:
    per_feed = Counter(p["feed_id"] for p in polls)
    assert set(per_feed) == feed_ids
    assert max(per_feed.values()) == 1, per_feed.most_common(3)


def overlapping_polls(polls: list[dict]) -> int:
    """Pairs of polls of the same feed whose [start, start + duration] intervals overlap."""
    by_feed: dict[int, list[tuple]] = {}
    for p in polls:
        start = p["started_at"]
        end = start + timedelta(milliseconds=p["duration_ms"] or 0)
        by_feed.setdefault(p["feed_id"], []).append((start, end))
    overlaps = 0
    for spans in by_feed.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                overlaps += 1
    return overlaps


def test_four_workers_share_the_feeds_without_overlap_or_duplicates(
    postgres_url: str, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.latency = (0.01, 0.05)
    catalogue = tmp_path / "feeds.toml"
    urls = write_catalogue(catalogue, feed_server)
    env = {
        **os.environ,
        "PANTAU_DATABASE_URL": postgres_url,
        "PANTAU_FEEDS_FILE": str(catalogue),
        "PANTAU_ALLOW_PRIVATE_ADDRESSES": "1",
        "PANTAU_FETCH_CONCURRENCY": "4",
        "PANTAU_SEED_DEMO": "0",
    }
    engine = store.make_engine(postgres_url)
    try:
        # Cycle 1: all four start at once (each also migrates and loads the catalogue).
        run_workers(env, cycle=1, logs=tmp_path)
        with engine.connect() as conn:
            feed_ids = set(conn.execute(select(store.feeds.c.id)).scalars())
            stored = list(conn.execute(select(store.articles.c.url_key)).scalars())
        assert len(feed_ids) == FEED_COUNT
        first = polls_of(engine, "c1")
        assert_one_poll_per_feed(engine, first, feed_ids)
        assert {p["outcome"] for p in first} == {"ok"}
        assert [p["error"] for p in first if p["error"]] == []
        workers_used = Counter(p["worker"] for p in first)
        assert len(workers_used) >= 2, workers_used  # the feeds really were shared out
        assert overlapping_polls(first) == 0

        expected = expected_url_keys(urls)
        assert len(stored) == len(set(stored))
        assert set(stored) == expected
        assert sum(p["new_articles"] for p in first) == len(expected)

        # Cycle 2: every feed due again; conditional GETs answer 304, nothing new is stored.
        for feed_id in feed_ids:
            store.set_feed_enabled(engine, feed_id, True)
        run_workers(env, cycle=2, logs=tmp_path)
        second = polls_of(engine, "c2")
        assert_one_poll_per_feed(engine, second, feed_ids)
        assert Counter(p["outcome"] for p in second) == {"not_modified": FEED_COUNT}
        assert overlapping_polls(first + second) == 0
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(store.articles)).scalar_one()
            aggregated = conn.execute(select(func.sum(store.daily_total.c.articles))).scalar_one()
        assert total == aggregated == len(expected)
    finally:
        engine.dispose()

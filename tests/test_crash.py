"""Crash safety (issue 5, item 7; issue 2's SIGKILL test): an import killed at any moment loses
nothing and stores nothing twice once it is run again.

An import is killed with SIGKILL at a random moment (fixed seed) and then run again to the end.
Each time the store must hold exactly the articles of a clean run (same url_keys, so 0 lost and 0
twice), the daily aggregates must equal a recomputation from the tag tables, no tag row may be
orphaned and ``PRAGMA integrity_check`` must say ok. 50 kills on a small subset of the fixture
feeds, in two tests of 25 that pytest-xdist runs side by side, each kill in a forked child of
this warm process running the CLI's own ``main(["import", …])`` (no interpreter start-up, so the
kills land in the writing); then one real ``python -m ingest import`` process killed during the
full set and restarted as a process.

Those are CI's sizes (tests/sizes.py); a developer's run makes 8 kills (two tests of 4) and the
same full-set kill, with the same checks.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ingest import store
from ingest.pipeline import import_paths
from tests.sizes import sized
from tests.test_store import assert_aggregates_exact
from tests.test_stories import check_story_rows, partition

ROOT = Path(__file__).resolve().parent.parent
FEEDS = Path(__file__).parent / "fixtures" / "feeds"
SUBSET = (
    "bbc-news/bbc-news_home_20210920T0722Z.rss.xml",  # two snapshots of one feed: shared items
    "bbc-news/bbc-news_home_20210920T0830Z.rss.xml",
    "antara/antaranews_terkini_2017-04-17.rss.xml",
    "lenta/lenta-ru_rss_2022-12-03.rss.xml",
    "aljazeera/aljazeera_all_2026-02-18.rss.xml",
    "npr/npr_world_2026-02-17.rss.xml",
)
KILLS = sized(50, 8)
# The kills run in this many tests, each with its own seed and share of the kills, so that
# pytest-xdist runs them side by side: as one test they were CI's longest (419 s of 890 s).
KILL_BATCHES = 2
SEED = 20261126

pytestmark = pytest.mark.slow


def copy_subset(target: Path) -> Path:
    for name in SUBSET:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FEEDS / name, target / name)
    return target


def start_import(db: Path, folder: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PANTAU_DATABASE_URL": f"sqlite:///{db}",
        "PANTAU_SEED_DEMO": "0",
        "PANTAU_IMPORT_JOBS": "1",  # a reading process beside the writer
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "import", str(folder)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def timed_import(db: Path, folder: Path) -> float:
    began = time.monotonic()
    proc = start_import(db, folder)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    assert " 0 failed" in out, out
    return time.monotonic() - began


def url_keys(db: Path) -> list[str]:
    engine = store.make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(store.articles.c.url_key)).scalars())
    finally:
        engine.dispose()


def article_count(db: Path) -> int:
    """Articles in the file right after a kill (opening it is what a restart does first)."""
    engine = store.make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(store.articles)).scalar_one())
    finally:
        engine.dispose()


def integrity(db: Path) -> str:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def kill_after(db: Path, folder: Path, articles: int) -> bool:
    """Start an import, SIGKILL it as soon as ``articles`` articles are committed (read-only
    polls of the file); False if it finished first. The import's reading processes must go
    with it."""
    proc = start_import(db, folder)
    try:
        while proc.poll() is None:
            if has_articles(db) and article_count(db) >= articles:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        proc.wait(timeout=60)
        assert not processes_on(db), "a reading process outlived the killed import"
    finally:
        for pid in processes_on(db, wait=0):
            os.kill(pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    return proc.returncode == -signal.SIGKILL


def processes_on(db: Path, wait: float = 5.0) -> list[int]:
    """Live processes whose store is ``db`` (by their environment, as ``start_import`` sets it),
    once none is left or after ``wait`` seconds."""
    wanted = f"PANTAU_DATABASE_URL=sqlite:///{db}".encode()
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and wanted in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours to read
                continue
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def check_against_clean(db: Path, clean_keys: set[str]) -> None:
    assert integrity(db) == "ok"
    keys = url_keys(db)
    assert len(keys) == len(set(keys))  # 0 twice
    assert set(keys) == clean_keys  # 0 lost, nothing extra
    engine = store.make_engine(f"sqlite:///{db}")
    try:
        assert_aggregates_exact(engine)
        with engine.connect() as conn:
            urls = list(conn.execute(select(store.feeds.c.url)).scalars())
            assert len(urls) == len(set(urls))
            orphans = conn.execute(
                select(func.count())
                .select_from(store.article_countries)
                .where(store.article_countries.c.article_id.not_in(select(store.articles.c.id)))
            ).scalar_one()
            assert orphans == 0
    finally:
        engine.dispose()


def forked_import(db: Path, folder: Path) -> int:
    """``python -m ingest import FOLDER`` in a forked child of this (already warm) process.

    The child runs the CLI's own ``main`` on a fresh engine; forking skips the interpreter's
    start-up and the tagger's loading, so 50 kills fit in a couple of minutes.
    """
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.environ["PANTAU_DATABASE_URL"] = f"sqlite:///{db}"
            from ingest.__main__ import main

            code = main(["import", str(folder)])
        finally:
            os._exit(code)
    return pid


def has_articles(db: Path) -> bool:
    """True once a committed article is in the file (read-only: never creates the file)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT EXISTS (SELECT 1 FROM articles)").fetchone()[0] == 1
    except sqlite3.OperationalError:  # no file or no table yet
        return False


def finished(pid: int) -> bool:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        assert os.waitstatus_to_exitcode(status) == 0
    return bool(done)


def wait_for_first_write(pid: int, db: Path) -> float:
    """Wait until the child has committed an article to ``db``; the time that took (s)."""
    began = time.monotonic()
    while not has_articles(db):
        assert not finished(pid), "the import ended without storing an article"
        time.sleep(0.005)
    return time.monotonic() - began


def wait_or_kill(pid: int, delay: float) -> bool:
    """Wait ``delay`` s for the child, then SIGKILL it; True if it was killed."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if finished(pid):
            return False
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return True


# Fifty imports killed and fifty restarted, in KILL_BATCHES tests: on this 2-core machine under
# CI's four workers all fifty in one test took over 600 s (pytest's default) twice, each import
# now also starting a reader. Every wait inside is bounded on its own (``wait_or_kill``,
# ``communicate``), so a hang still fails; this only gives the runs room.
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("batch", range(KILL_BATCHES))
def test_sigkills_during_import_lose_nothing_and_store_nothing_twice(
    tmp_path: Path, batch: int
) -> None:
    kills = KILLS // KILL_BATCHES
    folder = copy_subset(tmp_path / "feeds")

    # A clean run in this process (it also loads the tagger before the children are forked).
    clean = tmp_path / "clean.db"
    engine = store.make_engine(f"sqlite:///{clean}")
    try:
        assert import_paths(engine, [folder]).failed == []
    finally:
        engine.dispose()
    clean_keys = set(url_keys(clean))
    assert len(clean_keys) > 300

    # How long a whole import takes in a child, and how much of it follows the first committed
    # article: the windows the kills fall in.
    timing = tmp_path / "timing.db"
    began = time.monotonic()
    pid = forked_import(timing, folder)
    before_first = wait_for_first_write(pid, timing)
    assert not wait_or_kill(pid, 600)
    duration = time.monotonic() - began
    writing = duration - before_first
    assert set(url_keys(timing)) == clean_keys

    # Even runs kill at a random moment of the whole import (start-up and migration included);
    # odd runs at a random moment after the child's first commit, so that kills land in the
    # writing even when the machine is busier than it was while the window was measured.
    rng = random.Random(SEED + batch)
    partial = 0
    for run in range(kills):
        db = tmp_path / f"run-{run}.db"
        pid = forked_import(db, folder)
        window = duration
        if run % 2:
            wait_for_first_write(pid, db)
            window = writing
        wait_or_kill(pid, rng.uniform(0, window))
        if 0 < article_count(db) < len(clean_keys):
            partial += 1
        # Restart: the same import, to the end.
        engine = store.make_engine(f"sqlite:///{db}")
        try:
            assert import_paths(engine, [folder]).failed == []
        finally:
            engine.dispose()
        check_against_clean(db, clean_keys)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"\n{kills} SIGKILLs: {partial} left a partial store; all recovered exactly")
    # The kills must really have landed in the middle of writing, not only before or after
    # (in at least one run of five: 5 of each of CI's two batches of 25; 1 of a developer's 4).
    assert partial >= max(1, kills // 5)


def test_sigkill_during_a_full_import_then_restart(tmp_path: Path) -> None:
    # The whole set at both sizes: with half of it, 30-70 % of a clean run's time could fall
    # before the first write once the machine got busier (0 articles left: seen under load).
    folder = FEEDS
    clean = tmp_path / "clean.db"
    timed_import(clean, folder)
    clean_keys = set(url_keys(clean))
    assert len(clean_keys) > 2000

    db = tmp_path / "killed.db"
    # Killed once a seeded share (10-60 %) of the clean run's articles is committed: never
    # before it writes, never after it is done, however busy the machine is (a moment taken
    # from the clean run's time missed either way under load).
    share = random.Random(SEED).uniform(0.1, 0.6)
    assert kill_after(db, folder, int(len(clean_keys) * share)), f"finished before {share:.0%}"
    left = article_count(db)
    assert 0 < left < len(clean_keys)
    timed_import(db, folder)  # the restart, as a process again
    check_against_clean(db, clean_keys)
    # Stories are assigned in the transaction that saves their articles: a kill leaves no
    # article without its story, and the restart completes the very stories of a clean run.
    assert partition(f"sqlite:///{db}") == partition(f"sqlite:///{clean}")
    check_story_rows(f"sqlite:///{db}")

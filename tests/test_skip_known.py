"""Items already stored are skipped before language detection and tagging (README, "Ingest").

Through the real write paths: ``python -m ingest import``'s ``import_paths`` on real BBC feed
snapshots, and the poller fetching from the local HTTP server, each into a real store. The
language detector and the tagger are wrapped (called through, and counted) where the pipeline
calls them; the reference for what is new is the snapshots' GUIDs, read from the files with a
regular expression, and the store's rows, counted with SQL.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

import ingest.tagging
from ingest import pipeline, scheduler, store
from tests.feedserver import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
BBC_HOME = sorted((FIXTURES / "bbc-news").glob("bbc-news_home_*.rss.xml"))


def guids(path: Path) -> set[str]:
    return set(re.findall(r"<guid[^>]*>([^<]+)</guid>", path.read_text("utf-8")))


def stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(store.articles)).scalar_one())


class Calls:
    """The titles each wrapped stage was called with, in order."""

    def __init__(self) -> None:
        self.tagged: list[str] = []
        self.detected: list[str] = []

    def reset(self) -> None:
        self.tagged.clear()
        self.detected.clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen = Calls()

    def counting(name: str, real: Callable, log: list[str]) -> Callable:
        def wrapper(title: str, *args: object, **kwargs: object) -> object:
            log.append(title)
            return real(title, *args, **kwargs)

        wrapper.__name__ = name
        return wrapper

    # Where the pipeline looks them up: pipeline.tag_items calls pipeline.tag_article, which
    # calls ingest.tagging.detect_language.
    monkeypatch.setattr(
        pipeline, "tag_article", counting("tag_article", pipeline.tag_article, seen.tagged)
    )
    monkeypatch.setattr(
        ingest.tagging,
        "detect_language",
        counting("detect_language", ingest.tagging.detect_language, seen.detected),
    )
    return seen


def test_the_snapshots_overlap() -> None:
    first, second = guids(BBC_HOME[0]), guids(BBC_HOME[1])
    assert len(first) > 20 and first & second and second - first


def test_import_tags_only_the_items_not_yet_stored(engine: Engine, calls: Calls) -> None:
    first, second = BBC_HOME[0], BBC_HOME[1]
    pipeline.import_paths(engine, [first])
    assert len(calls.tagged) == len(guids(first)) == stored(engine)
    assert calls.detected == calls.tagged

    calls.reset()
    summary = pipeline.import_paths(engine, [second])
    new = guids(second) - guids(first)
    assert len(calls.tagged) == len(new) == summary.new_articles
    assert calls.detected == calls.tagged
    assert stored(engine) == len(guids(first) | guids(second))

    calls.reset()  # both again: everything is stored, nothing is tagged
    pipeline.import_paths(engine, [first, second])
    assert calls.tagged == [] and calls.detected == []
    assert stored(engine) == len(guids(first) | guids(second))


def test_polling_tags_only_the_items_not_yet_stored(
    engine: Engine, calls: Calls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed changes between two polls (a 200 both times, not a 304): the second poll tags
    only the items the first did not store."""
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    first, second = BBC_HOME[0], BBC_HOME[1]
    feed = tmp_path / "bbc.rss.xml"
    shutil.copyfile(first, feed)
    with FeedServer(root=tmp_path) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(feed.name), language="en")
        report = scheduler.poll_due(engine, worker="t")
        assert [r.outcome for r in report.reports] == ["ok"]
        assert len(calls.tagged) == len(guids(first)) == stored(engine)

        calls.reset()
        shutil.copyfile(second, feed)
        claimed = store.claim_due_feeds(
            engine,
            now=store.now_utc() + timedelta(days=400),  # due now, whatever its next poll time
            limit=1,
            lease=timedelta(minutes=5),
            feed_ids=[feed_id],
        )
        again = scheduler.poll_feed(engine, claimed[0], worker="t")
    assert again.outcome == "ok"
    new = guids(second) - guids(first)
    assert len(calls.tagged) == len(new) == again.new_articles
    assert calls.detected == calls.tagged
    assert stored(engine) == len(guids(first) | guids(second))

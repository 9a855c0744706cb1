"""Polling against a real HTTP server on 127.0.0.1: every outcome lands on the feed row (issue 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ingest import scheduler, store

GOOD = "bbc-news/bbc-news_world_20260218T0213Z.rss.xml"
OTHER = "dw/dw-english_rss-en-all_2026-02-18.rdf.xml"


def _feed(engine, feed_id: int):
    with engine.connect() as conn:
        return conn.execute(select(store.feeds).where(store.feeds.c.id == feed_id)).one()


def _polls(engine, feed_id: int):
    with engine.connect() as conn:
        return conn.execute(
            select(store.polls).where(store.polls.c.feed_id == feed_id).order_by(store.polls.c.id)
        ).all()


def _claim(engine, feed_id: int) -> store.FeedRow:
    """Claim one feed as if its time had come (polls it now whatever its next_poll_at)."""
    far = datetime.now(UTC) + timedelta(days=400)
    rows = store.claim_due_feeds(
        engine, now=far, limit=1, lease=timedelta(minutes=5), feed_ids=[feed_id]
    )
    assert rows, f"feed {feed_id} could not be claimed"
    return rows[0]


def test_first_poll_stores_articles_and_second_is_a_conditional_304(engine, feed_server) -> None:
    feed_id = store.ensure_feed(engine, feed_server.feed_url(GOOD), language="en")
    first = scheduler.poll_due(engine, worker="t")
    assert [r.outcome for r in first.reports] == ["ok"]
    assert first.new_articles > 10
    row = _feed(engine, feed_id)
    assert row.etag and row.last_modified and row.error_count == 0
    assert row.next_poll_at > datetime.now(UTC) + timedelta(minutes=20)

    report = scheduler.poll_feed(engine, _claim(engine, feed_id), worker="t")
    assert report.outcome == "not_modified" and report.new_articles == 0
    conditional = feed_server.requests[-1]
    assert conditional.headers.get("If-None-Match") == row.etag
    assert [p.outcome for p in _polls(engine, feed_id)] == ["ok", "not_modified"]


def test_every_failure_is_one_categorised_error_and_the_others_still_poll(
    engine, feed_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "8")
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "6")
    broken = {
        "/status/404": "http_4xx",
        "/status/500": "http_5xx",
        "/status/429?retry_after=7200": "rate_limited",
        "/slow?seconds=25": "timeout",
        "/huge?mib=20": "too_large",
        "/gzip-bomb": "too_large",
        "/loop/a": None,  # redirect loop or too many redirects
        "/chain/8": "too_many_redirects",
        "/html": "not_a_feed",
        "/empty": "empty",
        "/not-http": None,
    }
    ids = {path: store.ensure_feed(engine, feed_server.url(path)) for path in broken}
    good = store.ensure_feed(engine, feed_server.feed_url(GOOD))
    other = store.ensure_feed(engine, feed_server.feed_url(OTHER))
    summary = scheduler.poll_due(engine, worker="t", concurrency=4)
    assert len(summary.reports) == len(broken) + 2
    assert summary.failed == len(broken)
    for feed_id in (good, other):
        assert _feed(engine, feed_id).last_error is None
    assert summary.new_articles > 20
    for path, category in broken.items():
        row = _feed(engine, ids[path])
        assert row.error_count == 1, path
        assert row.last_error, path
        if category:
            assert row.last_error_category == category, (path, row.last_error)
        else:
            assert row.last_error_category, path
        polls = _polls(engine, ids[path])
        assert [p.outcome for p in polls] == ["error"], path
        assert row.status == "active" and row.next_poll_at is not None
    limited = _feed(engine, ids["/status/429?retry_after=7200"])
    assert limited.next_poll_at >= datetime.now(UTC) + timedelta(seconds=7000)


def test_gone_retires_and_a_permanent_redirect_moves_the_feed(engine, feed_server) -> None:
    gone = store.ensure_feed(engine, feed_server.url("/status/410"))
    target = feed_server.feed_url(OTHER)
    moved = store.ensure_feed(engine, feed_server.url(f"/redirect/301?to={target}"))
    scheduler.poll_due(engine, worker="t")
    row = _feed(engine, gone)
    assert row.status == "retired" and not row.enabled and row.next_poll_at is None
    row = _feed(engine, moved)
    assert row.url == target and row.last_error is None
    assert scheduler.poll_due(engine, worker="t").reports == []  # nothing else is due


def test_back_off_doubles_to_the_cap_and_respects_retry_after() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    waits = [
        scheduler.next_poll_time(now, failures=n, interval=timedelta(minutes=30), cap=24 * hour)
        - now
        for n in range(8)
    ]
    assert waits[:5] == [timedelta(minutes=30), hour, 2 * hour, 4 * hour, 8 * hour]
    assert waits[6] == waits[7] == 24 * hour
    later = now + 48 * hour
    assert scheduler.next_poll_time(now, failures=1, retry_after=later) == later


def test_consecutive_failures_suspend_with_the_reason_and_enabling_clears_it(
    engine, feed_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_SUSPEND_AFTER_FAILURES", "3")
    feed_id = store.ensure_feed(engine, feed_server.url("/status/404"))
    for expected in (1, 2, 3):
        scheduler.poll_feed(engine, _claim(engine, feed_id), worker="t")
        assert _feed(engine, feed_id).error_count == expected
    row = _feed(engine, feed_id)
    assert row.status == "suspended" and "404" in row.last_error
    assert (
        store.claim_due_feeds(
            engine, now=datetime.now(UTC) + timedelta(days=400), limit=5, lease=timedelta(minutes=1)
        )
        == []
    )
    store.set_feed_enabled(engine, feed_id, True)
    row = _feed(engine, feed_id)
    assert row.status == "active" and row.error_count == 0


def test_rate_limiting_never_suspends(engine, feed_server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_SUSPEND_AFTER_FAILURES", "2")
    feed_id = store.ensure_feed(engine, feed_server.url("/status/429?retry_after=5"))
    for _ in range(3):
        scheduler.poll_feed(engine, _claim(engine, feed_id), worker="t")
    row = _feed(engine, feed_id)
    assert row.status == "active" and row.error_count == 3


def test_the_ssrf_guard_applies_to_polling(
    engine, feed_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    feed_id = store.ensure_feed(engine, feed_server.feed_url(GOOD))
    before = feed_server.connections
    scheduler.poll_due(engine, worker="t")
    row = _feed(engine, feed_id)
    assert row.last_error_category == "blocked_address"
    assert feed_server.connections == before


def test_a_tagging_failure_keeps_the_old_validators_so_nothing_is_lost(
    engine, feed_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_id = store.ensure_feed(engine, feed_server.feed_url(GOOD))

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("lexicon file missing")

    monkeypatch.setattr(scheduler, "tag_items", broken)
    report = scheduler.poll_feed(engine, _claim(engine, feed_id), worker="t")
    assert report.outcome == "error" and report.error_category == "internal"
    row = _feed(engine, feed_id)
    assert row.etag is None and row.last_modified is None
    monkeypatch.undo()
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    again = scheduler.poll_feed(engine, _claim(engine, feed_id), worker="t")
    assert again.outcome == "ok" and again.new_articles > 10  # a full fetch, not a 304

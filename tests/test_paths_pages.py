"""Dashboard paths that no other test reached (issue 16 item 8), through AppTest against real
stores: a point chosen on the pair and topic charts filters the list below, feed health
ok/suspended/retired on the Feeds page, add-feed refusals, the export-limit warning, and the
background poller started by PANTAU_BACKGROUND_POLL=1. Expected values come from the rows the
store was built from (``dashboard_store.rows``) or from SQL on the store file, never from the
query functions under test."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from ingest import store
from ingest.queries import Filters
from ingest.scheduler import poll_due
from tests.feedserver import DEFAULT_FEED, FIXTURE_FEEDS
from tests.test_pages import ROOT, _KeptMedia, download, open_page
from ui.filters import to_query_params

DAILY = "D"  # the Coverage page's day grain (the view setting ``grain``): the clicks are on days


def fresh_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


@pytest.fixture
def app(dashboard_store, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_DATABASE_URL", dashboard_store.url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.delenv("PANTAU_BACKGROUND_POLL", raising=False)
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeptMedia)
    yield fresh_app()


@pytest.fixture
def store_copy(dashboard_store, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """A private copy of the dashboard store (for pages that write), configured for the app."""
    copy = tmp_path / "copy.db"
    shutil.copy(dashboard_store.path, copy)
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.delenv("PANTAU_BACKGROUND_POLL", raising=False)
    return copy


def sql(path: Path, query: str, *args: object) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(query, args).fetchall()


# -- a point chosen on a coverage chart ----------------------------------------------------------


def click_point(app: AppTest, chart_key: str, key: str, day: date) -> AppTest:
    """Rerun as the browser does when a point of ``chart_key`` is clicked: the chart widget's
    value becomes the selection JSON, carrying the point's customdata (series key, day).
    AppTest has no public handle on a chart's selection, hence the widget state built here."""
    charts = [e for e in app.get("plotly_chart") if getattr(e.proto, "id", "")]
    chart = next(c for c in charts if chart_key in c.proto.id)
    point = {"curve_number": 0, "point_number": 0, "point_index": 0,
             "x": day.isoformat(), "y": 1, "customdata": [key, day.isoformat()]}  # fmt: skip
    selection = {"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}}
    states = app._tree.get_widget_states()
    states.widgets.append(WidgetState(id=chart.proto.id, string_value=json.dumps(selection)))
    app._run(states)
    assert not app.exception, [e.message for e in app.exception]
    return app


def table_with(app: AppTest, column: str):  # noqa: ANN201
    """The one table showing ``column`` (AppTest keeps no key for a read-only dataframe)."""
    (frame,) = [d.value for d in app.dataframe if column in d.value.columns]
    return frame


def listed_titles(app: AppTest) -> list[str]:
    return list(
        table_with(app, "source")["title"]
    )  # the articles behind the point (day, outlet, language stacked in "source")


def on_day(published, day: date) -> bool:  # noqa: ANN001
    return published.date() == day


def test_a_point_on_the_pair_chart_lists_that_days_joint_articles(
    app: AppTest,
    dashboard_store,  # noqa: ANN001
) -> None:
    start, end, day = date(2022, 7, 1), date(2022, 12, 31), date(2022, 12, 3)

    def joint(r: dict) -> bool:
        return {"RUS", "UKR"} <= {c["iso3"] for c in r["countries"]}

    in_period = [r for r in dashboard_store.rows
                 if joint(r) and start <= r["published_at"].date() <= end]  # fmt: skip
    expected = sorted(r["title"] for r in in_period if on_day(r["published_at"], day))
    assert 0 < len(expected) < len(in_period)  # the day is a real restriction

    open_page(
        app,
        "app_pages/1_Coverage.py",
        {**to_query_params(Filters(start, end, pair=("RUS", "UKR"))), "grain": DAILY},
    )
    assert app.radio(key="cov_by").value == "pair"
    assert app.selectbox(key="cov_point_day").value != day  # the newest day, before the click
    click_point(app, "coverage_chart", "RUS-UKR", day)
    assert app.selectbox(key="cov_point_day").value == day
    assert sorted(listed_titles(app)) == expected
    _, rows = download(app, "dl_point-articles")
    assert len(rows) - 1 == len(expected)


def test_a_point_on_the_topic_chart_lists_that_topics_articles_of_the_day(
    app: AppTest,
    dashboard_store,  # noqa: ANN001
) -> None:
    start, end, day = date(2022, 7, 1), date(2022, 12, 31), date(2022, 12, 3)
    topics = ("diplomacy", "military")
    same_day = [r for r in dashboard_store.rows if on_day(r["published_at"], day)]
    expected = sorted(r["title"] for r in same_day if "diplomacy" in r["topics"])
    either = [r for r in same_day if set(topics) & set(r["topics"])]
    assert 0 < len(expected) < len(either)  # the series key is a real restriction

    params = {**to_query_params(Filters(start, end, topics=topics)), "grain": DAILY}
    open_page(app, "app_pages/1_Coverage.py", params)
    assert app.radio(key="cov_by").value == "topic"
    click_point(app, "coverage_chart", "diplomacy", day)
    assert app.selectbox(key="cov_point_key").value == "diplomacy"
    assert app.selectbox(key="cov_point_day").value == day
    assert sorted(listed_titles(app)) == expected
    click_point(app, "coverage_chart", "military", day)
    assert sorted(listed_titles(app)) == sorted(
        r["title"] for r in same_day if "military" in r["topics"]
    )


# -- feed health on the Feeds page -----------------------------------------------------------------


def test_feeds_page_shows_ok_suspended_and_retired_feeds(
    feed_server,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "health.db"
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.setenv("PANTAU_SUSPEND_AFTER_FAILURES", "1")
    monkeypatch.delenv("PANTAU_BACKGROUND_POLL", raising=False)
    urls = {
        "ok": feed_server.feed_url(),
        "retired": feed_server.url("/status/410"),
        "suspended": feed_server.url("/status/404"),
    }
    engine = store.make_engine(f"sqlite:///{path}")
    try:
        for health, url in urls.items():
            store.ensure_feed(engine, url, title=f"The {health} feed", language="en")
        summary = poll_due(engine, concurrency=2)
        assert len(summary.reports) == 3
    finally:
        engine.dispose()
    stored = dict(sql(path, "SELECT url, status FROM feeds"))
    assert stored == {urls["ok"]: "active", urls["retired"]: "retired",
                      urls["suspended"]: "suspended"}  # fmt: skip

    app = open_page(fresh_app(), "app_pages/5_Feeds.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"All feeds": "3", "Ok": "1", "Retired": "1", "Suspended": "1"}
    table = table_with(app, "health")
    source = table_with(app, "url")  # the Source tab: each feed's URL, by its title
    url_of = dict(zip(source["title"], source["url"], strict=True))
    shown = {url_of[t]: h for t, h in zip(table["title"], table["health"], strict=True)}
    assert shown == {u: h for h, u in urls.items()}
    ids = dict(sql(path, "SELECT url, id FROM feeds"))
    app.selectbox(key="feed_pick").set_value(ids[urls["retired"]]).run()
    assert any("not polled" in c.value for c in app.caption)
    assert not [b for b in app.button if b.key == "feed_toggle"]
    app.selectbox(key="feed_pick").set_value(ids[urls["suspended"]]).run()
    assert [b for b in app.button if b.key == "feed_toggle"]


# -- add-feed refusals ---------------------------------------------------------------------------


def submit_feed(app: AppTest, url: str) -> str:
    app.text_input(key="add_url").set_value(url)
    next(b for b in app.button if "Check and add" in b.label).click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert not app.success
    assert len(app.error) == 1
    return app.error[0].value.replace("\\", "")  # shown Markdown-escaped


def test_add_feed_refuses_private_and_malformed_urls(
    feed_server,  # noqa: ANN001
    store_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PANTAU_ALLOW_PRIVATE_ADDRESSES")  # the guard as deployed
    before = sql(store_copy, "SELECT count(*) FROM feeds")
    app = open_page(fresh_app(), "app_pages/5_Feeds.py")
    refused = {
        feed_server.feed_url(): "is not a public address",
        f"http://localhost:{feed_server.port}/feeds/{DEFAULT_FEED}": "localhost",
        "http://[::1]/rss": "is not a public address",
        "http://ex\u200bample.com/rss": "the feed URL is malformed",
        "feeds.example.org/rss": "must be absolute",
    }
    for url, reason in refused.items():
        message = submit_feed(app, url)
        assert message.startswith("Refused:") and reason in message, (url, message)
    assert feed_server.connections == 0
    assert sql(store_copy, "SELECT count(*) FROM feeds") == before


def test_add_feed_refuses_what_does_not_fetch_or_parse(
    feed_server,  # noqa: ANN001
    store_copy: Path,
) -> None:
    before = sql(store_copy, "SELECT count(*) FROM feeds")
    app = open_page(fresh_app(), "app_pages/5_Feeds.py")
    message = submit_feed(app, feed_server.url("/status/404"))
    assert message.startswith("Could not add the feed: fetching") and "(http_4xx)" in message
    message = submit_feed(app, feed_server.url("/html"))
    assert message.startswith("Could not add the feed:") and "not a usable feed" in message
    assert sql(store_copy, "SELECT count(*) FROM feeds") == before


# -- the export limit ------------------------------------------------------------------------------


def test_articles_page_warns_when_the_selection_exceeds_the_export_limit(
    app: AppTest,
    dashboard_store,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (total,) = sql(Path(dashboard_store.path), "SELECT count(*) FROM articles")[0]
    params = {"from": "2000-01-01", "to": "2026-02-18"}
    monkeypatch.setenv("PANTAU_EXPORT_ROW_LIMIT", str(total - 1))
    open_page(app, "app_pages/4_Articles.py", params)
    assert [w.value for w in app.warning] == [
        f"{total:,} articles match: more than the export limit of {total - 1:,}. "
        "Narrow the filters to download them all."
    ]
    assert "dl_articles" not in {b.key for b in app.download_button}

    monkeypatch.setenv("PANTAU_EXPORT_ROW_LIMIT", str(total))
    app = open_page(fresh_app(), "app_pages/4_Articles.py", params)
    assert not app.warning
    _, rows = download(app, "dl_articles")
    assert len(rows) - 1 == total


# -- the background poller -----------------------------------------------------------------------

CHILD = """
import sys, time
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=120)
app.run()
print("page ran", flush=True)
time.sleep(300)  # keep the process, and its poller thread, alive until the test ends it
"""


def test_background_poll_setting_polls_a_feed_into_the_store(feed_server, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "bg.db"
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text(
        f'[[feed]]\ntitle = "Local"\nurl = "{feed_server.feed_url()}"\n'
        'language = "en"\ncountry = "GBR"\n',
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(
        PANTAU_DATABASE_URL=f"sqlite:///{path}",
        PANTAU_SEED_DEMO="0",
        PANTAU_BACKGROUND_POLL="1",
        PANTAU_FEEDS_FILE=str(catalogue),  # only the local feed: nothing leaves the machine
        PANTAU_ALLOW_PRIVATE_ADDRESSES="1",
    )
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT / "dashboard.py")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        stored: list[tuple] = []
        for _ in range(240):  # a bound on a wait, not a speed requirement
            if child.poll() is not None:
                break
            if path.exists():
                try:
                    stored = sql(
                        path,
                        "SELECT a.url FROM articles a JOIN feeds f ON f.id = a.feed_id "
                        "WHERE f.url = ?",
                        feed_server.feed_url(),
                    )
                except sqlite3.OperationalError:  # not migrated yet
                    stored = []
            if stored:
                break
            time.sleep(0.5)
        assert child.poll() is None, child.stdout.read() if child.stdout else ""
        assert stored, "the background poller stored nothing"
        feed_bytes = (FIXTURE_FEEDS / DEFAULT_FEED).read_bytes()
        assert all(url.encode() in feed_bytes for (url,) in stored)
        assert any(r.path.startswith("/feeds/") for r in feed_server.requests)
    finally:
        child.kill()
        child.wait(timeout=30)

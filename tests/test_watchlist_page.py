"""The Watchlist page and the sidebar's "Watch this view" through streamlit.testing.v1.AppTest,
on a copy of the labelled dashboard store; the store itself (direct SQL) is the oracle."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from ingest import alert_delivery, alerts, store
from ingest.queries.watches import watch_named

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy_store(
    dashboard_store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> Iterator[Engine]:
    copy = tmp_path / "copy.db"  # a copy, so the shared store keeps its exact rows
    shutil.copy(dashboard_store.path, copy)
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.setenv("PANTAU_WATCH_FEEDS_DIR", str(tmp_path / "static"))
    eng = store.make_engine(f"sqlite:///{copy}")
    yield eng
    eng.dispose()


def _open(page: str, params: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _watches(engine: Engine) -> list[tuple]:
    w = store.watches.c
    with engine.connect() as conn:
        return conn.execute(select(w.name, w.query, w.paused).order_by(w.name)).all()


def test_watch_this_view_saves_the_current_filters_without_dates(copy_store: Engine) -> None:
    params = {"from": "2026-01-20", "to": "2026-02-18", "c": "RUS", "t": "military"}
    app = _open("app_pages/4_Articles.py", params)
    app.text_input(key="watch_name").set_value("Russian military")
    next(b for b in app.button if b.label == "Create watch").click().run()
    assert not app.exception
    assert any("Watching “Russian military”" in s.value for s in app.success)
    assert _watches(copy_store) == [("Russian military", "c=RUS&t=military", False)]
    # The same name again is refused in words, nothing stored twice.
    app.text_input(key="watch_name").set_value("Russian military")
    next(b for b in app.button if b.label == "Create watch").click().run()
    assert any("exists already" in e.value for e in app.error)
    assert len(_watches(copy_store)) == 1


def test_watchlist_shows_delivery_status_and_retries_pauses_deletes(
    copy_store: Engine,
    feed_server,  # noqa: ANN001
) -> None:
    spec = alerts.make_spec("Korea", "c=PRK", webhook_url=feed_server.url("/status/500"))
    store.create_watch(copy_store, spec, store.now_utc())
    watch = watch_named(copy_store, "Korea")
    assert watch is not None
    [outcome] = alert_delivery.send_test(copy_store, watch)
    assert outcome.status == "failed"

    app = _open("app_pages/6_Watchlist.py")
    assert any("Korea" in h.value for h in app.subheader)
    [table] = [t.value for t in app.dataframe if "channel" in t.value.columns]
    assert list(table["status"]) == ["failed"] and list(table["channel"]) == ["webhook"]
    assert table["last_error"].iloc[0].startswith("HTTP 50")

    app.button(key=f"retry_{watch.id}").click().run()
    d = store.deliveries.c
    with copy_store.connect() as conn:
        assert conn.execute(select(d.status, d.attempts)).all() == [("pending", 0)]

    app.button(key=f"pause_{watch.id}").click().run()
    assert _watches(copy_store) == [("Korea", "c=PRK", True)]
    assert any("paused" in h.value for h in app.subheader)

    assert app.button(key=f"delete_{watch.id}").disabled  # not before the confirmation
    app.checkbox(key=f"sure_{watch.id}").check().run()
    app.button(key=f"delete_{watch.id}").click().run()
    assert not app.exception
    assert _watches(copy_store) == []
    assert not alerts.feed_path(watch).exists()

"""Issue 11 item 10 on the Feeds page: the health counts add up to the feeds listed, and no
cell shows "None" (a feed never polled has no poll time, status or error). Oracle: SQL."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from ingest import pipeline, scheduler, store
from ingest.config import PACKAGE_DATA

ROOT = Path(__file__).resolve().parent.parent


def test_health_counts_add_up_and_no_cell_says_none(sqlite_url: str, monkeypatch) -> None:  # noqa: ANN001
    engine = store.make_engine(sqlite_url)
    scheduler.load_catalogue(engine)  # catalogue feeds, never polled
    pipeline.import_paths(engine, [PACKAGE_DATA / "demo" / "aljazeera_all_2026-02-18.rss.xml"])
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM feeds")).scalar_one()
        archive = conn.execute(
            text("SELECT count(*) FROM feeds WHERE status = 'archive'")
        ).scalar_one()
        never = conn.execute(
            text("SELECT count(*) FROM feeds WHERE last_polled_at IS NULL AND status = 'active'")
        ).scalar_one()
    engine.dispose()
    assert archive >= 1 and never >= 100
    monkeypatch.setenv("PANTAU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.switch_page("app_pages/5_Feeds.py")
    app.run()
    assert not app.exception
    metrics = {m.label: int(m.value.replace(",", "")) for m in app.metric}
    assert metrics.pop("All feeds") == total
    assert sum(metrics.values()) == total
    assert metrics["Archive"] == archive and metrics["Never polled"] == never

    table = app.dataframe[0].value  # the feeds table, first on the page
    assert len(table) == total
    assert not table.isna().any().any(), table.columns[table.isna().any()].tolist()
    assert not (table.astype(str) == "None").any().any()
    polled = pd.to_datetime(table["last_polled_at"].replace("", None), errors="coerce")
    assert polled.isna().all()  # nothing was polled: every poll-time cell is empty
    # A column of text is drawn as text: a date or number column over "" draws "None".
    for frame in app.dataframe:
        config = json.loads(frame.proto.columns)
        for column in frame.value.columns:
            kind = config.get(column, {}).get("type_config", {}).get("type")
            if kind and frame.value[column].map(lambda v: isinstance(v, str)).all():
                assert kind in ("text", "link"), (column, kind)

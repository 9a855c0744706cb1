"""Issue 11 items 10 and 14: one outlet across a catalogue feed and its demo archive copy; the
outlets' type and home country declared in the catalogue reach the store, the filters and
"who covers whom". Oracles: the data files (feeds.toml, the demo MANIFEST.tsv) and direct SQL."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from streamlit.testing.v1 import AppTest

from ingest import pipeline, queries, scheduler, store
from ingest.config import PACKAGE_DATA
from ingest.filters import Filters
from tests.store_oracle import Oracle

ROOT = Path(__file__).resolve().parent.parent
DEMO = PACKAGE_DATA / "demo"
# Demo snapshots of outlets the catalogue lists (by title in MANIFEST.tsv and feeds.toml).
SNAPSHOTS = ["antaranews_terkini_2017-04-17.rss.xml", "aljazeera_all_2026-02-18.rss.xml"]
CATALOGUE = tomllib.loads((PACKAGE_DATA / "feeds.toml").read_text(encoding="utf-8"))["feed"]
MANIFEST = {
    row["file"]: row
    for row in csv.DictReader((DEMO / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
}


def _declared(title: str) -> dict:
    return next(entry for entry in CATALOGUE if entry["title"] == title)


@pytest.fixture
def live_and_demo(db_url: str):  # noqa: ANN201
    """The catalogue loaded, then two demo snapshots imported (as the first run does)."""
    engine = store.make_engine(db_url)
    scheduler.load_catalogue(engine)
    pipeline.import_paths(engine, [DEMO / name for name in SNAPSHOTS], source="demo")
    yield engine
    engine.dispose()


def _feeds_titled(engine, title: str) -> list:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id, source, category, country_iso3, outlet FROM feeds WHERE title = :t"),
            {"t": title},
        ).all()


def test_a_catalogue_feed_and_its_demo_copy_are_one_outlet(live_and_demo) -> None:  # noqa: ANN001
    outlets = queries.outlets(live_and_demo)
    for name in SNAPSHOTS:
        title = MANIFEST[name]["title"]
        rows = _feeds_titled(live_and_demo, title)
        assert sorted(r.source for r in rows) == ["catalogue", "demo"], title
        declared = _declared(title)
        # the archive copy carries the outlet type the catalogue declares for the live feed
        assert {r.category for r in rows} == {declared["category"]}
        assert {r.country_iso3 for r in rows} == {declared["country"]}
        matching = [o for o in outlets.values() if {r.id for r in rows} <= set(o.feed_ids)]
        assert len(matching) == 1 and matching[0].name == title
    names = Counter(o.name for o in outlets.values())
    assert not [n for n, k in names.items() if k > 1], "an outlet is listed twice"


def test_the_outlet_filter_and_outlet_counts_take_both_feeds(live_and_demo) -> None:  # noqa: ANN001
    title = MANIFEST[SNAPSHOTS[0]]["title"]
    ids = [r.id for r in _feeds_titled(live_and_demo, title)]
    outlet = next(o for o in queries.outlets(live_and_demo).values() if ids[0] in o.feed_ids)
    with live_and_demo.connect() as conn:
        expected = conn.execute(
            text("SELECT count(*) FROM articles WHERE feed_id IN (:a, :b)"),
            {"a": ids[0], "b": ids[1]},
        ).scalar_one()
    assert expected > 0
    f = Filters(*_span(live_and_demo))
    counts = queries.outlet_counts(live_and_demo, f)
    assert counts["outlet"].tolist().count(title) == 1
    assert int(counts.loc[counts["outlet"] == title, "articles"].iloc[0]) == expected
    assert queries.count_articles(live_and_demo, f.with_(feed_ids=outlet.feed_ids)) == expected


def _span(engine):  # noqa: ANN001, ANN202
    return queries.data_date_range(engine)


def test_migration_0009_gives_an_old_store_its_outlets(live_and_demo) -> None:  # noqa: ANN001
    engine = live_and_demo
    with engine.begin() as conn:  # the store as the code before issue 11 left it
        conn.execute(text("UPDATE feeds SET category = NULL WHERE source = 'demo'"))
        conn.exec_driver_sql("ALTER TABLE feeds DROP COLUMN outlet")  # SQLite ≥ 3.35 too
        conn.execute(
            delete(store.schema_migrations).where(
                store.schema_migrations.c.name == "0009_outlet_metadata"
            )
        )
    assert store.migrate(engine) == ["0009_outlet_metadata"]
    for name in SNAPSHOTS:
        title = MANIFEST[name]["title"]
        rows = _feeds_titled(engine, title)
        assert {r.category for r in rows} == {_declared(title)["category"]}
        assert len({r.outlet for r in rows}) == 1 and rows[0].outlet


def test_the_sidebar_lists_each_outlet_once(live_and_demo, db_url: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.run()
    assert not app.exception
    widget = app.multiselect(key="flt_feeds")
    with live_and_demo.connect() as conn:
        titles = conn.execute(text("SELECT title FROM feeds")).scalars().all()
    shown = list(widget.options)  # the labels the sidebar shows
    for name in SNAPSHOTS:
        title = MANIFEST[name]["title"]
        assert titles.count(title) == 2
        assert shown.count(title) == 1, title
    # picking it filters on both feeds, and the URL carries them
    widget.select(_outlet_key(live_and_demo, SNAPSHOTS[0])).run()
    assert not app.exception
    ids = sorted(r.id for r in _feeds_titled(live_and_demo, MANIFEST[SNAPSHOTS[0]]["title"]))
    assert app.query_params["feed"] in (",".join(map(str, ids)), [",".join(map(str, ids))])


def _outlet_key(engine, snapshot: str) -> str:  # noqa: ANN001
    return _feeds_titled(engine, MANIFEST[snapshot]["title"])[0].outlet


# --------------------------------------------------------------------------------------------
# Who covers whom, by outlet type (the labelled dashboard store)

PERIOD = {"from": "2000-01-01", "to": "2026-02-18"}


def test_who_covers_whom_by_outlet_type_matches_sql(dashboard_store) -> None:  # noqa: ANN001
    engine = store.make_engine(dashboard_store.url)
    oracle = Oracle(dashboard_store.url)
    try:
        f = Filters(*(queries.data_date_range(engine)))
        who = queries.who_covers_whom(engine, f, countries=200, by="type")
        got = {(r.home, r.iso3): int(r.articles) for r in who.itertuples()}
        expected = {
            (category, iso3): n
            for category, iso3, n in oracle.rows(
                "SELECT f.category, c.iso3, count(*) FROM articles a "
                "JOIN feeds f ON f.id = a.feed_id JOIN article_countries c ON c.article_id = a.id "
                "WHERE f.category IS NOT NULL GROUP BY f.category, c.iso3"
            )
        }
        assert {"state", "public", "commercial"} <= {k for k, _ in expected}
        assert {k: v for k, v in got.items() if k[0]} == expected
        assert set(who.loc[who["home"] == "state", "home_country"]) == {"State-controlled"}
    finally:
        oracle.close()
        engine.dispose()


def test_outlet_type_and_home_from_a_shared_link(dashboard_store, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_DATABASE_URL", dashboard_store.url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in {**PERIOD, "otype": "public,commercial", "ohome": "IDN,GBR"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert app.multiselect(key="flt_outlet_types").value == ["public", "commercial"]
    assert app.multiselect(key="flt_outlet_homes").value == ["IDN", "GBR"]
    oracle = Oracle(dashboard_store.url)
    try:
        (expected,) = oracle.rows(
            "SELECT count(*) FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "WHERE f.category IN ('public', 'commercial') AND f.country_iso3 IN ('IDN', 'GBR') "
            "AND a.published_day BETWEEN :a AND :b",
            {"a": PERIOD["from"], "b": PERIOD["to"]},
        )[0]
    finally:
        oracle.close()
    assert expected > 0
    assert app.metric[0].value == f"{expected:,}"
    words = " ".join(m.value for m in app.markdown)
    assert (
        "from public broadcaster or private outlets based in Indonesia or United Kingdom" in words
    )


def test_an_outlet_is_named_as_its_rows_begin(db_url: str) -> None:
    """The sidebar's name of an outlet begins the outlet of each of its article rows (a feed's
    title, by direct SQL), to a whole word: ndtv.com was "NDTV: World" in the sidebar (its
    catalogue feed's title) and "NDTV" on its rows (its demo copy's, which holds the articles);
    dawn.com the other way round. The catalogue and those two snapshots, as the first run."""
    engine = store.make_engine(db_url)
    try:
        scheduler.load_catalogue(engine)
        snapshots = ["ndtv_news-search_2026-02-18.rss.xml", "dawn_world_2026-02-18.rss.xml"]
        pipeline.import_paths(engine, [DEMO / name for name in snapshots], source="demo")
        outlets = queries.outlets(engine)
    finally:
        engine.dispose()
    oracle = Oracle(db_url)
    try:
        shown = oracle.rows(
            "SELECT DISTINCT f.outlet, COALESCE(f.title, f.url) FROM articles a "
            "JOIN feeds f ON f.id = a.feed_id"
        )
    finally:
        oracle.close()
    assert {("ndtv.com", "NDTV"), ("dawn.com", "Dawn: World")} <= set(shown), shown
    for key, title in shown:
        name = outlets[key].name
        assert title == name or title.startswith((name + " ", name + ":")), (key, name, title)

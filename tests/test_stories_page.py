"""The Stories page in AppTest over a real store (real feed files through `import`): the ranking
by reach and a story's detail agree with hand-written SQL over the same store, and the story id
travels in the URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from ingest import store
from ingest.pipeline import import_paths
from ingest.store.stories import fill_story_days
from tests.store_oracle import Oracle

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
FILES = [
    FEEDS / "aljazeera" / "aljazeera_all_2026-02-18.rss.xml",
    FEEDS / "abc-au" / "abc-au_top-stories_2026-02-18.rss.xml",
    FEEDS / "bbc-news" / "bbc-news_world_20260218T0213Z.rss.xml",
    FEEDS / "cbs" / "cbsnews_world_2026-02-18.rss.xml",
]
PERIOD = {"from": "2026-01-01", "to": "2026-02-28"}

REACH_SQL = """
SELECT s.story_id,
       COUNT(DISTINCT COALESCE(f.outlet, 'feed:' || a.feed_id)) * COUNT(DISTINCT a.language)
         * COUNT(DISTINCT COALESCE(f.country_iso3, '')) AS reach,
       COUNT(*) AS n, MIN(a.published_at) AS first
FROM article_stories s JOIN articles a ON a.id = s.article_id
LEFT JOIN feeds f ON f.id = a.feed_id
WHERE a.published_day BETWEEN :start AND :end
GROUP BY s.story_id
"""


@pytest.fixture(scope="module")
def stories_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('stories') / 'pantau.db'}"
    engine = store.make_engine(url)
    try:
        assert not import_paths(engine, FILES).failed
    finally:
        engine.dispose()
    return url


@pytest.fixture
def app(stories_store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("PANTAU_DATABASE_URL", stories_store)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    yield AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


def oracle_reach(url: str) -> list[tuple[int, int, int]]:
    """(reach, articles, story) by reach then articles; a story named by its stable id, the id
    of its earliest article (``Oracle.story_names``)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(REACH_SQL), {"start": PERIOD["from"], "end": PERIOD["to"]}
            ).all()
    finally:
        engine.dispose()
    oracle = Oracle(url)
    try:
        names = oracle.story_names()
    finally:
        oracle.close()
    return sorted(((r.reach, r.n, names[r.story_id]) for r in rows), key=lambda t: (-t[0], -t[1]))


def open_stories(app: AppTest, params: dict[str, str]) -> AppTest:
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page("app_pages/7_Stories.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_top_stories_are_ranked_by_reach(app: AppTest, stories_store: str) -> None:
    open_stories(app, PERIOD)
    table = app.dataframe[0].value
    expected = oracle_reach(stories_store)
    assert list(table["reach"]) == [r for r, _n, _s in expected[: len(table)]]
    assert table["reach"].iloc[0] >= 2  # at least one story crossed outlets
    top_id = int(table["story"].iloc[0])
    reach_by_id = {s: r for r, _n, s in expected}
    assert table["reach"].iloc[0] == reach_by_id[top_id]
    # The first story opens by default and its id is in the URL.
    assert app.query_params["story"] == str(top_id)


def test_a_story_link_opens_that_story(app: AppTest, stories_store: str) -> None:
    expected = oracle_reach(stories_store)
    reach, n, story_id = next(t for t in expected if t[1] >= 2)
    open_stories(app, {**PERIOD, "story": str(story_id)})
    articles = app.dataframe[1].value
    assert len(articles) == n
    assert app.selectbox(key="story_pick").value == story_id
    assert reach >= 1


def test_a_link_to_a_story_outside_the_top_ones_offers_it_first_with_its_headline(
    app: AppTest, stories_store: str
) -> None:
    expected = oracle_reach(stories_store)
    assert len(expected) > 20  # more stories than the page ranks
    story_id = expected[-1][2]  # the last by reach: not among the top ones
    open_stories(app, {**PERIOD, "story": str(story_id)})
    assert story_id not in {int(i) for i in app.dataframe[0].value["story"]}
    engine = create_engine(stories_store)
    try:
        with engine.connect() as conn:  # a story's id is the id of its first article
            title = conn.execute(
                text("SELECT title FROM articles WHERE id = :id"), {"id": story_id}
            ).scalar_one()
    finally:
        engine.dispose()
    picker = app.selectbox(key="story_pick")
    assert picker.value == story_id
    assert picker.options[0] == f"{story_id} · {title[:110]}"


OUTLETS_SQL = """
SELECT COALESCE(f.outlet, 'feed:' || a.feed_id) AS outlet_key, MIN(f.title) AS name,
       MIN(a.published_at) AS first, COUNT(*) AS n
FROM article_stories s JOIN articles a ON a.id = s.article_id
LEFT JOIN feeds f ON f.id = a.feed_id
WHERE s.story_id = (SELECT story_id FROM article_stories WHERE article_id = :story)
GROUP BY outlet_key
"""


def test_who_carried_a_story_and_how_late(app: AppTest, stories_store: str) -> None:
    """A story carried by several outlets: its detail lists each outlet once, with its first
    article and the hours after the story's first, as hand-written SQL reads the store."""
    from datetime import datetime

    expected = oracle_reach(stories_store)
    engine = create_engine(stories_store)
    try:
        with engine.connect() as conn:
            for _reach, _n, story_id in expected:
                rows = conn.execute(text(OUTLETS_SQL), {"story": story_id}).all()
                if len(rows) >= 2:
                    break
            else:
                pytest.fail("no story crossed outlets: nothing to show")
    finally:
        engine.dispose()
    firsts = {r.name: datetime.fromisoformat(str(r.first)[:19]) for r in rows}
    start = min(firsts.values())
    want = sorted(
        (firsts[r.name], r.name, round((firsts[r.name] - start).total_seconds() / 3600, 1), r.n)
        for r in rows
    )
    open_stories(app, {**PERIOD, "story": str(story_id)})
    table = app.dataframe[2].value  # the top stories, the story's articles, its outlets
    got = [
        (t.to_pydatetime().replace(tzinfo=None), o, float(h), int(n))
        for t, o, h, n in zip(
            table["first_published"],
            table["outlet"],
            table["later_hours"],
            table["articles"],
            strict=True,
        )
    ]
    assert got == want
    assert got[0][2] == 0.0 and got[-1][2] > 0  # the first had it at once, another later


def test_a_large_story_lists_its_first_articles_and_counts_them_all(
    app: AppTest, stories_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over ``sizes.STORY_ARTICLES`` articles a story's detail lists and charts its first ones
    and says so, while its figures (articles, languages, countries) are the whole story's, as
    hand-written SQL counts them."""
    from ui import sizes

    expected = oracle_reach(stories_store)
    _reach, n, story_id = next(t for t in expected if t[1] >= 3)
    engine = create_engine(stories_store)
    try:
        with engine.connect() as conn:
            members = "SELECT article_id FROM article_stories WHERE story_id = (SELECT story_id "
            members += "FROM article_stories WHERE article_id = :s)"
            codes = conn.execute(
                text(
                    f"SELECT DISTINCT iso3 FROM article_countries WHERE article_id IN ({members})"
                ),
                {"s": story_id},
            ).scalars()
            named = sorted(codes)
    finally:
        engine.dispose()
    monkeypatch.setattr(sizes, "STORY_ARTICLES", 2)
    open_stories(app, {**PERIOD, "story": str(story_id)})
    assert len(app.dataframe[1].value) == 2  # the first two, oldest first
    assert app.metric[0].value == f"{n:,}"
    assert any(f"first 2 of {n:,} articles" in c.value for c in app.caption)
    from ingest.geo import country_name

    block = next(m.value for m in app.markdown if "Countries in the story" in m.value)
    line = next(x for x in block.splitlines() if "Countries in the story" in x)
    assert line.strip().endswith(", ".join(country_name(c) for c in named))


def test_a_catalogue_feed_and_its_archive_copy_are_one_outlet_of_reach(
    stories_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reach counts outlets (``feeds.outlet``), not feeds: move one article of a story that
    crossed outlets to an archive copy of another of its outlets' feeds, and that story's
    outlets drop by one, as the hand-written SQL of tests/store_oracle.py counts them."""
    import shutil

    path = tmp_path / "copy.db"
    shutil.copy(stories_store.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        story, moved, kept = conn.execute(
            text(
                "SELECT s.story_id, MIN(b.id), MIN(a.feed_id) FROM article_stories s "
                "JOIN articles a ON a.id = s.article_id "
                "JOIN article_stories t ON t.story_id = s.story_id "
                "JOIN articles b ON b.id = t.article_id AND b.feed_id > a.feed_id "
                "GROUP BY s.story_id ORDER BY s.story_id LIMIT 1"
            )
        ).one()
        outlets_before = conn.execute(
            text(
                "SELECT COUNT(DISTINCT a.feed_id) FROM article_stories s JOIN articles a "
                "ON a.id = s.article_id WHERE s.story_id = :s"
            ),
            {"s": story},
        ).scalar_one()
        copy_id = conn.execute(
            text(
                "INSERT INTO feeds (url, title, site_url, language, country_iso3, outlet, "
                "source, status) SELECT url || '#archive', title || ' (archive)', site_url, "
                "language, country_iso3, outlet, 'archive', 'archive' FROM feeds WHERE id = :k "
                "RETURNING id"
            ),
            {"k": kept},
        ).scalar_one()
        conn.execute(
            text("UPDATE articles SET feed_id = :c WHERE id = :m"), {"c": copy_id, "m": moved}
        )
        # The UPDATE bypasses the store's writes: recompute what they keep of the articles'
        # feeds, as migration 0016 does.
        fill_story_days(conn)
    engine.dispose()
    oracle = Oracle(url)
    try:
        expected = {row[0]: row for row in oracle.top_stories(PERIOD, 10_000)}
        story = oracle.story_names()[story]  # its stable id, as the page names it
    finally:
        oracle.close()
    assert expected[story][2] == outlets_before - 1  # an outlet of the story merged

    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = open_stories(
        AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120),
        {**PERIOD, "story": str(story)},
    )
    table = app.dataframe[0].value
    got = {int(r.story): (int(r.outlets), int(r.reach)) for r in table.itertuples()}
    for story_id, (outlets, reach) in got.items():
        assert (outlets, reach) == (expected[story_id][2], expected[story_id][5])
    assert story in got


STORY_ENTITIES_SQL = """
SELECT x.qid, COUNT(*) FROM article_entities x
JOIN article_stories s ON s.article_id = x.article_id
WHERE s.story_id = (SELECT story_id FROM article_stories WHERE article_id = :story)
GROUP BY x.qid ORDER BY COUNT(*) DESC, x.qid
"""


def test_a_storys_people_and_organisations(app: AppTest, stories_store: str) -> None:
    """A story naming people or organisations lists them in its detail, each with the number of
    its articles naming them, as a direct query of the entity tags counts them."""
    engine = create_engine(stories_store)
    with engine.connect() as conn:
        named = [
            sid
            for reach, n, sid in oracle_reach(stories_store)
            if conn.execute(text(STORY_ENTITIES_SQL), {"story": sid}).first()
        ]
        assert named, "the imported feeds name someone in some story"
        story_id = named[0]
        rows = conn.execute(text(STORY_ENTITIES_SQL), {"story": story_id}).all()
    engine.dispose()
    open_stories(app, {**PERIOD, "story": str(story_id)})
    line = next(m.value for m in app.markdown if "People & organisations" in m.value)
    listed = line.split("People & organisations:**", 1)[1]
    table = (ROOT / "ingest/data/entities/entities.tsv").read_text(encoding="utf-8")
    lines = [line.split("\t") for line in table.splitlines() if line and line[0] != "#"]
    names = {row[0]: row[1] for row in lines[1:]}  # the data file itself, not its loader
    expected = ", ".join(f"{names[q]} ({n:,})" for q, n in rows)
    assert listed.strip().replace("\\", "") == expected


def test_a_filtered_story_says_its_detail_is_the_whole_story(
    app: AppTest, stories_store: str
) -> None:
    """Filtered to one outlet, a story that outlets beyond it carried counts only that outlet's
    articles in the table, while its detail lists the whole story: the detail says so, with
    both numbers (by SQL); the caption says the table is the top stories."""
    o = Oracle(stories_store)
    try:
        rows = o.rows(
            "SELECT st.first_article_id, a.feed_id, COUNT(*) FROM article_stories s "
            "JOIN stories st ON st.id = s.story_id JOIN articles a ON a.id = s.article_id "
            "GROUP BY st.first_article_id, a.feed_id"
        )
    finally:
        o.close()
    sizes: dict[int, int] = {}
    for story, _feed, n in rows:
        sizes[story] = sizes.get(story, 0) + n
    story, feed, n = next(r for r in sorted(rows) if r[2] < sizes[r[0]])  # a shared story
    open_stories(app, {**PERIOD, "feed": str(feed), "story": str(story)})
    said = " ".join(c.value for c in app.caption)
    assert f"{n:,} of its {sizes[story]:,} articles are in the view above" in said
    assert "The whole story, whatever the filters" in said
    assert "stories of the view with the widest reach" in said


def test_every_date_of_the_stories_page_shows_its_year(app: AppTest) -> None:
    """Stories span years (the demo: 2007-2026), so each date column of the page (first seen,
    a story's articles, who carried it) is shown with its year: a "MM-DD" format made stories
    of different years look alike. Read from each table's column settings as sent, and from
    the text of the columns that stack the date in lines (first seen; a story's articles'
    Published, with their outlet and language)."""
    open_stories(app, PERIOD)
    dated = {
        name: column["type_config"].get("format")
        for table in app.dataframe
        for name, column in json.loads(table.proto.columns).items()
        if column.get("type_config", {}).get("type") == "datetime"
    }
    assert set(dated) == {"first_published"}, dated
    assert all(fmt is not None and fmt.startswith("YYYY-") for fmt in dated.values()), dated
    stamp = re.compile(r"\d{4}-\d\d-\d\d\s\d\d:\d\d(\s|$)")  # the lines: no-break spaces
    top, articles = app.dataframe[0].value, app.dataframe[1].value
    assert all(stamp.match(t) for t in top["first_seen"]), list(top["first_seen"])
    assert all(stamp.match(t) for t in articles["source"]), list(articles["source"])

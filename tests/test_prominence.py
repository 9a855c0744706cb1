"""Tags from the full text (issue 13, item 5): evidence offsets into the field they are in, old
stored evidence still read, prominence by the rule of docs/prominence.md, and the "any mention"
switch against hand-written SQL, on SQLite and PostgreSQL; the reader view (item 7)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from ingest import pipeline, queries, store
from ingest.extract import extract
from ingest.filters import Filters
from ingest.geo import country_name
from ingest.records import (
    MIN_BODY_MENTIONS,
    WHERE_BODY,
    WHERE_LEAD,
    WHERE_TITLE,
    Article,
    CountryTag,
    Evidence,
    Tags,
    is_prominent,
    stored_evidence,
    tagging_text,
)
from ingest.tagging import tag_article
from tests.test_store import assert_aggregates_exact
from ui import highlight

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "articles" / "pages"
ALL = Filters(datetime(2000, 1, 1).date(), datetime(2030, 12, 31).date())
MOMENT = datetime(2025, 6, 1, 12, tzinfo=UTC)


def real_pages() -> list[tuple[str, str, str, str | None]]:
    """(file, title, body, lead) of every fixture page that extracts to a full text."""
    out = []
    for path in sorted(PAGES.glob("*.html")):
        found = extract(path.read_bytes(), url=f"https://example.org/{path.name}")
        if found.status == "ok" and found.body:
            out.append((path.name, found.title or path.stem, found.body, found.lead))
    return out


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str, str, str | None]]:
    return real_pages()


# --------------------------------------------------------------------------------------------
# Evidence in its field


def test_body_evidence_points_at_the_words_in_its_field(pages) -> None:  # noqa: ANN001
    summary = "Talks in Jakarta on Thursday."  # a teaser of our own: IDN in the summary
    fields_seen: set[str] = set()
    body_countries = 0
    for name, title, body, lead in pages:
        tags = tag_article(title, summary, body=body, lead=lead, published=MOMENT)
        texts = {"title": title, "summary": summary, "body": body}
        for tag in (*tags.countries, *tags.topics):
            for e in tag.evidence:
                assert e.field in texts, (name, e)
                assert texts[e.field][e.start : e.start + len(e.text)] == e.text, (name, e)
                fields_seen.add(e.field)
        body_countries += sum(
            1 for c in tags.countries if any(e.field == "body" for e in c.evidence)
        )
    assert {"summary", "body"} <= fields_seen
    assert body_countries >= 10, body_countries  # the bodies do name countries


def test_old_evidence_json_reads_as_title_and_summary(engine: Engine) -> None:
    title, summary = "Putin meets Kim", "Moscow and Pyongyang sign a pact."
    legacy = tagging_text(title, summary).index("Moscow")
    raw = json.dumps([{"text": "Putin", "type": "leader", "start": 0},
                      {"text": "Moscow", "type": "capital", "start": legacy}])  # fmt: skip
    read = [e.in_field(title) for e in stored_evidence(raw)]
    assert [(e.field, e.start) for e in read] == [("title", 0), ("summary", 0)]
    # Stored without a field (as before issue 13), read back through the queries.
    article = Article("k-legacy", None, None, title, summary, MOMENT, MOMENT)
    tags = Tags("en", "feed", [CountryTag("RUS", stored_evidence(raw))], [], "old")
    (article_id,) = store.save_articles(engine, None, [(article, tags)]).article_ids
    with engine.connect() as conn:
        held = conn.execute(text("SELECT evidence FROM article_countries")).scalar_one()
    assert "field" not in held
    item = queries.article_evidence(engine, [article_id])[article_id]
    for e in item["countries"]["RUS"]:
        assert item[e["field"]][e["start"] : e["start"] + len(e["text"])] == e["text"]
    assert [e["field"] for e in item["countries"]["RUS"]] == ["title", "summary"]


# --------------------------------------------------------------------------------------------
# Prominence: one case per line of the rule's table in docs/prominence.md

RULE_DOC = ROOT / "docs" / "prominence.md"


def rule_rows() -> list[tuple[str, int, bool]]:
    """(place, body mentions, counted by default) of each row of the rule's table."""
    rows = []
    for line in RULE_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        place = cells[0].split("`")[1]
        mentions = 0
        if place == WHERE_BODY:
            mentions = int(cells[0].split(",")[1].split()[0].rstrip("+"))
        rows.append((place, mentions, cells[2] == "yes"))
    return rows


# How to write an article whose only mentions of Iran are in ``place``, ``n`` times.
FILLER = "The committee met again to discuss the budget of the regional water authority."


def article_with(place: str, n: int) -> tuple[str, str, str, str]:
    title, summary = "Budget talks resume", "The committee met on Monday."
    lead = "Officials gathered in the capital for a long meeting about water and roads."
    deep = [FILLER] * 3
    if place == WHERE_TITLE:
        title = "Iran budget talks resume"
    elif place == WHERE_LEAD:
        lead = "Officials from Iran gathered for a long meeting about water and roads today."
    else:
        deep += ["Iran was mentioned by a delegate."] * n
    body = "\n\n".join([lead, *deep])
    return title, summary, body, lead


def test_the_rule_table_covers_each_place() -> None:
    rows = rule_rows()
    assert {(p, m) for p, m, _ in rows} == {
        (WHERE_TITLE, 0),
        (WHERE_LEAD, 0),
        (WHERE_BODY, MIN_BODY_MENTIONS),
        (WHERE_BODY, 1),
    }


@pytest.mark.parametrize(("place", "mentions", "counted"), rule_rows())
def test_prominence_follows_the_rule(place: str, mentions: int, counted: bool) -> None:
    title, summary, body, lead = article_with(place, mentions)
    tags = tag_article(title, summary, body=body, lead=lead, published=MOMENT, language_hint="en")
    (iran,) = [c for c in tags.countries if c.iso3 == "IRN"]
    assert iran.prominence is not None
    assert iran.prominence.where == place
    assert iran.prominence.body_mentions == mentions
    assert iran.prominence.prominent is counted
    assert is_prominent(place, mentions) is counted


def test_language_is_read_on_the_longer_body() -> None:
    body = (
        "Pemerintah Indonesia menggelar rapat dengan para menteri di Jakarta pada hari Senin untuk "
        "membahas anggaran negara dan rencana pembangunan jalan di berbagai provinsi."
    )
    title = "Ministers meet on the state budget and new roads"
    assert tag_article(title, "", language_hint=None).language == "en"
    assert tag_article(title, "", body=body, lead=None).language == "id"


# --------------------------------------------------------------------------------------------
# The store: counts under both settings, against hand-written SQL

PROMINENT_SQL = {
    "sqlite": "x.prominent = 1",
    "postgresql": "x.prominent",
}


def fill(engine: Engine, pages) -> list[int]:  # noqa: ANN001
    items = []
    for i, (name, title, body, lead) in enumerate(pages):
        moment = MOMENT + timedelta(days=i % 5)
        article = Article(hashlib.sha1(name.encode()).hexdigest(), f"https://example.org/{name}",
                          None, title, "", moment, moment)  # fmt: skip
        items.append((article, tag_article(title, "", body=body, lead=lead, published=moment)))
    return store.save_articles(engine, None, items).article_ids


def sql_counts(engine: Engine, any_mention: bool) -> dict[str, int]:
    cond = "1 = 1" if any_mention else PROMINENT_SQL[engine.dialect.name]
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT x.iso3, COUNT(*) FROM article_countries x WHERE {cond} GROUP BY x.iso3")
        )
        return {iso3: int(n) for iso3, n in rows}


def sql_pairs(engine: Engine, any_mention: bool) -> dict[tuple[str, str], int]:
    cond = "1 = 1" if any_mention else PROMINENT_SQL[engine.dialect.name]
    cond_y = cond.replace("x.", "y.")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT x.iso3, y.iso3, COUNT(*) FROM article_countries x JOIN article_countries y "
                f"ON y.article_id = x.article_id AND x.iso3 < y.iso3 WHERE {cond} AND {cond_y} "
                "GROUP BY x.iso3, y.iso3"
            )
        )
        return {(a, b): int(n) for a, b, n in rows}


def test_any_mention_counts_as_the_sql_says(engine: Engine, pages) -> None:  # noqa: ANN001
    fill(engine, pages)
    for any_mention in (False, True):
        f = ALL.with_(any_mention=any_mention)
        got = queries.country_counts(engine, f)
        assert dict(zip(got.iso3, got.articles, strict=True)) == sql_counts(engine, any_mention)
        pairs = queries.pair_counts(engine, f, limit=None)
        assert {
            (a, b): n for a, b, n in zip(pairs.iso3_a, pairs.iso3_b, pairs.articles, strict=True)
        } == sql_pairs(engine, any_mention)
        for code, n in sql_counts(engine, any_mention).items():
            assert queries.count_articles(engine, f.with_(countries=(code,))) == n, code
    assert sql_counts(engine, True) != sql_counts(engine, False)  # the switch matters here
    assert_aggregates_exact(engine)


def sql_story_counts(engine: Engine, any_mention: bool) -> dict[str, int]:
    """Each country's distinct stories (an article without one is a story of its own)."""
    cond = "1 = 1" if any_mention else PROMINENT_SQL[engine.dialect.name]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT x.iso3, COUNT(DISTINCT COALESCE(s.story_id, -x.article_id)) "
                "FROM article_countries x LEFT JOIN article_stories s "
                f"ON s.article_id = x.article_id WHERE {cond} GROUP BY x.iso3"
            )
        )
        return {iso3: int(n) for iso3, n in rows}


def test_a_coverage_chart_counting_stories_follows_the_mention_rule(
    engine: Engine,
    pages,  # noqa: ANN001
) -> None:
    """Counting stories, each country's series (read for all the countries in one scan) holds
    its distinct stories under the mention rule, as the SQL says."""
    fill(engine, pages)
    week = Filters(MOMENT.date() - timedelta(days=1), MOMENT.date() + timedelta(days=6))
    for any_mention in (False, True):
        stories = sql_story_counts(engine, any_mention)
        f = week.with_(
            any_mention=any_mention, count_stories=True, countries=tuple(sorted(stories))
        )
        series = queries.coverage_series(engine, f, freq="D")
        assert series.groupby("key")["articles"].sum().to_dict() == stories
    assert sql_story_counts(engine, True) != sql_story_counts(engine, False)


def test_retag_with_body_replaces_tags_and_aggregates(engine: Engine, pages) -> None:  # noqa: ANN001
    name, title, body, lead = next(p for p in pages if p[0] == "goose-lefigaro.html")
    article = Article("k-teaser", "https://example.org/a", None, title, "", MOMENT, MOMENT)
    (article_id,) = store.save_articles(
        engine, None, [(article, tag_article(title, "", published=MOMENT))]
    ).article_ids
    before = sql_counts(engine, True)
    assert pipeline.retag_with_body(engine, [(article_id, body, lead), (10**6, "x", None)]) == 1
    after = sql_counts(engine, True)
    expected = {c.iso3 for c in tag_article(title, "", body=body, lead=lead).countries}
    assert expected and set(after) == expected and after != before
    assert_aggregates_exact(engine)


def test_retag_reads_the_stored_body(engine: Engine, pages) -> None:  # noqa: ANN001
    name, title, body, lead = next(p for p in pages if p[0] == "goose-lefigaro.html")
    article = Article("k-retag", "https://example.org/b", None, title, "", MOMENT, MOMENT)
    tags = tag_article(title, "", published=MOMENT)
    tags.tagger_version = "stale"
    (article_id,) = store.save_articles(engine, None, [(article, tags)]).article_ids
    bodies = {article_id: (body, lead)}
    done = pipeline.retag(
        engine, show_bar=False, bodies=lambda _e, ids: {i: bodies[i] for i in ids if i in bodies}
    )
    assert done == 1
    expected = {c.iso3 for c in tag_article(title, "", body=body, lead=lead).countries}
    assert set(sql_counts(engine, True)) == expected


# --------------------------------------------------------------------------------------------
# The reader view


def test_reader_html_marks_body_spans_in_their_colour(pages) -> None:  # noqa: ANN001
    name, title, body, lead = next(p for p in pages if p[0] == "goose-lefigaro.html")
    tags = tag_article(title, "", body=body, lead=lead, published=MOMENT)
    item = {
        "title": title, "summary": "", "body": body, "url": "https://example.org/x",
        "countries": {c.iso3: [vars(e) for e in c.evidence] for c in tags.countries},
        "topics": {},
    }  # fmt: skip
    html = highlight.reader_html(item, "Le Figaro · 1 Jun 2025")
    colours = highlight.reader_colours(item["countries"])
    assert len(set(colours.values())) == min(len(colours), len(highlight.PALETTE))
    for code, evidence in item["countries"].items():
        name = country_name(code)
        for e in evidence:
            assert f'title="{name}" style="background-color:{colours[name]};' in html, name
            assert e["text"] in html
    marks = html.count("<mark")
    assert marks >= sum(len(v) for v in item["countries"].values())
    assert 'href="https://example.org/x"' in html


def test_reader_view_on_the_articles_page(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'reader.db'}"
    engine = store.make_engine(url)
    title = "Putin and Kim sign a pact <script>alert(1)</script>"
    summary = "Moscow and Pyongyang agreed on defence; Washington and Seoul objected."
    article = Article("k-reader", "https://example.org/r", None, title, summary, MOMENT, MOMENT)
    store.save_articles(engine, None, [(article, tag_article(title, summary, published=MOMENT))])
    engine.dispose()
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.query_params["from"] = "2025-01-01"
    app.query_params["to"] = "2025-12-31"
    app.switch_page("app_pages/4_Articles.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    shown = "\n".join(m.value for m in app.markdown)
    colour_of = {word: colour for colour, word in re.findall(
        r'<mark title="[^"]*" style="background-color:(#[0-9a-f]{6});[^"]*">([^<]*)</mark>', shown
    )}  # fmt: skip
    for word in ("Putin", "Moscow", "Pyongyang", "Washington", "Seoul"):
        assert word in colour_of, word
    # four countries, four colours (Putin and Moscow are both Russia's)
    assert colour_of["Putin"] == colour_of["Moscow"]
    assert len({colour_of[w] for w in ("Moscow", "Pyongyang", "Washington", "Seoul")}) == 4
    assert "<script" not in shown and "&lt;script&gt;" in shown
    assert "Read it at the source" in shown


def test_evidence_stays_readable_as_json() -> None:
    raw = json.dumps([{"text": "Iran", "type": "name", "start": 4, "field": "body"}])
    assert stored_evidence(raw) == [Evidence("Iran", "name", 4, "body")]


def test_migration_0007_backfills_a_store_that_predates_it(engine: Engine) -> None:
    """A store from before prominence (tag columns and aggregate key absent): the migration
    adds them, marks tags with evidence in the title ``title`` and the rest ``lead``, all
    prominent, and rebuilds the country and pair aggregates exactly."""
    title, summary = "Putin visits Pyongyang", "Talks with Seoul and Washington."
    article = Article("k-old", None, None, title, summary, MOMENT, MOMENT)
    store.save_articles(engine, None, [(article, tag_article(title, summary, published=MOMENT))])
    with engine.begin() as conn:
        for table in ("article_countries", "article_topics"):
            for column in ("prominence", "body_mentions", "prominent"):
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        for aggregate in (store.daily_country, store.daily_pair):
            for name in (aggregate.name, *(t.name for t in store.ROLLUPS[aggregate.name])):
                conn.execute(text(f"DROP TABLE {name}"))
            conn.execute(text(f"DROP TABLE {store.MONTHLY[aggregate.name].name}"))
        conn.execute(
            text(
                "CREATE TABLE daily_country (day VARCHAR(10) NOT NULL, iso3 VARCHAR(3) NOT NULL, "
                "feed_id INTEGER NOT NULL, language VARCHAR(16) NOT NULL, articles INTEGER NOT "
                "NULL, PRIMARY KEY (day, iso3, feed_id, language))"
            )
        )
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0007_prominence'"))
    assert store.migrate(engine) == ["0007_prominence"]
    with engine.connect() as conn:
        held = conn.execute(
            text("SELECT iso3, prominence, body_mentions FROM article_countries ORDER BY iso3")
        ).all()
    assert [tuple(r) for r in held] == [
        ("KOR", "lead", 0), ("PRK", "title", 0), ("RUS", "title", 0), ("USA", "lead", 0)
    ]  # fmt: skip
    assert (
        sql_counts(engine, False)
        == sql_counts(engine, True)
        == dict.fromkeys(("KOR", "PRK", "RUS", "USA"), 1)
    )
    assert_aggregates_exact(engine)

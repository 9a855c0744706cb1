"""Every page through streamlit.testing.v1.AppTest against a real store (dashboard_store):
no exceptions, the view in words, filters ⇄ URL, pair selection, downloads with the right rows."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
import streamlit.testing.v1.local_script_runner as local_script_runner
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from ingest import queries, store
from ingest.queries import Filters
from tests.store_oracle import Oracle
from ui import export
from ui.filters import to_query_params

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("dashboard.py", "Overview"),
    ("app_pages/1_Coverage.py", "Coverage over time"),
    ("app_pages/2_Map.py", "Map"),
    ("app_pages/3_Country_pair.py", "Country pair"),
    ("app_pages/4_Articles.py", "Articles"),
    ("app_pages/5_Feeds.py", "Feeds"),
    ("app_pages/7_Stories.py", "Stories"),
]
PERIOD = {"from": "2026-01-20", "to": "2026-02-18"}


class _KeptMedia(MemoryMediaFileStorage):
    """Streamlit's in-memory media store, kept reachable after a run to read downloads."""

    instances: list[MemoryMediaFileStorage] = []

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _KeptMedia.instances.append(self)


@pytest.fixture
def app(dashboard_store, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_DATABASE_URL", dashboard_store.url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeptMedia)
    yield AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


@pytest.fixture(scope="module")
def engine(dashboard_store):  # noqa: ANN001, ANN201
    eng = store.make_engine(dashboard_store.url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def oracle(dashboard_store) -> Iterator[Oracle]:  # noqa: ANN001
    """Hand-written SQL over the same store: the expected values' independent source."""
    o = Oracle(dashboard_store.url)
    yield o
    o.close()


def open_page(app: AppTest, page: str, params: dict[str, str] | None = None) -> AppTest:
    for key, value in (params or {}).items():
        app.query_params[key] = value
    if page != "dashboard.py":
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def download(app: AppTest, key: str) -> tuple[str, list[list[str]]]:
    button = app.download_button(key=key)
    media = _KeptMedia.instances[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
    data = media.content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return media.filename, rows


def all_markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


@pytest.mark.parametrize(("page", "title"), PAGES)
def test_every_page_renders_with_its_description(app: AppTest, page: str, title: str) -> None:
    open_page(app, page, PERIOD)
    assert app.title[0].value == title
    words = all_markdown(app).replace("\\", "")
    if page == "app_pages/5_Feeds.py":  # feeds are not filtered, and the page says so
        assert any("not filtered" in c.value for c in app.caption)
    else:
        assert "20 January – 18 February 2026, all languages" in words
    assert not app.error
    assert app.download_button  # every page offers its data


@pytest.mark.parametrize(("page", "title"), PAGES)
def test_every_page_survives_filters_that_match_nothing(
    app: AppTest, page: str, title: str
) -> None:
    open_page(app, page, {"from": "1990-01-01", "to": "1990-01-31", "c": "PRK", "q": "zzzz"})
    assert app.title[0].value == title
    if page not in ("app_pages/5_Feeds.py", "app_pages/3_Country_pair.py"):
        assert app.info, "an empty view says so kindly"


def test_url_restores_the_view_exactly(app: AppTest) -> None:
    f = Filters(date(2026, 1, 1), date(2026, 2, 18), countries=("USA", "RUS"),
                pair=("RUS", "UKR"), topics=("conflict",), languages=("en", "ru"))  # fmt: skip
    params = to_query_params(f)
    open_page(app, "app_pages/4_Articles.py", params)
    assert dict(app.query_params) == params
    assert app.multiselect(key="flt_countries").value == ["USA", "RUS"]
    assert app.selectbox(key="flt_pair_a").value == "RUS"
    assert app.selectbox(key="flt_pair_b").value == "UKR"
    assert app.multiselect(key="flt_topics").value == ["conflict"]
    assert app.multiselect(key="flt_languages").value == ["en", "ru"]
    words = all_markdown(app).replace("\\", "")
    assert (
        "Articles mentioning Russia and Ukraine (and United States or Russia) on conflict" in words
    )


def test_a_link_with_an_unknown_language_shows_the_filters_applied(
    app: AppTest, oracle: Oracle
) -> None:
    """``?lang=xx`` (no language) is dropped as ``?c=XXX`` (no country) is: it leaves the
    address, the widget and the words, and the rows are those of the languages that remain
    (it stayed in the URL, and the page said "in xx" and matched nothing)."""
    open_page(app, "app_pages/4_Articles.py", {**PERIOD, "lang": "xx,en", "c": "XXX"})
    assert app.query_params["lang"] in ("en", ["en"])
    assert "c" not in app.query_params
    assert app.multiselect(key="flt_languages").value == ["en"]
    assert "xx" not in all_markdown(app)
    shown = next(c.value for c in app.caption if c.value.endswith(")"))
    assert shown.startswith(f"{oracle.count({**PERIOD, 'lang': 'en'}):,} articles"), shown
    open_page(app, "app_pages/4_Articles.py", {**PERIOD, "lang": "xx"})
    assert "lang" not in app.query_params
    assert app.multiselect(key="flt_languages").value == []


def test_changing_a_filter_updates_the_url_and_the_rows(app: AppTest, oracle: Oracle) -> None:
    open_page(app, "app_pages/4_Articles.py", PERIOD)
    app.multiselect(key="flt_countries").set_value(["IDN"]).run()
    assert not app.exception
    assert app.query_params["c"] == ["IDN"] or app.query_params["c"] == "IDN"
    expected = oracle.articles({**PERIOD, "c": "IDN"})
    name, rows = download(app, "dl_articles")
    assert name == "pantau_articles_idn_2026-01-20_2026-02-18.csv"
    assert len(rows) - 1 == len(expected) > 0
    titles = [r[1] for r in rows[1:]]
    assert titles == [export.guard_cell(a["title"]) for a in expected]


def test_pair_selection_and_its_downloads(app: AppTest, oracle: Oracle) -> None:
    open_page(app, "app_pages/3_Country_pair.py", {"from": "2022-01-01", "to": "2026-02-18"})
    assert app.info  # no pair yet: the page says how to pick one
    app.selectbox(key="flt_pair_a").set_value("UKR")
    app.selectbox(key="flt_pair_b").set_value("RUS").run()
    assert not app.exception
    assert app.query_params["pair"] in ("RUS-UKR", ["RUS-UKR"])
    joint = oracle.count({"from": "2022-01-01", "to": "2026-02-18", "pair": "RUS-UKR"})
    assert joint >= 5
    assert app.metric[0].value == f"{joint:,}"
    name, rows = download(app, "dl_pair-articles")
    assert name.startswith("pantau_pair-articles_rus-ukr_2022-01-01_2026-02-18")
    assert len(rows) - 1 == min(20, joint)
    assert all("RUS" in r[6] and "UKR" in r[6] for r in rows[1:])
    marks = [m.value for m in app.markdown if "<mark" in m.value]
    assert marks, "evidence is highlighted"
    _, timeline = download(app, "dl_pair-timeline")
    both = sum(int(r[3]) for r in timeline[1:] if r[1] == "both")
    assert both == joint


def test_jumping_to_a_top_pair(app: AppTest) -> None:
    open_page(app, "app_pages/3_Country_pair.py", {"from": "2022-01-01", "to": "2026-02-18"})
    options = app.selectbox(key="pair_jump").options
    assert options
    app.selectbox(key="pair_jump").set_value("RUS-UKR").run()
    assert not app.exception
    assert app.selectbox(key="flt_pair_a").value == "RUS"
    assert app.selectbox(key="flt_pair_b").value == "UKR"
    assert app.query_params["pair"] in ("RUS-UKR", ["RUS-UKR"])


def test_overview_numbers_and_downloads(app: AppTest, oracle: Oracle) -> None:
    period = {"from": "2000-01-01", "to": "2026-02-18"}
    open_page(app, "dashboard.py", period)
    assert app.metric[0].value == f"{oracle.count(period):,}"
    name, rows = download(app, "dl_top-countries")
    top = oracle.country_counts(period, 15)
    assert [(r[0], int(r[2])) for r in rows[1:]] == [(c, n) for c, n, _share in top]
    assert rows[1][1] == "United States"
    _, pairs = download(app, "dl_top-pairs")
    assert [(r[0], r[1], int(r[3])) for r in pairs[1:]] == oracle.pair_counts(period, 15)
    assert not any("demo" in i.value for i in app.info)


def test_counting_stories_comes_back_from_the_url_and_goes_into_it(
    app: AppTest, oracle: Oracle
) -> None:
    """A link with ``count=stories`` opens (a first visit) with the switch on and the counts in
    stories; switching it off takes it out of the address; the Articles page, which lists rows,
    neither shows it nor carries it, and the next page that counts has it back."""
    period = {"from": "2000-01-01", "to": "2026-02-18"}
    stories = {**period, "count": "stories"}
    open_page(app, "dashboard.py", stories)
    assert app.toggle(key="flt_count_stories").value is True
    assert app.query_params["count"] in ("stories", ["stories"])
    assert app.metric[0].label == "Stories"
    assert app.metric[0].value == f"{oracle.count(stories):,}" != f"{oracle.count(period):,}"
    assert any("Count: stories" in c.value for c in app.sidebar.get("caption"))
    assert "counting stories" in all_markdown(app)
    app.switch_page("app_pages/4_Articles.py").run()
    assert not app.exception
    assert "count" not in app.query_params
    assert not [t for t in app.sidebar.get("toggle") if t.key == "flt_count_stories"]
    app.switch_page("app_pages/2_Map.py").run()
    assert not app.exception
    assert app.query_params["count"] in ("stories", ["stories"])
    app.toggle(key="flt_count_stories").set_value(False).run()
    assert not app.exception
    assert "count" not in app.query_params
    assert any("Count: articles" in c.value for c in app.sidebar.get("caption"))


@pytest.mark.parametrize("page", ["dashboard.py", "app_pages/2_Map.py"])
def test_the_view_in_words_names_the_unit_counted(app: AppTest, page: str) -> None:
    """Counting stories, a page that counts says "Stories, …" under its title, not
    "Articles, …, counting stories" (a review read the subtitle so on the Overview); the
    Articles page, which lists rows, still says "Articles"."""
    open_page(app, page, {**PERIOD, "count": "stories"})
    subtitle = app.markdown[0].value
    assert subtitle.startswith("**Stories, 20 January – 18 February 2026"), subtitle
    assert "Articles" not in subtitle
    if page == "dashboard.py":  # and the same words at the foot of the page
        words = [c.value for c in app.main.caption if "20 January" in c.value]
        assert words and all(w.startswith("Stories, ") for w in words), words
    app.switch_page("app_pages/4_Articles.py").run()
    assert app.markdown[0].value.startswith("**Articles, 20 January"), app.markdown[0].value


@pytest.mark.parametrize("page", ["dashboard.py", "app_pages/1_Coverage.py"])
@pytest.mark.parametrize(("count", "unit", "other"), [("stories", "stories", "articles"),
                                                      (None, "articles", "stories")])  # fmt: skip
def test_the_spike_rule_is_said_in_the_unit_counted(
    app: AppTest, page: str, count: str | None, unit: str, other: str
) -> None:
    """The spike score's explanation names what is counted: stories when counting stories."""
    open_page(app, page, {**PERIOD, **({"count": count} if count else {})})
    rule = [c.value for c in app.main.caption if "Spike score" in c.value]
    assert rule, page
    assert all(f"({unit} in the window − {unit} expected" in r for r in rule), rule
    assert not any(f"{other} in the window" in r for r in rule), rule


def test_coverage_lists_the_articles_of_a_point(app: AppTest, engine) -> None:  # noqa: ANN001
    open_page(
        app, "app_pages/1_Coverage.py", {"from": "2026-02-01", "to": "2026-02-18", "c": "USA"}
    )
    series_name, series = download(app, "dl_coverage-country-daily")
    assert len(series) - 1 == 18
    busiest = max(series[1:], key=lambda r: int(r[3]))
    day = date.fromisoformat(busiest[0])
    app.selectbox(key="cov_point_day").set_value(day).run()
    assert not app.exception
    _, rows = download(app, "dl_point-articles")
    assert len(rows) - 1 == int(busiest[3]) > 0
    app.radio(key="cov_freq").set_value("W").run()
    assert not app.exception
    _, weekly = download(app, "dl_coverage-country-weekly")
    assert sum(int(r[3]) for r in weekly[1:]) >= sum(int(r[3]) for r in series[1:])


def test_coverage_by_topic_charts_the_top_topics_when_none_is_chosen(
    app: AppTest, oracle: Oracle
) -> None:
    """Series "Topics" with no topic chosen charts the five most covered topics of the view,
    and says how to choose others (it showed only a prompt): their keys and each one's articles
    as direct SQL counts them."""
    open_page(app, "app_pages/1_Coverage.py", {**PERIOD, "series": "topic", "grain": "D"})
    assert not app.info, [i.value for i in app.info]
    assert any("No topics selected" in c.value for c in app.caption)
    _, series = download(app, "dl_coverage-topic-daily")
    top = oracle.grouped(PERIOD, "topic")[:5]
    totals: dict[str, int] = {}
    for row in series[1:]:
        totals[row[1]] = totals.get(row[1], 0) + int(row[3])
    assert totals == dict(top), (totals, top)


def test_map_focus_and_who_covers_whom(app: AppTest, engine) -> None:  # noqa: ANN001
    open_page(app, "app_pages/2_Map.py", {"from": "2000-01-01", "to": "2026-02-18", "c": "RUS"})
    assert app.selectbox(key="map_focus").value == "RUS"
    _, partners = download(app, "dl_co-mentions-rus")
    expected = queries.co_mentions(engine, Filters(date(2000, 1, 1), date(2026, 2, 18),
                                                   countries=("RUS",)), "RUS")  # fmt: skip
    assert [r[0] for r in partners[1:]] == list(expected["iso3"])
    _, who = download(app, "dl_who-covers-whom")
    assert who[0] == ["home", "home_country", "iso3", "country", "articles"]


def evidence_tables(app: AppTest) -> list:
    """The evidence tables on the page (AppTest does not expose a dataframe's key: found by
    their columns)."""
    columns = ["tag", "kind", "evidence", "type", "where", "prominence"]
    return [d.value for d in app.dataframe if list(d.value.columns) == columns]


# An entity's kind in the evidence table's words, as the table must show it.
KIND_WORDS = {"person": "person", "intergovernmental": "international body",
              "alliance": "alliance", "armed_group": "armed group",
              "state_media": "state media", "ngo": "NGO"}  # fmt: skip


def entity_kinds_from_the_data_file() -> dict[str, str]:
    """QID → the kind the evidence table shows, read from entities.tsv itself."""
    path = Path(__file__).resolve().parent.parent / "ingest/data/entities/entities.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")][1:]  # fmt: skip
    return {row[0]: KIND_WORDS[row[2]] for row in (line.split("\t") for line in lines)}


def test_articles_paging_sorting_and_evidence(app: AppTest, oracle: Oracle) -> None:
    open_page(app, "app_pages/4_Articles.py", {"from": "2000-01-01", "to": "2026-02-18"})
    app.selectbox(key="art_size").set_value(25)
    app.selectbox(key="art_sort").set_value("title").run()
    _, first = download(app, "dl_articles-page-1")
    app.number_input(key="art_page").set_value(2).run()
    _, second = download(app, "dl_articles-page-2")
    titles = [r[1] for r in first[1:] + second[1:]]
    every = oracle.articles({"from": "2000-01-01", "to": "2026-02-18"})
    assert titles == [export.guard_cell(t) for t in sorted(a["title"] for a in every)[:50]]
    hostile = [m.value for m in app.markdown if "&lt;script" in m.value or "<script" in m.value]
    assert all("<script" not in m for m in hostile)
    # The evidence of a tagged article and of an untagged one, against the stored evidence.
    stored: dict[int, list[tuple[str, str, str]]] = {}
    for table, kind in (("article_countries", "country"), ("article_topics", "topic")):
        for article_id, raw in oracle.rows(f"SELECT article_id, evidence FROM {table}"):
            stored.setdefault(int(article_id), []).extend(
                (kind, e["text"], e["type"]) for e in json.loads(raw)
            )
    kinds = entity_kinds_from_the_data_file()
    for article_id, qid, raw in oracle.rows(
        "SELECT article_id, qid, evidence FROM article_entities"
    ):
        stored.setdefault(int(article_id), []).extend(
            (kinds[qid], e["text"], e["type"]) for e in json.loads(raw)
        )
    options = [a["id"] for a in sorted(every, key=lambda a: (a["title"], a["id"]))[25:50]]
    assert len(app.selectbox(key="art_pick").options) == len(options)  # page 2's articles
    tagged = next(i for i in options if stored.get(i))
    untagged = next(i for i in options if i not in stored)
    app.selectbox(key="art_pick").set_value(tagged).run()
    (table,) = evidence_tables(app)
    shown = sorted(zip(table["kind"], table["evidence"], table["type"], strict=True))
    assert shown == sorted(stored[tagged])
    app.selectbox(key="art_pick").set_value(untagged).run()
    assert not evidence_tables(app)
    assert any("no country, topic, person or organisation tags" in c.value for c in app.caption)


def test_the_articles_count_says_one_article_and_many_articles(
    app: AppTest, oracle: Oracle
) -> None:
    """The Articles page's count and its "Download all" button: "1 article" for one,
    "N articles" for more (the number from the store itself)."""
    period = {"from": "2000-01-01", "to": "2026-02-18"}
    every = oracle.articles(period)
    word = next(  # a word of exactly one title, and in no summary
        w
        for a in every
        for w in a["title"].lower().split()
        if len(w) > 5
        and w.isalpha()
        and sum(w in (b["title"] + "\n" + (b["summary"] or "")).lower() for b in every) == 1
    )
    for params, n in ((period, len(every)), ({**period, "q": word}, 1)):
        open_page(app, "app_pages/4_Articles.py", params)
        unit = "article" if n == 1 else "articles"
        assert any(c.value.startswith(f"{n:,} {unit} · showing") for c in app.caption), n
        labels = [b.label for b in app.get("download_button")]
        assert f"Download all {n:,} {unit} (CSV)" in labels, labels


def test_people_and_organisations_filter_read_and_evidence(app: AppTest, oracle: Oracle) -> None:
    """The sidebar's entity filter (from the URL) counts what a direct query counts, and an
    article's evidence table lists its entity tags as stored, each with its kind."""
    rows = oracle.rows("SELECT qid, COUNT(*) FROM article_entities GROUP BY qid ORDER BY 2 DESC, 1")
    assert rows, "the labelled store holds entity tags"
    qid = rows[0][0]
    params = {"from": "2000-01-01", "to": "2026-02-18", "entity": qid}
    open_page(app, "app_pages/4_Articles.py", params)
    assert app.multiselect(key="flt_entities").value == [qid]
    total = oracle.count(params)
    assert total >= 1
    assert any(f"{total:,} articles" in c.value for c in app.caption)
    picked = app.selectbox(key="art_pick").value
    (table,) = evidence_tables(app)
    shown = sorted(
        (kind, text, type_)
        for kind, text, type_ in zip(table["kind"], table["evidence"], table["type"], strict=True)
        if kind not in ("country", "topic")
    )
    kinds = entity_kinds_from_the_data_file()
    stored = sorted(
        (kinds[q], e["text"], e["type"])
        for q, raw in oracle.rows(
            "SELECT qid, evidence FROM article_entities WHERE article_id = :a", {"a": picked}
        )
        for e in json.loads(raw)
    )
    assert shown == stored and any(
        q == qid
        for q, _ in oracle.rows(
            "SELECT qid, article_id FROM article_entities WHERE article_id = :a", {"a": picked}
        )
    )


def test_typing_a_name_offers_the_entity_in_every_script(app: AppTest) -> None:
    """Typing "putin" offers Vladimir Putin; taking it filters by his QID (URL ``entity``) and
    clears the typed text, whose one spelling the entity's aliases include."""
    open_page(app, "app_pages/4_Articles.py", {"from": "2000-01-01", "to": "2026-02-18"})
    app.text_input(key="flt_search").set_value("putin").run()
    offered = [b for b in app.button if b.key and b.key.startswith("flt_suggest_")]
    assert [b.key for b in offered][:1] == ["flt_suggest_Q7747"]
    app.button(key="flt_suggest_Q7747").click().run()
    assert app.multiselect(key="flt_entities").value == ["Q7747"]
    assert app.text_input(key="flt_search").value == ""
    assert app.query_params.get("entity") in ("Q7747", ["Q7747"])
    assert not [b for b in app.button if b.key == "flt_suggest_Q7747"]  # chosen: not offered


def test_the_entity_list_offers_each_one_in_the_scripts_it_is_written_in(app: AppTest) -> None:
    """The sidebar's People & organisations list filters on what it shows, so each entity shows
    its names in other scripts: typing Путин, 푸틴 or 普京 finds Vladimir Putin (it found
    nothing). Every name shown is one of that entity's aliases in aliases.tsv, read here
    directly, and an entity with aliases in Cyrillic, Hangul and Han shows one of each."""
    path = Path(__file__).resolve().parent.parent / "ingest/data/entities/aliases.tsv"
    aliases: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            qid, surface = line.split("\t")[:2]
            aliases.setdefault(qid, set()).add(surface)
    open_page(app, "app_pages/4_Articles.py", {"from": "2000-01-01", "to": "2026-02-18"})
    box = app.multiselect(key="flt_entities")
    labels = dict(zip(box.options, entity_kinds_from_the_data_file(), strict=True))  # file order

    def script(text: str) -> str:
        letter = next(c for c in text if c.isalpha())
        return unicodedata.name(letter).split(" ", 1)[0]

    polled = {"CYRILLIC", "HANGUL", "CJK"}
    all_three = 0
    for label, qid in labels.items():
        names = label.split(" — ", 1)[1].split(", ") if " — " in label else []
        assert set(names) <= aliases.get(qid, set()), (qid, names)
        written_in = {script(a) for a in aliases.get(qid, ())} & polled
        assert written_in <= {script(n) for n in names}, (qid, label)  # one name per script
        all_three += written_in == polled
    putin = next(label for label, qid in labels.items() if qid == "Q7747")
    assert all(name in putin for name in ("Путин", "푸틴", "普京"))
    assert all_three > 50


def test_feeds_page_lists_every_feed(app: AppTest, engine) -> None:  # noqa: ANN001
    open_page(app, "app_pages/5_Feeds.py")
    _, rows = download(app, "dl_feeds")
    health = queries.feed_health(engine)
    assert len(rows) - 1 == len(health) > 10
    assert {r[rows[0].index("health")] for r in rows[1:]} == {"archive"}


def test_add_feed_refuses_bad_urls(app: AppTest) -> None:
    open_page(app, "app_pages/5_Feeds.py")
    app.text_input(key="add_url").set_value("javascript:alert(1)")
    next(b for b in app.button if "Check and add" in b.label).click().run()
    assert not app.exception
    assert any("Refused" in e.value for e in app.error)


def test_add_then_disable_a_feed_from_a_local_server(
    feed_server,
    dashboard_store,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    import shutil

    copy = tmp_path / "copy.db"  # a copy, so the shared store keeps its exact rows
    shutil.copy(dashboard_store.path, copy)
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    open_page(app, "app_pages/5_Feeds.py")
    url = feed_server.feed_url()
    app.text_input(key="add_url").set_value(url)
    next(b for b in app.button if "Check and add" in b.label).click().run()
    assert not app.exception
    assert any("Added" in s.value for s in app.success), [e.value for e in app.error]
    eng = store.make_engine(f"sqlite:///{copy}")
    health = queries.feed_health(eng)
    added = health[health.url == url]
    assert len(added) == 1 and bool(added.iloc[0].enabled)
    feed_id = int(added.iloc[0].id)
    app.run()  # the list of feeds now holds the new one
    app.selectbox(key="feed_pick").set_value(feed_id).run()
    app.button(key="feed_toggle").click().run()
    assert not app.exception
    health = queries.feed_health(eng)
    assert not bool(health[health.id == feed_id].iloc[0].enabled)
    eng.dispose()


def test_first_run_seeds_the_demo_data_and_says_so(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "1")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    eng = store.make_engine(url)
    assert queries.count_articles(eng, Filters(date(1990, 1, 1), date(2030, 1, 1))) > 500
    assert queries.is_demo_only(eng)
    eng.dispose()
    assert any("demo" in i.value for i in app.info), "the demo banner is shown"
    assert app.metric[0].value != "0"
    # The view opens on the last 30 days; the banner says what All dates holds, by SQL.
    o = Oracle(url)
    try:
        ((n, languages, first, last),) = o.rows(
            "SELECT COUNT(*), COUNT(DISTINCT language), MIN(published_at), MAX(published_at) "
            "FROM articles"
        )
    finally:
        o.close()
    said = f"{str(first)[:4]}–{str(last)[:4]}: {n:,} articles in {languages} languages"
    assert any(said in i.value and "All dates" in i.value for i in app.info), said


def test_empty_store_without_seeding_says_how_to_fill_it(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for page in [p for p, _ in PAGES]:
        if page != "dashboard.py":
            app.switch_page(page)
        app.run()
        assert not app.exception
        assert any("python -m ingest run" in i.value for i in app.info)


def test_feeds_page_switches_full_text_off_and_on(
    dashboard_store,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    import shutil

    from sqlalchemy import text

    copy = tmp_path / "copy.db"  # a copy, so the shared store keeps its exact rows
    shutil.copy(dashboard_store.path, copy)
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    eng = store.make_engine(f"sqlite:///{copy}")

    def switch(feed_id: int) -> bool:
        with eng.connect() as conn:
            sql = text("SELECT fulltext FROM feeds WHERE id = :i")
            return bool(conn.execute(sql, {"i": feed_id}).scalar_one())

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    open_page(app, "app_pages/5_Feeds.py")
    assert not app.exception
    feed_id = int(app.selectbox(key="feed_pick").value)
    assert switch(feed_id)
    app.button(key="fulltext_toggle").click().run()
    assert not app.exception and not switch(feed_id)
    app.button(key="fulltext_toggle").click().run()
    assert switch(feed_id)
    eng.dispose()


def test_the_overview_says_when_stored_tags_predate_the_tagger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles tagged by an earlier tagger version (a store from before the entity tables) are
    counted, as a direct query counts them, in a notice that names `retag`."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine, text

    from ingest.records import Article, Tags
    from ingest.tagging import TAGGER_VERSION

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = store.make_engine(url)
    feed = store.ensure_feed(engine, "https://news.example/rss", title="News")
    now = datetime.now(UTC)
    items = [
        (
            Article(url_key=f"{n:040x}", url=f"https://news.example/{n}", guid=None,
                    title=f"Talks {n}", summary="", published_at=now - timedelta(hours=n),
                    fetched_at=now),
            Tags(language="en", language_source="feed",
                 tagger_version=TAGGER_VERSION if n < 2 else "0ld"),
        )
        for n in range(5)
    ]  # fmt: skip
    store.save_articles(engine, feed, items)
    engine.dispose()
    with create_engine(url).connect() as conn:
        stale = conn.execute(
            text("SELECT COUNT(*) FROM articles WHERE tagger_version <> :v"), {"v": TAGGER_VERSION}
        ).scalar_one()
    assert stale == 3
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not app.exception
    notices = [i.value for i in app.info if "earlier version of the tagger" in i.value]
    assert len(notices) == 1 and notices[0].startswith(f"{stale:,} stored articles")
    assert "python -m ingest retag" in notices[0]


# How many tables each page shows on the test store, so that the rule below is never checked
# against no table. (The Overview's tables need a baseline or a failing feed this store lacks;
# a watch's deliveries, a watch.)
TABLES = {
    "app_pages/1_Coverage.py": 2,  # the spikes and a point's articles
    "app_pages/2_Map.py": 1,
    "app_pages/3_Country_pair.py": 1,
    "app_pages/4_Articles.py": 2,  # the articles and an article's evidence
    "app_pages/5_Feeds.py": 4,  # health, errors and source (tabs), full text
    "app_pages/7_Stories.py": 3,  # the top stories, a story's articles and its outlets
}
MAIN_COLUMN_PX = 538  # the main column beside the sidebar in a 1000 px window


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every message an AppTest run sends, as the browser would receive it."""
    messages: list = []
    real = local_script_runner.parse_tree_from_messages

    def keep(msgs: list):  # noqa: ANN202
        messages.extend(msgs)
        return real(msgs)

    monkeypatch.setattr(local_script_runner, "parse_tree_from_messages", keep)
    return messages


@pytest.mark.parametrize("page", TABLES)
def test_at_most_one_column_of_a_table_takes_the_spare_width(
    app: AppTest, sent: list, page: str
) -> None:
    """Issue 14: at 1920 px a date, an outlet or a count does not widen like the headline.
    Streamlit 1.67's grid gives every unpinned column of a table as wide as the page
    (width="stretch") an equal share of the spare width, an explicit width included (its
    frontend: ``grow: 1`` when ``isStretched && !isPinned``). So in every table every column
    has an explicit width, their sum fits the main column of a 1000 px window, and at most one
    column grows: a stretched table pins all its columns but one."""
    open_page(app, page, {"from": "2000-01-01", "to": "2026-02-18"})
    elements = [
        m.delta.new_element
        for m in sent
        if m.HasField("delta") and m.delta.new_element.WhichOneof("type") == "dataframe"
    ]
    assert len(elements) == TABLES[page]
    for element in elements:
        columns = list(Dataframe(element.dataframe, root=app._tree).value.columns)
        config = json.loads(element.dataframe.columns)
        widths = {c: config.get(c, {}).get("width") for c in columns}
        assert all(isinstance(w, int) for w in widths.values()), widths
        assert sum(widths.values()) <= MAIN_COLUMN_PX, widths
        stretched = element.width_config.WhichOneof("width_spec") == "use_stretch"
        growing = [c for c in columns if stretched and not config[c].get("pinned")]
        assert len(growing) <= 1, (widths, growing)

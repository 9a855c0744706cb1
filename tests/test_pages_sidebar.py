"""Sidebar filters that do nothing on a page are hidden there (issue 11 item 10): the sidebar of
each page shows the filters ``ui.filters.PAGE_FILTERS`` lists for it, no others, and the URL
carries only theirs. Whether the table is true is checked against the pages themselves: a filter
listed for a page changes what it shows, a filter not listed leaves it exactly as it was."""

# ruff: noqa: F811  (the fixtures of test_pages are imported, and named as arguments)
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from ingest import store
from ingest.filters import BY_NAME, PARAM_KEYS
from ingest.records import Article
from ingest.tagging import tag_article
from tests.store_oracle import Oracle
from tests.test_pages import ROOT, app, open_page, oracle  # noqa: F401  (fixtures)
from ui.filters import PAGE_FILTERS, WIDGETS

BASE = {"from": "2000-01-01", "to": "2026-02-18"}
FILLER = "The committee met again to discuss the budget of the regional water authority."


@pytest.fixture(scope="module")
def weak_store(dashboard_store, tmp_path_factory: pytest.TempPathFactory) -> str:  # noqa: ANN001
    """The dashboard store and one article more whose only mention of Iran is once, deep in its
    body: a weak tag (docs/prominence.md), the one kind of tag that "any mention" counts and the
    default does not (the labelled articles have no bodies, so all their tags are prominent)."""
    path = tmp_path_factory.mktemp("weak") / "pantau.db"
    shutil.copy(dashboard_store.path, path)
    url = f"sqlite:///{path}"
    title, summary = "Russian budget talks resume", "The committee met on Monday in Moscow."
    lead = "Officials gathered in the capital for a long meeting about water and roads."
    body = "\n\n".join([lead, FILLER, FILLER, FILLER, "Iran was mentioned by a delegate."])
    moment = datetime(2026, 2, 10, 9, tzinfo=UTC)
    article = Article("weak-iran", "https://example.org/weak-iran", None, title, summary,
                      moment, moment)  # fmt: skip
    tags = tag_article(title, summary, body=body, lead=lead, published=moment)
    engine = store.make_engine(url)
    store.save_articles(engine, None, [(article, tags)])
    engine.dispose()
    return url


@pytest.fixture
def weak_app(weak_store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("PANTAU_DATABASE_URL", weak_store)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    yield str(ROOT / "dashboard.py")


def page_scripts() -> dict[str, str]:
    """Each page's name (``start_page(…, page=…)``) → its script, read from the scripts."""
    out = {}
    for path in sorted((ROOT / "app_pages").glob("*.py")):
        (name,) = re.findall(r'start_page\([^)]*page="(\w+)"', path.read_text(encoding="utf-8"))
        out[name] = f"app_pages/{path.name}"
    return out


SCRIPTS = page_scripts()


def test_every_page_has_its_line_in_the_table() -> None:
    assert set(SCRIPTS) == set(PAGE_FILTERS)
    assert {n for names in PAGE_FILTERS.values() for n in names} <= set(BY_NAME)
    assert set(WIDGETS) == set(BY_NAME)  # every filter has its widgets


def probes(oracle: Oracle) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """For each filter: the view it is tried on and the URL parameters that set it there (each
    narrows the demo-sized store's articles to some, not all)."""
    ((busiest_feed,),) = oracle.rows(
        "SELECT feed_id FROM articles GROUP BY feed_id ORDER BY count(*) DESC, feed_id LIMIT 1"
    )
    return {
        "dates": (BASE, {"from": "2026-01-20", "to": "2026-02-18"}),
        "countries": (BASE, {"c": "RUS"}),
        "pair": (BASE, {"pair": "RUS-UKR"}),
        "topics": (BASE, {"t": "conflict"}),
        "languages": (BASE, {"lang": "ru"}),
        "outlets": (BASE, {"feed": str(busiest_feed)}),
        "text": (BASE, {"q": "Russia"}),
        "mention": ({**BASE, "c": "IRN"}, {"mention": "any"}),
        "outlet_types": (BASE, {"otype": "public"}),
        "outlet_homes": (BASE, {"ohome": "IDN"}),
        # the labelled store's stories of several articles (six hostile copies on Indonesia)
        "count": (BASE, {"count": "stories"}),
    }


def sidebar_keys(app: AppTest) -> set[str]:
    kinds = ("multiselect", "selectbox", "date_input", "text_input", "toggle")
    return {w.key for kind in kinds for w in app.sidebar.get(kind) if w.key}


def url(app: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in app.query_params.items()}


def content(app: AppTest) -> list[tuple[str, str]]:
    """What the main area shows as data: metrics, tables, charts, notes (not the words that
    describe the filters, which name every filter set)."""
    out = []
    for kind in ("metric", "dataframe", "plotly_chart", "info"):
        for el in app.main.get(kind):
            if kind == "dataframe":
                value = el.value.to_csv()
            elif kind == "plotly_chart":
                value = el.proto.spec
            else:
                value = str(el.value)
            out.append((kind, value))
    return out


@pytest.mark.parametrize("page", sorted(PAGE_FILTERS))
def test_the_sidebar_shows_the_filters_of_the_page_only(
    app: AppTest, oracle: Oracle, page: str
) -> None:
    every = {k: v for _base, probe in probes(oracle).values() for k, v in probe.items()}
    open_page(app, SCRIPTS[page], every)
    widget_keys = {k for keys in WIDGETS.values() for k in keys}
    expected = {k for name in PAGE_FILTERS[page] for k in WIDGETS[name]}
    assert sidebar_keys(app) & widget_keys == expected
    own = {p for name in PAGE_FILTERS[page] for p in BY_NAME[name].params}
    assert {k for k in url(app) if k in PARAM_KEYS} == own & set(every)
    if not PAGE_FILTERS[page]:
        assert not [p for p in app.sidebar.get("popover") if "Watch" in str(p.proto)]
        assert any("No filter applies" in c.value for c in app.sidebar.get("caption"))


def open_with(script: str, page: str, params: dict[str, str]) -> AppTest:
    """``page`` in a session whose filters were set to ``params`` on a page that shows them all
    (so a filter hidden on ``page`` is set all the same: the session keeps it)."""
    names = {n for n, flt in BY_NAME.items() if set(flt.params) & set(params)}
    setter = next(p for p in sorted(SCRIPTS) if names <= set(PAGE_FILTERS[p]))
    app = open_page(AppTest.from_file(script, default_timeout=120), SCRIPTS[setter], params)
    app.switch_page(SCRIPTS[page]).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


@pytest.mark.parametrize("page", sorted(PAGE_FILTERS))
def test_the_table_is_true_of_each_page(weak_app: str, oracle: Oracle, page: str) -> None:
    """A filter the table lists for a page changes what the page shows; one it does not list
    leaves the page exactly as it was, though the session holds it."""
    shown: dict[tuple, list] = {}  # what the page shows under a base view (most share one)
    for name, (base, probe) in probes(oracle).items():
        view = tuple(sorted(base.items()))
        if view not in shown:
            shown[view] = content(open_with(weak_app, page, base))
        after = open_with(weak_app, page, {**base, **probe})
        changed = shown[view] != content(after)
        assert changed == (name in PAGE_FILTERS[page]), (page, name)


def test_hidden_filters_keep_their_values_for_the_pages_that_use_them(app: AppTest) -> None:
    open_page(app, "app_pages/4_Articles.py", {**BASE, "c": "RUS", "t": "conflict"})
    app.switch_page("app_pages/5_Feeds.py").run()
    assert not app.exception
    assert not {k for k in url(app) if k in PARAM_KEYS}  # not the Feeds page's
    app.switch_page("app_pages/4_Articles.py").run()
    assert not app.exception
    assert app.multiselect(key="flt_countries").value == ["RUS"]
    assert app.multiselect(key="flt_topics").value == ["conflict"]
    assert {k: url(app).get(k) for k in ("c", "t", "from")} == {
        "c": "RUS",
        "t": "conflict",
        "from": "2000-01-01",
    }


def test_filters_follow_the_reader_from_page_to_page(app: AppTest) -> None:
    """The widgets of a page are new on the next page (Streamlit drops a widget's value on a
    page switch): the filters still hold there."""
    open_page(app, "app_pages/4_Articles.py", {**BASE, "c": "RUS", "lang": "ru"})
    for page in ("app_pages/1_Coverage.py", "app_pages/2_Map.py", "app_pages/0_Overview.py"):
        app.switch_page(page).run()
        assert not app.exception
        assert app.multiselect(key="flt_countries").value == ["RUS"], page
        assert app.multiselect(key="flt_languages").value == ["ru"], page
        assert {k: url(app).get(k) for k in ("c", "lang")} == {"c": "RUS", "lang": "ru"}

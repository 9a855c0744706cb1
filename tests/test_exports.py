"""Every CSV download on every page, under every sidebar filter, holds exactly the rows that an
independent query of the store gives (issue 16: a "Download all" that ignored the text or the
topic filter passed every test).

The oracle is hand-written SQL (tests/store_oracle.py) over the labelled store the suite builds
(dashboard_store, and the same rows on PostgreSQL): never the ``ingest.queries`` function a page
calls. The filter cases are derived from the dashboard's URL parameters (``PARAM_KEYS``): a
filter added to the sidebar without a case here fails ``test_every_filter_has_a_case``. The
downloads a page offers must be exactly those listed for it here, so a new download without an
expectation fails too.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from tests.store_oracle import BASE_KEYS, WHERE_OF, Oracle, days
from tests.test_pages import _KeptMedia  # Streamlit's media store, kept to read downloads
from ui.filters import PARAM_KEYS

ROOT = Path(__file__).resolve().parent.parent
PERIOD = {"from": "2014-01-01", "to": "2026-02-18"}  # every article of the labelled store
PAIR_PAGE_PAIR = "CHN-USA"  # the pair the Country pair page opens when a case names none

# One case per sidebar filter (dates: from and to together), plus none. Feed values are outlet
# titles, turned into ids from the store. Each must change which articles match, or (a counting
# case) the counts (checked).
CASES: dict[str, dict[str, str]] = {
    "none": {},
    "dates": {"from": "2022-01-01", "to": "2022-12-31"},
    "countries": {"c": "RUS,USA"},
    "pair": {"pair": "RUS-UKR"},
    "entities": {"entity": "Q7747,Q7184"},  # Putin or NATO (tagged by the entity tagger)
    "topics": {"t": "conflict,diplomacy"},
    "languages": {"lang": "en,ru"},
    "feeds": {"feed": "lenta,bbc-news"},
    "search": {"q": "Trump"},  # 7 titles and 1 summary, case folded
    # Every tag of the labelled store is in a title or summary (prominent): any mention counts
    # the same there; tests/test_prominence.py holds the stores where it does not.
    "mention": {"c": "GBR", "mention": "any"},
    "outlet types": {"otype": "public,state"},
    "outlet homes": {"ohome": "IDN"},
    # Counting stories changes the counts, not the rows: the labelled store holds stories of
    # several articles (six hostile copies about Indonesia, two outlets' Hungary–US story).
    "stories": {"count": "stories"},
}
COUNTING_CASES = {"stories"}  # cases that change what is counted, not which articles match
PAGES = ["Overview", "Coverage", "Map", "Country pair", "Articles", "Feeds", "Watchlist",
         "Stories"]  # fmt: skip
SCRIPTS = {
    "Overview": "app_pages/0_Overview.py",
    "Coverage": "app_pages/1_Coverage.py",
    "Map": "app_pages/2_Map.py",
    "Country pair": "app_pages/3_Country_pair.py",
    "Articles": "app_pages/4_Articles.py",
    "Feeds": "app_pages/5_Feeds.py",
    "Watchlist": "app_pages/6_Watchlist.py",
    "Stories": "app_pages/7_Stories.py",
}
ARTICLE_HEADER = ["published_at", "title", "summary", "url", "outlet", "language", "countries",
                  "topics", "entities", "story"]  # fmt: skip


def test_every_filter_has_a_case() -> None:
    keys = {k for params in CASES.values() for k in params}
    assert keys == set(PARAM_KEYS), "a sidebar filter without an export case (or a stale one)"
    assert set(WHERE_OF) == set(PARAM_KEYS), "the oracle has no clause for a URL parameter"


def test_every_page_has_its_exports_listed() -> None:
    assert set(SCRIPTS.values()) == {
        f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py")
    }
    assert set(PAGES) == set(EXPECTED)


# -- reading a download -----------------------------------------------------------------------


def read_download(app: AppTest, key: str) -> list[list[str]]:
    button = app.download_button(key=key)
    media = _KeptMedia.instances[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
    data = media.content
    if callable(data):  # a large export is built when clicked
        data = data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


_TRIGGERS = "=+-@\t\r\n＝＋－＠"


def unguard(cell: str) -> str:
    """A CSV cell without the apostrophe that defuses a formula (test_csv_injection checks it)."""
    if cell.startswith("'") and cell[1:].lstrip(" \u3000\ufeff")[:1] in _TRIGGERS:
        return cell[1:]
    return cell


# -- expectations -----------------------------------------------------------------------------


@dataclass
class Expected:
    """A download's header and rows: ``rows`` are tuples over ``columns`` (a subset of the
    header), compared typed; ``ordered`` False compares them as a multiset."""

    header: list[str]
    columns: list[str]
    rows: list[tuple]
    ordered: bool = True
    tolerance: dict[str, float] = field(default_factory=dict)


def _typed(cell: str, like: Any) -> Any:
    if isinstance(like, bool):
        return cell == "True"
    if isinstance(like, int):
        return int(float(cell))
    if isinstance(like, float):
        return float(cell) if cell else math.nan
    return unguard(cell)


def assert_matches(rows: list[list[str]], exp: Expected, what: str) -> None:
    assert rows[0] == exp.header, what
    index = [exp.header.index(c) for c in exp.columns]
    got = [tuple(r[i] for i in index) for r in rows[1:]]
    assert len(got) == len(exp.rows), (what, got[:5], exp.rows[:5])
    if not exp.rows:
        return
    typed = [tuple(_typed(c, like) for c, like in zip(r, exp.rows[0], strict=True)) for r in got]
    if not exp.ordered:
        typed, want = sorted(typed, key=repr), sorted(exp.rows, key=repr)
    else:
        want = exp.rows
    for n, (g, w) in enumerate(zip(typed, want, strict=True)):
        for column, a, b in zip(exp.columns, g, w, strict=True):
            if isinstance(b, float):
                tol = exp.tolerance.get(column, 1e-9)
                ok = (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, abs_tol=tol)
            else:
                ok = a == b
            assert ok, f"{what} row {n} column {column}: exported {a!r}, store says {b!r}"


def article_rows(items: list[dict]) -> list[tuple]:
    return [tuple(a[c] for c in ARTICLE_HEADER) for a in items]


def articles_expected(items: list[dict]) -> Expected:
    return Expected(ARTICLE_HEADER, ARTICLE_HEADER, article_rows(items))


def overview(o: Oracle, p: dict[str, str]) -> dict[str, Expected]:
    if o.count(p) == 0:
        return {}
    out = {
        "top-countries": Expected(["iso3", "country", "articles", "share"],
                                  ["iso3", "articles", "share"], o.country_counts(p, 15)),
        "top-pairs": Expected(["iso3_a", "iso3_b", "pair", "articles"],
                              ["iso3_a", "iso3_b", "articles"], o.pair_counts(p, 15)),
        "latest-articles": articles_expected(o.articles(p, 10)),
    }  # fmt: skip
    people = o.entity_counts(p)[:15]
    if people:  # the page offers the download only when the view names someone
        out["top-entities"] = Expected(["qid", "name", "kind", "country", "articles"],
                                       ["qid", "articles"], people)  # fmt: skip
    for kind, plural in (("country", "countries"), ("pair", "pairs")):
        rising = o.rising(p, kind, p["to"])
        if rising:
            out[f"rising-{plural}"] = Expected(
                ["key", "label", "recent", "expected", "score"],
                ["key", "recent", "expected", "score"],
                [(k, r, round(e, 1), round(s, 1)) for k, r, e, s in rising],
                tolerance={"expected": 0.051, "score": 0.051},
            )
    return out


def coverage_plan(o: Oracle, p: dict[str, str]) -> tuple[str, list[tuple[str, dict]]]:
    """The series the page draws by default: (by, [(key, the series' filters)])."""
    if p.get("pair"):
        return "pair", [("-".join(sorted(p["pair"].split("-"))), dict(p))]
    if p.get("t") and not p.get("c"):
        return "topic", [(t, {**p, "t": t}) for t in p["t"].split(",")]
    codes = p["c"].split(",") if p.get("c") else [r[0] for r in o.country_counts(p, 5)]
    return "country", [(c, {**p, "c": c}) for c in codes]


def coverage(o: Oracle, p: dict[str, str], point: tuple[str, str] | None) -> dict[str, Expected]:
    by, plan = coverage_plan(o, p)
    history_from = (date.fromisoformat(p["from"]) - timedelta(days=28)).isoformat()
    every = days(history_from, p["to"])
    total = o.per_day({**o.base(p), "from": history_from})
    rows = []
    for key, sp in plan:
        counts = o.per_day({**sp, "from": history_from})
        series = [counts.get(d, 0) for d in every]
        for i, day in enumerate(every):
            if day < p["from"]:
                continue
            n, all_ = series[i], total.get(day, 0)
            baseline = sum(series[i - 28 : i]) / 28
            score = (n - baseline) / math.sqrt(baseline + 1)
            rows.append((day, key, n, all_, n / all_ if all_ else 0.0,
                         sum(series[i - 6 : i + 1]) / 7, score, bool(score >= 3 and n >= 5)))  # fmt: skip
    if sum(r[2] for r in rows) == 0:
        return {}
    out = {
        f"coverage-{by}-daily": Expected(
            ["period", "key", "label", "articles", "total", "share", "rolling", "score", "spike"],
            ["period", "key", "articles", "total", "share", "rolling", "score", "spike"],
            rows,
        )
    }
    if point is not None:
        key, day = point
        pp = {**p, "from": day, "to": day}
        if by == "country":
            pp["c"] = key
        elif by == "topic":
            pp["t"] = key
        items = o.articles(pp, 100)
        if items:
            out["point-articles"] = articles_expected(items)
    return out


def busiest_point(o: Oracle, p: dict[str, str]) -> tuple[str, str] | None:
    """The first series with articles, and its busiest day (earliest of equals)."""
    _by, plan = coverage_plan(o, p)
    for key, sp in plan:
        counts = o.per_day(sp)
        if counts:
            return key, min(counts, key=lambda d: (-counts[d], d))
    return None


def map_page(o: Oracle, p: dict[str, str]) -> dict[str, Expected]:
    counts = o.country_counts(p)
    if not counts:
        return {}
    out = {
        "map-countries": Expected(["iso3", "country", "articles", "share"],
                                  ["iso3", "articles", "share"], counts),
    }  # fmt: skip
    codes = p["c"].split(",") if p.get("c") else []
    focus = (
        sorted(p["pair"].split("-"))[0] if p.get("pair") else codes[0] if len(codes) == 1 else ""
    )
    if focus and focus in {c for c, *_ in counts}:
        g = {**p, "c": focus} if not codes or focus in codes else p
        partners = o.co_mentions(g, focus)[:25]
        if partners:
            out[f"co-mentions-{focus.lower()}"] = Expected(
                ["iso3", "country", "articles"], ["iso3", "articles"], partners
            )
    who = o.who_covers_whom(p)
    if who:
        per_country: dict[str, int] = {}
        for (_home, code), n in who.items():
            per_country[code] = per_country.get(code, 0) + n
        out["who-covers-whom"] = ("who", who, per_country)  # checked by check_who
    return out


def check_who(rows: list[list[str]], who: dict, per_country: dict[str, int]) -> None:
    """The 15 most mentioned countries (any of those tied at the 15th), each outlet home's
    articles about them; order within a home is by articles."""
    assert rows[0] == ["home", "home_country", "iso3", "country", "articles"]
    shown = {r[2] for r in rows[1:]}
    ranked = sorted(per_country.values(), reverse=True)
    cut = ranked[min(15, len(ranked)) - 1]
    assert len(shown) == min(15, len(per_country))
    assert {c for c, n in per_country.items() if n > cut} <= shown
    assert all(per_country[c] >= cut for c in shown)
    got = sorted((r[0], r[2], int(r[4])) for r in rows[1:])
    assert got == sorted((h, c, n) for (h, c), n in who.items() if c in shown)
    homes = [r[0] for r in rows[1:]]
    assert homes == sorted(homes)


def pair_page(o: Oracle, p: dict[str, str]) -> dict[str, Expected]:
    p = {**p, "pair": p.get("pair") or PAIR_PAGE_PAIR}
    a, b = sorted(p["pair"].split("-"))
    unpaired = {k: v for k, v in p.items() if k != "pair"}
    out: dict[str, Expected] = {}
    top = o.pair_counts(unpaired, 20)
    if top:
        out["top-pairs"] = Expected(["iso3_a", "iso3_b", "pair", "articles"],
                                    ["iso3_a", "iso3_b", "articles"], top)  # fmt: skip
        codes = {c for c, *_ in o.country_counts(unpaired, 12)}
        matrix = [r for r in o.pair_counts(unpaired) if r[0] in codes and r[1] in codes]
        out["pair-matrix"] = Expected(["iso3_a", "iso3_b", "pair", "articles"],
                                      ["iso3_a", "iso3_b", "articles"], matrix)  # fmt: skip
    joint_ids = {x["id"] for x in o.articles(p)}
    both = o.per_day(p)
    alone = {k: v for k, v in unpaired.items() if k != "c"}
    only: dict[str, dict[str, int]] = {}
    for code in (a, b):
        only[code] = {}
        if p.get("count") == "stories":  # the country's stories less the pair's, day by day
            mine = o.per_day({**alone, "c": code})
            for day in set(mine) | set(both):
                only[code][day] = max(0, mine.get(day, 0) - both.get(day, 0))
            continue
        for item in o.articles({**alone, "c": code}):
            if item["id"] not in joint_ids:
                day = item["published_at"][:10]
                only[code][day] = only[code].get(day, 0) + 1
    timeline = []
    for series, counts in (("both", both), ("a_only", only[a]), ("b_only", only[b])):
        timeline += [(d, series, counts.get(d, 0)) for d in days(p["from"], p["to"])]
    out["pair-timeline"] = Expected(["period", "series", "label", "articles"],
                                    ["period", "series", "articles"], timeline)  # fmt: skip
    if not joint_ids:
        return out
    out["pair-topics"] = Expected(["topic", "label", "articles"], ["topic", "articles"],
                                  o.grouped(p, "topic"))  # fmt: skip
    out["pair-languages"] = Expected(["language", "name", "articles"], ["language", "articles"],
                                     o.grouped(p, "language"))  # fmt: skip
    outlets = o.outlets()
    out["pair-outlets"] = Expected(
        ["feed_id", "outlet", "home", "articles"], ["feed_id", "outlet", "articles"],
        [(int(i), outlets[int(i)][0], n) for i, n in o.grouped(p, "feed")[:15]],
    )  # fmt: skip
    out["pair-articles"] = articles_expected(o.pair_articles_ranked(p, 20))
    people = o.entity_counts(p)[:15]
    if people:  # the tab offers the download only when the pair's articles name someone
        out["pair-entities"] = Expected(["qid", "name", "kind", "country", "articles"],
                                        ["qid", "articles"], people)  # fmt: skip
    return out


def articles_page(o: Oracle, p: dict[str, str]) -> dict[str, Expected]:
    items = o.articles(p)
    if not items:
        return {}
    return {
        "articles-page-1": articles_expected(items[:50]),
        "articles": articles_expected(items),
    }


def feeds_page(o: Oracle, _p: dict[str, str]) -> dict[str, Expected]:
    return {
        "feeds": Expected(
            ["id", "title", "url", "language", "home", "source", "enabled", "status", "health",
             "last_polled_at", "last_success_at", "next_poll_at", "last_status", "error_count",
             "last_error", "articles"],
            ["id", "title", "url", "articles"], o.feeds(),
        )
    }  # fmt: skip


STORY_HEADER = ["story", "articles", "outlets", "languages", "outlet_countries", "reach",
                "first_seen", "last_seen", "first_outlet", "first_title"]  # fmt: skip
STORY_ARTICLE_HEADER = ["id", "published_at", "outlet", "outlet_country", "language", "title",
                        "url", "countries"]  # fmt: skip
STORY_OUTLET_HEADER = ["outlet", "outlet_country", "first_published", "later_hours",
                       "articles"]  # fmt: skip
TOP_STORIES = 20  # the Stories page lists the 20 of most reach


def stories_page(o: Oracle, p: dict[str, str]) -> dict[str, Expected]:
    """The top stories of the view (reach = outlets x languages x outlet homes among the
    matching articles; by reach, articles, first seen, id) and the first one's articles (all of
    them, oldest first: a story's detail is not filtered)."""
    top = o.top_stories(p, TOP_STORIES)
    if not top:
        return {}
    first = top[0][0]
    return {
        "stories": Expected(STORY_HEADER, ["story", "articles", "outlets", "languages",
                                           "outlet_countries", "reach", "first_seen"], top),
        f"story-{first}-articles": Expected(
            STORY_ARTICLE_HEADER, ["id", "published_at", "language", "title", "countries"],
            o.story_articles(first),
        ),
        f"story-{first}-outlets": Expected(
            STORY_OUTLET_HEADER, ["outlet", "first_published", "later_hours", "articles"],
            o.story_outlets(first),
        ),
    }  # fmt: skip


EXPECTED: dict[str, Callable[..., dict[str, Any]]] = {
    "Overview": overview,
    "Coverage": coverage,
    "Map": map_page,
    "Country pair": pair_page,
    "Articles": articles_page,
    "Feeds": feeds_page,
    "Watchlist": lambda _o, _p: {},  # watches and alerts: nothing to download
    "Stories": stories_page,
}


# -- the pages --------------------------------------------------------------------------------


def resolve(o: Oracle, case: str) -> dict[str, str]:
    p = {**PERIOD, **CASES[case]}
    if "feed" in p:
        p["feed"] = ",".join(str(i) for i in o.feed_ids(p["feed"].split(",")))
    return p


@pytest.mark.parametrize("case", list(CASES))
def test_each_case_changes_the_rows(oracle: Oracle, case: str) -> None:
    """A case that matched every article (or none) could not tell an ignored filter."""
    everything = {x["id"] for x in oracle.articles(PERIOD)}
    p = resolve(oracle, case)
    matched = {x["id"] for x in oracle.articles(p)}
    assert matched
    assert (matched == everything) == (case == "none" or case in COUNTING_CASES)
    if case in COUNTING_CASES:  # the counts change: country, pair and daily counts alike
        assert oracle.country_counts(p) != oracle.country_counts(PERIOD)
        assert oracle.pair_counts(p) != oracle.pair_counts(PERIOD)
        assert oracle.per_day(p) != oracle.per_day(PERIOD)
        assert oracle.count(p) < oracle.count(PERIOD)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("case", list(CASES))
def test_every_download_equals_the_store(
    page: str, case: str, store_url: str, oracle: Oracle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_DATABASE_URL", store_url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeptMedia)
    p = resolve(oracle, case)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    params = {**p}
    if page == "Country pair" and "pair" not in params:
        params["pair"] = PAIR_PAGE_PAIR
    if page in ("Coverage", "Country pair"):  # the oracle counts days; the pages would pick
        params["grain"] = "D"  # weeks or months for ranges of years
    for key, value in params.items():
        app.query_params[key] = value
    if SCRIPTS[page] != "dashboard.py":
        app.switch_page(SCRIPTS[page])
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    if page == "Coverage":
        point = busiest_point(oracle, p)
        if point is not None:
            app.selectbox(key="cov_point_key").set_value(point[0])
            app.selectbox(key="cov_point_day").set_value(date.fromisoformat(point[1])).run()
            assert not app.exception, [e.message for e in app.exception]
        expected = coverage(oracle, p, point)
    else:
        expected = EXPECTED[page](oracle, p)
    keys = {b.key.removeprefix("dl_") for b in app.download_button}
    assert keys == set(expected), f"{page} offers {sorted(keys)}, expected {sorted(expected)}"
    if case == "none" and page != "Watchlist":  # (a watch list has no rows of the store)
        assert expected, "the unfiltered store has something to export on every page"
    for key, exp in expected.items():
        rows = read_download(app, f"dl_{key}")
        if isinstance(exp, tuple):
            check_who(rows, *exp[1:])
        else:
            assert_matches(rows, exp, f"{page} {key} under {case}")


def test_base_keys_are_filters() -> None:
    assert set(BASE_KEYS) <= set(PARAM_KEYS)

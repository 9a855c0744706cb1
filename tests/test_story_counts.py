"""Counting stories (issue 14 item 5): with ``count=stories`` the country counts and shares, the
pair counts, the coverage series, the map (countries, co-mentions, who covers whom), a pair's
timeline and the Country pair page's breakdowns count distinct stories, so that syndicated copies
count once; the rows themselves (lists, exports) do not change.

The store: real labelled articles (tests/fixtures/gold-dev.jsonl, as ``dashboard_store`` holds
them) and syndicated copies of some of them — the same title, summary and tags republished by
other outlets hours later, some the next day — saved through ``store.save_articles``, so the
stories are those ingest assigns. One article's story row is removed afterwards (a ``restory``
under way): it counts as a story of its own. Expected counts come from ``tests/store_oracle.py``
(hand-written SQL, counted in Python over ``article_stories`` read directly), on a SQLite file
and on PostgreSQL; each case also checks that stories and articles differ there, so a switch
that is ignored fails.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ingest import queries, store
from ingest.filters import Filters, from_query_params, to_query_params
from ingest.queries import stories as stories_queries
from ingest.queries.stories import first_days
from ingest.store.stories import fill_story_days
from tests.conftest import _gold_rows, build_dashboard_store, private_schema
from tests.store_oracle import Oracle, days, stamp

FIRST, LAST = "2014-01-01", "2026-02-18"
COPIED = 12  # labelled articles that other outlets republish
COPY_OUTLETS = ("viva", "tempo", "antara")  # the outlets that republish them
DELAYS = (timedelta(hours=3), timedelta(hours=20))  # after the original (some the next day)


def syndicated_rows() -> list[dict]:
    """The labelled articles, and copies of the first COPIED with countries, each republished
    by two outlets other than its own."""
    rows = _gold_rows()
    originals = [r for r in rows if r["countries"] and r["published_at"]][:COPIED]
    copies = []
    for n, row in enumerate(originals):
        outlets = [o for o in COPY_OUTLETS if o != row["outlet"]][:2]
        for outlet, delay in zip(outlets, DELAYS, strict=True):
            copies.append(
                {
                    **row,
                    "key": f"copy-{n}-{outlet}",
                    "outlet": outlet,
                    "url": f"https://{outlet}.example/copy/{n}",
                    "published_at": row["published_at"] + delay,
                }
            )
    return rows + copies


def _without_a_story(url: str) -> None:
    """Remove one copied article's story row (as a ``restory`` leaves it until it gets there)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        article = (
            conn.execute(
                text("SELECT id FROM articles WHERE url = :u"),
                {"u": "https://tempo.example/copy/1"},
            ).scalar_one_or_none()
            or conn.execute(
                text("SELECT id FROM articles WHERE url = :u"), {"u": "https://viva.example/copy/1"}
            ).scalar_one()
        )
        conn.execute(text("DELETE FROM article_stories WHERE article_id = :a"), {"a": article})
        # The DELETE bypasses the store's writes: recompute what they keep of the stories (as
        # restory does when it starts: every article not yet assigned is a story of its own).
        fill_story_days(conn)
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[str]:  # fmt: skip
    rows = syndicated_rows()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('syndicated') / 'pantau.db'}"
        build_dashboard_store(url, rows)
        _without_a_story(url)
        yield url
        return
    with private_schema("syn_") as url:
        build_dashboard_store(url, rows)
        _without_a_story(url)
        yield url


@pytest.fixture(scope="module")
def engine(store_url: str) -> Iterator[Engine]:
    eng = store.make_engine(store_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def oracle(store_url: str) -> Iterator[Oracle]:
    o = Oracle(store_url)
    yield o
    o.close()


def pair_of_a_copy() -> str:
    """A pair that a copied article mentions (its two first countries, in code order)."""
    rows = syndicated_rows()
    with_two = next(r for r in rows if r["key"].startswith("copy-") and len(r["countries"]) > 1)
    return "-".join(sorted(c["iso3"] for c in with_two["countries"][:2]))


def country_of_a_copy() -> str:
    return next(r for r in syndicated_rows() if r["key"].startswith("copy-"))["countries"][0][
        "iso3"
    ]


# The views compared (URL parameters, as the dashboard and the oracle read them), resolved when
# a test runs: the labelled rows are parsed from the feeds, which collection (in every worker)
# should not pay for.
CASES = ("everything", "a country", "a pair", "a language")


@functools.cache
def case_params(case: str) -> dict[str, str]:
    if case == "a country":
        return {"c": country_of_a_copy()}
    if case == "a pair":
        return {"pair": pair_of_a_copy()}
    if case == "a language":
        return {"lang": syndicated_rows()[0]["lang"]}
    assert case == "everything", case
    return {}


def view(case: str, stories: bool = True) -> tuple[Filters, dict[str, str]]:
    params = {"from": FIRST, "to": LAST, **case_params(case)}
    if stories:
        params["count"] = "stories"
    defaults = Filters(date.fromisoformat(FIRST), date.fromisoformat(LAST))
    f = from_query_params(params, defaults)
    assert to_query_params(f) == {k: v for k, v in params.items()}  # the URL round trip
    return f, params


def articles_view(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k != "count"}


def test_the_store_holds_syndicated_stories(oracle: Oracle) -> None:
    """Copies share their original's story (ingest linked them), and one article has none."""
    story = dict(oracle.rows("SELECT article_id, story_id FROM article_stories"))
    ids = [int(i) for (i,) in oracle.rows("SELECT id FROM articles")]
    assert len([i for i in ids if i not in story]) == 1
    by_url = dict(oracle.rows("SELECT url, id FROM articles"))
    shared = 0
    for row in syndicated_rows():
        if row["key"].startswith("copy-"):
            original = next(r for r in _gold_rows() if r["title"] == row["title"])
            copy, first = by_url[row["url"]], by_url[original["url"]]
            shared += copy in story and story.get(copy) == story.get(first)
    assert shared >= COPIED  # most copies (and at least one per original) joined its story


@pytest.mark.parametrize("case", CASES)
def test_country_and_pair_counts_count_stories(engine: Engine, oracle: Oracle, case: str) -> None:
    f, p = view(case)
    got = queries.country_counts(engine, f)
    want = oracle.country_counts(p)
    assert [(r.iso3, r.articles) for r in got.itertuples()] == [(c, n) for c, n, _ in want]
    assert got["share"].tolist() == pytest.approx([s for *_, s in want])
    assert want != oracle.country_counts(articles_view(p))  # stories are not articles here
    pairs = queries.pair_counts(engine, f, limit=None)
    assert [(r.iso3_a, r.iso3_b, r.articles) for r in pairs.itertuples()] == oracle.pair_counts(p)
    if case != "a language":
        assert oracle.pair_counts(p) != oracle.pair_counts(articles_view(p))
    assert queries.totals(engine, f)["articles"] == oracle.count(p) < oracle.count(articles_view(p))
    assert queries.coverage_count(engine, f) == oracle.count(p)
    assert queries.count_articles(engine, f) == oracle.count(articles_view(p))  # the rows


@pytest.mark.parametrize("case", CASES)
def test_the_map_counts_stories(engine: Engine, oracle: Oracle, case: str) -> None:
    f, p = view(case)
    focus = (p.get("pair") or p.get("c") or country_of_a_copy()).split("-")[0]
    g = {**p, "c": focus} if "c" not in p or p["c"] == focus else p
    got = queries.co_mentions(engine, f, focus)
    assert [(r.iso3, r.articles) for r in got.itertuples()] == oracle.co_mentions(g, focus)
    who = queries.who_covers_whom(engine, f, countries=1000)
    assert {(r.home, r.iso3): r.articles for r in who.itertuples()} == oracle.who_covers_whom(p)
    assert oracle.who_covers_whom(p) != oracle.who_covers_whom(articles_view(p))


@pytest.mark.parametrize("case", CASES)
def test_coverage_series_count_stories(engine: Engine, oracle: Oracle, case: str) -> None:
    """Daily, each series counts the stories whose first matching article is of that day (so the
    days sum to the stories of the whole range); its total is all stories, the same way."""
    f, p = view(case)
    by = "pair" if "pair" in p else "country"
    series = queries.coverage_series(engine, f, by=by, freq="D")
    history = (date.fromisoformat(FIRST) - timedelta(days=28)).isoformat()
    total = oracle.per_day({**oracle.base(p), "from": history})
    keys = list(dict.fromkeys(series["key"]))
    assert keys
    differs = False
    for key in keys:
        sp = {**p, "from": history} if by == "pair" else {**p, "from": history, "c": key}
        want = oracle.per_day(sp)
        part = series[series["key"] == key]
        got = dict(zip(part["period"].dt.strftime("%Y-%m-%d"), part["articles"], strict=True))
        assert got == {d: want.get(d, 0) for d in days(FIRST, LAST)}, key
        totals = dict(zip(part["period"].dt.strftime("%Y-%m-%d"), part["total"], strict=True))
        assert totals == {d: total.get(d, 0) for d in days(FIRST, LAST)}
        # The story count of the range is the sum of its days.
        in_range = {**sp, "from": FIRST}
        assert sum(got.values()) == oracle.count(in_range)
        differs |= want != oracle.per_day(articles_view(sp))
    assert differs


def test_weeks_and_months_sum_their_days(engine: Engine, oracle: Oracle) -> None:
    f, p = view("everything")
    f = f.with_(countries=(country_of_a_copy(),))
    daily = queries.coverage_series(engine, f, freq="D")
    for freq in ("W", "M"):
        grained = queries.coverage_series(engine, f, freq=freq)
        assert grained["articles"].sum() == daily["articles"].sum()
    assert daily["articles"].sum() == oracle.count({**p, "c": country_of_a_copy()})


def test_a_pair_timeline_and_breakdowns_count_stories(engine: Engine, oracle: Oracle) -> None:
    f, p = view("a pair")
    a, b = f.pair or ("", "")
    timeline = queries.pair_timeline(engine, f)
    both = oracle.per_day(p)
    alone = {k: v for k, v in p.items() if k != "pair"}
    for series, code in (("a_only", a), ("b_only", b)):
        mine = oracle.per_day({**alone, "c": code})
        part = timeline[timeline["series"] == series]
        got = dict(zip(part["period"].dt.strftime("%Y-%m-%d"), part["articles"], strict=True))
        want = {d: max(0, mine.get(d, 0) - both.get(d, 0)) for d in days(FIRST, LAST)}
        assert got == want, series
    part = timeline[timeline["series"] == "both"]
    got = dict(zip(part["period"].dt.strftime("%Y-%m-%d"), part["articles"], strict=True))
    assert got == {d: both.get(d, 0) for d in days(FIRST, LAST)}
    assert both != oracle.per_day(articles_view(p))
    for column, read in (("topic", queries.topic_counts), ("language", queries.language_counts)):
        df = read(engine, f)
        assert [tuple(r) for r in df[[column, "articles"]].itertuples(index=False)] == (
            oracle.grouped(p, column)
        )
    outlets = queries.outlet_counts(engine, f)
    # Each outlet of the labelled store is one feed.
    assert sorted(zip(outlets["feed_id"], outlets["articles"], strict=True)) == sorted(
        oracle.grouped(p, "feed")
    )


def test_rows_do_not_change(engine: Engine) -> None:
    """Counting stories leaves the articles listed (and exported) as they were."""
    f, _ = view("a country")
    g = f.with_(count_stories=False)
    every = queries.count_articles(engine, g)
    listed = queries.list_articles(engine, f, limit=every + 1)
    assert listed["id"].tolist() == queries.list_articles(engine, g, limit=every + 1)["id"].tolist()
    assert 0 < len(listed) < every + 1


VOCABULARY = [
    "apple",
    "river",
    "stone",
    "cloud",
    "metal",
    "paper",
    "glass",
    "forest",
    "engine",
    "silver",
    "harbor",
    "winter",
    "garden",
    "castle",
    "violin",
    "rocket",
    "desert",
    "island",
    "bridge",
    "candle",
    "tiger",
    "marble",
    "copper",
    "falcon",
    "meadow",
    "canyon",
    "lantern",
]


def test_rising_counts_stories(db_url: str) -> None:
    """Rising (the Overview's): a story counts once, in the window of its first article. Each
    item is carried by two outlets; their story rows are set directly (one story per item)."""
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    rows = []
    for day in range(36):
        for k in range(1 if day < 29 else 3):  # a week of three a day after four of one
            words = random.Random(day * 10 + k).sample(VOCABULARY, 6)
            item = {
                "lang": "en", "title": "Russia Ukraine " + " ".join(words[:4]),
                "summary": " ".join(words[4:]), "topics": [],
                "countries": [{"iso3": c, "evidence": [n], "type": "name"}
                              for c, n in (("RUS", "Russia"), ("UKR", "Ukraine"))],
            }  # fmt: skip
            for hours, outlet in enumerate(("viva", "tempo")):
                rows.append({**item, "key": f"{day}-{k}-{outlet}", "outlet": outlet,
                             "url": f"https://{outlet}.example/{day}/{k}",
                             "published_at": start + timedelta(days=day, hours=2 * hours + k)})  # fmt: skip
    build_dashboard_store(db_url, rows)
    o = Oracle(db_url)
    with o.engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT url, id FROM articles")).all())
        for row in rows:  # the item's story: named after its first outlet's copy
            story = 100_000 + ids[row["url"].replace("tempo", "viva")]
            conn.execute(text("UPDATE article_stories SET story_id = :s WHERE article_id = :a"),
                         {"s": story, "a": ids[row["url"]]})  # fmt: skip
    eng = store.make_engine(db_url)
    try:
        end = (start + timedelta(days=35)).date()
        p = {"from": "2026-01-01", "to": end.isoformat(), "count": "stories"}
        f = from_query_params(p, Filters(end, end))
        for kind in ("country", "pair"):
            got = queries.rising(eng, f, kind=kind)
            want = o.rising(p, kind, p["to"])
            assert want and want != o.rising(articles_view(p), kind, p["to"])
            assert [(r.key, r.recent) for r in got.itertuples()] == [(k, n) for k, n, *_ in want]
            assert got["expected"].tolist() == [round(e, 1) for _k, _n, e, _s in want]
            assert got["score"].tolist() == [round(s, 1) for *_, s in want]
    finally:
        eng.dispose()
        o.close()


def _first_articles_match(engine: Engine, oracle: Oracle) -> dict[str, int]:
    """Every story's first ``limit`` articles, for each ``limit`` up to its size, are its
    oldest as direct SQL orders them; how many pages each read took (``first_days``)."""
    members: dict[int, set[int]] = {}
    for article, story in oracle.article_stories().items():
        members.setdefault(story, set()).add(article)
    codes: dict[int, list[str]] = {}
    for article_id, code in oracle.rows("SELECT article_id, iso3 FROM article_countries"):
        codes.setdefault(int(article_id), []).append(code)
    rows = oracle.rows("SELECT id, published_at, language, title FROM articles")
    routes = {"days": 0, "index": 0}
    for story, ids in sorted(members.items()):
        expected = sorted(
            ((int(i), stamp(t), lang or "", title, " ".join(sorted(codes.get(int(i), []))))
             for i, t, lang, title in rows if int(i) in ids),
            key=lambda r: (r[1], r[0]),
        )  # fmt: skip
        for limit in range(1, len(ids) + 1):
            with engine.connect() as conn:
                routes["index" if first_days(conn, story, limit) is None else "days"] += 1
            page = queries.story_articles(engine, story, limit=limit)
            assert [
                (int(r.id), stamp(r.published_at), r.language, r.title, r.countries)
                for r in page.itertuples()
            ] == expected[:limit], (story, limit)
    return routes


def test_a_storys_first_articles_are_its_oldest_by_either_read(
    engine: Engine, oracle: Oracle, store_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A story's first ``limit`` articles (the Stories page's first page) are its oldest,
    whether read through the story's index or, for a story larger than all the articles of the
    days its first page needs, from those days' articles (``first_days``: at 1M articles on
    PostgreSQL the largest story's first page read all its 389,503 articles). Over the
    syndicated store (three-article stories), and a store where one story of eight copies
    spans four days among other articles, so that a page from the days reads several days and
    other stories' articles, which it must leave out. Which read is cheaper is a cost choice
    (``DAYS_COST``), not a question of what is read: at 1 the small stores take both."""
    monkeypatch.setattr(stories_queries, "DAYS_COST", 1)
    assert _first_articles_match(engine, oracle)["index"]
    start = datetime(2026, 1, 5, 6, tzinfo=UTC)
    item = {
        "lang": "en", "topics": [], "outlet": "viva", "published_at": start,
        "title": "Russia and Ukraine exchange prisoners of war",
        "summary": "Russia and Ukraine exchanged prisoners of war on Monday.",
        "countries": [{"iso3": c, "evidence": [n], "type": "name"}
                      for c, n in (("RUS", "Russia"), ("UKR", "Ukraine"))],
    }  # fmt: skip
    rows = []
    for k in range(8):  # the story: a copy every 12 hours, by turns from three outlets
        outlet = COPY_OUTLETS[k % 3]
        rows.append({**item, "key": f"copy-{k}", "outlet": outlet,
                     "url": f"https://{outlet}.example/copy/{k}",
                     "published_at": start + timedelta(hours=12 * k)})  # fmt: skip
    for k in range(4):  # one other article a day (another story)
        rows.append({**item, "key": f"other-{k}", "url": f"https://tempo.example/other/{k}",
                     "title": f"Harvest festival number {k} draws crowds in Brazil",
                     "summary": "Farmers in Brazil celebrate the harvest.",
                     "countries": [{"iso3": "BRA", "evidence": ["Brazil"], "type": "name"}],
                     "published_at": start + timedelta(days=k, hours=3)})  # fmt: skip
    with ExitStack() as stack:
        if store_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / 'spread.db'}"
        else:
            url = stack.enter_context(private_schema("spread_"))
        build_dashboard_store(url, rows)
        spread = Oracle(url)
        stack.callback(spread.close)
        eng = store.make_engine(url)
        stack.callback(eng.dispose)
        sizes = sorted(Counter(spread.article_stories().values()).values())
        assert sizes == [4, 8], sizes  # ingest made the copies one story, the others another
        routes = _first_articles_match(eng, spread)
        assert routes["days"] >= 3 and routes["index"], routes

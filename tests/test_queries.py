"""ingest.queries against a real store of labelled articles, checked against a Python reference.

The reference (``reference``) applies the filters' documented meaning to the rows the store was
built from: countries match any, the pair both, topics any, search is a case-insensitive
 substring of the title or summary, dates are UTC days. Aggregate and scan paths must
both agree with it.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from ingest import queries, store
from ingest.queries import Filters, date_range_words, describe, slug
from ui.filters import from_query_params, to_query_params


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request, dashboard_store):  # noqa: ANN001, ANN201
    """The labelled store on SQLite, then on PostgreSQL (skipped when no server is configured)."""
    source = dashboard_store
    if request.param == "postgres":
        source = request.getfixturevalue("dashboard_store_postgres")
    eng = store.make_engine(source.url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def rows(dashboard_store):  # noqa: ANN001, ANN201
    return dashboard_store.rows


def _lower(text: str) -> str:
    return text.lower()


def reference(rows: list[dict], f: Filters, feed_titles: dict[int, str]) -> list[dict]:
    out = []
    outlets = {feed_titles[i] for i in f.feed_ids}
    for r in rows:
        day = r["published_at"].date()
        codes = {c["iso3"] for c in r["countries"]}
        if not (f.date_from <= day <= f.date_to):
            continue
        if f.countries and not codes & set(f.countries):
            continue
        if f.pair and not set(f.pair) <= codes:
            continue
        if f.topics and not set(r["topics"]) & set(f.topics):
            continue
        if f.languages and r["lang"] not in f.languages:
            continue
        if f.feed_ids and r["outlet"] not in outlets:
            continue
        if f.search:
            needle = _lower(f.search)
            if needle not in _lower(r["title"]) and needle not in _lower(r["summary"]):
                continue
        out.append(r)
    return out


ALL = Filters(date(2000, 1, 1), date(2030, 12, 31))


def filter_cases(engine) -> list[Filters]:  # noqa: ANN001
    names = queries.feed_names(engine)
    viva = next(i for i, t in names.items() if t == "viva")
    lenta = next(i for i, t in names.items() if t == "lenta")
    return [
        ALL,
        ALL.with_(countries=("RUS",)),
        ALL.with_(countries=("RUS", "USA")),
        ALL.with_(pair=("UKR", "RUS")),
        ALL.with_(pair=("RUS", "UKR"), countries=("RUS",)),
        ALL.with_(pair=("RUS", "UKR"), topics=("conflict",)),
        ALL.with_(topics=("politics",)),
        ALL.with_(topics=("politics", "diplomacy")),
        ALL.with_(topics=("politics",), countries=("USA",)),
        ALL.with_(languages=("id",)),
        ALL.with_(languages=("id", "ru"), countries=("IDN",)),
        ALL.with_(feed_ids=(viva, lenta)),
        ALL.with_(feed_ids=(viva,), topics=("politics",)),
        ALL.with_(search="indonesia"),
        ALL.with_(search="Росси"),
        ALL.with_(search="100%"),
        ALL.with_(search="a_b"),
        Filters(date(2026, 2, 1), date(2026, 2, 18)),
        Filters(date(2026, 2, 1), date(2026, 2, 18), countries=("USA",)),
        Filters(date(2022, 7, 1), date(2022, 8, 31), languages=("ko",)),
        Filters(date(1990, 1, 1), date(1990, 1, 2)),
        # Ranges that the roll-ups answer from whole months plus the days at either end.
        # (Each edge cuts a month that holds articles on both sides of the cut.)
        Filters(date(2017, 4, 16), date(2026, 2, 16)),
        Filters(date(2017, 4, 16), date(2026, 2, 16), countries=("RUS",)),
        Filters(date(2017, 4, 16), date(2026, 2, 16), pair=("RUS", "UKR")),
        Filters(date(2017, 4, 16), date(2026, 2, 16), topics=("politics",)),
        Filters(date(2017, 4, 16), date(2026, 2, 16), languages=("id", "en")),
        Filters(date(2017, 4, 27), date(2018, 1, 3), countries=("USA",)),
        Filters(date(2017, 4, 16), date(2026, 2, 16), feed_ids=(viva, lenta)),
        Filters(date(2017, 4, 16), date(2026, 2, 16), feed_ids=(viva,), countries=("IDN",)),
        Filters(date(2022, 7, 27), date(2022, 12, 31)),
        Filters(date(2022, 12, 1), date(2022, 12, 2)),
    ]


def test_the_store_holds_every_row(engine, rows) -> None:  # noqa: ANN001
    assert queries.count_articles(engine, ALL) == len(rows) > 150


def test_counts_and_lists_match_the_reference(engine, rows) -> None:  # noqa: ANN001
    names = queries.feed_names(engine)
    for f in filter_cases(engine):
        expected = reference(rows, f, names)
        assert queries.count_articles(engine, f) == len(expected), describe(f)
        listed = queries.list_articles(engine, f, limit=1000)
        assert sorted(listed["title"]) == sorted(r["title"] for r in expected), describe(f)
        tags = {
            r["title"]: (
                "; ".join(sorted({c["iso3"] for c in r["countries"]})),
                "; ".join(sorted(set(r["topics"]))),
            )
            for r in expected
        }
        got_tags = dict(
            zip(
                listed["title"],
                zip(listed["countries"], listed["topics"], strict=True),
                strict=True,
            )
        )
        assert got_tags == tags, describe(f)
        totals = queries.totals(engine, f)
        assert totals["articles"] == len(expected)
        assert totals["languages"] == len({r["lang"] for r in expected})
        assert totals["countries"] == len({c["iso3"] for r in expected for c in r["countries"]})


def test_country_pair_topic_language_counts_match_the_reference(engine, rows) -> None:  # noqa: ANN001
    names = queries.feed_names(engine)
    for f in filter_cases(engine):
        expected = reference(rows, f, names)
        countries = Counter(
            c["iso3"] for r in expected for c in {x["iso3"]: x for x in r["countries"]}.values()
        )
        got = queries.country_counts(engine, f)
        assert dict(zip(got["iso3"], got["articles"], strict=True)) == dict(countries), describe(f)
        pairs = Counter(
            p
            for r in expected
            for p in itertools.combinations(sorted({c["iso3"] for c in r["countries"]}), 2)
        )
        got_pairs = queries.pair_counts(engine, f, limit=None)
        assert {
            (a, b): n
            for a, b, n in zip(got_pairs.iso3_a, got_pairs.iso3_b, got_pairs.articles, strict=True)
        } == dict(pairs), describe(f)
        topics = Counter(t for r in expected for t in set(r["topics"]))
        got_topics = queries.topic_counts(engine, f)
        assert dict(zip(got_topics.topic, got_topics.articles, strict=True)) == dict(topics)
        langs = Counter(r["lang"] for r in expected)
        got_langs = queries.language_counts(engine, f)
        assert dict(zip(got_langs.language, got_langs.articles, strict=True)) == dict(langs)


def test_country_counts_are_ordered_and_share_is_of_all_coverage(engine, rows) -> None:  # noqa: ANN001
    f = ALL.with_(countries=("USA",))
    got = queries.country_counts(engine, f)
    assert list(got["articles"]) == sorted(got["articles"], reverse=True)
    assert got.iloc[0]["iso3"] == "USA"
    assert got.iloc[0]["country"] == "United States"
    assert got.iloc[0]["share"] == pytest.approx(got.iloc[0]["articles"] / len(rows))


def test_coverage_series_daily_and_weekly(engine, rows) -> None:  # noqa: ANN001
    names = queries.feed_names(engine)
    f = Filters(date(2026, 1, 20), date(2026, 2, 18), countries=("USA", "RUS"))
    daily = queries.coverage_series(engine, f, by="country", freq="D")
    assert set(daily["key"]) == {"USA", "RUS"}
    assert len(daily) == 2 * 30
    for code in ("USA", "RUS"):
        expected = Counter(
            r["published_at"].date() for r in reference(rows, f.with_(countries=(code,)), names)
        )
        got = daily[daily.key == code]
        assert {p.date(): n for p, n in zip(got.period, got.articles, strict=True) if n} == dict(
            expected
        )
    totals = Counter(
        r["published_at"].date() for r in reference(rows, f.with_(countries=()), names)
    )
    for p, total, share, n in zip(
        daily.period, daily.total, daily.share, daily.articles, strict=True
    ):
        assert total == totals.get(p.date(), 0)
        assert share == pytest.approx(n / total if total else 0.0)
    weekly = queries.coverage_series(engine, f, by="country", freq="W")
    assert (
        weekly.groupby("key")["articles"].sum().to_dict()
        == daily.groupby("key")["articles"].sum().to_dict()
    )
    assert all(p.weekday() == 0 for p in weekly.period)
    topic = queries.coverage_series(
        engine, ALL.with_(topics=("politics", "conflict"), date_from=date(2026, 2, 1)), by="topic"
    )
    assert set(topic["label"]) == {"Politics & elections", "Conflict"}


def test_spikes_follow_the_explained_score() -> None:
    import pandas as pd

    days = pd.date_range("2024-05-01", "2024-06-30", freq="D")
    counts = pd.Series(2, index=days)
    counts[pd.Timestamp("2024-06-19")] = 40
    frame = queries._analyse(counts, counts * 10, "PRK", "North Korea", "D", date(2024, 6, 1))
    spike = frame[frame.spike]
    assert list(spike.period.dt.date) == [date(2024, 6, 19)]
    row = spike.iloc[0]
    assert row.score == pytest.approx(queries.spike_score(40, 2.0))
    assert frame.period.min().date() == date(2024, 6, 1)


def test_spike_score_is_the_formula_the_pages_explain() -> None:
    # (articles − expected) ÷ √(expected + 1), as SPIKE_EXPLANATION says, worked by hand.
    assert "√(expected + 1)" in queries.SPIKE_EXPLANATION
    assert queries.spike_score(40, 2.0) == pytest.approx(38 / 3**0.5)
    assert queries.spike_score(7, 0.0) == pytest.approx(7.0)
    assert queries.spike_score(3, 8.0) == pytest.approx(-5 / 3)


# Watches' views (issue 15) whose spike an alert reads with ``spike_point``: the scans it starts
# from the tag indexes (pair and topic, country and topic, several countries or topics, any
# mention), a text search, one the roll-ups answer, and one counting stories.
SPIKE_VIEWS = (
    "pair=RUS-UKR",
    "pair=RUS-UKR&t=conflict",
    "c=USA&t=diplomacy",
    "c=RUS,USA",
    "t=politics,diplomacy&c=IDN",
    "c=IDN&mention=any&t=politics",
    "q=indonesia",
    "c=USA&lang=en",
    "c=USA&count=stories",
)


@pytest.mark.parametrize("view", SPIKE_VIEWS)
def test_a_days_spike_point_is_the_charts_and_the_counted_one(store_url, oracle, view) -> None:  # noqa: ANN001
    """``spike_point`` (an alert's spike) on each day the view has articles and the day after,
    on the labelled store, whose ids do not follow publication (it was built outlet by outlet,
    as a real store's need not either): see ``_check_spike_points``."""
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(view))
    counted = oracle.per_day(params)
    assert len(counted) >= 2, "a view of at least two days of articles"
    checked = {date.fromisoformat(d) + timedelta(days=n) for d in counted for n in (0, 1)}
    engine = store.make_engine(store_url)
    _check_spike_points(engine, oracle, params, sorted(checked))
    engine.dispose()


def test_a_spike_point_counts_every_article_of_its_window(db_url) -> None:  # noqa: ANN001
    """The first article stored is of the window's first day and matches; older articles were
    stored after it; one mentions North Korea once deep in its body (not prominent: counted
    under any mention only). Each view's spike point is counted exactly (``_check_spike_points``),
    and the pair's today is a spike."""
    from ingest.queries.trends import BASELINE_DAYS, SPIKE_SCORE, spike_point
    from ingest.records import (
        WHERE_BODY,
        WHERE_TITLE,
        Article,
        CountryTag,
        Prominence,
        Tags,
        TopicTag,
    )
    from tests.store_oracle import Oracle

    today = date(2026, 3, 31)
    body, title_ = Prominence(WHERE_BODY, 1), Prominence(WHERE_TITLE)
    # (title, days before today, countries (iso3, None: in the title; or where it stands))
    rows = [
        ("Russia and North Korea test a missile", BASELINE_DAYS, [("RUS", None), ("PRK", None)]),
        ("Russia and North Korea: an old summit", BASELINE_DAYS + 9, [("RUS", None), ("PRK", None)]),
        ("Iran and North Korea trade", BASELINE_DAYS + 1, [("IRN", None), ("PRK", None)]),
        ("Russia and North Korea talk", 12, [("RUS", None), ("PRK", None)]),
        ("Iran nuclear talks resume", 3, [("IRN", None)]),
        *[(f"Russia and North Korea nuclear deal, day {n}", 0, [("RUS", None), ("PRK", None)])
          for n in range(6)],
        ("Russia's grain harvest", 0, [("RUS", None), ("PRK", body)]),
        ("Nuclear plant inspection in Russia", 1, [("RUS", None), ("PRK", body)]),
    ]  # fmt: skip
    engine = store.make_engine(db_url)
    feed = store.ensure_feed(engine, "https://news.example/feed.xml", title="news", language="en")
    for n, (title, back, countries) in enumerate(rows):
        moment = datetime(today.year, today.month, today.day, 9, n, tzinfo=UTC)
        moment -= timedelta(days=back)
        tags = Tags(
            language="en",
            language_source="feed",
            countries=[CountryTag(iso3=c, prominence=p or title_) for c, p in countries],
            topics=[TopicTag(topic="nuclear")],
            tagger_version="test",
        )
        article = Article(
            url_key=f"key-{n}",
            url=f"https://news.example/{n}",
            guid=None,
            title=title,
            summary=f"{title} (Pyongyang).",
            published_at=moment,
            fetched_at=moment,
        )
        store.save_articles(engine, feed, [(article, tags)])  # one by one: ids in this order
    oracle = Oracle(db_url)
    first = oracle.rows("SELECT id, published_day FROM articles ORDER BY id")[0]
    assert str(first[1]) == (today - timedelta(days=BASELINE_DAYS)).isoformat()
    checked = [today - timedelta(days=n) for n in range(0, 4)]
    for view in (
        {"pair": "PRK-RUS", "t": "nuclear"},
        {"c": "PRK", "mention": "any", "t": "nuclear"},
        {"c": "IRN,PRK", "t": "nuclear"},
        {"q": "pyongyang", "c": "RUS"},
    ):
        assert len(oracle.per_day(view)) >= 2, view
        _check_spike_points(engine, oracle, view, checked)
    pair = from_query_params({"pair": "PRK-RUS", "t": "nuclear"}, Filters(today, today))
    assert spike_point(engine, pair).score >= SPIKE_SCORE
    oracle.close()
    engine.dispose()


def test_spike_points_read_together_are_each_views_counted_one(store_url, oracle) -> None:  # noqa: ANN001
    """An alert cycle reads the spikes of many watches together: the views the roll-ups answer
    (``rolled_spike_points``) and those of one country or a pair with one topic
    (``tagged_spike_points``). Every such view of the labelled store — each country, pair and
    topic alone, in English, counting any mention; each country and each pair with each topic
    it has, also counting any mention — on the busiest day and the day after: each
    read together, its count and expected count those the hand-written SQL counts, its point
    the one ``spike_point`` reads alone (``_check_read_together``)."""
    ct = oracle.rows(
        "SELECT DISTINCT c.iso3, t.topic FROM article_countries c "
        "JOIN article_topics t ON t.article_id = c.article_id ORDER BY 1, 2"
    )
    pt = oracle.rows(
        "SELECT DISTINCT a.iso3, b.iso3, t.topic FROM article_countries a "
        "JOIN article_countries b ON b.article_id = a.article_id AND a.iso3 < b.iso3 "
        "JOIN article_topics t ON t.article_id = a.article_id ORDER BY 1, 2, 3"
    )
    countries = sorted({c for c, _ in ct})
    topics = sorted({t for _, t in ct})
    pairs = sorted({(a, b) for a, b, _ in pt})
    rolled = [
        *(f"c={c}{extra}" for c in countries for extra in ("", "&lang=en", "&mention=any")),
        *(f"pair={a}-{b}{extra}" for a, b in pairs for extra in ("", "&mention=any")),
        *(f"t={t}{extra}" for t in topics for extra in ("", "&lang=en")),
        "",
        "lang=en",
    ]
    tagged = [
        *(f"c={c}&t={t}{extra}" for c, t in ct for extra in ("", "&mention=any")),
        *(f"pair={a}-{b}&t={t}" for a, b, t in pt),
    ]
    assert len(ct) >= 10 and len(pt) >= 10, "views enough to read together"
    busiest = oracle.rows(
        "SELECT published_day FROM articles GROUP BY published_day ORDER BY count(*) DESC, 1"
    )[:1]
    days = sorted(
        {date.fromisoformat(str(d)) + timedelta(days=n) for (d,) in busiest for n in (0, 1)}
    )
    engine = store.make_engine(store_url)
    _check_read_together(engine, oracle, rolled, tagged, days)
    engine.dispose()


def test_spike_points_read_together_count_the_mentions_their_view_counts(db_url) -> None:  # noqa: ANN001
    """Read together (``tagged_spike_points``, ``rolled_spike_points``), a country or pair with a
    topic counts the prominent mentions only, or any under ``mention=any``, in each language
    chosen: a store whose articles mention North Korea in the title or only once deep in the
    body, in English or Russian, on the days of a baseline and today."""
    from ingest.records import (
        WHERE_BODY,
        WHERE_TITLE,
        Article,
        CountryTag,
        Prominence,
        Tags,
        TopicTag,
    )
    from tests.store_oracle import Oracle

    today = date(2026, 3, 31)
    body, title_ = Prominence(WHERE_BODY, 1), Prominence(WHERE_TITLE)
    engine = store.make_engine(db_url)
    feed = store.ensure_feed(engine, "https://news.example/feed.xml", title="news", language="en")
    rng = random.Random(15)
    batch = []
    for n in range(400):
        back = rng.choice([0, 0, 0, 1, 2, 5, 9, 17, 27, 28, 29])
        moment = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)
        moment -= timedelta(days=back, minutes=n)
        codes = rng.sample(["RUS", "PRK", "IRN", "CHN"], rng.choice([1, 2, 3]))
        tags = Tags(
            language=rng.choice(["en", "ru"]),
            language_source="feed",
            countries=[CountryTag(iso3=c, prominence=rng.choice([body, title_])) for c in codes],
            topics=[
                TopicTag(topic=t) for t in rng.sample(["nuclear", "diplomacy"], rng.choice([1, 2]))
            ],
            tagger_version="test",
        )
        article = Article(
            url_key=f"key-{n}", url=f"https://news.example/{n}", guid=None, title=f"News {n}",
            summary=f"Story {n}.", published_at=moment, fetched_at=moment,
        )  # fmt: skip
        batch.append((article, tags))
    store.save_articles(engine, feed, batch)
    oracle = Oracle(db_url)
    assert oracle.rows("SELECT count(DISTINCT prominent) FROM article_countries")[0][0] == 2
    extras = ("", "&mention=any", "&lang=ru", "&mention=any&lang=en")
    codes, topics = ["CHN", "IRN", "PRK", "RUS"], ["diplomacy", "nuclear"]
    pairs = list(itertools.combinations(codes, 2))
    rolled = [
        *(f"c={c}{x}" for c in codes for x in extras),
        *(f"pair={a}-{b}{x}" for a, b in pairs for x in extras),
    ]
    tagged = [
        *(f"c={c}&t={t}{x}" for c in codes for t in topics for x in extras),
        *(f"pair={a}-{b}&t={t}{x}" for a, b in pairs for t in topics for x in extras),
    ]
    _check_read_together(engine, oracle, rolled, tagged, [today - timedelta(days=1), today])
    oracle.close()
    engine.dispose()


def _check_read_together(
    engine, oracle, rolled: list[str], tagged: list[str], days: list[date]
) -> None:  # noqa: ANN001
    """On each day: each of ``rolled`` is read by ``rolled_spike_points`` and each of ``tagged``
    by ``tagged_spike_points``, all in one call each; each point's count of the day and its
    expected count are those the hand-written SQL of tests/store_oracle.py counts (the mean of
    the 28 days before), and the point is the one ``spike_point`` reads alone."""
    from urllib.parse import parse_qsl

    from ingest.queries.trends import (
        BASELINE_DAYS,
        first_id_since,
        rolled_spike_points,
        spike_point,
        tagged_spike_points,
    )

    wide = {
        "from": (days[0] - timedelta(days=BASELINE_DAYS)).isoformat(),
        "to": days[-1].isoformat(),
    }
    counted = {view: oracle.per_day({**dict(parse_qsl(view)), **wide}) for view in rolled + tagged}
    assert sum(sum(c.values()) for c in counted.values()) > 0
    for day in days:
        views = [from_query_params(dict(parse_qsl(v)), Filters(day, day)) for v in rolled + tagged]
        first_id = first_id_since(engine, day - timedelta(days=BASELINE_DAYS))
        together = rolled_spike_points(engine, views)
        assert sorted(together) == list(range(len(rolled))), day
        more = tagged_spike_points(engine, views, first_id)
        assert sorted(more) == list(range(len(rolled), len(rolled) + len(tagged))), day
        together |= more
        start = (day - timedelta(days=BASELINE_DAYS)).isoformat()
        for n, view in enumerate(rolled + tagged):
            per_day = counted[view]
            observed = per_day.get(day.isoformat(), 0)
            before = sum(k for d, k in per_day.items() if start <= d < day.isoformat())
            point = together[n]
            assert (point.day, point.articles) == (day, observed), (view, day)
            assert point.expected == pytest.approx(before / BASELINE_DAYS), (view, day)
            assert point == spike_point(engine, views[n], first_id=first_id), (view, day)


def _check_spike_points(engine, oracle, params: dict[str, str], days: list[date]) -> None:  # noqa: ANN001
    """On each day: ``spike_point``'s count of the day and its expected count are those the
    hand-written SQL of tests/store_oracle.py counts (the mean of the 28 days before), its score
    the explained formula, and all three exactly the last point of the Coverage chart ending
    that day; with the lowest id of the window's articles given or read by itself alike."""
    from ingest.queries.trends import BASELINE_DAYS, first_id_since, spike_point

    for day in days:
        start = day - timedelta(days=BASELINE_DAYS)
        want = oracle.per_day({**params, "from": start.isoformat(), "to": day.isoformat()})
        lowest = oracle.rows(
            "SELECT min(id) FROM articles WHERE published_day >= :d", {"d": start.isoformat()}
        )[0][0]
        first_id = first_id_since(engine, start)
        assert first_id == lowest
        f = from_query_params(params, Filters(day, day))
        point = spike_point(engine, f, first_id=first_id)
        observed = want.get(day.isoformat(), 0)
        expected = sum(n for d, n in want.items() if d < day.isoformat()) / BASELINE_DAYS
        assert (point.day, point.articles) == (day, observed), (params, day)
        assert point.expected == pytest.approx(expected), (params, day)
        score = (observed - expected) / (expected + 1) ** 0.5
        assert point.score == pytest.approx(score), (params, day)
        chart = queries.coverage_series(engine, f, by="all").iloc[-1]
        assert (point.articles, point.expected, point.score) == (
            chart.articles,
            chart.baseline,
            chart.score,
        ), (params, day)
        assert spike_point(engine, f) == point


def test_pair_timeline_splits_joint_and_alone(engine, rows) -> None:  # noqa: ANN001
    names = queries.feed_names(engine)
    f = ALL.with_(date_from=date(2022, 1, 1), pair=("RUS", "UKR"))
    timeline = queries.pair_timeline(engine, f, freq="W")
    sums = timeline.groupby("series")["articles"].sum().to_dict()
    both = len(reference(rows, f, names))
    rus = len(reference(rows, f.with_(pair=None, countries=("RUS",)), names))
    ukr = len(reference(rows, f.with_(pair=None, countries=("UKR",)), names))
    assert sums == {"both": both, "a_only": rus - both, "b_only": ukr - both}
    assert both >= 5
    assert set(timeline["label"]) == {
        "Russia and Ukraine",
        "Russia without Ukraine",
        "Ukraine without Russia",
    }


def test_co_mentions_and_matrix(engine, rows) -> None:  # noqa: ANN001
    partners = queries.co_mentions(engine, ALL, "USA")
    expected = Counter(
        c
        for r in rows
        if "USA" in {x["iso3"] for x in r["countries"]}
        for c in {x["iso3"] for x in r["countries"]} - {"USA"}
    )
    assert dict(zip(partners.iso3, partners.articles, strict=True)) == dict(expected)
    matrix = queries.pair_matrix(engine, ALL, size=6)
    top = set(queries.country_counts(engine, ALL, limit=6)["iso3"])
    assert not matrix.empty
    assert set(matrix.iso3_a) | set(matrix.iso3_b) <= top


def test_who_covers_whom_uses_the_outlet_home(engine, rows) -> None:  # noqa: ANN001
    # All time (whole months), and a range cut inside months at both ends.
    for f in (ALL, Filters(date(2017, 4, 16), date(2026, 2, 16))):
        who = queries.who_covers_whom(engine, f, countries=50)
        viva_idn = who[(who.home == "IDN") & (who.iso3 == "IDN")]["articles"].sum()
        expected = sum(
            1
            for r in rows
            if r["outlet"] in ("viva", "tempo")
            and "IDN" in {c["iso3"] for c in r["countries"]}
            and f.date_from <= r["published_at"].date() <= f.date_to
        )
        assert viva_idn == expected > 0
        assert "Indonesia" in set(who.home_country)


def test_iter_articles_pages_through_everything_newest_first(engine, rows) -> None:  # noqa: ANN001
    chunks = list(queries.iter_articles(engine, ALL, chunk=7))
    assert len(chunks) == -(-len(rows) // 7)
    ids = [i for c in chunks for i in c["id"]]
    assert len(ids) == len(set(ids)) == len(rows)
    stamps = [t for c in chunks for t in c["published_at"]]
    assert stamps == sorted(stamps, reverse=True)


def test_list_articles_sorts_and_pages(engine) -> None:  # noqa: ANN001
    first = queries.list_articles(engine, ALL, sort="title", descending=False, limit=10)
    second = queries.list_articles(engine, ALL, sort="title", descending=False, limit=10, offset=10)
    titles = list(first.title) + list(second.title)
    assert titles == sorted(titles)
    assert not set(first.id) & set(second.id)
    hostile = queries.list_articles(engine, ALL, sort="1; DROP TABLE articles", limit=5)
    assert len(hostile) == 5  # an unknown sort falls back to the default
    assert queries.count_articles(engine, ALL) > 150


def test_article_evidence_offsets_point_at_the_words(engine) -> None:  # noqa: ANN001
    # Each offset is into the field it names (evidence stored with offsets into title + "\n" +
    # summary, as this store's is, is mapped to its field when read).
    rows = queries.list_articles(engine, ALL.with_(countries=("HUN",)), limit=5)
    evidence = queries.article_evidence(engine, list(rows.id))
    assert evidence
    fields = set()
    for item in evidence.values():
        for items in item["countries"].values():
            for e in items:
                text = item[e["field"]]
                assert text[e["start"] : e["start"] + len(e["text"])] == e["text"]
                fields.add(e["field"])
    assert fields == {"title", "summary"}


def test_article_evidence_says_where_each_topic_and_entity_is_most_prominent(engine) -> None:  # noqa: ANN001
    """The reader's evidence table shows every tag's prominence (topics and entities were
    blank): ``article_evidence`` holds the tag tables' own, read here directly."""
    ids = [int(i) for i in queries.list_articles(engine, ALL, limit=200).id]
    evidence = queries.article_evidence(engine, ids)
    with engine.connect() as conn:
        for table, key, field in (
            ("article_topics", "topic", "topic_prominence"),
            ("article_entities", "qid", "entity_prominence"),
        ):
            stored: dict[int, dict[str, str]] = {}
            for article_id, code, where in conn.exec_driver_sql(
                f"SELECT article_id, {key}, prominence FROM {table}"  # noqa: S608 - constants
            ):
                if article_id in evidence:
                    stored.setdefault(article_id, {})[code] = where
            assert stored, table
            assert {i: item[field] for i, item in evidence.items() if item[field]} == stored


def test_rising_scores_against_the_baseline(engine, rows) -> None:  # noqa: ANN001
    end = date(2026, 2, 18)
    got = queries.rising(engine, Filters(end - timedelta(days=29), end), kind="country", limit=50)
    recent_start = end - timedelta(days=6)
    base_start = recent_start - timedelta(days=28)
    for row in got.itertuples():
        recent = sum(
            1
            for r in rows
            if recent_start <= r["published_at"].date() <= end
            and row.key in {c["iso3"] for c in r["countries"]}
        )
        before = sum(
            1
            for r in rows
            if base_start <= r["published_at"].date() < recent_start
            and row.key in {c["iso3"] for c in r["countries"]}
        )
        assert row.recent == recent >= queries.SPIKE_MIN_ARTICLES
        assert before >= queries.BASELINE_MIN_ARTICLES  # scored only against a baseline
        assert row.score == pytest.approx(queries.spike_score(recent, before * 7 / 28), abs=0.05)
    assert list(got.score) == sorted(got.score, reverse=True)


def test_whole_months_split_a_range_into_months_and_edge_days() -> None:
    split = queries._whole_months
    assert split(date(2024, 1, 1), date(2024, 12, 31)) == (("2024-01", "2024-12"), [])
    assert split(date(2024, 1, 15), date(2024, 3, 10)) == (
        ("2024-02", "2024-02"),
        [(date(2024, 1, 15), date(2024, 1, 31)), (date(2024, 3, 1), date(2024, 3, 10))],
    )
    assert split(date(2023, 12, 2), date(2024, 2, 29)) == (
        ("2024-01", "2024-02"),
        [(date(2023, 12, 2), date(2023, 12, 31))],
    )
    assert split(date(2024, 2, 1), date(2024, 2, 28)) is None  # a leap year's February
    assert split(date(2024, 1, 5), date(2024, 2, 20)) is None
    assert split(date(2100, 12, 1), date(2100, 12, 31)) == (("2100-12", "2100-12"), [])


def test_describe_in_words() -> None:
    f = Filters(date(2024, 6, 1), date(2024, 6, 30), pair=("RUS", "PRK"))
    assert (
        describe(f) == "Articles mentioning North Korea and Russia, 1–30 June 2024, all languages"
    )
    g = Filters(
        date(2024, 5, 28),
        date(2024, 6, 3),
        countries=("IDN", "MYS", "SGP"),
        topics=("trade",),
        languages=("id", "en"),
        search="nikel",
    )
    assert describe(g) == (
        "Articles mentioning Indonesia, Malaysia or Singapore on trade & economy containing "
        "“nikel”, 28 May – 3 June 2024, in Indonesian or English"
    )
    assert (
        date_range_words(date(2023, 12, 30), date(2024, 1, 2))
        == "30 December 2023 – 2 January 2024"
    )
    assert date_range_words(date(2024, 6, 1), date(2024, 6, 1)) == "1 June 2024"


def test_slug_is_a_safe_file_name() -> None:
    f = Filters(date(2024, 6, 1), date(2024, 6, 30), pair=("RUS", "PRK"), search='../"<x>" ; rm')
    name = slug(f)
    assert name.startswith("prk-rus_")
    assert name.endswith("2024-06-01_2024-06-30")
    assert all(ch.isalnum() or ch in "_-." for ch in name)
    assert ".." not in name.replace("...", "")  # no path climbing


def test_filters_validate_their_values() -> None:
    f = Filters(
        date(2024, 6, 30),
        date(2024, 6, 1),
        countries=("RUS", "XXX", "rus", "RUS"),
        pair=("RUS", "RUS"),
        topics=("military", "nope"),
    )
    assert (f.date_from, f.date_to) == (date(2024, 6, 1), date(2024, 6, 30))
    assert f.countries == ("RUS",)
    assert f.pair is None
    assert f.topics == ("military",)


def _one_article(key: str):  # noqa: ANN202
    from ingest.records import Article, Tags

    moment = datetime(2026, 2, 1, tzinfo=UTC)
    article = Article(key, f"https://example.org/{key}", None, "A title", "", moment, moment)
    return article, Tags("en", "feed", [], [], "test")


def test_stats_demo_flag_and_range(engine, rows, tmp_path) -> None:  # noqa: ANN001
    s = queries.stats(engine)
    assert s["articles"] == len(rows)
    assert s["languages"] == dict(Counter(r["lang"] for r in rows))
    assert s["feeds_by_health"] == {"archive": s["feeds"]}
    assert not queries.is_demo_only(engine)
    first, last = queries.data_date_range(engine)
    assert first == min(r["published_at"].date() for r in rows)
    assert last == max(r["published_at"].date() for r in rows)
    default = queries.default_filters(engine)
    assert (default.date_to, (default.date_to - default.date_from).days) == (last, 29)
    other = store.make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    assert queries.data_date_range(other) is None and not queries.is_demo_only(other)
    demo_feed = store.ensure_feed(other, "archive:demo-a", source="demo")
    assert not queries.is_demo_only(other)  # no articles yet
    store.save_articles(other, demo_feed, [_one_article("a")])
    assert queries.is_demo_only(other)
    live_feed = store.ensure_feed(other, "https://example.org/rss", source="catalogue")
    assert queries.is_demo_only(other)  # a catalogue feed that has delivered nothing yet
    store.save_articles(other, live_feed, [_one_article("b")])
    assert not queries.is_demo_only(other)
    health = queries.feed_health(other)
    assert set(health.health) == {"archive", "never polled"}


HOSTILE = [
    "' OR 1=1 --",
    "'; DROP TABLE articles; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "%%%",
    "\\%",
    "1' UNION SELECT url_key FROM articles --",
    "') OR ('a'='a",
    "*/",
    "/*",
    "'||'",
    "\x00",
    "' AND sqlite_version() --",
    "Robert'); DROP TABLE feeds;--",
    "%' --",
    "' COLLATE NOCASE --",
    "$1",
    ":name",
    "?",
    "@x",
    "\u202e",
    "ⅰ",
    "ǅ",
    "Ｉｎｄｏｎｅｓｉａ",
    "indonesia%",
    "a\\_b",
]


def hostile_strings() -> list[str]:
    out = list(HOSTILE)
    for a, b in itertools.product(HOSTILE, ["", "Indonesia", "рос", " ", "x"]):
        out.append(a + b)
        out.append(b + a)
    return list(dict.fromkeys(out))[:200]


def test_hostile_search_strings_give_reference_results(engine, rows) -> None:  # noqa: ANN001
    names = queries.feed_names(engine)
    strings = hostile_strings()
    assert len(strings) == 200
    for s in strings:
        f = ALL.with_(search=s)
        assert queries.count_articles(engine, f) == len(reference(rows, f, names)), repr(s)
    assert queries.count_articles(engine, ALL) == len(rows)  # nothing was dropped


def test_search_finds_every_substring_exactly(engine, rows) -> None:  # noqa: ANN001
    """Windows of 2 to 12 characters cut from stored titles and summaries in every script
    (both cases, across word boundaries): the search index must return exactly the articles
    whose text contains them."""
    names = queries.feed_names(engine)
    rng = random.Random(4)
    needles = set()
    for r in rng.sample(rows, 60):
        for text in (r["title"], r["summary"]):
            if len(text) > 12:
                start = rng.randrange(len(text) - 12)
                needle = text[start : start + rng.randint(2, 12)]
                needles.add(rng.choice([needle, needle.upper(), needle.lower()]))
    assert len(needles) > 80
    for needle in sorted(needles):
        f = ALL.with_(search=needle)
        expected = reference(rows, f, names)
        assert queries.count_articles(engine, f) == len(expected), repr(needle)


def test_hostile_url_params_are_dropped_not_run(engine, rows) -> None:  # noqa: ANN001
    names = queries.feed_names(engine)
    defaults = queries.default_filters(engine)
    for s in hostile_strings():
        params = {key: s for key in ("from", "to", "c", "pair", "t", "lang", "feed", "q")}
        f = from_query_params(params, defaults)
        assert f.countries == () and f.pair is None and f.topics == () and f.feed_ids == ()
        assert (f.date_from, f.date_to) == (defaults.date_from, defaults.date_to)
        expected = reference(rows, f, names)
        assert queries.count_articles(engine, f) == len(expected)
        # The newest three of the reference (which three among equal times is the store's
        # choice; their times and that they match are not).
        listed = queries.list_articles(engine, f, limit=3)
        newest = sorted((r["published_at"] for r in expected), reverse=True)[:3]
        assert list(listed["published_at"]) == newest, repr(s)
        assert set(listed["title"]) <= {r["title"] for r in expected}, repr(s)


def test_query_params_round_trip() -> None:
    defaults = Filters(date(2026, 1, 1), date(2026, 1, 31))
    cases = [
        defaults,
        Filters(
            date(2024, 6, 1),
            date(2024, 6, 30),
            countries=("RUS", "PRK"),
            pair=("PRK", "RUS"),
            topics=("military", "diplomacy"),
            languages=("en", "id", ""),
            feed_ids=(3, 7),
            search="Kim & Putin, 100% «treaty»",
        ),
    ]
    for f in cases:
        params = to_query_params(f)
        assert all(isinstance(v, str) for v in params.values())
        assert from_query_params(params, defaults) == f


def test_every_aggregate_kind_is_documented_and_stored() -> None:
    from ingest.queries import aggregates

    doc = aggregates.__doc__ or ""
    for kind in aggregates.Kind:
        assert f" {kind.name} " in doc, kind
        assert f"``{kind.daily.name}``" in doc, kind
    assert sorted(k.daily.name for k in aggregates.Kind) == sorted(t.name for t in store.AGGREGATES)


def test_spike_points_read_together_leave_views_with_an_entity_filter_alone(store_url) -> None:  # noqa: ANN001
    """Neither grouped read applies a people-and-organisations filter: a country (or pair) and
    topic view that also names an entity is left to ``spike_point``, never counted without it."""
    from ingest.queries.trends import first_id_since, rolled_spike_points, tagged_spike_points

    day = date(2026, 2, 16)
    views = [
        Filters(day, day, countries=(c,), topics=("diplomacy",), entities=("Q7747",))
        for c in ("RUS", "UKR", "USA", "CHN")
    ] + [Filters(day, day, countries=("RUS",), entities=("Q7747",))]
    engine = store.make_engine(store_url)
    first_id = first_id_since(engine, day - timedelta(days=28))
    assert rolled_spike_points(engine, views) == {}
    assert tagged_spike_points(engine, views, first_id) == {}
    engine.dispose()

"""The view an analyst sees (issue 11): the default period, honest shares, view settings in the
URL, the evidence list, the map's scale, "Rising fastest" — each page through AppTest on the
shared dashboard store, expected values from hand-written SQL (tests/store_oracle.py)."""

# ruff: noqa: F811  (the fixtures of test_pages are imported, and named as arguments)
from __future__ import annotations

import base64
import json
import math
import re
from datetime import date, timedelta

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ingest.filter_words import language_name
from ingest.queries import MIN_SHARE_TOTAL
from tests.store_oracle import Oracle
from tests.test_pages import (  # noqa: F401  (fixtures)
    PERIOD,
    all_markdown,
    app,
    download,
    engine,
    open_page,
    oracle,
)
from ui import export


def held_span(oracle: Oracle) -> tuple[date, date]:
    ((first, last),) = oracle.rows("SELECT min(published_day), max(published_day) FROM articles")
    return date.fromisoformat(first), date.fromisoformat(last)


def test_default_view_is_the_last_30_days_held_and_one_click_shows_all(
    app: AppTest,
    oracle: Oracle,
) -> None:
    first, last = held_span(oracle)
    assert (last - first).days > 60  # the store spans far more than the default view
    open_page(app, "dashboard.py")
    assert app.date_input(key="flt_dates").value == (last - timedelta(days=29), last)
    assert app.query_params["from"] in ((last - timedelta(days=29)).isoformat(),
                                        [(last - timedelta(days=29)).isoformat()])  # fmt: skip
    app.button(key="flt_all_dates").click().run()
    assert not app.exception
    assert app.date_input(key="flt_dates").value == (first, last)
    params = {k: app.query_params[k] for k in ("from", "to")}
    assert {k: v[0] if isinstance(v, list) else v for k, v in params.items()} == {
        "from": first.isoformat(),
        "to": last.isoformat(),
    }
    period = {"from": first.isoformat(), "to": last.isoformat()}
    assert app.metric[0].value == f"{oracle.count(period):,}"


def rising_shown(app: AppTest) -> dict[str, list[tuple]]:
    """The rising tables on the Overview (found by their columns), as (label, recent,
    expected, score)."""
    out = {}
    for d in app.dataframe:
        if list(d.value.columns) == ["label", "recent", "expected", "score"]:
            rows = [tuple(r) for r in d.value.itertuples(index=False)]
            out["pairs" if rows and " – " in rows[0][0] else "countries"] = rows
    return out


def test_rising_scores_only_against_a_baseline(app: AppTest, oracle: Oracle) -> None:
    period = {"from": "2026-01-20", "to": "2026-02-18"}
    open_page(app, "dashboard.py", period)
    shown = rising_shown(app)
    for kind, plural in (("country", "countries"), ("pair", "pairs")):
        expected = oracle.rising(period, kind, period["to"])
        got = shown.get(plural, [])
        assert [(r[1], round(r[2], 1)) for r in got] == [
            (r, round(e, 1)) for _k, r, e, _s in expected
        ]
        assert all(r[2] > 0 for r in got), "never scored against an expected 0"
    # A period whose days before hold (almost) nothing: no baseline, and the page says why.
    first, _last = held_span(oracle)
    end = first + timedelta(days=10)
    open_page(app, "dashboard.py", {"from": first.isoformat(), "to": end.isoformat()})
    assert not rising_shown(app)
    why = [i.value for i in app.info if "No baseline" in i.value]
    assert len(why) == 2 and "of the 28 days before" in why[0]


def decoded(value: object) -> list:
    """A Plotly JSON array as a list (typed arrays arrive base64-encoded: {dtype, bdata})."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return [None if isinstance(v, float) and math.isnan(v) else v for v in array.tolist()]
    return list(value or [])


def figures(app: AppTest) -> list[dict]:
    """The Plotly figures on the page, as their JSON."""
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


def trace(fig: dict, name: str) -> dict:
    (found,) = [t for t in fig["data"] if t.get("name") == name]
    return found


def months(start: str, end: str) -> list[str]:
    out, (y, m) = [], (int(start[:4]), int(start[5:7]))
    while f"{y:04d}-{m:02d}" <= end[:7]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_share_is_drawn_only_over_enough_articles_and_its_rolling_mean_too(
    app: AppTest, oracle: Oracle
) -> None:
    period = {"from": "2014-01-01", "to": "2026-02-18", "c": "USA"}
    open_page(app, "app_pages/1_Coverage.py", {**period, "measure": "share", "grain": "M"})
    assert app.radio(key="cov_measure").value == "share"
    (fig, *_rest) = figures(app)
    by_month = lambda counts: {m: sum(n for d, n in counts.items() if d[:7] == m)  # noqa: E731
                               for m in months(period["from"], period["to"])}  # fmt: skip
    total = by_month(oracle.per_day(oracle.base(period)))
    usa = by_month(oracle.per_day(period))
    every = months(period["from"], period["to"])
    expected = [100 * usa[m] / total[m] if total[m] >= MIN_SHARE_TOTAL else None for m in every]
    got = decoded(trace(fig, "United States")["y"])
    assert [None if v is None else round(v, 6) for v in got] == [
        None if v is None else round(v, 6) for v in expected
    ]
    assert any(v is not None for v in expected) and any(v is None for v in expected)
    assert all(v is None or v < 100 for v in got)  # a thin month never shows 100 %
    # The rolling mean in share mode: three months' articles over three months' total.
    rolled = decoded(trace(fig, "United States (rolling mean)")["y"])
    for i, m in enumerate(every):
        window = every[max(0, i - 2) : i + 1]
        n, t = sum(usa[w] for w in window), sum(total[w] for w in window)
        want = 100 * n / t if t >= MIN_SHARE_TOTAL else None
        assert rolled[i] == pytest.approx(want) if want is not None else rolled[i] is None, m
    assert "at least 20 articles" in " ".join(a["text"] for a in fig["layout"]["annotations"])
    words = " ".join(c.value for c in app.caption)
    assert "all articles that month" in words and "that day" not in words


def test_all_coverage_never_draws_a_comb_of_100_percent(app: AppTest) -> None:
    open_page(app, "app_pages/1_Coverage.py", {**PERIOD, "series": "total", "measure": "share"})
    (fig, *_rest) = figures(app)
    assert fig["layout"]["yaxis"]["title"]["text"] == "articles"
    assert any("showing articles, not a share" in c.value for c in app.caption)


def url(app: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in app.query_params.items()}


def test_coverage_view_settings_come_back_from_the_url(app: AppTest) -> None:
    view = {"series": "total", "grain": "W", "measure": "articles", "rolling": "0"}
    open_page(app, "app_pages/1_Coverage.py", {**PERIOD, **view})
    assert app.radio(key="cov_by").value == "total"
    assert app.radio(key="cov_freq").value == "W"
    assert app.checkbox(key="cov_rolling").value is False
    names = [t["name"] for t in figures(app)[0]["data"]]
    assert "All coverage" in names and not [n for n in names if "rolling" in n]
    name, _rows = download(app, "dl_coverage-total-weekly")
    # A change goes into the URL; a filter change keeps the view settings.
    app.radio(key="cov_measure").set_value("share").run()
    assert url(app)["measure"] == "share"
    app.multiselect(key="flt_languages").set_value(["en"]).run()
    assert {k: url(app).get(k) for k in ("series", "grain", "measure", "rolling", "lang")} == {
        **view,
        "measure": "share",
        "lang": "en",
    }
    app.radio(key="cov_freq").set_value("auto").run()  # back to the default: out of the URL
    assert "grain" not in url(app)


def test_articles_sort_size_and_page_come_back_from_the_url(app: AppTest, oracle: Oracle) -> None:
    period = {"from": "2000-01-01", "to": "2026-02-18"}
    open_page(app, "app_pages/4_Articles.py", {**period, "sort": "title", "per": "25", "page": "2"})
    assert (app.selectbox(key="art_sort").value, app.selectbox(key="art_size").value) == (
        "title",
        25,
    )
    assert app.number_input(key="art_page").value == 2
    _, rows = download(app, "dl_articles-page-2")
    every = sorted(a["title"] for a in oracle.articles(period))
    assert [r[1] for r in rows[1:]] == [export.guard_cell(t) for t in every[25:50]]
    app.number_input(key="art_page").set_value(3).run()
    assert url(app)["page"] == "3" and url(app)["sort"] == "title" and url(app)["per"] == "25"
    # Nonsense in the URL falls back to the defaults, never an error.
    fresh = AppTest.from_file(app._script_path, default_timeout=120)
    open_page(fresh, "app_pages/4_Articles.py", {**period, "sort": "drop", "per": "7", "page": "x"})
    assert fresh.selectbox(key="art_sort").value == "newest"
    assert fresh.selectbox(key="art_size").value == 50
    assert fresh.number_input(key="art_page").value == 1


def test_map_shade_scale_and_focus_come_back_from_the_url(app: AppTest) -> None:
    open_page(app, "app_pages/2_Map.py",
              {"from": "2000-01-01", "to": "2026-02-18", "shade": "share", "scale": "log",
               "focus": "UKR"})  # fmt: skip
    assert app.radio(key="map_measure").value == "share"
    assert app.radio(key="map_scale").value == "log"
    assert app.selectbox(key="map_focus").value == "UKR"
    _, partners = download(app, "dl_co-mentions-ukr")
    assert len(partners) > 1
    # A focus cleared against the filter's default country is kept as "none".
    open_page(app, "app_pages/2_Map.py", {"c": "RUS", "focus": "none"})
    assert app.selectbox(key="map_focus").value == ""
    assert url(app)["focus"] == "none"


ONE_DECIMAL_PERCENT = re.compile(r"\d+\.\d%")


@pytest.mark.parametrize("scale", ["linear", "quantile"])
def test_the_map_shows_every_share_as_a_percentage_with_one_decimal(
    app: AppTest, oracle: Oracle, scale: str
) -> None:
    """Hover, colour bar, the focus country and the table all show a share one way, "33.6%"
    (they showed 33.62 in the hover, 33.62% and 4.8% in the table, 0.3 in a colour bar); the
    table's values are the shares direct SQL counts, in percent."""
    period = {"from": "2026-01-20", "to": "2026-02-18"}
    open_page(app, "app_pages/2_Map.py", {**period, "shade": "share", "scale": scale,
                                           "focus": "RUS"})  # fmt: skip
    shade, focus = figures(app)[0]["data"][:2]
    assert "%{customdata:.1f}% of articles" in shade["hovertemplate"]
    expected = {c: share for c, _n, share in oracle.country_counts(period)}
    assert f"<br>{expected['RUS'] * 100:.1f}% of articles<" in focus["hovertemplate"]
    bar = shade["colorbar"]
    if scale == "linear":
        assert (bar["ticksuffix"], bar["tickformat"]) == ("%", ".1f")
    else:
        assert all(ONE_DECIMAL_PERCENT.fullmatch(t) for t in bar["ticktext"]), bar["ticktext"]
    (table,) = [t for t in app.dataframe if "share" in t.value.columns]
    column = json.loads(table.proto.columns)["share"]
    assert column["type_config"]["format"] == "%.1f%%", column
    shown = dict(zip(table.value["country"], table.value["share"], strict=True))
    assert shown["Russia"] == pytest.approx(expected["RUS"] * 100)


@pytest.mark.parametrize(
    ("start", "end", "grain", "periods"),
    [
        ("2025-12-20", "2026-02-18", "daily", lambda s, e: (e - s).days + 1),
        ("2024-03-01", "2026-02-18", "weekly",
         lambda s, e: (e - timedelta(days=e.weekday()) - (s - timedelta(days=s.weekday()))).days
         // 7 + 1),
        ("2014-01-01", "2026-02-18", "monthly",
         lambda s, e: (e.year - s.year) * 12 + e.month - s.month + 1),
    ],
)  # fmt: skip
def test_coverage_picks_its_grain_from_the_range(
    app: AppTest, oracle: Oracle, start: str, end: str, grain: str, periods
) -> None:  # noqa: ANN001
    period = {"from": start, "to": end, "c": "USA"}
    open_page(app, "app_pages/1_Coverage.py", period)
    name, rows = download(app, f"dl_coverage-country-{grain}")
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    assert len(rows) - 1 == periods(s, e)
    assert sum(int(r[3]) for r in rows[1:]) == oracle.count(period)


def evidence_blocks(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if "<mark" in m.value and "Highlights" not in m.value]


def test_pair_evidence_ranks_prominent_articles_first_in_snippets_and_pages(
    app: AppTest, oracle: Oracle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import sizes

    monkeypatch.setattr(sizes, "EVIDENCE_ARTICLES", 3)  # pages of 3, on a pair of 8 articles
    period = {"from": "2000-01-01", "to": "2026-02-18", "pair": "RUS-UKR"}
    joint = oracle.count(period)
    expected = oracle.pair_articles_ranked(period)
    assert joint == len(expected) > 6
    open_page(app, "app_pages/3_Country_pair.py", period)
    assert any(f"Showing 3 of {joint:,} articles" in c.value for c in app.caption)
    _, rows = download(app, "dl_pair-articles")
    assert [r[1] for r in rows[1:]] == [export.guard_cell(a["title"]) for a in expected[:3]]
    app.button(key="pair_more").click().run()
    assert any(f"Showing 6 of {joint:,} articles" in c.value for c in app.caption)
    assert url(app)["shown"] == "6"
    _, rows = download(app, "dl_pair-articles")
    assert [r[1] for r in rows[1:]] == [export.guard_cell(a["title"]) for a in expected[:6]]
    # A shared link with shown=6 opens with six, in a fresh session.
    fresh = AppTest.from_file(app._script_path, default_timeout=120)
    open_page(fresh, "app_pages/3_Country_pair.py", {**period, "shown": "6"})
    assert len(evidence_blocks(fresh)) == 6
    open_page(fresh, "app_pages/3_Country_pair.py", {**period, "shown": str(joint)})
    assert len(evidence_blocks(fresh)) == joint
    assert not [b for b in fresh.button if b.key == "pair_more"]  # nothing more to show
    # Each country in its own colour, the same in the legend and in the text; snippets, not
    # whole summaries; the language of each article on its title.
    (legend,) = [m.value for m in app.markdown if "Highlights" in m.value]
    colour = {name: re.search(rf'background-color:(#[0-9a-f]{{6}})[^>]*>{name}<', legend).group(1)
              for name in ("Russia", "Ukraine")}  # fmt: skip
    assert colour["Russia"] != colour["Ukraine"]
    blocks = evidence_blocks(fresh)
    for name in ("Russia", "Ukraine"):
        marks = [m for b in blocks for m in re.findall(rf'<mark title="{name}"[^>]*>', b)]
        assert marks and all(colour[name] in m for m in marks)
    for block, item in zip(blocks, expected, strict=False):
        assert f'lang="{item["language"]}"' in block
        # Evidence positions in the summary, from the stored tags: a stretch of more than
        # 2 × 90 characters with none is left out ("…").
        offset = len(item["title"]) + 1
        starts = sorted(
            json_start - offset
            for (raw,) in oracle.rows(
                "SELECT evidence FROM article_countries WHERE article_id = :i AND iso3 IN "
                "('RUS', 'UKR')", {"i": item["id"]})
            for json_start in (e["start"] for e in json.loads(raw))
            if json_start >= offset
        )  # fmt: skip
        edges = [0, *starts, len(item["summary"])]
        gap = max(b - a for a, b in zip(edges, edges[1:], strict=False))
        if gap > 2 * 90 + 40:
            assert "…" in block


def test_a_snippet_keeps_the_words_around_the_evidence_only() -> None:
    from ui import highlight

    filler = [f"w{i:03d}" for i in range(250)]  # 250 distinct words, 1,249 characters
    summary = " ".join(filler[:120] + ["Moskow"] + filler[120:])
    title = "A title"
    start = len(title) + 1 + summary.index("Moskow")
    block = highlight.article_html(
        title, summary, None, [(start, start + 6, "Russia")], lang="ru",
        colours={"Russia": highlight.PALETTE[1]}, snippet=True,
    )  # fmt: skip
    assert '<mark title="Russia" style="background-color:' in block and ">Moskow</mark>" in block
    assert block.count("…") == 2 and 'lang="ru"' in block
    kept = [w for w in filler if w in block]
    assert kept and set(kept) < set(filler)
    # Everything kept lies within 90 characters of the evidence.
    for w in kept:
        assert abs(summary.index(w) - summary.index("Moskow")) <= 90 + 6


@pytest.mark.parametrize(
    "page",
    ["dashboard.py", "app_pages/1_Coverage.py", "app_pages/2_Map.py",
     "app_pages/3_Country_pair.py"],
)  # fmt: skip
def test_every_chart_has_a_title_and_counts_tick_in_whole_numbers(app: AppTest, page: str) -> None:
    open_page(app, page, {"from": "2000-01-01", "to": "2026-02-18", "pair": "RUS-UKR"})
    figs = figures(app)
    assert figs
    for fig in figs:
        layout = fig["layout"]
        assert (layout.get("title") or {}).get("text"), layout.get("title")
        for axis in ("xaxis", "yaxis"):
            spec = layout.get(axis) or {}
            if (spec.get("title") or {}).get("text") == "articles":
                # Whole numbers: a ",d" format, and for small counts one tick per unit.
                assert spec.get("tickformat") == ",d", spec
                if "dtick" in spec:
                    assert float(spec["dtick"]) >= 1


def test_languages_are_named_and_titles_carry_their_language(app: AppTest, oracle: Oracle) -> None:
    open_page(app, "dashboard.py", PERIOD)
    latest = [m.value for m in app.markdown if "<b lang=" in m.value]
    stored = oracle.articles(PERIOD, 10)
    assert len(latest) == len(stored)
    for block, item in zip(latest, stored, strict=True):
        assert f'<b lang="{item["language"]}">' in block
        assert f"· {item['language']}<" not in block  # the name, not the code
    open_page(app, "app_pages/4_Articles.py", PERIOD)
    # The Published cell stacks day, outlet and language, its lines apart by a space and the
    # words of a line by no-break spaces: the last line is the language's name.
    (table,) = [d.value for d in app.dataframe if "source" in d.value.columns]
    shown = {cell.rsplit(" ", 1)[-1].replace("\u00a0", " ") for cell in table["source"]}
    codes = {a["language"] for a in oracle.articles(PERIOD)}
    assert codes and not codes & shown  # "English", never "en"
    assert shown <= {language_name(code) for code in codes}


def test_the_demo_toast_only_for_the_reader_who_watched_the_seeding(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_DATABASE_URL", f"sqlite:///{tmp_path / 'seed.db'}")
    monkeypatch.setenv("PANTAU_SEED_DEMO", "1")
    first = AppTest.from_file(app_script(), default_timeout=240)
    first.run()
    for _ in range(120):  # the page re-runs itself while the seeding thread works
        if first.metric:
            break
        first.run()
    assert first.metric, "the store was seeded"
    assert [t.value for t in first.toast if "demo articles" in t.value]
    later = AppTest.from_file(app_script(), default_timeout=240)  # another reader, afterwards
    later.run()
    assert later.metric and not [t.value for t in later.toast if "demo articles" in t.value]


def app_script() -> str:
    from tests.test_pages import ROOT

    return str(ROOT / "dashboard.py")


def test_the_articles_table_never_shows_none(app: AppTest, oracle: Oracle) -> None:
    """A link that is not http(s) is left out as an empty cell, not a grey "None" (item 10)."""
    open_page(app, "app_pages/4_Articles.py", {**PERIOD, "per": "200"})
    (table,) = [d.value for d in app.dataframe if "url" in d.value.columns]
    unsafe = [u for (u,) in oracle.rows("SELECT url FROM articles WHERE url NOT LIKE 'http%'")]
    assert unsafe and len(table) == oracle.count(PERIOD)  # the page holds the unsafe links
    assert not table.isna().any().any()
    assert sum(table["url"] == "") >= 1


def test_coverage_point_comes_back_from_the_url(app: AppTest, oracle: Oracle) -> None:
    """The chosen point (series and period: the articles listed under the chart) is in the URL
    and a link opens on it in a fresh session (item 4)."""
    period = {"from": "2026-02-01", "to": "2026-02-18", "c": "USA,RUS"}
    open_page(app, "app_pages/1_Coverage.py", period)
    first_key = app.selectbox(key="cov_point_key").value
    newest = app.selectbox(key="cov_point_day").value
    assert "point" not in url(app) and "period" not in url(app)  # the defaults stay out
    code = next(c for c in ("RUS", "USA") if c != first_key)
    per_day = oracle.per_day({**period, "c": code})
    day = max(sorted(per_day), key=lambda d: per_day[d])  # its busiest day, not the newest
    assert date.fromisoformat(day) != date.fromisoformat(str(newest))
    app.selectbox(key="cov_point_key").set_value(code)
    app.selectbox(key="cov_point_day").set_value(date.fromisoformat(day)).run()
    assert not app.exception
    assert (url(app)["point"], url(app)["period"]) == (code, day)
    shown = {**period, "c": code, "from": day, "to": day}
    # A link to that point, in a fresh session: the same point, the same articles.
    fresh = AppTest.from_file(app._script_path, default_timeout=120)
    open_page(fresh, "app_pages/1_Coverage.py", {**period, "point": code, "period": day})
    assert fresh.selectbox(key="cov_point_key").value == code
    assert str(fresh.selectbox(key="cov_point_day").value) == day
    _, rows = download(fresh, "dl_point-articles")
    expected = oracle.articles(shown)
    assert [r[1] for r in rows[1:]] == [export.guard_cell(a["title"]) for a in expected]
    assert len(expected) == per_day[day] > 0
    # A point the view does not hold falls back to the defaults, never an error.
    other = AppTest.from_file(app._script_path, default_timeout=120)
    open_page(other, "app_pages/1_Coverage.py", {**period, "point": "ZZZ", "period": "x"})
    assert other.selectbox(key="cov_point_key").value == first_key
    assert other.selectbox(key="cov_point_day").value == newest


def test_the_reader_names_the_language(app: AppTest, oracle: Oracle) -> None:
    """The reader view (Articles, Country pair) says "English", never "en" (item 11)."""
    from ingest.filter_words import language_name

    open_page(app, "app_pages/4_Articles.py", PERIOD)
    (newest,) = oracle.articles(PERIOD, 1)
    (meta,) = re.findall(r"<small>([^<]*UTC[^<]*)</small>", all_markdown(app))
    assert meta.endswith(f"UTC · {language_name(newest['language'])}")
    assert language_name(newest["language"]) != newest["language"]
    period = {"from": "2000-01-01", "to": "2026-02-18", "pair": "RUS-UKR"}
    open_page(app, "app_pages/3_Country_pair.py", period)
    app.selectbox(key="pair_read").set_value(oracle.pair_articles_ranked(period)[0]["id"]).run()
    (meta,) = re.findall(r"<small>([^<]*UTC[^<]*)</small>", all_markdown(app))
    assert not re.search(r"UTC · [a-z]{2}$", meta) and meta.rsplit(" · ", 1)[1][0].isupper()

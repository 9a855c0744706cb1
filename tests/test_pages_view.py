"""The view an analyst sees (issue 11): the default period, honest shares, view settings in the
URL, the evidence list, the map's scale, "Rising fastest" — each page through AppTest on the
shared dashboard store, expected values from hand-written SQL (tests/store_oracle.py)."""

# ruff: noqa: F811  (the fixtures of test_pages are imported, and named as arguments)
from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from tests.store_oracle import Oracle
from tests.test_pages import app, download, engine, open_page, oracle  # noqa: F401  (fixtures)


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

"""The view an analyst sees (issue 11): the default period, honest shares, view settings in the
URL, the evidence list, the map's scale, "Rising fastest" — each page through AppTest on the
shared dashboard store, expected values from hand-written SQL (tests/store_oracle.py)."""

from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from tests.store_oracle import Oracle
from tests.test_pages import app, download, engine, open_page, oracle  # noqa: F401  (fixtures)


def held_span(oracle: Oracle) -> tuple[date, date]:  # noqa: F811
    ((first, last),) = oracle.rows("SELECT min(published_day), max(published_day) FROM articles")
    return date.fromisoformat(first), date.fromisoformat(last)


def test_default_view_is_the_last_30_days_held_and_one_click_shows_all(
    app: AppTest,  # noqa: F811
    oracle: Oracle,  # noqa: F811
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

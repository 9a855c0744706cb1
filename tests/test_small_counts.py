"""Issue 11 item 6: where a pair or country rests on very few articles, the page says so next to
the number (``ui.counts``). Oracle: the article counts by hand-written SQL (tests/store_oracle)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.store_oracle import Oracle
from ui import charts
from ui.counts import FEW_ARTICLES

ROOT = Path(__file__).resolve().parent.parent
PERIOD = {"from": "2000-01-01", "to": "2026-02-18"}


@pytest.fixture(scope="module")
def oracle(dashboard_store) -> Iterator[Oracle]:  # noqa: ANN001
    o = Oracle(dashboard_store.url)
    yield o
    o.close()


@pytest.fixture
def app(dashboard_store, monkeypatch: pytest.MonkeyPatch) -> AppTest:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_DATABASE_URL", dashboard_store.url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


def _pair_page(app: AppTest, pair: str) -> AppTest:
    for key, value in {**PERIOD, "pair": pair}.items():
        app.query_params[key] = value
    app.switch_page("app_pages/3_Country_pair.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_a_pair_with_few_articles_says_so_beside_each_number(app: AppTest, oracle: Oracle) -> None:
    pairs = oracle.pair_counts(PERIOD)
    few = next((a, b, n) for a, b, n in pairs if n < FEW_ARTICLES)
    a, b, joint = few
    _pair_page(app, f"{a}-{b}")
    counts = [
        joint,
        oracle.count({**PERIOD, "c": a}),
        oracle.count({**PERIOD, "c": b}),
    ]
    assert [m.value for m in app.metric[:3]] == [f"{n:,}" for n in counts]
    for metric, n in zip(app.metric[:3], counts, strict=True):
        if n < FEW_ARTICLES:
            assert f"only {n} article" in (metric.proto.delta or ""), (metric.label, n)
        else:
            assert not metric.proto.delta, (metric.label, n)


def test_a_well_covered_pair_carries_no_note(app: AppTest, oracle: Oracle) -> None:
    joint = oracle.count({**PERIOD, "pair": "RUS-UKR"})
    assert joint >= FEW_ARTICLES
    _pair_page(app, "RUS-UKR")
    assert app.metric[0].value == f"{joint:,}"
    assert not app.metric[0].proto.delta


def test_pick_list_and_bars_mark_the_small_counts(app: AppTest, oracle: Oracle) -> None:
    pairs = oracle.pair_counts(PERIOD)
    _pair_page(app, "RUS-UKR")
    jump = app.selectbox(key="pair_jump")
    shown = {option: option for option in jump.options}
    top = pairs[: len(shown)]
    assert any(n < FEW_ARTICLES for _, _, n in top) or not top, "no small pair in the top list"
    for _a, _b, n in top:
        label = next(o for o in shown if f"({n:,} article" in o)
        assert label.endswith(", few)") == (n < FEW_ARTICLES)
    frame = pd.DataFrame(
        {"pair": [f"{a}–{b}" for a, b, _ in pairs], "articles": [n for *_, n in pairs]}
    )
    bars = charts.bar_figure(frame, "pair", "articles").data[0]
    for count, note in zip(bars.x, bars.text, strict=True):
        assert (note == "few") == (0 < count < FEW_ARTICLES)

"""Figure builders: human labels, consistent colours, spikes marked, offline map config."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from ingest import queries, store
from ingest.queries import Filters
from ui import charts

ALL = Filters(date(2000, 1, 1), date(2030, 12, 31))


@pytest.fixture(scope="module")
def engine(dashboard_store):  # noqa: ANN001, ANN201
    eng = store.make_engine(dashboard_store.url)
    yield eng
    eng.dispose()


def test_colours_are_stable_and_from_the_palette() -> None:
    assert charts.colour_for("RUS") == charts.colour_for("RUS")
    assert charts.colour_for("RUS") in charts.PALETTE
    assert len({charts.colour_for(c) for c in ("RUS", "UKR", "USA", "CHN", "PRK", "IDN")}) >= 4


def test_coverage_figure_names_series_and_marks_spikes() -> None:
    days = pd.date_range("2024-05-01", "2024-06-30", freq="D")
    counts = pd.Series(2, index=days)
    counts[pd.Timestamp("2024-06-19")] = 40
    frame = queries._analyse(counts, counts * 10, "PRK", "North Korea", "D", date(2024, 6, 1))
    fig = charts.coverage_figure(frame)
    names = [t.name for t in fig.data]
    assert names[0] == "North Korea"
    spike = [t for t in fig.data if t.name == "North Korea: spike"]
    assert len(spike) == 1 and list(spike[0].y) == [40]
    assert tuple(spike[0].customdata[0]) == ("PRK", "2024-06-19")
    line = fig.data[0]
    assert line.line.color == charts.colour_for("PRK")
    share = charts.coverage_figure(frame, measure="share")
    assert share.layout.yaxis.title.text == "% of all articles"
    assert max(share.data[0].y) == pytest.approx(10.0)


def test_a_clicked_point_gives_its_series_and_day() -> None:
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-06-18", "2024-06-19"]),
            "key": ["PRK", "PRK"], "label": ["North Korea"] * 2, "articles": [2, 40],
            "share": [0.1, 0.5], "rolling": [2.0, 21.0], "score": [0.0, 9.0],
            "spike": [False, True],
        }
    )  # fmt: skip
    fig = charts.coverage_figure(frame)
    clicked = {"x": "2024-06-19", "y": 40, "customdata": list(fig.data[0].customdata[1])}

    def selection(*points: object) -> SimpleNamespace:
        return SimpleNamespace(selection=SimpleNamespace(points=list(points)))

    assert charts.picked_point(selection({"x": 1}, clicked)) == ("PRK", date(2024, 6, 19))
    assert charts.picked_point(selection()) is None
    assert charts.picked_point(None) is None


def test_choropleth_uses_names_and_draws_focus_lines(engine) -> None:  # noqa: ANN001
    counts = queries.country_counts(engine, ALL)
    partners = queries.co_mentions(engine, ALL, "RUS")
    fig = charts.choropleth_figure(counts, focus="RUS", partners=partners)
    choropleth = fig.data[0]
    assert choropleth.type == "choropleth" and choropleth.locationmode == "ISO-3"
    assert "Ukraine" in list(choropleth.text) and "UKR" in list(choropleth.locations)
    assert "RUS" not in list(choropleth.locations)  # the focus has its own trace and colour
    assert list(fig.data[1].locations) == ["RUS"]
    lines = [t for t in fig.data if t.type == "scattergeo" and t.mode == "lines"]
    assert len(lines) == len(partners) > 0
    widths = [t.line.width for t in lines]
    assert widths[0] == max(widths)  # the most co-mentioned partner has the widest line
    assert charts.MAP_CONFIG["topojsonURL"] == "/app/static/"


def test_heatmap_and_bars_use_human_labels(engine) -> None:  # noqa: ANN001
    who = queries.who_covers_whom(engine, ALL)
    fig = charts.heatmap_figure(who, "home_country", "country")
    assert "Indonesia" in list(fig.data[0].y)
    assert all(len(x) > 3 for x in fig.data[0].x)  # names, not ISO codes
    matrix = charts.pair_matrix_figure(queries.pair_matrix(engine, ALL, size=6))
    z = matrix.data[0].z
    assert (z == z.T).all()  # symmetric
    top = queries.country_counts(engine, ALL, limit=5)
    bars = charts.bar_figure(top, "country", "articles")
    assert list(bars.data[0].y)[-1] == top.iloc[0]["country"]  # largest on top


def test_empty_inputs_give_a_kind_figure() -> None:
    empty = pd.DataFrame(
        columns=["key", "label", "period", "articles", "share", "rolling", "spike"]
    )
    fig = charts.coverage_figure(empty)
    assert fig.layout.annotations[0].text.startswith("No articles")
    assert charts.bar_figure(pd.DataFrame(columns=["a", "b"]), "a", "b").layout.annotations

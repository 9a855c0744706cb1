"""The map (issue 11 item 8): great-circle lines that stay on the map, log and quantile colour
scales labelled in real values, and "no mentions" drawn unlike "few". Expected values from
spherical geometry written here and from hand-written SQL (tests/store_oracle.py)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from ingest import queries, store
from ingest.geo import get_country
from ingest.queries import Filters
from tests.store_oracle import Oracle
from ui import charts

ALL = Filters(date(2000, 1, 1), date(2030, 12, 31))
EARTH = 6371.0


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def engine(dashboard_store):  # noqa: ANN001, ANN201
    eng = store.make_engine(dashboard_store.url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize(
    ("a", "b"),
    [("RUS", "USA"), ("USA", "JPN"), ("IDN", "BRA"), ("NZL", "GBR"), ("FRA", "FRA")],
)
def test_lines_follow_the_great_circle_and_stay_on_the_map(a: str, b: str) -> None:
    ca, cb = get_country(a), get_country(b)
    lons, lats = charts.great_circle(ca.lon, ca.lat, cb.lon, cb.lat)
    shown = charts.unwrapped(lons, ca.lon)
    # Ends at the two places; the path is as long as the great-circle distance (a straight
    # line on the projection, or the long way round, is longer).
    assert (lons[0], lats[0]) == pytest.approx((ca.lon, ca.lat), abs=1e-6)
    assert haversine(lons[-1], lats[-1], cb.lon, cb.lat) < 1e-3
    path = sum(
        haversine(shown[i], lats[i], shown[i + 1], lats[i + 1]) for i in range(len(lats) - 1)
    )
    assert path == pytest.approx(haversine(ca.lon, ca.lat, cb.lon, cb.lat), rel=1e-3, abs=1e-3)
    # On the map centred on the first place: inside the drawn latitudes, never jumping across
    # the map's edge (no step longer than a few degrees of longitude).
    low, high = charts.MAP_LATITUDES
    assert all(low <= y <= high for y in lats)
    assert all(ca.lon - 180 <= x <= ca.lon + 180 for x in shown)
    assert all(abs(shown[i + 1] - shown[i]) < 30 for i in range(len(shown) - 1))


def test_the_focus_map_is_centred_on_it_and_keeps_its_lines(engine) -> None:  # noqa: ANN001
    counts = queries.country_counts(engine, ALL)
    partners = queries.co_mentions(engine, ALL, "USA")
    fig = charts.choropleth_figure(counts, focus="USA", partners=partners)
    centre = get_country("USA").lon
    assert fig.layout.geo.projection.rotation.lon == pytest.approx(centre)
    lines = [t for t in fig.data if t.type == "scattergeo" and t.mode == "lines"]
    assert len(lines) == len(partners) > 0
    for line in lines:
        assert all(centre - 180 <= x <= centre + 180 for x in line.lon)
        assert max(line.lat) <= fig.layout.geo.lataxis.range[1]


def test_log_and_quantile_scales_label_real_values(engine, dashboard_store) -> None:  # noqa: ANN001
    oracle = Oracle(dashboard_store.url)
    expected = {c: n for c, n, _share in oracle.country_counts({"from": "2000-01-01",
                                                                 "to": "2030-12-31"})}  # fmt: skip
    oracle.close()
    counts = queries.country_counts(engine, ALL)
    log = charts.choropleth_figure(counts, scale="log").data[0]
    for code, z in zip(log.locations, log.z, strict=True):
        assert z == pytest.approx(math.log10(expected[code]))
    labels = [float(t.replace(",", "")) for t in log.colorbar.ticktext]
    assert labels[0] == 1 and max(labels) <= max(expected.values())
    assert list(log.colorbar.tickvals) == pytest.approx([math.log10(v) for v in labels])
    quantile = charts.choropleth_figure(counts, scale="quantile").data[0]
    ranked = sorted(expected.values())
    for code, z in zip(quantile.locations, quantile.z, strict=True):
        below = sum(1 for v in ranked if v < expected[code])
        ties = sum(1 for v in ranked if v == expected[code])
        assert z == pytest.approx((below + (ties + 1) / 2) / len(ranked))
    # Hover and the table still say the real count, whatever the scale.
    assert list(log.customdata) == [expected[c] for c in log.locations]


def test_no_mentions_is_drawn_unlike_few(engine) -> None:  # noqa: ANN001
    fig = charts.choropleth_figure(queries.country_counts(engine, ALL))
    lowest = fig.data[0].colorscale[0][1]
    assert fig.layout.geo.landcolor != lowest
    assert fig.layout.geo.landcolor.lower() not in ("#ffffff", "white", lowest.lower())
    assert any("no article mentions" in a.text for a in fig.layout.annotations)

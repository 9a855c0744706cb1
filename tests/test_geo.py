"""The country reference (ingest/data/countries.csv via ingest.geo)."""

from __future__ import annotations

import json

from ingest import geo
from ingest.config import PACKAGE_DATA


def test_covers_iso_3166_and_kosovo() -> None:
    countries = geo.all_countries()
    codes = [c.iso3 for c in countries]
    assert len(codes) == len(set(codes)) == 250
    assert len({c.iso2 for c in countries}) == 250
    assert sum(c.un_member for c in countries) == 193
    assert geo.is_valid_iso3("XKX")
    assert not geo.get_country("XKX").un_member


def test_human_short_names() -> None:
    expected = {
        "RUS": "Russia",
        "PRK": "North Korea",
        "KOR": "South Korea",
        "USA": "United States",
        "GBR": "United Kingdom",
        "IRN": "Iran",
        "SYR": "Syria",
        "VNM": "Vietnam",
        "PSE": "Palestine",
        "XKX": "Kosovo",
        "TWN": "Taiwan",
        "HKG": "Hong Kong",
        "MAC": "Macau",
        "IDN": "Indonesia",
        "COD": "DR Congo",
        "BIH": "Bosnia and Herzegovina",
    }
    for code, name in expected.items():
        assert geo.country_name(code) == name


def test_unknown_code_falls_back_to_code() -> None:
    assert geo.country_name("ZZZ") == "ZZZ"
    assert geo.country_name("") == ""
    assert not geo.is_valid_iso3("ZZZ")
    assert not geo.is_valid_iso3("idn")  # codes are stored upper case
    assert geo.get_country("idn").iso3 == "IDN"


def test_iso2_lookup() -> None:
    assert geo.iso3_from_iso2("ID") == "IDN"
    assert geo.iso3_from_iso2("kp") == "PRK"
    assert geo.iso3_from_iso2("XK") == "XKX"
    assert geo.iso3_from_iso2("QQ") is None
    assert geo.iso3_from_iso2("") is None


def test_points_are_inside_the_right_box() -> None:
    for country in geo.all_countries():
        assert -90 <= country.lat <= 90 and -180 <= country.lon <= 180, country
        assert country.region in {"Africa", "Americas", "Antarctica", "Asia", "Europe", "Oceania"}
    # Label points of a few states checked against rough bounding boxes.
    boxes = {
        "FRA": (41, 51, -5, 10),  # mainland France, not averaged with French Guiana
        "USA": (24, 50, -125, -66),  # contiguous states
        "IDN": (-11, 6, 95, 141),
        "RUS": (41, 82, 27, 180),
        "SGP": (1.1, 1.5, 103.6, 104.1),
    }
    for code, (lat0, lat1, lon0, lon1) in boxes.items():
        country = geo.get_country(code)
        assert lat0 <= country.lat <= lat1 and lon0 <= country.lon <= lon1, country


def test_every_natural_earth_country_is_in_the_reference() -> None:
    """Codes the map colours (NE 110m shapes) must all resolve to a name."""
    data = json.loads((PACKAGE_DATA / "ne_110m_admin_0_countries.geojson").read_text("utf-8"))
    missing = []
    for feature in data["features"]:
        props = feature["properties"]
        code = props["ISO_A3"] if props["ISO_A3"] != "-99" else props["ADM0_A3"]
        if code in {"CYN", "SOL"}:  # N. Cyprus, Somaliland: not ISO entities
            continue
        code = {"KOS": "XKX"}.get(code, code)
        if not geo.is_valid_iso3(code):
            missing.append(code)
    assert missing == []

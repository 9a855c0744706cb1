"""The country reference: ISO 3166-1 codes (plus XKX for Kosovo), English names, regions, points.

Loaded once from ``ingest/data/countries.csv`` (built by ``ingest/data/build_countries.py``).
Every part of Pantau names countries through this module, by ISO alpha-3 code.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from ingest.config import PACKAGE_DATA

COUNTRIES_CSV = PACKAGE_DATA / "countries.csv"


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    name: str  # English short name, e.g. "Russia", "North Korea"
    un_member: bool
    region: str  # UN M49 region: Africa, Americas, Antarctica, Asia, Europe, Oceania
    lat: float  # label point (mainland centroid, or capital for small states)
    lon: float
    subregion: str = ""  # UN M49 subregion, e.g. "South-Eastern Asia"


@cache
def _by_iso3() -> Mapping[str, Country]:
    countries: dict[str, Country] = {}
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            countries[row["iso3"]] = Country(
                iso3=row["iso3"],
                iso2=row["iso2"],
                name=row["name"],
                un_member=row["un_member"] == "1",
                region=row["region"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                subregion=row["subregion"],
            )
    return MappingProxyType(countries)


@cache
def _iso2_to_iso3() -> Mapping[str, str]:
    return MappingProxyType({c.iso2: c.iso3 for c in _by_iso3().values()})


def all_countries() -> list[Country]:
    """Every country and territory, sorted by ISO3 code."""
    return list(_by_iso3().values())


def get_country(iso3: str) -> Country | None:
    """The country for an ISO3 code (case-insensitive), or None."""
    return _by_iso3().get(iso3.strip().upper()) if iso3 else None


def country_name(iso3: str) -> str:
    """English short name for an ISO3 code; the code itself when it is unknown."""
    country = get_country(iso3) if iso3 else None
    return country.name if country else iso3


def is_valid_iso3(code: str) -> bool:
    """True when ``code`` is an ISO3 code in the reference (exact upper case, e.g. "IDN")."""
    return isinstance(code, str) and code in _by_iso3()


def iso3_from_iso2(iso2: str) -> str | None:
    """ISO alpha-3 for an alpha-2 code (case-insensitive), e.g. "ID" -> "IDN"; None if unknown."""
    if not iso2:
        return None
    return _iso2_to_iso3().get(iso2.strip().upper())

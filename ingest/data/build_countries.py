"""Build ingest/data/countries.csv, the country reference every part of Pantau uses.

Run from the repository root:  .venv/bin/python ingest/data/build_countries.py

Sources (read at build time only; the app reads the committed CSV):
* ISO 3166-1 codes: Debian's ``iso-codes`` package (/usr/share/iso-codes/json/iso_3166-1.json,
  ``apt-get install iso-codes``), 249 entries; plus XKX for Kosovo (user-assigned code, as used
  by the EU and IMF), which ISO 3166-1 does not list.
* English short names: CLDR via Babel (``Locale("en").territories``), with the overrides below
  where CLDR's display name is not the plain short name people write ("Hong Kong SAR China",
  "Congo - Kinshasa", "St. Kitts & Nevis").
* Region (UN M49 region) and subregion, and the label point: Natural Earth 1:110m Admin-0
  (public domain; ne_110m_admin_0_countries.geojson next to this script, CC0 conversion by
  martynafford/natural-earth-geojson). This NE vintage has no LABEL_X/LABEL_Y, so the label point
  is the area centroid of the country's largest polygon (the mainland: France's point is in
  France, not averaged with French Guiana). Where ISO_A3 is -99 the ADM0_A3 code is used.
* The 75 codes absent from NE 110m (small states and territories): approximate coordinates of
  the capital or main island, written by hand for this project from general knowledge of their
  locations (precision ~0.1 degree; they only place a marker), with UN M49 region/subregion.
* UN membership: the 193 member states (un.org/en/about-us/member-states), listed below.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from babel import Locale

HERE = Path(__file__).resolve().parent
ISO_CODES_JSON = Path("/usr/share/iso-codes/json/iso_3166-1.json")
NE_GEOJSON = HERE / "ne_110m_admin_0_countries.geojson"
OUT = HERE / "countries.csv"

UN_MEMBERS = set(
    [
        "AFG",
        "ALB",
        "DZA",
        "AND",
        "AGO",
        "ATG",
        "ARG",
        "ARM",
        "AUS",
        "AUT",
        "AZE",
        "BHS",
        "BHR",
        "BGD",
        "BRB",
        "BLR",
        "BEL",
        "BLZ",
        "BEN",
        "BTN",
        "BOL",
        "BIH",
        "BWA",
        "BRA",
        "BRN",
        "BGR",
        "BFA",
        "BDI",
        "CPV",
        "KHM",
        "CMR",
        "CAN",
        "CAF",
        "TCD",
        "CHL",
        "CHN",
        "COL",
        "COM",
        "COG",
        "CRI",
        "CIV",
        "HRV",
        "CUB",
        "CYP",
        "CZE",
        "PRK",
        "COD",
        "DNK",
        "DJI",
        "DMA",
        "DOM",
        "ECU",
        "EGY",
        "SLV",
        "GNQ",
        "ERI",
        "EST",
        "SWZ",
        "ETH",
        "FJI",
        "FIN",
        "FRA",
        "GAB",
        "GMB",
        "GEO",
        "DEU",
        "GHA",
        "GRC",
        "GRD",
        "GTM",
        "GIN",
        "GNB",
        "GUY",
        "HTI",
        "HND",
        "HUN",
        "ISL",
        "IND",
        "IDN",
        "IRN",
        "IRQ",
        "IRL",
        "ISR",
        "ITA",
        "JAM",
        "JPN",
        "JOR",
        "KAZ",
        "KEN",
        "KIR",
        "KWT",
        "KGZ",
        "LAO",
        "LVA",
        "LBN",
        "LSO",
        "LBR",
        "LBY",
        "LIE",
        "LTU",
        "LUX",
        "MDG",
        "MWI",
        "MYS",
        "MDV",
        "MLI",
        "MLT",
        "MHL",
        "MRT",
        "MUS",
        "MEX",
        "FSM",
        "MCO",
        "MNG",
        "MNE",
        "MAR",
        "MOZ",
        "MMR",
        "NAM",
        "NRU",
        "NPL",
        "NLD",
        "NZL",
        "NIC",
        "NER",
        "NGA",
        "MKD",
        "NOR",
        "OMN",
        "PAK",
        "PLW",
        "PAN",
        "PNG",
        "PRY",
        "PER",
        "PHL",
        "POL",
        "PRT",
        "QAT",
        "KOR",
        "MDA",
        "ROU",
        "RUS",
        "RWA",
        "KNA",
        "LCA",
        "VCT",
        "WSM",
        "SMR",
        "STP",
        "SAU",
        "SEN",
        "SRB",
        "SYC",
        "SLE",
        "SGP",
        "SVK",
        "SVN",
        "SLB",
        "SOM",
        "ZAF",
        "SSD",
        "ESP",
        "LKA",
        "SDN",
        "SUR",
        "SWE",
        "CHE",
        "SYR",
        "TJK",
        "THA",
        "TLS",
        "TGO",
        "TON",
        "TTO",
        "TUN",
        "TUR",
        "TKM",
        "TUV",
        "UGA",
        "UKR",
        "ARE",
        "GBR",
        "TZA",
        "USA",
        "URY",
        "UZB",
        "VUT",
        "VEN",
        "VNM",
        "YEM",
        "ZMB",
        "ZWE",
    ]
)

# English short names where CLDR's display name is not what people write.
NAME_OVERRIDES = {
    "HK": "Hong Kong",
    "MO": "Macau",
    "PS": "Palestine",
    "MM": "Myanmar",
    "CD": "DR Congo",
    "CG": "Republic of the Congo",
    "CI": "Côte d'Ivoire",
    "TR": "Turkey",
    "CV": "Cape Verde",
    "VA": "Vatican City",
    "UM": "U.S. Minor Outlying Islands",
    "SH": "Saint Helena, Ascension and Tristan da Cunha",
    "BQ": "Caribbean Netherlands",
    "MF": "Saint Martin",
    "PN": "Pitcairn Islands",
    "FM": "Micronesia",
    "XK": "Kosovo",
}

# Approximate label points (capital or main island), UN M49 region and subregion, for the
# codes absent from Natural Earth 1:110m. Hand-written for this project; see the docstring.
MANUAL = {
    "ABW": (12.52, -69.97, "Americas", "Caribbean"),
    "AIA": (18.22, -63.05, "Americas", "Caribbean"),
    "ALA": (60.18, 19.92, "Europe", "Northern Europe"),
    "AND": (42.55, 1.58, "Europe", "Southern Europe"),
    "ASM": (-14.30, -170.70, "Oceania", "Polynesia"),
    "ATG": (17.08, -61.80, "Americas", "Caribbean"),
    "BES": (12.18, -68.25, "Americas", "Caribbean"),
    "BHR": (26.03, 50.55, "Asia", "Western Asia"),
    "BLM": (17.90, -62.83, "Americas", "Caribbean"),
    "BMU": (32.31, -64.75, "Americas", "Northern America"),
    "BRB": (13.17, -59.55, "Americas", "Caribbean"),
    "BVT": (-54.42, 3.36, "Americas", "South America"),
    "CCK": (-12.17, 96.84, "Oceania", "Australia and New Zealand"),
    "COK": (-21.23, -159.78, "Oceania", "Polynesia"),
    "COM": (-11.70, 43.25, "Africa", "Eastern Africa"),
    "CPV": (15.10, -23.62, "Africa", "Western Africa"),
    "CUW": (12.17, -68.99, "Americas", "Caribbean"),
    "CXR": (-10.49, 105.62, "Oceania", "Australia and New Zealand"),
    "CYM": (19.31, -81.25, "Americas", "Caribbean"),
    "DMA": (15.42, -61.35, "Americas", "Caribbean"),
    "FRO": (62.01, -6.77, "Europe", "Northern Europe"),
    "FSM": (6.92, 158.16, "Oceania", "Micronesia"),
    "GGY": (49.45, -2.58, "Europe", "Northern Europe"),
    "GIB": (36.14, -5.35, "Europe", "Southern Europe"),
    "GLP": (16.25, -61.58, "Americas", "Caribbean"),
    "GRD": (12.12, -61.68, "Americas", "Caribbean"),
    "GUF": (3.93, -53.13, "Americas", "South America"),
    "GUM": (13.44, 144.79, "Oceania", "Micronesia"),
    "HKG": (22.32, 114.17, "Asia", "Eastern Asia"),
    "HMD": (-53.08, 73.50, "Oceania", "Australia and New Zealand"),
    "IMN": (54.24, -4.55, "Europe", "Northern Europe"),
    "IOT": (-7.33, 72.42, "Africa", "Eastern Africa"),
    "JEY": (49.21, -2.13, "Europe", "Northern Europe"),
    "KIR": (1.45, 173.03, "Oceania", "Micronesia"),
    "KNA": (17.30, -62.72, "Americas", "Caribbean"),
    "LCA": (13.91, -60.98, "Americas", "Caribbean"),
    "LIE": (47.16, 9.55, "Europe", "Western Europe"),
    "MAC": (22.20, 113.55, "Asia", "Eastern Asia"),
    "MAF": (18.07, -63.05, "Americas", "Caribbean"),
    "MCO": (43.74, 7.42, "Europe", "Western Europe"),
    "MDV": (3.20, 73.22, "Asia", "Southern Asia"),
    "MHL": (7.13, 171.18, "Oceania", "Micronesia"),
    "MLT": (35.90, 14.45, "Europe", "Southern Europe"),
    "MNP": (15.19, 145.75, "Oceania", "Micronesia"),
    "MSR": (16.74, -62.19, "Americas", "Caribbean"),
    "MTQ": (14.64, -61.02, "Americas", "Caribbean"),
    "MUS": (-20.28, 57.57, "Africa", "Eastern Africa"),
    "MYT": (-12.83, 45.14, "Africa", "Eastern Africa"),
    "NFK": (-29.04, 167.95, "Oceania", "Australia and New Zealand"),
    "NIU": (-19.05, -169.87, "Oceania", "Polynesia"),
    "NRU": (-0.53, 166.93, "Oceania", "Micronesia"),
    "PCN": (-25.07, -130.10, "Oceania", "Polynesia"),
    "PLW": (7.51, 134.58, "Oceania", "Micronesia"),
    "PYF": (-17.65, -149.43, "Oceania", "Polynesia"),
    "REU": (-21.12, 55.53, "Africa", "Eastern Africa"),
    "SGP": (1.35, 103.82, "Asia", "South-Eastern Asia"),
    "SGS": (-54.43, -36.59, "Americas", "South America"),
    "SHN": (-15.96, -5.71, "Africa", "Western Africa"),
    "SJM": (78.22, 15.65, "Europe", "Northern Europe"),
    "SMR": (43.94, 12.46, "Europe", "Southern Europe"),
    "SPM": (46.89, -56.32, "Americas", "Northern America"),
    "STP": (0.33, 6.73, "Africa", "Middle Africa"),
    "SXM": (18.04, -63.07, "Americas", "Caribbean"),
    "SYC": (-4.68, 55.49, "Africa", "Eastern Africa"),
    "TCA": (21.69, -71.80, "Americas", "Caribbean"),
    "TKL": (-9.20, -171.85, "Oceania", "Polynesia"),
    "TON": (-21.18, -175.20, "Oceania", "Polynesia"),
    "TUV": (-8.52, 179.20, "Oceania", "Polynesia"),
    "UMI": (19.28, 166.65, "Oceania", "Micronesia"),
    "VAT": (41.90, 12.45, "Europe", "Southern Europe"),
    "VCT": (13.25, -61.20, "Americas", "Caribbean"),
    "VGB": (18.43, -64.62, "Americas", "Caribbean"),
    "VIR": (18.34, -64.90, "Americas", "Caribbean"),
    "WLF": (-13.28, -176.18, "Oceania", "Polynesia"),
    "WSM": (-13.76, -172.10, "Oceania", "Polynesia"),
}

# NE puts the French Southern Lands in "Seven seas (open ocean)"; UN M49 puts them in Africa.
REGION_OVERRIDES = {"ATF": ("Africa", "Eastern Africa")}


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed-area centroid of a closed ring: (abs area, lon, lat)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2.0
    if area == 0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area), cx / (6 * area), cy / (6 * area)


def label_point(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of the area centroid of the largest polygon's outer ring."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    best = max((_ring_centroid(poly[0]) for poly in polygons), key=lambda c: c[0])
    return round(best[2], 3), round(best[1], 3)


def natural_earth(path: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        code = props["ISO_A3"] if props["ISO_A3"] != "-99" else props["ADM0_A3"]
        code = {"KOS": "XKX"}.get(code, code)
        lat, lon = label_point(feature["geometry"])
        found[code] = {
            "lat": lat,
            "lon": lon,
            "region": props["REGION_UN"],
            "subregion": props["SUBREGION"],
        }
    return found


def build(iso_json: Path, ne_geojson: Path, out: Path) -> int:
    entries = json.loads(iso_json.read_text(encoding="utf-8"))["3166-1"]
    entries.append({"alpha_2": "XK", "alpha_3": "XKX", "name": "Kosovo"})
    ne = natural_earth(ne_geojson)
    cldr = Locale("en").territories
    rows = []
    for entry in entries:
        iso2, iso3 = entry["alpha_2"], entry["alpha_3"]
        name = NAME_OVERRIDES.get(iso2) or cldr.get(iso2) or entry["name"]
        name = name.replace(" & ", " and ").replace("St. ", "Saint ")
        if iso3 in ne:
            geo = dict(ne[iso3])
        elif iso3 in MANUAL:
            lat, lon, region, subregion = MANUAL[iso3]
            geo = {"lat": lat, "lon": lon, "region": region, "subregion": subregion}
        else:
            raise SystemExit(f"{iso3}: no coordinates (not in Natural Earth nor MANUAL)")
        if iso3 in REGION_OVERRIDES:
            geo["region"], geo["subregion"] = REGION_OVERRIDES[iso3]
        rows.append(
            {
                "iso3": iso3,
                "iso2": iso2,
                "name": name,
                "un_member": int(iso3 in UN_MEMBERS),
                "region": geo["region"],
                "subregion": geo["subregion"],
                "lat": geo["lat"],
                "lon": geo["lon"],
            }
        )
    rows.sort(key=lambda r: r["iso3"])
    members = sum(r["un_member"] for r in rows)
    if members != len(UN_MEMBERS) or len(UN_MEMBERS) != 193:
        raise SystemExit(f"UN members: {members} matched of {len(UN_MEMBERS)} listed, expected 193")
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iso-codes", type=Path, default=ISO_CODES_JSON)
    parser.add_argument("--natural-earth", type=Path, default=NE_GEOJSON)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    count = build(args.iso_codes, args.natural_earth, args.out)
    print(f"wrote {count} countries to {args.out}")


if __name__ == "__main__":
    main()

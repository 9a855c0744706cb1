"""Generate the CLDR part of the gazetteer from the CLDR data shipped with Babel.

Run ``python -m ingest.tagging.build_gazetteer``; the output is committed, so the tagger never
needs Babel's data at run time.

- ``cldr_names.tsv``: territory names, one row per (surface, ISO3) with the languages using it.
- ``cldr_cities.tsv``: the localised names of CLDR's time-zone exemplar cities (Москва, 東京,
  नई दिल्ली…) for the capitals and places the curated tables already list in English.

- Only ISO 3166-1 countries and territories (ingest/data/countries.csv) are kept: CLDR regions
  and groupings (001, 150, 419, EU, EZ, UN, QO…) and exceptional reservations (AC, CP, DG, EA,
  IC, TA) are dropped. Kosovo (CLDR ``XK``) is ``XKX``.
- A name with a parenthesised alternative ("Myanmar (Burma)") yields both names.
- A surface that two countries would claim (across languages) is dropped and reported: the
  curated alias table decides such cases by hand.
- Chinese is written in three sets of names: CLDR's ``zh_Hans`` (the mainland's, also Singapore's
  and Malaysia's), ``zh_Hant`` (Taiwan's) and ``zh_Hant_HK`` (Hong Kong's and Macau's, which
  differ in 77 names: 尼日利亞, 沙地阿拉伯, 格魯吉亞). Hong Kong's press also writes the
  mainland's names in Traditional characters (印度尼西亞, 澳大利亞, 哈薩克斯坦), so every
  ``zh_Hans`` name is added in Traditional characters too, converted by CLDR's own
  Simplified-Traditional transform as ICU's ``uconv -x Hans-Hant`` runs it (the Debian package
  icu-devtools, build only). Without them the longest match was the shorter name inside:
  尼日利亞 read as 尼日 (Niger), 印度尼西亞 as 印度 (India).
- Regional locales add the names their press writes where they differ from the language's
  default: ``pt_PT`` (Irão, Quénia, Polónia, Roménia, Vietname, Chéquia, Madagáscar: 62),
  ``es_419`` and ``es_MX`` (Costa de Marfil, Arabia Saudita, Rumania, Timor Oriental), ``fr_CA``
  (Bélarus, Brunéi), ``de_CH`` (Botswana, Kapverden, Osttimor, Zimbabwe), ``en_GB`` (St Lucia).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from babel.core import get_global

from ingest.geo import is_valid_iso3, iso3_from_iso2

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "cldr_names.tsv"
CITIES_OUTPUT = OUTPUT.with_name("cldr_cities.tsv")

# Babel locale → the ISO 639-1 code articles carry (zh_Hans/zh_Hant → zh, fil → tl, nb → no).
LANGUAGES = {
    "id": "id",
    "ms": "ms",
    "en": "en",
    "ru": "ru",
    "uk": "uk",
    "be": "be",
    "ko": "ko",
    "ja": "ja",
    "zh_Hans": "zh",
    "zh_Hant": "zh",
    "zh_Hant_HK": "zh",  # Hong Kong's own names where they differ (zh_Hant_MO has the same)
    "ar": "ar",
    "fa": "fa",
    "ur": "ur",
    "hi": "hi",
    "bn": "bn",
    "tr": "tr",
    "fr": "fr",
    "de": "de",
    "es": "es",
    "pt": "pt",
    # Regional spellings where the region's press writes them (pt_PT Irão, Quénia, Polónia,
    # Roménia, Vietname; es_419/es_MX Costa de Marfil, Arabia Saudita, Rumania; fr_CA Bélarus;
    # de_CH Botswana, Kapverden; en_GB St Lucia): each adds the names that differ.
    "pt_PT": "pt",
    "es_419": "es",
    "es_MX": "es",
    "fr_CA": "fr",
    "de_CH": "de",
    "en_GB": "en",
    "it": "it",
    "nl": "nl",
    "pl": "pl",
    "el": "el",
    "he": "he",
    "vi": "vi",
    "th": "th",
    "fil": "tl",
    "sw": "sw",
    "ro": "ro",
    "sv": "sv",
    "cs": "cs",
    "sk": "sk",
    "hu": "hu",
    "fi": "fi",
    "da": "da",
    "nb": "no",
    "bg": "bg",
    "sr": "sr",
    "hr": "hr",
    "ca": "ca",
    "ta": "ta",
    "mr": "mr",
    "kk": "kk",
    "az": "az",
    "ka": "ka",
    "hy": "hy",
}
_NOT_COUNTRIES = {
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "EU",
    "EZ",
    "IC",
    "QO",
    "TA",
    "UN",
    "XA",
    "XB",
    "ZZ",
}
# The locale whose names also get a Traditional spelling (the Hong Kong press writes them so).
SIMPLIFIED_CHINESE = "zh_Hans"
# Where the Simplified-Traditional transform picks the wrong one of several Traditional
# characters for a name (干 → 乾 in 乌干达: Hong Kong writes 烏干達, which zh_Hant already has).
_MISCONVERTED = frozenset({"烏乾達"})
_PAREN = re.compile(r"^(.*?)\s*[(（](.*?)[)）]\s*$")


def territory_iso3(code: str) -> str | None:
    """ISO3 for a CLDR territory code, None for regions, groupings and reservations."""
    if code == "XK":
        return "XKX"
    if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
        return None
    iso3 = iso3_from_iso2(code)
    return iso3 if iso3 and is_valid_iso3(iso3) else None


def surfaces(name: str) -> tuple[str, str | None]:
    """The main surface of a CLDR display name and its parenthesised alternative, if any
    ("Myanmar (Burma)" → Myanmar, Burma; "Hong Kong (China)" → Hong Kong, China)."""
    name = " ".join(name.split())
    found = _PAREN.match(name)
    if found:
        return found.group(1).strip(), found.group(2).strip() or None
    return name, None


def traditional(names: list[str]) -> list[str]:
    """``names`` in Traditional characters, by CLDR's Simplified-Traditional transform (ICU's
    ``uconv -x Hans-Hant``, from the Debian package icu-devtools), one name a line."""
    uconv = shutil.which("uconv")
    if uconv is None:
        raise SystemExit("build_gazetteer needs ICU's uconv (apt-get install icu-devtools)")
    converted = subprocess.run(
        [uconv, "-x", "Hans-Hant"],
        input="".join(f"{name}\n" for name in names),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    if len(converted) != len(names):
        raise RuntimeError("uconv returned a different number of lines")
    return converted


def _territory_names() -> Iterator[tuple[str, str, str]]:
    """(CLDR territory code, display name, language) for every locale of LANGUAGES, and the
    Traditional spelling of every Simplified Chinese name."""
    for locale_code, language in LANGUAGES.items():
        territories = Locale.parse(locale_code).territories
        for code, name in territories.items():
            yield code, name, language
        if locale_code == SIMPLIFIED_CHINESE:
            codes = sorted(territories)
            converted = traditional([" ".join(territories[code].split()) for code in codes])
            for code, name in zip(codes, converted, strict=True):
                if name not in _MISCONVERTED:
                    yield code, name, language


def collect() -> tuple[dict[tuple[str, str], set[str]], dict[str, set[str]]]:
    """(surface, iso3) → languages, and the surfaces claimed by more than one country."""
    rows: dict[tuple[str, str], set[str]] = defaultdict(set)
    alternatives: list[tuple[str, str, str]] = []
    for code, name, language in _territory_names():
        iso3 = territory_iso3(code)
        if iso3 is None:
            continue
        main, alternative = surfaces(name)
        if main:
            rows[(main, iso3)].add(language)
        if alternative:
            alternatives.append((alternative, iso3, language))
    # A parenthesised part is often the sovereign ("Hong Kong (China)", "… (США)"), not an
    # alternative name: keep it only when no other country has it as its main name.
    # Abbreviated qualifiers ("(fr.)", "(金)", "(布)") are not names either.
    main_names = {surface.casefold(): iso3 for surface, iso3 in rows}
    for alternative, iso3, language in alternatives:
        if len(alternative) < 2 or alternative.endswith("."):
            continue
        if main_names.get(alternative.casefold(), iso3) == iso3:
            rows[(alternative, iso3)].add(language)
    claims: dict[str, set[str]] = defaultdict(set)
    for surface, iso3 in rows:
        claims[surface.casefold()].add(iso3)
    clashes = {surface: codes for surface, codes in claims.items() if len(codes) > 1}
    return rows, clashes


def write(path: Path = OUTPUT) -> int:
    rows, clashes = collect()
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(["surface", "iso3", "languages"])
        for (surface, iso3), languages in sorted(rows.items(), key=lambda r: (r[0][1], r[0][0])):
            if surface.casefold() in clashes:
                continue
            out.writerow([surface, iso3, ",".join(sorted(languages))])
            written += 1
    for surface, codes in sorted(clashes.items()):
        print(f"dropped (claimed by {', '.join(sorted(codes))}): {surface}", file=sys.stderr)
    return written


def _curated_english(directory: Path, name: str) -> dict[str, set[str]]:
    """ISO3 → the surfaces of one curated table (read plainly: the tagger is not imported)."""
    found: dict[str, set[str]] = defaultdict(set)
    path = directory / name
    if not path.exists():
        return found
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        found[row["iso3"]].add(row["surface"])
    return found


def _usable_city(surface: str) -> bool:
    """A localised city name safe to match: long enough not to be a syllable of other words."""
    if any(
        "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7a3"
        for c in surface
    ):  # kana, Han, Hangul: two characters at least
        return len(surface) >= 2
    return len(surface) >= 4


def collect_cities(directory: Path) -> dict[tuple[str, str, str], set[str]]:
    """(surface, iso3, type) → languages: the CLDR time-zone exemplar cities, localised, for
    the cities the curated capitals and places tables already hold in English (so only vetted
    cities are translated). Names that two countries would claim, or that are also a country
    name, are left out."""
    capitals = _curated_english(directory, "capitals.tsv")
    places = _curated_english(directory, "places.tsv")
    zones = get_global("zone_territories")
    rows: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for zone, territory in zones.items():
        parts = zone.split("/")
        iso3 = territory_iso3(territory)
        if iso3 is None or len(parts) != 2 or parts[0] in ("Etc", "Antarctica"):
            continue
        english = parts[1].replace("_", " ")
        if english in capitals.get(iso3, ()):
            kind = "capital"
        elif english in places.get(iso3, ()):
            kind = "place"
        else:
            continue
        for locale_code, language in LANGUAGES.items():
            city = Locale.parse(locale_code).time_zones.get(zone, {}).get("city")
            if city and city != english and _usable_city(city):
                rows[(city, iso3, kind)].add(language)
    names, _clashes = collect()
    country_names = {surface.casefold() for surface, _iso3 in names}
    claims: dict[str, set[str]] = defaultdict(set)
    for surface, iso3, _kind in rows:
        claims[surface.casefold()].add(iso3)
    return {
        key: languages
        for key, languages in rows.items()
        if len(claims[key[0].casefold()]) == 1 and key[0].casefold() not in country_names
    }


def write_cities(path: Path = CITIES_OUTPUT) -> int:
    rows = collect_cities(path.parent)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(["surface", "iso3", "type", "languages"])
        for (surface, iso3, kind), languages in sorted(
            rows.items(), key=lambda r: (r[0][1], r[0][0])
        ):
            out.writerow([surface, iso3, kind, ",".join(sorted(languages))])
    return len(rows)


def main() -> None:
    count = write()
    print(f"{OUTPUT}: {count} names in {len(set(LANGUAGES.values()))} languages")
    cities = write_cities()
    print(f"{CITIES_OUTPUT}: {cities} localised names of capitals and cities")


if __name__ == "__main__":
    main()

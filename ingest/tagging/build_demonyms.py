"""Generate the French, Spanish, Portuguese and Italian demonyms (``demonyms_romance.tsv``).

Run ``python -m ingest.tagging.build_demonyms``. It reads two inputs kept in
``ingest/data/gazetteer/sources/`` (see ``PROVENANCE.md`` there) and needs no extra package:

- ``i18n_nationality.tsv``: the Spanish, French and Italian nationality of every ISO 3166-1 code,
  as the npm package ``i18n-nationality`` 1.4.0 (MIT) writes it (masculine singular, capitalised).
- ``demonyms_curated.tsv``: every Portuguese demonym (the package has no Portuguese), and the
  French, Spanish and Italian rows that replace a source value that is not a demonym (a country
  name, an English word, a note in brackets) or that leave an ambiguous one out (congoleño: COD or
  COG; guineano: GIN, GNB or GNQ; indio; coreano; granadino, also of Granada in Spain).

For every UN member state and Taiwan, Kosovo, Palestine and Hong Kong, each masculine singular
becomes its four forms by the language's regular rules (``forms``): es peruano → peruana,
peruanos, peruanas; fr uruguayen → uruguayenne, uruguayens, uruguayennes; it greco is curated
(greci, greche); pt alemão is curated. Every form is written in lower case, so it matches in any
case (les Uruguayens, URUGUAYO), as an ``adjective`` of its country for texts in its language;
a surface two of the languages share is one row (peruano: es,pt).

A form is left out when another table claims it for another country (the curated row decides:
indiana is the US state, maliana a town of Timor-Leste), or when another row of its country
already matches it in lower case in that language (a capitalised row such as the English
Andorran or the name Argentina does not: la selección argentina needs the adjective), or when
a generated row (a CLDR name, a GeoNames town) is spelled the same, which a curated row would
replace in every language (the French bolivien, the German name Bolivien). The output is
committed in the curated table format; do not edit it by hand.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ingest.tagging.build_places import key
from ingest.tagging.countries import (
    CURATED_COLUMNS,
    GAZETTEER_DIR,
    GENERATED_FILES,
    Alias,
    load_aliases,
)
from ingest.tagging.matcher import normalize

SOURCES = GAZETTEER_DIR / "sources"
PACKAGE_SOURCE = SOURCES / "i18n_nationality.tsv"
CURATED_SOURCE = SOURCES / "demonyms_curated.tsv"
COUNTRIES = GAZETTEER_DIR.parent / "countries.csv"
OUTPUT_NAME = "demonyms_romance.tsv"
OUTPUT = GAZETTEER_DIR / OUTPUT_NAME
LANGUAGES = ("es", "fr", "it", "pt")
EXTRA = ("TWN", "XKX", "PSE", "HKG")  # not UN members, tagged all the same (TAGGING.md)
# Forms that are also a family name (Umberto Giordano, Marco Tullio Giordana): not after a given
# name.
FLAGS = {"giordano": "surname", "giordana": "surname", "giordani": "surname", "jordano": "surname"}


@dataclass(frozen=True)
class Row:
    surface: str
    iso3: str
    languages: str
    flags: str = ""


def countries() -> dict[str, str]:
    """ISO2 → ISO3 of the countries the table covers (UN members and the four above)."""
    with COUNTRIES.open(encoding="utf-8", newline="") as fh:
        return {
            row["iso2"]: row["iso3"]
            for row in csv.DictReader(fh)
            if row["un_member"] == "1" or row["iso3"] in EXTRA
        }


def read_package(path: Path = PACKAGE_SOURCE) -> dict[tuple[str, str], str]:
    """(iso2, language) → the package's value as written."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            (row["iso2"], language): row[language].strip()
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            for language in ("es", "fr", "it")
            if row[language].strip()
        }


def read_curated(path: Path = CURATED_SOURCE) -> dict[tuple[str, str], list[str]]:
    """(iso3, language) → its entries; an empty list leaves the country out in that language."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.startswith("#"))
        curated: dict[tuple[str, str], list[str]] = {}
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            place = (row["iso3"], row["language"])
            if place in curated:
                raise ValueError(f"{path.name}: {place} twice")
            value = row["forms"].strip()
            curated[place] = [] if value == "-" else [e.strip() for e in value.split(";")]
        return curated


def _plain_vowel(text: str) -> str:
    return text.translate(str.maketrans("áéíóú", "aeiou"))


def forms(word: str, language: str) -> list[str]:
    """The masculine and feminine, singular and plural of a masculine singular, by the regular
    rules of ``language`` (irregular words are curated with all their forms)."""
    w = word.lower()
    if language == "es":
        if w.endswith("o"):
            return [w, w[:-1] + "a", w + "s", w[:-1] + "as"]
        if w.endswith(("és", "án", "ín", "ís", "ón")):  # francés, alemán, kirguís, letón
            base = w[:-2] + _plain_vowel(w[-2]) + w[-1]
            return [w, base + "a", base + "es", base + "as"]
        if w.endswith("í"):  # marroquí: marroquíes, marroquís
            return [w, w + "es", w + "s"]
        if w.endswith(("e", "a", "i")):
            return [w, w + "s"]
        if w.endswith("l"):  # español
            return [w, w + "a", w + "es", w + "as"]
    elif language == "fr":
        if w.endswith(("en", "on")):  # uruguayen, letton
            return [w, w + "ne", w + "s", w + "nes"]
        if w.endswith(("s", "x", "z")):  # français, kirghiz
            return [w, w + "e", w + "es"]
        if w.endswith("e"):
            return [w, w + "s"]
        return [w, w + "e", w + "s", w + "es"]  # marocain, burkinabé, swazi, tadjik
    elif language == "it":
        if w.endswith("o"):
            stem = w[:-1]
            if stem.endswith("c"):  # greco is curated; austriaco → austriaci, turco → turchi
                plural = stem + ("i" if stem[-2] in "aeiou" else "hi")
                return [w, stem + "a", plural, stem + "he"]
            if stem.endswith("g") and not stem.endswith("gn"):
                return [w, stem + "a", stem + "hi", stem + "he"]
            if stem.endswith("i"):  # unstressed -io: one i in the plural
                return [w, stem + "a", stem, stem + "e"]
            return [w, stem + "a", stem + "i", stem + "e"]
        if w.endswith("e"):
            return [w, w[:-1] + "i"]
        if w.endswith("a"):  # keniota, vietnamita, cipriota: -i, -e
            return [w, w[:-1] + "i", w[:-1] + "e"]
        if w.endswith("i"):
            return [w]
    elif language == "pt":
        if w.endswith("o"):
            return [w, w[:-1] + "a", w + "s", w[:-1] + "as"]
        if w.endswith("ês"):  # português, francês
            base = w[:-2] + "es"
            return [w, base + "a", base + "es", base + "as"]
        if w.endswith("eu"):  # eritreu
            return [w, w[:-1] + "ia", w + "s", w[:-1] + "ias"]
        if w.endswith(("e", "a", "i")):
            return [w, w + "s"]
        if w.endswith("z"):
            return [w, w + "es"]
    raise ValueError(f"no {language} rule for {word!r}: curate its forms")


def lemmas(
    iso2: str,
    iso3: str,
    language: str,
    package: dict[tuple[str, str], str],
    curated: dict[tuple[str, str], list[str]],
) -> list[str] | None:
    """The curated entries of a country in a language, else the package's value; None: neither."""
    if (iso3, language) in curated:
        return curated[iso3, language]
    value = package.get((iso2, language))
    if value is None:
        return None
    if any(c in value for c in " (),") or value.lower() in _COUNTRY_LIKE:
        raise ValueError(f"{iso3} {language}: {value!r} is not a demonym: curate it")
    return [value]


# Package values that are a country's name or an English word, not a demonym (each is curated).
_COUNTRY_LIKE = {
    "ghana", "andorra", "antigua", "bangladesh", "bahrein", "capo verde", "costa rica",
    "gibuti", "guatemala", "honduras", "kirghizistan", "kuwait", "moldova", "montenegro",
    "qatar", "ruanda", "salomone", "san marino", "sierra leone", "ciad", "turkmenistan",
    "vanuatu", "kosov", "mosotho", "malí", "níger",
}  # fmt: skip


def entry_forms(entry: str, language: str) -> list[str]:
    if "/" in entry:
        return [part.strip().lower() for part in entry.split("/")]
    return forms(entry, language)


def candidates() -> tuple[dict[tuple[str, str], set[str]], list[str]]:
    """(surface, iso3) → its languages; and the countries left out per language, with why."""
    package, curated = read_package(), read_curated()
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    missing: list[str] = []
    for iso2, iso3 in sorted(countries().items(), key=lambda item: item[1]):
        for language in LANGUAGES:
            entries = lemmas(iso2, iso3, language, package, curated)
            if not entries:
                missing.append(f"{iso3} {language}")
                continue
            for entry in entries:
                for form in entry_forms(entry, language):
                    found[form, iso3].add(language)
    return found, missing


def _generated_surfaces() -> list[str]:
    """The surfaces of the generated tables (load_aliases leaves out those a curated row has)."""
    surfaces = []
    for name in GENERATED_FILES:
        with (GAZETTEER_DIR / name).open(encoding="utf-8", newline="") as fh:
            lines = (line for line in fh if not line.startswith("#"))
            reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
            surfaces += [row["surface"] for row in reader]
    return surfaces


def _matches_lower_case(alias: Alias, language: str) -> bool:
    """Whether a row of another table already matches its surface in lower case in ``language``
    (a capitalised row matches only as written, in Title Case and in UPPER CASE)."""
    lower = alias.surface == alias.surface.lower() or "ci" in alias.flags
    return (
        lower
        and "cs" not in alias.flags
        and (alias.languages is None or language in alias.languages)
    )


def build() -> tuple[list[Row], list[str]]:
    """The rows, and the forms left out because another table claims them for another country."""
    found, _ = candidates()
    others = [alias for alias in load_aliases() if alias.source != OUTPUT_NAME]
    claims: dict[str, list[Alias]] = defaultdict(list)
    for alias in others:
        claims[key(alias.surface)].append(alias)
    # A curated row of a surface replaces the generated rows spelled the same (load_aliases): the
    # French adjective bolivien would take the German name Bolivien from German texts.
    generated = {normalize(surface) for surface in _generated_surfaces()}
    rows: list[Row] = []
    clashes: list[str] = []
    surfaces: dict[str, set[str]] = defaultdict(set)
    for surface, iso3 in found:
        surfaces[key(surface)].add(iso3)
    for (surface, iso3), languages in sorted(found.items()):
        if len(surfaces[key(surface)]) > 1:
            clashes.append(f"{surface}: {sorted(surfaces[key(surface)])} in this table")
            continue
        claimed = claims.get(key(surface), [])
        strangers = sorted({alias.iso3s for alias in claimed} - {(iso3,)})
        if strangers:
            clashes.append(f"{surface} ({iso3}): {strangers} in another table")
            continue
        # Another table has it for the same country: only the languages it misses in lower case.
        needed = [
            language
            for language in LANGUAGES
            if language in languages
            and not any(_matches_lower_case(alias, language) for alias in claimed)
        ]
        if not needed:
            continue
        if normalize(surface) in generated:
            clashes.append(f"{surface} ({iso3}): a generated name or town is spelled the same")
            continue
        rows.append(Row(surface, iso3, ",".join(needed), FLAGS.get(surface, "")))
    return rows, clashes


HEADER = """\
# French, Spanish, Portuguese and Italian demonyms of every UN member state and of Taiwan, Kosovo,
# Palestine and Hong Kong, in all their forms (lower case: they match in any case).
# GENERATED by `python -m ingest.tagging.build_demonyms` from sources/i18n_nationality.tsv
# (npm i18n-nationality 1.4.0, MIT) and sources/demonyms_curated.tsv; see sources/PROVENANCE.md.
# Do not edit by hand: change sources/demonyms_curated.tsv, or add a curated row to
# adjectives.tsv or blockers.tsv, which this table then leaves out.
# Columns: surface, iso3, type, languages, flags, valid_from, valid_to, note
"""


def write(rows: list[Row], path: Path = OUTPUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("\t".join(CURATED_COLUMNS) + "\n")
        for row in rows:
            fh.write(f"{row.surface}\t{row.iso3}\tadjective\t{row.languages}\t{row.flags}\t\t\t\n")


def main() -> None:
    rows, clashes = build()
    write(rows)
    _, missing = candidates()
    for line in clashes:
        print(f"left out: {line}", file=sys.stderr)
    print(f"no demonym: {', '.join(missing)}", file=sys.stderr)
    print(f"{len(rows):,} rows → {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

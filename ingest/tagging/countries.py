"""Country tagging: which countries an article refers to, and the evidence for each.

``tag_countries(text, on=date, language="ru") -> list[CountryTag]``

The gazetteer lives in ``ingest/data/gazetteer/``: ``cldr_names.tsv`` (generated from CLDR by
``python -m ingest.tagging.build_gazetteer``) and the curated ``*.tsv`` alias tables (names and
abbreviations, adjectives, capitals and seats of government, places, institutions, leaders with
their dates in office, blockers). Every row becomes one or more matcher patterns (case variants,
accent-free spellings, inflected stems); all of them go into one compiled matcher, built once.

Curated table columns (tab-separated, ``#`` starts a comment line):
``surface  iso3  type  languages  flags  valid_from  valid_to  note``

- ``iso3``: an ISO 3166-1 alpha-3 code (XKX for Kosovo); ``A+B`` for a compound abbreviation that
  names two countries at once (中美, 한미); ``-`` for a blocker (it tags nothing, and being longer it
  hides the shorter names inside it: South China Sea, Korean Peninsula, 中国地方).
- ``type``: name, adjective, capital, place, leader, institution, blocker.
- ``languages``: ``*`` or the ISO 639-1 codes of the texts the row applies to (AS → id,ms);
  a blocker's too (Italian Monaco, Munich, blocks the principality in Italian texts only).
- ``flags``: ``cs`` exact case only; ``ci`` any case; default: a surface written with capitals
  matches as written, in Title Case and in UPPER CASE, never in lower case ("turkey", "chad").
  ``stem``/``stemN``: the surface is a stem that takes up to 3 (N) more letters (российск →
  российского). ``nostem``: no automatic Cyrillic inflection (a Cyrillic name's last word
  otherwise takes up to 3 more letters, or, when its stem is short, only the case endings of its
  declension: ``_cyrillic_stem``). ``word``: a Hangul surface that
  takes no particles (미, 북). ``firstname``: also a given name,
  ignored when followed by a capitalised word that is not a common headline word (Chad Daybell).
  ``surname``: also a family name, ignored after a capitalised word that is not a function or
  headline word (Eddie Jordan, Abel Braga, Danilo Medina), except in a Title Case headline.
  ``owned``: a common-noun name of a state organ (Kementerian Luar Negeri, Mahkamah Agung, 外務省)
  that belongs to the country named right after it, as Indonesian and Malay put the owner after
  the noun (Kementerian Luar Negeri Rusia, Mahkamah Agung AS), or right before it, as Japanese,
  Chinese and Korean do (アメリカ財務省, カタールの外務省): then it tags nothing itself.
  ``combining``: a combining form that names its country only in a hyphenated compound with
  another country (Sino-Japanese, Russo-Ukrainian, франко-германский); alone, or before
  anything else (Indo-European, Franco-era, Anglo-Saxon), it tags nothing.
  ``prefix``: also a prefix borrowed from Latin, written before a hyphen or maqaf: Hebrew פרו
  (Peru) is "pro-" in פרו-ישראלי (pro-Israeli); right before a hyphen it tags nothing.
  ``nisba``: an Arabic-script adjective in -ي/-ی (سويدي, ایرانی), written in the masculine
  singular, that also matches its inflected forms, as adjectives, in each of the row's languages
  (``NISBA_ENDINGS``): Arabic سويدية, سويديون, سويديين, سويديان, سويديتان, سويديتين,
  سويديات; Persian ایرانیان, ایرانی‌ها; Urdu پاکستانیوں. The article and one-letter proclitics need no
  row (the matcher lets ال, و, ب, ل, ف, ك stand before any Arabic-script pattern). In a
  two-word adjective each word in -ي takes the ending, and after a first such word the others
  also take the article (كوري شمالي, الكوري الشمالي, الكورية الشمالية). On a ``name`` row
  (تشيلي, both the name and the masculine adjective) the inflected forms are adjectives.
  ``noplain``: no accent-free variant (every surface with accents gets one otherwise: Türkiye →
  Turkiye). CLDR's names carry it: their accent-free spelling applies in the name's own
  languages only (Czech Keňa is Kenya, Indonesian "kena" is "struck").
  A name, capital or place also matches with a genitive -s in German and the Scandinavian
  languages (Russlands, Norges; ``GENITIVE_S_LANGUAGES``).
  In Chinese texts a name, capital or place joined by a middle dot (· ・ ‧) to Han characters
  that are not another place is part of a foreign person's name (喬治亞·梅洛尼, Giorgia Meloni)
  and tags nothing; Japanese and Korean lists with the dot (中国・四国, 미국·영국) are untouched.
- ``valid_from``/``valid_to``: leaders count only between these dates (ISO dates, inclusive;
  an empty end means still in office).
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from ingest.records import CountryTag, Evidence
from ingest.tagging.latin_cases import LANGUAGES as CASE_LANGUAGES
from ingest.tagging.latin_cases import case_forms
from ingest.tagging.matcher import CONTEXT_WORDS, Match, Matcher, Pattern, normalize
from ingest.tagging.tagger_cache import cached

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
CLDR_FILE = "cldr_names.tsv"
CLDR_CITIES_FILE = "cldr_cities.tsv"
PLACES_FILE = "geonames_places.tsv"  # generated by build_places: towns of one country, lowest rank
GENERATED_FILES = (CLDR_FILE, CLDR_CITIES_FILE, PLACES_FILE)
TYPES = ("name", "adjective", "capital", "place", "leader", "institution", "blocker")
CURATED_COLUMNS = (
    "surface",
    "iso3",
    "type",
    "languages",
    "flags",
    "valid_from",
    "valid_to",
    "note",
)
_FLAG = re.compile(r"^(cs|ci|stem\d?|nostem|firstname|surname|owned|combining|prefix|word|nisba)$")

__all__ = ["Alias", "load_aliases", "tag_countries", "country_patterns", "surface_patterns"]


@dataclass(frozen=True)
class Alias:
    """One gazetteer row."""

    surface: str
    iso3s: tuple[str, ...]  # empty for a blocker
    type: str
    languages: frozenset[str] | None  # None: every language
    flags: frozenset[str]
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""  # file name


@dataclass(frozen=True, slots=True)
class _Target:
    """The payload of a pattern: what a match means."""

    iso3s: tuple[str, ...]
    type: str
    languages: frozenset[str] | None
    valid_from: date | None
    valid_to: date | None
    firstname: bool
    everywhere: bool  # no language and no date restriction
    town: bool = False  # a GeoNames town: not when it reads as a surname (Robert Duvall)
    surname: bool = False  # also a family name: not after a given name (Eddie Jordan)
    owned: bool = False  # a generic state organ: another country's when one is named after it
    combining: bool = False  # Sino-, Russo-: only before a hyphen and another country
    prefix: bool = False  # also a prefix: not before a hyphen (Hebrew פרו-ישראלי, pro-Israeli)


def _languages(value: str) -> frozenset[str] | None:
    value = value.strip()
    if not value or value == "*":
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _date(value: str) -> date | None:
    value = value.strip()
    return date.fromisoformat(value) if value else None


def _read_curated(path: Path) -> Iterator[Alias]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.startswith("#"))
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if (
            header is None
            or tuple(h.strip() for h in header[: len(CURATED_COLUMNS)]) != CURATED_COLUMNS
        ):
            raise ValueError(f"{path.name}: header must be {' '.join(CURATED_COLUMNS)}")
        for number, row in enumerate(reader, start=2):
            row = row + [""] * (len(CURATED_COLUMNS) - len(row))
            surface, iso3, kind, languages, flags, valid_from, valid_to = (
                c.strip() for c in row[:7]
            )
            if not surface:
                continue
            if kind not in TYPES:
                raise ValueError(f"{path.name}:{number}: unknown type {kind!r}")
            iso3s = () if iso3 == "-" else tuple(iso3.split("+"))
            flag_set = frozenset(f.strip() for f in flags.split(",") if f.strip())
            bad = [f for f in flag_set if not _FLAG.match(f)]
            if bad:
                raise ValueError(f"{path.name}:{number}: unknown flag {bad}")
            yield Alias(
                surface=surface,
                iso3s=iso3s,
                type=kind,
                languages=_languages(languages),
                flags=flag_set,
                valid_from=_date(valid_from),
                valid_to=_date(valid_to),
                source=path.name,
            )


# Letters of Persian, Urdu and Pashto that Arabic does not write (the matcher folds ی to ي, ک to
# ك, ہ and ۃ to ه), and the languages that write them.
_PERSO_ARABIC_ONLY = re.compile("[یکہےپچژگٹڈڑںۀۃھ]")
PERSO_ARABIC_LANGUAGES = frozenset({"fa", "ur", "ps"})


def _read_cldr(path: Path) -> Iterator[Alias]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            languages = frozenset(row["languages"].split(","))
            # Vietnamese and Tagalog short names are everyday words elsewhere (Anh, Nga, Mỹ), and
            # Finnish, Estonian and Hungarian names take case endings (Venäjän): keep such names
            # to their own language; names shared with other languages apply everywhere.
            restricted = languages <= {"vi", "tl", "fi", "et", "hu"}
            surface = row["surface"]
            # A Persian or Urdu name written with letters Arabic does not use reads, folded, as an
            # Arabic word (Persian نیجریه, Nigeria, as نيجرية, Nigerien; Urdu رومانیہ, Romania,
            # as رومانية, Roman): it applies to Persian, Urdu and Pashto texts only.
            if _PERSO_ARABIC_ONLY.search(surface):
                languages, restricted = PERSO_ARABIC_LANGUAGES, True
            plain = _strip_accents(surface) if _LATIN_LETTER.search(surface) else surface
            yield Alias(
                surface=surface,
                iso3s=(row["iso3"],),
                type="name",
                languages=languages if restricted else None,
                # A name's accent-free spelling can be another language's everyday word
                # (Czech Keňa → "Kena", Indonesian for "struck"): it applies in the
                # name's own languages only, the row below.
                flags=frozenset({"noplain"}) if plain != surface else frozenset(),
                source=path.name,
            )
            if plain != surface:
                yield Alias(
                    surface=plain,
                    iso3s=(row["iso3"],),
                    type="name",
                    languages=languages,
                    flags=frozenset({"noplain"}),
                    source=path.name,
                )


# When two patterns match the very same span, the earlier row wins: blockers first, then names
# (curated, then CLDR), capitals, leaders, institutions, places, adjectives (the stem "argentin"
# must not turn the name "Argentina" into an adjective), and the GeoNames towns last.
_TYPE_ORDER = {"blocker": 0, "name": 1, "capital": 3, "leader": 4, "institution": 5, "place": 6}


def _rank(alias: Alias) -> float:
    if alias.source == CLDR_FILE:
        return 2
    if alias.source == PLACES_FILE:
        return 8  # below adjectives: any other row wins the same span
    rank = _TYPE_ORDER.get(alias.type, 7)
    return rank + 0.5 if alias.source == CLDR_CITIES_FILE else rank


def _read_cldr_cities(path: Path) -> Iterator[Alias]:
    """Localised names of capitals and cities: each applies to texts in its own languages."""
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield Alias(
                surface=row["surface"],
                iso3s=(row["iso3"],),
                type=row["type"],
                languages=frozenset(row["languages"].split(",")),
                flags=frozenset(),
                source=path.name,
            )


def _read_places(path: Path) -> Iterator[Alias]:
    """GeoNames towns (surface, iso3, population, languages): type ``place``, for texts in the
    row's languages (``*``: every language)."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            languages = row.get("languages") or "*"
            yield Alias(
                surface=row["surface"],
                iso3s=(row["iso3"],),
                type="place",
                languages=None if languages == "*" else frozenset(languages.split(",")),
                flags=frozenset(),
                source=path.name,
            )


def load_aliases(directory: Path = GAZETTEER_DIR) -> list[Alias]:
    """Every gazetteer row, in precedence order: the curated tables, and the generated rows (CLDR
    names and cities, GeoNames towns) that no curated row overrides (a curated row for the same
    surface, e.g. a blocker, wins)."""
    curated: list[Alias] = []
    for path in sorted(directory.glob("*.tsv")):
        if path.name not in GENERATED_FILES:
            curated.extend(_read_curated(path))
    # A curated row overrides the generated rows of its surface. Of a generated row of its own
    # type and country that differs only by accents, it overrides the accent-free spelling:
    # CLDR's Hungarian Salvádor still matches as written, but not as the Salvador that names.tsv
    # keeps to a given name's rules; Spanish Afganistán stays beside the curated Afganistan
    # (and the German name Algerien beside the French adjective algérien, another type).
    taken = {normalize(alias.surface) for alias in curated}
    kinds = {(_override_key(alias.surface), alias.type, alias.iso3s) for alias in curated}
    cldr, cities = directory / CLDR_FILE, directory / CLDR_CITIES_FILE
    places = directory / PLACES_FILE
    generated = list(_read_cldr(cldr)) if cldr.exists() else []
    if cldr.exists():
        every = taken | {normalize(alias.surface) for alias in generated}
        curated += _compass_compounds(cldr, every)
    generated += list(_read_cldr_cities(cities)) if cities.exists() else []
    generated += list(_read_places(places)) if places.exists() else []
    curated += _leader_aliases_of_entities(curated, taken)
    rows = curated + [
        replace(alias, flags=alias.flags | {"noplain"})
        if (_override_key(alias.surface), alias.type, alias.iso3s) in kinds
        else alias
        for alias in generated
        if normalize(alias.surface) not in taken
    ]
    rows += _case_form_aliases(curated, directory, rows)
    return sorted(rows, key=_rank)


# Rows whose names take Polish, Czech, Slovak and Croatian case forms: countries, capitals and
# places, not a row that already takes endings (``stem``) or that is also a person's name.
_CASE_FORM_TYPES = frozenset({"name", "capital", "place"})
_NO_CASE_FORMS = frozenset(
    {"cs", "ci", "nostem", "firstname", "surname", "owned", "combining", "prefix"}
)


def _case_form_aliases(curated: list[Alias], directory: Path, rows: list[Alias]) -> list[Alias]:
    """The case forms (``latin_cases``) of the CLDR names and cities and of the curated names,
    capitals and places written for Polish, Czech, Slovak or Croatian texts: Polsce, Holandii,
    Nepalu, Czechach, Nowej Zelandii, Ukrajině, Hrvatskoj. Each applies to texts in the language
    whose grammar made it, with no accent-free variant; a form that is another row's surface
    (any language), or that two countries' names both make, is left out."""
    bases: list[tuple[Alias, frozenset[str]]] = []
    for name in (CLDR_FILE, CLDR_CITIES_FILE):
        path = directory / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                languages = frozenset(row["languages"].split(","))
                if languages & CASE_LANGUAGES:
                    alias = Alias(
                        surface=row["surface"],
                        iso3s=(row["iso3"],),
                        type=row.get("type") or "name",
                        languages=languages,
                        flags=frozenset(),
                        source=name,
                    )
                    bases.append((alias, languages))
    for alias in curated:
        if (
            alias.type in _CASE_FORM_TYPES
            and alias.iso3s
            and alias.languages
            and alias.languages <= CASE_LANGUAGES
            and not alias.flags & _NO_CASE_FORMS
            and not any(flag.startswith("stem") for flag in alias.flags)
            and not alias.valid_from
            and not alias.valid_to
        ):
            bases.append((alias, alias.languages))
    existing = {normalize(alias.surface) for alias in rows}
    made: dict[str, list[Alias]] = {}
    for alias, languages in bases:
        by_form: dict[str, set[str]] = {}
        for language in sorted(languages & CASE_LANGUAGES):
            for form in case_forms(alias.surface, language):
                by_form.setdefault(form, set()).add(language)
        for form, form_languages in by_form.items():
            made.setdefault(normalize(form), []).append(
                replace(
                    alias,
                    surface=form,
                    languages=frozenset(form_languages),
                    flags=alias.flags | {"noplain"},
                )
            )
    forms: list[Alias] = []
    for key, each in made.items():
        if key in existing or len({(a.iso3s, a.type) for a in each}) > 1:
            continue  # another row's surface, or the form of two countries' names
        languages = frozenset().union(*(a.languages or () for a in each))
        forms.append(replace(each[0], languages=languages))
    return forms


# German glues a compass point to a country's name for a part of it: Südtürkei, Nordsyrien,
# Ostukraine, Nordostsyrien, Zentralchina, Mitteldeutschland (and Süd-Türkei). Every one-word
# German CLDR name takes each prefix; the compound is a place of that country in German texts.
# A compound that is already another row's surface keeps that row: Südsudan, Südkorea,
# Nordkorea, Nordmazedonien are states of their own, Nordirland is the UK's. Regions whose name
# holds no country's (Südamerika, Westafrika, Ostasien, Westjordanland) are never generated.
COMPASS_PREFIXES_DE = (
    "Nord", "Süd", "Ost", "West", "Nordost", "Südost", "Nordwest", "Südwest", "Zentral", "Mittel",
)  # fmt: skip
COMPASS_SOURCE = "compass compounds (de)"
# Compounds that name something else: the West and East Indies (Westindien, Ostindien: the
# Caribbean, the East India Company's Asia), South Georgia (Südgeorgien, a British territory).
COMPASS_NOT_THE_COUNTRY = frozenset({"Westindien", "Ostindien", "Südgeorgien"})
_ONE_LATIN_WORD = re.compile("^[A-ZÄÖÜÅ][a-zß\u00e0-\u00ff]+$")


def _compass_compounds(cldr: Path, taken: set[str]) -> list[Alias]:
    """Places of a country named by a compass prefix and its German CLDR name (Südtürkei)."""
    rows: list[Alias] = []
    with cldr.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            name = row["surface"]
            if "de" not in row["languages"].split(",") or not _ONE_LATIN_WORD.match(name):
                continue
            for prefix in COMPASS_PREFIXES_DE:
                glued = prefix + name[0].lower() + name[1:]
                if normalize(glued) in taken:
                    continue  # Südsudan is a state: Süd-Sudan is too, not a part of Sudan
                for surface in (glued, f"{prefix}-{name}"):
                    key = normalize(surface)
                    if surface in COMPASS_NOT_THE_COUNTRY or key in taken:
                        continue
                    taken.add(key)
                    rows.append(
                        Alias(
                            surface=surface,
                            iso3s=(row["iso3"],),
                            type="place",
                            languages=frozenset({"de"}),
                            flags=frozenset(),
                            source=COMPASS_SOURCE,
                        )
                    )
    return rows


def _override_key(surface: str) -> str:
    """The key under which a curated row overrides others: a Latin surface without its accents
    (the tagger reads both spellings alike), any other as the matcher reads it."""
    return normalize(_strip_accents(surface) if _LATIN_LETTER.search(surface) else surface)


def _leader_aliases_of_entities(curated: list[Alias], taken: set[str]) -> list[Alias]:
    """A leader's other names from the entity table (Poutine, Λαβρόφ, Πέδρο Σάντσεθ) as leader
    rows with the terms of office leaders.tsv gives that person: an entity is that person when
    one of its aliases is a leader row's surface. Surfaces a curated row has are left to it.
    The new names are added to ``taken``."""
    from ingest.tagging.entities import BLOCKER, load_entity_aliases  # entities imports us

    terms: dict[str, list[Alias]] = {}
    for alias in curated:
        if alias.type == "leader":
            terms.setdefault(normalize(alias.surface), []).append(alias)
    by_qid: dict[str, list] = {}
    for entity_alias in load_entity_aliases():
        if entity_alias.qid != BLOCKER:
            by_qid.setdefault(entity_alias.qid, []).append(entity_alias)
    derived: list[Alias] = []
    for names in by_qid.values():
        offices = {
            (term.iso3s, term.valid_from, term.valid_to): term
            for name in names
            for term in terms.get(normalize(name.surface), ())
        }
        for name in names:
            key = normalize(name.surface)
            if not offices or key in taken:
                continue
            taken.add(key)
            derived.extend(
                Alias(
                    surface=name.surface,
                    iso3s=term.iso3s,
                    type="leader",
                    languages=name.languages,
                    flags=name.flags,
                    valid_from=term.valid_from,
                    valid_to=term.valid_to,
                    source=ENTITY_ALIASES_SOURCE,
                )
                for term in offices.values()
            )
    return derived


# --- pattern generation -------------------------------------------------------------------

# The source of leader rows taken from the entity table's aliases (_leader_aliases_of_entities).
ENTITY_ALIASES_SOURCE = "entities/aliases.tsv"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
# Greek case forms of a name, by the ending of each word (accents aside: the matcher folds
# them): genitive Ισπανία → Ισπανίας, Κρήτη → Κρήτης, Κύπρος → Κύπρου, Ηράκλειο → Ηρακλείου,
# Καναδάς → Καναδά, Ηνωμένες Πολιτείες → Ηνωμένων Πολιτειών; accusative Κύπρος → Κύπρο.
_GREEK_GENITIVE = (("ες", "ων"), ("ος", "ου"), ("ας", "α"), ("α", "ας"), ("η", "ης"), ("ο", "ου"))
_GREEK_ACCUSATIVE = (("ος", "ο"), ("ας", "α"))
_GREEK_GENITIVE_PLURAL = (("ες", "ων"), ("α", "ων"), ("οι", "ων"))  # Ηνωμένων Αραβικών Εμιράτων
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_VOWEL_END = "аяоеёиыйьіїюэєу"
_UNDECLINED_END = "оеёуюэ"
_UKRAINIAN_LETTER = re.compile("[іїєґІЇЄҐ]")
_ADJ_FORMS = {  # first word of a two-word Russian/Ukrainian/Belarusian name, by its ending
    "ая": ("ая", "ой", "ую", "ою"),
    "ий": ("ий", "ого", "ому", "им", "ом"),
    "ый": ("ый", "ого", "ому", "ым", "ом"),
    "ое": ("ое", "ого", "ому", "ом"),
    "ые": ("ые", "ых", "ым"),
    "на": ("на", "ної", "ну", "ній", "ною"),
    "ка": ("ка", "кої", "ку", "кій", "кою"),
    "і": ("і", "их", "им"),
}
_PREFER_LATIN = {"vi"}  # languages whose diacritics distinguish words: no accent-free variants


# The case endings of Russian and Ukrainian nouns, by the declension a name's nominative shows
# (its last letters), each as the letters that follow the stem ``_cyrillic_stem`` cuts off. A
# short stem takes only these (Комор-ы → Комор-ов, Комор-ам, never Комора "storeroom"; Дани-я →
# Дани-и, Дані-єю, never Данило), a longer one any ending of up to three letters (a longer stem
# is rarely the start of another word). From the gazetteer's inflected rows and the grammar:
# Russian a-stems Канад-а/-ы/-е/-у/-ой/-ою (-и, -ей, -ею after к г х ж ш ч щ ц: Америки,
# Польшей), Ukrainian Канад-и/-і/-у/-ою; soft я-stems Дани-я/-и/-ю/-ей/-ею/-е (Корее, Чечне),
# Ukrainian Дані-ї/-ю/-єю/-є, Чечн-і/-ю/-ею; masculine Иран-а/-у/-ом/-е, Ukrainian Іран-і/-ові
# (Парижем, Мерцем after a hushing consonant; surnames in -ин/-ов Путин-ым, Путін-им; towns in
# -ск the region's adjective, Омск-ой (области)); -й and -ь stems Кита-й/-я/-ю/-ем/-е,
# Китаї/Китаєм, Израил-ь/-я/-ю/-ем/-е, Кремлі, Перм-ь/-и/-ью; plurals Штат-ы/-и/-ов/-ів/-ам/
# -ами/-ах and the bare genitive plural (Комор, Афин); adjectival last words (Западн-ая/-ой/
# -ую). The bare stem is a word form only for consonant stems and plurals.
SHORT_STEM = 5  # stems of up to this many letters take only their declension's endings
_HUSHING = "гкхжшчщц"
_A_ENDINGS = frozenset({"а", "ы", "е", "у", "ой", "ою", "и", "і"})
_A_HUSHING_ENDINGS = _A_ENDINGS | {"ей", "ею"}  # Польшей, Польщею, Америки
_YA_ENDINGS = frozenset({"я", "и", "е", "ю", "ей", "ею", "і", "ї", "є", "єю"})
_CONSONANT_ENDINGS = frozenset({"", "а", "у", "ом", "е", "і", "ові", "ем", "еві"})
_SURNAME_ENDINGS = _CONSONANT_ENDINGS | {"ым", "им"}  # Путин → Путиным, Путіним
_TOWN_ENDINGS = _CONSONANT_ENDINGS | {"ая", "ой", "ую", "ою"}  # Омск → Омской (области)
_SOFT_ENDINGS = frozenset(
    {"й", "ь", "я", "ю", "ем", "е", "и", "і", "ї", "є", "єм", "ью", "еві", "єві", "ею", "єю"}
)
_PLURAL_ENDINGS = frozenset({"", "ы", "и", "ов", "ів", "ам", "ами", "ах", "ям", "ях", "ями"})
_ADJECTIVE_ENDINGS = frozenset(
    {
        "ий", "ый", "ой", "ая", "яя", "ое", "ее", "ие", "ые",
        "ого", "его", "ому", "ему", "им", "ым", "ом", "ем", "ую", "юю", "ей", "ою", "ею",
        "их", "ых", "ими", "ыми", "а", "я", "ої", "ій", "у", "ю", "ім", "і",
    }
)  # fmt: skip


def _cyrillic_endings(stem: str, ending: str) -> frozenset[str]:
    """The case endings a stem takes after it, by the nominative ending cut off (``ending``)."""
    if len(ending) == 2:
        return _ADJECTIVE_ENDINGS
    if ending == "а":
        return _A_HUSHING_ENDINGS if stem[-1:].lower() in _HUSHING else _A_ENDINGS
    if ending == "я":
        return _YA_ENDINGS
    if ending in ("й", "ь"):
        return _SOFT_ENDINGS
    if ending in ("і", "ї") or (ending == "и" and stem[-1:].lower() in "иі"):
        return _SOFT_ENDINGS | _YA_ENDINGS  # a soft noun's case form: Кремлі, Росії, России
    if ending in ("ы", "и"):  # plurals: Коморы, Штати (Russian Сомали, Чили do not decline)
        return _PLURAL_ENDINGS
    lower = stem.lower()
    if lower.endswith(("ин", "ын", "ін", "ов", "ев", "ів")):
        return _SURNAME_ENDINGS
    if lower.endswith(("ск", "цк")):
        return _TOWN_ENDINGS
    return _CONSONANT_ENDINGS


def _cyrillic_stem(
    word: str, ukrainian: bool = False
) -> tuple[str, int, frozenset[str] | None] | None:
    """(stem, max_suffix, endings) for an inflecting Cyrillic word, None when too short to stem
    safely or when the word does not decline: foreign names ending in о, е, у, ю, э, or in а
    after о or у (Того, Перу, Самоа: "Самое" and "самого" are everyday words, not Samoa). A
    Russian word ending in и (Драги, Чили, Тбилиси, also foreign and undeclined) keeps a stem
    only when five letters remain; in Ukrainian и is the plural ending (Штати → Штатів).
    ``endings``: the closed list of case endings a short stem (``SHORT_STEM`` letters or fewer)
    takes, None for a longer stem (any ending of up to ``max_suffix`` letters)."""
    lower = word.lower()
    if lower.endswith(("ий", "ый", "ой", "ая", "яя", "ое", "ие", "ые")):
        stem, ending = word[:-2], lower[-2:]
    elif lower[-1] in _UNDECLINED_END or lower.endswith(("оа", "уа")):
        return None
    elif lower[-1] in _VOWEL_END:
        stem, ending = word[:-1], lower[-1]
    else:
        stem, ending = word, ""
    # A noun in -а/-я declines by its closed endings even on a three-letter stem (Куба → Кубе,
    # Кубу; Газа → Газе; Вена → Вене; Доха → Дохе); other short words are left as written.
    shortest = 5 if lower[-1] == "и" and not ukrainian else 3 if ending in ("а", "я") else 4
    if len(stem) < shortest:
        return None
    if len(stem) > SHORT_STEM:
        return stem, 3, None
    return stem, 3, _cyrillic_endings(stem, ending)


# Ukrainian closes a town's last syllable with і (ї) where its other cases, whose ending opens
# it, have о or е (є): Харків → Харкова, Харкові; Львів, Чернігів → Львова, Чернігові; Київ,
# Миколаїв → Києва, Миколаєві; Бердичів → Бердичева; Ірпінь → Ірпеня, Ірпені. Ukraine's own
# towns only (``_alternates``): foreign names keep their і (Тель-Авіва), and a genitive plural
# in -ів (чехів, поляків) is no nominative. The stem before the alternated vowel, the vowel the
# other cases take, and their closed list of endings.
_UKRAINIAN_ALTERNATION = re.compile(r"^(?P<stem>.+)(?P<vowel>[ії])(?P<end>в|нь)$")
_ALTERNATED = {"і": "о", "ї": "є"}  # before в (Харків, Київ)
_ALTERNATED_SOFT = {"і": "е", "ї": "є"}  # before нь (Ірпінь), and в after ч ш щ ж (Бердичів)
# The consonant the stem keeps, and the endings after it.
_ALTERNATED_ENDINGS = {
    "в": ("в", frozenset({"а", "у", "ом", "і", "ові"})),  # Харкова, Харкову, Харковом, Харкові
    "нь": ("н", frozenset({"я", "ю", "ем", "і", "еві"})),  # Ірпеня, Ірпеню, Ірпенем, Ірпені
}


def _ukrainian_alternated(word: str) -> tuple[str, frozenset[str]] | None:
    """(stem, endings) of a Ukrainian name's oblique cases when its last syllable alternates
    (``_UKRAINIAN_ALTERNATION``), else None."""
    found = _UKRAINIAN_ALTERNATION.match(word)
    if found is None or len(found["stem"]) < 2:
        return None
    end = found["end"]
    hard = end == "в" and found["stem"][-1].lower() not in "чшщж"
    vowel = (_ALTERNATED if hard else _ALTERNATED_SOFT)[found["vowel"]]
    consonant, endings = _ALTERNATED_ENDINGS[end]
    return found["stem"] + vowel + consonant, endings


def _alternates(alias: Alias, kind: str) -> bool:
    """Whether a row is one of the curated Ukrainian towns, whose name's last syllable alternates
    (``_ukrainian_alternated``). Not GeoNames' small towns: their oblique stems are surnames
    (Обухів → Обухова, Виноградів → Виноградова)."""
    return (
        tuple(alias.iso3s) == ("UKR",)
        and kind in ("place", "capital")
        and (alias.source != PLACES_FILE)
    )


def _cyrillic_forms(
    surface: str, alternates: bool = False
) -> list[tuple[str, bool, int, frozenset[str] | None]]:
    """(text, prefix, max_suffix, endings) forms of a Cyrillic name: the name itself and
    inflected stems; with ``alternates`` (a Ukrainian town) also its alternated stem."""
    forms: list[tuple[str, bool, int, frozenset[str] | None]] = [(surface, False, 0, None)]
    words = surface.split(" ")
    alternated = _ukrainian_alternated(words[-1]) if alternates else None
    if alternated is not None:
        oblique, closed = alternated
        forms.append((" ".join([*words[:-1], oblique]), True, 3, closed))
    last = _cyrillic_stem(words[-1], ukrainian=bool(_UKRAINIAN_LETTER.search(surface)))
    if last is None:
        return forms
    stem, max_suffix, endings = last
    firsts = [" ".join(words[:-1])] if len(words) > 1 else [""]
    if len(words) == 2:
        first = words[0]
        for ending, adjective_endings in _ADJ_FORMS.items():
            if first.lower().endswith(ending):
                base = first[: len(first) - len(ending)]
                firsts = [base + e for e in adjective_endings]
                break
    for first in firsts:
        text = f"{first} {stem}" if first else stem
        forms.append((text, True, max_suffix, endings))
    return forms


def _greek_case(word: str, endings: tuple[tuple[str, str], ...]) -> str:
    plain = _strip_accents(word).lower().replace("ς", "σ")
    for ending, replacement in endings:
        if plain.endswith(ending.replace("ς", "σ")) and len(plain) > len(ending) + 2:
            return word[: len(word) - len(ending)] + replacement
    return word


def _greek_forms(surface: str) -> list[tuple[str, bool, int, frozenset[str] | None]]:
    """(text, prefix, max_suffix, endings) forms of a Greek name: itself, its genitive and accusative
    (each word declined by its ending: Βόρεια Ιρλανδία → Βόρειας Ιρλανδίας) and a plural
    genitive (Ηνωμένα Αραβικά Εμιράτα → Ηνωμένων Αραβικών Εμιράτων)."""
    forms = [surface]
    for endings in (_GREEK_GENITIVE, _GREEK_ACCUSATIVE, _GREEK_GENITIVE_PLURAL):
        form = " ".join(_greek_case(word, endings) for word in surface.split(" "))
        if form not in forms:
            forms.append(form)
    return [(form, False, 0, None) for form in forms]


_AGGLUTINATIVE = frozenset({"fi", "et", "hu"})  # case endings glued to the name, no apostrophe


def _agglutinative(surface: str, languages: frozenset[str] | None) -> bool:
    """A one-word name used only by Finnish, Estonian or Hungarian: its case forms take suffixes."""
    return (
        languages is not None
        and languages <= _AGGLUTINATIVE
        and " " not in surface
        and len(surface) >= 5
    )


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def _case_variants(text: str) -> list[str]:
    variants = [text]
    titled = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    for variant in (titled, text.upper()):
        if variant not in variants and len(variant) == len(text):
            variants.append(variant)
    return variants


def _cased(text: str) -> bool:
    return any(c.isupper() for c in text)


# German and the Scandinavian languages write a name's genitive with -s: Russlands Armee,
# Chinas Wirtschaft, Österreichs Kanzler, Norges statsminister, Litauens ambassad. A name,
# capital or curated place written in Latin letters also matches with it, in those languages'
# texts only (English "Turkeys" and "Jordans" are other words). Not after s, x, z or ß, where
# the genitive is the name itself (Paris, Laos, Florenz); not for the GeoNames towns (53,000
# rows that German news names far more rarely than it names states); not for a row that already
# takes endings (a ``stem`` flag, Finnish and Hungarian case endings).
GENITIVE_S_LANGUAGES = frozenset({"de", "sv", "da", "no", "nb", "nn"})
_GENITIVE_S_TYPES = frozenset({"name", "capital", "place"})
_NOT_BEFORE_GENITIVE_S = re.compile(r"[sxzß]$", re.IGNORECASE)
_ONLY_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f .'’-]+$")


def _genitive_s(alias: Alias) -> tuple[str, frozenset[str]] | None:
    """The -s genitive of a row and the languages it applies in, or None."""
    if (
        alias.type not in _GENITIVE_S_TYPES
        or alias.source == PLACES_FILE
        or not alias.iso3s
        or not _ONLY_LATIN.match(alias.surface)
        or _NOT_BEFORE_GENITIVE_S.search(alias.surface)
        or any(flag.startswith("stem") for flag in alias.flags)
        or _agglutinative(alias.surface, alias.languages)
    ):
        return None
    languages = GENITIVE_S_LANGUAGES & (alias.languages or GENITIVE_S_LANGUAGES)
    return (alias.surface + "s", languages) if languages else None


# The endings of an Arabic-script nisba adjective (flag ``nisba``), by language, after its
# masculine singular in -ي/-ی: Arabic feminine (ة, which the matcher reads as ه too), masculine
# plural (nominative, oblique), dual (masculine, feminine; the masculine oblique is the plural's
# -ين) and feminine plural; the Persian plurals (ایرانیان, ایرانی‌ها, ایرانی‌های: the matcher reads
# the zero-width non-joiner as absent); the Urdu oblique plural (پاکستانیوں).
NISBA_ENDINGS: dict[str, tuple[str, ...]] = {
    "ar": ("ة", "ون", "ين", "ان", "تان", "تين", "ات"),
    "fa": ("ان", "ها", "های"),
    "ur": ("وں",),
}
_NISBA_LETTERS = ("\u064a", "\u06cc")  # Arabic yeh, Persian/Urdu yeh


def nisba_forms(surface: str, ending: str, article: bool = True) -> list[str]:
    """The forms of a nisba adjective with ``ending`` ("" for the masculine singular): every
    word in -ي/-ی takes it; after a first such word, the others also take the Arabic article
    when ``article`` (كوري شمالي → الكوري الشمالي; the first word's article is the matcher's
    proclitic)."""
    words = surface.split(" ")
    inflected = [w + ending if w.endswith(_NISBA_LETTERS) else w for w in words]
    forms = [" ".join(inflected)] if ending else []
    if article and len(words) > 1 and words[0].endswith(_NISBA_LETTERS):
        definite = inflected[:1] + [
            "\u0627\u0644" + w if words[i + 1].endswith(_NISBA_LETTERS) else w
            for i, w in enumerate(inflected[1:])
        ]
        forms.append(" ".join(definite))
    return forms


def _nisba(alias: Alias) -> Iterator[tuple[str, frozenset[str]]]:
    """The inflected forms of a ``nisba`` row and the language each applies in."""
    for language, endings in NISBA_ENDINGS.items():
        if alias.languages is not None and language not in alias.languages:
            continue
        for ending in ("", *endings):
            for form in nisba_forms(alias.surface, ending, article=language == "ar"):
                yield form, frozenset({language})


# German glues pro- and anti- to a country's adjective: prorussische Separatisten,
# antiamerikanische Proteste (with a hyphen, pro-russisch, the adjective matches alone).
STANCE_PREFIXES_DE = ("pro", "anti")
_GERMAN_ADJECTIVE = re.compile(r"^[a-zäöü]+isch$")


def _pro_and_anti(alias: Alias) -> Iterator[tuple[str, frozenset[str]]]:
    """The pro- and anti- forms of a German country adjective (a ``stem`` row in -isch), each for
    German texts."""
    if (
        alias.type == "adjective"
        and any(flag.startswith("stem") for flag in alias.flags)
        and alias.languages is not None
        and "de" in alias.languages
        and _GERMAN_ADJECTIVE.match(alias.surface)
    ):
        for prefix in STANCE_PREFIXES_DE:
            yield prefix + alias.surface, frozenset({"de"})


def country_patterns(aliases: Iterable[Alias]) -> Iterator[Pattern]:
    """The matcher patterns for gazetteer rows (variants of case, accents and inflection)."""
    shared: dict[_Target, _Target] = {}  # equal payloads are one object (52k towns, ~220 targets)
    for alias in aliases:
        forms = [(alias.surface, alias.languages, alias.type)]
        genitive = _genitive_s(alias)
        if genitive is not None:
            forms.append((*genitive, alias.type))
        if "nisba" in alias.flags:
            forms.extend((form, languages, "adjective") for form, languages in _nisba(alias))
        forms.extend((form, languages, "adjective") for form, languages in _pro_and_anti(alias))
        for surface, languages, kind in forms:
            target = _Target(
                iso3s=alias.iso3s,
                type=kind,
                languages=languages,
                valid_from=alias.valid_from,
                valid_to=alias.valid_to,
                firstname="firstname" in alias.flags,
                town=alias.source == PLACES_FILE,
                surname="surname" in alias.flags,
                owned="owned" in alias.flags,
                combining="combining" in alias.flags,
                prefix="prefix" in alias.flags,
                everywhere=languages is None and not alias.valid_from and not alias.valid_to,
            )
            target = shared.setdefault(target, target)
            # A blocker restricted to some languages (or dates) carries its target so that
            # ``tag_countries`` can leave it out elsewhere; an unrestricted one is None.
            payload = target if alias.iso3s or not target.everywhere else None
            yield from surface_patterns(
                surface,
                payload,
                languages=languages,
                flags=alias.flags,
                any_case=alias.type == "blocker",
                alternates=_alternates(alias, kind),
            )


# Urdu letters that never join the letter after them: after one, a space is all but invisible, so
# Urdu writers put one in or leave it out at will inside a name (آئر لینڈ, کوسٹاریکا beside CLDR's
# آئرلینڈ, کوسٹا ریکا).
URDU_NON_JOINING = "اآأدڈذرڑزژوۓےۃ"
_URDU_LETTER = re.compile(r"[\u0600-\u06ff]")
_URDU_GAP = re.compile(rf"(?<=[{URDU_NON_JOINING}]) (?=[\u0600-\u06ff])")
_URDU_JOIN = re.compile(
    rf"(?<=[\u0600-\u06ff]{{3}})(?<=[{URDU_NON_JOINING}])(?=[\u0600-\u06ff]{{3}})"
)


def urdu_spacings(surface: str) -> list[str]:
    """Other spellings of an Urdu name that differ only by a space after a non-joining letter:
    without each such space, and with one after each such letter inside a word (three letters or
    more on both sides)."""
    variants = [surface[: m.start()] + surface[m.end() :] for m in _URDU_GAP.finditer(surface)]
    variants += [
        surface[: m.start()] + " " + surface[m.start() :] for m in _URDU_JOIN.finditer(surface)
    ]
    return [v for v in dict.fromkeys(variants) if v != surface]


def surface_patterns(
    surface: str,
    payload: object,
    *,
    languages: frozenset[str] | None,
    flags: frozenset[str],
    any_case: bool = False,
    alternates: bool = False,
) -> Iterator[Pattern]:
    """The matcher patterns of one curated surface (the gazetteer's rows and the entity aliases):
    its case variants, an accent-free spelling, Cyrillic inflected stems, a ``stem`` flag's stem,
    a Finnish/Estonian/Hungarian name's case endings, Hangul ``word``. ``flags`` as in the curated
    tables; ``any_case``: match in any case (a blocker); ``alternates``: a Ukrainian town
    (``_alternates``)."""
    surfaces = [surface]
    if "ß" in surface:
        surfaces.append(surface.replace("ß", "ss"))  # as Switzerland writes German: Grossbritannien
    if languages is not None and "ur" in languages and _URDU_LETTER.search(surface):
        surfaces.extend(urdu_spacings(surface))
    latin_ok = not (languages and languages <= _PREFER_LATIN)
    if latin_ok and not flags & {"cs", "noplain"} and _LATIN_LETTER.search(surface):
        plain = _strip_accents(surface)
        if plain != surface:
            surfaces.append(plain)
    explicit_stem = next((f for f in flags if f.startswith("stem")), None)
    if explicit_stem is None and _agglutinative(surface, languages):
        explicit_stem = "stem5"  # Venäjän, Venäjällä; Oroszországban
    forms: list[tuple[str, bool, int, frozenset[str] | None]] = []
    for each in surfaces:
        if explicit_stem:
            forms.append((each, True, int(explicit_stem[4:] or 3), None))
        elif _CYRILLIC.search(each) and "nostem" not in flags:
            forms.extend(_cyrillic_forms(each, alternates))
        elif _GREEK.search(each) and "nostem" not in flags:
            forms.extend(_greek_forms(each))
        else:
            forms.append((each, False, 0, None))
    for text, prefix, max_suffix, endings in forms:
        if "cs" in flags:
            variants, exact = [text], True
        elif "ci" in flags or any_case or not _cased(text):
            variants, exact = [text], False
        else:
            variants, exact = _case_variants(text), True
        for variant in variants:
            yield Pattern(
                variant, payload, exact, prefix, max_suffix or 3, "word" in flags, endings
            )


_BUILD_LOCK = threading.Lock()  # the poller tags from many threads: build the automaton once


@cache
def _build_matcher() -> Matcher:
    return cached("countries", lambda: Matcher(country_patterns(load_aliases())), Matcher)


def _matcher() -> Matcher:
    with _BUILD_LOCK:
        return _build_matcher()


# Word lists that decide whether a match is a tag live in a data file beside the gazetteer
# (context_words.toml, documented there), loaded once.
_HEADLINE_WORDS = frozenset(CONTEXT_WORDS["headline_words"])
_NEXT_WORD = re.compile(r"[^\S\n]([^\W\d_][\w'’]*)")


def _followed_by_surname(text: str, end: int) -> bool:
    """Whether a capitalised word (in any cased script: Chad Daybell, Γεωργία Νικολάου) that
    is not a common headline word follows ``end``."""
    found = _NEXT_WORD.match(text, end)
    return (
        found is not None
        and found.group(1)[0].isupper()
        and found.group(1).lower() not in _HEADLINE_WORDS
    )


_BEFORE_TOWN = _HEADLINE_WORDS | frozenset(CONTEXT_WORDS["before_town_words"])
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’.\u00ad]*)[^\S\n]+$")
# A company: the town's name followed by up to three capitalised words and a corporate word.
_COMPANY_AFTER = re.compile(
    r"(?:\s+[A-Z][\w&'’.-]*){0,3}?\s+(?:"
    + "|".join(re.escape(word) for word in CONTEXT_WORDS["company_words"])
    + r")\b"
)
# Dutch and German surname particles after a capitalised word ("Ursula von der Leyen", "Mark van
# Bommel"). Not the Romance "de", "da", "do": "Assistência Social de Apucarana" is a town's
# office far more often than "Perez de Cuellar" is a surname.
_PARTICLE_BEFORE = re.compile(r"([^\W\d_][\w'’.\u00ad]*)\s+(?:van|von|der|den|ter|ten|vom|zu)\s+$")
_BEFORE_PARTICLE = frozenset(CONTEXT_WORDS["before_particle_words"])


def _not_a_town_here(text: str, start: int, end: int) -> bool:
    """Whether a town's name reads as something else here: a surname (after a capitalised word
    that is not a function word, or after such a word and a particle: Robert Duvall, Валерий
    Шадрин, Perez de Cuellar), part of a hyphenated compound
    (Hart-Scott-Rodino) or the start of a company name (Noranda Inc, Corby Distilleries Ltd).
    In capitals it counts only in a dateline: before a comma (LANSDALE, Pa., June 19 -), or
    before a colon at the start of a line (SEREMBAN: Polis menahan…, as the Malaysian and Indian
    press date a story); an upper-case headline's NORANDA TO SELL or GANDER <GNDR.O> BUYS is a
    company."""
    if text[start:end].isupper():
        if text.startswith(",", end):
            return False
        line_start = text.rfind("\n", 0, start) + 1
        return not (text.startswith(":", end) and not text[line_start:start].strip())
    if start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
        return True
    if _COMPANY_AFTER.match(text, end):
        return True
    found = _PARTICLE_BEFORE.search(text, max(0, start - 50), start)
    if found and found.group(1).lower() in _BEFORE_PARTICLE:
        return False
    return _after_a_capitalised_word(text, start, found)


def _after_a_capitalised_word(text: str, start: int, found: re.Match[str] | None = None) -> bool:
    """Whether the word before ``start`` (or ``found``, a word before a particle) is capitalised
    and not a function or headline word: a given name before a surname."""
    found = found or _WORD_BEFORE.search(text, max(0, start - 40), start)
    if not found:
        return False
    word = found.group(1)
    return word[0].isupper() and word.lower().rstrip(".") not in _BEFORE_TOWN


_LANGUAGE_BEFORE = frozenset(CONTEXT_WORDS["language_before_words"])
_LANGUAGE_AFTER = frozenset(CONTEXT_WORDS["language_after_words"])
_LANGUAGE_SUFFIXES = tuple(CONTEXT_WORDS["language_suffixes"])
_KOREAN_LANGUAGE_PARTICLES = frozenset(CONTEXT_WORDS["korean_language_particles"])
_LANGUAGE_PREPOSITIONS: dict[str, frozenset[str]] = {}
for _entry in CONTEXT_WORDS["language_prepositions"]:
    _language, _word = _entry.split()
    _LANGUAGE_PREPOSITIONS[_language] = _LANGUAGE_PREPOSITIONS.get(_language, frozenset()) | {_word}
_WORD_RIGHT_BEFORE = re.compile(r"([^\W\d_]+)\s+$")
# The word after a match, and the word before it with a proclitic (Arabic ال, بال) glued to
# the match allowed between: marks count as letters (Devanagari भाषा).
_WORD_AFTER = re.compile(r"[\s-]+([^\s\d.,;:!?()\[\]\"'«»“”‘’-]+)")
_LANGUAGE_WORD_BEFORE = re.compile(r"([^\W\d_]+)\s+[^\W\d_]{0,3}$")


_PARTITIVE_PREPOSITIONS: dict[str, dict[str, tuple[str, ...]]] = {}
for _entry in CONTEXT_WORDS["language_partitive_prepositions"]:
    _language, _word, _endings = _entry.split()
    _PARTITIVE_PREPOSITIONS.setdefault(_language, {})[_word] = tuple(_endings.split(","))


def _a_language_after_its_preposition(
    text: str, start: int, language: str | None, end: int | None = None
) -> bool:
    """Whether the adjective at ``start`` (to ``end``) follows the preposition that makes it a
    language in ``language`` (Spanish "en español", Portuguese "em português"), or "di"/"de" in
    the masculine singular, the form a language takes ("insegnante di italiano", not "migliaia
    di italiani": context_words.toml)."""
    prepositions = _LANGUAGE_PREPOSITIONS.get(language or "", frozenset())
    partitive = _PARTITIVE_PREPOSITIONS.get(language or "", {})
    if not prepositions and not partitive:
        return False
    before = _WORD_RIGHT_BEFORE.search(text, max(0, start - 12), start)
    if before is None:
        return False
    word = before.group(1).lower()
    if word in prepositions:
        return True
    endings = partitive.get(word)
    return endings is not None and end is not None and text[start:end].lower().endswith(endings)


_INSTRUMENTAL_ENDINGS: dict[str, tuple[str, ...]] = {}
for _entry in CONTEXT_WORDS["language_instrumental_endings"]:
    _language, _ending = _entry.split()
    _INSTRUMENTAL_ENDINGS[_language] = (*_INSTRUMENTAL_ENDINGS.get(_language, ()), _ending)
_INSTRUMENTAL_CONJUNCTIONS = frozenset(CONTEXT_WORDS["language_instrumental_conjunctions"])
# The next word on the same line (none when punctuation or the line's end comes first).
_NEXT_WORD_ON_LINE = re.compile(r"[^\S\n]*([^\W\d_]+)")


def _a_language_in_the_instrumental(text: str, start: int, end: int, language: str | None) -> bool:
    """Whether the adjective at ``start:end`` names a language by its instrumental alone, as
    Ukrainian does ("говорить польською", "польською та угорською мовами"): it ends in one of the
    language's endings and is followed on its line by no word, by a language word, or by a
    conjunction and another such adjective that names a language (context_words.toml).
    Before any other word it is the country ("під російською окупацією")."""
    endings = _INSTRUMENTAL_ENDINGS.get(language or "")
    if not endings or not text[start:end].lower().endswith(endings):
        return False
    if text[end : end + 1].isalpha():
        return False
    after = _NEXT_WORD_ON_LINE.match(text, end)
    if after is None:
        return True
    word = after.group(1).lower()
    if word not in _INSTRUMENTAL_CONJUNCTIONS:
        return word in _LANGUAGE_AFTER
    other = _NEXT_WORD_ON_LINE.match(text, after.end())
    return other is not None and _a_language_in_the_instrumental(
        text, other.start(1), other.end(1), language
    )


def _street_pattern(entries: list[str]) -> dict[str, re.Pattern[str]]:
    """Per language, a pattern for a street word and its particle right before a name."""
    alternatives: dict[str, list[str]] = {}
    for entry in entries:
        language, word, particles = entry.split()
        for particle in particles.split(","):
            gap = "" if particle.endswith(("'", "’")) else r"\s+"
            particle_re = re.escape(particle).replace("'", "['’]")
            alternatives.setdefault(language, []).append(rf"{re.escape(word)}\s+{particle_re}{gap}")
    return {
        language: re.compile(
            rf"(?:([^\W\d_]+)\s+)?(?<![^\W\d_])(?:{'|'.join(options)})$", re.IGNORECASE
        )
        for language, options in alternatives.items()
    }


_STREETS = _street_pattern(list(CONTEXT_WORDS["street_words"]))
_STREET_NOT_AFTER = frozenset(CONTEXT_WORDS["street_not_after_words"])


def _names_a_street(text: str, start: int, language: str | None) -> bool:
    """Whether the name at ``start`` follows a street word and its particle, as a street named
    after a city does ("rue de Rome", "avenue de Moscou": context_words.toml street_words), and
    not one of the city's streets ("une rue de Kyiv", "la principale rue de Gaza")."""
    pattern = _STREETS.get(language or "")
    found = pattern.search(text, max(0, start - 40), start) if pattern else None
    if found is None:
        return False
    before = found.group(1)
    return before is None or before.lower() not in _STREET_NOT_AFTER


def _names_a_language(text: str, start: int, end: int) -> bool:
    """Whether the name or adjective at ``start:end`` names a language here ("bahasa Inggris",
    "French-language", "китайском языке", 러시아어, フランス語: context_words.toml)."""
    before = _LANGUAGE_WORD_BEFORE.search(text, max(0, start - 40), start)
    if before and before.group(1).lower() in _LANGUAGE_BEFORE:
        return True
    after = _WORD_AFTER.match(text, end)
    if after and after.group(1).lower() in _LANGUAGE_AFTER:
        return True
    for suffix in _LANGUAGE_SUFFIXES:
        if text.startswith(suffix, end):
            following = text[end + len(suffix) : end + len(suffix) + 1]
            return not (following.isalpha() and "\uac00" <= following <= "\ud7a3") or (
                following in _KOREAN_LANGUAGE_PARTICLES
            )
    return False


# Up to two words (or a bracket) between a generic state organ and the country that owns it:
# Kementerian Pertahanan AS, Kementerian Kesehatan di Gaza, Bea Cukai (ICE) Amerika; and the
# Hebrew or Arabic proclitic glued to the owner (משרד החוץ האמריקאי, وزارة الخارجية الأمريكية).
_TO_OWNER = re.compile(
    r"[\s,]*(?:\([^)]{0,20}\)\s*)?(?:[^\W\d_]+\s+){0,2}(?:[\u05d0-\u05ea]{1,3}|[\u0621-\u064a]{1,3})?$"
)


def _blocks(payload: _Target | None) -> bool:
    """Whether a match's payload is a blocker's: None, or a restricted blocker's target."""
    return payload is None or not payload.iso3s


def _owner_follows(text: str, match: Match, following: list[Match]) -> bool:
    """Whether the match after ``match`` (a generic state organ) names another country within
    two words of it: the organ is that country's."""
    if not following:
        return False
    owner = following[0]
    if _blocks(owner.payload) or set(owner.payload.iso3s) == set(match.payload.iso3s):
        return False
    return _TO_OWNER.match(text[match.end : owner.start]) is not None


# Japanese, Chinese and Korean put the owner first: アメリカ財務省, カタールの外務省, 美国的国防部.
_OWNER_BEFORE = re.compile(r"[\s・·]*(?:の|的|의)?[\s・·]*$")


def _owner_precedes(text: str, match: Match, previous: list[Match]) -> bool:
    """Whether the match right before ``match`` (a generic state organ) names another country,
    joined to it directly or by a possessive particle: the organ is that country's."""
    if not previous or _blocks(previous[-1].payload):
        return False
    owner = previous[-1]
    if set(owner.payload.iso3s) == set(match.payload.iso3s):
        return False
    return _OWNER_BEFORE.fullmatch(text[owner.end : match.start]) is not None


# Chinese writes a foreign person's name with a middle dot between its parts (喬治亞·梅洛尼,
# Giorgia Meloni; 丹泽尔·华盛顿, Denzel Washington): a place's name joined by one to a run of
# Han characters that is not itself a place is part of such a name. Japanese and Korean also
# join list items with the dot (中国・四国, 미국·영국): there, and in Chinese between two places
# (美·日, 法國·巴黎), it tags as usual.
_NAME_DOTS = "\u00b7\u30fb\u2027\u2022\uff65"  # · ・ ‧ • ･
_NAME_DOT_LANGUAGES = frozenset({"zh"})
_NAME_PART_TYPES = frozenset({"name", "adjective", "capital", "place"})


def _han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _in_a_dotted_name(text: str, match: Match, previous: Match | None, nxt: Match | None) -> bool:
    """Whether ``match`` is one part of a foreign person's name written with a middle dot: a dot
    joins it to Han characters that do not start (after it) or end (before it) the name of
    a place or any other row but a leader's (a leader's name is a person's too: 喬治亞·梅洛尼)."""

    def place(other: Match | None, at: int, starts: bool) -> bool:
        return (
            other is not None
            and (other.start if starts else other.end) == at
            and (other.payload is None or other.payload.type != "leader")
        )

    end, start = match.end, match.start
    dot_after = end + 1 < len(text) and text[end] in _NAME_DOTS and _han(text[end + 1])
    if dot_after and not place(nxt, end + 1, starts=True):
        return True
    dot_before = start >= 2 and text[start - 1] in _NAME_DOTS and _han(text[start - 2])
    return dot_before and not place(previous, start - 1, starts=False)


_HYPHENS = "-\u2010\u2011"
_PREFIX_HYPHENS = _HYPHENS + "\u05be"  # and the Hebrew maqaf


def _compound_follows(text: str, match: Match, following: list[Match]) -> bool:
    """Whether a country's name or adjective follows ``match`` (a combining form) after a hyphen,
    as in Sino-Japanese or франко-германский."""
    if not following or _blocks(following[0].payload):
        return False
    return following[0].start == match.end + 1 and text[match.end : match.end + 1] in _HYPHENS


_LONG_WORD = re.compile(r"[^\W\d_]{4,}")


def _title_case_line(text: str, start: int) -> bool:
    """Whether the line around ``start`` is a Title Case headline (most of its long words
    capitalised: "Storm Hits Jordan"), where a capital says nothing about a name."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    words = _LONG_WORD.findall(text, begin, len(text) if end < 0 else end)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


# Countries whose towns' romanised names are also given names (Yulin, Xinyi, Sanhe, Wuwei).
_PINYIN_COUNTRIES = frozenset({"CHN", "TWN", "HKG", "MAC", "SGP"})

_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7a3]")


def _script_language(text: str) -> str | None:
    """A language the script alone gives away (kana → ja, Hangul → ko), when none is known."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return None


def _base_language(language: str | None) -> str | None:
    if not language:
        return None
    return language.strip().lower().replace("_", "-").partition("-")[0] or None


def tag_countries(
    text: str, *, on: date | None = None, language: str | None = None
) -> list[CountryTag]:
    """The countries ``text`` refers to, each with all its evidence, by first mention."""
    if not text:
        return []
    day = on or datetime.now(UTC).date()
    lang = _base_language(language) or _script_language(text)

    def applies(target: _Target | None) -> bool:
        if target is None or target.everywhere:
            return True  # a blocker, or a row with no language or date restriction
        if target.languages is not None and lang not in target.languages:
            return False  # with no language known, language-specific rows stay out
        if target.valid_from and day < target.valid_from:
            return False
        return not (target.valid_to and day > target.valid_to)

    tags: dict[str, CountryTag] = {}
    # One sense per discourse for the towns kept for their own languages only (Nancy, Torres):
    # where the text uses the name as a person's (Nancy Pelosi, Ferran Torres), no mention of it
    # is the town.
    own_towns: list[tuple[str, Evidence]] = []
    names: set[str] = set()
    found = _matcher().find(text, applies)  # type: ignore[arg-type]
    for at, match in enumerate(found):
        target = match.payload
        if _blocks(target):
            continue  # a blocker
        if target.combining and not _compound_follows(text, match, found[at + 1 : at + 2]):
            continue  # Indo-European, Franco-era: not a country pair
        if target.prefix and text[match.end : match.end + 1] in _PREFIX_HYPHENS:
            continue  # Hebrew פרו-ישראלי: "pro-", not Peru
        if target.owned and (
            _owner_follows(text, match, found[at + 1 : at + 2])
            or _owner_precedes(text, match, found[max(at - 1, 0) : at])
        ):
            continue  # Kementerian Luar Negeri Rusia, アメリカ財務省: another state's ministry
        if target.type in ("name", "adjective") and _names_a_language(text, match.start, match.end):
            continue  # bahasa Inggris, French-language, 러시아어: a language
        if target.type == "adjective" and _a_language_after_its_preposition(
            text, match.start, lang, match.end
        ):
            continue  # en español, em português, in italiano: a language
        if target.type in ("capital", "place") and _names_a_street(text, match.start, lang):
            continue  # rue de Rome, avenue de Moscou: a street
        if target.type == "adjective" and _a_language_in_the_instrumental(
            text, match.start, match.end, lang
        ):
            continue  # говорить польською: a language
        if (
            lang in _NAME_DOT_LANGUAGES
            and target.type in _NAME_PART_TYPES
            and _in_a_dotted_name(
                text,
                match,
                found[at - 1] if at else None,
                found[at + 1] if at + 1 < len(found) else None,
            )
        ):
            continue  # 喬治亞·梅洛尼, 丹泽尔·华盛顿: part of a person's name
        if target.firstname and _followed_by_surname(text, match.end):
            continue
        if target.town and _not_a_town_here(text, match.start, match.end):
            names.add(match.text)
            continue
        if (
            target.surname
            and _after_a_capitalised_word(text, match.start)
            and not _title_case_line(text, match.start)
        ):
            continue  # a family name after a given name: Eddie Jordan, Abel Braga
        if (
            target.town
            and (
                (target.iso3s[0] in _PINYIN_COUNTRIES and match.text.isascii())
                or target.languages is not None
            )
            and _followed_by_surname(text, match.end)
        ):
            names.add(match.text)
            continue  # a given name before a surname: Yulin Wang, Xinyi Chen; an own-language
            # town's name (Nancy, Lorena) before one: Nancy Pelosi
        for iso3 in target.iso3s:
            tag = tags.get(iso3)
            if tag is None:
                tag = tags[iso3] = CountryTag(iso3=iso3)
            evidence = Evidence(text=match.text, type=target.type, start=match.start)
            tag.evidence.append(evidence)
            if target.town and target.languages is not None:
                own_towns.append((iso3, evidence))
    for iso3, evidence in own_towns:
        if evidence.text in names:
            tags[iso3].evidence.remove(evidence)
            if not tags[iso3].evidence:
                del tags[iso3]
    return sorted(tags.values(), key=lambda t: (t.evidence[0].start, t.iso3))

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
- ``languages``: ``*`` or the ISO 639-1 codes of the texts the row applies to (AS → id,ms).
- ``flags``: ``cs`` exact case only; ``ci`` any case; default: a surface written with capitals
  matches as written, in Title Case and in UPPER CASE, never in lower case ("turkey", "chad").
  ``stem``/``stemN``: the surface is a stem that takes up to 3 (N) more letters (российск →
  российского). ``nostem``: no automatic Cyrillic inflection. ``word``: a Hangul surface that
  takes no particles (미, 북). ``firstname``: also a given name,
  ignored when followed by a capitalised word that is not a common headline word (Chad Daybell).
- ``valid_from``/``valid_to``: leaders count only between these dates (ISO dates, inclusive;
  an empty end means still in office).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from ingest.records import CountryTag, Evidence
from ingest.tagging.matcher import Matcher, Pattern, normalize

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
CLDR_FILE = "cldr_names.tsv"
CLDR_CITIES_FILE = "cldr_cities.tsv"
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
_FLAG = re.compile(r"^(cs|ci|stem\d?|nostem|firstname|word)$")

__all__ = ["Alias", "load_aliases", "tag_countries", "country_patterns"]


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


def _read_cldr(path: Path) -> Iterator[Alias]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            languages = frozenset(row["languages"].split(","))
            # Vietnamese and Tagalog short names are everyday words elsewhere (Anh, Nga, Mỹ), and
            # Finnish, Estonian and Hungarian names take case endings (Venäjän): keep such names
            # to their own language; names shared with other languages apply everywhere.
            restricted = languages <= {"vi", "tl", "fi", "et", "hu"}
            yield Alias(
                surface=row["surface"],
                iso3s=(row["iso3"],),
                type="name",
                languages=languages if restricted else None,
                flags=frozenset(),
                source=path.name,
            )


# When two patterns match the very same span, the earlier row wins: blockers first, then names
# (curated, then CLDR), capitals, leaders, institutions, places, and adjectives last (the stem
# "argentin" must not turn the name "Argentina" into an adjective).
_TYPE_ORDER = {"blocker": 0, "name": 1, "capital": 3, "leader": 4, "institution": 5, "place": 6}


def _rank(alias: Alias) -> float:
    if alias.source == CLDR_FILE:
        return 2
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


def load_aliases(directory: Path = GAZETTEER_DIR) -> list[Alias]:
    """Every gazetteer row, in precedence order: the curated tables, and the CLDR names that no
    curated row overrides (a curated row for the same surface, e.g. a blocker, wins)."""
    curated: list[Alias] = []
    for path in sorted(directory.glob("*.tsv")):
        if path.name not in (CLDR_FILE, CLDR_CITIES_FILE):
            curated.extend(_read_curated(path))
    taken = {normalize(alias.surface) for alias in curated}
    cldr, cities = directory / CLDR_FILE, directory / CLDR_CITIES_FILE
    generated = list(_read_cldr(cldr)) if cldr.exists() else []
    generated += list(_read_cldr_cities(cities)) if cities.exists() else []
    rows = curated + [alias for alias in generated if normalize(alias.surface) not in taken]
    return sorted(rows, key=_rank)


# --- pattern generation -------------------------------------------------------------------

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_VOWEL_END = "аяоеёиыйьіїюэєу"
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


def _cyrillic_stem(word: str) -> tuple[str, int] | None:
    """(stem, max_suffix) for an inflecting Cyrillic word, None when too short to stem safely."""
    lower = word.lower()
    if lower.endswith(("ий", "ый", "ой", "ая", "яя", "ое", "ие", "ые")):
        stem = word[:-2]
    elif lower[-1] in _VOWEL_END:
        stem = word[:-1]
    else:
        stem = word
    if len(stem) < 4:
        return None
    return stem, 3


def _cyrillic_forms(surface: str) -> list[tuple[str, bool, int]]:
    """(text, prefix, max_suffix) forms of a Cyrillic name: the name itself and inflected stems."""
    forms: list[tuple[str, bool, int]] = [(surface, False, 0)]
    words = surface.split(" ")
    last = _cyrillic_stem(words[-1])
    if last is None:
        return forms
    stem, max_suffix = last
    firsts = [" ".join(words[:-1])] if len(words) > 1 else [""]
    if len(words) == 2:
        first = words[0]
        for ending, endings in _ADJ_FORMS.items():
            if first.lower().endswith(ending):
                base = first[: len(first) - len(ending)]
                firsts = [base + e for e in endings]
                break
    for first in firsts:
        text = f"{first} {stem}" if first else stem
        forms.append((text, True, max_suffix))
    return forms


_AGGLUTINATIVE = frozenset({"fi", "et", "hu"})  # case endings glued to the name, no apostrophe


def _agglutinative(alias: Alias) -> bool:
    """A one-word name used only by Finnish, Estonian or Hungarian: its case forms take suffixes."""
    return (
        alias.languages is not None
        and alias.languages <= _AGGLUTINATIVE
        and " " not in alias.surface
        and len(alias.surface) >= 5
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


def country_patterns(aliases: Iterable[Alias]) -> Iterator[Pattern]:
    """The matcher patterns for gazetteer rows (variants of case, accents and inflection)."""
    for alias in aliases:
        target = _Target(
            iso3s=alias.iso3s,
            type=alias.type,
            languages=alias.languages,
            valid_from=alias.valid_from,
            valid_to=alias.valid_to,
            firstname="firstname" in alias.flags,
            everywhere=alias.languages is None and not alias.valid_from and not alias.valid_to,
        )
        payload = target if alias.iso3s else None
        surfaces = [alias.surface]
        latin_ok = not (alias.languages and alias.languages <= _PREFER_LATIN)
        if latin_ok and "cs" not in alias.flags and _LATIN_LETTER.search(alias.surface):
            plain = _strip_accents(alias.surface)
            if plain != alias.surface:
                surfaces.append(plain)
        explicit_stem = next((f for f in alias.flags if f.startswith("stem")), None)
        if explicit_stem is None and _agglutinative(alias):
            explicit_stem = "stem5"  # Venäjän, Venäjällä; Oroszországban
        forms: list[tuple[str, bool, int]] = []
        for surface in surfaces:
            if explicit_stem:
                forms.append((surface, True, int(explicit_stem[4:] or 3)))
            elif _CYRILLIC.search(surface) and "nostem" not in alias.flags:
                forms.extend(_cyrillic_forms(surface))
            else:
                forms.append((surface, False, 0))
        for text, prefix, max_suffix in forms:
            if "cs" in alias.flags:
                variants, exact = [text], True
            elif "ci" in alias.flags or alias.type == "blocker" or not _cased(text):
                variants, exact = [text], False
            else:
                variants, exact = _case_variants(text), True
            for variant in variants:
                yield Pattern(
                    variant, payload, exact, prefix, max_suffix or 3, "word" in alias.flags
                )


@cache
def _matcher() -> Matcher:
    return Matcher(country_patterns(load_aliases()))


# Words that may follow a country name in a headline even though capitalised ("Chad Says …").
_HEADLINE_WORDS = frozenset(
    [
        "a",
        "after",
        "against",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "calls",
        "can",
        "could",
        "did",
        "does",
        "for",
        "from",
        "gets",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "must",
        "new",
        "not",
        "of",
        "on",
        "or",
        "over",
        "says",
        "said",
        "say",
        "seeks",
        "sees",
        "sets",
        "should",
        "than",
        "that",
        "the",
        "this",
        "to",
        "under",
        "up",
        "vs",
        "was",
        "were",
        "will",
        "with",
        "without",
        "would",
        "government",
        "president",
        "prime",
        "minister",
        "foreign",
        "army",
        "military",
        "police",
        "court",
        "parliament",
        "election",
        "elections",
        "war",
        "crisis",
        "talks",
        "deal",
        "leader",
        "leaders",
        "officials",
        "official",
        "troops",
        "forces",
        "rebels",
        "border",
        "capital",
        "state",
        "city",
        "news",
        "president's",
    ]
)
_NEXT_WORD = re.compile(r"\s([A-Z][\w'’]*)")


def _followed_by_surname(text: str, end: int) -> bool:
    found = _NEXT_WORD.match(text, end)
    return bool(found) and found.group(1).lower() not in _HEADLINE_WORDS


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
    for match in _matcher().find(text, applies):  # type: ignore[arg-type]
        target = match.payload
        if target is None:
            continue  # a blocker
        if target.firstname and _followed_by_surname(text, match.end):
            continue
        for iso3 in target.iso3s:
            tag = tags.get(iso3)
            if tag is None:
                tag = tags[iso3] = CountryTag(iso3=iso3)
            tag.evidence.append(Evidence(text=match.text, type=target.type, start=match.start))
    return sorted(tags.values(), key=lambda t: (t.evidence[0].start, t.iso3))

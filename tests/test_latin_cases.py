"""Case forms of names in Polish, Czech, Slovak and Croatian (``ingest/tagging/latin_cases.py``):
the grammar's forms, every CLDR name's forms tagging its country, and what they must not tag."""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache

import pytest

from ingest.tagging import countries
from ingest.tagging.countries import (
    CLDR_FILE,
    COMPASS_SOURCE,
    ENTITY_ALIASES_SOURCE,
    GAZETTEER_DIR,
    GENERATED_FILES,
    Alias,
    load_aliases,
    tag_countries,
)
from ingest.tagging.latin_cases import LANGUAGES, SKIP, case_forms
from ingest.tagging.matcher import normalize

# (language, nominative, forms its declension gives), from each language's grammar.
GRAMMAR = [
    ("pl", "Polska", {"Polski", "Polsce", "Polskę", "Polską"}),  # irregular locative
    ("pl", "Holandia", {"Holandii", "Holandię", "Holandią"}),
    ("pl", "Francja", {"Francji", "Francję", "Francją"}),
    ("pl", "Korea", {"Korei", "Koreę", "Koreą"}),
    ("pl", "Ukraina", {"Ukrainy", "Ukrainie", "Ukrainę", "Ukrainą"}),
    ("pl", "Kanada", {"Kanady", "Kanadzie"}),
    ("pl", "Malta", {"Malty", "Malcie"}),
    ("pl", "Jamajka", {"Jamajki", "Jamajce"}),
    ("pl", "Andora", {"Andory", "Andorze"}),
    ("pl", "Gwatemala", {"Gwatemali", "Gwatemalę"}),
    ("pl", "Kambodża", {"Kambodży", "Kambodżę"}),
    ("pl", "Nepal", {"Nepalu", "Nepalem", "Nepalowi"}),
    ("pl", "Iran", {"Iranu", "Iranie", "Iranem", "Iranowi"}),
    ("pl", "Egipt", {"Egiptu", "Egipcie"}),
    ("pl", "Cypr", {"Cypru", "Cyprze"}),
    ("pl", "Czad", {"Czadu", "Czadzie"}),
    ("pl", "Irak", {"Iraku", "Irakiem"}),
    ("pl", "Izrael", {"Izraela", "Izraelu"}),
    ("pl", "Kijów", {"Kijowa", "Kijowie"}),
    ("pl", "Białoruś", {"Białorusi", "Białorusią"}),
    ("pl", "Kosowo", {"Kosowa", "Kosowie"}),
    ("pl", "Czechy", {"Czech", "Czechach", "Czechami", "Czechom"}),
    ("pl", "Chiny", {"Chin", "Chinach"}),
    ("pl", "Indie", {"Indii", "Indiach"}),
    ("pl", "Niemcy", {"Niemiec", "Niemczech"}),
    ("pl", "Węgry", {"Węgier", "Węgrzech"}),
    ("pl", "Włochy", {"Włoch", "Włoszech"}),
    ("pl", "Nowa Zelandia", {"Nowej Zelandii", "Nową Zelandię", "Nową Zelandią"}),
    ("pl", "Wielka Brytania", {"Wielkiej Brytanii", "Wielką Brytanię"}),
    ("pl", "Stany Zjednoczone", {"Stanów Zjednoczonych", "Stanach Zjednoczonych"}),
    ("pl", "Korea Północna", {"Korei Północnej", "Koreę Północną"}),
    ("pl", "Sudan Południowy", {"Sudanu Południowego", "Sudanie Południowym"}),
    ("pl", "Timor Wschodni", {"Timoru Wschodniego", "Timorze Wschodnim"}),
    ("pl", "Zjednoczone Emiraty Arabskie", {"Zjednoczonych Emiratach Arabskich"}),
    ("pl", "Bośnia i Hercegowina", {"Bośni i Hercegowiny", "Bośnię i Hercegowinę"}),
    ("pl", "Republika Zielonego Przylądka", {"Republice Zielonego Przylądka"}),
    ("pl", "Republika Południowej Afryki", {"Republiki Południowej Afryki"}),
    ("pl", "Sri Lanka", {"Sri Lanki", "Sri Lance"}),
    ("cs", "Ukrajina", {"Ukrajiny", "Ukrajině", "Ukrajinu", "Ukrajinou"}),
    ("cs", "Praha", {"Prahy", "Praze", "Prahou"}),
    ("cs", "Andorra", {"Andorře"}),
    ("cs", "Česko", {"Česka", "Česku", "Českem"}),
    ("cs", "Francie", {"Francii", "Francií"}),
    ("cs", "Korea", {"Koreje", "Koreji"}),
    ("cs", "Keňa", {"Keni", "Keňu"}),
    ("cs", "Írán", {"Íránu", "Íránem"}),
    ("cs", "Irák", {"Iráku", "Irákem"}),
    ("cs", "Izrael", {"Izraele", "Izraeli", "Izraelem"}),
    ("cs", "Jižní Korea", {"Jižní Koreje", "Jižní Koreji"}),
    ("cs", "Jižní Súdán", {"Jižního Súdánu", "Jižním Súdánu"}),
    ("cs", "Nový Zéland", {"Nového Zélandu", "Novém Zélandu"}),
    ("cs", "Spojené státy", {"Spojených států", "Spojených státech", "Spojenými státy"}),
    ("cs", "Česká republika", {"České republiky", "České republice", "Českou republikou"}),
    ("cs", "Bosna a Hercegovina", {"Bosny a Hercegoviny", "Bosně a Hercegovině"}),
    ("sk", "Ukrajina", {"Ukrajiny", "Ukrajine", "Ukrajinou"}),
    ("sk", "Slovensko", {"Slovenska", "Slovensku", "Slovenskom"}),
    ("sk", "Británia", {"Británie", "Británii", "Britániu"}),
    ("sk", "Irán", {"Iránu", "Iráne", "Iránom"}),
    ("sk", "Saudská Arábia", {"Saudskej Arábie", "Saudskej Arábii"}),
    ("sk", "Čierna Hora", {"Čiernej Hory", "Čiernej Hore"}),
    ("sk", "Spojené štáty", {"Spojených štátov", "Spojených štátoch"}),
    ("sk", "Spojené kráľovstvo", {"Spojeného kráľovstva", "Spojenom kráľovstve"}),
    ("hr", "Hrvatska", {"Hrvatske", "Hrvatskoj", "Hrvatsku", "Hrvatskom"}),
    ("hr", "Rusija", {"Rusije", "Rusiji", "Rusiju", "Rusijom"}),
    ("hr", "Kostarika", {"Kostarike", "Kostarici"}),
    ("hr", "Iran", {"Irana", "Iranu", "Iranom"}),
    ("hr", "Egipat", {"Egipta", "Egiptu"}),
    ("hr", "Kosovo", {"Kosova", "Kosovu"}),
    ("hr", "Sjedinjene Američke Države", {"Sjedinjenih Američkih Država"}),
    ("hr", "Ujedinjeno Kraljevstvo", {"Ujedinjenog Kraljevstva", "Ujedinjenom Kraljevstvu"}),
    ("hr", "Novi Zeland", {"Novog Zelanda", "Novom Zelandu"}),
    ("hr", "Crna Gora", {"Crne Gore", "Crnoj Gori"}),
]

# Foreign names that do not decline in the language (Chile, Mali, Peru, Togo).
UNDECLINED = [
    ("pl", "Chile"),
    ("pl", "Mali"),
    ("pl", "Peru"),
    ("pl", "Togo"),
    ("pl", "Burundi"),
    ("pl", "Haiti"),
    ("pl", "Papua-Nowa Gwinea"),
    ("cs", "Peru"),
    ("cs", "Chile"),
    ("sk", "Mali"),
    ("hr", "Čile"),
    ("hr", "Togo"),
]


@pytest.mark.parametrize(
    ("language", "name", "forms"), GRAMMAR, ids=[f"{lang}-{name}" for lang, name, _ in GRAMMAR]
)
def test_case_forms_follow_the_grammar(language: str, name: str, forms: set[str]) -> None:
    made = case_forms(name, language)
    assert forms <= set(made), sorted(forms - set(made))
    assert name not in made


@pytest.mark.parametrize(("language", "name"), UNDECLINED)
def test_foreign_names_that_do_not_decline_make_no_forms(language: str, name: str) -> None:
    assert case_forms(name, language) == []


def test_only_the_inflecting_languages() -> None:
    assert {"pl", "cs", "sk", "hr"} == LANGUAGES
    assert case_forms("Ukraina", "en") == []


# Headlines of the kind the tagger missed (Wikipedia "In the news" blurbs and feed items).
SENTENCES = [
    ("pl", "Mistrzostwa świata rozgrywane w Polsce i Holandii", {"POL", "NLD"}),
    ("pl", "Trzęsienie ziemi w południowej Turcji, niedaleko granicy z Syrią", {"TUR", "SYR"}),
    ("pl", "Ulf Kristersson objął stanowisko premiera Szwecji", {"SWE"}),
    ("pl", "72 osoby zginęły w katastrofie lotu w Nepalu", {"NPL"}),
    ("pl", "Petr Pavel zwyciężył w wyborach prezydenckich w Czechach", {"CZE"}),
    ("pl", "Premier Nowej Zelandii spotkał się z królem Wielkiej Brytanii", {"NZL", "GBR"}),
    ("pl", "Argentyna pokonała Francję po serii rzutów karnych", {"ARG", "FRA"}),
    ("pl", "Protesty w Iranie; prezydent Wietnamu podał się do dymisji", {"IRN", "VNM"}),
    ("pl", "Ambasador w Stanach Zjednoczonych i w Niemczech", {"USA", "DEU"}),
    ("pl", "Zmiana waluty w Chorwacji, wybory w Słowenii i Mołdawii", {"HRV", "SVN", "MDA"}),
    ("cs", "Válka na Ukrajině a volby v Česku", {"UKR", "CZE"}),
    ("cs", "Summit Spojených států a Jižní Koreje", {"USA", "KOR"}),
    ("cs", "Prezident České republiky odletěl do Francie", {"CZE", "FRA"}),
    ("sk", "Voľby na Slovensku a v Maďarsku", {"SVK", "HUN"}),
    ("sk", "Minister zahraničných vecí Spojených štátov v Nemecku", {"USA", "DEU"}),
    ("hr", "Izbori u Hrvatskoj i Srbiji", {"HRV", "SRB"}),
    ("hr", "Predsjednik Sjedinjenih Američkih Država posjetio je Crnu Goru", {"USA", "MNE"}),
    # the curated names CLDR lacks decline too (names.tsv, places.tsv)
    ("pl", "Umowa handlowa z Republiką Czeską i Anglią", {"CZE", "GBR"}),
    ("cs", "Premiér Velké Británie", {"GBR"}),
    ("sk", "Veľvyslanec vo Veľkej Británii", {"GBR"}),
    ("hr", "Izbori u Velikoj Britaniji i Engleskoj", {"GBR"}),
]


@pytest.mark.parametrize(
    ("language", "text", "iso3s"),
    SENTENCES,
    ids=[f"{lang}-{'-'.join(sorted(iso3s))}-{text[:20]}" for lang, text, iso3s in SENTENCES],
)
def test_headlines_tag_the_declined_names(language: str, text: str, iso3s: set[str]) -> None:
    assert {tag.iso3 for tag in tag_countries(text, language=language)} == iso3s


# A form that is an everyday word, or another language's text: nothing.
NOT_NAMES = [
    ("cs", "Samou se vrátila domů"),  # samou: alone (Samoa)
    ("sk", "Samou ju nechali"),
    ("hr", "Komora je zatvorena"),  # komora: a chamber (Komori)
    ("en", "He rubbed his Chin"),  # Polish Chin (of China) in English
    ("en", "Holandii Polsce Czechach Ukrajině Hrvatskoj"),  # forms keep to their language
    ("de", "Polski und Nepalu"),
]


@pytest.mark.parametrize(("language", "text"), NOT_NAMES)
def test_forms_that_are_words_or_another_language_tag_nothing(language: str, text: str) -> None:
    assert tag_countries(text, language=language) == []


def test_the_skip_list_names_forms_the_rules_make() -> None:
    """Every form left out is one the rules make (else it is a stale entry)."""
    made = defaultdict(set)
    for surface, _iso3, languages in _cldr_rows():
        for language in languages & LANGUAGES:
            made[language].update(case_forms(surface, language, skip=False))
    for language, forms in SKIP.items():
        assert forms <= made[language], (language, forms - made[language])


@cache
def _cldr_rows() -> tuple[tuple[str, str, frozenset[str]], ...]:
    with (GAZETTEER_DIR / CLDR_FILE).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple(
            (row["surface"], row["iso3"], frozenset(row["languages"].split(","))) for row in reader
        )


def _cldr_forms(language: str) -> list[tuple[str, str]]:
    """(form, iso3) for every case form of every CLDR name in ``language``, without the forms
    that another row spells (another country's name, a curated blocker) or that two countries'
    names both make."""
    owners: dict[str, set[str]] = defaultdict(set)
    for surface, iso3, languages in _cldr_rows():
        for each in languages & LANGUAGES:
            for form in case_forms(surface, each):
                owners[normalize(form)].add(iso3)
    spelled = {normalize(alias.surface): alias.iso3s for alias in _base_aliases()}
    forms = []
    for surface, iso3, languages in _cldr_rows():
        if language not in languages:
            continue
        for form in case_forms(surface, language):
            key = normalize(form)
            if len(owners[key]) == 1 and key not in spelled:
                forms.append((form, iso3))
    return forms


@cache
def _base_aliases() -> tuple[Alias, ...]:
    """The rows as the tables give them (every language), without the case forms."""
    rows: list[Alias] = []
    for path in sorted(GAZETTEER_DIR.glob("*.tsv")):
        if path.name not in GENERATED_FILES:
            rows.extend(countries._read_curated(path))
    rows.extend(countries._read_cldr(GAZETTEER_DIR / CLDR_FILE))
    rows.extend(countries._read_cldr_cities(GAZETTEER_DIR / countries.CLDR_CITIES_FILE))
    rows.extend(countries._read_places(GAZETTEER_DIR / countries.PLACES_FILE))
    return tuple(rows)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_cldr_name_s_case_forms_tag_its_country(language: str) -> None:
    """Derived from the CLDR rows: each case form, in a sentence of its language, tags the
    name's country (hundreds per language: Ukrainie, Ukrajině, Ukrajine, Ukrajini)."""
    forms = _cldr_forms(language)
    assert len(forms) > 500
    wrong = []
    for form, iso3 in forms:
        tags = {tag.iso3 for tag in tag_countries(f"Zprávy: {form} dnes", language=language)}
        if iso3 not in tags:
            wrong.append((form, iso3, tags))
    assert wrong == []


def test_case_form_rows_keep_to_their_languages() -> None:
    """Every row the rule adds applies to Polish, Czech, Slovak or Croatian texts only and has
    no accent-free variant; there are thousands of them."""
    base = {normalize(alias.surface) for alias in _base_aliases()}
    added = [
        alias
        for alias in load_aliases()
        if normalize(alias.surface) not in base
        and alias.source not in (ENTITY_ALIASES_SOURCE, COMPASS_SOURCE)
    ]
    assert len(added) > 3000
    for alias in added:
        assert alias.languages and alias.languages <= LANGUAGES, alias
        assert "noplain" in alias.flags, alias

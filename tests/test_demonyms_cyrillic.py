"""Person nouns of countries in Russian and Ukrainian (demonyms_cyrillic.tsv), German country adjectives and
German compass compounds (Südtürkei): the rules, checked on every row of their data."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from ingest.tagging import build_demonyms_cyrillic
from ingest.tagging.countries import (
    _ONE_LATIN_WORD,
    CLDR_FILE,
    COMPASS_NOT_THE_COUNTRY,
    COMPASS_PREFIXES_DE,
    COMPASS_SOURCE,
    GAZETTEER_DIR,
    load_aliases,
    tag_countries,
)

DAY = date(2026, 1, 1)
LEMMAS = build_demonyms_cyrillic.read_source()


def tagged(text: str, language: str) -> dict[str, list[str]]:
    return {
        tag.iso3: [e.text for e in tag.evidence]
        for tag in tag_countries(text, on=DAY, language=language)
    }


def test_the_generated_table_is_up_to_date(tmp_path) -> None:
    out = tmp_path / "demonyms_cyrillic.tsv"
    build_demonyms_cyrillic.build(output=out)
    assert out.read_text(encoding="utf-8") == build_demonyms_cyrillic.OUTPUT.read_text(
        encoding="utf-8"
    )


def test_every_country_with_a_person_noun_in_both_languages() -> None:
    by_language: dict[str, set[str]] = {"ru": set(), "uk": set()}
    for lemma in LEMMAS:
        by_language[lemma.language].add(lemma.iso3)
    assert len(by_language["ru"]) >= 150
    assert len(by_language["uk"]) >= 120


# Case forms the declension must give (fleeting vowels, -анин plurals, genitive plurals).
FORMS = [
    ("ru", "австриец", ["австриец", "австрийца", "австрийцу", "австрийцем", "австрийце",
                        "австрийцы", "австрийцев", "австрийцам", "австрийцами", "австрийцах"]),
    ("ru", "австрийка", ["австрийка", "австрийки", "австрийке", "австрийку", "австрийкой",
                         "австриек", "австрийкам", "австрийками"]),
    ("ru", "кениец", ["кениец", "кенийца", "кенийцы"]),
    ("ru", "португалец", ["португальца", "португальцы"]),
    ("ru", "норвежец", ["Норвежец", "норвежца", "норвежцев"]),
    ("ru", "датчанин", ["датчанин", "датчанину", "датчане", "датчан", "датчанами"]),
    ("ru", "болгарин", ["болгарина", "болгары", "болгар"]),
    ("ru", "финн", ["финн", "финна", "финны", "финнов"]),
    ("ru", "латыш", ["латыш", "латышом", "латыши", "латышей"]),
    ("ru", "полька", ["полька", "полькой", "полек"]),
    ("ru", "турок", ["турок", "турки", "турком"]),
    ("uk", "австрієць", ["австрієць", "австрійця", "австрійцеві", "австрійцем", "австрійці",
                         "австрійців", "австрійцями"]),
    ("uk", "австрійка", ["австрійка", "австрійки", "австрійці", "австрійкою", "австрійок"]),
    ("uk", "данець", ["данець", "данця", "данці"]),
    ("uk", "датчанин", ["датчанина", "датчани", "датчан"]),
    ("uk", "фін", ["фін", "фіна", "фінові", "фіни", "фінів"]),
    ("uk", "туркеня", ["туркеня", "туркені", "туркенею"]),
    ("uk", "турок", ["турок", "турка", "турків"]),
]  # fmt: skip


@pytest.mark.parametrize(("language", "lemma", "words"), FORMS, ids=[f[1] for f in FORMS])
def test_case_forms(language: str, lemma: str, words: list[str]) -> None:
    (row,) = [x for x in LEMMAS if x.lemma == lemma and x.language == language]
    for word in words:
        assert tagged(f"Вчера {word} выиграл", language) == {row.iso3: [word]}, word


def test_every_lemma_and_its_plural_tag_its_country() -> None:
    """Every lemma of the source, and each row generated from it, tags its country."""
    wrong = []
    for lemma in LEMMAS:
        for form in build_demonyms_cyrillic.forms(lemma):
            word = form.surface + ("ами" if form.stem and lemma.gender == "m" else "")
            word = form.surface + "а" if form.stem and lemma.gender == "f" else word
            found = tagged(f"по словам {word}, все", lemma.language)
            if found != {lemma.iso3: [word]}:
                wrong.append((lemma.lemma, word, found))
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "language", "iso3", "tags"),
    [
        ("22-летний финн Калле Рованперя стал чемпионом", "ru", "FIN", True),
        ("Финн Вулфард сыграл в сериале", "ru", "FIN", False),  # Finn, a given name
        ("Антон Чехов написал пьесу", "ru", "CZE", False),  # the writer, not чехов (Czechs)
        ("Мэр Поляков заявил", "ru", "POL", False),
        ("Матч в Турку завершился", "ru", "TUR", False),  # Turku, not турок
        ("Кофе в турке", "ru", "TUR", False),  # a coffee pot, not турок
        ("В Кубинке прошёл парад", "ru", "CUB", False),  # the town near Moscow
        ("кубинка выиграла турнир", "ru", "CUB", True),
        ("Пожар на Молдаванке", "ru", "MDA", False),  # a district of Odessa
    ],
)
def test_look_alikes(text: str, language: str, iso3: str, tags: bool) -> None:
    assert (iso3 in tagged(text, language)) is tags


# --- German ---------------------------------------------------------------------------------


def _german_adjectives() -> list[tuple[str, str]]:
    with (GAZETTEER_DIR / "adjectives.tsv").open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
    return [(r[0], r[1]) for r in rows[1:] if len(r) > 4 and r[3] == "de" and r[4] == "stem"]


def test_german_adjectives_cover_the_states() -> None:
    assert len({iso3 for _, iso3 in _german_adjectives()}) >= 170


@pytest.mark.parametrize("ending", ["e", "en", "er", "es", "em"])
def test_every_german_adjective_with_every_ending(ending: str) -> None:
    wrong = []
    for adjective, iso3 in _german_adjectives():
        if "-" in adjective or adjective[0].isupper():
            continue
        word = adjective + ending
        found = tagged(f"Der {word} Minister sagte", "de")
        if found != {iso3: [word]}:
            wrong.append((word, found))
        title = word[0].upper() + word[1:]
        if tagged(f"{title} Minister sagte", "de") != {iso3: [title]}:
            wrong.append((title, found))
    assert wrong == []


def _german_names() -> list[tuple[str, str]]:
    with (GAZETTEER_DIR / CLDR_FILE).open(encoding="utf-8", newline="") as fh:
        return [
            (row["surface"], row["iso3"])
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            if "de" in row["languages"].split(",") and _ONE_LATIN_WORD.match(row["surface"])
        ]


def test_a_compass_point_glued_to_a_country_tags_it() -> None:
    names = dict(_german_names())
    # A compound that is another row's surface keeps that row (Südsudan, Nordirland).
    taken = {a.surface for a in load_aliases() if a.source != COMPASS_SOURCE}
    wrong = []
    for name, iso3 in names.items():
        for prefix in COMPASS_PREFIXES_DE:
            compound = prefix + name[0].lower() + name[1:]
            if compound in taken or compound in COMPASS_NOT_THE_COUNTRY:
                continue
            found = tagged(f"Die Lage in {compound} bleibt angespannt", "de")
            if found != {iso3: [compound]}:
                wrong.append((compound, found))
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Erdbeben in der Südtürkei und in Nordsyrien",
            {"TUR": ["Südtürkei"], "SYR": ["Nordsyrien"]},
        ),
        (
            "Kämpfe in der Ostukraine und in Nordostsyrien",
            {"UKR": ["Ostukraine"], "SYR": ["Nordostsyrien"]},
        ),
        ("Die Armee Nordsyriens", {"SYR": ["Nordsyriens"]}),
        ("Wahl in Südkorea, Raketen aus Nordkorea", {"KOR": ["Südkorea"], "PRK": ["Nordkorea"]}),
        ("Südafrika und der Südsudan", {"ZAF": ["Südafrika"], "SSD": ["Südsudan"]}),
        ("Gewalt im Westjordanland", {"PSE": ["Westjordanland"]}),
        ("Handel mit Mittelamerika, Südamerika, Ostasien und Westafrika", {}),
        ("Die Ostindien-Kompanie und Westindien", {}),
        ("Ein Frachter in der Irischen See", {}),
        ("Der peruanische Präsident", {"PER": ["peruanische"]}),
        ("Die moldauische Ministerpräsidentin", {"MDA": ["moldauische"]}),
    ],
)
def test_german_examples(text: str, expected: dict[str, list[str]]) -> None:
    assert tagged(text, "de") == expected

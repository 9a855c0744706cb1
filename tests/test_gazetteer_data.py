"""The gazetteer data files: valid codes, one country per alias, coverage, leaders' dates."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict

import pytest

from ingest.geo import all_countries, is_valid_iso3
from ingest.tagging import build_gazetteer, build_places
from ingest.tagging.countries import (
    CLDR_CITIES_FILE,
    CLDR_FILE,
    CURATED_COLUMNS,
    GAZETTEER_DIR,
    GENERATED_FILES,
    PLACES_FILE,
    TYPES,
    Alias,
    load_aliases,
)
from ingest.tagging.matcher import normalize

REQUIRED_CLDR_LANGUAGES = {
    "id", "ms", "en", "ru", "uk", "be", "ko", "ja", "zh", "ar", "fa", "ur", "hi", "bn", "tr",
    "fr", "de", "es", "pt", "it", "nl", "pl", "el", "he", "vi", "th", "tl", "sw", "ro",
}  # fmt: skip


@pytest.fixture(scope="module")
def aliases() -> list[Alias]:
    return load_aliases()


def _cldr_rows() -> list[dict[str, str]]:
    with (GAZETTEER_DIR / CLDR_FILE).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_every_curated_table_has_the_documented_header() -> None:
    tables = [p for p in GAZETTEER_DIR.glob("*.tsv") if p.name not in GENERATED_FILES]
    assert {p.stem for p in tables} >= {
        "names", "adjectives", "capitals", "places", "institutions", "leaders", "blockers",
    }  # fmt: skip
    for path in tables:
        with path.open(encoding="utf-8") as fh:
            header = next(line for line in fh if not line.startswith("#"))
        assert tuple(header.rstrip("\n").split("\t")) == CURATED_COLUMNS, path.name


def test_every_code_is_a_valid_iso3(aliases: list[Alias]) -> None:
    bad = [(a.surface, code) for a in aliases for code in a.iso3s if not is_valid_iso3(code)]
    assert bad == []


def test_types_and_blockers(aliases: list[Alias]) -> None:
    assert {a.type for a in aliases} <= set(TYPES)
    for alias in aliases:
        assert (alias.type == "blocker") == (alias.iso3s == ()), alias


def _claim_key(alias: Alias) -> str:
    """Surfaces that match the same text: case-sensitive rows by their exact spelling."""
    exact = "cs" in alias.flags or (
        "ci" not in alias.flags
        and alias.type != "blocker"
        and alias.surface != alias.surface.lower()
    )
    return normalize(alias.surface, case_sensitive=True) if exact else normalize(alias.surface)


def test_no_alias_is_claimed_by_two_countries(aliases: list[Alias]) -> None:
    claims: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for alias in aliases:
        claims[_claim_key(alias)].add(alias.iso3s)
    clashes = {surface: codes for surface, codes in claims.items() if len(codes) > 1}
    assert clashes == {}


def test_a_curated_surface_has_one_type(aliases: list[Alias]) -> None:
    """The same surface (up to letter variants) is not both, say, a capital and a place."""
    types: dict[str, set[str]] = defaultdict(set)
    for alias in aliases:
        if alias.source not in GENERATED_FILES:
            types[_claim_key(alias)].add(alias.type)
    assert {surface: kinds for surface, kinds in types.items() if len(kinds) > 1} == {}


def test_every_un_member_has_a_capital(aliases: list[Alias]) -> None:
    with_capital = {a.iso3s[0] for a in aliases if a.type == "capital"}
    members = {c.iso3 for c in all_countries() if c.un_member}
    assert len(members) == 193
    assert members - with_capital == set()


def test_every_un_member_has_a_name_in_the_main_languages() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for row in _cldr_rows():
        names[row["iso3"]].update(row["languages"].split(","))
    for country in all_countries():
        if country.un_member:
            assert {"en", "id", "ru", "zh", "ko", "ar"} <= names[country.iso3], country.iso3


# Letters of Persian, Urdu and Pashto that Arabic does not write (the matcher folds them into
# Arabic letters: ی → ي, ک → ك, ہ → ه), and the languages that write them.
PERSO_ARABIC_ONLY = "یکہےپچژگٹڈڑںۀۃھ"
PERSO_ARABIC_LANGUAGES = {"fa", "ur", "ps"}


def test_persian_and_urdu_spellings_apply_to_their_languages_only() -> None:
    """Every curated row (each table read directly) spelled with a letter Arabic does not write
    applies to Persian, Urdu or Pashto texts only: folded, ریاض is the Arabic رياض (gardens)."""
    checked = 0
    for path in GAZETTEER_DIR.glob("*.tsv"):
        if path.name in GENERATED_FILES:
            continue
        with path.open(encoding="utf-8") as fh:
            rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
        for surface, _iso3, kind, languages, *_rest in rows[1:]:
            if kind == "blocker" or not any(c in PERSO_ARABIC_ONLY for c in surface):
                continue
            checked += 1
            assert set(languages.split(",")) <= PERSO_ARABIC_LANGUAGES, (path.name, surface)
    assert checked > 100


def test_an_arabic_common_noun_is_not_a_persian_place() -> None:
    from ingest.tagging.countries import tag_countries  # noqa: PLC0415

    assert tag_countries("في مدينة كبيرة قرب رياض الأطفال", language="ar") == []
    assert [t.iso3 for t in tag_countries("زيارة إلى الرياض", language="ar")] == ["SAU"]
    assert [t.iso3 for t in tag_countries("سفر به ریاض", language="fa")] == ["SAU"]


def test_leaders_have_dates_and_others_do_not(aliases: list[Alias]) -> None:
    leaders = [a for a in aliases if a.type == "leader"]
    assert len(leaders) > 300
    for alias in aliases:
        if alias.type == "leader":
            assert alias.valid_from is not None, alias.surface
            assert alias.valid_to is None or alias.valid_to >= alias.valid_from, alias.surface
        else:
            assert alias.valid_from is None and alias.valid_to is None, alias.surface


def test_the_issue_examples_are_in_the_gazetteer(aliases: list[Alias]) -> None:
    by_surface = {a.surface: a.iso3s for a in aliases}
    expected = {
        "AS": ("USA",), "Korut": ("PRK",), "Korsel": ("KOR",), "U.S.": ("USA",),
        "UK": ("GBR",), "Britain": ("GBR",), "США": ("USA",), "ФРГ": ("DEU",),
        "美国": ("USA",), "米国": ("USA",), "北韓": ("PRK",), "Kremlin": ("RUS",),
        "White House": ("USA",), "Downing Street": ("GBR",), "Zhongnanhai": ("CHN",),
        "Blue House": ("KOR",), "Pentagon": ("USA",), "TASS": ("RUS",), "KCNA": ("PRK",),
        "Xinhua": ("CHN",), "Путин": ("RUS",), "푸틴": ("RUS",), "普京": ("RUS",),
        "プーチン": ("RUS",), "Prabowo": ("IDN",), "Crimea": ("UKR",), "Gaza": ("PSE",),
        "Jambi": ("IDN",), "Kosovo": ("XKX",), "Amman": ("JOR",), "Oman": ("OMN",),
    }  # fmt: skip
    assert {surface: by_surface.get(surface) for surface in expected} == expected
    blockers = {a.surface for a in aliases if a.type == "blocker"}
    assert {"South China Sea", "Laut China Selatan", "Korean Peninsula", "中国地方"} <= blockers


def test_every_indonesian_province_is_a_place(aliases: list[Alias]) -> None:
    places = {a.surface for a in aliases if a.type == "place" and a.iso3s == ("IDN",)}
    provinces = {
        "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi",
        "Sumatera Selatan", "Bengkulu", "Lampung", "Kepulauan Bangka Belitung", "DKI Jakarta",
        "Jawa Barat", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur", "Banten", "Bali",
        "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah",
        "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara",
        "Sulawesi Tengah", "Sulawesi Selatan", "Sulawesi Tenggara", "Gorontalo",
        "Sulawesi Barat", "Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Selatan",
        "Papua Tengah", "Papua Pegunungan", "Papua Barat Daya",
    }  # fmt: skip
    assert provinces - places == set()


def test_cldr_names_cover_at_least_thirty_languages() -> None:
    languages = {lang for row in _cldr_rows() for lang in row["languages"].split(",")}
    assert len(languages) >= 30
    assert languages >= REQUIRED_CLDR_LANGUAGES


def test_cldr_file_holds_countries_only() -> None:
    rows = _cldr_rows()
    codes = {row["iso3"] for row in rows}
    assert "XKX" in codes
    assert all(is_valid_iso3(code) for code in codes)
    assert build_gazetteer.territory_iso3("XK") == "XKX"
    for region in ("001", "150", "419", "EU", "EZ", "UN", "QO"):
        assert build_gazetteer.territory_iso3(region) is None
    # Parenthesised qualifiers are not names ("刚果（金）" is DR Congo, "金" is gold).
    assert not {row["surface"] for row in rows} & {"金", "布", "China (Hong Kong)"}


# The three sets of Chinese names CLDR has (mainland, Taiwan, Hong Kong/Macau).
CHINESE_LOCALES = ("zh_Hans", "zh_Hant", "zh_Hant_HK")


def _chinese_cldr_names(locale: str) -> list[tuple[str, str]]:
    """(name, ISO3) of every country in one Chinese CLDR locale, less the names two countries
    share (刚果, the two Congos), which the builder leaves to the curated tables."""
    from babel import Locale

    owners: dict[str, set[str]] = defaultdict(set)
    for other in CHINESE_LOCALES:
        for code, name in Locale.parse(other).territories.items():
            iso3 = build_gazetteer.territory_iso3(code)
            if iso3:
                owners[build_gazetteer.surfaces(name)[0]].add(iso3)
    names = []
    for code, name in Locale.parse(locale).territories.items():
        iso3 = build_gazetteer.territory_iso3(code)
        main = build_gazetteer.surfaces(name)[0]
        if iso3 and owners[main] == {iso3}:
            names.append((main, iso3))
    return sorted(names)


@pytest.mark.parametrize("locale", CHINESE_LOCALES)
def test_every_chinese_cldr_name_tags_its_own_country(locale: str) -> None:
    """Hong Kong's names too (尼日利亞, not 尼日 Niger inside it; 沙地阿拉伯; 格魯吉亞): a name
    tags its country alone, the longest match beating a shorter name it contains."""
    from ingest.tagging.countries import tag_countries

    wrong = [
        (name, iso3, found)
        for name, iso3 in _chinese_cldr_names(locale)
        if (found := {tag.iso3 for tag in tag_countries(name, language="zh")}) != {iso3}
    ]
    assert wrong == []


def test_the_mainland_names_are_also_written_in_traditional_characters() -> None:
    """Hong Kong's press writes the mainland's names in Traditional characters (印度尼西亞,
    not India's 印度 inside it): build_gazetteer adds them with uconv's Hans-Hant transform."""
    if shutil.which("uconv") is None:
        pytest.skip("ICU's uconv (icu-devtools) is not installed")
    from babel import Locale

    territories = Locale.parse("zh_Hans").territories
    names = [(territories[code], build_gazetteer.territory_iso3(code)) for code in territories]
    converted = build_gazetteer.traditional([name for name, _iso3 in names])
    rows = {(row["surface"], row["iso3"]) for row in _cldr_rows() if "zh" in row["languages"]}
    missing = [
        (name, iso3)
        for name, (_simplified, iso3) in zip(converted, names, strict=True)
        if iso3
        and (name, iso3) not in rows
        and name not in build_gazetteer._MISCONVERTED
        and "（" not in name  # 剛果（金）: the two Congos, left to the curated tables
    ]
    assert missing == []
    assert {("印度尼西亞", "IDN"), ("澳大利亞", "AUS"), ("哈薩克斯坦", "KAZ")} <= rows


G20 = ("ARG", "AUS", "BRA", "CAN", "CHN", "FRA", "DEU", "IND", "IDN", "ITA", "JPN", "KOR",
       "MEX", "RUS", "SAU", "ZAF", "TUR", "GBR", "USA")  # fmt: skip


@pytest.mark.parametrize("iso3", G20)
def test_every_g20_state_has_at_least_ten_cities_or_provinces(
    aliases: list[Alias], iso3: str
) -> None:
    places = {
        a.surface
        for a in aliases
        if a.iso3s == (iso3,) and a.type in ("place", "capital") and a.source != PLACES_FILE
    }  # the curated tables alone, without the GeoNames towns
    assert len(places) >= 10, sorted(places)


def test_cldr_cities_translate_the_curated_capitals() -> None:
    with (GAZETTEER_DIR / CLDR_CITIES_FILE).open(encoding="utf-8", newline="") as fh:
        rows = {
            (row["surface"], row["iso3"]): row["type"]
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        }
    for surface, iso3 in [("Москва", "RUS"), ("東京", "JPN"), ("카불", "AFG"), ("القاهرة", "EGY")]:
        assert rows.get((surface, iso3)) == "capital", surface
    assert rows.get(("上海", "CHN")) == "place"
    assert len({iso3 for _surface, iso3 in rows}) >= 100


# --- the GeoNames towns (geonames_places.tsv, generated by build_places) ---------------------


def _town_rows() -> list[dict[str, str]]:
    with (GAZETTEER_DIR / PLACES_FILE).open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_towns_have_valid_codes_and_populations() -> None:
    rows = _town_rows()
    assert len(rows) > 20_000
    assert len({row["iso3"] for row in rows}) > 150
    for row in rows:
        assert is_valid_iso3(row["iso3"]), row
        assert int(row["population"]) >= 1_000, row
        assert int(row["population"]) >= build_places.min_population(row["surface"]), row


def test_no_town_name_is_in_two_countries() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for row in _town_rows():
        owners[build_places.key(row["surface"])].add(row["iso3"])
    assert {name: codes for name, codes in owners.items() if len(codes) > 1} == {}


def test_no_town_repeats_another_gazetteer_row(aliases: list[Alias]) -> None:
    """A town named like a country, capital, adjective, curated place or blocker is left out."""
    others = {build_places.key(a.surface) for a in aliases if a.source != PLACES_FILE}
    towns = {build_places.key(row["surface"]) for row in _town_rows()}
    assert towns & others == set()


def test_common_words_and_surnames_are_not_towns() -> None:
    """Towns whose names are everyday words or common names in some language (each one a
    GeoNames town of a single country) are dropped by the word-frequency filter; so is the
    accent-free spelling of Lāhān (Nepal), Indonesian for "land"."""
    towns = {row["surface"] for row in _town_rows() if row["languages"] == "*"}
    common = {
        "Mobile", "Split", "Jackson", "Madison", "Independence", "Enterprise", "Nora",
        "Police", "Normal", "Marathon", "Sunrise", "Deal", "Bend", "Sens", "Die", "Natal",
    }  # fmt: skip
    assert towns & common == set()
    assert not {t for t in towns if build_places.key(t) in {"lahan"}}
    assert not {t for t in towns if t.lower() in build_places._STOP}


def test_short_names_only_for_large_cities() -> None:
    for row in _town_rows():
        letters = sum(c.isalpha() for c in row["surface"])
        if letters < 4:
            assert int(row["population"]) >= 1_000_000, row


def test_population_bar_depends_on_the_name_shape() -> None:
    assert build_places.min_population("Notre-Dame-des-Landes") < build_places.min_population(
        "Louveciennes"
    )
    assert build_places.min_population("Ufa") >= 1_000_000
    assert build_places.max_zipf(2_000_000) > build_places.max_zipf(5_000)


def test_a_name_two_countries_use_has_two_claimants() -> None:
    cities = [
        {"name": "Bergen", "countrycode": "NO", "alternatenames": []},
        {"name": "Bergen auf Rügen", "countrycode": "DE", "alternatenames": ["Bergen"]},
        {"name": "Louveciennes", "countrycode": "FR", "alternatenames": ["Лувесьен", ""]},
    ]
    owners = build_places.claimants(cities)
    assert owners["bergen"] == {"NOR", "DEU"}
    assert owners["louveciennes"] == {"FRA"}
    assert owners[build_places.key("Лувесьен")] == {"FRA"}


def test_claim_sizes_keep_each_countrys_largest_place() -> None:
    cities = [
        {"name": "Kassel", "countrycode": "DE", "population": 197_230, "alternatenames": []},
        {"name": "Cassel", "countrycode": "FR", "population": 2_438, "alternatenames": ["Kassel"]},
        {"name": "Kassel", "countrycode": "DE", "population": 900, "alternatenames": []},
    ]
    assert build_places.claim_sizes(cities)["kassel"] == {"DEU": 197_230, "FRA": 2_438}
    assert build_places.claimants(cities)["kassel"] == {"DEU", "FRA"}


def _zipf(table: dict[tuple[str, str], float]):  # noqa: ANN202 - wordfreq's signature
    return lambda word, language: table.get((word, language), 0.0)


def test_a_city_known_abroad_keeps_a_name_small_places_share() -> None:
    """A city of its own-language press (100,000+, known in English) keeps a name that only
    places a twentieth its size share; a town, an English-speaking country's city, an alternate
    name or a city unknown abroad does not."""
    claims = {"kassel": {"DEU": 197_230, "FRA": 2_438}, "potsdam": {"DEU": 184_754, "USA": 9_500}}
    zipf = _zipf({("Kassel", "en"): 2.37, ("Potsdam", "en"): 2.83})
    kassel = build_places.city("Kassel", "DEU", 197_230, True, zipf)
    assert kassel and build_places.sole_name("Kassel", "DEU", 197_230, claims, kassel)
    potsdam = build_places.city("Potsdam", "DEU", 184_754, True, zipf)
    assert potsdam and not build_places.sole_name("Potsdam", "DEU", 184_754, claims, potsdam)
    assert not build_places.city("Kassel", "DEU", 99_999, True, zipf)
    assert not build_places.city("Kassel", "DEU", 197_230, False, zipf)
    assert not build_places.city("Kassel", "GBR", 197_230, True, zipf)
    assert not build_places.city("Kassel", "DEU", 197_230, True, _zipf({}))
    assert not build_places.sole_name("Kassel", "DEU", 99_999, claims, False)
    assert not build_places.sole_name("Nowhere", "DEU", 500_000, claims, True)


def test_a_citys_name_may_be_as_frequent_as_a_word_in_its_own_languages() -> None:
    assert build_places.own_bar(222_889, True) == build_places.CITY_OWN_BAR
    assert build_places.own_bar(222_889, False) < build_places.CITY_OWN_BAR
    zipf = _zipf({("Mainz", "de"): 4.55, ("Mitte", "de"): 5.12})
    assert not build_places._common_word("Mainz", 3.5, zipf, ("de",), build_places.own_bar(1, True))
    assert build_places._common_word("Mitte", 3.5, zipf, ("de",), build_places.own_bar(1, True))


def test_mid_sized_cities_of_own_language_press_are_towns() -> None:
    """Cities the two city rules brought in (each was missing before): the generated table has
    them, so German, Dutch, Italian, Spanish news naming them tags their country."""
    towns = {(row["surface"], row["iso3"]) for row in _town_rows()}
    cities = {
        ("Chemnitz", "DEU"), ("Erfurt", "DEU"), ("Kassel", "DEU"), ("Regensburg", "DEU"),
        ("Nijmegen", "NLD"), ("Leuven", "BEL"), ("Vicenza", "ITA"), ("Murcia", "ESP"),
        ("Cali", "COL"), ("Cochabamba", "BOL"),
    }  # fmt: skip
    assert cities - towns == set()


def test_own_language_towns_are_known_towns_for_their_own_languages_only() -> None:
    """A row for some languages only is a town of ``OWN_TOWN`` or more, for its country's own
    languages (never English or German)."""
    rows = [row for row in _town_rows() if row["languages"] != "*"]
    assert len(rows) > 300
    for row in rows:
        languages = row["languages"].split(",")
        own = set(build_places.OWN_LANGUAGES[row["iso3"]]) - build_places.NOT_OWN_TOWN_LANGUAGES
        texts = {build_places.TEXT_LANGUAGE.get(lang, lang) for lang in own}
        assert set(languages) <= texts, row
        assert int(row["population"]) >= build_places.OWN_TOWN, row
    assert {("Ancona", "ITA", "it"), ("Siena", "ITA", "it"), ("Crotone", "ITA", "it")} <= {
        (row["surface"], row["iso3"], row["languages"]) for row in rows
    }


def test_an_own_language_town_is_not_a_word_in_its_languages() -> None:
    """Crotone (Zipf 3.7 in Italian) is a town's name; Latina (4.6) and Potenza (4.8) are
    words; two common words are a phrase."""
    zipf = _zipf(
        {("Crotone", "it"): 3.7, ("Latina", "it"): 4.6, ("Potenza", "it"): 4.8,
         ("porto", "it"): 4.9, ("nuovo", "it"): 5.0, ("Crotone", "es"): 5.0}
    )  # fmt: skip
    assert not build_places._a_word_in("Crotone", ("it",), zipf)
    assert build_places._a_word_in("Latina", ("it",), zipf)
    assert build_places._a_word_in("Potenza", ("it",), zipf)
    assert build_places._a_word_in("Porto Nuovo", ("it",), zipf)
    assert build_places._a_word_in("Crotone", ("es",), zipf)


def test_a_town_dominating_its_namesakes_is_kept_for_its_own_languages() -> None:
    claims = {
        "ancona": {"ITA": 89_994, "USA": 500},
        "toledo": {"ESP": 84_000, "USA": 270_000},
        "pisa": {"ITA": 109_960, "POL": 19_232},
    }
    assert build_places.own_language_town("Ancona", "ITA", 89_994, claims, 14) == ("it",)
    assert build_places.own_language_town("Ancona", "ITA", 89_994, claims, 0) == ()  # unknown
    assert build_places.own_language_town("Ancona", "ITA", 19_999, claims, 14) == ()  # small
    assert build_places.own_language_town("Toledo", "ESP", 84_000, claims, 20) == ()  # dominated
    assert build_places.own_language_town("Pisa", "ITA", 109_960, claims, 30) == ()  # 1/6 only
    assert build_places.own_language_town("Ancona", "GBR", 89_994, claims, 14) == ()  # English
    claims["hof"] = {"DEU": 45_000, "NLD": 1_000}
    assert build_places.own_language_town("Hof", "DEU", 45_000, claims, 10) == ()  # German
    assert (
        build_places.foreign_script_names(
            {"alternatenames": ["Ancone", "Анкона", "アンコーナ", "安科纳", ""]}
        )
        == 3
    )


def test_towns_rank_below_every_other_row(aliases: list[Alias]) -> None:
    sources = [a.source for a in aliases]
    first_town = sources.index(PLACES_FILE)
    assert set(sources[first_town:]) == {PLACES_FILE}


def test_an_own_language_town_is_kept_for_texts_in_the_language_codes_texts_carry() -> None:
    """wordfreq's nb (Norwegian Bokmål) is the ``no`` a Norwegian text is tagged with."""
    claims = {"arendal": {"NOR": 30_916, "USA": 1_000}}
    kept = build_places.kept_for("Arendal", "NOR", 30_916, True, claims, _zipf({}), 5)
    assert kept == ("no",)

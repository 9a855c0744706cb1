"""Indonesia's regencies, cities and islands (id_regions.tsv, built by build_id_regions).

The source list of every kabupaten and kota (Kepmendagri, via cahyadsn/wilayah) is read directly:
each one tags Indonesia through the real tagger in the forms the press writes. Bare names that
are common words tag nothing, and the names a review of unseen Indonesian articles found missed
(Tapteng, Purworejo, Tulungagung, Pulang Pisau, Kangean) stand for their rules.
"""

from __future__ import annotations

import pytest

from ingest.tagging import build_id_regions, tag_article
from ingest.tagging.countries import GAZETTEER_DIR, load_aliases


def _countries(text: str) -> dict[str, list[str]]:
    tags = tag_article(text, "", language_hint="id", decide_topics=False)
    return {tag.iso3: [e.text for e in tag.evidence] for tag in tags.countries}


def _surfaces() -> set[str]:
    return {a.surface for a in load_aliases() if a.iso3s == ("IDN",) and a.type == "place"}


def test_every_kabupaten_and_kota_of_the_source_tags_indonesia() -> None:
    regions = build_id_regions.read_regions()
    assert len(regions) == 514
    assert len({r.province for r in regions}) == 38
    surfaces = _surfaces()
    missing, wrong = [], []
    for region in regions:
        kind = "Kabupaten" if region.regency else "Kota"
        for form in dict.fromkeys((region.name, f"{kind} {region.base}")):
            if form not in surfaces:
                missing.append(form)
            found = _countries(f"Banjir melanda {form} pada Senin pagi.")
            if found != {"IDN": [form]}:
                wrong.append((form, found))
    assert missing == []
    assert wrong == []


def test_the_generated_table_is_the_build_of_its_sources() -> None:
    """Every source region's note is in the table: the committed file was built from them."""
    table = (GAZETTEER_DIR / build_id_regions.OUTPUT_NAME).read_text(encoding="utf-8")
    for region in build_id_regions.read_regions():
        assert f"{region.code} {region.name}, {region.province}" in table, region


@pytest.mark.parametrize(
    "sentence",
    [
        "Batu itu keras sekali.",
        "Puncak mencairnya lapisan es terjadi pada musim panas.",
        "Harga Batu Bara naik lagi pekan ini.",
        "Serang balik dilakukan pada malam hari.",
        "Pati singkong dipakai untuk membuat kue.",
        "Landak itu bersembunyi di semak.",
        "Tanah Laut itu luas dan datar.",
        "Pesisir Selatan pulau itu rawan abrasi.",
        "Metro mini itu mogok.",
        "Bone broth is popular this winter.",
        "Pulang Pisau ditemukan di dapur.",
    ],
)
def test_bare_names_that_are_common_words_tag_nothing(sentence: str) -> None:
    assert _countries(sentence) == {}


@pytest.mark.parametrize("word", sorted(build_id_regions.COMMON_WORDS))
def test_the_listed_common_words_tag_nothing(word: str) -> None:
    assert _countries(f"{word.title()} itu ada di sini.") == {}


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        # a regency's name in capitals, as a dateline or a headline writes it
        ("Banjir bandang melanda TAPANULI TENGAH, 12 warga hilang", "TAPANULI TENGAH"),
        # the press's short forms
        ("Longsor di Tapteng, dua warga tewas", "Tapteng"),
        # a bare name that is no common word
        ("Warga Purworejo mengungsi akibat banjir", "Purworejo"),
        ("Bupati Tulungagung meninjau lokasi longsor", "Tulungagung"),
        # a name of two common words only with its kind
        ("Kebakaran lahan di Kabupaten Pulang Pisau meluas", "Kabupaten Pulang Pisau"),
        ("Kebakaran lahan di Kab. Pulang Pisau meluas", "Kab. Pulang Pisau"),
        ("Kebakaran lahan di kabupaten Pulang Pisau meluas", "kabupaten Pulang Pisau"),
        # an island wholly Indonesian
        ("Nelayan asal Kangean hilang di laut", "Kangean"),
        ("Kapal tenggelam di perairan Pulau Kangean", "Pulau Kangean"),
        # English
        ("Floods hit Purworejo Regency", "Purworejo Regency"),
    ],
)
def test_the_review_examples_tag_indonesia(text: str, evidence: str) -> None:
    assert _countries(text) == {"IDN": [evidence]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kontak senjata terjadi di Kabupaten Puncak", {"IDN": ["Kabupaten Puncak"]}),
        ("Pendaki tewas di Puncak Jaya", {"IDN": ["Puncak Jaya"]}),
        ("Warga Ilaga, Puncak, Papua Tengah mengungsi", {"IDN": ["Papua Tengah"]}),
        ("Puncak arus mudik diperkirakan terjadi Jumat", {}),
    ],
)
def test_puncak_is_the_regency_only_with_its_kind(
    text: str, expected: dict[str, list[str]]
) -> None:
    assert _countries(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Patroli di Sebatik diperketat", "Patroli di Pulau Sebatik diperketat", "Pulau Timor"],
)
def test_islands_shared_with_another_state_do_not_tag_indonesia(text: str) -> None:
    assert "IDN" not in _countries(text)


def test_bare_name_verdicts() -> None:
    def zipf(word: str, lang: str) -> float:
        return {("batu", "id"): 5.4, ("bara", "id"): 4.2, ("tanah", "id"): 5.5}.get(
            (word.lower(), lang), 0.0
        )

    owners = {"subang": {"IDN", "MYS"}, "purworejo": {"IDN"}}
    verdict = build_id_regions.bare_name_verdict
    assert verdict("Purworejo", set(), owners, zipf) is None
    assert verdict("Subang", set(), owners, zipf) == "a place in MYS"
    assert verdict("Aru", set(), owners, zipf) == "under 4 letters"
    assert verdict("Batu", set(), owners, zipf) == "id Zipf 5.40"
    assert verdict("Batu Bara", set(), owners, zipf).startswith("a phrase")
    assert verdict("Tanah Jambi", {"jambi"}, owners, zipf) is None  # Jambi is a place's name
    assert verdict("Padang", {"padang"}, owners, zipf) == "in another table"

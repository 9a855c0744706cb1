"""Feed and page text is stored composed (Unicode NFC): a letter typed as a base letter and a
combining mark is the one letter the gazetteer and the lexicon spell (a review of Urdu news
found برآمدات, "exports", written with a separate madda, and missed its trade topic)."""

from __future__ import annotations

import unicodedata

import pytest

from ingest.extract import extract
from ingest.tagging import tag_article
from ingest.text_clean import clean_text, composed

# (decomposed text, language, what its composed form tags)
DECOMPOSED = [
    ("پاکستان کی برآمدات میں اضافہ", "ur", "trade"),
    ("Chính phủ Pháp công bố lệnh trừng phạt", "vi", None),
    ("Élection présidentielle au Sénégal", "fr", "politics"),
]


@pytest.mark.parametrize(("text", "language", "topic"), DECOMPOSED)
def test_a_feed_field_is_stored_composed_and_tags_as_written_composed(
    text: str, language: str, topic: str | None
) -> None:
    typed = unicodedata.normalize("NFD", text)
    assert typed != text  # the case is real: the decomposed form differs
    cleaned = clean_text(typed)
    assert cleaned == unicodedata.normalize("NFC", text)
    if topic is not None:
        assert topic in {t.topic for t in tag_article(cleaned, "", language_hint=language).topics}


def test_composed_leaves_composed_text_alone() -> None:
    text = "Россия и Украина"
    assert composed(text) is text


def test_a_pages_body_and_title_are_stored_composed() -> None:
    para = "Le gouvernement du Sénégal a annoncé des élections anticipées pour le mois prochain, a déclaré le ministre de l'Intérieur devant la presse à Dakar."
    page = (
        "<html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
        + "".join(f"<p>{para} Paragraphe {i}.</p>" for i in range(6))
        + "</article></body></html>"
    ).format(t="Élections au Sénégal")
    result = extract(unicodedata.normalize("NFD", page).encode("utf-8"), "https://example.org/a")
    assert result.body and unicodedata.is_normalized("NFC", result.body)
    assert "Sénégal" in result.body


# (text, language, a country its composed form tags): the tagger composes a caller's text itself
# (`python -m ingest tag`, the labelled items a corpus stores decomposed: Đắk Lắk in DANeS).
CALLER_TEXT = [
    ("Mưa lớn gây ngập lụt ở Đắk Lắk", "vi", "VNM"),
    ("Élection présidentielle au Sénégal", "fr", "SEN"),
    ("Сербія і Україна підписали угоду", "uk", "SRB"),
]


@pytest.mark.parametrize(("text", "language", "iso3"), CALLER_TEXT)
def test_the_tagger_reads_a_callers_decomposed_text_as_composed(
    text: str, language: str, iso3: str
) -> None:
    typed = unicodedata.normalize("NFD", text)
    assert typed != text
    as_typed = tag_article("", "", body=typed, language_hint=language)
    written = tag_article("", "", body=text, language_hint=language)
    assert iso3 in {c.iso3 for c in written.countries}
    assert [
        (c.iso3, [(e.text, e.start, e.field) for e in c.evidence]) for c in as_typed.countries
    ] == [(c.iso3, [(e.text, e.start, e.field) for e in c.evidence]) for c in written.countries]

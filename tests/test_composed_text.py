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


# (text, language, a country its composed form tags): the training build composes a corpus's
# decomposed items (Đắk Lắk in DANeS) before the tagger reads them, as the store composes feeds.
CORPUS_TEXT = [
    ("Mưa lớn gây ngập lụt ở Đắk Lắk", "vi", "VNM"),
    ("Élection présidentielle au Sénégal", "fr", "SEN"),
    ("Сербія і Україна підписали угоду", "uk", "SRB"),
]


@pytest.mark.parametrize(("text", "language", "iso3"), CORPUS_TEXT)
def test_the_training_build_reads_a_corpus_decomposed_text_composed(
    text: str, language: str, iso3: str
) -> None:
    from ingest.tagging.build_topic_model import read_item

    typed = unicodedata.normalize("NFD", text)
    assert typed != text
    title, summary, body = read_item({"title": typed, "summary": typed, "body": typed})
    assert title == summary == body == text
    found = tag_article(title, summary, body=body, language_hint=language)
    assert iso3 in {c.iso3 for c in found.countries}

"""Tagging: the one function the pipeline calls on every article before it is stored.

``tag_article(title, summary, body=..., lead=..., published=..., language_hint=...) -> Tags``

- language: ``ingest.language.detect_language`` (the hint is the feed's declared language)
- countries: ``ingest.tagging.countries.tag_countries`` (leaders are checked at the published date)
- topics: ``ingest.tagging.topics.tag_topics``
- entities (people and organisations): ``ingest.tagging.entities.tag_entities``
- a word cut by truncation at the end of the title or summary is read by neither
  (``ingest.tagging.truncation``)

``TAGGER_VERSION`` names the tagger that produced a set of tags: a short hash of the tagging code
and of every tagger data file (``tagger_files``), so any change to a rule, the gazetteer or the
topic lexicon changes it and ``python -m ingest retag`` knows which stored articles are stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.language import detect_language
from ingest.records import (
    CountryTag,
    EntityTag,
    Evidence,
    Tags,
    TopicTag,
    field_offset,
    field_texts,
    prominence,
    tagging_text,
)
from ingest.tagging import countries, entities, tagger_cache, topic_model, topics
from ingest.tagging.truncation import mask_cut_word

INGEST_DIR = Path(__file__).resolve().parent.parent
# What decides a tag, relative to ingest/: the tagging code (the taggers, the matcher, language
# detection, the text they read) and the data files the taggers read (the topic lexicon and every
# gazetteer table). Feeds, demo snapshots, country reference data and map geometry do not change
# tags, and neither do the files matched by NOT_TAGGER below.
TAGGER_CODE = ("tagging", "language.py", "records.py")
TAGGER_DATA = (
    "data/topics.toml",
    "data/topic_model.json",
    "data/topic_model.npy",
    "data/topic_model_vectors.json",
    "data/topic_model_vectors.npy",
    "data/evidence_stopwords.tsv",
    "data/gazetteer",
    "data/entities",
)
# Documentation, build scripts and their requirements, the `tag` command's I/O, caches.
NOT_TAGGER = ("README*", "build_*", "build-*", "cli.py", "*.pyc")
VERSION_LENGTH = 16  # hex digits kept: articles.tagger_version is VARCHAR(32)


def tagger_files(root: Path = INGEST_DIR) -> list[Path]:
    """Every file whose bytes decide a tag (code and data) under ``root``, in a stable order."""
    files: list[Path] = []
    for name in (*TAGGER_CODE, *TAGGER_DATA):
        path = root / name
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        files.extend(
            p
            for p in found
            if p.is_file()
            and "__pycache__" not in p.parts
            and not any(p.match(pattern) for pattern in NOT_TAGGER)
        )
    return files


def tagger_version(files: Iterable[Path], root: Path = INGEST_DIR) -> str:
    """A short hash of ``files``: their paths under ``root`` and their bytes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
        digest.update(path.read_bytes())
        digest.update(b"\n")
    return digest.hexdigest()[:VERSION_LENGTH]


# Any change to the tagging code or its data changes it, so `retag` knows what is stale.
def _current_version() -> str:
    files = tagger_files()
    return tagger_cache.remembered_version(files, lambda: tagger_version(files))


TAGGER_VERSION = _current_version()


def _as_date(published: date | datetime | None) -> date | None:
    if published is None:
        return None
    if isinstance(published, datetime):
        if published.tzinfo is not None:
            published = published.astimezone(UTC)
        return published.date()
    return published


def _outside_places(found: list[TopicTag], places_of: list[CountryTag]) -> list[TopicTag]:
    """The topics without the keywords that are a place's own name: a keyword that holds the
    first word of a place the gazetteer read is that place, not the topic's word (Russian Газа,
    Газе, Gaza, read as газа, газе, of gas: energy; Davao, Cyberjaya), so it is dropped, and a
    topic left without keywords with it. A keyword after a place's first word stays (Georgia
    *election*, Запорожская *АЭС*), as do names of institutions and countries (Pentagon)."""
    names = []
    for country in places_of:
        for item in country.evidence:
            if item.type == "place":
                first = item.text.split(" ", 1)[0]
                names.append((item.field, item.start, item.start + len(first)))
    if not names:
        return found
    kept = []
    for tag in found:
        tag.evidence = [
            item
            for item in tag.evidence
            if not topic_model.covered(item.field, item.start, item.start + len(item.text), names)
        ]
        if tag.evidence:
            kept.append(tag)
    return kept


def tag_article(
    title: str,
    summary: str,
    *,
    body: str | None = None,
    lead: str | None = None,
    published: date | datetime | None = None,
    language_hint: str | None = None,
    trust_language: bool = False,
    decide_topics: bool = True,
    vector: Sequence[float] | None = None,
) -> Tags:
    """Language, countries, topics and entities of one article, each tag with its evidence (offsets into
    the field they are in) and its prominence.

    With a ``body`` (the page's main text) the tags are read from title + summary + body, and
    the language from the body when it is longer than title and summary; ``lead`` is the
    body's first paragraph (found again in the body to tell lead mentions from deeper ones).
    ``trust_language``: the caller vouches for ``language_hint``; it is taken unless the text's
    script contradicts it (``detect_language``'s ``trust_declared``). The lexicon's topics are
    decided by the topic model (``topic_model``); ``decide_topics=False`` keeps every lexicon
    topic (the model's own input, for its training); with the article's sentence ``vector``
    (the store's, ``ingest.vectors``), the second model decides, which also reads it. A
    word cut by truncation at the end of the title or summary is not read (``truncation``: it is
    blanked with spaces of its length, so every offset stays true). The gazetteer and the lexicon
    are written composed (Unicode NFC), as the feed parser and the page extractor store text;
    a caller with decomposed text composes it first (``ingest.text_clean.composed``), as the
    training build does, since offsets are into the text given.
    """
    if body and len(body) > len(title or "") + len(summary or ""):
        language, source = detect_language(
            title, body, language_hint, trust_declared=trust_language
        )
    else:
        language, source = detect_language(
            title, summary, language_hint, trust_declared=trust_language
        )
    title_read = mask_cut_word(title or "", bare_end_is_cut=False)
    summary_read = mask_cut_word(summary or "", bare_end_is_cut=True)
    text = tagging_text(title_read, summary_read, body)
    fields = field_texts(title, summary, body)
    lead_span = None
    if body and lead:
        at = body.find(lead)
        if at >= 0:
            lead_span = (at, at + len(lead))
    found_countries = countries.tag_countries(text, on=_as_date(published), language=language)
    for country in found_countries:
        country.evidence = [_in_its_field(e, fields) for e in country.evidence]
    found_topics = topics.tag_topics(text, language=language)
    for topic in found_topics:
        topic.evidence = [_in_its_field(e, fields) for e in topic.evidence]
    found_topics = _outside_places(found_topics, found_countries)
    if decide_topics:
        found_topics = topic_model.decide(
            title_read,
            summary_read,
            body,
            found_topics,
            topics.topic_ids(),
            found_countries,
            language,
            vector,
        )
    found_entities = entities.tag_entities(text, language=language)
    for entity in found_entities:
        entity.evidence = [_in_its_field(e, fields) for e in entity.evidence]
    found: list[CountryTag | TopicTag | EntityTag] = [
        *found_countries,
        *found_topics,
        *found_entities,
    ]
    for tag in found:
        tag.prominence = prominence(tag.evidence, lead_span)
    return Tags(
        language=language,
        language_source=source,
        countries=found_countries,
        topics=found_topics,
        tagger_version=TAGGER_VERSION,
        entities=found_entities,
    )


def _in_its_field(evidence: Evidence, fields: list[tuple[str, int, str]]) -> Evidence:
    name, start = field_offset(evidence.start, fields)
    return Evidence(evidence.text, evidence.type, start, name)

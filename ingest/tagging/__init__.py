"""Tagging: the one function the pipeline calls on every article before it is stored.

``tag_article(title, summary, published=..., language_hint=...) -> Tags``

- language: ``ingest.language.detect_language`` (the hint is the feed's declared language)
- countries: ``ingest.tagging.countries.tag_countries`` (leaders are checked at the published date)
- topics: ``ingest.tagging.topics.tag_topics``

``TAGGER_VERSION`` names the tagger that produced a set of tags: a short hash of ``CODE_VERSION``
and the bytes of every tagger data file, so editing the gazetteer or the topic lexicon changes it
and ``python -m ingest retag`` knows which stored articles are stale.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.language import detect_language
from ingest.records import Tags, tagging_text
from ingest.tagging import countries, topics

# Bump when a change in the tagging code (not its data) changes what it tags.
CODE_VERSION = "1"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# What the taggers read: the topic lexicon and every gazetteer table (ingest/data/gazetteer/).
# Feeds, demo snapshots, country reference data and map geometry do not change tags.
TAGGER_DATA = ("topics.toml", "gazetteer")


def tagger_data_files() -> list[Path]:
    """Every data file the taggers read, in a stable order."""
    files: list[Path] = []
    for name in TAGGER_DATA:
        path = DATA_DIR / name
        if path.is_dir():
            files.extend(sorted(item for item in path.rglob("*") if item.is_file()))
        elif path.is_file():
            files.append(path)
    return [path for path in files if "__pycache__" not in path.parts]


def _tagger_version() -> str:
    digest = hashlib.sha256(f"code:{CODE_VERSION}\n".encode())
    for path in tagger_data_files():
        digest.update(f"{path.relative_to(DATA_DIR).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return f"{CODE_VERSION}-{digest.hexdigest()[:10]}"


TAGGER_VERSION = _tagger_version()


def _as_date(published: date | datetime | None) -> date | None:
    if published is None:
        return None
    if isinstance(published, datetime):
        if published.tzinfo is not None:
            published = published.astimezone(UTC)
        return published.date()
    return published


def tag_article(
    title: str,
    summary: str,
    *,
    published: date | datetime | None = None,
    language_hint: str | None = None,
) -> Tags:
    """Language, countries and topics of one article, each tag with its evidence."""
    language, source = detect_language(title, summary, language_hint)
    text = tagging_text(title, summary)
    return Tags(
        language=language,
        language_source=source,
        countries=countries.tag_countries(text, on=_as_date(published), language=language),
        topics=topics.tag_topics(text, language=language),
        tagger_version=TAGGER_VERSION,
    )

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
# Tagger data live in ingest/data/: the topic lexicon and the gazetteer files. Feeds, demo
# snapshots and geometry are not tagger data and do not change the version.
_NOT_TAGGER_DATA = {"feeds.toml", "demo", "geo", "world", "__pycache__"}
_TAGGER_DATA_SUFFIXES = {".toml", ".tsv", ".csv", ".json", ".txt", ".yaml", ".yml"}


def tagger_data_files() -> list[Path]:
    """Every data file the taggers read, in a stable order."""
    files = []
    for path in sorted(DATA_DIR.rglob("*")):
        relative = path.relative_to(DATA_DIR)
        if not path.is_file() or any(part in _NOT_TAGGER_DATA for part in relative.parts):
            continue
        if path.suffix.lower() in _TAGGER_DATA_SUFFIXES and "topojson" not in path.name:
            files.append(path)
    return files


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

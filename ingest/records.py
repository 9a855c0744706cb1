"""The records that pass between the stages: parse → language → tagging → store.

Plain dataclasses, no behaviour beyond conversions; every stage imports them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

EVIDENCE_TYPES = ("name", "adjective", "capital", "place", "leader", "institution", "keyword")


@dataclass
class Article:
    """One feed item as the ingest sees it (text already cleaned of HTML and controls)."""

    url_key: str  # sha1 hex of the canonical URL, else GUID, else feed + title
    url: str | None  # canonical http(s) link, or None when the item had no usable link
    guid: str | None
    title: str
    summary: str
    published_at: datetime  # timezone-aware UTC
    fetched_at: datetime  # timezone-aware UTC
    published_clamped: bool = False  # True when the date was missing or in the future
    feed_language: str | None = None  # the feed's declared language (ISO 639-1), if any

    @property
    def text(self) -> str:
        """The text that tags describe; evidence offsets index into it."""
        return tagging_text(self.title, self.summary)


# What stands between title and summary wherever they are read as one text: tagging, evidence
# offsets, highlighting, and the search (which never matches across it: searches hold no newline).
TEXT_SEPARATOR = "\n"


def tagging_text(title: str, summary: str) -> str:
    """Title and summary joined the one way every tagger and highlighter agrees on."""
    title = title or ""
    summary = summary or ""
    return f"{title}{TEXT_SEPARATOR}{summary}" if summary else title


@dataclass
class Evidence:
    text: str  # the surface form as written in the article
    type: str  # one of EVIDENCE_TYPES
    start: int  # offset into tagging_text(title, summary)


@dataclass
class CountryTag:
    iso3: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def mentions(self) -> int:
        return len(self.evidence)


@dataclass
class TopicTag:
    topic: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Tags:
    language: str | None
    language_source: str | None  # "detected" or "feed"
    countries: list[CountryTag] = field(default_factory=list)
    topics: list[TopicTag] = field(default_factory=list)
    tagger_version: str = ""


def utc_day(moment: datetime) -> str:
    """YYYY-MM-DD of a UTC datetime (the portable grouping key)."""
    return moment.strftime("%Y-%m-%d")

"""What a view is filtered on: the :class:`Filters` value, its validation, and its words.

``describe(filters)`` says in words what a view shows; ``slug(filters)`` names its CSV file.
Topic and language labels live here too, since the words of a filter are made of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from babel import Locale

from ingest.geo import country_name, is_valid_iso3

TOPIC_LABELS: dict[str, str] = {
    "military": "Military",
    "conflict": "Conflict",
    "diplomacy": "Diplomacy",
    "sanctions": "Sanctions",
    "trade": "Trade & economy",
    "energy": "Energy",
    "nuclear": "Nuclear & missiles",
    "politics": "Politics & elections",
    "unrest": "Protests & unrest",
    "humanitarian": "Humanitarian",
    "rights": "Rights & justice",
    "cyber_tech": "Cyber & technology",
}
TOPICS: tuple[str, ...] = tuple(TOPIC_LABELS)

_EN = Locale.parse("en")


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("id" → "Indonesian"); "Unknown" for ''."""
    if not code:
        return "Unknown"
    return _EN.languages.get(code, code)


# --------------------------------------------------------------------------------------------
# Filters


EARLIEST = date(1970, 1, 1)  # the span of dates a filter may hold; outside it the date
LATEST = date(2100, 12, 31)  # arithmetic of the queries (± weeks) could overflow
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Filters:
    """What a view is filtered on. Countries and topics match any of; the pair matches both."""

    date_from: date
    date_to: date
    countries: tuple[str, ...] = ()
    pair: tuple[str, str] | None = None
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    search: str = ""
    feed_titles: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = min(max(getattr(self, name), EARLIEST), LATEST)
            object.__setattr__(self, name, value)
        if self.date_to < self.date_from:
            start, end = self.date_to, self.date_from
            object.__setattr__(self, "date_from", start)
            object.__setattr__(self, "date_to", end)
        countries = tuple(dict.fromkeys(c for c in self.countries if is_valid_iso3(c)))
        object.__setattr__(self, "countries", countries)
        pair = self.pair
        if pair is not None:
            a, b = pair
            pair = (
                tuple(sorted((a, b))) if a != b and is_valid_iso3(a) and is_valid_iso3(b) else None
            )
        object.__setattr__(self, "pair", pair)
        object.__setattr__(
            self, "topics", tuple(dict.fromkeys(t for t in self.topics if t in TOPIC_LABELS))
        )
        languages = (x for x in self.languages if x == "" or _LANGUAGE_CODE.fullmatch(x))
        object.__setattr__(self, "languages", tuple(dict.fromkeys(languages)))
        ids = (int(i) for i in self.feed_ids)
        object.__setattr__(
            self, "feed_ids", tuple(dict.fromkeys(i for i in ids if 0 <= i <= _MAX_ID))
        )
        # Whitespace collapsed and control characters dropped (SQLite would cut a LIKE pattern
        # at a NUL; stored text holds none).
        text = "".join(ch for ch in (self.search or "") if ch.isprintable() or ch.isspace())
        object.__setattr__(self, "search", " ".join(text.split())[:200])

    @property
    def has_content_filter(self) -> bool:
        return bool(self.countries or self.pair or self.topics or self.search)

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)


def describe(f: Filters, subject: str = "Articles") -> str:
    """The view in words: "Articles mentioning Russia and North Korea, 1–30 June 2024, all
    languages"."""
    parts: list[str] = []
    what = subject
    if f.pair:
        what += f" mentioning {country_name(f.pair[0])} and {country_name(f.pair[1])}"
        if f.countries:
            what += f" (and {_join([country_name(c) for c in f.countries], 'or')})"
    elif f.countries:
        what += f" mentioning {_join([country_name(c) for c in f.countries], 'or')}"
    if f.topics:
        what += f" on {_join([topic_label(t).lower() for t in f.topics], 'or')}"
    if f.search:
        what += f" containing “{f.search}”"
    parts.append(what)
    parts.append(date_range_words(f.date_from, f.date_to))
    if f.languages:
        parts.append("in " + _join([language_name(c) for c in f.languages], "or"))
    else:
        parts.append("all languages")
    if f.feed_ids:
        names = list(f.feed_titles) or [f"outlet #{i}" for i in f.feed_ids]
        parts.append("from " + _join(names, "or"))
    return ", ".join(parts)


def _join(items: Sequence[str], word: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def date_range_words(start: date, end: date) -> str:
    """ "1–30 June 2024", "28 May – 3 June 2024", "30 December 2023 – 2 January 2024"."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def slug(f: Filters) -> str:
    """A file-name-safe summary of the filters, e.g. ``prk-rus_2024-06-01_2024-06-30``."""
    bits: list[str] = []
    if f.pair:
        bits.append("-".join(f.pair))
    if f.countries:
        bits.append("-".join(f.countries))
    if f.topics:
        bits.append("-".join(f.topics))
    if f.languages:
        bits.append("-".join(x or "unknown" for x in f.languages))
    if f.feed_ids:
        bits.append("feeds-" + "-".join(str(i) for i in f.feed_ids[:5]))
    if f.search:
        ascii_text = unicodedata.normalize("NFKD", f.search).encode("ascii", "ignore").decode()
        bits.append(re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:30] or "search")
    bits.append(f"{f.date_from.isoformat()}_{f.date_to.isoformat()}")
    text_slug = "_".join(b.lower() for b in bits if b)
    return re.sub(r"[^a-z0-9_.-]+", "-", text_slug)[:150]

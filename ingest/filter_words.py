"""The words filters are told in: topic labels, language names, outlet type labels, date
ranges and lists ("Russia, China or Iran"). ``ingest.filters`` builds a view's description
(``describe``) from them; nothing here knows the filters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel import Locale

from ingest.catalogue import OUTLET_TYPES

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


def is_language(code: str) -> bool:
    """Whether ``code`` names a language CLDR knows, by its first subtag ("id", "zh-cn"; not
    "xx"): a filter keeps only these, as it keeps only countries the gazetteer knows."""
    return code.split("-")[0] in _EN.languages


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("id" → "Indonesian"); "Unknown" for ''."""
    if not code:
        return "Unknown"
    return _EN.languages.get(code, code)


def outlet_type_label(key: str) -> str:
    """ "state" → "State-controlled"; "Unknown" for '' or None."""
    return OUTLET_TYPES.get(key or "", key or "Unknown")


def date_range_words(start: date, end: date) -> str:
    """ "1–30 June 2024", "28 May – 3 June 2024", "30 December 2023 – 2 January 2024"."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def join_words(items: Sequence[str], word: str) -> str:
    """``["a", "b", "c"]``, "or" → "a, b or c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]

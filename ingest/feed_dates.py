"""Dates as feeds really write them → timezone-aware UTC datetimes.

feedparser reads RFC 822 and ISO 8601 and a few more; this module reads what it gives up on,
as seen in real feeds: "Thu,28 Jul 2022 4:35:5 GMT+9" (Korea Times), "January, 29 Jan 2021
17:56:15 +0530" and "Friday, January 29, 2021 04:42 PM" (News18), "2019-05-18 10:58:46 +0300"
(AiF), "Seg, 24 Set 2018 19:42:40 -0300" (UOL, Portuguese names), "mer, 16 nov 2022 …" (Il
Messaggero, Italian). Month names come from CLDR (Babel) for the languages we ingest. A date
without a zone is taken as UTC.
"""

from __future__ import annotations

import calendar
import re
import time
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

# Languages whose month names (wide and abbreviated) the fallback parser knows.
_MONTH_LOCALES = (
    "en", "id", "ms", "pt", "es", "it", "fr", "de", "nl", "tr", "pl", "ro", "sv", "da", "nb",
    "fi", "cs", "hu", "ru", "uk", "el", "vi", "tl",
)  # fmt: skip

_ZONES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0, "bst": 60, "cet": 60, "cest": 120,
    "eet": 120, "eest": 180, "msk": 180, "ist": 330, "wib": 420, "wita": 480, "wit": 540,
    "hkt": 480, "sgt": 480, "pht": 480, "kst": 540, "jst": 540, "aest": 600, "aedt": 660,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
    "pst": -480, "pdt": -420,
}  # fmt: skip

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[A-Za-z]{1,5}|(?:[A-Za-z]{1,5})?[+-]\d{1,2}(?::?\d{2})?)?$"
)
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?(?:\s*([ap])\.?m\.?\b)?")
_OFFSET = re.compile(r"(?:\b([a-z]{1,5}))?\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$")
_WORD = re.compile(r"[^\W\d_]+\.?")
_NUMBER = re.compile(r"(?<![\d:+-])\d{1,4}(?![\d:])")
_MAX_DATE_CHARS = 120


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.casefold().rstrip("."))
    return "".join(ch for ch in word if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Folded month name or abbreviation → month number; names claimed by two months dropped."""
    from babel.dates import get_month_names

    claims: dict[str, set[int]] = {}
    for locale in _MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                try:
                    names = get_month_names(width, context, locale)
                except Exception:  # noqa: BLE001 - a locale missing from this Babel is skipped
                    continue
                for number, name in names.items():
                    for variant in (name, name[:3]):
                        folded = _fold(variant)
                        if len(folded) >= 3:
                            claims.setdefault(folded, set()).add(number)
    for number in range(1, 13):  # English always wins its own names
        for name in (calendar.month_name[number], calendar.month_abbr[number]):
            claims[_fold(name)] = {number}
    return {name: numbers.pop() for name, numbers in claims.items() if len(numbers) == 1}


def _zone(name: str | None, sign: str | None, hours: str | None, minutes: str | None):
    offset = 0
    if name:
        name = name.lower()
        if name not in _ZONES and not sign:
            return None
        offset = _ZONES.get(name, 0)
    if sign:
        hours_value = int(hours or 0)
        minutes_value = int(minutes or 0)
        if len(hours or "") == 4 and minutes is None:  # "+0530" matched as one group
            hours_value, minutes_value = divmod(int(hours or 0), 100)
        if hours_value > 14 or minutes_value > 59:
            return None
        delta = hours_value * 60 + minutes_value
        offset += delta if sign == "+" else -delta
    return timezone(timedelta(minutes=offset))


def _build(year, month, day, hour=0, minute=0, second=0, zone=None) -> datetime | None:
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except (TypeError, ValueError, OverflowError):
        return None
    if not 1900 <= moment.year <= 2200:
        return None
    moment = moment.replace(tzinfo=zone or UTC)
    return moment.astimezone(UTC)


def _parse_iso(text: str) -> datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone_text = match.groups()
    zone = None
    if zone_text:
        offset = re.match(r"^([A-Za-z]{1,5})?(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$", zone_text)
        if not offset:
            return None
        name, sign, hours, minutes = offset.groups()
        zone = _zone(name, sign, hours, minutes)
        if zone is None:
            return None
    return _build(year, month, day, hour or 0, minute or 0, second or 0, zone)


def _parse_loose(text: str) -> datetime | None:
    lowered = text.lower().replace(",", " ")
    zone = None
    offset = _OFFSET.search(lowered)
    if offset:
        name, sign, hours, minutes = offset.groups()
        if len(hours) > 2 and minutes is None:
            hours, minutes = hours[:-2], hours[-2:]
        zone = _zone(name, sign, hours, minutes)
        lowered = lowered[: offset.start()]
    hour = minute = second = 0
    found_time = _TIME.search(lowered)
    if found_time:
        hour, minute = int(found_time.group(1)), int(found_time.group(2))
        second = int(found_time.group(3) or 0)
        meridiem = found_time.group(4)
        if meridiem == "p" and hour < 12:
            hour += 12
        elif meridiem == "a" and hour == 12:
            hour = 0
        lowered = lowered[: found_time.start()] + " " + lowered[found_time.end() :]
    months = _month_names()
    month = None
    for word in _WORD.findall(lowered):
        folded = _fold(word)
        if folded in months:
            # The last month word wins: a leading weekday may look like a month
            # ("mar, 16 nov 2022": martedì/martes, not marzo).
            month = months[folded]
            continue
        if zone is None and folded in _ZONES:
            zone = _zone(folded, None, None, None)
    numbers = [int(n) for n in _NUMBER.findall(lowered)]
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if 1 <= n <= 31]
    if not years:
        return None
    year = years[0]
    if month is None:  # "18/09/2018" or "2018/09/18": numeric day and month
        numeric = re.search(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})", lowered)
        if not numeric:
            return None
        first, second_part, third = (int(g) for g in numeric.groups())
        if first >= 1000:
            year, month, day = first, second_part, third
        else:
            year, month, day = third, second_part, first
        return _build(year, month, day, hour, minute, second, zone)
    if not days:
        return None
    return _build(year, month, days[0], hour, minute, second, zone)


def parse_date(raw: object) -> datetime | None:
    """UTC datetime of a date string as found in a feed, or ``None`` if it cannot be read."""
    if not isinstance(raw, str):
        return None
    text = " ".join(raw.split())
    if not text or len(text) > _MAX_DATE_CHARS:
        return None
    return _parse_iso(text) or _parse_loose(text)


def from_struct_time(value: object) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) → aware UTC datetime."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return _build(*value[:6])
    except (TypeError, ValueError):
        return None

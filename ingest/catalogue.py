"""The feed catalogue: the TOML list of feeds Pantau polls, loaded and validated.

One ``[[feed]]`` table per feed (``ingest/data/feeds.toml`` by default, ``PANTAU_FEEDS_FILE``
to use another)::

    [[feed]]
    title = "Liputan6"
    url = "https://feed.liputan6.com/rss"
    language = "id"          # ISO 639-1 code of the feed's text
    country = "IDN"          # ISO 3166-1 alpha-3 of the outlet's home (XKX for Kosovo)
    site_url = "https://www.liputan6.com"   # optional
    category = "commercial"  # optional, one of CATEGORIES (OUTLET_TYPES)
    basis = "…"              # required with category = "state": the cited reason for the label
    fulltext = false         # optional: do not fetch its article pages (default true)
    outlet = "liputan6.com"  # optional: the outlet's key (default: outlet_key(site_url, url))

Any problem raises ``CatalogueError`` naming the file, the entry (number and title) and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale

from ingest import config, geo

# The outlet types a feed's ``category`` names, in the words the dashboard shows (issue 11
# item 14). "state" needs a ``basis``: a short, cited reason in the catalogue itself.
OUTLET_TYPES: dict[str, str] = {
    "state": "State-controlled",
    "public": "Public broadcaster",
    "commercial": "Private",
    "independent": "Private non-profit",
    "wire": "Wire service",
    "monitor": "Monitor of another state's media",
    "aggregator": "Aggregator",
}
CATEGORIES = frozenset(OUTLET_TYPES)
NEEDS_BASIS = frozenset({"state"})
_FIELDS = (
    "url",
    "title",
    "language",
    "country",
    "site_url",
    "category",
    "basis",
    "outlet",
    "fulltext",
)
_REQUIRED = ("url", "title", "language", "country")


class CatalogueError(ValueError):
    """The catalogue file is missing, is not TOML, or an entry is invalid."""


@dataclass(frozen=True)
class FeedSpec:
    url: str
    title: str
    language: str  # ISO 639-1
    country: str  # ISO3 of the outlet's home
    site_url: str | None = None
    category: str | None = None
    fulltext: bool = True  # fetch and extract its article pages (issue 13)
    basis: str | None = None
    outlet: str = ""  # the outlet's key (see outlet_key), filled in by the loader


def outlet_key(site_url: str | None, feed_url: str = "") -> str:
    """An outlet's key: the host of its site URL, lower-case, without "www." (the catalogue's
    feeds and saved snapshots of them share it: one outlet, not two); with no site URL, the
    feed's own URL (a feed host such as feeds.feedburner.com serves many outlets)."""
    try:
        host = (urlsplit(site_url or "").hostname or "").lower()
    except ValueError:
        host = ""
    return host.removeprefix("www.") or feed_url


@cache
def iso639_1_codes() -> frozenset[str]:
    """Two-letter language codes CLDR knows (ISO 639-1), via Babel."""
    return frozenset(c for c in Locale("en").languages if isinstance(c, str) and len(c) == 2)


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _entry_error(path: Path, index: int, entry: Any, problem: str) -> CatalogueError:
    title = entry.get("title") if isinstance(entry, dict) else None
    label = f"feed #{index}" + (f" ({title!r})" if isinstance(title, str) and title else "")
    return CatalogueError(f"{path}: {label}: {problem}")


def _parse_entry(path: Path, index: int, entry: Any) -> FeedSpec:
    if not isinstance(entry, dict):
        raise _entry_error(path, index, entry, "expected a [[feed]] table")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise _entry_error(path, index, entry, f"unknown field(s) {', '.join(unknown)}")
    for name in _REQUIRED:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise _entry_error(path, index, entry, f"missing or empty {name!r}")
    for name in ("site_url", "category", "basis", "outlet"):
        if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
            raise _entry_error(path, index, entry, f"{name!r} must be a non-empty string")

    fulltext = entry.get("fulltext", True)
    if not isinstance(fulltext, bool):
        raise _entry_error(path, index, entry, "'fulltext' must be true or false")

    url = entry["url"].strip()
    if not is_http_url(url):
        raise _entry_error(path, index, entry, f"url {url!r} is not an http(s) URL")
    site_url = entry.get("site_url")
    if site_url is not None and not is_http_url(site_url.strip()):
        raise _entry_error(path, index, entry, f"site_url {site_url!r} is not an http(s) URL")
    language = entry["language"].strip()
    if language not in iso639_1_codes():
        raise _entry_error(
            path, index, entry, f"language {language!r} is not an ISO 639-1 code (e.g. 'id')"
        )
    country = entry["country"].strip()
    if not geo.is_valid_iso3(country):
        raise _entry_error(
            path, index, entry, f"country {country!r} is not an ISO 3166-1 alpha-3 code"
        )
    category = entry.get("category")
    if category is not None and category.strip() not in CATEGORIES:
        raise _entry_error(
            path,
            index,
            entry,
            f"category {category!r} is not one of {', '.join(sorted(CATEGORIES))}",
        )
    basis = entry.get("basis")
    if category is not None and category.strip() in NEEDS_BASIS and basis is None:
        raise _entry_error(
            path, index, entry, f"category {category.strip()!r} needs a 'basis' (a cited reason)"
        )
    site_url = site_url.strip() if site_url else None
    outlet = entry.get("outlet")
    return FeedSpec(
        url=url,
        title=entry["title"].strip(),
        language=language,
        country=country,
        site_url=site_url,
        category=category.strip() if category else None,
        fulltext=fulltext,
        basis=basis.strip() if basis else None,
        outlet=outlet.strip().lower() if outlet else outlet_key(site_url, url),
    )


def load_catalogue(path: Path | None = None) -> list[FeedSpec]:
    """Read and validate the catalogue; raises CatalogueError naming the offending entry."""
    path = Path(path) if path is not None else Path(config.get("feeds_file"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: feed catalogue not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"feed"})
    if unknown:
        raise CatalogueError(f"{path}: unexpected top-level key(s) {', '.join(unknown)}")
    entries = data.get("feed", [])
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{path}: no [[feed]] tables")

    feeds: list[FeedSpec] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        spec = _parse_entry(path, index, entry)
        if spec.url in seen:
            raise _entry_error(
                path, index, entry, f"url {spec.url!r} already listed as feed #{seen[spec.url]}"
            )
        seen[spec.url] = index
        feeds.append(spec)
    return feeds

"""Adding a feed by hand, for the CLI (``python -m ingest add-feed``) and the dashboard's Feeds page.

Two steps, so a caller can refuse before it opens the store: ``check_feed`` refuses what is not a
public http(s) URL or not an ISO3 country code, then (unless told not to) fetches the feed once
through the SSRF-guarded client and parses it; ``store_feed`` stores what passed, with source
"user", for the poller to pick up on its next round. Refusals are ``FeedRefused`` with words fit
to show a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ingest.addresses import validate_feed_url
from ingest.geo import is_valid_iso3


class FeedRefused(ValueError):
    """A feed that is not added, and why. ``bad_input``: the address or the country code itself
    is refused (else the feed was fetched and is unreachable or not a feed)."""

    def __init__(self, reason: str, *, bad_input: bool) -> None:
        super().__init__(reason)
        self.bad_input = bad_input


@dataclass(frozen=True)
class CheckedFeed:
    """A feed that passed the checks: its normalised URL and what its own file says."""

    url: str
    country: str | None
    fetched: bool = False  # False when the check was asked to skip the fetch
    title: str | None = None
    language: str | None = None
    site_url: str | None = None
    items: int = 0


def check_feed(url: str, *, country: str = "", fetch: bool = True) -> CheckedFeed:
    """``url`` checked (http(s), public address, a valid ``country`` code), then fetched once and
    parsed unless ``fetch`` is False. Raises ``FeedRefused``."""
    try:
        clean = validate_feed_url(url)
    except ValueError as exc:
        raise FeedRefused(str(exc), bad_input=True) from exc
    code = (country or "").strip().upper()
    if code and not is_valid_iso3(code):
        raise FeedRefused(f"{code!r} is not an ISO 3166-1 alpha-3 code", bad_input=True)
    if not fetch:
        return CheckedFeed(clean, code or None)

    from ingest.fetch import fetch_feed
    from ingest.parse import parse_feed
    from ingest.store import now_utc

    result = fetch_feed(clean)
    if result.outcome != "ok" or result.body is None:
        reason = result.error or result.outcome
        raise FeedRefused(
            f"fetching {clean} failed ({result.error_category}): {reason}", bad_input=False
        )
    parsed = parse_feed(result.body, feed_url=result.final_url or clean, fetched_at=now_utc())
    if parsed.error and not parsed.articles:
        raise FeedRefused(f"{clean} is not a usable feed: {parsed.error}", bad_input=False)
    return CheckedFeed(
        clean,
        code or None,
        fetched=True,
        title=parsed.title,
        language=parsed.language,
        site_url=parsed.site_url,
        items=len(parsed.articles),
    )


def store_feed(engine: Engine, feed: CheckedFeed, *, title: str = "", language: str = "") -> int:
    """Store a checked feed (source "user"); a title or language given by the person wins over
    the feed's own. Returns the feed's id."""
    from ingest import store

    return store.ensure_feed(
        engine,
        feed.url,
        title=(title or "").strip() or feed.title,
        language=(language or "").strip().lower() or feed.language,
        country_iso3=feed.country,
        site_url=feed.site_url,
        source="user",
    )


def display_name(feed: CheckedFeed, title: str = "") -> str:
    """What to call the feed when saying it was added."""
    return (title or "").strip() or feed.title or feed.url

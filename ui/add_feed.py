"""Adding a feed from the dashboard: validated (http(s), public address, reachable, parses)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ingest import store
from ingest.geo import is_valid_iso3


@dataclass
class AddResult:
    ok: bool
    message: str
    feed_id: int | None = None


def check_and_add(
    engine: Engine,
    url: str,
    *,
    title: str = "",
    language: str = "",
    country: str = "",
) -> AddResult:
    """Validate ``url``, fetch it once through the SSRF-guarded client, parse it, then store the
    feed (source "user"); the poller picks it up on its next round."""
    from ingest.addresses import validate_feed_url
    from ingest.fetch import fetch_feed
    from ingest.parse import parse_feed

    try:
        clean = validate_feed_url(url)
    except ValueError as exc:
        return AddResult(False, f"Refused: {exc}")
    country = (country or "").strip().upper()
    if country and not is_valid_iso3(country):
        return AddResult(False, f"Refused: {country!r} is not an ISO 3166-1 alpha-3 code.")
    result = fetch_feed(clean)
    if result.outcome != "ok" or result.body is None:
        reason = result.error or result.outcome
        return AddResult(False, f"Could not fetch the feed ({result.error_category}): {reason}")
    parsed = parse_feed(result.body, feed_url=result.final_url or clean, fetched_at=store.now_utc())
    if parsed.error and not parsed.articles:
        return AddResult(False, f"Not a usable feed: {parsed.error}")
    feed_id = store.ensure_feed(
        engine,
        clean,
        title=(title or "").strip() or parsed.title,
        language=(language or "").strip().lower() or parsed.language,
        country_iso3=country or None,
        site_url=parsed.site_url,
        source="user",
    )
    name = (title or "").strip() or parsed.title or clean
    return AddResult(
        True, f"Added “{name}” ({len(parsed.articles)} items now in the feed).", feed_id
    )

"""robots.txt: fetched through the guarded client, read with Protego, kept per origin.

One robots.txt governs one origin (scheme, host and port: RFC 9309). It is fetched with
``ingest.fetch.guarded_get`` (SSRF guard on every hop, deadline, redirects) and only its first
``ROBOTS_MAX_BYTES`` decoded bytes are read, as RFC 9309 allows. What each answer means follows
Google's documented handling (developers.google.com/search/docs/crawling-indexing/robots/
robots_txt, "Handling of errors and HTTP status codes"):

- 2xx: the rules in the body (an empty body allows everything);
- redirects are followed (at most ``max_redirects``); more, or a loop, counts as a 404;
- 4xx other than 429 (404, 403, 410 ...): there is no robots.txt, everything is allowed;
- 429, 5xx, a timeout, a refused connection, a DNS or TLS failure, an unreadable answer: the host
  is unreachable and everything is disallowed for a while (``UNREACHABLE_RETRY``, or sooner when
  ``robots_cache_seconds`` is shorter); then robots.txt is asked again. Google does the same for
  12 hours; unlike Google we do not fall back to an old copy after 30 days;
- an answer the SSRF guard refuses (a redirect to a private address): disallowed likewise.

Rules are matched against the ``user_agent`` setting (Protego picks the group whose product
token, e.g. ``Pantau``, the User-Agent contains, else ``*``). A cached verdict lasts
``robots_cache_seconds``. ``RobotsCache`` is safe to share between threads; the page fetcher
(``ingest.page_fetch``) asks for robots.txt only while it holds the host's turn, so two threads
never fetch the same robots.txt at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from protego import Protego

from ingest import config
from ingest.fetch import FetchResult, RequestSpec, guarded_get

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: at least 500 KiB must be parsed; the rest is ignored
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"
UNREACHABLE_RETRY = timedelta(hours=1)
MAX_CRAWL_DELAY = 60.0  # a Crawl-delay above this is read as this

VERDICTS = ("rules", "allow_all", "disallow_all")

# error categories of ingest.fetch that mean "robots.txt does not exist": everything allowed.
_ABSENT = frozenset({"http_4xx", "gone", "too_many_redirects", "redirect_loop", "empty"})


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (default ports dropped), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == (443 if scheme == "https" else 80):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def robots_url(url: str) -> str | None:
    """Where the robots.txt governing ``url`` lives, or None for a non-http(s) URL."""
    base = origin(url)
    return None if base is None else base + "/robots.txt"


@dataclass(frozen=True)
class RobotsRules:
    """One origin's robots.txt as understood at ``fetched_at``, valid until ``expires_at``.

    ``verdict``: "rules" (a parsed file), "allow_all" (none exists) or "disallow_all" (the host
    or its robots.txt was unreachable; ``retry_after`` is when to ask again). ``reason`` says
    why in words.
    """

    origin: str
    verdict: str
    reason: str
    fetched_at: datetime
    expires_at: datetime
    parser: Protego | None = None

    @property
    def unreachable(self) -> bool:
        return self.verdict == "disallow_all"

    @property
    def retry_after(self) -> datetime | None:
        return self.expires_at if self.unreachable else None

    def allows(self, url: str, user_agent: str | None = None) -> bool:
        if self.verdict == "allow_all":
            return True
        if self.verdict == "disallow_all" or self.parser is None:
            return False
        agent = user_agent or str(config.get("user_agent"))
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, user_agent: str | None = None) -> float | None:
        """The Crawl-delay for our User-Agent, at most ``MAX_CRAWL_DELAY`` seconds."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent or str(config.get("user_agent")))
        if delay is None or delay < 0:
            return None
        return min(float(delay), MAX_CRAWL_DELAY)


def rules_from_result(base: str, result: FetchResult, now: datetime) -> RobotsRules:
    """What a robots.txt fetch result means for the origin ``base`` (see the module docstring)."""
    keep = timedelta(seconds=int(config.get("robots_cache_seconds")))
    if result.outcome == "ok" and result.body is not None:
        text = result.body.decode("utf-8", errors="replace").lstrip("\ufeff")
        return RobotsRules(
            origin=base,
            verdict="rules",
            reason=f"robots.txt read (HTTP {result.status}, {len(result.body):,} bytes)",
            fetched_at=now,
            expires_at=now + keep,
            parser=Protego.parse(text),
        )
    if result.error_category in _ABSENT:
        return RobotsRules(
            origin=base,
            verdict="allow_all",
            reason=f"no robots.txt ({result.error}): everything allowed",
            fetched_at=now,
            expires_at=now + keep,
        )
    until = now + min(keep, UNREACHABLE_RETRY)
    if result.retry_after is not None:
        until = max(until, result.retry_after)
    return RobotsRules(
        origin=base,
        verdict="disallow_all",
        reason=f"robots.txt unreachable ({result.error}): everything disallowed until "
        f"{until:%Y-%m-%d %H:%M:%S} UTC",
        fetched_at=now,
        expires_at=until,
    )


def fetch_robots(
    url: str, *, client: httpx.Client | None = None, now: datetime | None = None
) -> tuple[RobotsRules, FetchResult]:
    """Fetch the robots.txt governing ``url`` and interpret it; returns the rules and the raw
    fetch result (for the caller's back-off). Never raises for network or server behaviour;
    a URL that is not http(s) is a ValueError."""
    base = origin(url)
    if base is None:
        raise ValueError(f"no robots.txt for a non-http(s) URL {url[:200]!r}")
    spec = RequestSpec(accept=ROBOTS_ACCEPT, max_bytes=ROBOTS_MAX_BYTES, truncate=True)
    result = guarded_get(base + "/robots.txt", spec, client=client)
    return rules_from_result(base, result, now or datetime.now(UTC)), result


class RobotsCache:
    """Rules per origin, each kept until it expires. Thread-safe; ``now`` gives aware UTC time."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self._rules: dict[str, RobotsRules] = {}
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now()

    def get(self, url: str) -> RobotsRules | None:
        """The unexpired rules for ``url``'s origin, or None when robots.txt must be fetched."""
        base = origin(url)
        if base is None:
            return None
        with self._lock:
            rules = self._rules.get(base)
        if rules is None or self.now() >= rules.expires_at:
            return None
        return rules

    def put(self, rules: RobotsRules) -> None:
        with self._lock:
            self._rules[rules.origin] = rules

    def forget(self, url: str) -> None:
        base = origin(url)
        with self._lock:
            self._rules.pop(base or "", None)

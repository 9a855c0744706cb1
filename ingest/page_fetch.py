"""Fetch one article page, politely, through the same guarded client as feeds.

``fetch_page(url, client=None, gate=None)`` returns a ``PageResult`` and never raises for
anything the network or a server does. What it enforces:

- everything ``ingest.fetch`` enforces for feeds, by the same code (``guarded_get``): only
  http(s); the SSRF guard at connect time on every redirect hop; connect/read timeouts and the
  overall ``fetch_deadline``; at most ``max_redirects``; the decoded body counted as it streams
  and refused past ``max_page_bytes`` (its own cap: pages are not feeds); gzip/deflate only;
- only HTML is read: a 2xx answer whose Content-Type is not ``text/html`` or
  ``application/xhtml+xml`` (a PDF, an image, a missing type) ends as "not_html" and its body is
  never read (the connection is closed);
- robots.txt (``ingest.robots``): fetched through the same client, cached per origin for
  ``robots_cache_seconds``, matched against our ``user_agent``; a disallowed page is never asked
  for; an unreachable robots.txt (5xx, 429, timeout) disallows the host for a while;
- one request at a time per host, and at least ``page_host_delay_seconds`` (or the host's longer
  robots.txt Crawl-delay, up to 60 s) between the end of one request to a host and the start of
  the next, robots.txt requests included;
- a host that answered 429 or 503 with Retry-After is not asked again before that time; one that
  answered 429/5xx without it is paused for ``page_backoff_seconds``, doubling with each further
  such answer (up to 64 times). Until then ``fetch_page`` returns "deferred" at once, sending
  nothing, with ``retry_after`` saying when to come back.

robots.txt and the host's turn are those of the URL asked for: redirect hops are followed under
the SSRF guard and the deadline but are not checked against their own host's robots.txt or turn
(article links mostly redirect within a site, http to https, or through a tracker).

Within one process all of this holds for every thread that shares a ``HostGate`` (``fetch_page``
uses one process-wide gate, ``shared_gate()``, unless given another). A host is the URL's host
name, whatever the scheme or port. Across processes nothing is shared: two workers each keep
their own gate, so each may have one request open to a host at the same moment, each keeps its
own delay, robots.txt cache and Retry-After. What still holds across processes is that every
request obeys robots.txt and every Retry-After the requesting process has seen. A store-level
per-host lease (claimed like due feeds are, with SKIP LOCKED) can extend the one-at-a-time rule
to every worker later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from ingest import config
from ingest.fetch import (
    ERROR_CATEGORIES,
    FeedClient,
    FetchResult,
    RefuseResponse,
    RequestSpec,
    guarded_get,
)
from ingest.fetched import Fetched, timed_attempt
from ingest.robots import RobotsCache, fetch_robots, origin

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_BACKOFF_DOUBLINGS = 6  # the back-off stops growing at 2**6 = 64 times page_backoff_seconds

# outcome values; "deferred" and "disallowed" mean nothing was asked of the page's URL.
PAGE_OUTCOMES = ("ok", "not_html", "disallowed", "deferred", "gone", "error")

PAGE_ERROR_CATEGORIES = {
    **ERROR_CATEGORIES,
    "not_html": "the answer is not text/html or application/xhtml+xml; its body was not read",
    "robots_disallowed": "robots.txt disallows this URL for our User-Agent",
    "robots_unreachable": "robots.txt answered 429/5xx or could not be fetched; the host is "
    "treated as disallowed until retry_after",
    "deferred": "the host asked us to wait (Retry-After) or is backing off; nothing was sent",
}

# Worth asking again later (after retry_after when set); every other failure is final.
TRANSIENT_CATEGORIES = frozenset(
    {"deferred", "robots_unreachable", "rate_limited", "http_5xx", "timeout", "connection", "dns"}
)


@dataclass
class PageResult(Fetched):
    """What one page fetch ended as.

    ``outcome`` is one of ``PAGE_OUTCOMES``: "ok" (an HTML body in ``body``), "not_html",
    "disallowed" (robots.txt), "deferred" (the host's turn has not come: Retry-After or
    back-off), "gone" (410), "error". ``error_category`` is a key of ``PAGE_ERROR_CATEGORIES``
    and ``error`` a message, both set for every outcome but "ok". ``status`` is the page's HTTP
    status when it was asked for; ``content_type`` the answer's Content-Type (also on
    "not_html"); ``retry_after`` (UTC) when to ask again, on 429/503, "deferred" and an
    unreachable robots.txt. ``duration_ms`` includes the wait for the host's turn.
    """

    @property
    def transient(self) -> bool:
        """True when asking again later (after ``retry_after`` if set) may succeed."""
        return self.error_category in TRANSIENT_CATEGORIES


@dataclass
class _HostState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_done: float | None = None  # time.monotonic() when the last request ended
    not_before: datetime | None = None  # Retry-After or back-off
    failures: int = 0  # consecutive 429/5xx answers


class HostTurn:
    """One thread's exclusive turn at a host (from ``HostGate.turn``)."""

    def __init__(self, gate: HostGate, state: _HostState) -> None:
        self._gate = gate
        self._state = state

    def blocked_until(self) -> datetime | None:
        """When the host may be asked again, if that is still in the future."""
        until = self._state.not_before
        if until is not None and until > self._gate.now():
            return until
        return None

    def wait(self, crawl_delay: float | None = None) -> None:
        """Sleep until the host's least delay since its last request has passed."""
        if self._state.last_done is None:
            return
        delay = max(float(config.get("page_host_delay_seconds")), crawl_delay or 0.0)
        left = self._state.last_done + delay - time.monotonic()
        if left > 0:
            self._gate.sleep(left)

    def record(self, result: FetchResult) -> None:
        """Note a finished request: its end time, and a pause after 429/5xx."""
        state = self._state
        state.last_done = time.monotonic()
        status = result.status
        if status is None:
            return
        if status == 429 or 500 <= status < 600:
            state.failures += 1
            doublings = min(state.failures - 1, MAX_BACKOFF_DOUBLINGS)
            pause = timedelta(seconds=float(config.get("page_backoff_seconds")) * 2**doublings)
            state.not_before = result.retry_after or self._gate.now() + pause
        else:
            state.failures = 0


class HostGate:
    """Politeness state for page fetching, shared by the threads of one process.

    Per host (the URL's host name): a lock held for the whole of a request, robots.txt included,
    so one thread at a time talks to a host; the time the last request ended (for the least
    delay); when the host may be asked again after 429/5xx; the count of consecutive 429/5xx.
    ``robots`` caches robots.txt per origin. ``now`` (aware UTC) and ``sleep`` default to the
    real clock. A thread waiting for a busy host blocks until the other's request ends (at most
    about ``fetch_deadline`` per request queued ahead of it). See the module docstring for what
    holds across processes.
    """

    def __init__(
        self,
        *,
        robots: RobotsCache | None = None,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self.robots = robots or RobotsCache(self._now)
        self.sleep = sleep
        self._hosts: dict[str, _HostState] = {}
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now()

    def _state(self, host: str) -> _HostState:
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = self._hosts[host] = _HostState()
            return state

    @contextmanager
    def turn(self, host: str) -> Iterator[HostTurn]:
        """Hold ``host`` for one request (blocks while another thread holds it)."""
        state = self._state(host.lower())
        with state.lock:
            yield HostTurn(self, state)

    def blocked_until(self, host: str) -> datetime | None:
        """When ``host`` may be asked again, if that is in the future (does not wait)."""
        with self._lock:
            state = self._hosts.get(host.lower())
        if state is None or state.not_before is None or state.not_before <= self.now():
            return None
        return state.not_before


_shared_lock = threading.Lock()
_shared_gate: HostGate | None = None


def shared_gate() -> HostGate:
    """The process-wide gate ``fetch_page`` uses when given none."""
    global _shared_gate
    with _shared_lock:
        if _shared_gate is None:
            _shared_gate = HostGate()
        return _shared_gate


class _HtmlOnly:
    """``RequestSpec.check_response``: refuse a non-HTML answer before its body is read, and
    remember the Content-Type seen."""

    def __init__(self) -> None:
        self.content_type: str | None = None

    def __call__(self, response: httpx.Response) -> None:
        self.content_type = response.headers.get("content-type")
        media = (self.content_type or "").split(";", 1)[0].strip().lower()
        if media not in HTML_TYPES:
            shown = media or "no Content-Type"
            raise RefuseResponse(
                "not_html", f"{shown} is not an HTML page; body not read", response.status_code
            )


def fetch_page(
    url: str, *, client: httpx.Client | None = None, gate: HostGate | None = None
) -> PageResult:
    """GET the article page ``url`` politely (robots.txt, one request per host at a time, least
    delay, Retry-After, back-off) and say how it went. Never raises for network or server
    behaviour; a ``client`` not made by ``ingest.fetch.make_client`` is a TypeError."""
    if client is not None and not isinstance(client, FeedClient):
        raise TypeError("fetch_page needs a client from ingest.fetch.make_client() (SSRF guard)")
    return timed_attempt(
        url,
        lambda _started: _fetch_page(url, client, gate or shared_gate()),
        PageResult,
        log,
        "unexpected error fetching page %s",
    )


def _fetch_page(url: str, client: httpx.Client | None, gate: HostGate) -> PageResult:
    host = _host(url)
    if host is None or origin(url) is None:
        return PageResult(
            url=url,
            final_url=url,
            outcome="error",
            error_category="bad_url",
            error=f"not an absolute http(s) URL: {url[:200]!r}",
        )
    with gate.turn(host) as turn:
        until = turn.blocked_until()
        if until is not None:
            return _deferred(url, until)
        rules = gate.robots.get(url)
        if rules is None:
            turn.wait()
            rules, answer = fetch_robots(url, client=client, now=gate.now())
            turn.record(answer)
            gate.robots.put(rules)
        if not rules.allows(url):
            return PageResult(
                url=url,
                final_url=url,
                outcome="disallowed",
                error_category="robots_unreachable" if rules.unreachable else "robots_disallowed",
                error=rules.reason if rules.unreachable else f"robots.txt disallows {url}",
                retry_after=rules.retry_after,
            )
        turn.wait(rules.crawl_delay())
        html_only = _HtmlOnly()
        spec = RequestSpec(
            accept=PAGE_ACCEPT,
            max_bytes=int(config.get("max_page_bytes")),
            check_response=html_only,
        )
        fetched = guarded_get(url, spec, client=client)
        turn.record(fetched)
    return PageResult(
        url=url,
        final_url=fetched.final_url,
        outcome="not_html" if fetched.error_category == "not_html" else fetched.outcome,
        status=fetched.status,
        content_type=fetched.content_type or html_only.content_type,
        body=fetched.body,
        error_category=fetched.error_category,
        error=fetched.error,
        retry_after=fetched.retry_after,
    )


def _deferred(url: str, until: datetime) -> PageResult:
    return PageResult(
        url=url,
        final_url=url,
        outcome="deferred",
        error_category="deferred",
        error=f"host paused after 429/5xx; not asked before {until:%Y-%m-%d %H:%M:%S} UTC",
        retry_after=until,
    )


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None

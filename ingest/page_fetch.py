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

Every redirect hop is admitted like the page itself (``RequestSpec.check_redirect``), before it
is asked for: its URL against its own origin's robots.txt (the same cache; fetched first when
missing), and a hop to another host under that host's turn — the turn held is handed back and
the new host's taken (never two at once), its Retry-After or back-off honoured ("deferred"), its
least delay or Crawl-delay waited. A hop the target's robots.txt disallows ends the fetch as
"disallowed" with ``final_url`` the refused target; that URL is never asked for. A hop within
the host already held stays in that turn and is followed at once, without a second least delay:
the turn was never let go, so no other request to the host came between, and the redirect is the
host's own answer to the request just made, telling where that same page is; waiting there would
only spend the fetch's one deadline (the waits of a hop to another host count against it too, so
a Crawl-delay longer than the time left ends as "timeout", retried later). After 429/5xx the
pause falls on the host that answered. The store's per-host lease (``host_leases``, taken by
``ingest.enrich`` across processes) is the page's own host only: a redirect target's host is
not known when the page is claimed, and holding a second lease mid-fetch would make a worker wait
in the store for one host while holding another. Across processes a redirect target's host may
therefore get one request from each worker at the same moment.

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
from contextlib import ExitStack, contextmanager
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

# outcome values; "deferred" and "disallowed" mean nothing was asked of the page's URL, or of the
# redirect target (``final_url``) that was refused.
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
    "disallowed" (robots.txt of the page or of a redirect target: ``final_url``), "deferred"
    (the turn of the page's host, or of a redirect target's, has not come: Retry-After or
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

    def done(self) -> None:
        """Note that a request to the host has just ended (the least delay counts from here)."""
        self._state.last_done = time.monotonic()

    def record(self, result: FetchResult) -> None:
        """Note a finished request: its end time, and a pause after 429/5xx."""
        state = self._state
        self.done()
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
    if _host(url) is None or origin(url) is None:
        return PageResult(
            url=url,
            final_url=url,
            outcome="error",
            error_category="bad_url",
            error=f"not an absolute http(s) URL: {url[:200]!r}",
        )
    with _Hops(gate, client) as hops:
        refused = hops.admit(url)
        if refused is not None:
            return PageResult(
                url=url,
                final_url=url,
                outcome=_REFUSED_OUTCOMES[refused.category],
                error_category=refused.category,
                error=refused.message,
                retry_after=refused.retry_after,
            )
        html_only = _HtmlOnly()
        spec = RequestSpec(
            accept=PAGE_ACCEPT,
            max_bytes=int(config.get("max_page_bytes")),
            check_response=html_only,
            check_redirect=hops.check_redirect,
        )
        fetched = guarded_get(url, spec, client=client)
        hops.record(fetched)
    category = fetched.error_category
    return PageResult(
        url=url,
        final_url=fetched.final_url,
        outcome=_REFUSED_OUTCOMES.get(category or "", fetched.outcome),
        status=fetched.status,
        content_type=fetched.content_type or html_only.content_type,
        body=fetched.body,
        error_category=category,
        error=fetched.error,
        retry_after=fetched.retry_after,
    )


# what a refusal by our own rules (before a request, or at a redirect hop) ends as
_REFUSED_OUTCOMES = {
    "not_html": "not_html",
    "robots_disallowed": "disallowed",
    "robots_unreachable": "disallowed",
    "deferred": "deferred",
}


class _Hops:
    """The host turns one page fetch takes: the page's host, then the host of each redirect
    target that is not the host held. The held turn is handed back before the next is taken, so
    a thread never holds two hosts (two fetches redirecting into each other's hosts cannot wait
    on each other)."""

    def __init__(self, gate: HostGate, client: httpx.Client | None) -> None:
        self._gate = gate
        self._client = client
        self._stack = ExitStack()
        self._host: str | None = None
        self._turn: HostTurn | None = None

    def __enter__(self) -> _Hops:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _take(self, host: str) -> HostTurn:
        if self._turn is not None:
            self._turn.done()  # the redirect's answer ended the request to the host we leave
            self._stack.close()
            self._stack = ExitStack()
        self._turn = self._stack.enter_context(self._gate.turn(host))
        self._host = host
        return self._turn

    def admit(self, url: str) -> RefuseResponse | None:
        """Take ``url``'s host turn unless it is the one held, and say why ``url`` must not be
        asked for (the host paused, robots.txt), or None once its least delay has passed.
        robots.txt is fetched under the turn when the cache has none for ``url``'s origin."""
        host, base = _host(url), origin(url)
        if host is None or base is None:
            return None  # guarded_get refuses it as a bad URL
        turn = self._turn
        new_host = turn is None or host != self._host
        if turn is None or new_host:
            turn = self._take(host)
            until = turn.blocked_until()
            if until is not None:
                return RefuseResponse("deferred", _deferred_message(until), retry_after=until)
        rules = self._gate.robots.get(url)
        asked_robots = rules is None
        if rules is None:
            turn.wait()
            rules, answer = fetch_robots(url, client=self._client, now=self._gate.now())
            turn.record(answer)
            self._gate.robots.put(rules)
        if not rules.allows(url):
            if rules.unreachable:
                return RefuseResponse(
                    "robots_unreachable", rules.reason, retry_after=rules.retry_after
                )
            return RefuseResponse("robots_disallowed", f"robots.txt disallows {url}")
        if new_host or asked_robots:
            turn.wait(rules.crawl_delay())
        return None

    def check_redirect(self, target: str) -> None:
        """``RequestSpec.check_redirect``: each hop is admitted like the page itself."""
        refused = self.admit(target)
        if refused is not None:
            raise refused

    def record(self, result: FetchResult) -> None:
        """Note the fetch's last request on the turn of the host that answered it."""
        if self._turn is not None:
            self._turn.record(result)


def _deferred_message(until: datetime) -> str:
    return f"host paused after 429/5xx; not asked before {until:%Y-%m-%d %H:%M:%S} UTC"


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None

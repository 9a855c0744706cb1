"""Fetch one feed over HTTP so that the open web cannot hurt us.

``fetch_feed(url, etag=..., last_modified=...)`` does one conditional GET and always returns a
``FetchResult``; it never raises for anything the network or the server does. What it enforces:

- only http(s) URLs; the SSRF guard (``ingest.addresses``) checks every connection, on every
  redirect hop, at connect time;
- redirects followed by hand (at most ``max_redirects``; a loop is detected), so each hop is
  checked; a chain that starts with 301/308 yields ``permanent_url`` for the caller to store;
- a connect timeout, a read timeout and an overall deadline (``fetch_deadline``) that bounds every
  socket wait of the whole fetch, redirects and body included;
- a cap on the decoded body (``max_body_bytes``), decoded here chunk by chunk with bounded output,
  so a gzip bomb stops as soon as it passes the cap; gzip and deflate are the only encodings
  offered (no decoder with bounded output is installed for br or zstd);
- Retry-After (seconds or an HTTP-date) read on 429 and 503.

feedparser never fetches: the caller parses ``FetchResult.body``.

``guarded_get(url, RequestSpec(...))`` is the same fetch for other resources (article pages,
robots.txt: ``ingest.page_fetch``, ``ingest.robots``): the spec says what to Accept, the cap on
the decoded body, whether to cut the body at the cap instead of refusing it, and a hook that may
refuse a response (``RefuseResponse``) before its body is read, and one that may refuse a redirect
target before it is asked for (the page fetcher checks each hop against its host's robots.txt and
takes that host's turn there). Every rule above is defined once, here, and applies to all of
them.

Without a ``client`` argument, fetches share one process-wide client (``shared_client``:
thread-safe, keep-alive, one pool), which is what the scheduler's thread pool wants. A caller
may pass its own from ``make_client()`` (e.g. a test with a narrower guard); only such clients
are accepted, since they carry the SSRF guard.
"""

from __future__ import annotations

import http.cookiejar
import logging
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from ingest import config
from ingest.addresses import AddressGuard, BlockedAddressError, GuardedTransport, io_deadline
from ingest.fetched import Fetched, timed_attempt

log = logging.getLogger(__name__)

OUTCOMES = ("ok", "not_modified", "gone", "error")

# error_category values: a few fixed ones, so the feed row and the Feeds page can group failures.
ERROR_CATEGORIES = {
    "gone": "HTTP 410: the feed is retired",
    "timeout": "connect/read timeout or the overall fetch deadline",
    "connection": "connection refused, reset or closed early",
    "dns": "the host name does not resolve",
    "tls": "TLS handshake or certificate failure",
    "http_4xx": "a 4xx status other than 410 and 429",
    "http_5xx": "a 5xx status",
    "rate_limited": "HTTP 429 (see retry_after)",
    "too_large": "the decoded body is larger than max_body_bytes",
    "too_many_redirects": "more than max_redirects redirects",
    "redirect_loop": "a redirect back to a URL already visited",
    "blocked_address": "the SSRF guard refused the address",
    "bad_url": "not an absolute http(s) URL, or malformed",
    "bad_response": "not valid HTTP, a redirect without Location, an undecodable body, "
    "an unexpected status",
    "empty": "a 2xx response with no body",
    "unexpected": "a bug of ours; logged with its traceback",
}

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
ACCEPT_ENCODING = "gzip, deflate"
MAX_RETRY_AFTER = timedelta(days=30)
_READ_CHUNK = 64 * 1024
_DRAIN = 64 * 1024  # unread bodies up to this size are read so the connection can be reused
MAX_CONNECTIONS = 100  # open connections per client (at least; more if fetch_concurrency is)
MAX_KEEPALIVE = 32  # idle connections a client keeps for reuse
QUOTED_URL_CHARS = 200  # how much of a bad URL an error message quotes


@dataclass
class FetchResult(Fetched):
    """What one fetch ended as.

    ``outcome`` is one of ``OUTCOMES``: "ok" (2xx with a body), "not_modified" (304), "gone"
    (410: retire the feed), "error". ``error_category`` (a key of ``ERROR_CATEGORIES``) and
    ``error`` (a human message) are set for "error" and "gone". ``etag``/``last_modified`` are
    the validators to store for the next fetch: the response's, and on a 304 the ones sent when
    the response repeats none. ``permanent_url`` is set when the chain began with permanent
    redirects (301/308) and the fetch succeeded ("ok"/"not_modified"): the feed's new URL.
    ``retry_after`` (UTC) comes from Retry-After on 429/503.
    """

    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Feeds are fetched without cookies: none stored, none sent (no tracking across feeds)."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class FeedClient(httpx.Client):
    """An httpx client for feeds: SSRF-guarded transport, no proxies from the environment,
    no cookies, no automatic redirects. Thread-safe; share one across a thread pool."""

    def __init__(
        self,
        *,
        guard: AddressGuard | None = None,
        max_connections: int = MAX_CONNECTIONS,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=min(max_connections, MAX_KEEPALIVE),
        )
        if verify is True:
            verify = _verified_ssl_context()
        guard = guard or AddressGuard()
        super().__init__(
            transport=GuardedTransport(guard, limits=limits, verify=verify),
            trust_env=False,  # an HTTP_PROXY from the environment would bypass the guard
            follow_redirects=False,
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
            event_hooks={"response": [_refuse_unreadable_location]},
        )
        self.guard = guard


class _UnreadableLocation(Exception):
    """A redirect whose Location httpx cannot parse (e.g. ``http://0177.0.0.1/``)."""

    def __init__(self, status: int, location: str) -> None:
        super().__init__(location)
        self.status = status
        self.location = location


def _refuse_unreadable_location(response: httpx.Response) -> None:
    # httpx parses Location itself even when not following redirects, and raises a bare
    # protocol error on a malformed one; this hook runs first and keeps the raw value, so the
    # redirect is judged (SSRF guard, scheme) like any other.
    if response.has_redirect_location:
        location = response.headers["location"]
        try:
            httpx.URL(location)
        except httpx.InvalidURL:
            raise _UnreadableLocation(response.status_code, location) from None


def make_client(
    *, guard: AddressGuard | None = None, max_connections: int = MAX_CONNECTIONS
) -> FeedClient:
    """The client ``fetch_feed`` needs; ``guard`` defaults to the configured SSRF policy."""
    return FeedClient(guard=guard, max_connections=max_connections)


_shared_lock = threading.RLock()  # shared_client() builds a client, which takes the SSL context
_shared_ssl: ssl.SSLContext | None = None
_shared_clients: dict[bool, FeedClient] = {}


def _verified_ssl_context() -> ssl.SSLContext:
    """One certificate-verifying SSL context for every client (building one costs ~60 ms)."""
    global _shared_ssl
    with _shared_lock:
        if _shared_ssl is None:
            _shared_ssl = httpx.create_ssl_context()
        return _shared_ssl


def shared_client() -> FeedClient:
    """The process-wide client used when ``fetch_feed`` is given none.

    One per value of ``allow_private_addresses``, with that value fixed in its guard: a
    keep-alive connection opened while private addresses were allowed is never reused after the
    setting is turned off.
    """
    allow_private = bool(config.get("allow_private_addresses"))
    with _shared_lock:
        client = _shared_clients.get(allow_private)
        if client is None or client.is_closed:
            client = FeedClient(
                guard=AddressGuard(allow_private=allow_private),
                max_connections=max(MAX_CONNECTIONS, int(config.get("fetch_concurrency"))),
            )
            _shared_clients[allow_private] = client
        return client


class _FetchFailed(Exception):
    def __init__(self, category: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
        self.status = status


class RefuseResponse(_FetchFailed):
    """Raised by a ``RequestSpec.check_response`` hook to refuse a 2xx response before its body
    is read, or by ``check_redirect`` to refuse a redirect target; the fetch ends as an "error"
    with this category, message and ``retry_after``."""

    def __init__(
        self,
        category: str,
        message: str,
        status: int | None = None,
        retry_after: datetime | None = None,
    ) -> None:
        super().__init__(category, message, status)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RequestSpec:
    """What one guarded GET asks for and what it accepts.

    ``accept``: the Accept header. ``max_bytes``: the cap on the decoded body. ``truncate``: keep
    the first ``max_bytes`` decoded bytes and stop reading instead of refusing the body as
    "too_large" (robots.txt: only its first 500 KiB count). ``check_response``: called with a 2xx
    response before its body is read; raises ``RefuseResponse`` to refuse it. ``check_redirect``:
    called with each redirect target (absolute URL) once it passed the loop and count checks and
    before it is asked for; raises ``RefuseResponse`` to stop there (the result's ``final_url``
    is that target); the time it takes counts against the fetch's deadline.
    ``etag``/``last_modified``: validators for a conditional GET.
    """

    accept: str
    max_bytes: int
    truncate: bool = False
    check_response: Callable[[httpx.Response], None] | None = None
    check_redirect: Callable[[str], None] | None = None
    etag: str | None = None
    last_modified: str | None = None


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> FetchResult:
    """GET ``url`` (conditionally when validators are given) and say how it went. Never raises
    for network or server behaviour; a ``client`` not made by ``make_client`` is a TypeError."""
    spec = RequestSpec(
        accept=ACCEPT,
        max_bytes=int(config.get("max_body_bytes")),
        etag=etag,
        last_modified=last_modified,
    )
    return guarded_get(url, spec, client=client)


def guarded_get(url: str, spec: RequestSpec, *, client: httpx.Client | None = None) -> FetchResult:
    """GET ``url`` under every rule of this module, asking and accepting what ``spec`` says.
    Never raises for network or server behaviour; a ``client`` not made by ``make_client`` is a
    TypeError."""
    if client is not None and not isinstance(client, FeedClient):
        raise TypeError("a fetch needs a client from ingest.fetch.make_client() (SSRF guard)")
    return timed_attempt(
        url,
        lambda started: _fetch(url, spec, client or shared_client(), started),
        FetchResult,
        log,
        "unexpected error fetching %s",
    )


def _fetch(url: str, spec: RequestSpec, client: FeedClient, started: float) -> FetchResult:
    deadline = started + float(config.get("fetch_deadline"))
    max_redirects = int(config.get("max_redirects"))
    token = io_deadline.set(deadline)
    current = url
    visited = {_visit_key(url)}
    permanent: str | None = None
    only_permanent_so_far = True
    try:
        for hop in range(max_redirects + 1):
            try:
                _check_url(current, client.guard)
                response = _send(client, current, spec, deadline)
            except _FetchFailed as failed:
                return _failure(url, current, failed)
            except _UnreadableLocation as bad:
                return _failure(url, current, _unreadable_location(bad, client.guard))
            except Exception as exc:
                return _failure(url, current, _classify(exc, deadline))
            try:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        return _failure(
                            url,
                            current,
                            _FetchFailed(
                                "bad_response",
                                f"HTTP {response.status_code} redirect without a Location header",
                                response.status_code,
                            ),
                        )
                    try:
                        target = str(httpx.URL(current).join(location))
                    except (httpx.InvalidURL, ValueError) as exc:
                        return _failure(
                            url,
                            current,
                            _FetchFailed(
                                "bad_url",
                                f"bad redirect Location {location[:QUOTED_URL_CHARS]!r}: {exc}",
                            ),
                        )
                    if only_permanent_so_far and response.status_code in PERMANENT_REDIRECTS:
                        permanent = target
                    else:
                        only_permanent_so_far = False
                    if _visit_key(target) in visited:
                        return _failure(
                            url,
                            current,
                            _FetchFailed(
                                "redirect_loop",
                                f"redirect loop: {current} -> {target} was already visited",
                                response.status_code,
                            ),
                        )
                    if hop == max_redirects:
                        return _failure(
                            url,
                            current,
                            _FetchFailed(
                                "too_many_redirects",
                                f"more than {max_redirects} redirects (last to {target})",
                                response.status_code,
                            ),
                        )
                    if spec.check_redirect is not None:
                        try:
                            _check_url(target, client.guard)  # as the next hop would, first
                            spec.check_redirect(target)
                        except _FetchFailed as failed:  # RefuseResponse included
                            return _failure(url, target, failed)
                        except Exception as exc:
                            return _failure(url, target, _classify(exc, deadline))
                    visited.add(_visit_key(target))
                    current = target
                    continue
                result = _finish(url, current, response, spec, deadline)
            except _FetchFailed as failed:
                return _failure(url, current, failed)
            except Exception as exc:
                return _failure(url, current, _classify(exc, deadline))
            finally:
                _release(response)
            if result.outcome in ("ok", "not_modified") and permanent and permanent != url:
                result.permanent_url = permanent
            return result
    finally:
        io_deadline.reset(token)
    raise AssertionError("unreachable: the loop returns on every path")


def _unreadable_location(bad: _UnreadableLocation, guard: AddressGuard) -> _FetchFailed:
    try:
        _check_url(bad.location, guard)
    except _FetchFailed as failed:
        failed.status = bad.status
        return failed
    except BlockedAddressError as exc:
        return _FetchFailed("blocked_address", f"redirect refused: {exc}", bad.status)
    return _FetchFailed(
        "bad_url", f"redirect to a malformed URL {bad.location[:QUOTED_URL_CHARS]!r}", bad.status
    )


def _release(response: httpx.Response) -> None:
    """Close ``response``, first reading a short unread body (a 304, a redirect, an error page)
    so its connection goes back to the pool for the next feed instead of being dropped."""
    try:
        if not response.is_stream_consumed:
            length = response.headers.get("content-length", "")
            if response.status_code in (204, 304) or (length.isdigit() and int(length) <= _DRAIN):
                for _ in response.iter_raw(_DRAIN):
                    pass
    except httpx.HTTPError:
        pass
    finally:
        response.close()


def _visit_key(url: str) -> str:
    try:
        return str(httpx.URL(url).copy_with(fragment=None))
    except (httpx.InvalidURL, ValueError):
        return url


def _check_url(url: str, guard: AddressGuard) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"'{scheme}:'" if scheme else "a URL without http:// or https://"
        raise _FetchFailed("bad_url", f"only http(s) feeds are fetched, not {shown}")
    if not parts.hostname:
        raise _FetchFailed("bad_url", f"no host in {url[:QUOTED_URL_CHARS]!r}")
    guard.check_url(url)  # IP literals in any spelling; host names are checked at connect time


def _send(client: FeedClient, url: str, spec: RequestSpec, deadline: float) -> httpx.Response:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _FetchFailed("timeout", _deadline_message())
    connect = min(float(config.get("connect_timeout")), left)
    read = min(float(config.get("read_timeout")), left)
    headers = {
        "User-Agent": str(config.get("user_agent")),
        "Accept": spec.accept,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if spec.etag:
        headers["If-None-Match"] = spec.etag
    if spec.last_modified:
        headers["If-Modified-Since"] = spec.last_modified
    request = client.build_request(
        "GET",
        url,
        headers=headers,
        timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=left),
    )
    return client.send(request, stream=True)


def _finish(
    url: str, final_url: str, response: httpx.Response, spec: RequestSpec, deadline: float
) -> FetchResult:
    status = response.status_code
    headers = response.headers
    if status == 304:
        return FetchResult(
            url=url,
            final_url=final_url,
            outcome="not_modified",
            status=status,
            etag=headers.get("etag") or spec.etag,
            last_modified=headers.get("last-modified") or spec.last_modified,
        )
    if status == 410:
        return FetchResult(
            url=url,
            final_url=final_url,
            outcome="gone",
            status=status,
            error="HTTP 410 Gone: the publisher retired this feed",
            error_category="gone",
        )
    if status in (429, 503):
        retry_after = parse_retry_after(headers.get("retry-after"))
        category = "rate_limited" if status == 429 else "http_5xx"
        message = f"HTTP {status} {response.reason_phrase}".strip()
        if retry_after is not None:
            message += f"; retry after {retry_after:%Y-%m-%d %H:%M:%S} UTC"
        raise _RetryLater(category, message, status, retry_after)
    if 400 <= status < 500:
        raise _FetchFailed("http_4xx", f"HTTP {status} {response.reason_phrase}".strip(), status)
    if 500 <= status < 600:
        raise _FetchFailed("http_5xx", f"HTTP {status} {response.reason_phrase}".strip(), status)
    if not 200 <= status < 300:
        raise _FetchFailed("bad_response", f"unexpected HTTP status {status}", status)
    if spec.check_response is not None:
        spec.check_response(response)
    body = _read_body(response, deadline, spec.max_bytes, truncate=spec.truncate)
    if not body:
        raise _FetchFailed("empty", f"HTTP {status} with an empty body", status)
    return FetchResult(
        url=url,
        final_url=final_url,
        outcome="ok",
        status=status,
        body=body,
        content_type=headers.get("content-type"),
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
    )


class _RetryLater(_FetchFailed):
    def __init__(
        self, category: str, message: str, status: int, retry_after: datetime | None
    ) -> None:
        super().__init__(category, message, status)
        self.retry_after = retry_after


def _failure(url: str, final_url: str, failed: _FetchFailed) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=final_url,
        outcome="gone" if failed.category == "gone" else "error",
        status=failed.status,
        error=failed.message,
        error_category=failed.category,
        retry_after=getattr(failed, "retry_after", None),
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After (delay in seconds, or an HTTP-date) as an aware UTC time, at most 30 days
    ahead and never in the past; None when absent or unreadable."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    text = value.strip()
    if text.isdigit():
        delay = min(timedelta(seconds=min(int(text), 10**9)), MAX_RETRY_AFTER)
        return now + delay
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return min(max(when, now), now + MAX_RETRY_AFTER)


# -- body ----------------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _Inflater:
    """One zlib stage (gzip or deflate) whose output per call is bounded."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._d: zlib._Decompress | None = None
        if kind == "gzip":
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._done = False

    def _start(self, data: bytes) -> None:
        # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
        zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        self._d = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        if self._d is None:
            if not data:
                return
            self._start(data)
        assert self._d is not None
        produced = 0
        while data and not self._done:
            piece = self._d.decompress(data, limit + 1 - produced)
            produced += len(piece)
            if produced > limit:
                raise _TooLarge
            if piece:
                yield piece
            if self._d.eof:
                rest = self._d.unused_data
                if self.kind == "gzip" and rest[:2] == b"\x1f\x8b":  # another gzip member
                    self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data = rest
                    continue
                self._done = True  # trailing bytes after the stream are ignored
                return
            data = self._d.unconsumed_tail


def _read_body(
    response: httpx.Response, deadline: float, cap: int, *, truncate: bool = False
) -> bytes:
    encodings = [
        e.strip().lower()
        for e in response.headers.get("content-encoding", "").split(",")
        if e.strip() and e.strip().lower() != "identity"
    ]
    for encoding in encodings:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise _FetchFailed(
                "bad_response",
                f"unsupported Content-Encoding {encoding!r} (we offered {ACCEPT_ENCODING})",
                response.status_code,
            )
    declared = response.headers.get("content-length", "")
    if not truncate and not encodings and declared.isdigit() and int(declared) > cap:
        raise _FetchFailed(
            "too_large",
            f"body of {int(declared):,} bytes is over the {cap:,}-byte cap",
            response.status_code,
        )
    # Content-Encoding lists codings in the order applied: undo them last to first.
    stages = [_Inflater("gzip" if e == "x-gzip" else e) for e in reversed(encodings)]
    parts: list[bytes] = []
    total = 0
    try:
        for raw in response.iter_raw(_READ_CHUNK):
            pieces: list[bytes] = [raw]
            for stage in stages:
                pieces = [out for piece in pieces for out in stage.feed(piece, cap)]
            for piece in pieces:
                total += len(piece)
                if total > cap:
                    if truncate:
                        parts.append(piece[: len(piece) - (total - cap)])
                        return b"".join(parts)
                    raise _TooLarge
                parts.append(piece)
            if time.monotonic() > deadline:
                raise _FetchFailed("timeout", _deadline_message(), response.status_code)
    except _TooLarge:
        if truncate:  # one chunk inflated past the cap: keep what came before it
            return b"".join(parts)
        raise _FetchFailed(
            "too_large",
            f"decoded body is over the {cap:,}-byte cap; stopped reading",
            response.status_code,
        ) from None
    except zlib.error as exc:
        raise _FetchFailed(
            "bad_response",
            f"body does not decode as {', '.join(encodings)}: {exc}",
            response.status_code,
        ) from None
    return b"".join(parts)


# -- classification of exceptions ----------------------------------------------------------------


def _deadline_message() -> str:
    return f"gave up after the {float(config.get('fetch_deadline')):g} s fetch deadline"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _classify(exc: Exception, deadline: float) -> _FetchFailed:
    chain = list(_chain(exc))
    for link in chain:
        if isinstance(link, BlockedAddressError):
            return _FetchFailed("blocked_address", str(link))
    if isinstance(exc, httpx.TimeoutException):
        if time.monotonic() >= deadline - 0.01:
            return _FetchFailed("timeout", _deadline_message())
        kind = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for data",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return _FetchFailed("timeout", f"timed out {kind}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return _FetchFailed("bad_url", f"bad URL: {exc}")
    if isinstance(exc, httpx.NetworkError):
        for link in chain:
            if isinstance(link, socket.gaierror):
                return _FetchFailed("dns", str(exc) or f"DNS lookup failed: {link}")
        for link in chain:
            if isinstance(link, ssl.SSLError | ssl.CertificateError):
                return _FetchFailed("tls", f"TLS error: {link}")
        return _FetchFailed("connection", f"connection failed: {exc or type(exc).__name__}")
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError | httpx.StreamError):
        return _FetchFailed("bad_response", f"invalid HTTP response: {exc or type(exc).__name__}")
    if isinstance(exc, httpx.HTTPError):
        return _FetchFailed("connection", f"{type(exc).__name__}: {exc}")
    raise exc

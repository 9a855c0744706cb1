"""A real HTTP server on 127.0.0.1 for the test suite: real fixture feeds plus scripted faults.

``FeedServer`` runs ``http.server.ThreadingHTTPServer`` in a daemon thread on an ephemeral port.
Every request is recorded (method, path, headers) and every accepted connection is counted, so a
test can check what a client sent and that a refused fetch never connected.

Paths (``server.url(path)`` gives the absolute URL):

- ``/feeds/<file>``: a real feed from the fixture folder (``tests/fixtures/feeds/``), 200 with a
  strong ETag (hash of the bytes) and a fixed Last-Modified; 304 when the request carries the
  matching If-None-Match, or (without If-None-Match) an If-Modified-Since not older than it.
  ``?gzip=1`` serves it gzip-encoded when the client accepts gzip. Any query string is allowed,
  so ``/feeds/x.xml?n=17`` gives distinct URLs for the same file. ``FeedServer.latency`` (a
  ``(low, high)`` range in seconds) delays every ``/feeds/`` response, for the polling benchmark.
- ``/status/<code>``: that status with a short text body; ``?retry_after=120`` adds
  ``Retry-After: 120``, ``?retry_after_date=120`` adds it as an HTTP-date 120 s ahead.
- ``/redirect/<code>?to=<url or path>``: a redirect (301, 302, 303, 307, 308) to ``to``.
- ``/chain/<n>``: ``n`` 302 hops before landing on ``/feeds/<default feed>``.
- ``/loop/a`` and ``/loop/b``: 302 to each other, forever.
- ``/slow?seconds=S``: sleeps S seconds (at most 30, cut short when the server stops) before
  answering with the default feed.
- ``/drip?seconds=S``: sends headers at once, then one byte every 0.2 s for S seconds (at most 30):
  each read is quick, only an overall deadline stops it.
- ``/huge?mib=M&length=1``: M MiB (default 20, at most 64) of XML-ish bytes streamed in 1 MiB
  chunks; ``length=1`` declares Content-Length, otherwise the body is close-delimited.
- ``/gzip-bomb``: about 200 KiB of gzip that expands to 200 MiB of zeros (``Content-Encoding:
  gzip``); ``/deflate-bomb`` the same with zlib deflate.
- ``/gzip-members?n=N``: the default feed cut into N pieces (default 3, at most 64), each gzipped
  on its own and sent one after the other (a multi-member gzip body, RFC 1952 2.2).
- ``/encoding/<name>``: a short body labelled ``Content-Encoding: <name>``.
- ``/truncated``: declares 10000 bytes, sends about 60 and hangs up.
- ``/html``: an HTML page (text/html). ``/empty``: 200 with an empty body. ``/garbage``: 200 with
  4 KiB of random bytes. ``/not-http``: random bytes instead of an HTTP response at all.
- ``/echo``: 200 with the request headers as JSON.

Article pages (the page fetcher, ``ingest.page_fetch``):

- ``/pages/<file>``: a real article page from ``tests/fixtures/articles/pages/`` (or the folder
  given as ``FeedServer(pages=…)``) as
  ``text/html; charset=utf-8``; ``?gzip=1`` gzip-encoded when the client accepts gzip;
  ``?delay=S`` waits S seconds before answering.
- ``/robots.txt``: 404 unless a test sets ``FeedServer.set_robots(body, status, delay)``.
- ``/huge?type=html`` or ``?type=pdf`` (also ``png``): the streamed body of ``/huge`` labelled
  as an HTML page, a PDF or an image.
- ``/page-bomb``: a 50 MiB HTML page sent gzip-encoded (about 50 KiB on the wire).

Each ``RecordedRequest`` also carries the Host header, when the request arrived (``started``,
``time.monotonic()``), when the server began its answer (``answered``, before any byte of it is
sent), how many body bytes the streamed scenarios wrote (``body_sent``) and whether the handler
has finished (``done``): a test can check, per host, that requests never overlapped and how far
apart they came, and that a refused body was not sent in full.

Besides ``FeedServer``: ``CountingListener`` (accepts and hangs up at once), ``SilentListener``
(accepts and never says a word: a TLS handshake or an HTTP response that never comes) and
``FullListener`` (listens with a full queue and never accepts: a connect that never completes).
Both of the last give up after ``hold`` seconds, so a client that fails to apply its deadline
ends in some other error instead of hanging the test.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import random
import socket
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlsplit

TESTS_DIR = Path(__file__).resolve().parent
FIXTURE_FEEDS = TESTS_DIR / "fixtures" / "feeds"
FIXTURE_PAGES = TESTS_DIR / "fixtures" / "articles" / "pages"  # provenance: its PROVENANCE.md
DEFAULT_FEED = "bbc-news/bbc-news_world_20260218T0213Z.rss.xml"
LAST_MODIFIED = "Wed, 18 Feb 2026 02:13:00 GMT"
MAX_SLEEP = 30.0
MAX_HUGE_MIB = 64
BOMB_MIB = 200
PAGE_BOMB_MIB = 50
HUGE_TYPES = {
    "rss": "application/rss+xml",
    "html": "text/html",
    "pdf": "application/pdf",
    "png": "image/png",
}

_bomb_cache: dict[str, bytes] = {}
_bomb_lock = threading.Lock()


def bomb_bytes(kind: str = "gzip", filler: bytes = b"\0", mib: int = BOMB_MIB) -> bytes:
    """A small compressed body expanding to ``mib`` MiB of ``filler`` repeated (zeros by
    default); built once per arguments, then served from memory."""
    key = f"{kind}:{mib}:{filler.hex()}"
    with _bomb_lock:
        if key not in _bomb_cache:
            wbits = 31 if kind == "gzip" else 15
            compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
            block = (filler * (1024 * 1024 // len(filler) + 1))[: 1024 * 1024]
            parts = [compressor.compress(block) for _ in range(mib)]
            parts.append(compressor.flush())
            _bomb_cache[key] = b"".join(parts)
        return _bomb_cache[key]


class Headers(dict[str, str]):
    """Request headers with case-insensitive lookup (stored lower-cased)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: Headers  # case-insensitive: headers["If-None-Match"] == headers["if-none-match"]
    host: str = ""
    started: float = 0.0  # time.monotonic() when the request arrived
    answered: float | None = None  # time.monotonic() when the answer began (before any byte)
    body_sent: int = 0  # body bytes written by the streamed scenarios (/huge)
    done: bool = False  # the handler has finished with this request


@dataclass
class _Robots:
    status: int
    body: bytes
    delay: float


@dataclass
class _State:
    root: Path
    pages: Path = FIXTURE_PAGES
    robots: _Robots | None = None
    latency: tuple[float, float] = (0.0, 0.0)
    requests: list[RecordedRequest] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(default_factory=lambda: random.Random(20261126))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connect at once in the polling benchmark
    state: _State

    def process_request(self, request, client_address):  # noqa: ANN001 (stdlib signature)
        with self.state.lock:
            self.state.connections += 1
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):  # noqa: ANN001
        # Clients hanging up mid-body (the cap, the deadline) are expected here: stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stalls
    server_version = "PantauTestServer/1.0"
    timeout = 15  # idle keep-alive connections end

    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def state(self) -> _State:
        return self.server.state

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if status not in (204, 304):
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def send_response(self, code: int, message: str | None = None) -> None:
        record = getattr(self, "_record", None)
        if record is not None and record.answered is None:
            record.answered = time.monotonic()
        super().send_response(code, message)

    def _sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (bounded); False when the server is stopping."""
        return not self.state.stopping.wait(min(max(seconds, 0.0), MAX_SLEEP))

    def _close_delimited(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    # -- dispatch --------------------------------------------------------------------------------
    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        headers = Headers(self.headers.items())
        self._record = RecordedRequest(
            self.command, self.path, headers, headers.get("host") or "", time.monotonic()
        )
        with self.state.lock:
            self.state.requests.append(self._record)
        try:
            self._route(path, query)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self._record.done = True

    def _route(self, path: str, query: dict[str, str]) -> None:
        if path.startswith("/feeds/"):
            low, high = self.state.latency
            if high > 0:
                with self.state.lock:
                    delay = self.state.rng.uniform(low, high)
                if not self._sleep(delay):
                    return
            self._feed(path[len("/feeds/") :], query)
        elif path.startswith("/status/"):
            self._status(int(path.rsplit("/", 1)[1]), query)
        elif path.startswith("/redirect/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(code, b"moved\n", headers={"Location": query.get("to", "/")})
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            target = f"/chain/{left - 1}" if left > 1 else f"/feeds/{DEFAULT_FEED}"
            self._send(302, b"", headers={"Location": target})
        elif path == "/loop/a":
            self._send(302, b"", headers={"Location": "/loop/b"})
        elif path == "/loop/b":
            self._send(302, b"", headers={"Location": "/loop/a"})
        elif path == "/slow":
            if self._sleep(float(query.get("seconds", "5"))):
                self._feed(DEFAULT_FEED, {})
        elif path == "/drip":
            self._drip(float(query.get("seconds", "5")))
        elif path == "/huge":
            self._huge(
                min(int(query.get("mib", "20")), MAX_HUGE_MIB),
                query.get("length") == "1",
                HUGE_TYPES[query.get("type", "rss")],
            )
        elif path in ("/gzip-bomb", "/deflate-bomb"):
            kind = "gzip" if path == "/gzip-bomb" else "deflate"
            self._send(
                200,
                bomb_bytes(kind),
                "application/rss+xml",
                headers={"Content-Encoding": kind},
            )
        elif path == "/gzip-members":
            body = (self.state.root / DEFAULT_FEED).read_bytes()
            n = max(1, min(int(query.get("n", "3")), 64))
            step = -(-len(body) // n)
            members = b"".join(
                gzip.compress(body[i : i + step], mtime=0) for i in range(0, len(body), step)
            )
            self._send(200, members, "application/rss+xml", headers={"Content-Encoding": "gzip"})
        elif path.startswith("/encoding/"):
            # A body labelled with any Content-Encoding (e.g. br, which the client never offered).
            self._send(
                200,
                b"\x8b\x05\x80<rss/>\x03",
                "application/rss+xml",
                headers={"Content-Encoding": path.rsplit("/", 1)[1]},
            )
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "10000")
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>cut')
            self.close_connection = True
        elif path == "/html":
            page = (
                b"<!DOCTYPE html><html><head><title>Not a feed</title></head>"
                b"<body><h1>Welcome</h1><p>This is a web page, not a feed.</p></body></html>\n"
            )
            self._send(200, page, "text/html; charset=utf-8")
        elif path == "/empty":
            self._send(200, b"", "application/rss+xml")
        elif path == "/garbage":
            with self.state.lock:
                noise = self.state.rng.randbytes(4096)
            self._send(200, noise, "application/octet-stream")
        elif path == "/not-http":
            with self.state.lock:
                noise = self.state.rng.randbytes(2048)
            self.wfile.write(b"\x00\xff" + noise)
            self.close_connection = True
        elif path.startswith("/pages/"):
            if self._sleep(float(query.get("delay", "0"))):
                self._page(path[len("/pages/") :], query)
        elif path == "/robots.txt" and self.state.robots is not None:
            robots = self.state.robots
            if self._sleep(robots.delay):
                self._send(robots.status, robots.body)
        elif path == "/page-bomb":
            filler = b"<p>Filler paragraph of a very long article.</p>\n"
            self._send(
                200,
                bomb_bytes("gzip", filler, PAGE_BOMB_MIB),
                "text/html; charset=utf-8",
                headers={"Content-Encoding": "gzip"},
            )
        elif path == "/echo":
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._send(200, json.dumps(headers).encode(), "application/json")
        else:
            self._send(404, b"not found\n")

    # -- scenarios -------------------------------------------------------------------------------
    def _fixture(self, root: Path, name: str) -> Path | None:
        """The file ``name`` inside ``root``, or None (and a 404 sent) when there is none."""
        folder = root.resolve()
        file = (folder / name).resolve()
        if folder not in file.parents or not file.is_file():
            self._send(404, b"no such file\n")
            return None
        return file

    def _send_file(
        self, body: bytes, content_type: str, headers: dict[str, str], query: dict[str, str]
    ) -> None:
        """200 with ``body``, gzip-encoded when ``?gzip=1`` and the client accepts gzip."""
        headers = dict(headers)
        if query.get("gzip") == "1" and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, content_type, headers)

    def _feed(self, name: str, query: dict[str, str]) -> None:
        file = self._fixture(self.state.root, name)
        if file is None:
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if self._not_modified(etag):
            self._send(304, headers=validators)
            return
        if file.name.endswith(".atom.xml"):
            content_type = "application/atom+xml"
        elif file.name.endswith(".rdf.xml"):
            content_type = "application/rdf+xml"
        else:
            content_type = "application/rss+xml"
        self._send_file(body, content_type, validators, query)

    def _page(self, name: str, query: dict[str, str]) -> None:
        file = self._fixture(self.state.pages, name)
        if file is not None:
            self._send_file(file.read_bytes(), "text/html; charset=utf-8", {}, query)

    def _not_modified(self, etag: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip() for t in if_none_match.split(",")]
            return etag in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                asked = email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
            return asked >= email.utils.parsedate_to_datetime(LAST_MODIFIED)
        return False

    def _status(self, code: int, query: dict[str, str]) -> None:
        headers: dict[str, str] = {}
        if "retry_after" in query:
            headers["Retry-After"] = query["retry_after"]
        if "retry_after_date" in query:
            when = time.time() + float(query["retry_after_date"])
            headers["Retry-After"] = email.utils.formatdate(when, usegmt=True)
        self._send(code, f"status {code}\n".encode(), headers=headers)

    def _drip(self, seconds: float) -> None:
        self._close_delimited(200, "application/rss+xml", {})
        self.wfile.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel>')
        self.wfile.flush()
        end = time.monotonic() + min(seconds, MAX_SLEEP)
        while time.monotonic() < end:
            if not self._sleep(0.2):
                return
            self.wfile.write(b" ")
            self.wfile.flush()
        self.wfile.write(b"</channel></rss>\n")

    def _huge(self, mib: int, declare_length: bool, content_type: str) -> None:
        chunk = (b"<item><title>filler</title></item>\n" * 30000)[: 1024 * 1024]
        if declare_length:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(mib * len(chunk)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
        else:
            self._close_delimited(200, content_type, {})
        for _ in range(mib):
            if self.state.stopping.is_set():
                return
            self.wfile.write(chunk)
            self._record.body_sent += len(chunk)


class FeedServer:
    """The test HTTP server; use as a context manager or call ``start()``/``stop()``."""

    def __init__(
        self,
        root: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        pages: Path | None = None,
    ) -> None:
        self._state = _State(root=root or FIXTURE_FEEDS, pages=pages or FIXTURE_PAGES)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.state = self._state
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.host = host
        self.port: int = self._httpd.server_address[1]

    # lifecycle
    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # addresses
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def feed_url(self, name: str = DEFAULT_FEED) -> str:
        return self.url("/feeds/" + name)

    # observations
    @property
    def root(self) -> Path:
        return self._state.root

    @property
    def connections(self) -> int:
        with self._state.lock:
            return self._state.connections

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def latency(self) -> tuple[float, float]:
        return self._state.latency

    @latency.setter
    def latency(self, value: tuple[float, float]) -> None:
        self._state.latency = (float(value[0]), float(value[1]))

    def set_robots(self, body: str | None = "", status: int = 200, delay: float = 0.0) -> None:
        """Serve ``/robots.txt`` with ``body`` and ``status`` after ``delay`` seconds; ``None``
        for the body goes back to 404."""
        self._state.robots = (
            None if body is None else _Robots(status, body.encode("utf-8"), float(delay))
        )

    def host_requests(self) -> dict[str, list[RecordedRequest]]:
        """The recorded requests grouped by Host header, each group in arrival order."""
        groups: dict[str, list[RecordedRequest]] = {}
        for request in sorted(self.requests, key=lambda r: r.started):
            groups.setdefault(request.host, []).append(request)
        return groups

    def feed_files(self) -> list[str]:
        """Every fixture feed, as the path to put after ``/feeds/``, sorted."""
        return sorted(
            p.relative_to(self._state.root).as_posix()
            for p in self._state.root.rglob("*")
            if p.is_file() and p.suffix == ".xml"
        )


class CountingListener:
    """A bare TCP listener that counts accepted connections and closes them at once.

    Used by the SSRF tests: a refused fetch must leave ``accepted`` at 0.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self._accepted = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._accepted += 1
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.close()

    @property
    def accepted(self) -> int:
        with self._lock:
            return self._accepted

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SilentListener(CountingListener):
    """A TCP listener that accepts every connection, reads whatever comes and never answers.

    An ``https://`` fetch to it waits for a TLS handshake that never completes; an ``http://``
    one waits for a response. Each connection is closed after ``hold`` seconds (at most 30).
    """

    def __init__(self, hold: float = 5.0, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.hold = min(hold, MAX_SLEEP)

    def _handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._keep_quiet, args=(conn,), daemon=True).start()

    def _keep_quiet(self, conn: socket.socket) -> None:
        end = time.monotonic() + self.hold
        conn.settimeout(0.05)
        with conn:
            while not self._stop.is_set() and time.monotonic() < end:
                try:
                    if conn.recv(65536) == b"":
                        return  # the client gave up
                except TimeoutError:
                    continue
                except OSError:
                    return

    def url(self, path: str = "/feed.xml", scheme: str = "http") -> str:
        return f"{scheme}://{self.host}:{self.port}{path}"


class FullListener:
    """A listening socket whose accept queue is full and which never accepts: a new connection's
    SYN is dropped by the kernel, so connecting hangs. After ``hold`` seconds (at most 30) the
    socket is closed, and a client still trying is refused."""

    def __init__(self, hold: float = 5.0, host: str = "127.0.0.1") -> None:
        self.hold = min(hold, MAX_SLEEP)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((host, 0))
        self._sock.listen(0)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self._fillers: list[socket.socket] = []
        self._timer = threading.Timer(self.hold, self._close)
        self._timer.daemon = True

    def _fill(self) -> None:
        # Linux queues backlog + 1 completed connections; connect until one stalls.
        for _ in range(8):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(0.3)
            try:
                s.connect((self.host, self.port))
            except TimeoutError:
                s.close()
                return
            self._fillers.append(s)
        raise RuntimeError("the accept queue never filled up")

    def _close(self) -> None:
        self._sock.close()
        for s in self._fillers:
            s.close()

    def url(self, path: str = "/feed.xml", scheme: str = "http") -> str:
        return f"{scheme}://{self.host}:{self.port}{path}"

    def __enter__(self) -> FullListener:
        self._fill()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self._close()


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False

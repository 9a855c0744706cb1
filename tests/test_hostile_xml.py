"""XML attacks are refused before any parser expands or fetches anything (issue 5, item 2).

Each attack fixture in tests/fixtures/hostile/ is parsed in a fresh Python process, which
reports the wall time and the growth of its peak resident memory (``ru_maxrss``, so memory
allocated in C by expat counts too). A real HTTP listener on 127.0.0.1 counts every connection
made to it; the fixtures that point at it must leave the count at zero. Control tests show the
fixtures are live: an unguarded expat parser with external entities enabled does read
/etc/passwd and does connect to the listener.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import threading
import urllib.request
import xml.sax
import xml.sax.handler
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.parse import parse_feed
from ingest.xml_safety import find_xml_attack

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

ATTACKS = [
    "billion_laughs.xml",
    "quadratic_blowup.xml",
    "xxe_file.xml",
    "xxe_http.xml",
    "xxe_utf16.xml",
    "external_dtd.xml",
    "external_dtd_public.xml",
    "parameter_entity.xml",
    "entity_after_pi_trick.xml",
    "entity_lowercase.xml",
    "doctype_flood.xml",
]
MAX_SECONDS = 1.0
MAX_MEMORY_GROWTH_KB = 100 * 1024
SECRET = "PWNED-FROM-LISTENER"


class _Listener(ThreadingHTTPServer):
    """Counts every connection; answers with an entity declaration that would leak SECRET."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self._lock = threading.Lock()

    def verify_request(self, request, client_address) -> bool:  # noqa: ANN001
        with self._lock:
            self.connections += 1
        return True


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = f'<!ENTITY evil "{SECRET}"><!ENTITY % p "">'.encode()
        if self.path == "/xxe":
            body = SECRET.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener():
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _fixture_bytes(name: str, port: int) -> bytes:
    data = (HOSTILE / name).read_bytes()
    if name == "xxe_utf16.xml":
        return data.decode("utf-16").replace("LISTENER_PORT", str(port)).encode("utf-16")
    return data.replace(b"LISTENER_PORT", str(port).encode())


def _passwd_lines() -> list[str]:
    path = Path("/etc/passwd")
    if not path.exists():
        return ["root:x:0:0"]
    return [line for line in path.read_text(errors="replace").splitlines() if len(line) > 8]


_CHILD = r"""
import json, resource, sys, time
from datetime import datetime, timezone
from pathlib import Path
from ingest.parse import parse_feed

fetched_at = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
warm = Path(sys.argv[1]).read_bytes()
parse_feed(warm, feed_url="https://example.org/warm", fetched_at=fetched_at)
for line in sys.stdin:
    job = json.loads(line)
    body = bytes.fromhex(job["hex"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = parse_feed(body, feed_url="https://example.org/feed", fetched_at=fetched_at)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    strings = [result.title, result.site_url, result.error, *result.warnings]
    for a in result.articles:
        strings += [a.title, a.summary, a.url, a.guid]
    print(json.dumps({
        "name": job["name"], "seconds": elapsed, "growth_kb": after - before,
        "category": result.error_category, "articles": len(result.articles),
        "strings": [s for s in strings if s],
    }), flush=True)
"""


@pytest.fixture(scope="module")
def child_results(tmp_path_factory):
    """Parse every attack fixture in one fresh process; the listener runs meanwhile."""
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        jobs = "".join(
            json.dumps({"name": name, "hex": _fixture_bytes(name, port).hex()}) + "\n"
            for name in ATTACKS
        )
        warm = (
            REPO
            / "tests"
            / "fixtures"
            / "feeds"
            / "bbc-news"
            / "bbc-news_home_20210920T0722Z.rss.xml"
        )
        completed = subprocess.run(
            [sys.executable, "-c", _CHILD, str(warm)],
            input=jobs,
            capture_output=True,
            text=True,
            cwd=REPO,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
        results = {}
        for line in completed.stdout.splitlines():
            record = json.loads(line)
            results[record["name"]] = record
        results["__connections__"] = server.connections
        return results
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_is_refused_fast_and_small(child_results, name):
    record = child_results[name]
    assert record["category"] == "xml_attack"
    assert record["articles"] == 0
    assert record["seconds"] <= MAX_SECONDS, record
    assert record["growth_kb"] <= MAX_MEMORY_GROWTH_KB, record


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_leaks_nothing(child_results, name):
    text = "\n".join(child_results[name]["strings"])
    assert SECRET not in text
    for line in _passwd_lines():
        assert line not in text


def test_no_connection_reached_the_listener(child_results):
    assert len([name for name in ATTACKS if name in child_results]) == len(ATTACKS)
    assert child_results["__connections__"] == 0


def test_listener_counts_connections(listener):
    """Control: the counter the attack tests rely on does see a real request."""
    port = listener.server_address[1]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/xxe", timeout=5) as response:
        assert response.read() == SECRET.encode()
    assert listener.connections == 1


class _Collect(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def characters(self, content: str) -> None:
        self.text.append(content)


def _unguarded_parse(data: bytes) -> str:
    """What a parser without our guard does: expat with external entities allowed."""
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    handler = _Collect()
    parser.setContentHandler(handler)
    source = xml.sax.xmlreader.InputSource()
    source.setByteStream(io.BytesIO(data))
    with contextlib.suppress(xml.sax.SAXException, OSError):
        parser.parse(source)
    return "".join(handler.text)


@pytest.mark.skipif(not Path("/etc/passwd").exists(), reason="no /etc/passwd on this machine")
def test_control_unguarded_parser_reads_local_file():
    text = _unguarded_parse(_fixture_bytes("xxe_file.xml", 1))
    assert any(line in text for line in _passwd_lines())
    result = parse_feed(
        _fixture_bytes("xxe_file.xml", 1), feed_url="https://example.org/f", fetched_at=FETCHED_AT
    )
    assert result.error_category == "xml_attack"


def test_control_unguarded_parser_reaches_listener(listener):
    port = listener.server_address[1]
    text = _unguarded_parse(_fixture_bytes("xxe_http.xml", port))
    assert listener.connections >= 1
    assert SECRET in text


def test_guard_refuses_in_process_too(listener):
    port = listener.server_address[1]
    for name in ATTACKS:
        result = parse_feed(
            _fixture_bytes(name, port), feed_url="https://example.org/f", fetched_at=FETCHED_AT
        )
        assert result.error_category == "xml_attack", name
        assert result.error
    assert listener.connections == 0


@pytest.mark.parametrize("name", ["netscape_rss091_doctype.xml", "entity_in_cdata.xml"])
def test_harmless_doctype_and_cdata_still_parse(name):
    result = parse_feed(
        (HOSTILE / name).read_bytes(), feed_url="https://example.org/f", fetched_at=FETCHED_AT
    )
    assert result.error is None
    assert len(result.articles) == 1


def test_netscape_feed_reads_declared_latin1():
    result = parse_feed(
        (HOSTILE / "netscape_rss091_doctype.xml").read_bytes(),
        feed_url="https://example.org/f",
        fetched_at=FETCHED_AT,
    )
    assert result.articles[0].title == "Caf\u00e9 society"
    assert result.language == "en"


def test_html_doctype_page_is_not_a_feed_not_an_attack():
    result = parse_feed(
        (HOSTILE / "html_page.html").read_bytes(),
        feed_url="https://example.org/f",
        fetched_at=FETCHED_AT,
    )
    assert result.error_category == "not_a_feed"


@pytest.mark.parametrize(
    ("document", "refused"),
    [
        (
            '<!DOCTYPE rss SYSTEM "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss/>',
            False,
        ),
        ("<!DOCTYPE html><html/>", False),
        ("<!DOCTYPE rss [ <!ELEMENT rss ANY> ]><rss/>", False),
        ("<!-- <!ENTITY x 'y'> --><rss/>", False),
        ("<rss><![CDATA[ <!DOCTYPE x SYSTEM 'file:///etc/passwd'> ]]></rss>", False),
        ('<!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss/>', True),
        ("<!DOCTYPE rss SYSTEM 'rss.dtd'><rss/>", True),
        ('<!DOCTYPE rss [ <!ENTITY a "b"> ]><rss/>', True),
        ("<?pi <!-- ?><!DOCTYPE r [<!ENTITY a 'b'>]><r/>", True),
        ("<!-- unterminated <!ENTITY a 'b'>", False),
        ("<![CDATA[ ]]><!ENTITY a 'b'>", True),
        ('<!DOCTYPE r PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "file:///etc/passwd"><r/>', True),
    ],
)
def test_find_xml_attack_rules(document, refused):
    assert (find_xml_attack(document) is not None) is refused


def test_body_that_is_a_path_is_not_opened():
    """feedparser opens a bare bytes/str argument as a file; parse_feed must never let it."""
    for body in (b"/etc/passwd", str(HOSTILE / "xxe_file.xml").encode()):
        result = parse_feed(body, feed_url="https://example.org/f", fetched_at=FETCHED_AT)
        assert result.articles == []
        assert result.error_category is not None
        text = " ".join(filter(None, [result.title, result.error, *result.warnings]))
        assert not any(line in text for line in _passwd_lines())

"""The SSRF guard (issue 5 item 1): feed URLs cannot reach this machine, its private networks or
cloud metadata, directly, by name or through a redirect, and the check happens at connect time.

Real listeners on 127.0.0.1 and [::1] (same port) count accepted connections: every refused
target must leave them at 0. A control test shows the same listeners do count a connection when
private addresses are allowed, so the zeros mean something.

Design of the redirect tests: the guard is per client. ``AddressGuard(allow_endpoints=...)``
(tests only) permits exactly the test server's (127.0.0.1, port), so its redirects can be
followed while every other address on the machine, including other ports on 127.0.0.1, stays
refused at connect time.
"""

from __future__ import annotations

import ipaddress
import itertools
import socket
import time
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from ingest.addresses import (
    AddressGuard,
    BlockedAddressError,
    GuardedTransport,
    is_public_address,
    parse_ip,
    validate_feed_url,
)
from ingest.fetch import FeedClient, fetch_feed, make_client
from tests.feedserver import DEFAULT_FEED, CountingListener, FeedServer, ipv6_loopback_available

# Names that the (mocked) outside DNS resolves to private addresses.
PRIVATE_NAMES = {
    "intranet.example.test": "10.20.30.40",
    "metadata.example.test": "169.254.169.254",
    "loop.example.test": "127.0.0.1",
    "v6loop.example.test": "::1",
}

# Hosts that must be refused; URLs are built with the listeners' port.
TARGET_HOSTS = [
    "127.0.0.1",
    "127.0.0.2",
    "0.0.0.0",
    "0177.0.0.1",
    "2130706433",
    "0x7f.1",
    "0x7f000001",
    "127.1",
    "[::1]",
    "[::]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[0:0:0:0:0:ffff:a9fe:a9fe]",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "[fd00::1]",
    "[fe80::1]",
    "[fec0::1]",
    "[64:ff9b::a9fe:a9fe]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
    "[2002:a9fe:a9fe::1]",
    "[2001::1]",
    "224.0.0.1",
    "[ff02::1]",
    "255.255.255.255",
    "198.18.0.1",
    "localhost",
    "LOCALHOST",
    *PRIVATE_NAMES,
]

BAD_SCHEME_URLS = [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "ftp://127.0.0.1:{port}/feed.xml",
    "gopher://127.0.0.1:{port}/_GET%20/",
    "javascript:alert(document.cookie)",
    "data:application/rss+xml,<rss/>",
    "dict://127.0.0.1:{port}/info",
    "/etc/passwd",
    "feeds/bbc.xml",
    "127.0.0.1:{port}/feed.xml",
    "//127.0.0.1:{port}/feed.xml",
]


def test_at_least_thirty_targets() -> None:
    assert len(TARGET_HOSTS) + len(BAD_SCHEME_URLS) >= 30
    assert len(TARGET_HOSTS) >= 30


@pytest.fixture(scope="module")
def listeners() -> Iterator[list[CountingListener]]:
    """A listener on 127.0.0.1:P and, when the machine has IPv6, one on [::1]:P (shared by the
    module: tests compare counts before and after)."""
    for _ in range(20):
        v4 = CountingListener("127.0.0.1").start()
        if not ipv6_loopback_available():
            yield [v4]
            v4.stop()
            return
        try:
            v6 = CountingListener("::1", v4.port).start()
        except OSError:
            v4.stop()
            continue
        yield [v4, v6]
        v4.stop()
        v6.stop()
        return
    pytest.fail("could not bind the same port on 127.0.0.1 and ::1")


@pytest.fixture(scope="module")
def client() -> Iterator[FeedClient]:
    """One client with the default guard (the setting is read at each connect)."""
    with make_client() as c:
        yield c


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard on (whatever the caller's environment says) and the mocked outside DNS."""
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    monkeypatch.setenv("PANTAU_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "3")
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if isinstance(host, str) and host in PRIVATE_NAMES:
            ip = PRIVATE_NAMES[host]
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sockaddr = (ip, port, 0, 0) if family == socket.AF_INET6 else (ip, port)
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)


def accepted(listeners: list[CountingListener]) -> int:
    return sum(listener.accepted for listener in listeners)


@pytest.fixture
def untouched(listeners: list[CountingListener]) -> Iterator[None]:
    """Fails the test if any listener accepted a connection during it."""
    before = accepted(listeners)
    yield
    assert accepted(listeners) == before, "a refused target reached a listener"


@pytest.mark.parametrize("host", TARGET_HOSTS)
def test_direct_target_is_refused_without_connecting(
    guarded, listeners, untouched, client, host: str
) -> None:
    before = accepted(listeners)
    port = listeners[0].port
    result = fetch_feed(f"http://{host}:{port}/feed.xml", client=client)
    https = fetch_feed(f"https://{host}:{port}/feed.xml", client=client)
    assert result.outcome == "error" and result.error_category == "blocked_address", result.error
    assert https.error_category == "blocked_address"
    assert accepted(listeners) == before


@pytest.fixture(scope="module")
def bare_client() -> Iterator[httpx.Client]:
    """A plain httpx client on the guarded transport: no URL pre-check, no fetch_feed."""
    with httpx.Client(transport=GuardedTransport(AddressGuard()), trust_env=False) as c:
        yield c


@pytest.mark.parametrize("host", [h for h in TARGET_HOSTS if h != "0177.0.0.1"])
def test_the_connect_time_check_alone_refuses(
    guarded, listeners, untouched, bare_client, host: str
) -> None:
    # Without fetch_feed's early look at IP literals, the transport still refuses every target
    # (0177.0.0.1 is left out: httpx rejects that spelling as a malformed URL before connecting).
    with pytest.raises(BlockedAddressError):
        bare_client.get(f"http://{host}:{listeners[0].port}/feed.xml", timeout=2)


@pytest.mark.parametrize("template", BAD_SCHEME_URLS)
def test_non_http_urls_are_refused_without_connecting(
    guarded, listeners, untouched, client, template: str
) -> None:
    url = template.format(port=listeners[0].port)
    result = fetch_feed(url, client=client)
    assert result.outcome == "error" and result.error_category == "bad_url", result.error


@pytest.fixture(scope="module")
def hop() -> Iterator[tuple[FeedServer, FeedClient]]:
    """The test server, and a client whose guard permits exactly its endpoint and nothing else."""
    with FeedServer() as server:
        guard = AddressGuard(allow_endpoints=frozenset({("127.0.0.1", server.port)}))
        with make_client(guard=guard) as client:
            yield server, client


def test_the_hop_server_itself_is_reachable(guarded, hop) -> None:
    server, client = hop
    assert fetch_feed(server.feed_url(), client=client).outcome == "ok"
    assert fetch_feed(server.url(f"/redirect/302?to=/feeds/{DEFAULT_FEED}"), client=client).ok


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("host", TARGET_HOSTS)
def test_redirect_to_a_target_is_refused_at_connect_time(
    guarded, hop, listeners, untouched, host: str, code: int
) -> None:
    server, client = hop
    seen = len(server.requests)
    target = f"http://{host}:{listeners[0].port}/latest/meta-data/"
    result = fetch_feed(server.url(f"/redirect/{code}?to={target}"), client=client)
    assert result.outcome == "error" and result.error_category == "blocked_address", result.error
    assert result.permanent_url is None
    assert [r.path.split("?")[0] for r in server.requests[seen:]] == [f"/redirect/{code}"]


def test_redirect_refused_after_several_allowed_hops(guarded, hop, listeners, untouched) -> None:
    server, client = hop
    seen = len(server.requests)
    target = f"http://169.254.169.254:{listeners[0].port}/"
    inner = server.url(f"/redirect/302?to={target}").replace("?", "%3F").replace("=", "%3D")
    result = fetch_feed(server.url(f"/redirect/301?to={inner}"), client=client)
    assert result.error_category == "blocked_address"
    assert len(server.requests) - seen == 2


def test_another_port_on_the_allowed_host_stays_refused(guarded, hop, listeners, untouched) -> None:
    _, client = hop
    result = fetch_feed(f"http://127.0.0.1:{listeners[0].port}/", client=client)
    assert result.error_category == "blocked_address"


def test_the_resolved_address_is_the_one_connected_to(guarded, monkeypatch) -> None:
    """DNS rebinding: the name answers 127.0.0.1 (the permitted server) first and 127.0.0.2 (a
    listener on the same port) afterwards. One lookup per connection, and the socket goes to the
    address that lookup returned: the listener never sees a connection."""
    for _ in range(20):
        rebound = CountingListener("127.0.0.2").start()
        try:
            server = FeedServer(port=rebound.port).start()
        except OSError:
            rebound.stop()
            continue
        break
    else:
        pytest.fail("could not bind the same port on 127.0.0.1 and 127.0.0.2")
    answers: list[str] = []
    guarded_resolver = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example.test":
            ip = "127.0.0.1" if not answers else "127.0.0.2"
            answers.append(ip)
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))]
        return guarded_resolver(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    guard = AddressGuard(allow_endpoints=frozenset({("127.0.0.1", server.port)}))
    url = f"http://rebind.example.test:{server.port}/feeds/{DEFAULT_FEED}"
    try:
        with make_client(guard=guard) as client:
            first = fetch_feed(url, client=client)
        with make_client(guard=guard) as client:
            second = fetch_feed(url, client=client)
        assert first.outcome == "ok"
        assert answers[0] == "127.0.0.1"
        assert server.requests[0].headers["host"] == f"rebind.example.test:{server.port}"
        assert second.error_category == "blocked_address"
        assert answers == ["127.0.0.1", "127.0.0.2"]
        assert rebound.accepted == 0
    finally:
        server.stop()
        rebound.stop()


def test_proxy_variables_do_not_route_around_the_guard(
    guarded, listeners, untouched, monkeypatch
) -> None:
    proxy = f"http://127.0.0.1:{listeners[0].port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    result = fetch_feed("http://intranet.example.test/feed.xml")  # its own client, made now
    assert result.error_category == "blocked_address"


def _wait_for(condition) -> bool:  # noqa: ANN001 (the listener counts on its own thread)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_control_the_listeners_do_count_when_private_is_allowed(
    guarded, listeners, client, monkeypatch
) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    port = listeners[0].port
    v4 = listeners[0].accepted
    fetch_feed(f"http://127.0.0.1:{port}/", client=client)
    assert _wait_for(lambda: listeners[0].accepted == v4 + 1)
    fetch_feed(f"http://loop.example.test:{port}/", client=client)
    assert _wait_for(lambda: listeners[0].accepted == v4 + 2)
    if len(listeners) > 1:
        v6 = listeners[1].accepted
        fetch_feed(f"http://[::1]:{port}/", client=client)
        assert _wait_for(lambda: listeners[1].accepted == v6 + 1)


def test_the_setting_is_read_at_connect_time(guarded, listeners, client, monkeypatch) -> None:
    url = f"http://localhost:{listeners[0].port}/"
    before = accepted(listeners)
    assert fetch_feed(url, client=client).error_category == "blocked_address"
    assert accepted(listeners) == before
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    assert fetch_feed(url, client=client).error_category != "blocked_address"
    assert _wait_for(lambda: accepted(listeners) == before + 1)


# -- is_public_address on each range ------------------------------------------------------------

REFUSED = {
    "loopback": ["127.0.0.1", "127.255.255.254", "::1"],
    "unspecified / this network": ["0.0.0.0", "0.1.2.3", "::"],
    "private": ["10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1"],
    "link-local and metadata": ["169.254.169.254", "169.254.0.1", "fe80::1", "febf::1"],
    "carrier-grade NAT": ["100.64.0.1", "100.127.255.254"],
    "multicast": ["224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1"],
    "reserved and broadcast": ["240.0.0.1", "255.255.255.255"],
    "IETF and documentation": ["192.0.0.8", "192.0.2.1", "198.51.100.7", "203.0.113.9"],
    "benchmarking": ["198.18.0.1", "198.19.255.255", "2001:2::1"],
    "unique local": ["fc00::1", "fd00::1", "fdff:ffff::1"],
    "site-local": ["fec0::1", "feff::1"],
    "documentation v6": ["2001:db8::1", "3fff::1"],
    "IPv4-mapped": ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254"],
    "IPv4-compatible": ["::127.0.0.1", "::10.0.0.1", "::8.8.8.8"],
    "NAT64": ["64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b::c0a8:1", "64:ff9b:1::1"],
    "6to4": ["2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::1"],
    "Teredo": ["2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    "discard": ["100::1"],
    "odd IPv4 spellings": [
        "0177.0.0.1",
        "2130706433",
        "0x7f.1",
        "127.1",
        "0x7f000001",
        "017700000001",
    ],
}
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "[2606:4700:4700::1111]",
]


@pytest.mark.parametrize(
    "address", [pytest.param(a, id=f"{k}:{a}") for k, v in REFUSED.items() for a in v]
)
def test_is_public_address_refuses(address: str) -> None:
    assert is_public_address(address) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_is_public_address_accepts(address: str) -> None:
    assert is_public_address(address) is True


def test_is_global_alone_would_be_wrong() -> None:
    # The reason for our own rules: Python's is_global says yes to these.
    fooled = [
        a
        for a in ("::127.0.0.1", "2002:7f00:1::", "64:ff9b::a9fe:a9fe")
        if ipaddress.ip_address(a).is_global
    ]
    assert fooled, "ipaddress.is_global now refuses these; our rules still must"
    assert not any(is_public_address(a) for a in fooled)


def test_parse_ip_reads_spellings_like_the_resolver() -> None:
    for spelling in ("0177.0.0.1", "2130706433", "0x7f.1", "127.1", "0x7f.0.0.1", "[127.0.0.1]"):
        resolved = socket.getaddrinfo(spelling.strip("[]"), 80, type=socket.SOCK_STREAM)[0][4][0]
        assert str(parse_ip(spelling)) == resolved == "127.0.0.1"
    with pytest.raises(ValueError):
        parse_ip("example.com")
    with pytest.raises(ValueError):
        is_public_address("not an address")


# -- validate_feed_url (the add-feed forms) --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "file:"),
        ("ftp://ftp.example.org/feed.xml", "ftp:"),
        ("gopher://example.org/", "gopher:"),
        ("javascript:alert(1)", "javascript:"),
        ("data:text/xml,<rss/>", "data:"),
        ("/etc/passwd", "absolute"),
        ("feeds.example.org/rss", "absolute"),
        ("", "empty"),
        ("   ", "empty"),
        ("http://", "no host"),
        ("https://user:secret@example.org/feed", "password"),
        ("http://example.org/feed\nX-Injected: 1", "control"),
        ("http://exa mple.org/", "spaces"),
        ("http://example.org:99999/", "port"),
        ("http://localhost/feed", "localhost"),
        ("http://127.0.0.1/feed", "not a public address"),
        ("http://0177.0.0.1/feed", "not a public address"),
        ("http://[::1]/feed", "not a public address"),
        ("http://169.254.169.254/latest/meta-data/", "not a public address"),
    ],
)
def test_validate_feed_url_refuses(monkeypatch, url: str, message: str) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    with pytest.raises(ValueError, match=message):
        validate_feed_url(url)


def test_validate_feed_url_accepts_and_normalises(monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    assert validate_feed_url("  https://feed.liputan6.com/rss  ") == "https://feed.liputan6.com/rss"
    assert validate_feed_url("HTTP://Example.ORG/Feed?x=1") == "http://example.org/Feed?x=1"
    assert validate_feed_url("https://bücher.example/rss") == "https://xn--bcher-kva.example/rss"
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    assert validate_feed_url("http://192.168.1.10:8080/feed") == "http://192.168.1.10:8080/feed"


# --- A name that answers public and private addresses at once (issue 16 item 2) ---------------
# The outside DNS is mocked; so is every connection to an address off this machine: it is
# recorded and refused, so no packet leaves the machine whatever the guard does.
PUBLIC_ANSWERS = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
LOOPBACK_ANSWERS = ["127.0.0.1", "::1"]
MIXED = "mixed.example.test"


def _answer(ip: str, port: int) -> tuple:
    if ":" in ip:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))


def _mixed_orders() -> list[tuple[str, ...]]:
    """Every order of one or two public answers with one or two loopback answers, v4 and v6."""
    orders: set[tuple[str, ...]] = set()
    for public in ([PUBLIC_ANSWERS[0]], [PUBLIC_ANSWERS[1]], PUBLIC_ANSWERS):
        for private in ([LOOPBACK_ANSWERS[0]], [LOOPBACK_ANSWERS[1]], LOOPBACK_ANSWERS):
            orders.update(itertools.permutations(public + private))
    return sorted(orders)


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch, guarded) -> tuple[list[str], list[str]]:
    """(attempts, answers): ``MIXED`` resolves to ``answers`` (the test fills it); connections
    to addresses off this machine are recorded in ``attempts`` and fail as refused ones would."""
    attempts: list[str] = []
    inner_resolver = socket.getaddrinfo
    answers: list[str] = []

    def resolver(host, port, *args, **kwargs):
        if host == MIXED:
            return [_answer(ip, port) for ip in answers]
        return inner_resolver(host, port, *args, **kwargs)

    real_connect = httpcore.SyncBackend.connect_tcp

    def connect(self, host, port, *args, **kwargs):
        if not ipaddress.ip_address(host).is_loopback:
            attempts.append(host)
            raise httpcore.ConnectError(f"test: {host} is off this machine")
        return real_connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect)
    return attempts, answers


def test_the_mixed_orders_cover_both_families() -> None:
    orders = _mixed_orders()
    assert len(orders) == 4 * 2 + 4 * 6 + 24  # pairs, triples, all four
    assert any(o[0] == "::1" for o in orders) and any(o[-1] == "127.0.0.1" for o in orders)


@pytest.mark.parametrize("order", _mixed_orders(), ids="+".join)
def test_a_name_with_any_private_answer_is_refused_whole(
    outside, listeners, untouched, client, order: tuple[str, ...]
) -> None:
    attempts, answers = outside
    answers[:] = order
    result = fetch_feed(f"http://{MIXED}:{listeners[0].port}/feed.xml", client=client)
    assert result.error_category == "blocked_address", result.error
    assert attempts == [], "no address of a refused name may be connected to, public or not"


@pytest.mark.parametrize("order", [p for p in _mixed_orders() if "127.0.0.1" in p], ids="+".join)
def test_a_mixed_name_is_refused_after_a_redirect(
    outside, hop, untouched, order: tuple[str, ...]
) -> None:
    """The hop server may be reached on its exact endpoint; a name that mixes that endpoint
    with public answers is refused on the redirect hop and the server sees no second request."""
    attempts, answers = outside
    server, client = hop
    answers[:] = order
    seen = len(server.requests)
    target = f"http://{MIXED}:{server.port}/feeds/{DEFAULT_FEED}"
    result = fetch_feed(server.url(f"/redirect/302?to={target}"), client=client)
    assert result.error_category == "blocked_address", result.error
    assert attempts == []
    assert [r.path.split("?")[0] for r in server.requests[seen:]] == ["/redirect/302"]


def test_control_a_name_with_only_public_answers_is_connected_to(outside, client) -> None:
    """The same machinery lets an all-public name through to the (mocked) outside, in order."""
    attempts, answers = outside
    answers[:] = PUBLIC_ANSWERS
    result = fetch_feed(f"http://{MIXED}/feed.xml", client=client)
    assert result.error_category == "connection", result.error
    assert attempts == PUBLIC_ANSWERS


def test_control_the_hop_endpoint_by_name_alone_is_fetched(outside, hop) -> None:
    attempts, answers = outside
    server, client = hop
    answers[:] = ["127.0.0.1"]
    result = fetch_feed(f"http://{MIXED}:{server.port}/feeds/{DEFAULT_FEED}", client=client)
    assert result.outcome == "ok", result.error
    assert attempts == []

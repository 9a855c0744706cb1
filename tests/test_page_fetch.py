"""ingest.page_fetch against a real HTTP server on 127.0.0.1 (tests/feedserver.py): article pages
come back byte for byte, robots.txt is obeyed, one request per host at a time with a least delay,
Retry-After and back-off, the deadline, the page cap (counted decoded), the SSRF guard on
redirects, and non-HTML refused unread (issue 13).

The oracles are the server's own records (which paths were asked for, from which host, when each
request arrived and when its answer began, how many body bytes it wrote) and the fixture files.
The only clock a test sets is the gate's wall clock (``now``), to step past a Retry-After or a
robots.txt expiry without sleeping through it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ingest import config
from ingest.addresses import AddressGuard
from ingest.fetch import FeedClient, make_client
from ingest.page_fetch import (
    PAGE_ERROR_CATEGORIES,
    PAGE_OUTCOMES,
    HostGate,
    PageResult,
    fetch_page,
)
from ingest.robots import ROBOTS_MAX_BYTES
from tests.feedserver import FIXTURE_PAGES, PAGE_BOMB_MIB, CountingListener, FeedServer

# Two real pages (an Indonesian and a Chinese one, of the extraction corpus) the fetcher must
# bring back byte for byte, plain and gzip-encoded; nothing here parses them.
PAGES = ["fun-id-MediaIndonesia_2026_01_08.html", "np4k-chinese_article_002.html"]
MIB = 1024 * 1024


class Clock:
    """A wall clock the test moves by hand (the gate's ``now``)."""

    def __init__(self) -> None:
        # starts at the real time: a Retry-After in seconds is read against the real clock
        self.value = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += timedelta(seconds=seconds)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """The test server, private addresses allowed, no least delay unless a test sets one."""
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    monkeypatch.setenv("PANTAU_PAGE_HOST_DELAY_SECONDS", "0")
    with FeedServer() as s:
        yield s


@pytest.fixture
def client() -> Iterator[FeedClient]:
    with make_client() as c:
        yield c


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(clock: Clock) -> HostGate:
    return HostGate(now=clock)


def paths(server: FeedServer) -> list[str]:
    return [r.path for r in server.requests]


def check_result(result: PageResult) -> None:
    assert result.outcome in PAGE_OUTCOMES
    if result.outcome == "ok":
        assert result.error_category is None
    else:
        assert result.error_category in PAGE_ERROR_CATEGORIES


# -- real pages --------------------------------------------------------------------------------


def test_there_are_real_pages_to_serve() -> None:
    assert len(PAGES) >= 2


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "gzip"])
def test_real_pages_come_back_byte_for_byte(server, client, gate, encoded) -> None:
    suffix = "?gzip=1" if encoded else ""
    for name in PAGES:
        result = fetch_page(server.url(f"/pages/{name}{suffix}"), client=client, gate=gate)
        check_result(result)
        assert result.outcome == "ok", result.error
        assert result.status == 200
        assert result.content_type == "text/html; charset=utf-8"
        assert result.body == (FIXTURE_PAGES / name).read_bytes()
        assert result.final_url == result.url
    # robots.txt first (a 404 here: everything allowed), once for the origin, then the pages.
    assert paths(server) == ["/robots.txt"] + [f"/pages/{n}{suffix}" for n in PAGES]
    for request in server.requests:
        assert request.headers["User-Agent"] == config.get("user_agent")
        assert "gzip" in request.headers["Accept-Encoding"]
    assert "text/html" in server.requests[1].headers["Accept"]


def test_a_client_without_the_guard_is_refused(server) -> None:
    with httpx.Client() as plain, pytest.raises(TypeError, match="make_client"):
        fetch_page(server.url("/pages/" + PAGES[0]), client=plain)
    assert server.requests == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x.html", "/pages/x.html", "not a url"])
def test_a_url_that_is_not_http_is_an_error_without_a_request(server, client, gate, url) -> None:
    result = fetch_page(url, client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category) == ("error", "bad_url")
    assert server.requests == []


# -- robots.txt ----------------------------------------------------------------------------------

OUR_GROUP_DISALLOWS_PAGES = "User-agent: Pantau\nDisallow: /pages/\n\nUser-agent: *\nDisallow:\n"


def test_a_page_robots_txt_disallows_is_never_requested(server, client, gate) -> None:
    server.set_robots(OUR_GROUP_DISALLOWS_PAGES)
    for name in PAGES:
        result = fetch_page(server.url(f"/pages/{name}"), client=client, gate=gate)
        check_result(result)
        assert (result.outcome, result.error_category) == ("disallowed", "robots_disallowed")
        assert result.body is None and result.status is None
    allowed = fetch_page(server.url("/html"), client=client, gate=gate)
    assert allowed.outcome == "ok"
    # robots.txt once (cached), no page under /pages/, the allowed path asked for.
    assert paths(server) == ["/robots.txt", "/html"]


def test_rules_for_another_agent_do_not_apply_to_us(server, client, gate) -> None:
    server.set_robots("User-agent: OtherBot\nDisallow: /\n")
    result = fetch_page(server.url(f"/pages/{PAGES[0]}"), client=client, gate=gate)
    assert result.outcome == "ok"
    assert paths(server) == ["/robots.txt", f"/pages/{PAGES[0]}"]


# What each robots.txt answer means (Google's documented handling; ingest/robots.py).
ROBOTS_ANSWERS = [
    (200, "", "ok"),  # an empty file allows everything
    (403, "forbidden", "ok"),  # 4xx: no robots.txt
    (404, "none", "ok"),
    (410, "gone", "ok"),
    (429, "slow down", "disallowed"),  # 429 counts as a server error
    (500, "oops", "disallowed"),
    (503, "down", "disallowed"),
]


@pytest.mark.parametrize(("status", "body", "expected"), ROBOTS_ANSWERS)
def test_robots_answers(server, client, gate, clock, status, body, expected) -> None:
    server.set_robots(body, status)
    page = f"/pages/{PAGES[0]}"
    result = fetch_page(server.url(page), client=client, gate=gate)
    check_result(result)
    assert result.outcome == expected, result.error
    if expected == "ok":
        assert paths(server) == ["/robots.txt", page]
    else:
        assert result.error_category == "robots_unreachable"
        assert result.retry_after is not None and result.retry_after > clock()
        assert paths(server) == ["/robots.txt"]


def test_an_unreachable_robots_txt_is_asked_again_later(server, client, gate, clock) -> None:
    server.set_robots("down", 503)
    page = f"/pages/{PAGES[0]}"
    first = fetch_page(server.url(page), client=client, gate=gate)
    assert first.error_category == "robots_unreachable"
    again = fetch_page(server.url(page), client=client, gate=gate)
    assert again.outcome in ("disallowed", "deferred")  # not asked again yet
    assert paths(server) == ["/robots.txt"]
    server.set_robots("")
    clock.value = max(first.retry_after, gate.blocked_until("127.0.0.1") or clock())
    clock.advance(1)
    later = fetch_page(server.url(page), client=client, gate=gate)
    assert later.outcome == "ok", later.error
    assert paths(server) == ["/robots.txt", "/robots.txt", page]


def test_a_robots_txt_that_times_out_disallows(server, client, gate, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    server.set_robots("", 200, delay=10)
    result = fetch_page(server.url(f"/pages/{PAGES[0]}"), client=client, gate=gate)
    assert (result.outcome, result.error_category) == ("disallowed", "robots_unreachable")
    assert paths(server) == ["/robots.txt"]


def test_robots_txt_is_kept_until_it_expires(server, client, gate, clock) -> None:
    server.set_robots("User-agent: *\nDisallow: /private/\n")
    page = server.url(f"/pages/{PAGES[0]}")
    assert fetch_page(page, client=client, gate=gate).outcome == "ok"
    assert fetch_page(page, client=client, gate=gate).outcome == "ok"
    assert paths(server).count("/robots.txt") == 1
    clock.advance(int(config.get("robots_cache_seconds")) + 1)
    server.set_robots(OUR_GROUP_DISALLOWS_PAGES)
    result = fetch_page(page, client=client, gate=gate)
    assert result.outcome == "disallowed"
    assert paths(server).count("/robots.txt") == 2


def test_only_the_first_500_kib_of_robots_txt_count(server, client, gate) -> None:
    head = "User-agent: *\nDisallow: /pages/\n"
    filler = "# comment line\n" * (ROBOTS_MAX_BYTES // 15 + 1000)
    server.set_robots(head + filler + "Disallow: /html\n")  # that last rule is past the limit
    assert len(head + filler) > ROBOTS_MAX_BYTES
    page = fetch_page(server.url(f"/pages/{PAGES[0]}"), client=client, gate=gate)
    assert (page.outcome, page.error_category) == ("disallowed", "robots_disallowed")
    assert fetch_page(server.url("/html"), client=client, gate=gate).outcome == "ok"
    assert paths(server) == ["/robots.txt", "/html"]


def test_crawl_delay_is_honoured(server, client, gate) -> None:
    server.set_robots("User-agent: *\nCrawl-delay: 0.5\n")
    page = f"/pages/{PAGES[0]}"
    assert fetch_page(server.url(page), client=client, gate=gate).outcome == "ok"
    robots, fetched = server.requests
    assert (robots.path, fetched.path) == ("/robots.txt", page)
    assert robots.answered is not None
    assert fetched.started - robots.answered >= 0.5


# -- Retry-After and back-off ------------------------------------------------------------------


def test_a_host_that_answered_429_is_not_asked_before_its_retry_after(
    server, client, gate, clock
) -> None:
    limited = "/status/429?retry_after=120"
    result = fetch_page(server.url(limited), client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category, result.status) == (
        "error",
        "rate_limited",
        429,
    )
    assert result.retry_after is not None and result.retry_after >= clock()
    page = f"/pages/{PAGES[0]}"
    for _ in range(3):
        clock.advance(30)  # 90 s in all: still before the Retry-After
        waiting = fetch_page(server.url(page), client=client, gate=gate)
        check_result(waiting)
        assert (waiting.outcome, waiting.error_category) == ("deferred", "deferred")
        assert waiting.retry_after == result.retry_after
        assert waiting.transient
    assert paths(server) == ["/robots.txt", limited]
    clock.value = result.retry_after + timedelta(seconds=1)
    assert fetch_page(server.url(page), client=client, gate=gate).outcome == "ok"
    assert paths(server) == ["/robots.txt", limited, page]


def test_5xx_without_retry_after_backs_off_doubling(server, client, gate, clock) -> None:
    base = float(config.get("page_backoff_seconds"))
    failing = server.url("/status/500")
    expected = []
    for attempt in range(3):
        result = fetch_page(failing, client=client, gate=gate)
        assert (result.outcome, result.error_category) == ("error", "http_5xx")
        paused_until = gate.blocked_until("127.0.0.1")
        assert paused_until == clock() + timedelta(seconds=base * 2**attempt)
        assert fetch_page(failing, client=client, gate=gate).outcome == "deferred"
        expected.append("/status/500")
        clock.value = paused_until
    assert paths(server) == ["/robots.txt", *expected]
    # a success resets the back-off
    assert fetch_page(server.url(f"/pages/{PAGES[0]}"), client=client, gate=gate).ok
    fetch_page(failing, client=client, gate=gate)
    assert gate.blocked_until("127.0.0.1") == clock() + timedelta(seconds=base)


# -- limits ------------------------------------------------------------------------------------


def test_a_slow_host_is_given_up_at_the_deadline(server, client, gate, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "30")  # only the overall deadline can stop it
    result = fetch_page(server.url(f"/pages/{PAGES[0]}?delay=10"), client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category) == ("error", "timeout")
    assert "deadline" in result.error
    assert result.transient


@pytest.mark.parametrize(
    "path",
    [
        "/page-bomb",
        f"/huge?mib={PAGE_BOMB_MIB}&type=html&length=1",
        f"/huge?mib={PAGE_BOMB_MIB}&type=html",
    ],
    ids=["gzip-50MiB", "declared-50MiB", "undeclared-50MiB"],
)
def test_a_50_mib_page_is_refused_at_the_page_cap(server, client, gate, path) -> None:
    cap = int(config.get("max_page_bytes"))
    assert cap < PAGE_BOMB_MIB * MIB
    result = fetch_page(server.url(path), client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category) == ("error", "too_large"), result.error
    assert result.body is None
    assert f"{cap:,}" in result.error


def test_the_page_cap_is_its_own_setting(server, client, gate, monkeypatch) -> None:
    name = max(PAGES, key=lambda n: (FIXTURE_PAGES / n).stat().st_size)
    size = (FIXTURE_PAGES / name).stat().st_size
    monkeypatch.setenv("PANTAU_MAX_BODY_BYTES", str(size - 1))  # the feeds' cap: not used here
    assert fetch_page(server.url(f"/pages/{name}"), client=client, gate=gate).ok
    monkeypatch.setenv("PANTAU_MAX_BODY_BYTES", str(100 * MIB))
    monkeypatch.setenv("PANTAU_MAX_PAGE_BYTES", str(size - 1))
    gzip = fetch_page(server.url(f"/pages/{name}?gzip=1"), client=client, gate=gate)
    assert gzip.error_category == "too_large"  # counted decoded: the gzip on the wire is smaller


@pytest.mark.parametrize(("kind", "media"), [("pdf", "application/pdf"), ("png", "image/png")])
def test_a_pdf_or_image_is_refused_without_reading_its_body(
    server, client, gate, kind, media
) -> None:
    path = f"/huge?mib={PAGE_BOMB_MIB}&type={kind}&length=1"
    result = fetch_page(server.url(path), client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category) == ("not_html", "not_html")
    assert result.content_type == media and result.body is None and result.status == 200
    assert not result.transient
    request = server.requests[-1]
    assert request.path == path
    for _ in range(200):  # the server stops writing once the client hangs up
        if request.done:
            break
        time.sleep(0.05)
    assert request.done
    assert request.body_sent < PAGE_BOMB_MIB * MIB


def test_a_redirect_to_a_private_address_is_blocked(server, gate, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    guard = AddressGuard(allow_endpoints=frozenset({("127.0.0.1", server.port)}))
    with CountingListener("127.0.0.1") as inside, make_client(guard=guard) as guarded:
        target = f"http://127.0.0.1:{inside.port}/article.html"
        result = fetch_page(server.url(f"/redirect/302?to={target}"), client=guarded, gate=gate)
        check_result(result)
        assert (result.outcome, result.error_category) == ("error", "blocked_address")
        assert inside.accepted == 0
        # the guard lets the test server itself through: the same page, not redirected, is read
        direct = fetch_page(server.url(f"/pages/{PAGES[0]}"), client=guarded, gate=gate)
        assert direct.outcome == "ok"


# -- one host, two threads -----------------------------------------------------------------------


def test_two_threads_never_hit_one_host_at_once(server, client, monkeypatch) -> None:
    delay = 0.3
    monkeypatch.setenv("PANTAU_PAGE_HOST_DELAY_SECONDS", str(delay))
    gate = HostGate()
    results: list[PageResult] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(3):
            name = PAGES[(n + i) % len(PAGES)]
            # each answer takes 0.1 s on the server: overlapping requests would show
            result = fetch_page(
                server.url(f"/pages/{name}?delay=0.1&t={n}{i}"), client=client, gate=gate
            )
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(r.outcome == "ok" for r in results) and len(results) == 6
    ((host, requests),) = server.host_requests().items()
    assert host == f"127.0.0.1:{server.port}"
    assert [r.path for r in requests].count("/robots.txt") == 1 and len(requests) == 7
    for before, after in zip(requests, requests[1:], strict=False):
        assert before.answered is not None
        # the next request arrived only after the previous answer began, and the least delay
        # later: never two at once, never closer than the setting
        assert after.started - before.answered >= delay, (before.path, after.path)


# -- redirect hops: each one admitted like the page itself -----------------------------------------
# The page's server answers on 127.0.0.1; a second server is reached as "localhost" (another host
# name, so another host's turn, and another origin, so another robots.txt). Its own request log
# is the oracle for what was asked of it.


@pytest.fixture
def target() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


def hop(server: FeedServer, target: FeedServer, path: str) -> str:
    """A page URL on ``server`` that redirects (302) to ``path`` on ``target`` as localhost."""
    return server.url(f"/redirect/302?to=http://localhost:{target.port}{path}")


def test_a_redirect_to_a_page_its_hosts_robots_txt_disallows_is_never_followed(
    server, target, client, gate
) -> None:
    target.set_robots(f"User-agent: *\nDisallow: /pages/{PAGES[0]}\n")
    refused = f"/pages/{PAGES[0]}"
    allowed = f"/pages/{PAGES[1]}"
    result = fetch_page(hop(server, target, refused), client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category) == ("disallowed", "robots_disallowed")
    assert result.final_url == f"http://localhost:{target.port}{refused}"
    assert result.status is None and result.body is None
    fetched = fetch_page(hop(server, target, allowed), client=client, gate=gate)
    assert fetched.outcome == "ok", fetched.error
    assert fetched.final_url == f"http://localhost:{target.port}{allowed}"
    assert fetched.body == (FIXTURE_PAGES / PAGES[1]).read_bytes()
    # the target's robots.txt asked once (cached for its origin); the refused page never
    assert paths(target) == ["/robots.txt", allowed]
    assert {r.host for r in target.requests} == {f"localhost:{target.port}"}
    # the page's own origin: its robots.txt once, then the two redirects
    assert [p.split("?")[0] for p in paths(server)] == ["/robots.txt"] + ["/redirect/302"] * 2


def test_a_redirect_within_one_origin_is_checked_against_its_robots_txt(
    server, client, gate
) -> None:
    server.set_robots("User-agent: *\nDisallow: /pages/\n")
    result = fetch_page(server.url(f"/redirect/301?to=/pages/{PAGES[0]}"), client=client, gate=gate)
    assert (result.outcome, result.error_category) == ("disallowed", "robots_disallowed")
    assert [p.split("?")[0] for p in paths(server)] == ["/robots.txt", "/redirect/301"]


def test_an_unreachable_robots_txt_on_the_redirect_target_disallows(
    server, target, client, gate
) -> None:
    target.set_robots("down", 503)
    result = fetch_page(hop(server, target, f"/pages/{PAGES[0]}"), client=client, gate=gate)
    assert (result.outcome, result.error_category) == ("disallowed", "robots_unreachable")
    assert result.retry_after is not None and result.transient
    assert paths(target) == ["/robots.txt"]


def test_a_redirect_target_host_waits_its_least_delay(server, target, client, monkeypatch) -> None:
    delay = 0.5
    monkeypatch.setenv("PANTAU_PAGE_HOST_DELAY_SECONDS", str(delay))
    gate = HostGate()
    page = f"/pages/{PAGES[0]}"
    # the page's own host was asked first (its robots.txt is cached, its delay over by the time
    # of the redirect), then the target host, just before the redirect to it
    assert fetch_page(server.url(f"/pages/{PAGES[1]}"), client=client, gate=gate).ok
    assert fetch_page(f"http://localhost:{target.port}{page}", client=client, gate=gate).ok
    result = fetch_page(hop(server, target, page), client=client, gate=gate)
    assert result.outcome == "ok", result.error
    robots, first, second = target.requests
    assert [r.path for r in (robots, first, second)] == ["/robots.txt", page, page]
    assert first.answered is not None
    assert second.started - first.answered >= delay


def test_a_redirect_to_a_paused_host_is_deferred_without_a_request(
    server, target, client, gate, clock
) -> None:
    limited = fetch_page(
        f"http://localhost:{target.port}/status/429?retry_after=120", client=client, gate=gate
    )
    assert limited.error_category == "rate_limited" and limited.retry_after is not None
    result = fetch_page(hop(server, target, f"/pages/{PAGES[0]}"), client=client, gate=gate)
    check_result(result)
    assert (result.outcome, result.error_category) == ("deferred", "deferred")
    assert result.retry_after == limited.retry_after
    assert [r.path.split("?")[0] for r in target.requests] == ["/robots.txt", "/status/429"]
    # the page's own host was not paused by the target's 429
    assert gate.blocked_until("127.0.0.1") is None

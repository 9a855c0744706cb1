"""ingest.fetch against a real HTTP server on 127.0.0.1 (tests/feedserver.py): every scenario
ends as one categorised FetchResult and nothing raises (issue 2 item 4, issue 5 item 9)."""

from __future__ import annotations

import socket
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ingest import config
from ingest.fetch import (
    ERROR_CATEGORIES,
    OUTCOMES,
    FetchResult,
    fetch_feed,
    make_client,
    parse_retry_after,
    shared_client,
)
from tests.feedserver import DEFAULT_FEED, FeedServer

CAP = config.get("max_body_bytes")


@pytest.fixture
def client():
    with make_client() as c:
        yield c


def fixture_bytes(server: FeedServer, name: str = DEFAULT_FEED) -> bytes:
    return (server.root / name).read_bytes()


# -- success and conditional GET -------------------------------------------------------------------


def test_a_real_feed_is_fetched_with_its_validators(feed_server, client) -> None:
    url = feed_server.feed_url()
    started = time.monotonic()
    result = fetch_feed(url, client=client)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert result.outcome == "ok" and result.ok
    assert result.status == 200
    assert result.body == fixture_bytes(feed_server)
    assert result.content_type == "application/rss+xml"
    assert result.etag and result.etag.startswith('"')
    assert result.last_modified == "Wed, 18 Feb 2026 02:13:00 GMT"
    assert result.final_url == url and result.url == url
    assert result.permanent_url is None and result.error is None and result.error_category is None
    assert 0 <= result.duration_ms <= elapsed_ms + 1  # its own time, in milliseconds


def test_every_fixture_feed_comes_back_byte_for_byte(feed_server, client) -> None:
    names = feed_server.feed_files()
    assert len(names) >= 60
    for name in names:
        result = fetch_feed(feed_server.feed_url(name), client=client)
        assert result.outcome == "ok", (name, result.error)
        assert result.body == fixture_bytes(feed_server, name), name


def test_gzip_encoded_feed_is_decoded(feed_server, client) -> None:
    result = fetch_feed(feed_server.feed_url() + "?gzip=1", client=client)
    assert result.outcome == "ok"
    assert result.body == fixture_bytes(feed_server)


def test_second_request_with_the_validators_gets_304(feed_server, client) -> None:
    url = feed_server.feed_url()
    first = fetch_feed(url, client=client)
    assert first.outcome == "ok"
    second = fetch_feed(url, etag=first.etag, last_modified=first.last_modified, client=client)
    assert second.outcome == "not_modified"
    assert second.status == 304
    assert second.body is None and second.error_category is None
    assert second.etag == first.etag and second.last_modified == first.last_modified
    sent = feed_server.requests[-1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified
    assert "if-none-match" not in feed_server.requests[0].headers


def test_last_modified_alone_gets_304(feed_server, client) -> None:
    first = fetch_feed(feed_server.feed_url(), client=client)
    second = fetch_feed(feed_server.feed_url(), last_modified=first.last_modified, client=client)
    assert second.outcome == "not_modified"


def test_a_stale_etag_gets_the_full_feed(feed_server, client) -> None:
    result = fetch_feed(feed_server.feed_url(), etag='"stale"', client=client)
    assert result.outcome == "ok"
    assert result.body == fixture_bytes(feed_server)


def test_request_headers_name_us_and_offer_only_decodable_encodings(feed_server, client) -> None:
    fetch_feed(feed_server.url("/echo"), client=client)
    sent = feed_server.requests[-1].headers
    assert sent["user-agent"] == config.get("user_agent")
    offered = {e.strip() for e in sent["accept-encoding"].split(",")}
    assert offered == {"gzip", "deflate"}
    assert "rss+xml" in sent["accept"]
    assert "cookie" not in sent


# -- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [301, 308])
def test_permanent_redirect_sets_permanent_url(feed_server, client, code: int) -> None:
    target = feed_server.feed_url()
    url = feed_server.url(f"/redirect/{code}?to=/feeds/{DEFAULT_FEED}")
    result = fetch_feed(url, client=client)
    assert result.outcome == "ok"
    assert result.permanent_url == target
    assert result.final_url == target and result.url == url
    assert result.body == fixture_bytes(feed_server)


@pytest.mark.parametrize("code", [302, 303, 307])
def test_temporary_redirect_is_followed_but_not_stored(feed_server, client, code: int) -> None:
    result = fetch_feed(
        feed_server.url(f"/redirect/{code}?to=/feeds/{DEFAULT_FEED}"), client=client
    )
    assert result.outcome == "ok"
    assert result.permanent_url is None
    assert result.final_url == feed_server.feed_url()


def test_permanent_then_temporary_stores_only_the_permanent_hop(feed_server, client) -> None:
    temporary = feed_server.url(f"/redirect/302?to=/feeds/{DEFAULT_FEED}")
    url = feed_server.url("/redirect/301?to=" + temporary.replace("?", "%3F").replace("=", "%3D"))
    result = fetch_feed(url, client=client)
    assert result.outcome == "ok"
    assert result.permanent_url == temporary


def test_a_permanent_redirect_to_a_broken_url_is_not_stored(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/redirect/301?to=/status/404"), client=client)
    assert result.outcome == "error" and result.error_category == "http_4xx"
    assert result.permanent_url is None


def test_five_redirects_are_followed(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/chain/5"), client=client)
    assert result.outcome == "ok"
    assert sum(r.path.startswith("/chain/") for r in feed_server.requests) == 5


def test_a_sixth_redirect_is_refused(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/chain/6"), client=client)
    assert result.outcome == "error" and result.error_category == "too_many_redirects"
    assert not any(r.path.startswith("/feeds/") for r in feed_server.requests)


def test_redirect_loop_is_detected(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/loop/a"), client=client)
    assert result.outcome == "error" and result.error_category == "redirect_loop"
    assert len(feed_server.requests) == 2  # a -> b -> (a again: refused without a request)


def test_redirect_without_location_is_a_bad_response(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/status/302"), client=client)
    assert result.error_category == "bad_response" and result.status == 302


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "javascript:alert(1)", "data:,x"]
)
def test_redirect_to_another_scheme_is_refused(feed_server, client, target: str) -> None:
    result = fetch_feed(feed_server.url("/redirect/302?to=" + target), client=client)
    assert result.outcome == "error" and result.error_category == "bad_url"
    assert len(feed_server.requests) == 1


# -- statuses --------------------------------------------------------------------------------------


def test_410_retires_the_feed(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/status/410"), client=client)
    assert result.outcome == "gone"
    assert result.status == 410 and result.error_category == "gone"
    assert result.body is None


@pytest.mark.parametrize(
    ("code", "category"),
    [(400, "http_4xx"), (401, "http_4xx"), (403, "http_4xx"), (404, "http_4xx")]
    + [(500, "http_5xx"), (502, "http_5xx"), (503, "http_5xx")],
)
def test_error_statuses_are_categorised(feed_server, client, code: int, category: str) -> None:
    result = fetch_feed(feed_server.url(f"/status/{code}"), client=client)
    assert result.outcome == "error"
    assert result.status == code and result.error_category == category
    assert str(code) in (result.error or "")
    assert result.retry_after is None


def test_429_with_retry_after_seconds(feed_server, client) -> None:
    before = datetime.now(UTC)
    result = fetch_feed(feed_server.url("/status/429?retry_after=120"), client=client)
    after = datetime.now(UTC)
    assert result.outcome == "error" and result.error_category == "rate_limited"
    assert result.status == 429
    assert result.retry_after is not None
    assert before + timedelta(seconds=120) <= result.retry_after <= after + timedelta(seconds=120)


def test_429_with_retry_after_http_date(feed_server, client) -> None:
    before = datetime.now(UTC)
    result = fetch_feed(feed_server.url("/status/429?retry_after_date=3600"), client=client)
    assert result.error_category == "rate_limited"
    assert result.retry_after is not None and result.retry_after.tzinfo is not None
    delta = (result.retry_after - before).total_seconds()
    assert 3590 <= delta <= 3610


def test_503_with_retry_after(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/status/503?retry_after=30"), client=client)
    assert result.error_category == "http_5xx" and result.status == 503
    assert result.retry_after is not None
    assert result.retry_after > datetime.now(UTC) + timedelta(seconds=20)


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert parse_retry_after("90", now) == now + timedelta(seconds=90)
    assert parse_retry_after("Thu, 26 Nov 2026 13:00:00 GMT", now) == now + timedelta(hours=1)
    assert parse_retry_after("Thu, 01 Jan 2015 00:00:00 GMT", now) == now  # past: now
    assert parse_retry_after("99999999999999", now) == now + timedelta(days=30)  # capped
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


# -- time and size limits ------------------------------------------------------------------------


def test_slow_server_is_cut_off_at_the_deadline(feed_server, client, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1.5")
    result = fetch_feed(feed_server.url("/slow?seconds=20"), client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert 1400 <= result.duration_ms <= 1500 + 1000


def test_read_timeout_applies_between_bytes(feed_server, client, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "0.5")
    result = fetch_feed(feed_server.url("/slow?seconds=20"), client=client)
    assert result.error_category == "timeout"
    assert result.duration_ms < 2000


def test_a_dripping_body_is_cut_off_at_the_deadline(feed_server, client, monkeypatch) -> None:
    # Each byte arrives well within the read timeout; only the overall deadline can stop it.
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "5")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1.5")
    result = fetch_feed(feed_server.url("/drip?seconds=20"), client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert 1400 <= result.duration_ms <= 1500 + 1000


def _fetch_measured(url: str, client) -> tuple[FetchResult, int]:
    tracemalloc.start()
    try:
        result = fetch_feed(url, client=client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize("path", ["/huge?mib=40", "/gzip-bomb", "/deflate-bomb"])
def test_body_cap_stops_huge_and_bomb_bodies_early(feed_server, client, path: str) -> None:
    # The server would send 40 MiB, or 200 MiB once decompressed; the fetch keeps at most the
    # cap (15 MiB) plus a chunk, and copies it once at most.
    result, peak = _fetch_measured(feed_server.url(path), client)
    assert result.outcome == "error" and result.error_category == "too_large"
    assert result.body is None and result.status == 200
    assert peak < 2 * CAP + 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def test_declared_oversize_body_is_refused_before_reading(feed_server, client) -> None:
    result, peak = _fetch_measured(feed_server.url("/huge?mib=40&length=1"), client)
    assert result.error_category == "too_large"
    assert "41,943,040" in (result.error or "")
    assert peak < 4 * 1024 * 1024


def test_a_smaller_configured_cap_is_honoured(feed_server, client, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_MAX_BODY_BYTES", "10000")
    assert fetch_feed(feed_server.feed_url(), client=client).error_category == "too_large"
    monkeypatch.setenv("PANTAU_MAX_BODY_BYTES", str(len(fixture_bytes(feed_server))))
    assert fetch_feed(feed_server.feed_url(), client=client).outcome == "ok"


# -- odd bodies and broken servers ---------------------------------------------------------------


def test_html_page_is_returned_for_the_parser_to_judge(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/html"), client=client)
    assert result.outcome == "ok"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.body is not None and result.body.startswith(b"<!DOCTYPE html>")


def test_empty_body_is_an_error(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/empty"), client=client)
    assert result.outcome == "error" and result.error_category == "empty"
    assert result.status == 200


def test_garbage_bytes_are_returned_unchanged(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/garbage"), client=client)
    assert result.outcome == "ok"
    assert result.body is not None and len(result.body) == 4096


def test_a_server_that_does_not_speak_http(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/not-http"), client=client)
    assert result.outcome == "error" and result.error_category == "bad_response"
    assert result.status is None


def test_a_body_cut_short(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/truncated"), client=client)
    assert result.outcome == "error" and result.error_category == "bad_response"
    assert result.body is None


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress"])
def test_an_encoding_we_did_not_offer_is_refused(feed_server, client, encoding: str) -> None:
    result = fetch_feed(feed_server.url(f"/encoding/{encoding}"), client=client)
    assert result.error_category == "bad_response"
    assert encoding in (result.error or "")


def test_a_body_that_is_not_really_gzip(feed_server, client) -> None:
    result = fetch_feed(feed_server.url("/encoding/gzip"), client=client)
    assert result.error_category == "bad_response"


def test_connection_refused(feed_server, client) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        result = fetch_feed(f"http://127.0.0.1:{port}/feed.xml", client=client)
    assert result.outcome == "error" and result.error_category == "connection"


def test_tls_to_a_plain_http_server_is_a_tls_error(feed_server, client) -> None:
    result = fetch_feed(feed_server.feed_url().replace("http://", "https://"), client=client)
    assert result.outcome == "error" and result.error_category == "tls"


def test_a_name_that_does_not_resolve(feed_server, client, monkeypatch) -> None:
    # Outside-the-machine DNS is the one thing mocked: the resolver says "no such name".
    real = socket.getaddrinfo

    def no_such_name(host, *args, **kwargs):
        if host == "feeds.nowhere.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    result = fetch_feed("http://feeds.nowhere.test/rss", client=client)
    assert result.outcome == "error" and result.error_category == "dns"
    assert feed_server.connections == 0


def test_a_slow_name_lookup_is_cut_off_at_the_deadline(feed_server, client, monkeypatch) -> None:
    real = socket.getaddrinfo

    def slow_dns(host, *args, **kwargs):
        if host == "feeds.slow-dns.test":
            time.sleep(3)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    result = fetch_feed("http://feeds.slow-dns.test/rss", client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert 900 <= result.duration_ms <= 2000


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/feed", "file:///etc/passwd", "feeds/bbc.xml", "/etc/passwd", "", "http://"],
)
def test_not_an_http_url(feed_server, client, url: str) -> None:
    result = fetch_feed(url, client=client)
    assert result.outcome == "error" and result.error_category == "bad_url"
    assert feed_server.connections == 0


# -- the contract ----------------------------------------------------------------------------------

EVERY_SCENARIO = [
    f"/feeds/{DEFAULT_FEED}",
    f"/feeds/{DEFAULT_FEED}?gzip=1",
    "/feeds/no-such-file.xml",
    "/status/404",
    "/status/410",
    "/status/429?retry_after=5",
    "/status/429?retry_after_date=5",
    "/status/500",
    "/status/503?retry_after=5",
    "/status/302",
    "/status/304",
    "/status/204",
    "/status/300",
    "/redirect/301?to=/status/410",
    "/redirect/308?to=http://0177.0.0.1/",
    "/redirect/302?to=http://[::1",
    "/redirect/302?to=",
    "/chain/6",
    "/loop/a",
    "/slow?seconds=3",
    "/drip?seconds=3",
    "/huge?mib=20",
    "/gzip-bomb",
    "/deflate-bomb",
    "/encoding/br",
    "/html",
    "/empty",
    "/garbage",
    "/not-http",
    "/truncated",
]


def test_every_scenario_ends_as_one_categorised_result(feed_server, client, monkeypatch) -> None:
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    seen: set[str] = set()
    for path in EVERY_SCENARIO:
        started = time.monotonic()
        result = fetch_feed(feed_server.url(path), client=client)
        elapsed = time.monotonic() - started
        assert isinstance(result, FetchResult)
        # Every scenario, not only the last, ends soon after the 1 s deadline (the slow ones
        # would take 3 s and more without it).
        assert result.duration_ms < 2500 and elapsed < 2.5, (path, elapsed)
        assert result.outcome in OUTCOMES, path
        if result.outcome in ("error", "gone"):
            assert result.error_category in ERROR_CATEGORIES, (path, result)
            assert result.error, path
            assert result.body is None, path
            seen.add(result.error_category)
        else:
            assert result.error_category is None, path
    assert {"timeout", "too_large", "rate_limited", "gone", "bad_response"} <= seen


def test_fetch_without_a_client_uses_the_shared_one(feed_server, monkeypatch) -> None:
    assert fetch_feed(feed_server.feed_url()).outcome == "ok"
    allowing = shared_client()
    assert shared_client() is allowing and allowing.guard.allow_private is True
    # Turning the setting off switches to another pool: no keep-alive connection opened while
    # private addresses were allowed can be reused.
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    refusing = shared_client()
    assert refusing is not allowing and refusing.guard.allow_private is False
    result = fetch_feed(feed_server.feed_url())
    assert result.error_category == "blocked_address"
    assert feed_server.connections == 1


def test_a_plain_httpx_client_is_refused(feed_server) -> None:
    with httpx.Client() as plain, pytest.raises(TypeError, match="make_client"):
        fetch_feed(feed_server.feed_url(), client=plain)


def test_one_client_serves_a_thread_pool(feed_server, client) -> None:
    names = feed_server.feed_files()[:40]
    urls = [feed_server.feed_url(n) for n in names] + [feed_server.url("/status/500")] * 5
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda u: fetch_feed(u, client=client), urls))
    assert [r.outcome for r in results[:40]] == ["ok"] * 40
    assert [r.error_category for r in results[40:]] == ["http_5xx"] * 5
    for name, result in zip(names, results, strict=False):
        assert result.body == fixture_bytes(feed_server, name)


def test_keep_alive_connections_are_reused(feed_server, client) -> None:
    for _ in range(10):
        assert fetch_feed(feed_server.feed_url(), client=client).outcome == "ok"
    assert feed_server.connections < 10


def test_elapsed_time_is_reported(feed_server, client) -> None:
    started = time.monotonic()
    result = fetch_feed(feed_server.url("/slow?seconds=0.3"), client=client)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert result.outcome == "ok"
    assert 300 <= result.duration_ms <= elapsed_ms + 1


@pytest.mark.parametrize("path", [f"/feeds/{DEFAULT_FEED}", "/status/404", "/status/410"])
def test_connections_survive_304s_and_error_pages(feed_server, client, path: str) -> None:
    # Short unread bodies are drained, so polling mostly-unchanged feeds reuses connections.
    first = fetch_feed(feed_server.url(path), client=client)
    for _ in range(10):
        again = fetch_feed(feed_server.url(path), etag=first.etag, client=client)
        assert again.outcome != "ok"
    assert feed_server.connections == 1

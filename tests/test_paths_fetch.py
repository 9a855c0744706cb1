"""Fetch paths that no other test reached (issue 16 item 8): a multi-member gzip body, the
connect, TLS and read waits cut by their own timeout and by the overall deadline, and a URL
that httpx refuses as malformed. Real sockets on 127.0.0.1 only (tests/feedserver.py).

The deadline tests assert what the fetch says, never how long it took: each silent server gives
up after a few seconds, so a fetch that failed to apply the timeout under test ends in another
category (or the other message) instead of "timeout"."""

from __future__ import annotations

import pytest

from ingest.fetch import fetch_feed, make_client
from tests.feedserver import DEFAULT_FEED, FullListener, SilentListener

DEADLINE_MESSAGE = "gave up after the 1 s fetch deadline"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    with make_client() as c:
        yield c


# -- a gzip body of several members ---------------------------------------------------------------


@pytest.mark.parametrize("members", [2, 5])
def test_every_member_of_a_multi_member_gzip_body_is_decoded(
    feed_server,  # noqa: ANN001
    client,  # noqa: ANN001
    members: int,
) -> None:
    result = fetch_feed(feed_server.url(f"/gzip-members?n={members}"), client=client)
    assert result.outcome == "ok", result.error
    assert result.body == (feed_server.root / DEFAULT_FEED).read_bytes()


# -- connect: a server whose accept queue is full -------------------------------------------------


def test_a_connect_that_never_completes_hits_the_connect_timeout(client, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "20")
    with FullListener(hold=5) as listener:
        result = fetch_feed(listener.url(), client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == "timed out connecting"
    assert result.status is None


def test_a_connect_that_never_completes_hits_the_deadline(client, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_CONNECT_TIMEOUT", "30")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    with FullListener(hold=5) as listener:
        result = fetch_feed(listener.url(), client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == DEADLINE_MESSAGE


# -- TLS: a server that accepts and never answers the ClientHello ---------------------------------


def test_a_tls_handshake_that_never_completes_hits_the_connect_timeout(
    client,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PANTAU_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "30")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "20")
    with SilentListener(hold=5) as silent:
        result = fetch_feed(silent.url(scheme="https"), client=client)
        assert silent.accepted == 1
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == "timed out connecting"


def test_a_tls_handshake_that_never_completes_hits_the_deadline(
    client,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PANTAU_CONNECT_TIMEOUT", "30")
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "30")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    with SilentListener(hold=5) as silent:
        result = fetch_feed(silent.url(scheme="https"), client=client)
        assert silent.accepted == 1
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == DEADLINE_MESSAGE


# -- read: a server that accepts the request and stalls --------------------------------------------


def test_a_response_that_never_comes_hits_the_read_timeout(client, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "0.5")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "20")
    with SilentListener(hold=5) as silent:
        result = fetch_feed(silent.url(), client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == "timed out waiting for data"


def test_a_response_that_never_comes_hits_the_deadline(client, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "30")
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "1")
    with SilentListener(hold=5) as silent:
        result = fetch_feed(silent.url(), client=client)
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == DEADLINE_MESSAGE


def test_a_feed_that_answers_after_the_read_timeout_is_not_waited_for(
    feed_server,  # noqa: ANN001
    client,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # /slow answers with the real feed after 5 s: waiting that long would end "ok".
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "0.5")
    result = fetch_feed(feed_server.url("/slow?seconds=5"), client=client)
    assert result.outcome == "error" and result.error == "timed out waiting for data"


# -- a URL httpx refuses as malformed (InvalidURL) ------------------------------------------------


@pytest.mark.parametrize("host", ["ex\u200bample.com", "\u00ad"])
def test_a_host_name_httpx_cannot_encode_is_a_bad_url(feed_server, client, host: str) -> None:  # noqa: ANN001
    # urlsplit accepts these hosts and they are no IP literal, so only httpx's own check (IDNA)
    # stops them: httpx.InvalidURL, which must end as "bad_url", not as our bug ("unexpected").
    result = fetch_feed(f"http://{host}/rss", client=client)
    assert result.outcome == "error" and result.error_category == "bad_url"
    assert result.error is not None and result.error.startswith("bad URL: Invalid IDNA hostname")
    assert feed_server.connections == 0

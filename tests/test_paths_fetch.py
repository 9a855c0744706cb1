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


# -- connect, TLS and read waits: each cut by its own timeout, and by the overall deadline ----------
# FullListener: the accept queue is full, a connect never completes. SilentListener over https:
# the ClientHello is never answered. SilentListener over http: the request is read, no response.
# Each case sets the timeout under test small and the others large, so the message tells which
# one ended the fetch.

WAITS = [
    # (case, listener, scheme, settings, the error expected)
    ("connect", FullListener, "http",
     {"CONNECT_TIMEOUT": "0.5", "FETCH_DEADLINE": "20"}, "timed out connecting"),
    ("connect-deadline", FullListener, "http",
     {"CONNECT_TIMEOUT": "30", "FETCH_DEADLINE": "1"}, DEADLINE_MESSAGE),
    ("tls", SilentListener, "https",
     {"CONNECT_TIMEOUT": "0.5", "READ_TIMEOUT": "30", "FETCH_DEADLINE": "20"},
     "timed out connecting"),
    ("tls-deadline", SilentListener, "https",
     {"CONNECT_TIMEOUT": "30", "READ_TIMEOUT": "30", "FETCH_DEADLINE": "1"}, DEADLINE_MESSAGE),
    ("read", SilentListener, "http",
     {"READ_TIMEOUT": "0.5", "FETCH_DEADLINE": "20"}, "timed out waiting for data"),
    ("read-deadline", SilentListener, "http",
     {"READ_TIMEOUT": "30", "FETCH_DEADLINE": "1"}, DEADLINE_MESSAGE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("listener", "scheme", "settings", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in WAITS],
)
def test_a_server_that_never_answers_is_cut_off_by_the_right_limit(
    client,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
    listener: type[FullListener | SilentListener],
    scheme: str,
    settings: dict[str, str],
    expected: str,
) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(f"PANTAU_{name}", value)
    with listener(hold=5) as server:
        result = fetch_feed(server.url(scheme=scheme), client=client)
        if isinstance(server, SilentListener):
            assert server.accepted == 1
    assert result.outcome == "error" and result.error_category == "timeout"
    assert result.error == expected
    assert result.status is None


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

"""Property tests (issue 5, item 10): parsing and URL functions never raise on arbitrary input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.canonical import canonical_url, url_key
from ingest.feed_dates import parse_date
from ingest.parse import ERROR_CATEGORIES, normalise_language, parse_feed
from ingest.text_clean import clean_text
from ingest.xml_safety import find_xml_attack

FETCHED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# XML-ish text: feed markup pieces mixed with arbitrary characters.
_PIECES = st.sampled_from(
    [
        "<rss>",
        "</rss>",
        '<rss version="2.0">',
        "<channel>",
        "</channel>",
        "<item>",
        "</item>",
        "<entry>",
        "</entry>",
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "</feed>",
        "<title>",
        "</title>",
        "<link>",
        "</link>",
        '<link href="javascript:alert(1)"/>',
        "<guid>",
        "</guid>",
        "<description>",
        "</description>",
        "<pubDate>",
        "</pubDate>",
        "Thu,28 Jul 2022 4:35:5 GMT+9",
        "http://example.org/a?utm_source=x",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "&amp;",
        "&lt;b&gt;",
        "&#0;",
        "&#xD800;",
        "&nbsp;",
        "<!DOCTYPE rss>",
        "<!ENTITY a 'b'>",
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="gb2312"?>',
        "<script>",
        "</script>",
    ]
)
XMLISH = st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40).map("".join)


def _check(result) -> None:
    if result.articles:
        assert result.error_category is None
    else:
        assert result.error_category is None or result.error_category in ERROR_CATEGORIES
    for article in result.articles:
        for value in (article.title, article.summary, article.url or "", article.guid or ""):
            assert not FORBIDDEN.search(value)
        assert article.title


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_parse_feed_never_raises_on_bytes(body):
    _check(parse_feed(body, feed_url="http://example.org/f", fetched_at=FETCHED_AT))


@PROPERTY_SETTINGS
@given(XMLISH, st.sampled_from(["utf-8", "utf-16", "gb18030", "cp1252", "latin-1"]))
def test_parse_feed_never_raises_on_feedlike_text(text, encoding):
    body = text.encode(encoding, "replace")
    _check(parse_feed(body, feed_url="http://example.org/f", fetched_at=FETCHED_AT))


@PROPERTY_SETTINGS
@given(st.binary(max_size=300), st.text(max_size=60), st.one_of(st.none(), st.text(max_size=60)))
def test_parse_feed_never_raises_on_odd_arguments(body, feed_url, content_type):
    _check(parse_feed(body, feed_url=feed_url, fetched_at=FETCHED_AT, content_type=content_type))


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
def test_canonical_url_never_raises_and_is_idempotent(text):
    url = canonical_url(text)
    if url is not None:
        assert url.startswith(("http://", "https://"))
        assert "#" not in url
        assert not FORBIDDEN.search(url)
        assert canonical_url(url) == url


_URLISH = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}{host}{port}{path}{query}{fragment}"
    ),
    st.sampled_from(["http://", "HTTPS://", "https://", "javascript:", "//", ""]),
    st.sampled_from(
        ["example.org", "EXAMPLE.org", "münchen.de", "[::1]", "a..b", "", "x.comhttp:"]
    ),
    st.sampled_from(["", ":80", ":443", ":8080", ":99999", ":x"]),
    st.text(max_size=20),
    st.sampled_from(["", "?a=1", "?utm_source=rss&b=2", "?ref=rss", "?fbclid=1&z=&a"]),
    st.sampled_from(["", "#frag", "#"]),
)


@PROPERTY_SETTINGS
@given(_URLISH)
def test_canonical_url_on_urlish_text(text):
    url = canonical_url(text)
    if url is not None:
        assert canonical_url(url) == url
        assert "utm_source" not in url and "fbclid" not in url


@PROPERTY_SETTINGS
@given(
    st.one_of(st.none(), st.text(max_size=80)),
    st.one_of(st.none(), st.text(max_size=40)),
    st.text(max_size=40),
    st.text(max_size=80),
)
def test_url_key_never_raises(url, guid, feed_key, title):
    key = url_key(url, guid, feed_key, title)
    assert re.fullmatch(r"[0-9a-f]{40}", key)


@PROPERTY_SETTINGS
@given(st.text(max_size=120))
def test_text_helpers_never_raise(text):
    cleaned = clean_text(text, max_chars=50)
    assert len(cleaned) <= 50
    assert not FORBIDDEN.search(cleaned)
    parsed = parse_date(text)
    assert parsed is None or parsed.utcoffset().total_seconds() == 0
    language = normalise_language(text)
    assert language is None or re.fullmatch("[a-z]{2}", language)
    find_xml_attack(text)

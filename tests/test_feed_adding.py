"""ingest/feed_adding.py, the one path by which a person adds a feed (CLI and Feeds page): what
it refuses before any fetch, what it refuses after fetching, and what it stores."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import text

from ingest import store
from ingest.feed_adding import FeedRefused, check_feed, store_feed

FEED = "antara/antaranews_terkini_2017-04-17.rss.xml"
FEED_FILE = Path(__file__).parent / "fixtures" / "feeds" / FEED


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("javascript:alert(1)", ""),
        ("file:///etc/passwd", ""),
        ("ftp://127.0.0.1/feed", ""),
        ("http://user:secret@127.0.0.1/feed", ""),
        ("", ""),
        (FEED, "XXX"),  # a good feed, refused for its country code alone
        (FEED, "indonesia"),
    ],
)
def test_bad_addresses_and_codes_are_refused_before_the_fetch(
    feed_server,  # noqa: ANN001
    url: str,
    country: str,
) -> None:
    # Every address here is on this machine, so a check that let one through could not reach
    # out: it would fetch from the local server (and the test would fail on the missing refusal).
    if url == FEED:
        url = feed_server.feed_url(FEED)
    with pytest.raises(FeedRefused) as refused:
        check_feed(url, country=country)
    assert refused.value.bad_input


def test_a_page_that_is_not_a_feed_is_refused_after_the_fetch(feed_server) -> None:  # noqa: ANN001
    with pytest.raises(FeedRefused) as refused:
        check_feed(feed_server.url("/html"))
    assert not refused.value.bad_input
    assert "not a usable feed" in str(refused.value)


def test_an_unreachable_feed_is_refused(feed_server) -> None:  # noqa: ANN001
    with pytest.raises(FeedRefused) as refused:
        check_feed(feed_server.url("/status/500"))
    assert not refused.value.bad_input


def test_a_good_feed_is_checked_then_stored_with_the_persons_words(
    feed_server,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    channel = ET.parse(FEED_FILE).getroot().find("channel")
    feed = check_feed(feed_server.feed_url(FEED), country=" idn ")
    assert feed.fetched
    assert feed.items == len(channel.findall("item"))
    assert feed.title == channel.findtext("title").strip()
    assert feed.country == "IDN"

    engine = store.make_engine(f"sqlite:///{tmp_path / 'add.db'}")
    try:
        feed_id = store_feed(engine, feed, title="  Antara  ", language=" ID ")
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT url, title, language, country_iso3, source FROM feeds WHERE id = :i"),
                {"i": feed_id},
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == (feed_server.feed_url(FEED), "Antara", "id", "IDN", "user")


def test_without_the_fetch_only_the_address_is_checked(feed_server) -> None:  # noqa: ANN001
    url = feed_server.url("/status/500")  # would be refused if it were fetched
    feed = check_feed(url, fetch=False)
    assert not feed.fetched and feed.items == 0 and feed.url == url

"""The bundled feed catalogue (ingest/data/feeds.toml) and its validation."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ingest import geo
from ingest.catalogue import (
    CatalogueError,
    FeedSpec,
    iso639_1_codes,
    load_catalogue,
    outlet_key,
)
from ingest.config import PACKAGE_DATA

BUNDLED = PACKAGE_DATA / "feeds.toml"
CATALOGUE = BUNDLED
DEMO = PACKAGE_DATA / "demo"


@pytest.fixture(scope="module")
def feeds() -> list[FeedSpec]:
    return load_catalogue(BUNDLED)


def test_default_path_comes_from_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert load_catalogue() == load_catalogue(BUNDLED)
    other = tmp_path / "one.toml"
    other.write_text(
        '[[feed]]\ntitle = "ANTARA"\nurl = "https://www.antaranews.com/rss/terkini.xml"\n'
        'language = "id"\ncountry = "IDN"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PANTAU_FEEDS_FILE", str(other))
    assert [f.title for f in load_catalogue()] == ["ANTARA"]


def test_size_and_coverage(feeds: list[FeedSpec]) -> None:
    assert len(feeds) >= 60
    indonesian = [f for f in feeds if f.country == "IDN"]
    assert len({f.site_url for f in indonesian}) >= 10  # ten distinct Indonesian outlets
    assert len({f.language for f in feeds}) >= 12
    urls = {f.url for f in feeds}
    assert "https://feed.liputan6.com/rss" in urls
    assert "https://feed.liputan6.com/rss/news" in urls


def test_both_sides_of_todays_conflicts(feeds: list[FeedSpec]) -> None:
    state_home = {f.country for f in feeds if f.category == "state"}
    assert {"RUS", "UKR", "CHN", "IRN", "TUR"} <= state_home
    homes = Counter(f.country for f in feeds)
    for country in ("RUS", "UKR", "ISR", "IRN", "KOR", "CHN", "TWN", "IND", "PAK"):
        assert homes[country] >= 1, country


def test_unique_urls_and_valid_codes(feeds: list[FeedSpec]) -> None:
    urls = [f.url for f in feeds]
    assert len(urls) == len(set(urls))
    codes = iso639_1_codes()
    for feed in feeds:
        assert feed.language in codes, feed
        assert geo.is_valid_iso3(feed.country), feed
        for url in (feed.url, feed.site_url):
            if url is None:
                continue
            parts = urlsplit(url)
            assert parts.scheme in {"http", "https"} and parts.hostname, feed
        assert feed.title and feed.title == feed.title.strip()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '[[feed]]\ntitle = "Tempo"\nurl = "https://rss.tempo.co/nasional"\nlanguage = "id"\ncountry = "IDN"\n'


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('title = "Bad"\nurl = "ftp://x.example/rss"\nlanguage = "en"\ncountry = "USA"', "http(s)"),
        (
            'title = "Bad"\nurl = "https://x.example/rss"\nlanguage = "xx"\ncountry = "USA"',
            "ISO 639-1",
        ),
        (
            'title = "Bad"\nurl = "https://x.example/rss"\nlanguage = "en"\ncountry = "US"',
            "alpha-3",
        ),
        ('title = "Bad"\nurl = "https://x.example/rss"\nlanguage = "en"', "'country'"),
        (
            'title = "Bad"\nurl = "https://x.example/rss"\nlanguage = "en"\ncountry = "USA"\nlang = "en"',
            "unknown field",
        ),
        (
            'title = "Bad"\nurl = "https://x.example/rss"\nlanguage = "en"\ncountry = "USA"\ncategory = "tabloid"',
            "category",
        ),
        (
            'title = "Bad"\nurl = "https://x.example/rss"\nlanguage = "en"\ncountry = "RUS"\ncategory = "state"',
            "needs a 'basis'",
        ),
        (
            'title = "Bad"\nurl = "https://rss.tempo.co/nasional"\nlanguage = "id"\ncountry = "IDN"',
            "already listed as feed #1",
        ),
    ],
)
def test_bad_entry_is_named(tmp_path: Path, entry: str, message: str) -> None:
    path = _write(tmp_path, GOOD + "\n[[feed]]\n" + entry + "\n")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    text = str(err.value)
    assert str(path) in text
    assert "feed #2" in text and "'Bad'" in text
    assert message in text


def test_not_toml_or_empty_or_missing(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue(_write(tmp_path, "[[feed]\ntitle = "))
    with pytest.raises(CatalogueError, match=r"no \[\[feed\]\] tables"):
        load_catalogue(_write(tmp_path, "# nothing here\n"))
    with pytest.raises(CatalogueError, match="not found"):
        load_catalogue(tmp_path / "absent.toml")


def test_good_entry_round_trips(tmp_path: Path) -> None:
    path = _write(
        tmp_path, GOOD.replace('country = "IDN"', 'country = "IDN"\ncategory = "commercial"')
    )
    assert load_catalogue(path) == [
        FeedSpec(
            url="https://rss.tempo.co/nasional",
            title="Tempo",
            language="id",
            country="IDN",
            category="commercial",
            outlet="https://rss.tempo.co/nasional",  # no site_url: the feed's own URL
        )
    ]


def test_every_state_controlled_label_carries_a_cited_basis(feeds: list[FeedSpec]) -> None:
    """Issue 11 item 14: the data file itself is the oracle: each "state" entry in feeds.toml
    carries a basis naming its source (an about page or a reference article)."""
    raw = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["feed"]
    state = [entry for entry in raw if entry.get("category") == "state"]
    assert len(state) >= 20
    for entry in state:
        basis = entry.get("basis", "")
        assert len(basis) >= 40 and ("Wikipedia" in basis or "about" in basis), entry["title"]
    loaded = {feed.url: feed for feed in feeds}
    assert all(loaded[entry["url"]].basis == entry["basis"] for entry in state)


def test_a_catalogue_feed_and_its_demo_copy_are_one_outlet(feeds: list[FeedSpec]) -> None:
    """Issue 11 item 10: the outlet key of a demo snapshot (its MANIFEST site_url) is the key of
    the catalogue feed it copies, for every demo outlet the catalogue lists by title."""
    manifest = list(csv.DictReader((DEMO / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    by_title = {feed.title: feed for feed in feeds}
    shared = [row for row in manifest if row["title"] in by_title]
    assert len(shared) >= 20
    for row in shared:
        assert outlet_key(row["site_url"]) == by_title[row["title"]].outlet, row["title"]

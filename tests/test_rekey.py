"""Migration 0005 (issue 16 item 1): article keys made unambiguous, on a store built the old way.

Before issue 16, ``url_key`` joined the feed's key and the GUID (or normalised title) bare, so
feed 1's GUID "234567" and feed 12's GUID "34567" got one key and the second story was dropped.
Here a store is built by the real poller and importer with that old key function (copied below
from the code as it was, the oracle of "today's store"), then migrated. The migrated keys must be
exactly the keys a fresh store built by the new code gives the same items, nothing may be lost or
merged, and polling again must store only the stories the old keys had dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from ingest import canonical, pipeline, scheduler, store
from tests.feedserver import FeedServer

FEEDS = 12
ARCHIVE = "archive-feed.rss.xml"


def old_url_key(url: str | None, guid: str | None, feed_key: str, title: str) -> str:
    """``ingest.canonical.url_key`` as it was at b35c98d, verbatim but for the title folding."""
    canonical_form = canonical.canonical_url(url) if url else None
    if canonical_form:
        material = "url:" + canonical_form
    elif guid and guid.strip():
        material = "guid:" + (feed_key or "") + guid.strip()
    else:
        folded = " ".join(unicodedata.normalize("NFKC", title or "").casefold().split())
        material = "title:" + (feed_key or "") + folded
    return hashlib.sha1(material.encode("utf-8", "surrogatepass")).hexdigest()


def _item(title: str, *, guid: str | None = None, link: str | None = None) -> str:
    parts = [f"<title>{title}</title>", "<description>Teks ringkas.</description>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link is not None:
        parts.append(f"<link>{link}</link>")
    parts.append("<pubDate>Wed, 18 Feb 2026 02:13:00 GMT</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


def _feed_items(n: int) -> list[str]:
    """Every way parse keys an item: URL, GUID, title, and the second item of a repeated GUID or
    link. Feeds 1 and 12 carry the items whose old keys met."""
    items = [
        _item(f"Story {n} with a link", link=f"https://news{n}.example/a/{n}"),
        _item(f"Story {n} by GUID", guid=f"g-{n}"),
        _item(f"Story {n} by title alone"),
        _item(f"Story {n} first under a reused GUID", guid=f"reused-{n}"),
        _item(f"Story {n} second under a reused GUID", guid=f"reused-{n}"),
        _item(f"Story {n} first under a shared link", link=f"https://news{n}.example/s"),
        _item(f"Story {n} second under a shared link", link=f"https://news{n}.example/s"),
    ]
    if n == 1:
        items += [_item("Gempa di Lombok", guid="234567"), _item("23 killed in a storm")]
    if n == 12:
        items += [_item("Banjir di Jakarta", guid="34567"), _item("3 killed in a storm")]
    return items


# The items feed 12 lost to feed 1 under the old keys.
LOST = {"Banjir di Jakarta", "3 killed in a storm"}


def _rss(items: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Feed</title><link>https://feeds.example/</link><language>id</language>"
        + "".join(items)
        + "</channel></rss>"
    )


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "served"
    folder.mkdir()
    for n in range(1, FEEDS + 1):
        (folder / f"f{n:02d}.rss.xml").write_text(_rss(_feed_items(n)), encoding="utf-8")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / ARCHIVE).write_text(
        _rss([_item("Archived by GUID", guid="a-1"), _item("Archived by title")]),
        encoding="utf-8",
    )
    return tmp_path


def _fill(engine, server: FeedServer, folder: Path) -> None:
    """Poll every served feed once, ignoring validators, and import the archive folder."""
    far = datetime.now(UTC) + timedelta(days=400)
    claimed = store.claim_due_feeds(engine, now=far, limit=100, lease=timedelta(minutes=5))
    assert len(claimed) == FEEDS
    for feed in sorted(claimed, key=lambda f: f.id):
        fresh = dataclasses.replace(feed, etag=None, last_modified=None)
        report = scheduler.poll_feed(engine, fresh, worker="t")
        assert report.outcome == "ok", report.error
    pipeline.import_paths(engine, [folder / "archive"])


def _build(engine, server: FeedServer, folder: Path) -> None:
    for n in range(1, FEEDS + 1):
        feed_id = store.ensure_feed(engine, server.feed_url(f"f{n:02d}.rss.xml"), language="id")
        assert feed_id == n  # the poller keys items on feed:{id}: ids 1 and 12 must exist
    _fill(engine, server, folder)


def _rows(engine) -> dict[int, tuple]:
    a = store.articles.c
    with engine.connect() as conn:
        rows = conn.execute(select(a.id, a.url_key, a.feed_id, a.title, a.guid, a.url)).all()
    return {row.id: tuple(row) for row in rows}


def _keys_by_item(engine) -> dict[tuple, str]:
    """url_key by (feed URL, title): how the same item is found in two stores."""
    a, f = store.articles.c, store.feeds.c
    query = select(f.url, a.title, a.url_key).join_from(
        store.articles, store.feeds, a.feed_id == f.id
    )
    with engine.connect() as conn:
        return {(row[0], row[1]): row[2] for row in conn.execute(query)}


@pytest.fixture
def allow_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")


@pytest.mark.parametrize("second_engine", ["sqlite", "postgres"])
def test_old_keys_are_migrated_to_the_keys_new_code_gives(
    request, feed_dir: Path, allow_local, monkeypatch, second_engine: str
) -> None:
    url = request.getfixturevalue(f"{second_engine}_url")
    with FeedServer(root=feed_dir / "served") as server:
        # 1. A store built by the old code: the old keys, and feed 12's colliding items lost.
        old = store.make_engine(url)
        with monkeypatch.context() as patch:
            patch.setattr("ingest.parse.url_key", old_url_key)
            _build(old, server, feed_dir)
        before = _rows(old)
        titles = {row[3] for row in before.values()}
        assert not LOST & titles, "the old keys no longer lose feed 12's items: test is stale"
        with old.begin() as conn:
            conn.execute(
                delete(store.schema_migrations).where(
                    store.schema_migrations.c.name == "0005_unambiguous_keys"
                )
            )

        # 2. Migrate. Nothing lost, nothing merged, nothing but the key changed.
        assert store.migrate(old) == ["0005_unambiguous_keys"]
        after = _rows(old)
        assert after.keys() == before.keys()
        assert {i: r[2:] for i, r in after.items()} == {i: r[2:] for i, r in before.items()}
        assert len({r[1] for r in after.values()}) == len(after)
        changed = {r[3] for i, r in after.items() if r[1] != before[i][1]}
        linked = {r[3] for r in after.values() if "with a link" in r[3]}
        assert linked and not linked & changed, "URL keys must stay as they were"
        assert {"Story 1 by GUID", "Story 7 by title alone", "Archived by GUID"} <= changed

        # 3. The oracle: a fresh store built by the new code from the same feeds.
        fresh_url = f"sqlite:///{feed_dir / 'fresh.db'}"
        fresh = store.make_engine(fresh_url)
        _build(fresh, server, feed_dir)
        expected = _keys_by_item(fresh)
        migrated = _keys_by_item(old)
        assert migrated == {item: expected[item] for item in migrated}
        assert {title for _, title in expected.keys() - migrated.keys()} == LOST

        # 4. Polling and importing again store exactly the items the old keys had dropped.
        _fill(old, server, feed_dir)
        assert _keys_by_item(old) == expected
        old.dispose()
        fresh.dispose()


def test_a_key_no_way_reproduces_is_left_alone() -> None:
    assert canonical.rekeyed("f" * 40, None, "g-1", "T", ["feed:1", "", None]) is None
    url_row = canonical.url_key("https://a.example/x", "g", "feed:1", "T")
    assert canonical.rekeyed(url_row, "https://a.example/x", "g", "T", ["feed:1"]) is None

"""Full-text storage (issue 13): bytes per article in ``article_texts`` on SQLite and PostgreSQL,
and projected at 1M articles, from real extracted bodies.

    python -m bench.bench_text_storage [FOLDER] [--articles N] [--postgres URL]

FOLDER holds ``pages/`` (default: ../shared/data/articles, the 286 real pages). Every page is
extracted with ``ingest.extract``; N stored articles (default 5000) then get a text row each,
cycling through the real extractions, written by the store's own ``finish_text`` (the path
``enrich`` takes), with bodies kept and again with ``PANTAU_STORE_BODIES=0`` semantics (status,
length and metadata only). Size: SQLite, the growth of the file (VACUUMed) when the rows are
added; PostgreSQL (``--postgres`` or ``PANTAU_TEST_POSTGRES_URL``, a private schema dropped
afterwards), ``pg_total_relation_size('article_texts')`` (table, TOAST, indexes).

Measured here (2,000 articles, 285 real pages with text: mean body 4,577 characters, 5,086
UTF-8 bytes): bodies kept — SQLite 6,523 bytes per article (6.5 GB at 1M), PostgreSQL 4,112
(4.1 GB at 1M: TOAST compresses long text); bodies off — SQLite 383, PostgreSQL 426 bytes
(0.4 GB at 1M). The light tables (articles, tags, aggregates) are untouched either way.

Since then the bodies gained their search indexes (SQLite's FTS5 trigrams and character
pairs; PostgreSQL's trigrams, character pairs, words and joined words) and PostgreSQL's LZ4.
Measured 2026-12-05, 20,000 articles: bodies kept — SQLite 18,456 bytes per article,
PostgreSQL 26,200; bodies off — SQLite 382, PostgreSQL 720. At 2,000 articles PostgreSQL
took 50,250: an index of strings holds each distinct string once, and few repeat among few
bodies, so the per-body figure falls as bodies accumulate (200,000 bodies of 3,610 bytes in
``bench_body_search``'s 1M store: 13,772 bytes each, table, TOAST and indexes).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from ingest import store
from ingest.enrich import _as_utc
from ingest.extract import Extraction, extract
from ingest.records import Article, Tags

REPO = Path(__file__).resolve().parent.parent
MILLION = 1_000_000


def extractions(folder: Path) -> list[Extraction]:
    found = []
    for page in sorted((folder / "pages").glob("*.html")):
        result = extract(page.read_bytes())
        if result.body:
            found.append(result)
    return found


def fill(engine: Engine, n: int) -> list[int]:
    feed_id = store.ensure_feed(engine, "https://bench.example/rss", title="bench")
    now = datetime.now(UTC)
    items = [
        (
            Article(
                url_key=f"{i:064x}",
                url=f"https://site{i % 50}.example/article/{i}",
                guid=None,
                title=f"Article {i}",
                summary="",
                published_at=now - timedelta(minutes=i),
                fetched_at=now,
            ),
            Tags(language="en", language_source="feed"),
        )
        for i in range(n)
    ]
    return store.save_articles(engine, feed_id, items).article_ids


def write_texts(engine: Engine, ids: list[int], found: list[Extraction], keep: bool) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:  # queued rows for every article, as enrich queues them
        conn.execute(
            store.article_texts.insert(),
            [
                {"article_id": i, "status": "claimed", "host": "bench.example", "queued_at": now}
                for i in ids
            ],
        )
    for n, article_id in enumerate(ids):
        ex = found[n % len(found)]
        record = store.TextRecord(
            status=ex.status,
            body=ex.body if keep else None,
            lead=ex.lead if keep else None,
            title=ex.title,
            published_at=_as_utc(ex.published),
            authors=ex.authors,
            language=ex.language,
            chars=ex.chars,
            extractor=ex.extractor,
            fetched_at=now,
            extracted_at=now,
            http_status=200,
            final_url=f"https://bench.example/article/{article_id}",
        )
        claim = store.Claim(article_id, "", "bench.example", 0)
        store.finish_text(engine, claim, record, worker="bench", host_free_at=now)


def sqlite_bytes(n: int, found: list[Extraction], keep: bool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        engine = store.make_engine(f"sqlite:///{path}")
        ids = fill(engine, n)

        def size() -> int:
            engine.dispose()  # then VACUUM outside any transaction, on a plain connection
            raw = sqlite3.connect(path, isolation_level=None)
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            raw.close()
            return path.stat().st_size

        before = size()
        write_texts(engine, ids, found, keep)
        after = size()
        engine.dispose()
    return (after - before) / n


def postgres_bytes(url: str, n: int, found: list[Extraction], keep: bool) -> float:
    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    engine = store.make_engine(scoped)
    try:
        write_texts(engine, fill(engine, n), found, keep)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM article_texts"))
            total = conn.execute(
                text("SELECT pg_total_relation_size('article_texts')")
            ).scalar_one()
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return total / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "articles"
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--postgres", default=os.environ.get("PANTAU_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    found = extractions(args.folder)
    chars = sum(e.chars for e in found) / len(found)
    utf8 = sum(len((e.body or "").encode()) for e in found) / len(found)
    print(
        f"{len(found)} real pages with text: mean body {chars:,.0f} characters, {utf8:,.0f} bytes"
    )
    print("engine       bodies  bytes/article  at 1M articles")
    for keep in (True, False):
        label = "kept" if keep else "off"
        per = sqlite_bytes(args.articles, found, keep)
        print(f"SQLite       {label:6}  {per:13,.0f}  {per * MILLION / 1e9:10.2f} GB")
        if args.postgres:
            per = postgres_bytes(args.postgres, args.articles, found, keep)
            print(f"PostgreSQL   {label:6}  {per:13,.0f}  {per * MILLION / 1e9:10.2f} GB")


if __name__ == "__main__":
    main()

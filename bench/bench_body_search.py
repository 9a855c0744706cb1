"""Text search over article bodies (issue 13 item 7) at 1M articles, on SQLite and PostgreSQL:
query times, the size of the bodies' index and how it grows, and what keeping it costs ingest.

    python -m bench.bench_body_search [--base /tmp/bench-1m.db] [--bodies 200000]
        [--workdir /tmp/bench-body] [--postgres URL] [--repeat 5]

Store: the 1M-article synthetic SQLite store ``--base`` (``bench.synth``) is COPIED to
``--workdir`` (the original is never opened) and migrated; then every fifth article, up to
``--bodies``, gets a body, as if enrichment had read one page in five over the store's year.
The bodies are real text: each is one real extracted body of ``--truth`` (default
tests/fixtures/articles/truth.jsonl: 47 bodies since the Indonesian pages of 2026-12-05; the
figures below were measured on stores built from the 19-21 bodies in 14 languages it held
before: pass ``--truth`` with ``git show bd34f68:tests/fixtures/articles/truth.jsonl`` to
compare) with its sentences shuffled
(seeded), so lengths, scripts and word frequencies are real; 20 of them also carry a name no
other text holds (the rare search). The PostgreSQL store (a schema ``bench_body`` in the
database of ``--postgres``, default ``$PANTAU_TEST_POSTGRES_URL``) gets the same rows by COPY.
Both are built once and reused (delete the file / drop the schema to rebuild).

Bulk rows are written directly (a bench shortcut, like ``bench_scale``'s copies); the index is
then filled by the store's own backfill (migration 0013's ``create_body_index``: SQLite
``fill_body_index``, PostgreSQL CREATE INDEX), timed: the backfill rate. Ingest cost: bodies
stored one page at a time by ``store.finish_text`` (the path ``enrich`` takes), with the index
and without it (SQLite: its two maintenance calls made no-ops for that run, then the bodies
indexed; PostgreSQL: before the GIN index exists).

Queries: ``list_articles`` (the Articles page's first page) and ``count_articles`` for each
search, over the whole year, the last 30 days, and the last 30 days of one country; one cold
call, then the median of ``--repeat`` warm ones.

Measured here (2026-12-05; 1,000,000 articles over a year, 200,000 bodies of 3,659 bytes on
average; 2 cores shared with other jobs, load 1.5-4; warm medians of 3, cold in brackets above):

| search (matches in a year)       | SQLite 30 d list/count | SQLite year  | PostgreSQL 30 d | PostgreSQL year |
|----------------------------------|------------------------|--------------|-----------------|-----------------|
| "government" (37,501)            | 9 / 25 ms              | 9 / 84       | 28 / 216        | 21 / 1,045      |
| "the" (120,026)                  | 11 / 25                | 11 / 111     | 19 / 474        | 18 / 4,033      |
| a rare name (20)                 | 29 / 14                | 18 / 2       | 48 / 24         | 26 / 3          |
| "міністерство" (10,533)          | 43 / 17                | 104 / 26     | 66 / 38         | 196 / 151       |
| "短缺药品" (10,409)               | 32 / 15                | 95 / 22      | 57 / 34         | 199 / 164       |
| "中国", two characters (24,904)  | 11 / 17                | 10 / 31      | 15 / 41         | 15 / 130        |
| "ук", two characters (27,500)    | 18 / 19                | 18 / 35      | 21 / 42         | 21 / 180        |

(30 days under one country: SQLite 18-51 ms, PostgreSQL 37-98 ms, counts 19-491 ms.) Before
this stop: SQLite counted two characters in 0.3-18 s and listed "the" over a year in 657 ms;
PostgreSQL took 2.5-4.6 s for "government" even over 30 days, and 20-26 s for "the" over a
year. What changed: two characters read an index of character pairs (``store.bigrams``);
PostgreSQL tests the raw text with a regular expression of the case variants, or a plain LIKE
when the search has no cased character, through trigram indexes led by the article id, so a
range of up to a quarter tests only its own candidates (migration 0014); and a search's first
pages are looked for among the 2,000 newest articles that meet the other filters before the
whole query runs (``queries.articles._newest_matches``).

PostgreSQL since migration 0020 (2026-12-05, same store, warm medians of 3; the same count
through the trigram indexes beside it, in the same run; a search's page is its list):

| search (matches in a year)    | 30 d list / count | 30 d, USA      | year list / count | year, trigram read |
|-------------------------------|-------------------|----------------|-------------------|--------------------|
| "government" (36,808)         | 33 / 88 ms        | 68 / 92        | 34 / 430          | 1,211              |
| "the" (123,972)               | 30 / 115          | 67 / 122       | 33 / 1,037        | 4,917              |
| a rare name (20)              | 89 / 40           | 117 / 46       | 51 / 8            | 8                  |
| "міністерство" (9,400)        | 112 / 55          | 138 / 58       | 182 / 133         | 183                |
| "短缺药品" (9,514)             | 99 / 56           | 143 / 58       | 170 / 130         | 139                |
| "中国", two characters        | 31 / 69           | 148 / 71       | 34 / 201          | -                  |
| "ук", two characters          | 37 / 66           | 159 / 74       | 36 / 212          | -                  |
| "of the", a phrase (19,145)   | 738 / 701         | 747 / 724      | 4,288 / 4,466     | -                  |
| "Vargas Llosa" (9,520)        | 291 / 243         | 327 / 262      | 506 / 482         | -                  |

(30 days through the trigram read: "government" 327 ms, "the" 662.) What changed: a search of
one word reads an exact index of what each word holds (``store.word_grams``): no text is
tested. Reads of titles and summaries kept to a short range by the articles' own dates (the
planner had ANDed them with the ids of a trigram index: 70-90 ms a field); sessions without JIT
(the word function's price made PostgreSQL compile each search: 390 ms of 620); a page whose
newest-first probe finds too few fetched by the matches' ids (``TextMatch`` ``by_ids``: the
planner had rescanned every match for each article walked, 4.3 s for "міністерство" over a
year). Migration 0020 on this store takes 11-14 min (771 s for a first form of the indexes;
these built alone: titles 3.1 min, summaries 3.6, bodies 7.5 with tests running beside them);
ingest waits for it.

PostgreSQL since the phrases' word reads and migration 0021 (2026-12-05, same store, a quieter
machine; warm medians of 3; beside each, the same in the same run as before: a year's page
read from the whole year at once, and the count through the trigram indexes, which the
by-ids and id-date changes below also sped up):

| search (matches in a year)    | 30 d list / count | 30 d, USA | year list / count | year page, no window | year count, trigram |
|-------------------------------|-------------------|-----------|-------------------|----------------------|---------------------|
| "government" (36,808)         | 29 / 74 ms        | 57 / 78   | 28 / 202          | 29                   | 900                 |
| "the" (123,972)               | 26 / 89           | 50 / 101  | 23 / 272          | 26                   | 3,628               |
| "of the", a phrase (19,145)   | 264 / 222         | 283 / 225 | 274 / 1,597       | 1,739                | 3,671               |
| "Vargas Llosa" (9,520)        | 103 / 68          | 133 / 70  | 102 / 329         | 412                  | 332                 |
| a rare name (20)              | 72 / 36           | 95 / 34   | 39 / 6            | 41                   | 6                   |
| "міністерство" (9,400)        | 77 / 40           | 97 / 41   | 76 / 34           | 136                  | 63                  |
| "短缺药品" (9,514)             | 71 / 41           | 97 / 42   | 74 / 35           | 137                  | 32                  |
| "中国", two characters        | 20 / 52           | 113 / 58  | 18 / 47           | 19                   | -                   |
| "ук", two characters          | 25 / 56           | 121 / 60  | 25 / 65           | 25                   | -                   |

What changed: a phrase is read from the word indexes by its words of 3 characters or more
(``store.word_grams.tsquery_text``: "vargas" ending a word AND a word holding "llosa"; one
GIN read), then each row read is tested; over 30 days "Vargas Llosa" counts in 68 ms against
208 through the trigram reads, whose reads of titles and summaries alone had cost ~100 ms each
for a name none held. Tested reads, and every read over a range longer than a quarter, give
the matches' ids as an array (``TextMatch`` ``by_ids``): the primary key's lookups in id order,
where the IN's hashed union probed it at random (a year's count, interleaved in one run, by ids
/ IN: "the" 554 / 1,284 ms, "government" 347 / 527, "中国" 143 / 225; one case slower, "the"
under one country over a year, 777 / 655), and never the plan a tested read's tiny estimate
invited ("of the" over 30 days: each article of the range checked against every match, 18 s).
Those lookups read each match's date from an index of the ids with their dates (migration
0021, ``search_index.ID_DATE_INDEX``, 30 MB at 1M), not from its row: with it / without it, in
turns in one run, "the" 271 / 400 ms, "government" 200 / 250. A page the newest-first probe
cannot fill, when the probe found some matches, is looked for in the range's last 30 days
before the whole range (``queries.articles._recent_matches``): a year's page of "Vargas Llosa"
102 ms against 412, of "of the" 274 against 1,739.

PostgreSQL since the wider probe (2026-12-05, same store, a busier machine than the run
above; warm medians of 3, ms; beside each page, the same page without the wider probe, in the
same run; counts unchanged by it):

| search                 | 30 d page (no wider probe) | 30 d, USA page | year page | counts 30 d / year |
|------------------------|----------------------------|----------------|-----------|--------------------|
| "of the"               | 69 (281)                   | 154 (314)      | 78 (279)  | 229 / 1,682        |
| "Vargas Llosa"         | 111 (128)                  | 147 (151)      | 125 (119) | 72 / 357           |
| "government"           | 33 (33)                    | 70 (64)        | 36 (32)   | 82 / 238           |
| "the"                  | 28 (30)                    | 62 (56)        | 37 (34)   | 102 / 319          |
| "міністерство"         | 87 (83)                    | 109 (109)      | 85 (90)   | 44 / 33            |

What changed: when the first probe of the 2,000 newest articles finds some of a page but too
few, a second probe of the newest articles, 1.5 times as many as its share of matches says a
page needs, is tested one by one when that is at most 5,000 (``SEARCH_PROBE_MAX``; ~9 µs an
article here; past ~5,000 under a country filter the planner reads the newest articles
another way, 0.3 s). "of the" (2% of articles) found 40 of 50 in the first probe and fills
its page from the 3,750 newest; a name (1%) keeps the window, whose word read is cheap.

Still over 200 ms, on PostgreSQL only, and only counts (the Articles page counts its matches
for its page numbers): counting the commonest words over a year ("the" 0.27-0.32 s,
"government" 0.20-0.24 s: every match's row is read for its id), and phrases whose words are
common ("of the": every body holding "the" is a candidate to test, about 25 µs each;
0.22-0.23 s over 30 days, 1.6-1.7 s over a year) or counted over a year ("Vargas Llosa"
0.33-0.36 s: 9,520 bodies tested). Where a phrase stands in a text is what no PostgreSQL index here records: one
that did (every string of 12 characters across words, as SQLite's FTS5 trigram phrases are
positional) would hold about one distinct entry per character of real text, several GB at 1M
bodies. SQLite's phrases need no test.

PostgreSQL since the index of the words one space joins (migration 0023), titles and
summaries read together, and bodies compressed with LZ4 (0022) (2026-12-05, same store, its
bodies rewritten with LZ4; warm medians of 3, ms; in brackets the same count in the same run
read by the phrase's words and tested, as before 0023):

| search                 | 30 d count | 30 d, USA count | year count   | pages 30 d / USA / year |
|------------------------|------------|-----------------|--------------|-------------------------|
| "of the"               | 59 (222)   | 61 (216)        | 62 (1,431)   | 83 / 179 / 91           |
| "Vargas Llosa"         | 64 (74)    | 48 (83)         | 37 (253)     | 104 / 131 / 99          |
| "government"           | 84         | 96              | 221          | 37 / 86 / 39            |
| "the"                  | 108        | 129             | 366          | 40 / 73 / 31            |

Every other search's page took 30-183 ms and its count 7-95 ms (the two-character searches
under one country: pages 137-183 ms). What changed:
- Two words one space joins are read from ``store.word_pairs``' exact index (each ending of
  the first word up to 12 characters, the space, the second's first 12), with no text tested;
  a longer phrase by each of its pairs, then tested. Before, a phrase's rows were those
  holding each of its words, every one tested: all bodies holding "the" for "of the".
- A word's or a pair's matches in titles and summaries come from one read of both fields (the
  two bitmaps ORed): "government" counted over a year, in turns in one run, 239 ms with two
  reads, 172 with one (43,350 ids from two reads of the same rows, 27,300 from one).
- Bodies are compressed with LZ4 instead of pglz: reading a body to test it costs about half
  (9,520 bodies read and tested: 241 ms with pglz, 132 with LZ4; "of the" counted over a year
  by its words, before the pairs' index: 1,673 ms, then 1,302). The bodies and their TOAST
  take 606 MB with LZ4 against 508 with pglz (+19%).

The commonest words over a year were still over 200 ms in those runs ("the" 0.30-0.37 s,
"government" 0.17-0.22 s): each of 124,000 (37,000) matches is read from its row for its id
(titles 16,000 pages, bodies 19,000) and then looked up for its date. That server ran with
PostgreSQL's default ``shared_buffers`` (128 MB), below the 35,000 pages (280 MB) those reads
touch, so every count read them again from the system's cache; the deploy figures
(deploy/README.md) are measured with 2 GB, and the compose file now gives 1 GB.

PostgreSQL by its memory (2026-12-05, same store; each server restarted with that
``shared_buffers``, ``work_mem`` 64 MB, the bench run at once: warm medians of 3, ms, and in
brackets the first, cold run after the restart); the matched ids now reach their lookups in
order of id (``_on_postgres``: "the" over a year 195 -> 186 ms in turns in one run):

| search, year count / page | 128 MB          | 1 GB (compose) | 2 GB (deploy figures) |
|---------------------------|-----------------|----------------|-----------------------|
| "the"                     | 293 (318) / 26  | 178 (317) / 21 | 183 (997) / 24        |
| "government"              | 148 (252) / 26  | 77 (259) / 24  | 90 (1,224) / 25       |

With 2 GB every search's page took 14-128 ms and every count 4-183 ms (30 days: 34-105 ms;
"of the" 42-48, "Vargas Llosa" 28-39). So with the memory PostgreSQL's documentation advises
(a quarter of the host's), every search at 1M answers in under 200 ms on both engines. A first
read after the server starts fills its memory from the system's cache (the 2 GB server's first
counts of a year, 1.0-1.2 s, read the most); then the pages stay.

SQLite since its pages take the wider probe and the last 30 days too (2026-12-05, the same
1M store rebuilt, ``--truth`` the 21 bodies above; warm medians of 3, ms; in brackets the
page in the same store before, by its whole query after the first probe):

| search                 | year page / count | 30 d page / count | 30 d, USA page / count |
|------------------------|-------------------|-------------------|------------------------|
| "of the"               | 29 (197) / 87     | 28 (56) / 26      | 62 / 31                |
| "Vargas Llosa"         | 48 (142) / 55     | 49 / 24           | 56 / 27                |
| "міністерство"         | 56 (124) / 30     | 53 / 25           | 64 / 24                |
| "短缺药品"             | 43 (115) / 27     | 43 / 19           | 49 / 21                |
| "government"           | 15 / 113          | 14 / 33           | 25 / 38                |
| "the"                  | 15 / 152          | 16 / 34           | 27 / 45                |

Every SQLite page took 13-78 ms and every count 3-152 ms (two characters: pages 13-78,
counts 20-40; the rare name 27-53 / 3-19). The probes test each article with SQLite's own LIKE
first, so a wider one costs little there too; before, a year's page of "of the" read every
match of a phrase of common trigrams.

Index sizes (they grow with the bodies and articles, not with searches):
- SQLite: ``body_search`` 1,502 MB (7,508 bytes per body, 2.05 per byte of body text: 7.5 GB at
  1M such bodies), ``article_search`` 288 MB for 1M articles; the pairs' indexes ``body_pairs``
  108 MB (540 bytes per body, 0.15 per byte) and ``article_pairs`` 82 MB (82 bytes per article).
- PostgreSQL, the word indexes (0020): bodies 623 MB (3,115 bytes per body, 0.86 per byte of
  body text: 3.1 GB at 1M such bodies), titles 45 MB and summaries 61 MB for 1M articles.
- PostgreSQL, the index of the words one space joins (0023): bodies 1,012 MB (5,062 bytes per
  body, 1.40 per byte of body text: 5.1 GB at 1M such bodies), titles 71 MB and summaries
  105 MB for 1M articles. Migrations 0022 and 0023 on this store: 845 s (0022 alone is
  instant: it sets the column's compression; bodies stored before keep pglz). Keeping the
  index: a body stored one page at a time (``finish_text``, 1,000 real bodies into a new
  store, in turns) 35-43 bodies/s with it, 52-82 without (its function ~3.7 ms a body);
  importing the 64 fixture feeds into PostgreSQL (titles and summaries), best of 3 in turns,
  19.6 s with it and 20.5 without, within this machine's noise.
- PostgreSQL: the body trigram index 428 MB (2,140 bytes per body, 0.58 per byte: 2.1 GB at 1M
  bodies), title 65 MB and summary 94 MB; the pairs' expression indexes 233 MB for the bodies
  (1,165 bytes each, 0.32 per byte), 49 + 77 MB for titles and summaries.
- Migration 0015 (the pairs' indexes) on this store: SQLite about 4 min, PostgreSQL 735 s (its
  pairs function costs ~1.3 ms a body); 0014 rebuilds PostgreSQL's trigram indexes (2.6 min
  for the bodies here).
- Storing: the pairs add ~0.3 s to importing the 64 fixture feeds (2,790 articles) on SQLite,
  about 6%; a body's pairs take ~0.4 ms to make.
- Earlier (2026-12-04): backfill of the trigram body index SQLite 545 bodies/s, PostgreSQL 512;
  ingest one body at a time SQLite 47/s with the index (302/s without), PostgreSQL 89/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import psycopg
from sqlalchemy import Engine, create_engine, make_url, select, text

from ingest import queries, store
from ingest.queries import Filters
from ingest.queries import articles as article_queries
from ingest.store import search_index, texts, word_grams, word_pairs

REPO = Path(__file__).resolve().parent.parent
SCHEMA = "bench_body"
STEP = 5  # every fifth article has a body
RARE = "Zhvaniashvili"  # planted in RARE_BODIES bodies, nowhere else
RARE_BODIES = 20
INGEST_SAMPLE = 1000  # bodies stored one by one, with and without the index, each (--ingest-sample)
COPY_BATCH = 20_000
SEARCHES = [
    ("common word", "government"),
    ("stop word", "the"),
    ("common phrase", "of the"),
    ("name, two words", "Vargas Llosa"),
    ("rare name", RARE),
    ("Cyrillic word", "міністерство"),
    ("Han phrase", "短缺药品"),
    ("2 chars, Han", "中国"),
    ("2 chars, Cyrillic", "ук"),
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# The bodies


def source_bodies(truth: Path) -> list[list[str]]:
    """The sentences of each real body (paragraph breaks kept as their own items)."""
    found = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        body = json.loads(line).get("body") or ""
        if body:
            found.append([s for s in re.split(r"(?<=[.!?。！？])\s*", body) if s])
    return found


def make_body(sources: list[list[str]], n: int) -> str:
    rng = random.Random(n)
    sentences = list(rng.choice(sources))
    rng.shuffle(sentences)
    body = " ".join(sentences)
    if n % (1 + 10_000 // RARE_BODIES) == 0 and n // (1 + 10_000 // RARE_BODIES) < RARE_BODIES:
        cut = rng.randrange(len(body) + 1)
        body = body[:cut] + f" {RARE} " + body[cut:]
    return body


def body_ids(path: Path, bodies: int) -> list[int]:
    """The articles that get a body: every STEP-th id, ``bodies`` of them and the ingest
    samples (the same ids on both engines: PostgreSQL's rows are copied with their ids)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id FROM articles WHERE id % ? = 0 ORDER BY id LIMIT ?",
            (STEP, bodies + 2 * INGEST_SAMPLE),
        ).fetchall()
    finally:
        conn.close()
    return [row[0] for row in rows]


def text_rows(ids: list[int], sources: list[list[str]], bulk: int) -> Iterator[dict[str, Any]]:
    """Rows of ``article_texts``: the first ``bulk`` ids with their body, the rest claimed
    without one (the ingest samples)."""
    now = datetime(2026, 12, 5, tzinfo=UTC)
    for n, article_id in enumerate(ids):
        body = make_body(sources, n) if n < bulk else None
        yield {
            "article_id": article_id,
            "status": "ok" if body else "claimed",
            "host": f"site{article_id % 50}.example",
            "body": body,
            "chars": len(body or ""),
            "queued_at": now,
            "extracted_at": now if body else None,
            "attempts": 1,
        }


def store_bodies_one_by_one(engine: Engine, ids: list[int], sources: list[list[str]]) -> float:
    """Bodies stored per second by ``finish_text``, one page per call as enrich stores them."""
    now = datetime.now(UTC)
    started = time.perf_counter()
    for n, article_id in enumerate(ids):
        body = make_body(sources, 10_000_000 + n)
        record = store.TextRecord(
            status="ok", body=body, chars=len(body), extracted_at=now, fetched_at=now
        )
        claim = store.Claim(article_id, "", "bench.example", 0)
        store.finish_text(engine, claim, record, worker="bench", host_free_at=now)
    return len(ids) / (time.perf_counter() - started)


@contextmanager
def sqlite_index_maintenance_off() -> Iterator[None]:
    """For the 'without the index' ingest run on SQLite only."""
    saved = texts.index_bodies, texts.unindex_bodies
    texts.index_bodies = texts.unindex_bodies = lambda *a, **k: None  # type: ignore[assignment]
    try:
        yield
    finally:
        texts.index_bodies, texts.unindex_bodies = saved


# --------------------------------------------------------------------------------------------
# SQLite


def sqlite_sizes(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT CASE WHEN name LIKE 'body_search%' THEN 'body index' "
            "WHEN name LIKE 'article_search%' THEN 'title+summary index' ELSE 'rest' END, "
            "sum(pgsize) FROM dbstat GROUP BY 1"
        ).fetchall()
        sizes = dict(rows)
        sizes["body text"] = conn.execute(
            "SELECT sum(length(CAST(body AS BLOB))) FROM article_texts"
        ).fetchone()[0]
        sizes["bodies"] = conn.execute(
            "SELECT count(*) FROM article_texts WHERE body IS NOT NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    return sizes


def build_sqlite(args: argparse.Namespace, sources: list[list[str]]) -> tuple[str, dict]:
    path = args.workdir / "body-search-1m.db"
    marker = path.with_suffix(".json")
    url = f"sqlite:///{path}"
    if marker.exists():
        log(f"SQLite: reusing {path}")
        return url, json.loads(marker.read_text())
    log(f"SQLite: copying {args.base} to {path}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.base, path)
    started = time.perf_counter()
    engine = store.make_engine(url)
    log(f"  migrated in {time.perf_counter() - started:,.0f} s")
    figures: dict[str, Any] = {}
    ids = body_ids(path, args.bodies)
    bulk = len(ids) - 2 * INGEST_SAMPLE
    started = time.perf_counter()
    rows = text_rows(ids, sources, bulk)
    while batch := [row for _, row in zip(range(COPY_BATCH), rows, strict=False)]:
        with store.write(engine) as conn:
            conn.execute(store.article_texts.insert(), batch)
    log(f"  {bulk:,} bodies written (bulk) in {time.perf_counter() - started:,.0f} s")
    engine.dispose()
    before = sqlite_sizes(path)
    started = time.perf_counter()
    with store.write(engine) as conn:
        search_index.fill_body_index(conn)  # migration 0013's backfill
    figures["backfill bodies/s"] = bulk / (time.perf_counter() - started)
    log(f"  body index filled: {figures['backfill bodies/s']:,.0f} bodies/s")
    samples = ids[bulk:]
    figures["ingest bodies/s with index"] = store_bodies_one_by_one(
        engine, samples[:INGEST_SAMPLE], sources
    )
    with sqlite_index_maintenance_off():
        figures["ingest bodies/s without index"] = store_bodies_one_by_one(
            engine, samples[INGEST_SAMPLE:], sources
        )
    with store.write(engine) as conn:  # the invariant back: every stored body indexed
        search_index.index_bodies(
            conn, store.article_texts.c.article_id.in_(samples[INGEST_SAMPLE:])
        )
    engine.dispose()
    after = sqlite_sizes(path)
    figures.update(sizes=after, body_index_before_fill=before.get("body index", 0))
    marker.write_text(json.dumps(figures))
    return url, figures


# --------------------------------------------------------------------------------------------
# PostgreSQL


def scoped(url: str) -> str:
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={SCHEMA} -ctimezone=UTC"})
        .render_as_string(hide_password=False)
    )


def libpq(url: str) -> str:
    u = make_url(url)
    return (
        f"host={u.host} port={u.port or 5432} dbname={u.database} user={u.username}"
        + (f" password={u.password}" if u.password else "")
        + f" options='-csearch_path={SCHEMA} -ctimezone=UTC'"
    )


def pg_sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:

        def one(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar_one() or 0)

        return {
            "body index": one(
                f"SELECT coalesce(pg_relation_size(to_regclass('{search_index.BODY_INDEX}')), 0)"
            ),
            "title+summary index": one(
                "SELECT coalesce(pg_relation_size(to_regclass('ix_articles_title_trgm')), 0)"
                " + coalesce(pg_relation_size(to_regclass('ix_articles_summary_trgm')), 0)"
            ),
            "article_texts total": one("SELECT pg_total_relation_size('article_texts')"),
            "body text": one("SELECT sum(octet_length(body)) FROM article_texts"),
            "bodies": one("SELECT count(*) FROM article_texts WHERE body IS NOT NULL"),
        }


def copy_table(
    lite: sqlite3.Connection, pg: psycopg.Connection, table: str, columns: list[str]
) -> None:
    cols = ", ".join(columns)
    cursor = lite.execute(f"SELECT {cols} FROM {table}")  # noqa: S608 (bench: fixed names)
    with pg.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        while rows := cursor.fetchmany(COPY_BATCH):
            for row in rows:
                copy.write_row(row)


def postgres_built(admin_url: str) -> bool:
    """Whether the PostgreSQL store is built already (then it is reused as it is)."""
    admin = create_engine(admin_url)
    try:
        with admin.connect() as conn:
            return (
                conn.execute(
                    text("SELECT to_regclass(:t)"), {"t": f"{SCHEMA}.bench_body_figures"}
                ).scalar_one()
                is not None
            )
    finally:
        admin.dispose()


def build_postgres(
    args: argparse.Namespace, sources: list[list[str]], sqlite_path: Path
) -> tuple[str, dict]:
    url = scoped(args.postgres)
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # What the server's memory is decides the long ranges' counts (see above).
        log(f"PostgreSQL: shared_buffers {conn.exec_driver_sql('SHOW shared_buffers').scalar()}")
        marker = conn.execute(
            text("SELECT to_regclass(:t)"), {"t": f"{SCHEMA}.bench_body_figures"}
        ).scalar_one()
        if marker is not None:
            log(f"PostgreSQL: reusing schema {SCHEMA}")
            figures = conn.execute(
                text(f"SELECT figures FROM {SCHEMA}.bench_body_figures")
            ).scalar_one()
            admin.dispose()
            return url, json.loads(figures)
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    log(f"PostgreSQL: building schema {SCHEMA}")
    engine = store.make_engine(url)
    with engine.begin() as conn:  # the copies below go faster without the trigram indexes
        for name in ("ix_articles_title_trgm", "ix_articles_summary_trgm", search_index.BODY_INDEX):
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    lite = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    pg_columns = {
        t: [c.name for c in getattr(store, t).columns]
        for t in ("feeds", "articles", "article_countries")
    }
    started = time.perf_counter()
    with psycopg.connect(libpq(args.postgres)) as pg:
        for table, columns in pg_columns.items():
            lite_columns = {r[1] for r in lite.execute(f"PRAGMA table_info({table})")}
            copy_table(lite, pg, table, [c for c in columns if c in lite_columns])
            pg.commit()
            log(f"  {table} copied ({time.perf_counter() - started:,.0f} s)")
        pg.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), max(id)) FROM articles")
        pg.execute("SELECT setval(pg_get_serial_sequence('feeds', 'id'), max(id)) FROM feeds")
        ids = body_ids(sqlite_path, args.bodies)
        bulk = len(ids) - 2 * INGEST_SAMPLE
        columns = list(next(text_rows(ids[:1], sources, 1)))
        with (
            pg.cursor() as cur,
            cur.copy(f"COPY article_texts ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in text_rows(ids, sources, bulk):
                copy.write_row([row[c] for c in columns])
        pg.commit()
    lite.close()
    log(f"  {bulk:,} bodies copied ({time.perf_counter() - started:,.0f} s)")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    figures: dict[str, Any] = {}
    samples = ids[bulk:]
    figures["ingest bodies/s without index"] = store_bodies_one_by_one(
        engine, samples[INGEST_SAMPLE:], sources
    )
    with engine.begin() as conn:
        started = time.perf_counter()
        search_index.create_search_index(conn)
        figures["title+summary index build s"] = time.perf_counter() - started
        started = time.perf_counter()
        search_index.create_body_index(conn)  # migration 0013 on a store holding bodies
        figures["backfill bodies/s"] = bulk / (time.perf_counter() - started)
    log(f"  body index built: {figures['backfill bodies/s']:,.0f} bodies/s")
    figures["ingest bodies/s with index"] = store_bodies_one_by_one(
        engine, samples[:INGEST_SAMPLE], sources
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    figures["sizes"] = pg_sizes(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_body_figures (figures TEXT)"))
        conn.execute(text("INSERT INTO bench_body_figures VALUES (:f)"), {"f": json.dumps(figures)})
    engine.dispose()
    return url, figures


# --------------------------------------------------------------------------------------------
# Queries


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    started = time.perf_counter()
    result = call()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        warm.append(time.perf_counter() - started)
    return cold * 1000, statistics.median(warm) * 1000, result


def index_sizes(engine: Engine) -> dict[str, int]:
    """The text-search indexes as they are now (after any migration the open applied), bytes:
    the trigram indexes and the indexes of character pairs (two-character searches)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            names = (store.SEARCH_TABLE, store.BODY_TABLE, store.ARTICLE_PAIRS, store.BODY_PAIRS)
            rows = conn.exec_driver_sql("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").all()
            return {
                table: sum(size for part, size in rows if part.startswith(table + "_"))
                for table in names
            }
        names = [*(i[0] for i in search_index.TRIGRAM_INDEXES)]
        names += [i[0] for i in search_index.PAIR_INDEXES]
        names += [i[0] for i in search_index.GRAM_INDEXES]
        names += [i[0] for i in search_index.WORD_PAIR_INDEXES]
        return {
            n: int(
                conn.execute(
                    text("SELECT coalesce(pg_relation_size(to_regclass(:n)), 0)"), {"n": n}
                ).scalar_one()
            )
            for n in names
        }


@contextmanager
def trigram_reads_only() -> Iterator[None]:
    """PostgreSQL's searches of words and phrases read through the trigram indexes, as before
    migration 0020 (the baseline beside the word indexes' read)."""
    with without_word_pairs(), patch.object(word_grams, "answers", lambda needle: False):
        yield


def without_word_pairs() -> AbstractContextManager[Any]:
    """PostgreSQL's phrases read by their words and every row holding them tested, as before
    migration 0023 (the baseline beside the read of the words one space joins)."""
    return patch.object(word_pairs, "answers", lambda needle: False)


@contextmanager
def without_window() -> Iterator[None]:
    """A search's page that the newest-first probe cannot fill read from the whole range at
    once, as before the window of the range's last days (the baseline beside it)."""
    recent = article_queries._recent_matches
    article_queries._recent_matches = lambda *args: None  # type: ignore[assignment]
    try:
        yield
    finally:
        article_queries._recent_matches = recent


@contextmanager
def without_wider_probe() -> Iterator[None]:
    """A search's page that the first newest-first probe cannot fill looked for without the
    second, wider probe (as before it: the window, then the whole range)."""
    cap = article_queries.SEARCH_PROBE_MAX
    article_queries.SEARCH_PROBE_MAX = 0
    try:
        yield
    finally:
        article_queries.SEARCH_PROBE_MAX = cap


def time_queries(name: str, url: str, repeat: int) -> None:
    engine = store.make_engine(url, migrate_now=False)
    started = time.perf_counter()
    applied = store.migrate(engine)
    if applied:
        log(f"{name}: migrations {', '.join(applied)} in {time.perf_counter() - started:,.0f} s")
    print(f"\n{name}: text-search indexes now")
    for index, size in index_sizes(engine).items():
        print(f"  {index:32} {size / 1e6:10,.0f} MB")
    with engine.connect() as conn:
        last = conn.execute(
            select(store.articles.c.published_day)
            .order_by(store.articles.c.published_day.desc())
            .limit(1)
        ).scalar_one()
    end = date.fromisoformat(last)
    ranges = [
        ("year", Filters(end - timedelta(days=365), end)),
        ("30 days", Filters(end - timedelta(days=29), end)),
        ("30 days, USA", Filters(end - timedelta(days=29), end, countries=("USA",))),
    ]
    print(f"\n{name}: median of {repeat} warm runs (cold run in brackets), ms")
    print(f"{'search':30} {'range':14} {'matches':>8} {'list page':>18} {'count':>18}")
    postgres = engine.dialect.name != "sqlite"
    for label, needle in SEARCHES:
        for range_label, f in ranges:
            g = f.with_(search=needle)
            lcold, lwarm, _ = timed(lambda g=g: queries.list_articles(engine, g), repeat)
            ccold, cwarm, n = timed(lambda g=g: queries.count_articles(engine, g), repeat)
            baseline = ""
            if postgres:
                # The same page without the wider probe, as before it.
                with without_wider_probe():
                    _, pwarm, page = timed(lambda g=g: queries.list_articles(engine, g), repeat)
                baseline = f"   page, no wider probe: {pwarm:,.0f}"
            if postgres and range_label == "year":
                # The same page read from the whole year at once, as before the window.
                with without_window(), without_wider_probe():
                    _, wwarm, page = timed(lambda g=g: queries.list_articles(engine, g), repeat)
                baseline += f"   page, no window: {wwarm:,.0f}"
            if postgres and word_pairs.answers(needle.lower()):
                # The same page and count read by the phrase's words, as before 0023.
                with without_word_pairs():
                    _, wpage, _ = timed(lambda g=g: queries.list_articles(engine, g), repeat)
                    _, wcount, wn = timed(lambda g=g: queries.count_articles(engine, g), repeat)
                assert wn == n, (needle, range_label, wn, n)
                baseline += f"   by its words: page {wpage:,.0f}, count {wcount:,.0f}"
            if postgres and word_grams.answers(needle.lower()):
                # The same count through the trigram indexes, as before the word indexes.
                with trigram_reads_only():
                    _, bwarm, bn = timed(lambda g=g: queries.count_articles(engine, g), repeat)
                assert bn == n, (needle, range_label, bn, n)
                baseline += f"   count, trigram read: {bwarm:,.0f}"
            print(
                f"{label + ' ' + repr(needle):30} {range_label:14} {n:8,} "
                f"{lwarm:10.0f} ({lcold:5.0f}) {cwarm:10.0f} ({ccold:5.0f}){baseline}",
                flush=True,
            )
    engine.dispose()


def report_build(name: str, figures: dict) -> None:
    sizes = figures["sizes"]
    bodies = sizes["bodies"] or 1
    print(
        f"\n{name}: {sizes['bodies']:,} bodies, {sizes['body text'] / bodies:,.0f} bytes of text each"
    )
    for key, value in sizes.items():
        if key != "bodies":
            print(f"  {key:24} {value / 1e6:10,.0f} MB  {value / bodies:8,.0f} bytes per body")
    index = sizes["body index"]
    print(
        f"  body index: {index / sizes['body text']:.2f} bytes per byte of body text; "
        f"at 1M bodies of this length ≈ {index / bodies * 1e6 / 1e9:.1f} GB"
    )
    for key, value in figures.items():
        if key != "sizes" and not isinstance(value, dict):
            print(f"  {key:32} {value:10,.1f}")


def main() -> None:
    global INGEST_SAMPLE  # noqa: PLW0603 (one knob, read by the builders)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/bench-1m.db"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-body"))
    parser.add_argument("--bodies", type=int, default=200_000)
    parser.add_argument(
        "--truth", type=Path, default=REPO / "tests" / "fixtures" / "articles" / "truth.jsonl"
    )
    parser.add_argument("--postgres", default=os.environ.get("PANTAU_TEST_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--ingest-sample", type=int, default=INGEST_SAMPLE)
    args = parser.parse_args()
    INGEST_SAMPLE = args.ingest_sample
    engines = args.engine or ["sqlite", "postgres"]
    sources = source_bodies(args.truth)
    chars = statistics.mean(len(" ".join(s)) for s in sources)
    log(f"{len(sources)} real bodies as sources, mean {chars:,.0f} characters")
    sqlite_path = args.workdir / "body-search-1m.db"
    if "sqlite" in engines or not (args.postgres and postgres_built(args.postgres)):
        url, figures = build_sqlite(args, sources)  # PostgreSQL's store is copied from it
        if "sqlite" in engines:
            report_build("SQLite", figures)
            time_queries("SQLite", url, args.repeat)
    if "postgres" in engines and args.postgres:
        pg_url, pg_figures = build_postgres(args, sources, sqlite_path)
        report_build("PostgreSQL", pg_figures)
        time_queries("PostgreSQL", pg_url, args.repeat)


if __name__ == "__main__":
    main()

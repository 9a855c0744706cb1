"""The dashboard's people-and-organisations reads at 1M articles (issue 14): the Overview's
"People and organisations in the news" (``entity_counts``), the Articles page under an entity
filter (``list_articles`` + ``count_articles``), a page's entity evidence (``article_entities``).

    python -m bench.bench_entity_reads --base /tmp/al-1m.db [--workdir /tmp/entb] [--repeat 5]
    python -m bench.bench_entity_reads --url postgresql+psycopg://pantau@127.0.0.1:55433/pantau_pgm

Store: a 1M-article synthetic SQLite store (``bench.synth``, e.g. the one ``bench_alerts``
builds) is COPIED to ``--workdir`` (the original is never opened) and given entity tags as the
demo store has them: one article in five names someone (313 of the demo's 1,547), 1.44 entities
each on average, chosen with a Zipf law over the 194 entities (a few people in most stories),
seeded. With ``--url`` the store at that URL (e.g. PostgreSQL) is used in place and given the
same tags when it has none. Rows are written directly (a bench shortcut; the tagger writes the same columns).
Each read: one cold call, then the median of ``--repeat`` warm ones, over the last 30 days and
the whole year, with and without a country filter.

Measured here (2026-12-05; 1,000,000 articles over a year, 284,817 entity rows; the busiest
entity is in 57,709 articles of the year, the rarest in 170; SQLite, median of 5 warm runs):

| read (a year; a year with c=RUS)           | EXISTS per article | id IN (the tags' index) |
|--------------------------------------------|--------------------|-------------------------|
| count, busiest entity                      | 318 ms; 551 ms     | 65 ms; 102 ms           |
| count, rarest entity                       | 314 ms; 564 ms     | 1 ms; 1 ms              |
| list page, busiest entity                  | 3 ms; 6 ms         | 197 ms; 162 ms          |
| list page, rarest entity                   | 101 ms; 582 ms     | 5 ms; 4 ms              |
| the Articles page (list + count), worst    | 1,146 ms           | 262 ms                  |

Over the last 30 days every read is within 150 ms either way (the busiest entity's list page 3 →
81 ms). The Overview's entity chart (``entity_counts``) is not changed by the filter's form:
33 ms for 30 days, 300 ms for a year, 550 ms for a year of one country (no aggregate carries
entities; every count is a scan of the period's tags).

On PostgreSQL 15 (2026-12-05; the machine's 2 cores shared with other work throughout), with
``--url``, on the 1M store bench_story_reads describes (built on the server by ``bench.synth
--url``, this bench's tags added, then VACUUM ANALYZE: the same 284,817 entity rows, the same
busiest and rarest entities) beside its SQLite twin the same hour; warm medians of 5, ms:

| read (PostgreSQL / SQLite)                   | 30 days  | a year    | a year, c=RUS |
|----------------------------------------------|----------|-----------|---------------|
| entity_counts (Overview chart, top 15)       | 48 / 38  | 197 / 343 | 249 / 631     |
| list_articles, busiest entity (a page of 50) | 7 / 90   | 6 / 220   | 20 / 183      |
| count_articles, busiest entity               | 22 / 72  | 93 / 74   | 168 / 119     |
| list_articles, rarest entity                 | 5 / 3    | 7 / 5     | 7 / 4         |
| count_articles, rarest entity                | 2 / 1    | 2 / 1     | 2 / 2         |
| the Articles page (list + count), worst      | 29 / 162 | 99 / 294  | 188 / 302     |

``article_entities`` for a page of 50: 1 / 0 ms. Nothing here is slow on PostgreSQL (EXPLAIN
ANALYZE): the busiest entity's count of a year hashes its tags (``ix_article_entities_qid``)
and joins them to an index-only scan of the year's articles (``ix_articles_published``); its
list page walks that index newest first, probing each article's tags by primary key, and
stops at the 50th (878 articles read).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from ingest import store
from ingest.filters import Filters
from ingest.queries import count_articles, list_articles
from ingest.queries.entities import article_entities, entity_counts
from ingest.tagging.entities import all_entities

SHARE_WITH_ENTITIES = 313 / 1547  # the demo store's share
ENTITIES_PER_ARTICLE = 451 / 313
ZIPF_S = 1.1
SEED = 14


def fill(url: str) -> int:
    """Entity rows for one article in five (seeded), as the demo store has them."""
    engine = create_engine(url)
    rng = random.Random(SEED)
    qids = [e.qid for e in all_entities()]
    rng.shuffle(qids)
    weights = [1 / (rank + 1) ** ZIPF_S for rank in range(len(qids))]
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM article_entities")).scalar():
            return int(conn.execute(text("SELECT count(*) FROM article_entities")).scalar())
        ids = [r[0] for r in conn.execute(text("SELECT id FROM articles ORDER BY id"))]
        rows = []
        extra = ENTITIES_PER_ARTICLE - 1
        for article_id in ids:
            if rng.random() >= SHARE_WITH_ENTITIES:
                continue
            count = 1 + sum(rng.random() < extra / 2 for _ in range(2))
            for qid in set(rng.choices(qids, weights, k=count)):
                evidence = json.dumps([{"text": qid, "type": "entity", "start": 0,
                                        "field": "title"}])  # fmt: skip
                rows.append(
                    {"article_id": article_id, "qid": qid, "mentions": 1, "evidence": evidence,
                     "prominence": "title", "body_mentions": 0, "prominent": True}
                )  # fmt: skip
        conn.execute(store.article_entities.insert(), rows)  # portable (PostgreSQL's boolean)
        conn.execute(text("ANALYZE"))
    return len(rows)


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(cold seconds, median warm seconds, the first call's result) of ``call``."""
    began = time.perf_counter()
    result = call()
    cold = time.perf_counter() - began
    warm = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        warm.append(time.perf_counter() - began)
    return cold, statistics.median(warm), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="/tmp/al-1m.db")
    parser.add_argument("--workdir", default="data/bench-entities")
    parser.add_argument("--url", help="use (and fill) the store at this SQLAlchemy URL instead")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    url = args.url
    if not url:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "entities-1m.db"
        if not db.exists():
            shutil.copyfile(args.base, db)
        url = f"sqlite:///{db}"
    engine = store.make_engine(url)
    began = time.perf_counter()
    rows = fill(url)
    print(f"entity rows: {rows:,} ({time.perf_counter() - began:.1f} s to write or find)")
    with engine.connect() as conn:
        last = conn.execute(select(func.max(store.articles.c.published_at))).scalar()
        total = conn.execute(select(func.count()).select_from(store.articles)).scalar()
    end = last if isinstance(last, date) else date.fromisoformat(str(last)[:10])
    if hasattr(end, "date"):
        end = end.date()
    print(f"articles: {total:,}, last day {end}")
    top = entity_counts(engine, Filters(end - timedelta(days=364), end), limit=3)
    busiest, rare = (
        top["qid"].iloc[0],
        entity_counts(engine, Filters(end - timedelta(days=364), end))["qid"].iloc[-1],
    )
    views = {
        "30 days": Filters(end - timedelta(days=29), end),
        "year": Filters(end - timedelta(days=364), end),
        "year, RUS": Filters(end - timedelta(days=364), end, countries=("RUS",)),
    }
    print(f"{'read':46s} {'cold':>8s} {'warm':>8s}  result")
    for name, f in views.items():
        cold, warm, df = timed(lambda f=f: entity_counts(engine, f, limit=15), args.repeat)
        print(
            f"{'entity_counts (Overview chart) ' + name:46s} {cold * 1000:7.0f}ms {warm * 1000:7.0f}ms  {len(df)} rows"
        )
        for label, qid in (("busiest", busiest), ("rarest", rare)):
            g = f.with_(entities=(qid,))
            cold, warm, df = timed(lambda g=g: list_articles(engine, g), args.repeat)
            print(
                f"{f'list_articles entity={label} ' + name:46s} {cold * 1000:7.0f}ms {warm * 1000:7.0f}ms  {len(df)} rows"
            )
            cold, warm, n = timed(lambda g=g: count_articles(engine, g), args.repeat)
            print(
                f"{f'count_articles entity={label} ' + name:46s} {cold * 1000:7.0f}ms {warm * 1000:7.0f}ms  {n:,}"
            )
    page = list_articles(engine, views["30 days"])
    cold, warm, found = timed(lambda: article_entities(engine, list(page["id"])), args.repeat)
    print(
        f"{'article_entities (a page of ' + str(len(page)) + ')':46s} {cold * 1000:7.0f}ms {warm * 1000:7.0f}ms  {len(found)} with entities"
    )


if __name__ == "__main__":
    sys.exit(main())

"""The dashboard's counts when they count stories (issue 14 item 5, ``count=stories``) beside
the same counts of articles, at 1M articles.

    python -m bench.bench_story_reads --db data/bench-entities/entities-1m.db [--repeat 5]
    python -m bench.bench_story_reads --url postgresql+psycopg://pantau@127.0.0.1:55433/pantau_pgm

Store: a 1M-article synthetic SQLite store (``bench.synth``, as ``bench_alerts`` or
``bench_entity_reads`` build it; opened read-only in spirit: nothing is written once migrated)
whose articles carry their stories (migration 0011 assigns them). Counting articles reads the
daily aggregates. Counting stories with no content filter (a page's total, the "all coverage"
series, the base of a share, the Stories page's ranking) reads ``story_days`` (migration 0016:
each story's articles per day × feed × language; 20,633 rows here), and the story counts per
country and pair (the map, the top pairs, the countries' coverage series) read
``story_country_days`` and ``story_pair_days`` (migration 0017: which stories mention each
country and each pair per day × feed × language, with whether one article names it prominently;
397,109 and 445,001 rows here, against 1,574,615 country tags; 64 MB with their keys and the
countries' index; the migration fills them in 10 s). Their distinct stories are counted over the
range's rows, never summed, so they are exact. Each read: one cold call, then the median of
``--repeat`` warm ones, over the last 30 days and the whole year.

Measured here (2026-12-05; SQLite, 1,000,000 synthetic articles over a year in 7,853 stories;
warm medians of 3; articles / stories, and in brackets stories before 0017, the code before it
run on the same store the same hour; the machine was shared and loaded, so the figures before it
are 1.5–2× those measured quieter the day before: 169 / 1,572, 210 / 1,962, 458 / 3,508 ms):

| read                                | 30 days                | a year                     |
|-------------------------------------|------------------------|----------------------------|
| count (a page's total)              | 0 ms / 0 ms (0)        | 1 ms / 3 ms (7)            |
| country_counts (map, Overview)      | 8 ms / 14 ms (246)     | 16 ms / 209 ms (2,952)     |
| pair_counts (Overview top pairs)    | 20 ms / 33 ms (269)    | 91 ms / 401 ms (2,949)     |
| coverage_series (Coverage, daily)   | 37 ms / 48 ms (736)    | 92 ms / 297 ms (4,498)     |
| top_stories (Stories page)          | - / 7 ms (13)          | - / 36 ms (44)             |

The same views (and under a language or an outlet filter, either mention rule) give the counts
of a scan of the articles (tests/test_story_days.py). What is left at a year is the distinct
count over the year's rows (about 400k each), grouped by country or pair: still exact, and not
additive over days, so no monthly roll-up can replace it. coverage_series is country_counts (its
five countries) plus their series from the countries' index of ``story_country_days``.

Before 0016 (``story_days``) the year's count took 331 ms, top_stories 1,576 ms; before its
country series were read in one scan of their tags (``trends._daily_country_stories``),
coverage_series counting stories took 1,266 ms and 6,848 ms.

On PostgreSQL 15 (2026-12-05; the dev server at 127.0.0.1:55433, default settings but
fsync=off; the machine's 2 cores were shared with other work throughout: a read varied by up
to ±40% between runs). The store was built on the server itself, a SQLite twin beside it at
the same time:

    python -m bench.synth --articles 1000000 --days 365 --end 2026-12-04 \\
        --url postgresql+psycopg://pantau@127.0.0.1:55433/pantau_pgm     # 23 min (720/s)
    python -m bench.synth --articles 1000000 --days 365 --end 2026-12-04 \\
        --out data/pgm/sqlite-1m.db                                     # 19 min (900/s)
    python -m bench.bench_entity_reads --url …   # 284,817 entity rows (18 s), then VACUUM ANALYZE

Both through ``store.save_articles``, which assigns stories and keeps ``story_days``,
``story_country_days`` and ``story_pair_days`` as it writes (so the migrations had nothing to
fill): 1,000,000 articles, 1,574,615 country tags, 6,512 stories (19,296 / 395,198 / 444,477
rows in the three tables), 2.3 GB on PostgreSQL. Not the store of the table above (7,853
stories, assigned by 0011 over a store built earlier, ending on another day). Warm medians of
5, PostgreSQL and SQLite on the same store within the same hour:

| read (articles / stories, ms)     | 30 d: PG | 30 d: SQLite | a year: PG | a year: SQLite |
|-----------------------------------|----------|--------------|------------|----------------|
| count (a page's total)            | 1 / 1    | 0 / 0        | 2 / 5      | 1 / 3          |
| country_counts (map, Overview)    | 11 / 20  | 8 / 17       | 16 / 193   | 24 / 305       |
| pair_counts (Overview top pairs)  | 14 / 31  | 20 / 28      | 34 / 326   | 67 / 313       |
| coverage_series (Coverage, daily) | 26 / 40  | 23 / 47      | 62 / 235   | 53 / 403       |
| top_stories (Stories page)        | - / 6    | - / 6        | - / 26     | - / 34         |
| top_stories, c=RUS (a scan; 0018 below) | - / 280  | - / 115      | - / 746    | - / 1,010      |

A story's detail (the Stories page: summary, its first 1,000 articles, entities, outlets; the
CSV of all its articles when asked for). Synthetic text chains one story of 389,503 articles
(39% of the store; the top story of the year and of the last 30 days; all 35 synthetic feeds
are one outlet, ``synthetic.example``); the year's 20th has 13,610. Before → after this
change (summary and outlets read ``story_days`` and ``story_country_days``; the first page's
countries are read by its ids), same store, medians of 3 before and 5 after:

| ms: story of 389,503 (before → after); of 13,610 | PostgreSQL           | SQLite              |
|--------------------------------------------------|----------------------|---------------------|
| story_summary                                    | 1,703 → 85; 7        | 452 → 36; 5         |
| story_articles, first 1,000                      | 907 → 511; 33        | 202 → 114; 19       |
| story_entities                                   | 301; 13              | 104; 6              |
| story_outlets                                    | 503 → 9; 4           | 245 → 8; 3          |
| the page (the four)                              | 3,405 → 906; 57      | 1,003 → 262; 33     |
| story_articles, all (its CSV)                    | 4,909 → 4,789; 160   | 4,327 → 4,082; 137  |

Later the same day (``queries.stories.first_days``): a story's first page is read from the
articles of the days that hold it when they are a quarter of the story or less (the 389,503-
article story's first 1,000 lie on its first two days, among ~5,500 articles of every story),
its own found among them by primary key. Same run, warm medians of 3, on a loaded machine
(its other reads 1.5-2.5x the table above): that page 131 ms on PostgreSQL against 651 ms
through the story's index, 31 against 169 ms on SQLite (again, alternating the two reads: 140
against 662, 32 against 144); the 20th story (13,610 articles, ~5,000 on its first days) keeps
its index (53-59 / 17-21 ms): read by the days it had taken 78 / 32 ms, hence ``DAYS_COST``. What stays: on PostgreSQL the giant story's entities (0.35 s) read all of its
entity tags, and its CSV all of its articles. The
ranking under a country (``c=RUS``) scanned the country's 157k tagged articles of the year:
0.75 s on PostgreSQL (its sorts spill past the default 4 MB ``work_mem``), 1.0 s on SQLite.
Since migration 0018 ``story_country_days`` carries each row's articles (all, and those naming
the country prominently) and their first and last publication, and the ranking under one
country reads it like ``story_days``. Same run, before (the scan, the code before it) and
after, warm medians of 3, identical rows:

| ranking under one country        | PostgreSQL    | SQLite         |
|----------------------------------|---------------|----------------|
| c=RUS, 30 days                   | 426 → 34 ms   | 190 → 20 ms    |
| c=USA, 30 days                   | 399 → 32 ms   | 262 → 20 ms    |
| c=RUS, a year                    | 957 → 118 ms  | 1,813 → 126 ms |
| c=USA, a year                    | 1,278 → 128 ms| 2,248 → 152 ms |
| c=RUS, a year, any mention (PG)  | 849 → 99 ms   |                |

The counts cost the table 4 timestamps and 2 integers a row (395,198 rows here): on SQLite
57.7 MB against 20.1 MB for the 444,477 rows of story_pair_days, which has none; on PostgreSQL
66 MB with its indexes. The migration fills it from the articles in under 20 s on either
engine here. Migration 0019 gives ``story_pair_days`` the same counts (for articles naming
both, prominently: both prominent in one article), and the ranking under a pair reads it. Same
run, before and after, warm medians of 3, identical rows: PostgreSQL 30 days 241 → 15 ms
(RUS-USA) and 148 → 17 (PRK-RUS), a year 477 → 114 and 276 → 91; SQLite 30 days 90 → 11 and
69 → 11, a year 779 → 75 and 586 → 63. Its table: SQLite 65.2 MB (was 20.1), PostgreSQL 70 MB
(was 61). Two or more countries (any of), or a pair with a country, are still a scan of their
articles: an article naming both would count twice in a sum over countries. Story counts per country and pair over
a year (0.2–0.3 s) are distinct counts over ~400k rows on both.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from bench.bench_entity_reads import timed
from ingest import store
from ingest.filters import Filters
from ingest.queries import count_articles, country_counts, pair_counts
from ingest.queries import stories as stories_queries
from ingest.queries.counts import coverage_count
from ingest.queries.entities import story_entities
from ingest.queries.stories import story_articles, story_outlets, story_summary, top_stories
from ingest.queries.trends import coverage_series
from ui.sizes import STORY_ARTICLES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/bench-entities/entities-1m.db")
    parser.add_argument(
        "--url", help="the store's SQLAlchemy URL (e.g. PostgreSQL) instead of --db"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    engine = store.make_engine(args.url or f"sqlite:///{args.db}")
    with engine.connect() as conn:
        last = conn.execute(select(func.max(store.articles.c.published_at))).scalar()
        total = conn.execute(select(func.count()).select_from(store.articles)).scalar()
        stories = conn.execute(select(func.count()).select_from(store.stories)).scalar()
    end = date.fromisoformat(str(last)[:10])
    print(f"articles: {total:,}; stories: {stories:,}; last day {end}")
    reads: dict[str, Callable[[Filters], object]] = {
        "count (the page's total)": lambda f: coverage_count(engine, f),
        "country_counts (map, Overview)": lambda f: country_counts(engine, f),
        "pair_counts (Overview top pairs)": lambda f: pair_counts(engine, f),
        "coverage_series (Coverage, daily)": lambda f: coverage_series(engine, f),
        "top_stories (Stories page)": lambda f: top_stories(engine, f),
        "top_stories, c=RUS": lambda f: top_stories(engine, f.with_(countries=("RUS",))),
    }
    print(f"{'read':36s} {'period':8s} {'articles':>10s} {'stories':>10s}  (warm median; cold)")
    for days in (30, 365):
        base = Filters(end - timedelta(days=days - 1), end)
        for name, read in reads.items():
            row = []
            for counting in (False, True):
                f = base.with_(count_stories=counting)
                if name.startswith("top_stories") and not counting:
                    row.append("-")
                    continue
                cold, warm, _ = timed(lambda f=f, read=read: read(f), args.repeat)
                row.append(f"{warm * 1000:.0f} ms ({cold * 1000:.0f})")
            print(f"{name:36s} {days:4d} d  {row[0]:>14s} {row[1]:>14s}")
    print(f"(articles alone: {count_articles(engine, Filters(end - timedelta(days=364), end)):,})")
    year = Filters(end - timedelta(days=364), end)
    ranked = top_stories(engine, year)
    biggest = top_stories(engine, year, limit=100_000)
    month = top_stories(engine, Filters(end - timedelta(days=29), end))
    picks: dict[int, str] = {}  # story -> what it is (the first name when one is several)
    for label, story in (
        ("the most articles", biggest.sort_values("articles")["story"].iloc[-1]),
        ("the year's top story", ranked["story"].iloc[0]),
        ("the year's 20th story", ranked["story"].iloc[-1]),
        ("the last 30 days' top story", month["story"].iloc[0]),
    ):
        picks.setdefault(int(story), label)
    details: dict[str, Callable[[int], object]] = {
        "story_summary": lambda s: story_summary(engine, s),
        f"story_articles (first {STORY_ARTICLES:,})": lambda s: story_articles(
            engine, s, limit=STORY_ARTICLES
        ),
        "  the same by the story's index": lambda s: _by_the_index(engine, s),
        "story_entities": lambda s: story_entities(engine, s),
        "story_outlets": lambda s: story_outlets(engine, s),
        "story_articles (all: its CSV)": lambda s: story_articles(engine, s),
    }
    print("\na story's detail (Stories page)      warm median (cold)")
    for story, label in picks.items():
        size = story_summary(engine, story)["articles"]
        print(f"{label}: story {story}, {size:,} articles")
        for name, read in details.items():
            cold, warm, _ = timed(lambda s=story, read=read: read(s), args.repeat)
            print(f"  {name:34s} {warm * 1000:>21.0f} ms ({cold * 1000:.0f})")


def _by_the_index(engine: Engine, story: int) -> object:
    """A story's first page read as before ``first_days``: through the story's index."""
    real = stories_queries.first_days
    stories_queries.first_days = lambda *_args: None  # type: ignore[assignment]
    try:
        return story_articles(engine, story, limit=STORY_ARTICLES)
    finally:
        stories_queries.first_days = real


if __name__ == "__main__":
    sys.exit(main())

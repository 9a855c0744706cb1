"""The dashboard's counts when they count stories (issue 14 item 5, ``count=stories``) beside
the same counts of articles, at 1M articles.

    python -m bench.bench_story_reads --db data/bench-entities/entities-1m.db [--repeat 5]

Store: a 1M-article synthetic SQLite store (``bench.synth``, as ``bench_alerts`` or
``bench_entity_reads`` build it; opened read-only in spirit: nothing is written once migrated)
whose articles carry their stories (migration 0011 assigns them). Counting articles reads the
daily aggregates. Counting stories with no content filter (a page's total, the "all coverage"
series, the base of a share, the Stories page's ranking) reads ``story_days`` (migration 0016:
each story's articles per day × feed × language; 20,633 rows here), whose distinct stories,
outlets and languages are counted over the range's rows, never summed, so they are exact. The
story counts per country or pair still scan the period's tags joined to ``article_stories``.
Each read: one cold call, then the median of ``--repeat`` warm ones, over the last 30 days and
the whole year.

Measured here (2026-12-05; SQLite, 1,000,000 synthetic articles over a year in 7,853 stories;
warm medians of 3; articles / stories, and in brackets stories before ``story_days``, the code
before it run the same hour):

| read                                | 30 days                | a year                     |
|-------------------------------------|------------------------|----------------------------|
| count (a page's total)              | 0 ms / 1 ms (36)       | 1 ms / 3 ms (331)          |
| country_counts (map, Overview)      | 8 ms / 169 ms (204)    | 14 ms / 1,572 ms (2,054)   |
| pair_counts (Overview's top pairs)  | 15 ms / 210 ms (210)   | 59 ms / 1,962 ms (1,989)   |
| coverage_series (Coverage, daily)   | 20 ms / 458 ms (710)   | 49 ms / 3,508 ms (4,365)   |
| top_stories (Stories page)          | - / 6 ms (174)         | - / 34 ms (1,576)          |

The same views (and under a language or an outlet filter) gave identical results before and
after. country_counts gained the story total of its share's base; coverage_series its "all
coverage" series. What is left of them, and pair_counts, is the scan of a year's country tags
(about 1.5M rows, grouped by country and story): an index of ``article_countries`` covering
(article_id, prominent, iso3) was tried and took country_counts to 1.5 s only (pair_counts
unchanged), the grouping costs more than reading the rows. A distinct count of stories is not
additive over days; an exact roll-up for them would hold per day × story × country (and × pair,
the same article naming both) presence rows, kept like ``story_days``: the next step if a
year's map counting stories must be under a second.

coverage_series counting stories was 1,266 ms and 6,848 ms before its country series were read
in one scan of their tags (``trends._daily_country_stories``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from bench.bench_entity_reads import timed
from ingest import store
from ingest.filters import Filters
from ingest.queries import count_articles, country_counts, pair_counts
from ingest.queries.counts import coverage_count
from ingest.queries.stories import top_stories
from ingest.queries.trends import coverage_series


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/bench-entities/entities-1m.db")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    engine = store.make_engine(f"sqlite:///{args.db}")
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


if __name__ == "__main__":
    sys.exit(main())

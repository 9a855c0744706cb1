"""The dashboard's counts when they count stories (issue 14 item 5, ``count=stories``) beside
the same counts of articles, at 1M articles.

    python -m bench.bench_story_reads --db data/bench-entities/entities-1m.db [--repeat 5]

Store: a 1M-article synthetic SQLite store (``bench.synth``, as ``bench_alerts`` or
``bench_entity_reads`` build it; opened read-only in spirit: nothing is written) whose articles
carry their stories (migration 0011 assigns them). Counting articles reads the daily aggregates;
counting stories cannot (a story spans days, outlets and languages), so each count is a scan of
the period's tags joined to ``article_stories``. Each read: one cold call, then the median of
``--repeat`` warm ones, over the last 30 days and the whole year.

Measured here (2026-12-05; SQLite, 1,000,000 synthetic articles over a year in 7,853 stories;
warm medians; articles / stories):

| read                                | 30 days           | a year              |
|-------------------------------------|-------------------|---------------------|
| count (a page's total)              | 0 ms / 37 ms      | 1 ms / 333 ms       |
| country_counts (map, Overview)      | 8 ms / 206 ms     | 15 ms / 1,989 ms    |
| pair_counts (Overview's top pairs)  | 16 ms / 211 ms    | 60 ms / 2,079 ms    |
| coverage_series (Coverage, daily)   | 21 ms / 731 ms    | 57 ms / 4,527 ms    |
| top_stories (Stories page)          | - / 7 ms          | - / 29 ms           |

top_stories was 190 ms and 2,313 ms (measured beside it the same day) before it read
``story_days`` (migration 0016: each story's articles per day × feed × language, 20,633 rows
here) instead of every article of the period; its figures are the same (distinct outlets,
languages and homes are counted over the rows, not summed).

coverage_series counting stories was 1,266 ms and 6,848 ms before its country series were read
in one scan of their tags (``trends._daily_country_stories``); a year's is now the top five
countries' story counts (2.0 s), all coverage (1.0 s) and the five series (1.6 s). Counting
stories over a year at 1M is 2-5 s a chart: an aggregate of stories by first day would be
the next step.
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

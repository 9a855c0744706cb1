"""What the prominence split costs at 1M articles (issue 13; migration 0007_prominence).

The country and pair aggregates (daily, monthly and their roll-ups) carry ``prominent`` as a key
column, so "any mention" is a sum over both values and the default a filter on one. This prints,
for a store, each of those eight tables' rows and bytes (table and indexes) as they are, beside
the same counts rolled up without ``prominent`` (built here as throwaway tables with the same
keys, primary key and indexes less that column, then dropped), and the dashboard's country and
pair queries timed with the default (prominent) and with ``mention=any``.

A store of feed items alone has only title and summary tags, all prominent: the split adds no
row. So the script then gives the store what full text would bring, as real pages bring it, and
measures again: every page under ``--pages`` is extracted and tagged with its body
(``ingest.extract``, ``ingest.tagging``), the counts of its non-prominent country tags (a single
mention deep in the body) are the distribution, and every stored article (the worst case: every
feed's ``fulltext`` switch on and every page fetched) draws from it (seeded) that many extra
countries, not already its own, weighted by how often the store names each; they are written as
body tags (``prominence`` body, one mention, not prominent) and the two aggregates rebuilt.

The script WRITES to the store it is given: hand it a copy.

    cp data/bench-1m.db /tmp/prominence-1m.db
    python -m bench.bench_prominence --db /tmp/prominence-1m.db --pages ../shared/data/articles/pages
    python -m bench.bench_prominence --url postgresql+psycopg://…/an_empty_db \\
        --copy-from data/bench-1m.db --pages ../shared/data/articles/pages
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Index,
    MetaData,
    Table,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.schema import PrimaryKeyConstraint

from ingest import queries, store
from ingest.store.aggregates import rebuild_aggregates_in
from ingest.store.engine import is_sqlite, write
from ingest.store.schema import COUNTRY, PAIR, PROMINENT, article_countries, articles

SEED = 20261204
BATCH = 20_000


# -- sizes -------------------------------------------------------------------------------------


def _bytes(engine: Engine, name: str) -> int:
    """A table's bytes with its indexes (SQLite: dbstat pages; PostgreSQL: total relation)."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            query = text(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = :t)"
            )
        else:
            query = text("SELECT pg_total_relation_size(CAST(:t AS regclass))")
        return int(conn.execute(query, {"t": name}).scalar_one())


def _compact(engine: Engine, name: str) -> None:
    """PostgreSQL: rewrite a table without its dead rows (a rebuild deletes and inserts them
    all), so both sides of a comparison are measured packed. SQLite reuses freed pages."""
    if engine.dialect.name == "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM FULL ANALYZE {name}"))  # names from the schema


def _rows(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _unsplit(table: Table) -> Table:
    """``table`` without ``prominent``: same keys, primary key and indexes less that column."""
    meta = MetaData()
    name = f"unsplit_{table.name}"
    columns = [
        Column(c.name, c.type, nullable=c.nullable) for c in table.columns if c.name != PROMINENT
    ]
    keys = [c.name for c in table.primary_key.columns if c.name != PROMINENT]
    copy = Table(name, meta, *columns, PrimaryKeyConstraint(*keys))
    for index in table.indexes:
        cols = [copy.c[c.name] for c in index.columns if c.name != PROMINENT]
        Index(f"unsplit_{index.name}", *cols)
    return copy


def table_sizes(engine: Engine) -> list[tuple[str, int, int, int, int]]:
    """(table, rows, bytes, rows without the split, bytes without it) per aggregate table."""
    out = []
    for table in (*COUNTRY.tables, *PAIR.tables):
        _compact(engine, table.name)
        copy = _unsplit(table)
        counted = [c for c in copy.columns if c.name != "articles"]
        source = [table.c[c.name] for c in counted]
        with write(engine) as conn:
            copy.drop(conn, checkfirst=True)
            copy.create(conn)
            conn.execute(
                insert(copy).from_select(
                    [*(c.name for c in counted), "articles"],
                    select(*source, func.sum(table.c.articles)).group_by(*source),
                )
            )
        _compact(engine, copy.name)
        sizes = (
            table.name,
            _rows(engine, table),
            _bytes(engine, table.name),
            _rows(engine, copy),
            _bytes(engine, copy.name),
        )
        with write(engine) as conn:
            copy.drop(conn)
        out.append(sizes)
    return out


def print_sizes(sizes: list[tuple[str, int, int, int, int]]) -> None:
    print(f"  {'table':26s} {'rows':>11s} {'MB':>8s} {'rows unsplit':>13s} {'MB unsplit':>11s}")
    total = [0, 0, 0, 0]
    for name, rows, size, rows_u, size_u in sizes:
        print(f"  {name:26s} {rows:11,d} {size / 1e6:8.1f} {rows_u:13,d} {size_u / 1e6:11.1f}")
        for i, v in enumerate((rows, size, rows_u, size_u)):
            total[i] += v
    rows, size, rows_u, size_u = total
    print(
        f"  {'all eight':26s} {rows:11,d} {size / 1e6:8.1f} {rows_u:13,d} {size_u / 1e6:11.1f}"
        f"   split: +{rows / max(rows_u, 1) - 1:.1%} rows, +{size / max(size_u, 1) - 1:.1%} bytes"
    )


# -- query times -------------------------------------------------------------------------------


def _paired_ms(
    first: Callable[[], object], second: Callable[[], object], repeat: int = 7
) -> tuple[float, float]:
    """Medians of ``repeat`` warm runs of each, run in turn (so a change in the machine's load
    falls on both alike)."""
    first(), second()  # warm
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((first, times[0]), (second, times[1])):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def query_times(engine: Engine) -> None:
    f = queries.default_filters(engine)
    whole = f.with_(date_from=f.date_to - timedelta(days=1094))
    outlet = int(queries.outlet_counts(engine, f)["feed_id"].iloc[0])
    cases: list[tuple[str, Callable[[queries.Filters], object]]] = [
        ("map, 30 days", lambda g: queries.country_counts(engine, g)),
        ("map, all time", lambda g: queries.country_counts(engine, g.with_(
            date_from=whole.date_from))),
        ("map, all time, one outlet", lambda g: queries.country_counts(engine, g.with_(
            date_from=whole.date_from, feed_ids=(outlet,)))),
        ("co_mentions RUS", lambda g: queries.co_mentions(engine, g, "RUS")),
        ("pair_counts top 15", lambda g: queries.pair_counts(engine, g, limit=15)),
        ("pair_matrix 12", lambda g: queries.pair_matrix(engine, g)),
        ("rising countries", lambda g: queries.rising(engine, g, "country")),
        ("rising pairs", lambda g: queries.rising(engine, g, "pair")),
        ("coverage top-5 weekly", lambda g: queries.coverage_series(engine, g, freq="W")),
        ("coverage RUS,CHN daily", lambda g: queries.coverage_series(
            engine, g.with_(countries=("RUS", "CHN")))),
        ("pair_timeline PRK-RUS, all time", lambda g: queries.pair_timeline(
            engine, g.with_(date_from=whole.date_from, pair=("PRK", "RUS")), "W")),
        ("who_covers_whom, all time", lambda g: queries.who_covers_whom(engine, g.with_(
            date_from=whole.date_from))),
    ]  # fmt: skip
    print(f"  {'query (median of 7, warm, in turn)':34s} {'prominent':>10s} {'any':>10s}")
    anything = f.with_(any_mention=True)
    for name, fn in cases:
        default, anyone = _paired_ms(lambda fn=fn: fn(f), lambda fn=fn: fn(anything))
        print(f"  {name:34s} {default:8.1f} ms {anyone:7.1f} ms")


# -- what full text brings -----------------------------------------------------------------------


def body_only_counts(folder: Path) -> list[int]:
    """Per real page extracted to a full text: how many country tags are not prominent (title
    and teaser made as ``bench_tag_depth`` makes them)."""
    from bench.bench_tag_depth import teaser
    from ingest.extract import extract
    from ingest.tagging import tag_article

    counts = []
    for path in sorted(folder.rglob("*.html")):
        found = extract(path.read_bytes(), url=f"https://example.org/{path.name}")
        if found.status != "ok" or not found.body:
            continue
        tags = tag_article(
            found.title or "",
            teaser(found.lead),
            body=found.body,
            lead=found.lead,
            language_hint=found.language,
        )
        counts.append(sum(1 for c in tags.countries if c.prominence and not c.prominence.prominent))
    return counts


def add_body_tags(engine: Engine, counts: list[int]) -> int:
    """Give every stored article ``random.choice(counts)`` extra non-prominent countries."""
    rng = random.Random(SEED)
    with engine.connect() as conn:
        weights = Counter(
            dict(
                conn.execute(
                    select(article_countries.c.iso3, func.count()).group_by(
                        article_countries.c.iso3
                    )
                ).all()
            )
        )
        own: dict[int, set[str]] = {}
        for article_id, iso3 in conn.execute(
            select(article_countries.c.article_id, article_countries.c.iso3)
        ):
            own.setdefault(article_id, set()).add(iso3)
        ids = list(conn.execute(select(articles.c.id).order_by(articles.c.id)).scalars())
    codes = sorted(weights)
    cumulative = [weights[c] for c in codes]
    added = 0
    batch: list[dict] = []

    def flush() -> None:
        if batch:
            with write(engine) as conn:
                conn.execute(insert(article_countries), batch)
            batch.clear()

    for article_id in ids:
        k = rng.choice(counts)
        have = own.get(article_id, set())
        chosen: set[str] = set()
        tries = 0
        while len(chosen) < k and tries < 50:
            tries += 1
            (iso3,) = rng.choices(codes, weights=cumulative)
            if iso3 not in have:
                chosen.add(iso3)
        for iso3 in sorted(chosen):
            evidence = [{"text": iso3, "type": "name", "start": 0, "field": "body"}]
            batch.append(
                {
                    "article_id": article_id,
                    "iso3": iso3,
                    "mentions": 1,
                    "evidence": json.dumps(evidence),
                    "prominence": "body",
                    "body_mentions": 1,
                    PROMINENT: False,
                }
            )
        added += len(chosen)
        if len(batch) >= BATCH:
            flush()
    flush()
    t0 = time.perf_counter()
    with write(engine) as conn:
        rebuild_aggregates_in(conn, (COUNTRY, PAIR))
    print(f"  country and pair aggregates rebuilt in {time.perf_counter() - t0:.0f} s")
    return added


def copy_store(source: Path, url: str) -> None:
    """Copy a SQLite store (opened read-only) into the empty store at ``url``: every table the
    two share, column by column, in batches; stories are left empty (the country and pair
    queries do not read them). A bench-only shortcut, as ``bench_scale``'s copy is: the app never
    copies rows. Its aggregates are copied as they are."""
    from ingest.store.schema import metadata

    src = create_engine(f"sqlite:///file:{source}?mode=ro&uri=true")
    dst = store.make_engine(url)
    skip = {"schema_migrations", "stories", "article_stories", "story_signatures"}
    names = set(inspect(src).get_table_names())
    t0 = time.perf_counter()
    for table in metadata.sorted_tables:
        if table.name in skip or table.name not in names:
            continue
        have = {c["name"] for c in inspect(src).get_columns(table.name)}
        cols = [c for c in table.columns if c.name in have]
        with src.connect() as read:
            rows = read.execution_options(stream_results=True).execute(select(*cols))
            n = 0
            while chunk := rows.fetchmany(BATCH):
                with dst.begin() as conn:
                    conn.execute(insert(table), [dict(r._mapping) for r in chunk])
                n += len(chunk)
        print(f"  copied {table.name}: {n:,} rows ({time.perf_counter() - t0:.0f} s)", flush=True)
    with dst.begin() as conn:
        for table in metadata.sorted_tables:  # identity sequences past the copied ids
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is True and table.name in names:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                        f"coalesce((SELECT max({pk[0].name}) FROM {table.name}), 1))"
                    )
                )
        conn.execute(text("ANALYZE"))
    src.dispose()
    dst.dispose()


def report(engine: Engine, label: str) -> None:
    with engine.connect() as conn:
        tags = dict(
            conn.execute(
                select(article_countries.c.prominent, func.count()).group_by(
                    article_countries.c.prominent
                )
            ).all()
        )
    n = sum(tags.values())
    print(f"\n{label}: {n:,} country tags, {tags.get(False, 0):,} of them not prominent")
    print_sizes(table_sizes(engine))
    query_times(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a COPY of a store (SQLite file); it is changed")
    parser.add_argument("--url", help="or a database URL (PostgreSQL); it is changed")
    parser.add_argument("--pages", type=Path, help="real saved article pages")
    parser.add_argument(
        "--copy-from", type=Path, help="first fill the empty store --url from this SQLite store"
    )
    parser.add_argument(
        "--times-only",
        action="store_true",
        help="only time the queries on the store as it is (e.g. again, after a run)",
    )
    args = parser.parse_args()
    url = args.url or f"sqlite:///{args.db}"
    if args.times_only:
        engine = store.make_engine(url)
        query_times(engine)
        engine.dispose()
        return
    if args.pages is None:
        parser.error("--pages is needed (unless --times-only)")
    if args.copy_from:
        copy_store(args.copy_from, url)
    counts = body_only_counts(args.pages)
    print(
        f"{len(counts)} real pages extracted to a full text: non-prominent country tags per "
        f"article mean {statistics.mean(counts):.2f}, median {statistics.median(counts):.0f}, "
        f"max {max(counts)}; {sum(1 for k in counts if k) / len(counts):.0%} have one or more"
    )
    print("Timings on a shared machine (2 cores, other jobs running): read them as ratios.")
    engine = store.make_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(articles)).scalar_one())
    report(engine, f"As stored ({n:,} articles: title and summary tags only)")
    t0 = time.perf_counter()
    added = add_body_tags(engine, counts)
    print(
        f"\nAdded {added:,} body-only country tags ({added / n:.2f} per article) in "
        f"{time.perf_counter() - t0:.0f} s"
    )
    report(engine, "With full text for every article")
    engine.dispose()


if __name__ == "__main__":
    main()

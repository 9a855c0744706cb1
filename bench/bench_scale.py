"""Scale figures (issue 6): bulk ingest and the dashboard's main queries at 1M and 10M articles,
on SQLite and PostgreSQL side by side.

    python -m bench.bench_scale build --engine sqlite --size 1m      # synthesise (store writes)
    python -m bench.bench_scale build --engine postgres --size 10m   # 1M base ×10 (see below)
    python -m bench.bench_scale queries --engine sqlite --size 1m    # time the dashboard queries
    python -m bench.bench_scale export --engine sqlite --size 1m     # `ingest export` rows/s
    python -m bench.bench_scale all                                  # everything, both engines

Data: ``bench.synth`` writes 1,000,000 synthetic articles over three years through
``store.save_articles`` (tags, evidence and the daily aggregates, as the poller writes them);
that run gives the bulk ingest rate. The 10M store is that base copied nine more times as new
sources (feed ids, URLs and url_keys shifted, same days), so it holds ten times the articles,
tag rows and aggregate rows, like a deployment with ten times the feeds; the aggregates are then
rebuilt with ``store.rebuild_aggregates`` (timed: what ``retag`` costs at that size), and
SQLite's search index with ``store.rebuild_search_index``. The copy is
a bench-only shortcut (the app never copies rows) written with SQLAlchemy Core over the store's
own tables; generating 10M articles one by one takes hours on this machine.

SQLite files go to ``--workdir`` (default data/bench/); PostgreSQL databases
``pantau_bench_1m`` / ``pantau_bench_10m`` are created on the server of ``--postgres`` (default
``$PANTAU_BENCH_POSTGRES_URL``), which must let this user CREATE DATABASE.
Query timings: each query is run once cold-ish (first call) and then ``--repeat`` times warm;
the median and max of the warm runs are printed. ``export`` times ``python -m ingest export``'s
own function writing every article the store holds to a file in ``--workdir``, once per format
(issue 11 item 16: 1,000,000 rows within 60 s), and prints rows/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, literal, make_url, select, text

from ingest import store

SIZES = {"1m": 1_000_000, "10m": 10_000_000}
BASE_DAYS = 1095
COPIES_FOR_10M = 10
END_DAY = date(2026, 2, 18)  # bench.synth's default last day
EXPORT_ROWS = 100_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Where the stores live


def sqlite_url(workdir: Path, size: str) -> str:
    return f"sqlite:///{workdir / f'bench-{size}.db'}"


def postgres_url(server: str, size: str) -> str:
    return make_url(server).set(database=f"pantau_bench_{size}").render_as_string(False)


def _pg_admin(server: str) -> Engine:
    return create_engine(
        make_url(server).set(database="postgres").render_as_string(False),
        isolation_level="AUTOCOMMIT",
    )


def _pg_exists(server: str, size: str) -> bool:
    admin = _pg_admin(server)
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"pantau_bench_{size}"}
        ).first()
    admin.dispose()
    return found is not None


def _pg_create(server: str, size: str, template: str | None = None) -> None:
    admin = _pg_admin(server)
    name = f"pantau_bench_{size}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        if template:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        else:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def store_url(engine_name: str, size: str, args: argparse.Namespace) -> str:
    if engine_name == "sqlite":
        return sqlite_url(Path(args.workdir), size)
    return postgres_url(args.postgres, size)


def store_exists(engine_name: str, size: str, args: argparse.Namespace) -> bool:
    if engine_name == "sqlite":
        return (Path(args.workdir) / f"bench-{size}.db.done").exists()
    return _pg_exists(args.postgres, size) and _pg_done(args.postgres, size)


def _pg_done(server: str, size: str) -> bool:
    engine = create_engine(postgres_url(server, size))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT to_regclass('bench_done') IS NOT NULL")).scalar()
    finally:
        engine.dispose()


def _mark_done(engine_name: str, size: str, args: argparse.Namespace, engine: Engine) -> None:
    if engine_name == "sqlite":
        (Path(args.workdir) / f"bench-{size}.db.done").write_text("ok\n")
    else:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS bench_done (ok int)"))


def analyze(engine: Engine) -> None:
    """Planner statistics after a bulk load (PostgreSQL's autovacuum would get there later)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


# --------------------------------------------------------------------------------------------
# Building


def build_base(url: str, articles: int) -> dict[str, float]:
    """1M synthetic articles through the store's own write path; returns the ingest figures."""
    from bench import synth

    engine = store.make_engine(url)
    t0 = time.perf_counter()
    last = [t0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 30 or done == total:
            last[0] = now
            log(f"  {done:,}/{total:,} articles, {done / (now - t0):,.0f}/s")

    n = synth.generate(engine, articles=articles, days=BASE_DAYS, end=END_DAY, progress=progress)
    seconds = time.perf_counter() - t0
    store.checkpoint(engine)
    analyze(engine)
    engine.dispose()
    return {"articles": n, "seconds": seconds, "rate": n / seconds}


def multiply(engine: Engine, copies: int) -> dict[str, float]:
    """Copy the base store ``copies - 1`` more times as new sources, then rebuild aggregates."""
    f, a = store.feeds, store.articles
    ac, at = store.article_countries, store.article_topics
    with engine.connect() as conn:
        max_article = int(conn.execute(select(func.max(a.c.id))).scalar_one())
        max_feed = int(conn.execute(select(func.max(f.c.id))).scalar_one())
    feed_cols = [c.name for c in f.columns]
    article_cols = [c.name for c in a.columns]
    t0 = time.perf_counter()
    for k in range(1, copies):
        shift_a, shift_f = k * max_article, k * max_feed
        suffix = literal(f"#{k}")
        with store.write(engine) as conn:
            conn.execute(
                f.insert().from_select(
                    feed_cols,
                    select(
                        *[
                            (f.c.id + shift_f).label("id")
                            if c == "id"
                            else (f.c.url + suffix).label("url")
                            if c == "url"
                            else (f.c.title + suffix).label("title")
                            if c == "title"
                            else f.c[c]
                            for c in feed_cols
                        ]
                    ).where(f.c.id <= max_feed),
                )
            )
            conn.execute(
                a.insert().from_select(
                    article_cols,
                    select(
                        *[
                            (a.c.id + shift_a).label("id")
                            if c == "id"
                            else (a.c.url_key + suffix).label("url_key")
                            if c == "url_key"
                            else (a.c.url + suffix).label("url")
                            if c == "url"
                            else (a.c.feed_id + shift_f).label("feed_id")
                            if c == "feed_id"
                            else a.c[c]
                            for c in article_cols
                        ]
                    ).where(a.c.id <= max_article),
                )
            )
            conn.execute(
                ac.insert().from_select(
                    ["article_id", "iso3", "mentions", "evidence"],
                    select(
                        ac.c.article_id + shift_a, ac.c.iso3, ac.c.mentions, ac.c.evidence
                    ).where(ac.c.article_id <= max_article),
                )
            )
            conn.execute(
                at.insert().from_select(
                    ["article_id", "topic", "evidence"],
                    select(at.c.article_id + shift_a, at.c.topic, at.c.evidence).where(
                        at.c.article_id <= max_article
                    ),
                )
            )
        store.checkpoint(engine)
        log(f"  copy {k}/{copies - 1} done, {time.perf_counter() - t0:,.0f} s")
    copy_seconds = time.perf_counter() - t0
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("feeds", "articles"):
                conn.execute(
                    select(
                        func.setval(
                            func.pg_get_serial_sequence(table, "id"),
                            select(func.max(store.metadata.tables[table].c.id)).scalar_subquery(),
                        )
                    )
                )
    t1 = time.perf_counter()
    store.rebuild_aggregates(engine)
    store.rebuild_search_index(engine)  # the copies bypassed save_articles (SQLite's FTS5)
    rebuild_seconds = time.perf_counter() - t1
    store.checkpoint(engine)
    analyze(engine)
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(a)).scalar_one())
    return {"articles": n, "copy_seconds": copy_seconds, "rebuild_seconds": rebuild_seconds}


def build(engine_name: str, size: str, args: argparse.Namespace) -> None:
    if store_exists(engine_name, size, args):
        log(f"{engine_name} {size}: already built")
        return
    if size == "1m":
        if engine_name == "sqlite":
            path = Path(args.workdir) / "bench-1m.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            _pg_create(args.postgres, size)
        log(f"{engine_name} 1m: generating {args.base:,} articles through store.save_articles")
        url = store_url(engine_name, size, args)
        figures = build_base(url, args.base)
        log(
            f"RESULT ingest {engine_name} 1m: {figures['articles']:,} articles in "
            f"{figures['seconds']:,.0f} s = {figures['rate']:,.0f} articles/s "
            "(synthesis + tags + aggregates, one process)"
        )
    else:
        build("sqlite" if engine_name == "sqlite" else "postgres", "1m", args)
        if engine_name == "sqlite":
            base = Path(args.workdir) / "bench-1m.db"
            target = Path(args.workdir) / "bench-10m.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(base, target)
        else:
            _pg_create(args.postgres, size, template="pantau_bench_1m")
        url = store_url(engine_name, size, args)
        engine = store.make_engine(url)
        log(f"{engine_name} 10m: copying the 1M base ×{COPIES_FOR_10M}")
        figures = multiply(engine, COPIES_FOR_10M)
        log(
            f"RESULT build {engine_name} 10m: {figures['articles']:,} articles; copies "
            f"{figures['copy_seconds']:,.0f} s; rebuild_aggregates {figures['rebuild_seconds']:,.0f} s"
        )
        engine.dispose()
    engine = store.make_engine(store_url(engine_name, size, args))
    _mark_done(engine_name, size, args, engine)
    engine.dispose()


# --------------------------------------------------------------------------------------------
# Queries


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    """(first call ms, warm median ms, warm max ms, last result)."""
    t0 = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - t0) * 1000
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        warm.append((time.perf_counter() - t0) * 1000)
    return first, statistics.median(warm), max(warm), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "queries", "export", "all"])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--size", choices=list(SIZES), action="append")
    parser.add_argument("--workdir", default="data/bench")
    parser.add_argument("--postgres", default=os.environ.get("PANTAU_BENCH_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--base",
        type=int,
        default=SIZES["1m"],
        help="articles in the base store (smaller: a dry run)",
    )
    args = parser.parse_args(argv)
    engines = args.engine or ["sqlite", "postgres"]
    sizes = args.size or list(SIZES)
    if "postgres" in engines and not args.postgres:
        print("--postgres URL (or PANTAU_BENCH_POSTGRES_URL) is needed", file=sys.stderr)
        return 2
    for size in sizes:
        for engine_name in engines:
            if args.action in ("build", "all"):
                build(engine_name, size, args)
            if args.action in ("queries", "all"):
                run_queries(engine_name, size, args)
            if args.action in ("export", "all"):
                run_export(engine_name, size, args)
    return 0


def dashboard_queries(engine: Engine) -> list[tuple[str, Callable[[], Any], int]]:
    """(name, call, warm repeats): the calls the pages make, with the pages' own functions."""
    from ingest import queries
    from ui.export import articles_csv_bytes

    last30 = queries.Filters(END_DAY - timedelta(days=29), END_DAY)
    year = queries.Filters(END_DAY - timedelta(days=364), END_DAY)
    everything = queries.Filters(END_DAY - timedelta(days=BASE_DAYS + 1), END_DAY)

    def export(f: Any) -> int:  # the Articles page's "Download all"
        payload = articles_csv_bytes(engine, f, limit=EXPORT_ROWS)
        return payload.count(b"\r\n") - 1

    return [
        ("totals, 30 days", lambda: queries.totals(engine, last30), 5),
        (
            "coverage by day, IDN, 365 days",
            lambda: queries.coverage_series(engine, year.with_(countries=("IDN",))),
            5,
        ),
        (
            "pair timeline PRK-RUS, 365 days",
            lambda: queries.pair_timeline(engine, year.with_(pair=("PRK", "RUS"))),
            5,
        ),
        ("map counts, 30 days", lambda: queries.country_counts(engine, last30), 5),
        ("top 20 pairs, 30 days", lambda: queries.pair_counts(engine, last30, limit=20), 5),
        (
            "articles page 1, RUS, 30 days",
            lambda: queries.list_articles(engine, last30.with_(countries=("RUS",))),
            5,
        ),
        ("export 100,000 rows, all", lambda: export(everything), 2),
        ("export 100,000 rows, RUS", lambda: export(everything.with_(countries=("RUS",))), 2),
    ]


def run_queries(engine_name: str, size: str, args: argparse.Namespace) -> None:
    if not store_exists(engine_name, size, args):
        log(f"{engine_name} {size}: not built, no queries")
        return
    engine = store.make_engine(store_url(engine_name, size, args))
    try:
        with engine.connect() as conn:
            n = int(conn.execute(select(func.count()).select_from(store.articles)).scalar_one())
        log(f"{engine_name} {size}: {n:,} articles")
        for name, call, repeat in dashboard_queries(engine):
            first, median, worst, result = timed(call, min(repeat, args.repeat))
            rows = result if isinstance(result, int) else len(result)
            log(
                f"RESULT query {engine_name} {size} | {name} | first {first:,.0f} ms | "
                f"warm median {median:,.0f} ms | warm max {worst:,.0f} ms | {rows:,} rows"
            )
    finally:
        engine.dispose()


EXPORT_FORMATS = ("csv", "jsonl", "parquet")
EXPORT_TARGET_SECONDS_PER_MILLION = 60  # issue 11 item 16


def run_export(engine_name: str, size: str, args: argparse.Namespace) -> None:
    """``python -m ingest export`` of every article the store holds, once per format, into a
    file in ``--workdir`` (deleted afterwards): rows, seconds, rows/s and the time that rate
    gives for 1,000,000 rows."""
    from ingest import queries
    from ingest.export import export

    if not store_exists(engine_name, size, args):
        log(f"{engine_name} {size}: not built, no export")
        return
    engine = store.make_engine(store_url(engine_name, size, args))
    everything = queries.Filters(END_DAY - timedelta(days=BASE_DAYS + 1), END_DAY)
    try:
        for fmt in EXPORT_FORMATS:
            target = Path(args.workdir) / f"export-{engine_name}-{size}.{fmt}"
            t0 = time.perf_counter()
            rows = export(engine, everything, fmt, str(target))
            seconds = time.perf_counter() - t0
            size_mb = target.stat().st_size / 1e6
            target.unlink()
            rate = rows / seconds
            log(
                f"RESULT export {engine_name} {size} | {fmt} | {rows:,} rows in {seconds:,.1f} s "
                f"= {rate:,.0f} rows/s | {size_mb:,.0f} MB | 1,000,000 rows in "
                f"{1_000_000 / rate:,.0f} s (target {EXPORT_TARGET_SECONDS_PER_MILLION} s)"
            )
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())

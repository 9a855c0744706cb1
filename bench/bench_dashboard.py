"""Dashboard figures at scale: page script runs (cold and warm), a pair view, a 100,000-row
CSV export, the main queries, and the peak memory of a real Streamlit server.

    python -m bench.synth --articles 1000000 --days 1095 --out data/bench-1m.db   # ~5 min
    python -m bench.bench_dashboard --db data/bench-1m.db

Goals (issue 4): warm page run ≤ 0.5 s, cold ≤ 2 s, every dashboard query ≤ 50 ms at 1M
articles on SQLite, Streamlit process ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("Overview", "dashboard.py", "", {}),
    ("Coverage", "app_pages/1_Coverage.py", "Coverage", {}),
    ("Map", "app_pages/2_Map.py", "Map", {"c": "RUS"}),
    ("Country pair", "app_pages/3_Country_pair.py", "Country_pair", {"pair": "PRK-RUS"}),
    ("Articles", "app_pages/4_Articles.py", "Articles", {}),
    ("Feeds", "app_pages/5_Feeds.py", "Feeds", {}),
]

PRECOMPUTED = """\
Precomputed (maintained by ingest/store/aggregates.py in the same transaction as every write):
  daily_total   (day, feed, language) → articles: outlet counts, totals' outlet count.
  daily_country (day, iso3, feed, language): any view with an outlet filter, who covers whom
                — a GROUP BY over article_countries ⋈ articles costs 120–360 ms per series
                and seconds for the all-time map at 1M.
  daily_pair    (day, a<b, feed, language): pair views with an outlet filter — the pair
                self-join is the costliest query.
  daily_topic   (day, topic, feed, language): topic views with an outlet filter.
  monthly_*     the same per month: long ranges with an outlet filter read whole months here
                and only the days at either end from daily_* (all-time map of one outlet
                71 → 14 ms).
  rollup_daily_* / rollup_monthly_*  the same summed over feeds (day or month × key ×
                language): every view without an outlet filter, the default. Several times
                smaller, and a long range sums months (all-time map 490–770 → 18 ms, weekly
                top-5 series 84–131 → 29 ms, pair matrix 48–51 → 21 ms). Their series
                indexes hold the counts, so a country's days are an index scan.
  article_search  FTS5 trigram index of lower(title)\\nlower(summary): a search of 3+
                characters is a phrase match instead of a scan with lower() on every article
                of the range (30 days: 71 → 10 ms; all time: 25 ms).
Language is part of every key so the sidebar's language filter applies to all of them.
Queries that combine a content filter with another dimension (e.g. the topic mix of a pair,
a country and a topic) scan articles inside the date range instead."""


def _timeit(fn, repeat: int = 5) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def bench_queries(url: str) -> None:
    from ingest import queries, store

    engine = store.make_engine(url)
    f = queries.default_filters(engine)
    pair = f.with_(pair=("PRK", "RUS"))
    rus = f.with_(countries=("RUS",))
    whole = f.with_(date_from=f.date_to - timedelta(days=1094))
    outlet = int(queries.outlet_counts(engine, f)["feed_id"].iloc[0])
    cases = [
        ("totals (30 days)", lambda: queries.totals(engine, f)),
        ("count_articles", lambda: queries.count_articles(engine, f)),
        ("country_counts (map, 30 days)", lambda: queries.country_counts(engine, f)),
        ("country_counts (map, all time)", lambda: queries.country_counts(engine, whole)),
        ("country_counts focus RUS", lambda: queries.country_counts(engine, rus)),
        ("co_mentions RUS", lambda: queries.co_mentions(engine, f, "RUS")),
        ("pair_counts top 15", lambda: queries.pair_counts(engine, f, limit=15)),
        ("rising countries", lambda: queries.rising(engine, f, "country")),
        ("rising pairs", lambda: queries.rising(engine, f, "pair")),
        ("coverage RUS,CHN daily", lambda: queries.coverage_series(
            engine, f.with_(countries=("RUS", "CHN")))),
        ("coverage top-5 weekly", lambda: queries.coverage_series(engine, f, freq="W")),
        ("pair_timeline PRK-RUS", lambda: queries.pair_timeline(engine, pair)),
        ("topic mix of a pair", lambda: queries.topic_counts(engine, pair)),
        ("languages of a pair", lambda: queries.language_counts(engine, pair)),
        ("outlets of a pair", lambda: queries.outlet_counts(engine, pair)),
        ("pair_matrix 12", lambda: queries.pair_matrix(engine, f)),
        ("who_covers_whom", lambda: queries.who_covers_whom(engine, f)),
        ("list_articles page 1", lambda: queries.list_articles(engine, f)),
        ("list_articles pair", lambda: queries.list_articles(engine, pair)),
        ("count country+topic (scan)", lambda: queries.count_articles(
            engine, f.with_(countries=("USA",), topics=("trade",)))),
        ("text search (index)", lambda: queries.count_articles(engine, f.with_(search="sanksi"))),
        ("text search, all time", lambda: queries.count_articles(engine, whole.with_(search="sanksi"))),
        ("text search, a word in 2/3 of articles", lambda: queries.count_articles(engine, f.with_(search="officials"))),
        ("text search, 2 letters (scan)", lambda: queries.count_articles(engine, f.with_(search="eu"))),
        ("text search, 2 Cyrillic letters (scan)", lambda: queries.count_articles(engine, f.with_(search="ро"))),
        ("list_articles search page 1", lambda: queries.list_articles(engine, f.with_(search="россия"))),
        ("map, all time, one outlet", lambda: queries.country_counts(engine, whole.with_(feed_ids=(outlet,)))),
        ("map, all time, Indonesian", lambda: queries.country_counts(engine, whole.with_(languages=("id",)))),
        ("topic mix, all time", lambda: queries.topic_counts(engine, whole)),
        ("who_covers_whom, all time", lambda: queries.who_covers_whom(engine, whole)),
        ("coverage top-5 daily, 1 year", lambda: queries.coverage_series(
            engine, f.with_(date_from=f.date_to - timedelta(days=364)))),
        ("pair_timeline PRK-RUS, all time", lambda: queries.pair_timeline(engine, whole.with_(pair=("PRK", "RUS")), "W")),
        ("feed_health", lambda: queries.feed_health(engine)),
        ("stats", lambda: queries.stats(engine)),
    ]  # fmt: skip
    print(f"\nQueries at {queries.count_articles(engine, f.with_(date_from=f.date_to - timedelta(days=3650))):,} "
          f"articles (median of 5, warm OS cache), default view: {queries.describe(f)}")  # fmt: skip
    over = 0
    for name, fn in cases:
        fn()
        ms, _ = _timeit(fn)
        over += ms > 50
        print(f"  {name:40s} {ms:8.1f} ms{'  > 50 ms' if ms > 50 else ''}")
    print(f"  {over} of {len(cases)} queries over 50 ms")
    engine.dispose()


def bench_export(url: str, rows: int = 100_000) -> None:
    from ingest import queries, store
    from ui import export

    engine = store.make_engine(url)
    end = queries.default_filters(engine).date_to
    f = queries.Filters(end - timedelta(days=120), end)
    n = queries.count_articles(engine, f)
    t0 = time.perf_counter()
    data = export.articles_csv_bytes(engine, f, limit=rows)  # the "Download all" button's
    seconds = time.perf_counter() - t0
    lines = data.count(b"\r\n") - 1
    print(f"\nCSV export: {lines:,} rows (of {n:,} matching), {len(data) / 1e6:.1f} MB "
          f"in {seconds:.2f} s ({lines / seconds:,.0f} rows/s)")  # fmt: skip
    engine.dispose()


def bench_pages(url: str) -> None:
    os.environ["PANTAU_DATABASE_URL"] = url
    os.environ["PANTAU_SEED_DEMO"] = "0"
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    print("\nPage script runs (AppTest; cold = empty query cache, warm = median of 3 reruns)")
    for name, path, _url, params in PAGES:
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        for k, v in params.items():
            at.query_params[k] = v
        if path != "dashboard.py":
            at.switch_page(path)
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(3):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        errors = len(at.exception)
        label = name + (f" ({', '.join(f'{k}={v}' for k, v in params.items())})" if params else "")
        print(f"  {label:28s} cold {cold:6.2f} s   warm {statistics.median(warm):6.2f} s"
              f"{'   EXCEPTIONS: ' + str(errors) if errors else ''}")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def bench_server_memory(url: str) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        print("\nServer memory: skipped (no chromium)")
        return
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = dict(os.environ, PANTAU_DATABASE_URL=url, PANTAU_SEED_DEMO="0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        timings = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--headless", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            for name, _path, url_path, params in PAGES:
                query = "&".join(f"{k}={v}" for k, v in params.items())
                t0 = time.perf_counter()
                page.goto(f"{base}/{url_path}?{query}")
                page.get_by_role("heading", name=name if name != "Coverage" else
                                 "Coverage over time", exact=True).first.wait_for(timeout=120_000)  # fmt: skip
                while page.locator('[data-testid="stStatusWidget"]').count():
                    time.sleep(0.1)
                timings.append((name, time.perf_counter() - t0))
            browser.close()
        peak = _rss_peak_kb(proc.pid)
        print("\nStreamlit server (real browser, first visit of each page):")
        for name, seconds in timings:
            print(f"  {name:28s} {seconds:6.2f} s to a finished run")
        print(f"  peak memory of the Streamlit process: {peak / 1024:,.0f} MB (VmHWM)")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/bench-1m.db", help="SQLite store (bench.synth)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["queries", "export", "pages",
                                                                  "memory"])  # fmt: skip
    args = parser.parse_args(argv)
    path = Path(args.db).resolve()
    if not path.exists():
        print(f"{path} does not exist: python -m bench.synth --articles 1000000 --days 1095 "
              f"--out {args.db}", file=sys.stderr)  # fmt: skip
        return 2
    url = f"sqlite:///{path}"
    print(PRECOMPUTED)
    if "queries" not in args.skip:
        bench_queries(url)
    if "export" not in args.skip:
        bench_export(url)
    if "pages" not in args.skip:
        bench_pages(url)
    if "memory" not in args.skip:
        bench_server_memory(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

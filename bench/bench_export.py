"""Export speed (issue 11 item 16), the current code beside the code before it, in one run.

    python -m bench.bench_export --db sqlite:///data/bench/bench-1m.db
    python -m bench.bench_export --db postgresql+psycopg://…/pantau_bench_1m --skip-export

Two figures, each timed for the baseline (the implementation at ``--baseline``, a git
revision: its ``ingest/export.py`` loaded from git, and the dashboard's frame path
``ui.export.chunks_to_csv_bytes`` over ``queries.iter_articles``) and for the current code,
alternating, ``--repeat`` times each; medians are printed, and every output is checked to be
byte-identical to the baseline's:

- the dashboard's "Download all": a 100,000-row CSV over the whole store, and over one country
  (goal: ≤ 2 s at 1,000,000 articles);
- ``python -m ingest export`` in each format over the newest ``--days`` days (about 100,000
  rows of the 1M bench store), as rows/s and the seconds that rate gives for 1,000,000 rows
  (goal: ≤ 60 s). ``bench.bench_scale export`` times a whole 1M export of the current code.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "e149098"  # main before the export was streamed as rows (issue 11 item 16)
DASHBOARD_ROWS = 100_000
FORMATS = ("csv", "jsonl", "parquet")


def baseline_export(revision: str) -> ModuleType:
    """``ingest/export.py`` as it was at ``revision``, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:ingest/export.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_export.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("baseline_export", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_export"] = module
    spec.loader.exec_module(module)
    return module


def side_by_side(
    name: str, old: Callable[[], bytes], new: Callable[[], bytes], repeat: int
) -> tuple[float, float, int, bool]:
    """(baseline median s, current median s, output bytes, identical) over ``repeat`` runs
    each, alternating so that both see the same load."""
    old_times, new_times = [], []
    same = True
    size = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        before = old()
        old_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        after = new()
        new_times.append(time.perf_counter() - t0)
        same = same and before == after
        size = len(after)
        del before, after
    old_s, new_s = statistics.median(old_times), statistics.median(new_times)
    runs = " ".join(f"{t:.2f}" for t in new_times)
    print(
        f"  {name:34s} baseline {old_s:6.2f} s | now {new_s:6.2f} s (runs {runs}) | "
        f"{old_s / new_s:4.1f}× | {size / 1e6:6.1f} MB | "
        f"{'byte-identical' if same else 'DIFFERENT BYTES'}",
        flush=True,
    )
    return old_s, new_s, size, same


def bench_dashboard_csv(engine: Any, repeat: int) -> bool:
    from ingest import queries
    from ui.export import articles_csv_bytes, chunks_to_csv_bytes

    span = queries.data_date_range(engine)
    assert span, "an empty store"
    everything = queries.Filters(*span)
    print(f'Dashboard "Download all", {DASHBOARD_ROWS:,} rows (median of {repeat}):')
    ok = True
    for name, f in (("all articles", everything), ("RUS", everything.with_(countries=("RUS",)))):

        def old(f: Any = f) -> bytes:
            frames = (fr.drop(columns=["id"]) for fr in queries.iter_articles(engine, f))
            return chunks_to_csv_bytes(frames, limit=DASHBOARD_ROWS)

        def new(f: Any = f) -> bytes:
            return articles_csv_bytes(engine, f, limit=DASHBOARD_ROWS)

        ok &= side_by_side(name, old, new, repeat)[3]
    return ok


def bench_cli_export(engine: Any, days: int, repeat: int, revision: str) -> bool:
    from ingest import export, queries

    before = baseline_export(revision)
    span = queries.data_date_range(engine)
    assert span, "an empty store"
    f = queries.Filters(span[1] - timedelta(days=days - 1), span[1])
    counted: list[int] = []  # rows written by each run (all must agree)
    print(f"\npython -m ingest export, the newest {days} days (median of {repeat}):")
    ok = True
    for fmt in FORMATS:

        def run(module: ModuleType, fmt: str = fmt) -> bytes:
            out = io.BytesIO()
            counted.append(module.WRITERS[fmt](engine, f, out, lambda _n: None))
            assert len(set(counted)) == 1, f"runs wrote different numbers of rows: {counted}"
            return out.getvalue()

        old_s, new_s, _size, same = side_by_side(
            fmt, lambda: run(before), lambda: run(export), repeat
        )
        ok &= same
        rows = counted[0]
        print(
            f"  {'':34s} {rows:,} rows; rows/s: baseline {rows / old_s:,.0f}, now {rows / new_s:,.0f} → "
            f"1,000,000 rows in {1e6 / (rows / old_s):,.0f} s → {1e6 / (rows / new_s):,.0f} s "
            "(goal ≤ 60 s)",
            flush=True,
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the store's URL (e.g. the 1M bench store)")
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision (default {BASELINE})")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days", type=int, default=110, help="the export's range (newest days)")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args(argv)

    from ingest import store

    engine = store.make_engine(args.db)
    ok = True
    try:
        if not args.skip_dashboard:
            ok &= bench_dashboard_csv(engine, args.repeat)
        if not args.skip_export:
            ok &= bench_cli_export(engine, args.days, args.repeat, args.baseline)
    finally:
        engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

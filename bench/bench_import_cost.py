"""What importing feed files costs beside parsing them (issue 12, item 4).

    .venv/bin/python bench/bench_import_cost.py [FEEDS_DIR] [--rounds 3]

In one run, on the same files (default: the 64 real feed files of tests/fixtures/feeds):

1. feedparser alone: ``feedparser.parse`` of every file's bytes (the floor: no import can be
   faster than reading the feeds);
2. Pantau's import in this process, tagger warm: ``pipeline.import_paths`` into a fresh SQLite
   file (parse, skip known, language, tags, store), in one process (``jobs=0``) and with
   ``--jobs`` reading processes parsing and tagging while this one stores (their start-up,
   tagger load included, is in the figure);
3. the whole ``python -m ingest import`` process into a fresh SQLite file (interpreter, imports,
   tagger start from its cache, import), with ``--jobs 0`` and ``--jobs N``, without the
   vectors it then computes by default (``PANTAU_VECTORS_AFTER_POLL=0``: not part of the
   import's cost as the goal counts it), and once with them (one run);
4. ``langdetect`` calls made by the import, and how its languages compare with detecting every
   item (the language shortcut must not cost accuracy).

Each figure is the best of ``--rounds`` runs. Goal: (2) at most 4/3 of (1). With
``--postgres URL`` the imports go to PostgreSQL instead, each into a new schema of that server
(dropped after).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from ingest import language, pipeline, store  # noqa: E402
from ingest.tagging import tag_article  # noqa: E402
from tests.conftest import private_schema  # noqa: E402

DEFAULT = ROOT / "tests" / "fixtures" / "feeds"


def best(rounds: int, run) -> float:  # noqa: ANN001
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


@contextlib.contextmanager
def new_store(scratch: str, postgres: str | None) -> Iterator[str]:
    """The URL of an empty store: a new SQLite file, or a new schema on ``postgres``."""
    if postgres is None:
        yield f"sqlite:///{Path(scratch) / f'import-{time.monotonic_ns()}.db'}"
        return
    with private_schema("bench_import_", postgres) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feeds", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="reading processes (default 1)")
    parser.add_argument("--postgres", help="import into this PostgreSQL server, not SQLite")
    args = parser.parse_args()
    files = sorted(p for p in args.feeds.rglob("*") if p.suffix == ".xml")
    bodies = [p.read_bytes() for p in files]
    print(f"{len(files)} feed files under {args.feeds}")

    parse_s = best(args.rounds, lambda: [feedparser.parse(body) for body in bodies])
    tag_article("warm", "up", language_hint="en")  # the tagger loads once per process

    calls = {"n": 0}
    detect = language._langdetect

    def counted(text: str):  # noqa: ANN202
        calls["n"] += 1
        return detect(text)

    language._langdetect = counted
    articles = {"n": 0}
    with tempfile.TemporaryDirectory() as scratch:

        def one_import(jobs: int) -> None:
            with new_store(scratch, args.postgres) as url:
                engine = store.make_engine(url)
                summary = pipeline.import_paths(engine, files, jobs=jobs)
                articles["n"] = summary.new_articles
                engine.dispose()

        calls["n"] = 0
        import_s = best(args.rounds, lambda: one_import(0))
        detections = calls["n"] // args.rounds
        language._langdetect = detect
        jobs_s = best(args.rounds, lambda: one_import(args.jobs))

        def one_process(jobs: int, vectors: bool = False) -> None:
            with new_store(scratch, args.postgres) as url:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "ingest",
                        "import",
                        "--jobs",
                        str(jobs),
                        str(args.feeds),
                    ],
                    cwd=ROOT,
                    env={
                        **os.environ,
                        "PANTAU_DATABASE_URL": url,
                        "PANTAU_SEED_DEMO": "0",
                        "PANTAU_VECTORS_AFTER_POLL": "1" if vectors else "0",
                    },
                    check=True,
                    capture_output=True,
                )

        process_s = best(args.rounds, lambda: one_process(0))
        process_jobs_s = best(args.rounds, lambda: one_process(args.jobs))
        # What the command costs as shipped: it then encodes the new articles' vectors.
        process_vectors_s = best(1, lambda: one_process(args.jobs, vectors=True))

    n = articles["n"]
    engine_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{os.cpu_count()} cores, {engine_name}; goal: import at most 1.33x feedparser")
    print(f"feedparser alone                       {parse_s:6.2f} s")
    for label, seconds in (
        ("import, one process (tagger warm)", import_s),
        (f"import, --jobs {args.jobs} (readers started)", jobs_s),
    ):
        print(
            f"{label:<38} {seconds:6.2f} s   {seconds / parse_s:4.2f}x feedparser; "
            f"{n:,} articles, {n / seconds:,.0f}/s"
        )
    print(f"python -m ingest import --jobs 0, whole {process_s:5.2f} s")
    print(f"python -m ingest import --jobs {args.jobs}, whole {process_jobs_s:5.2f} s")
    print(
        f"  the same, then its vectors (default)  {process_vectors_s:5.2f} s  "
        "(PANTAU_VECTORS_AFTER_POLL=1; the figures above: 0)"
    )
    print(f"langdetect runs per import             {detections:,} (of {n:,} articles)")


if __name__ == "__main__":
    main()

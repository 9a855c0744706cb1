"""What an article's multilingual vector costs, and what linking stories by it costs.

    .venv/bin/python -m bench.bench_vectors [--speed N --days D]

Real feeds (the 64 files of tests/fixtures/feeds/, 2,790 articles, 14 languages) are imported
into a fresh SQLite store, then in one run:

1. ``restory`` before any vector (the baseline: the assignment code alone, words only);
2. ``ingest.vectors.compute_vectors``: the encoder (m-USE v3, numpy, one thread) and, apart,
   re-tagging each batch with its vectors (``pipeline.tags_with_vectors``: the second topic
   model decides) and storing each batch's vectors with their cross-language links and tags
   (``store.store_vectors``), each as articles/s; and how many stories the vectors joined;
3. ``restory`` again, now reading every stored vector (the window then holds every language).

With ``--speed N``: N synthetic articles over D days (bench/synth.py, the density of its 1M
store over 1,095 days at ``--speed 200000 --days 219``) get seeded random unit vectors (cosines
near 0: no links, so this is the cost of reading the window and comparing, not of merging),
stored in batches with ``store_vectors`` as ``compute_vectors`` stores them (encoding left out:
it is measured above), then restory with them: articles/s of each, beside restory without
vectors in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from ingest import pipeline, store, vectors  # noqa: E402
from ingest.pipeline import import_paths  # noqa: E402

FEEDS = REPO / "tests" / "fixtures" / "feeds"


def mixed_stories(engine) -> int:  # noqa: ANN001
    """Stories whose articles were linked in more than one language."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM (SELECT s.story_id FROM article_stories s "
                    "JOIN story_signatures g ON g.article_id = s.article_id "
                    "GROUP BY s.story_id HAVING COUNT(DISTINCT g.language) > 1) AS t"
                )
            ).scalar_one()
        )


def n_stories(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(store.stories)).scalar_one())


def timed_restory(engine, label: str) -> None:  # noqa: ANN001
    began = time.perf_counter()
    done = store.rebuild_stories(engine)
    took = time.perf_counter() - began
    print(
        f"  restory, {label:<22} {done:>7,} articles in {took:6.2f} s "
        f"({done / took:8,.0f}/s): {n_stories(engine):,} stories, "
        f"{mixed_stories(engine)} of several languages"
    )


def real(scratch: Path) -> None:
    engine = store.make_engine(f"sqlite:///{scratch / 'real.db'}")
    summary = import_paths(engine, [FEEDS])
    print(f"real feeds: {summary.new_articles:,} articles from {FEEDS.relative_to(REPO)}")
    timed_restory(engine, "no vectors (baseline)")
    spent = {"store": 0.0, "retag": 0.0}
    real_store, real_retag = store.store_vectors, pipeline.tags_with_vectors

    def timed(name, function):  # noqa: ANN001, ANN202
        def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return run

    store.store_vectors = timed("store", real_store)  # type: ignore[assignment]
    pipeline.tags_with_vectors = timed("retag", real_retag)  # type: ignore[assignment]
    try:
        vectors.encode(["warm the encoder"])  # its load (~1.4 s) is not an article's cost
        began = time.perf_counter()
        found = vectors.compute_vectors(engine)
        took = time.perf_counter() - began
    finally:
        store.store_vectors = real_store  # type: ignore[assignment]
        pipeline.tags_with_vectors = real_retag  # type: ignore[assignment]
    encoding = took - spent["store"] - spent["retag"]
    print(
        f"  vectors: {found.articles:,} articles in {took:.2f} s: encoding {encoding:.2f} s "
        f"({found.articles / encoding:,.0f}/s, {vectors.ENCODER_THREADS} thread), re-tagging "
        f"with them {spent['retag']:.2f} s ({found.retagged / spent['retag']:,.0f}/s), storing, "
        f"linking and replacing tags {spent['store']:.2f} s "
        f"({found.articles / spent['store']:,.0f}/s); "
        f"{found.linked_stories} stories joined across languages"
    )
    timed_restory(engine, "with vectors")
    engine.dispose()


def synthetic(scratch: Path, n: int, days: int) -> None:
    from bench.synth import generate  # noqa: PLC0415

    engine = store.make_engine(f"sqlite:///{scratch / 'synthetic.db'}")
    written = generate(engine, articles=n, days=days, seed=7)
    print(f"synthetic store: {written:,} articles over {days} days ({written / days:,.0f}/day)")
    timed_restory(engine, "no vectors (baseline)")
    rng = np.random.default_rng(7)
    began = time.perf_counter()
    total = 0
    while True:
        rows = store.articles_without_vector(engine, vectors.MODEL, beyond=None, limit=1000)
        if not rows:
            break
        batch = rng.standard_normal((len(rows), vectors.VECTOR_DIMENSIONS)).astype(np.float32)
        batch /= np.linalg.norm(batch, axis=1, keepdims=True)
        store.store_vectors(
            engine,
            vectors.MODEL,
            [(r[0], vectors.to_blob(v)) for r, v in zip(rows, batch, strict=True)],
        )
        total += len(rows)
    took = time.perf_counter() - began
    print(f"  random vectors stored and linked: {total:,} in {took:.1f} s ({total / took:,.0f}/s)")
    timed_restory(engine, "with vectors")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=int, default=0, help="synthetic articles")
    parser.add_argument("--days", type=int, default=50, help="days the synthetic articles span")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        real(Path(scratch))
        if args.speed:
            synthetic(Path(scratch), args.speed, args.days)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

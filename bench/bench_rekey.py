"""Migration 0005 (unambiguous article keys) on a large store, beside a plain read of the rows.

    python -m bench.bench_rekey --articles 1000000 [--guid-share 0.3] [--postgres URL]

Builds a synthetic store (bench/synth.py), turns ``--guid-share`` of its articles into items
keyed the old way (no link; feed + GUID or feed + title joined bare, as before issue 16), marks
migration 0005 as not applied and times ``store.migrate``. The baseline, in the same run, is one
pass reading the columns the migration reads: no re-keying can be faster than that.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import bindparam, delete, select

from bench.synth import generate
from ingest import store
from ingest.canonical import normalise_title

MIGRATION = "0005_unambiguous_keys"


def _old_key(guid: str | None, feed_key: str, title: str) -> str:
    material = "guid:" + feed_key + guid if guid else "title:" + feed_key + normalise_title(title)
    return hashlib.sha1(material.encode()).hexdigest()


def make_old_keys(engine, share: float, seed: int = 7) -> int:  # noqa: ANN001
    rng = random.Random(seed)
    a = store.articles.c
    with engine.connect() as conn:
        rows = conn.execute(select(a.id, a.feed_id, a.title)).all()
    changes = []
    titled: set[tuple[int, str]] = set()  # synthetic titles repeat: title keys only for firsts
    for row in rows:
        if rng.random() >= share:
            continue
        guid = f"g{row.id}"
        if rng.random() < 0.3 and (row.feed_id, normalise_title(row.title)) not in titled:
            titled.add((row.feed_id, normalise_title(row.title)))
            guid = None
        key = _old_key(guid, f"feed:{row.feed_id}", row.title)
        changes.append({"b_id": row.id, "b_key": key, "b_guid": guid})
    with store.write(engine) as conn:
        conn.execute(
            store.articles.update()
            .where(a.id == bindparam("b_id"))
            .values(url_key=bindparam("b_key"), guid=bindparam("b_guid"), url=None),
            changes,
        )
        conn.execute(
            delete(store.schema_migrations).where(store.schema_migrations.c.name == MIGRATION)
        )
    return len(changes)


def read_rows(engine) -> float:  # noqa: ANN001
    a = store.articles.c
    t0 = time.perf_counter()
    with engine.connect() as conn:
        for _ in conn.execute(select(a.id, a.url_key, a.url, a.guid, a.title, a.feed_id)):
            pass
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--guid-share", type=float, default=0.3)
    parser.add_argument("--postgres", help="a PostgreSQL URL (an empty schema) instead of SQLite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{Path(tmp) / 'rekey.db'}"
        engine = store.make_engine(url)
        t0 = time.perf_counter()
        generate(engine, articles=args.articles, days=365)
        print(
            f"built {args.articles:,} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr
        )
        old = make_old_keys(engine, args.guid_share)
        baseline = read_rows(engine)
        t0 = time.perf_counter()
        applied = store.migrate(engine)
        took = time.perf_counter() - t0
        assert applied == [MIGRATION], applied
        engine.dispose()
    engine_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine_name}, {args.articles:,} articles, {old:,} with old GUID/title keys")
    print(f"  read the rows (baseline): {baseline:6.2f} s")
    print(f"  migration 0005:           {took:6.2f} s  ({args.articles / took:,.0f} articles/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

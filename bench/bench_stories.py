"""Story clustering against the labelled dev groups, beside two baselines, and its speed.

    .venv/bin/python -m bench.bench_stories [--speed N]

Quality: every item of the 19 feed files the gold file draws on (tests/fixtures/feeds/, 591
articles, not only the 199 labelled ones, so unlabelled items can chain stories as they would in
a store) is tagged and clustered; the labelled items are scored (pairwise and B-cubed, a null item
is a story of its own). Three methods side by side:

- ``title/url``: exact normalised title or canonical URL match (what Media Cloud does);
- ``tf-idf``: cosine of TF-IDF vectors over title + summary (IDF from these 591 articles), linked
  within the same window and language, single link;
- ``pantau``: ``ingest.stories`` (signature: countries veto and penalty for countries only one
  names, numbers, weighted words; roundups link only to near-copies; single link).

Thresholds are never chosen on the groups they are scored on: the labelled items are split into
two halves by group (``story_score.group_folds``, a hash of the group name); each method's
threshold is chosen on one half (best F1 with precision ≥ 0.90, else best F1) and scored on the
other, both ways. The pantau line at its shipped threshold (``LINK_THRESHOLD``) is printed too.

Speed (``--speed N``): N synthetic articles (bench/synth.py's generator) are saved into a fresh
SQLite store with stories assigned in the same transaction, then every story is rebuilt
(``restory``, the assignment code alone): articles/s by the wall clock and by this process's CPU
(the wall clock counts whatever else the machine runs). The window's density, not the store's
size, sets the rate (the window is read through the (language, published_at) index), so
``--speed 200000 --days 219`` has the density of bench/synth.py's 1M articles over 1,095 days.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest import stories  # noqa: E402
from ingest.canonical import normalise_title  # noqa: E402
from ingest.records import Article  # noqa: E402
from ingest.story_score import Scores, feed_articles, group_folds, read_gold, score  # noqa: E402
from ingest.tagging import tag_article  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
GOLD = FIXTURES / "stories" / "stories-dev.jsonl"
FEEDS = FIXTURES / "feeds"
THRESHOLDS = [round(0.05 * i, 2) for i in range(2, 19)]
TARGET_PRECISION = 0.90


def load() -> tuple[list[str], list[Article], list[str], dict[str, str | None]]:
    """(keys, articles, outlets, gold) for every item of the gold file's feed files."""
    lines = read_gold(GOLD)
    files = sorted({line.key.split("#")[0] for line in lines})
    keys, arts, outlets = [], [], []
    for name in files:
        for index, article in sorted(feed_articles(FEEDS / name).items()):
            keys.append(f"{name}#{index}")
            arts.append(article)
            outlets.append(name.split("/")[0])
    return keys, arts, outlets, {line.key: line.group for line in lines}


def union(n: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


def title_url(arts: Sequence[Article]) -> list[int]:
    first: dict[str, int] = {}
    pairs = []
    for i, a in enumerate(arts):
        for key in (f"t:{normalise_title(a.title)}", f"u:{a.url}" if a.url else None):
            if key is None:
                continue
            if key in first:
                pairs.append((first[key], i))
            else:
                first[key] = i
    return union(len(arts), pairs)


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def tfidf_similarities(arts: Sequence[Article], languages: Sequence[str]) -> dict[tuple, float]:
    docs = [Counter(t.lower() for t in _TOKEN.findall(f"{a.title} {a.summary}")) for a in arts]
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    vecs = []
    for d in docs:
        v = {t: (1 + math.log(c)) * math.log((1 + n) / (1 + df[t])) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({t: x / norm for t, x in v.items()})
    sims = {}
    for i in range(n):
        for j in range(i + 1, n):
            if languages[i] != languages[j]:
                continue
            if abs(arts[i].published_at - arts[j].published_at) > stories.WINDOW:
                continue
            small, large = sorted((vecs[i], vecs[j]), key=len)
            s = sum(x * large.get(t, 0.0) for t, x in small.items())
            if s > 0:
                sims[(i, j)] = s
    return sims


def pair_method(n: int, sims: dict[tuple, float]) -> Callable[[float], list[int]]:
    return lambda th: union(n, [p for p, s in sims.items() if s >= th])


def as_found(keys: Sequence[str], labels: Sequence[int]) -> dict[str, int]:
    return dict(zip(keys, labels, strict=True))


def pick(method: Callable[[float], list[int]], keys, gold, fold: set[str]) -> float:
    """The threshold with the best F1 at precision ≥ target on ``fold`` (else the best F1)."""
    sub = {k: gold[k] for k in fold}
    best: tuple[bool, float, float] | None = None
    for th in THRESHOLDS:
        s = score(sub, as_found(keys, method(th)))
        rank = (s.precision >= TARGET_PRECISION, s.f1, th)
        if best is None or rank > best:
            best = rank
    assert best is not None
    return best[2]


def line(name: str, s: Scores, note: str = "") -> str:
    return (
        f"{name:<22} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}   "
        f"B3 P {s.b3_precision:.3f}  R {s.b3_recall:.3f}  F1 {s.b3_f1:.3f}  "
        f"pairs {s.pairs_found:>4}/{s.pairs_gold:<4} {note}"
    )


def quality() -> None:
    keys, arts, _outlets, gold = load()
    tags = [
        tag_article(a.title, a.summary, published=a.published_at, language_hint=a.feed_language)
        for a in arts
    ]
    languages = [t.language or "" for t in tags]
    sigs = [
        stories.signature(
            a.title, a.summary, t.language or "", a.published_at, (c.iso3 for c in t.countries)
        )
        for a, t in zip(arts, tags, strict=True)
    ]
    order = sorted(range(len(arts)), key=lambda i: (arts[i].published_at, i))

    def pantau(th: float) -> list[int]:
        labels = stories.cluster([sigs[i] for i in order], th)
        out = [0] * len(arts)
        for pos, i in enumerate(order):
            out[i] = order[labels[pos]]
        return out

    tfidf = pair_method(len(arts), tfidf_similarities(arts, languages))
    folds = group_folds(read_gold(GOLD))
    print(f"{len(arts)} articles clustered, {len(gold)} labelled, folds {[len(f) for f in folds]}")
    print(line("title/url (all)", score(gold, as_found(keys, title_url(arts)))))
    for name, method in (("tf-idf", tfidf), ("pantau", pantau)):
        for tune, test in ((0, 1), (1, 0)):
            th = pick(method, keys, gold, folds[tune])
            sub = {k: gold[k] for k in folds[test]}
            s = score(sub, as_found(keys, method(th)))
            print(line(f"{name} fold {test}", s, f"(threshold {th} from fold {tune})"))
    print(
        line(
            "pantau shipped (all)",
            score(gold, as_found(keys, pantau(stories.LINK_THRESHOLD))),
            f"(threshold {stories.LINK_THRESHOLD})",
        )
    )


def speed(n: int, days: int, path: Path) -> None:
    """Assignment rate: a synthetic store of ``n`` articles over ``days`` days is built (stories
    assigned as it is written), then every story is rebuilt, timed alone."""
    import time

    from bench.synth import generate
    from ingest import store

    if path.exists():
        path.unlink()
    engine = store.make_engine(f"sqlite:///{path}")
    t0 = time.perf_counter()
    written = generate(engine, articles=n, days=days, seed=7)
    build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    assigned = store.rebuild_stories(engine)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    with engine.connect() as conn:
        from sqlalchemy import func, select

        count = conn.execute(select(func.count()).select_from(store.stories)).scalar_one()
    print(
        f"synthetic store: {written:,} articles over {days} days ({written / days:,.0f}/day), "
        f"written with stories in {build:.1f} s ({written / build:,.0f}/s)"
    )
    print(
        f"restory: {assigned:,} articles assigned in {took:.1f} s "
        f"({assigned / took:,.0f} articles/s; CPU {cpu:.1f} s, {assigned / cpu:,.0f} articles/s "
        f"of this process's CPU), {count:,} stories"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=int, default=0, help="synthetic articles for speed")
    parser.add_argument("--days", type=int, default=50, help="days the synthetic articles span")
    parser.add_argument("--out", default="data/bench-stories.db", help="SQLite file to create")
    args = parser.parse_args(argv)
    quality()
    if args.speed:
        speed(args.speed, args.days, Path(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

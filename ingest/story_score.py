"""Scoring story clustering against labelled story groups (``stories-dev.jsonl``).

The gold file keys an item as ``<feed path>#<index in feedparser's entries>``; ``gold_items``
reads those feed files with the ingest's own parser and finds each entry's article. Scores are
pairwise precision/recall/F1 and B-cubed over the labelled items only (a null group is a story of
its own), as the gold file's notes ask.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import feedparser

from ingest.parse import parse_feed
from ingest.records import Article
from ingest.text_clean import clean_text

FETCHED_AT = datetime(2026, 2, 19, tzinfo=UTC)  # after every item of the dev snapshots


@dataclass(frozen=True)
class GoldLine:
    key: str
    language: str
    group: str | None


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    b3_precision: float
    b3_recall: float
    b3_f1: float
    pairs_gold: int
    pairs_found: int


def read_gold(path: Path) -> list[GoldLine]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            row = json.loads(raw)
            lines.append(GoldLine(row["key"], row.get("language") or "", row.get("group")))
    return lines


def feed_articles(path: Path) -> dict[int, Article]:
    """The articles of one feed file by their index in feedparser's entries (an entry the
    parser drops as a repeat has none)."""
    body = path.read_bytes()
    parsed = parse_feed(body, feed_url=path.resolve().as_uri(), fetched_at=FETCHED_AT)
    entries = feedparser.parse(body).entries
    by_index: dict[int, Article] = {}
    pointer = 0
    for index, entry in enumerate(entries):
        if pointer >= len(parsed.articles):
            break
        title = clean_text(entry.get("title"), max_chars=500)
        if title and title == parsed.articles[pointer].title:
            by_index[index] = parsed.articles[pointer]
            pointer += 1
    return by_index


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: Mapping[str, str | None], found: Mapping[str, Hashable]) -> Scores:
    """Pairwise and B-cubed scores of ``found`` (key -> cluster label) on the keys of ``gold``
    (key -> group or None); a key missing from ``found`` is a cluster of its own."""
    keys = sorted(gold)
    gold_label = {k: gold[k] if gold[k] is not None else f"#{k}" for k in keys}
    found_label = {k: found.get(k, f"#{k}") for k in keys}
    gold_pairs = {(a, b) for a, b in combinations(keys, 2) if gold_label[a] == gold_label[b]}
    found_pairs = {(a, b) for a, b in combinations(keys, 2) if found_label[a] == found_label[b]}
    right = len(gold_pairs & found_pairs)
    p = right / len(found_pairs) if found_pairs else 1.0
    r = right / len(gold_pairs) if gold_pairs else 1.0
    by_gold: dict[Hashable, set[str]] = defaultdict(set)
    by_found: dict[Hashable, set[str]] = defaultdict(set)
    for k in keys:
        by_gold[gold_label[k]].add(k)
        by_found[found_label[k]].add(k)
    b3p = b3r = 0.0
    for k in keys:
        g, f = by_gold[gold_label[k]], by_found[found_label[k]]
        both = len(g & f)
        b3p += both / len(f)
        b3r += both / len(g)
    b3p, b3r = b3p / len(keys), b3r / len(keys)
    return Scores(p, r, _f1(p, r), b3p, b3r, _f1(b3p, b3r), len(gold_pairs), len(found_pairs))


def group_folds(lines: Sequence[GoldLine], folds: int = 2) -> list[set[str]]:
    """The labelled keys split into ``folds`` sets by group (a group never straddles two; null
    items are spread by key), in a fixed order that depends on names only."""
    import hashlib

    def bucket(name: str) -> int:
        return int(hashlib.sha256(name.encode()).hexdigest(), 16) % folds

    out: list[set[str]] = [set() for _ in range(folds)]
    for line in lines:
        out[bucket(line.group or line.key)].add(line.key)
    return out

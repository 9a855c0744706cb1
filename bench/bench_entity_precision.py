"""Entity tagging precision on the hand-labelled sample (issue 14).

``python bench/bench_entity_precision.py`` re-runs the current tagger (``tag_article`` with the
item's title, summary or body and its feed's language as hint) on every item of
``ingest/data/training/entity-precision.jsonl`` and prints, per language and overall, the
precision of the labelled tags it still produces (labelled-correct tags still found / labelled
tags still found), how many labelled tags no longer fire, and every labelled-wrong tag that still
fires, so a change to ``ingest/data/entities/`` is measured.

``python bench/bench_entity_precision.py --draw OUT.jsonl`` collects every entity tag of the real
feed snapshots (``tests/fixtures/feeds/``) and article texts (``tests/fixtures/articles/``) and
writes the seeded, language-stratified sample to label (see ingest/data/training/PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.canonical import normalise_title  # noqa: E402
from ingest.language import normalise_language  # noqa: E402
from ingest.parse import parse_feed  # noqa: E402
from ingest.tagging import tag_article  # noqa: E402
from ingest.tagging.entities import entity_by_qid  # noqa: E402

FEEDS = ROOT / "tests" / "fixtures" / "feeds"
ARTICLES = ROOT / "tests" / "fixtures" / "articles" / "truth.jsonl"
LABELS = ROOT / "ingest" / "data" / "training" / "entity-precision.jsonl"
SEED = 20261204
PER_LANGUAGE_CAP = 80  # tags drawn per language: every tag of a smaller language
CONTEXT = 70  # characters of context each side of an evidence


def _manifest_languages() -> dict[str, str]:
    """Each feed file's language as the fixtures' manifest rows record it (``ru (Russian)``)."""
    languages = {}
    text = (FEEDS / "PROVENANCE.md").read_text(encoding="utf-8")
    for line in text.split("## manifest.tsv", 1)[1].splitlines():
        cells = line.split("\t")
        if len(cells) > 5 and cells[0].startswith("feeds/"):
            languages[cells[0]] = normalise_language(cells[5].split(" ")[0]) or ""
    return languages


def items(sources: set[str] | None = None) -> Iterator[dict]:
    """Every item of the real feed snapshots and article texts: source, index, title, summary,
    body, hint. ``sources``: only those files (paths relative to the repository)."""
    languages = _manifest_languages()
    for path in sorted(FEEDS.glob("*/*.xml")):
        source = path.relative_to(ROOT).as_posix()
        if sources is not None and source not in sources:
            continue
        parsed = parse_feed(
            path.read_bytes(),
            feed_url=f"https://example.invalid/{source}",
            fetched_at=datetime.now(UTC),
        )
        hint = languages.get(path.relative_to(FEEDS.parent).as_posix()) or None
        for index, article in enumerate(parsed.articles):
            yield {
                "source": source,
                "index": index,
                "title": article.title or "",
                "summary": article.summary or "",
                "body": None,
                "hint": hint,
            }
    source = ARTICLES.relative_to(ROOT).as_posix()
    if sources is not None and source not in sources:
        return
    for index, line in enumerate(ARTICLES.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        if row.get("body"):
            yield {
                "source": source,
                "index": index,
                "title": "",
                "summary": "",
                "body": row["body"],
                "hint": normalise_language(row.get("language")),
                "file": row["file"],
            }


def entity_tags(item: dict) -> tuple[str, list]:
    """(language the tagger read, entity tags) of one item."""
    tags = tag_article(
        item["title"], item["summary"], body=item["body"], language_hint=item["hint"]
    )
    return tags.language or "", tags.entities


def _field(item: dict, name: str) -> str:
    return item.get(name) or ""


def _context(item: dict, evidence) -> str:
    text = _field(item, evidence.field or "title")
    start = max(0, evidence.start - CONTEXT)
    end = min(len(text), evidence.start + len(evidence.text) + CONTEXT)
    before = text[start : evidence.start]
    after = text[evidence.start + len(evidence.text) : end]
    return " ".join(f"{before}[[{evidence.text}]]{after}".split())


def draw(out: Path) -> None:
    """Every entity tag, deduplicated by (item text, QID), sampled per language (seeded)."""
    seen: set[tuple[str, str]] = set()
    by_language: dict[str, list[dict]] = defaultdict(list)
    for item in items():
        language, tags = entity_tags(item)
        key_text = normalise_title(f"{item['title']} {item['summary']} {item['body'] or ''}")
        for tag in tags:
            if (key_text, tag.qid) in seen:
                continue
            seen.add((key_text, tag.qid))
            entity = entity_by_qid(tag.qid)
            by_language[language].append(
                {
                    "source": item["source"],
                    "index": item["index"],
                    "title": item["title"][:200] or item.get("file", ""),
                    "hint": item["hint"],
                    "language": language,
                    "qid": tag.qid,
                    "name": entity.name if entity else "",
                    "kind": entity.kind if entity else "",
                    "evidence": sorted({e.text for e in tag.evidence}),
                    "context": " … ".join(
                        dict.fromkeys(_context(item, e) for e in tag.evidence[:3])
                    ),
                }
            )
    rng = random.Random(SEED)
    sample: list[dict] = []
    for language in sorted(by_language):
        pool = by_language[language]
        print(f"{language or '?'}: {len(pool)} tags", file=sys.stderr)
        sample += rng.sample(pool, min(PER_LANGUAGE_CAP, len(pool)))
    with out.open("w", encoding="utf-8") as fh:
        for row in sample:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(sample)} tags drawn", file=sys.stderr)


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _label_key(source: str, index: int, title: str) -> tuple[str, int | str]:
    """Where a labelled item is: a feed item by its index in its file, an article text by its
    file name (lines may be added to the article texts)."""
    return (source, title) if source.endswith(".jsonl") else (source, index)


def still_found(labels: list[dict]) -> list[bool]:
    """For each labelled tag: does the current tagger still tag its item with its QID?"""
    wanted = {_label_key(row["source"], row["index"], row["title"]): row for row in labels}
    found: dict[tuple[str, int | str], set[str]] = {}
    for item in items({source for source, _where in wanted}):
        key = _label_key(item["source"], item["index"], item.get("file", ""))
        if key not in wanted:
            continue
        title = wanted[key]["title"]
        if title and title != (item["title"][:200] or item.get("file", "")):
            raise ValueError(f"{key}: the fixture's item is no longer the labelled one")
        found[key] = {tag.qid for tag in entity_tags(item)[1]}
    missing = set(wanted) - set(found)
    if missing:
        raise ValueError(f"labelled items not in the fixtures: {sorted(missing)[:3]}")
    return [
        row["qid"] in found[_label_key(row["source"], row["index"], row["title"])] for row in labels
    ]


def precision_table(labels: list[dict], fires: list[bool], column: str) -> dict[str, list[int]]:
    """``column`` value (and "ALL") → [correct still found, still found, labelled]."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row, fired in zip(labels, fires, strict=True):
        for key in (row[column], "ALL"):
            per[key][2] += 1
            if fired:
                per[key][1] += 1
                per[key][0] += row["label"] == "correct"
    return per


def _print_table(per: dict[str, list[int]], column: str) -> None:
    print(f"{column:<18}{'labelled':>9}{'found':>7}{'correct':>8}{'precision':>10}")
    for key in [*sorted(k for k in per if k != "ALL"), "ALL"]:
        correct, found_n, labelled = per[key]
        precision = f"{correct / found_n:.3f}" if found_n else "-"
        print(f"{key:<18}{labelled:>9}{found_n:>7}{correct:>8}{precision:>10}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draw", type=Path, help="write a new sample to label here")
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args()
    if args.draw:
        draw(args.draw)
        return
    labels = load_labels(args.labels)
    fires = still_found(labels)
    sample = [
        (row, fired) for row, fired in zip(labels, fires, strict=True) if row["drawn"] == "sample"
    ]
    print(f"the seeded sample ({len(sample)} tags):")
    for column in ("language", "kind"):
        _print_table(
            precision_table([r for r, _ in sample], [f for _, f in sample], column), column
        )
    print(f"every labelled tag (sample + audit, {len(labels)}):")
    _print_table(precision_table(labels, fires, "drawn"), "drawn")
    removed = [row for row, fired in zip(labels, fires, strict=True) if not fired]
    wrong = [
        row for row, fired in zip(labels, fires, strict=True) if fired and row["label"] != "correct"
    ]
    print(f"labelled tags that no longer fire: {len(removed)}")
    for row in removed:
        print(
            f"  {row['label']:<8}{row['language']} {row['qid']} {row['evidence']} {row['source']}#{row['index']}"
        )
    print(f"labelled-wrong tags that still fire: {len(wrong)}")
    for row in wrong:
        print(f"  {row['language']} {row['qid']} {row['evidence']} {row['source']}#{row['index']}")


if __name__ == "__main__":
    main()

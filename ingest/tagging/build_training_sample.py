"""Draw the unlabelled items of the topic training set from the shared real data.

Run ``python -m ingest.tagging.build_training_sample SHARED_DATA_DIR``; it writes
``ingest/data/training/items.jsonl`` (one real article a line, as the ingest sees it) and
``ingest/data/training/blind.txt`` (the keys of the 200 items labelled a second time, blind).
With ``--rest`` it writes ``items-feeds-rest.jsonl`` instead: every feed item the first draw
left out by its caps (English and Korean), drawn later so that the first draw's keys stay.
The labels themselves are in ``ingest/data/training/labels/*.jsonl`` (TAGGING.md format).

What is drawn, seeded and so the same on every run:

- every distinct feed item of ``feeds/`` (parsed by Pantau's own parser, so title and summary
  are cleaned exactly as stored), except the items of the project's dev gold (matched by title) and repeats
  of a title already drawn (snapshots of one feed overlap); Korean and English, which have far more
  items than the other languages, are capped, at most ``PER_OUTLET_CAP`` per outlet;
- every article page of ``articles/`` that Pantau's extractor reads as ``ok``: its title and
  the extracted text (the unit the tagger sees once a page is fetched).

The ``outlet`` of an item is its feed folder (for a feed that merges outlets, its link's site),
or the page's site: cross-validation is grouped by
it, so a model is never tested on an outlet it was trained on.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.evaluate import declared_language
from ingest.extract import extract
from ingest.language import normalise_language
from ingest.parse import parse_feed

TRAINING = Path(__file__).resolve().parent.parent / "data" / "training"
SEED = 20261204
LANGUAGE_CAPS = {"ko": 330, "en": 330}
PER_OUTLET_CAP = 24
BLIND = 200
SECOND_LEVEL = {"co", "com", "go", "or", "ac", "net", "org", "gov", "ne"}
# Feeds that merge many outlets: their items' outlet is the link's site, not the feed.
MERGED_FEEDS = ("knews-rss_categories-",)
PAGE_BODY_CHARS = 6000  # labellers read at most this much of a page's text; so does training


def _site(url: str | None) -> str | None:
    """The site a link belongs to, its registrable domain: news.donga.com → donga.com,
    nasional.news.viva.co.id → viva.co.id."""
    try:
        host = urlsplit(url or "").hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    labels = host.split(".")
    keep = 3 if len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _manifest_languages(shared: Path) -> dict[str, str]:
    """Each feed file's language as the shared data's manifest records it ("en-gb (English)")."""
    languages = {}
    for line in (shared / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t")
        languages[cells[0]] = cells[5].split(" ")[0]
    return languages


def _feed_items(shared: Path) -> list[dict]:
    items = []
    languages = _manifest_languages(shared)
    for path in sorted((shared / "feeds").glob("*/*.xml")):
        rel = path.relative_to(shared).as_posix()
        parsed = parse_feed(
            path.read_bytes(),
            feed_url=f"https://example.invalid/{rel}",
            fetched_at=datetime.now(UTC),
        )
        merged = path.name.startswith(MERGED_FEEDS)
        declared = normalise_language(languages.get(rel) or declared_language(path) or "")
        for index, article in enumerate(parsed.articles):  # index: among the items Pantau keeps
            if not article.title.strip():
                continue
            items.append(
                {
                    "file": rel,
                    "index": index,
                    "outlet": (merged and _site(article.url)) or path.parent.name,
                    "declared": declared,
                    "title": article.title,
                    "summary": article.summary,
                }
            )
    return items


def _page_items(shared: Path) -> list[dict]:
    items = []
    truth = shared / "articles" / "truth.jsonl"
    for line in truth.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        page = shared / "articles" / "pages" / row["file"]
        found = extract(page.read_bytes(), row.get("url"))
        if found.status != "ok" or not found.body:
            continue
        items.append(
            {
                "file": f"articles/pages/{row['file']}",
                "index": 0,
                "outlet": _site(row.get("url")) or row["file"],
                "declared": row.get("language"),
                "title": found.title or "",
                "summary": "",
                "body": found.body[:PAGE_BODY_CHARS],
            }
        )
    return items


def draw(shared: Path) -> tuple[list[dict], list[str]]:
    """The items to label and the keys of the blind second pass (seeded)."""
    gold = [json.loads(line) for line in (shared / "gold-dev.jsonl").read_text().splitlines()]
    seen_titles = {normalise_title(row["title"]) for row in gold}
    rng = random.Random(SEED)
    feed = _feed_items(shared)
    rng.shuffle(feed)
    kept: list[dict] = []
    per_outlet: dict[tuple[str, str], int] = defaultdict(int)
    per_language: dict[str, int] = defaultdict(int)
    for item in feed:
        title = normalise_title(item["title"])
        if title in seen_titles:
            continue
        language = item["declared"] or "?"
        cap = LANGUAGE_CAPS.get(language)
        if cap is not None:
            outlet_cap = PER_OUTLET_CAP if language == "en" else cap
            full = per_language[language] >= cap
            if full or per_outlet[(language, item["outlet"])] >= outlet_cap:
                continue
        seen_titles.add(title)
        per_language[language] += 1
        per_outlet[(language, item["outlet"])] += 1
        kept.append(item)
    kept.sort(key=lambda item: (item["file"], item["index"]))
    kept += _page_items(shared)
    for number, item in enumerate(kept):
        item["key"] = f"train-{number:04d}"
    blind = sorted(item["key"] for item in rng.sample(kept, BLIND))
    return kept, blind


def draw_rest(shared: Path) -> list[dict]:
    """The feed items neither the first draw (``items.jsonl``) nor the dev gold holds, one per
    title, in file order, keyed ``rest-NNNN``."""
    gold = [json.loads(line) for line in (shared / "gold-dev.jsonl").read_text().splitlines()]
    drawn = [json.loads(line) for line in (TRAINING / "items.jsonl").read_text().splitlines()]
    seen_titles = {normalise_title(row["title"]) for row in [*gold, *drawn]}
    rest = []
    for item in _feed_items(shared):
        title = normalise_title(item["title"])
        if title not in seen_titles:
            seen_titles.add(title)
            rest.append(item)
    for number, item in enumerate(rest):
        item["key"] = f"rest-{number:04d}"
    return rest


def write_items(path: Path, items: list[dict]) -> None:
    """Write drawn items, one JSON object a line, and say how many from how many outlets."""
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(items)} items from {len({item['outlet'] for item in items})} outlets → {path}")


def main_rest(shared: Path) -> None:
    write_items(TRAINING / "items-feeds-rest.jsonl", draw_rest(shared))


def main(shared: Path) -> None:
    items, blind = draw(shared)
    TRAINING.mkdir(parents=True, exist_ok=True)
    with (TRAINING / "items.jsonl").open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    (TRAINING / "blind.txt").write_text("\n".join(blind) + "\n")
    languages: dict[str, int] = defaultdict(int)
    for item in items:
        languages[item["declared"] or "?"] += 1
    print(f"{len(items)} items, {len(blind)} blind; by declared language: {dict(languages)}")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--rest"]
    chosen = main_rest if "--rest" in sys.argv[1:] else main
    chosen(Path(arguments[0] if arguments else "../shared/data"))

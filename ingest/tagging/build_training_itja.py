"""Draw unlabelled Italian articles of national dailies with their full text.

    python -m ingest.tagging.build_training_itja IT_GIT_DIR

The argument is a clone (or bare mirror) of ``alexcri90/italian-news-topics``; the command writes
``ingest/data/training/items-itja.jsonl``. The Italian items of the set were Italian Wikinews
(``ittr-``) and NewsAPI headlines with 200 characters of text (``ittr2-``); this draw adds whole
articles of five national dailies.

- Italian (``it``): the articles that the project's daily scraper (newspaper3k) saved in
  ``_data/articles_2025-03-31.json`` (source, title, URL, text, date): La Repubblica, Corriere
  della Sera, Il Sole 24 Ore, La Stampa and Il Fatto Quotidiano, ten of each but Repubblica (six),
  published between 2022-04-29 and 2025-03-31. The text's first paragraph is the ``summary``, the
  rest the ``body``; a leading byline ("di <name>") and Il Sole 24 Ore's audio and reading-time
  lines ("Ascolta la versione audio dell'articolo", "2' di lettura") are dropped.

The sample's name keeps room for Japanese (``ja``): no Japanese newspaper text could be read
from a snapshot in time for this draw (PROVENANCE.md says why).

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together. Titles
already in another item file or the dev gold are skipped, as are repeated titles and repeated
openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. All the items that pass are
taken, in an order shuffled with a fixed seed, and the snapshot must be at the pinned commit: the
same items on every run.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_corpora import _known_titles
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS, TRAINING, write_items

SEED = 20261207
OUT = TRAINING / "items-itja.jsonl"
MIN_TEXT_CHARS = 300

IT_REPOSITORY = "alexcri90/italian-news-topics"
IT_COMMIT = "ea5d0c9823dc9692db23d5196724d7a311ce75aa"
IT_PATH = "_data/articles_2025-03-31.json"

_BOILERPLATE = re.compile(r"^(Ascolta la versione audio dell'articolo|\d+' di lettura|di [A-Z]\S+( [A-Z]\S+){1,3})$")  # fmt: skip
_PAGE_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")


def _flat(text: str) -> str:
    """Whitespace runs as one space."""
    return re.sub(r"\s+", " ", text).strip()


def _site(url: str) -> str:
    """The site's domain without its subdomains (milano.repubblica.it is repubblica.it)."""
    return ".".join((urlsplit(url).hostname or "").lower().split(".")[-2:])


def _published(article: dict) -> str:
    """The date in the article's URL where it has one, else the scraper's ``publish_date``."""
    found = _PAGE_DATE.search(article.get("url") or "")
    if found:
        return "-".join(found.groups())
    return (article.get("publish_date") or "")[:10]


def _it_items(repo: Path) -> list[dict]:
    """Every article of the file, in file order."""
    items = []
    for article in json.loads(show(repo, IT_PATH, IT_COMMIT).decode("utf-8")):
        paragraphs = [_flat(part) for part in (article.get("content") or "").split("\n")]
        paragraphs = [part for part in paragraphs if part]
        while paragraphs and _BOILERPLATE.match(paragraphs[0]):
            paragraphs.pop(0)
        items.append(
            {
                "title": _flat(article.get("title") or ""),
                "summary": paragraphs[0] if paragraphs else "",
                "body": "\n".join(paragraphs[1:]),
                "outlet": _site(article.get("url") or ""),
                "published": _published(article),
                "file": f"{IT_REPOSITORY}:{IT_PATH}@{IT_COMMIT}",
            }
        )
    return items


def _opening(item: dict) -> str:
    return " ".join(f"{item['summary']} {item.get('body') or ''}".split())[:200].casefold()


def _known_openings() -> set[str]:
    openings = set()
    for path in sorted(TRAINING.glob("items-*.jsonl")):
        if path != OUT:
            for line in path.read_text("utf-8").splitlines():
                openings.add(_opening(json.loads(line)))
    return openings


def _fresh(items: list[dict], titles: set[str], openings: set[str]) -> list[dict]:
    """Items with enough text whose title and opening are new."""
    fresh = []
    for item in items:
        length = len(item["title"]) + len(item["summary"]) + len(item["body"])
        folded, opening = normalise_title(item["title"]), _opening(item)
        if not folded or folded in titles or opening in openings or length < MIN_TEXT_CHARS:
            continue
        titles.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def draw(it_repo: Path) -> list[dict]:
    """The ``itja`` items (module docstring)."""
    if head_commit(it_repo) != IT_COMMIT:
        raise SystemExit(f"{it_repo} is not at the pinned commit {IT_COMMIT}")
    chosen = _fresh(_it_items(it_repo), _known_titles(OUT), _known_openings())
    random.Random(SEED).shuffle(chosen)
    items = []
    for number, item in enumerate(chosen):
        items.append(
            {
                "file": item["file"],
                "index": number,
                "outlet": item["outlet"],
                "declared": "it",
                "title": item["title"],
                "summary": item["summary"],
                "body": item["body"][:PAGE_BODY_CHARS],
                "published": item["published"],
                "key": f"itja-{number:04d}",
            }
        )
    return items


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    write_items(OUT, draw(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Italian articles of national dailies with their full text.

    python -m ingest.tagging.build_training_itja IT_GIT_DIR IT2_GIT_DIR

The arguments are clones (or bare mirrors) of ``alexcri90/italian-news-topics`` and
``MarcoMosconi/Articles-Clustering``; the command writes ``ingest/data/training/items-itja.jsonl``. The Italian items of the set were Italian Wikinews
(``ittr-``) and NewsAPI headlines with 200 characters of text (``ittr2-``); this draw adds whole
articles of five national dailies.

- Italian (``it``): the articles that the project's daily scraper (newspaper3k) saved in
  ``_data/articles_2025-03-31.json`` (source, title, URL, text, date): La Repubblica, Corriere
  della Sera, Il Sole 24 Ore, La Stampa and Il Fatto Quotidiano, ten of each but Repubblica (six),
  published between 2022-04-29 and 2025-03-31. The text's first paragraph is the ``summary``, the
  rest the ``body``; a leading byline ("di <name>") and Il Sole 24 Ore's audio and reading-time
  lines ("Ascolta la versione audio dell'articolo", "2' di lettura") are dropped. All the
  articles that pass are taken, in an order shuffled with a fixed seed.
- Italian (``it``), after those: ANSA and Il Post articles that ``MarcoMosconi/Articles-Clustering``
  (a student project) scraped from the two sites' front pages on seven days of September 2024
  (``Articles/Ansa-Articles/*.csv``, ``Articles/ilPost-Articles/*.csv``: publication, scrape date,
  title, text as one paragraph; no URLs; the first file has no date column, its name's day is
  taken). The text's first sentence is the ``summary``, the rest the
  ``body``; ``PER_OUTLET`` of each site are drawn at random from the articles that pass.

The sample's name keeps room for Japanese (``ja``): no Japanese newspaper text could be read
from a snapshot in time for this draw (PROVENANCE.md says why).

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together. Titles
already in another item file or the dev gold are skipped, as are repeated titles and repeated
openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshots
must be at the pinned commits: the same items on every run.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    item_row,
    known_openings,
    known_titles,
    opening_of,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-itja.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = 17

IT_REPOSITORY = "alexcri90/italian-news-topics"
IT_COMMIT = "ea5d0c9823dc9692db23d5196724d7a311ce75aa"
IT_PATH = "_data/articles_2025-03-31.json"

IT2_REPOSITORY = "MarcoMosconi/Articles-Clustering"
IT2_COMMIT = "bfc04cee206ccf057a5b22d7c3b1029a63666370"
IT2_FOLDERS = {"Articles/Ansa-Articles": "ansa.it", "Articles/ilPost-Articles": "ilpost.it"}

_BOILERPLATE = re.compile(r"^(Ascolta la versione audio dell'articolo|\d+' di lettura|di [A-Z]\S+( [A-Z]\S+){1,3})$")  # fmt: skip
_PAGE_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")
_FIRST_SENTENCE = re.compile(r"^(.{40,400}?[.!?»”\"])\s+(?=[A-Z«“\"])")


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
        paragraphs = [flat(part) for part in (article.get("content") or "").split("\n")]
        paragraphs = [part for part in paragraphs if part]
        while paragraphs and _BOILERPLATE.match(paragraphs[0]):
            paragraphs.pop(0)
        items.append(
            {
                "title": flat(article.get("title") or ""),
                "summary": paragraphs[0] if paragraphs else "",
                "body": "\n".join(paragraphs[1:]),
                "outlet": _site(article.get("url") or ""),
                "published": _published(article),
                "file": f"{IT_REPOSITORY}:{IT_PATH}@{IT_COMMIT}",
            }
        )
    return items


def _files(repo: Path, folder: str) -> list[str]:
    """The files of ``folder`` at ``IT2_COMMIT``, sorted."""
    ls = ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", IT2_COMMIT, folder]
    return sorted(subprocess.run(ls, capture_output=True, text=True, check=True).stdout.split())


def _it2_items(repo: Path, folder: str) -> list[dict]:
    """Every article of the folder's daily files, oldest file first, each title once."""
    items, seen = [], set()
    for path in _files(repo, folder):
        text = show(repo, path, IT2_COMMIT).decode("utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            title, content = flat(row["Title"]), flat(row["Content"])
            if title in seen:
                continue
            seen.add(title)
            found = _FIRST_SENTENCE.match(content)
            summary, body = (found.group(1), content[found.end() :]) if found else ("", content)
            items.append(
                {
                    "title": title,
                    "summary": summary,
                    "body": body,
                    "outlet": IT2_FOLDERS[folder],
                    "published": row.get("Date") or path[-14:-4],  # the file's day
                    "file": f"{IT2_REPOSITORY}:{path}@{IT2_COMMIT}",
                }
            )
    return items


def _fresh(items: list[dict], titles: set[str], openings: set[str]) -> list[dict]:
    """Items with enough text whose title and opening are new."""
    fresh = []
    for item in items:
        length = len(item["title"]) + len(item["summary"]) + len(item["body"])
        folded, opening = normalise_title(item["title"]), opening_of(item)
        if not folded or folded in titles or opening in openings or length < MIN_TEXT_CHARS:
            continue
        titles.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def draw(it_repo: Path, it2_repo: Path) -> list[dict]:
    """The ``itja`` items (module docstring)."""
    for repo, pinned in ((it_repo, IT_COMMIT), (it2_repo, IT2_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    chosen = _fresh(_it_items(it_repo), titles, openings)
    rng.shuffle(chosen)
    for folder in sorted(IT2_FOLDERS):
        fresh = _fresh(_it2_items(it2_repo, folder), titles, openings)
        chosen += rng.sample(fresh, min(PER_OUTLET, len(fresh)))
    return [
        item_row("itja-", number, item["file"], "it", item, published=item["published"])
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

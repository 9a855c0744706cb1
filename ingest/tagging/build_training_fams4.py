"""Draw unlabelled Persian news articles of two outlets new to the set (Tabnak, Mashregh News).

    python -m ingest.tagging.build_training_fams4 TABNAK_GIT_DIR MASHREGH_GIT_DIR

The arguments are clones (or bare mirrors) of ``amindrn/ir`` and ``akhavansafaei/news_classification``
(neither states a licence); the command writes ``ingest/data/training/items-fams4.jsonl``. The
set's Persian items came from Fars News, Varzesh3, Hamshahri, Radio Farda, Borna, Khabar Online
and Tasnim; this draw adds two more outlets.

- ``amindrn/ir`` (an information-retrieval course project), ``10.csv``: 180 articles of the
  archive pages of tabnak.ir that its ``web.py`` read with newspaper3k on 24 Khordad 1401 (14 June
  2022): row number, URL, text, title. ``TABNAK_COUNT`` of the articles with at least
  ``MIN_TEXT_CHARS`` characters of title and text are drawn at random (every section: politics,
  world, economy, society, health, sport, cinema). Tabnak has no lead in this file: ``summary``
  is empty and the text, its paragraphs one a line, is the ``body``. Many Tabnak articles are
  reprints ("به گزارش تابناک به نقل از فارس"); the outlet is still the one that published them.
- ``akhavansafaei/news_classification`` (a Persian BERT classification demo), ``content_*.txt``:
  19 article bodies (18 distinct) that its notebook scraped from mashreghnews.ir's front page
  (late 2023: the Gaza war, the Nobel peace prize to Narges Mohammadi, the Rask attack). The files
  keep no headline, so the first sentence, without the "به گزارش مشرق،" or "سرویس … مشرق -"
  opening, stands as ``title`` (as the BBC Hindi items of ``hifa-`` did); ``summary`` is empty;
  the text after that sentence is the ``body``. A text whose first sentence runs past
  ``MAX_TITLE_CHARS`` has no title and is not drawn (4 of them); ``MASHREGH_COUNT`` of the rest
  are drawn at random.

Titles already in another item file or the dev gold, repeated titles and repeated openings are
skipped; bodies keep their first ``PAGE_BODY_CHARS`` characters. Tabnak items come first, then
Mashregh ones. The snapshots must be at the pinned commits: the same items on every run.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-fams4.jsonl"
MIN_TEXT_CHARS = 300
TABNAK_COUNT = 26
MASHREGH_COUNT = 10
MAX_TITLE_CHARS = 250

TABNAK_REPOSITORY = "amindrn/ir"
TABNAK_COMMIT = "e77f6f039a684122a2d22ebc46872c103dd4158f"
TABNAK_PATH = "10.csv"
MASHREGH_REPOSITORY = "akhavansafaei/news_classification"
MASHREGH_COMMIT = "b4360d56f0889331ca0cbf079c0cd6411471c3b9"
MASHREGH_FILES = (
    "102", "169", "207", "276", "327", "339", "453", "462", "524", "541", "563", "587", "596",
    "654", "656", "724", "759", "769", "819",
)  # fmt: skip

# "به گزارش مشرق،" / "سرویس سیاست مشرق-" / "سرویس جهان مشرق _": the agency's opening.
_MASHREGH_OPENING = re.compile(r"^(?:به گزارش مشرق\s*،\s*|سرویس[^-_،]{0,30}مشرق\s*[-_–]\s*)")
# A sentence ends at a full stop before a space or the line's end (not the dots of a domain
# name or a number).
_SENTENCE_END = re.compile(r"\.(?=\s|$)")


def _paragraphs(text: str) -> list[str]:
    return [flat(line) for line in text.splitlines() if flat(line)]


def _tabnak_items(repo: Path) -> list[dict]:
    """The articles of ``10.csv``, in file order."""
    table = show(repo, TABNAK_PATH, TABNAK_COMMIT).decode("utf-8")
    items = []
    for row in csv.DictReader(io.StringIO(table)):
        items.append(
            {
                "title": flat(row["title"]),
                "summary": "",
                "body": "\n".join(_paragraphs(row["text"] or "")),
                "outlet": "tabnak.ir",
                "url": row["url"].strip(),
                "file": f"{TABNAK_REPOSITORY}:{TABNAK_PATH}@{TABNAK_COMMIT}",
            }
        )
    return items


def _mashregh_items(repo: Path) -> list[dict]:
    """The article files, in number order: first sentence as title, the rest as body."""
    items = []
    for number in MASHREGH_FILES:
        path = f"content_{number}.txt"
        lines = _paragraphs(show(repo, path, MASHREGH_COMMIT).decode("utf-8"))
        if not lines:
            continue
        first = _MASHREGH_OPENING.sub("", lines[0])
        end = _SENTENCE_END.search(first)
        cut = end.end() if end and end.end() <= MAX_TITLE_CHARS else len(first)
        title = first[:cut].rstrip(".: ") if cut <= MAX_TITLE_CHARS else ""
        rest = [first[cut:].strip(), *lines[1:]]
        items.append(
            {
                "title": title,
                "summary": "",
                "body": "\n".join(line for line in rest if line),
                "outlet": "mashreghnews.ir",
                "url": "",
                "file": f"{MASHREGH_REPOSITORY}:{path}@{MASHREGH_COMMIT}",
            }
        )
    return items


def draw(tabnak_repo: Path, mashregh_repo: Path) -> list[dict]:
    """The ``fams4`` items (module docstring)."""
    for repo, commit in ((tabnak_repo, TABNAK_COMMIT), (mashregh_repo, MASHREGH_COMMIT)):
        if head_commit(repo) != commit:
            raise SystemExit(f"{repo} is not at the pinned commit {commit}")
    rng = random.Random(SEED)
    titles, openings = known_titles(OUT), known_openings(OUT)
    chosen = []
    for items, count in (
        (_tabnak_items(tabnak_repo), TABNAK_COUNT),
        (_mashregh_items(mashregh_repo), MASHREGH_COUNT),
    ):
        kept = fresh_of_outlets(items, set(), MIN_TEXT_CHARS, titles, openings)
        chosen += rng.sample(kept, min(count, len(kept)))
    rows = []
    for number, item in enumerate(chosen):
        extra = {"url": item["url"]} if item["url"] else {}
        rows.append(item_row("fams4-", number, item["file"], "fa", item, **extra))
    return rows


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

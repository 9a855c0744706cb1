"""Draw unlabelled Russian news of an outlet the training set had none of: Russian Wikinews.

    python -m ingest.tagging.build_training_ru5 NEREL_GIT_DIR

The argument is a clone (or bare mirror) of the public repository ``nerel-ds/NEREL`` (NEREL,
the Russian nested-entity and relation dataset of Loukachevitch et al., LRE 2023), whose texts
are articles of Russian Wikinews (``ru.wikinews.org``; Wikinews text is CC BY 2.5, attribution:
Wikinews contributors; NEREL's annotations are not used). The command writes
``ingest/data/training/items-ru5.jsonl``. Russian had Lenta, Wikipedia's "In the news", six
outlets of corus' samples and scattered NewsAPI items; no Wikinews.

- Every ``NEREL-v1.1/{train,dev,test}/*.txt`` of the pinned commit (one article a file, 933
  files; the ``.ann`` annotation files are not read), in sorted path order. A file's first
  non-empty line is the article's title; the lines after it are the ``body`` (one a line,
  whitespace folded; the first is often an image caption, as Wikinews pages show it). Wikinews
  external-link markup ``[http://... text]`` keeps its text only; wiki italic and bold quotes
  (``''``, ``'''``) and image options before a caption (``thumb|``, ``слева|``) are dropped.
  There is no lead, so ``summary`` is empty; the dataset keeps no dates or links (about
  2010-2020 by content).
  The outlet is ``ru.wikinews.org``.

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together;
``COUNT`` are drawn at random (no section or topic filter) with ``random.Random(SEED)``. Titles
already in another item file or the dev gold are skipped, as are repeated titles and repeated
openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshot must
be at the pinned commit: the same items on every run.
"""

from __future__ import annotations

import random
import re
import subprocess
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
OUT = TRAINING / "items-ru5.jsonl"
MIN_TEXT_CHARS = 300
COUNT = 70

REPOSITORY = "nerel-ds/NEREL"
COMMIT = "8f07d3e410f322d5dbf6b68b13fbf4a4aa077fe9"
ROOT = "NEREL-v1.1"
OUTLET = "ru.wikinews.org"

_LINK = re.compile(r"\[(?:https?:)?//\S+\s+([^\]]*)\]")
_IMAGE_OPTIONS = re.compile(r"^(?:(?:thumb|мини|слева|справа|центр|left|right|center|\d+px)\|)+")


def _paths(repo: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", COMMIT, ROOT],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(p for p in listing.splitlines() if p.endswith(".txt"))


def _items(repo: Path) -> list[dict]:
    """Every NEREL article: its first line the title, the other lines the body."""
    items = []
    for path in _paths(repo):
        text = _LINK.sub(r"\1", show(repo, path, COMMIT).decode("utf-8", "replace"))
        text = text.replace("'''", "").replace("''", "")
        lines = [_IMAGE_OPTIONS.sub("", flat(raw)) for raw in text.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        items.append(
            {
                "title": lines[0],
                "summary": "",
                "body": "\n".join(lines[1:]),
                "outlet": OUTLET,
                "file": f"{REPOSITORY}:{path}@{COMMIT}",
            }
        )
    return items


def draw(repo: Path) -> list[dict]:
    """The ``ru5`` items (module docstring)."""
    if head_commit(repo) != COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {COMMIT}")
    fresh = fresh_of_outlets(
        _items(repo), set(), MIN_TEXT_CHARS, known_titles(OUT), known_openings(OUT)
    )
    drawn = random.Random(SEED).sample(fresh, min(COUNT, len(fresh)))
    return [
        item_row("ru5-", number, item["file"], "ru", item, published="", url="")
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Italian news of regional and online outlets the training set had none of.

    python -m ingest.tagging.build_training_it5 GIT_DIR

The argument is a clone (or bare mirror) of the public repository ``Gruntrexpewrus/StatLearnTeam``
(no licence file: a 2020 university project on how Italian media covered COVID-19; the text is
the publishers'); the command writes ``ingest/data/training/items-it5.jsonl``.

- Source: the CSV files ``old/dataset/updated_contents/<site>_updated_content.csv`` (``;``
  separated: title, content, date, author, tags, url, website-domain, region). The project
  listed the articles of many Italian outlets through the index of intopic.it (February to
  June 2020) and then scraped each article's whole text (``content``): the ``body`` here (a
  line a paragraph as scraped, whitespace folded); there is no lead, so ``summary`` is empty.
  ``published`` is the CSV's date where it is one (as ``YYYY-MM-DD``), ``url`` the article's
  link; the outlet is the link's host without ``www.``. Files whose blobs the snapshot lacks
  are skipped.
- Outlets: those of ``known_outlets("it")`` (already in another item file) are left out, and so
  are the sub-sites of outlets the set has (``*.fanpage.it``, ``*.repubblica.it``,
  ``*.mediaset.it``), and two sites that are not news outlets (``carabinieri.it``, the police
  corps' press releases; ``cnaemiliaromagna.it``, a trade association's).

An item needs at least ``MIN_TEXT_CHARS`` characters of title and body together; titles already
in another item file or the dev gold are skipped, as are repeated titles and openings. At most
``PER_OUTLET`` items an outlet go into the pool (at random), and ``COUNT`` of the pool are drawn
(no section or topic filter), with ``random.Random(SEED)``. Bodies keep their first
``PAGE_BODY_CHARS`` characters. Seeded, and the snapshot must be at the pinned commit: the same
items on every run.
"""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
import sys
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    draw_per_outlet,
    flat,
    fresh_of_outlets,
    host,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-it5.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = 3
COUNT = 70

REPOSITORY = "Gruntrexpewrus/StatLearnTeam"
COMMIT = "a4375e4aac02e34a27de3b33a708b376bd0bdb17"
FOLDER = "old/dataset/updated_contents/"

# Sub-sites of outlets already in the set, and sites that are not news outlets.
_FAMILIES = ("fanpage.it", "repubblica.it", "mediaset.it")
_NOT_OUTLETS = {"carabinieri.it", "cnaemiliaromagna.it"}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})$")


def _paths(repo: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", COMMIT, FOLDER],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(path for path in listing.splitlines() if path.endswith(".csv"))


def _items(repo: Path) -> list[dict]:
    """Every article of every readable CSV file, files in name order, rows in file order."""
    csv.field_size_limit(10_000_000)
    items = []
    for path in _paths(repo):
        try:
            raw = show(repo, path, COMMIT)
        except subprocess.CalledProcessError:
            continue  # the snapshot lacks this file's blob
        text = io.StringIO(raw.decode("utf-8", "replace"), newline="")
        for row in csv.DictReader(text, delimiter=";"):
            url = (row.get("url") or "").strip()
            body = "\n".join(
                flat(line) for line in (row.get("content") or "").splitlines() if line.strip()
            )
            date = _DATE.match((row.get("date") or "").strip())
            items.append(
                {
                    "title": flat(row.get("title")),
                    "summary": "",
                    "body": body,
                    "outlet": host(url),
                    "published": "-".join(part.zfill(2) for part in date.groups()) if date else "",
                    "file": f"{REPOSITORY}:{path}@{COMMIT}",
                    "url": url,
                }
            )
    return items


def _skipped(outlet: str, known: set[str]) -> bool:
    return (
        outlet in known
        or outlet in _NOT_OUTLETS
        or any(outlet == family or outlet.endswith("." + family) for family in _FAMILIES)
    )


def draw(repo: Path) -> list[dict]:
    """The ``it5`` items (module docstring)."""
    if head_commit(repo) != COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    known = known_outlets("it", OUT)
    items = [item for item in _items(repo) if not _skipped(item["outlet"], known)]
    fresh = fresh_of_outlets(items, set(), MIN_TEXT_CHARS, titles, openings)
    chosen = draw_per_outlet(fresh, COUNT, PER_OUTLET, random.Random(SEED))
    return [
        item_row(
            "it5-",
            number,
            item["file"],
            "it",
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

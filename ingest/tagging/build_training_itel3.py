"""Draw unlabelled Italian news items of outlets the training set lacked (no Greek found).

    python -m ingest.tagging.build_training_itel3 IT_GIT_DIR

The argument is a clone (or bare mirror) of ``andrewfromtver/news_ag``; the command writes
``ingest/data/training/items-itel3.jsonl``. Italian had the lowest cross-validated topic F1 of
the set (0.59) and its lexicon over-fires on court words in ordinary crime stories; what helps
is a realistic mix of general news of outlets the model has not seen. The first draw from this
source (``build_training_ittr2``) took at most 10 items of an outlet into a pool and 80 of the
pool at random, so most of the source's outlets were never drawn.

- Italian (``it``): the Italian top headlines that ``andrewfromtver/news_ag`` (a news bot) saved
  from the NewsAPI service in May 2021 (``app-data/news_it.js``, every version of the file in the
  history up to ``IT_COMMIT``, read as ``build_training_ittr2._it_items`` reads them: headline
  with the " - <site name>" tail cut, the site's description as ``summary``, NewsAPI's first 200
  characters of the text as ``body``; an article is taken from the first version that has it).
  Only outlets with no item of the language anywhere in the training set are kept (the set's
  Italian outlets are read from the item files themselves, so no list is kept here), and Google
  News redirects are left out.

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together; at
most ``PER_OUTLET`` items of one outlet go into the pool and ``PER_LANGUAGE`` are drawn from it
at random (no topic or section filter). Titles already in another item file or the dev gold are
skipped, as are repeated titles and repeated openings. Bodies keep their first
``PAGE_BODY_CHARS`` characters. Seeded, and the snapshot must be at the pinned commit: the same
items on every run.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit
from ingest.tagging.build_training_draw import (
    build_main,
    draw_per_outlet,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_ittr2 import IT_COMMIT, _it_items
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-itel3.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = 6
PER_LANGUAGE = 60
_NO_OUTLET = {"google.com"}  # news.google.com redirects


def draw(it_repo: Path) -> list[dict]:
    """The ``itel3`` items (module docstring)."""
    if head_commit(it_repo) != IT_COMMIT:
        raise SystemExit(f"{it_repo} is not at the pinned commit {IT_COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    skip = known_outlets("it", OUT) | _NO_OUTLET
    fresh = fresh_of_outlets(_it_items(it_repo), skip, MIN_TEXT_CHARS, titles, openings)
    return [
        item_row("itel3-", number, item["file"], "it", item, published=item["published"])
        for number, item in enumerate(draw_per_outlet(fresh, PER_LANGUAGE, PER_OUTLET, rng))
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

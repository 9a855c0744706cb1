"""Draw unlabelled Turkish news items of outlets the training set lacked (no Italian found).

    python -m ingest.tagging.build_training_trit4 TR_GIT_DIR

The argument is a clone (or bare mirror) of ``selimfirat/turkish-news-analytics``; the command
writes ``ingest/data/training/items-trit4.jsonl``. Turkish's cross-validated topic F1 was 0.70
with 29 outlets; what helps is general and political news of outlets the model has not seen.
The first draw from this source (``build_training_ittr2``) kept entries of 300 characters or
more, so the feeds whose entries are a headline and a one-sentence lead (TRT Haber, Evrensel,
A Haber, Yeni Şafak, Takvim…) never entered the set.

- Turkish (``tr``): the news entries that ``selimfirat/turkish-news-analytics`` (a student
  project) collected from Turkish news sites' RSS feeds in 2017-2018
  (``sentiment-classification-mapreduce/news.json``, read as ``build_training_ittr2._tr_items``
  reads it: title, the feed's description with its HTML removed as ``summary``, the page's text
  as ``body`` for the few entries its parser fetched). Only outlets with no item of the language
  anywhere in the training set are kept (read from the item files themselves), and
  ``feedproxy.google.com`` entries (no site) are left out. A punycode domain is written in
  Unicode (``xn--anadoluajans-d5b.com.tr`` is ``anadoluajansı.com.tr``).

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together (a
headline and a lead sentence; the source holds no longer text of these outlets); at most
``PER_OUTLET`` items of one outlet go into the pool and ``PER_LANGUAGE`` are drawn from it at
random (no topic or section filter). Titles already in another item file or the dev gold are
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
from ingest.tagging.build_training_ittr2 import TR_COMMIT, _tr_items
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-trit4.jsonl"
MIN_TEXT_CHARS = 150
PER_OUTLET = 5
PER_LANGUAGE = 40
_NO_OUTLET = {"google.com"}  # feedproxy.google.com


def _unicode(domain: str) -> str:
    """A domain with its punycode labels decoded."""
    return ".".join(
        label.encode("ascii").decode("idna") if label.startswith("xn--") else label
        for label in domain.split(".")
    )


def draw(tr_repo: Path) -> list[dict]:
    """The ``trit4`` items (module docstring)."""
    if head_commit(tr_repo) != TR_COMMIT:
        raise SystemExit(f"{tr_repo} is not at the pinned commit {TR_COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    skip = known_outlets("tr", OUT) | _NO_OUTLET
    items = [{**item, "outlet": _unicode(item["outlet"])} for item in _tr_items(tr_repo)]
    fresh = fresh_of_outlets(items, skip, MIN_TEXT_CHARS, titles, openings)
    return [
        item_row("trit4-", number, item["file"], "tr", item, published=item["published"])
        for number, item in enumerate(draw_per_outlet(fresh, PER_LANGUAGE, PER_OUTLET, rng))
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

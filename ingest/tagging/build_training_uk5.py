"""Draw unlabelled Ukrainian headlines of TSN, a national outlet the training set had none of.

    python -m ingest.tagging.build_training_uk5 UK_GIT_DIR

The argument is a clone (or bare mirror) of the public repository ``highbrow-228/Project-ML``
(MIT for the repository; a student fake-news project) at ``COMMIT``; the command writes
``ingest/data/training/items-uk5.jsonl``. Ukrainian had Wikipedia's In the news, Suspilne and
the regional sites of the BrUK corpus; no article text of a national outlet (Ukrainska Pravda,
UNIAN, Ukrinform, TSN, ...) was found in a public snapshot, but this repository keeps two slices
(``FILES``) of the ``zeusfsx/ukrainian-news`` crawl (id, url, title, text, owner, datetime): the
posts of TSN's Telegram channel ``t.me/tsn_ua`` (the news service of the 1+1 channel, tsn.ua)
of November 2021 to August 2022, each post one headline with a "Читати далі" ("read more")
link.

- Only rows whose ``owner`` is ``ТСН`` are read (the one other owner of the slices, the blogger
  channel "Лачен пише", is not a news outlet). A post's text is its title: the trailing
  "Читати далі" is cut off, the headline is the ``title``, ``summary`` and ``body`` are empty;
  ``url`` (the Telegram post) and ``published`` (the crawl's datetime) are kept. The outlet is
  ``tsn.ua``.

An item needs at least ``MIN_TEXT_CHARS`` characters of headline; ``COUNT`` are drawn at random
(no section or topic filter) with ``random.Random(SEED)``. Titles already in another item file
or the dev gold are skipped, as are repeated titles (the crawl holds reposts); with no text but
the headline, the openings check of the other builders does not apply. Seeded, and the
snapshot must be at the pinned commit: the same items on every run.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, flat, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-uk5.jsonl"
MIN_TEXT_CHARS = 30
COUNT = 70

REPOSITORY = "highbrow-228/Project-ML"
COMMIT = "5dec4950856088de7c48a9b533b814ca00c5989c"
FILES = ("data/trusted/trusted_news_part_24.csv", "data/trusted/trusted_news_part_28.csv")
OWNER = "ТСН"
OUTLET = "tsn.ua"
READ_MORE = "Читати далі"


def _headline(text: str) -> str:
    """A post's text without its trailing "read more" link."""
    text = flat(text)
    return text.removesuffix(READ_MORE).strip() if text.endswith(READ_MORE) else text


def _items(repo: Path) -> list[dict]:
    """Every TSN post of the two slices, in file order."""
    csv.field_size_limit(sys.maxsize)
    items = []
    for path in FILES:
        text = show(repo, path, COMMIT).decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(text)):
            if row["owner"] != OWNER:
                continue
            items.append(
                {
                    "title": _headline(row["text"] or row["title"]),
                    "summary": "",
                    "body": "",
                    "outlet": OUTLET,
                    "published": row["datetime"],
                    "file": f"{REPOSITORY}:{path}@{COMMIT}",
                    "url": row["url"],
                }
            )
    return items


def draw(repo: Path) -> list[dict]:
    """The ``uk5`` items (module docstring)."""
    if head_commit(repo) != COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {COMMIT}")
    titles, fresh = known_titles(OUT), []
    for item in _items(repo):
        folded = normalise_title(item["title"])
        if len(item["title"]) >= MIN_TEXT_CHARS and folded and folded not in titles:
            titles.add(folded)
            fresh.append(item)
    drawn = random.Random(SEED).sample(fresh, min(COUNT, len(fresh)))
    return [
        item_row(
            "uk5-", number, item["file"], "uk", item, published=item["published"], url=item["url"]
        )
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

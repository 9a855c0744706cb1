"""Draw unlabelled Ukrainian and Russian news items of outlets the training set lacked.

    python -m ingest.tagging.build_training_ukru3 UK_GIT_DIR RU_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository at the pinned commit below; the
command writes ``ingest/data/training/items-ukru3.jsonl``. Ukrainian had most of its labelled
articles from Wikipedia "In the news" and 47 sites of one corpus, Russian from lenta.ru and
Wikipedia, so the cross-validation fold of each tested a model that had seen few outlets.

- Ukrainian (``uk``): press texts (category ``A``) of the Brown Ukrainian corpus
  ``brown-uk/corpus`` (CC BY-NC-SA 4.0), read as ``build_training_jaukfr`` reads them
  (``meta/meta.csv``: title, publication, year, URL; ``data/<group>/<file>``: the text), only of
  the sites that no items file holds yet; at most ``UK_PER_OUTLET`` per site.
- Russian (``ru``): the Russian top headlines that ``andrewfromtver/news_ag`` (a news bot) saved
  from the NewsAPI service in May 2021 (``app-data/news_ru.js``, rewritten a few times a day),
  read as ``build_training_ittr2`` reads the Italian file: every version up to ``RU_COMMIT``, the
  oldest first, an article taken from the first version that has it; the " - <site>" tail of
  the headline is cut. NewsAPI's Russian text snippets lost every Cyrillic word (what is left
  is Latin names, numbers and punctuation), so the ``body`` is dropped and an item is its
  headline and the site's description (``summary``), at least ``RU_MIN_TEXT_CHARS``
  characters together. Google News redirects (no site) are left out, and so are the outlets the
  set already holds (``_RU_KNOWN``). At most ``RU_PER_OUTLET`` items an outlet go into the pool.

Titles already in another item file or the dev gold are skipped, as are repeated titles and
openings and Ukrainian texts shorter than ``MIN_TEXT_CHARS`` (title and body together); bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the
snapshots must be at the pinned commits: the same items on every run.
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
from ingest.tagging.build_training_ittr2 import _it_items
from ingest.tagging.build_training_jaukfr import _uk_items
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-ukru3.jsonl"
MIN_TEXT_CHARS = 300

UK_REPOSITORY = "brown-uk/corpus"
UK_COMMIT = "0665e895834c6a20acb1b48e58ba07e149c31f32"
UK_COUNT = 80
UK_PER_OUTLET = 3

RU_COMMIT = "cfbd4b944db37f16c2af36c059b66be25a2ba1e2"
RU_PATH = "app-data/news_ru.js"
RU_COUNT = 40
RU_MIN_TEXT_CHARS = 200
RU_PER_OUTLET = 5

# Russian outlets with items in the set before this draw, as this file's sites are named (lenta
# is lenta.ru, russian.rt.com is rt.com, aif is aif.ru), and sites that are no outlet.
_RU_KNOWN = {
    "lenta.ru",
    "gazeta.ru",
    "iz.ru",
    "tass.ru",
    "kommersant.ru",
    "meduza.io",
    "rt.com",
    "aif.ru",
}
_NO_OUTLET = {"google.com"}


def _ru_items(repo: Path) -> list[dict]:
    """Every article of every version of the Russian headlines file, each once (by its URL),
    without NewsAPI's text snippet (it lost every Cyrillic word)."""
    return [{**item, "body": ""} for item in _it_items(repo, RU_PATH)]


def draw(uk_repo: Path, ru_repo: Path) -> list[dict]:
    """The ``ukru3`` items (module docstring): Ukrainian first, then Russian."""
    for repo, pinned in ((uk_repo, UK_COMMIT), (ru_repo, RU_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    uk = fresh_of_outlets(
        _uk_items(uk_repo), known_outlets("uk", OUT), MIN_TEXT_CHARS, titles, openings
    )
    chosen = [
        ("uk", {**item, "file": f"{UK_REPOSITORY}:{item['file']}@{UK_COMMIT}"})
        for item in draw_per_outlet(uk, UK_COUNT, UK_PER_OUTLET, rng)
    ]
    ru_skip = known_outlets("ru", OUT) | _RU_KNOWN | _NO_OUTLET
    ru = fresh_of_outlets(_ru_items(ru_repo), ru_skip, RU_MIN_TEXT_CHARS, titles, openings)
    chosen += [("ru", item) for item in draw_per_outlet(ru, RU_COUNT, RU_PER_OUTLET, rng)]
    return [
        item_row(
            "ukru3-",
            number,
            item["file"],
            language,
            item,
            **({"published": item["published"]} if item.get("published") else {}),
        )
        for number, (language, item) in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

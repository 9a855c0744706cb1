"""Draw unlabelled Urdu news of a news agency and two newspapers new to the topic training set.

    python -m ingest.tagging.build_training_hiur4 URDU_GIT_DIR

The argument is a clone (or bare mirror) of ``mirfan899/Urdu`` (MIT; a collection of Urdu NLP
data sets); the command writes ``ingest/data/training/items-hiur4.jsonl``. The set's Urdu items
came from BBC Urdu, Wikipedia's blurbs and six Pakistani TV and newspaper sites (Express, Geo,
Jang, Samaa, Dunya News, ARY); these come from the wire service APP and the dailies Nawa-i-Waqt
and Islam.

- ``COUNTER/`` at ``COUNTER_COMMIT`` (the directory was removed from the repository later; the
  script reads the pinned commit whatever the snapshot's HEAD): the COrpus of Urdu News TExt
  Reuse (Sharjeel, Nawab and Rayson 2016; CC BY-NC-SA 4.0), 600 pairs of real news texts of
  2014 and 2015, one XML file a text: ``NNNN.xml`` a wire story (APP, INN, NNI,
  SANA, INP) and ``NNNNp.xml`` a newspaper's story of the same event, written from it in whole,
  in part or not at all. Each file gives the headline, the text and the ``newspaper``,
  ``newsdate`` (dd.mm.yy) and ``domain`` (business, foreign, national, showbiz, sports).
- Outlets (``OUTLETS``): the Associated Press of Pakistan (``APP``, app.com.pk), Nawa-i-Waqt
  (``nawa-e-waqt``, nawaiwaqt.com.pk) and the daily Islam (``daily_islam``, dailyislam.pk);
  ``QUOTA`` items each, at random over every domain (no topic filter). The corpus's other
  papers are left: Express and Jang are in the set, Dunya (the newspaper of the Dunya News group,
  in the set) and the Waqt (Nawa-i-Waqt's sister paper) would share a group's desk, and the
  rest have too few texts.
- A pair gives at most one item (its two texts tell the same event, often in the same words):
  outlets are drawn in ``OUTLETS`` order and a later outlet skips the pairs an earlier one drew.
- ``title``: the headline; ``summary``: empty (the corpus keeps no lead); ``body``: the text,
  whitespace flattened, cut to ``PAGE_BODY_CHARS``; ``published``: the news date;
  ``section``: the corpus's domain.

Titles already in another item file or the dev gold, repeated titles and repeated openings are
skipped, as are texts shorter than ``MIN_TEXT_CHARS``. Seeded: the same items on every run.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ingest.tagging.build_snapshot import show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-hiur4.jsonl"
KEY_PREFIX = "hiur4-"
MIN_TEXT_CHARS = 300

REPOSITORY = "mirfan899/Urdu"
COUNTER_COMMIT = "c5cf1ea4998dba3899494ccd14ff559c0414a85f"
COUNTER_DIR = "COUNTER/"
OUTLETS = {"APP": "app.com.pk", "nawa-e-waqt": "nawaiwaqt.com.pk", "daily_islam": "dailyislam.pk"}
QUOTA = {"app.com.pk": 15, "nawaiwaqt.com.pk": 15, "dailyislam.pk": 10}
_NAME = re.compile(r"^COUNTER/(\d{4})(p?)\.xml$")


def _names(repo: Path) -> list[str]:
    """The corpus's XML files at the pinned commit, sorted."""
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", COUNTER_COMMIT, COUNTER_DIR],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(name for name in listing.split() if _NAME.match(name))


def _published(newsdate: str) -> str | None:
    """``dd.mm.yy`` as an ISO date (None if it does not read so)."""
    found = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2})", newsdate.strip())
    if not found:
        return None
    day, month, year = (int(part) for part in found.groups())
    return f"20{year:02d}-{month:02d}-{day:02d}"


def _counter(repo: Path) -> list[dict]:
    """Every text of the corpus whose paper is one of ``OUTLETS``, in file order."""
    items = []
    for name in _names(repo):
        pair = _NAME.match(name)
        assert pair is not None  # _names keeps only the names it matches
        root = ET.fromstring(show(repo, name, COUNTER_COMMIT))
        outlet = OUTLETS.get(root.get("newspaper", ""))
        if outlet is None:
            continue
        items.append(
            {
                "file": f"{REPOSITORY}:{name}@{COUNTER_COMMIT}",
                "pair": pair.group(1),
                "outlet": outlet,
                "title": flat(root.findtext("headline")),
                "summary": "",
                "body": flat(root.findtext("body")),
                "section": root.get("domain", ""),
                "published": _published(root.get("newsdate", "")),
            }
        )
    return items


def draw(repo: Path) -> list[dict]:
    """The ``hiur4`` items (module docstring): APP, then Nawa-i-Waqt, then Islam."""
    skip = known_outlets("ur", OUT)
    if skip & set(QUOTA):
        raise SystemExit(f"outlets already in the set: {sorted(skip & set(QUOTA))}")
    items = fresh_of_outlets(
        _counter(repo), skip, MIN_TEXT_CHARS, known_titles(OUT), known_openings(OUT)
    )
    rng = random.Random(SEED)
    chosen, pairs = [], set()
    for outlet, count in QUOTA.items():
        mine = [item for item in items if item["outlet"] == outlet and item["pair"] not in pairs]
        drawn = rng.sample(mine, count)
        pairs |= {item["pair"] for item in drawn}
        chosen += drawn
    return [
        item_row(
            KEY_PREFIX,
            number,
            item["file"],
            "ur",
            item,
            section=item["section"],
            published=item["published"],
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Urdu news of four news agencies and two dailies new to the topic training set.

    python -m ingest.tagging.build_training_ur5 URDU_GIT_DIR

The argument is a clone (or bare mirror) of ``mirfan899/Urdu`` (MIT; a collection of Urdu NLP
data sets); the command writes ``ingest/data/training/items-ur5.jsonl``. The set's Urdu items
came from BBC Urdu, Wikipedia's blurbs, six Pakistani TV and newspaper sites (Express, Geo,
Jang, Samaa, Dunya News, ARY), the wire service APP and the dailies Nawa-i-Waqt and Islam
(``hiur4``, drawn from the same corpus); these come from the corpus's other wire services
and two of its other papers.

- ``COUNTER/`` at ``COUNTER_COMMIT`` (the directory was removed from the repository later; the
  script reads the pinned commit whatever the snapshot's HEAD): the COrpus of Urdu News TExt
  Reuse (Sharjeel, Nawab and Rayson 2016; CC BY-NC-SA 4.0), 600 pairs of real news texts of
  2014 and 2015, one XML file a text: ``NNNN.xml`` a wire story and ``NNNNp.xml`` a
  newspaper's story of the same event. Each file gives the headline, the text and the
  ``newspaper``, ``newsdate`` (dd.mm.yy) and ``domain`` (business, foreign, national, showbiz,
  sports).
- Outlets (``OUTLETS``): the wire services INN, NNI, SANA and INP (the corpus's source texts
  that are not APP's) and the dailies Insaf and Aaj (the corpus's ``daily_insaf`` and
  ``daily_aaj``); the outlet names are the corpus's codes, spelt as agency or paper names (the
  corpus records no site). ``QUOTA`` items each, at random over every domain (no topic
  filter); an outlet with fewer fresh texts than its quota gives all it has. Left out: the
  outlets already in the set (``known_outlets``), the Dunya and Waqt papers (``hiur4``'s
  reasons: desks shared with outlets in the set) and ``daily_pakistan`` (one text).
- A pair gives at most one item (its two texts tell the same event, often in the same words):
  pairs that ``items-hiur4.jsonl`` drew are skipped, outlets are drawn in ``OUTLETS`` order and
  a later outlet skips the pairs an earlier one drew.
- ``title``: the headline; ``summary``: empty (the corpus keeps no lead); ``body``: the text,
  whitespace flattened, cut to ``PAGE_BODY_CHARS``; ``published``: the news date;
  ``section``: the corpus's domain.

Titles already in another item file or the dev gold, repeated titles and repeated openings are
skipped, as are texts shorter than ``MIN_TEXT_CHARS``. Seeded: the same items on every run.
"""

from __future__ import annotations

import json
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
OUT = TRAINING / "items-ur5.jsonl"
HIUR4 = TRAINING / "items-hiur4.jsonl"
KEY_PREFIX = "ur5-"
MIN_TEXT_CHARS = 300

REPOSITORY = "mirfan899/Urdu"
COUNTER_COMMIT = "c5cf1ea4998dba3899494ccd14ff559c0414a85f"
COUNTER_DIR = "COUNTER/"
OUTLETS = {
    "daily_insaf": "daily-insaf",
    "INN": "inn-news-agency",
    "NNI": "nni-news-agency",
    "SANA": "sana-news-agency",
    "INP": "inp-news-agency",
    "daily_aaj": "daily-aaj",
}
QUOTA = {
    "daily-insaf": 22,
    "inn-news-agency": 22,
    "nni-news-agency": 6,
    "sana-news-agency": 5,
    "inp-news-agency": 4,
    "daily-aaj": 3,
}
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


def _hiur4_pairs() -> set[str]:
    """The COUNTER pairs whose one text ``items-hiur4.jsonl`` holds."""
    pairs = set()
    for line in HIUR4.read_text("utf-8").splitlines():
        found = re.search(r"COUNTER/(\d{4})p?\.xml@", json.loads(line)["file"])
        if found:
            pairs.add(found.group(1))
    return pairs


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
    """The ``ur5`` items (module docstring), outlets in ``QUOTA`` order."""
    skip = known_outlets("ur", OUT)
    if skip & set(QUOTA):
        raise SystemExit(f"outlets already in the set: {sorted(skip & set(QUOTA))}")
    items = fresh_of_outlets(
        _counter(repo), skip, MIN_TEXT_CHARS, known_titles(OUT), known_openings(OUT)
    )
    rng = random.Random(SEED)
    chosen, pairs = [], _hiur4_pairs()
    for outlet, count in QUOTA.items():
        mine = [item for item in items if item["outlet"] == outlet and item["pair"] not in pairs]
        drawn = rng.sample(mine, min(count, len(mine)))
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

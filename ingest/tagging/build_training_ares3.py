"""Draw Arabic and Spanish news articles of outlets new to the topic training set.

    python -m ingest.tagging.build_training_ares3 SAUDINEWSNET_DIR FAKENEWS_ES_DIR

Each argument is a clone (or bare mirror) of a public repository, read at the pinned commit
below; the command writes ``ingest/data/training/items-ares3.jsonl`` (keys ``ares3-``):

- ``ar`` from ``parallelfold/SaudiNewsNet`` at ``AR_COMMIT`` (CC BY-NC-SA 4.0; articles of Saudi
  newspapers extracted 2015-07-21 to 2015-08-11, ``dataset/YYYY-MM-DD.zip``). The ``aresel``
  draw took the other papers of this corpus; here only Sabq (``sabq.org``, none in the set) and
  the Saudi Press Agency (``spa.gov.sa``, one article in the set) are drawn, ``QUOTA`` each.
- ``es`` from ``jpposadas/FakeNewsCorpusSpanish`` at ``ES_COMMIT`` (CC BY 4.0): the rows of its
  2020-21 test split (``test.xlsx``, the IberLEF 2021 FakeDeS set, COVID-19 era news) that its
  authors labelled ``1`` (true), of outlets no items file holds in Spanish yet (the ``aresel``
  draw read only the 2018 ``train.xlsx`` and ``development.xlsx``). The outlet is the link's
  registrable domain (as ``build_training_sample`` names a page's outlet); rows without a link
  are left out. At most ``ES_PER_OUTLET`` per outlet.

Within a source, candidates are shuffled with a seeded ``random.Random`` and taken in that order,
skipping titles already in another item file or the dev gold (``known_titles``), repeated titles
or openings and texts shorter than ``MIN_BODY_CHARS``. Bodies keep their first
``PAGE_BODY_CHARS`` characters; there is no separate lead, so ``summary`` is empty. The same
items on every run from the same commits (``file`` names repository, path and commit).
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import show
from ingest.tagging.build_training_aresel import AR_OUTLETS, _clean, _xlsx_rows
from ingest.tagging.build_training_draw import build_main, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING, _site

OUT = TRAINING / "items-ares3.jsonl"
KEY_PREFIX = "ares3-"
SEED = 20261207
MIN_BODY_CHARS = 300
SAME_OPENING_CHARS = 200
AR_REPOSITORY = "parallelfold/SaudiNewsNet"
AR_COMMIT = "4e39239966c2ae8a3faa591201acb9cd1f51199d"
ES_REPOSITORY = "jpposadas/FakeNewsCorpusSpanish"
ES_COMMIT = "732f4870abd8d3f5ab4956fd92b040a7913614e3"
ES_PATH = "test.xlsx"
QUOTA = {"sabq.org": 50, "spa.gov.sa": 20}
ES_SAMPLE = 60
ES_PER_OUTLET = 6


def _listing(repo: Path, commit: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(out.split("\n"))


def _arabic(repo: Path) -> list[dict]:
    items = []
    for path in _listing(repo, AR_COMMIT):
        if not (path.startswith("dataset/") and path.endswith(".zip")):
            continue
        archive = zipfile.ZipFile(io.BytesIO(show(repo, path, AR_COMMIT)))
        for name in sorted(archive.namelist()):
            for article in json.loads(archive.read(name).decode("utf-8")):
                outlet = AR_OUTLETS.get(article["source"], article["source"])
                if outlet not in QUOTA:
                    continue
                items.append(
                    {
                        "file": path,
                        "outlet": outlet,
                        "title": _clean(article.get("title")),
                        "body": _clean(article.get("content")),
                        "published": (article.get("date_extracted") or "")[:10] or None,
                    }
                )
    return items


def _spanish_outlets_held() -> set[str]:
    held = set()
    for path in sorted(TRAINING.glob("items*.jsonl")):
        if path == OUT:
            continue
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            if (row.get("declared") or row.get("language")) == "es":
                held.add(row.get("outlet"))
    return held


def _spanish(repo: Path) -> list[dict]:
    rows = _xlsx_rows(show(repo, ES_PATH, ES_COMMIT))
    header = [cell.strip().lower() for cell in rows[0]]
    held = _spanish_outlets_held()
    items = []
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        if cells.get("category", "").strip() != "1":
            continue
        outlet = _site((cells.get("link") or "").strip())
        if not outlet or outlet in held:
            continue
        items.append(
            {
                "file": ES_PATH,
                "outlet": outlet,
                "title": _clean(cells.get("headline")),
                "body": _clean(cells.get("text")),
                "published": None,
            }
        )
    return items


def _pick(candidates: list[dict], source: str, known: set[str]) -> list[dict]:
    rng = random.Random(f"{SEED}-{source}")
    rng.shuffle(candidates)
    chosen: list[dict] = []
    per_outlet: dict[str, int] = {}
    openings: set[str] = set()
    for item in candidates:
        folded = normalise_title(item["title"])
        opening = " ".join(item["body"].split())[:SAME_OPENING_CHARS].casefold()
        if not folded or folded in known or opening in openings:
            continue
        if len(item["body"]) < MIN_BODY_CHARS:
            continue
        cap = QUOTA[item["outlet"]] if source == "ar" else ES_PER_OUTLET
        if per_outlet.get(item["outlet"], 0) >= cap:
            continue
        known.add(folded)
        openings.add(opening)
        per_outlet[item["outlet"]] = per_outlet.get(item["outlet"], 0) + 1
        chosen.append(item)
        if source == "es" and len(chosen) == ES_SAMPLE:
            break
    return sorted(chosen, key=lambda item: item["outlet"]) if source == "ar" else chosen


def draw(saudi: Path, spanish: Path) -> list[dict]:
    known = known_titles(OUT)
    sources = (
        ("ar", AR_REPOSITORY, AR_COMMIT, saudi, _arabic),
        ("es", ES_REPOSITORY, ES_COMMIT, spanish, _spanish),
    )
    items: list[dict] = []
    for source, repository, commit, repo, read in sources:
        for item in _pick(read(repo), source, known):
            items.append(
                item_row(
                    KEY_PREFIX,
                    len(items),
                    f"{repository}:{item['file']}@{commit}",
                    source,
                    item,
                    published=item["published"],
                )
            )
    return items


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Vietnamese and Hebrew news of outlets new to the topic training set.

    python -m ingest.tagging.build_training_vihe VNN_GIT_DIR BAOMOI_GIT_DIR HE_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository, at the pinned commit below;
the command writes ``ingest/data/training/items-vihe.jsonl``. Vietnamese had only VnExpress,
Thanh Niên and Tuổi Trẻ in the set, Hebrew only walla, ynet, Maariv and mako (all RSS items),
so their cross-validation fold tested a model that had hardly seen the language; these items
come from other outlets only.

- Vietnamese (``vi``), two outlets:
  - VietNamNet (vietnamnet.vn): ``hieupham-projects/vietnamese-news-crawler``,
    ``output-vietnamnet.json`` (title, author, category, description, content of the articles a
    scrapy crawler read from the site's "Thời sự" pages in September 2024). ``description`` is
    the summary, ``content`` the body.
  - Báo Mới (baomoi.com, an aggregator that republishes other papers' articles):
    ``magizbox/scraper`` (the corpus.vinews crawl of 2017), ``vn_news/data/<id>.txt``: the
    title on the first line, the lead on the second, the text after. The file's name is the
    article's id on baomoi.com. About 35,000 files: a random ``BAOMOI_POOL`` of their sorted
    names is read, in the drawn order, until the quota is met.
- Hebrew (``he``), two outlets: the items of Channel 14 (c14.co.il, now14) and Globes
  (globes.co.il) in ``taljacob28/hebrew-news-sentiment``, ``data/exports/articles_final.csv``
  (source, url, headline, snippet, published_at of the articles its scrapers read in May 2026;
  MIT licence): headline and the site's sub-title or RSS description only, no body. Only
  ``/article`` addresses (Channel 14's category pages are skipped) with a snippet of at least
  ``HE_MIN_SUMMARY_CHARS``.

``QUOTA`` items per outlet. Bodies keep their first ``PAGE_BODY_CHARS`` characters; titles
already in another item file or the dev gold are skipped, as are repeated titles, repeated
openings and Vietnamese texts shorter than ``VI_MIN_TEXT_CHARS``. Seeded: the same items on
every run from the same commits.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, flat, fresh, item_rows, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-vihe.jsonl"
SAME_OPENING_CHARS = 80
QUOTA = 30
VI_MIN_TEXT_CHARS = 300
HE_MIN_SUMMARY_CHARS = 120

VNN_REPOSITORY = "hieupham-projects/vietnamese-news-crawler"
VNN_COMMIT = "dba5e421a780149707ac2f482d0a38fd6b652f7c"
VNN_PATH = "output-vietnamnet.json"

BAOMOI_REPOSITORY = "magizbox/scraper"
BAOMOI_COMMIT = "3387ada618569fd73517092f2215a89398d8f7ee"
BAOMOI_FOLDER = "vn_news/data"
BAOMOI_POOL = 150

HE_REPOSITORY = "taljacob28/hebrew-news-sentiment"
HE_COMMIT = "274dbf279494e8fe7294d1208907916c0c3f23eb"
HE_PATH = "data/exports/articles_final.csv"
HE_SOURCES = (("c14", "c14.co.il"), ("globes", "globes.co.il"))


def _paragraphs(text: str) -> list[str]:
    return [p for p in map(flat, text.split("\n")) if p]


def _vnn_items(repo: Path) -> list[dict]:
    """Every VietNamNet article of the crawl, in file order."""
    items = []
    for row in json.loads(show(repo, VNN_PATH, VNN_COMMIT)):
        items.append(
            {
                "title": flat(row.get("title") or ""),
                "summary": flat(row.get("description") or ""),
                "body": "\n".join(_paragraphs(row.get("content") or "")),
                "outlet": "vietnamnet.vn",
                "section": row.get("category") or "",
                "published": None,
                "file": VNN_PATH,
            }
        )
    return items


def _baomoi_items(repo: Path, rng: random.Random) -> list[dict]:
    """A random pool of the Báo Mới files, in the drawn order."""
    names = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "ls-tree",
            "-r",
            "--name-only",
            BAOMOI_COMMIT,
            "--",
            BAOMOI_FOLDER,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    names = sorted(name for name in names if name.endswith(".txt"))
    items = []
    for path in rng.sample(names, BAOMOI_POOL):
        lines = show(repo, path, BAOMOI_COMMIT).decode("utf-8", "replace").split("\n")
        paragraphs = _paragraphs("\n".join(lines[2:]))
        items.append(
            {
                "title": flat(lines[0]),
                "summary": flat(lines[1]) if len(lines) > 1 else "",
                "body": "\n".join(paragraphs),
                "outlet": "baomoi.com",
                "section": "",
                "published": None,
                "file": path,
            }
        )
    return items


def _he_items(repo: Path) -> list[dict]:
    """The Channel 14 and Globes articles of the export, in file order."""
    outlets = dict(HE_SOURCES)
    items = []
    text = show(repo, HE_PATH, HE_COMMIT).decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        if row["source"] not in outlets or row["language"] != "Hebrew":
            continue
        if "/article" not in row["url"] or len(flat(row["snippet"])) < HE_MIN_SUMMARY_CHARS:
            continue
        items.append(
            {
                "title": flat(row["headline"]),
                "summary": flat(row["snippet"]),
                "body": "",
                "outlet": outlets[row["source"]],
                "section": "",
                "published": (row["published_at"] or "")[:10] or None,
                "file": f"{HE_PATH}#{row['id']}",
            }
        )
    return items


def draw(vnn_repo: Path, baomoi_repo: Path, he_repo: Path) -> list[dict]:
    """The ``vihe`` items (module docstring): Vietnamese first, then Hebrew."""
    pins = ((vnn_repo, VNN_COMMIT), (baomoi_repo, BAOMOI_COMMIT), (he_repo, HE_COMMIT))
    for repo, pinned in pins:
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    known = known_titles(OUT)
    rng = random.Random(SEED)
    vnn = fresh(_vnn_items(vnn_repo), known, VI_MIN_TEXT_CHARS, SAME_OPENING_CHARS)
    chosen = [(VNN_REPOSITORY, VNN_COMMIT, "vi", item) for item in rng.sample(vnn, QUOTA)]
    baomoi = fresh(_baomoi_items(baomoi_repo, rng), known, VI_MIN_TEXT_CHARS, SAME_OPENING_CHARS)
    chosen += [(BAOMOI_REPOSITORY, BAOMOI_COMMIT, "vi", item) for item in baomoi[:QUOTA]]
    hebrew = fresh(_he_items(he_repo), known, HE_MIN_SUMMARY_CHARS, SAME_OPENING_CHARS)
    for _source, outlet in HE_SOURCES:
        pool = [item for item in hebrew if item["outlet"] == outlet]
        chosen += [(HE_REPOSITORY, HE_COMMIT, "he", item) for item in rng.sample(pool, QUOTA)]
    return item_rows(
        "vihe-",
        chosen,
        lambda item: {"section": item["section"], "published": item["published"]},
    )


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 3)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Hindi, Persian and Urdu news articles for the topic training set.

    python -m ingest.tagging.build_training_hifa FA_GIT_DIR HI_GIT_DIR UR_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes
``ingest/data/training/items-hifa.jsonl``:

- Persian (``fa``): news of Fars News Agency (farsnews.ir) and of the sports site Varzesh3
  (varzesh3.com) as ``language-ml/course-nlp-ir-1-text-exploring`` (Apache-2.0) keeps them
  (``exploring-datasets/news/fars-news-*.json``: title, abstract, paragraphs, section, link;
  ``exploring-datasets/sports/varzesh3-*.json``, the same with the paragraphs as a Python list
  literal). ``FA_FARS`` Fars articles, half of them (``FA_PREFERRED_SHARE``) from the world,
  politics, economy and foreign-policy sections and the rest from every other section
  (provinces, society, culture, sport, science…), and ``FA_VARZESH3`` Varzesh3 articles.
- Hindi (``hi``): BBC Hindi articles of the BBC Hindi news classification set (released with
  ``NirantK/hindi2vec``, tag ``bbc-hindi-v0.1``) in the copy of its test split that
  ``danlobo1999/classification-of-hindi-news`` keeps
  (``dataset/bbc_hindi_cleaned/hindi-cleaned-test.csv``: section, text). That set keeps no
  headline and its text starts after the article's bold intro, so the first sentence stands as
  title and the next two as summary; the rest is the body. Broken lines (where the scraper
  dropped links) are joined. ``HI_QUOTA`` articles per section.
- Urdu (``ur``): news of four Pakistani sites (express.pk, urdu.geo.tv, jang.com.pk,
  urdu.samaa.tv; late 2024) that ``ha405/Urdu-News-Classification-with-ML`` scraped for a
  classification study (``dataset/individual_website_articles/*_articles.csv``: title, link,
  content, section; the site's own text, no lead), ``UR_QUOTA`` articles per site and section,
  drawn with their own seeded generator so that the Persian and Hindi draw is unchanged.

Bodies keep their first ``PAGE_BODY_CHARS`` characters; titles already in another item file or
the dev gold are skipped, as are texts shorter than ``MIN_BODY_CHARS``. Seeded: the same items on
every run from the same commits (``FA_COMMIT``, ``HI_COMMIT``).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import random
import re
import sys
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, flat, host, item_rows, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-hifa.jsonl"
MIN_BODY_CHARS = 100

FA_REPOSITORY = "language-ml/course-nlp-ir-1-text-exploring"
FA_COMMIT = "48c7d56a33a6f75709e90b001529bf7705420674"
FA_FARS = 115
FA_VARZESH3 = 15
FA_PREFERRED_SHARE = 0.5
_FA_PREFERRED = frozenset({"world", "politics", "economy", "foreign-policy"})

HI_REPOSITORY = "danlobo1999/classification-of-hindi-news"
HI_COMMIT = "edf606fc4beb15a13c8dd963a7cbce5995400f8c"
HI_PATH = "dataset/bbc_hindi_cleaned/hindi-cleaned-test.csv"
HI_QUOTA = {"india": 40, "international": 40, "science": 20, "sport": 15, "entertainment": 15}

UR_REPOSITORY = "ha405/Urdu-News-Classification-with-ML"
UR_COMMIT = "fb1a184e987972561b2bc893f97524af33a94480"
UR_SITES = ("express", "geo", "jang", "samaa")
# Sections by their name on each site: world news, business, sport, entertainment, science.
UR_QUOTA = {"world": 7, "business": 3, "sport": 2, "entertainment": 2, "science": 1}
_UR_SECTION = {
    "international": "world",
    "sports": "sport",
    "science-technology": "science",
    "science & technology": "science",
}

# A sentence ends at a danda, ? or !, or at a full stop that is not a decimal point.
_SENTENCE_END = re.compile(r"(?<=[।?!])\s*|(?<=\D\.)(?!\d)\s*")


def _fa_items(repo: Path) -> list[dict]:
    """Every Fars and Varzesh3 article of the corpus, in file order."""
    items = []
    for folder, prefix, outlet in (
        ("news", "fars-news", "farsnews.ir"),
        ("sports", "varzesh3", "varzesh3.com"),
    ):
        for number in range(1, 6):
            path = f"exploring-datasets/{folder}/{prefix}-{number}.json"
            for row in json.loads(show(repo, path)):
                paragraphs = row.get("paragraphs") or []
                if isinstance(paragraphs, str):
                    paragraphs = ast.literal_eval(paragraphs)
                items.append(
                    {
                        "title": flat(row.get("title") or ""),
                        "summary": flat(row.get("abstract") or ""),
                        "body": "\n".join(p for p in map(flat, paragraphs) if p),
                        "outlet": outlet,
                        "section": row.get("cat") or "",
                        "file": path,
                    }
                )
    return items


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def _hi_items(repo: Path) -> list[dict]:
    """Every BBC Hindi article of the test split: first sentence as title, next two as summary."""
    rows = list(csv.reader(io.StringIO(show(repo, HI_PATH).decode("utf-8"))))
    items = []
    for section, text in rows[1:]:
        sentences = _sentences(flat(text))
        if len(sentences) < 4:
            continue
        items.append(
            {
                "title": sentences[0],
                "summary": " ".join(sentences[1:3]),
                "body": " ".join(sentences[3:]),
                "outlet": "bbc.com/hindi",
                "section": section,
                "file": HI_PATH,
            }
        )
    return items


def _ur_items(repo: Path) -> list[dict]:
    """Every article of the four sites' files (Geo's columns are capitalised)."""
    items = []
    for site in UR_SITES:
        path = f"dataset/individual_website_articles/{site}_articles.csv"
        for row in csv.DictReader(io.StringIO(show(repo, path).decode("utf-8"))):
            row = {key.lower().replace(" ", "_"): value for key, value in row.items()}
            section = (row.get("gold_label") or "").strip().lower()
            items.append(
                {
                    "title": flat(row.get("title") or ""),
                    "summary": "",
                    "body": flat(row.get("content") or ""),
                    "outlet": host(row.get("link")),
                    "section": _UR_SECTION.get(section, section),
                    "file": path,
                }
            )
    return items


def _fresh(items: list[dict], known: set[str]) -> list[dict]:
    """Items whose title is new (to the other item files and to each other), with a body."""
    fresh = []
    for item in items:
        folded = normalise_title(item["title"])
        if not folded or folded in known or len(item["body"]) < MIN_BODY_CHARS:
            continue
        known.add(folded)
        fresh.append(item)
    return fresh


def _draw_fa(items: list[dict], rng: random.Random) -> list[dict]:
    fars = [item for item in items if item["outlet"] == "farsnews.ir"]
    preferred = [item for item in fars if item["section"] in _FA_PREFERRED]
    others = [item for item in fars if item["section"] not in _FA_PREFERRED]
    take = int(FA_FARS * FA_PREFERRED_SHARE)
    drawn = rng.sample(preferred, take) + rng.sample(others, FA_FARS - take)
    varzesh3 = [item for item in items if item["outlet"] == "varzesh3.com"]
    return drawn + rng.sample(varzesh3, FA_VARZESH3)


def _draw_hi(items: list[dict], rng: random.Random) -> list[dict]:
    drawn = []
    for section, count in HI_QUOTA.items():
        drawn += rng.sample([item for item in items if item["section"] == section], count)
    return drawn


def _draw_ur(items: list[dict], rng: random.Random) -> list[dict]:
    drawn = []
    for outlet in sorted({item["outlet"] for item in items}):
        for section, count in UR_QUOTA.items():
            pool = [i for i in items if i["outlet"] == outlet and i["section"] == section]
            drawn += rng.sample(pool, count)
    return drawn


def draw(fa_repo: Path, hi_repo: Path, ur_repo: Path) -> list[dict]:
    """The ``hifa`` items (module docstring): Persian first, then Hindi, then Urdu."""
    pins = ((fa_repo, FA_COMMIT), (hi_repo, HI_COMMIT), (ur_repo, UR_COMMIT))
    for repo, pinned in pins:
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    known = known_titles(OUT)
    rng = random.Random(SEED)
    chosen = [
        (FA_REPOSITORY, FA_COMMIT, "fa", item)
        for item in _draw_fa(_fresh(_fa_items(fa_repo), known), rng)
    ]
    chosen += [
        (HI_REPOSITORY, HI_COMMIT, "hi", item)
        for item in _draw_hi(_fresh(_hi_items(hi_repo), known), rng)
    ]
    chosen += [
        (UR_REPOSITORY, UR_COMMIT, "ur", item)
        for item in _draw_ur(_fresh(_ur_items(ur_repo), known), random.Random(SEED + 1))
    ]
    return item_rows(
        "hifa-",
        chosen,
        lambda item: {"section": item["section"]},
    )


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 3)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

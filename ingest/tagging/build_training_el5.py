"""Draw unlabelled Greek-language headlines of Cypriot (and a few Greek) outlets new to the set.

    python -m ingest.tagging.build_training_el5 CNB_GIT_DIR ATMZ_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository: ``SteliosKyriacou/cyprus-news-
breakdown`` and ``atmz/cyprus_news`` (neither has a licence file; the headlines are their
publishers'); the command writes ``ingest/data/training/items-el5.jsonl``. Greek had Kathimerini,
Liberal, Ta Nea, Avgi and 15 Athens sites of one crawler, and no Cypriot outlet; no Greek or
Cypriot source with article text of a new outlet was found (PROVENANCE.md, ``el5-``), so these
items are headlines only: ``summary`` and ``body`` are empty.

- ``SteliosKyriacou/cyprus-news-breakdown``: ``public/data/news.json``, which the site's
  generator rewrote six times on 17-18 July 2026, read in every version up to ``CNB_COMMIT``, the
  oldest first. Each story lists the articles it grouped, with source, language community, title
  and link; the ``Greek`` community's articles are kept (an article by its link, from the first
  version that has it). Links through a search service's redirect (``vertexaisearch.``) are left
  out (no outlet page), as are a government and a European Commission press page.
- ``atmz/cyprus_news``: the latest-news lists its loaders saved for Politis
  (``data/politis_cyprus_articles.json``) and Sigmalive (``data/sigmalive_local_articles.json``)
  on 17 February 2026, read in every version up to ``ATMZ_COMMIT``: title, time and link (relative
  links are the site's; the lists repeat items, kept once by link). ``abstract`` is always null.

The outlet is the link's host without ``www.``, Politis' section sites (``gipedo.``,
``parathyro.``) folded into ``politis.com.cy``. Outlets any items file already holds for Greek
(in.gr, thetoc.gr) are left out, and so are titles already in another item file or the dev gold
and repeated titles; a title needs ``MIN_TITLE_CHARS`` characters, most of its letters Greek
(Politis' list holds an English headline). At most ``PER_OUTLET`` items an
outlet go into the pool (at random), then ``COUNT`` of those at random, with
``random.Random(SEED)``. Seeded, and the snapshots must be at the pinned commits: the same items
on every run.
"""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    draw_per_outlet,
    flat,
    host,
    item_row,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-el5.jsonl"
MIN_TITLE_CHARS = 25
PER_OUTLET = 15
COUNT = 80

CNB_REPOSITORY = "SteliosKyriacou/cyprus-news-breakdown"
CNB_COMMIT = "0efbf7fc95f43a20cd08fbd30bdcdbdff37055c1"
CNB_FILE = "public/data/news.json"

ATMZ_REPOSITORY = "atmz/cyprus_news"
ATMZ_COMMIT = "827a6b4d5c45bdc82346e3b569981144037a327d"
ATMZ_FILES = {
    "data/politis_cyprus_articles.json": "https://www.politis.com.cy/",
    "data/sigmalive_local_articles.json": "https://www.sigmalive.com/",
}

NOT_NEWS = ("vertexaisearch.cloud.google.com", "gov.cy", "commission.europa.eu")
_LETTER = re.compile(r"[^\W\d_]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
SECTION_SITES = {
    "gipedo.politis.com.cy": "politis.com.cy",
    "parathyro.politis.com.cy": "politis.com.cy",
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _versions(repo: Path, pinned: str, path: str) -> list[str]:
    """The commits up to ``pinned`` that wrote ``path``, the oldest first."""
    return _git(repo, "rev-list", "--reverse", pinned, "--", path).split()


def _greek(title: str) -> bool:
    """Whether most of a title's letters are Greek (the lists hold a few English titles)."""
    letters = _LETTER.findall(title)
    return bool(letters) and 2 * len(_GREEK.findall(title)) > len(letters)


def _outlet(url: str) -> str:
    site = host(url)
    return SECTION_SITES.get(site, site)


def _cnb_items(repo: Path) -> list[dict]:
    """The Greek-community articles of every version of the breakdown's ``news.json``."""
    items: dict[str, dict] = {}
    for commit in _versions(repo, CNB_COMMIT, CNB_FILE):
        for story in json.loads(show(repo, CNB_FILE, commit))["stories"]:
            for article in story.get("articles", []):
                link = flat(article.get("link"))
                if article.get("community") != "Greek" or link in items:
                    continue
                items[link] = {
                    "title": flat(html.unescape(article.get("title") or "")),
                    "summary": "",
                    "body": "",
                    "outlet": _outlet(link),
                    "published": "",
                    "file": f"{CNB_REPOSITORY}:{CNB_FILE}@{commit}",
                    "url": link,
                }
    return list(items.values())


def _atmz_items(repo: Path) -> list[dict]:
    """The Politis and Sigmalive latest-news lists of ``atmz/cyprus_news``, each item once."""
    items: dict[str, dict] = {}
    for path, base in ATMZ_FILES.items():
        for commit in _versions(repo, ATMZ_COMMIT, path):
            for article in json.loads(show(repo, path, commit)):
                link = urljoin(base, flat(article.get("url")))
                if link in items:
                    continue
                items[link] = {
                    "title": flat(html.unescape(article.get("title") or "")),
                    "summary": "",
                    "body": "",
                    "outlet": _outlet(link),
                    "published": flat(article.get("datetime")),
                    "file": f"{ATMZ_REPOSITORY}:{path}@{commit}",
                    "url": link,
                }
    return list(items.values())


def _pool(items: list[dict]) -> list[dict]:
    """Items of a news outlet new to Greek, with a long enough title new to the set and to each
    other, in input order."""
    skip = known_outlets("el", OUT)
    titles = known_titles(OUT)
    kept = []
    for item in items:
        site = item["outlet"]
        if not site or site in skip or any(site == bad or site.endswith("." + bad) for bad in NOT_NEWS):  # fmt: skip
            continue
        folded = normalise_title(item["title"])
        if len(item["title"]) < MIN_TITLE_CHARS or not _greek(item["title"]):
            continue
        if not folded or folded in titles:
            continue
        titles.add(folded)
        kept.append(item)
    return kept


def draw(cnb_repo: Path, atmz_repo: Path) -> list[dict]:
    """The ``el5`` items (module docstring), in the order drawn."""
    for repo, pinned in ((cnb_repo, CNB_COMMIT), (atmz_repo, ATMZ_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    pool = _pool(_cnb_items(cnb_repo) + _atmz_items(atmz_repo))
    drawn = draw_per_outlet(pool, COUNT, PER_OUTLET, random.Random(SEED))
    return [
        item_row(
            "el5-",
            number,
            item["file"],
            "el",
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Polish news articles of outlets new to the topic training set.

    python -m ingest.tagging.build_training_plnews TVN24_GIT_DIR TVP_GIT_DIR POLSAT_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes
``ingest/data/training/items-plnews.jsonl`` (``declared`` ``pl``):

- tvn24.pl: the articles of the TV news channel TVN24 (30 May 2022, every section of its
  "najnowsze" list) that ``MasterGTFX/newsAggregatorScraper`` (no licence file) keeps in
  ``data/Tvn24.json`` (title, url, lead, heading, text, time_released). The heading (the site's
  bold lead, which holds the list lead) is the summary, the text the body. ``TVN24_SAMPLE``
  of them.
- tvp.info: the articles of the public broadcaster's news site TVP Info (spring 2023, business
  section) that ``wsobanski/scraper-tvp`` (MIT) kept in ``obtained_content/full_content.csv``
  at ``TVP_COMMIT`` (the file was deleted later; columns link, title, headline, content, where
  ``headline`` holds the headline and ``title`` the lead). All that pass the checks below.
- polsatnews.pl and others: articles that ``BieganM/Polish-News-Article-Classifier`` (no
  licence file) scraped for a classification study from RSS feeds (mostly Dec 2025), kept in
  ``Scrapper/polsatnews_articles.csv`` (category, title, url, published, text; no lead). Despite
  the file's name it holds articles of Polsat News and of a dozen other Polish sites its feeds
  link to (polsatsport.pl, dorzeczy.pl, przegladsportowy.onet.pl, wprost.pl, rmf24.pl, fakt.pl,
  wp.pl, spidersweb.pl…); the outlet is the host of each article's URL. The rest of the
  ``TOTAL`` items, drawn at random from every category (Polska, Świat, Biznes, Technologie,
  Sport, Moto).

The texts are the publishers' (copyright), kept as a research/test sample as the feed fixtures
are. Whitespace runs are flattened; bodies keep their first ``PAGE_BODY_CHARS`` characters.
Titles already in another item file or the dev gold are skipped, as are repeated openings and
texts (summary and body) shorter than ``MIN_BODY_CHARS``. Seeded (``SEED``): the same items on
every run from the same commits.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import show
from ingest.tagging.build_training_draw import build_main, flat, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-plnews.jsonl"
MIN_BODY_CHARS = 300
TOTAL = 100

TVN24_REPOSITORY = "MasterGTFX/newsAggregatorScraper"
TVN24_COMMIT = "ad389a97bf1968ca81a0d7ddfd7f697c7150499e"
TVN24_PATH = "data/Tvn24.json"
TVN24_SAMPLE = 35

TVP_REPOSITORY = "wsobanski/scraper-tvp"
TVP_COMMIT = "0b1aaf5b84c8fd6f36e3c91e587d836b27082aee"
TVP_PATH = "obtained_content/full_content.csv"

POLSAT_REPOSITORY = "BieganM/Polish-News-Article-Classifier"
POLSAT_COMMIT = "a6a3a41412902ad9f2b1e2dfeb232a531d64230d"
POLSAT_PATH = "Scrapper/polsatnews_articles.csv"


def _site(url: str | None) -> str:
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")


def _tvn24_items(repo: Path) -> list[dict]:
    items = []
    for row in json.loads(show(repo, TVN24_PATH, TVN24_COMMIT)):
        lead, heading = flat(row.get("lead")), flat(row.get("heading"))
        items.append(
            {
                "title": flat(row.get("title")),
                "summary": heading if len(heading) >= len(lead) else lead,
                "body": flat(row.get("text")),
                "outlet": _site(row.get("url")),
                "published": (row.get("time_released") or "").replace(" ", "T"),
                "url": row.get("url") or "",
                "file": TVN24_PATH,
            }
        )
    return items


def _tvp_items(repo: Path) -> list[dict]:
    text = show(repo, TVP_PATH, TVP_COMMIT).decode("utf-8")
    return [
        {
            "title": flat(row.get("headline")),
            "summary": flat(row.get("title")),
            "body": flat(row.get("content")),
            "outlet": _site(row.get("link")),
            "published": "",
            "url": row.get("link") or "",
            "file": TVP_PATH,
        }
        for row in csv.DictReader(io.StringIO(text))
    ]


def _polsat_items(repo: Path) -> list[dict]:
    text = show(repo, POLSAT_PATH, POLSAT_COMMIT).decode("utf-8")
    items = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            published = parsedate_to_datetime(row.get("published") or "").isoformat()
        except (TypeError, ValueError):
            published = ""
        items.append(
            {
                "title": flat(row.get("title")),
                "summary": "",
                "body": flat(row.get("text")),
                "outlet": _site(row.get("url")),
                "published": published,
                "url": row.get("url") or "",
                "file": POLSAT_PATH,
            }
        )
    return items


def _fresh(items: list[dict], known: set[str], openings: set[str]) -> list[dict]:
    """Items with a new title and a new opening and enough text, in file order."""
    fresh = []
    for item in items:
        folded = normalise_title(item["title"])
        opening = f"{item['summary']} {item['body']}".strip()[:200].casefold()
        if not folded or folded in known or opening in openings:
            continue
        if len(item["summary"]) + len(item["body"]) < MIN_BODY_CHARS:
            continue
        known.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def _check(repo: Path, commit: str) -> None:
    found = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "-t", commit], capture_output=True, text=True
    )
    if found.stdout.strip() != "commit":
        raise SystemExit(f"{repo} does not hold the pinned commit {commit}")


def draw(tvn24_repo: Path, tvp_repo: Path, polsat_repo: Path) -> list[dict]:
    """The ``plnews`` items (module docstring): TVN24, then TVP Info, then the RSS scrape."""
    for repo, commit in ((tvn24_repo, TVN24_COMMIT), (tvp_repo, TVP_COMMIT)):
        _check(repo, commit)
    _check(polsat_repo, POLSAT_COMMIT)
    known = known_titles(OUT)
    openings: set[str] = set()
    rng = random.Random(SEED)
    tvn24 = _fresh(_tvn24_items(tvn24_repo), known, openings)
    chosen = [(TVN24_REPOSITORY, TVN24_COMMIT, item) for item in rng.sample(tvn24, TVN24_SAMPLE)]
    tvp = _fresh(_tvp_items(tvp_repo), known, openings)
    chosen += [(TVP_REPOSITORY, TVP_COMMIT, item) for item in tvp]
    polsat = _fresh(_polsat_items(polsat_repo), known, openings)
    rest = TOTAL - len(chosen)
    chosen += [(POLSAT_REPOSITORY, POLSAT_COMMIT, item) for item in rng.sample(polsat, rest)]
    items = []
    for number, (repository, commit, item) in enumerate(chosen):
        row = item_row(
            "plnews-",
            number,
            f"{repository}:{item['file']}@{commit}",
            "pl",
            item,
            url=item["url"],
        )
        if item["published"]:
            row["published"] = item["published"]  # after the key, as first drawn
        items.append(row)
    return items


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 3)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

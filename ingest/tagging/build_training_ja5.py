"""Draw unlabelled Japanese news of outlets the training set had none of.

    python -m ingest.tagging.build_training_ja5 LIVEDOOR_GIT_DIR NEWSAPI_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository: ``jkatsuta/18_4q_doc2vec``
(the livedoor news corpus, CC BY-ND 2.1 JP) and ``Ykm4/RN-boiler-plate`` (an app that kept
NewsAPI "top headlines, country=jp" answers of 8-9 December 2020 as sample data; no licence
file: the text is its publishers'); the command writes ``ingest/data/training/items-ja5.jsonl``,
livedoor items first. Japanese had Wikinews, three livedoor categories, a few national dailies'
pages and feed headlines, and a handful of tech sites.

- livedoor (``LIVEDOOR_COMMIT``): the six categories of the corpus that no items file has drawn
  (``experiments/text/<category>/*.txt``: URL, date, title, text), each a vendor of
  news.livedoor.com (独女通信, 家電チャンネル, livedoor HOMME, MOVIE ENTER, Peachy, エスマックス:
  lifestyle, appliances, men's magazine, film, women's magazine, smartphones).
  ``LIVEDOOR_PER_CATEGORY`` drawn from each; the text is the ``body`` (paragraphs one a line),
  ``summary`` is empty; the outlet is ``news.livedoor.com/<category>`` as in ``jaukfr``.

- NewsAPI (``NEWSAPI_COMMIT``, a commit in the repository's history, read from a snapshot at
  ``NEWSAPI_HEAD``): the article objects of ``NEWSAPI_FILES`` (TypeScript literals of NewsAPI's
  ``source``, ``title``, ``description``, ``url``, ``publishedAt``), each once by its URL.
  The ``title`` keeps NewsAPI's " - <site>" ending, ``description`` (the site's teaser, cut by
  the site) is the ``summary``, ``body`` is empty. The outlet is the URL's host (``bbc.com`` is
  ``bbc.com/japanese``); every item of an outlet the training set has for Japanese (a host equal
  to it or under it) and the YouTube item are left out, and all the rest are taken.

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together. Titles
already in another item file or the dev gold are skipped, as are repeated titles and openings.
Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshots must be at the
pinned commits: the same items on every run.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh_of_outlets,
    host,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-ja5.jsonl"
MIN_TEXT_CHARS = 60

LIVEDOOR_REPOSITORY = "jkatsuta/18_4q_doc2vec"
LIVEDOOR_COMMIT = "2bd5f73aa53b7ff81e1e08429eb91d080a09f3cd"
LIVEDOOR_ROOT = "experiments/text"
LIVEDOOR_CATEGORIES = (
    "dokujo-tsushin",
    "kaden-channel",
    "livedoor-homme",
    "movie-enter",
    "peachy",
    "smax",
)
LIVEDOOR_PER_CATEGORY = 6

NEWSAPI_REPOSITORY = "Ykm4/RN-boiler-plate"
NEWSAPI_HEAD = "a1987446d048b6d003e2445d2e4b481a47f323e9"
NEWSAPI_COMMIT = "0d57fc8ffe348aa093d595ee46693c01012d01ef"
NEWSAPI_FILES = (
    "src/data.ts",
    "src/components/pages/ITNews/index.tsx",
    "src/components/pages/EntertainmentNews/index.tsx",
)
NEWSAPI_SKIP_HOSTS = {"youtube.com"}

_FIELD = re.compile(r"(\w+):\s*(null|'(?:[^'\\]|\\.)*')", re.S)


def _paragraphs(text: str) -> str:
    """Text with one paragraph a line, blank lines and inner whitespace runs dropped."""
    return "\n".join(p for p in (flat(line) for line in text.splitlines()) if p)


def _livedoor_items(repo: Path) -> list[dict]:
    """Every article of the six categories: URL, date, title, then the text."""
    items = []
    for category in LIVEDOOR_CATEGORIES:
        folder = f"{LIVEDOOR_ROOT}/{category}"
        listing = show(repo, folder, LIVEDOOR_COMMIT).decode("utf-8").splitlines()
        for name in sorted(n for n in listing if n.startswith(category) and n.endswith(".txt")):
            lines = show(repo, f"{folder}/{name}", LIVEDOOR_COMMIT).decode("utf-8").splitlines()
            if len(lines) < 4:
                continue
            items.append(
                {
                    "title": flat(lines[2]),
                    "summary": "",
                    "body": _paragraphs("\n".join(lines[3:])),
                    "outlet": f"news.livedoor.com/{category}",
                    "published": lines[1].strip(),
                    "url": lines[0].strip(),
                    "file": f"{LIVEDOOR_REPOSITORY}:{folder}/{name}@{LIVEDOOR_COMMIT}",
                }
            )
    return items


def _unquote(value: str) -> str:
    return "" if value == "null" else re.sub(r"\\(.)", r"\1", value[1:-1])


def _outlet(url: str) -> str:
    name = host(url)
    return "bbc.com/japanese" if name == "bbc.com" else name


def _newsapi_items(repo: Path) -> list[dict]:
    """Every NewsAPI article object of the files, each once by its URL, in file order."""
    items: dict[str, dict] = {}
    for path in NEWSAPI_FILES:
        text = show(repo, path, NEWSAPI_COMMIT).decode("utf-8")
        for block in text.split("source: {")[1:]:
            fields: dict[str, str] = {}
            for key, value in _FIELD.findall(block):
                fields.setdefault(key, _unquote(value))
            url = fields.get("url", "")
            if not url.startswith("http") or url in items:
                continue
            items[url] = {
                "title": flat(fields.get("title")),
                "summary": flat(fields.get("description")),
                "body": "",
                "outlet": _outlet(url),
                "published": fields.get("publishedAt", ""),
                "url": url,
                "file": f"{NEWSAPI_REPOSITORY}:{path}@{NEWSAPI_COMMIT}",
            }
    return list(items.values())


def _known_host(outlet: str, known: set[str]) -> bool:
    return outlet in NEWSAPI_SKIP_HOSTS or any(
        outlet == name or outlet.endswith(f".{name}") for name in known if name
    )


def draw(livedoor_repo: Path, newsapi_repo: Path) -> list[dict]:
    """The ``ja5`` items (module docstring): livedoor first, then NewsAPI."""
    for repo, pinned in ((livedoor_repo, LIVEDOOR_COMMIT), (newsapi_repo, NEWSAPI_HEAD)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    livedoor = fresh_of_outlets(_livedoor_items(livedoor_repo), set(), MIN_TEXT_CHARS, titles, openings)  # fmt: skip
    chosen = []
    for category in LIVEDOOR_CATEGORIES:
        pool = [item for item in livedoor if item["outlet"] == f"news.livedoor.com/{category}"]
        chosen += rng.sample(pool, min(LIVEDOOR_PER_CATEGORY, len(pool)))
    known = known_outlets("ja", OUT)
    newsapi = [item for item in _newsapi_items(newsapi_repo) if not _known_host(item["outlet"], known)]  # fmt: skip
    chosen += fresh_of_outlets(newsapi, set(), MIN_TEXT_CHARS, titles, openings)
    return [
        item_row(
            "ja5-",
            number,
            item["file"],
            "ja",
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

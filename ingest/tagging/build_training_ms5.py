"""Draw unlabelled Malay news of two outlets the training set had none of: Bernama and Air Times.

    python -m ingest.tagging.build_training_ms5 MEDIA_GIT_DIR

The argument is a clone (or bare mirror) of the public repository ``hamdanyc/media`` (R scripts
of a Malaysian media-monitoring digest; no licence file); the command writes
``ingest/data/training/items-ms5.jsonl``. Malay had nine Malaysian outlets (Berita Harian,
Utusan, Kosmo, Harian Metro, Sinar Harian, Astro Awani, Malaysiakini, Harakah, Agenda Daily);
none of the national news agency Bernama nor of a defence news site.

The repository keeps ``sorotan.html`` ("highlights"), the digest its R Markdown report wrote,
in two versions: ``SOROTAN_COMMITS`` (the digests of 1 October and 5 October 2025). Each
table cell of it is one clipped article: ``[Indeks :n:]:source:title:text:… lagi >>:link``, the
text being the article's opening as the digest kept it (mostly its first ~700 characters, a few
up to ~2,400). Only the cells whose link is an article of ``bernama.com`` (its Malay service,
``/bm/``) or ``airtimes.my`` (Air Times News Network, a Malaysian defence and aviation news
site in Malay) are read: the other sources of the digest are outlets already in the set or
English papers, and Bernama's video clips (links to YouTube) hold their title only. The text
is the ``body`` (no lead, ``summary`` empty); ``url`` is the link; ``published`` is the date
in an Air Times link (Bernama's links hold none; its dateline gives day and month). An article
in both versions is read from the first.

An item needs at least ``MIN_TEXT_CHARS`` characters of title and body together. Titles
already in another item file or the dev gold are skipped, as are repeated titles and repeated
openings. Every remaining item is taken (fewer than ``COUNT``), in an order shuffled with
``random.Random(SEED)``. The snapshot must be at the pinned commit: the same items on every
run.
"""

from __future__ import annotations

import html
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-ms5.jsonl"
MIN_TEXT_CHARS = 400
COUNT = 80

REPOSITORY = "hamdanyc/media"
COMMIT = "39e4cf557143d4954aa93fed7d758dd589a00a9e"
PATH = "sorotan.html"
SOROTAN_COMMITS = (
    "d97106c4fe615ab7f2276df53e3277d66d34ceea",
    "debaab2365248b52ba967a91ce46a26fe1a587a5",
)
OUTLETS = {"bernama.com": "bernama.com", "airtimes.my": "airtimes.my"}

_CELL = re.compile(r'<td style="text-align:left;">(.*?)</td>', re.S)
_ITEM = re.compile(
    r"<strong>\[Indeks :[^:]*:\]</strong>:[^:<]*:<strong>:(.*?):</strong>:(.*?):… lagi &gt;&gt;:"
    r'\s*<a href="([^"]*)"',
    re.S,
)
_TAG = re.compile(r"<[^>]+>")
_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")


def _text(markup: str) -> str:
    return flat(html.unescape(_TAG.sub("", markup)))


def _items(repo: Path) -> list[dict]:
    """Every Bernama and Air Times article of the two digests, each once (by its link), in the
    order the digests hold them."""
    items: dict[str, dict] = {}
    for commit in SOROTAN_COMMITS:
        page = show(repo, PATH, commit).decode("utf-8")
        for cell in _CELL.findall(page):
            found = _ITEM.match(" ".join(cell.split()))
            if not found:
                continue
            title, body, link = _text(found[1]), _text(found[2]), html.unescape(found[3]).strip()
            host = (urlsplit(link).hostname or "").removeprefix("www.")
            if host not in OUTLETS or link in items or not urlsplit(link).path.strip("/"):
                continue
            if host == "bernama.com" and "/bm/" not in link:
                continue
            date = _DATE.search(link)
            items[link] = {
                "title": title,
                "summary": "",
                "body": body,
                "outlet": OUTLETS[host],
                "published": "-".join(date.groups()) if date else "",
                "file": f"{REPOSITORY}:{PATH}@{commit}",
                "url": link,
            }
    return list(items.values())


def draw(repo: Path) -> list[dict]:
    """The ``ms5`` items (module docstring)."""
    if head_commit(repo) != COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    fresh = fresh_of_outlets(_items(repo), set(), MIN_TEXT_CHARS, titles, openings)
    drawn = random.Random(SEED).sample(fresh, min(COUNT, len(fresh)))
    return [
        item_row(
            "ms5-",
            number,
            item["file"],
            "ms",
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

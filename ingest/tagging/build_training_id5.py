"""Draw unlabelled Indonesian news of three outlets the training set had none of.

    python -m ingest.tagging.build_training_id5 TRIBUN_GIT_DIR SCRAPY_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository, at its pinned commit:
``DonzTea/indonesian-news-classification-with-web-scraper`` (``TRIBUN_COMMIT``) and
``babalenong/Scrapy-Indonesian-News-Articles`` (``SCRAPY_COMMIT``); neither states a licence.
The command writes ``ingest/data/training/items-id5.jsonl``: CNN Indonesia, then Merdeka, then
Tribunnews. The set had detik, tempo, antara, viva, liputan6, okezone, kompas, sindonews,
mediaindonesia and id.wikipedia ITN; these three outlets are new to it.

- ``tribunnews.com``: ``data/training sets (180 data).xlsx`` and ``data/testing sets (120
  data).xlsx`` of a Naive Bayes news-classification thesis (No., Judul Berita, URL Berita, Konten
  Berita, Kategori Berita): 299 Tribunnews articles, nearly all of July 2020, from eight sections
  (business, health, cars, knowledge, lifestyle, sport, education, technology), read with the
  standard library's zip and XML modules. The text is one paragraph (the scraper ran the
  paragraphs together). ``TRIBUN_COUNT`` drawn at random, no section preferred or left out.
- ``cnnindonesia.com`` and ``merdeka.com``: ``cnnindonesia/cnnindonesia.csv`` and
  ``merdeka/merdeka.csv`` (judul, berita), the output of the repository's Scrapy spiders over the
  25 article links each spider lists (``start_urls``): economy and money articles of May-June
  2020 that the thesis author chose. Every usable one is drawn. Scrapy joined each page's text
  nodes with commas; a comma after a sentence's end is read back as a paragraph break here, and
  lines of commas only are dropped. CNN Indonesia's spider read only the text nodes directly in
  the article ``div``: words inside links or emphasis are missing from its text ("Menteri
  Koperasi dan UMKM, mengakui , masih"), and eight of its 25 rows hold no text at all (not
  drawn). The CSVs keep no link; ``url`` is the spider's link whose slug shares the most words
  with the title (at least ``MIN_SLUG_OVERLAP`` of them), else empty.

No lead: ``summary`` is empty. ``published`` is the date in the link (Tribunnews and CNN
Indonesia links carry one; Merdeka's do not). An item needs at least ``MIN_TEXT_CHARS``
characters of title and body; titles already in another item file or the dev gold, repeated
titles and repeated openings are skipped; bodies keep their first ``PAGE_BODY_CHARS``
characters. Seeded, and the snapshots must be at the pinned commits: the same items on every
run.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh_of_outlets,
    host,
    item_row,
    known_openings,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-id5.jsonl"
MIN_TEXT_CHARS = 300
TRIBUN_COUNT = 30
MIN_SLUG_OVERLAP = 0.6

TRIBUN_REPOSITORY = "DonzTea/indonesian-news-classification-with-web-scraper"
TRIBUN_COMMIT = "7eb9a8bfbccf4872c92fb49a1ee16be3e35bcc9d"
TRIBUN_FILES = ("data/training sets (180 data).xlsx", "data/testing sets (120 data).xlsx")

SCRAPY_REPOSITORY = "babalenong/Scrapy-Indonesian-News-Articles"
SCRAPY_COMMIT = "c44e2c0462b322ef60b6bed8204456c332f29d38"
SCRAPY_SITES = (  # (csv, spider, outlet)
    (
        "cnnindonesia/cnnindonesia.csv",
        "cnnindonesia/cnnindonesia/spiders/cnnindonesia_spider.py",
        "cnnindonesia.com",
    ),
    ("merdeka/merdeka.csv", "merdeka/merdeka/spiders/merdeka_spider.py", "merdeka.com"),
)

_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_JOIN = re.compile(r"(?<=[.!?\"”)])\s*,(?=\s*\S)|\s*,\s*\n")
_URL_DATE = re.compile(r"/(20\d\d)/?(\d\d)/?(\d\d)")


def _sheet_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of an .xlsx file's first worksheet, each as {column letter: text}."""
    book = zipfile.ZipFile(io.BytesIO(data))
    shared = [
        "".join(text.text or "" for text in item.iter(f"{_SHEET}t"))
        for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    ]
    rows = []
    for row in ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml")).iter(f"{_SHEET}row"):
        cells = {}
        for cell in row.iter(f"{_SHEET}c"):
            column = re.match(r"[A-Z]+", cell.get("r") or "")
            value = cell.find(f"{_SHEET}v")
            if column is None or value is None or value.text is None:
                continue
            cells[column.group()] = shared[int(value.text)] if cell.get("t") == "s" else value.text
        rows.append(cells)
    return rows


def _published(url: str) -> str:
    """The date a link carries (``/2020/07/25/`` or ``/20200624185815-``), as YYYY-MM-DD."""
    found = _URL_DATE.search(url)
    return "-".join(found.groups()) if found else ""


def _tribun_items(repo: Path) -> list[dict]:
    """Every article of the two sheets, in sheet order (each sheet's first row names columns)."""
    items = []
    for path in TRIBUN_FILES:
        for row in _sheet_rows(show(repo, path, TRIBUN_COMMIT))[1:]:
            url = flat(row.get("C"))
            items.append(
                {
                    "title": flat(row.get("B")),
                    "summary": "",
                    "body": flat(row.get("D")),
                    "outlet": host(url).removeprefix("www."),
                    "published": _published(url),
                    "file": f"{TRIBUN_REPOSITORY}:{path}@{TRIBUN_COMMIT}",
                    "url": url,
                }
            )
    return items


def _scrapy_body(text: str) -> str:
    """A Scrapy CSV cell's text nodes as paragraphs, one a line (see the module docstring)."""
    lines = (flat(part).strip(" ,") for part in _JOIN.split(text))
    return "\n".join(line for line in lines if re.search(r"\w", line))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.casefold()))


def _link(title: str, links: list[str]) -> str:
    """The spider link whose slug shares the most words with ``title`` (see the docstring)."""
    words = _words(title)
    best, share = "", 0.0
    for link in links:
        slug = _words(link.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html"))
        overlap = len(words & slug) / max(len(words), 1)
        if overlap > share:
            best, share = link, overlap
    return best if share >= MIN_SLUG_OVERLAP else ""


def _scrapy_items(repo: Path, path: str, spider: str, outlet: str) -> list[dict]:
    """Every row of one spider's CSV, in file order."""
    links = re.findall(r'"(https://[^"]+)"', show(repo, spider, SCRAPY_COMMIT).decode("utf-8"))
    text = show(repo, path, SCRAPY_COMMIT).decode("utf-8")
    items = []
    for row in csv.DictReader(io.StringIO(text)):
        title = flat(row["judul"])
        url = _link(title, links)
        items.append(
            {
                "title": title,
                "summary": "",
                "body": _scrapy_body(row["berita"]),
                "outlet": outlet,
                "published": _published(url),
                "file": f"{SCRAPY_REPOSITORY}:{path}@{SCRAPY_COMMIT}",
                "url": url,
            }
        )
    return items


def draw(tribun_repo: Path, scrapy_repo: Path) -> list[dict]:
    """The ``id5`` items (module docstring): CNN Indonesia, Merdeka, then Tribunnews."""
    for repo, pinned in ((tribun_repo, TRIBUN_COMMIT), (scrapy_repo, SCRAPY_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    chosen = []
    for site in SCRAPY_SITES:
        chosen += fresh_of_outlets(
            _scrapy_items(scrapy_repo, *site), set(), MIN_TEXT_CHARS, titles, openings
        )
    tribun = fresh_of_outlets(_tribun_items(tribun_repo), set(), MIN_TEXT_CHARS, titles, openings)
    chosen += random.Random(SEED).sample(tribun, min(TRIBUN_COUNT, len(tribun)))
    return [
        item_row(
            "id5-",
            number,
            item["file"],
            "id",
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

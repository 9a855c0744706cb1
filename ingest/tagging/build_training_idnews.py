"""Draw unlabelled Indonesian news articles of outlets new to the topic training set.

    python -m ingest.tagging.build_training_idnews ID_GIT_DIR

``ID_GIT_DIR`` is a clone (or bare mirror) of the public repository
``gikirima/indonews-scrapper`` at ``ID_COMMIT``; the command writes
``ingest/data/training/items-idnews.jsonl``.

That repository keeps what its scraper read from Indonesian news sites in June 2025, for a
hoax-detection study:

- ``Dataset new/scrapping_news_2025-06-1[89].csv`` and ``…-20.csv`` (sumber, url, judul, author,
  tanggal_publikasi, isi_berita), read on 18–20 June 2025 from the sites' RSS feeds. The set
  already holds detik.com and tempo.co, so only liputan6.com, okezone.com and kompas.com are
  drawn (republika.co.id is there too, but every one of its rows lacks the title).
- ``old dataset/berita_sindonews.xlsx`` (No, Sumber, Judul, Isi, Tanggal, Kategori, Link), 409
  articles of sindonews.com of 9–10 June 2025, read with the standard library's zip and XML
  modules (the sheet's shared strings and first worksheet).

``QUOTA`` articles per site, at random from everything the site has there (no section is
preferred or left out). The outlet is the site's registered domain, from the article's URL.

The scraper kept the site's paragraphs one a line (Sindonews's run together), with the markers
of the pages' inserts ("Advertisement", "Baca Juga", "Lihat Juga: …") as lines of their own:
those lines are dropped. It also dropped the spaces around the text of links ("hasilsurvei
Litbang Kompasyang"); that is left as it is. The sites' own text keeps no separate lead, so
``summary`` is empty. ``published`` is the day of the publication date when it can be read.

An article in more than one file is read once (the first file by name). Bodies keep their first
``PAGE_BODY_CHARS`` characters; titles already in another item file or the dev gold are skipped,
as are repeated titles, repeated openings and bodies shorter than ``MIN_BODY_CHARS``. Seeded: the
same items on every run from the same commit.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-idnews.jsonl"
MIN_BODY_CHARS = 300
SAME_OPENING_CHARS = 200

REPOSITORY = "gikirima/indonews-scrapper"
ID_COMMIT = "9cabd3b1116cc49c0e66fa5dcccee9083847a4e6"
PATHS = tuple(f"Dataset new/scrapping_news_2025-06-{day}.csv" for day in ("18", "19", "20"))
SINDONEWS_PATH = "old dataset/berita_sindonews.xlsx"
QUOTA = {"liputan6.com": 32, "okezone.com": 30, "kompas.com": 30, "sindonews.com": 28}

_INSERTS = frozenset({"advertisement", "baca juga", "ikuti whatsapp channel republika"})
_INSERT_LINE = re.compile(r"(baca|lihat) juga\s*:", re.IGNORECASE)
_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januari"),
            ("feb", "februari"),
            ("mar", "maret"),
            ("apr", "april"),
            ("mei", "may"),
            ("jun", "juni"),
            ("jul", "juli"),
            ("agu", "agt", "agustus", "aug"),
            ("sep", "september"),
            ("okt", "oktober", "oct"),
            ("nov", "november"),
            ("des", "desember", "dec"),
        ),
        start=1,
    )
    for name in names
}
_DAY_NAMED_MONTH = re.compile(r"\b(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})\b")
_DAY_NUMBERED_MONTH = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def _flat(text: str) -> str:
    """Whitespace runs (no-break spaces included) as one space."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _outlet(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    parts = host.split(".")
    return ".".join(parts[-3:] if host.endswith(".co.id") else parts[-2:])


def _published(text: str) -> str:
    """The day of a ``tanggal_publikasi`` string as YYYY-MM-DD, or "" when it cannot be read."""
    if match := _DAY_NUMBERED_MONTH.search(text):
        day, month, year = (int(group) for group in match.groups())
    elif (match := _DAY_NAMED_MONTH.search(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
    else:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""


def _body(text: str) -> str:
    """The article's paragraphs, one a line, without the inserts' marker lines."""
    lines = (_flat(line) for line in text.splitlines())
    return "\n".join(
        line
        for line in lines
        if line and line.casefold() not in _INSERTS and not _INSERT_LINE.match(line)
    )


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
            text = shared[int(value.text)] if cell.get("t") == "s" else value.text
            cells[column.group()] = text
        rows.append(cells)
    return rows


def _sindonews_items(repo: Path) -> list[dict]:
    """Every article of the Sindonews sheet, in sheet order (its first row names the columns)."""
    rows = _sheet_rows(show(repo, SINDONEWS_PATH, ID_COMMIT))
    columns = {name: letter for letter, name in rows[0].items()}
    items = []
    for row in rows[1:]:
        url = (row.get(columns["Link"]) or "").strip()
        items.append(
            {
                "title": _flat(row.get(columns["Judul"]) or ""),
                "body": _body(row.get(columns["Isi"]) or ""),
                "outlet": _outlet(url),
                "url": url,
                "published": _published(row.get(columns["Tanggal"]) or ""),
                "file": SINDONEWS_PATH,
            }
        )
    return items


def _items(repo: Path) -> list[dict]:
    """Every article of the drawn sites, once, in file order."""
    items, seen = [], set()
    for path in PATHS:
        text = show(repo, path, ID_COMMIT).decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(text)):
            url = (row.get("url") or "").strip()
            outlet = _outlet(url)
            if outlet not in QUOTA or url in seen:
                continue
            seen.add(url)
            items.append(
                {
                    "title": _flat(row.get("judul") or ""),
                    "body": _body(row.get("isi_berita") or ""),
                    "outlet": outlet,
                    "url": url,
                    "published": _published(row.get("tanggal_publikasi") or ""),
                    "file": path,
                }
            )
    return items + [item for item in _sindonews_items(repo) if item["outlet"] in QUOTA]


def _fresh(items: list[dict], known: set[str]) -> list[dict]:
    """Items with a new title (to the other item files and to each other), a new opening and a
    body of at least ``MIN_BODY_CHARS``."""
    fresh, openings = [], set()
    for item in items:
        folded = normalise_title(item["title"])
        opening = " ".join(item["body"].split())[:SAME_OPENING_CHARS].casefold()
        if not folded or folded in known or opening in openings:
            continue
        if len(item["body"]) < MIN_BODY_CHARS:
            continue
        known.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def draw(repo: Path) -> list[dict]:
    """The ``idnews`` items (module docstring), outlet by outlet in ``QUOTA`` order."""
    if head_commit(repo) != ID_COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {ID_COMMIT}")
    pool = _fresh(_items(repo), known_titles(OUT))
    rng = random.Random(SEED)
    chosen = []
    for outlet, count in QUOTA.items():
        candidates = [item for item in pool if item["outlet"] == outlet]
        chosen += rng.sample(candidates, min(count, len(candidates)))
    return [
        item_row(
            "idnews-",
            number,
            f"{REPOSITORY}:{item['file']}@{ID_COMMIT}",
            "id",
            {**item, "summary": ""},
            published=item["published"],
            url=item["url"],
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

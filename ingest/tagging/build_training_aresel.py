"""Draw Arabic, Spanish and Greek news articles for the topic training set.

    python -m ingest.tagging.build_training_aresel SAUDINEWSNET_DIR FAKENEWS_ES_DIR GREEK_NEWS_DIR \
        GREEK_LEADS_DIR

Each argument is a clone (or bare mirror) of a public repository, read at its ``HEAD``; the
command writes ``ingest/data/training/items-aresel.jsonl`` (keys ``aresel-``), ``SAMPLE`` articles
per source, in this order:

- ``ar`` from ``parallelfold/SaudiNewsNet`` (CC BY-NC-SA 4.0): 31,030 articles of 14 Saudi
  newspapers and the Saudi Press Agency, extracted 2015-07-21 to 2015-08-11
  (``dataset/YYYY-MM-DD.zip``, one JSON array each: source, url, date_extracted, title, content).
  The outlet is the newspaper's site (the ``source`` identifier mapped by ``AR_OUTLETS``).
- ``es`` from ``jpposadas/FakeNewsCorpusSpanish`` (CC BY 4.0): the articles its authors labelled
  ``True`` (news from established Mexican, Spanish and other Spanish-language media, January to
  July 2018; the ``Fake`` rows are left out: they are not real reporting) of ``train.xlsx`` and
  ``development.xlsx``, the corpus's version 1.0 (read with the standard library; the 2020-21
  ``test.xlsx``, labelled 1/0, is not read). The texts replace numbers with ``*NUMBER*`` and
  repeat the headline at the start, as the corpus has them. The outlet is the link's site
  (registrable domain, as ``build_training_sample`` names a page's outlet), else the ``Source``
  column.
- ``el`` from ``zoetzikra/greek-news-aggregator``: the Kathimerini articles its daily pipeline
  stored (``frontend/static/data/*/*.json`` and ``web/data/*/*.json``, April-May 2026): the title
  and the first ~2,000 characters of the article text as scraped (``content``), never the
  pipeline's machine-written summaries or tags (the repository has no licence file: the text is
  Kathimerini's). One outlet, kathimerini.gr.
- ``el`` again, from ``mKotoulas/NewsPaperScrapper`` (GPL-3.0): the sample output of its
  scraper, ``sample_results/results.xlsx``, headlines and leads (``summary``; no body) of Avgi's
  politics section (sheet ``AVGI``, November 2022) and of Ta Nea (sheet ``TA NEA``, 2019-2022),
  so that the Greek items come from more than one outlet.

Within a source, candidates are shuffled with a seeded ``random.Random`` and taken in that order,
at most ``PER_OUTLET`` per outlet, skipping texts shorter than ``MIN_BODY_CHARS`` (leads without a
body: ``MIN_LEAD_CHARS``), titles already
in another item file or the dev gold (``build_training_draw.known_titles``) and repeated
titles or openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. The same items on
every run from the same commits (``file`` names repository, path and commit).
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ingest.canonical import normalise_title
from ingest.tagging.build_training_draw import build_main, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING, _site

OUT = TRAINING / "items-aresel.jsonl"
KEY_PREFIX = "aresel-"
SEED = 20261207
SAMPLE = {"ar": 100, "es": 100, "el": 100, "el-leads": 40}
PER_OUTLET = {"ar": 12, "es": 12, "el": 100, "el-leads": 20}
MIN_BODY_CHARS = 200
MIN_LEAD_CHARS = 40
SAME_OPENING_CHARS = 200
AR_REPOSITORY = "parallelfold/SaudiNewsNet"
ES_REPOSITORY = "jpposadas/FakeNewsCorpusSpanish"
EL_REPOSITORY = "zoetzikra/greek-news-aggregator"
EL_LEADS_REPOSITORY = "mKotoulas/NewsPaperScrapper"
EL_LEADS_PATH = "sample_results/results.xlsx"
EL_LEADS_SHEETS = (
    ("xl/worksheets/sheet1.xml", "avgi.gr"),
    ("xl/worksheets/sheet2.xml", "tanea.gr"),
)
AR_OUTLETS = {
    "aawsat": "aawsat.com",
    "aleqtisadiya": "aleqt.com",
    "aljazirah": "al-jazirah.com",
    "almadina": "al-madina.com",
    "alriyadh": "alriyadh.com",
    "alwatan": "alwatan.com.sa",
    "alweeam": "alweeam.com.sa",
    "alyaum": "alyaum.com",
    "arreyadi": "arreyadi.com.sa",
    "arreyadiyah": "arreyadiyah.com",
    "okaz": "okaz.com.sa",
    "sabq": "sabq.org",
    "was": "spa.gov.sa",
    "3alyoum": "3alyoum.com",
}
ES_FILES = ("train.xlsx", "development.xlsx")
EL_FOLDERS = ("frontend/static/data/", "web/data/")
_XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_COLUMN = re.compile(r"[A-Z]+")


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def _files(repo: Path) -> list[str]:
    return sorted(_git(repo, "ls-tree", "-r", "--name-only", "HEAD").decode("utf-8").split("\n"))


def _clean(text: str | None) -> str:
    text = (text or "").replace("\r", "\n").replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def _arabic(repo: Path) -> list[dict]:
    items = []
    for path in _files(repo):
        if not (path.startswith("dataset/") and path.endswith(".zip")):
            continue
        archive = zipfile.ZipFile(io.BytesIO(_git(repo, "show", f"HEAD:{path}")))
        for name in sorted(archive.namelist()):
            for article in json.loads(archive.read(name).decode("utf-8")):
                items.append(
                    {
                        "file": path,
                        "outlet": AR_OUTLETS.get(article["source"], article["source"]),
                        "title": _clean(article.get("title")),
                        "body": _clean(article.get("content")),
                        "published": (article.get("date_extracted") or "")[:10] or None,
                    }
                )
    return items


def _xlsx_rows(data: bytes, sheet_path: str = "xl/worksheets/sheet1.xml") -> list[list[str]]:
    """A sheet's rows as lists of cell texts (shared and inline strings, numbers)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{_XLSX}si"):
            shared.append("".join(node.text or "" for node in item.iter(f"{_XLSX}t")))
    sheet = ElementTree.fromstring(book.read(sheet_path))
    rows = []
    for row in sheet.iter(f"{_XLSX}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{_XLSX}c"):
            letters = _COLUMN.match(cell.get("r", "")).group()  # type: ignore[union-attr]
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            kind, value = cell.get("t"), cell.find(f"{_XLSX}v")
            if kind == "s" and value is not None:
                cells[column - 1] = shared[int(value.text or 0)]
            elif kind == "inlineStr":
                cells[column - 1] = "".join(n.text or "" for n in cell.iter(f"{_XLSX}t"))
            elif value is not None:
                cells[column - 1] = value.text or ""
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows


def _spanish(repo: Path) -> list[dict]:
    items = []
    for path in ES_FILES:
        rows = _xlsx_rows(_git(repo, "show", f"HEAD:{path}"))
        header = [cell.strip().lower() for cell in rows[0]]
        for row in rows[1:]:
            cells = dict(zip(header, row, strict=False))
            if cells.get("category", "").strip().lower() != "true":
                continue
            items.append(
                {
                    "file": path,
                    "outlet": _site((cells.get("link") or "").strip())
                    or cells.get("source", "").strip(),
                    "title": _clean(cells.get("headline")),
                    "body": _clean(cells.get("text")),
                    "published": None,
                }
            )
    return items


def _greek(repo: Path) -> list[dict]:
    items = []
    for path in _files(repo):
        if not (path.startswith(EL_FOLDERS) and path.endswith(".json")):
            continue
        data = json.loads(_git(repo, "show", f"HEAD:{path}"))
        if not isinstance(data, dict):
            continue
        for article in data.get("items") or []:
            if article.get("source") != "Kathimerini":
                continue
            items.append(
                {
                    "file": path,
                    "outlet": _site(article.get("url")) or "kathimerini.gr",
                    "title": _clean(article.get("title")),
                    "body": _clean(article.get("content")),
                    "published": (article.get("published") or "")[:10] or None,
                }
            )
    return items


def _greek_leads(repo: Path) -> list[dict]:
    data = _git(repo, "show", f"HEAD:{EL_LEADS_PATH}")
    items = []
    for sheet, outlet in EL_LEADS_SHEETS:
        rows = _xlsx_rows(data, sheet)
        header = [cell.strip().lower() for cell in rows[0]]
        for row in rows[1:]:
            cells = dict(zip(header, row, strict=False))
            link = cells.get("link", "").strip()
            day = re.search(r"/(\d{4})/(\d{2})/(\d{2})/", link)
            short = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{2})", cells.get("date", "").strip())
            published = None
            if day:
                published = "-".join(day.groups())
            elif short:
                published = f"20{short[3]}-{short[2]}-{short[1]}"
            items.append(
                {
                    "file": EL_LEADS_PATH,
                    "outlet": outlet,
                    "title": _clean(cells.get("title")),
                    "summary": _clean(cells.get("summary")),
                    "body": "",
                    "published": published,
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
        text = item["body"] or item.get("summary", "")
        opening = " ".join(text.split())[:SAME_OPENING_CHARS].casefold()
        if not folded or folded in known or opening in openings:
            continue
        shortest = MIN_BODY_CHARS if item["body"] else MIN_LEAD_CHARS
        if len(text) < shortest or not item["outlet"]:
            continue
        if per_outlet.get(item["outlet"], 0) >= PER_OUTLET[source]:
            continue
        known.add(folded)
        openings.add(opening)
        per_outlet[item["outlet"]] = per_outlet.get(item["outlet"], 0) + 1
        chosen.append(item)
        if len(chosen) == SAMPLE[source]:
            break
    return chosen


def draw(saudi: Path, spanish: Path, greek: Path, greek_leads: Path) -> list[dict]:
    known = known_titles(OUT)
    sources = (
        ("ar", AR_REPOSITORY, saudi, _arabic),
        ("es", ES_REPOSITORY, spanish, _spanish),
        ("el", EL_REPOSITORY, greek, _greek),
        ("el-leads", EL_LEADS_REPOSITORY, greek_leads, _greek_leads),
    )
    items: list[dict] = []
    for source, repository, repo, read in sources:
        commit = _git(repo, "rev-parse", "HEAD").decode().strip()
        for item in _pick(read(repo), source, known):
            number = len(items)
            items.append(
                item_row(
                    KEY_PREFIX,
                    number,
                    f"{repository}:{item['file']}@{commit}",
                    source[:2],
                    item,
                    published=item["published"],
                )
            )
    return items


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 4)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

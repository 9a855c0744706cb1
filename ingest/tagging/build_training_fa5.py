"""Draw unlabelled Persian news of outlets the training set had none of (IRNA, ISNA, Mehr, ...).

    python -m ingest.tagging.build_training_fa5 FAREXSTANCE_GIT_DIR

The argument is a clone (or bare mirror) of the public repository ``Zarharan/FarExStance`` (the
data of the COLING 2025 paper "FarExStance: Explainable Stance Detection for Farsi"; no licence
file, released for research); the command writes ``ingest/data/training/items-fa5.jsonl``.
Persian had nine outlets (Fars, Hamshahri, Radio Farda, Tabnak, Borna, Khabar Online, Varzesh3,
Tasnim, Mashregh).

FarExStance crawled political, economic and sports news of 130+ Persian sites in 2021 and paired
them with claims. Its article-to-claim files (``data/b2c/{test,dev}_set_final.xlsx``: claim,
``content``, stance, claim and news ids) keep each article's text; its headline-to-claim files
(``data/h2c/{train,dev,test}_set_final.xlsx``) keep the page title (``news_title``) of the same
``news_id``. An article is its first text (by news id, the test file first) with the title of
its news id; articles without a title are left out. Neither file names the site: the ``outlet``
is read from the article itself, and an article whose outlet cannot be read is left out:

- a page title that ends in a site's name (``... - Euronews``, ``| Parstoday``) names it;
- else a site's signature at the start of the text (``تهران- ایرنا-``, ``شفقنا-``) or the
  site's own banner (``پایگاه خبری تحلیلی انتخاب (Entekhab.ir)``);
- else the first ``به گزارش ...`` ("as ... reports") of the first 400 characters, the Persian
  press's byline, when it names an Iranian outlet of ``_BYLINES`` (``به گزارش ایسنا``, ``به
  گزارش خبرنگار سیاسی ایرنا``, ``به گزارش گروه سیاسی خبرگزاری دانشجو``): the outlet whose
  report the text is. A byline of a foreign agency (Reuters, AFP) or of none names no outlet.

Outlets already in the training set (``build_training_draw.known_outlets`` for ``fa``) are
skipped. An item needs at least ``MIN_TEXT_CHARS`` characters of title and text; titles already
in another item file or the dev gold, repeated titles and repeated openings are skipped. Then at
most ``PER_OUTLET`` an outlet and ``COUNT`` of those are drawn at random (``draw_per_outlet``,
``random.Random(SEED)``; no section or topic filter). The text is the ``body`` (whitespace runs as
one space; the crawl kept no paragraphs), cut to ``PAGE_BODY_CHARS``; ``summary`` is empty; the
crawl kept no dates or links. Seeded, and the snapshot must be at the pinned commit: the same
items on every run.
"""

from __future__ import annotations

import io
import random
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    draw_per_outlet,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-fa5.jsonl"
MIN_TEXT_CHARS = 300
COUNT = 70
PER_OUTLET = 10
BYLINE_CHARS = 400

REPOSITORY = "Zarharan/FarExStance"
COMMIT = "1c139feb120b5f46bbf80cae5496e2691f048719"
TEXT_FILES = ("data/b2c/test_set_final.xlsx", "data/b2c/dev_set_final.xlsx")
TITLE_FILES = (
    "data/h2c/train_set_final.xlsx",
    "data/h2c/dev_set_final.xlsx",
    "data/h2c/test_set_final.xlsx",
)

# A page title's last part (after " - " or "|") that names its site.
_TITLE_SITES = {
    "euronews": "per.euronews.com",
    "parstoday": "parstoday.ir",
    "sputnik iran": "ir.sputniknews.com",
    "اسپوتنیک ایران": "ir.sputniknews.com",
    "trt persian": "trt.net.tr/persian",
    "اعتمادآنلاین": "etemadonline.com",
    "tasnim": "tasnimnews.com",
    "خبرگزاری فارس": "farsnews.ir",
}
# A site's signature at the very start of the text, or its banner anywhere in the opening.
_OPENINGS = (
    (re.compile(r"^\S{0,12}\s*-\s*ا[يی]رنا\s*-"), "irna.ir"),
    (re.compile(r"^ا[يی]رنا\s*-"), "irna.ir"),
    (re.compile(r"^شفقنا\s*-"), "shafaqna.com"),
    (re.compile(r"\(Entekhab\.ir\)"), "entekhab.ir"),
)
# The outlets a Persian byline ("به گزارش ...") names, as the first words after its desk or
# reporter ("گروه سیاسی", "خبرنگار پارلمانی", "روز سه‌شنبه").
_BYLINES = (
    ("خبرگزاری جمهوری اسلامی", "irna.ir"),
    ("ایرنا", "irna.ir"),
    ("ايرنا", "irna.ir"),
    ("خبرگزاری دانشجویان ایران", "isna.ir"),
    ("ایسنا", "isna.ir"),
    ("خبرگزاری مهر", "mehrnews.com"),
    ("مهر", "mehrnews.com"),
    ("خبرگزاری صدا و سیما", "iribnews.ir"),
    ("خبرگزاری صداوسیما", "iribnews.ir"),
    ("خبرگزاری دانشجو", "snn.ir"),
    ("خبرگزاری هرانا", "hra-news.org"),
    ("هرانا", "hra-news.org"),
    ("ایلنا", "ilna.ir"),
    ("ایمنا", "imna.ir"),
    ("خبرگزاری خانه ملت", "icana.ir"),
    ("خبرگزاری خانه‌ ملت", "icana.ir"),
    ("خبرگزاری موج", "mojnews.com"),
    ("باشگاه خبرنگاران جوان", "yjc.ir"),
    ("میزان", "mizanonline.ir"),
    ("جماران", "jamaran.news"),
    ("اقتصادآنلاین", "eghtesadonline.com"),
    ("«انتخاب»", "entekhab.ir"),
    ("انتخاب", "entekhab.ir"),
    ("شفقنا", "shafaqna.com"),
    ("الف", "alef.ir"),
    ("عصر ایران", "asriran.com"),
    ("عصرایران", "asriran.com"),
    ("آفتاب", "aftabnews.ir"),
    ("دیدبان ایران", "didbaniran.ir"),
    ("اعتمادآنلاین", "etemadonline.com"),
    ("دنیای اقتصاد", "donya-e-eqtesad.com"),
    ("اکو ایران", "ecoiran.com"),
    ("خبرگزاری فارس", "farsnews.ir"),
    ("فارس", "farsnews.ir"),
    ("خبرگزاری تسنیم", "tasnimnews.com"),
    ("تسنیم", "tasnimnews.com"),
    ("مشرق", "mashreghnews.ir"),
    ("همشهری آنلاین", "hamshahrionline.ir"),
    ("تابناک", "tabnak.ir"),
    ("خبرآنلاین", "khabaronline.ir"),
    ("برنا", "borna.news"),
)
_DESKS = {"گروه", "سرویس", "حوزه", "خبرنگار", "روز", "امروز"}
_BYLINE = re.compile(r"به گزارش\s+(.{0,80})")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _sheet(data: bytes) -> list[dict[str, str]]:
    """The rows of an .xlsx file's first sheet as {header: value} (the standard library's zip and
    XML readers: the workbook is a zip of XML parts)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        for item in ET.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{_MAIN}si"):
            shared.append("".join(t.text or "" for t in item.iter(f"{_MAIN}t")))
    sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in sheet.iter(f"{_MAIN}row"):
        cells = {}
        for cell in row.iter(f"{_MAIN}c"):
            reference = re.match(r"[A-Z]+", cell.get("r", ""))
            if reference is None:
                raise ValueError(f"a cell without a reference: {cell.attrib}")
            column = reference.group(0)
            value = cell.find(f"{_MAIN}v")
            if cell.get("t") == "s":
                if value is None or value.text is None:
                    raise ValueError(f"a shared-string cell without its index: {cell.attrib}")
                cells[column] = shared[int(value.text)]
            elif cell.get("t") == "inlineStr":
                cells[column] = "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
            else:
                cells[column] = value.text if value is not None and value.text else ""
        table.append(cells)
    header = table[0] if table else {}
    return [{header[c]: v for c, v in row.items() if c in header} for row in table[1:]]


def outlet_of(title: str, text: str) -> str:
    """The site an article is of, read from its page title, opening or byline ("" for none)."""
    tail = re.split(r"\s[-|–]\s|\|", title)
    if len(tail) > 1:
        last = tail[-1].strip().casefold()
        for name, site in _TITLE_SITES.items():
            if last.endswith(name):
                return site
    opening = text[:BYLINE_CHARS]
    for pattern, site in _OPENINGS:
        if pattern.search(opening):
            return site
    byline = _BYLINE.search(opening)
    if not byline:
        return ""
    words = byline.group(1).split()
    # The outlet's name comes first, or after a desk or reporter of up to four words.
    starts = range(min(5, len(words))) if words and words[0] in _DESKS else range(1)
    for start in starts:
        rest = " ".join(words[start:])
        for name, site in _BYLINES:
            if re.match(re.escape(name) + r"(?=[\s،,؛:.]|$)", rest):
                return site
    return ""


def _items(repo: Path) -> list[dict]:
    """Every article of the article-to-claim files with a page title, once, in file order."""
    titles: dict[str, str] = {}
    for path in TITLE_FILES:
        for row in _sheet(show(repo, path, COMMIT)):
            titles.setdefault(row.get("news_id", ""), flat(row.get("news_title")))
    items, seen = [], set()
    for path in TEXT_FILES:
        for row in _sheet(show(repo, path, COMMIT)):
            news_id = row.get("news_id", "")
            if news_id in seen or not titles.get(news_id):
                continue
            seen.add(news_id)
            text = flat(row.get("content"))
            items.append(
                {
                    "title": titles[news_id],
                    "summary": "",
                    "body": text,
                    "outlet": outlet_of(titles[news_id], text),
                    "file": f"{REPOSITORY}:{path}@{COMMIT}",
                    "news_id": news_id,
                }
            )
    return items


def draw(repo: Path) -> list[dict]:
    """The ``fa5`` items (module docstring)."""
    if head_commit(repo) != COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    skip = known_outlets("fa", OUT)
    fresh = fresh_of_outlets(_items(repo), skip, MIN_TEXT_CHARS, titles, openings)
    drawn = draw_per_outlet(fresh, COUNT, PER_OUTLET, random.Random(SEED))
    return [
        item_row("fa5-", number, item["file"], "fa", item, news_id=item["news_id"])
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

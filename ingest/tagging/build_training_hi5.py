"""Draw unlabelled Hindi news of ten outlets the training set had none of.

    python -m ingest.tagging.build_training_hi5 WEBCORPUS_GIT_DIR

The argument is a clone (or bare mirror) of ``divkakwani/webcorpus`` (GPL-3.0; the crawler that
AI4Bharat's IndicCorp was built with), at ``HEAD_COMMIT``; the command writes
``ingest/data/training/items-hi5.jsonl``. Hindi had BBC Hindi, four papers' Covid-19 coverage and a
few GNews answers (ABP, Zee, Jansatta, NDTV); these items come from other outlets only.

- The repository's first commits (``DATA_COMMIT``, 9 August 2019; the directory was removed
  later, so the script reads that commit whatever the snapshot's HEAD) keep a sample of the
  crawler's processed output: ``data/processed/hindi/<site>/<page>``, one text file a crawled
  page (its text, a line a block, markup removed), pages of July 2019 and a few older ones.
- Most of the 108 Hindi files are section, tag, listing or "about" pages. Article pages are those
  of the sites in ``ARTICLE_SITES`` (aapkikhabar, dudhwalive, krishakjagat, newstracklive,
  panchjanya, prabhasakshi, punjabkesari), each its site's own text; a page shorter than
  ``MIN_PAGE_CHARS`` characters is a listing and left out. Samachar Plus (``LEAD_SITES``) has
  only section pages; each opens with its top story's headline, a "Samachar Plus | section |
  date" line and the story's lead: that story is taken (title and lead, the ``summary``; no body).
- Text: pages stored as UTF-8 read as the DOS Cyrillic code page (``р┤...``) are repaired; the
  sites' furniture lines (share buttons, bylines, dates, "Google plus", "Image Source") are
  dropped; the first remaining line is the ``title``, the rest the ``body`` (a line a block).
  newstracklive.com pages have no headline of their own (the page opens with its section's name
  and related headlines are interleaved with the paragraphs): their body keeps only paragraphs
  (lines of at least ``PARAGRAPH_CHARS`` characters ending a sentence), and the first sentence
  stands as title, as it does where a page's first line is a paragraph (longer than
  ``HEADLINE_CHARS``: two krishakjagat.org pages lost their headline). The pages keep no link
  (but Raviwar's, below) and no reliable date: ``url`` (Raviwar's aside) and ``published`` are
  empty; ``section`` is the page's name in the crawl.
- A second group follows (so that the first group's keys stay as they were first drawn): the top
  story of the one garjachhattisgarhnews.com page (``TOP_STORY_SITES``; its "Posted on" and
  byline lines dropped: headline and first paragraph, the ``summary``), and ``RAVIWAR_COUNT``
  stories of raviwar.com's two listing pages (headline, the story's link as ``url``, and its
  lead or a column's opening as ``summary``), drawn with ``random.Random(SEED)`` from those with
  at least ``MIN_TEXT_CHARS`` characters of headline and lead (in practice its columns; the
  one-line daily items are shorter). The other listing pages (dailychhattisgarh.com,
  newsstate.com, aajtak.intoday.in, sanjeevnitoday.com, ...) give headlines with at most a
  one-line lead and are left out.
- ``outlet``: the site's domain (``OUTLETS``). Every article page of every site is taken (108
  files hold 38), then the second group (7). Items come in file order, each site's pages sorted
  by name.

Titles already in another item file or the dev gold are skipped, as are repeated titles and
repeated openings and texts shorter than ``MIN_TEXT_CHARS``. Bodies keep their first
``PAGE_BODY_CHARS`` characters. The snapshot must be at the pinned commit: the same items on
every run.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

OUT = TRAINING / "items-hi5.jsonl"
MIN_TEXT_CHARS = 300
MIN_PAGE_CHARS = 700
PARAGRAPH_CHARS = 100
HEADLINE_CHARS = 150

REPOSITORY = "divkakwani/webcorpus"
HEAD_COMMIT = "83b8c86f92abdbe82230605513cfb44977b702ff"
DATA_COMMIT = "d3352f75575a6064960b5f0ccbfb77198a72adc5"
DATA_DIR = "data/processed/hindi"

OUTLETS = {
    "aapkikhabar": "aapkikhabar.com",
    "dudhwalive": "dudhwalive.com",
    "krishakjagat": "krishakjagat.org",
    "newstracklive": "newstracklive.com",
    "panchjanya": "panchjanya.com",
    "prabhasakshi": "prabhasakshi.com",
    "punjabkesari": "punjabkesari.in",
    "samacharplus": "samacharplus.com",
    "garjachhattisgarhnews": "garjachhattisgarhnews.com",
    "raviwar": "raviwar.com",
}
ARTICLE_SITES = (
    "aapkikhabar",
    "dudhwalive",
    "krishakjagat",
    "newstracklive",
    "panchjanya",
    "prabhasakshi",
    "punjabkesari",
)
LEAD_SITES = ("samacharplus",)
TOP_STORY_SITES = ("garjachhattisgarhnews",)
RAVIWAR = "raviwar"
RAVIWAR_COUNT = 6
SEED = 20261207
HEADLESS_SITES = ("newstracklive",)

_FURNITURE = re.compile(
    r"^(?:google plus|share on\s*:?|शेयर करें\s*:?|image source\s*:.*|[\d.]+ minute read|›|"
    r"आज के ताज़े समाचार|ब्रेकिंग न्यूज़|दैनिक समाचार|edited by .*|updated\s*:.*|by .*|"
    r"दिनांक .*|\d{4}-\d\d-\d\d [\d:]+\s*-?|\d\d \w{3}, \d{4} [\d:]+ [AP]M|samachar plus \|.*)$",
    re.I,
)
_BYLINE = re.compile(r"^(?:posted on\s*:.*|tnis .*|.{0,30}संवाददाता)$", re.I)
_SENTENCE_END = re.compile(r"[.।?!\"'”’]$")
_FIRST_SENTENCE = re.compile(r"^(.{20,}?[.।?!])(?:\s+|$)")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _repair(text: str) -> str:
    """The page's text, with UTF-8 that was read as code page 866 ("рдк...") decoded again."""
    if text.count("р") > 20 and not re.search("[\u0900-\u097f]{3}", text):
        raw = text.replace("\xa0", " ").encode("cp866", errors="replace")
        return raw.decode("utf-8", errors="replace")
    return text


def _lines(text: str) -> list[str]:
    """The page's non-empty lines, whitespace flattened, the sites' furniture dropped."""
    kept = []
    for raw in _repair(text).splitlines():
        line = flat(raw)
        if line and not _FURNITURE.match(line):
            kept.append(line)
    return kept


def _article(site: str, lines: list[str]) -> tuple[str, str, str]:
    """(title, summary, body) of an article page."""
    if lines and len(lines[0]) > HEADLINE_CHARS:
        first = _FIRST_SENTENCE.match(lines[0])
        return (first.group(1) if first else lines[0]), "", "\n".join(lines)
    if site in HEADLESS_SITES:
        paragraphs = [
            line for line in lines if len(line) >= PARAGRAPH_CHARS and _SENTENCE_END.search(line)
        ]
        if not paragraphs:
            return "", "", ""
        first = _FIRST_SENTENCE.match(paragraphs[0])
        title = first.group(1) if first else paragraphs[0]
        return title, "", "\n".join(paragraphs)
    title = re.sub(r"^[^*]{2,40}\*\s*", "", lines[0]) if lines else ""
    return title, "", "\n".join(lines[1:])


def _lead(lines: list[str]) -> tuple[str, str, str]:
    """(title, summary, body) of a section page's top story: its headline and lead."""
    if len(lines) < 2:
        return "", "", ""
    return lines[0], re.sub(r"\.{3,}$", "", lines[1]).strip(), ""


def _page(item: dict, path: str, page: str, site: str, url: str = "") -> dict:
    return item | {
        "outlet": OUTLETS[site],
        "section": unquote(page),
        "file": f"{REPOSITORY}:{path}@{DATA_COMMIT}",
        "url": url,
    }


def _items(repo: Path) -> list[dict]:
    """Every article page (and every top story of a lead site), in file order; then the second
    group: the top stories of ``TOP_STORY_SITES`` and ``RAVIWAR_COUNT`` Raviwar stories."""
    paths = _git(repo, "ls-tree", "-r", "--name-only", DATA_COMMIT, "--", DATA_DIR).split("\n")
    paths = sorted(p for p in paths if p)
    items = []
    for path in paths:
        site, page = path.split("/")[-2:]
        if site not in ARTICLE_SITES and site not in LEAD_SITES:
            continue
        text = show(repo, path, DATA_COMMIT).decode("utf-8", "replace")
        if site in ARTICLE_SITES and len(text) < MIN_PAGE_CHARS:
            continue
        lines = _lines(text)
        title, summary, body = _lead(lines) if site in LEAD_SITES else _article(site, lines)
        if title:
            items.append(
                _page({"title": title, "summary": summary, "body": body}, path, page, site)
            )
    stories = []
    for path in paths:
        site, page = path.split("/")[-2:]
        if site not in TOP_STORY_SITES and site != RAVIWAR:
            continue
        lines = _lines(show(repo, path, DATA_COMMIT).decode("utf-8", "replace"))
        if site in TOP_STORY_SITES:
            lines = [line for line in lines if not _BYLINE.match(line)]
            title, summary, body = _lead(lines)
            items.append(
                _page({"title": title, "summary": summary, "body": body}, path, page, site)
            )
            continue
        for i, line in enumerate(lines[1:-1], start=1):
            if re.match(r"https?://raviwar\.com/", line):
                lead = lines[i + 1].strip('"').strip()
                story = {"title": lines[i - 1], "summary": lead, "body": ""}
                stories.append(_page(story, path, page, site, url=line))
    eligible = [s for s in stories if len(s["title"]) + len(s["summary"]) >= MIN_TEXT_CHARS]
    return items + random.Random(SEED).sample(eligible, min(RAVIWAR_COUNT, len(eligible)))


def draw(repo: Path) -> list[dict]:
    """The ``hi5`` items (module docstring)."""
    if head_commit(repo) != HEAD_COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {HEAD_COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    chosen = fresh_of_outlets(
        _items(repo), known_outlets("hi", OUT), MIN_TEXT_CHARS, titles, openings
    )
    return [
        item_row(
            "hi5-",
            number,
            item["file"],
            "hi",
            item,
            published="",
            url=item["url"],
            section=item["section"],
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

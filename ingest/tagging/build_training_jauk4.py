"""Draw unlabelled Japanese and Ukrainian news articles of outlets the training set lacked.

    python -m ingest.tagging.build_training_jauk4 JA_GIT_DIR UK_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository at the pinned commit below; the
command writes ``ingest/data/training/items-jauk4.jsonl``. Japanese had its labelled articles
from ja.wikinews.org, livedoor and six national dailies' or Yahoo!'s pages; Ukrainian from
Wikipedia "In the news", suspilne and 107 sites of the Brown Ukrainian corpus, so each language's
cross-validation fold tested a model that had seen few of its outlets.

- Japanese (``ja``): the saved article pages of ``postlight/parser`` (the Mercury web parser,
  MIT; its test fixtures ``fixtures/<host>.html`` keep one page a site, whose text is the
  publisher's). Only the Japanese news and magazine sites (``JA_PAGES``) are drawn: the shops,
  company press releases, a vulnerability database, an agency's notice, a personal diary,
  corporate and developer blogs, and asahi.com and yomiuri.co.jp (outlets the set holds) are
  not. ``title``: the page's ``og:title`` (else ``<title>``) without the site name appended to
  it; ``summary``: the page's description (``<meta name="description">``); ``body``: the text of the page's ``<p>`` elements that
  read as sentences (at least ``MIN_PARAGRAPH_CHARS`` characters and a "。"), in page order,
  without site boilerplate (``_BOILERPLATE``), from the first such paragraph while they are no
  more than ``PARAGRAPH_GAP`` characters of HTML apart. ``outlet``: the page's host without "www.".
- Ukrainian (``uk``): press texts (category ``A``) of the Brown Ukrainian corpus
  ``brown-uk/corpus`` (CC BY-NC-SA 4.0), read as ``build_training_jaukfr`` reads them, only of
  the sites that no items file holds yet; at most ``UK_PER_OUTLET`` a site go into the pool,
  ``UK_COUNT`` at random from it.

Titles already in another item file or the dev gold are skipped, as are repeated titles and
openings and texts shorter than ``MIN_TEXT_CHARS`` (title, summary and body together); bodies
keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshots must be at the pinned
commits: the same items on every run.
"""

from __future__ import annotations

import html
import random
import re
import sys
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
from ingest.tagging.build_training_jafa3 import _meta
from ingest.tagging.build_training_jaukfr import _uk_items
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-jauk4.jsonl"
MIN_TEXT_CHARS = 300
MIN_PARAGRAPH_CHARS = 30
PARAGRAPH_GAP = 3000

JA_REPOSITORY = "postlight/parser"
JA_COMMIT = "e8ba7ece291efa4d915d50dd4deeec17d54359f2"
JA_DIR = "fixtures/"
JA_PAGES = (
    "buzzap.jp", "getnews.jp", "japan.cnet.com", "japan.zdnet.com", "news.mynavi.jp",
    "scan.netsecurity.ne.jp", "weekly.ascii.jp", "wired.jp", "www.gizmodo.jp",
    "www.itmedia.co.jp", "www.lifehacker.jp", "www.ossnews.jp", "www.publickey1.jp",
    "www.rbbtoday.com",
)  # fmt: skip

UK_REPOSITORY = "brown-uk/corpus"
UK_COMMIT = "0665e895834c6a20acb1b48e58ba07e149c31f32"
UK_COUNT = 40
UK_PER_OUTLET = 3

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_DESCRIPTION = re.compile(r'<meta\s+name="description"\s+(?:value|content)="([^"]*)"')
# The site name a page's title ends with, after " | ", " - ", " – " or "："; a title of two
# parts keeps its first.
_SITE_SUFFIX = re.compile(r"\s*(?:\s[|｜\-–－]\s|：(?=[^：]*(?:PC USER|ITmedia)))[^|｜]*$")
_BOILERPLATE = (
    "JavaScript", "Copyright", "無断転載", "All rights reserved", "会員登録", "ログイン",
    "Cookie", "クッキー", "広告", "関連記事", "プライバシー",
)  # fmt: skip


def _title(page: str) -> str:
    """The page's title without the site name appended to it."""
    found = _TITLE.search(page)
    title = _meta(page, "og:title") or (flat(html.unescape(found.group(1))) if found else "")
    return _SITE_SUFFIX.sub("", title).strip()


def _description(page: str) -> str:
    """The page's description: the fixtures keep it in a ``value`` attribute."""
    found = _DESCRIPTION.search(page)
    return flat(html.unescape(found.group(1))) if found else ""


def _paragraphs(page: str) -> list[str]:
    """The page's ``<p>`` texts that read as sentences and are not boilerplate, each once, from
    the first such one while they are no further than ``PARAGRAPH_GAP`` characters of HTML
    apart (a sidebar's or related article's paragraphs further down end the article)."""
    kept: list[str] = []
    last_end = 0
    for found in _PARAGRAPH.finditer(_SCRIPT.sub("", page)):
        text = flat(html.unescape(_TAG.sub("", found.group(1))))
        if len(text) < MIN_PARAGRAPH_CHARS or "。" not in text or text in kept:
            continue
        if any(mark in text for mark in _BOILERPLATE):
            continue
        if kept and found.start() - last_end > PARAGRAPH_GAP:
            break
        kept.append(text)
        last_end = found.end()
    return kept


def _ja_items(repo: Path) -> list[dict]:
    """The Japanese news pages of the fixtures (``JA_PAGES``), in that order."""
    items = []
    for name in JA_PAGES:
        path = f"{JA_DIR}{name}.html"
        page = show(repo, path, JA_COMMIT).decode("utf-8", "replace")
        items.append(
            {
                "title": _title(page),
                "summary": _description(page),
                "body": "\n".join(_paragraphs(page)),
                "outlet": name.removeprefix("www."),
                "file": f"{JA_REPOSITORY}:{path}@{JA_COMMIT}",
            }
        )
    return items


def draw(ja_repo: Path, uk_repo: Path) -> list[dict]:
    """The ``jauk4`` items (module docstring): Japanese first, then Ukrainian."""
    for repo, pinned in ((ja_repo, JA_COMMIT), (uk_repo, UK_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    ja_skip = known_outlets("ja", OUT)
    chosen = [
        ("ja", item)
        for item in fresh_of_outlets(_ja_items(ja_repo), ja_skip, MIN_TEXT_CHARS, titles, openings)
    ]
    uk = fresh_of_outlets(
        _uk_items(uk_repo), known_outlets("uk", OUT), MIN_TEXT_CHARS, titles, openings
    )
    chosen += [
        ("uk", {**item, "file": f"{UK_REPOSITORY}:{item['file']}@{UK_COMMIT}"})
        for item in draw_per_outlet(uk, UK_COUNT, UK_PER_OUTLET, random.Random(SEED))
    ]
    return [
        item_row(
            "jauk4-",
            number,
            item["file"],
            language,
            item,
            **({"published": item["published"]} if item.get("published") else {}),
        )
        for number, (language, item) in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Japanese news articles of national dailies' and Yahoo! News pages.

    python -m ingest.tagging.build_training_jafa3 JA_GIT_DIR

The argument is a clone (or bare mirror) of ``koron/java-extractarticle`` (no licence file; a
library that extracts an article's text from a web page, whose tests keep 41 saved Japanese
pages); the command writes ``ingest/data/training/items-jafa3.jsonl``. The set's Japanese items
came almost all from ja.wikinews.org and livedoor's topic news; the national dailies had one to
three feed headlines each. This draw adds their article text.

- ``src/test/resources/000001.html``-``000026.html``: the news pages the test data lists in its
  ``README.md`` (October 2021): Yahoo! News 6 (articles of other publishers that Yahoo! carries),
  asahi.com 4, yomiuri.co.jp 4, sankei.com 4, mainichi.jp 4 and nikkei.com 4. Pages 27-41 are
  personal blogs and are not drawn.
- ``title``: the page's ``og:title`` without the site name appended to it (": 朝日新聞デジタル",
  " - Yahoo!ニュース", " | 毎日新聞", " : 経済 : ニュース"); ``summary``: the page's description;
  ``body``: the text of its ``<p>`` elements that read as sentences (at least
  ``MIN_PARAGRAPH_CHARS`` characters and a "。"), in page order, without the site's navigation,
  copyright and advertising paragraphs (``_BOILERPLATE``). Member-only pages keep what the page
  showed (their first paragraphs); a page left with less than ``MIN_TEXT_CHARS`` of text is not
  drawn. ``outlet``: the page's host without "www.".

Every remaining page is drawn (no topic filter), in file order; titles already in another item
file or the dev gold, repeated titles and repeated openings are skipped; bodies keep their first
``PAGE_BODY_CHARS`` characters. The snapshot must be at the pinned commit: the same items on every
run.
"""

from __future__ import annotations

import html
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

SEED = 20261207  # nothing is sampled: every page that qualifies is drawn
OUT = TRAINING / "items-jafa3.jsonl"
MIN_TEXT_CHARS = 300
MIN_PARAGRAPH_CHARS = 40
MIN_LINE_CHARS = 10
OPENING_CHARS = 15
PARAGRAPH_GAP = 1200
NEWS_PAGES = 26

JA_REPOSITORY = "koron/java-extractarticle"
JA_COMMIT = "8e1507308b2fe911cf89d6641e8ddfe7430f4d0d"
JA_DIR = "src/test/resources/"

_README_ROW = re.compile(r"^(\d{6})\s*\|.*<(https?://[^>]+)>\s*$", re.MULTILINE)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SITE_SUFFIX = re.compile(
    r"(?:\s*[-:：]\s*(?:Yahoo!ニュース|朝日新聞デジタル|日本経済新聞|産経ニュース"
    r"|ニュース|経済|政治|国際|社会)\s*)+$"
)
# Mainichi's titles go on with " | " and the column, author and site names.
_TITLE_PARTS = re.compile(r"\s+\|\s+")
# A paragraph of the article ends as a sentence or quotation does; a related-article headline
# after the article does not.
_SENTENCE_END = re.compile(r"[。！？!?」』）)…]$")
_BOILERPLATE = (
    "JavaScript", "ページ上部へ", "無断転載", "Copyright", "読売新聞が運営", "読売新聞の購読者",
    "会員向けサービス", "記事共有", "ツイッターのサービス", "有料会員", "会員登録",
    "ログイン", "購読", "Yahoo!ニュース", "会員限定", "文字（全文", "有料記事",
)  # fmt: skip


def _meta(page: str, name: str) -> str:
    """The content of the page's first ``<meta>`` named (or with the property) ``name``."""
    found = re.search(
        rf'<meta\s+(?:name|property)="{re.escape(name)}"\s+content="([^"]*)"', page
    ) or re.search(rf'<meta\s+content="([^"]*)"\s+(?:name|property)="{re.escape(name)}"', page)
    return flat(html.unescape(found.group(1))) if found else ""


def _is_boilerplate(text: str) -> bool:
    return any(mark in text for mark in _BOILERPLATE)


def _article(page: str, summary: str) -> list[str]:
    """The article's paragraphs: from the first sentence paragraph that opens as the page's
    description does (none: the page is not drawn), the ``<p>`` elements that follow it while
    they are no further than ``PARAGRAPH_GAP`` characters of HTML apart, not boilerplate and
    end as a sentence does (a related-article headline ends the article)."""
    kept: list[str] = []
    last_end = 0
    for found in _PARAGRAPH.finditer(_SCRIPT.sub("", page)):
        text = flat(html.unescape(_TAG.sub("", found.group(1))))
        if not kept:
            sentence = len(text) >= MIN_PARAGRAPH_CHARS and "。" in text
            opening = text[:OPENING_CHARS]
            if sentence and not _is_boilerplate(text) and summary and opening in summary:
                kept.append(text)
                last_end = found.end()
            continue
        if found.start() - last_end > PARAGRAPH_GAP or _is_boilerplate(text):
            break
        if text and not _SENTENCE_END.search(text):
            break
        if len(text) >= MIN_LINE_CHARS and text not in kept:
            kept.append(text)
        last_end = found.end()
    return kept


def _ja_items(repo: Path) -> list[dict]:
    """The news pages of the test data (``NEWS_PAGES``), in file order."""
    readme = show(repo, f"{JA_DIR}README.md", JA_COMMIT).decode("utf-8")
    urls = {number: url for number, url in _README_ROW.findall(readme)}
    items = []
    for number in range(1, NEWS_PAGES + 1):
        name = f"{number:06d}"
        path = f"{JA_DIR}{name}.html"
        page = show(repo, path, JA_COMMIT).decode("utf-8", "replace")
        title = _SITE_SUFFIX.sub("", _TITLE_PARTS.split(_meta(page, "og:title"))[0]).strip()
        summary = _meta(page, "description") or _meta(page, "og:description")
        body = _article(page, summary)
        url = urls.get(name, "")
        items.append(
            {
                "title": title,
                "summary": summary,
                "body": "\n".join(body),
                "outlet": (urlsplit(url).hostname or "").removeprefix("www."),
                "url": url,
                "file": f"{JA_REPOSITORY}:{path}@{JA_COMMIT}",
            }
        )
    return items


def draw(ja_repo: Path) -> list[dict]:
    """The ``jafa3`` items (module docstring)."""
    if head_commit(ja_repo) != JA_COMMIT:
        raise SystemExit(f"{ja_repo} is not at the pinned commit {JA_COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    chosen = fresh_of_outlets(_ja_items(ja_repo), set(), MIN_TEXT_CHARS, titles, openings)
    return [
        item_row("jafa3-", number, item["file"], "ja", item, url=item["url"])
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Greek news articles of Liberal.gr, an outlet the training set had one item of.

    python -m ingest.tagging.build_training_elhe4 EL_GIT_DIR

The argument is a clone (or bare mirror) of ``aethrvmn/greek-news-rss-feeds`` (GPL-3.0); the
command writes ``ingest/data/training/items-elhe4.jsonl``. Greek was asked for with Hebrew; no
Hebrew source with article text of an outlet new to the set was found (PROVENANCE.md), so this
draw is Greek only.

- Greek (``el``): the RSS files that the repository's generator wrote for the categories of
  liberal.gr (``liberal.gr/liberal_<category>.xml``) on 5-6 September 2023, before the files
  were removed from the repository. Every ``*.xml`` of every commit up to ``EL_COMMIT`` is read,
  the oldest commit first; an article (by its link) is taken from the file that holds its longest
  text (the first of equals: the generator's first runs kept only an opening line). Each item's ``description`` is the article's whole text as HTML: it is the ``body`` here
  (paragraphs one a line, markup removed); there is no lead, so ``summary`` is empty. The outlet
  is ``liberal.gr`` (the training set's one earlier Liberal item, of a 2020 feed, is
  ``liberal-gr``).

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together;
``COUNT`` are drawn at random (no section filter). Titles already in another item file or the
dev gold are skipped, as are repeated titles and repeated openings. Bodies keep their first
``PAGE_BODY_CHARS`` characters. Seeded, and the snapshot must be at the pinned commit: the same
items on every run.
"""

from __future__ import annotations

import html
import random
import re
import subprocess
import sys
from pathlib import Path

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
OUT = TRAINING / "items-elhe4.jsonl"
MIN_TEXT_CHARS = 300
COUNT = 40

EL_REPOSITORY = "aethrvmn/greek-news-rss-feeds"
EL_COMMIT = "d3e1c4252263046d95465dfc0c7dd9a10a6954fd"
EL_OUTLET = "liberal.gr"

_ITEM = re.compile(r"<item>(.*?)</item>", re.S)
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|div)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _field(item: str, name: str) -> str:
    found = re.search(rf"<{name}[^>]*>(.*?)</{name}>", item, re.S)
    if not found:
        return ""
    text = found.group(1).strip()
    if text.startswith("<![CDATA[") and text.endswith("]]>"):
        return text[9:-3]
    return html.unescape(text)


def _text(markup: str) -> str:
    """The text of an article's HTML: a line a paragraph or heading, markup removed."""
    lines = (flat(html.unescape(_TAG.sub("", part))) for part in _BLOCK_END.split(markup))
    return "\n".join(line for line in lines if line)


def _el_items(repo: Path) -> list[dict]:
    """Every article of every RSS file in the repository's history, each once (by its link, the
    version with the longest text), in the order first seen."""
    items: dict[str, dict] = {}
    for commit in _git(repo, "rev-list", "--reverse", EL_COMMIT).split():
        paths = [p for p in _git(repo, "ls-tree", "-r", "--name-only", commit).splitlines() if p.endswith(".xml")]  # fmt: skip
        for path in sorted(paths):
            feed = show(repo, path, commit).decode("utf-8", "replace")
            for raw in _ITEM.findall(feed):
                link = flat(_field(raw, "link"))
                body = _text(_field(raw, "description"))
                if not link.startswith("http") or len(items.get(link, {}).get("body", "")) >= len(
                    body
                ):
                    continue
                items[link] = {
                    "title": flat(html.unescape(_field(raw, "title"))),
                    "summary": "",
                    "body": body,
                    "outlet": EL_OUTLET,
                    "published": flat(_field(raw, "pubDate")),
                    "file": f"{EL_REPOSITORY}:{path}@{commit}",
                    "url": link,
                }
    return list(items.values())


def draw(el_repo: Path) -> list[dict]:
    """The ``elhe4`` items (module docstring)."""
    if head_commit(el_repo) != EL_COMMIT:
        raise SystemExit(f"{el_repo} is not at the pinned commit {EL_COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    fresh = fresh_of_outlets(_el_items(el_repo), set(), MIN_TEXT_CHARS, titles, openings)
    chosen = random.Random(SEED).sample(fresh, min(COUNT, len(fresh)))
    return [
        item_row(
            "elhe4-",
            number,
            item["file"],
            "el",
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

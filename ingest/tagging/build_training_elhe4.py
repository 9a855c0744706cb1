"""Draw unlabelled Greek and Hebrew news of outlets the training set had (nearly) none of.

    python -m ingest.tagging.build_training_elhe4 EL_GIT_DIR HE_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository: ``aethrvmn/greek-news-rss-feeds``
(GPL-3.0) and ``NNLP-IL/Hebrew-Question-Answering-Dataset`` (HeQ, CC BY 4.0); the command writes
``ingest/data/training/items-elhe4.jsonl``, Greek items first. Greek had Kathimerini, Ta Nea,
Avgi and 15 sites of one crawler; Hebrew had the feeds of ynet, walla, Maariv, mako, Channel 14
and Globes: no Hebrew article text of another outlet was found but HeQ's Geektime paragraphs.

- Greek (``el``): the RSS files that the repository's generator wrote for the categories of
  liberal.gr (``liberal.gr/liberal_<category>.xml``) on 5-6 September 2023, before the files
  were removed from the repository. Every ``*.xml`` of every commit up to ``EL_COMMIT`` is read,
  the oldest commit first; an article (by its link) is taken from the file that holds its
  longest text (the first of equals: the generator's first runs kept only an opening line).
  Each item's ``description`` is the article's whole text as HTML: it is the ``body`` here
  (paragraphs one a line, markup removed); there is no lead, so ``summary`` is empty. The
  outlet is ``liberal.gr`` (the training set's one earlier Liberal item, of a 2020 feed, is
  ``liberal-gr``).

- Hebrew (``he``): the Geektime articles of HeQ's test and validation sets (``data/data
  v1.1/{test,val} v1.1.json``, SQuAD layout; its train set is not in the snapshot): each
  article's title and the paragraph (rarely two) of it that the annotators read, a paragraph
  taken anywhere from the article, not its lead. The paragraphs are the ``body`` (one a line),
  ``summary`` is empty; the outlet is ``geektime.co.il`` (Geektime, an Israeli technology news
  site); the dataset keeps no dates or links. Its Wikipedia paragraphs are left out.

An item needs at least ``MIN_TEXT_CHARS`` characters of title, summary and body together;
``COUNT`` a language are drawn at random (no section filter), each language with its own
``random.Random(SEED)``. Titles already in another item file or the dev gold are skipped, as
are repeated titles and repeated openings. Bodies keep their first ``PAGE_BODY_CHARS``
characters. Seeded, and the snapshots must be at the pinned commits: the same items on every
run.
"""

from __future__ import annotations

import html
import json
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

HE_REPOSITORY = "NNLP-IL/Hebrew-Question-Answering-Dataset"
HE_COMMIT = "f46d2ff1b796a95e897530f167ae0d5bed123fe1"
HE_FILES = ("data/data v1.1/test v1.1.json", "data/data v1.1/val v1.1.json")
HE_OUTLET = "geektime.co.il"

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


def _he_items(repo: Path) -> list[dict]:
    """Every Geektime article of HeQ's test and validation files, in file order."""
    items = []
    for path in HE_FILES:
        for article in json.loads(show(repo, path, HE_COMMIT))["data"]:
            if article.get("source") != "Geektime":
                continue
            items.append(
                {
                    "title": flat(html.unescape(article["title"])),
                    "summary": "",
                    "body": "\n".join(flat(p["context"]) for p in article["paragraphs"]),
                    "outlet": HE_OUTLET,
                    "published": "",
                    "file": f"{HE_REPOSITORY}:{path}@{HE_COMMIT}",
                    "url": "",
                }
            )
    return items


def draw(el_repo: Path, he_repo: Path) -> list[dict]:
    """The ``elhe4`` items (module docstring): Greek first, then Hebrew."""
    for repo, pinned in ((el_repo, EL_COMMIT), (he_repo, HE_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    chosen = []
    for language, items in (("el", _el_items(el_repo)), ("he", _he_items(he_repo))):
        fresh = fresh_of_outlets(items, set(), MIN_TEXT_CHARS, titles, openings)
        drawn = random.Random(SEED).sample(fresh, min(COUNT, len(fresh)))
        chosen += [(language, item) for item in drawn]
    return [
        item_row(
            "elhe4-",
            number,
            item["file"],
            language,
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, (language, item) in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

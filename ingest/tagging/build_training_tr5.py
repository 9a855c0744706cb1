"""Draw unlabelled Turkish news items of outlets the training set had none of.

    python -m ingest.tagging.build_training_tr5 TR_GIT_DIR

The argument is a clone (or bare mirror) of ``New-dev0/New-dev0.github.io`` (a personal site; no
licence file); the command writes ``ingest/data/training/items-tr5.jsonl``. Turkish's
cross-validated topic F1 was 0.69 with Sözcü 130 of its 299 items; what helps is news of
outlets the model has not seen.

- Turkish (``tr``): in November-December 2022 the site generated one page a trending search
  term (``pages/news/<term>.p.js``, terms of Google Trends in several countries), each page
  listing the Google News results for the term: per article a link, the headline (``<h3>``,
  Google's cut with " ..." kept) and Google's snippet of the text (``<p>``, the ``summary``;
  its closing "&nbsp;..." cut). Every page of the tree at ``TR_COMMIT`` (the commit that held
  the most pages) is read in path order. A card is Turkish when its headline and snippet hold
  "ı" or "ğ", no "ə" (Azerbaijani) and no Cyrillic. There is no text beyond the snippet, so
  ``body`` is empty; the outlet is the link's domain without subdomains (a ``.com.tr``-style
  domain keeps three labels); a headline's trailing " - <site name>" (Google's suffix) is cut
  when the name matches the domain.

Outlets already in the set for the language are left out (read from the item files); an item
needs at least ``MIN_TEXT_CHARS`` characters of title and summary together; at most
``PER_OUTLET`` items of one outlet go into the pool and ``COUNT`` are drawn from it at random
(no topic or section filter: the pages' terms are whatever was trending, sport and celebrities
included). Titles already in another item file or the dev gold are skipped, as are repeated
titles and repeated openings. Seeded, and the snapshot must be at the pinned commit: the same
items on every run.
"""

from __future__ import annotations

import html
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

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
OUT = TRAINING / "items-tr5.jsonl"
MIN_TEXT_CHARS = 120
PER_OUTLET = 3
COUNT = 80

TR_REPOSITORY = "New-dev0/New-dev0.github.io"
TR_COMMIT = "4086242a3fa0c05daa57dc0973ddc44f0d87f70a"
PAGES = "pages/news/"

_CARD = re.compile(r"<a href='([^']+)'>\s*<div[^>]*>\s*<h3>(.*?)</h3>.*?<p[^>]*>(.*?)</p>", re.S)
_SECOND_LEVEL = {"com", "org", "net", "gen", "gov", "edu", "bel", "info", "tv", "web", "biz"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _outlet(url: str) -> str:
    """A link's domain without subdomains (three labels for ``x.com.tr`` and the like)."""
    labels = (urlsplit(url).hostname or "").lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def _turkish(text: str) -> bool:
    return bool(re.search("[ığİĞ]", text)) and "ə" not in text and not re.search("[Ѐ-ӿ]", text)


def _title(raw: str, outlet: str) -> str:
    title = flat(html.unescape(raw))
    head, sep, site = title.rpartition(" - ")
    squeezed = re.sub(r"[^a-z0-9]", "", site.lower().replace("ı", "i"))
    if sep and head and len(squeezed) >= 3 and squeezed[:4] in outlet.replace(".", ""):
        return head
    return title


def _tr_items(repo: Path) -> list[dict]:
    """Every Turkish card of every page at ``TR_COMMIT``, in path and page order."""
    paths = _git(repo, "ls-tree", "-r", "--name-only", TR_COMMIT, PAGES).splitlines()
    items = []
    for path in sorted(p for p in paths if p.endswith(".p.js")):
        page = show(repo, path, TR_COMMIT).decode("utf-8", "replace")
        for url, raw_title, raw_snippet in _CARD.findall(page):
            outlet = _outlet(url)
            summary = flat(html.unescape(raw_snippet)).removesuffix("...").strip()
            title = _title(raw_title, outlet)
            if not url.startswith("http") or not _turkish(f"{title} {summary}"):
                continue
            items.append(
                {
                    "title": title,
                    "summary": summary,
                    "body": "",
                    "outlet": outlet,
                    "file": f"{TR_REPOSITORY}:{path}@{TR_COMMIT}",
                    "url": url,
                }
            )
    return items


def draw(tr_repo: Path) -> list[dict]:
    """The ``tr5`` items (module docstring)."""
    if head_commit(tr_repo) != TR_COMMIT:
        raise SystemExit(f"{tr_repo} is not at the pinned commit {TR_COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    skip = known_outlets("tr", OUT)
    fresh = fresh_of_outlets(_tr_items(tr_repo), skip, MIN_TEXT_CHARS, titles, openings)
    drawn = draw_per_outlet(fresh, COUNT, PER_OUTLET, random.Random(SEED))
    return [
        item_row("tr5-", number, item["file"], "tr", item, url=item["url"])
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

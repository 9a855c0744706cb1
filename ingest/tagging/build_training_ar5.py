"""Draw unlabelled Arabic news of six outlets the training set had none of.

    python -m ingest.tagging.build_training_ar5 MULTISOURCE_GIT_DIR JAWHARA_GIT_DIR

Each argument is a clone (or bare mirror) of a repository of the ANT (Arabic News Texts) corpus
(Chouigui et al., Apache-2.0 badge plus a citation licence: cite the ANT papers or
antcorpus.github.io): ``antcorpus/antcorpus.multisource.data`` (v2.1, the RSS feeds of five
outlets, February-October 2018) and ``antcorpus/antcorpus.data`` (v1.1, Jawhara FM, Tunisia,
2015-2017). The command writes ``ingest/data/training/items-ar5.jsonl``. The Arabic training set
had Saudi papers and agencies (SaudiNewsNet), Wikipedia's "In the news" and three single pages;
none of these six outlets (its one ``cnn.com`` item is CNN's English site).

- Every ``*.txt`` file of the snapshot is one article in TREC-like markup (``<DOCNO>``,
  ``<URL>``, ``<SRC>``, ``<CAT>``, ``<TITLE>``, ``<TIME>``, ``<AUTHOR>``, ``<ABSTRACT>``,
  ``<TEXT>``). The title is ``title``, the feed's abstract is ``summary`` (often the opening
  sentence, cut; Jawhara FM's are empty), the text is ``body`` (a line a paragraph), ``<TIME>``
  is ``published`` and ``<URL>`` is ``url``.
- The outlet is the folder (multisource) or the whole repository (Jawhara FM), named by its
  site: ``alarabiya.net``, ``bbc.com/arabic``, ``arabic.cnn.com``, ``france24.com/ar``,
  ``skynewsarabia.com``, ``jawharafm.net``.
- ``PER_OUTLET`` items an outlet, in ``OUTLETS`` order: the outlet's file paths (sorted) are
  shuffled with ``random.Random(f"{SEED}-{outlet}")`` and read in that order until
  ``PER_OUTLET`` are kept; an item needs at least ``MIN_TEXT_CHARS`` characters of title,
  summary and body, and a title and opening new to the other item files and the dev gold (and
  to each other). No category filter: the corpus's own category mix (much sport) stays.

Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshots must be at the
pinned commits: the same items on every run.
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
OUT = TRAINING / "items-ar5.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = 11

MULTI_REPOSITORY = "antcorpus/antcorpus.multisource.data"
MULTI_COMMIT = "f117ce44a9cfad0dcbd341b7d744e4c3cdb4fed8"
JAWHARA_REPOSITORY = "antcorpus/antcorpus.data"
JAWHARA_COMMIT = "06f6a10e80c7a0e7aee0bba2f0a6372c35c45c83"

# outlet -> (which snapshot, folder of its files or "" for the whole repository)
OUTLETS = {
    "alarabiya.net": ("multi", "Alarabia/"),
    "bbc.com/arabic": ("multi", "BBC/"),
    "arabic.cnn.com": ("multi", "CNN/"),
    "france24.com/ar": ("multi", "France24/"),
    "skynewsarabia.com": ("multi", "SkyNews/"),
    "jawharafm.net": ("jawhara", ""),
}


def _field(doc: str, name: str) -> str:
    found = re.search(rf"<{name}>(.*?)</{name}>", doc, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def _paragraphs(text: str) -> str:
    return "\n".join(line for line in (flat(part) for part in text.splitlines()) if line)


def _paths(repo: Path, commit: str, folder: str) -> list[str]:
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return sorted(p for p in listing if p.startswith(folder) and p.endswith(".txt"))


def _item(repo: Path, repository: str, commit: str, path: str, outlet: str) -> dict:
    doc = show(repo, path, commit).decode("utf-8", "replace")
    return {
        "title": flat(_field(doc, "TITLE")),
        "summary": flat(_field(doc, "ABSTRACT")),
        "body": _paragraphs(_field(doc, "TEXT")),
        "outlet": outlet,
        "published": flat(_field(doc, "TIME")),
        "file": f"{repository}:{path}@{commit}",
        "url": flat(_field(doc, "URL")),
    }


def draw(multi_repo: Path, jawhara_repo: Path) -> list[dict]:
    """The ``ar5`` items (module docstring), outlet by outlet."""
    snapshots = {
        "multi": (multi_repo, MULTI_REPOSITORY, MULTI_COMMIT),
        "jawhara": (jawhara_repo, JAWHARA_REPOSITORY, JAWHARA_COMMIT),
    }
    for repo, _, pinned in snapshots.values():
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    chosen = []
    for outlet, (which, folder) in OUTLETS.items():
        repo, repository, commit = snapshots[which]
        paths = _paths(repo, commit, folder)
        random.Random(f"{SEED}-{outlet}").shuffle(paths)
        kept: list[dict] = []
        for path in paths:
            item = _item(repo, repository, commit, path, outlet)
            kept += fresh_of_outlets([item], set(), MIN_TEXT_CHARS, titles, openings)
            if len(kept) == PER_OUTLET:
                break
        chosen += kept
    return [
        item_row(
            "ar5-",
            number,
            item["file"],
            "ar",
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

"""Draw unlabelled Hebrew news of Haaretz, an outlet the training set had none of.

    python -m ingest.tagging.build_training_he5 HE_GIT_DIR

The argument is a clone (or bare mirror) of the public repository ``OnlpLab/hebrew_coreference``
(the ONLP lab's Hebrew coreference project; its README states the MIT licence, the text is
Haaretz's, by way of the Hebrew Treebank); the command writes
``ingest/data/training/items-he5.jsonl``. Hebrew had the feeds of ynet, walla, Maariv, mako,
Channel 14, Globes and Geektime's paragraphs: no Hebrew article text of another outlet with
headlines was found, but the Hebrew Treebank's documents are whole news items of Haaretz
(1990-1991), and this repository keeps them as running text.

- The documents the project gave its annotators
  (``src/annotation/tne_ui/hebrew_coref/create_agreement_files/coref_docs_2_tag/base/*.conllu``,
  354 files, one a document, ``# doc_id = htb:<n>`` or ``htb:<n>_<part>`` where the project split
  a page of several short items into its items): the ``# text =`` lines are the document's
  sentences, untokenised, in order. The treebank keeps no headlines, dates or links: the
  ``title`` is the document's first sentence (its lead; sentences shorter than
  ``DATELINE_CHARS`` before it, a dateline such as "קהיר (ע"ם).", are kept in front of it), the
  ``body`` the remaining sentences, one a line; ``summary`` is empty. A document whose first
  sentence does not open with a Hebrew letter or a quotation mark (the tail of a sentence cut
  off by the treebank's page split, such as ", 4. קרן זו") is left out, and the treebank's
  garbled section-break marks ("קפידבינ", "קפספבינ") are removed. The outlet is
  ``haaretz.co.il`` (Haaretz, an Israeli daily); ``published`` and ``url`` are empty.

An item needs at least ``MIN_TEXT_CHARS`` characters of title and body together; ``COUNT`` are
drawn at random (no section filter) with ``random.Random(SEED)``. Titles already in another item
file or the dev gold are skipped, as are repeated titles and repeated openings. Bodies keep their
first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshot must be at the pinned commit: the
same items on every run.
"""

from __future__ import annotations

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
OUT = TRAINING / "items-he5.jsonl"
MIN_TEXT_CHARS = 300
DATELINE_CHARS = 30
COUNT = 70

REPOSITORY = "OnlpLab/hebrew_coreference"
COMMIT = "55cf294379f04f67d9e53851ddd26d7130ff3d46"
FOLDER = "src/annotation/tne_ui/hebrew_coref/create_agreement_files/coref_docs_2_tag/base"
OUTLET = "haaretz.co.il"

_TEXT = re.compile(r"^# text = (.*)$", re.M)
_BREAK = re.compile(r"קפ(?:יד|ספ)בינ")
_OPENS = re.compile(r"^[\"'א-ת]")
_DOC = re.compile(r"^# doc_id = (.*)$", re.M)


def _documents(repo: Path) -> list[dict]:
    """Every document of the annotation folder, in path order, as an item."""
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", COMMIT, FOLDER],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    items = []
    for path in sorted(p for p in listing.splitlines() if p.endswith(".conllu")):
        conllu = show(repo, path, COMMIT).decode("utf-8")
        sentences = [flat(_BREAK.sub(" ", s)) for s in _TEXT.findall(conllu)]
        sentences = [s for s in sentences if s]
        if not sentences or not _OPENS.match(sentences[0]):
            continue
        lead = 0
        while lead < len(sentences) - 1 and len(sentences[lead]) < DATELINE_CHARS:
            lead += 1
        items.append(
            {
                "title": " ".join(sentences[: lead + 1]),
                "summary": "",
                "body": "\n".join(sentences[lead + 1 :]),
                "outlet": OUTLET,
                "document": sorted(set(_DOC.findall(conllu)))[0],
                "file": f"{REPOSITORY}:{path}@{COMMIT}",
            }
        )
    return items


def draw(repo: Path) -> list[dict]:
    """The ``he5`` items (module docstring)."""
    if head_commit(repo) != COMMIT:
        raise SystemExit(f"{repo} is not at the pinned commit {COMMIT}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    fresh = fresh_of_outlets(_documents(repo), set(), MIN_TEXT_CHARS, titles, openings)
    drawn = random.Random(SEED).sample(fresh, min(COUNT, len(fresh)))
    return [
        item_row("he5-", number, item["file"], "he", item, published="", url="")
        for number, item in enumerate(drawn)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""What every ``build_training_*`` script that draws labelled items from a corpus snapshot shares.

Each script reads its own corpora (their layouts differ), then draws with these: the titles
already in the training set or the dev gold (never drawn twice), whitespace and site names
normalised one way, the item row every item file holds (keys in one order, bodies cut to what a
labeller reads) and the command line that writes it.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS, TRAINING, write_items

DEV_GOLD = TRAINING.parents[2] / "tests" / "fixtures" / "gold-dev.jsonl"


def known_titles(out: Path) -> set[str]:
    """The normalised titles of every items file but ``out`` (the one being drawn) and of the
    dev gold: an item whose title is among them is not drawn again."""
    titles = set()
    for path in [*sorted(TRAINING.glob("items*.jsonl")), DEV_GOLD]:
        if path != out and path.exists():
            for line in path.read_text("utf-8").splitlines():
                titles.add(normalise_title(json.loads(line).get("title") or ""))
    return titles


def flat(text: str | None) -> str:
    """Whitespace runs, line breaks included, as one space ("" for none)."""
    return re.sub(r"\s+", " ", text or "").strip()


def opening_of(item: dict) -> str:
    """The first 200 characters of an item's text (summary, then body), whitespace and case
    folded: two items that open alike are one article, whatever their titles."""
    return " ".join(f"{item['summary']} {item.get('body') or ''}".split())[:200].casefold()


def known_openings(out: Path) -> set[str]:
    """The openings of the items of every ``items-*.jsonl`` file but ``out``."""
    openings = set()
    for path in sorted(TRAINING.glob("items-*.jsonl")):
        if path != out:
            for line in path.read_text("utf-8").splitlines():
                openings.add(opening_of(json.loads(line)))
    return openings


def host(url: str | None) -> str:
    """A link's host name without ``www.`` ("" for none)."""
    return (urlsplit((url or "").strip()).hostname or "").removeprefix("www.")


def fresh(items: list[dict], known: set[str], shortest: int, opening_chars: int) -> list[dict]:
    """Items with a new title (to ``known``, the other item files, and to each other), a new
    opening (its first ``opening_chars`` characters, folded) and at least ``shortest``
    characters of text, in input order; their titles join ``known``."""
    kept, openings = [], set()
    for item in items:
        folded = normalise_title(item["title"])
        text = f"{item['summary']} {item['body']}".strip()
        opening = " ".join(text.split())[:opening_chars].casefold()
        if not folded or folded in known or opening in openings or len(text) < shortest:
            continue
        known.add(folded)
        openings.add(opening)
        kept.append(item)
    return kept


def known_outlets(language: str, out: Path) -> set[str]:
    """The outlets of ``language`` that any items file but ``out`` already holds."""
    outlets = set()
    for path in sorted(TRAINING.glob("items*.jsonl")):
        if path != out:
            for line in path.read_text("utf-8").splitlines():
                row = json.loads(line)
                if (row.get("declared") or row.get("language")) == language:
                    outlets.add(row.get("outlet") or "")
    return outlets


def fresh_of_outlets(
    items: list[dict], skip: set[str], shortest: int, titles: set[str], openings: set[str]
) -> list[dict]:
    """Items with an outlet not in ``skip``, at least ``shortest`` characters of title, summary
    and body, and a title and opening (``opening_of``) new to ``titles`` and ``openings``, in
    input order; their titles and openings join those sets."""
    kept = []
    for item in items:
        if not item["outlet"] or item["outlet"] in skip:
            continue
        length = len(item["title"]) + len(item["summary"]) + len(item["body"])
        folded, opening = normalise_title(item["title"]), opening_of(item)
        if not folded or folded in titles or opening in openings or length < shortest:
            continue
        titles.add(folded)
        openings.add(opening)
        kept.append(item)
    return kept


def draw_per_outlet(
    items: list[dict], count: int, per_outlet: int, rng: random.Random
) -> list[dict]:
    """At most ``per_outlet`` items an outlet (at random, outlets in sorted order), then
    ``count`` of those, in the order drawn."""
    pool = []
    for outlet in sorted({item["outlet"] for item in items}):
        mine = [item for item in items if item["outlet"] == outlet]
        pool += rng.sample(mine, min(per_outlet, len(mine)))
    return rng.sample(pool, min(count, len(pool)))


def item_row(
    prefix: str, number: int, file: str, language: str, item: dict, **extra: object
) -> dict:
    """The row of the ``number``-th drawn item: where it came from, its outlet, declared
    language and text (the body cut to ``PAGE_BODY_CHARS``), then ``extra`` fields in the order
    given, then its label key ``<prefix><number:04d>``."""
    row = {
        "file": file,
        "index": number,
        "outlet": item["outlet"],
        "declared": language,
        "title": item["title"],
        "summary": item.get("summary", ""),
        "body": item["body"][:PAGE_BODY_CHARS],
    }
    row.update(extra)
    row["key"] = f"{prefix}{number:04d}"
    return row


def item_rows(
    prefix: str,
    chosen: list[tuple[str, str, str, dict]],
    extra: Callable[[dict], dict] = lambda item: {},
) -> list[dict]:
    """The rows of items drawn as ``(repository, commit, language, item)``, numbered in order,
    each's ``file`` naming the snapshot it came from, with ``extra(item)``'s fields."""
    return [
        item_row(
            prefix, number, f"{repository}:{item['file']}@{commit}", language, item, **extra(item)
        )
        for number, (repository, commit, language, item) in enumerate(chosen)
    ]


def build_main(
    argv: list[str], usage: str, out: Path, draw: Callable[..., list[dict]], snapshots: int
) -> int:
    """Draw from ``snapshots`` git directories named on the command line and write ``out``."""
    if len(argv) != snapshots:
        print(usage, file=sys.stderr)
        return 2
    write_items(out, draw(*(Path(arg) for arg in argv)))
    return 0

"""What the corpus-drawing build scripts share (`ingest.tagging.build_training_draw`), checked against
the item files they wrote and the dev gold, read here directly."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.canonical import normalise_title
from ingest.tagging.build_training_draw import (
    draw_per_outlet,
    flat,
    fresh,
    fresh_of_outlets,
    host,
    item_row,
    item_rows,
    known_titles,
)
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS

TRAINING = Path(__file__).resolve().parent.parent / "ingest" / "data" / "training"
GOLD = Path(__file__).resolve().parent / "fixtures" / "gold-dev.jsonl"
# The item files drawn from corpus snapshots by the scripts that use build_training_draw.
DRAWN = [
    "ares3", "aresel", "elhe4", "elpt", "fams4", "hevi3", "hifa", "hifa2", "hifatr", "hiur4",
    "idnews", "itel3", "itja", "ittr", "ittr2", "jafa3", "jauk4", "jaukfr", "plnews", "trit4",
    "ukru3", "urms3", "vi4", "vihe", "vimshe", "he5", "el5", "uk5", "it5", "fa5", "vi5", "ur5",
    "ar5", "tr5", "ru5", "zh5", "id5", "ms5", "ja5", "hi5",
]  # fmt: skip


def _titles(path: Path) -> set[str]:
    return {
        normalise_title(json.loads(line).get("title") or "")
        for line in path.read_text("utf-8").splitlines()
    }


@pytest.mark.parametrize("name", DRAWN)
def test_known_titles_are_every_other_item_file_and_the_dev_gold(name: str) -> None:
    out = TRAINING / f"items-{name}.jsonl"
    others = [p for p in TRAINING.glob("items*.jsonl") if p != out]
    expected = set().union(*map(_titles, others), _titles(GOLD))
    known = known_titles(out)
    assert known == expected
    # The file being drawn is left out, so its own titles are new to the draw.
    assert not _titles(out) & known


@pytest.mark.parametrize("name", DRAWN)
def test_each_drawn_item_file_has_the_row_layout_item_row_writes(name: str) -> None:
    leading = ["file", "index", "outlet", "declared", "title", "summary", "body"]
    for number, line in enumerate((TRAINING / f"items-{name}.jsonl").read_text().splitlines()):
        row = json.loads(line)
        assert list(row)[:7] == leading
        assert row["index"] == number
        assert row["key"] == f"{name}-{number:04d}"
        assert len(row["body"]) <= PAGE_BODY_CHARS
        rebuilt = item_row(
            f"{name}-",
            number,
            row["file"],
            row["declared"],
            row,
            **{k: row[k] for k in row if k not in leading and k not in ("index", "key")},
        )
        assert rebuilt == row


def test_item_rows_number_cut_and_name_the_snapshot() -> None:
    long_body = "x" * (PAGE_BODY_CHARS + 50)
    chosen = [
        ("a/b", "c" * 40, "id", {"file": "p.json", "outlet": "o", "title": "T", "body": long_body}),
        ("d/e", "f" * 40, "fa", {"file": "q.json", "outlet": "u", "title": "U", "body": "b"}),
    ]
    rows = item_rows("set-", chosen, lambda item: {"section": item["outlet"].upper()})
    assert [r["key"] for r in rows] == ["set-0000", "set-0001"]
    assert rows[0]["file"] == f"a/b:p.json@{'c' * 40}"
    assert rows[0]["summary"] == ""
    assert len(rows[0]["body"]) == PAGE_BODY_CHARS
    assert list(rows[1]) == [
        "file", "index", "outlet", "declared", "title", "summary", "body", "section", "key",
    ]  # fmt: skip
    assert rows[1]["declared"] == "fa" and rows[1]["section"] == "U"


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.hamshahrionline.ir/news/1", "hamshahrionline.ir"),
        (" http://news.livedoor.com/topic/ ", "news.livedoor.com"),
        (None, ""),
        ("", ""),
    ],
)
def test_host(url: str | None, site: str) -> None:
    assert host(url) == site


def test_flat() -> None:
    assert flat("  one\n\ttwo \r\n three  ") == "one two three"


def test_fresh_keeps_new_titles_and_openings_with_enough_text() -> None:
    known = {normalise_title("Already drawn")}
    items = [
        {"title": "Already drawn", "summary": "", "body": "x" * 50},  # a known title
        {"title": "New one", "summary": "Same  opening", "body": "here " * 10},
        {"title": "Other title", "summary": "same opening", "body": "HERE " * 10},  # its opening
        {"title": "Short", "summary": "", "body": "tiny"},  # too little text
        {"title": "new ONE", "summary": "", "body": "different " * 10},  # the same title folded
        {"title": "Third", "summary": "", "body": "another text " * 5},
    ]
    kept = fresh(items, known, shortest=20, opening_chars=12)
    assert [item["title"] for item in kept] == ["New one", "Third"]
    assert normalise_title("Third") in known


def test_fresh_of_outlets_skips_known_outlets_titles_openings_and_short_texts() -> None:
    titles, openings = {normalise_title("Already drawn")}, set()
    items = [
        {"outlet": "old.it", "title": "From a known outlet", "summary": "", "body": "x" * 50},
        {"outlet": "", "title": "No outlet", "summary": "", "body": "y" * 50},
        {"outlet": "a.it", "title": "Already drawn", "summary": "", "body": "z" * 50},
        {"outlet": "a.it", "title": "Kept", "summary": "An opening", "body": "w" * 40},
        {"outlet": "b.it", "title": "Same opening", "summary": "an  opening", "body": "W" * 40},
        {"outlet": "b.it", "title": "Short", "summary": "", "body": "tiny"},
        {"outlet": "b.it", "title": "Kept too", "summary": "", "body": "v" * 40},
    ]
    kept = fresh_of_outlets(items, {"old.it"}, 20, titles, openings)
    assert [item["title"] for item in kept] == ["Kept", "Kept too"]
    assert normalise_title("Kept too") in titles and len(openings) == 2


def test_draw_per_outlet_caps_each_outlet_then_draws_the_count() -> None:
    items = [{"outlet": outlet, "n": n} for outlet in "abc" for n in range(5)]
    drawn = draw_per_outlet(items, 4, 2, random.Random(1))
    assert len(drawn) == 4 and len({id(item) for item in drawn}) == 4
    assert max(Counter(item["outlet"] for item in drawn).values()) <= 2
    assert len(draw_per_outlet(items, 99, 2, random.Random(1))) == 6  # all the pool
    assert draw_per_outlet(items, 4, 2, random.Random(1)) == drawn  # seeded: the same draw


def test_read_part_keeps_whole_sentences_within_what_the_labeller_read() -> None:
    from ingest.tagging.build_training_ittr import READ_BODY_CHARS, read_part

    first, second, third = "A" * 300 + ".", "B" * 250 + ".", "C" * 100 + "."
    assert READ_BODY_CHARS == 600
    assert read_part([first, second, third]) == f"{first} {second}"  # 553; the third is 654
    assert read_part(["D" * 700 + ".", "E."]) == "D" * 700 + "."  # at least one sentence
    assert read_part([]) == ""


def test_italian_wikinews_bodies_stop_where_the_labeller_stopped_reading() -> None:
    """KIND's Italian Wikinews bodies ran on into the next articles; the shipped items keep
    only what the label describes: at most 600 characters, or one sentence."""
    rows = [json.loads(line) for line in (TRAINING / "items-ittr.jsonl").open(encoding="utf-8")]
    italian = [row for row in rows if row["declared"] == "it"]
    assert len(italian) == 130
    for row in italian:
        one_sentence = not re.search(r"[.!?»] [A-ZÀ-Ü«\"]", row["body"])
        assert len(row["body"]) <= 600 or one_sentence, row["key"]
    assert max(len(row["body"]) for row in rows if row["declared"] == "tr") > 600  # Sözcü: whole

"""The held-out Japanese test set (tests/fixtures/heldout/PROVENANCE.md): its gold file is its
items joined with their labels, and no article of it is in the training set."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.topics import topic_ids

HELD_OUT = Path(__file__).resolve().parent / "fixtures" / "heldout"
TRAINING = Path(__file__).resolve().parent.parent / "ingest" / "data" / "training"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _build_gold():  # noqa: ANN202 - a script beside its data, loaded by path
    spec = importlib.util.spec_from_file_location("build_gold", HELD_OUT / "build_gold.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gold_is_the_items_joined_with_their_labels() -> None:
    items = _jsonl(HELD_OUT / "items-wikinews-ja.jsonl")
    labels = _jsonl(HELD_OUT / "labels-wikinews-ja.jsonl")
    gold = _jsonl(HELD_OUT / "wikinews-ja.jsonl")
    assert len(items) == len(labels) == len(gold) == 300
    assert sorted(label["key"] for label in labels) == sorted(item["key"] for item in items)
    assert gold == _build_gold().joined(
        HELD_OUT / "items-wikinews-ja.jsonl", HELD_OUT / "labels-wikinews-ja.jsonl"
    )
    for row in gold:
        assert row["topics"] == sorted(row["topics"], key=topic_ids().index), row["key"]
        assert row["title"] == next(i["title"] for i in items if i["key"] == row["key"])


def test_no_held_out_article_is_trained_on() -> None:
    held = {normalise_title(row["title"]) for row in _jsonl(HELD_OUT / "items-wikinews-ja.jsonl")}
    trained = {
        normalise_title(item["title"])
        for path in TRAINING.glob("items*.jsonl")
        for item in _jsonl(path)
    }
    assert held & trained == set()
    labelled = {
        row["key"] for path in (TRAINING / "labels").glob("*.jsonl") for row in _jsonl(path)
    }
    assert not {key for key in labelled if key.startswith("jawn2-")}


def test_the_blind_pass_covers_every_tenth_item() -> None:
    items = _jsonl(HELD_OUT / "items-wikinews-ja.jsonl")
    blind = _jsonl(HELD_OUT / "labels-wikinews-ja-blind.jsonl")
    assert [row["key"] for row in blind] == [items[i]["key"] for i in range(4, 300, 10)]

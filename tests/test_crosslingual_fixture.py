"""The cross-language story pairs (bench/bench_stories_xl.py's data) are well formed and are what
their PROVENANCE.md says: its hash, and its counts table derived line by line against the file."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent / "fixtures" / "stories" / "crosslingual"
DATA = HERE / "semeval2022-crosslingual.jsonl"
PROVENANCE = HERE / "PROVENANCE.md"
RATINGS = ("geography", "entities", "time", "narrative", "overall", "style", "tone")
FIELDS = {"pair_id", "row", "lang1", "lang2", "translated", "text1", "text2", *RATINGS}
_ID = re.compile(r"(\d+)([a-z]*)")


def rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def label(overall: float) -> str:
    if overall <= 2.0:
        return "one story"
    return "two stories" if overall >= 3.0 else "between"


def provenance_table() -> list[dict[str, str]]:
    """The counts table of PROVENANCE.md, one dict per line, keyed by the header."""
    lines = [line for line in PROVENANCE.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| languages |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    table = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        table.append(
            dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True))
        )
    return table


def test_every_line_is_a_well_formed_cross_language_pair() -> None:
    seen = set()
    for row in rows():
        assert set(row) == FIELDS, row["pair_id"]
        assert row["pair_id"] not in seen
        seen.add(row["pair_id"])
        assert row["lang1"] != row["lang2"]
        ids = row["pair_id"].split("_")
        assert len(ids) == 2
        matches = [_ID.fullmatch(i) for i in ids]
        assert all(matches), row["pair_id"]
        # A side is translated exactly when its id carries a language suffix, that language.
        suffixed = [side for side, m in enumerate(matches, 1) if m and m.group(2)]
        assert row["translated"] == suffixed
        for side in suffixed:
            assert matches[side - 1].group(2) == row[f"lang{side}"]
        for name in RATINGS:
            assert 1.0 <= row[name] <= 4.0, (row["pair_id"], name)
        assert row["text1"].strip() and row["text2"].strip()


def test_file_is_the_one_provenance_describes() -> None:
    digest = hashlib.sha256(DATA.read_bytes()).hexdigest()
    assert digest in PROVENANCE.read_text(encoding="utf-8")


def test_counts_match_provenance_table() -> None:
    found = Counter()
    for row in rows():
        sides = ",".join(str(s) for s in row["translated"]) or "-"
        key = (f"{row['lang1']}-{row['lang2']}", sides)
        found[key + ("pairs",)] += 1
        found[key + (label(row["overall"]),)] += 1
    table = provenance_table()
    assert table, "no counts table in PROVENANCE.md"
    listed = {(line["languages"], line["translated sides"]) for line in table}
    assert {k[:2] for k in found} == listed
    for line in table:
        key = (line["languages"], line["translated sides"])
        for column in ("pairs", "one story", "two stories", "between"):
            assert found[key + (column,)] == int(line[column]), (key, column)


def test_totals_match_provenance_text() -> None:
    data = rows()
    text = " ".join(PROVENANCE.read_text(encoding="utf-8").split())
    pairs = re.search(r"(\d+) cross-language pairs", text)
    articles = re.search(r"(\d+) distinct article ids", text)
    assert pairs and articles
    assert int(pairs.group(1)) == len(data)
    assert int(articles.group(1)) == len({i for row in data for i in row["pair_id"].split("_")})


TRAIN = HERE / "semeval2022-train-deen.jsonl"
TRAIN_PROVENANCE = HERE / "PROVENANCE-train.md"
TRAIN_READING = HERE / "reading-check-train.jsonl"


def train_rows() -> list[dict]:
    return [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines()]


def test_training_pairs_are_genuine_de_en_and_new() -> None:
    first = {row["pair_id"] for row in rows()}
    seen = set()
    for row in train_rows():
        assert set(row) == FIELDS, row["pair_id"]
        assert row["pair_id"] not in seen and row["pair_id"] not in first
        seen.add(row["pair_id"])
        assert (row["lang1"], row["lang2"], row["translated"]) == ("de", "en", [])
        assert all(
            _ID.fullmatch(i) and not _ID.fullmatch(i).group(2) for i in row["pair_id"].split("_")
        )
        assert all(1.0 <= row[name] <= 4.0 for name in RATINGS)
        assert row["text1"].strip() and row["text2"].strip()


def test_training_file_and_counts_are_the_ones_provenance_describes() -> None:
    text = TRAIN_PROVENANCE.read_text(encoding="utf-8")
    assert hashlib.sha256(TRAIN.read_bytes()).hexdigest() in text
    data = train_rows()
    found = Counter(label(row["overall"]) for row in data)
    line = f"| de-en | - | {len(data)} | {found['one story']} | {found['two stories']} | {found['between']} |"
    assert line in text
    flat = " ".join(text.split())
    assert f"{len(data)} genuine de-en pairs" in flat
    assert (
        f"{len({i for row in data for i in row['pair_id'].split('_')})} distinct article ids"
        in flat
    )


def test_training_reading_covers_every_pair_with_a_quote() -> None:
    data = {row["pair_id"]: row for row in train_rows()}
    read = [json.loads(line) for line in TRAIN_READING.read_text(encoding="utf-8").splitlines()]
    assert [r["pair_id"] for r in read] == list(data)
    for r in read:
        assert r["de"] in {"native", "mt", "debris", "unsure"} and r["en"] in {
            "native",
            "mt",
            "debris",
            "unsure",
        }
        quote = r["de_reason"].split(" ... ")[0]
        assert quote in " ".join(data[r["pair_id"]]["text1"].split())

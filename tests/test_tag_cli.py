"""``python -m ingest tag`` as a subprocess: real stdin and stdout, JSON Lines in and out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.records import tagging_text

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "tests" / "fixtures" / "gold-dev.jsonl"
COMMAND = [sys.executable, "-m", "ingest", "tag"]

# Each test starts the command, which loads the tagger first (several seconds a process).
pytestmark = pytest.mark.slow


def environment(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), **extra)


def run_tag(data: bytes, **extra: str) -> list[dict]:
    done = subprocess.run(
        COMMAND, input=data, capture_output=True, env=environment(**extra), cwd=REPO, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]


def gold_inputs(count: int) -> list[dict]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    return [
        {"id": row["key"], "title": row["title"], "summary": row["summary"]} for row in rows[:count]
    ]


def test_one_output_line_per_input_line_in_order_with_errors_inline() -> None:
    good = gold_inputs(3)
    lines = [
        json.dumps(good[0], ensure_ascii=False),
        "this is not json",
        json.dumps([1, 2, 3]),
        json.dumps({"id": "wrong-title", "title": 42}),
        json.dumps(good[1], ensure_ascii=False),
        json.dumps({"title": "no id at all"}),
        json.dumps({"id": "bad-date", "title": "x", "published": "last Tuesday"}),
        json.dumps({"id": "bad-hint", "title": "x", "language": ["en"]}),
        "",
        json.dumps(good[2], ensure_ascii=False),
    ]
    out = run_tag(("\n".join(lines) + "\n").encode("utf-8"))
    assert len(out) == len(lines)
    assert [item.get("id") for item in out] == [
        good[0]["id"],
        None,
        None,
        "wrong-title",
        good[1]["id"],
        None,
        "bad-date",
        "bad-hint",
        None,
        good[2]["id"],
    ]
    errors = [index for index, item in enumerate(out) if "error" in item]
    assert errors == [1, 2, 3, 5, 6, 7, 8]
    for index in errors:
        assert set(out[index]) == {"id", "error"} and out[index]["error"]
    for index in (0, 4, 9):
        assert set(out[index]) == {"id", "language", "countries", "topics", "entities"}


def test_output_shape_and_evidence_offsets() -> None:
    inputs = gold_inputs(40)
    data = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in inputs)
    out = run_tag(data.encode("utf-8"))
    assert len(out) == len(inputs)
    countries = topics = 0
    for item, given in zip(out, inputs, strict=True):
        assert item["id"] == given["id"]
        text = tagging_text(given["title"], given["summary"])
        for country in item["countries"]:
            assert set(country) == {"iso3", "evidence"}
            assert len(country["iso3"]) == 3 and country["iso3"].isupper()
            for evidence in country["evidence"]:
                assert set(evidence) == {"text", "type", "start"}
                assert text[evidence["start"] :].startswith(evidence["text"])
                countries += 1
        for topic in item["topics"]:
            assert set(topic) == {"id", "evidence"}
            for evidence in topic["evidence"]:
                assert evidence["type"] in {"keyword", "word"}  # lexicon, or the model
                assert text[evidence["start"] :].startswith(evidence["text"])
                topics += 1
    assert countries > 20 and topics > 20


def test_hints_and_dates_are_used() -> None:
    malay = {
        "id": "my-1",
        "title": "Kerajaan umum pakej rangsangan ekonomi baharu untuk rakyat",
        "summary": "Perdana Menteri berkata kerajaan akan memperuntukkan lebih banyak wang "
        "kepada isi rumah berpendapatan rendah tahun hadapan.",
        "language": "ms-MY",
        "published": "2024-05-01",
    }
    bare = dict(malay, id="my-2")
    del bare["language"]
    out = run_tag((json.dumps(malay) + "\n" + json.dumps(bare) + "\n").encode("utf-8"))
    assert [item["language"] for item in out] == ["ms", "id"]


def test_non_ascii_is_written_as_utf8_whatever_the_locale() -> None:
    line = json.dumps({"id": "ru-1", "title": "Россия и Китай провели переговоры"})
    done = subprocess.run(
        COMMAND,
        input=(line + "\n").encode("ascii"),
        capture_output=True,
        env=environment(LC_ALL="C", LANG="C", PYTHONIOENCODING="ascii"),
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Россия".encode() in done.stdout  # raw UTF-8, not \\u escapes
    result = json.loads(done.stdout.decode("utf-8"))
    assert {country["iso3"] for country in result["countries"]} >= {"RUS", "CHN"}


def test_undecodable_bytes_do_not_stop_the_run() -> None:
    data = b'{"id": "latin1", "title": "Fran\xe7a e Portugal"}\n{"id": "after", "title": "ok"}\n'
    out = run_tag(data)
    assert [item["id"] for item in out] == ["latin1", "after"]


def test_each_line_is_answered_before_the_next_is_read() -> None:
    process = subprocess.Popen(
        COMMAND,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
        cwd=REPO,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        for number in range(3):
            item = {"id": f"live-{number}", "title": "Talks in Geneva on a ceasefire"}
            process.stdin.write((json.dumps(item) + "\n").encode())
            process.stdin.flush()
            answer = json.loads(process.stdout.readline())  # blocks if the CLI buffers output
            assert answer["id"] == f"live-{number}"
            assert {topic["id"] for topic in answer["topics"]} >= {"conflict", "diplomacy"}
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_entities_are_given_with_evidence() -> None:
    item = {"id": "ru-2", "title": "Переговоры Путина в ООН", "summary": "НАТО молчит."}
    (out,) = run_tag((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))
    text = tagging_text(item["title"], item["summary"])
    assert [e["qid"] for e in out["entities"]] == ["Q7747", "Q1065", "Q7184"]
    for entity in out["entities"]:
        for evidence in entity["evidence"]:
            assert evidence["type"] == "entity"
            assert text[evidence["start"] :].startswith(evidence["text"])
    assert out["entities"][0]["evidence"][0]["text"] == "Путина"

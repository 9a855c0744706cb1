"""The export's evidence text (issue 11 item 16): stored evidence JSON is passed through without
being decoded and encoded again, and the text written is exactly what decoding it would give.

The oracle decodes with ``json.loads`` and applies the rule the README states for evidence
stored before fields existed (its offset is into title, a newline, then the summary), then
encodes with ``json.dumps``: never ``fielded_evidence_json`` itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.records import EVIDENCE_TYPES, FIELDS, Evidence, evidence_json, fielded_evidence_json

TITLE = "Putin meets Kim"


def oracle(raw: str, title: str) -> str:
    """What an export writes for ``raw``: each well-formed item with its field named."""
    out = []
    for item in json.loads(raw):
        field = item.get("field")
        if field in FIELDS:
            start = item["start"]
        elif item["start"] < len(title):
            field, start = "title", item["start"]
        else:
            field, start = "summary", item["start"] - len(title) - 1
        out.append({"text": str(item["text"]), "type": str(item["type"]), "start": start,
                    "field": field})  # fmt: skip
    return json.dumps(out, ensure_ascii=False)


# Stored texts that are not as evidence_json writes them: each is decoded, never passed through.
NOT_AS_WRITTEN = {
    "ascii escapes": '[{"text": "Pr\\u00e9sident", "type": "name", "start": 0, "field": "title"}]',
    "no spaces": '[{"text":"Kim","type":"name","start":12,"field":"title"}]',
    "keys reordered": '[{"type": "name", "text": "Kim", "start": 12, "field": "title"}]',
    "escaped slash": '[{"text": "a\\/b", "type": "name", "start": 0, "field": "title"}]',
    "short escape as \\u": '[{"text": "a\\u0009b", "type": "name", "start": 0, "field": "title"}]',
    "minus zero": '[{"text": "Kim", "type": "name", "start": -0, "field": "summary"}]',
    "unknown field": '[{"text": "Kim", "type": "name", "start": 20, "field": "lead"}]',
    "empty field": '[{"text": "Kim", "type": "name", "start": 20, "field": ""}]',
    "number as text": '[{"text": 7, "type": "name", "start": 3, "field": "title"}]',
    "trailing space": '[{"text": "Kim", "type": "name", "start": 12, "field": "title"}] ',
}
# What cannot be read at all is no evidence (as ``stored_evidence`` has always read it).
UNREADABLE = [None, "", "not json", "{}", '"text"', '[1, "a", {"text": "x", "start": "0"}]']


@pytest.mark.parametrize("name", list(NOT_AS_WRITTEN))
def test_stored_text_not_as_written_is_decoded(name: str) -> None:
    raw = NOT_AS_WRITTEN[name]
    assert fielded_evidence_json(raw, TITLE) == oracle(raw, TITLE)


@pytest.mark.parametrize("raw", UNREADABLE)
def test_unreadable_evidence_is_none(raw: str | None) -> None:
    assert fielded_evidence_json(raw, TITLE) == "[]"


def test_a_boolean_start_is_read_as_a_number() -> None:
    raw = '[{"text": "Kim", "type": "name", "start": true, "field": "title"}]'
    assert fielded_evidence_json(raw, TITLE) == (
        '[{"text": "Kim", "type": "name", "start": 1, "field": "title"}]'
    )


def test_text_as_written_with_fields_is_passed_through_unchanged() -> None:
    raw = evidence_json([Evidence("Kim", "name", 12, "title"), Evidence("Moskow", "place", 3,
                                                                        "body")])  # fmt: skip
    assert fielded_evidence_json(raw, TITLE) is raw


evidence_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(['"', "\\", "\n", "\x00", "\x1f", "\x7f", "\u2028", 'a\\"b', "»Kim«"])
items = st.builds(
    Evidence,
    text=evidence_text,
    type=st.sampled_from(EVIDENCE_TYPES) | evidence_text,
    start=st.integers(min_value=-3, max_value=60),
    field=st.sampled_from(("",) + FIELDS),
)


@given(st.lists(items, max_size=5), st.text(max_size=30))
def test_any_evidence_as_written_exports_as_decoded(evidence: list[Evidence], title: str) -> None:
    raw = evidence_json(evidence)
    assert fielded_evidence_json(raw, title) == oracle(raw, title)


@given(st.lists(items, max_size=4), st.text(max_size=20))
def test_any_evidence_written_otherwise_exports_as_decoded(
    evidence: list[Evidence], title: str
) -> None:
    loose: list[dict[str, Any]] = json.loads(evidence_json(evidence))
    for raw in (json.dumps(loose), json.dumps(loose, separators=(",", ":"), ensure_ascii=False)):
        assert fielded_evidence_json(raw, title) == oracle(raw, title)

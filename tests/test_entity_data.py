"""The entity tables (ingest/data/entities/): valid keys, codes, dates, scripts, no shared surface.

Pure data checks with the csv module, independent of the code that reads the tables.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTITIES = ROOT / "ingest" / "data" / "entities" / "entities.tsv"
ALIASES = ROOT / "ingest" / "data" / "entities" / "aliases.tsv"
LEADERS = ROOT / "ingest" / "data" / "gazetteer" / "leaders.tsv"
COUNTRIES = ROOT / "ingest" / "data" / "countries.csv"

POLLED = {
    "ar", "de", "el", "en", "es", "fa", "fr", "he", "hi", "id", "it", "ja", "ko", "ms", "pt",
    "ru", "tr", "uk", "ur", "vi", "zh",
}  # fmt: skip
FLAG = re.compile(r"^(cs|ci|stem\d?|nostem|firstname|surname|word)$")
QID = re.compile(r"^Q[1-9][0-9]*$")

# Unicode blocks per script: a surface counts for every script one of its letters is in.
SCRIPTS = {
    "Latin": ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)),
    "Cyrillic": ((0x400, 0x4FF),),
    "Greek": ((0x370, 0x3FF), (0x1F00, 0x1FFF)),
    "Hebrew": ((0x590, 0x5FF),),
    "Arabic": ((0x600, 0x6FF), (0x750, 0x77F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "Devanagari": ((0x900, 0x97F),),
    "Han": ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)),
    "Kana": ((0x3040, 0x30FF),),
    "Hangul": ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)),
}
# Japanese text is matched by a Kana or a Han surface.
REQUIRED_SCRIPTS = (
    ("Latin",),
    ("Cyrillic",),
    ("Greek",),
    ("Hebrew",),
    ("Arabic",),
    ("Devanagari",),
    ("Han",),
    ("Kana", "Han"),
    ("Hangul",),
)

# Leaders of the gazetteer not yet entities: no QID could be checked for them offline
# (ingest/data/entities/README.md). Add the entity, then remove its surfaces here.
KNOWN_GAPS = frozenset({
    "Cho Jung-tai",  # Taiwan's premier since 2024-05-20
    "卓荣泰",
    "卓榮泰",
    "Andrii Sybiha",
    "Andriy Sybiha",
    "Sybiha",
    "Сибига",
    "Сибіга",
    "瑟比加",
    "시비하",
    "Cho Hyun",
    "조현 외교부 장관",
    "Hakan Fidan",
    "Фидан",
})  # fmt: skip
# Leader surfaces of the gazetteer that are common words or name someone else too: never an
# entity alias (the country tagger keeps them: either way the country is right).
NOT_ALIASES = {
    "마르코스": "also Marcos Sr. (ingest/data/training/entity-precision.jsonl); 마르코스 주니어 kept",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _documented(path: Path, key: str) -> set[str]:
    """The values the header comment of ``path`` lists after ``# key:``."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}:"):
            values = re.sub(r"\(.*?\)", "", line.split(":", 1)[1])
            return {v.strip() for v in values.split("|")}
    raise AssertionError(f"{path.name} documents no {key}")


def _scripts(surface: str) -> set[str]:
    found = set()
    for ch in surface:
        cp = ord(ch)
        for name, blocks in SCRIPTS.items():
            if any(lo <= cp <= hi for lo, hi in blocks):
                found.add(name)
    return found


def _languages(value: str) -> set[str] | None:
    return None if value == "*" else set(value.split(","))


ENTITY_ROWS = _rows(ENTITIES)
EVERY_ALIAS_ROW = _rows(ALIASES)
BLOCKER_ROWS = [row for row in EVERY_ALIAS_ROW if row["qid"] == "-"]  # tag nothing
ALIAS_ROWS = [row for row in EVERY_ALIAS_ROW if row["qid"] != "-"]
BY_QID = {row["qid"]: row for row in ENTITY_ROWS}


def test_qids_are_unique_and_well_formed() -> None:
    qids = [row["qid"] for row in ENTITY_ROWS]
    assert len(qids) == len(set(qids)), sorted(q for q in qids if qids.count(q) > 1)
    assert [q for q in qids if not QID.match(q)] == []
    assert len(qids) >= 150


def test_every_alias_names_an_entity_and_every_entity_has_aliases() -> None:
    assert [row for row in ALIAS_ROWS if row["qid"] not in BY_QID] == []
    assert set(BY_QID) - {row["qid"] for row in ALIAS_ROWS} == set()


def test_kinds_and_roles_are_the_documented_ones() -> None:
    kinds = _documented(ENTITIES, "kind")
    roles = _documented(ENTITIES, "role")
    assert [r["qid"] for r in ENTITY_ROWS if r["kind"] not in kinds] == []
    people = [r for r in ENTITY_ROWS if r["kind"] == "person"]
    assert [r["qid"] for r in people if r["role"] not in roles or not r["country"]] == []
    assert [r["qid"] for r in ENTITY_ROWS if r["kind"] != "person" and r["role"]] == []


def test_countries_are_iso3_codes_of_the_country_table() -> None:
    with COUNTRIES.open(encoding="utf-8", newline="") as f:
        codes = {row["iso3"] for row in csv.DictReader(f)}
    assert [r["qid"] for r in ENTITY_ROWS if r["country"] and r["country"] not in codes] == []


def test_dates_are_iso_and_ordered() -> None:
    for row in ENTITY_ROWS:
        start = date.fromisoformat(row["valid_from"]) if row["valid_from"] else None
        end = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        if row["kind"] == "person":
            assert start is not None, row["qid"]
        if start and end:
            assert start <= end, row["qid"]


def test_alias_languages_and_flags_are_valid() -> None:
    for row in ALIAS_ROWS:
        langs = _languages(row["languages"])
        assert langs is None or langs <= POLLED, row
        assert all(FLAG.match(f) for f in row["flags"].split(",") if f), row
        assert row["surface"] == row["surface"].strip() and row["surface"], row


def test_no_surface_is_claimed_by_two_entities_in_one_language() -> None:
    claims: dict[str, list[tuple[str, set[str] | None]]] = defaultdict(list)
    for row in ALIAS_ROWS:
        claims[row["surface"].casefold()].append((row["qid"], _languages(row["languages"])))
    clashes = []
    for surface, owners in claims.items():
        for i, (qid_a, langs_a) in enumerate(owners):
            for qid_b, langs_b in owners[i + 1 :]:
                overlap = langs_a is None or langs_b is None or langs_a & langs_b
                if qid_a != qid_b and overlap:
                    clashes.append((surface, qid_a, qid_b))
    assert clashes == []


def test_every_entity_has_a_surface_in_every_script() -> None:
    scripts: dict[str, set[str]] = defaultdict(set)
    for row in ALIAS_ROWS:
        scripts[row["qid"]] |= _scripts(row["surface"])
    missing = [
        (qid, "/".join(needed))
        for qid in BY_QID
        for needed in REQUIRED_SCRIPTS
        if not scripts[qid] & set(needed)
    ]
    assert missing == []


# Leaders in office today whose Wikidata QID could not be checked offline when their rows were
# added (2026-12-06): country evidence, not yet entities. (country, first day in office).
IN_OFFICE_WITHOUT_ENTITY = {
    ("JPN", "2019-05-01"), ("SAU", "1986-10-27"), ("EGY", "2018-06-07"), ("MYS", "2024-01-31"),
    ("SGP", "2023-09-14"), ("THA", "2016-10-13"), ("VNM", "2024-10-21"), ("VNM", "2021-04-05"),
    ("ESP", "2014-06-19"), ("NLD", "2013-04-30"), ("ETH", "2024-10-07"), ("IRQ", "2022-10-17"),
    ("VEN", "2026-01-03"), ("QAT", "2023-03-07"), ("ARE", "2006-02-11"), ("MAR", "1999-07-23"),
    ("BGD", "2023-04-24"),
}  # fmt: skip


def test_every_leader_in_office_is_an_alias_of_an_entity_of_that_country() -> None:
    """Every surface of a sitting leader (no end date in leaders.tsv) finds that leader's
    entity; past leaders are country evidence only (their rows go back to 2000)."""
    surfaces: dict[str, set[str]] = defaultdict(set)
    for row in ALIAS_ROWS:
        surfaces[row["surface"].casefold()].add(BY_QID[row["qid"]]["country"])
    leaders = [r for r in _rows(LEADERS) if r["type"] == "leader"]
    assert len(leaders) > 2000
    sitting = [r for r in leaders if not r["valid_to"]]
    waiting = {
        r["surface"] for r in sitting if (r["iso3"], r["valid_from"]) in IN_OFFICE_WITHOUT_ENTITY
    }
    uncovered = {
        r["surface"]
        for r in sitting
        if r["iso3"] not in surfaces.get(r["surface"].casefold(), set())
    }
    assert uncovered - KNOWN_GAPS - set(NOT_ALIASES) - waiting == set()
    assert waiting <= uncovered, "now an entity: remove it from IN_OFFICE_WITHOUT_ENTITY"
    assert KNOWN_GAPS - uncovered == set(), "now covered: remove from KNOWN_GAPS"
    assert set(NOT_ALIASES) <= uncovered, "a common word became an alias"

"""The bundled demo snapshots (ingest/data/demo/) and their MANIFEST.tsv."""

from __future__ import annotations

import csv
import re

import feedparser

from ingest import geo
from ingest.catalogue import is_http_url, iso639_1_codes
from ingest.config import PACKAGE_DATA

DEMO = PACKAGE_DATA / "demo"
COLUMNS = ["file", "title", "language", "country", "site_url", "snapshot_date", "provenance"]


def _rows() -> list[dict[str, str]]:
    with (DEMO / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_manifest_lists_exactly_the_files() -> None:
    rows = _rows()
    listed = [row["file"] for row in rows]
    assert len(listed) == len(set(listed))
    on_disk = {p.name for p in DEMO.iterdir() if p.name != "MANIFEST.tsv"}
    assert set(listed) == on_disk
    assert sum((DEMO / name).stat().st_size for name in listed) < 3 * 1024 * 1024


def test_manifest_values_are_valid() -> None:
    codes = iso639_1_codes()
    for row in _rows():
        assert row["language"] in codes, row
        assert geo.is_valid_iso3(row["country"]), row
        assert is_http_url(row["site_url"]), row
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["snapshot_date"]), row
        assert row["title"] and row["provenance"], row


def test_multilingual_and_same_day_set() -> None:
    rows = _rows()
    languages = {row["language"] for row in rows}
    assert {
        "en",
        "id",
        "ru",
        "uk",
        "ko",
        "zh",
        "ja",
        "ur",
        "hi",
        "el",
        "fr",
        "de",
        "it",
        "pt",
    } <= languages
    same_day = [r for r in rows if r["snapshot_date"] in {"2026-02-17", "2026-02-18"}]
    assert len(same_day) >= 19


def test_every_snapshot_has_items() -> None:
    for row in _rows():
        parsed = feedparser.parse((DEMO / row["file"]).read_bytes())
        assert parsed.entries, row["file"]

"""Issue 11 item 6: a word cut by truncation never yields a tag.

The real case: Hankyoreh's feed cuts each summary at 200 characters, mid-word; one ends
"… 지토미르주 등 북" where the text went on "북부" (the north), and "북" alone is North Korea.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from ingest import pipeline, store
from ingest.tagging import tag_article

HANI = Path(pipeline.DEMO_DIR) / "knews-rss_hani-international_2022-07-30.rss.xml"
HANGUL = re.compile("[\uac00-\ud7a3]")

# (title, summary, language hint, a country that must not be tagged, one that must stay)
CASES = [
    ("공습", "러시아군이 쏜 미사일은 키이우주 등 북", "ko", "PRK", "RUS"),
    ("공습", "러시아군이 쏜 미사일은 키이우주 등 북…", "ko", "PRK", "RUS"),
    ("Troops in Mali", "Officials discussed the border with Niger…", "en", "NER", "MLI"),
    ("Troops in Mali", "Officials discussed the border with Niger...", "en", "NER", "MLI"),
    ("Cuts in Mali and Niger…", "Officials discussed the border.", "en", "NER", "MLI"),
]


@pytest.mark.parametrize(("title", "summary", "hint", "absent", "present"), CASES)
def test_a_cut_last_word_yields_no_tag(
    title: str, summary: str, hint: str, absent: str, present: str
) -> None:
    found = {tag.iso3 for tag in tag_article(title, summary, language_hint=hint).countries}
    assert absent not in found and present in found


@pytest.mark.parametrize(
    ("title", "summary", "hint", "present"),
    [
        # Latin decks often end without a full stop: a bare end is not a cut there.
        ("Protests", "Marches were held in 10 cities across the US", "en", "USA"),
        # A whole last word before a full stop, or with a space before the ellipsis.
        ("공습", "미사일이 북한.", "ko", "PRK"),
        ("Border", "Officials discussed Niger. …", "en", "NER"),
        ("Mali and Niger", "", "en", "NER"),
    ],
)
def test_a_whole_last_word_still_tags(title: str, summary: str, hint: str, present: str) -> None:
    found = {tag.iso3 for tag in tag_article(title, summary, language_hint=hint).countries}
    assert present in found


def test_real_summaries_cut_mid_word_tag_nothing_in_the_cut_word(sqlite_url: str) -> None:
    engine = store.make_engine(sqlite_url)
    pipeline.import_paths(engine, [HANI])
    # The data file itself: which descriptions end bare on a Hangul syllable (cut by the feed).
    raw = HANI.read_text(encoding="utf-8")
    descriptions = re.findall(r"<content:encoded>(.*?)</content:encoded>", raw, re.S)
    bare = [d.strip() for d in descriptions if HANGUL.match(d.strip()[-1:] or " ")]
    assert len(bare) >= 10 and any(d.endswith("등 북") for d in bare), "the fixture changed"
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.id, a.title, a.summary, c.iso3, c.evidence FROM articles a "
                "JOIN article_countries c ON c.article_id = a.id"
            )
        ).all()
    checked = 0
    for row in rows:
        if not (row.summary and HANGUL.match(row.summary[-1])):
            continue
        summary_start = len(row.title) + 1
        cut_word = summary_start + row.summary.rstrip().rfind(" ") + 1
        for evidence in json.loads(row.evidence):
            checked += 1
            assert evidence["start"] < cut_word, (row.id, row.iso3, evidence, row.summary[-20:])
    assert checked > 50
    north = [r for r in rows if r.summary and r.summary.endswith("등 북")]
    assert north and all(r.iso3 != "PRK" for r in north)
    engine.dispose()

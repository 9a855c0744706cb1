"""Every blocker and every curated alias row, through the tagger (issue 16, item 4).

The expectations come from tests/fixtures/gazetteer-expectations.tsv, written from the gazetteer
tables by ``python -m tests.gazetteer_expectations`` (see that module for how a blocker's
look-alikes are found in the data). The fixture outlives the tables, so deleting a blocker such
as "Latin America" or "拉美", or a curated alias, fails a test here; a row added to the tables
without its expectations fails ``test_every_row_of_the_tables_has_its_expectations``.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from ingest.tagging.countries import tag_countries
from tests.gazetteer_expectations import (
    UNSPACED,
    Expectation,
    blockers,
    curated_tables,
    expectations,
    look_alikes,
    read_fixture,
    sentence,
)

EXPECTED = read_fixture()

# Rows another row already covers, so that the tagger never reports them as written: each is a
# finding to settle in the data (strict: the test fails once the row is settled, to drop it here).
SHADOWED = {
    # The name row Англия's Cyrillic inflection already matches Англии (as a name): this place
    # row is dead, and the type it asks for (place, like England) is not the one given.
    ("places.tsv", "Англии"): "covered by names.tsv Англия (inflected), type name",
}


def tagged(text: str, language: str | None, day: date) -> dict[str, list[tuple[str, str, int]]]:
    return {
        tag.iso3: [(e.text, e.type, e.start) for e in tag.evidence]
        for tag in tag_countries(text, on=day, language=language)
    }


def _params(kind: str) -> list:
    return [
        pytest.param(
            e,
            id=e.id,
            marks=pytest.mark.xfail(reason=SHADOWED[key], strict=True)
            if (key := (e.file, e.surface)) in SHADOWED
            else (),
        )
        for e in EXPECTED
        if e.kind == kind
    ]


def test_the_fixture_covers_every_table() -> None:
    files = {e.file for e in EXPECTED}
    assert files == {path.name for path in curated_tables()}
    assert {"blockers.tsv", "names.tsv", "adjectives.tsv", "capitals.tsv", "places.tsv"} <= files
    assert sum(e.kind == "blocker" for e in EXPECTED) > 600
    assert sum(e.kind == "alias" for e in EXPECTED) > 6000


def test_every_row_of_the_tables_has_its_expectations() -> None:
    """A row added to a table (or a changed row) needs its expectations in the fixture: run
    ``python -m tests.gazetteer_expectations`` and review the diff."""
    known = set(EXPECTED)
    missing = [e.id for e in expectations() if e not in known]
    assert missing == [], missing[:20]


def test_the_issue_examples_have_their_look_alikes() -> None:
    """The data oracle finds what a reader sees: the USA's "America" and "美" in the regions."""
    for phrase in ("Latin America", "North America", "拉美"):
        assert "USA" in {code for row in look_alikes(phrase) for code in row.iso3s}, phrase
        trials = [e for e in EXPECTED if e.kind == "blocker" and e.surface == phrase]
        assert trials and any("USA" in name for e in trials for name in e.look_alikes), phrase


@pytest.mark.parametrize("expected", _params("blocker"))
def test_a_blocker_phrase_tags_none_of_its_look_alikes(expected: Expectation) -> None:
    text, _ = sentence(expected.surface)
    found = tagged(text, expected.language, expected.day)
    assert found == {}, f"{expected.surface!r} (hides {expected.look_alikes}) tags {found}"


@pytest.mark.parametrize("expected", _params("alias"))
def test_a_curated_alias_tags_its_country(expected: Expectation) -> None:
    text, start = sentence(expected.surface)
    found = tagged(text, expected.language, expected.day)
    whole = (expected.surface, expected.type, start)
    missing = [iso3 for iso3 in expected.iso3s if whole not in found.get(iso3, [])]
    assert missing == [], f"{expected.surface!r} ({expected.language}, {expected.day}): {found}"


def _blocked_elsewhere() -> list:
    """A blocker kept to some languages, with a look-alike that stands as a whole word in its
    phrase and applies in a language outside the blocker's: the case, tried in that language."""
    cases = []
    for blocker in blockers():
        if not blocker.languages or UNSPACED.search(blocker.surface):
            continue
        other = next(x for x in ("en", "de", "fr", "es") if x not in blocker.languages)
        words = set(re.findall(r"[^\W\d_]+(?:[.'’][^\W\d_]+)*\.?", blocker.surface))
        hidden = sorted(
            {
                code
                for row in look_alikes(blocker.surface)
                if row.surface in words and (not row.languages or other in row.languages)
                for code in row.iso3s
            }
        )
        if hidden:
            cases.append(
                pytest.param(blocker.surface, other, hidden, id=f"{blocker.surface}:{other}")
            )
    return cases


@pytest.mark.parametrize(("phrase", "language", "hidden"), _blocked_elsewhere())
def test_a_blocker_kept_to_its_languages_blocks_nothing_in_another(
    phrase: str, language: str, hidden: list[str]
) -> None:
    """Italian Monaco is Munich as often as the principality, so it is blocked in Italian only:
    a French Monaco still tags MCO. A blocker's languages keep it to texts of those languages,
    as they do every other row."""
    text, _ = sentence(phrase)
    found = tagged(text, language, date(2026, 1, 1))
    assert set(hidden) <= set(found), f"{phrase!r} in {language}: {found}"


def test_blockers_kept_to_their_languages_are_tried_elsewhere() -> None:
    """The table-driven test above has cases from several tables' look-alikes and scripts."""
    phrases = {case.values[0] for case in _blocked_elsewhere()}
    assert {"Monaco", "Mali suç", "Oslo Anlaşması"} <= phrases
    assert len(phrases) > 40

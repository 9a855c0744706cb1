"""Issue 14 item 1: entity tags (people and organisations) from ingest/data/entities/.

The cases are derived from the data files themselves, read here with a plain TSV reader (not the
loader under test): every alias row must tag its entity in a sentence of a language it applies
to, so a row that stops matching (or is removed while a test names it) fails; a language-
restricted row must not fire in another language.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.records import EVIDENCE_TYPES
from ingest.tagging import entities as entities_module
from ingest.tagging import tag_article
from ingest.tagging.entities import (
    ENTITIES_DIR,
    entities_matching,
    load_entities,
    load_entity_aliases,
    tag_entities,
)
from ingest.tagging.matcher import normalize


def _table(name: str) -> list[dict[str, str]]:
    """The rows of a data table as the file holds them (comments skipped), with line numbers."""
    with (ENTITIES_DIR / name).open(encoding="utf-8", newline="") as fh:
        numbered = [(n, line) for n, line in enumerate(fh, 1) if line.strip() and line[0] != "#"]
    header = numbered[0][1].rstrip("\n").split("\t")
    rows = []
    for number, line in numbered[1:]:
        cells = line.rstrip("\r\n").split("\t")
        row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
        rows.append({k: v.strip() for k, v in row.items()} | {"line": str(number)})
    return rows


ENTITY_ROWS = _table("entities.tsv")
EVERY_ALIAS_ROW = _table("aliases.tsv")
BLOCKER_ROWS = [row for row in EVERY_ALIAS_ROW if row["qid"] == "-"]  # tag nothing
ALIAS_ROWS = [row for row in EVERY_ALIAS_ROW if row["qid"] != "-"]


def _languages(row: dict[str, str]) -> list[str] | None:
    value = row["languages"]
    return None if value in ("", "*") else sorted(v.strip() for v in value.split(","))


def _sentence(surface: str) -> str:
    return f"Yesterday {surface} said this."


def _failing(rows: list, check: Callable[..., None]) -> list[tuple[str, str]]:
    """The rows (``line:qid:surface``) for which ``check(*row)`` fails, with its message: one
    test reads every row of the table (thousands of rows, a test's overhead each otherwise)."""
    failed = []
    for item in rows:
        args = item if isinstance(item, tuple) else (item,)
        try:
            check(*args)
        except AssertionError as error:
            row = args[0]
            failed.append((f"{row['line']}:{row['qid']}:{row['surface']}", str(error)[:200]))
    return failed


def test_every_alias_tags_its_entity() -> None:
    assert _failing(ALIAS_ROWS, _tags_its_entity) == []


def _tags_its_entity(row: dict[str, str]) -> None:
    languages = _languages(row)
    language = languages[0] if languages else None
    found = {t.qid: t for t in tag_entities(_sentence(row["surface"]), language=language)}
    assert row["qid"] in found, (row, found)
    (evidence,) = found[row["qid"]].evidence
    text = _sentence(row["surface"])
    assert text[evidence.start : evidence.start + len(evidence.text)] == evidence.text
    assert normalize(evidence.text).startswith(normalize(row["surface"]))
    assert evidence.type == "entity" and "entity" in EVIDENCE_TYPES


def _fires_elsewhere(row: dict[str, str], language: str) -> bool:
    """Whether another row of the same entity applying to ``language`` has the same surface."""
    return any(
        other["qid"] == row["qid"]
        and normalize(other["surface"]) == normalize(row["surface"])
        and (_languages(other) is None or language in (_languages(other) or []))
        for other in ALIAS_ROWS
        if other is not row
    )


# Each restricted row is tried in the first of these languages it does not apply to.
OTHER_LANGUAGES = ("en", "de", "fr", "ru", "ja")
RESTRICTED = [
    (row, next(lang for lang in OTHER_LANGUAGES if lang not in (_languages(row) or [])))
    for row in ALIAS_ROWS
    if _languages(row) is not None
]
RESTRICTED = [(row, lang) for row, lang in RESTRICTED if not _fires_elsewhere(row, lang)]


def test_a_language_restricted_alias_stays_in_its_languages() -> None:
    assert RESTRICTED and _failing(RESTRICTED, _stays_in_its_languages) == []


def _stays_in_its_languages(row: dict[str, str], language: str) -> None:
    """The row does not fire: its entity may still be found by a shorter alias for every
    language inside it ("Merz" in "Merz'"), never with the row's whole surface as evidence."""
    surface = normalize(row["surface"])
    found = [
        e.text
        for t in tag_entities(_sentence(row["surface"]), language=language)
        if t.qid == row["qid"]
        for e in t.evidence
    ]
    assert not [text for text in found if normalize(text).startswith(surface)], found


def test_poutine_is_putin_in_french_only() -> None:
    assert [t.qid for t in tag_entities("Poutine a parlé.", language="fr")] == ["Q7747"]
    assert tag_entities("Poutine with cheese curds.", language="en") == []


def test_arabic_raisi_is_his_full_name_not_the_word_main() -> None:
    """Bare رئيسي is Arabic for "main" (السبب الرئيسي, "the main reason"), and Persian رئیسی
    folds to it: Ebrahim Raisi is found by his full name."""
    raisi = "Q5947347"
    assert raisi not in {t.qid for t in tag_entities("السبب الرئيسي هو الاقتصاد", language="ar")}
    assert raisi in {t.qid for t in tag_entities("قال إبراهيم رئيسي إن", language="ar")}
    assert raisi in {t.qid for t in tag_entities("ابراهیم رئیسی گفت", language="fa")}


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Переговоры Путина и Си", "Путина"),
        ("Путину предложили встречу", "Путину"),
        ("Зустріч з Путіним", "Путіним"),
    ],
)
def test_cyrillic_inflected_forms(text: str, surface: str) -> None:
    (tag,) = [t for t in tag_entities(text, language="ru") if t.qid == "Q7747"]
    assert [e.text for e in tag.evidence] == [surface]
    assert text[tag.evidence[0].start :].startswith(surface)


def test_tag_article_gives_entities_with_field_offsets_and_prominence() -> None:
    title = "Putin meets the UN chief"
    summary = "The United Nations said Vladimir Putin agreed. NATO was not there."
    tags = tag_article(title, summary, language_hint="en", trust_language=True)
    by_qid = {t.qid: t for t in tags.entities}
    assert set(by_qid) == {"Q7747", "Q1065", "Q7184"}
    fields = {"title": title, "summary": summary}
    for tag in tags.entities:
        for e in tag.evidence:
            assert fields[e.field][e.start : e.start + len(e.text)] == e.text
    assert [e.text for e in by_qid["Q7747"].evidence] == ["Putin", "Vladimir Putin"]
    assert by_qid["Q7747"].prominence.where == "title"
    assert by_qid["Q7184"].prominence.where == "lead"


def test_every_alias_is_suggested_for_its_entity() -> None:
    assert _failing(ALIAS_ROWS, _suggested) == []


def _suggested(row: dict[str, str]) -> None:
    for typed in {row["surface"], row["surface"].lower(), row["surface"][:4]}:
        if len(typed.strip()) >= 2:
            assert row["qid"] in [e.qid for e in entities_matching(typed)], typed


def test_suggestions_are_the_prefix_matches_of_a_plain_scan() -> None:
    """The sorted index finds what a scan of every folded surface finds: the entities one of
    whose surfaces, or a later word of one, starts with the typed text (plus the entities an
    alias inside it names, in any language). Typed texts: prefixes of 1 to 8 characters of 400 alias rows (seeded)."""
    rng = random.Random(14)
    keys = entities_module._suggestion_keys()
    typed = {row["surface"][:n] for row in rng.sample(ALIAS_ROWS, 400) for n in range(1, 9)}
    for text in sorted(typed) + ["zzqx", "jong", "ong", "Kim Jong"]:
        folded = entities_module._folded(text)
        if len(folded) < 2:
            continue
        scanned = {
            qid
            for key, qid in keys
            if key.startswith(folded) or any(w.startswith(folded) for w in key.split(" ")[1:])
        }
        named = {m.payload.qid for m in entities_module._matcher().find(text, lambda _p: True)}
        got = {e.qid for e in entities_matching(text)}
        assert scanned <= got <= scanned | named, text
    assert "Q56226" in {e.qid for e in entities_matching("jong")}  # a later word of a name
    assert "Q56226" not in {e.qid for e in entities_matching("ong")}  # never inside a word


@pytest.mark.parametrize("typed", ["Putin", "putin", "путин", "Poutine", "PUTIN", "Путина", "푸틴"])
def test_putin_is_suggested_first(typed: str) -> None:
    assert entities_matching(typed)[0].qid == "Q7747"


def test_one_letter_suggests_nothing() -> None:
    assert entities_matching("P") == [] and entities_matching("") == []


def test_the_loader_reads_every_row() -> None:
    entities = load_entities()
    assert list(entities) == [r["qid"] for r in ENTITY_ROWS]
    assert [e.name for e in entities.values()] == [r["name"] for r in ENTITY_ROWS]
    aliases = load_entity_aliases()
    assert [(a.qid, a.surface) for a in aliases] == [
        (r["qid"], r["surface"]) for r in EVERY_ALIAS_ROW
    ]


ENTITY_HEADER = "qid\tname\tkind\tcountry\trole\tvalid_from\tvalid_to\tnote\n"
ALIAS_HEADER = "qid\tsurface\tlanguages\tflags\tnote\n"
GOOD_ENTITY = "Q7747\tVladimir Putin\tperson\tRUS\thead_of_state\t2012-05-07\t\t\n"


@pytest.mark.parametrize(
    ("entities", "aliases", "message"),
    [
        (GOOD_ENTITY + "Q7747\tAgain\tperson\tRUS\t\t\t\t\n", "", "entities.tsv:4: duplicate QID"),
        ("Q1\tX\tcompany\t\t\t\t\t\n", "", "entities.tsv:3: unknown kind 'company'"),
        ("Q1\tX\tperson\tRUS\tking\t\t\t\n", "", "entities.tsv:3: unknown role 'king'"),
        ("Q1\tX\tperson\tXYZ\t\t\t\t\n", "", "entities.tsv:3: unknown ISO3 country 'XYZ'"),
        ("X1\tX\tperson\t\t\t\t\t\n", "", "entities.tsv:3: bad QID"),
        (GOOD_ENTITY, "Q9\tNobody\t*\t\t\n", "aliases.tsv:3: QID 'Q9' is not in entities.tsv"),
        (GOOD_ENTITY, "Q7747\tPutin\t*\tloud\t\n", "aliases.tsv:3: unknown flag ['loud']"),
    ],
)
def test_a_bad_row_is_named_by_file_and_line(
    tmp_path: Path, entities: str, aliases: str, message: str
) -> None:
    (tmp_path / "entities.tsv").write_text("# comment\n" + ENTITY_HEADER + entities, "utf-8")
    (tmp_path / "aliases.tsv").write_text("# comment\n" + ALIAS_HEADER + aliases, "utf-8")
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_entity_aliases(tmp_path)


@pytest.mark.parametrize(
    "row", BLOCKER_ROWS, ids=[f"{r['line']}:{r['surface']}" for r in BLOCKER_ROWS]
)
def test_a_blocker_hides_the_aliases_inside_it(row: dict[str, str]) -> None:
    """Each blocker row of aliases.tsv, in a sentence of a language it applies to, leaves no
    entity evidence inside its own span (Хантера Байдена is not Joe Biden); each one holds an
    alias of some entity (else it blocks nothing)."""
    language = sorted(_languages(row) or ["en"])[0]
    text = _sentence(row["surface"])
    at = text.index(row["surface"])
    inside = [
        (t.qid, e.text)
        for t in tag_entities(text, language=language)
        for e in t.evidence
        if at <= e.start < at + len(row["surface"])
    ]
    assert inside == []
    folded = normalize(row["surface"])
    assert any(
        normalize(alias["surface"]) in folded
        for alias in ALIAS_ROWS
        if _languages(alias) is None or language in (_languages(alias) or ())
    ), "a blocker that holds no alias blocks nothing"

"""Entity tagging: which people and organisations an article mentions, and the evidence for each.

``tag_entities(text, language="ru") -> list[EntityTag]``

The entities live in ``ingest/data/entities/`` (each file's header comment is its format):
``entities.tsv`` (one row per entity, keyed by its Wikidata QID: name, kind, country, role and
that role's dates) and ``aliases.tsv`` (one row per surface: the entity's QID, the surface, the
languages of the texts it applies to, the gazetteer's flags). Every alias becomes matcher
patterns exactly as a curated gazetteer row does (``countries.surface_patterns``: case variants,
accent-free spellings, Cyrillic inflection — Путин → Путина, Путину —, ``stem``, Hangul
``word``); all of them go into one compiled matcher, built once per process (and kept on disk by
``tagger_cache``). A language-restricted alias ("Poutine": fr) tags only texts in those
languages. A row whose QID is ``-`` is a blocker: it tags nothing and, being longer, hides the
aliases inside it (Hunter Biden is not Joe Biden: "Хантера Байдена"; 联合国防研究所 holds 联合国
without naming the UN), as the gazetteer's blockers do. An entity is tagged whatever the date: its role's dates say when it was in office,
not when it can be named. Evidence items have the type ``entity``.

``entities_matching(query)`` is the search box's helper: the entities one of whose aliases (or
name) starts with what was typed, in any case and with or without accents, in every language.
"""

from __future__ import annotations

import csv
import threading
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from ingest.geo import is_valid_iso3
from ingest.language import letter_script
from ingest.records import EntityTag, Evidence
from ingest.tagging.countries import (
    _FLAG,
    _base_language,
    _script_language,
    _strip_accents,
    surface_patterns,
)
from ingest.tagging.matcher import Matcher, normalize
from ingest.tagging.tagger_cache import cached

ENTITIES_DIR = Path(__file__).resolve().parent.parent / "data" / "entities"
ENTITIES_FILE = "entities.tsv"
ALIASES_FILE = "aliases.tsv"
ENTITY_COLUMNS = ("qid", "name", "kind", "country", "role", "valid_from", "valid_to", "note")
ALIAS_COLUMNS = ("qid", "surface", "languages", "flags", "note")
KINDS = ("person", "intergovernmental", "alliance", "armed_group", "state_media", "ngo")
ROLES = ("head_of_state", "head_of_government", "foreign_minister", "defence_minister", "leader")
EVIDENCE_TYPE = "entity"
BLOCKER = "-"  # aliases.tsv's QID of a surface that tags nothing and hides the aliases inside it
MIN_QUERY = 2  # characters typed before entities_matching suggests anything

__all__ = [
    "Entity",
    "EntityAlias",
    "entities_matching",
    "entity_by_qid",
    "load_entities",
    "load_entity_aliases",
    "tag_entities",
]


@dataclass(frozen=True)
class Entity:
    """One row of entities.tsv."""

    qid: str
    name: str
    kind: str
    country: str  # ISO3, "" for an international body
    role: str  # "" for an organisation
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = ""


@dataclass(frozen=True)
class EntityAlias:
    """One row of aliases.tsv."""

    qid: str
    surface: str
    languages: frozenset[str] | None  # None: every language
    flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Target:
    """The payload of an entity pattern."""

    qid: str
    languages: frozenset[str] | None


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a tab-separated table with a header row; ``#`` lines skipped."""
    with path.open(encoding="utf-8", newline="") as fh:
        header_seen = False
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = next(csv.reader([line.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
            cells = [c.strip() for c in cells]
            if not header_seen:
                if tuple(cells[: len(columns)]) != columns:
                    raise ValueError(f"{path.name}:{number}: header must be {' '.join(columns)}")
                header_seen = True
                continue
            yield number, cells + [""] * (len(columns) - len(cells))


def _date(value: str, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: bad date {value!r}") from None


def _languages(value: str) -> frozenset[str] | None:
    if not value or value == "*":
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def load_entities(directory: Path = ENTITIES_DIR) -> dict[str, Entity]:
    """QID → entity, in file order; a bad row raises ValueError naming file and line."""
    path = directory / ENTITIES_FILE
    out: dict[str, Entity] = {}
    for number, cells in _rows(path, ENTITY_COLUMNS):
        where = f"{path.name}:{number}"
        qid, name, kind, country, role, valid_from, valid_to, note = cells[:8]
        if not qid.startswith("Q") or not qid[1:].isdigit():
            raise ValueError(f"{where}: bad QID {qid!r}")
        if qid in out:
            raise ValueError(f"{where}: duplicate QID {qid}")
        if not name:
            raise ValueError(f"{where}: {qid} has no name")
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")
        if role and role not in ROLES:
            raise ValueError(f"{where}: unknown role {role!r}")
        if country and not is_valid_iso3(country):
            raise ValueError(f"{where}: unknown ISO3 country {country!r}")
        out[qid] = Entity(
            qid, name, kind, country, role, _date(valid_from, where), _date(valid_to, where), note
        )
    return out


def load_entity_aliases(
    directory: Path = ENTITIES_DIR, entities: dict[str, Entity] | None = None
) -> list[EntityAlias]:
    """The rows of aliases.tsv, in file order (blockers' QID is ``BLOCKER``); an unknown QID
    or flag raises ValueError."""
    known = load_entities(directory) if entities is None else entities
    path = directory / ALIASES_FILE
    out: list[EntityAlias] = []
    for number, cells in _rows(path, ALIAS_COLUMNS):
        where = f"{path.name}:{number}"
        qid, surface, languages, flags = cells[:4]
        if qid not in known and qid != BLOCKER:
            raise ValueError(f"{where}: QID {qid!r} is not in {ENTITIES_FILE}")
        if not surface:
            raise ValueError(f"{where}: empty surface")
        flag_set = frozenset(f.strip() for f in flags.split(",") if f.strip())
        bad = sorted(f for f in flag_set if not _FLAG.match(f))
        if bad:
            raise ValueError(f"{where}: unknown flag {bad}")
        out.append(EntityAlias(qid, surface, _languages(languages), flag_set))
    return out


@cache
def _entities() -> dict[str, Entity]:
    return load_entities()


@cache
def _aliases() -> tuple[EntityAlias, ...]:
    return tuple(load_entity_aliases(entities=_entities()))


def entity_by_qid(qid: str) -> Entity | None:
    """The entity of a QID (as written: "Q7747"), or None."""
    return _entities().get(qid.strip().upper()) if qid else None


def all_entities() -> list[Entity]:
    """Every entity, in file order."""
    return list(_entities().values())


# The scripts an entity's other names are shown in, in this order (the polled languages'
# scripts first; ``language.letter_script``'s names): Путин, 푸틴, 普京, プーチン, بوتين.
NAME_SCRIPTS = ("CYRILLIC", "HANGUL", "HAN", "KANA", "ARABIC", "DEVANAGARI", "GREEK", "THAI")


@cache
def names_in_scripts(qid: str, limit: int = 5) -> tuple[str, ...]:
    """The entity's first alias (``aliases.tsv`` order) in each of ``NAME_SCRIPTS`` it has one
    in, in that order, at most ``limit``: how a reader of those scripts writes it."""
    first: dict[str, str] = {}
    for alias in _aliases():
        letter = next((char for char in alias.surface if char.isalpha()), "")
        if alias.qid == qid and letter:
            first.setdefault(letter_script(letter), alias.surface)
    return tuple(first[s] for s in NAME_SCRIPTS if s in first)[:limit]


def entity_patterns(aliases: list[EntityAlias] | tuple[EntityAlias, ...]) -> Iterator:
    """The matcher patterns of the alias rows (the gazetteer's variants of each surface),
    blockers first: on the very same span the first pattern wins, so a blocker hides an alias's
    inflected form it spells out (Асадов, not Асад + ов), as the gazetteer's blockers do."""
    shared: dict[_Target, _Target] = {}
    for alias in sorted(aliases, key=lambda alias: alias.qid != BLOCKER):
        target = _Target(alias.qid, alias.languages)
        target = shared.setdefault(target, target)
        yield from surface_patterns(
            alias.surface, target, languages=alias.languages, flags=alias.flags
        )


_BUILD_LOCK = threading.Lock()  # the poller tags from many threads: build the automaton once


@cache
def _build_matcher() -> Matcher:
    return cached("entities", lambda: Matcher(entity_patterns(_aliases())), Matcher)


def _matcher() -> Matcher:
    with _BUILD_LOCK:
        return _build_matcher()


def tag_entities(text: str, *, language: str | None = None) -> list[EntityTag]:
    """The entities ``text`` mentions, each with all its evidence, by first mention."""
    if not text:
        return []
    lang = _base_language(language) or _script_language(text)

    def applies(target: _Target) -> bool:
        return target.languages is None or lang in target.languages

    tags: dict[str, EntityTag] = {}
    for match in _matcher().find(text, applies):  # type: ignore[arg-type]
        qid = match.payload.qid
        if qid == BLOCKER:
            continue  # it hid the aliases inside it, and tags nothing
        tag = tags.get(qid)
        if tag is None:
            tag = tags[qid] = EntityTag(qid=qid)
        tag.evidence.append(Evidence(text=match.text, type=EVIDENCE_TYPE, start=match.start))
    return sorted(tags.values(), key=lambda t: (t.evidence[0].start, t.qid))


def _folded(text: str) -> str:
    return normalize(_strip_accents(text)).strip()


@cache
def _suggestion_keys() -> tuple[tuple[str, str], ...]:
    """(folded surface, QID) of every alias (not the blockers) and every entity's name."""
    keys = [(_folded(a.surface), a.qid) for a in _aliases() if a.qid != BLOCKER]
    keys += [(_folded(e.name), e.qid) for e in _entities().values()]
    return tuple(dict.fromkeys(keys))


@cache
def _suggestion_index() -> tuple[list[str], list[tuple[str, bool]]]:
    """The suggestion keys sorted for prefix search: each whole folded surface (flag True) and
    each of its words after the first (flag False: "jong" of "kim jong un"), as parallel lists
    (texts; their (QID, whole) pairs), so a typed prefix is a range found by bisection."""
    entries = sorted(
        {(key, qid, True) for key, qid in _suggestion_keys()}
        | {(word, qid, False) for key, qid in _suggestion_keys() for word in key.split(" ")[1:]}
    )
    return [text for text, _qid, _whole in entries], [(q, w) for _t, q, w in entries]


def entities_matching(query: str) -> list[Entity]:
    """The entities whose name or an alias (any language) starts with ``query``, or that the
    query itself names (an inflected form: Путина), in any case, with or without accents:
    "Putin", "putin", "путин", "Poutine" → Vladimir Putin. Exact matches first, then by name."""
    folded = _folded(query or "")
    if len(folded) < MIN_QUERY:
        return []
    exact: set[str] = set()
    found: set[str] = set()
    texts, owners = _suggestion_index()
    for i in range(bisect_left(texts, folded), len(texts)):
        if not texts[i].startswith(folded):
            break
        qid, whole = owners[i]
        if whole and texts[i] == folded:
            exact.add(qid)
        else:
            found.add(qid)
    for match in _matcher().find(query, lambda _target: True):
        if match.payload.qid != BLOCKER:
            exact.add(match.payload.qid)
    entities = _entities()
    ordered = sorted(exact, key=lambda q: entities[q].name) + sorted(
        found - exact, key=lambda q: entities[q].name
    )
    return [entities[q] for q in ordered]

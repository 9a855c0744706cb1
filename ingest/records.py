"""The records that pass between the stages: parse → language → tagging → store.

Plain dataclasses, no behaviour beyond conversions; every stage imports them from here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

# "keyword": a topic lexicon keyword; "word": a word the topic model weighed most for the topic;
# "entity": an alias of a person or organisation (ingest/data/entities/aliases.tsv).
EVIDENCE_TYPES = (
    "name",
    "adjective",
    "capital",
    "place",
    "leader",
    "institution",
    "keyword",
    "word",
    "entity",
)


@dataclass
class Article:
    """One feed item as the ingest sees it (text already cleaned of HTML and controls)."""

    url_key: str  # sha1 hex of the canonical URL, else GUID, else feed + title
    url: str | None  # canonical http(s) link, or None when the item had no usable link
    guid: str | None
    title: str
    summary: str
    published_at: datetime  # timezone-aware UTC
    fetched_at: datetime  # timezone-aware UTC
    published_clamped: bool = False  # True when the date was missing or in the future
    feed_language: str | None = None  # the feed's declared language (ISO 639-1), if any

    @property
    def text(self) -> str:
        """The text that tags describe; evidence offsets index into it."""
        return tagging_text(self.title, self.summary)


# What stands between title and summary wherever they are read as one text: tagging, evidence
# offsets, highlighting, and the search (which never matches across it: searches hold no newline).
TEXT_SEPARATOR = "\n"


def tagging_text(title: str, summary: str, body: str | None = None) -> str:
    """Title, summary (and body) joined the one way every tagger and highlighter agrees on."""
    title = title or ""
    summary = summary or ""
    text = f"{title}{TEXT_SEPARATOR}{summary}" if summary else title
    return f"{text}{BODY_SEPARATOR}{body}" if body else text


# The fields of an article that tags are read from, in the order they are joined for tagging.
TITLE, SUMMARY, BODY = "title", "summary", "body"
FIELDS = (TITLE, SUMMARY, BODY)
# Between the summary and the body: a paragraph break, as between the body's own paragraphs.
BODY_SEPARATOR = "\n\n"


@dataclass
class Evidence:
    text: str  # the surface form as written in the article
    type: str  # one of EVIDENCE_TYPES
    # Offset into its ``field`` (title, summary or body). Without a field (evidence stored before
    # bodies were read, or built by hand), an offset into tagging_text(title, summary).
    start: int
    field: str = ""

    def in_field(self, title: str) -> Evidence:
        """This evidence with its field named: an offset into ``tagging_text(title, summary)``
        (no field) is mapped to the title or the summary."""
        if self.field:
            return self
        if self.start < len(title or ""):
            return Evidence(self.text, self.type, self.start, TITLE)
        return Evidence(self.text, self.type, self.start - len(title or "") - 1, SUMMARY)


def evidence_json(evidence: list[Evidence]) -> str:
    """Evidence as stored: a JSON list of {text, type, start, field}; ``field`` only when known."""
    return json.dumps(
        [
            {
                "text": e.text,
                "type": e.type,
                "start": e.start,
                **({"field": e.field} if e.field else {}),
            }
            for e in evidence
        ],
        ensure_ascii=False,
    )


def stored_evidence(raw: str | None) -> list[Evidence]:
    """Evidence as stored (``evidence_json``, or JSON written before fields existed, whose
    offsets are into title + "\\n" + summary: see ``Evidence.in_field``); what cannot be read is
    skipped."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("start"), int):
            continue
        where = item.get("field")
        out.append(
            Evidence(
                text=str(item.get("text", "")),
                type=str(item.get("type", "")),
                start=int(item["start"]),
                field=where if where in FIELDS else "",
            )
        )
    return out


# Stored evidence exactly as ``json.dumps(..., ensure_ascii=False)`` writes it (what
# ``evidence_json`` stores): a list of {"text", "type", "start"[, "field"]} objects, strings
# escaped only where json.dumps escapes them. Such text is read by ``fielded_evidence_json``
# without decoding it.
_JSON_CHARS = r'[^"\\\x00-\x1f]*'  # unescaped characters (a run: the regex's fast path)
_JSON_STRING = rf'"{_JSON_CHARS}(?:\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f])){_JSON_CHARS})*"'
_JSON_INT = r"(?:0|-?[1-9][0-9]*)"
_FIELD_NAMES = "|".join(FIELDS)
_ITEM = (
    rf'\{{"text": {_JSON_STRING}, "type": {_JSON_STRING}, "start": {_JSON_INT}'
    rf'(?:, "field": "(?:{_FIELD_NAMES})")?\}}'
)
_CANONICAL_EVIDENCE = re.compile(rf"\[(?:{_ITEM}(?:, {_ITEM})*)?\]")
# An item without a field ends with its start (inside strings a quote is always escaped).
_START_WITHOUT_FIELD = re.compile(rf'"start": ({_JSON_INT})\}}')
_EVIDENCE_ENCODER = json.JSONEncoder(ensure_ascii=False)


def fielded_evidence_json(raw: str | None, title: str) -> str:
    """The JSON text of stored evidence with every offset into its field, as an export writes
    it: ``json.dumps([{text, type, start, field}, ...], ensure_ascii=False)`` of
    ``stored_evidence(raw)`` mapped by ``Evidence.in_field(title)``. Text that ``evidence_json``
    wrote is passed through (only an item without a field gains one), anything else decoded."""
    if raw is not None and _CANONICAL_EVIDENCE.fullmatch(raw):
        if _START_WITHOUT_FIELD.search(raw):
            in_title = len(title or "")

            def add_field(m: re.Match[str]) -> str:
                start = int(m.group(1))
                if start < in_title:
                    return f'"start": {start}, "field": "{TITLE}"}}'
                return f'"start": {start - in_title - 1}, "field": "{SUMMARY}"}}'

            return _START_WITHOUT_FIELD.sub(add_field, raw)
        return raw
    return _EVIDENCE_ENCODER.encode(
        [
            {"text": e.text, "type": e.type, "start": e.start, "field": e.field}
            for e in (e.in_field(title) for e in stored_evidence(raw))
        ]
    )


def field_texts(title: str, summary: str, body: str | None = None) -> list[tuple[str, int, str]]:
    """(field, offset in ``tagging_text(title, summary, body)``, text) of each field present (the
    title always), placed exactly as ``tagging_text`` joins them."""
    title, summary = title or "", summary or ""
    out = [(TITLE, 0, title)]
    end = len(title)
    if summary:
        out.append((SUMMARY, end + len(TEXT_SEPARATOR), summary))
        end += len(TEXT_SEPARATOR) + len(summary)
    if body:
        out.append((BODY, end + len(BODY_SEPARATOR), body))
    return out


def field_offset(start: int, fields: list[tuple[str, int, str]]) -> tuple[str, int]:
    """(field, offset there) of an offset into the joined text whose ``field_texts`` are
    ``fields``."""
    for name, offset, _text in reversed(fields):
        if start >= offset:
            return name, start - offset
    return TITLE, start


def joined_offset(evidence: Evidence, fields: list[tuple[str, int, str]]) -> int:
    """The offset of field-located ``evidence`` in the joined text whose ``field_texts`` are
    ``fields`` (evidence without a field is already there)."""
    if not evidence.field:
        return evidence.start
    return dict((name, offset) for name, offset, _ in fields)[evidence.field] + evidence.start


# --------------------------------------------------------------------------------------------
# Prominence: where a tag's evidence stands. The rule (docs/prominence.md, stated on screen):

WHERE_TITLE, WHERE_LEAD, WHERE_BODY = "title", "lead", "body"
PROMINENCE_PLACES = (WHERE_TITLE, WHERE_LEAD, WHERE_BODY)  # best first
MIN_BODY_MENTIONS = 2  # a tag only in the body is prominent from this many mentions there
PROMINENCE_RULE = (
    "Countries are counted where they are named prominently: in the title, in the lead (the "
    "feed's summary, or the first paragraph of the article's body), or at least "
    f"{MIN_BODY_MENTIONS} times in the body. A single mention deeper in the body is treated as "
    "a weak mention in TAGGING.md's terms (incidental): it stays a tag with its evidence, and "
    "counts only under “any mention”. A core mention is what the default counts."
)


@dataclass(frozen=True)
class Prominence:
    """Where a tag is found: its best place (title > lead > body) and its mentions in the body
    outside the lead."""

    where: str
    body_mentions: int = 0

    @property
    def prominent(self) -> bool:
        return is_prominent(self.where, self.body_mentions)


def is_prominent(where: str, body_mentions: int) -> bool:
    """The rule: in the title or the lead, or at least MIN_BODY_MENTIONS times in the body."""
    return where in (WHERE_TITLE, WHERE_LEAD) or body_mentions >= MIN_BODY_MENTIONS


def prominence(evidence: list[Evidence], lead: tuple[int, int] | None = None) -> Prominence:
    """The prominence of a tag from its evidence with fields named. The summary is a lead; so
    is the span ``lead`` (start, end) of the body, when given."""
    places: set[str] = set()
    body = 0
    for e in evidence:
        if e.field == TITLE:
            places.add(WHERE_TITLE)
        elif e.field in (SUMMARY, "") or (lead is not None and lead[0] <= e.start < lead[1]):
            places.add(WHERE_LEAD)  # (no field: somewhere in title + summary)
        else:
            body += 1
    where = next((p for p in (WHERE_TITLE, WHERE_LEAD) if p in places), WHERE_BODY)
    return Prominence(where, body)


@dataclass
class CountryTag:
    iso3: str
    evidence: list[Evidence] = field(default_factory=list)
    prominence: Prominence | None = None  # None: worked out from the evidence when stored

    @property
    def mentions(self) -> int:
        return len(self.evidence)


@dataclass
class TopicTag:
    topic: str
    evidence: list[Evidence] = field(default_factory=list)
    prominence: Prominence | None = None


@dataclass
class EntityTag:
    qid: str  # Wikidata QID of a row of ingest/data/entities/entities.tsv
    evidence: list[Evidence] = field(default_factory=list)
    prominence: Prominence | None = None

    @property
    def mentions(self) -> int:
        return len(self.evidence)


def tag_prominence(tag: CountryTag | TopicTag | EntityTag, title: str | None = None) -> Prominence:
    """A tag's prominence: as tagged, else from its evidence (offsets without a field are mapped
    to the title or the summary when ``title`` is given, else count as the lead)."""
    if tag.prominence is not None:
        return tag.prominence
    evidence = tag.evidence if title is None else [e.in_field(title) for e in tag.evidence]
    return prominence(evidence)


@dataclass
class Tags:
    language: str | None
    language_source: str | None  # "detected" or "feed"
    countries: list[CountryTag] = field(default_factory=list)
    topics: list[TopicTag] = field(default_factory=list)
    tagger_version: str = ""
    entities: list[EntityTag] = field(default_factory=list)


def utc_day(moment: datetime) -> str:
    """YYYY-MM-DD of a UTC datetime (the portable grouping key)."""
    return moment.strftime("%Y-%m-%d")

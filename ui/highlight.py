"""Evidence highlighting: the matched words of a tag marked in an article's title, summary and
(in the reader view) its body.

All text is escaped first; only then are the evidence offsets (each into its field: title,
summary or body) wrapped in ``<mark>``, each country in its colour of the charts' PALETTE. The result still passes through nh3 with
a short allow-list before any ``unsafe_allow_html`` rendering, and links are kept only when they
are http(s).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import nh3

from ingest.geo import country_name
from ingest.queries import topic_label
from ingest.records import FIELDS, TEXT_SEPARATOR, tagging_text
from ingest.tagging.entities import entity_by_qid
from ui.charts import PALETTE

ALLOWED_TAGS = {"a", "mark", "br", "small", "b", "span"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "mark": {"title", "style"}, "small": {"title"}, "b": {"lang"},
    "span": {"lang"},
}  # fmt: skip
# A highlight's colour: an inline style on <mark>, built here from the charts' PALETTE (never
# from user text); sanitising keeps only these two properties.
ALLOWED_STYLE = {"background-color", "color"}
MARK_TEXT = "#10161d"  # dark text on every palette colour, in light and dark themes
SNIPPET_RADIUS = 90  # characters of context kept either side of a highlight in a snippet
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


_MD_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """``text`` with every markdown-active character backslash-escaped, so user words (search
    text, outlet and article titles) render literally in st.markdown, st.caption, st.toast —
    also inside the HTML of ``article_html``, where Streamlit still parses inline markdown."""
    return _MD_ACTIVE.sub(r"\\\1", text)


def _text(piece: str) -> str:
    """A piece of user text for the HTML: escaped (quotes stay literal in text nodes)."""
    return html.escape(piece, quote=False)


_TAG = re.compile(r"(<[^>]*>)")


def markdown_inert(fragment: str) -> str:
    """Sanitised HTML whose text can no longer form markdown: in every text segment the
    markdown-active characters become numeric character references. Streamlit parses inline
    markdown even inside ``unsafe_allow_html`` text, so a title ``[Log in](https://evil…)`` would
    otherwise turn into a live link; a reference renders as the same character but is never
    syntax. Runs after nh3 (which would decode the references again)."""
    parts = _TAG.split(fragment)
    for i in range(0, len(parts), 2):  # even indexes are text between tags
        parts[i] = _MD_ACTIVE.sub(lambda m: f"&#{ord(m.group(1))};", parts[i])
    return "".join(parts)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None."""
    if not url or not isinstance(url, str):
        return None
    candidate = url.strip()
    if any(ord(ch) < 0x21 or ch in "\\\"'<>`" for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def sanitise(fragment: str) -> str:
    """The one gate before ``unsafe_allow_html``: nh3 with a short allow-list and http(s) links
    only, then the text made markdown-inert (see ``markdown_inert``)."""
    return markdown_inert(
        nh3.clean(
            fragment,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https"},
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
            filter_style_properties=ALLOWED_STYLE,
        )
    )


def spans_from_evidence(
    text: str, evidence: Iterable[Mapping[str, Any]], label: str = ""
) -> list[tuple[int, int, str]]:
    """(start, end, label) for each evidence item whose surface is really at its offset."""
    spans = []
    for item in evidence:
        start, surface = item.get("start"), item.get("text") or ""
        if not isinstance(start, int) or start < 0 or not surface:
            continue
        end = start + len(surface)
        if text[start:end] != surface:
            continue
        spans.append((start, end, label or str(item.get("type", ""))))
    return spans


def mark(
    text: str, spans: Sequence[tuple[int, int, str]], offset: int = 0,
    colours: Mapping[str, str] | None = None,
) -> str:  # fmt: skip
    """``text`` escaped, with the parts covered by ``spans`` (offsets into a larger string that
    starts ``offset`` characters before ``text``) wrapped in ``<mark>``, in the colour of their
    label when ``colours`` has one. Overlaps merge."""
    local = sorted(
        (max(0, s - offset), min(len(text), e - offset), label)
        for s, e, label in spans
        if e - offset > 0 and s - offset < len(text)
    )
    out, pos = [], 0
    for start, end, label in local:
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(_text(text[pos:start]))
        title = f' title="{html.escape(label, quote=True)}"' if label else ""
        style = _mark_style((colours or {}).get(label, ""))
        out.append(f"<mark{title}{style}>{_text(text[start:end])}</mark>")
        pos = end
    out.append(_text(text[pos:]))
    return "".join(out)


def snippet_windows(
    length: int, spans: Sequence[tuple[int, int, str]], offset: int, radius: int = SNIPPET_RADIUS
) -> list[tuple[int, int]]:
    """The parts of a text of ``length`` characters (starting ``offset`` into the spans'
    string) to show: ``radius`` characters around each span inside it, overlaps merged; the
    opening when no span falls inside."""
    inside = sorted(
        (max(0, s - offset - radius), min(length, e - offset + radius))
        for s, e, _label in spans
        if e - offset > 0 and s - offset < length
    )
    if not inside:
        return [(0, min(length, 2 * radius))]
    merged = [inside[0]]
    for start, end in inside[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _lang_attr(lang: str) -> str:
    return f' lang="{lang}"' if lang and _LANG.fullmatch(lang) else ""


def article_html(
    title: str,
    summary: str,
    url: str | None,
    spans: Sequence[tuple[int, int, str]] = (),
    meta: str = "",
    *,
    lang: str = "",
    colours: Mapping[str, str] | None = None,
    snippet: bool = False,
) -> str:
    """One article as sanitised HTML: the linked title and the summary, evidence marked (in
    the colours of their labels, when given), title and summary marked with the article's
    ``lang``. With ``snippet``, only the summary's parts around the evidence, "…" between."""
    title = title or ""
    summary = summary or ""
    title_html = mark(title, spans, 0, colours)
    link = safe_url(url)
    if link:
        title_html = f'<a href="{html.escape(link, quote=True)}">{title_html}</a>'
    parts = [f"<b{_lang_attr(lang)}>{title_html}</b>"]
    if meta:
        parts.append(f"<small>{_text(meta)}</small>")
    if summary:
        offset = len(title) + 1
        if snippet:
            pieces = []
            for start, end in snippet_windows(len(summary), spans, offset):
                lead = "… " if start > 0 else ""
                tail = " …" if end < len(summary) else ""
                body = mark(summary[start:end], spans, offset + start, colours)
                pieces.append(lead + body + tail)
            text_html = " ".join(pieces)
        else:
            text_html = mark(summary, spans, offset, colours)
        parts.append(f"<span{_lang_attr(lang)}>{text_html}</span>")
    return sanitise("<br>".join(parts))


def _mark_style(colour: str) -> str:
    """The style attribute of a highlight in ``colour`` (one of PALETTE; '' otherwise)."""
    if colour not in PALETTE:
        return ""
    return f' style="background-color:{colour};color:{MARK_TEXT}"'


def legend_html(colours: Mapping[str, str]) -> str:
    """The highlight colours (of PALETTE) and what they stand for, as sanitised HTML."""
    marks = " ".join(f"<mark{_mark_style(c)}>{_text(label)}</mark>" for label, c in colours.items())
    return sanitise(f"<small>Highlights:</small> {marks}")


def evidence_html(
    item: Mapping[str, Any],
    *,
    countries: Iterable[str] | None = None,
    topics: bool = False,
    meta: str = "",
    colours: Mapping[str, str] | None = None,
    snippet: bool = False,
) -> str:
    """An article from ``queries.article_evidence`` as sanitised HTML, with the words that tagged
    it marked and labelled: those of ``countries`` (every country when None) and, with
    ``topics``, those of every topic. The one way every page highlights evidence."""
    title, summary = item["title"] or "", item["summary"] or ""
    text = tagging_text(title, summary)
    tagged: Mapping[str, Any] = item["countries"]
    codes = tagged if countries is None else countries
    spans = []
    for code in codes:
        evidence = [_joined(e, title) for e in tagged.get(code, [])]
        spans += spans_from_evidence(text, evidence, country_name(code))
    if topics:
        for topic, evidence in item["topics"].items():
            joined = [_joined(e, title) for e in evidence]
            spans += spans_from_evidence(text, joined, topic_label(topic))
    return article_html(
        title, summary, item["url"], spans, meta, lang=item.get("language") or "",
        colours=colours, snippet=snippet,
    )  # fmt: skip


def _joined(e: Mapping[str, Any], title: str) -> Mapping[str, Any]:
    """Evidence with its offset into ``tagging_text(title, summary)``, the text this view
    shows: a title or summary offset moved there; body evidence dropped (start None); evidence
    without a field is already there."""
    where = e.get("field")
    if not where:
        return e
    start = e.get("start")
    if where == "title":
        return e
    if where == "summary" and isinstance(start, int):
        return {**e, "start": len(title) + len(TEXT_SEPARATOR) + start}
    return {**e, "start": None}


# --------------------------------------------------------------------------------------------
# The reader view: a whole article, body included, every evidence span marked in its field


def field_spans(
    item: Mapping[str, Any], evidence: Iterable[Mapping[str, Any]], label: str
) -> dict[str, list[tuple[int, int, str]]]:
    """Spans (start, end, label) per field (title, summary, body) of evidence items that name
    their field, kept only where the field's text really holds the surface at the offset."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for e in evidence:
        where = e.get("field")
        text = item.get(where) if where in FIELDS else None
        if not isinstance(where, str) or not isinstance(text, str):
            continue
        out.setdefault(where, []).extend(spans_from_evidence(text, [e], label))
    return out


def reader_colours(codes: Iterable[str]) -> dict[str, str]:
    """Each country's highlight colour in the reader view (PALETTE, in the order given, round
    again), keyed by the country's name (the label its marks carry)."""
    return {country_name(c): PALETTE[i % len(PALETTE)] for i, c in enumerate(codes)}


# An entity's kind (``ingest.tagging.entities.KINDS``) in words, as tables show it.
ENTITY_KINDS = {
    "person": "person",
    "intergovernmental": "international body",
    "alliance": "alliance",
    "armed_group": "armed group",
    "state_media": "state media",
    "ngo": "NGO",
}


def entity_kind(qid: str) -> str:
    """An entity's kind (``KINDS``), empty when the table no longer holds it."""
    entity = entity_by_qid(qid)
    return entity.kind if entity else ""


def entity_name(qid: str) -> str:
    """A person's or organisation's name (the QID when the table no longer holds it)."""
    entity = entity_by_qid(qid)
    return entity.name if entity else qid


def entity_line(counts: Any) -> str:
    """Entities with their article counts (rows of ``queries.story_entities``) in a line:
    "Vladimir Putin (3), NATO (1)"; "—" when there are none."""
    return (
        ", ".join(
            f"{name} ({n:,})" for name, n in zip(counts["name"], counts["articles"], strict=True)
        )
        or "—"
    )


def reader_html(item: Mapping[str, Any], meta: str = "", *, topics: bool = True) -> str:
    """An article to read (from ``queries.article_evidence``, with ``body`` when the store holds
    one): its title, ``meta`` (outlet, date), a legend, and the body — else the summary — in
    paragraphs, with every evidence span marked in its field, each country in its colour (people
    and organisations, ``entities``, in the plain highlight, named on hover). The
    link to the source goes in a line of its own. Sanitised like every highlight."""
    tagged: Mapping[str, Any] = item["countries"]
    colours = reader_colours(tagged)
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for code, evidence in tagged.items():
        for where, found in field_spans(item, evidence, country_name(code)).items():
            spans.setdefault(where, []).extend(found)
    people = {qid: entity_name(qid) for qid in item.get("entities", {})}
    for qid, evidence in item.get("entities", {}).items():
        for where, found in field_spans(item, evidence, people[qid]).items():
            spans.setdefault(where, []).extend(found)
    if topics:
        for topic, evidence in item.get("topics", {}).items():
            for where, found in field_spans(item, evidence, topic_label(topic)).items():
                spans.setdefault(where, []).extend(found)
    lang = _lang_attr(item.get("language") or "")
    title = mark(item.get("title") or "", spans.get("title", []), 0, colours)
    parts = [f"<b{lang}>{title}</b>"]
    if meta:
        parts.append(f"<small>{_text(meta)}</small>")
    if colours:
        marks = " ".join(
            f"<mark{_mark_style(c)}>{_text(name)}</mark>" for name, c in colours.items()
        )
        parts.append(f"<small>Countries:</small> {marks}")
    if people:
        names = " ".join(f"<mark>{_text(name)}</mark>" for name in sorted(set(people.values())))
        parts.append(f"<small>People &amp; organisations:</small> {names}")
    body = item.get("body") or ""
    where, text = ("body", body) if body else ("summary", item.get("summary") or "")
    offset = 0
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            marked = mark(paragraph, spans.get(where, []), offset, colours)
            parts.append(f"<span{lang}>{marked}</span>")
        offset += len(paragraph) + 2
    link = safe_url(item.get("url"))
    if link:
        parts.append(f'<a href="{html.escape(link, quote=True)}">Read it at the source ↗</a>')
    return sanitise("<br><br>".join(parts))

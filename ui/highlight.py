"""Evidence highlighting: the matched words of a tag marked in an article's title and summary
(``evidence_html``), or in the reader view, in its title and body (``reader_html``).

All text is escaped first; only then are the evidence offsets (each into the field it names;
evidence without a field into ``tagging_text(title, summary)``) wrapped in ``<mark>``. The result still passes through nh3 with
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

ALLOWED_TAGS = {"a", "mark", "br", "small", "b"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "mark": {"title", "class"}, "small": {"title"}}

# The reader view gives each country its own colour: class k0…k5 on its marks, drawn with
# Streamlit's own markdown background directive (``:blue-background[…]``) around the mark's
# text, added after sanitising (the text inside is markdown-inert, so it cannot close the
# directive early). No style attribute and no stylesheet reach the page.
READER_COLOURS = ("orange", "blue", "green", "violet", "red", "gray")
_COLOURED = re.compile(r'(<mark [^>]*class="k(\d+)"[^>]*>)([^<]*)(</mark>)')


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


def mark(text: str, spans: Sequence[tuple[int, int, str]], offset: int = 0) -> str:
    """``text`` escaped, with the parts covered by ``spans`` (offsets into a larger string that
    starts ``offset`` characters before ``text``) wrapped in ``<mark>``. Overlaps merge."""
    return mark_classed(text, [(s, e, label, "") for s, e, label in spans], offset)


def field_spans(
    item: Mapping[str, Any], evidence: Iterable[Mapping[str, Any]], label: str, css: str = ""
) -> dict[str, list[tuple[int, int, str, str]]]:
    """Spans (start, end, label, class) per field (title, summary, body) of evidence items that
    name their field, kept only where the field's text really holds the surface at the offset."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for e in evidence:
        where = e.get("field")
        text = item.get(where) if where in FIELDS else None
        if not isinstance(where, str) or not isinstance(text, str):
            continue
        for start, end, name in spans_from_evidence(text, [e], label):
            out.setdefault(where, []).append((start, end, name, css))
    return out


def mark_classed(text: str, spans: Sequence[tuple[int, int, str, str]], offset: int = 0) -> str:
    """``mark`` with a class on each span (the reader view's colours): the one marker."""
    local = sorted(
        (max(0, s - offset), min(len(text), e - offset), label, css)
        for s, e, label, css in spans
        if e - offset > 0 and s - offset < len(text)
    )
    out, pos = [], 0
    for start, end, label, css in local:
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(_text(text[pos:start]))
        attrs = f' title="{html.escape(label, quote=True)}"' if label else ""
        attrs += f' class="{css}"' if css else ""
        out.append(f"<mark{attrs}>{_text(text[start:end])}</mark>")
        pos = end
    out.append(_text(text[pos:]))
    return "".join(out)


def reader_colours(codes: Iterable[str]) -> dict[str, str]:
    """Each country's class in the reader view (k0…k7, in the order given, round again)."""
    return {code: f"k{i % len(READER_COLOURS)}" for i, code in enumerate(codes)}


def reader_html(item: Mapping[str, Any], meta: str = "", *, topics: bool = True) -> str:
    """An article to read (from ``queries.article_evidence``, with ``body`` when the store holds
    one): its title, ``meta`` (outlet, date), a legend, and the body — else the summary — in
    paragraphs, with every evidence span marked in its field, each country in its colour. The
    link to the source goes in a line of its own. Sanitised like every highlight."""
    tagged: Mapping[str, Any] = item["countries"]
    colours = reader_colours(tagged)
    spans: dict[str, list[tuple[int, int, str, str]]] = {}
    for code, evidence in tagged.items():
        for where, found in field_spans(item, evidence, country_name(code), colours[code]).items():
            spans.setdefault(where, []).extend(found)
    if topics:
        for topic, evidence in item.get("topics", {}).items():
            for where, found in field_spans(item, evidence, topic_label(topic), "topic").items():
                spans.setdefault(where, []).extend(found)
    parts = [f"<b>{mark_classed(item.get('title') or '', spans.get('title', []))}</b>"]
    if meta:
        parts.append(f"<small>{_text(meta)}</small>")
    if colours:
        legend = " ".join(
            f'<mark class="{css}">{_text(country_name(code))}</mark>'
            for code, css in colours.items()
        )
        parts.append(f"<small>Countries:</small> {legend}")
    body = item.get("body") or ""
    where, text = ("body", body) if body else ("summary", item.get("summary") or "")
    offset = 0
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            parts.append(mark_classed(paragraph, spans.get(where, []), offset))
        offset += len(paragraph) + 2
    link = safe_url(item.get("url"))
    if link:
        parts.append(f'<a href="{html.escape(link, quote=True)}">Read it at the source ↗</a>')
    return _coloured(sanitise("<br><br>".join(parts)))


def _coloured(fragment: str) -> str:
    """Each country's marks (class k0…) wrapped in its background colour directive."""

    def colour(m: re.Match[str]) -> str:
        name = READER_COLOURS[int(m.group(2)) % len(READER_COLOURS)]
        return f"{m.group(1)}:{name}-background[{m.group(3)}]{m.group(4)}"

    return _COLOURED.sub(colour, fragment)


def article_html(
    title: str,
    summary: str,
    url: str | None,
    spans: Sequence[tuple[int, int, str]] = (),
    meta: str = "",
) -> str:
    """One article as sanitised HTML: the linked title and the summary, evidence marked."""
    title = title or ""
    summary = summary or ""
    title_html = mark(title, spans, 0)
    link = safe_url(url)
    if link:
        title_html = f'<a href="{html.escape(link, quote=True)}">{title_html}</a>'
    parts = [f"<b>{title_html}</b>"]
    if meta:
        parts.append(f"<small>{_text(meta)}</small>")
    if summary:
        parts.append(mark(summary, spans, len(title) + 1))
    return sanitise("<br>".join(parts))


def evidence_html(
    item: Mapping[str, Any],
    *,
    countries: Iterable[str] | None = None,
    topics: bool = False,
    meta: str = "",
) -> str:
    """An article from ``queries.article_evidence`` as sanitised HTML, with the words that tagged
    it marked and labelled: those of ``countries`` (every country when None) and, with
    ``topics``, those of every topic. The one way every page highlights evidence."""
    title, summary = item["title"] or "", item["summary"] or ""
    text = tagging_text(title, summary)
    tagged: Mapping[str, Any] = item["countries"]
    codes = tagged if countries is None else countries
    chosen = [(country_name(c), tagged.get(c, [])) for c in codes]
    if topics:
        chosen += [(topic_label(t), evidence) for t, evidence in item["topics"].items()]
    spans = []
    for label, evidence in chosen:
        spans += spans_from_evidence(text, [_joined(e, title) for e in evidence], label)
    return article_html(title, summary, item["url"], spans, meta)


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

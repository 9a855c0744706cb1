"""Evidence highlighting: the matched words of a tag marked in an article's title and summary.

All text is escaped first; only then are the evidence offsets (into
``tagging_text(title, summary)``) wrapped in ``<mark>``. The result still passes through nh3 with
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
from ingest.records import tagging_text

ALLOWED_TAGS = {"a", "mark", "br", "small", "b"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "mark": {"title"}, "small": {"title"}}


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
        out.append(f"<mark{title}>{_text(text[start:end])}</mark>")
        pos = end
    out.append(_text(text[pos:]))
    return "".join(out)


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
    spans = []
    for code in codes:
        spans += spans_from_evidence(text, tagged.get(code, []), country_name(code))
    if topics:
        for topic, evidence in item["topics"].items():
            spans += spans_from_evidence(text, evidence, topic_label(topic))
    return article_html(title, summary, item["url"], spans, meta)

"""Feed text → plain text: no HTML, no entities, no control characters, one space between words.

Feeds put HTML (sometimes escaped twice) in titles and summaries. Everything Pantau stores and
shows is plain text, so markup is dropped here once: scripts and styles with their content,
comments, then every tag; entities are unescaped until none is left (publishers escape twice:
``&amp;lt;로이터&amp;gt;``, ``Merck &#x26;amp; Co.``), and C0/C1 controls, lone surrogates, BOMs
and non-characters are removed. An entity the feed itself cut off at the end of the text (``영국
&amp;l``) is dropped, and a cut made here never falls inside one (issue 11). Text is composed
(Unicode NFC, ``composed``): a letter typed as a base and a combining mark (Urdu آ as ا + madda,
Vietnamese, text from macOS) is stored, searched and tagged as the one letter the gazetteer
and the lexicon spell.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5

# C0 and C1 controls (tab, newline and CR included: whitespace is collapsed to spaces anyway),
# DEL, lone surrogates, the BOM / zero-width no-break space and the two non-characters.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![^<>]*>|<\?[^<>]*>")
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_WHITESPACE = re.compile(r"\s+")
# An entity cut short at the end of a text: "&" then the start of a name or number, no ";",
# optionally before the feed's own ellipsis ("&lsqu..."). Right after a letter only a lower-case
# start counts ("<빌트&g" is cut; "AT&T" and "R&D" are words).
_CUT_ENTITY = re.compile(
    r"(?:(?<=[^\W_])&(?=[#a-z])|(?<![^\W_])&)"
    r"(#[xX]?[0-9a-fA-F]*|[A-Za-z][A-Za-z0-9]*)?(\s*(?:…|\.{2,}))?$"
)
_ENTITY_NAMES = tuple(name.rstrip(";") for name in html5)
_ROUNDS = 4  # markup escaped up to three times, then its text
_DROPPED_WITH_CONTENT = ("script", "style", "noscript", "template")


def strip_controls(text: str) -> str:
    """``text`` without C0/C1 controls, surrogates, BOMs or non-characters (nothing else changes)."""
    return _FORBIDDEN.sub("", text)


def composed(text: str) -> str:
    """``text`` in Unicode NFC (a base letter and its combining mark as one character)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _drop_elements(markup: str) -> str:
    """Remove <script>…</script> and friends, content included, in linear time."""
    lower = markup.lower()
    if not any(f"<{name}" in lower for name in _DROPPED_WITH_CONTENT):
        return markup
    out: list[str] = []
    position = 0
    while True:
        starts = [(lower.find(f"<{name}", position), name) for name in _DROPPED_WITH_CONTENT]
        starts = [(index, name) for index, name in starts if index >= 0]
        if not starts:
            out.append(markup[position:])
            break
        start, name = min(starts)
        out.append(markup[position:start])
        end = lower.find(f"</{name}", start)
        if end < 0:
            break  # unclosed: drop everything after it
        close = lower.find(">", end)
        position = len(markup) if close < 0 else close + 1
    return " ".join(out)


def _drop_comments(markup: str) -> str:
    if "<!--" not in markup:
        return markup
    out: list[str] = []
    position = 0
    while True:
        start = markup.find("<!--", position)
        if start < 0:
            out.append(markup[position:])
            break
        out.append(markup[position:start])
        end = markup.find("-->", start + 4)
        if end < 0:
            break
        position = end + 3
    return " ".join(out)


def _strip_markup(text: str) -> str:
    text = _drop_comments(_drop_elements(text))
    return _TAG.sub(" ", text)


def clean_text(value: object, *, max_chars: int | None = None) -> str:
    """Plain text of a feed field that may hold HTML, escaped HTML, entities or controls."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = strip_controls(text)
    # Markup, then markup that was escaped once, twice …: strip, unescape, until no entity is
    # left ("AT&amp;T" → "AT&T", which holds none).
    for _ in range(_ROUNDS):
        if "<" in text:
            text = _strip_markup(text)
        if "&" not in text or not _ENTITY.search(text):
            break
        text = strip_controls(html.unescape(text))
    text = drop_cut_entity(composed(_WHITESPACE.sub(" ", text).strip()))
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1]
        space = cut.rfind(" ")
        if space > max_chars * 0.8:
            cut = cut[:space]
        text = drop_cut_entity(cut.rstrip()).rstrip() + "…"
    return text


def drop_cut_entity(text: str) -> str:
    """``text`` without an entity cut off at its end ("… 영국 &l" → "… 영국"), keeping an
    ellipsis that followed it; "AT&T" and a lone "&" at the end stay."""
    if "&" not in text[-40:]:
        return text
    match = _CUT_ENTITY.search(text)
    if match is None or match.group(1) is None:
        return text
    start = match.group(1)
    if not start.startswith("#") and not any(n.startswith(start) for n in _ENTITY_NAMES):
        return text
    return (text[: match.start()].rstrip() + (match.group(2) or "").strip()).rstrip()


def clean_line(value: object, *, max_chars: int) -> str:
    """A short identifier-like string (GUID, language code) without controls or extra spaces."""
    if value is None:
        return ""
    text = strip_controls(value if isinstance(value, str) else str(value))
    text = _WHITESPACE.sub(" ", text).strip()
    return text[:max_chars]

"""An article page's bytes → its main text and what the page says about itself (issue 13).

``extract(html, url, content_type) -> Extraction`` is pure: no database, no network, no state
kept between calls (trafilatura's de-duplication cache, which is global, is not used: the
same page extracted twice gives the same answer). The fetcher hands it the bytes it read; the store
keeps what it returns.

Steps:

1. **Is it a page?** Empty bytes (or only whitespace) → ``empty``. A content type that is not
   HTML/XHTML (``application/pdf``, ``image/…``, ``video/…``, ``application/json``…), or bytes
   that open like a PDF, image, archive or media file whatever the header says → ``not_html``.
2. **Decoding**: BOM, else valid UTF-8, else the HTTP charset, else the page's own
   ``<meta charset>`` / ``http-equiv`` declaration (read with the WHATWG supersets: GB2312 as
   GB18030, Shift_JIS as cp932…), else a statistical guess (charset-normalizer), the way
   ``xml_safety`` reads feeds.
3. **Extraction** with trafilatura (``bare_extraction``; options in ``TRAFILATURA_OPTIONS``,
   chosen by measuring whole configurations on ``bench/bench_extract.py``): main text without
   reader comments, tables kept, the readability/jusText fallbacks on, ``favor_precision``;
   when precision leaves a fragment that the balanced setting more than doubles, the balanced
   text is taken. (De-duplication is off: trafilatura's check also drops a whole document
   whose paragraphs it has just seen, and emptied real pages on the bench.) Bare lines at either
   end of the text go (``_without_bare_edges``: other stories' dates, pagers, lone bullets).
   Paragraphs come back separated by a blank line
   (``"\\n\\n"``), so ``lead`` (the first paragraph of at least ``LEAD_MIN_TOKENS`` tokens, else
   the first) can be found again in ``body``.
4. **Metadata**: title, date and authors from trafilatura (which reads the page's meta tags,
   JSON-LD and markup); a full timestamp is taken from ``article:published_time`` /
   ``datePublished`` when it falls on the date found; the language is detected on the title and
   text (``ingest.language``, seeded) with the page's declared ``lang`` as the prior.
5. **Status** from general signals, never from one site's markup:

   - ``consent``: the text is short (< ``WALL_MAX_TOKENS``) and the page is a consent wall —
     served from a ``consent.`` host, or carrying a consent-management overlay (OneTrust,
     Didomi, Quantcast, Sourcepoint, Usercentrics, Cookiebot, TrustArc, Google Funding Choices…)
     while the little text there is speaks of cookies/consent or there is none;
   - ``paywall``: the page declares itself not free (schema.org ``isAccessibleForFree`` false in
     JSON-LD or microdata, ``article:content_tier`` locked/metered) and the text is short, or
     the text is short and its last paragraphs ask the reader to subscribe or log in (patterns
     in many languages). A complete text behind a metered paywall — served in full, as the
     schema.org paywall markup intends — stays ``ok``;
   - ``video``: ``og:type`` ``video.*`` or a top-level schema.org ``VideoObject``, and the text
     is short;
   - ``too_short``: fewer than ``MIN_TOKENS`` tokens of main text;
   - ``empty``: the page holds no main text at all;
   - ``failed``: the HTML could not be parsed or the extractor raised.

   Whatever text was found is kept in ``body`` for every status (a paywall's teaser included);
   only an ``ok`` body is the article's full text.
"""

from __future__ import annotations

import codecs
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import html as lxml_html
from trafilatura.metadata import extract_metadata

from ingest.extract_score import tokens
from ingest.language import detect_language, normalise_language
from ingest.text_clean import composed
from ingest.xml_safety import _guess_encoding, _normalise_label

STATUSES = ("ok", "too_short", "paywall", "consent", "video", "not_html", "empty", "failed")
EXTRACTOR = f"trafilatura {trafilatura.__version__}"
MIN_TOKENS = 40  # below this the main text is a fragment (CJK: characters, else words)
WALL_MAX_TOKENS = 150  # a paywall teaser / consent notice / video blurb is shorter than this
LEAD_MIN_TOKENS = 8  # a first paragraph shorter than this (a dateline, a byline) is skipped
# Precision first: on the bench it beats trafilatura's balanced default on every source. When
# precision leaves a fragment (< FRAGMENT_TOKENS) that a balanced run more than doubles, its
# pruning went too far and the balanced text is taken.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "no_fallback": False,
    "favor_precision": True,
}
BALANCED_OPTIONS: dict[str, Any] = {**TRAFILATURA_OPTIONS, "favor_precision": False}
FRAGMENT_TOKENS = 200


@dataclass(frozen=True)
class Extraction:
    """What ``extract`` found on one page."""

    status: str  # one of STATUSES
    body: str | None = None  # main text, paragraphs separated by "\n\n"
    title: str | None = None
    published: date | datetime | None = None  # a datetime (UTC) when the page gives the time
    authors: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-1
    chars: int = 0  # len(body)
    extractor: str = EXTRACTOR
    lead: str | None = None  # the first paragraph of body (see LEAD_MIN_TOKENS)
    detail: str | None = None  # why the status, in words, for the logs and the store


# ---------------------------------------------------------------------------------------------
# 1. Is it a page?

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
# Magic numbers of things that are not pages, whatever the Content-Type says.
_NOT_HTML_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"PK\x03\x04",  # zip, docx, epub
    b"\x1f\x8b",  # gzip
    b"ID3",  # mp3
    b"OggS",
    b"\x1aE\xdf\xa3",  # webm / mkv
    b"RIFF",  # wav, avi, webp
)
_MP4 = re.compile(rb"^.{4}ftyp")


def _not_html(body: bytes, content_type: str | None) -> str | None:
    head = body.lstrip()[:16]
    if head.startswith(_NOT_HTML_MAGIC) or _MP4.match(body[:12]):
        return "the bytes are a binary file (PDF, image, archive or media), not a page"
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type and media_type not in _HTML_TYPES:
            return f"content type {media_type} is not HTML"
    return None


# ---------------------------------------------------------------------------------------------
# 2. Decoding

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">, in the
# first 4 KB as browsers' prescan reads them (1 KB in the standard; real pages put long
# <script>s first).
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
_PRESCAN_BYTES = 4096


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding) of an HTML page's bytes; never raises."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace"), encoding
    try:
        # Valid UTF-8 is UTF-8: text in a legacy encoding practically never is.
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    labels = []
    http = _HTTP_CHARSET.search(content_type or "")
    if http:
        labels.append(http.group(1))
    meta = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    if meta:
        labels.append(meta.group(1).decode("ascii"))
    for label in labels:
        normal = _normalise_label(label)
        if normal is None or normal.startswith(("utf-16", "utf-32")):
            continue
        try:
            return body.decode(normal), normal
        except UnicodeDecodeError:
            continue
    guessed = _guess_encoding(body) or "cp1252"
    return body.decode(guessed, "replace"), guessed


# ---------------------------------------------------------------------------------------------
# 5. Signals for the status

_CONSENT_MARKERS = re.compile(
    r"""(?:id|class)\s*=\s*["'][^"']*(?:onetrust|didomi|qc-cmp|sp_message_container|"""
    r"""usercentrics|cybotcookiebot|truste-consent|fc-consent-root|cmpbox|consent-wall|"""
    r"""consentwall|cookiewall|cookie-wall|gdpr-consent|borlabs-cookie|cmp-container|"""
    r"""cookielaw)""",
    re.IGNORECASE,
)
_CONSENT_WORDS = re.compile(
    r"cookie|consent|privacy|datenschutz|einwilligung|zustimm|consentement|"
    r"consentimiento|consenso|toestemming|samtykke|samtycke|zgod|souhlas|согласи|"
    r"partner|vendor|anbieter|partenaires|socios",
    re.IGNORECASE,
)
# Calls to subscribe or log in that end a paywalled teaser, in the languages Pantau reads:
# whole phrases, so an article that merely mentions subscribers (or an "assassination") is not
# taken for one.
_SUBSCRIBE = re.compile(
    r"subscribe (?:now |today )?to (?:read|continue|unlock|get)|already (?:a )?subscriber|"
    r"(?:sign|log) ?in to (?:continue|read|keep)|to continue reading|subscribers only|"
    r"(?:exclusive|available) (?:only )?(?:to|for) subscribers|for subscribers|"
    r"subscribe for full access|start your (?:free )?(?:trial|subscription)|"
    r"jetzt abonnieren|weiterlesen mit|bereits abonnent|nur für abonnenten|abo abschließen|"
    r"réservé aux abonnés|abonnez-vous|déjà abonné|"
    r"exclusivo para (?:suscriptores|assinantes)|suscríbete|ya eres suscriptor|"
    r"riservato agli abbonati|già abbonato|abbonati per|"
    r"já é assinante|assine (?:já|agora)|"
    r"alleen voor abonnees|word abonnee|al abonnee|"
    r"för prenumeranter|redan prenumerant|for abonnenter|allerede abonnent|"
    r"tylko dla (?:subskrybentów|prenumeratorów)|wykup (?:subskrypcję|dostęp|prenumeratę)|"
    r"pro předplatitele|"
    r"только (?:для )?подписчик|оформите подписку|для передплатників|"
    r"khusus pelanggan|berlangganan untuk|abone ol|abonelere özel|"
    r"للمشتركين فقط|اشترك الآن|"
    r"有料会員|会員限定|订阅后|付费阅读|訂閱後|유료 ?회원|구독자 전용",
    re.IGNORECASE,
)
_LD_JSON_XPATH = '//script[@type="application/ld+json"]/text()'


def _ld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    """Top-level JSON-LD objects of the page (``@graph`` members included)."""
    found: list[dict] = []
    for raw in tree.xpath(_LD_JSON_XPATH):
        try:
            data = json.loads(raw)
        except (ValueError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if not isinstance(item, dict):
                continue
            found.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                found.extend(member for member in graph if isinstance(member, dict))
    return found


def _is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _types(item: dict) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k for k in kinds if isinstance(k, str)}


def _paywall_declared(tree: lxml_html.HtmlElement, ld: list[dict]) -> bool:
    for item in ld:
        if _is_false(item.get("isAccessibleForFree")):
            return True
        part = item.get("hasPart")
        parts = part if isinstance(part, list) else [part]
        if any(isinstance(p, dict) and _is_false(p.get("isAccessibleForFree")) for p in parts):
            return True
    for value in tree.xpath(
        '//*[@itemprop="isAccessibleForFree"]/@content'
        ' | //meta[@name="isAccessibleForFree"]/@content'
    ):
        if _is_false(value):
            return True
    tiers = tree.xpath('//meta[@property="article:content_tier"]/@content')
    return any(t.strip().lower() in ("locked", "metered") for t in tiers)


def _video_declared(tree: lxml_html.HtmlElement, ld: list[dict]) -> bool:
    og_types = tree.xpath('//meta[@property="og:type"]/@content')
    if any(t.strip().lower().startswith("video") for t in og_types):
        return True
    return any("VideoObject" in _types(item) for item in ld)


def _consent_wall(text: str, url: str | None, body: str | None) -> bool:
    host = urlsplit(url).hostname or "" if url else ""
    if host.startswith(("consent.", "myprivacy.", "privacy.")):
        return True
    if not _CONSENT_MARKERS.search(text):
        return False
    return body is None or len(tokens(body)) < MIN_TOKENS or bool(_CONSENT_WORDS.search(body))


def _asks_to_subscribe(paragraphs: list[str]) -> bool:
    return any(_SUBSCRIBE.search(p) for p in paragraphs[-3:] if len(tokens(p)) < MIN_TOKENS)


# ---------------------------------------------------------------------------------------------
# 4. Metadata

_TIMESTAMP_XPATH = (
    '//meta[@property="article:published_time"]/@content'
    ' | //meta[@itemprop="datePublished"]/@content'
    ' | //meta[@name="pubdate"]/@content'
)


def _timestamps(tree: lxml_html.HtmlElement, ld: list[dict]) -> list[str]:
    values = [str(v) for v in tree.xpath(_TIMESTAMP_XPATH)]
    values += [item["datePublished"] for item in ld if isinstance(item.get("datePublished"), str)]
    return values


def _published(day: str | None, stamps: list[str]) -> date | datetime | None:
    try:
        found = date.fromisoformat(day[:10]) if day else None
    except ValueError:
        found = None
    for stamp in stamps:
        try:
            moment = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None or (found is not None and moment.date() != found):
            continue
        return moment.astimezone(UTC)
    return found


def _declared_language(tree: lxml_html.HtmlElement) -> str | None:
    for value in tree.xpath(
        "/html/@lang | /html/@xml:lang"
        ' | //meta[@http-equiv="content-language" or @http-equiv="Content-Language"]/@content'
        ' | //meta[@property="og:locale"]/@content',
        namespaces={"xml": "http://www.w3.org/XML/1998/namespace"},
    ):
        code = normalise_language(str(value).split(",")[0])
        if code:
            return code
    return None


def _authors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(a.strip() for a in value.split(";") if a.strip()))


# A bare line: a date or time stamp with at most BARE_WORDS words beside it (a related story's
# date in a list beside the article, "- Kamis, 05/11/2015 09:25 WIB"), or a line with no word at
# all (a pager's "01", a lone bullet).
_STAMP = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}:\d{2}")
_LETTER_WORDS = re.compile(r"[^\W\d_]+")
BARE_WORDS = 4  # at most this many words of letters beside the stamp (a weekday, a month, a zone)


def _bare(line: str) -> bool:
    words = _LETTER_WORDS.findall(line)
    return not words or (len(words) <= BARE_WORDS and _STAMP.search(line) is not None)


def _without_bare_edges(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the runs of bare lines (``_bare``) at either end: lists of other
    stories' dates and pagers that the extraction took in around the article. A bare line
    inside the text stays."""
    start, end = 0, len(paragraphs)
    while start < end and _bare(paragraphs[start]):
        start += 1
    while end > start and _bare(paragraphs[end - 1]):
        end -= 1
    return paragraphs[start:end]


def _lead(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs:
        if len(tokens(paragraph)) >= LEAD_MIN_TOKENS:
            return paragraph
    return paragraphs[0] if paragraphs else None


# ---------------------------------------------------------------------------------------------


def _status(
    paragraphs: list[str],
    count: int,
    text: str,
    url: str | None,
    tree: lxml_html.HtmlElement,
    ld: list[dict],
) -> tuple[str, str | None]:
    body = "\n\n".join(paragraphs) or None
    if count < WALL_MAX_TOKENS:
        if _consent_wall(text, url, body):
            return "consent", "a consent wall: consent-manager overlay and little text"
        if _paywall_declared(tree, ld):
            return "paywall", "the page declares itself not free and holds a short text"
        if count and _asks_to_subscribe(paragraphs):
            return "paywall", "a short text that ends asking the reader to subscribe"
        if _video_declared(tree, ld):
            return "video", "a video page (og:type video / VideoObject) with little text"
    if not count:
        return "empty", "no main text found on the page"
    if count < MIN_TOKENS:
        return "too_short", f"{count} tokens of main text (< {MIN_TOKENS})"
    return "ok", None


# trafilatura keeps compiled lxml XPath objects at module level and lxml's are not thread-safe:
# two threads extracting at once (enrich's fetch threads) crashed the process (SIGSEGV in
# trafilatura's prune_unwanted_nodes). Extraction is CPU work under the GIL anyway, so one page
# at a time in a process costs the fetch threads nothing but the wait.
_LXML_LOCK = threading.Lock()


def extract(html: bytes, url: str | None = None, content_type: str | None = None) -> Extraction:
    """Main text, metadata and status of one article page (see the module docstring); one page
    at a time per process (``_LXML_LOCK``)."""
    with _LXML_LOCK:
        return _extract(html, url, content_type)


def _extract(html: bytes, url: str | None, content_type: str | None) -> Extraction:
    if not html or not html.strip():
        return Extraction(status="empty", detail="no bytes")
    refusal = _not_html(html, content_type)
    if refusal:
        return Extraction(status="not_html", detail=refusal)
    text, _ = decode_html(html, content_type)
    if "<" not in text:
        return Extraction(status="not_html", detail="no markup in the document")
    try:
        tree = trafilatura.utils.load_html(text)
        if tree is None:
            return Extraction(status="failed", detail="the HTML could not be parsed")
        ld = _ld_objects(tree)
        stamps = _timestamps(tree, ld)
        declared = _declared_language(tree)
        document: Any = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, **TRAFILATURA_OPTIONS
        )
        raw = (document.text if document is not None else None) or ""
        count = len(tokens(raw))
        if count < FRAGMENT_TOKENS:
            balanced: Any = trafilatura.bare_extraction(tree, url=url, **BALANCED_OPTIONS)
            if balanced is not None and len(tokens(balanced.text)) > 2 * count:
                raw = balanced.text
    except Exception as error:  # noqa: BLE001 - one bad page must never stop a run
        return Extraction(status="failed", detail=f"{type(error).__name__}: {error}"[:300])
    if document is None:  # no text at all: the page's metadata still names the article
        try:
            document = extract_metadata(tree, url)
        except Exception:  # noqa: BLE001
            document = None
    paragraphs = _without_bare_edges(
        [composed(line.strip()) for line in raw.split("\n") if line.strip()]
    )
    body = "\n\n".join(paragraphs) or None
    count = len(tokens(body))
    status, detail = _status(paragraphs, count, text, url, tree, ld)
    title = (composed(document.title or "") or None) if document is not None else None
    language, _ = detect_language(title or "", body or "", declared)
    return Extraction(
        status=status,
        body=body,
        title=title,
        published=_published(document.date if document is not None else None, stamps),
        authors=_authors(document.author if document is not None else None),
        language=language,
        chars=len(body or ""),
        lead=_lead(paragraphs),
        detail=detail,
    )

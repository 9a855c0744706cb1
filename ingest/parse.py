"""Feed bytes → clean ``Article`` records (feedparser on bytes, never on a URL or a path).

``parse_feed`` never raises on bad input: what cannot be used comes back as a ``ParsedFeed``
with no articles and one ``error_category``:

- ``too_large``: the body is over ``max_body_bytes``;
- ``empty``: no bytes, or only whitespace;
- ``xml_attack``: entity declarations or an external DTD (see ``ingest.xml_safety``);
- ``not_a_feed``: an HTML page, or XML that is neither RSS, RDF nor Atom;
- ``encoding``: no entries, and the bytes could only be read by guessing their encoding;
- ``malformed``: no entries, and the parser reported the document broken (``bozo``).

A well-formed feed with no items is not an error (``articles == []``, ``error is None``).

Every string in the result is free of HTML, C0/C1 controls and surrounding whitespace; dates are
aware UTC; links are canonical http(s) URLs or ``None``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import feedparser

from ingest import config
from ingest.canonical import canonical_url, normalise_title, url_key
from ingest.feed_dates import from_struct_time, parse_date
from ingest.language import normalise_language
from ingest.records import Article
from ingest.text_clean import clean_line, clean_text
from ingest.xml_safety import prepare

ERROR_CATEGORIES = ("not_a_feed", "empty", "malformed", "encoding", "xml_attack", "too_large")

MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 4000
MAX_GUID_CHARS = 1000
MAX_FEED_TITLE_CHARS = 300
FUTURE_TOLERANCE = timedelta(minutes=10)
_TITLE_FROM_SUMMARY_CHARS = 140

# The link back that WordPress's SEO plugin (Yoast) appends to every feed item, in the site's
# language: "The post <title> appeared first on <site>." It names the outlet, not the story
# (an outlet called "… Korea" would tag Korea), so a summary loses it. Each pair is the opening
# and the joint of one language's template (Yoast's ``rssafter`` setting as sites ship it).
WORDPRESS_FOOTERS = (
    ("The post", "appeared first on"),  # en
    ("Der Beitrag", "erschien zuerst auf"),  # de
    ("L'article", "est apparu en premier sur"),  # fr
    ("L’article", "est apparu en premier sur"),
    ("La entrada", "se publicó primero en"),  # es
    ("O post", "apareceu primeiro em"),  # pt
    ("L'articolo", "proviene da"),  # it
    ("L’articolo", "proviene da"),
)
# At the end of the summary; the title part cannot hold the opening again, so an earlier
# "The post office …" in the text is never where the cut starts.
_WORDPRESS_FOOTER = re.compile(
    "|".join(
        rf"(?:^|\s){re.escape(opening)}\s(?:(?!{re.escape(opening)}\s).){{1,400}}?"
        rf"\s{re.escape(joint)}\s.{{1,200}}$"
        for opening, joint in WORDPRESS_FOOTERS
    )
)

_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)


@dataclass
class ParsedFeed:
    title: str | None
    site_url: str | None
    language: str | None  # the feed's declared language, ISO 639-1
    articles: list[Article] = field(default_factory=list)
    error: str | None = None  # a human message when the feed is unusable
    error_category: str | None = None  # one of ERROR_CATEGORIES
    warnings: list[str] = field(default_factory=list)


def _failure(category: str, message: str, warnings: list[str] | None = None) -> ParsedFeed:
    return ParsedFeed(None, None, None, [], message, category, list(warnings or []))


def _http_url(value: object, base: str | None) -> str | None:
    """A canonical absolute http(s) URL from a feed link (relative links resolved on ``base``)."""
    if not isinstance(value, str):
        return None
    link = value.strip()
    if not link:
        return None
    if base and "://" not in link[:12]:
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    return canonical_url(link)


def _entry_link(entry: dict, base: str | None) -> str | None:
    candidates = [entry.get("link")]
    for link in entry.get("links") or []:
        if isinstance(link, dict) and link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    if entry.get("guidislink"):
        candidates.append(entry.get("id"))
    for candidate in candidates:
        url = _http_url(candidate, base)
        if url:
            return url
    return None


def without_wordpress_footer(summary: str) -> str:
    """``summary`` without the WordPress "The post … appeared first on …" link back at its end."""
    return _WORDPRESS_FOOTER.sub("", summary).rstrip()


def _entry_summary(entry: dict) -> str:
    summary = without_wordpress_footer(
        clean_text(entry.get("summary"), max_chars=MAX_SUMMARY_CHARS)
    )
    if summary:
        return summary
    for content in entry.get("content") or []:
        if isinstance(content, dict):
            summary = without_wordpress_footer(
                clean_text(content.get("value"), max_chars=MAX_SUMMARY_CHARS)
            )
            if summary:
                return summary
    return ""


def _entry_date(entry: dict) -> datetime | None:
    for name in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get maps "updated" to "published" with a warning.
        parsed = from_struct_time(dict.get(entry, f"{name}_parsed"))
        if parsed is None:
            parsed = parse_date(dict.get(entry, name))
        if parsed is not None:
            return parsed
    return None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _title_from_summary(summary: str) -> str:
    if len(summary) <= _TITLE_FROM_SUMMARY_CHARS:
        return summary
    cut = summary[: _TITLE_FROM_SUMMARY_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 60 else cut).rstrip() + "…"


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:4096]))


def _run_feedparser(data: bytes) -> dict:
    # Bytes wrapped in a stream: feedparser treats a bare bytes/str argument as a possible URL
    # or file path and would open it. It never fetches anything here.
    return feedparser.parse(
        io.BytesIO(data),
        # No content-location: feedparser would resolve GUIDs as if they were URLs. Links are
        # resolved against the feed URL in parse_feed.
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,  # the HTML is reduced to text
        sanitize_html=True,  # drops <script>/<style> content before we strip the tags
    )


def parse_feed(
    body: bytes,
    *,
    feed_url: str,
    fetched_at: datetime,
    content_type: str | None = None,
    feed_key: str | Callable[[str | None], str] | None = None,
) -> ParsedFeed:
    """Parse a feed body into cleaned, keyed ``Article`` records (never raises on bad input)."""
    if not isinstance(body, bytes | bytearray | memoryview):
        return _failure("empty", "no body")
    body = bytes(body)
    limit = config.get("max_body_bytes")
    if len(body) > limit:
        return _failure("too_large", f"body of {len(body):,} bytes is over the {limit:,} limit")
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        return _failure("empty", "the body is empty")

    fetched_at = _as_utc(fetched_at)
    feed_key = feed_key if feed_key is not None else feed_url
    base = canonical_url(feed_url) if isinstance(feed_url, str) else None

    prepared = prepare(body, content_type)
    warnings = list(prepared.warnings)
    if prepared.attack:
        return _failure("xml_attack", prepared.attack, warnings)
    if not prepared.text.strip():
        return _failure("empty", "the body holds no text", warnings)

    try:
        result = _run_feedparser(prepared.data)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the poll
        return _failure("malformed", f"the parser failed: {type(exc).__name__}", warnings)
    bozo_message = None
    if result.get("bozo"):
        exception = result.get("bozo_exception")
        bozo_message = clean_line(f"{type(exception).__name__}: {exception}", max_chars=300)

    entries = result.get("entries") or []
    feed_info = result.get("feed") or {}
    version = result.get("version") or ""
    if not entries:
        if _looks_like_html(prepared.text):
            return _failure("not_a_feed", "an HTML page, not a feed", warnings)
        if prepared.guessed:
            return _failure(
                "encoding",
                f"no entries; the body's encoding could only be guessed ({prepared.encoding})",
                warnings,
            )
        if not prepared.text.lstrip().startswith("<"):
            return _failure("not_a_feed", "not XML (no markup at the start)", warnings)
        if bozo_message:
            return _failure(
                "malformed", f"no entries and not well-formed: {bozo_message}", warnings
            )
        if not version:
            return _failure("not_a_feed", "XML, but not RSS, RDF or Atom", warnings)
    elif bozo_message:
        warnings.append(f"not well-formed, read leniently: {bozo_message}")

    feed_title = clean_text(feed_info.get("title"), max_chars=MAX_FEED_TITLE_CHARS) or None
    site_url = _http_url(feed_info.get("link"), base)
    language = normalise_language(feed_info.get("language"))
    if callable(feed_key):  # a key that depends on the feed's own site link (saved files)
        feed_key = feed_key(site_url)

    articles: list[Article] = []
    seen: dict[str, tuple[str | None, str]] = {}
    dropped = clamped_future = 0
    for entry in entries:
        title = clean_text(entry.get("title"), max_chars=MAX_TITLE_CHARS)
        summary = _entry_summary(entry)
        url = _entry_link(entry, base)
        guid = clean_line(entry.get("id"), max_chars=MAX_GUID_CHARS) or None
        if not title:
            title = _title_from_summary(summary)
        if not title:  # no title and no summary: nothing to show, nothing to tag
            dropped += 1
            continue
        published = _entry_date(entry)
        clamped = False
        if published is None:
            published, clamped = fetched_at, True
        elif published > fetched_at + FUTURE_TOLERANCE:
            published, clamped = fetched_at, True
            clamped_future += 1
        key = url_key(url, guid, feed_key, title)
        identity = (url, normalise_title(title))
        if key in seen:
            if seen[key] == identity:
                dropped += 1  # the same item twice in one document
                continue
            # Same URL or GUID, different item (e.g. a GUID reused for another story): keep
            # both, the second keyed on its title too so the key stays stable across polls.
            key = url_key(None, f"{guid or url or ''}\n{identity[1]}", feed_key, title)
            if key in seen:
                dropped += 1
                continue
        seen[key] = identity
        articles.append(
            Article(
                url_key=key,
                url=url,
                guid=guid,
                title=title,
                summary=summary,
                published_at=published,
                fetched_at=fetched_at,
                published_clamped=clamped,
                feed_language=language,
            )
        )
    if dropped:
        warnings.append(f"{dropped} item(s) without text, or repeated, were skipped")
    if clamped_future:
        warnings.append(f"{clamped_future} item date(s) in the future were clamped to fetch time")
    if entries and not articles:
        return _failure(
            "malformed", "entries were found but none has a title or any text", warnings
        )
    return ParsedFeed(feed_title, site_url, language, articles, None, None, warnings)

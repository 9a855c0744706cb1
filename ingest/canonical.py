"""Canonical article URLs and the dedupe key built on them.

``canonical_url`` turns the many spellings of one link into one string: lower-cased scheme and
host, no default port, no credentials, no fragment, no known tracking parameters, the remaining
query pieces sorted. Only http(s) URLs with a plausible host survive; anything else is ``None``.

``url_key`` is the article's identity in the store: the SHA-1 of the canonical URL, else of the
feed's key and GUID, else of the feed's key and the normalised title (the order Miniflux and
rss-fetcher use), the fields written so that no two different inputs meet (``key_material``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Query parameters that only say where a click came from. Removed whatever their value.
_TRACKER_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "ocid",
        "cmpid",
        "xtor",  # AT Internet (Le Monde, France Télévisions…)
        "maca",  # Deutsche Welle feed campaign
        "wt_mc",  # Webtrends (heise)
        "wt.mc_id",
        "wt_zmc",
        "_ga",
        "_gl",
        "__twitter_impression",
    }
)
# Prefixes of tracker families: Google Analytics (utm_), comScore (ns_), AT Internet / BBC (at_…).
_TRACKER_PATTERN = re.compile(
    r"^(utm_\w*|ns_\w*|at_(medium|campaign|custom\d*|link_\w+|ptr_\w+|bbc_team|format|source))$"
)
# Parameters that mark a feed click only when their value says so ("?ref=rss", "?from=RSS",
# "?traffic_source=rss", "?cloc=rss-news-global"). "?ref=home" or "?source=reuters" stay.
_FEED_MARKER_NAMES = frozenset(
    {"ref", "from", "source", "src", "traffic_source", "icid", "partner", "emc", "cloc", "cmp"}
)
_FEED_MARKER_VALUE = re.compile(r"^(rss|feed|feeds|atom|rssfeed)([-_.:][\w.-]*)?$", re.IGNORECASE)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_PATTERN = re.compile(r"^[\w.-]+$", re.UNICODE)
_SCHEME_IN_HOST = re.compile(r"https?://", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_MAX_URL_CHARS = 4096


def _repair_concatenated(url: str) -> str:
    """'http://a.comhttp://a.com/x' (a second URL glued into the host) → the last URL."""
    while True:
        scheme_end = url.find("://")
        if scheme_end < 0:
            return url
        rest = url[scheme_end + 3 :]
        host_end = len(rest)
        for sep in "/?#":
            position = rest.find(sep)
            if 0 <= position < host_end:
                host_end = position
        # The authority ends at the first "/", so a glued "http://" shows up as "http:" in it.
        glued = re.search(r"https?:", rest[: host_end + 1], re.IGNORECASE)
        if not glued or not _SCHEME_IN_HOST.match(rest, glued.start()):
            return url
        url = rest[glued.start() :]


def _clean_host(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if not _HOST_PATTERN.match(host) or ".." in host or host.startswith(("-", ".")):
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host


def _keep_query_piece(piece: str) -> bool:
    name, _, value = piece.partition("=")
    name = unquote(name).strip().lower()
    if not name:
        return bool(value)
    if name in _TRACKER_NAMES or _TRACKER_PATTERN.match(name):
        return False
    return not (name in _FEED_MARKER_NAMES and _FEED_MARKER_VALUE.match(unquote(value).strip()))


_URI_SAFE = "/:@!$&()*+,;=%~?"


def canonical_url(url: str) -> str | None:
    """The canonical http(s) form of ``url``, or ``None`` when it is not a usable web link."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > _MAX_URL_CHARS:
        return None
    url = _repair_concatenated(url)
    # Browsers drop tabs and newlines inside URLs; other controls and spaces make it unusable
    # as written, so percent-encode spaces and drop the rest.
    url = re.sub(r"[\t\r\n]", "", url).replace(" ", "%20")
    url = _CONTROL.sub("", url)
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        port = parts.port
        if parts.netloc.rpartition("@")[2].startswith("["):
            host: str | None = f"[{ipaddress.IPv6Address(parts.hostname or '')}]"
        else:
            host = _clean_host(parts.hostname or "")
    except ValueError:  # bad port, bad IPv6 literal
        return None
    if host is None:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Characters a URI may not hold (quotes, angle brackets, braces, backslash…) are
    # percent-encoded; existing %XX escapes and the reserved delimiters stay as they are.
    path = quote(parts.path or "/", safe=_URI_SAFE)
    pieces = [
        quote(p, safe=_URI_SAFE) for p in parts.query.split("&") if p and _keep_query_piece(p)
    ]
    query = "&".join(sorted(pieces))
    return urlunsplit((scheme, netloc, path, query, ""))


def normalise_title(title: str) -> str:
    """Case-, accent-width- and whitespace-insensitive form of a title, for keys."""
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(folded.split())


def key_material(url: str | None, guid: str | None, feed_key: str, title: str) -> str:
    """The text ``url_key`` hashes: one field (the canonical URL) or a JSON array of fields.

    The canonical URL stands alone. The feed's key and its GUID (or normalised title) are two
    fields, written as a JSON array so that no two different pairs give the same text: joined
    bare, feed 1's GUID "234567" and feed 12's GUID "34567" were one key (issue 16). A JSON
    array starts with "[", so it never meets a "url:" text either.
    """
    canonical = canonical_url(url) if url else None
    if canonical:
        return "url:" + canonical
    if guid and guid.strip():
        fields = ["guid", feed_key or "", guid.strip()]
    else:
        fields = ["title", feed_key or "", normalise_title(title or "")]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def url_key(url: str | None, guid: str | None, feed_key: str, title: str) -> str:
    """SHA-1 hex identity of an article: canonical URL, else feed + GUID, else feed + title."""
    material = key_material(url, guid, feed_key, title)
    return hashlib.sha1(material.encode("utf-8", "surrogatepass")).hexdigest()


# --- Keys written before issue 16 (migration 0005 re-keys them) -----------------------------
# The feed's key and the GUID or title were joined bare ("guid:" + feed_key + guid), so feed 1's
# GUID "234567" and feed 12's GUID "34567" met. Only ``rekeyed`` reads this format.


def rekeyed(
    stored_key: str,
    url: str | None,
    guid: str | None,
    title: str,
    feed_keys: Iterable[str | None],
) -> str | None:
    """The key today's ``url_key`` gives a stored article whose key is in the old format.

    ``feed_keys`` are the keys its feed may have been ingested under (the poller's
    ``feed:{id}``, an import's feed URL). Each way parsing may have keyed the item is tried —
    GUID, title, and the second item of a document that repeats a GUID or URL — and the one
    that reproduces ``stored_key`` is re-keyed with the same inputs. ``None`` when no way
    reproduces it: a URL key (its format is unchanged) or a key of unknown origin, which stays.
    """
    if url and hashlib.sha1(("url:" + url).encode("utf-8", "surrogatepass")).hexdigest() == (
        stored_key
    ):
        return None  # stored links are canonical already: the common case, one hash
    folded = normalise_title(title or "")
    repeated = f"{guid or url or ''}\n{folded}"
    for feed_key in feed_keys:
        if feed_key is None:
            continue
        for way in (guid, repeated, None):
            if way and way.strip():
                old = "guid:" + feed_key + way.strip()
            else:
                old = "title:" + feed_key + folded
            if hashlib.sha1(old.encode("utf-8", "surrogatepass")).hexdigest() == stored_key:
                return url_key(None, way, feed_key, title)
    return None

"""Feed bytes → safe UTF-8 XML for feedparser, or a refusal.

Two jobs, done before feedparser sees a byte:

1. **Decoding.** The body is decoded to text once, here: BOM, else UTF-8 when the bytes are valid
   UTF-8, else the HTTP charset, else the XML declaration (read with the WHATWG supersets:
   GB2312 as GB18030, ISO-8859-1 as windows-1252, …), else a statistical guess
   (charset-normalizer), else windows-1252/Latin-1. The text is then re-encoded as UTF-8 with a
   matching declaration, so expat never meets an encoding it refuses (GB2312) and every later
   check reads the same characters the parser will.
2. **Refusing XML attacks.** A document may not declare entities (``<!ENTITY`` anywhere outside
   comments, CDATA and processing instructions: billion laughs, quadratic blow-up, XXE,
   parameter entities), and a DOCTYPE may only name an external DTD from a short list of
   well-known public ones (RSS 0.91, HTML, XHTML), which is never fetched. This is the rule of
   defusedxml (``forbid_entities``, ``forbid_external``) applied as a pre-scan on the text, so
   that it also covers feedparser's loose fallback parser and needs no extra dependency.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

# WHATWG Encoding Standard: labels browsers decode with a superset.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Opening "<?" or "<" in UTF-16/32 without a BOM (XML 1.0 appendix F).
_SNIFF = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_EBCDIC_XML_DECLARATION = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC (code page 037)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]{0,300}?\?>")
# Characters XML 1.0 forbids (and expat rejects); C1 controls are dropped too.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_CHAR_REFERENCE = re.compile(r"&#([xX][0-9a-fA-F]+|[0-9]+);")


def _drop_bad_reference(match: re.Match[str]) -> str:
    """Keep a character reference only if it names a character XML allows (not NUL,
    controls, surrogates or beyond U+10FFFF): feedparser's loose parser chokes on those."""
    digits = match.group(1)
    if len(digits) > 9:
        return ""
    code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF:
        return match.group(0)
    if 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return match.group(0)
    return ""


# One left-to-right pass over the markup constructs that can hide or carry declarations.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)|<!(?P<decl>ENTITY|DOCTYPE)",
    re.DOTALL | re.IGNORECASE,
)
_EXTERNAL_ID = re.compile(
    r"""\s+[^\s\[>]+\s+(?:(?P<kind>PUBLIC|SYSTEM)\s*(?P<q1>["'])(?P<first>.*?)(?P=q1)"""
    r"""(?:\s*(?P<q2>["'])(?P<second>.*?)(?P=q2))?)?""",
    re.DOTALL | re.IGNORECASE,
)
_EXTERNAL_KEYWORD = re.compile(r"\s+[^\s\[>]+\s+(PUBLIC|SYSTEM)\b", re.IGNORECASE)
_DOCTYPE_WINDOW = 4096
# Public identifiers of DTDs that real feeds and web pages carry; never fetched, just allowed.
_KNOWN_PUBLIC_IDS = re.compile(
    r"^-//(Netscape Communications//DTD RSS 0\.9[0-9]|W3C//DTD (X?HTML|XHTML Basic) [\w. /-]*"
    r"|W3C//DTD XHTML 1\.[01][\w ]*|W3C//ENTITIES [\w ]*for XHTML|IETF//DTD HTML[\w .]*"
    r"|W3C//DTD HTML [\w .]*)//EN$",
    re.IGNORECASE,
)
_KNOWN_SYSTEM_IDS = re.compile(
    r"^https?://(my\.netscape\.com/publish/formats/rss-0\.9[0-9]\.dtd"
    r"|www\.rssboard\.org/[\w./-]*\.dtd|my\.userland\.com/[\w./-]*\.dtd"
    r"|www\.w3\.org/TR/[\w./-]*\.dtd)$",
    re.IGNORECASE,
)


@dataclass
class PreparedXml:
    """The outcome of ``prepare``: UTF-8 bytes for feedparser, or why there are none."""

    data: bytes = b""
    encoding: str | None = None  # the encoding the body was read with
    guessed: bool = False  # True when no BOM/valid UTF-8/declaration decided it
    attack: str | None = None  # set when the document was refused as an XML attack
    text: str = ""
    warnings: list[str] = field(default_factory=list)


def _normalise_label(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(_SUPERSETS.get(label, label)).name
    except LookupError:
        return None
    return codecs.lookup(_SUPERSETS.get(name, name)).name


def _decode(body: bytes, content_type: str | None, warnings: list[str]) -> tuple[str, str, bool]:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace"), encoding, False
    for prefix, encoding in _SNIFF:
        if body.startswith(prefix):
            return body.decode(encoding, "replace"), encoding, False
    if body.startswith(_EBCDIC_XML_DECLARATION):
        head = _DECLARED.match(body[:512].decode("cp037").encode("ascii", "replace"))
        encoding = _normalise_label(head.group(1).decode("ascii") if head else None) or "cp037"
        return body.decode(encoding, "replace"), encoding, False
    declared_match = _DECLARED.match(body[:512])
    declared_label = declared_match.group(1).decode("ascii") if declared_match else None
    http_match = _CHARSET.search(content_type or "")
    http_label = http_match.group(1) if http_match else None
    try:
        # Valid UTF-8 is UTF-8: text in a legacy encoding practically never is (and pure
        # ASCII reads the same in every label we accept).
        return body.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    candidates = []
    for source, label in (("HTTP charset", http_label), ("XML declaration", declared_label)):
        if label is None:
            continue
        normal = _normalise_label(label)
        if normal is None:
            warnings.append(f"unknown encoding {label!r} in the {source}")
        elif normal not in candidates:
            candidates.append(normal)
    for encoding in candidates:
        if encoding.startswith(("utf-16", "utf-32")):
            continue  # no BOM and no UTF-16 pattern: the label is wrong
        try:
            return body.decode(encoding), encoding, False
        except UnicodeDecodeError:
            warnings.append(f"body is not valid {encoding}")
    guess = _guess_encoding(body)
    if guess:
        warnings.append(f"encoding guessed as {guess}")
        return body.decode(guess, "replace"), guess, True
    warnings.append("encoding unknown; read as windows-1252")
    return body.decode("cp1252", "replace"), "cp1252", True


def _accent_share(text: str) -> float:
    """In words holding any non-ASCII letter, the share of non-ASCII letters.

    Latin-script text has a few accented letters among plain ones ("Notícias": 1 in 8);
    Cyrillic, Greek or Arabic bytes read as windows-1252 give words of nothing but accented
    letters ("Ìîñêâà").
    """
    letters = accented = 0
    for word in re.findall(r"[^\W\d_]+", text):
        if word.isascii():
            continue
        letters += len(word)
        accented += sum(not char.isascii() for char in word)
    return accented / letters if letters else 0.0


def _guess_encoding(body: bytes) -> str | None:
    # Windows-1252 first (the web's default for undeclared text) when the result reads like a
    # Latin-script language; otherwise a statistical guess.
    try:
        if _accent_share(body[:65536].decode("cp1252")) < 0.5:
            return "cp1252"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: without it the windows-1252 fallback applies
        return None
    best = from_bytes(body[:65536]).best()
    if best is None:
        return None
    return _normalise_label(best.encoding)


def find_xml_attack(text: str) -> str | None:
    """Why ``text`` must not be parsed (entity declaration, external DTD), or ``None``."""
    if "<!" not in text:
        return None
    for match in _MARKUP.finditer(text):
        declaration = match.group("decl")
        if declaration is None:
            continue
        if declaration.upper() == "ENTITY":
            return "the document declares an XML entity (<!ENTITY>): refused"
        # A bounded window keeps the scan linear however many DOCTYPEs a document repeats.
        window = text[match.end() : match.end() + _DOCTYPE_WINDOW]
        external = _EXTERNAL_ID.match(window)
        if external is None or external.group("kind") is None:
            if _EXTERNAL_KEYWORD.match(window):
                return "the document references an external DTD we cannot read: refused"
            continue  # <!DOCTYPE name> or <!DOCTYPE name [ … ]> (entities caught above)
        kind = external.group("kind").upper()
        if kind == "PUBLIC":
            public_id = " ".join(external.group("first").split())
            system_id = (external.group("second") or "").strip()
            if _KNOWN_PUBLIC_IDS.match(public_id) and (
                not system_id or _KNOWN_SYSTEM_IDS.match(system_id)
            ):
                continue
        elif _KNOWN_SYSTEM_IDS.match(external.group("first").strip()):
            continue
        return "the document references an external DTD: refused"
    return None


def prepare(body: bytes, content_type: str | None = None) -> PreparedXml:
    """Decode ``body``, refuse XML attacks, and return UTF-8 XML with a matching declaration."""
    result = PreparedXml()
    text, result.encoding, result.guessed = _decode(body, content_type, result.warnings)
    text = _NOT_XML_CHARS.sub("", text)
    if "&#" in text:
        text = _CHAR_REFERENCE.sub(_drop_bad_reference, text)
    result.text = text
    result.attack = find_xml_attack(text)
    if result.attack:
        return result
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end() :]
    result.data = ('<?xml version="1.0" encoding="utf-8"?>' + text.lstrip()).encode("utf-8")
    return result

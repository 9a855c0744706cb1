"""One compiled multi-pattern matcher (Aho-Corasick) shared by the country and topic taggers.

``Matcher(patterns).find(text)`` returns the leftmost-longest, non-overlapping matches, sorted by
start, each with its surface as written in ``text`` and its offsets into ``text``.

Normalisation is length-preserving, so offsets into the normalised text are offsets into the
original: each character is lower-cased only when that keeps it one character long (``İ`` is
folded to ``i`` explicitly), and a few look-alikes are unified (curly apostrophes, hyphens and
dashes → space, non-breaking spaces → space, Greek final sigma and accents (Greek
headlines drop the accent of a capital: Αμυνας), Arabic alef/yeh/kaf variants (not Urdu yeh
barree ے, a letter of its own: Urdu دبے "buried" is not دبي Dubai), Cyrillic ё → е). One automaton scans the normalised text once; a case-sensitive pattern's hit
is then checked against the text as written (same folding, no lower-casing), so "US" and "AS"
never match "us" and "as". The automaton is ahocorasick-rs (Rust) when installed, pyahocorasick
otherwise; both give the same matches. A matcher read from the tagger cache (``tagger_cache``)
starts on the pyahocorasick automaton it was saved with, which loads in a fraction of the time
the Rust one takes to build, and builds the Rust one once it has scanned enough text to pay
for it (``SWITCH_CHARS_PER_KEY``).

Word boundaries depend on the script:
- Scripts written with spaces (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Hangul, …):
  a match may not start or end inside a word of letters/digits/combining marks.
- Han, hiragana, Thai, Lao, Khmer, Myanmar: no boundaries (no spaces between words).
- Katakana: a katakana pattern may not start or end inside a run of katakana (マリ ≠ マリオ).
- Hangul: particles attach to nouns (러시아의, 북한과), so a Hangul pattern may be followed by more
  Hangul; it must still start a word (so the ending "…이란" after a noun is not 이란), and it
  does not start one right after a closing quote or bracket: the particle of a quoted word
  (‘아시아 중심축’이란, 7174명'이란).
  ``whole_word=True`` turns the particle tolerance off (one-syllable abbreviations: 미, 북).
- Arabic script / Hebrew: a pattern may follow a one-letter proclitic (و ب ل ف ك, ال…; ו ב ל מ ש ה כ).
  An Arabic proclitic counts as written in Arabic letters, before folding: Urdu keheh ک is not
  the Arabic proclitic ك (Urdu کریگا "will do" is not ك + ریگا Riga).
- ``prefix=True``: the pattern is a stem and may be followed by up to ``max_suffix`` more word
  letters (inflected forms: России, Украине, Путина, russischen). The match then covers the whole
  word, so the evidence shows the inflected form. With ``endings`` the rest of the word must be
  one of a closed list of case endings instead (Комор-ы/-ов/-ам, never Комор-а: a short
  Cyrillic stem, ``countries._cyrillic_stem``).

Longest match wins: a longer pattern (a blocker such as "South China Sea" with payload None)
suppresses every shorter match inside or overlapping it; on equal spans the pattern given first
wins. Callers drop blocker matches themselves. ``find(text, accept)`` lets the caller veto a
payload (wrong language, leader out of office) before the longest match is chosen.
"""

from __future__ import annotations

import marshal
import pickle
import re
import sys
import threading
import tomllib
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick

# Word lists that decide whether a match is a tag (proclitics here, a country name's neighbours in
# countries.py): a data file beside the gazetteer, loaded once.
CONTEXT_WORDS_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "context_words.toml"
)
CONTEXT_WORDS: dict[str, list[str] | str] = tomllib.loads(
    CONTEXT_WORDS_FILE.read_text(encoding="utf-8")
)

try:  # the Rust automaton, much faster; pyahocorasick is the fallback
    import ahocorasick_rs as _ahocorasick_rs
except ImportError:  # pragma: no cover - depends on what is installed
    _ahocorasick_rs = None  # type: ignore[assignment]

__all__ = ["Match", "Matcher", "Pattern", "normalize"]


@dataclass(frozen=True)
class Pattern:
    text: str
    payload: Any
    case_sensitive: bool = False
    prefix: bool = False  # a stem: may be followed by up to max_suffix more letters of the word
    max_suffix: int = 3
    whole_word: bool = False  # a Hangul pattern that takes no particles (미, 북 as whole words)
    # A stem's closed list of endings (normalised: lower case, folded; "" for the bare stem):
    # the word after the stem must be one of them. None: any up to max_suffix letters.
    endings: frozenset[str] | None = None


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str  # the surface as written in the input
    payload: Any


# Look-alike folding applied to both patterns and text (one character to one character).
_FOLD = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u0060": "'",
    "\u00b4": "'",
    "-": " ",
    "\u2010": " ",
    "\u2011": " ",
    "\u2012": " ",
    "\u2013": " ",
    "\u2014": " ",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\t": " ",
    "\n": " ",
    "\r": " ",
    "\u03c2": "\u03c3",  # ς → σ
    "\u03ac": "\u03b1",  # ά → α
    "\u03ad": "\u03b5",  # έ → ε
    "\u03ae": "\u03b7",  # ή → η
    "\u03af": "\u03b9",  # ί → ι
    "\u03cc": "\u03bf",  # ό → ο
    "\u03cd": "\u03c5",  # ύ → υ
    "\u03ce": "\u03c9",  # ώ → ω
    "\u03ca": "\u03b9",  # ϊ → ι
    "\u03cb": "\u03c5",  # ϋ → υ
    "\u0390": "\u03b9",  # ΐ → ι
    "\u03b0": "\u03c5",  # ΰ → υ
    "\u0386": "\u0391",  # Ά → Α
    "\u0388": "\u0395",  # Έ → Ε
    "\u0389": "\u0397",  # Ή → Η
    "\u038a": "\u0399",  # Ί → Ι
    "\u038c": "\u039f",  # Ό → Ο
    "\u038e": "\u03a5",  # Ύ → Υ
    "\u038f": "\u03a9",  # Ώ → Ω
    "\u03aa": "\u0399",  # Ϊ → Ι
    "\u03ab": "\u03a5",  # Ϋ → Υ
    "\u0451": "\u0435",  # ё → е
    "\u0401": "\u0415",  # Ё → Е
    "\u0958": "\u0915",  # क़ → क (Devanagari nukta letters)
    "\u0959": "\u0916",  # ख़ → ख (Devanagari nukta letters)
    "\u095a": "\u0917",  # ग़ → ग (Devanagari nukta letters)
    "\u095b": "\u091c",  # ज़ → ज (Devanagari nukta letters)
    "\u095c": "\u0921",  # ड़ → ड (Devanagari nukta letters)
    "\u095d": "\u0922",  # ढ़ → ढ (Devanagari nukta letters)
    "\u095e": "\u092b",  # फ़ → फ (Devanagari nukta letters)
    "\u095f": "\u092f",  # य़ → य (Devanagari nukta letters)
    "\u0623": "\u0627",  # أ → ا
    "\u0625": "\u0627",  # إ → ا
    "\u0622": "\u0627",  # آ → ا
    "\u0671": "\u0627",  # ٱ → ا
    "\u0649": "\u064a",  # ى → ي
    "\u06cc": "\u064a",  # Persian yeh → ي
    "\u06a9": "\u0643",  # Persian keheh → ك
    "\u0629": "\u0647",  # ة → ه
    "\u06c1": "\u0647",  # Urdu heh goal → ه
    "\u0640": "\u0640",  # tatweel kept (length-preserving)
}
_FOLD_RE = re.compile("[" + "".join(re.escape(c) for c, t in _FOLD.items() if c != t) + "]")
_FOLD_GET = _FOLD.__getitem__


def _new_style(pair: str) -> str:
    """A Vietnamese open syllable's oa, oe or uy with its tone on the first vowel (hóa, khỏe,
    thủy), as the new orthography writes it; the old one puts it on the second (hoá, khoẻ, thuỷ)."""
    first, second = pair[0], pair[1]
    decomposed = unicodedata.normalize("NFD", second)
    return unicodedata.normalize("NFC", first + decomposed[1:]) + decomposed[0]


_TONED = {"a": "áàảãạ", "e": "éèẻẽẹ", "y": "ýỳỷỹỵ"}
_OLD_STYLE = {
    first + second: _new_style(first + second)
    for pairs in (("o", "a"), ("o", "e"), ("u", "y"))
    for first, vowel in [pairs]
    for second in _TONED[vowel]
}
_OLD_STYLE |= {old.upper(): new.upper() for old, new in _OLD_STYLE.items()}
_OLD_STYLE |= {old[0].upper() + old[1]: new[0].upper() + new[1] for old, new in _OLD_STYLE.items()}
# Not before another letter: in a closed syllable (hoàng, khuyến) both write the tone alike.
_OLD_STYLE_RE = re.compile("(?:" + "|".join(sorted(_OLD_STYLE)) + r")(?![^\W\d_])")


def _fold(text: str) -> str:
    """Unify look-alike characters (one for one), without touching case, and the two places
    Vietnamese writes a tone in an open oa, oe, uy (Thanh Hoá, Thanh Hóa: two for two)."""
    text = _FOLD_RE.sub(lambda found: _FOLD_GET(found.group()), text)
    return _OLD_STYLE_RE.sub(lambda found: _OLD_STYLE[found.group()], text)


_ARABIC_PROCLITICS = frozenset(CONTEXT_WORDS["arabic_proclitics"])
_HEBREW_PROCLITIC_LETTERS = frozenset(CONTEXT_WORDS["hebrew_proclitic_letters"])
# The order those letters take: "and" first, then "that" (also "when", "from that"), then one
# preposition, then "the" last: ו-ש-ב-ה. ובשוויץ is "and in Switzerland"; in בושוויץ (Boschwitz)
# ב comes before ו, so no prefix: a name.
_HEBREW_PROCLITIC_CHAIN = re.compile(r"ו?(?:ש|כש|מש)?[בכלמ]?ה?")


def _lower_char(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else c


def _haystack(text: str, folded: str) -> str:
    """normalize(text), reusing the folded text when lower-casing keeps the length."""
    if "\u0130" not in text:
        low = folded.lower()
        if len(low) == len(text):
            return _fold(low) if "\u03a3" in text else low  # Σ lowers to ς at a word end
    return normalize(text)


# Characters that change how a word is drawn, never what it says: soft hyphen, zero-width space,
# non-joiner and joiner, word joiner, byte order mark; and the Devanagari nukta, which Hindi
# sites write or leave out at will (स्विट्ज़रलैंड, स्विट्जरलैंड), as _FOLD folds its precomposed letters;
# and the Arabic script's maddah and hamza that a site may type as a mark after its letter (ا + ٓ
# for آ in اسلام آباد), as _FOLD folds آ, أ and إ to ا. The short vowels and the shadda are read:
# عمّان is Amman, عمان Oman.
_NUKTA = "\u093c"
_MARKS = f"{_NUKTA}\u0653-\u0655"  # marks that belong to the letter before them
_INVISIBLE = re.compile(f"[\u00ad\u200b\u200c\u200d\u2060\ufeff{_MARKS}]")
_MARK = re.compile(f"[{_MARKS}]")


def normalize(text: str, *, case_sensitive: bool = False) -> str:
    """The length-preserving normal form the matcher searches (same length as ``text``)."""
    if not case_sensitive:
        if "\u0130" in text:
            text = text.replace("\u0130", "i")  # İ lowers to two characters
        low = text.lower()
        if len(low) != len(text):
            low = "".join(_lower_char(c) for c in text)
        text = low
    return _fold(text)


@dataclass(frozen=True, slots=True)
class _Read:
    """What a matcher scans of one text: the text without its invisible characters, the
    offsets in the text of the characters kept (None: none was invisible), the kept text folded
    (``_fold``: for case-sensitive patterns) and normalised (``normalize``: the automaton's
    haystack)."""

    text: str
    kept: tuple[int, ...] | None
    folded: str
    haystack: str


@lru_cache(maxsize=4)
def _read(text: str) -> _Read:
    """``_Read`` of ``text``, worked out once for every matcher that scans it: the country,
    topic and entity taggers each match the same article text in turn."""
    kept = None
    if _INVISIBLE.search(text) is not None:
        kept = tuple(at for at, char in enumerate(text) if not _INVISIBLE.match(char))
        text = "".join(text[at] for at in kept)
    folded = _fold(text)
    return _Read(text, kept, folded, _haystack(text, folded))


def _no_space_script(c: str) -> bool:
    """Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar."""
    o = ord(c)
    return (
        0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0x31F0 <= o <= 0x31FF
        or 0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF66 <= o <= 0xFF9F
        or 0x20000 <= o <= 0x2FA1F
        or 0x3005 <= o <= 0x3007  # 々 〆 〇
        or 0x0E00 <= o <= 0x0EFF  # Thai, Lao
        or 0x1000 <= o <= 0x109F  # Myanmar
        or 0x1780 <= o <= 0x17FF  # Khmer
    )


def _katakana(c: str) -> bool:
    o = ord(c)
    return (
        0x30A1 <= o <= 0x30FA
        or 0x30FC <= o <= 0x30FF
        or 0x31F0 <= o <= 0x31FF
        or 0xFF66 <= o <= 0xFF9F
    )


def hangul(c: str) -> bool:
    """Whether ``c`` is Hangul (syllables, jamo, compatibility jamo)."""
    o = ord(c)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def _particle_of_a_quote(text: str, start: int) -> bool:
    """Whether Hangul at ``start`` (> 0) continues the word before it: it follows a letter, or
    a closing quote or bracket glued to the quoted word (a straight quote closes when a
    non-space precedes it)."""
    before = text[start - 1]
    if _word_char(before) or before in _CLOSING_MARKS:
        return True
    return before in _STRAIGHT_QUOTES and start > 1 and not text[start - 2].isspace()


def _arabic(c: str) -> bool:
    o = ord(c)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF


def _hebrew(c: str) -> bool:
    return 0x0590 <= ord(c) <= 0x05FF


def _word_char(c: str) -> bool:
    """A letter, digit or combining mark of a script that separates words with spaces."""
    if c < "\u0300":  # Latin: no combining marks, no no-space script
        return c.isalnum()
    if c.isalnum():
        return not _no_space_script(c)
    return unicodedata.category(c)[0] == "M"


# Per-pattern boundary rules, computed once when the matcher is built.
_LEFT_FREE = 0  # no left boundary (no-space script or non-word first char)
_LEFT_WORD = 1  # must start a word
_LEFT_ARABIC = 2  # must start a word, or follow an Arabic proclitic
_LEFT_HEBREW = 3  # must start a word, or follow Hebrew proclitic letters
_LEFT_KATAKANA = 4  # must not continue a run of katakana (マリ is not inside マリオ)
_LEFT_HANGUL = 5  # must start a word, and not right after a closing quote or bracket
_CLOSING_MARKS = frozenset("’”)]」』〉》›»")
_STRAIGHT_QUOTES = frozenset("'\"")
_RIGHT_FREE = 0
_RIGHT_WORD = 1
_RIGHT_PREFIX = 2  # up to max_suffix more word letters, match extended to the word end
_RIGHT_HANGUL = 3  # any Hangul may follow (particles); the match is not extended
_RIGHT_KATAKANA = 4  # must not be followed by more katakana


# One entry of a key: (exact, payload index, left rule, right rule, max suffix, order, endings),
# where exact holds the case-exact (folded) forms a case-sensitive pattern must match, else None,
# and endings a stem's closed list of endings (sorted), else None.
_ORDER = itemgetter(5)


def _left_rule(first: str) -> int:
    if not _word_char(first) or first.isdigit():  # "8日" also blocks inside "18日"
        return _LEFT_FREE
    if _arabic(first):
        return _LEFT_ARABIC
    if _hebrew(first):
        return _LEFT_HEBREW
    if hangul(first):
        return _LEFT_HANGUL
    return _LEFT_WORD


def _right_rule(last: str, prefix: bool, whole_word: bool) -> int:
    if not _word_char(last):
        return _RIGHT_FREE
    if prefix:
        return _RIGHT_PREFIX
    if hangul(last) and not whole_word:
        return _RIGHT_HANGUL
    return _RIGHT_WORD


def _rules(text: str, pattern: Pattern) -> tuple[int, int]:
    """The left and right boundary rules of a pattern, from the scripts of its ends."""
    first, last = text[0], text[-1]
    if _katakana(first):
        left = _LEFT_KATAKANA
    elif _no_space_script(first):
        left = _LEFT_FREE
    else:
        left = _left_rule(first)
    if _katakana(last):
        right = _RIGHT_KATAKANA
    elif _no_space_script(last):
        right = _RIGHT_FREE
    else:
        right = _right_rule(last, pattern.prefix, pattern.whole_word)
    return left, right


def _candidate_order(candidate: tuple[int, int, int, object]) -> tuple[int, int, int]:
    return candidate[0], candidate[1], candidate[2]


# A matcher loaded from the cache scans with the pyahocorasick automaton it was saved with (it
# loads in ~40 ms, where building the Rust automaton of the 86,000 country keys takes ~200 ms)
# until it has scanned this many characters per key; then it builds the Rust automaton, which
# scans about five times faster, and keeps to it. A process that tags a few articles never
# pays for the build; a long run pays for it once, after ~20 ms of slower scanning (the
# countries' automaton switches after ~170,000 characters, about 200 news stories).
SWITCH_CHARS_PER_KEY = 2


# The pyahocorasick automaton stores each key's index and length in one int (index << 10 |
# length): a scan needs both, and a matcher loaded from the cache then needs no list of 117,000
# key strings to find them (unpickling that list took ~25 ms of a process's start).
_LENGTH_BITS = 10


def _python_automaton(keys: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for index, key in enumerate(keys):
        if len(key) >> _LENGTH_BITS:
            raise ValueError(f"a key of {len(key)} characters: {key[:40]}…")
        automaton.add_word(key, index << _LENGTH_BITS | len(key))
    automaton.make_automaton()
    return automaton


class _Scanner:
    """All (key index, start, end) occurrences of the keys, overlapping, in character offsets.

    ahocorasick-rs (Rust) when it is installed, else pyahocorasick: same results, the Rust
    automaton is about five times faster on a large gazetteer. A scanner pickles with its
    pyahocorasick automaton, which loads far faster than the Rust one builds
    (``SWITCH_CHARS_PER_KEY``), and its keys as one string, split when the Rust one is built.
    """

    def __init__(self, keys: list[str], python: ahocorasick.Automaton | None = None) -> None:
        self._keys: list[str] | None = keys
        self._joined: str | None = None  # the keys, NUL-separated, until they are split
        self._count = len(keys)
        self._rust = None
        self._python = python
        self._scanned = 0  # characters scanned with ``_python`` while Rust could take over
        self._switch = threading.Lock()
        if not keys or python is not None:
            return
        if _ahocorasick_rs is not None:
            self._rust = self._rust_automaton()
            return
        self._python = _python_automaton(keys)

    def _rust_automaton(self):  # noqa: ANN202 - ahocorasick_rs has no type stubs
        return _ahocorasick_rs.AhoCorasick(self.keys, matchkind=_ahocorasick_rs.MatchKind.Standard)

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = self._joined.split("\0") if self._joined else []
            self._joined = None
        return self._keys

    def __getstate__(self) -> dict[str, Any]:
        keys = self.keys
        if any("\0" in key for key in keys):
            raise ValueError("a key holds NUL, the separator of the pickled keys")
        python = self._python if self._python is not None else _python_automaton(keys)
        return {"keys": "\0".join(keys), "count": len(keys), "python": python if keys else None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__([], state["python"])  # type: ignore[misc]
        self._keys = None
        self._joined = state["keys"]
        self._count = state["count"]

    def scan(self, haystack: str) -> list[tuple[int, int, int]]:
        # ``_python`` is read before ``_rust``: ``_take_rust`` sets ``_rust`` before it drops
        # ``_python``, so another thread's switch leaves this scan one of the two to use.
        python = self._python
        rust = self._rust
        if rust is None and python is not None and _ahocorasick_rs is not None:
            self._scanned += len(haystack)
            if self._scanned > SWITCH_CHARS_PER_KEY * self._count:
                rust = self._take_rust()
        if rust is not None:
            return rust.find_matches_as_indexes(haystack, overlapping=True)
        if python is None:
            return []
        mask = (1 << _LENGTH_BITS) - 1
        return [
            (value >> _LENGTH_BITS, last + 1 - (value & mask), last + 1)
            for last, value in python.iter(haystack)
        ]

    def _take_rust(self):  # noqa: ANN202
        with self._switch:  # the poller tags from many threads: build it once
            if self._rust is None:
                self._rust = self._rust_automaton()
                self._python = None  # its memory back
            return self._rust

    @property
    def backend(self) -> str:
        """Which automaton scans now: ``rust``, ``python`` or ``none`` (no keys)."""
        return (
            "rust" if self._rust is not None else "python" if self._python is not None else "none"
        )


def _pickled(item: object) -> bytes:
    return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


class _Packed(dict):
    """A list kept packed, one dump per item in one bytes object, each item loaded the first
    time it is read (then held: a dict of the items read so far, so a second read is a plain
    dict lookup). A loaded matcher reads the entries and payloads of the keys its texts hold,
    not all 86,000 (unpickling them all took ~90 ms of a process's start). Only ``[index]``
    (0 <= index < len) and ``len`` act as a list's; the dict's other methods see the items
    read so far."""

    __slots__ = ("_blob", "_ends", "_loads")

    def __init__(self, blob: bytes, ends: array, loads: str) -> None:
        super().__init__()
        self._blob = blob
        self._ends = ends
        self._loads = marshal.loads if loads == "marshal" else pickle.loads

    @classmethod
    def pack(cls, items: Sequence[Any], dumps: Callable[[Any], bytes]) -> _Packed:
        if isinstance(items, _Packed):
            return items
        parts = [dumps(item) for item in items]
        ends = array("Q", accumulate(map(len, parts)))
        return cls(b"".join(parts), ends, "marshal" if dumps is marshal.dumps else "pickle")

    def __reduce__(self) -> tuple:
        loads = "marshal" if self._loads is marshal.loads else "pickle"
        return (_Packed, (self._blob, self._ends, loads))

    def __len__(self) -> int:
        return len(self._ends)

    def __missing__(self, index: int) -> Any:
        if not 0 <= index < len(self._ends):
            raise IndexError(index)
        start = self._ends[index - 1] if index else 0
        item = self[index] = self._loads(self._blob[start : self._ends[index]])
        return item


class Matcher:
    """Leftmost-longest, non-overlapping multi-pattern matching with script-aware boundaries."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        # One automaton over the lower-cased text; a case-sensitive pattern is then checked
        # against the text as written (folded, not lower-cased). Case variants of one pattern
        # ("Russia", "RUSSIA") share an entry holding every exact form.
        slots: dict[tuple, list] = {}  # (key, shape) → [order, payload, exact forms]
        count = 0
        for order, pattern in enumerate(patterns):
            text = _INVISIBLE.sub("", pattern.text).strip()
            if not text:
                continue
            key = normalize(text)
            left, right = _rules(text, pattern)
            endings = None if pattern.endings is None else tuple(sorted(pattern.endings))
            shape = (
                id(pattern.payload),
                pattern.case_sensitive,
                left,
                right,
                pattern.max_suffix,
                endings,
            )
            slot = slots.get((key, shape))
            if slot is None:
                slot = slots[key, shape] = [order, pattern.payload, None]
            if pattern.case_sensitive:
                form = _fold(text)
                if slot[2] is None:
                    slot[2] = (form,)
                elif form not in slot[2]:
                    slot[2] += (form,)
            count += 1
        # Payloads are held once, in a table; entries name them by index (a matcher pickles
        # as plain tuples of numbers and strings, which load fast: ``tagger_cache``).
        payloads: list[Any] = []
        index_of: dict[int, int] = {}
        by_key: dict[str, list[tuple]] = {}
        for (key, (payload_id, case_sensitive, left, right, max_suffix, endings)), (
            order,
            payload,
            forms,
        ) in slots.items():
            if payload_id not in index_of:
                index_of[payload_id] = len(payloads)
                payloads.append(payload)
            exact = tuple(sorted(forms)) if case_sensitive else None
            entry = (exact, index_of[payload_id], left, right, max_suffix, order, endings)
            by_key.setdefault(key, []).append(entry)
        del slots
        keys = list(by_key)
        self._entries = [tuple(sorted(by_key[key], key=_ORDER)) for key in keys]
        self._payloads = payloads
        del by_key
        self._scanner = _Scanner(keys)
        self.size = count

    def __getstate__(self) -> dict[str, Any]:
        """What a pickled matcher keeps (``tagger_cache``): its scanner (keys and the
        pyahocorasick automaton, which loads fast: ``SWITCH_CHARS_PER_KEY``), and its entries and
        payloads packed (``_Packed``: each is unpacked the first time a match needs it)."""
        return {
            "python": sys.version_info[:2],  # marshal's format is the interpreter's
            "scanner": self._scanner,
            "entries": _Packed.pack(self._entries, marshal.dumps),
            "payloads": _Packed.pack(self._payloads, _pickled),
            "size": self.size,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if tuple(state.get("python", ())) != sys.version_info[:2]:
            raise ValueError("a matcher pickled by another Python version")  # rebuilt instead
        self._entries = state["entries"]
        self._payloads = state["payloads"]
        self._scanner = state["scanner"]
        self.size = state["size"]

    def find(self, text: str, accept: Callable[[object], bool] | None = None) -> list[Match]:
        """Leftmost-longest, non-overlapping matches of all patterns in ``text``, by start.

        ``accept`` (optional) vets a payload before the longest match is chosen, so a pattern
        that does not apply here (another language, a leader out of office) hides nothing.
        Invisible format characters (``_INVISIBLE``: a zero-width joiner in दिल्‍ली, a soft
        hyphen, a Persian non-joiner typed or not) are read as absent, in patterns and text;
        offsets are the text's own.
        """
        if not text:
            return []
        read = _read(text)
        found = self._find(read, accept)
        kept = read.kept
        if kept is None:
            return found
        out = []
        for m in found:
            start, end = kept[m.start], kept[m.end - 1] + 1
            while end < len(text) and _MARK.match(text, end):
                end += 1  # a mark belongs to the letter before it: मर्ज़ ends with its nukta
            out.append(Match(start, end, text[start:end], m.payload))
        return out

    def _find(self, read: _Read, accept: Callable[[object], bool] | None) -> list[Match]:
        candidates: list[tuple[int, int, int, object]] = []  # (start, -end, order, payload)
        entries_of = self._entries
        payloads = self._payloads
        check = self._accept
        text = read.text
        folded = read.folded
        for index, start, end in self._scanner.scan(read.haystack):
            for entry in entries_of[index]:
                exact, payload_index, left, right, max_suffix, order, endings = entry
                payload = payloads[payload_index]
                if exact is not None and folded[start:end] not in exact:
                    continue
                if accept is not None and not accept(payload):
                    continue
                stop = check(text, start, end, left, right, max_suffix, endings)
                if stop >= 0:
                    candidates.append((start, -stop, order, payload))
        if not candidates:
            return []
        candidates.sort(key=_candidate_order)
        matches: list[Match] = []
        taken = 0
        for start, neg_end, _order, payload in candidates:
            if start < taken:
                continue
            end = -neg_end
            matches.append(Match(start, end, text[start:end], payload))
            taken = end
        return matches

    @staticmethod
    def _accept(
        text: str,
        start: int,
        end: int,
        left: int,
        right: int,
        max_suffix: int,
        endings: tuple[str, ...] | None = None,
    ) -> int:
        """The end of an acceptable match at [start, end), or -1 when boundaries forbid it."""
        if left == _LEFT_KATAKANA:
            if start > 0 and _katakana(text[start - 1]):
                return -1
        elif left == _LEFT_HANGUL:
            if start > 0 and _particle_of_a_quote(text, start):
                return -1
        elif left != _LEFT_FREE and start > 0 and _word_char(text[start - 1]):
            if left == _LEFT_WORD:
                return -1
            begin = start - 1
            while begin > 0 and _word_char(text[begin - 1]):
                begin -= 1
            if left == _LEFT_ARABIC:
                # as written, not folded: Urdu keheh ک (folded to ك) is no proclitic (کریگا)
                if text[begin:start] not in _ARABIC_PROCLITICS:
                    return -1
            else:
                clitic = normalize(text[begin:start])
                if (
                    len(clitic) > 3
                    or not set(clitic) <= _HEBREW_PROCLITIC_LETTERS
                    or not _HEBREW_PROCLITIC_CHAIN.fullmatch(clitic)
                ):
                    return -1
        if right in (_RIGHT_FREE, _RIGHT_HANGUL):
            return end
        size = len(text)
        if right == _RIGHT_KATAKANA:
            return -1 if end < size and _katakana(text[end]) else end
        if end >= size or not _word_char(text[end]):
            return end if endings is None or "" in endings else -1
        if right == _RIGHT_WORD:
            return -1
        stop = end
        while stop < size and _word_char(text[stop]):
            stop += 1
        if endings is not None:
            return stop if normalize(text[end:stop]) in endings else -1
        return stop if stop - end <= max_suffix else -1

"""Stories: which articles report the same happening (issue 14), with no database in sight.

An article's *signature* is what the comparison reads: its language, outlet, publication time,
countries (ISO3, language-independent), numbers written in digits (language-independent), and its
content words (title and summary, lower-cased, stop words out; CJK scripts as character bigrams).
Two articles are *linked* when they were published within ``WINDOW`` of each other, do not name
disjoint sets of countries, and their word sets are similar enough (a weighted overlap in which
title words and rare-looking words — capitalised names and numbers — count more). Same-language
text similarity is what links; the countries veto, and shared numbers and countries add weight.

A story is a connected component of the link graph. Finding the articles a new one may link to
(``Window.candidates``) reads only the words of the new article that are *rare in its window*
(at most ``MAX_POSTINGS`` same-language articles of the window carry them) and tests at most
``MAX_CANDIDATES`` articles, those sharing the most rare words; so a word every article of the
day carries ("2026", "says") costs nothing. Below those bounds the retrieval is exhaustive, the
stories do not depend on arrival order, and incremental assignment equals a rebuild. Beyond them
(hundreds of same-language articles within the window sharing a word) a link that only frequent
words support can be missed, and which one can depend on arrival order; a rebuild in id order
(``python -m ingest restory``) replays an id-ordered import exactly.

Across languages, words cannot link; a signature may carry a *vector*, a multilingual sentence
embedding of the article (unit length, one space for all languages), and two articles of
different languages link when both carry one, their cosine reaches ``XL_THRESHOLD``, they are
within ``WINDOW`` and their countries do not veto. ``Window.candidates`` adds the
``MAX_XL_CANDIDATES`` other-language articles of the window whose vectors are nearest. The
store computes each article's vector after saving it (``ingest.vectors``) and links it then
(``store.stories.link_vectors``); ``bench/bench_stories_xl.py`` measures this path on rated
pairs (``docs/cross-language-stories.md``).
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, cached_property
from itertools import islice

import numpy as np

from ingest.config import PACKAGE_DATA

# Two articles further apart than this are never one story (reactions come within ~2 days).
WINDOW = timedelta(hours=36)
# Link threshold on the weighted overlap (0..1); chosen on half the dev groups, checked on the
# other half (bench/bench_stories.py prints both).
LINK_THRESHOLD = 0.40
TITLE_WEIGHT = 2.0  # a word in the title counts this many times a word only in the summary
NAME_WEIGHT = 2.0  # a capitalised word (not sentence-initial) or a number counts more
SHARED_COUNTRY_BONUS = 0.05  # added per shared country (up to MAX_COUNTRY_BONUS)
MAX_COUNTRY_BONUS = 0.10
# Countries only one of the two names (beyond the second) subtract this each: a piece on three
# crises at once is not one story with a piece on one of them.
UNSHARED_COUNTRY_PENALTY = 0.05
FREE_UNSHARED_COUNTRIES = 2
MIN_WORDS = 2  # an article with fewer content words links to nothing (too little to judge)
MAX_TERMS = 24  # the linking terms of an article (its heaviest words)
MIN_SHARED_TERMS = 2  # linked articles share at least this many linking terms
MAX_POSTINGS = 200  # a word carried by more same-language articles of the window finds none
MAX_CANDIDATES = 100  # articles tested per new article (most shared rare words first)
# A roundup (a headline of two sentences: "X has died. And, Y and Z hold talks") reports several
# happenings; it links only to near-copies of itself, so it cannot chain two stories together.
ROUNDUP_THRESHOLD = 0.75
# Across languages: the cosine of two articles' vectors that links them. Chosen on either half of
# the rated SemEval-2022 pairs and scored on the other (bench/bench_stories_xl.py: m-USE over
# the first 600 characters, with the countries veto; both halves chose 0.59; held out, P 0.90,
# R 0.46 over all 319 pairs).
XL_THRESHOLD = 0.59
MAX_XL_CANDIDATES = 20  # other-language articles tested per new article (the nearest vectors)

STOPWORDS_FILE = PACKAGE_DATA / "story_stopwords.txt"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_MARKS = frozenset(".!?:\n")  # one of these just before a word: a sentence starts
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@cache
def stopwords() -> frozenset[str]:
    """Function words of the languages we poll, one a line (``#`` comments), from a data file."""
    words = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.update(line.lower().split())
    return frozenset(words)


@dataclass(frozen=True)
class Signature:
    """What story linking reads of one article."""

    language: str
    published_at: datetime
    countries: frozenset[str]
    weights: dict[str, float]  # content word -> weight, heaviest first (ties by the word)
    norm: float  # sum of the weights
    terms: tuple[str, ...]  # the heaviest words (ties broken by the word itself)
    roundup: bool = False  # the headline reports several happenings (``is_roundup``)
    # A multilingual sentence vector (unit length), or None: what links across languages.
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    @cached_property
    def term_set(self) -> frozenset[str]:
        """``terms`` as a set (``linked`` meets it many times per article)."""
        return frozenset(self.terms)

    def encoded_words(self) -> str:
        """The weights as one string for the store: ``word:weight`` separated by spaces, the
        heaviest first (so ``decoded`` reads the terms off the front). ``signature`` and
        ``decoded`` keep ``weights`` in that order already."""
        return " ".join(f"{word}:{weight:g}" for word, weight in self.weights.items())


def _ranked(weights: dict[str, float]) -> dict[str, float]:
    """``weights`` heaviest first (ties by the word): the words in order, then a stable sort by
    weight, heaviest first (``reverse`` keeps equal weights in the words' order)."""
    order = sorted(sorted(weights), key=weights.__getitem__, reverse=True)
    return {word: weights[word] for word in order}


def decoded(
    language: str,
    published_at: datetime,
    countries: Iterable[str],
    words: str,
    roundup: bool = False,
) -> Signature:
    """A signature from its stored parts (``Signature.encoded_words``)."""
    weights = {}
    for item in words.split():
        word, _, weight = item.rpartition(":")
        weights[word] = float(weight)
    return Signature(
        language=language,
        published_at=published_at,
        countries=frozenset(countries),
        weights=weights,
        norm=sum(weights.values()),
        terms=tuple(islice(weights, MAX_TERMS)),  # encoded heaviest first
        roundup=roundup,
    )


def _stem(word: str) -> str:
    """A light plural/possessive fold that serves most Latin-script languages harmlessly."""
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _words(text: str) -> dict[str, float]:
    """Content words of one field with their weight (names and numbers heavier)."""
    found: dict[str, float] = {}
    get = found.get
    stop = stopwords()
    marks = _SENTENCE_MARKS
    sentence_start = True
    for match in _WORD.finditer(text):
        raw = match.group()
        start = match.start()
        # A sentence mark among the two characters before the word.
        if start and (text[start - 1] in marks or (start > 1 and text[start - 2] in marks)):
            sentence_start = True
        ascii_word = raw.isascii()  # neither CJK nor changed by NFKC: skip both (speed)
        if not ascii_word and _CJK.search(raw):
            chars = _CJK.findall(raw)  # the word's CJK characters, in order
            for a, b in zip(chars, chars[1:], strict=False):
                if get(a + b, 0.0) < 1.0:
                    found[a + b] = 1.0
            sentence_start = False
            continue
        word = (raw if ascii_word else unicodedata.normalize("NFKC", raw)).lower()
        # \d is a decimal digit (category Nd), as str.isdecimal: most words skip the regex.
        if word[:1].isdecimal() and _NUMBER.fullmatch(word):
            if get(word, 0.0) < NAME_WEIGHT:
                found[word] = NAME_WEIGHT
        elif len(word) >= 3 and word not in stop:
            if word[-1] == "s":  # the only words ``_stem`` changes
                word = _stem(word)
            weight = NAME_WEIGHT if not sentence_start and raw[:1].isupper() else 1.0
            if get(word, 0.0) < weight:
                found[word] = weight
        sentence_start = False
    return found


def signature(
    title: str, summary: str, language: str, published_at: datetime, countries: Iterable[str]
) -> Signature:
    """The signature of one article (title words weigh ``TITLE_WEIGHT`` times more)."""
    weights = {word: w * TITLE_WEIGHT for word, w in _words(title).items()}
    for word, w in _words(summary).items():
        weights.setdefault(word, w)
    weights = _ranked(weights)
    return Signature(
        language=language or "",
        published_at=published_at,
        countries=frozenset(countries),
        weights=weights,
        norm=sum(weights.values()),
        terms=tuple(islice(weights, MAX_TERMS)),
        roundup=is_roundup(title),
    )


# A sentence ends inside a headline: a lower-case word (not an abbreviation such as "Rev." or
# "U.S.") then ". ", "? " or "! " and a capital letter.
_SENTENCE_BREAK = re.compile(r"(?<![^\W\d_])[^\W\d_]*[a-zß-ÿ]{2}[.?!]\s+[\"'“‘]?[A-ZÀ-Þ]")


def is_roundup(title: str) -> bool:
    """Whether a headline holds two sentences, the mark of an item that reports several
    happenings (a newscast, a briefing, "X has died. And, Y ...")."""
    return _SENTENCE_BREAK.search(title.strip()) is not None


def similarity(a: Signature, b: Signature) -> float:
    """How alike two articles are, 0..1 (symmetric; 0 when they can never be one story)."""
    if abs(a.published_at - b.published_at) > WINDOW:
        return 0.0
    if a.countries and b.countries and not (a.countries & b.countries):
        return 0.0
    if a.language != b.language:
        if a.vector is None or b.vector is None:
            return 0.0
        return min(max(float(a.vector @ b.vector), 0.0), 1.0)
    if len(a.weights) < MIN_WORDS or len(b.weights) < MIN_WORDS:
        return 0.0
    small, large = (a, b) if len(a.weights) <= len(b.weights) else (b, a)
    shared = sum(min(w, large.weights[t]) for t, w in small.weights.items() if t in large.weights)
    if not shared:
        return 0.0
    # Overlap relative to the geometric mean of the two sizes: a short headline against a long
    # summary is judged on what the headline says, without letting one shared word decide.
    score = shared / math.sqrt(a.norm * b.norm)
    bonus = min(SHARED_COUNTRY_BONUS * len(a.countries & b.countries), MAX_COUNTRY_BONUS)
    if a.countries and b.countries:
        unshared = len(a.countries ^ b.countries)
        bonus -= UNSHARED_COUNTRY_PENALTY * max(unshared - FREE_UNSHARED_COUNTRIES, 0)
    return max(min(score + bonus, 1.0), 0.0)


def linked(
    a: Signature, b: Signature, threshold: float = LINK_THRESHOLD,
    xl_threshold: float = XL_THRESHOLD,
) -> bool:  # fmt: skip
    if a.language != b.language:  # by their vectors; a roundup links to nothing in another language
        return not (a.roundup or b.roundup) and similarity(a, b) >= xl_threshold
    if len(a.term_set & b.term_set) < MIN_SHARED_TERMS:
        return False
    if a.roundup or b.roundup:
        threshold = max(threshold, ROUNDUP_THRESHOLD)
    return similarity(a, b) >= threshold


def _grown(array: np.ndarray, room: int) -> np.ndarray:
    """``array`` with room for ``room`` rows (the new ones zero)."""
    grown = np.zeros((room, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


class Window:
    """The signatures an incoming article is compared with, indexed by language and word; each
    word's articles are kept in publication order, so counting them within a window is a
    binary search."""

    def __init__(self) -> None:
        self.signatures: list[Signature] = []
        # language -> word -> (publication times, positions), in publication order
        self._postings: dict[str, dict[str, tuple[list[datetime], list[int]]]] = {}
        # The signatures with a vector, in the order added: their vectors as the rows of one
        # matrix (grown by doubling), and per row its publication time (POSIX seconds), its
        # position and its language (a code of ``_language_codes``).
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._times = np.zeros(0, dtype=np.float64)
        self._positions = np.zeros(0, dtype=np.int64)
        self._languages = np.zeros(0, dtype=np.int32)
        self._vectored = 0
        self._language_codes: dict[str, int] = {}

    def add(self, sig: Signature) -> int:
        """Index ``sig``; return its position."""
        position = len(self.signatures)
        self.signatures.append(sig)
        moment = sig.published_at
        if sig.vector is not None:
            self._add_vector(sig, position)
        postings = self._postings.get(sig.language)
        if postings is None:
            postings = self._postings[sig.language] = {}
        for term in sig.terms:
            posting = postings.get(term)
            if posting is None:
                posting = postings[term] = ([], [])
            times, positions = posting
            if not times or times[-1] <= moment:
                times.append(moment)
                positions.append(position)
            else:
                at = bisect_right(times, moment)
                times.insert(at, moment)
                positions.insert(at, position)
        return position

    def _add_vector(self, sig: Signature, position: int) -> None:
        assert sig.vector is not None
        row = self._vectored
        if row == len(self._times):  # full: double the room
            room = max(2 * row, 64)
            if not row:
                self._matrix = np.zeros((0, len(sig.vector)), dtype=np.float32)
            self._matrix = _grown(self._matrix, room)
            self._times = _grown(self._times, room)
            self._positions = _grown(self._positions, room)
            self._languages = _grown(self._languages, room)
        self._matrix[row] = sig.vector
        self._times[row] = sig.published_at.timestamp()
        self._positions[row] = position
        self._languages[row] = self._language_codes.setdefault(
            sig.language, len(self._language_codes)
        )
        self._vectored = row + 1

    def candidates(self, sig: Signature) -> list[int]:
        """Positions of the signatures ``sig`` may link to: within the window, sharing a word
        that at most ``MAX_POSTINGS`` of them carry; at most ``MAX_CANDIDATES``, those sharing
        the most such words first (then the earliest added)."""
        if len(sig.weights) < MIN_WORDS:
            return []
        low, high = sig.published_at - WINDOW, sig.published_at + WINDOW
        shared: dict[int, int] = {}
        postings = self._postings.get(sig.language, {})
        for term in sig.terms:
            posting = postings.get(term)
            if posting is None:
                continue
            times, positions = posting
            start, end = bisect_left(times, low), bisect_right(times, high)
            if end - start > MAX_POSTINGS:
                continue
            for position in positions[start:end]:
                shared[position] = shared.get(position, 0) + 1
        found = heapq.nsmallest(
            MAX_CANDIDATES, shared, key=lambda position: (-shared[position], position)
        )
        if sig.vector is not None:
            found += self._across(sig, low, high)
        return found

    def across(self, sig: Signature) -> list[int]:
        """Positions of the signatures of other languages ``sig`` may link to: within the
        window, the ``MAX_XL_CANDIDATES`` whose vectors are nearest (none without a vector)."""
        if sig.vector is None:
            return []
        return self._across(sig, sig.published_at - WINDOW, sig.published_at + WINDOW)

    def _across(self, sig: Signature, low: datetime, high: datetime) -> list[int]:
        """Positions of the ``MAX_XL_CANDIDATES`` signatures of other languages within the
        window whose vectors are nearest ``sig``'s (ties: the earlier published, then the
        earlier added): one matrix product over the window's vectors."""
        n = self._vectored
        if not n or sig.vector is None:
            return []
        times = self._times[:n]
        inside = (times >= low.timestamp()) & (times <= high.timestamp())
        code = self._language_codes.get(sig.language)
        if code is not None:
            inside &= self._languages[:n] != code
        rows = np.flatnonzero(inside)
        if not rows.size:
            return []
        cosines = self._matrix[:n] @ sig.vector.astype(np.float32, copy=False)
        order = np.lexsort((self._positions[rows], times[rows], -cosines[rows]))
        return self._positions[rows[order[:MAX_XL_CANDIDATES]]].tolist()


def cluster(
    signatures: Sequence[Signature], threshold: float = LINK_THRESHOLD,
    xl_threshold: float = XL_THRESHOLD,
) -> list[int]:  # fmt: skip
    """Stories in arrival order: a component label (the index of its first member) for each
    signature. The reference the store's assignment must equal."""
    parent = list(range(len(signatures)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    window = Window()
    for i, sig in enumerate(signatures):
        joined: set[int] = set()
        for j in window.candidates(sig):
            root = find(j)
            if root in joined or not linked(sig, signatures[j], threshold, xl_threshold):
                continue
            joined.add(root)
            ri = find(i)
            if ri != root:
                parent[max(ri, root)] = min(ri, root)
            joined.add(find(i))
        window.add(sig)
    return [find(i) for i in range(len(signatures))]

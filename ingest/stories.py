"""Stories: which articles report the same happening (issue 14), with no database in sight.

An article's *signature* is what the comparison reads: its language, outlet, publication time,
countries (ISO3, language-independent), numbers written in digits (language-independent), and its
content words (title and summary, lower-cased, stop words out; CJK scripts as character bigrams).
Two articles are *linked* when they were published within ``WINDOW`` of each other, do not name
disjoint sets of countries, and their word sets are similar enough (a weighted overlap in which
title words and rare-looking words — capitalised names and numbers — count more). Same-language
text similarity is what links; the countries veto, and shared numbers and countries add weight.

A story is a connected component of the link graph. That definition does not depend on the order
in which articles arrive, so incremental assignment (each new article joins every story it links
to, merging them if it links to several) gives the same stories as a rebuild, and two workers give
the same stories as one. No weight is learned from the store (no corpus IDF), for the same reason.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from ingest.config import PACKAGE_DATA

# Two articles further apart than this are never one story (reactions come within ~2 days).
WINDOW = timedelta(hours=36)
# Link threshold on the weighted overlap (0..1); chosen on half the dev groups, checked on the
# other half (bench/bench_stories.py prints both).
LINK_THRESHOLD = 0.45
TITLE_WEIGHT = 2.0  # a word in the title counts this many times a word only in the summary
NAME_WEIGHT = 2.0  # a capitalised word (not sentence-initial) or a number counts more
SHARED_COUNTRY_BONUS = 0.05  # added per shared country (up to MAX_COUNTRY_BONUS)
MAX_COUNTRY_BONUS = 0.10
MIN_WORDS = 2  # an article with fewer content words links to nothing (too little to judge)
MAX_TERMS = 24  # the candidate-retrieval terms kept per article (its heaviest words)
MIN_SHARED_TERMS = 2  # a candidate shares at least this many retrieval terms

STOPWORDS_FILE = PACKAGE_DATA / "story_stopwords.txt"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
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
    weights: dict[str, float]  # content word -> weight
    norm: float  # sum of the weights

    @property
    def terms(self) -> list[str]:
        """The heaviest words, for finding candidates (ties broken by the word itself)."""
        ranked = sorted(self.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        return [word for word, _ in ranked[:MAX_TERMS]]


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
    stop = stopwords()
    sentence_start = True
    for match in _WORD.finditer(text):
        raw = match.group()
        preceding = text[max(match.start() - 2, 0) : match.start()]
        if any(mark in preceding for mark in ".!?:\n"):
            sentence_start = True
        if _CJK.search(raw):
            chars = [c for c in raw if _CJK.match(c)]
            for a, b in zip(chars, chars[1:], strict=False):
                found[a + b] = max(found.get(a + b, 0.0), 1.0)
            sentence_start = False
            continue
        word = unicodedata.normalize("NFKC", raw).lower()
        if _NUMBER.fullmatch(word):
            found[word] = max(found.get(word, 0.0), NAME_WEIGHT)
        elif len(word) >= 3 and word not in stop:
            word = _stem(word)
            name = raw[:1].isupper() and not sentence_start
            found[word] = max(found.get(word, 0.0), NAME_WEIGHT if name else 1.0)
        sentence_start = False
    return found


def signature(
    title: str, summary: str, language: str, published_at: datetime, countries: Iterable[str]
) -> Signature:
    """The signature of one article (title words weigh ``TITLE_WEIGHT`` times more)."""
    weights = {word: w * TITLE_WEIGHT for word, w in _words(title).items()}
    for word, w in _words(summary).items():
        weights.setdefault(word, w)
    return Signature(
        language=language or "",
        published_at=published_at,
        countries=frozenset(countries),
        weights=weights,
        norm=sum(weights.values()),
    )


def similarity(a: Signature, b: Signature) -> float:
    """How alike two articles are, 0..1 (symmetric; 0 when they can never be one story)."""
    if abs(a.published_at - b.published_at) > WINDOW:
        return 0.0
    if a.language != b.language:
        return 0.0
    if a.countries and b.countries and not (a.countries & b.countries):
        return 0.0
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
    return min(score + bonus, 1.0)


def linked(a: Signature, b: Signature, threshold: float = LINK_THRESHOLD) -> bool:
    return similarity(a, b) >= threshold


def cluster(signatures: Sequence[Signature], threshold: float = LINK_THRESHOLD) -> list[int]:
    """Connected components of the link graph: a component label (the index of its first
    member) for each signature. The reference the store's incremental assignment must equal."""
    parent = list(range(len(signatures)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = {}
    for i, sig in enumerate(signatures):
        counts: dict[int, int] = {}
        for term in sig.terms:
            for j in index.get(term, ()):
                counts[j] = counts.get(j, 0) + 1
        for j, shared in counts.items():
            if shared >= MIN_SHARED_TERMS and linked(sig, signatures[j], threshold):
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
        for term in sig.terms:
            index.setdefault(term, []).append(i)
    return [find(i) for i in range(len(signatures))]

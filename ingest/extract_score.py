"""How an extracted text is scored against the true one (the extraction bench and its tests).

Tokens. Text is NFKC-normalised and case-folded. Characters of the scripts written without
spaces between words — Han (CJK ideographs), hiragana, katakana, Hangul, Thai, Lao, Myanmar,
Khmer — are one token each; everywhere else a token is a run of word characters (``\\w+``:
letters, digits, combining marks excluded). So Chinese, Japanese and Thai are scored by
characters and the other languages by words, and Korean (spaced, but often glued to particles)
by syllables.

Token F1 is computed on the multisets of tokens (the way the scrapinghub article-extraction
benchmark scores): precision = shared / extracted, recall = shared / true.

Snippets are compared the way the source benchmarks use them: case-insensitive substrings,
after collapsing runs of whitespace to one space on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_NO_SPACE_SCRIPTS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul jamo, compatibility jamo, syllables
    "\u3040-\u30ff\u31f0-\u31ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
)
_TOKEN = re.compile(f"[{_NO_SPACE_SCRIPTS}]|[^\\W{_NO_SPACE_SCRIPTS}]+")
_SPACE = re.compile(r"\s+")


def tokens(text: str | None) -> list[str]:
    """The tokens F1 is computed on (see the module docstring)."""
    if not text:
        return []
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def token_f1(extracted: str | None, truth: str) -> float:
    """Token F1 of ``extracted`` against ``truth``; 0.0 when either side has no tokens."""
    predicted = Counter(tokens(extracted))
    expected = Counter(tokens(truth))
    shared = sum((predicted & expected).values())
    if not shared:
        return 0.0
    precision = shared / sum(predicted.values())
    recall = shared / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def _folded(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def contains(extracted: str | None, snippet: str) -> bool:
    """Whether ``snippet`` occurs in ``extracted``, case- and whitespace-insensitively."""
    return _folded(snippet) in _folded(extracted or "")

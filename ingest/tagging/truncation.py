"""A word cut by truncation never yields a tag (issue 11 item 6).

Feeds cut their summaries (Hankyoreh at 200 characters, mid-word: "… 지토미르주 등 북" where the
text went on "북부"), mark a cut with an ellipsis ("…", "..."), and Pantau cuts long titles and
summaries itself (``parse.MAX_SUMMARY_CHARS``, with "…"). The last word of a cut text may be the
start of a longer one, and a start can be a name by itself ("북" = North Korea, "Niger" in
"Nigeria", "中" in "中东"). So the tagger does not read that word: ``mask_cut_word`` blanks it out
with spaces (same length, so evidence offsets stay offsets into the stored text).

When is a text cut?
- it ends with an ellipsis right after a letter or digit ("… the Niger…"): in any script;
- a summary ends on a bare Hangul, kana or Han character, with no sentence punctuation: in these
  scripts a sentence ends with one ("다.", "。"), so a bare end is a cut. Latin, Cyrillic and the
  rest are not judged on that: their decks often end without a full stop ("… across the US").
  Titles carry no sentence punctuation in any script, so only the ellipsis counts there.

Which part is the cut word?
- scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar): the last character;
- the others, Hangul included (Korean puts spaces between words): the last space-free run.
"""

from __future__ import annotations

import re

_ELLIPSIS = re.compile(r"(?:…|\.{2,}|⋯|‥)\s*$")
_ELLIPSIS_MARKS = frozenset(".…⋯‥")  # the characters of an _ELLIPSIS
# Code point ranges, tested on one character (a regular expression of these wide classes takes
# ~5 ms to compile in every process).
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7A3))
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_SOUTHEAST_ASIAN = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
_UNSPACED = _KANA + _HAN + _SOUTHEAST_ASIAN
_BARE_END_IS_CUT = _HANGUL + _KANA + _HAN


def _among(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def cut_word_start(text: str, *, bare_end_is_cut: bool) -> int | None:
    """Where the word a truncation may have cut begins in ``text``, or None when it was not cut
    (see the module's docstring); ``bare_end_is_cut`` for summaries, not for titles."""
    end = len(text.rstrip())
    # An ellipsis ends the text: it is in its last run of dots and ellipsis marks (the search
    # starts there, not at the text's start).
    begin = end
    while begin > 0 and text[begin - 1] in _ELLIPSIS_MARKS:
        begin -= 1
    ellipsis = _ELLIPSIS.search(text, begin, end)
    if ellipsis is not None:
        end = ellipsis.start()
    if end == 0:
        return None
    last = text[end - 1]
    if not last.isalnum():
        return None  # a full stop, a quote, a bracket: the last word is whole
    if ellipsis is None and not (bare_end_is_cut and _among(last, _BARE_END_IS_CUT)):
        return None
    if _among(last, _UNSPACED):
        return end - 1
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return start


def mask_cut_word(text: str, *, bare_end_is_cut: bool) -> str:
    """``text`` with the word a truncation may have cut replaced by spaces (same length)."""
    start = cut_word_start(text, bare_end_is_cut=bare_end_is_cut)
    if start is None:
        return text
    return text[:start] + " " * (len(text) - start)

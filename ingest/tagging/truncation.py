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
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_UNSPACED = re.compile(f"[{_KANA}{_HAN}{_SOUTHEAST_ASIAN}]")
_BARE_END_IS_CUT = re.compile(f"[{_HANGUL}{_KANA}{_HAN}]")


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
    if ellipsis is None and not (bare_end_is_cut and _BARE_END_IS_CUT.match(last)):
        return None
    if _UNSPACED.match(last):
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

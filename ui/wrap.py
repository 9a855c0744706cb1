"""Cells read whole: text laid out in lines that fit its column, and the row height that shows
every line, so that a table's short columns (an outlet, its countries, its topics) are never
cut in a 1000 px window (the title, the one column that widens, wraps too).

Streamlit 1.67's grid draws a cell's text on one line, cut at the column's edge without an
ellipsis, unless the table's rows are taller than 4rem (64 px): then it wraps the text, each
line ending at the last space that fits (its ``drawTextCell``; lines are the font's height
apart times 1.4). A text column turns newlines into spaces, so a line break cannot be given;
a no-break space (U+00A0) keeps words together. So the lines are laid out here, each line's
width over-estimated (``text_px``), the words of a line joined by no-break spaces and the lines
by spaces (``cell``), and the rows made as tall as the cell with the most lines: the grid,
which measures the real text, then ends each line at the same place or later, never needing
more lines. A plain text column (a headline, a feed's name, an error) is given as it is:
``ui.tables.table(wrap=...)`` makes its rows as tall as ``wrap_text`` lays it out, and the grid,
breaking the same text greedily at the real widths, needs no more lines. test_browser.py's
test_article_cells_are_read_whole and test_table_cells_are_read_whole measure it in Chromium,
in a 1000 px window and a 1920 px one (where a long column is wider: ui.viewport).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence

NBSP = "\u00a0"
PAD_PX = 8  # the grid's padding left and right of a cell's text
FONT_PX = 13.0  # height of the grid's 14 px text (ascent + descent of "ABCi09jgqpy": 13.0)
LINE_RATIO = 1.4  # the grid's line height, in font heights
WRAP_MIN_PX = 65  # rows at least this tall let the grid break lines (it wraps above 64 px)
ONE_LINE_PX = 35  # the grid's own row height (one line)

# An upper bound of each character's width in the grid's font (Source Sans, 14 px), from its
# widths measured in Chromium: space 2.8, punctuation 3.5-6, digits 7, small letters 3.4-7.8
# (w 10.1, m 11.6), capitals 3.7-9.3 (M 10.2, W 11), &, Cyrillic, Greek, Arabic up to 12.3
# (Ш, Щ), @ 11.9, … 13.3, CJK and Hangul 14.
_WIDE = set("MWmw@%…—&")
_NARROW = set(" .,:;'!|()[]{}-/·’ijlftrI")  # 2.8-4.9 px


def char_px(ch: str) -> float:
    """At least the width of ``ch`` in the grid's font."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 14.5
    if ch in _WIDE or not ch.isascii():
        return 13.5 if ch == "…" else 12.5
    if ch in _NARROW:
        return 5.0
    if ch.isupper():
        return 9.5
    return 8.0  # a small letter, a digit, other punctuation


def text_px(text: str) -> float:
    """At least the width ``text`` takes on one line of a cell."""
    return sum(char_px(c) for c in text)


def wrap_text(text: str, width: int) -> list[str]:
    """``text`` broken at its spaces into lines that fit a column ``width`` px wide (a word too
    long for a line is broken in it); its own line breaks are kept."""
    room = width - 2 * PAD_PX
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_px(candidate) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:  # a word wider than a line: broken where it no longer fits
                if line and text_px(line + ch) > room:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def stack(items: Iterable[str], width: int, sep: str = " ") -> list[str]:
    """Short items (country codes, topic names) as the lines of a cell ``width`` px wide: as
    many to a line, joined by ``sep``, as fit; an item too long for a line is wrapped alone.
    The separator's mark (its "," or "·") stays with the item before it, also at a line's end,
    so that where the grid puts two lines on one the cell still reads "Conflict, Politics &
    elections", never "Conflict Politics & elections" (``cell`` joins lines by a space)."""
    room = width - 2 * PAD_PX
    listed = list(items)
    mark = sep.rstrip()
    units = [item + mark for item in listed[:-1]] + listed[-1:]
    lines: list[str] = []
    for unit in units:
        if lines and text_px(lines[-1] + " " + unit) <= room:
            lines[-1] += " " + unit
        else:
            lines.extend(wrap_text(unit, width))
    return lines


def cell(lines: Sequence[str]) -> str:
    """The lines as one cell's text: each line's words joined by no-break spaces, the lines by
    spaces, where the grid may end a line."""
    return " ".join(line.replace(" ", NBSP) for line in lines if line)


def row_px(cells: Iterable[Sequence[str]]) -> int | None:
    """The row height that shows every line of every cell (each a list of lines, from
    ``wrap_text`` or ``stack``); None (the grid's one-line rows) when none has two lines."""
    lines = max((len([x for x in c if x]) for c in cells), default=1)
    if lines <= 1:
        return None
    text = FONT_PX + FONT_PX * LINE_RATIO * (lines - 1)
    return max(WRAP_MIN_PX, math.ceil(text + 2 * PAD_PX))

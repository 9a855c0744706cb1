"""Would a spreadsheet run this cell? One check for every CSV test (issue 16, item 7).

The strictest of the three checks the suite used to keep (tests/test_ui_export.py,
tests/test_csv_injection.py, tests/test_properties.py), i.e. the union of what each called
dangerous. A cell is evaluated when it opens with a formula operator (``= + - @``, ASCII or
full-width), a tab, a carriage return or a line feed (OWASP's "CSV Injection" page), or when such
an operator follows leading characters a spreadsheet skips: any Unicode space (the ASCII space,
NBSP, em space, ideographic space, …), the byte-order mark and the zero-width characters. A cell
that opens with an apostrophe is text to a spreadsheet, whatever follows.
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
# Skipped before the first character is read, besides the spaces (str.isspace):
# BOM, zero-width space / non-joiner / joiner, word joiner, Mongolian vowel separator.
INVISIBLE = frozenset("\ufeff\u200b\u200c\u200d\u2060\u180e")


def would_evaluate(cell: str) -> bool:
    """Whether a spreadsheet would evaluate ``cell`` as a formula."""
    if cell[:1] in TRIGGERS:
        return True
    rest = cell
    while rest and (rest[0] in INVISIBLE or (rest[0].isspace() and rest[0] not in TRIGGERS)):
        rest = rest[1:]
    return rest[:1] in TRIGGERS


def spreadsheet_reads(cell: str) -> str:
    """What a spreadsheet would try to evaluate: nothing after a leading apostrophe."""
    return "" if cell.startswith("'") else cell

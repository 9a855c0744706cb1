"""Table cells built from short items (ui.wrap.stack, ui.wrap.cell) read as the list they are."""

from __future__ import annotations

import pytest

from ui import wrap

ITEMS = [
    (["Conflict", "Politics & elections", "Trade & economy"], ", "),
    (["2026-02-17", "Al Jazeera English", "English"], " · "),
    (["FRA", "RUS", "USA", "UKR"], " "),
]


@pytest.mark.parametrize(("items", "sep"), ITEMS)
@pytest.mark.parametrize("width", [120, 160, 240, 400])  # columns wider than any one word
def test_a_stacked_cell_reads_as_its_items_joined_by_their_separator(
    items: list[str], sep: str, width: int
) -> None:
    """Whatever the column's width, the cell's text is the items joined by their separator, so
    a line the grid keeps whole reads "Conflict, Politics & elections", never "Conflict Politics
    & elections" (one topic or two?)."""
    lines = wrap.stack(items, width, sep)
    text = wrap.cell(lines)
    assert text.replace(wrap.NBSP, " ") == sep.join(items)

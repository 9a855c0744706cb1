"""Counts too small to lean on, said next to the number (issue 11 item 6).

A pair or a country resting on a handful of articles can rest on one false tag; the pages say
so where the count shows: in a metric's note, in a pick list's label, beside a bar.
"""

from __future__ import annotations

from ingest.filters import Filters

FEW_ARTICLES = 5  # fewer articles than this: "few", read them before drawing a conclusion


def is_few(count: int | None) -> bool:
    """A count above zero and below ``FEW_ARTICLES``."""
    return count is not None and 0 < count < FEW_ARTICLES


def few_note(count: int | None) -> str | None:
    """The words to put beside a small count (None when the count is not small)."""
    if not is_few(count):
        return None
    return "only 1 article: check it" if count == 1 else f"only {count} articles: check them"


def quantity(count: int, unit: str = "articles") -> str:
    """``count`` with its unit, singular for one: "1 article", "1,547 articles"."""
    word = unit[:-1] if count == 1 and unit.endswith("s") else unit
    return f"{count:,} {word}"


def count_text(count: int, unit: str = "articles") -> str:
    """``count`` as shown in a label, with "few" beside a small one: "3 articles, few"."""
    return f"{quantity(count, unit)}, few" if is_few(count) else quantity(count, unit)


def counted(f: Filters) -> str:
    """What the counts of view ``f`` count, as the charts' axes say it: "articles", or
    "stories" (``count=stories``: one per story, so syndicated copies count once)."""
    return "stories" if f.count_stories else "articles"


def bar_labels(counts: list[int]) -> list[str]:
    """Text beside each bar of a count chart: "few" on the small ones, nothing on the others."""
    return ["few" if is_few(int(n)) else "" for n in counts]

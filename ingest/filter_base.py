"""What a filter is: the :class:`Filter` interface each filter of ``ingest.filters`` implements
(its fields, URL parameters, SQL and words), the :class:`Flag` a filter declares for the command
line, and the reading of one URL parameter (``first_param``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement

if TYPE_CHECKING:
    from ingest.filters import Filters

Conditions = list[ColumnElement[bool]]


@dataclass(frozen=True)
class Flag:
    """A command-line option of a filter: ``--name VALUE`` fills the URL parameter ``param``
    with VALUE; a ``many`` flag may be repeated or comma-separated, like the URL's lists."""

    name: str
    param: str
    metavar: str
    help: str
    many: bool = False


class Filter:
    """One filter. Subclasses set ``name``, ``fields``, ``params`` and ``flags`` and define the
    methods."""

    name: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]  # the Filters fields it owns
    params: ClassVar[tuple[str, ...]]  # its URL parameters
    flags: ClassVar[tuple[Flag, ...]]  # its command-line options, one per URL parameter
    on_rollups: ClassVar[bool] = False  # whether the aggregates carry it as a column
    per_feed: ClassVar[bool] = False  # set, it needs the aggregates kept per feed
    counting: ClassVar[bool] = False  # it says what a count counts, not which rows match

    def clean(self, f: Filters) -> dict[str, Any]:
        """Its fields' values made valid."""
        raise NotImplementedError

    def is_set(self, f: Filters) -> bool:
        """Whether it narrows the view (the dates always do)."""
        return any(getattr(f, name) for name in self.fields)

    def to_params(self, f: Filters) -> dict[str, str]:
        raise NotImplementedError

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        """Its fields' values from URL parameters (validated afterwards by ``clean``)."""
        raise NotImplementedError

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        """Conditions on ``articles`` rows (``dates``: whether the date range applies)."""
        raise NotImplementedError

    def rollup_where(self, table: Any, f: Filters) -> Conditions:
        """Conditions on an aggregate table that carries it as a column (``on_rollups``)."""
        raise NotImplementedError(f"the aggregates do not carry the {self.name} filter")

    def phrase(self, f: Filters) -> str:
        """Its words after the subject ("mentioning Russia"), or ''."""
        return ""

    def clause(self, f: Filters) -> str:
        """Its words as a clause of their own ("all languages"), or ''."""
        return ""

    def slug(self, f: Filters) -> str:
        """Its part of a file name, or ''."""
        raise NotImplementedError


def first_param(params: Mapping[str, Any], key: str) -> str:
    """The value of a URL parameter (the last when repeated), '' when absent or not text."""
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""

"""Command-line flags for any command that takes a view (``python -m ingest watch add``,
``python -m ingest export``), generated from every filter's ``flags`` (``ingest.filters``). Each
flag fills its URL parameter, then the view is read as the dashboard reads a link
(``from_query_params``); a value the view would drop is an error, not a wider view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ingest.filter_base import Flag
from ingest.filters import EARLIEST, FILTERS, LATEST, Filters, from_query_params

# Two views that no flag value can produce both of: a value the parsing drops leaves each
# unchanged (see ``flag_understood``).
_PROBES = (
    Filters(date_from=EARLIEST, date_to=LATEST),
    Filters(date_from=EARLIEST + timedelta(days=1), date_to=LATEST - timedelta(days=1)),
)


class FlagError(ValueError):
    """A flag value the view would drop (an unknown country, a date that is not one)."""


def cli_flags(exclude: Sequence[str] = ()) -> list[Flag]:
    """Every filter's flags in the registry's order, but those of the filters named in
    ``exclude``."""
    return [flag for flt in FILTERS if flt.name not in exclude for flag in flt.flags]


def flag_dest(flag: Flag) -> str:
    """The argparse destination of ``flag``."""
    return f"filter_{flag.param}"


def add_flag_arguments(group: Any, exclude: Sequence[str] = ()) -> None:
    """Add one option per filter flag to an argparse parser or argument group."""
    for flag in cli_flags(exclude):
        group.add_argument(
            f"--{flag.name}",
            dest=flag_dest(flag),
            metavar=flag.metavar,
            action="append" if flag.many else "store",
            help=flag.help + ("; repeat or comma-separate" if flag.many else ""),
        )


def flag_understood(flag: Flag, value: str) -> bool:
    """Whether ``value`` survives the URL parameter's parsing (it changes a view that no value
    can leave unchanged twice)."""
    return any(from_query_params({flag.param: value}, probe) != probe for probe in _PROBES)


def flag_items(flag: Flag, values: Sequence[str]) -> list[str]:
    """The items ``values`` give ``flag`` (a list flag's comma-separated, stripped)."""
    return [i.strip() for v in values for i in v.split(",")] if flag.many else list(values)


def misread_item(flag: Flag, values: Sequence[str]) -> str | None:
    """The first item of ``values`` (``flag_items``) that the view would drop (empty, or not
    understood), None when every one is understood."""
    return next(
        (i for i in flag_items(flag, values) if not i or not flag_understood(flag, i)), None
    )


def flag_params(args: Any, exclude: Sequence[str] = ()) -> dict[str, str]:
    """The URL parameters the flags given in ``args`` ask for (a repeated list flag joined with
    commas). Raises FlagError for a value the view would drop: a script must not silently get
    a wider view than it asked for."""
    params: dict[str, str] = {}
    for flag in cli_flags(exclude):
        given = getattr(args, flag_dest(flag), None)
        if given is None:
            continue
        values = given if flag.many else [given]
        bad = misread_item(flag, values)
        if bad is not None:
            raise FlagError(f"--{flag.name} {bad!r}: not understood ({flag.help})")
        params[flag.param] = ",".join(flag_items(flag, values))
    return params

"""Which long runs a test session holds, and how big they are.

The long runs (crash, soak, several workers, deployment, browser, enrichment; marked ``slow``)
run at the size their issues ask for when ``CI=true`` (what ``.ci/run`` runs under) or
``PANTAU_TEST_FULL=1``. A developer's plain ``./pantau test`` (no ``-m``, no test named) leaves
them out: the fast set, every other test, in under five minutes on two cores. Asked for
(``-m slow``, or their files or tests named), they run at a reduced size that still exercises
the same paths with the same assertions (fewer kills, a shorter soak, fewer feeds).
"""

from __future__ import annotations

import os
from typing import TypeVar

import pytest

N = TypeVar("N", int, float)

FULL = os.environ.get("CI", "").lower() in ("true", "1") or os.environ.get(
    "PANTAU_TEST_FULL", ""
).lower() in ("true", "1")


def sized(full: N, reduced: N) -> N:
    """``full`` in CI (or with PANTAU_TEST_FULL=1), else ``reduced``."""
    return full if FULL else reduced


def long_runs_left_out(config: pytest.Config) -> bool:
    """True for a developer's plain run of the whole suite: not CI (nor PANTAU_TEST_FULL=1),
    no marker expression, no test named (pytest's own testpaths)."""
    return (
        not FULL
        and not config.option.markexpr
        and config.args_source == pytest.Config.ArgsSource.TESTPATHS
    )


def describe(config: pytest.Config) -> str:
    """One line for pytest's header: which long runs this session holds and how to change it."""
    if FULL:
        return "pantau: long runs (marked slow) at full size (CI=true or PANTAU_TEST_FULL=1)"
    if long_runs_left_out(config):
        return (
            "pantau: the fast set; long runs (marked slow) left out: CI runs them at full size "
            "(PANTAU_TEST_FULL=1 here), -m slow runs them at a reduced size"
        )
    return "pantau: long runs (marked slow) at reduced size (PANTAU_TEST_FULL=1 for CI's size)"

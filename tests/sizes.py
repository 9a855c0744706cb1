"""How big the long runs are: CI's full size, or a developer's reduced size.

The soak, crash and multi-worker tests (marked ``slow``) run at the size their issues ask for
when ``CI=true`` (what ``.ci/run`` runs under) or ``PANTAU_TEST_FULL=1``; otherwise at a reduced
size that still exercises the same paths with the same assertions (fewer kills, a shorter soak,
fewer feeds). ``./pantau test -m "not slow"`` leaves them out altogether.
"""

from __future__ import annotations

import os
from typing import TypeVar

N = TypeVar("N", int, float)

FULL = os.environ.get("CI", "").lower() in ("true", "1") or os.environ.get(
    "PANTAU_TEST_FULL", ""
).lower() in ("true", "1")


def sized(full: N, reduced: N) -> N:
    """``full`` in CI (or with PANTAU_TEST_FULL=1), else ``reduced``."""
    return full if FULL else reduced


def describe() -> str:
    """One line for pytest's header: which size this run uses and how to change it."""
    if FULL:
        return "pantau: long runs at full size (CI=true or PANTAU_TEST_FULL=1)"
    return "pantau: long runs at reduced size (PANTAU_TEST_FULL=1 for CI's full size)"

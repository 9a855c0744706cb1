"""The suite is deterministic: every hypothesis test runs derandomised, with no example database.

The profile is registered and loaded in tests/conftest.py. This reads each test module that uses
hypothesis (found by reading the files, not by a list kept here) and checks the settings every
``@given`` test will run with, so a module that forgets the profile or turns it off fails here.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent
USERS = sorted(
    path.stem
    for path in TESTS.glob("test_*.py")
    if "from hypothesis import" in path.read_text(encoding="utf-8")
    and path.stem != Path(__file__).stem
)


def test_the_modules_named_in_issue_16_use_hypothesis() -> None:
    assert {"test_parse_properties", "test_matcher", "test_ui_export", "test_properties"} <= set(
        USERS
    )


@pytest.mark.parametrize("name", USERS)
def test_every_property_test_is_derandomised(name: str) -> None:
    module = importlib.import_module(f"tests.{name}")
    found = []
    for attr, fn in inspect.getmembers(module, inspect.isfunction):
        if not attr.startswith("test_") or not hasattr(fn, "hypothesis"):
            continue
        used = getattr(fn, "_hypothesis_internal_use_settings", settings.default)
        found.append((attr, used.derandomize, used.database))
    assert found, f"{name} imports hypothesis but has no @given test"
    assert [f for f in found if not (f[1] is True and f[2] is None)] == []

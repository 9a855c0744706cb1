"""Which tests a session holds (issue 16 item 10): a developer's plain ``./pantau test`` is the
fast set, the long runs (marked slow) left out and reported as deselected; CI (or
PANTAU_TEST_FULL=1), a marker expression or a named test keeps them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import conftest, sizes

TESTPATHS = pytest.Config.ArgsSource.TESTPATHS
ARGS = pytest.Config.ArgsSource.ARGS


def _config(markexpr: str = "", source: object = TESTPATHS) -> SimpleNamespace:
    deselected: list = []
    hook = SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items))
    return SimpleNamespace(
        option=SimpleNamespace(markexpr=markexpr), args_source=source, hook=hook,
        deselected=deselected,
    )  # fmt: skip


class _Item:
    def __init__(self, name: str, slow: bool) -> None:
        self.name, self.slow = name, slow

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "slow" and self.slow else None


ITEMS = [("a", False), ("crash", True), ("b", False), ("soak", True), ("c", False)]


@pytest.mark.parametrize(
    ("full", "markexpr", "source", "left_out"),
    [
        (False, "", TESTPATHS, True),  # ./pantau test
        (False, "slow", TESTPATHS, False),  # ./pantau test -m slow
        (False, "not slow", TESTPATHS, False),
        (False, "", ARGS, False),  # ./pantau test tests/test_crash.py
        (True, "", TESTPATHS, False),  # CI=true ./pantau test
    ],
)
def test_the_long_runs_are_left_out_of_a_plain_developer_run_only(
    monkeypatch: pytest.MonkeyPatch, full: bool, markexpr: str, source: object, left_out: bool
) -> None:
    monkeypatch.setattr(sizes, "FULL", full)
    config = _config(markexpr, source)
    assert sizes.long_runs_left_out(config) is left_out  # type: ignore[arg-type]
    items = [_Item(name, slow) for name, slow in ITEMS]
    conftest.pytest_collection_modifyitems(config, items)  # type: ignore[arg-type]
    kept = [item.name for item in items]
    if left_out:
        assert kept == ["a", "b", "c"]
        assert [item.name for item in config.deselected] == ["crash", "soak"]
        assert "left out" in sizes.describe(config)  # type: ignore[arg-type]
    else:
        assert kept == ["crash", "soak", "a", "b", "c"]  # every test, the long runs first
        assert config.deselected == []
        assert "left out" not in sizes.describe(config)  # type: ignore[arg-type]

"""The README stays true: its configuration table is the settings declared in ingest/config.py."""

from __future__ import annotations

import re
from pathlib import Path

from ingest import config
from ingest.__main__ import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_configuration_table_is_generated_from_the_settings() -> None:
    block = re.search(r"<!-- settings:start -->\n(.*)\n<!-- settings:end -->", README, re.S)
    assert block, "README lost its settings markers"
    assert block.group(1) == config.settings_markdown()


def test_every_setting_has_help_and_a_parsable_default() -> None:
    names = [s.name for s in config.SETTINGS]
    assert len(names) == len(set(names))
    for setting in config.SETTINGS:
        assert setting.help.strip(), setting.name
        assert config.get(setting.name, environ={}) == setting.default


def test_a_bad_setting_value_names_the_variable() -> None:
    try:
        config.get("fetch_concurrency", environ={"PANTAU_FETCH_CONCURRENCY": "lots"})
    except ValueError as exc:
        assert "PANTAU_FETCH_CONCURRENCY" in str(exc)
    else:
        raise AssertionError("a non-integer concurrency was accepted")


def test_every_cli_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"python -m ingest {name}" in README, name


def test_readme_names_the_two_commands_ci_runs() -> None:
    assert "./pantau start" in README and "./pantau test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./pantau test" in ci

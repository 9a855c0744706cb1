"""The operator's command line, run as a real subprocess (`python -m ingest …`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def run_cli(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text("", encoding="utf-8")
    return {
        "PANTAU_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PANTAU_FEEDS_FILE": str(catalogue),
    }


@pytest.mark.slow  # four processes, two of them importing real feeds
def test_migrate_then_import_then_stats(cli_env) -> None:
    done = run_cli("migrate", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "migration" in done.stdout
    done = run_cli("import", str(FEEDS / "bbc-news"), str(FEEDS / "antara"), env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "0 failed" in done.stdout and "new articles" in done.stdout
    new = int(done.stdout.split(" items, ")[1].split(" new")[0])
    assert new > 100
    again = run_cli("import", str(FEEDS / "bbc-news"), env=cli_env)
    assert again.returncode == 0 and " 0 new articles" in again.stdout
    stats = run_cli("stats", "--json", env=cli_env)
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["articles"] == new


def test_import_of_a_missing_path_is_a_clear_error(cli_env, tmp_path) -> None:
    done = run_cli("import", str(tmp_path / "nothing-here"), env=cli_env)
    assert done.returncode == 2
    assert "no such file or folder" in done.stderr


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/feed", "javascript:alert(1)", "/etc/passwd"],
)
def test_add_feed_refuses_what_is_not_a_public_http_feed(cli_env, url: str) -> None:
    done = run_cli("add-feed", url, "--no-check", env=cli_env)
    assert done.returncode == 2
    assert "refused" in done.stderr


def test_add_feed_checks_the_feed_before_storing_it(cli_env, feed_server) -> None:
    env = {**cli_env, "PANTAU_ALLOW_PRIVATE_ADDRESSES": "1"}
    html = run_cli("add-feed", feed_server.url("/html"), env=env)
    assert html.returncode == 1 and "refused" in html.stderr
    good = run_cli(
        "add-feed",
        feed_server.feed_url("antara/antaranews_terkini_2017-04-17.rss.xml"),
        "--country",
        "IDN",
        env=env,
    )
    assert good.returncode == 0, good.stderr
    assert "items" in good.stdout and "feed 1:" in good.stdout


@pytest.mark.slow  # two processes polling and tagging real feeds
def test_poll_reads_the_catalogue_and_prints_a_summary(cli_env, feed_server, tmp_path) -> None:
    catalogue = Path(cli_env["PANTAU_FEEDS_FILE"])
    catalogue.write_text(
        "\n".join(
            f'[[feed]]\ntitle = "F{i}"\nurl = "{url}"\nlanguage = "en"\ncountry = "GBR"\n'
            for i, url in enumerate(
                [
                    feed_server.feed_url(),
                    feed_server.feed_url("dw/dw-english_rss-en-all_2026-02-18.rdf.xml"),
                    feed_server.url("/status/500"),
                ]
            )
        ),
        encoding="utf-8",
    )
    env = {**cli_env, "PANTAU_ALLOW_PRIVATE_ADDRESSES": "1"}
    done = run_cli("poll", env=env)
    assert done.returncode == 0, done.stderr
    assert "3 feeds polled: 2 ok, 1 failed" in done.stdout
    assert "http_5xx" in done.stderr
    again = run_cli("run", "--once", "--worker-id", "w2", env=env)
    assert again.returncode == 0, again.stderr
    assert "0 feeds polled" in again.stdout  # nothing is due yet


def test_settings_markdown_is_the_readme_table(cli_env) -> None:
    done = run_cli("settings", "--markdown", env=cli_env)
    assert done.returncode == 0
    assert "PANTAU_DATABASE_URL" in done.stdout
    assert done.stdout.strip() in (ROOT / "README.md").read_text(encoding="utf-8")

"""The training scripts read public repositories' snapshots through build_snapshot: a real git
repository made here, with two commits, is the oracle."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_show_reads_a_file_at_head_or_at_a_given_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "t")
    (repo / "data").mkdir()
    first = "Это первая версия\n".encode()
    (repo / "data" / "a.txt").write_bytes(first)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    old = _git(repo, "log", "-1", "--format=%H")
    (repo / "data" / "a.txt").write_bytes(b"second\x00bytes")
    _git(repo, "commit", "-q", "-am", "two")

    assert show(repo, "data/a.txt") == b"second\x00bytes"
    assert show(repo, "data/a.txt", old) == first
    assert head_commit(repo) == _git(repo, "log", "-1", "--format=%H") != old
    assert len(head_commit(repo)) == 40

"""Read a file of a public repository's snapshot (a clone or bare mirror) with git: shared by the
scripts that draw training items from one (``build_training_*``). Not part of the tagger (its
name keeps it out of the tagger version, as the build scripts are)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def show(repo: Path, path: str, commit: str = "HEAD") -> bytes:
    """The bytes of ``path`` at ``commit`` in the repository ``repo``."""
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, check=True
    ).stdout


def head_commit(repo: Path) -> str:
    """The commit ``repo``'s HEAD is at (its 40 hex digits)."""
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()

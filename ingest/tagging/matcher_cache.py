"""Compiled matchers kept on disk, so a process is ready at once instead of building them.

``cached_matcher(name, build)`` returns the matcher ``build()`` makes, loaded from
``<tagger_cache_dir>/<name>-<TAGGER_VERSION>.pickle`` when that file exists, else built and
written there for the next process. The file name holds the tagger version (a hash of the
tagging code and every data file it reads), so an edited gazetteer or lexicon is never served
from a stale file; files of other versions of the same matcher are removed when a new one is
written. A cache that cannot be read or written is not an error: the matcher is built, as
without a cache. The file is written to a temporary name and renamed, so two processes
starting at once never read a half-written file.

The cache holds pickles, which only the project's own processes write: the directory is under
the project's data directory by default (setting ``tagger_cache_dir``; ``off`` turns it off).
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path

from ingest import config
from ingest.tagging.matcher import Matcher

log = logging.getLogger(__name__)


def cache_path(name: str) -> Path | None:
    """Where matcher ``name`` of this tagger version is kept (None: the cache is off)."""
    from ingest.tagging import TAGGER_VERSION  # the package imports the taggers, not back

    directory = config.get("tagger_cache_dir")
    if directory.strip().lower() == "off":
        return None
    return Path(directory) / f"{name}-{TAGGER_VERSION}.pickle"


def _load(path: Path) -> Matcher | None:
    try:
        with path.open("rb") as handle:
            matcher = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as problem:  # noqa: BLE001 - a bad cache file is rebuilt, never fatal
        log.warning("tagger cache %s unreadable (%s); rebuilding it", path, problem)
        return None
    return matcher if isinstance(matcher, Matcher) else None


def _store(path: Path, matcher: Matcher) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(matcher, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        stem = path.name.rsplit("-", 1)[0]
        for old in path.parent.glob(f"{stem}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as problem:
        log.warning("tagger cache %s not written (%s)", path, problem)


def cached_matcher(name: str, build: Callable[[], Matcher]) -> Matcher:
    """The matcher ``build`` makes, from the cache when this tagger version's file is there."""
    path = cache_path(name)
    if path is not None:
        matcher = _load(path)
        if matcher is not None:
            return matcher
    matcher = build()
    if path is not None:
        _store(path, matcher)
    return matcher

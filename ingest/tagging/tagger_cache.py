"""What the tagger builds from its data files, kept on disk, so a process is ready at once.

``cached(name, build, kind)`` returns the object ``build()`` makes (a compiled matcher, the
topic lexicon, the topic model's index, the language-code table), loaded from
``<tagger_cache_dir>/<name>-<version>.pickle`` when that file exists, else built and written
there for the next process. The version is the tagger version (a hash of the tagging code and
every data file it reads), combined with ``depends_on`` for an object built from data outside
the project (Babel's CLDR tables), so an edited gazetteer or lexicon, or another Babel, is
never served from a stale file; files of other versions of the same object are removed when a
new one is written. A cache that cannot be read or written is not an error: the object is
built, as without a cache. The file is written to a temporary name and renamed, so two processes
starting at once never read a half-written file.

The cache holds pickles, which only the project's own processes write: the directory is under
the project's data directory by default (setting ``tagger_cache_dir``; ``off`` turns it off).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ingest import config

log = logging.getLogger(__name__)

T = TypeVar("T")


def cache_path(name: str, depends_on: str = "") -> Path | None:
    """Where object ``name`` of this tagger version is kept (None: the cache is off)."""
    from ingest.tagging import TAGGER_VERSION  # the package imports the taggers, not back

    directory = config.get("tagger_cache_dir")
    if directory.strip().lower() == "off":
        return None
    version = TAGGER_VERSION
    if depends_on:
        combined = f"{TAGGER_VERSION}\n{depends_on}".encode()
        version = hashlib.sha256(combined).hexdigest()[: len(TAGGER_VERSION)]
    return Path(directory) / f"{name}-{version}.pickle"


def _load(path: Path, kind: type[T]) -> T | None:
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as problem:  # noqa: BLE001 - a bad cache file is rebuilt, never fatal
        log.warning("tagger cache %s unreadable (%s); rebuilding it", path, problem)
        return None
    return found if isinstance(found, kind) else None


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place (a reader never
    sees half a file), then remove the files of other versions of the same name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stem = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{stem}-*{path.suffix}"):
        if old != path and old.name.rsplit("-", 1)[0] == stem:  # not topics-en's for topics
            old.unlink(missing_ok=True)


def _store(path: Path, built: object) -> None:
    try:
        _replace(path, pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as problem:
        log.warning("tagger cache %s not written (%s)", path, problem)


def cached(name: str, build: Callable[[], T], kind: type[T], depends_on: str = "") -> T:
    """What ``build`` makes (an instance of ``kind``), from the cache when this version's file
    is there; ``depends_on`` names the outside data it is built from (a library's version)."""
    path = cache_path(name, depends_on)
    if path is not None:
        found = _load(path, kind)
        if found is not None:
            return found
    built = build()
    if path is not None:
        _store(path, built)
    return built


def remembered_version(files: list[Path], compute: Callable[[], str]) -> str:
    """``compute()`` (the tagger version: a hash of ``files``' bytes, ~15 ms of a process's
    start), remembered in the cache directory under a key of the files' paths, sizes,
    modification times and inodes: a file written since, or another checkout, gives another
    key and the version is computed afresh. With the cache off it is always computed."""
    directory = config.get("tagger_cache_dir")
    if directory.strip().lower() == "off":
        return compute()
    stamp = hashlib.sha256()
    try:
        for path in files:
            status = path.stat()
            stamp.update(
                f"{path}\0{status.st_size}\0{status.st_mtime_ns}\0{status.st_ino}\n".encode()
            )
    except OSError:
        return compute()
    remembered = Path(directory) / f"tagger-version-{stamp.hexdigest()[:16]}.txt"
    try:
        version = remembered.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        version = ""
    if version and all(c in "0123456789abcdef" for c in version):
        return version
    version = compute()
    try:
        _replace(remembered, version.encode("ascii"))
    except OSError as problem:
        log.warning("tagger version not remembered in %s (%s)", directory, problem)
    return version

"""The write path after the bytes: parse → skip what is stored → language and tags → store.

Used by the poller (``ingest.scheduler``), by ``python -m ingest import`` (saved feed files, the
way a user backfills or works offline), by the dashboard's first-run demo seeding, and by
``retag``. Items already stored are recognised right after parsing, before the costly
language detection and tagging.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine

from ingest import store
from ingest.bars import progress_bar
from ingest.config import PACKAGE_DATA
from ingest.parse import parse_feed
from ingest.records import Article, Tags
from ingest.tagging import TAGGER_VERSION, tag_article
from ingest.vectors import MODEL as VECTOR_MODEL
from ingest.vectors import compute_vectors, vectors_enabled

log = logging.getLogger(__name__)

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
DEMO_DIR = PACKAGE_DATA / "demo"
DEMO_VERSION_LENGTH = 12  # hex digits of the demo data set's version kept in the store's meta
Progress = Callable[[int, int, str], None]
T = TypeVar("T")


def new_items(engine: Engine, articles: Sequence[Article]) -> list[Article]:
    """The articles the store does not hold yet (first occurrence of each url_key)."""
    known = store.known_url_keys(engine, (a.url_key for a in articles))
    fresh: dict[str, Article] = {}
    for article in articles:
        if article.url_key not in known:
            fresh.setdefault(article.url_key, article)
    return list(fresh.values())


# A fetch's language is trusted for the rest of its items once detection has found it on this
# many items in a row (feeds declare wrongly: VIVA and detik say "en" and are Indonesian; many
# declare nothing). Until then every item is detected.
CONFIRM_LANGUAGE = 3


def tag_items(articles: Iterable[Article], feed_language: str | None) -> list[tuple[Article, Tags]]:
    """Language, countries and topics for each article of one fetch: the one tagging hook of
    the pipeline (the fetch's language confirmed once, as ``confirming_language`` says)."""

    def tag(article: Article, hint: str | None, trusted: bool) -> Tags:
        return tag_article(
            article.title,
            article.summary,
            published=article.published_at,
            language_hint=hint,
            trust_language=trusted,
        )

    return confirming_language(articles, lambda a: a.feed_language or feed_language, tag)


def confirming_language(
    items: Iterable[T],
    hint_of: Callable[[T], str | None],
    tag: Callable[[T, str | None, bool], Tags],
) -> list[tuple[T, Tags]]:
    """``tag(item, language hint, trusted)`` for each item of one source (a fetch, a feed's
    stored articles), in order.

    langdetect is the costly part of tagging a teaser, and a feed is nearly always in one
    language: once ``CONFIRM_LANGUAGE`` items in a row are detected in one language (the
    declared one or not), the source's other items take it unless their script contradicts it
    (``detect_language``'s ``trust_declared``)."""
    tagged = []
    candidate: str | None = None  # the language the last items were detected in
    streak = 0  # how many in a row
    for item in items:
        trusted = streak >= CONFIRM_LANGUAGE
        tags = tag(item, candidate if trusted else hint_of(item), trusted)
        if not trusted and tags.language_source == "detected" and tags.language:
            if tags.language == candidate:
                streak += 1
            else:
                candidate, streak = tags.language, 1
        tagged.append((item, tags))
    return tagged


# --------------------------------------------------------------------------------------------
# Offline import


@dataclass
class ImportSummary:
    files: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, error)
    items: int = 0
    new_articles: int = 0

    def line(self) -> str:
        return (
            f"{self.files} files, {len(self.failed)} failed, {self.items} items, "
            f"{self.new_articles} new articles"
        )


@dataclass
class ArchiveInfo:
    """What a MANIFEST.tsv beside saved feed files says about one of them."""

    title: str | None = None
    language: str | None = None
    country: str | None = None
    site_url: str | None = None


def feed_files(paths: Iterable[Path]) -> list[Path]:
    """Every feed file under ``paths`` (files as given, folders searched), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in FEED_SUFFIXES
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return found


def _manifest(folder: Path, cache: dict[Path, dict[str, ArchiveInfo]]) -> dict[str, ArchiveInfo]:
    if folder not in cache:
        entries: dict[str, ArchiveInfo] = {}
        manifest = folder / "MANIFEST.tsv"
        if manifest.is_file():
            with manifest.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    entries[row["file"]] = ArchiveInfo(
                        title=row.get("title") or None,
                        language=row.get("language") or None,
                        country=row.get("country") or None,
                        site_url=row.get("site_url") or None,
                    )
        cache[folder] = entries
    return cache[folder]


def _site_keyed(path: Path, info: ArchiveInfo, site_url: str | None) -> str:
    return archive_feed_url(path, site_url, info)


def archive_feed_url(path: Path, site_url: str | None, info: ArchiveInfo) -> str:
    """The stable key of the feed a saved file belongs to (snapshots of one feed share it):
    from the manifest's site link, else the file's own (``site_url``), else its path."""
    site = info.site_url or site_url
    if site:
        return f"archive:{site}"
    return f"archive:{path.parent.name}/{path.stem}"


@dataclass
class FileRead:
    """One saved feed file read and tagged, ready to store (it may cross from a reading process
    to the writer, so it holds plain data only)."""

    path: Path
    info: ArchiveInfo
    feed_url: str = ""
    title: str | None = None
    language: str | None = None
    site_url: str | None = None
    items: int = 0
    tagged: list[tuple[Article, Tags]] = field(default_factory=list)
    # Items an earlier file of the same reading batch holds too, left untagged: the writer
    # tags them only if that file could not be stored.
    deferred: list[Article] = field(default_factory=list)
    error: str | None = None  # why nothing of the file can be stored


def read_file(
    path: Path, info: ArchiveInfo, fresh_only: Callable[[Sequence[Article]], list[Article]]
) -> FileRead:
    """Parse one saved feed file, drop the items ``fresh_only`` says are stored, tag the rest."""
    read = FileRead(path=path, info=info)
    try:
        body = path.read_bytes()
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        # The feed's key needs its site link, which the parse itself finds (one parse).
        parsed = parse_feed(
            body,
            feed_url=path.resolve().as_uri(),
            fetched_at=fetched_at,
            feed_key=functools.partial(_site_keyed, path, info),
        )
        if parsed.error and not parsed.articles:
            read.error = f"{parsed.error_category}: {parsed.error}"
            return read
        read.feed_url = archive_feed_url(path, parsed.site_url, info)
        read.title = info.title or parsed.title or path.stem
        read.language = info.language or parsed.language
        read.site_url = info.site_url or parsed.site_url
        read.items = len(parsed.articles)
        read.tagged = tag_items(fresh_only(parsed.articles), read.language)
    except (OSError, ValueError) as exc:
        read.error = str(exc)
        read.tagged = []
    return read


# ``import_paths`` with ``jobs``: files go to the reading processes in batches of consecutive
# files of one folder (snapshots of one feed overlap: within a batch an item is tagged once).
READ_BATCH = 8
# Batches each reader may be ahead of the writer (2: the reader idled for a quarter of the
# import, waiting while the writer stored a long batch).
BATCHES_AHEAD = 4
_reader_engine: Engine | None = None  # a reading process's own engine on the store


def _start_reader(url: str) -> None:
    global _reader_engine
    _reader_engine = store.make_engine(url, migrate_now=False)
    parent = multiprocessing.parent_process()
    if parent is not None:  # a writer killed outright leaves no reader behind
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _read_batch(batch: Sequence[tuple[Path, ArchiveInfo]]) -> list[FileRead]:
    """``read_file`` of each file in a reading process: an item stored already, or held by an
    earlier file of the batch, is not tagged (the second kind is ``deferred``)."""
    assert _reader_engine is not None, "_start_reader runs first in every reading process"
    engine = _reader_engine
    held: set[str] = set()
    reads = []
    for path, info in batch:
        deferred: list[Article] = []
        read = read_file(path, info, functools.partial(_not_held, engine, held, deferred))
        read.deferred = deferred
        held.update(article.url_key for article, _tags in read.tagged)
        reads.append(read)
    return reads


def _not_held(
    engine: Engine, held: set[str], deferred: list[Article], found: Sequence[Article]
) -> list[Article]:
    """The new items of ``found`` that no earlier file of the batch holds (the others go to
    ``deferred``)."""
    fresh: list[Article] = []
    for article in new_items(engine, found):
        (deferred if article.url_key in held else fresh).append(article)
    return fresh


def _batches(files: Sequence[tuple[Path, ArchiveInfo]]) -> list[list[tuple[Path, ArchiveInfo]]]:
    """``files`` in order, cut into runs of at most ``READ_BATCH`` files of one folder."""
    batches: list[list[tuple[Path, ArchiveInfo]]] = []
    for pair in files:
        last = batches[-1] if batches else None
        if last and len(last) < READ_BATCH and last[-1][0].parent == pair[0].parent:
            last.append(pair)
        else:
            batches.append([pair])
    return batches


def _reads(
    engine: Engine, files: Sequence[tuple[Path, ArchiveInfo]], jobs: int
) -> Iterator[FileRead]:
    """Each file read and tagged, in order: here (each once the one before is stored), or by
    ``jobs`` reading processes ahead of the writer (``BATCHES_AHEAD`` batches each in flight at
    most, so a reader rarely waits for the writer while memory stays bounded)."""
    if jobs < 1 or len(files) < 2:
        for path, info in files:
            yield read_file(path, info, functools.partial(new_items, engine))
        return
    url = engine.url.render_as_string(hide_password=False)
    # spawn: a forked child would inherit the writer's open database connections.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, context, _start_reader, (url,)) as pool:
        work = iter(_batches(files))
        pending = deque(
            pool.submit(_read_batch, batch) for batch in islice(work, BATCHES_AHEAD * jobs)
        )
        while pending:
            reads = pending.popleft().result()
            pending.extend(pool.submit(_read_batch, batch) for batch in islice(work, 1))
            yield from reads


def import_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    source: str = "import",
    progress: Progress | None = None,
    show_bar: bool = False,
    jobs: int = 0,
) -> ImportSummary:
    """Ingest saved feed files; one unreadable file is reported and the rest go on.

    Each file's new articles are stored in one transaction, so an import killed at any moment
    and run again stores every article exactly once. With ``jobs``, that many other processes
    parse and tag the next files while this one stores them, in the files' order: the store
    ends as a one-process import leaves it. (The caller's main module must then be importable
    without side effects: the reading processes are spawned.)
    """
    files = feed_files(paths)
    summary = ImportSummary()
    manifests: dict[Path, dict[str, ArchiveInfo]] = {}
    pairs = [
        (path, _manifest(path.parent, manifests).get(path.name, ArchiveInfo())) for path in files
    ]
    unstored: set[str] = set()  # items of files whose store failed
    bar = progress_bar(
        _reads(engine, pairs, jobs),
        total=len(files),
        unit="file",
        disable=not show_bar,
        desc="import",
    )
    for index, read in enumerate(bar):
        if progress:
            progress(index, len(files), read.path.name)
        summary.files += 1
        if read.error is not None:
            summary.failed.append((str(read.path), read.error))
            continue
        summary.items += read.items
        redo = [article for article in read.deferred if article.url_key in unstored]
        if redo:  # held by an earlier file that could not be stored: tagged here after all
            read.tagged += tag_items(redo, read.language)
        try:
            summary.new_articles += _store_read(engine, read, source)
        except (OSError, ValueError) as exc:
            unstored.update(article.url_key for article, _tags in read.tagged)
            summary.failed.append((str(read.path), str(exc)))
            log.warning("import of %s failed: %s", read.path, exc)
        bar.set_postfix(new=summary.new_articles)
    if progress:
        progress(len(files), len(files), "done")
    store.checkpoint(engine)
    return summary


def _store_read(engine: Engine, read: FileRead, source: str) -> int:
    """Store what ``read_file`` gave: the feed's row and its new articles; return how many."""
    feed_id = store.ensure_feed(
        engine,
        read.feed_url,
        title=read.title,
        language=read.language,
        country_iso3=read.info.country,
        site_url=read.site_url,
        source=source,
        enabled=False,
        status="archive",
    )
    return store.save_articles(engine, feed_id, read.tagged).new_articles


def demo_version() -> str:
    """Which demo data set ships with this code (a hash of its manifest and tagger)."""
    manifest = (DEMO_DIR / "MANIFEST.tsv").read_bytes()
    return hashlib.sha1(manifest + TAGGER_VERSION.encode()).hexdigest()[:DEMO_VERSION_LENGTH]


def seed_demo(engine: Engine, progress: Progress | None = None) -> int:
    """Fill the store with the bundled demo snapshots; return the articles stored.

    Then (with ``vectors_after_poll`` on) each article's multilingual vector, which links the
    demo's stories across languages. Recorded in the store once complete, so later calls
    return at once; a seed cut short (a killed server) is not recorded and finishes on the next
    call, storing nothing twice.
    """
    version = demo_version()
    if store.get_meta(engine, "demo_seeded") == version:
        return 0
    summary = import_paths(engine, [DEMO_DIR], source="demo", progress=progress)
    if vectors_enabled():  # the demo's stories linked across languages (a few seconds)
        total = store.count_without_vector(engine, VECTOR_MODEL)
        encoded = 0

        def encoded_more(articles: int) -> None:
            nonlocal encoded
            encoded += articles
            if progress is not None:
                progress(encoded, total, "· linking stories across languages")

        try:
            compute_vectors(engine, progress=encoded_more)
        except Exception:  # the demo stays usable; `run` or `python -m ingest vectors` retries
            log.exception("computing the demo's vectors failed; its stories link within languages")
    if not summary.failed:
        store.set_meta(engine, "demo_seeded", version)
    return summary.new_articles


# --------------------------------------------------------------------------------------------
# Retag


# Where ``retag`` reads stored bodies: article ids → (body, lead) of those that have one (the
# store's ``article_texts``, by default; ``no_bodies`` tags title and summary alone).
BodySource = Callable[[Engine, Sequence[int]], Mapping[int, tuple[str | None, str | None]]]


def no_bodies(engine: Engine, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    """The body source of a store that holds no bodies."""
    return {}


def stored_bodies(
    engine: Engine, ids: Sequence[int]
) -> Mapping[int, tuple[str | None, str | None]]:
    """The bodies the store keeps (``queries.article_bodies``)."""
    from ingest.queries import article_bodies

    return article_bodies(engine, ids)


def retag(
    engine: Engine,
    *,
    batch_size: int = store.RETAG_BATCH,
    show_bar: bool = True,
    bodies: BodySource = stored_bodies,
) -> int:
    """Re-apply tagging to every stored article whose tagger_version is not the current one,
    from its stored body too when ``bodies`` has one for it.

    Works in batches, each in its own transaction, and picks up where it stopped: an article
    is retagged once its new tagger_version is stored, so an interrupted run resumes.
    """
    total = store.count_to_retag(engine, TAGGER_VERSION)
    done = 0
    after = 0
    with progress_bar(total=total, unit="article", disable=not show_bar, desc="retag") as bar:
        while True:
            rows = store.articles_to_retag(engine, TAGGER_VERSION, after_id=after, limit=batch_size)
            if not rows:
                break
            ids = [row["id"] for row in rows]
            texts = bodies(engine, ids)
            store.replace_tags(engine, _retagged_by_feed(rows, texts, stored_vectors(engine, ids)))
            after = rows[-1]["id"]
            done += len(rows)
            bar.update(len(rows))
    store.checkpoint(engine)
    return done


def stored_vectors(engine: Engine, ids: Sequence[int]) -> dict[int, Any]:
    """The sentence vectors the store holds for ``ids`` (``ingest.vectors``), which the topic
    model's second stage reads: every re-tagging passes them, so an article's topics are the
    same whichever way it was re-tagged."""
    from ingest.vectors import from_blob

    return {i: from_blob(blob) for i, blob in store.vectors_of(engine, VECTOR_MODEL, ids).items()}


def _retagged(
    row: Mapping[str, Any],
    body: str | None,
    lead: str | None,
    hint: str | None = None,
    trusted: bool = False,
    vector: Any = None,  # noqa: ANN401 - a numpy vector or None
) -> tuple[int, Tags]:
    """(id, tags) of a stored article (a row of ``store.articles_to_retag``) read with ``body``
    and its stored sentence ``vector``; its language hint is its feed's unless ``hint`` is
    given."""
    return (
        row["id"],
        tag_article(
            row["title"],
            row["summary"],
            body=body,
            lead=lead,
            published=row["published_at"],
            language_hint=hint if hint is not None else row["feed_language"],
            trust_language=trusted,
            vector=vector,
        ),
    )


def _retagged_by_feed(
    rows: Sequence[Mapping[str, Any]],
    texts: Mapping[int, tuple[str | None, str | None]],
    vectors: Mapping[int, Any],
) -> list[tuple[int, Tags]]:
    """``_retagged`` of each row (in the rows' order): as it was first tagged. A feed's
    articles without a body, in id order, confirm its language as a fetch does
    (``confirming_language``); an article with a stored body, whose language is read from the
    body, or of no feed is detected alone, as enrichment and ``tag`` do."""

    def tag(row: Mapping[str, Any], hint: str | None, trusted: bool) -> Tags:
        body, lead = texts.get(row["id"], (None, None))
        return _retagged(row, body, lead, hint, trusted, vectors.get(row["id"]))[1]

    by_feed: dict[int, list[Mapping[str, Any]]] = {}
    done: dict[int, Tags] = {}
    for row in rows:
        if row["feed_id"] is None or texts.get(row["id"], (None, None))[0]:
            done[row["id"]] = tag(row, row["feed_language"], False)
        else:
            by_feed.setdefault(row["feed_id"], []).append(row)
    for group in by_feed.values():
        for row, tags in confirming_language(group, lambda row: row["feed_language"], tag):
            done[row["id"]] = tags
    return [(row["id"], done[row["id"]]) for row in rows]


def retag_with_body(engine: Engine, items: Sequence[tuple[int, str | None, str | None]]) -> int:
    """Re-tag stored articles from title + summary + body: ``items`` are (article id, body,
    lead), as enrichment extracts them (a None body: title and summary alone). Their tags and
    the aggregates are replaced in one transaction; returns the articles retagged (ids the
    store does not hold are skipped)."""
    if not items:
        return 0
    texts = {int(i): (body, lead) for i, body, lead in items}
    rows = store.articles_by_id(engine, list(texts))
    vectors = stored_vectors(engine, list(texts))
    return store.replace_tags(
        engine, [_retagged(row, *texts[row["id"]], vector=vectors.get(row["id"])) for row in rows]
    )


def tags_with_vectors(engine: Engine, vectors: Mapping[int, Any]) -> list[tuple[int, Tags]]:
    """(id, tags) of stored articles that are getting their sentence vector (``vectors``: id →
    the vector as stored, ``from_blob``), so that the topic model's second stage, which reads
    it, decides their topics: read as ``retag`` reads them (the stored body too). An article
    whose full text was extracted but is no longer kept is left out: its tags were read with
    the body. Reads only: ``ingest.vectors`` stores the tags with the vectors."""
    from ingest.queries import article_text_rows
    from ingest.store.texts import TEXT_OK

    ids = list(vectors)
    gone = {
        article_id
        for article_id, (body, status) in article_text_rows(engine, ids).items()
        if body is None and status == TEXT_OK
    }
    wanted = [article_id for article_id in ids if article_id not in gone]
    if not wanted:
        return []
    rows = store.articles_by_id(engine, wanted)
    return _retagged_by_feed(rows, stored_bodies(engine, wanted), vectors)

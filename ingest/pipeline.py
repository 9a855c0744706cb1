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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ingest import store
from ingest.bars import progress_bar
from ingest.config import PACKAGE_DATA
from ingest.parse import parse_feed
from ingest.records import Article, Tags
from ingest.tagging import TAGGER_VERSION, tag_article

log = logging.getLogger(__name__)

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
DEMO_DIR = PACKAGE_DATA / "demo"
DEMO_VERSION_LENGTH = 12  # hex digits of the demo data set's version kept in the store's meta
Progress = Callable[[int, int, str], None]


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
    """Language, countries and topics for each article: the one tagging hook of the pipeline.

    langdetect is the costly part of tagging a teaser, and a feed is nearly always in one
    language: once ``CONFIRM_LANGUAGE`` items in a row are detected in one language (the
    declared one or not), the fetch's other items take it unless their script contradicts it
    (``detect_language``'s ``trust_declared``)."""
    tagged = []
    candidate: str | None = None  # the language the last items were detected in
    streak = 0  # how many in a row
    for article in articles:
        hint = article.feed_language or feed_language
        trusted = streak >= CONFIRM_LANGUAGE
        tags = tag_article(
            article.title,
            article.summary,
            published=article.published_at,
            language_hint=candidate if trusted else hint,
            trust_language=trusted,
        )
        if not trusted and tags.language_source == "detected" and tags.language:
            if tags.language == candidate:
                streak += 1
            else:
                candidate, streak = tags.language, 1
        tagged.append((article, tags))
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


def import_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    source: str = "import",
    progress: Progress | None = None,
    show_bar: bool = False,
) -> ImportSummary:
    """Ingest saved feed files; one unreadable file is reported and the rest go on.

    Each file's new articles are stored in one transaction, so an import killed at any moment
    and run again stores every article exactly once.
    """
    files = feed_files(paths)
    summary = ImportSummary()
    manifests: dict[Path, dict[str, ArchiveInfo]] = {}
    bar = progress_bar(files, unit="file", disable=not show_bar, desc="import")
    for index, path in enumerate(bar):
        if progress:
            progress(index, len(files), path.name)
        summary.files += 1
        try:
            info = _manifest(path.parent, manifests).get(path.name, ArchiveInfo())
            body = path.read_bytes()
            fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            # The feed's key needs its site link, which the parse itself finds (one parse).
            parsed = parse_feed(
                body,
                feed_url=path.resolve().as_uri(),
                fetched_at=fetched_at,
                feed_key=functools.partial(_site_keyed, path, info),
            )
            feed_url = archive_feed_url(path, parsed.site_url, info)
            if parsed.error and not parsed.articles:
                summary.failed.append((str(path), f"{parsed.error_category}: {parsed.error}"))
                continue
            language = info.language or parsed.language
            feed_id = store.ensure_feed(
                engine,
                feed_url,
                title=info.title or parsed.title or path.stem,
                language=language,
                country_iso3=info.country,
                site_url=info.site_url or parsed.site_url,
                source=source,
                enabled=False,
                status="archive",
            )
            summary.items += len(parsed.articles)
            fresh = new_items(engine, parsed.articles)
            result = store.save_articles(engine, feed_id, tag_items(fresh, language))
            summary.new_articles += result.new_articles
        except (OSError, ValueError) as exc:
            summary.failed.append((str(path), str(exc)))
            log.warning("import of %s failed: %s", path, exc)
        bar.set_postfix(new=summary.new_articles)
    if progress:
        progress(len(files), len(files), "done")
    store.checkpoint(engine)
    return summary


def demo_version() -> str:
    """Which demo data set ships with this code (a hash of its manifest and tagger)."""
    manifest = (DEMO_DIR / "MANIFEST.tsv").read_bytes()
    return hashlib.sha1(manifest + TAGGER_VERSION.encode()).hexdigest()[:DEMO_VERSION_LENGTH]


def seed_demo(engine: Engine, progress: Progress | None = None) -> int:
    """Fill the store with the bundled demo snapshots; return the articles stored.

    Recorded in the store once complete, so later calls return at once; a seed cut short
    (a killed server) is not recorded and finishes on the next call, storing nothing twice.
    """
    version = demo_version()
    if store.get_meta(engine, "demo_seeded") == version:
        return 0
    summary = import_paths(engine, [DEMO_DIR], source="demo", progress=progress)
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
            texts = bodies(engine, [row["id"] for row in rows])
            store.replace_tags(
                engine, [_retagged(row, *texts.get(row["id"], (None, None))) for row in rows]
            )
            after = rows[-1]["id"]
            done += len(rows)
            bar.update(len(rows))
    store.checkpoint(engine)
    return done


def _retagged(row: Mapping[str, Any], body: str | None, lead: str | None) -> tuple[int, Tags]:
    """(id, tags) of a stored article (a row of ``store.articles_to_retag``) read with ``body``."""
    return (
        row["id"],
        tag_article(
            row["title"],
            row["summary"],
            body=body,
            lead=lead,
            published=row["published_at"],
            language_hint=row["feed_language"],
        ),
    )


def retag_with_body(engine: Engine, items: Sequence[tuple[int, str | None, str | None]]) -> int:
    """Re-tag stored articles from title + summary + body: ``items`` are (article id, body,
    lead), as enrichment extracts them (a None body: title and summary alone). Their tags and
    the aggregates are replaced in one transaction; returns the articles retagged (ids the
    store does not hold are skipped)."""
    if not items:
        return 0
    texts = {int(i): (body, lead) for i, body, lead in items}
    rows = store.articles_by_id(engine, list(texts))
    return store.replace_tags(engine, [_retagged(row, *texts[row["id"]]) for row in rows])

"""Entity tags in the store (issue 14 item 1): real feed files through `import` store each
article's entities (article_entities) in the same transaction as its countries and topics;
`retag` (and a body's re-tagging) rewrites them; migration 0012 gives an older store the table,
and `retag` then fills it; deleting an article deletes its entity rows. Both engines.

The oracle is the tagger applied to each stored article's text, read back by plain SQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ingest import pipeline, store
from ingest.__main__ import main as cli
from ingest.pipeline import import_paths
from ingest.records import evidence_json
from ingest.tagging import tag_article

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
# Snapshots that name Putin, the UN or NATO in Russian, Korean, Chinese, English and French.
FILES = [
    FEEDS / "lenta" / "lenta-ru_rss_2022-12-03.rss.xml",
    FEEDS / "knews-rss-korean" / "knews-rss_categories-international_2022-07-31.rss.xml",
    FEEDS / "dw-chinese" / "dw-chinese_rss-chi-all_2015-03-16.rdf.xml",
    FEEDS / "foreignpolicy" / "foreignpolicy_2026-02-17.rss.xml",
    FEEDS / "lemonde" / "lemonde_une_2018-02-11.rss.xml",
]

Stored = dict[tuple[str, str], tuple[int, str, str, int, bool]]


def stored(url: str) -> Stored:
    """(article url_key, qid) → (mentions, evidence, prominence, body mentions, prominent)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                (key, qid): (mentions, evidence, where, body, bool(prominent))
                for key, qid, mentions, evidence, where, body, prominent in conn.execute(
                    text(
                        "SELECT a.url_key, e.qid, e.mentions, e.evidence, e.prominence, "
                        "e.body_mentions, e.prominent FROM article_entities e "
                        "JOIN articles a ON a.id = e.article_id"
                    )
                )
            }
    finally:
        engine.dispose()


def retagged(url: str, bodies: dict[str, tuple[str, str]] | None = None) -> Stored:
    """What tagging each stored article (plain SQL read) gives: the expected rows."""
    bodies = bodies or {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT a.url_key, a.title, a.summary, a.published_at, f.language "
                    "FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id"
                )
            ).all()
    finally:
        engine.dispose()
    out: Stored = {}
    for key, title, summary, published, feed_language in rows:
        if isinstance(published, str):  # SQLite hands the stored text back
            published = datetime.fromisoformat(published)
        body, lead = bodies.get(key, (None, None))
        tags = tag_article(
            title, summary, body=body, lead=lead, published=published, language_hint=feed_language
        )
        for e in tags.entities:
            where = e.prominence
            out[(key, e.qid)] = (
                len(e.evidence),
                evidence_json(e.evidence),
                where.where,
                where.body_mentions,
                where.prominent,
            )
    return out


def test_import_stores_every_articles_entities(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        for path in FILES:
            assert not import_paths(engine, [path]).failed
    finally:
        engine.dispose()
    held = stored(db_url)
    assert held == retagged(db_url)
    qids = {qid for _key, qid in held}
    assert {"Q7747", "Q1065", "Q7184"} <= qids  # Putin, the UN and NATO are all named
    scripts = {json.loads(v[1])[0]["text"] for v in held.values()}
    assert scripts & {"Путин", "Путина", "Путину"} and scripts & {"푸틴"}


def test_a_store_from_before_0012_gets_the_table_and_retag_fills_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written before entities existed: no table, no record of 0012, every article
    tagged by an older tagger. Migrating creates the table; `retag` fills it."""
    engine = store.make_engine(db_url)
    try:
        for path in FILES:
            assert not import_paths(engine, [path]).failed
        expected = stored(db_url)
        with store.write(engine) as conn:
            store.article_entities.drop(conn)
            conn.execute(
                store.schema_migrations.delete().where(
                    store.schema_migrations.c.name == "0012_entities"
                )
            )
            conn.execute(store.articles.update().values(tagger_version="before-0012"))
        assert store.migrate(engine) == ["0012_entities"]
        assert stored(db_url) == {}
    finally:
        engine.dispose()
    monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    assert cli(["retag"]) == 0
    assert stored(db_url) == expected


def test_retag_with_a_body_rewrites_the_entities(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        assert not import_paths(engine, FILES[:1]).failed  # one already has entities
        with engine.connect() as conn:
            article_id, key = conn.execute(
                text(
                    "SELECT id, url_key FROM articles a WHERE EXISTS (SELECT 1 FROM "
                    "article_entities e WHERE e.article_id = a.id AND e.qid <> 'Q7184') "
                    "ORDER BY id LIMIT 1"
                )
            ).one()
        body = "NATO met in Brussels.\n\nNATO ministers and the United Nations spoke of Putin."
        lead = "NATO met in Brussels."
        assert pipeline.retag_with_body(engine, [(article_id, body, lead)]) == 1
    finally:
        engine.dispose()
    held = stored(db_url)
    assert held == retagged(db_url, {key: (body, lead)})
    nato = held[(key, "Q7184")]
    assert nato[2:] == ("lead", 1, True) or nato[2] == "title"
    assert {json.loads(nato[1])[-1]["field"]} == {"body"}


def test_deleting_an_article_deletes_its_entities(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        assert not import_paths(engine, FILES[:1]).failed
        with store.write(engine) as conn:
            gone = conn.execute(
                text("SELECT article_id FROM article_entities ORDER BY article_id LIMIT 1")
            ).scalar_one()
            conn.execute(text("DELETE FROM articles WHERE id = :id"), {"id": gone})
        with engine.connect() as conn:
            left = conn.execute(
                text("SELECT count(*) FROM article_entities WHERE article_id = :id"), {"id": gone}
            ).scalar_one()
            total = conn.execute(text("SELECT count(*) FROM article_entities")).scalar_one()
    finally:
        engine.dispose()
    assert left == 0 and total > 0

"""Store paths that no other test reached (issue 16 item 8): switching a SQLite file to WAL while
another connection holds it ("database is locked", retried), and PostgreSQL where the pg_trgm
extension is absent and may not be installed (the search scans instead of failing)."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, make_url, text

from ingest import queries, store
from ingest.queries import Filters
from ingest.store import engine as store_engine
from tests.conftest import (
    POSTGRES_SKIP_REASON,
    _gold_rows,
    _hostile_rows,
    build_dashboard_store,
    postgres_base_url,
)

EVERYTHING = (date(2000, 1, 1), date(2030, 12, 31))


# -- SQLite: the WAL switch while another connection holds the file ------------------------------


def test_a_new_store_waits_for_a_connection_holding_the_file(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other_program (x INTEGER)")
    # A write transaction of another program: switching to WAL fails at once with "database is
    # locked" (SQLite does not call the busy handler for it), so the store must retry.
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO other_program VALUES (1)")

    retries: list[float] = []
    real_sleep = store_engine.sleep

    def release_on_first_retry(seconds: float) -> None:
        # Called only from the retry loop: the lock is released once the store has met it.
        if not retries:
            holder.execute("COMMIT")
        retries.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(store_engine, "sleep", release_on_first_retry)
    engine = store.make_engine(f"sqlite:///{path}")
    try:
        assert retries, "the store never met the lock"
        check = sqlite3.connect(path)
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        assert {"feeds", "articles", "other_program"} <= tables
        assert check.execute("SELECT x FROM other_program").fetchall() == [(1,)]
        check.close()
    finally:
        engine.dispose()
        holder.close()


# -- PostgreSQL without pg_trgm --------------------------------------------------------------------


@pytest.fixture
def url_without_trgm() -> Iterator[str]:
    """A URL to a new database without pg_trgm, used through a role that may not install it
    (no CREATE on the database, as on a managed server), in a schema that role owns."""
    base = postgres_base_url()
    if base is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        collate, ctype = conn.execute(
            text("SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()")
        ).one()
        may = conn.execute(
            text(
                "SELECT rolsuper OR (rolcreatedb AND rolcreaterole) FROM pg_roles "
                "WHERE rolname = current_user"
            )  # fmt: skip
        ).scalar_one()
    if not may:
        admin.dispose()
        pytest.skip("the test PostgreSQL role cannot create a database and a role")
    name = "pantau_notrgm_" + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
        conn.execute(text(f'GRANT "{name}" TO current_user'))
        # template0 holds no extension; same locale as the test database (lower() of Cyrillic).
        conn.execute(
            text(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                f"LC_COLLATE '{collate}' LC_CTYPE '{ctype}'"
            )
        )
    db_url = make_url(base).set(database=name)
    owner = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA pantau AUTHORIZATION "{name}"'))
        yield db_url.update_query_dict(
            {"options": f"-crole={name} -csearch_path=pantau"}
        ).render_as_string(hide_password=False)
    finally:
        owner.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_postgres_without_pg_trgm_migrates_and_searches_by_scanning(
    url_without_trgm: str, caplog: pytest.LogCaptureFixture
) -> None:
    rows = _gold_rows()[:60] + _hostile_rows()
    with caplog.at_level(logging.WARNING, logger="ingest.store"):
        build_dashboard_store(url_without_trgm, rows)
    assert any("no trigram index" in r.getMessage() for r in caplog.records)

    engine = store.make_engine(url_without_trgm)
    try:
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT current_user")).scalar_one().startswith("pantau_notrgm")
            )
            installed = conn.execute(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            ).scalar_one()
            indexes = set(
                conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE schemaname = 'pantau'")
                ).scalars()
            )
            stored = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        assert installed == 0
        assert not {i for i in indexes if i.endswith("_trgm")}
        assert {"ix_articles_published", "ix_articles_day"} <= indexes  # the rest migrated
        assert stored == len(rows)

        for needle in ("indonesia", "россия", "RUSSIA", "trump"):
            expected = {
                r["title"]
                for r in rows
                if needle.lower() in r["title"].lower() or needle.lower() in r["summary"].lower()
            }
            assert expected, needle
            got = queries.list_articles(engine, Filters(*EVERYTHING, search=needle), limit=1000)
            assert set(got["title"]) == expected, needle
            assert queries.count_articles(engine, Filters(*EVERYTHING, search=needle)) == len(got)

        # A body stored later is searched too, by the scan (a word no title or summary holds).
        first = int(queries.list_articles(engine, Filters(*EVERYTHING), limit=1)["id"].iloc[0])
        now = datetime.now(UTC)
        with store.write(engine) as conn:
            conn.execute(
                store.article_texts.insert().values(
                    article_id=first, status="claimed", host="news.example", queued_at=now
                )
            )
        record = store.TextRecord(status="ok", body="Talks in Zanzibarwater.", extracted_at=now)
        claim = store.Claim(first, "", "news.example", 0)
        store.finish_text(engine, claim, record, worker="test", host_free_at=now)
        for needle in ("zanzibarwater", "ZANZIBARW"):
            got = queries.list_articles(engine, Filters(*EVERYTHING, search=needle), limit=10)
            assert list(got["id"]) == [first], needle
        store.prune_bodies(engine, datetime.now(UTC))
        assert queries.count_articles(engine, Filters(*EVERYTHING, search="zanzibar")) == 0
    finally:
        engine.dispose()

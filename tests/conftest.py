"""Shared pytest fixtures. Each block names its owner; append yours below, keep the others."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from tests.feedserver import FeedServer

# --- feed_server (fetch): a real HTTP server on 127.0.0.1 serving tests/fixtures/feeds/ ---------
# Scenario paths are listed in tests/feedserver.py. The fixture also sets
# PANTAU_ALLOW_PRIVATE_ADDRESSES=1 for the test, since the SSRF guard refuses 127.0.0.1 otherwise.


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    with FeedServer() as server:
        yield server


# --- databases (scale path): db_url / engine on SQLite and on PostgreSQL -------------------------
# Every store test runs on a SQLite file and on a real PostgreSQL server. PostgreSQL comes from
# PANTAU_TEST_POSTGRES_URL (a database the tests may create schemas in, e.g.
# postgresql+psycopg://pantau@127.0.0.1:55432/pantau_test; `.ci/run` starts one). Each test gets
# its own schema, selected through the connection's search_path, so tests never see each other's
# rows and the URL works unchanged for subprocesses (`python -m ingest ...`). Without the variable
# the PostgreSQL half is skipped with the reason printed.

POSTGRES_ENV = "PANTAU_TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = (
    f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against "
    "(.ci/run starts one; see deploy/README.md)"
)


def postgres_base_url() -> str | None:
    """The configured test server's URL, or None when this machine has none."""
    return os.environ.get(POSTGRES_ENV) or None


def with_search_path(url: str, schema: str) -> str:
    """``url`` with every connection's search_path set to ``schema`` (libpq ``options``)."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to an empty, private schema on the test PostgreSQL server (dropped afterwards)."""
    base = postgres_base_url()
    if base is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield with_search_path(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SET lock_timeout = '20s'"))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # noqa: ANN001
    """A URL to a new SQLite file in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'pantau.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The store's URL, once per engine: a SQLite file, then a private PostgreSQL schema."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated store engine on each database (see ``db_url``)."""
    from ingest import store

    eng = store.make_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()

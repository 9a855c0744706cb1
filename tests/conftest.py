"""Shared pytest fixtures. Each block names its owner; append yours below, keep the others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.feedserver import FeedServer

# --- feed_server (fetch): a real HTTP server on 127.0.0.1 serving tests/fixtures/feeds/ ---------
# Scenario paths are listed in tests/feedserver.py. The fixture also sets
# PANTAU_ALLOW_PRIVATE_ADDRESSES=1 for the test, since the SSRF guard refuses 127.0.0.1 otherwise.


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    with FeedServer() as server:
        yield server


# --- engine (store) ------------------------------------------------------------------------------
# NOTE from the fetch helper: an earlier untracked tests/conftest.py (with this fixture, written by
# the store's owner) was overwritten by mistake when feed_server was added. This is a
# reconstruction: a fresh, migrated SQLite file per test. The store's owner should check it.


@pytest.fixture
def engine(tmp_path):  # noqa: ANN001, ANN201
    from ingest import store

    eng = store.make_engine(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield eng
    eng.dispose()

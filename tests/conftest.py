"""Shared pytest fixtures. Each block names its owner; append yours below, keep the others."""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, make_url, text

from tests import sizes
from tests.feedserver import FeedServer
from tests.store_oracle import Oracle

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


@contextlib.contextmanager
def private_schema(prefix: str = "t_", base: str | None = None) -> Iterator[str]:
    """A URL to a new, empty schema of its own on the test PostgreSQL server (or on ``base``),
    dropped with everything in it on exit; skips the test when no server is configured."""
    base = base or postgres_base_url()
    if base is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    schema = prefix + uuid.uuid4().hex[:16]
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
def postgres_url() -> Iterator[str]:
    """A URL to an empty, private schema on the test PostgreSQL server (dropped afterwards)."""
    with private_schema() as url:
        yield url


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


# --- dashboard_store (dashboard): a SQLite store of real labelled articles -----------------------
# The 158 hand-labelled articles of tests/fixtures/gold-dev.jsonl (real items of the real fixture
# feeds, each outlet a feed), with their real links and dates from the feed files (parsed by
# ingest.parse), their gold countries and topics as tags (evidence offsets located in the text),
# plus a few articles carrying hostile titles and links (XSS, CSV formulas). Built once per
# session through ingest.store.save_articles; tests compare query results with a Python
# reference computed from ``DashboardStore.rows``.

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

HOSTILE_TITLES = (
    '<script>alert("x")</script> Indonesia',
    '=HYPERLINK("http://evil.example","Indonesia")',
    "+cmd|' /C calc'!A0 Indonesia",
    "-2+3 Indonesia",
    "@SUM(1+1) Indonesia",
    "<img src=x onerror=alert(1)> Indonesia",
)
HOSTILE_URLS = (
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "https://example.org/ok?<script>",
    "http://example.org/fine",
    "vbscript:msgbox(1)",
)


class DashboardStore:
    """The store's URL and file, and the rows it was built from (for reference answers)."""

    def __init__(self, url: str, path: str, rows: list[dict]) -> None:
        self.url = url
        self.path = path
        self.rows = rows


def _gold_rows() -> list[dict]:
    """The labelled dev articles as rows (``_read_gold_rows``), a fresh copy each call: the
    feeds are parsed once per process (a module that asks for them per case took a minute)."""
    import copy

    return copy.deepcopy(_read_gold_rows())


@functools.cache
def _read_gold_rows() -> list[dict]:
    import json
    import re
    from datetime import UTC, datetime
    from pathlib import Path

    from ingest.parse import parse_feed

    parsed: dict[str, list] = {}
    rows = []
    with open(os.path.join(FIXTURES, "gold-dev.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            gold = json.loads(line)
            path = Path(FIXTURES) / gold["file"]
            if gold["file"] not in parsed:
                stamp = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", path.name)
                fallback = datetime(*map(int, stamp.groups()), 12, tzinfo=UTC) if stamp else None
                feed = parse_feed(
                    path.read_bytes(),
                    feed_url=path.resolve().as_uri(),
                    fetched_at=fallback or datetime(2026, 2, 18, tzinfo=UTC),
                )
                parsed[gold["file"]] = feed.articles
            items = parsed[gold["file"]]
            match = [a for a in items if a.title.strip() == gold["title"].strip()]
            if not match and gold["index"] < len(items):
                match = [items[gold["index"]]]
            article = match[0] if match else None
            rows.append(
                {
                    "key": gold["key"],
                    "outlet": gold["file"].split("/")[1],
                    "lang": gold["lang"],
                    "title": gold["title"],
                    "summary": gold.get("summary") or "",
                    "url": article.url if article else None,
                    "published_at": article.published_at if article else fallback,
                    "countries": gold["countries"],
                    "topics": gold["topics"],
                }
            )
    return rows


def _hostile_rows() -> list[dict]:
    from datetime import UTC, datetime, timedelta

    base = datetime(2026, 2, 17, 9, tzinfo=UTC)
    return [
        {
            "key": f"hostile-{i}",
            "outlet": "hostile",
            "lang": "en",
            "title": title,
            "summary": "=1+1 and -1 and @x in the summary, about Indonesia.",
            "url": HOSTILE_URLS[i % len(HOSTILE_URLS)],
            "published_at": base + timedelta(minutes=i),
            "countries": [
                {"iso3": "IDN", "evidence": ["Indonesia"], "type": "name", "strength": "core"}
            ],
            "topics": [],
        }
        for i, title in enumerate(HOSTILE_TITLES)
    ]


def build_dashboard_store(url: str, rows: list[dict]) -> None:
    import hashlib

    from ingest import store
    from ingest.records import Article, CountryTag, Evidence, Tags, TopicTag, tagging_text
    from ingest.tagging.entities import tag_entities

    engine = store.make_engine(url)
    by_outlet: dict[str, list] = {}
    for row in rows:
        text_ = tagging_text(row["title"], row["summary"])
        countries = []
        for tag in row["countries"]:
            evidence = []
            for surface in tag["evidence"]:
                start = text_.find(surface)
                while start >= 0:
                    evidence.append(Evidence(text=surface, type=tag["type"], start=start))
                    start = text_.find(surface, start + len(surface))
            countries.append(CountryTag(iso3=tag["iso3"], evidence=evidence))
        moment = row["published_at"]
        article = Article(
            url_key=hashlib.sha1(row["key"].encode()).hexdigest(),
            url=row["url"],
            guid=None,
            title=row["title"],
            summary=row["summary"],
            published_at=moment,
            fetched_at=moment,
        )
        tags = Tags(
            language=row["lang"],
            language_source="feed",
            countries=countries,
            topics=[TopicTag(topic=t) for t in row["topics"]],
            tagger_version="gold",
            # No gold for entities: the tagger's, so the entity filter and exports have rows.
            entities=tag_entities(text_, language=row["lang"]),
        )
        by_outlet.setdefault(row["outlet"], []).append((article, tags))
    homes = {"bbc-news": "GBR", "viva": "IDN", "tempo": "IDN", "lenta": "RUS", "dw": "DEU"}
    # outlet types as ingest/data/feeds.toml declares them (issue 11 item 14)
    types = {
        "bbc-news": "public", "bbc-chinese": "public", "dw": "public", "suspilne": "public",
        "antara": "state", "aljazeera": "state", "viva": "commercial", "tempo": "commercial",
        "lenta": "commercial",
    }  # fmt: skip
    for outlet, items in sorted(by_outlet.items()):
        feed_id = store.ensure_feed(
            engine,
            f"https://fixtures.example/{outlet}/feed.xml",
            title=outlet,
            language=items[0][1].language,
            country_iso3=homes.get(outlet),
            category=types.get(outlet),
            outlet=outlet,
            source="import",
            status="archive",
            enabled=False,
        )
        store.save_articles(engine, feed_id, items)
    engine.dispose()


@pytest.fixture(scope="session")
def dashboard_store(tmp_path_factory: pytest.TempPathFactory) -> DashboardStore:
    rows = _gold_rows() + _hostile_rows()
    path = tmp_path_factory.mktemp("dashboard") / "pantau.db"
    url = f"sqlite:///{path}"
    build_dashboard_store(url, rows)
    return DashboardStore(url, str(path), rows)


@pytest.fixture(scope="session")
def dashboard_store_postgres(dashboard_store: DashboardStore) -> Iterator[DashboardStore]:
    """The same labelled articles in a private schema on the test PostgreSQL server."""
    with private_schema("dash_") as url:
        build_dashboard_store(url, dashboard_store.rows)
        yield DashboardStore(url, "", dashboard_store.rows)


# --- hypothesis (whole suite): every property test is derandomised ------------------------------
# One profile for the suite, loaded before any test module builds its own ``settings(...)`` (those
# inherit from the loaded profile): the examples are derived from each test's source, not drawn
# from a fresh random seed, and no example database carries failures from one run to the next.
# A test module may raise max_examples or the deadline; it must not turn derandomize off.
# tests/test_suite_determinism.py checks every @given test of the suite against this.

hypothesis_settings.register_profile("pantau", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile("pantau")


# --- store_url / oracle (exports): the labelled store on each engine, and its SQL oracle --------
# Module-scoped: every test of a module that asks for them runs once on the SQLite store, then
# once on the PostgreSQL one (tests/store_oracle.py is the hand-written SQL).


@pytest.fixture(params=["sqlite", "postgres"], scope="module")
def store_url(request: pytest.FixtureRequest) -> str:
    """The labelled store's URL: ``dashboard_store``, then ``dashboard_store_postgres``."""
    name = "dashboard_store" if request.param == "sqlite" else "dashboard_store_postgres"
    return request.getfixturevalue(name).url


@pytest.fixture(scope="module")
def oracle(store_url: str) -> Iterator[Oracle]:
    """Hand-written SQL over the store of ``store_url``."""
    o = Oracle(store_url)
    yield o
    o.close()


# --- full text (enrich): `run` fetches no article pages in tests unless a test asks ---------------
# The fixture feeds link to real sites; with enrich_after_poll on, every test that runs the poller
# would ask the internet for their pages. Set for the whole session at import, so servers and
# workers that module- or session-scoped fixtures start (they inherit os.environ) never enrich
# either; tests of enrichment turn it on themselves.
os.environ["PANTAU_ENRICH_AFTER_POLL"] = "0"
# --- vectors: `run` and the demo encode no article in tests unless a test asks --------------------
# Each process that encodes loads the 32 MB encoder and spends ~7 ms an article; the pollers,
# servers and demo seeds of other tests need neither. tests/test_vectors.py turns it on.
os.environ["PANTAU_VECTORS_AFTER_POLL"] = "0"


# --- sizes and order (suite speed): long runs sized for CI or a developer, and started first -----
# tests/sizes.py decides: CI=true or PANTAU_TEST_FULL=1 runs the long runs (marked slow) at full
# size; a developer's plain `./pantau test` leaves them out (the fast set); asked for (-m slow, or
# named) they run at a reduced size. The header says which. The tests marked slow are collected
# first (otherwise in their order), so that with several workers (./pantau test runs
# pytest-xdist) the longest runs start at once instead of ending the run alone.


def pytest_report_header(config: pytest.Config) -> str:
    return sizes.describe(config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if sizes.long_runs_left_out(config):
        long_runs = [item for item in items if item.get_closest_marker("slow")]
        if long_runs:
            config.hook.pytest_deselected(items=long_runs)
            items[:] = [item for item in items if not item.get_closest_marker("slow")]
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# --- workers (suite speed): how pytest-xdist shares the tests out -------------------------------
# ./pantau test passes ``-n <two per core> --dist loadscope --no-loadscope-reorder``: a module's
# tests go to one worker together, in the order above (its module fixtures are built once; the
# browser tests share one server and run in their order), except in the modules below, whose
# long tests are spread one by one over the workers. Every fixture that writes files uses tmp_path (one folder
# per worker), every PostgreSQL test its own schema, every server port 0.
# (xdist's own --dist loadgroup does not group under pytest 9.2: it renames item._nodeid, which
# pytest no longer reads.)

SPREAD_MODULES = frozenset(
    {
        "tests/test_crash.py",
        "tests/test_tag_cli.py",
        "tests/test_pipeline.py",
        "tests/test_cli.py",
    }
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SpreadLongTests(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return nodeid if module in SPREAD_MODULES else module

    return SpreadLongTests(config, log)

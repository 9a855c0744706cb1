"""The store on both engines: migrations, upserts, aggregates, claiming feeds, finishing polls.

Every test runs twice through the ``engine`` fixture: on a SQLite file and on a private schema of
a real PostgreSQL server (skipped, with the reason, when PANTAU_TEST_POSTGRES_URL is unset).
Aggregates are checked against a recomputation in Python from the tag tables.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError

from ingest import store
from ingest.records import Article, CountryTag, Evidence, Tags, TopicTag

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)

# (countries, topics, language, day offset): a small but varied day of news.
SHAPES = [
    (["RUS", "PRK"], ["diplomacy"], "en", 0),
    (["RUS", "UKR", "USA"], ["conflict", "diplomacy"], "en", 0),
    (["IDN"], ["economy"], "id", 1),
    ([], [], "", 1),
    (["CHN", "USA"], ["trade"], "zh", 2),
    (["UKR"], ["conflict"], "uk", 2),
    (["IDN", "MYS", "SGP"], [], "id", 3),
    (["FRA"], ["elections"], "fr", 3),
]


def make_article(n: int, *, day_offset: int = 0, title: str | None = None) -> Article:
    published = NOW - timedelta(days=day_offset, minutes=n)
    return Article(
        url_key=f"{n:040x}",
        url=f"https://news.example/{n}",
        guid=f"guid-{n}",
        title=title if title is not None else f"Story {n}",
        summary=f"Summary of story {n}",
        published_at=published,
        fetched_at=NOW,
    )


def make_tags(countries: list[str], topics: list[str], language: str) -> Tags:
    return Tags(
        language=language or None,
        language_source="detected" if language else None,
        countries=[CountryTag(c, [Evidence(c, "name", 0)]) for c in countries],
        topics=[TopicTag(t, [Evidence(t, "keyword", 0)]) for t in topics],
        tagger_version="test-1",
    )


def batch(first: int, count: int) -> list[tuple[Article, Tags]]:
    items = []
    for n in range(first, first + count):
        countries, topics, language, offset = SHAPES[n % len(SHAPES)]
        items.append((make_article(n, day_offset=offset), make_tags(countries, topics, language)))
    return items


def add_feed(engine: Engine, n: int = 0, **kwargs) -> int:
    return store.ensure_feed(engine, f"https://feeds.example/{n}.xml", title=f"Feed {n}", **kwargs)


# --------------------------------------------------------------------------------------------
# Reading back (tests verify through the store's own tables)


def rows(engine: Engine, table) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def feed(engine: Engine, feed_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(store.feeds).where(store.feeds.c.id == feed_id)).one()
        return dict(row._mapping)


def aggregates(engine: Engine) -> dict[str, Counter]:
    """What the aggregate tables hold, keyed like a recomputation."""
    key_columns = {
        "daily_total": ("day", "feed_id", "language"),
        "daily_country": ("day", "iso3", "prominent", "feed_id", "language"),
        "daily_pair": ("day", "iso3_a", "iso3_b", "prominent", "feed_id", "language"),
        "daily_topic": ("day", "topic", "feed_id", "language"),
    }
    held: dict[str, Counter] = {}
    for table in store.AGGREGATES:
        held[table.name] = Counter(
            {
                tuple(bool(r[c]) if c == "prominent" else r[c] for c in key_columns[table.name]): r[
                    "articles"
                ]
                for r in rows(engine, table)
            }
        )
    for derived in store.DERIVED:
        names = [c.name for c in derived.columns if c.name != "articles"]
        held[derived.name] = Counter(
            {
                tuple(bool(r[c]) if c == "prominent" else r[c] for c in names): r["articles"]
                for r in rows(engine, derived)
            }
        )
    return held


def recomputed(engine: Engine) -> dict[str, Counter]:
    """The aggregates recomputed in Python from articles and the tag tables."""
    arts = {r["id"]: r for r in rows(engine, store.articles)}
    countries: dict[int, set[str]] = {}
    prominent: set[tuple[int, str]] = set()
    for r in rows(engine, store.article_countries):
        countries.setdefault(r["article_id"], set()).add(r["iso3"])
        if r["prominent"]:
            prominent.add((r["article_id"], r["iso3"]))
    topics: dict[int, set[str]] = {}
    for r in rows(engine, store.article_topics):
        topics.setdefault(r["article_id"], set()).add(r["topic"])
    result = {t.name: Counter() for t in store.AGGREGATES}
    for article_id, a in arts.items():
        base = (a["published_day"],)
        tail = (a["feed_id"] or 0, a["language"])
        result["daily_total"][base + tail] += 1
        codes = sorted(countries.get(article_id, ()))
        for c in codes:
            result["daily_country"][base + (c, (article_id, c) in prominent) + tail] += 1
        for x, y in combinations(codes, 2):
            both = (article_id, x) in prominent and (article_id, y) in prominent
            result["daily_pair"][base + (x, y, both) + tail] += 1
        for t in topics.get(article_id, ()):
            result["daily_topic"][base + (t,) + tail] += 1
    # The monthly twins, and the roll-ups: the same counts summed over feeds.
    for name in list(result):
        per_feed = result[name.replace("daily", "monthly")] = Counter()
        daily = result[f"rollup_{name}"] = Counter()
        monthly = result[name.replace("daily", "rollup_monthly")] = Counter()
        for (day, *keys, feed, language), n in result[name].items():
            per_feed[(day[:7], *keys, feed, language)] += n
            daily[(day, *keys, language)] += n
            monthly[(day[:7], *keys, language)] += n
    return result


def assert_aggregates_exact(engine: Engine) -> None:
    expected = recomputed(engine)
    held = aggregates(engine)
    for name in expected:
        assert held[name] == expected[name], name
    assert sum(expected["daily_total"].values()) == count(engine, store.articles)


# --------------------------------------------------------------------------------------------
# Migrations


def test_migrations_are_recorded_and_idempotent(engine: Engine) -> None:
    recorded = [r["name"] for r in rows(engine, store.schema_migrations)]
    assert sorted(recorded) == sorted(name for name, _ in store.MIGRATIONS)
    assert store.migrate(engine) == []
    assert store.migrate(engine) == []
    assert count(engine, store.schema_migrations) == len(store.MIGRATIONS)
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in store.metadata.sorted_tables} <= tables


def test_migration_records_keep_the_names_stores_already_hold() -> None:
    # The names are the records: stores built by earlier code hold exactly these, so renaming
    # one would apply it again to every existing store.
    recorded_by_earlier_code = ["0001_initial", "0002_meta", "0003_rollups", "0004_search"]
    names = [name for name, _ in store.MIGRATIONS]
    assert names[: len(recorded_by_earlier_code)] == recorded_by_earlier_code
    assert len(set(names)) == len(names)


def test_each_migration_commits_with_its_record(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration that fails rolls back alone: the ones before it stay applied and recorded,
    and its own half-done work leaves no trace (as sqlite-utils applies migrations)."""
    from sqlalchemy import Column, Integer, MetaData, Table

    from ingest.store import migrations

    extra = MetaData()
    done_table = Table("t_migration_done", extra, Column("id", Integer, primary_key=True))
    half_table = Table("t_migration_half", extra, Column("id", Integer, primary_key=True))

    def works(conn) -> None:  # noqa: ANN001
        done_table.create(conn)

    def fails(conn) -> None:  # noqa: ANN001
        half_table.create(conn)
        raise RuntimeError("migration failed half-way")

    steps = (*store.MIGRATIONS, ("9001_works", works), ("9002_fails", fails))
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    with pytest.raises(RuntimeError, match="half-way"):
        store.migrate(engine)
    recorded = {r["name"] for r in rows(engine, store.schema_migrations)}
    assert "9001_works" in recorded
    assert "9002_fails" not in recorded
    tables = set(inspect(engine).get_table_names())
    assert "t_migration_done" in tables
    assert "t_migration_half" not in tables
    # Fixed, it is applied on the next run, and only it.
    steps = (*store.MIGRATIONS, ("9001_works", works), ("9002_fails", half_table.create))
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    assert store.migrate(engine) == ["9002_fails"]


def test_rollup_migration_backfills_a_store_that_predates_it(engine: Engine) -> None:
    store.save_articles(engine, None, batch(0, 60))
    # Take the store back to before 0003: no roll-up tables, no record of the migration.
    with store.write(engine) as conn:
        for table in store.DERIVED:
            table.drop(conn)
        conn.execute(
            store.schema_migrations.delete().where(store.schema_migrations.c.name == "0003_rollups")
        )
    assert store.migrate(engine) == ["0003_rollups"]
    assert count(engine, store.rollup_monthly_country) > 0
    assert_aggregates_exact(engine)


def test_search_index_covers_articles_saved_before_and_after_its_migration(
    engine: Engine,
) -> None:
    titles = ["Россия и КНДР", "Sanksi baru untuk Rusia", "Trade talks"]
    items = [
        (make_article(n, title=title), make_tags([], [], "en")) for n, title in enumerate(titles)
    ]
    store.save_articles(engine, None, items[:2])
    if engine.dialect.name == "sqlite":
        # Take the store back to before 0004, then migrate: the index is filled from articles.
        with store.write(engine) as conn:
            conn.exec_driver_sql(f"DROP TABLE {store.SEARCH_TABLE}")
            conn.execute(
                store.schema_migrations.delete().where(
                    store.schema_migrations.c.name == "0004_search"
                )
            )
        assert store.migrate(engine) == ["0004_search"]
    store.save_articles(engine, None, items[2:])
    ids = {r["title"]: r["id"] for r in rows(engine, store.articles)}
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:

            def found(needle: str) -> set[int]:
                return set(
                    conn.exec_driver_sql(
                        f"SELECT rowid FROM {store.SEARCH_TABLE} WHERE body MATCH ?",
                        (f'"{needle}"',),
                    ).scalars()
                )

            assert found("кндр") == {ids["Россия и КНДР"]}
            assert found("sanksi") == {ids["Sanksi baru untuk Rusia"]}
            assert found("summary of story") == set(ids.values())
            assert found("talks") == {ids["Trade talks"]}
            assert found("КНДР") == set()  # the index holds lower-cased text
        # A row written behind save_articles' back is found once the index is rebuilt, and
        # the rebuilt index holds exactly the articles (a stray entry is gone).
        with store.write(engine) as conn:
            copy = {**rows(engine, store.articles)[0], "url_key": "copied", "title": "Zanzibar"}
            copy_id = conn.execute(
                store.articles.insert().values({k: v for k, v in copy.items() if k != "id"})
            ).inserted_primary_key[0]
            conn.exec_driver_sql(
                f"INSERT INTO {store.SEARCH_TABLE}(rowid, body) VALUES (999999, 'ghost')"
            )
        with engine.connect() as conn:
            assert found("zanzibar") == set()
            assert found("ghost") == {999999}
        store.rebuild_search_index(engine)
        with engine.connect() as conn:
            assert found("zanzibar") == {copy_id}
            assert found("ghost") == set()
            assert found("summary of story") == {*ids.values(), copy_id}
    else:
        names = {ix["name"] for ix in inspect(engine).get_indexes("articles")}
        assert {"ix_articles_title_trgm", "ix_articles_summary_trgm"} <= names


def test_two_engines_migrating_at_once_apply_each_migration_once(db_url: str) -> None:
    engines = [store.make_engine(db_url, migrate_now=False) for _ in range(4)]
    applied: list[list[str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def run(eng: Engine) -> None:
        try:
            start.wait()
            applied.append(store.migrate(eng))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        names = [name for name, _ in store.MIGRATIONS]
        assert sorted(n for run_names in applied for n in run_names) == sorted(names)
        if not db_url.startswith("sqlite"):
            # PostgreSQL: one process migrates (a session advisory lock), the others wait.
            # SQLite: each migration is one write transaction with its record, so engines may
            # take turns through the list; each migration is still applied exactly once (above).
            assert sum(1 for run_names in applied if run_names) == 1
        assert count(engines[0], store.schema_migrations) == len(names)
    finally:
        for e in engines:
            e.dispose()


# --------------------------------------------------------------------------------------------
# Feeds and articles


def test_ensure_feed_is_idempotent(engine: Engine) -> None:
    first = add_feed(engine, 1, language="en", country_iso3="GBR")
    again = store.ensure_feed(engine, "https://feeds.example/1.xml", title="Another title")
    assert first == again
    assert feed(engine, first)["title"] == "Feed 1"  # an existing row is kept

    class Spec:
        def __init__(self, n: int) -> None:
            self.url = f"https://feeds.example/{n}.xml"
            self.title = f"Spec {n}"
            self.language = "id"
            self.country = "IDN"

    assert store.ensure_feeds(engine, [Spec(1), Spec(2), Spec(3)]) == 2
    assert store.ensure_feeds(engine, [Spec(1), Spec(2), Spec(3)]) == 0
    assert count(engine, store.feeds) == 3


def test_save_articles_is_idempotent(engine: Engine) -> None:
    feed_id = add_feed(engine)
    items = batch(0, 40)
    first = store.save_articles(engine, feed_id, items)
    assert first.new_articles == 40 and first.skipped == 0
    assert len(first.article_ids) == 40
    before = aggregates(engine)

    again = store.save_articles(engine, feed_id, items)
    assert again.new_articles == 0 and again.skipped == 40
    # Overlapping batch: only the unseen half is new; a duplicate inside the batch counts once.
    overlap = batch(20, 40) + batch(59, 1)
    third = store.save_articles(engine, feed_id, overlap)
    assert third.new_articles == 20
    assert count(engine, store.articles) == 60
    assert aggregates(engine) != before
    assert_aggregates_exact(engine)

    keys = [a.url_key for a, _ in batch(55, 10)]
    assert store.known_url_keys(engine, keys) == set(keys[:5])


def test_articles_without_a_feed_count_under_feed_zero(engine: Engine) -> None:
    store.save_articles(engine, None, batch(0, 8))
    assert {k[1] for k in aggregates(engine)["daily_total"]} == {0}
    assert_aggregates_exact(engine)


def test_stored_text_and_times_round_trip(engine: Engine) -> None:
    article = make_article(7, title="Путин и Ким Чен Ын — 北朝鮮 — Prabowo ✓")
    store.save_articles(engine, None, [(article, make_tags(["RUS", "PRK"], [], "ru"))])
    (row,) = rows(engine, store.articles)
    assert row["title"] == article.title
    assert row["published_at"] == article.published_at
    assert row["published_at"].tzinfo is not None
    assert row["published_day"] == "2026-11-20"
    (evidence,) = {
        r["evidence"] for r in rows(engine, store.article_countries) if r["iso3"] == "RUS"
    }
    assert '"type": "name"' in evidence


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    naive = make_article(1)
    naive.published_at = naive.published_at.replace(tzinfo=None)
    with pytest.raises(Exception, match="naive datetime"):
        store.save_articles(engine, None, [(naive, make_tags([], [], "en"))])
    assert count(engine, store.articles) == 0


# --------------------------------------------------------------------------------------------
# Aggregates


def test_aggregates_follow_saves_retags_and_rebuilds(engine: Engine) -> None:
    feeds = [add_feed(engine, n) for n in range(3)]
    for i, feed_id in enumerate(feeds):
        store.save_articles(engine, feed_id, batch(i * 30, 30))
    assert_aggregates_exact(engine)
    assert sum(aggregates(engine)["daily_pair"].values()) > 0

    # Retag a third of them: countries change, some lose every tag, the language changes.
    ids = sorted(r["id"] for r in rows(engine, store.articles))[::3]
    retag = []
    for k, article_id in enumerate(ids):
        tags = make_tags(["BRA", "ARG", "RUS"], ["trade"], "pt") if k % 2 else make_tags([], [], "")
        tags.tagger_version = "test-2"
        retag.append((article_id, tags))
    assert store.replace_tags(engine, retag) == len(ids)
    assert_aggregates_exact(engine)
    held = aggregates(engine)
    assert any(k[1:3] == ("ARG", "BRA") for k in held["daily_pair"])
    assert all(n > 0 for table in held.values() for n in table.values())

    assert store.count_to_retag(engine, "test-2") == 90 - len(ids)
    todo = store.articles_to_retag(engine, "test-2", limit=1000)
    assert len(todo) == 90 - len(ids)
    assert not {r["id"] for r in todo} & set(ids)
    page = store.articles_to_retag(engine, "test-2", after_id=todo[9]["id"], limit=5)
    assert [r["id"] for r in page] == [r["id"] for r in todo[10:15]]

    # A rebuild from scratch gives the very same numbers.
    store.rebuild_aggregates(engine)
    assert aggregates(engine) == held
    assert_aggregates_exact(engine)


def test_replace_tags_skips_unknown_articles(engine: Engine) -> None:
    store.save_articles(engine, None, batch(0, 4))
    before = aggregates(engine)
    assert store.replace_tags(engine, [(999_999, make_tags(["USA"], [], "en"))]) == 0
    assert aggregates(engine) == before


# --------------------------------------------------------------------------------------------
# Claiming due feeds


def test_claim_leases_feeds_until_the_poll_is_finished(engine: Engine) -> None:
    ids = [add_feed(engine, n) for n in range(5)]
    claimed = store.claim_due_feeds(engine, now=NOW, limit=3, lease=LEASE)
    assert [f.id for f in claimed] == ids[:3]
    rest = store.claim_due_feeds(engine, now=NOW, limit=10, lease=LEASE)
    assert [f.id for f in rest] == ids[3:]
    assert store.claim_due_feeds(engine, now=NOW, limit=10, lease=LEASE) == []
    # A worker that died mid-poll: its feeds come back once the lease runs out.
    later = NOW + LEASE + timedelta(seconds=1)
    assert len(store.claim_due_feeds(engine, now=later, limit=10, lease=LEASE)) == 5
    assert store.claim_due_feeds(engine, now=NOW, limit=10, lease=LEASE, feed_ids=[ids[0]]) == []


def test_claim_skips_disabled_suspended_and_retired_feeds(engine: Engine) -> None:
    active = add_feed(engine, 0)
    disabled = add_feed(engine, 1, enabled=False)
    add_feed(engine, 2, status="suspended")
    add_feed(engine, 3, status="retired")
    add_feed(engine, 4, status="archive")
    assert [f.id for f in store.claim_due_feeds(engine, now=NOW, limit=10, lease=LEASE)] == [active]
    store.set_feed_enabled(engine, disabled, True)
    later = NOW + timedelta(seconds=1)
    assert [f.id for f in store.claim_due_feeds(engine, now=later, limit=10, lease=LEASE)] == [
        disabled
    ]


@pytest.mark.parametrize("claimers", [8])
def test_concurrent_claimers_never_share_a_feed(db_url: str, claimers: int) -> None:
    setup = store.make_engine(db_url)
    total = 120
    for n in range(total):
        add_feed(setup, n)
    engines = [store.make_engine(db_url, migrate_now=False) for _ in range(claimers)]
    claimed: list[list[int]] = [[] for _ in range(claimers)]
    errors: list[BaseException] = []
    start = threading.Barrier(claimers, timeout=60)
    first = threading.Barrier(claimers, timeout=60)

    def work(index: int) -> None:
        try:
            start.wait()
            # One claim each, all at once; then every claimer again until none is left (the
            # second barrier: on a busy machine one thread could otherwise take every feed
            # before the others ran, and the test would prove no interleaving).
            claimed[index].extend(
                f.id for f in store.claim_due_feeds(engines[index], now=NOW, limit=2, lease=LEASE)
            )
            first.wait()
            while True:
                got = store.claim_due_feeds(engines[index], now=NOW, limit=2, lease=LEASE)
                if not got:
                    return
                claimed[index].extend(f.id for f in got)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        every = [feed_id for ids in claimed for feed_id in ids]
        assert len(every) == total
        assert len(set(every)) == total
        assert all(claimed)  # every claimer took feeds while the others were claiming
    finally:
        for e in [setup, *engines]:
            e.dispose()


def test_postgres_claim_skips_rows_locked_by_another_worker(postgres_url: str) -> None:
    """FOR UPDATE SKIP LOCKED (SQLite has a single writer, so this is PostgreSQL's alone)."""
    engine = store.make_engine(postgres_url)
    other = store.make_engine(postgres_url, migrate_now=False)
    try:
        ids = [add_feed(engine, n) for n in range(4)]
        with other.connect() as conn, conn.begin():
            # Another worker is mid-claim on the first two feeds and has not committed yet.
            conn.execute(
                select(store.feeds.c.id).where(store.feeds.c.id.in_(ids[:2])).with_for_update()
            ).all()
            got = store.claim_due_feeds(engine, now=NOW, limit=10, lease=LEASE)
            assert [f.id for f in got] == ids[2:]
        assert [f.id for f in store.claim_due_feeds(engine, now=NOW, limit=10, lease=LEASE)] == (
            ids[:2]
        )
    finally:
        engine.dispose()
        other.dispose()


def test_concurrent_overlapping_saves_store_each_article_once(db_url: str) -> None:
    """Two workers saving overlapping batches in opposite orders: no deadlock, no duplicate."""
    setup = store.make_engine(db_url)
    feed_a, feed_b = add_feed(setup, 1), add_feed(setup, 2)
    engines = [store.make_engine(db_url, migrate_now=False) for _ in range(2)]
    errors: list[BaseException] = []
    rounds = 15
    start = threading.Barrier(2)

    def work(index: int) -> None:
        try:
            start.wait()
            for r in range(rounds):
                items = batch(r * 100, 100)
                if index:
                    items.reverse()
                store.save_articles(engines[index], (feed_a, feed_b)[index], items)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    try:
        assert errors == []
        assert count(setup, store.articles) == rounds * 100
        assert_aggregates_exact(setup)
    finally:
        for e in [setup, *engines]:
            e.dispose()


# --------------------------------------------------------------------------------------------
# Finishing a poll


def test_finish_poll_saves_articles_validators_and_history_together(engine: Engine) -> None:
    feed_id = add_feed(engine)
    (claimed,) = store.claim_due_feeds(engine, now=NOW, limit=1, lease=LEASE)
    next_time = NOW + timedelta(minutes=30)
    record = store.PollRecord(
        started_at=NOW,
        outcome="ok",
        duration_ms=120,
        http_status=200,
        etag='"v1"',
        last_modified="Fri, 20 Nov 2026 11:00:00 GMT",
        next_poll_at=next_time,
        worker="w1",
        feed_title="Ignored: the feed has a title",
        feed_site_url="https://site.example/",
        feed_language="en",
    )
    result = store.finish_poll(engine, claimed.id, record, batch(0, 10))
    assert result.new_articles == 10
    row = feed(engine, feed_id)
    assert (row["etag"], row["last_modified"]) == ('"v1"', "Fri, 20 Nov 2026 11:00:00 GMT")
    assert row["next_poll_at"] == next_time
    assert row["last_success_at"] == NOW
    assert row["title"] == "Feed 0"
    assert (row["site_url"], row["language"]) == ("https://site.example/", "en")
    (poll,) = rows(engine, store.polls)
    assert (poll["outcome"], poll["new_articles"], poll["worker"]) == ("ok", 10, "w1")
    assert_aggregates_exact(engine)

    # A 304 keeps the validators; an error counts up and keeps them too.
    store.finish_poll(
        engine, feed_id, store.PollRecord(started_at=NOW, outcome="not_modified", http_status=304)
    )
    assert feed(engine, feed_id)["etag"] == '"v1"'
    for attempt in (1, 2):
        store.finish_poll(
            engine,
            feed_id,
            store.PollRecord(
                started_at=NOW,
                outcome="error",
                http_status=503,
                error="HTTP 503",
                error_category="http",
            ),
        )
        row = feed(engine, feed_id)
        assert row["error_count"] == attempt
        assert (row["last_error"], row["last_error_category"]) == ("HTTP 503", "http")
        assert row["etag"] == '"v1"'
    store.finish_poll(engine, feed_id, store.PollRecord(started_at=NOW, outcome="not_modified"))
    row = feed(engine, feed_id)
    assert (row["error_count"], row["last_error"]) == (0, None)
    assert count(engine, store.polls) == 5


def test_a_failed_save_leaves_the_feed_and_its_validators_untouched(engine: Engine) -> None:
    feed_id = add_feed(engine)
    store.finish_poll(
        engine,
        feed_id,
        store.PollRecord(started_at=NOW, outcome="ok", etag='"old"', last_modified="old"),
        batch(0, 3),
    )
    before = feed(engine, feed_id)
    broken = batch(10, 5)
    broken[3][0].title = None  # type: ignore[assignment]  # violates NOT NULL mid-batch
    with pytest.raises(IntegrityError):
        store.finish_poll(
            engine,
            feed_id,
            store.PollRecord(
                started_at=NOW + timedelta(hours=1),
                outcome="ok",
                etag='"new"',
                last_modified="new",
                next_poll_at=NOW + timedelta(hours=2),
            ),
            broken,
        )
    assert feed(engine, feed_id) == before
    assert count(engine, store.articles) == 3
    assert count(engine, store.polls) == 1
    assert_aggregates_exact(engine)


def test_gone_retires_the_feed(engine: Engine) -> None:
    feed_id = add_feed(engine)
    store.finish_poll(
        engine,
        feed_id,
        store.PollRecord(started_at=NOW, outcome="gone", http_status=410, error="HTTP 410 Gone"),
    )
    row = feed(engine, feed_id)
    assert (row["status"], row["enabled"], row["next_poll_at"]) == ("retired", False, None)
    assert store.claim_due_feeds(engine, now=NOW + timedelta(days=9), limit=5, lease=LEASE) == []
    store.set_feed_enabled(engine, feed_id, True)  # a retired feed stays retired
    assert feed(engine, feed_id)["status"] == "retired"


def test_suspension_and_reenabling(engine: Engine) -> None:
    feed_id = add_feed(engine)
    store.finish_poll(
        engine,
        feed_id,
        store.PollRecord(started_at=NOW, outcome="error", error="timeout", suspend=True),
    )
    assert feed(engine, feed_id)["status"] == "suspended"
    assert store.claim_due_feeds(engine, now=NOW, limit=5, lease=LEASE) == []
    store.set_feed_enabled(engine, feed_id, True)
    row = feed(engine, feed_id)
    assert (row["status"], row["error_count"]) == ("active", 0)
    assert [f.id for f in store.claim_due_feeds(engine, now=NOW, limit=5, lease=LEASE)] == [feed_id]


def test_permanent_redirect_moves_the_feed_unless_the_target_is_taken(engine: Engine) -> None:
    moving = add_feed(engine, 1)
    taken = add_feed(engine, 2)
    store.finish_poll(
        engine,
        moving,
        store.PollRecord(
            started_at=NOW, outcome="ok", http_status=200, permanent_url="https://new.example/rss"
        ),
    )
    assert feed(engine, moving)["url"] == "https://new.example/rss"
    store.finish_poll(
        engine,
        taken,
        store.PollRecord(
            started_at=NOW, outcome="ok", http_status=200, permanent_url="https://new.example/rss"
        ),
    )
    assert feed(engine, taken)["url"] == "https://feeds.example/2.xml"


def test_nul_characters_and_long_worker_names_are_stored_alike_on_both_engines(
    engine: Engine,
) -> None:
    """PostgreSQL refuses NUL in text and strings over a VARCHAR's length; SQLite takes both.
    The store cleans them, so a stray NUL or a long hostname:pid never fails a save there."""
    feed_id = add_feed(engine)
    article = make_article(1, title="Seoul\x00 and Pyongyang")
    article.summary = "a\x00b"
    worker = "pod-" + "x" * 90 + ":12345"
    store.finish_poll(
        engine,
        feed_id,
        store.PollRecord(
            started_at=NOW,
            outcome="ok",
            etag='"e\x00"',
            error=None,
            worker=worker,
            feed_title="Title\x00",
        ),
        [(article, make_tags(["KOR", "PRK"], [], "en"))],
    )
    store.finish_poll(
        engine,
        feed_id,
        store.PollRecord(started_at=NOW, outcome="error", error="bad\x00 byte", worker=worker),
    )
    (row,) = rows(engine, store.articles)
    assert (row["title"], row["summary"]) == ("Seoul and Pyongyang", "ab")
    assert feed(engine, feed_id)["etag"] == '"e"'
    assert feed(engine, feed_id)["last_error"] == "bad byte"
    assert {p["worker"] for p in rows(engine, store.polls)} == {worker[:64]}


# --------------------------------------------------------------------------------------------
# SQLite specifics


def test_sqlite_runs_in_wal_mode_and_checkpoints(sqlite_url: str) -> None:
    engine = store.make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        store.save_articles(engine, None, batch(0, 200))
        wal = Path(sqlite_url.removeprefix("sqlite:///") + "-wal")
        assert wal.stat().st_size > 0
        store.checkpoint(engine)
        assert wal.stat().st_size == 0
    finally:
        engine.dispose()

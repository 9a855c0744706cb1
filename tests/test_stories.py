"""Stories in the store (issue 14): real feed files through `import`, incremental == `restory`,
arrival order and two concurrent workers give the same stories as one import.

The oracle is the store itself read by direct SQL (which articles share a story id), compared
between independent runs; no test compares the assignment code with itself on one store.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, func, select, text

from ingest import store, stories
from ingest.__main__ import main as cli
from ingest.pipeline import import_paths

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
GOLD = ROOT / "tests" / "fixtures" / "stories" / "stories-dev.jsonl"
# Six same-day snapshots (2026-02-17/18) that share several labelled stories.
FILES = [
    FEEDS / "npr" / "npr_world_2026-02-17.rss.xml",
    FEEDS / "abcnews" / "abcnews_international_2026-02-17.rss.xml",
    FEEDS / "aljazeera" / "aljazeera_all_2026-02-18.rss.xml",
    FEEDS / "abc-au" / "abc-au_top-stories_2026-02-18.rss.xml",
    FEEDS / "bbc-news" / "bbc-news_world_20260218T0213Z.rss.xml",
    FEEDS / "cbs" / "cbsnews_world_2026-02-18.rss.xml",
]

# Items of the two happenings the NPR roundup names: Jackson's death (gold g002) and the US-Iran
# talks in Geneva (not labelled: the talks' days are separate events), found by title.
ROUNDUP_NEIGHBOURS = [
    ("bbc-news/bbc-news_world_20260218T0213Z.rss.xml", 0),  # g002: Jackson dies aged 84
    ("bbc-news/bbc-news_world_20260218T0213Z.rss.xml", 23),  # g002: Jackson, a life in pictures
    ("aljazeera/aljazeera_all_2026-02-18.rss.xml", 8),  # g002: tributes pour in
    ("npr/npr_world_2026-02-17.rss.xml", 5),  # US and Iran to meet for second round of talks
    ("aljazeera/aljazeera_all_2026-02-18.rss.xml", 11),  # US and Iran reach 'guiding principles'
]

Partition = frozenset[frozenset[str]]


def partition(url: str) -> Partition:
    """Which stored articles (by url_key) share a story, read straight from the tables."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT s.story_id, a.url_key FROM article_stories s "
                    "JOIN articles a ON a.id = s.article_id"
                )
            ).all()
            unassigned = conn.execute(
                text(
                    "SELECT count(*) FROM articles a WHERE NOT EXISTS "
                    "(SELECT 1 FROM article_stories s WHERE s.article_id = a.id)"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert unassigned == 0
    groups: dict[int, set[str]] = {}
    for story_id, key in rows:
        groups.setdefault(story_id, set()).add(key)
    return frozenset(frozenset(g) for g in groups.values())


def check_story_rows(url: str) -> None:
    """Every story row is used, and names its earliest article (lowest id among equals)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            bad = conn.execute(
                text(
                    "SELECT st.id FROM stories st WHERE st.first_article_id <> ("
                    " SELECT a.id FROM article_stories s JOIN articles a ON a.id = s.article_id"
                    " WHERE s.story_id = st.id ORDER BY a.published_at, a.id LIMIT 1)"
                )
            ).all()
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM article_stories s WHERE NOT EXISTS "
                    "(SELECT 1 FROM stories st WHERE st.id = s.story_id)"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert bad == [] and orphans == 0


def gold_keys_of(url: str, group: str) -> set[str]:
    """url_keys of the gold group's items that lie in FILES (matched by title)."""
    from ingest.story_score import feed_articles

    wanted = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        name, index = row["key"].split("#")
        if row["group"] == group and FEEDS / name in FILES:
            wanted.append((FEEDS / name, int(index)))
    titles = {feed_articles(path)[index].title for path, index in wanted}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            keys = conn.execute(
                select(store.articles.c.url_key).where(store.articles.c.title.in_(titles))
            ).scalars()
            return set(keys)
    finally:
        engine.dispose()


def test_import_assigns_stories_and_restory_rebuilds_the_same(db_url: str, monkeypatch) -> None:
    engine = store.make_engine(db_url)
    try:
        for path in FILES:  # one file at a time, in time order, as a poller would see them
            assert not import_paths(engine, [path]).failed
    finally:
        engine.dispose()
    incremental = partition(db_url)
    check_story_rows(db_url)
    # Real coverage of one happening by several outlets (Jesse Jackson's death, gold group g002)
    # is one story: at least three of its items in these files share a story.
    jackson = gold_keys_of(db_url, "g002")
    assert len(jackson) >= 3
    assert max(len(jackson & story) for story in incremental) >= 3
    # Some articles are alone, and no story swallowed everything.
    assert len(incremental) > len(FILES) * 10

    monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
    assert cli(["restory"]) == 0
    assert partition(db_url) == incremental
    check_story_rows(db_url)


def test_arrival_order_does_not_change_the_stories(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("forward", "backward")]
    for url, files in zip(urls, (FILES, FILES[::-1]), strict=True):
        engine = store.make_engine(url)
        try:
            for path in files:
                import_paths(engine, [path])
        finally:
            engine.dispose()
    assert partition(urls[0]) == partition(urls[1])


def test_two_workers_importing_overlapping_feeds_give_one_workers_stories(db_url: str) -> None:
    one = db_url
    engine = store.make_engine(one)  # migrate once, as a deployment would before workers start
    try:
        import_paths(engine, FILES)
        reference = partition(one)
        with store.write(engine) as conn:  # empty the store, keep the schema
            for table in reversed(store.metadata.sorted_tables):
                if table.name not in ("schema_migrations", "meta"):
                    conn.execute(table.delete())
    finally:
        engine.dispose()
    env = {**os.environ, "PANTAU_DATABASE_URL": one, "PANTAU_SEED_DEMO": "0"}
    halves = ([*FILES[:4]], [*FILES[2:][::-1]])  # two files in common, met in opposite orders
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ingest", "import", *map(str, files)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for files in halves
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, out.decode(errors="replace")[-3000:]
    assert partition(one) == reference
    check_story_rows(one)
    engine = create_engine(one)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(store.articles)).scalar_one() == (
                sum(len(s) for s in reference)
            )
    finally:
        engine.dispose()


def test_a_roundup_links_to_neither_happening_it_names() -> None:
    # NPR's "Rev. Jesse Jackson has died. And, U.S. and Iran set for … nuclear talks" (gold: null)
    # is as close to items of both happenings as they are to each other; only the roundup rule
    # keeps it from chaining the two stories.
    from ingest.story_score import feed_articles
    from ingest.tagging import tag_article

    def sig(path: Path, index: int) -> stories.Signature:
        article = feed_articles(path)[index]
        tags = tag_article(article.title, article.summary, published=article.published_at)
        countries = (c.iso3 for c in tags.countries)
        return stories.signature(
            article.title, article.summary, "en", article.published_at, countries
        )

    npr = FEEDS / "npr" / "npr_world_2026-02-17.rss.xml"
    roundup_index = next(
        index
        for index, article in feed_articles(npr).items()
        if article.title.startswith("Rev. Jesse Jackson has died. And,")
    )
    roundup = sig(npr, roundup_index)
    assert roundup.roundup
    others = [sig(FEEDS / name, index) for name, index in ROUNDUP_NEIGHBOURS]
    assert max(stories.similarity(roundup, other) for other in others) >= stories.LINK_THRESHOLD
    assert not any(stories.linked(roundup, other) for other in others)


def _sig(words: str, hours: float = 0.0) -> stories.Signature:
    moment = datetime(2026, 2, 18, tzinfo=UTC) + timedelta(hours=hours)
    return stories.signature(words, "", "en", moment, ())


def test_a_word_every_article_carries_finds_no_candidates() -> None:
    # Retrieval reads only words rare in the window: MAX_POSTINGS + 50 articles share two
    # common words, each has one word of its own; a new article with the common words and the
    # own word of article 7 has article 7 alone as its candidate.
    window = stories.Window()
    crowd = stories.MAX_POSTINGS + 50
    for i in range(crowd):
        window.add(_sig(f"alphaword betaword uniq{i:04d}", hours=i / crowd))
    assert window.candidates(_sig("alphaword betaword uniq0007", hours=1)) == [7]
    # Outside the time window even the rare word finds nothing.
    late = stories.WINDOW / timedelta(hours=1) + 2
    assert window.candidates(_sig("alphaword betaword uniq0007", hours=late)) == []


def test_the_exported_story_is_a_stable_id_that_survives_restory(
    db_url: str, monkeypatch, tmp_path: Path
) -> None:
    """``python -m ingest export`` rows carry ``story``: the id of the story's earliest article
    (lowest id among equals), read here from the article rows, not from ``stories``. Files met
    newest first, then ``restory`` (which numbers its story rows again): every article keeps
    its story id, and articles share an id exactly when they share a story."""
    from tests.store_oracle import Oracle

    engine = store.make_engine(db_url)
    try:
        for path in FILES[::-1]:
            assert not import_paths(engine, [path]).failed
    finally:
        engine.dispose()
    monkeypatch.setenv("PANTAU_DATABASE_URL", db_url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")

    def exported() -> dict[str, int]:
        target = tmp_path / "view.jsonl"
        view = ["--from", "2026-01-01", "--to", "2026-03-31", "--format", "jsonl"]
        assert cli(["export", *view, "--output", str(target)]) == 0
        rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        return {row["url"]: row["story"] for row in rows}

    def expected() -> dict[str, int]:
        oracle = Oracle(db_url)
        try:
            names = oracle.story_names()
            return {
                url: names[int(story)]
                for url, story in oracle.rows(
                    "SELECT a.url, s.story_id FROM articles a "
                    "JOIN article_stories s ON s.article_id = a.id"
                )
            }
        finally:
            oracle.close()

    before = exported()
    assert before == expected()
    assert len(set(before.values())) == len(partition(db_url))
    assert cli(["restory"]) == 0
    assert exported() == before == expected()


def test_migration_0011_gives_a_store_that_predates_it_its_stories(db_url: str) -> None:
    """A store written before stories existed (no story tables, no record of 0011): migrating
    it assigns every stored article, and the stories are those an import assigns as it goes."""
    from ingest.store.schema import story_signatures

    engine = store.make_engine(db_url)
    try:
        for path in FILES:
            assert not import_paths(engine, [path]).failed
        assigned_on_import = partition(db_url)
        with store.write(engine) as conn:
            for table in (store.article_stories, store.stories, story_signatures):
                table.drop(conn)
            conn.execute(
                store.schema_migrations.delete().where(
                    store.schema_migrations.c.name == "0011_stories"
                )
            )
        assert store.migrate(engine) == ["0011_stories"]
    finally:
        engine.dispose()
    assert partition(db_url) == assigned_on_import  # (and no article left without a story)
    check_story_rows(db_url)


# --- across languages: signatures carrying a multilingual sentence vector -----------------------
DIM = 8


def _unit(cosine: float) -> np.ndarray:
    """A unit vector whose cosine with ``_unit(1.0)`` is ``cosine`` (by construction)."""
    vector = np.zeros(DIM, dtype=np.float32)
    vector[0], vector[1] = cosine, math.sqrt(1.0 - cosine * cosine)
    return vector


def _xl(words: str, language: str, cosine: float | None, hours: float = 0.0,
        countries: tuple[str, ...] = ()) -> stories.Signature:  # fmt: skip
    moment = datetime(2026, 2, 18, tzinfo=UTC) + timedelta(hours=hours)
    sig = stories.signature(words, "", language, moment, countries)
    return replace(sig, vector=None if cosine is None else _unit(cosine))


XL = stories.XL_THRESHOLD
# Two articles of two languages (no word in common): (cosine of the second's vector with the
# first's, hours apart, countries of each, the second a roundup?) -> one story?
XL_CASES = [
    (XL + 0.01, 0, (), (), False, True),
    (XL - 0.01, 0, (), (), False, False),
    (XL + 0.2, 0, ("IRN", "USA"), ("IRN",), False, True),  # a country shared
    (XL + 0.2, 0, ("IRN",), ("CHE",), False, False),  # the countries veto
    (XL + 0.2, 0, ("IRN",), (), False, True),  # one side names none: no veto
    (XL + 0.2, stories.WINDOW / timedelta(hours=1) + 1, (), (), False, False),  # the window
    (XL + 0.2, 0, (), (), True, False),  # a roundup links to nothing in another language
    (None, 0, (), (), False, False),  # one side without a vector
]


@pytest.mark.parametrize(("cosine", "hours", "first", "second", "roundup", "one"), XL_CASES)
def test_vectors_link_two_languages(cosine: float | None, hours: float,  # noqa: PLR0913
                                    first: tuple[str, ...], second: tuple[str, ...],
                                    roundup: bool, one: bool) -> None:  # fmt: skip
    a = _xl("Menlu Iran akan hadiri perundingan tidak langsung", "id", 1.0, countries=first)
    b = _xl("Irans Außenminister reist zu indirekten Gesprächen", "de", cosine, hours, second)
    b = replace(b, roundup=roundup)
    assert stories.linked(a, b) is one
    assert stories.linked(b, a) is one
    assert stories.cluster([a, b]) == ([0, 0] if one else [0, 1])


def test_within_a_language_words_decide_not_vectors() -> None:
    a = _xl("Parliament votes to impeach the president", "en", 1.0)
    b = _xl("Volcano erupts near coastal village overnight", "en", 1.0)
    assert not stories.linked(a, b)
    assert stories.cluster([a, b]) == [0, 1]


def test_a_cross_language_link_joins_a_same_language_story() -> None:
    # A and B share their words; C (German, no word shared) is near B's vector only through A's
    # (all three vectors equal): one story. Without C's vector, C stands alone.
    a = _xl("Peru congress votes to impeach president Jeri", "en", 1.0)
    b = _xl("Peru congress impeaches president Jeri in vote", "en", 1.0, hours=1)
    c = _xl("Perus Kongress setzt Präsident Jerí ab", "de", 0.9, hours=2)
    assert stories.cluster([a, b, c]) == [0, 0, 0]
    assert stories.cluster([a, b, replace(c, vector=None)]) == [0, 0, 2]


def test_the_window_offers_the_nearest_vectors_of_other_languages() -> None:
    # MAX_XL_CANDIDATES + 5 German articles at falling cosines, one English article at 1.0 and
    # one German article outside the window: a new Indonesian article's cross-language
    # candidates are the nearest MAX_XL_CANDIDATES of the window, of any other language.
    window = stories.Window()
    many = stories.MAX_XL_CANDIDATES + 5
    cosines = [0.95 - 0.01 * i for i in range(many)]
    for i, cosine in enumerate(cosines):
        window.add(_xl(f"wortdeutsch{i:03d} zweiteswort{i:03d}", "de", cosine, hours=i / many))
    english = window.add(_xl("englishword anotherword", "en", 1.0))
    late = window.add(_xl("spaetwort nochwort", "de", 1.0, hours=-48))
    new = _xl("kataindonesia katalain", "id", 1.0, hours=1)
    expected = [english, *range(stories.MAX_XL_CANDIDATES - 1)]  # nearest first
    assert window.candidates(new) == expected
    assert late not in window.candidates(new)
    assert window.candidates(replace(new, vector=None)) == []

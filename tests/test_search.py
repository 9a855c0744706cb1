"""Text search: the indexes answer exactly what the plain case-insensitive substring test
would, over title, summary and stored body (each on its own), in every script, for short and
long searches, recent and long ranges, on both engines; a body stored after its article is
found, a body replaced or dropped by retention no longer is.

The tricky characters are the ones whose lower-casing is not one-to-one: İ (two characters),
the Kelvin sign (lower-cases to ASCII k), Σ (σ, or ς at a word's end), ẞ, and the GLOB and LIKE
metacharacters."""

from __future__ import annotations

import itertools
import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from ingest import queries, store
from ingest.queries import Filters
from ingest.records import Article, Tags
from ingest.store import word_grams, word_pairs

ALPHABET = "aAbBiIİıkK\u212aσςΣοΟδΔдДрРоО中国朝鲜ßẞ*?[]%_\\ -"
START = datetime(2025, 1, 1, 12, tzinfo=UTC)
TRUTH = Path(__file__).parent / "fixtures" / "articles" / "truth.jsonl"


Texts = tuple[str, str, str | None]  # title, summary, body (None: no body stored)


def _texts(rng: random.Random, n: int, alphabet: str) -> list[Texts]:
    def one(length: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(length))

    return [
        (one(rng.randint(1, 12)), one(rng.randint(0, 30)), rng.choice([None, one(60), one(200)]))
        for _ in range(n)
    ]


def _store(
    engine: Engine, texts: list[Texts], fixed: dict[int, datetime] | None = None
) -> list[datetime]:
    """Save the articles, then their bodies (later, as enrichment stores them)."""
    items, when = [], []
    for n, (title, summary, _body) in enumerate(texts):
        published = (fixed or {}).get(n) or START + timedelta(days=n % 200, minutes=n)
        when.append(published)
        article = Article(
            url_key=f"{n:040x}",
            url=f"https://news.example/{n}",
            guid=None,
            title=title,
            summary=summary,
            published_at=published,
            fetched_at=START,
        )
        items.append((article, Tags(language="en", language_source="feed", tagger_version="t")))
    ids = store.save_articles(engine, None, items).article_ids
    _store_bodies(engine, {i: body for i, (*_, body) in zip(ids, texts, strict=True) if body})
    return when


def _store_bodies(engine: Engine, bodies: dict[int, str | None]) -> None:
    """Store each article's body through the store's own write (``finish_text``, as enrich
    does), its page queued and claimed first; a None body: the page stored without one."""
    now = datetime.now(UTC)
    with store.write(engine) as conn:
        held = set(conn.execute(select(store.article_texts.c.article_id)).scalars())
        rows = [
            {"article_id": i, "status": "claimed", "host": "news.example", "queued_at": now}
            for i in sorted(set(bodies) - held)
        ]
        if rows:
            conn.execute(store.article_texts.insert(), rows)
    for article_id, body in bodies.items():
        record = store.TextRecord(
            status="ok" if body else "too_short",
            body=body,
            chars=len(body or ""),
            fetched_at=now,
            extracted_at=now,
        )
        claim = store.Claim(article_id, "", "news.example", 0)
        store.finish_text(engine, claim, record, worker="test", host_free_at=now)


def _matches(needle: str, title: str, summary: str, body: str | None) -> bool:
    """The plain substring test, each field on its own."""
    return any(needle in field.lower() for field in (title, summary, body or ""))


def _expected(texts, when, f: Filters) -> int:  # noqa: ANN001
    needle = f.search.lower()
    return sum(
        1
        for fields, at in zip(texts, when, strict=True)
        if f.date_from <= at.date() <= f.date_to and _matches(needle, *fields)
    )


def test_search_equals_the_plain_substring_test(engine: Engine) -> None:
    rng = random.Random(11)
    needles = {"σ", "k", "K", "\u212a", "i", "ß", "ẞ", "中国", "*", "?", "[", "%"}
    alphabet = ALPHABET
    if engine.dialect.name == "sqlite":
        needles |= {"ς", "Σ", "İ"}
    else:
        # PostgreSQL's lower() is its own (no final sigma, İ to one character); the plain
        # substring test there is its LIKE, which the trigram indexes only speed up.
        alphabet = "".join(ch for ch in ALPHABET if ch not in "İΣς")
    # The first and the last article stored (lowest and highest ids) fall in March, each with
    # a word of its own: the bounded read of the index must reach both ends.
    march = datetime(2025, 3, 15, tzinfo=UTC)
    # Their bodies too, and the body alone holds a word that the summary ends with the first
    # half of: no match may straddle summary and body.
    texts: list[Texts] = [
        ("Zebrafirst", "", "Quaggafirst"),
        *_texts(rng, 400, alphabet),
        ("", "zebralast okapi", "quaggalast"),
        ("", "the seam: okapi", "zebra"),
    ]
    if engine.dialect.name == "sqlite":
        texts += [("ΟΔΟΣ", "", "ΝΟΜΟΣ"), ("İstanbul", "", "İzmir"), ("\u212aelvin", "", "\u212a2")]
    when = _store(engine, texts, {0: march, 401: march})
    needles |= {"zebrafirst", "zebralast", "quaggafirst", "quaggalast", "okapizebra", "izmir"}
    needles |= {"ος", "ς", "ς ", "istanbul", "i̇stanbul", "i̇zmir", "kelvin", "k2", "νομος"}
    for title, summary, body in rng.sample(texts, 120):
        source = rng.choice([title, summary, body or title])
        if source:
            start = rng.randrange(len(source))
            needles.add(source[start : start + rng.randint(1, 5)])
    ranges = [
        Filters(date(2024, 1, 1), date(2026, 12, 31)),  # every article, a long range
        Filters(date(2025, 3, 1), date(2025, 3, 31)),  # a month: the bounded index read
        Filters(date(2025, 5, 10), date(2025, 5, 10)),
    ]
    checked = 0
    for needle in sorted(needles):
        for f in ranges:
            g = f.with_(search=needle)
            if not g.search:
                continue
            assert queries.count_articles(engine, g) == _expected(texts, when, g), (needle, f)
            checked += 1
    assert checked > 250


def test_plain_like_goes_first_only_when_it_cannot_miss() -> None:
    suffices = queries._plain_like_suffices
    assert suffices("eu") and suffices("中国") and suffices("%_") and suffices("a[")
    assert not suffices("k")  # the Kelvin sign lower-cases to k
    assert not suffices("i")  # İ lower-cases to i and a combining dot
    assert not suffices("ро")  # LIKE does not fold Р
    assert not suffices("ς")  # Σ becomes ς at a word's end


def test_case_variants_are_those_of_every_code_point() -> None:
    # Built from the blocks of code points that lower() changes (the others skipped whole):
    # the same as asking lower() of each of the 1,114,112 code points, as written here.
    import sys

    from ingest.queries.search import _case_variants

    variants: dict[str, str] = {}
    from_several: set[str] = set()
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        lowered = ch.lower()
        if lowered != ch and len(lowered) == 1:
            variants[lowered] = variants.get(lowered, "") + ch
        elif lowered != ch:
            from_several.update(lowered)
    variants["ς"] = variants.get("ς", "") + "Σ"  # at a word's end
    assert _case_variants.__wrapped__() == (variants, frozenset(from_several))


def _found(engine: Engine, needle: str) -> set[int]:
    f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
    return set(queries.list_articles(engine, f, limit=100)["id"])


def test_a_body_is_found_once_stored_and_not_after_it_is_replaced_or_dropped(
    engine: Engine,
) -> None:
    feed = store.ensure_feed(engine, "https://news.example/rss", title="News")
    items = [
        (
            Article(
                url_key=f"{n:040x}",
                url=f"https://news.example/{n}",
                guid=None,
                title=title,
                summary="",
                published_at=START + timedelta(days=n),
                fetched_at=START,
            ),
            Tags(language="en", language_source="feed", tagger_version="t"),
        )
        for n, title in enumerate(["Talks in Jakarta", "Markets", "Weather"])
    ]
    talks, markets, weather = store.save_articles(engine, feed, items).article_ids
    for needle in ("pyongyang", "пхеньян", "平壤", "ян"):
        assert _found(engine, needle) == set()

    # Bodies stored after their articles (enrichment), one of them with no body (a paywall).
    body = "Officials met in Pyongyang. Переговоры в Пхеньяне. 平壤会谈。"
    _store_bodies(engine, {talks: body, markets: "Shares rose in Pyongyang.", weather: None})
    for needle in ("pyongyang", "PYONGYANG", "пхеньян", "平壤", "ян", "gyang"):
        assert _found(engine, needle) == {talks, markets} - (
            {markets} if not needle.isascii() else set()
        ), needle
    assert _found(engine, "weather") == {weather}  # its title, still
    # A day's range (SQLite reads a slice of its index): talks' day alone.
    f = Filters(date(2025, 1, 1), date(2025, 1, 1), search="pyongyang")
    assert set(queries.list_articles(engine, f, limit=10)["id"]) == {talks}

    # Fetched again with another text: the old words go, the new ones come.
    assert store.queue_texts(engine, refetch=True) >= 2
    assert _found(engine, "pyongyang") == set()
    _store_bodies(engine, {talks: "Talks moved to Vladivostok.", markets: "Shares rose."})
    assert _found(engine, "pyongyang") == set()
    assert _found(engine, "vladivostok") == {talks}
    assert _found(engine, "shares rose") == {markets}

    # Retention drops the bodies: nothing matches them any more; titles still do.
    assert store.prune_bodies(engine, datetime.now(UTC) + timedelta(minutes=1)) == 2
    for needle in ("vladivostok", "shares rose", "ose", "vl"):
        assert _found(engine, needle) == set(), needle
    assert _found(engine, "jakarta") == {talks}
    # And a body stored after that is found again (SQLite's index took the others out exactly).
    _store_bodies(engine, {weather: "Rain over Vladivostok."})
    assert _found(engine, "vladivostok") == {weather}


def test_body_search_migration_indexes_the_bodies_stored_before_it(engine: Engine) -> None:
    texts: list[Texts] = [("Talks", "", "Officials met in Pyongyang."), ("Markets", "", None)]
    when = _store(engine, texts)
    sqlite = engine.dialect.name == "sqlite"
    # Take the store back to before 0013: no index over bodies, no record of the migration.
    with store.write(engine) as conn:
        if sqlite:
            conn.exec_driver_sql(f"DROP TABLE {store.BODY_TABLE}")
        else:
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_article_texts_body_trgm")
        conn.execute(
            store.schema_migrations.delete().where(
                store.schema_migrations.c.name == "0013_body_search"
            )
        )
    assert store.migrate(engine) == ["0013_body_search"]
    with engine.connect() as conn:
        if sqlite:
            indexed = conn.exec_driver_sql(
                f"SELECT rowid FROM {store.BODY_TABLE} WHERE body MATCH '\"pyongyang\"'"
            ).scalars()
            stored = conn.execute(
                text("SELECT article_id FROM article_texts WHERE body LIKE '%Pyongyang%'")
            ).scalars()
            assert list(indexed) == list(stored) != []
        else:
            installed = conn.execute(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            ).scalar_one()
            indexes = conn.execute(
                text(
                    "SELECT indexname FROM pg_indexes "
                    "WHERE schemaname = current_schema() AND tablename = 'article_texts'"
                )
            ).scalars()
            assert not installed or "ix_article_texts_body_trgm" in set(indexes)
    for needle in ("pyongyang", "offic", "met in"):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) == 1


# Characters whose lower-casing PostgreSQL and Python agree on, and the tricky ones besides:
# İ (PostgreSQL: i), Σ (PostgreSQL: σ, never ς), the Kelvin and Ohm signs, ẞ, a titlecase
# digraph, letters beyond the 16-bit range (Deseret, with a case; a mathematical letter, none),
# and the characters regular expressions and LIKE treat as special.
PG_ALPHABET = (
    "aAiIİkK\u212aσςΣΩω\u2126ßẞǅǆ\U00010400\U00010428\U0001d400дДоО中国.^$*+?()[]{}|\\%_ -"
)


def test_postgres_reads_each_field_as_its_lower_case_would(postgres_url: str) -> None:
    """PostgreSQL tests the raw title, summary and body with a regular expression of the
    search's case variants (not lower() of the field: that is the cost of a body search).
    Oracle: PostgreSQL's own lower(field) LIKE '%search%' on the same texts."""
    from sqlalchemy import column
    from sqlalchemy import table as table_clause

    from ingest.queries.search import _escape_like, pg_holds

    rng = random.Random(17)
    texts = [
        "".join(rng.choice(PG_ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(300)
    ]
    needles = set(PG_ALPHABET.lower()) | {"ik", "ki", "σς", "ßs", "\U00010428a", "a.b", "%_"}
    needles |= {"中国", "国.", "中\\", "^$", "ω中"}  # caseless: the plain LIKE
    for source in rng.sample(texts, 150):
        if source:
            start = rng.randrange(len(source))
            needles.add(source[start : start + rng.randint(1, 4)].lower())
    probe = table_clause("probe", column("id"), column("t"))
    engine = store.make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE probe (id integer, t text)"))
        conn.execute(
            text("INSERT INTO probe VALUES (:id, :t)"),
            [{"id": n, "t": t} for n, t in enumerate(texts)],
        )
        kinds = set()
        for needle in sorted(needles):
            condition = pg_holds(probe.c.t, needle)
            kinds.add("LIKE" if " LIKE " in str(condition.compile(engine)) else "regex")
            by_test = conn.execute(
                select(probe.c.id).where(condition).order_by(probe.c.id)
            ).scalars()
            by_lower = conn.execute(
                text("SELECT id FROM probe WHERE lower(t) LIKE :p ESCAPE '\\' ORDER BY id"),
                {"p": "%" + _escape_like(needle) + "%"},
            ).scalars()
            assert list(by_test) == list(by_lower), needle
    engine.dispose()
    assert len(needles) > 100 and kinds == {"LIKE", "regex"}  # both tests were taken


def test_migration_0014_rebuilds_the_search_indexes_on_the_raw_text(engine: Engine) -> None:
    """A PostgreSQL store made before 0014 (trigram indexes on lower() of each field, the
    published-date index without the ids) gets them rebuilt on the raw columns, and searches
    the same; SQLite has nothing to rebuild."""
    texts: list[Texts] = [
        ("Talks in JAKARTA", "", "Officials met in Pyongyang."),
        ("Rain", "", None),
    ]
    when = _store(engine, texts)
    sqlite = engine.dialect.name == "sqlite"
    old = {
        "ix_articles_title_trgm": "articles (lower(title))",
        "ix_articles_summary_trgm": "articles (lower(summary))",
        "ix_article_texts_body_trgm": "article_texts (lower(body))",
    }
    with store.write(engine) as conn:
        if not sqlite:
            for name, (table_and_column) in old.items():
                table, column = table_and_column.split(" ", 1)
                conn.exec_driver_sql(f"DROP INDEX {name}")
                conn.exec_driver_sql(
                    f"CREATE INDEX {name} ON {table} USING gin ({column[1:-1]} public.gin_trgm_ops)"
                )
            conn.exec_driver_sql("DROP INDEX ix_articles_published")
            conn.exec_driver_sql("CREATE INDEX ix_articles_published ON articles (published_at)")
        _forget_migration(conn, "0014_raw_search_indexes")
    assert store.migrate(engine) == ["0014_raw_search_indexes"]
    if not sqlite:
        with engine.connect() as conn:
            definitions = dict(
                conn.execute(
                    text(
                        # This test's schema only: other workers' schemas hold the same index
                        # names, and one being dropped meanwhile fails pg_get_indexdef.
                        "SELECT indexname, indexdef FROM pg_indexes "
                        "WHERE schemaname = current_schema() AND indexname = ANY(:names)"
                    ),
                    {"names": [*old, "ix_articles_published"]},
                ).all()
            )
        assert set(definitions) == {*old, "ix_articles_published"}
        for name, table_and_column in old.items():
            # The article's id first (btree_gin), then the raw text.
            ids = "(article_id, " if table_and_column.startswith("article_texts") else "(id, "
            column = table_and_column.split("(")[-1].rstrip(")")
            assert f"USING gin {ids}{column} public.gin_trgm_ops)" in definitions[name]
        assert "INCLUDE (id)" in definitions["ix_articles_published"]
    for needle in ("pyongyang", "jakarta", "met in", "rain"):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) == 1


def test_a_search_page_newest_first_is_the_newest_matches(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Articles page of a text search, newest first: the newest matching articles, whether
    it is found among the range's newest articles tested one by one (``_newest_matches``), in
    a wider probe of them (when the first found some but too few, and the share it found says
    a probe of at most ``SEARCH_PROBE_MAX`` would do), in the range's last days
    (``_recent_matches``) or by the whole query. Publication order here is not the
    order of arrival (ids), and ranges cut the store, so a probe that took the newest ids, or
    the store's newest articles instead of the range's, or a window not at the range's end,
    would show other rows."""
    from ingest.queries import articles as article_queries

    monkeypatch.setattr(article_queries, "SEARCH_PROBE", 80)
    monkeypatch.setattr(article_queries, "SEARCH_WINDOW_DAYS", 120)
    answered: set[str] = set()
    probe, window = article_queries._newest_matches, article_queries._recent_matches

    def probed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        page, found = probe(*args, **kwargs)
        wider = "wider " if kwargs.get("probe") else ""
        answered.add(
            wider + ("probe" if page is not None else "probe found some" if found else "none")
        )
        return page, found

    def windowed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        page = window(*args, **kwargs)
        answered.add("window" if page is not None else "window too few")
        return page

    monkeypatch.setattr(article_queries, "_newest_matches", probed)
    monkeypatch.setattr(article_queries, "_recent_matches", windowed)
    rng = random.Random(23)
    texts = _texts(rng, 360, "aAbBkK\u212aдДоО中国 ")
    # One article in twelve names an okapi: a few among the newest, most older.
    texts = [(t, s + " Okapi" if n % 12 == 0 else s, b) for n, (t, s, b) in enumerate(texts)]
    # Many share their minute (ties are ordered by id), and some fall on the ranges' last days.
    shuffled = {n: START + timedelta(days=rng.randrange(200), minutes=n % 3) for n in range(360)}
    shuffled |= {n: datetime(2025, 8, 1, 23, 59, tzinfo=UTC) for n in range(0, 360, 40)}
    shuffled |= {n: datetime(2025, 3, 1, tzinfo=UTC) for n in range(7, 360, 40)}
    when = _store(engine, texts, shuffled)
    ids = _ids_in_order(engine)
    # Two caps on the wider probe: with the larger it answers where the window would.
    for needle, probe_max in itertools.product(
        ("a", "ab", "aaa", "k", "д", "中国", "bkb", "okapi", "zzz"), (150, 200)
    ):
        monkeypatch.setattr(article_queries, "SEARCH_PROBE_MAX", probe_max)
        for first, last in (
            (date(2025, 1, 1), date(2025, 8, 1)),
            (date(2025, 2, 1), date(2025, 3, 1)),
        ):
            f = Filters(first, last, search=needle)
            newest = sorted(
                (
                    (at, article_id)
                    for article_id, fields, at in zip(ids, texts, when, strict=True)
                    if first <= at.date() <= last and _matches(needle.lower(), *fields)
                ),
                reverse=True,
            )
            for offset in (0, 10):
                page = queries.list_articles(engine, f, limit=10, offset=offset)
                expected = [article_id for _, article_id in newest[offset : offset + 10]]
                assert list(page["id"]) == expected, (needle, first, offset)
    every_way = {"probe", "probe found some", "none"}  # each way was taken, on both engines
    every_way |= {"wider probe", "wider probe found some", "window", "window too few"}
    assert answered == every_way, answered


def _forget_migration(conn, name: str) -> None:  # noqa: ANN001
    """The store as if migration ``name`` had never run (its record gone)."""
    conn.execute(store.schema_migrations.delete().where(store.schema_migrations.c.name == name))


def _ids_in_order(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(store.articles.c.id).order_by(store.articles.c.id)).scalars()
        )


def test_migration_0015_indexes_the_pairs_of_what_is_stored_before_it(engine: Engine) -> None:
    """A store made before 0015 (no index of character pairs) gets one filled from the
    articles and bodies it holds: two-character searches then find them from the index alone,
    on SQLite read straight from its tables (the oracle: the stored text itself)."""
    texts: list[Texts] = [
        ("北韩发射导弹", "", "中国外交部回应。"),
        ("Rain", "uk", None),
        ("", "", "북한 제재"),
    ]
    when = _store(engine, texts)
    sqlite = engine.dialect.name == "sqlite"
    with store.write(engine) as conn:
        if sqlite:
            for name in (store.ARTICLE_PAIRS, store.BODY_PAIRS):
                conn.exec_driver_sql(f"DROP TABLE {name}")
        else:
            for name in ("ix_articles_title_pairs", "ix_articles_summary_pairs"):
                conn.exec_driver_sql(f"DROP INDEX {name}")
            conn.exec_driver_sql("DROP INDEX ix_article_texts_body_pairs")
        _forget_migration(conn, "0015_pair_search")
    # Saved while the store has no pairs' index: written without one, indexed by 0015.
    late = Article(
        url_key="f" * 40,
        url="https://news.example/late",
        guid=None,
        title="制裁",
        summary="",
        published_at=START,
        fetched_at=START,
    )
    tags = Tags(language="zh", language_source="feed", tagger_version="t")
    (late_id,) = store.save_articles(engine, None, [(late, tags)]).article_ids
    _store_bodies(engine, {late_id: "关税"})
    assert store.migrate(engine) == ["0015_pair_search"]
    texts.append(("制裁", "", "关税"))
    when.append(START)
    ids = _ids_in_order(engine)
    with engine.connect() as conn:
        if sqlite:
            from ingest.store.bigrams import pair_token

            def held(name: str, pair: str) -> set[int]:
                return set(
                    conn.exec_driver_sql(
                        f"SELECT rowid FROM {name} WHERE {name} MATCH ?", (f'"{pair_token(pair)}"',)
                    ).scalars()
                )

            assert held(store.ARTICLE_PAIRS, "北韩") == {ids[0]}
            assert held(store.BODY_PAIRS, "中国") == {ids[0]}
            assert held(store.BODY_PAIRS, "북한") == {ids[2]}
            assert held(store.ARTICLE_PAIRS, "制裁") == held(store.BODY_PAIRS, "关税") == {ids[3]}
        else:
            names = set(
                conn.execute(
                    text(
                        "SELECT indexname FROM pg_indexes "
                        "WHERE schemaname = current_schema() AND indexname LIKE '%_pairs'"
                    )
                ).scalars()
            )
            assert {
                "ix_articles_title_pairs",
                "ix_articles_summary_pairs",
                "ix_article_texts_body_pairs",
            } <= names
    for needle in ("北韩", "中国", "uk", "북한", "제재", "制裁", "关税", "韩发", "回应"):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) == 1, needle


# --- words and phrases on PostgreSQL: the exact index of what each word holds (store.word_grams)

LONG_WORDS = (
    "Zwischenstaatlichkeitsabkommen",  # longer than GRAM_CHARS: read by its first 12, tested
    "antigovernmental",
    "Präsidentschaftswahlkampf",
    "переговорщиками",
    "中华人民共和国外交部发言人表示",
    "abcdefghijkl",  # exactly GRAM_CHARS
    "abcdefghijklm",  # one more
    "ΥΠΟΥΡΓΕΊΟ",
)


def test_word_and_phrase_searches_equal_the_substring_test(engine: Engine) -> None:
    """Words of every length around the index's 12 characters, in several scripts, between
    separators of several kinds (« », —, 、, ，, the no-break space): every search of a word's
    slice (3 to 16 characters, the index's prefix reads and its tested longer reads) and of a
    slice across separators counts exactly the plain substring test. The phrases (PostgreSQL
    reads them by their words, then tests) end and start on each side of a separator at
    every distance around the index's edges (1, 2 and 3 characters: words too short to read;
    12, 13: the exact string of a word's first 12), span two separators, begin or end with one,
    or hold no word long enough to read (the trigram read)."""
    rng = random.Random(23)
    separators = (" ", "«", "»", "\u2014", "、", "，", "\u00a0", "-", "_", "/")

    def sentence() -> str:
        words = rng.sample(LONG_WORDS, 4) + ["the", "other", "them"]
        rng.shuffle(words)
        return "".join(w + rng.choice(separators) for w in words).strip()

    texts: list[Texts] = [
        (sentence(), rng.choice(["", sentence()]), rng.choice([None, sentence()]))
        for _ in range(60)
    ]
    texts += [
        ("governmental", "", None),
        ("", "", "Zwischenstaatlichkeit"),
        ("abcdefghijkx", "", ""),
    ]
    when = _store(engine, texts)
    needles: set[str] = {"the", "them", "her", "governmental", "zwischenstaatlichkeitsabkommen"}
    for word in LONG_WORDS:
        lowered = word.lower()
        for length in (3, 5, 11, 12, 13, 16):  # around the index's 12 characters
            # At the word's start, at its end, and somewhere inside.
            inside = rng.randrange(max(1, len(lowered) - length + 1))
            for start in {0, max(0, len(lowered) - length), inside}:
                needles.add(lowered[start : start + length])
    for _title, summary, body in rng.sample(texts, 30):
        source = (body or summary or "").lower()
        if len(source) > 20:
            start = rng.randrange(len(source) - 12)
            needles.add(source[start : start + rng.randint(5, 12)])  # may cross a separator
    spans = (0, 1, 2, 3, 5, 12, 13)  # characters kept before and after a separator
    for _title, summary, body in rng.sample(texts, 12):
        source = (body or summary or "").lower()
        cuts = [i for i, ch in enumerate(source) if word_grams.is_separator(ch)]
        for cut in rng.sample(cuts, min(3, len(cuts))):
            before, after = rng.choice(spans), rng.choice(spans)
            needles.add(source[max(0, cut - before) : cut + 1 + after])
        if len(cuts) >= 3:  # across two separators: a whole word between them
            first, second = sorted(rng.sample(cuts[:-1], 1) + [cuts[-1]])
            needles.add(source[max(0, first - 4) : second + 3])
    needles |= {"the «other", "them, ", "— the", "e «t", "a b"}
    assert len(_count_each(engine, texts, when, needles)) > 200


def _count_each(
    engine: Engine, texts: list[Texts], when: list[datetime], needles: set[str]
) -> list[str]:
    """Count each of ``needles`` over every article and over a month (the reads kept to the
    month's ids), each count equal to the plain substring test's; return the searches made."""
    made = []
    for needle in sorted(needles):
        for first, last in (
            (date(2024, 1, 1), date(2026, 12, 31)),
            (date(2025, 2, 1), date(2025, 2, 28)),
        ):
            f = Filters(first, last, search=needle)
            if f.search:
                assert queries.count_articles(engine, f) == _expected(texts, when, f), needle
                made.append(f.search)
    return made


def test_a_field_too_long_for_its_word_index_is_still_found(engine: Engine) -> None:
    """Bodies indexed as the overflow marker, each for its own reason, are stored and still
    found for a word in them, short (exact reads) or long (tested reads): strings passing a
    tsvector's 1 MB (60 runs of 500 distinct Chinese characters: ~1.2 MB of strings), a word of
    1,500 characters, a body of 105,000 characters; a body of 2,003 characters in four words
    is indexed in full."""
    rng = random.Random(29)

    def han(n: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(n))

    many = "。".join(han(500) for _ in range(60))
    run = han(1_500)
    long = "".join(f"w{n:05d} " for n in range(15_000))
    within = "。".join(han(500) for _ in range(4))
    texts: list[Texts] = [
        ("Report", "", many),
        ("Essay", "", run),
        ("List", "", long),
        ("Brief", "", within),
        ("Other", "", "中国"),
    ]
    when = _store(engine, texts)
    needles = {"w07777", "w14999", "07777 w077"}
    for body in (many, run, within):
        for start in (100, 1_234, len(body) - 20):
            needles |= {body[start : start + 3], body[start : start + 16]}
    checked = 0
    for needle in sorted(needles):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        expected = _expected(texts, when, f)
        assert queries.count_articles(engine, f) == expected, needle
        checked += expected
    assert checked >= len(needles)  # each is found somewhere
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            indexed = conn.execute(
                text(
                    f"SELECT array_length(tsvector_to_array({word_grams.FUNCTION}(lower(body))), 1)"
                    " FROM article_texts WHERE body IS NOT NULL ORDER BY char_length(body) DESC"
                )
            ).scalars()
            # The marker for the long body, the strings' size and the long word; every
            # position's string of the four words of 500 (498 each, a few repeated).
            counts = list(indexed)
            assert counts[:2] == [1, 1] and counts[3:] == [1, None], counts
            assert 1_900 < counts[2] <= 4 * 498, counts


def test_separators_split_words_alike_in_postgres_and_python(postgres_url: str) -> None:
    """Each separator range of ``store.word_grams`` (both ends, and the code points just
    outside them) ends a word in PostgreSQL's function exactly when Python's ``answers``
    says a search holding it is no single word: the two spellings of the list agree. And
    ``store.word_pairs`` joins two words across the space alone, in SQL as in Python."""
    points = {0x41, 0x5A, 0x61, 0x30, 0x4E2D, 0x0434}  # letters and a digit: never separators
    for lo, hi in word_grams.SEPARATORS:
        points |= {lo, hi, (lo + hi) // 2, lo - 1, hi + 1}
    points.discard(0)  # PostgreSQL's text holds no NUL
    engine = store.make_engine(postgres_url)
    with engine.connect() as conn:
        for code in sorted(points):
            ch = chr(code)
            strings = conn.execute(
                text(f"SELECT tsvector_to_array({word_grams.FUNCTION}(lower(:t)))"),
                {"t": f"xyz{ch}uvw"},
            ).scalar_one()
            split = "xyz" in strings  # a word of its own only when ch ends it
            assert split == word_grams.is_separator(ch), hex(code)
            assert word_grams.answers(f"xy{ch.lower()}") == (not split), hex(code)
            # Two words joined only across one space, alike in both (store.word_pairs).
            joined = conn.execute(
                text(f"SELECT tsvector_to_array({word_pairs.FUNCTION}(lower(:t)))"),
                {"t": f"xyz{ch}uvw"},
            ).scalar_one()
            assert bool(joined) == (ch == " ") == word_pairs.answers(f"xyz{ch}uvw"), hex(code)
    engine.dispose()


def _plan(engine: Engine, f: Filters) -> str:
    """PostgreSQL's plan for counting ``f``'s articles."""
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        queries.count_articles(engine, f)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in seen if "count(" in s.lower())
    with engine.connect() as conn:
        return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))


def test_a_word_search_reads_the_word_indexes_and_never_computes_a_row(postgres_url: str) -> None:
    """On a store where every row holds the word (and forty others, so that the statistics
    would know it), a word's count reads each field's word index, for its answer and for the
    overflow marker (a longer word: for its first 12 characters too), and never computes a
    row's strings (no scan, no filter on them: the planner prices a GIN read's test of each row
    as if it were made, and with a word known to be in most rows would rather compute every
    row's strings, minutes at 1M; the store keeps no statistics of them, and prices the
    function dear). Over a month (each read kept to the month) and over two years. A phrase
    with a word of 3 characters or more is read the same way, by its words; one without
    ("u.s.") reads the trigram indexes. And each session has the memory to keep a bitmap exact,
    and no JIT (the function's price would make it compile every search: 390 ms at 1M)."""
    from ingest.store import engine as store_engine
    from ingest.store import search_index

    engine = store.make_engine(postgres_url)
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = " ".join("".join(rng.choice(letters) for _ in range(8)) for _ in range(40))
    row = (f"The talks {words}", f"the government {words}", f"The government met. {words}")
    _store(engine, [row] * 300)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE articles, article_texts")
    for first in (date(2025, 3, 1), date(2024, 1, 1)):
        f = Filters(first, date(2025, 3, 31))
        for needle in (
            "government",
            "governmentalities",
            "the government",  # two words one space joins: exact
            "government met.",  # a separator after them: tested
            "met.",  # no two words one space joins: read by its words, tested
        ):
            plan = _plan(engine, f.with_(search=needle))
            # A phrase of words one space joins reads the indexes of those (store.word_pairs).
            paired = word_pairs.answers(needle)
            read, unread = (word_pairs, word_grams) if paired else (word_grams, word_pairs)
            indexes = search_index.WORD_PAIR_INDEXES if paired else search_index.GRAM_INDEXES
            for index, *_ in indexes:
                assert plan.count(f"Bitmap Index Scan on {index}") == 2, plan
            assert f"{unread.FUNCTION}(" not in plan, plan
            assert "Seq Scan on articles matched" not in plan, plan
            assert "Seq Scan on article_texts" not in plan, plan
            filters = [line for line in plan.splitlines() if "Filter: " in line]
            assert not any(read.FUNCTION in line for line in filters), plan
            assert "_trgm" not in plan and "Gather" not in plan, plan  # nor parallel workers
            if not read.exact(needle) or first.year == 2024:
                # Tested reads, and any read over a long range, give the articles' ids as an
                # array, fetched by primary key: never each article of the range against
                # every match, nor a hashed union probed at random.
                assert "(id = ANY ($" in plan, plan
                assert "Semi Join" not in plan, plan
                # the array in order of id: its lookups walk the index in order
                assert re.search(r"Sort Key: matched(_text)?\.(article_)?id\n", plan), plan
            elif first.month == 3:  # kept to the month: the titles and summaries by their
                # dates (the date index's bitmap ANDed with the word's), the bodies by ids
                assert plan.count("Index Cond: ((published_at >= ") >= 2, plan
                assert "Index Cond: ((article_id >= " in plan, plan
        short = _plan(engine, f.with_(search="u.s."))
        assert word_grams.FUNCTION not in short, short  # the trigram reads (the raw text)
        assert word_pairs.FUNCTION not in short, short
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW work_mem").scalar_one() == store_engine.PG_WORK_MEM
        assert conn.exec_driver_sql("SHOW jit").scalar_one() == "off"
    engine.dispose()


PAIRED_WORDS = (
    *LONG_WORDS,
    "of", "the", "a", "un", "jong", "kim", "Vargas", "Llosa", "Llosas", "minister",
    "김정은", "위원장", "Путин", "заявил", "x",
)  # fmt: skip


def test_phrases_of_words_one_space_joins_equal_the_substring_test(engine: Engine) -> None:
    """Phrases across the single spaces that PostgreSQL's index of joined words reads
    (``store.word_pairs``), between words of 1 to 30 characters in several scripts, also set
    apart by two spaces, a no-break space, a newline, a comma or a hyphen: every slice that
    starts inside, at the start of or before a word and ends inside, at the end of or after
    the next (around the index's 12 characters a side), across one, two or three joins, and
    phrases no text holds, each counts exactly the plain substring test."""
    rng = random.Random(41)
    joins = (" ", " ", " ", " ", "  ", "\u00a0", ", ", "\n", "-")

    def sentence() -> str:
        words = [rng.choice(PAIRED_WORDS) for _ in range(rng.randint(2, 7))]
        return "".join(w + rng.choice(joins) for w in words[:-1]) + words[-1]

    texts: list[Texts] = [
        (sentence(), rng.choice(["", sentence()]), rng.choice([None, sentence()]))
        for _ in range(80)
    ]
    texts.append(("Mario Vargas Llosa", "", "Mario Vargas  Llosa, Vargas\u00a0Llosa"))
    when = _store(engine, texts)
    needles = {"vargas llosa", "gas llosa", "vargas llosas", "vargas llo", "of the", "a x", "x a"}
    for title, summary, body in texts:
        for source in (title.lower(), summary.lower(), (body or "").lower()):
            spaces = [i for i, ch in enumerate(source) if ch == " "]
            for space in rng.sample(spaces, min(2, len(spaces))):
                for _ in range(3):
                    start = max(0, space - rng.choice((1, 2, 3, 5, 11, 12, 13, 20)))
                    end = space + 1 + rng.choice((1, 2, 3, 5, 11, 12, 13, 20, 40))
                    needles.add(source[start:end])
    for word in rng.sample(PAIRED_WORDS, 8):  # pairs no text may hold
        needles.add(f"{word.lower()} {rng.choice(PAIRED_WORDS).lower()}")
    made = _count_each(engine, texts, when, needles)
    paired = sum(word_pairs.answers(search) for search in made)
    assert len(made) > 300 and paired > 250, (len(made), paired)


def test_a_phrase_of_two_words_reads_only_the_index_of_joined_words(postgres_url: str) -> None:
    """On PostgreSQL two words one space joins are read from the index of joined words and
    never tested (no filter on the text); a longer phrase, or a word of over 12 characters, is
    read from it and tested. The function gives each ending of the first word (up to 12
    characters), a space and the second's first 12, only across a single space."""
    engine = store.make_engine(postgres_url)
    with engine.connect() as conn:
        strings = conn.execute(
            text(f"SELECT tsvector_to_array({word_pairs.FUNCTION}(lower(:t)))"),
            {"t": "Mario Vargas Llosa  said, Zwischenstaatlichkeitsabkommen signed"},
        ).scalar_one()
    vargas = [f"{'vargas'[i:]} llosa" for i in range(6)]
    mario = [f"{'mario'[i:]} vargas" for i in range(5)]
    long = [f"{'zwischenstaatlichkeitsabkommen'[-n:]} signed" for n in range(1, 13)]
    assert sorted(strings) == sorted(vargas + mario + long)
    _store(engine, [("Vargas Llosa wins", "", "Mario Vargas Llosa won.")])
    f = Filters(date(2024, 1, 1), date(2026, 12, 31))
    # Each field's read of the phrase, and of the overflow marker (those rows tested).
    # (Titles and summaries are read together: two index reads, one row read.)

    def tests(plan: str) -> int:
        return sum("Filter: " in line and "COALESCE(" in line for line in plan.splitlines())

    exact = _plan(engine, f.with_(search="vargas llosa"))
    assert exact.count("Index Cond: (pantau_word_pairs(lower(") == 6, exact
    assert tests(exact) == 2, exact  # the marker's reads alone
    for needle in ("mario vargas llosa", "vargas llosa won", "zwischenstaatlichkeitsabkommen s"):
        tested = _plan(engine, f.with_(search=needle))
        assert tested.count("Index Cond: (pantau_word_pairs(lower(") == 6, tested
        assert tests(tested) == 4, tested
        filters = [line for line in tested.splitlines() if "Filter: " in line]
        assert not any(word_pairs.FUNCTION in line for line in filters), tested
    engine.dispose()


def _statistics_targets(engine: Engine, names: list[str]) -> list[int]:
    """PostgreSQL's statistics target of the expression of each of the indexes ``names``."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT attstattarget FROM pg_attribute a "
                    "JOIN pg_index i ON i.indexrelid = a.attrelid "
                    "WHERE attrelid = ANY(CAST(:names AS regclass[])) AND attnum = i.indnatts"
                ),
                {"names": names},
            ).scalars()
        )


def test_migration_0023_indexes_the_joined_words_of_what_is_stored_before_it(
    postgres_url: str,
) -> None:
    """A store made before 0023 (no index of joined words, no function) gets them, built from
    the articles and bodies it holds, without statistics of their expressions, and a phrase
    then finds them."""
    from ingest.store import search_index

    engine = store.make_engine(postgres_url)
    texts: list[Texts] = [
        ("Talks in JAKARTA", "", "Officials met in Pyongyang."),
        ("Rain", "Talks stalled", None),
    ]
    when = _store(engine, texts)
    names = sorted(index for index, *_ in search_index.WORD_PAIR_INDEXES)
    with store.write(engine) as conn:
        for name in names:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql(f"DROP FUNCTION {word_pairs.FUNCTION}(text)")
        _forget_migration(conn, "0023_phrase_search")
    assert store.migrate(engine) == ["0023_phrase_search"]
    assert _statistics_targets(engine, names) == [0, 0, 0]  # the three, without statistics
    for needle in ("talks in", "met in pyongyang", "talks stalled", "s in jak"):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) == 1, needle
    engine.dispose()


def test_migration_0020_indexes_the_words_of_what_is_stored_before_it(postgres_url: str) -> None:
    """A store made before 0020 (no word indexes, no function) gets them, built from the
    articles and bodies it holds, without statistics of their expressions, and a word search
    then finds them."""
    engine = store.make_engine(postgres_url)
    texts: list[Texts] = [
        ("Talks in JAKARTA", "", "Officials met in Pyongyang."),
        ("Rain", "", None),
    ]
    when = _store(engine, texts)
    with store.write(engine) as conn:
        for name in ("ix_articles_title_grams", "ix_articles_summary_grams"):
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql("DROP INDEX ix_article_texts_body_grams")
        conn.exec_driver_sql("DROP FUNCTION pantau_grams(text)")
        _forget_migration(conn, "0020_word_search")
    assert store.migrate(engine) == ["0020_word_search"]
    with engine.connect() as conn:
        names = set(
            conn.execute(
                text(
                    "SELECT indexname FROM pg_indexes "
                    "WHERE schemaname = current_schema() AND indexname LIKE '%_grams'"
                )
            ).scalars()
        )
    assert names == {
        "ix_articles_title_grams",
        "ix_articles_summary_grams",
        "ix_article_texts_body_grams",
    }
    # No statistics of the expressions (an ANALYZE would compute its sample's strings).
    assert _statistics_targets(engine, sorted(names)) == [0, 0, 0]
    for needle in ("pyongyang", "jakarta", "yan", "rain", "officials met"):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) == 1, needle
    engine.dispose()


def test_migration_0021_indexes_the_ids_with_their_dates(postgres_url: str) -> None:
    """Every PostgreSQL store has the index of the articles' ids with their dates, from which a
    search over a long range reads its matches' dates (a store made new, and one made before
    0021); and a search over a long range still counts what the substring test does. (That the
    planner reads it alone, with no row visited, needs the pages marked all-visible, which
    VACUUM cannot do while other tests' transactions run: ``bench_body_search`` shows it.)"""
    from ingest.store import search_index

    engine = store.make_engine(postgres_url)

    def definition() -> str | None:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT indexdef FROM pg_indexes "
                    "WHERE schemaname = current_schema() AND indexname = :name"
                ),
                {"name": search_index.ID_DATE_INDEX},
            ).scalar()

    made_new = definition()
    assert made_new is not None and made_new.endswith("(id) INCLUDE (published_at)"), made_new
    texts: list[Texts] = [("Talks in Jakarta", "", "Officials met."), ("Rain", "", None)]
    when = _store(engine, texts)
    with store.write(engine) as conn:
        conn.exec_driver_sql(f"DROP INDEX {search_index.ID_DATE_INDEX}")
        _forget_migration(conn, "0021_id_dates")
    assert definition() is None
    assert store.migrate(engine) == ["0021_id_dates"]
    assert definition() == made_new
    for needle in ("jakarta", "officials met", "rain"):
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=needle)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) == 1, needle
    engine.dispose()


def _long_bodies() -> list[str]:
    """The true main texts of the saved article pages that PostgreSQL compresses (over 2 kB),
    from the fixture file itself."""
    rows = map(json.loads, TRUTH.read_text("utf-8").splitlines())
    return [row["body"] for row in rows if len((row.get("body") or "").encode()) > 4000]


def test_migration_0022_compresses_bodies_with_lz4(postgres_url: str) -> None:
    """On PostgreSQL a body stored after migration 0022 is compressed with LZ4 (the server's
    own record of each value, ``pg_column_compression``), one stored before it keeps pglz, and
    a search that tests bodies (a phrase) finds both as the substring test does."""
    engine = store.make_engine(postgres_url)

    def compressions() -> dict[int, str]:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT article_id, pg_column_compression(body) FROM article_texts "
                    "WHERE body IS NOT NULL"
                )
            )
            return {article_id: method for article_id, method in rows}

    def column_method() -> str:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT attcompression FROM pg_attribute "
                    "WHERE attrelid = CAST('article_texts' AS regclass) AND attname = 'body'"
                )
            ).scalar_one()

    assert column_method() == "l"  # a store made new
    with store.write(engine) as conn:  # a store made before 0022
        conn.exec_driver_sql("ALTER TABLE article_texts ALTER COLUMN body SET COMPRESSION pglz")
        _forget_migration(conn, "0022_body_lz4")
    old, new = _long_bodies()[:2]
    texts: list[Texts] = [("Before", "", old), ("After", "", new)]
    when = _store(engine, [(title, summary, None) for title, summary, _body in texts])
    first, second = _ids_in_order(engine)
    _store_bodies(engine, {first: old})
    assert compressions() == {first: "pglz"}
    assert store.migrate(engine) == ["0022_body_lz4"]
    assert column_method() == "l"
    _store_bodies(engine, {second: new})
    assert compressions() == {first: "pglz", second: "lz4"}
    for body in (old, new):
        phrase = " ".join(body.split()[3:5]).lower()
        f = Filters(date(2024, 1, 1), date(2026, 12, 31), search=phrase)
        assert queries.count_articles(engine, f) == _expected(texts, when, f) >= 1, phrase
    engine.dispose()

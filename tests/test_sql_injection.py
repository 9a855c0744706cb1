"""SQL injection through every filter (issue 5, item 6).

200 hostile strings go into every field of ``queries.Filters`` (countries, pair, topics,
languages, outlets, search text) and through the URL query parameters that ``ui.filters``
parses (``from to c pair t lang feed q``). For each resulting view, every read the pages make
must run without an exception and return exactly what a Python reference filter computes over
the rows that were stored: no SQL error, no wildcard leaking through LIKE, no quote closing a
string, no second statement.

The store holds real articles (parsed from real feed files in five languages) plus articles
whose titles, summaries, languages and outlet names are themselves the hostile strings, so the
search and language filters have something real to find. Tags are assigned deterministically
(the taggers are not under test here; the queries are).
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ingest import queries, store
from ingest.parse import parse_feed
from ingest.queries import TOPICS, Filters
from ingest.records import Article, CountryTag, Evidence, Tags, TopicTag, tagging_text
from tests.conftest import private_schema
from ui.filters import PARAM_KEYS, from_query_params

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
REAL_FEEDS = [
    ("bbc-news/bbc-news_world_20260218T0213Z.rss.xml", "en"),
    ("lenta/lenta-ru_rss_2022-12-03.rss.xml", "ru"),
    ("antara/antaranews_terkini_2017-04-17.rss.xml", "id"),
    ("nyt-chinese/nytimes-cn_2015-03-16.rss.xml", "zh"),
    ("yahoo-japan/yahoo-news-japan_topics-top-picks_2023-02-10.rss.xml", "ja"),
]
WINDOW_START = date(2024, 5, 1)
WINDOW_DAYS = 61

# fmt: off
HOSTILE: list[str] = [
    # quotes, comments, statement breaks
    "'", "''", '"', '""', "`", "';", "';--", "'--", "' --", "'#", "'/*", "*/", "/*", "--", "#",
    ";", "; --", "\\';", "' OR '1'='1", "' OR 1=1--", "' OR 1=1 /*", '" OR ""="', "1' OR '1'='1",
    "') OR ('a'='a", "')) OR (('a'='a", "admin'--", "' OR 'x'='x'; --", "1 OR 1=1", "1) OR (1=1",
    "RUS' OR '1'='1", "IDN'--", "'; DROP TABLE articles; --", "1; DROP TABLE feeds", "x'); DELETE FROM articles; --",
    "'; UPDATE feeds SET enabled=0; --", "'; INSERT INTO feeds(url) VALUES('x'); --", "'; TRUNCATE articles; --",
    "' UNION SELECT NULL--", "' UNION SELECT NULL,NULL,NULL--", "' UNION ALL SELECT id, url_key FROM articles--",
    "1 UNION SELECT sqlite_version()", "' UNION SELECT name FROM sqlite_master--",
    "' UNION SELECT table_name FROM information_schema.tables--", "') UNION SELECT version()--",
    "' AND 1=CAST((SELECT version()) AS int)--", "' AND (SELECT COUNT(*) FROM feeds) > 0 --",
    "'; SELECT pg_sleep(5); --", "1 AND SLEEP(5)", "' || pg_sleep(5) || '", "'||(SELECT 1)||'",
    "'; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --", "'; PRAGMA writable_schema=1; --",
    "'; VACUUM INTO '/tmp/copy.db'; --", "$$; DROP TABLE articles; $$", "$tag$x$tag$", "E'\\x27'",
    "'/**/OR/**/1=1", "'%20OR%201=1", "%27%20OR%201%3D1", "&#39; OR 1=1", "char(39)", "0x27",
    "' COLLATE NOCASE --", "x' GLOB '*", "x' REGEXP '.*", "x' ~ '.*", "x' SIMILAR TO '%",
    "' ESCAPE '\\", "\\", "\\\\", "\\'", "\\%", "\\_", "\\x00", "\\0", "\\n",
    # LIKE and GLOB wildcards
    "%", "%%", "_", "__", "%_%", "a%", "%a", "a_b", "100%", "50% off", "snake_case", "[a-z]",
    "[!a]", "[^a]", "*", "?", "^", "$", "|", "a|b", "(.*)", ".*", "%' AND '%'='",
    # bind-parameter look-alikes
    ":name", ":1", "?1", "$1", "@p", "%s", "%(title)s", "{0}", "{{x}}", "${x}", "#{x}",
    # controls and whitespace
    "\x00", "a\x00b", "RUS\x00", "\x00' OR 1=1 --", "\x1a", "\x08", "\x1b[31m", "\r\n", "\t",
    "line\nbreak", " ", "   ", "\u00a0", "\u2028", "\u200b", "\ufeff", "\u202eRUS", "\u200fRUS",
    "e\u0301", "Jose\u0301", "\u0332" * 3,
    # ISO3-looking junk (codes, separators, case, homoglyphs, width)
    "rus", "Rus", "RUS ", " RUS", "RUSS", "RU", "R", "R_S", "R%", "RU%", "XXX", "ZZZ", "AAA", "NUL",
    "RUS,PRK", "RUS-PRK", "PRK-RUS-CHN", "RUS;PRK", "RUS|PRK", "RUS PRK", "RUS--", "USA/*",
    "\u0420US", "RU\u0405", "\uff32\uff35\uff33", "\u0456dn", "IDN\n", "ıdn", "usa",
    # topic and language junk
    "MILITARY", "military ", "military;", "militar%", "military'--", "cyber%tech", "cyber\\_tech",
    "EN", "en-US", "en_US", "zz", "en'", "e%", "e_", "unknown", "und", "x-klingon", "en,id",
    # JSON- and number-looking strings
    '{"$ne": null}', '{"$gt": ""}', '["RUS"]', "[]", "{}", "null", "None", "true", "NaN",
    "Infinity", "-1", "0", "1e309", "0x1F", "\uff11\uff12\uff13", "\u0661\u0662\u0663", "\u00b2",
    "\u00bd", "0" * 30 + "1", "9" * 40, "+1", "1.5", "1,2,3,,,",
    # date-looking junk
    "2024-13-01", "2024-02-30", "0000-00-00", "0001-01-01", "9999-12-31", "1969-12-31",
    "2024-06-01T00:00:00Z", "2024-06-01' OR '1'='1", "20240601", "2024-W01-1", "2024/06/01",
    "now()", "CURRENT_DATE",
    # long strings
    "A" * 10_000, "'" * 2_000, "%" * 1_000, "\\" * 999, "é" * 3_000, "x" * 199 + "%",
    "' OR '1'='1" * 100,
    # real text: Cyrillic, CJK, Indonesian, Japanese, Greek, Arabic, emoji
    "Россия", "РОССИЯ", "россия", "КНДР", "Украина", "北朝鮮", "中国", "朝鲜", "Rusia", "INDONESIA",
    "Korea Utara", "ロシア", "Ελλάδα", "روسيا", "🇷🇺", "😀'--",
]
# fmt: on
HOSTILE_INTS = [-1, 0, 2**31 - 1, 2**31, 2**63 - 1, -(2**63)]


def test_the_hostile_list_holds_at_least_200_distinct_strings() -> None:
    assert len(HOSTILE) >= 200
    assert len(set(HOSTILE)) == len(HOSTILE)


# --------------------------------------------------------------------------------------------
# The store and its Python twin


@dataclass(frozen=True)
class Row:
    url: str
    title: str
    summary: str
    published_at: datetime
    feed_id: int
    language: str
    countries: frozenset[str]
    topics: frozenset[str]


def _storable(text: str) -> bool:
    """A string the ingest could have stored (clean text has no controls and is not empty)."""
    return bool(text.strip()) and not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def _tags(rng: random.Random, language: str, text: str) -> Tags:
    codes = ["RUS", "PRK", "IDN", "CHN", "USA", "UKR", "JPN", "GRC"]
    chosen = rng.sample(codes, rng.choice([0, 1, 1, 2, 2, 3]))
    topics = rng.sample(list(TOPICS), rng.choice([0, 1, 1, 2]))
    surface = text[: max(1, min(5, len(text)))]
    return Tags(
        language=language,
        language_source="feed",
        countries=[CountryTag(c, [Evidence(surface, "name", 0)]) for c in chosen],
        topics=[TopicTag(t, [Evidence(surface, "keyword", 0)]) for t in topics],
        tagger_version="test",
    )


def build_store(engine: Engine) -> list[Row]:
    """Real and hostile articles saved through ``store.save_articles``; their Python twins."""
    rng = random.Random(20240601)
    rows: list[Row] = []
    fetched = datetime(2024, 7, 1, tzinfo=UTC)

    def when() -> datetime:
        return datetime.combine(
            WINDOW_START + timedelta(days=rng.randrange(WINDOW_DAYS)),
            datetime.min.time(),
            tzinfo=UTC,
        ) + timedelta(seconds=rng.randrange(86_400))

    def save(feed_id: int, batch: list[tuple[Article, Tags]]) -> None:
        result = store.save_articles(engine, feed_id, batch)
        assert result.new_articles == len(batch)
        for article, tags in batch:
            rows.append(
                Row(
                    url=article.url or "",
                    title=article.title,
                    summary=article.summary,
                    published_at=article.published_at,
                    feed_id=feed_id,
                    language=tags.language or "",
                    countries=frozenset(c.iso3 for c in tags.countries),
                    topics=frozenset(t.topic for t in tags.topics),
                )
            )

    for relative, language in REAL_FEEDS:
        path = FEEDS / relative
        parsed = parse_feed(path.read_bytes(), feed_url=path.as_uri(), fetched_at=fetched)
        assert parsed.articles, relative
        feed_id = store.ensure_feed(engine, f"https://feeds.example/{relative}", title=relative)
        batch = []
        seen: set[str] = set()
        for article in parsed.articles[:40]:
            if not article.url or article.url in seen:
                continue
            seen.add(article.url)
            article = replace(article, published_at=when())
            text = tagging_text(article.title, article.summary)
            batch.append((article, _tags(rng, language, text)))
        save(feed_id, batch)

    # Plain articles whose title or summary ends in a common letter: a pattern cut short at a
    # NUL ("%a" instead of "%a<NUL>b%") would find them.
    plain = [
        ("Talks resume in Jakarta", "Ministers met in the capital of Indonesia"),
        ("Sanctions on Belarus", "The EU widens measures against Minsk and Belarus"),
        ("Election in Kenya", "Voters queue in Nairobi, Kenya"),
    ]
    feed_id = store.ensure_feed(engine, "https://plain.example/rss", title="Plain wire")
    batch = []
    for i, (title, summary) in enumerate(plain):
        article = Article(
            url_key=f"plain-{i}",
            url=f"https://plain.example/{i}",
            guid=None,
            title=title,
            summary=summary,
            published_at=when(),
            fetched_at=fetched,
        )
        batch.append((article, _tags(rng, "en", tagging_text(title, summary))))
    save(feed_id, batch)

    # Articles made of the hostile strings themselves, in outlets named with them.
    storable = [s for s in HOSTILE if _storable(s)]
    hostile_languages = [s for s in storable if len(s) <= 16][:40]
    for outlet in range(4):
        name = storable[(outlet * 37) % len(storable)]
        feed_id = store.ensure_feed(
            engine, f"https://hostile.example/{outlet}?q={outlet}'--", title=name[:200]
        )
        batch = []
        for i, text in enumerate(storable[outlet::4]):
            other = storable[(i * 7 + outlet) % len(storable)]
            title = f"{text[:300]} — hostile {outlet}/{i}"
            summary = f"Wire report: {other[:300]} ({i})" if i % 3 else ""
            language = hostile_languages[(i + outlet) % len(hostile_languages)] if i % 2 else "en"
            article = Article(
                url_key=f"hostile-{outlet}-{i}",
                url=f"https://hostile.example/{outlet}/{i}",
                guid=None,
                title=title,
                summary=summary,
                published_at=when(),
                fetched_at=fetched,
            )
            batch.append((article, _tags(rng, language, tagging_text(title, summary))))
        save(feed_id, batch)
    return rows


def reference(rows: list[Row], f: Filters) -> list[Row]:
    """What the view ``f`` must show, computed in Python over the stored rows."""
    needle = f.search.lower()
    out = []
    for r in rows:
        day = r.published_at.astimezone(UTC).date()
        if not f.date_from <= day <= f.date_to:
            continue
        if f.languages and r.language not in f.languages:
            continue
        if f.feed_ids and r.feed_id not in f.feed_ids:
            continue
        if f.outlet_types or f.outlet_homes:
            continue  # no feed of this store declares an outlet type or home country
        if f.countries and not r.countries & set(f.countries):
            continue
        if f.pair and not set(f.pair) <= r.countries:
            continue
        if f.topics and not r.topics & set(f.topics):
            continue
        if needle and needle not in r.title.lower() and needle not in r.summary.lower():
            continue
        out.append(r)
    return out


# --------------------------------------------------------------------------------------------
# The reads the pages make, each compared with the reference


def _counts(df: Any, key: str | list[str]) -> dict:
    if isinstance(key, list):
        return {
            tuple(k): int(n) for *k, n in zip(*(df[c] for c in key), df["articles"], strict=True)
        }
    return {k: int(n) for k, n in zip(df[key], df["articles"], strict=True)}


def check_view(engine: Engine, rows: list[Row], f: Filters, *, full: bool) -> list[str]:
    """Run the reads under ``f``; return what raised or differed from the reference.

    Every view runs the article reads (count, page, export chunks, totals); ``full`` views also
    run every breakdown the pages draw. Breakdowns by a key the view itself selects (pairs when
    countries are chosen, topics when topics are) are compared on the selected keys, the part
    every page shows whichever way the query is answered."""
    ref = reference(rows, f)
    problems: list[str] = []

    def expect(name: str, call: Callable[[], Any], want: Any) -> None:
        try:
            got = call()
        except Exception as exc:  # noqa: BLE001 - the point is that nothing raises
            problems.append(f"{name} raised {type(exc).__name__}: {str(exc)[:160]}")
            return
        if got != want:
            problems.append(f"{name}: got {str(got)[:160]} want {str(want)[:160]}")

    urls = sorted(r.url for r in ref)
    country_n = Counter(c for r in ref for c in r.countries)
    expect("count_articles", lambda: queries.count_articles(engine, f), len(ref))
    expect(
        "list_articles",
        lambda: sorted(queries.list_articles(engine, f, limit=100_000)["url"]),
        urls,
    )
    expect(
        "totals",
        lambda: queries.totals(engine, f),
        {
            "articles": len(ref),
            "feeds": len({r.feed_id for r in ref}),
            "languages": len({r.language for r in ref}),
            "countries": len(country_n),
        },
    )
    if not full:
        return problems
    expect(
        "iter_articles",
        lambda: sorted(u for df in queries.iter_articles(engine, f, chunk=97) for u in df["url"]),
        urls,
    )
    expect(
        "country_counts",
        lambda: _counts(queries.country_counts(engine, f), "iso3"),
        dict(country_n),
    )
    chosen = set(f.countries) | set(f.pair or ())

    def pairs() -> dict:
        got = _counts(queries.pair_counts(engine, f, limit=None), ["iso3_a", "iso3_b"])
        return {k: n for k, n in got.items() if not chosen or chosen & set(k)}

    pair_n = Counter(
        (a, b)
        for r in ref
        for a in r.countries
        for b in r.countries
        if a < b and (not chosen or chosen & {a, b})
    )
    expect("pair_counts", pairs, dict(pair_n))

    def topic_n() -> dict:
        got = _counts(queries.topic_counts(engine, f), "topic")
        return {k: n for k, n in got.items() if not f.topics or k in f.topics}

    expect(
        "topic_counts",
        topic_n,
        dict(Counter(t for r in ref for t in r.topics if not f.topics or t in f.topics)),
    )
    expect(
        "language_counts",
        lambda: _counts(queries.language_counts(engine, f), "language"),
        dict(Counter(r.language for r in ref)),
    )
    expect(
        "outlet_counts",
        lambda: _counts(queries.outlet_counts(engine, f), "feed_id"),
        dict(Counter(r.feed_id for r in ref)),
    )

    def coverage_total() -> int:
        df = queries.coverage_series(engine, f, by="total")
        return int(df["articles"].sum())

    expect("coverage_series", coverage_total, len(ref))
    if f.pair:

        def both() -> int:
            df = queries.pair_timeline(engine, f)
            return int(df.loc[df["series"] == "both", "articles"].sum())

        expect("pair_timeline", both, len(ref))
    return problems


class HostileStore:
    """One store per database for the whole module; each distinct view is checked once (equal
    Filters give equal answers), whichever hostile string produced it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows = build_store(engine)
        self.window = Filters(WINDOW_START, WINDOW_START + timedelta(days=WINDOW_DAYS - 1))
        self.seen: dict[tuple[Filters, bool], list[str]] = {}

    def problems(self, where: str, make: Callable[[], Filters], *, full: bool = False) -> list[str]:
        try:
            f = make()
        except Exception as exc:  # noqa: BLE001 - building the view must not raise either
            return [f"{where}: building the filters raised {exc!r:.160}"]
        key = (f, full)
        if (f, True) in self.seen:
            key = (f, True)
        elif key not in self.seen:
            self.seen[key] = check_view(self.engine, self.rows, f, full=full)
        return [f"{where}: {problem}" for problem in self.seen[key]]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def hostile_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostileStore]:
    """The ``db_url`` databases of conftest, built once per module (a private PostgreSQL
    schema, dropped afterwards): the store takes a few seconds to fill and 200+ tests read it."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('sql_injection') / 'pantau.db'}"
        else:
            url = stack.enter_context(private_schema())
        engine = store.make_engine(url)
        try:
            yield HostileStore(engine)
        finally:
            engine.dispose()


def test_the_store_gives_the_filters_something_to_find(hostile_store: HostileStore) -> None:
    """Guards the guard: the reference must select real, varied subsets."""
    engine, rows, window = hostile_store.engine, hostile_store.rows, hostile_store.window
    assert len(rows) > 250
    assert len(reference(rows, window)) == len(rows)
    assert queries.count_articles(engine, window) == len(rows)
    for probe in ["100%", "a_b", "'", "\\", "Россия", "北朝鮮", "' OR '1'='1"]:
        hits = reference(rows, window.with_(search=probe))
        assert 0 < len(hits) < len(rows), probe
    assert len({r.language for r in rows}) > 20
    assert any(len(r.countries) >= 2 for r in rows)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[f"{i:03d}" for i in range(len(HOSTILE))])
def test_hostile_string_in_every_filter_and_url_parameter(
    hostile_store: HostileStore, hostile: str
) -> None:
    """The string in each Filters field and each URL parameter: no error, the reference rows.

    Every read runs with the string in the search field or the language field (the two fields
    whose text reaches the database as is; by turns, to keep the module near 30 s per database)
    and in the country, pair and topic fields; the article reads (count, page, totals) run for
    every other placement."""
    s, w, check = hostile, hostile_store.window, hostile_store.problems
    odd = HOSTILE.index(s) % 2 == 1  # every read in one of the two text fields, by turns
    problems = [
        *check("search", lambda: w.with_(search=s), full=not odd),
        *check("languages", lambda: w.with_(languages=(s,)), full=odd),
        *check("countries", lambda: w.with_(countries=(s, "RUS")), full=True),
        *check("pair", lambda: w.with_(pair=("PRK", s)), full=True),
        *check("topics", lambda: w.with_(topics=(s, "military")), full=True),
        *check(
            "search+countries+languages",
            lambda: w.with_(search=s, countries=("RUS", "IDN"), languages=("en", s)),
        ),
        *check("countries alone", lambda: w.with_(countries=(s,))),
        *check("pair first", lambda: w.with_(pair=(s, "RUS"))),
        *check("topics alone", lambda: w.with_(topics=(s,))),
    ]
    for key in PARAM_KEYS:
        problems += check(f"?{key}=", lambda k=key: from_query_params({k: s}, w))
    problems += check("?all=", lambda: from_query_params(dict.fromkeys(PARAM_KEYS, s), w))
    problems += check("?c=[s, RUS]", lambda: from_query_params({"c": [s, "RUS"]}, w))
    problems += check("?c=RUS,s", lambda: from_query_params({"c": f"RUS,{s}"}, w))
    problems += check("?pair=PRK-s", lambda: from_query_params({"pair": f"PRK-{s}"}, w))
    problems += check("?lang=en,s", lambda: from_query_params({"lang": f"en,{s}"}, w))
    problems += check("?feed=1,s", lambda: from_query_params({"feed": f"1,{s}"}, w))
    problems += check("?t=military,s", lambda: from_query_params({"t": f"military,{s}"}, w))
    assert not problems, "\n".join(problems[:12])


@pytest.mark.parametrize("number", HOSTILE_INTS)
def test_hostile_feed_id(hostile_store: HostileStore, number: int) -> None:
    """Outlet ids are integers; one outside the column's range selects nothing, it never
    raises."""
    w = hostile_store.window
    problems = hostile_store.problems("feed_ids", lambda: w.with_(feed_ids=(number,)), full=True)
    assert not problems, "\n".join(problems[:12])

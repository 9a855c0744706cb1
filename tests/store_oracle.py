"""An independent oracle for what the dashboard shows and exports: hand-written SQL over the
store's tables (articles, article_countries, article_topics, article_entities, feeds), through a
plain SQLAlchemy
engine (no hooks of ``ingest.store``: on SQLite ``lower()`` is SQLite's own).

Filters arrive in their URL form (the keys of ``ui.filters.PARAM_KEYS``: from, to, c, pair,
entity, t, lang, feed, q, mention) and each key becomes a WHERE clause written here, in ``WHERE_OF``, not by
``ingest.queries``. Country tags count when ``prominent`` (docs/prominence.md), or all of them with
``mention=any`` (``tag_ok``). Nothing here reads the roll-up tables the queries prefer, nor calls the
functions the pages call: a count is counted again from the article rows.

Counts are counted here in Python, over the matching (key, article) rows: each article is one,
or with ``count=stories`` its story is (read from ``article_stories`` directly; an article with
no story row is a story of its own), so a story counts once per key. Over time a story counts
on the day of its first matching article (``per_day``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text

Params = Mapping[str, str]
Binds = dict[str, Any]


def _items(value: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))


def _in(prefix: str, values: list[Any], binds: Binds) -> str:
    names = []
    for i, value in enumerate(values):
        binds[f"{prefix}{i}"] = value
        names.append(f":{prefix}{i}")
    return ", ".join(names)


def _from(value: str, binds: Binds, params: Params) -> str:
    binds["day_from"] = value
    return "a.published_day >= :day_from"


def _to(value: str, binds: Binds, params: Params) -> str:
    binds["day_to"] = value
    return "a.published_day <= :day_to"


def tag_ok(alias: str, params: Params) -> str:
    """The condition on an article_countries alias that keeps the country tags that count."""
    if params.get("mention") == "any":
        return "1 = 1"
    return f"{alias}.prominent = {TRUE}"


TRUE = "TRUE"  # SQLite ≥ 3.23 and PostgreSQL both spell it so


def _countries(value: str, binds: Binds, params: Params) -> str:
    codes = _in("c", [c.upper() for c in _items(value)], binds)
    return (
        "EXISTS (SELECT 1 FROM article_countries wc WHERE wc.article_id = a.id "
        f"AND wc.iso3 IN ({codes}) AND {tag_ok('wc', params)})"
    )


def _pair(value: str, binds: Binds, params: Params) -> str:
    first, second = value.upper().split("-")
    binds["pair_a"], binds["pair_b"] = first, second
    return " AND ".join(
        f"EXISTS (SELECT 1 FROM article_countries {t} WHERE {t}.article_id = a.id "
        f"AND {t}.iso3 = :{name} AND {tag_ok(t, params)})"
        for t, name in (("wpa", "pair_a"), ("wpb", "pair_b"))
    )


def _entities(value: str, binds: Binds, params: Params) -> str:
    """People and organisations, any of; any mention (entity tags have no prominence rule)."""
    codes = _in("e", [q.upper() for q in _items(value)], binds)
    return f"a.id IN (SELECT we.article_id FROM article_entities we WHERE we.qid IN ({codes}))"


def _mention(value: str, binds: Binds, params: Params) -> str:
    return "1 = 1"  # it decides which country tags count (tag_ok), not which articles


def _count(value: str, binds: Binds, params: Params) -> str:
    return "1 = 1"  # it decides what a count counts (Oracle.unit_of), not which articles


def _topics(value: str, binds: Binds, params: Params) -> str:
    return (
        "EXISTS (SELECT 1 FROM article_topics wt WHERE wt.article_id = a.id "
        f"AND wt.topic IN ({_in('t', _items(value), binds)}))"
    )


def _languages(value: str, binds: Binds, params: Params) -> str:
    return f"a.language IN ({_in('lang', _items(value), binds)})"


def _feeds(value: str, binds: Binds, params: Params) -> str:
    return f"a.feed_id IN ({_in('feed', [int(i) for i in _items(value)], binds)})"


def _search(value: str, binds: Binds, params: Params) -> str:
    needle = value.lower()
    assert not set(needle) & set("%_\\"), "the oracle's LIKE takes plain words"
    binds["q"] = f"%{needle}%"
    return "(lower(a.title) LIKE :q OR lower(a.summary) LIKE :q)"


def _outlet_types(value: str, binds: Binds, params: Params) -> str:
    codes = _in("otype", _items(value), binds)
    return f"a.feed_id IN (SELECT wf.id FROM feeds wf WHERE wf.category IN ({codes}))"


def _outlet_homes(value: str, binds: Binds, params: Params) -> str:
    codes = _in("ohome", [c.upper() for c in _items(value)], binds)
    return f"a.feed_id IN (SELECT wf.id FROM feeds wf WHERE wf.country_iso3 IN ({codes}))"


# One clause per URL parameter of the dashboard (tests check this covers ui.filters.PARAM_KEYS).
WHERE_OF: dict[str, Callable[[str, Binds, Params], str]] = {
    "from": _from,
    "to": _to,
    "c": _countries,
    "pair": _pair,
    "entity": _entities,
    "t": _topics,
    "lang": _languages,
    "feed": _feeds,
    "q": _search,
    "mention": _mention,
    "otype": _outlet_types,
    "ohome": _outlet_homes,
    "count": _count,
}
BASE_KEYS = (
    "from",
    "to",
    "lang",
    "feed",
    "otype",
    "ohome",
    "mention",
    "count",
)  # what "all coverage" (totals, shares) is filtered on


def where(params: Params, binds: Binds) -> str:
    clauses = [WHERE_OF[key](value, binds, params) for key, value in params.items() if value]
    return " AND ".join(clauses) or "1 = 1"


def stamp(value: Any) -> str:
    """A stored timestamp as the CSV writes it (UTC, seconds, ``Z``)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def days(start: str, end: str) -> list[str]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


class Oracle:
    """Hand-written queries of one store (a SQLite file or a PostgreSQL schema)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def rows(self, sql: str, binds: Binds | None = None) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), binds or {})]

    # -- what a count counts -----------------------------------------------------------------

    def unit_of(self, params: Params) -> Callable[[int], Any]:
        """Article id -> what counts as one: the article, or with ``count=stories`` its story
        (an article without a story row is a story of its own)."""
        if params.get("count") != "stories":
            return lambda article: ("article", article)
        story = {int(a): int(s) for a, s in self.rows(
            "SELECT article_id, story_id FROM article_stories")}  # fmt: skip
        return lambda article: (
            ("story", story[article]) if article in story else ("article", article)
        )

    def tally(self, params: Params, rows: list[tuple]) -> dict[tuple, int]:
        """Rows of (key..., article id) -> the distinct units (``unit_of``) per key."""
        unit = self.unit_of(params)
        seen: dict[tuple, set] = {}
        for *key, article in rows:
            seen.setdefault(tuple(key), set()).add(unit(int(article)))
        return {key: len(units) for key, units in seen.items()}

    def first_days(self, params: Params, rows: list[tuple]) -> dict[tuple, dict[Any, str]]:
        """Rows of (key..., day, article id) -> per key, each unit's first day."""
        unit = self.unit_of(params)
        first: dict[tuple, dict[Any, str]] = {}
        for *key, day, article in rows:
            days_of = first.setdefault(tuple(key), {})
            u = unit(int(article))
            days_of[u] = min(days_of.get(u, str(day)), str(day))
        return first

    # -- articles ----------------------------------------------------------------------------

    def feed_ids(self, titles: list[str]) -> list[int]:
        binds: Binds = {}
        found = dict(self.rows(f"SELECT title, id FROM feeds WHERE title IN "
                               f"({_in('ft', titles, binds)})", binds))  # fmt: skip
        return [int(found[t]) for t in titles]

    def tags(self) -> dict[int, tuple[str, str, str]]:
        """Each article's country codes, topics and entities (QIDs), "; "-joined in code
        order."""
        kinds: list[dict[int, list[str]]] = [{}, {}, {}]
        for kind, sql in enumerate(
            (
                "SELECT article_id, iso3 FROM article_countries",
                "SELECT article_id, topic FROM article_topics",
                "SELECT article_id, qid FROM article_entities",
            )
        ):
            for article_id, code in self.rows(sql):
                kinds[kind].setdefault(int(article_id), []).append(code)
        ids = set().union(*kinds)
        return {
            i: (
                "; ".join(sorted(kinds[0].get(i, []))),
                "; ".join(sorted(kinds[1].get(i, []))),
                "; ".join(sorted(kinds[2].get(i, []))),
            )
            for i in ids
        }

    def articles(self, params: Params, limit: int | None = None) -> list[dict[str, Any]]:
        """The matching articles, newest first (ties: newest id), as the article CSVs hold them."""
        binds: Binds = {}
        sql = (
            "SELECT a.id, a.published_at, a.title, a.summary, a.url, "
            "COALESCE(f.title, f.url, '') AS outlet, a.language "
            "FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
            f"WHERE {where(params, binds)} ORDER BY a.published_at DESC, a.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        tags = self.tags()
        story_of = self.article_stories()
        out = []
        for i, published, title, summary, url, outlet, language in self.rows(sql, binds):
            countries, topics, entities = tags.get(int(i), ("", "", ""))
            story = story_of.get(int(i))
            out.append(
                {"id": int(i), "published_at": stamp(published), "title": title,
                 "summary": summary or "", "url": url or "", "outlet": outlet,
                 "language": language or "", "countries": countries, "topics": topics,
                 "entities": entities, "story": "" if story is None else str(story)}
            )  # fmt: skip
        return out

    def pair_articles_ranked(self, params: Params, limit: int | None = None) -> list[dict]:
        """The articles of ``params["pair"]`` as the Country pair page lists them: those where
        both countries are prominent first — each country scores 2 when its tag stands in the
        title, 1 in the lead (the summary, or a body's first paragraph), 0 further down (the
        ``prominence`` column each tag row stores); an article ranks by the lesser score — then
        newest first (of the newest 500)."""
        a, b = params["pair"].upper().split("-")
        items = self.articles(params, 500)
        level = {"title": 2, "lead": 1, "body": 0}
        scores = {}
        for item in items:
            levels = []
            for code in (a, b):
                rows = self.rows(
                    "SELECT prominence FROM article_countries WHERE article_id = :i AND iso3 = :c",
                    {"i": item["id"], "c": code},
                )
                levels.append(level.get(rows[0][0], 0) if rows else -1)
            scores[item["id"]] = min(levels)
        ranked = sorted(items, key=lambda x: -scores[x["id"]])  # stable: newest first within
        return ranked[:limit] if limit is not None else ranked

    def count(self, params: Params) -> int:
        binds: Binds = {}
        rows = self.rows(f"SELECT a.id FROM articles a WHERE {where(params, binds)}", binds)
        return self.tally(params, rows).get((), 0)

    def base(self, params: Params) -> dict[str, str]:
        return {k: v for k, v in params.items() if k in BASE_KEYS}

    # -- counts ------------------------------------------------------------------------------

    def country_counts(self, params: Params, limit: int | None = None) -> list[tuple]:
        """(iso3, articles, share) by articles, then code; share of all coverage (BASE_KEYS)."""
        binds: Binds = {}
        rows = self.rows(
            "SELECT x.iso3, a.id FROM article_countries x JOIN articles a "
            f"ON a.id = x.article_id WHERE {where(params, binds)} AND {tag_ok('x', params)}",
            binds,
        )
        counted = self.tally(params, rows)
        rows = sorted(((c, n) for (c,), n in counted.items()), key=lambda r: (-r[1], r[0]))[:limit]
        total = self.count(self.base(params))
        return [(c, n, n / total if total else 0.0) for c, n in rows]

    def entity_counts(self, params: Params) -> list[tuple]:
        """(qid, articles) by articles, then QID: the matching articles' entity tags (any
        mention), counted as ``count`` says."""
        binds: Binds = {}
        rows = self.rows(
            "SELECT x.qid, a.id FROM article_entities x JOIN articles a "
            f"ON a.id = x.article_id WHERE {where(params, binds)}",
            binds,
        )
        counted = self.tally(params, rows)
        return sorted(((q, n) for (q,), n in counted.items()), key=lambda r: (-r[1], r[0]))

    def pair_counts(self, params: Params, limit: int | None = None) -> list[tuple]:
        """(iso3_a, iso3_b, articles), a < b, by articles then codes."""
        binds: Binds = {}
        rows = self.rows(
            "SELECT x.iso3, y.iso3, a.id FROM articles a "
            "JOIN article_countries x ON x.article_id = a.id "
            "JOIN article_countries y ON y.article_id = a.id AND x.iso3 < y.iso3 "
            f"WHERE {where(params, binds)} AND {tag_ok('x', params)} AND {tag_ok('y', params)}",
            binds,
        )
        counted = self.tally(params, rows)
        return sorted(((x, y, n) for (x, y), n in counted.items()),
                      key=lambda r: (-r[2], r[0], r[1]))[:limit]  # fmt: skip

    def grouped(self, params: Params, column: str) -> list[tuple]:
        """(key, articles) per topic | language | feed id, by articles then key."""
        binds: Binds = {}
        if column == "topic":
            sql = (
                "SELECT x.topic, a.id FROM article_topics x JOIN articles a "
                f"ON a.id = x.article_id WHERE {where(params, binds)}"
            )
        else:
            expr = {"language": "a.language", "feed": "a.feed_id"}[column]
            sql = f"SELECT {expr}, a.id FROM articles a WHERE {where(params, binds)}"
        counted = self.tally(params, self.rows(sql, binds))
        rows = [(k if k is not None else "", n) for (k,), n in counted.items()]
        return sorted(rows, key=lambda r: (-r[1], r[0]))

    def outlets(self) -> dict[int, tuple[str, str]]:
        """feed id → (title or URL, home country code or '')."""
        return {
            int(i): (t or u, h or "")
            for i, t, u, h in self.rows("SELECT id, title, url, country_iso3 FROM feeds")
        }

    def who_covers_whom(self, params: Params) -> dict[tuple[str, str], int]:
        """(outlet home, country mentioned) → articles, for every country."""
        binds: Binds = {}
        rows = self.rows(
            "SELECT COALESCE(f.country_iso3, ''), x.iso3, a.id FROM articles a "
            "JOIN feeds f ON f.id = a.feed_id JOIN article_countries x ON x.article_id = a.id "
            f"WHERE {where(params, binds)} AND {tag_ok('x', params)}",
            binds,
        )
        return self.tally(params, rows)

    def co_mentions(self, params: Params, focus: str) -> list[tuple]:
        """(iso3, articles): the countries mentioned with ``focus`` in the matching articles."""
        binds: Binds = {"focus": focus}
        rows = self.rows(
            "SELECT x.iso3, a.id FROM articles a "
            "JOIN article_countries x ON x.article_id = a.id AND x.iso3 <> :focus "
            "WHERE EXISTS (SELECT 1 FROM article_countries m WHERE m.article_id = a.id "
            f"AND m.iso3 = :focus AND {tag_ok('m', params)}) AND {where(params, binds)} "
            f"AND {tag_ok('x', params)}",
            binds,
        )
        counted = self.tally(params, rows)
        return sorted(((c, n) for (c,), n in counted.items()), key=lambda r: (-r[1], r[0]))

    def per_day(self, params: Params, extra: str = "", extra_binds: Binds | None = None
                ) -> dict[str, int]:  # fmt: skip
        """Matching articles per published day (``extra``: one more condition on ``a``); with
        ``count=stories``, the stories whose first matching article is of that day."""
        binds: Binds = dict(extra_binds or {})
        cond = where(params, binds) + (f" AND {extra}" if extra else "")
        rows = self.rows(f"SELECT a.published_day, a.id FROM articles a WHERE {cond}", binds)
        out: dict[str, int] = {}
        for day in self.first_days(params, rows).get((), {}).values():
            out[day] = out.get(day, 0) + 1
        return out

    def rising(self, params: Params, kind: str, end: str) -> list[tuple]:
        """(key, recent, expected, score), the top 10 by score: articles in the 7 days to ``end``
        against the 28 before them, under the language and outlet filters; a country filter
        keeps the countries (or the pairs with one of them) chosen. Spike score as the page
        explains it: (recent − expected) ÷ √(expected + 1), shown from 5 recent articles on."""
        last = date.fromisoformat(end)
        recent_from = last - timedelta(days=6)
        window = {
            "from": (recent_from - timedelta(days=28)).isoformat(),
            "to": end,
            **{k: v for k, v in params.items() if k in BASE_KEYS and k not in ("from", "to")},
        }  # ("count" too: what counts)
        binds: Binds = {"recent_from": recent_from.isoformat()}
        cond = where(window, binds)
        codes = [c.upper() for c in _items(params.get("c", ""))]
        if kind == "pair":
            keys, width, joins = (
                "x.iso3, y.iso3",
                2,
                (
                    "JOIN article_countries x ON x.article_id = a.id "
                    "JOIN article_countries y ON y.article_id = a.id AND x.iso3 < y.iso3"
                ),
            )
            if codes:
                listed = _in("rc", codes, binds)
                cond += f" AND (x.iso3 IN ({listed}) OR y.iso3 IN ({listed}))"
        else:
            keys, width = "x.iso3", 1
            joins = "JOIN article_countries x ON x.article_id = a.id"
            if codes:
                cond += f" AND x.iso3 IN ({_in('rc', codes, binds)})"
        # Each article (or story: at its first matching article) counts in its window.
        cond += f" AND {tag_ok('x', params)}" + (
            f" AND {tag_ok('y', params)}" if width == 2 else ""
        )
        sql = f"SELECT {keys}, a.published_day, a.id FROM articles a {joins} WHERE {cond}"
        firsts = self.first_days(window, self.rows(sql, binds))
        rows = []
        for names, first in firsts.items():
            assert len(names) == width
            recent_n = sum(1 for d in first.values() if d >= recent_from.isoformat())
            rows.append((*names, recent_n, len(first) - recent_n))
        # A baseline exists when the store holds articles (language, outlet filters) on at least
        # 14 of the 28 days before, and the country or pair itself 5 articles there.
        base = {"from": window["from"], "to": (recent_from - timedelta(days=1)).isoformat(),
                **{k: v for k, v in params.items() if k in ("lang", "feed")}}  # fmt: skip
        held = self.per_day(base)
        if sum(1 for n in held.values() if n > 0) < 14:
            return []
        out = []
        for *names, recent, before in rows:
            recent, before = int(recent), int(before)
            expected = before * 7 / 28
            if recent >= 5 and before >= 5:
                score = (recent - expected) / math.sqrt(expected + 1)
                out.append(("-".join(names), recent, expected, score))
        out.sort(key=lambda r: (-r[3], r[0]))
        return out[:10]

    # -- stories -----------------------------------------------------------------------------

    def story_names(self) -> dict[int, int]:
        """Each story row id -> the story's stable id: the id of its earliest published article
        (lowest id among equals), found from the article rows, not from ``stories``."""
        first: dict[int, tuple[datetime, int]] = {}
        for story, article, published in self.rows(
            "SELECT s.story_id, a.id, a.published_at FROM article_stories s "
            "JOIN articles a ON a.id = s.article_id"
        ):
            when = datetime.fromisoformat(published) if isinstance(published, str) else published
            key = (when.replace(tzinfo=None), int(article))
            first[int(story)] = min(first.get(int(story), key), key)
        return {story: article for story, (_when, article) in first.items()}

    def article_stories(self) -> dict[int, int]:
        """Each article id -> its story's stable id (``story_names``)."""
        names = self.story_names()
        return {
            int(a): names[int(s)]
            for a, s in self.rows("SELECT article_id, story_id FROM article_stories")
        }

    def top_stories(self, params: Params, limit: int) -> list[tuple]:
        """(story, articles, outlets, languages, outlet homes, reach, first seen) of the stories
        with a matching article, counted over the matching articles; an outlet is its feeds'
        ``outlet`` key (a feed without one alone), a feed without a home counts as one home;
        by reach, articles, first seen, then story."""
        binds: Binds = {}
        rows = self.rows(
            "SELECT s.story_id, COUNT(*), "
            "COUNT(DISTINCT COALESCE(f.outlet, 'feed:' || CAST(a.feed_id AS TEXT))), "
            "COUNT(DISTINCT a.language), COUNT(DISTINCT COALESCE(f.country_iso3, '')), "
            "MIN(a.published_at) "
            "FROM article_stories s JOIN articles a ON a.id = s.article_id "
            f"LEFT JOIN feeds f ON f.id = a.feed_id WHERE {where(params, binds)} "
            "GROUP BY s.story_id",
            binds,
        )
        names = self.story_names()
        ranked = sorted(
            (
                (names[int(s)], int(n), int(o), int(la), int(h), int(o) * int(la) * int(h),
                 stamp(t))
                for s, n, o, la, h, t in rows
            ),
            key=lambda r: (-r[5], -r[1], r[6], r[0]),
        )  # fmt: skip
        return ranked[:limit]

    def story_articles(self, story: int) -> list[tuple]:
        """(id, published, language, title, country codes space-joined) of the articles of the
        story named ``story`` (its stable id), oldest first (ties: id)."""
        countries: dict[int, list[str]] = {}
        for article_id, code in self.rows("SELECT article_id, iso3 FROM article_countries"):
            countries.setdefault(int(article_id), []).append(code)
        members = {a for a, name in self.article_stories().items() if name == story}
        rows = self.rows("SELECT id, published_at, language, title FROM articles")
        return sorted(
            (
                (int(i), stamp(t), lang or "", title, " ".join(sorted(countries.get(int(i), []))))
                for i, t, lang, title in rows
                if int(i) in members
            ),
            key=lambda r: (r[1], r[0]),
        )

    def story_outlets(self, story: int) -> list[tuple]:
        """(outlet, first published, hours after the story's first article, articles) of each
        outlet (``feeds.outlet``; a feed without one alone) that carried the story named
        ``story``, in the order they had it (ties: name)."""
        members = {a for a, name in self.article_stories().items() if name == story}
        by_outlet: dict[str, list] = {}
        for i, t, key, title in self.rows(
            "SELECT a.id, a.published_at, COALESCE(f.outlet, 'feed:' || a.feed_id), f.title "
            "FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id"
        ):
            if int(i) in members:
                by_outlet.setdefault(key, []).append((stamp(t), title or ""))
        start = datetime.fromisoformat(min(min(v)[0] for v in by_outlet.values()))
        rows = []
        for v in by_outlet.values():
            first = min(v)[0]
            later = (datetime.fromisoformat(first) - start).total_seconds() / 3600
            rows.append((min(title for _t, title in v), first, round(later, 1), len(v)))
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def feeds(self) -> list[tuple]:
        """(id, title, url, articles) of every feed, by title then id."""
        rows = self.rows(
            "SELECT f.id, COALESCE(f.title, f.url), f.url, "
            "(SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) FROM feeds f"
        )
        return sorted(((int(i), t, u, int(n)) for i, t, u, n in rows), key=lambda r: (r[1], r[0]))

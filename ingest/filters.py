"""Every filter of a view, each defined once: its URL parameter, parsing and validation, its SQL
and its words (as Datasette's filters carry both ``where_clause()`` and ``human_clause()``).

A view is a :class:`Filters` value: a date range, countries (any of), a country pair (both),
people and organisations (any of; Wikidata QIDs of ``ingest/data/entities``), topics (any of),
languages, outlets, a text search, which country mentions count (prominent
ones by default, or any mention), the outlets' type and home country (declared in the feed
catalogue), and whether counts count articles or stories. Each of those is one :class:`Filter` in
``FILTERS``, which says

- which fields of ``Filters`` it owns and how a value is made valid (``clean``: what cannot be
  understood is dropped, never passed on);
- its URL parameters, how a value is written into them and read back (``to_params``,
  ``from_params``): ``from=2024-06-01&to=2024-06-30&c=RUS,PRK&pair=PRK-RUS&t=military
  &lang=en,id&feed=3,7&q=text&mention=any&otype=state,public&ohome=RUS&count=stories``, every
  key optional, lists comma-separated;
- its command-line flags (``flags``): each fills one URL parameter, so ``python -m ingest
  export --country RUS --country PRK`` is the view ``?c=RUS,PRK`` (``ingest.filter_flags``
  makes the options of ``export`` and ``watch add`` from them);
- its SQL: the conditions on ``articles`` rows (``article_where``), and for the filters the
  daily and monthly aggregates carry as columns (dates, languages, outlets) the conditions on
  those tables (``rollup_where``; which aggregate answers a content filter is
  ``ingest.queries.aggregates``' business);
- its words: a phrase after the subject ("mentioning Russia"), or a clause of its own ("all
  languages"), and its part of the file name (``slug``).

Adding a filter: a field on ``Filters``, a ``Filter`` subclass here (with its ``flags``), its
name in ``FILTERS``,
``WORDS_ORDER`` and ``SLUG_ORDER``, and its widget in ``ui/filters.py``. The interface a filter
implements is ``ingest.filter_base``; the labels and phrases its words are made of,
``ingest.filter_words``. This module never imports Streamlit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from sqlalchemy import exists, select, true

from ingest.catalogue import OUTLET_TYPES
from ingest.filter_base import Conditions, Filter, Flag, first_param
from ingest.filter_words import (
    TOPIC_LABELS,
    TOPICS,
    date_range_words,
    is_language,
    join_words,
    language_name,
    outlet_type_label,
    topic_label,
)
from ingest.geo import country_name, is_valid_iso3
from ingest.language import LANGUAGE_CODE  # ISO 639 code, optional subtag
from ingest.records import PROMINENCE_RULE
from ingest.store import (
    PROMINENT,
    article_countries,
    article_entities,
    article_topics,
    articles,
    feeds,
)

# --------------------------------------------------------------------------------------------
# Limits a filter's value is held to (each beside its siblings)

EARLIEST = date(1970, 1, 1)  # the span of dates a filter may hold; outside it the date
LATEST = date(2100, 12, 31)  # arithmetic of the queries (± weeks) could overflow
MAX_SEARCH_CHARS = 200  # the longest text search, in characters
MAX_LIST_ITEMS = 50  # the most items one list parameter of a URL is read for
MAX_FEED_ID = 2**31 - 1  # feed ids are 32-bit signed integers in the store
UNKNOWN_LANGUAGE = "unknown"  # how the URL and file names spell the language '' (not detected)
_FEED_ID_PARAM = re.compile(r"[0-9]{1,9}")


# --------------------------------------------------------------------------------------------
# The view


@dataclass(frozen=True)
class Filters:
    """What a view is filtered on. Countries and topics match any of; the pair matches both.
    Each field is owned by one filter of ``FILTERS``, which makes its value valid here."""

    date_from: date
    date_to: date
    countries: tuple[str, ...] = ()
    pair: tuple[str, str] | None = None
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    search: str = ""
    any_mention: bool = False
    outlet_types: tuple[str, ...] = ()
    outlet_homes: tuple[str, ...] = ()
    count_stories: bool = False
    entities: tuple[str, ...] = ()
    feed_titles: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def __post_init__(self) -> None:
        for flt in FILTERS:
            for name, value in flt.clean(self).items():
                object.__setattr__(self, name, value)

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    def outlets_only(self, date_from: date, date_to: date) -> Filters:
        """The view from ``date_from`` to ``date_to`` under only the filters the aggregates carry
        (languages and the outlet filters) and those that say what is counted (which mentions,
        articles or stories): the base of a share or a baseline."""
        kept = {
            name: getattr(self, name)
            for flt in FILTERS
            if (flt.on_rollups or flt.counting) and flt.name != "dates"
            for name in flt.fields
        }
        return Filters(date_from, date_to, feed_titles=self.feed_titles, **kept)


def day_start(d: date) -> datetime:
    """The first moment (UTC) of day ``d``: the bound articles' ``published_at`` is held to."""
    return datetime.combine(d, time.min, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# The filters


def _items(text: str, limit: int = MAX_LIST_ITEMS) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()][:limit]


class Dates(Filter):
    """The date range, both ends included, held within EARLIEST–LATEST (a reversed range is
    put the right way round). A URL date outside that span is refused, not clamped."""

    name = "dates"
    fields = ("date_from", "date_to")
    params = ("from", "to")
    flags = (
        Flag("from", "from", "YYYY-MM-DD", "first day (UTC); default: as the dashboard"),
        Flag("to", "to", "YYYY-MM-DD", "last day (UTC), included; default: as the dashboard"),
    )
    on_rollups = True

    @staticmethod
    def parse_date(text: str) -> date | None:
        """A date from a URL, or None; dates outside EARLIEST–LATEST are refused (they would
        overflow the date arithmetic of the queries and mean nothing for news)."""
        try:
            value = date.fromisoformat(text.strip()[:10]) if text else None
        except ValueError:
            return None
        return value if value is not None and EARLIEST <= value <= LATEST else None

    def clean(self, f: Filters) -> dict[str, Any]:
        start, end = (min(max(d, EARLIEST), LATEST) for d in (f.date_from, f.date_to))
        return {"date_from": min(start, end), "date_to": max(start, end)}

    def is_set(self, f: Filters) -> bool:
        return True

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"from": f.date_from.isoformat(), "to": f.date_to.isoformat()}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {
            "date_from": self.parse_date(first_param(params, "from")) or defaults.date_from,
            "date_to": self.parse_date(first_param(params, "to")) or defaults.date_to,
        }

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        if not dates:
            return []
        return [
            articles.c.published_at >= day_start(f.date_from),
            articles.c.published_at < day_start(f.date_to + timedelta(days=1)),
        ]

    def rollup_where(self, table: Any, f: Filters) -> Conditions:
        return [table.c.day >= f.date_from.isoformat(), table.c.day <= f.date_to.isoformat()]

    def clause(self, f: Filters) -> str:
        return date_range_words(f.date_from, f.date_to)

    def slug(self, f: Filters) -> str:
        return f"{f.date_from.isoformat()}_{f.date_to.isoformat()}"


class Countries(Filter):
    """Countries mentioned, any of (ISO 3166-1 alpha-3 codes known to the gazetteer)."""

    name = "countries"
    fields = ("countries",)
    params = ("c",)
    flags = (Flag("country", "c", "ISO3", "a country mentioned (any of)", many=True),)

    def clean(self, f: Filters) -> dict[str, Any]:
        return {"countries": tuple(dict.fromkeys(c for c in f.countries if is_valid_iso3(c)))}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"c": ",".join(f.countries)} if f.countries else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"countries": tuple(c.upper() for c in _items(first_param(params, "c")))}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        if not f.countries:
            return []
        # Aliases keep these EXISTS subqueries from correlating with a tag table that the outer
        # query joins itself.
        acf = article_countries.alias()
        return [
            exists().where(
                acf.c.article_id == articles.c.id,
                acf.c.iso3.in_(list(f.countries)),
                *country_tag_where(acf, f),
            )
        ]

    def phrase(self, f: Filters) -> str:
        if not f.countries:
            return ""
        names = join_words([country_name(c) for c in f.countries], "or")
        return f" (and {names})" if f.pair else f" mentioning {names}"

    def slug(self, f: Filters) -> str:
        return "-".join(f.countries)


class Pair(Filter):
    """A country pair, both mentioned (two different known codes, held in code order)."""

    name = "pair"
    fields = ("pair",)
    params = ("pair",)
    flags = (Flag("pair", "pair", "ISO3-ISO3", "two countries, both mentioned"),)

    def clean(self, f: Filters) -> dict[str, Any]:
        pair = f.pair
        if pair is not None:
            a, b = sorted(pair)
            pair = (a, b) if a != b and is_valid_iso3(a) and is_valid_iso3(b) else None
        return {"pair": pair}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"pair": "-".join(f.pair)} if f.pair else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        codes = _items(first_param(params, "pair").replace("-", ","))
        # Exactly two: a third code is not "the pair of the first two" (it is dropped whole).
        return {"pair": (codes[0].upper(), codes[1].upper()) if len(codes) == 2 else None}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        conds: Conditions = []
        for code in f.pair or ():
            ac = article_countries.alias()
            conds.append(
                exists().where(
                    ac.c.article_id == articles.c.id, ac.c.iso3 == code, *country_tag_where(ac, f)
                )
            )
        return conds

    def phrase(self, f: Filters) -> str:
        if not f.pair:
            return ""
        return f" mentioning {country_name(f.pair[0])} and {country_name(f.pair[1])}"

    def slug(self, f: Filters) -> str:
        return "-".join(f.pair) if f.pair else ""


def entity_by_qid(qid: str) -> Any:
    """The entity of a QID (``ingest.tagging.entities``), or None; imported on first use, so
    that reading a view does not load the taggers until an entity is asked for."""
    from ingest.tagging.entities import entity_by_qid as known

    return known(qid)


class Entities(Filter):
    """People and organisations mentioned, any of: Wikidata QIDs of the entity table
    (``ingest/data/entities/entities.tsv``). Any mention counts (the prominence rule is the
    countries'). The aggregates carry no entities: a view with this filter is a scan."""

    name = "entities"
    fields = ("entities",)
    params = ("entity",)
    flags = (
        Flag(
            "entity",
            "entity",
            "QID",
            "a person or organisation mentioned, by Wikidata QID (any of), e.g. Q7747",
            many=True,
        ),
    )

    def clean(self, f: Filters) -> dict[str, Any]:
        known = (entity_by_qid(q) for q in f.entities if isinstance(q, str))
        return {"entities": tuple(dict.fromkeys(e.qid for e in known if e is not None))}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"entity": ",".join(f.entities)} if f.entities else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"entities": tuple(q.upper() for q in _items(first_param(params, "entity")))}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        if not f.entities:
            return []
        # The articles tagged with the entities, read from the tags' (qid, article_id) index:
        # the cost follows the entities' mentions, not the period's articles (an EXISTS per
        # article scanned every article of a year for a name mentioned 170 times).
        aef = article_entities.alias()
        tagged = select(aef.c.article_id).where(aef.c.qid.in_(list(f.entities)))
        return [articles.c.id.in_(tagged)]

    def phrase(self, f: Filters) -> str:
        if not f.entities:
            return ""
        names = join_words([entity_by_qid(q).name for q in f.entities], "or")
        return f" and {names}" if f.countries or f.pair else f" mentioning {names}"

    def slug(self, f: Filters) -> str:
        return "-".join(f.entities)


class Topics(Filter):
    """Topics, any of (keys of TOPIC_LABELS)."""

    name = "topics"
    fields = ("topics",)
    params = ("t",)
    flags = (Flag("topic", "t", "TOPIC", f"a topic (any of): {', '.join(TOPICS)}", many=True),)

    def clean(self, f: Filters) -> dict[str, Any]:
        return {"topics": tuple(dict.fromkeys(t for t in f.topics if t in TOPIC_LABELS))}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"t": ",".join(f.topics)} if f.topics else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"topics": tuple(_items(first_param(params, "t")))}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        if not f.topics:
            return []
        atf = article_topics.alias()
        return [exists().where(atf.c.article_id == articles.c.id, atf.c.topic.in_(list(f.topics)))]

    def phrase(self, f: Filters) -> str:
        if not f.topics:
            return ""
        return f" on {join_words([topic_label(t).lower() for t in f.topics], 'or')}"

    def slug(self, f: Filters) -> str:
        return "-".join(f.topics)


class _AnyOfColumn(Filter):
    """A filter on a column that ``articles`` and every aggregate carry alike: any of the
    values of its one field."""

    column: ClassVar[str]
    on_rollups = True

    def _any_of(self, table: Any, f: Filters) -> Conditions:
        values = getattr(f, self.fields[0])
        return [table.c[self.column].in_(list(values))] if values else []

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        return self._any_of(articles, f)

    def rollup_where(self, table: Any, f: Filters) -> Conditions:
        return self._any_of(table, f)


class Languages(_AnyOfColumn):
    """Languages, any of: ISO 639 codes, and '' for articles whose language is unknown (spelt
    UNKNOWN_LANGUAGE in the URL)."""

    name = "languages"
    fields = ("languages",)
    params = ("lang",)
    flags = (
        Flag(
            "language",
            "lang",
            "CODE",
            f"an ISO 639 language code (any of); {UNKNOWN_LANGUAGE} for not detected",
            many=True,
        ),
    )
    column = "language"

    def clean(self, f: Filters) -> dict[str, Any]:
        valid = (
            x for x in f.languages if x == "" or (LANGUAGE_CODE.fullmatch(x) and is_language(x))
        )
        return {"languages": tuple(dict.fromkeys(valid))}

    def to_params(self, f: Filters) -> dict[str, str]:
        if not f.languages:
            return {}
        return {"lang": ",".join(x or UNKNOWN_LANGUAGE for x in f.languages)}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        languages = []
        for code in _items(first_param(params, "lang")):
            code = code.lower()
            if code == UNKNOWN_LANGUAGE:
                languages.append("")
            elif LANGUAGE_CODE.fullmatch(code) and is_language(code):  # not "xx"
                languages.append(code)
        return {"languages": tuple(languages)}

    def clause(self, f: Filters) -> str:
        if not f.languages:
            return "all languages"
        return "in " + join_words([language_name(c) for c in f.languages], "or")

    def slug(self, f: Filters) -> str:
        return "-".join(x or UNKNOWN_LANGUAGE for x in f.languages)


class Outlets(_AnyOfColumn):
    """Outlets (feed ids), any of; ``feed_titles`` only lends them names in words."""

    name = "outlets"
    fields = ("feed_ids",)
    params = ("feed",)
    flags = (Flag("outlet", "feed", "FEED_ID", "an outlet's feed id (any of)", many=True),)
    column = "feed_id"
    per_feed = True

    def clean(self, f: Filters) -> dict[str, Any]:
        ids = (int(i) for i in f.feed_ids)
        return {"feed_ids": tuple(dict.fromkeys(i for i in ids if 0 <= i <= MAX_FEED_ID))}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"feed": ",".join(str(i) for i in f.feed_ids)} if f.feed_ids else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        ids = _items(first_param(params, "feed"))
        return {"feed_ids": tuple(int(x) for x in ids if _FEED_ID_PARAM.fullmatch(x))}

    def clause(self, f: Filters) -> str:
        if not f.feed_ids:
            return ""
        names = list(f.feed_titles) or [f"outlet #{i}" for i in f.feed_ids]
        return "from " + join_words(names, "or")

    def slug(self, f: Filters) -> str:
        return "feeds-" + "-".join(str(i) for i in f.feed_ids[:5]) if f.feed_ids else ""


class Text(Filter):
    """Text in the title, summary or stored body, case-insensitively (``ingest.queries.search``):
    whitespace collapsed, control characters dropped (SQLite would cut a LIKE pattern at a NUL;
    stored text holds none), at most MAX_SEARCH_CHARS characters."""

    name = "text"
    fields = ("search",)
    params = ("q",)
    flags = (
        Flag("text", "q", "TEXT", "text in the title, summary or stored body (case-insensitive)"),
    )

    def clean(self, f: Filters) -> dict[str, Any]:
        text = "".join(ch for ch in (f.search or "") if ch.isprintable() or ch.isspace())
        # Cut, then stripped: a cut that ends on a space would leave one, which the next
        # cleaning (every ``with_``) takes away, so one view would search two texts.
        return {"search": " ".join(text.split())[:MAX_SEARCH_CHARS].rstrip()}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"q": f.search} if f.search else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"search": first_param(params, "q")[:MAX_SEARCH_CHARS]}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        if not f.search:
            return []
        # Imported here: the queries package imports this module.
        from ingest.queries.search import TextMatch

        if not dates:
            return [TextMatch(f.search, None, None)]
        end = day_start(f.date_to + timedelta(days=1))
        return [TextMatch(f.search, day_start(f.date_from), end)]

    def phrase(self, f: Filters) -> str:
        return f" containing “{f.search}”" if f.search else ""

    def slug(self, f: Filters) -> str:
        if not f.search:
            return ""
        ascii_text = unicodedata.normalize("NFKD", f.search).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:30] or "search"


class Mention(Filter):
    """Which country mentions count: prominent ones (the default; ``records.PROMINENCE_RULE``)
    or any mention (``mention=any``). It narrows the country tags every country, pair and map
    count reads: on ``article_countries`` rows (``country_tag_where``) and on the country and
    pair aggregates, which carry prominence as a column (``schema.PROMINENT``)."""

    name = "mention"
    fields = ("any_mention",)
    params = ("mention",)
    flags = (
        Flag(
            "mention",
            "mention",
            "any",
            "'any' counts every mention of a country, not only prominent ones",
        ),
    )
    on_rollups = True
    ANY = "any"

    def clean(self, f: Filters) -> dict[str, Any]:
        return {"any_mention": bool(f.any_mention)}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"mention": self.ANY} if f.any_mention else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"any_mention": first_param(params, "mention").strip().lower() == self.ANY}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        return []  # it applies to the country tags, not to articles: see tag_where

    def tag_where(self, table: Any, f: Filters) -> Conditions:
        """Conditions on an ``article_countries`` alias: the tags that count."""
        return [] if f.any_mention else [table.c.prominent == true()]

    def rollup_where(self, table: Any, f: Filters) -> Conditions:
        if PROMINENT not in table.c:
            return []  # totals and topics count articles, whatever their countries
        return self.tag_where(table, f)

    def clause(self, f: Filters) -> str:
        return "counting any mention" if f.any_mention else ""

    def slug(self, f: Filters) -> str:
        return "any-mention" if f.any_mention else ""


class _OutletMetadata(Filter):
    """Outlets by what the catalogue declares about them (a column of ``feeds``), any of: the
    articles of the feeds that match, on ``articles`` and on the per-feed aggregates alike."""

    column: ClassVar[str]
    on_rollups = True
    per_feed = True

    def _feeds_in(self, table: Any, f: Filters) -> Conditions:
        values = getattr(f, self.fields[0])
        if not values:
            return []
        chosen = select(feeds.c.id).where(feeds.c[self.column].in_(list(values)))
        return [table.c.feed_id.in_(chosen)]

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        return self._feeds_in(articles, f)

    def rollup_where(self, table: Any, f: Filters) -> Conditions:
        return self._feeds_in(table, f)

    def to_params(self, f: Filters) -> dict[str, str]:
        values = getattr(f, self.fields[0])
        return {self.params[0]: ",".join(values)} if values else {}

    def slug(self, f: Filters) -> str:
        values = getattr(f, self.fields[0])
        return f"{self.params[0]}-" + "-".join(values) if values else ""


class OutletTypes(_OutletMetadata):
    """The outlets' type, any of (keys of ``catalogue.OUTLET_TYPES``: state-controlled, public
    broadcaster, private, wire …), as the feed catalogue declares it."""

    name = "outlet_types"
    fields = ("outlet_types",)
    params = ("otype",)
    flags = (
        Flag(
            "outlet-type",
            "otype",
            "TYPE",
            "an outlet type (any of): " + ", ".join(OUTLET_TYPES),
            many=True,
        ),
    )
    column = "category"

    def clean(self, f: Filters) -> dict[str, Any]:
        return {
            "outlet_types": tuple(dict.fromkeys(t for t in f.outlet_types if t in OUTLET_TYPES))
        }

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"outlet_types": tuple(t.lower() for t in _items(first_param(params, "otype")))}

    def phrase(self, f: Filters) -> str:
        if not f.outlet_types:
            return ""
        return f" from {join_words([outlet_type_label(t).lower() for t in f.outlet_types], 'or')} outlets"


class OutletHomes(_OutletMetadata):
    """The outlets' home country, any of (ISO 3166-1 alpha-3), as the feed catalogue (or an
    archive's manifest) declares it."""

    name = "outlet_homes"
    fields = ("outlet_homes",)
    params = ("ohome",)
    flags = (Flag("outlet-home", "ohome", "ISO3", "an outlet's home country (any of)", many=True),)
    column = "country_iso3"

    def clean(self, f: Filters) -> dict[str, Any]:
        return {"outlet_homes": tuple(dict.fromkeys(c for c in f.outlet_homes if is_valid_iso3(c)))}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"outlet_homes": tuple(c.upper() for c in _items(first_param(params, "ohome")))}

    def phrase(self, f: Filters) -> str:
        if not f.outlet_homes:
            return ""
        where = join_words([country_name(c) for c in f.outlet_homes], "or")
        return f" based in {where}" if f.outlet_types else f" from outlets based in {where}"


class CountStories(Filter):
    """What a count counts: articles (the default) or distinct stories (``count=stories``), so
    that a wire story republished by ten outlets counts once. Like ``Mention`` it changes what
    the counts count, never which articles match (lists and exports are the same). The
    aggregates count articles, so a view counting stories is answered by a scan
    (``ingest.queries.aggregates.route_for``)."""

    name = "count"
    fields = ("count_stories",)
    params = ("count",)
    flags = (
        Flag(
            "count",
            "count",
            "stories",
            "'stories' counts distinct stories, not articles (syndicated copies once)",
        ),
    )
    counting = True
    STORIES = "stories"

    def clean(self, f: Filters) -> dict[str, Any]:
        return {"count_stories": bool(f.count_stories)}

    def to_params(self, f: Filters) -> dict[str, str]:
        return {"count": self.STORIES} if f.count_stories else {}

    def from_params(self, params: Mapping[str, Any], defaults: Filters) -> dict[str, Any]:
        return {"count_stories": first_param(params, "count").strip().lower() == self.STORIES}

    def article_where(self, f: Filters, *, dates: bool = True) -> Conditions:
        return []  # it changes what is counted, not which articles match

    def clause(self, f: Filters) -> str:
        return "counting stories" if f.count_stories else ""

    def slug(self, f: Filters) -> str:
        return "stories" if f.count_stories else ""


MENTION_RULE = PROMINENCE_RULE  # what the default counts, in words (shown on screen)


def country_tag_where(table: Any, f: Filters) -> Conditions:
    """The conditions on an ``article_countries`` alias that keep the tags ``f`` counts."""
    return Mention().tag_where(table, f)


# The registry, in URL order. Words and file names list them in orders of their own.
FILTERS: tuple[Filter, ...] = (
    Dates(),
    Countries(),
    Pair(),
    Entities(),
    Topics(),
    Languages(),
    Outlets(),
    Text(),
    Mention(),
    OutletTypes(),
    OutletHomes(),
    CountStories(),
)
BY_NAME: dict[str, Filter] = {flt.name: flt for flt in FILTERS}
WORDS_ORDER = (
    "pair", "countries", "entities", "topics", "text", "outlet_types", "outlet_homes", "dates", "languages",
    "outlets", "mention", "count",
)  # fmt: skip
SLUG_ORDER = (
    "pair", "countries", "entities", "topics", "languages", "outlets", "outlet_types", "outlet_homes", "text",
    "mention", "count", "dates",
)  # fmt: skip
PARAM_KEYS: tuple[str, ...] = tuple(p for flt in FILTERS for p in flt.params)


# --------------------------------------------------------------------------------------------
# The view through every filter


def to_query_params(f: Filters) -> dict[str, str]:
    """The URL query parameters of ``f`` (round trip: ``from_query_params`` gives ``f`` back)."""
    params: dict[str, str] = {}
    for flt in FILTERS:
        params.update(flt.to_params(f))
    return params


def from_query_params(params: Mapping[str, Any], defaults: Filters) -> Filters:
    """Filters from URL query parameters; missing or invalid dates fall back to ``defaults``,
    anything else not understood is dropped."""
    values: dict[str, Any] = {}
    for flt in FILTERS:
        values.update(flt.from_params(params, defaults))
    return Filters(**values)


def needs_feed_tables(f: Filters) -> bool:
    """Whether ``f`` can only be answered from the aggregates kept per feed (an outlet filter is
    set), not from their roll-ups over feeds."""
    return any(flt.per_feed and flt.is_set(f) for flt in FILTERS)


def article_where(f: Filters, *, dates: bool = True) -> Conditions:
    """Conditions on ``articles`` for every filter (the scan path)."""
    return [cond for flt in FILTERS for cond in flt.article_where(f, dates=dates)]


def rollup_where(table: Any, f: Filters, *, dates: bool = True) -> Conditions:
    """Conditions on an aggregate table (by day, or by month without ``dates``) for every
    filter it carries: dates, languages, outlets (and the outlets' type and home, through
    ``feeds``, on the tables kept per feed)."""
    return [
        cond
        for flt in FILTERS
        if flt.on_rollups and (dates or flt.name != "dates")
        for cond in flt.rollup_where(table, f)
    ]


def describe(f: Filters, subject: str = "Articles") -> str:
    """The view in words: "Articles mentioning Russia and North Korea, 1–30 June 2024, all
    languages"."""
    what = subject + "".join(BY_NAME[name].phrase(f) for name in WORDS_ORDER)
    clauses = [BY_NAME[name].clause(f) for name in WORDS_ORDER]
    return ", ".join([what, *(c for c in clauses if c)])


def slug(f: Filters) -> str:
    """A file-name-safe summary of the filters, e.g. ``prk-rus_2024-06-01_2024-06-30``."""
    bits = [BY_NAME[name].slug(f) for name in SLUG_ORDER]
    text_slug = "_".join(b.lower() for b in bits if b)
    return re.sub(r"[^a-z0-9_.-]+", "-", text_slug)[:150]

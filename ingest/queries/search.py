"""The text-search match, compiled for each engine (SQLite's FTS5 trigram indexes or a LIKE scan;
PostgreSQL's word, pair and trigram indexes): an article's title, summary or stored body."""

from __future__ import annotations

import functools
import sys
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Text,
    and_,
    any_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from ingest.records import TEXT_SEPARATOR
from ingest.store import (
    article_pairs,
    article_search,
    article_texts,
    articles,
    bigrams,
    body_pairs,
    body_search,
    word_grams,
    word_pairs,
)
from ingest.store.bigrams import pair_token

# SQLite's indexes of character pairs: a two-character search's reads.
PAIR_INDEXES = (article_pairs, body_pairs)

_BOUNDED_SEARCH = timedelta(days=92)  # ranges up to a quarter read their slice of the index


class TextMatch(ColumnElement[bool]):
    """Articles whose title, summary or stored body (``article_texts.body``; none when body
    storage is off or past retention) contains ``search``, case-insensitively in every script
    (lower() on both sides: the store makes SQLite's lower() Unicode-aware like PostgreSQL's).
    Each field is tested on its own: no match straddles two of them.

    On SQLite a search of 3 characters or more is answered by the FTS5 trigram indexes of
    ``store.search_index``: ``article_search`` (lower(title) + newline + lower(summary)) and
    ``body_search`` (lower(body)), each searched as a phrase: a trigram phrase matches exactly
    the substrings, and a search never holds a newline (Filters collapses whitespace), so no
    match can straddle title and summary. The indexes are read only between the lowest and
    highest article id published in a range of up to a quarter (ids follow arrival, so a
    recent range reads a recent slice of a common word's matches; finding those ids costs a
    scan of the range's dates, not worth it for longer ones). A two-character search (中国,
    북한, 制裁) reads the indexes of character pairs instead (``store.bigrams``:
    ``article_pairs``, ``body_pairs``), the same way: its pair's one token. A single character
    scans that same text and the stored bodies, behind SQLite's own LIKE when that cannot
    miss a match (``_plain_like_suffices``). PostgreSQL: see ``_on_postgres``.

    ``row_wise``: the test made on each article's own text instead (SQLite: as for the short
    searches; PostgreSQL: ``pg_holds`` on each field), for a query that holds few articles
    already (``queries.articles``' newest-first probe), where reading every match of a common
    word from the indexes would cost more than the articles themselves.

    ``by_ids`` (PostgreSQL): the matches' ids read first, once, into an array, and the
    articles then fetched by them (``id = ANY(ARRAY(…))``: the primary key's lookups), for a
    page newest first whose probe found too few: the planner, which cannot know how many
    articles a word matches, otherwise chose to walk the articles newest first and rescan
    every match for each (a Cyrillic word's page over a year of 1M articles: 4.3 s). The cost
    is then the matches', which are few when the newest articles hold few of them. Also
    always for a range longer than a quarter, and for reads that test each row (phrases, long
    words): see ``_on_postgres``."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition itself: no "= 1" appended on SQLite
    _traverse_internals = [
        ("on_sqlite", InternalTraversal.dp_clauseelement),
        ("elsewhere", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        search: str,
        start: datetime | None,
        end: datetime | None,
        *,
        row_wise: bool = False,
        by_ids: bool = False,
    ) -> None:
        needle = search.lower()
        pattern = "%" + _escape_like(needle) + "%"
        searched = article_texts.alias("searched_text")
        of_this_article = searched.c.article_id == articles.c.id
        if len(needle) >= 2 and not row_wise:
            # A phrase of the needle's trigrams, or the one token of its two characters.
            term = needle if len(needle) >= 3 else pair_token(needle)
            phrase = '"' + term.replace('"', '""') + '"'
            indexes = (article_search, body_search) if len(needle) >= 3 else PAIR_INDEXES
            found = [
                # The table's own hidden column: a query of the whole row (the pairs' tables,
                # which keep no positions, take no other).
                select(index.c.rowid).where(index.c[index.name].op("MATCH")(phrase))
                for index in indexes
            ]
            self.on_sqlite: ColumnElement[bool] = articles.c.id.in_(
                _within_range(found, start, end, bounds_from=_sqlite_bounds)
            )
        else:
            text = articles.c.title + literal(TEXT_SEPARATOR) + articles.c.summary
            self.on_sqlite = or_(
                _contains(text, needle, pattern),
                exists().where(of_this_article, _contains(searched.c.body, needle, pattern)),
            ).self_group()
        if row_wise:
            self.elsewhere: ColumnElement[bool] = or_(
                pg_holds(articles.c.title, needle),
                pg_holds(articles.c.summary, needle),
                exists().where(of_this_article, pg_holds(searched.c.body, needle)),
            ).self_group()
        else:
            self.elsewhere = _on_postgres(needle, start, end, by_ids=by_ids)


def _on_postgres(
    needle: str, start: datetime | None, end: datetime | None, *, by_ids: bool = False
) -> ColumnElement[bool]:
    """PostgreSQL: the articles whose title, summary or body holds ``needle``, as a UNION of
    index reads, one or two of titles and summaries together (their bitmaps ORed: each
    article's row read once) and as many of bodies, which the planner can neither merge nor
    skip (an OR with the body's subquery made it scan every article for a rare word: 1.1 s
    at 1M); the trigram reads, one for each field:

    - two characters: the indexes of each field's character pairs (``store.bigrams``);
    - one word of 3 characters or more: the indexes of what each word holds
      (``store.word_grams``), which answer it with no text tested (a longer word: the rows the
      index gives for its first characters, tested), plus the few fields too long for that
      index, read from it by their marker and tested;
    - a phrase with two words one space joins ("vargas llosa", "of the", "kim jong un"): the
      indexes of the words one space joins (``store.word_pairs``), which answer a phrase of
      two words (up to 12 characters each) with no text tested; a longer phrase's rows, read
      by each of its pairs, are tested; and the fields too long for that index, by its marker;
    - another phrase (a search holding punctuation, "kim-jong") with a word of 3 characters or
      more: the indexes of what each word holds, the rows holding each of its words ("kim"
      ending a word, one starting "jong"), tested; the trigram reads of a name's phrase had
      cost 100 ms a field over 30 days at 1M for titles holding none of it;
    - anything else ("u.s.", "of a"): the trigram indexes of the raw columns
      (``store.search_index``), every row they find tested.

    Pair reads, one word's reads and a two-word phrase's reads are exact. A test is
    ``pg_holds`` on the raw text, never on lower() of it: lower-casing a long body and
    matching it took about 95 µs, the regular expression about 55. For a range of up to a
    quarter each read is kept to the range: a trigram or body read to the range's ids (its
    lowest and highest, found once in the published-date index that carries the ids), a pair
    or word read of titles and summaries to the articles' own dates; so a read covers the
    range's entries, not the whole store's."""
    titled, texts = articles.alias("matched"), article_texts.alias("matched_text")
    fields = (
        (titled.c.id, titled.c.title),
        (titled.c.id, titled.c.summary),
        (texts.c.article_id, texts.c.body),
    )
    # The index reads of pairs and words take an article's title and summary in one read
    # (the planner ORs the two fields' bitmaps): each article's row is read once, and one that
    # holds the search in both is one id, not two ("government" over a year at 1M: 27,300
    # ids from 38,785 pages instead of 43,350 from two reads of them).
    tables = (
        (titled.c.id, (titled.c.title, titled.c.summary)),
        (texts.c.article_id, (texts.c.body,)),
    )
    found: list[Any] = []
    dated: list[Any] = []

    def add(reads: list[Any], article_id: Any) -> None:
        """Index reads of pairs or words: titles' and summaries' kept to a short range by the
        articles' own dates (the planner ANDs their bitmap with the date index's, a few hundred
        pages, rather than with the ids of a trigram index led by them: 7,000 pages for 30
        days at 1M); bodies' by the ids (``_within_range``)."""
        if article_id.table is titled and _bounded(start, end):
            in_range = (titled.c.published_at >= start, titled.c.published_at < end)
            dated.extend(read.where(*in_range) for read in reads)
        else:
            found.extend(reads)

    if len(needle) == 2:
        wanted = postgresql.array([cast(literal(needle), Text)])  # text[], as the function's
        for article_id, columns in tables:
            pairs = [getattr(func, bigrams.FUNCTION)(func.lower(c)) for c in columns]
            add([select(article_id).where(or_(*(p.op("@>")(wanted) for p in pairs)))], article_id)
    elif word_pairs.answers(needle) or word_grams.answers(needle):
        index = word_pairs if word_pairs.answers(needle) else word_grams
        query = cast(literal(index.tsquery_text(needle)), postgresql.TSQUERY)
        overflow = cast(literal(word_grams.OVERFLOW_TSQUERY), postgresql.TSQUERY)
        exact = index.exact(needle)
        # Tested reads (a phrase, a long word) as an array of ids: a read's test leaves the
        # planner sure of a handful of rows, so it would check each article of the range
        # against every match ("of the" over 30 days at 1M: 233 million comparisons, 18 s).
        by_ids = by_ids or not exact
        for article_id, columns in tables:
            strings = [getattr(func, index.FUNCTION)(func.lower(c)) for c in columns]
            reads = []
            if exact:  # the rows the index gives are the answer
                reads.append(select(article_id).where(or_(*(s.op("@@")(query) for s in strings))))
            # A longer word's or a phrase's rows, and the fields too long to index: each field
            # tested, as coalesce(field, ''), which no trigram index serves (the test of a
            # trigram read would then compute the strings of each row it finds). A field that
            # holds the search is one the index gives, so "either field given, and either
            # holds it" is "either holds it", with no index condition in the test: a row's
            # strings are never computed (an OR of each field's condition and test would).
            tested = or_(*(pg_holds(func.coalesce(c, ""), needle) for c in columns))
            for candidates in [overflow] if exact else [query, overflow]:
                given = or_(*(s.op("@@")(candidates) for s in strings))
                reads.append(select(article_id).where(given, tested))
            add(reads, article_id)
    else:  # the trigram indexes, led by the ids: each read kept to the range's ids
        for article_id, field in fields:
            found.append(select(article_id).where(pg_holds(field, needle)))
    # A range longer than a quarter: its reads are not kept to it, and their matches, as an
    # array, are the primary key's lookups in order, where the IN's hashed union probed it at
    # random ("the" counted over a year of 1M articles: 0.55 s against 1.4).
    by_ids = by_ids or not _bounded(start, end)
    ranged = _within_range(found, start, end, bounds_from=_postgres_bounds, dated=dated)
    if by_ids:  # the matches' ids read first, once, as an array (see ``TextMatch``)
        # In order of id: the array's lookups then walk the index in its own order, and the
        # array's own sort (PostgreSQL sorts an = ANY's array before it looks anything up)
        # finds it sorted ("the" counted over a year at 1M, in turns in one run: 186 ms
        # against 195).
        matched = ranged.subquery("matched_ids")
        in_order = select(matched.c[0]).order_by(matched.c[0])
        return articles.c.id == any_(func.array(in_order.scalar_subquery()))
    return articles.c.id.in_(ranged)


def _bounded(start: datetime | None, end: datetime | None) -> bool:
    """Whether a range is short enough (up to a quarter) for its reads to be kept to it."""
    return start is not None and end is not None and end - start <= _BOUNDED_SEARCH


def _within_range(
    found: list[Any],
    start: datetime | None,
    end: datetime | None,
    *,
    bounds_from: Any,
    dated: list[Any] | tuple[Any, ...] = (),
) -> Any:
    """The union of the index reads ``found`` (each selecting article ids), each kept to the
    ids between the range's lowest and highest when the range is up to a quarter
    (``_bounded``): those found once, by ``bounds_from``, in a WITH inside the IN that both
    engines materialise once. ``dated``: reads kept to the range by their own dates, joined
    as they are."""
    if not _bounded(start, end):
        return union_all(*found, *dated)
    bounds = bounds_from(start, end).cte("search_bounds", nesting=True)
    return union_all(
        *(
            q.select_from(bounds).where(
                q.selected_columns[0] >= bounds.c.lo, q.selected_columns[0] <= bounds.c.hi
            )
            for q in found
        ),
        *dated,
    ).add_cte(bounds, nest_here=True)


def _sqlite_bounds(start: datetime, end: datetime) -> Any:
    """The range's lowest and highest id: one scan of its dates (SQLite's date index carries
    the rowid)."""
    in_range = articles.alias("in_range")
    return select(func.min(in_range.c.id).label("lo"), func.max(in_range.c.id).label("hi")).where(
        in_range.c.published_at >= start, in_range.c.published_at < end
    )


def _postgres_bounds(start: datetime, end: datetime) -> Any:
    """The range's lowest and highest id, read from the published-date index that carries
    the ids (min/max of the column itself would walk the ids from one end instead)."""
    in_range = articles.alias("in_range")
    ids = (
        select(in_range.c.id)
        .where(in_range.c.published_at >= start, in_range.c.published_at < end)
        .offset(0)
        .subquery("ids_in_range")
    )
    return select(func.min(ids.c.id).label("lo"), func.max(ids.c.id).label("hi"))


def pg_holds(field: Any, needle: str) -> ColumnElement[bool]:
    """PostgreSQL: whether ``field``'s lower() holds ``needle`` (lower-cased), tested on the
    raw text. When no character of the needle has another that lower() makes it from (中国,
    短缺药品, digits), the text holds it exactly when its lower() does: a plain LIKE, the
    cheapest test (PostgreSQL's regular expressions took about 17 times as long over Chinese).
    Otherwise ``_pg_regex``."""
    if all(len(_pg_members(ch)) == 1 for ch in needle):
        return field.like("%" + _escape_like(needle) + "%")  # PostgreSQL escapes with \
    return field.op("~")(_pg_regex(needle))


def _pg_regex(needle: str) -> str:
    """A regular expression (PostgreSQL's) matching exactly the texts whose lower() holds
    ``needle`` (lower-cased): each character as the bracket of ``_pg_members``, written as
    escapes (so no character is special)."""
    parts = []
    for ch in needle:
        members = _pg_members(ch)
        escaped = "".join(_pg_escape(m) for m in members)
        parts.append(f"[{escaped}]" if len(members) > 1 else escaped)
    return "".join(parts)


def _pg_members(ch: str) -> str:
    """``ch`` and every character PostgreSQL's lower() makes it from. PostgreSQL's lower() maps
    one character to one: İ to i (Python makes it two), Σ always to σ (Python to ς at a word's
    end); otherwise its mappings are Python's (``_case_variants``)."""
    variants, _ = _case_variants()
    if ch == "ς":
        return ch  # PostgreSQL's lower() never makes it
    if ch == "i":
        return ch + variants.get(ch, "") + "İ"
    return ch + variants.get(ch, "")


def _pg_escape(ch: str) -> str:
    """One character as PostgreSQL's regular expressions write any character: \\uXXXX (or
    \\UXXXXXXXX beyond the 16-bit range), in a bracket or outside one."""
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _contains(text: ColumnElement[str], needle: str, pattern: str) -> ColumnElement[bool]:
    """SQLite: lower(``text``) LIKE ``pattern`` (``needle``'s), behind SQLite's own LIKE when
    that cannot miss a match (``_plain_like_suffices``). (A GLOB of the needle's case variants,
    [кК], in front of the others was slower than the Python lower(): 6.8 s against 3.4 s for
    30 days of 200,000 bodies.)"""
    exact: ColumnElement[bool] = func.lower(text).like(pattern, escape="\\")
    if _plain_like_suffices(needle):
        return and_(text.like(pattern, escape="\\"), exact).self_group()
    return exact


def _plain_like_suffices(needle: str) -> bool:
    """Whether SQLite's own LIKE on the raw text — C code, folding ASCII letters only — matches
    every text whose lower() contains ``needle`` (lower-cased), so it can go first and spare
    the exact test most rows. True when each character is one that only itself, or its ASCII
    capital, lower-cases to: ASCII bar k (the Kelvin sign) and i (İ), and the caseless
    scripts (中国, 朝鲜); not Cyrillic or Greek letters, whose capitals LIKE does not fold."""
    variants, from_several = _case_variants()
    for ch in needle:
        others = variants.get(ch, "")
        if ch in from_several or others not in ("", ch.upper() if ch.isascii() else ""):
            return False
    return True


_CASE_BLOCK = 256


@functools.cache
def _case_variants() -> tuple[dict[str, str], frozenset[str]]:
    """For each character that lower() makes from others, those others (when each lower-cases
    to that one character alone); and every character that a lower-casing into several
    characters produces. Built once: the code points in blocks of _CASE_BLOCK, each block that
    lower() leaves as it is (most: no character in it has a lower case) skipped whole."""
    variants: dict[str, str] = {}
    from_several: set[str] = set()
    # Every code point, surrogates too, as one string: 4-byte little-endian numbers decoded.
    codes = np.arange(sys.maxunicode + 1, dtype="<u4").tobytes()
    every = codes.decode("utf-32-le", "surrogatepass")
    changed = (
        ch
        for start in range(0, len(every), _CASE_BLOCK)
        if (block := every[start : start + _CASE_BLOCK]).lower() != block
        for ch in block
    )
    for ch in changed:
        lowered = ch.lower()
        if lowered == ch:
            continue
        if len(lowered) == 1:
            variants[lowered] = variants.get(lowered, "") + ch
        else:
            from_several.update(lowered)
    # The one lower-casing that depends on context: Σ at a word's end becomes ς.
    variants["ς"] = variants.get("ς", "") + "Σ"
    return variants, frozenset(from_several)


@compiles(TextMatch, "sqlite")
def _text_match_on_sqlite(element: TextMatch, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.on_sqlite, **kw)


@compiles(TextMatch)
def _text_match_elsewhere(element: TextMatch, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.elsewhere, **kw)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""Property tests (issue 5, item 10): tagging, the CSV guard and the filter description never
raise on arbitrary text, and what they return holds its invariants.

Deterministic (``derandomize=True``, no example database) and bounded (modest example counts,
texts up to about 5 KB) so the file runs in well under a minute. The text strategy mixes
arbitrary Unicode with pieces chosen to stress offsets and folding: NUL and other controls,
RTL and bidi marks, combining characters, ZWJ emoji, characters whose lower case is longer
(``İ``) or shorter, ligatures, full-width forms, and real country and topic words in many
scripts, so the taggers really match and their evidence offsets get checked.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.geo import is_valid_iso3
from ingest.queries import TOPICS, Filters, describe, slug
from ingest.records import (
    EVIDENCE_TYPES,
    CountryTag,
    TopicTag,
    field_texts,
    joined_offset,
    tagging_text,
)
from ingest.tagging import countries, tag_article, topics
from tests.spreadsheet import INVISIBLE, TRIGGERS, spreadsheet_reads, would_evaluate
from ui import export, highlight
from ui.filters import from_query_params

PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TAGGING_PROFILE = settings(PROFILE, max_examples=80)  # each example runs langdetect
MAX_CHARS = 5_000

PIECES = (
    # real names and topic words in several scripts and languages
    "Indonesia", "Rusia", "Russia", "Putin", "Jakarta", "Moskow", "Korea Utara", "КНДР",
    "Россия", "России", "Москва", "США", "Украина", "中国", "北朝鮮", "朝鲜", "俄罗斯", "ロシア",
    "러시아", "روسيا", "רוסיה", "भारत", "ประเทศไทย", "Türkiye", "Ελλάδα", "Deutschland",
    "militer", "military", "sanksi", "sanctions", "nuclear", "ядерный", "制裁", "pemilu",
    "Amerika Serikat", "Tiongkok", "Jepang", "Prabowo", "Zelensky", "TNI", "NATO",
    # offsets and folding
    "İ", "İstanbul", "ß", "ẞ", "ﬁ", "ŉ", "ΐ", "Σ", "ς", "ǅ", "Å", "K", "ＵＳＡ", "Ｉｎｄｏｎｅｓｉａ",
    "e\u0301", "Jose\u0301", "\u0301", "\u0332\u0332", "ﷺ", "\u1e9e",
    # invisible, bidi, controls
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\ufeff", "\ufffd", "\t",
    "\r\n", "\n", " ", "\u00a0", "\u3000",
    # emoji and symbols
    "🇷🇺", "🇮🇩", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "😀", "𝐑𝐮𝐬𝐬𝐢𝐚", "™", "№",
    # punctuation that sits next to names
    "-", "'", "’", "\"", "«", "»", "(", ")", ".", ",", "/", "#", "@",
)  # fmt: skip

piece = st.sampled_from(PIECES)
chunk = st.one_of(piece, piece, st.text(max_size=12))
texts = st.lists(chunk, max_size=60).map(lambda parts: "".join(parts)[:MAX_CHARS])
long_texts = st.builds(lambda p, n: (p * n)[:MAX_CHARS], texts, st.integers(1, 400))
any_text = st.one_of(texts, texts, long_texts)
languages = st.one_of(
    st.none(),
    st.sampled_from(["en", "id", "ru", "zh", "ja", "ko", "ar", "de", "tr", "ms", "und", "", "x"]),
    st.text(max_size=8),
)
published = st.one_of(
    st.none(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.datetimes(timezones=st.sampled_from([UTC, None])),
)


def joined(tags: list, title: str, summary: str) -> list:
    """``tag_article``'s tags with each offset (into its field) moved into tagging_text."""
    fields = field_texts(title, summary)
    return [
        replace(
            t, evidence=[replace(e, start=joined_offset(e, fields), field="") for e in t.evidence]
        )
        for t in tags
    ]


def check_evidence(text: str, tags: list[CountryTag] | list[TopicTag]) -> int:
    """Every evidence item is really in ``text`` at its offset; the number of items."""
    n = 0
    for tag in tags:
        for ev in tag.evidence:
            assert isinstance(ev.start, int) and isinstance(ev.text, str) and ev.text
            assert ev.start >= 0 and ev.start + len(ev.text) <= len(text), (ev, len(text))
            assert text[ev.start : ev.start + len(ev.text)] == ev.text, (ev, text)
            assert ev.type in EVIDENCE_TYPES
            n += 1
    return n


# --------------------------------------------------------------------------------------------
# Tagging


@TAGGING_PROFILE
@given(title=any_text, summary=any_text, when=published, hint=languages)
def test_tag_article_never_raises_and_its_evidence_is_in_the_text(
    title: str, summary: str, when: date | datetime | None, hint: str | None
) -> None:
    tags = tag_article(title, summary, published=when, language_hint=hint)
    text = tagging_text(title, summary)
    check_evidence(text, joined(tags.countries, title, summary))
    check_evidence(text, joined(tags.topics, title, summary))
    assert all(is_valid_iso3(t.iso3) for t in tags.countries)
    assert len({t.iso3 for t in tags.countries}) == len(tags.countries)
    assert all(t.topic in TOPICS for t in tags.topics)
    assert tags.language is None or (isinstance(tags.language, str) and tags.language)


@PROFILE
@given(text=any_text, on=st.one_of(st.none(), st.dates()), language=languages)
def test_tag_countries_never_raises_and_offsets_hold(
    text: str, on: date | None, language: str | None
) -> None:
    found = countries.tag_countries(text, on=on, language=language)
    check_evidence(text, found)
    assert all(t.evidence for t in found), "a tag has the evidence it was made from"


@PROFILE
@given(text=any_text, language=languages)
def test_tag_topics_never_raises_and_offsets_hold(text: str, language: str | None) -> None:
    found = topics.tag_topics(text, language=language)
    check_evidence(text, found)
    assert all(t.topic in TOPICS for t in found)


def test_the_strategy_reaches_real_matches() -> None:
    """The text strategy is not trivially empty: a sample of its pieces is tagged."""
    sample = " ".join(PIECES)
    text = tagging_text("İstanbul: Putin dan Prabowo di Jakarta", sample)
    tags = tag_article("İstanbul: Putin dan Prabowo di Jakarta", sample)
    found = joined(tags.countries, "İstanbul: Putin dan Prabowo di Jakarta", sample)
    assert check_evidence(text, found) >= 10
    assert {"IDN", "RUS"} <= {t.iso3 for t in tags.countries}
    # Its topic keywords are found (whether the model keeps a topic of this mixture of a dozen
    # scripts, names and symbols is not the question: since it weighs a text's words at one
    # length, it keeps none).
    assert topics.tag_topics(text)


# --------------------------------------------------------------------------------------------
# The CSV guard

# What may stand before the operator: spaces of several widths, the BOM and zero-width characters.
LEADS = " \u00a0\u2003\u3000" + "".join(sorted(INVISIBLE))


formula_like = st.builds(
    lambda lead, op, rest: lead + op + rest,
    st.text(alphabet=LEADS, max_size=4),
    st.sampled_from(sorted(TRIGGERS)),
    st.text(max_size=40),
)
cells = st.one_of(formula_like, texts, st.text(max_size=60))


@PROFILE
@given(value=st.one_of(cells, st.none(), st.integers(), st.floats(), st.booleans()))
def test_guard_cell_never_raises_and_neutralises(value: object) -> None:
    out = export.guard_cell(value)
    if not isinstance(value, str):
        assert out is value or out == value or (out != out and value != value)  # NaN
        return
    assert isinstance(out, str)
    assert out == value or out == "'" + value
    assert not would_evaluate(spreadsheet_reads(out)), repr(out)


@PROFILE
@given(
    column=st.lists(cells, min_size=1, max_size=12),
    mixed=st.lists(st.one_of(cells, st.none()), min_size=1, max_size=12),
    numbers=st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=12),
)
def test_csv_round_trip_never_raises_or_emits_a_formula(
    column: list[str], mixed: list[str | None], numbers: list[int]
) -> None:
    n = min(len(column), len(mixed), len(numbers))
    frame = pd.DataFrame({"text": column[:n], "mixed": mixed[:n], "n": numbers[:n]})
    data = export.to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["text", "mixed", "n"] and len(rows) == n + 1
    for row, text, other, number in zip(rows[1:], column, mixed, numbers, strict=False):
        assert row[2] == str(number)  # numbers, negative ones too, unchanged
        for cell, original in ((row[0], text), (row[1], other or "")):
            assert not would_evaluate(spreadsheet_reads(cell)), repr(cell)
            assert cell in (original, "'" + original)


invisible_formula = st.builds(
    lambda lead, op, rest: lead + op + rest,
    st.text(alphabet="\ufeff\u200b\u2060\u2003\u2002\u2009\u202f", min_size=1, max_size=3),
    st.sampled_from(sorted(TRIGGERS - {"\t", "\r", "\n"})),
    st.text(max_size=20),
)


@PROFILE
@given(value=invisible_formula)
def test_guard_cell_sees_through_invisible_leading_characters(value: str) -> None:
    assert not would_evaluate(spreadsheet_reads(export.guard_cell(value)))


# --------------------------------------------------------------------------------------------
# Filters and their description

dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
codes = st.one_of(
    st.sampled_from(["IDN", "RUS", "PRK", "USA", "CHN", "UKR", "XXX", "rus", "", "RUS'--"]),
    st.text(max_size=5),
)


@PROFILE
@given(
    start=dates,
    end=dates,
    country_list=st.lists(codes, max_size=5),
    pair=st.one_of(st.none(), st.tuples(codes, codes)),
    topic_list=st.lists(st.one_of(st.sampled_from(TOPICS), st.text(max_size=10)), max_size=4),
    language_list=st.lists(languages.map(lambda x: x or ""), max_size=4),
    feed_ids=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=4),
    search=any_text,
    feed_titles=st.lists(any_text, max_size=3),
    subject=st.sampled_from(["Articles", "Coverage", ""]),
)
def test_filters_and_their_description_never_raise(
    start: date,
    end: date,
    country_list: list[str],
    pair: tuple[str, str] | None,
    topic_list: list[str],
    language_list: list[str],
    feed_ids: list[int],
    search: str,
    feed_titles: list[str],
    subject: str,
) -> None:
    f = Filters(
        date_from=start,
        date_to=end,
        countries=tuple(country_list),
        pair=pair,
        topics=tuple(topic_list),
        languages=tuple(language_list),
        feed_ids=tuple(feed_ids),
        search=search,
        feed_titles=tuple(feed_titles),
    )
    assert f.date_from <= f.date_to
    assert all(is_valid_iso3(c) for c in f.countries)
    assert f.pair is None or (f.pair[0] < f.pair[1] and all(map(is_valid_iso3, f.pair)))
    assert set(f.topics) <= set(TOPICS)
    assert len(f.search) <= 200 and "\x00" not in f.search
    words = describe(f, subject)
    assert isinstance(words, str) and words
    name = slug(f)
    assert name and set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789_.-")
    assert export.file_name("articles", f).endswith(".csv")


@PROFILE
@given(
    params=st.dictionaries(
        st.sampled_from(["from", "to", "c", "pair", "t", "lang", "feed", "q", "x"]),
        st.one_of(any_text, st.lists(any_text, max_size=3)),
        max_size=9,
    )
)
def test_filters_from_any_url_never_raise(params: dict[str, object]) -> None:
    defaults = Filters(date(2024, 6, 1), date(2024, 6, 30))
    f = from_query_params(params, defaults)
    assert isinstance(describe(f), str)
    assert isinstance(slug(f), str)


# --------------------------------------------------------------------------------------------
# Rendering: article HTML and markdown-escaped descriptions


hostile_bits = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
        '"><a href="javascript:alert(1)">', "[Log in](https://evil.example/)",
        "![](https://evil.example/p.png)", "<https://evil.example/>", "https://evil.example/",
        "www.evil.example", "&#91;", "&lt;", "&amp;", "\\", "`code`", "**b**", "$x$", "~~s~~",
        "<!--", "-->", "<![CDATA[", "]]>", "&", "<", ">", "\"", "'",
    ]
)  # fmt: skip
render_text = st.lists(st.one_of(hostile_bits, chunk), max_size=30).map("".join)
links = st.one_of(
    st.none(),
    st.sampled_from(["https://news.example/a?b=1&c=2", "javascript:alert(1)", "java\tscript:x"]),
    st.text(max_size=40),
)


def _evil_targets(text: str) -> list[str]:
    from tests.test_xss import live_markdown_targets

    return [t for t in live_markdown_targets(text) if "evil" in t]


@PROFILE
@given(title=render_text, summary=render_text, url=links, meta=render_text, data=st.data())
def test_article_html_is_safe_for_any_text(
    title: str, summary: str, url: str | None, meta: str, data: st.DataObject
) -> None:
    from tests.test_xss import html_problems

    text = tagging_text(title, summary)
    spans = data.draw(
        st.lists(
            st.tuples(st.integers(-5, len(text) + 5), st.integers(-5, len(text) + 5), render_text),
            max_size=4,
        )
    )
    out = highlight.article_html(title, summary, url, spans, meta)
    assert html_problems(out) == [], out
    assert _evil_targets(out) == [], out


@PROFILE
@given(search=render_text, feed_titles=st.lists(render_text, min_size=1, max_size=3))
def test_escaped_descriptions_never_form_markdown_links(
    search: str, feed_titles: list[str]
) -> None:
    f = Filters(
        date(2024, 6, 1),
        date(2024, 6, 30),
        search=search,
        feed_ids=tuple(range(1, len(feed_titles) + 1)),
        feed_titles=tuple(feed_titles),
    )
    assert _evil_targets(highlight.md_escape(describe(f))) == []

"""Text search: the indexes answer exactly what the plain case-insensitive substring test
would, in every script, for short and long searches, recent and long ranges, on both engines.

The tricky characters are the ones whose lower-casing is not one-to-one: İ (two characters),
the Kelvin sign (lower-cases to ASCII k), Σ (σ, or ς at a word's end), ẞ, and the GLOB and LIKE
metacharacters."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from ingest import queries, store
from ingest.queries import Filters
from ingest.records import Article, Tags

ALPHABET = "aAbBiIİıkK\u212aσςΣοΟδΔдДрРоО中国朝鲜ßẞ*?[]%_\\ -"
START = datetime(2025, 1, 1, 12, tzinfo=UTC)


def _texts(rng: random.Random, n: int, alphabet: str) -> list[tuple[str, str]]:
    def one(length: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(length))

    return [(one(rng.randint(1, 12)), one(rng.randint(0, 30))) for _ in range(n)]


def _store(
    engine: Engine, texts: list[tuple[str, str]], fixed: dict[int, datetime] | None = None
) -> list[datetime]:
    items, when = [], []
    for n, (title, summary) in enumerate(texts):
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
    store.save_articles(engine, None, items)
    return when


def _expected(texts, when, f: Filters) -> int:  # noqa: ANN001
    needle = f.search.lower()
    return sum(
        1
        for (title, summary), at in zip(texts, when, strict=True)
        if f.date_from <= at.date() <= f.date_to
        and (needle in title.lower() or needle in summary.lower())
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
    texts = [("Zebrafirst", ""), *_texts(rng, 400, alphabet), ("", "zebralast")]
    if engine.dialect.name == "sqlite":
        texts += [("ΟΔΟΣ", ""), ("İstanbul", ""), ("\u212aelvin", "")]
    when = _store(engine, texts, {0: march, 401: march})
    needles |= {"zebrafirst", "zebralast", "ος", "ς", "ς ", "istanbul", "i̇stanbul", "kelvin"}
    for title, summary in rng.sample(texts, 80):
        source = title + " " + summary
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
    assert checked > 150


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

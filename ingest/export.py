"""``python -m ingest export``: the scripted twin of every dashboard view, with the same filters
and the same rows.

The options are generated from the filter registry (``ingest.filters.FILTERS``): each filter's
``flags`` fill its URL parameters, and the view is then read exactly as the dashboard reads a
shared link (``from_query_params`` over the same defaults: the last 30 days of data held), so
``--country RUS --country PRK``, ``--country RUS,PRK``, ``--query 'c=RUS,PRK'`` and
``--url 'http://host/Articles?c=RUS,PRK'`` are one view. A flag value that the URL would drop
(an unknown country, a date that is not one) is refused here instead, and so is such a value in
a pasted link: a script must not silently export more than it asked for. An outlet is read as
the dashboard's Outlets filter reads it: a feed id names its outlet, every feed of which counts
(``whole_outlets``).

The rows are the Articles page's "Download all": ``ingest.queries.iter_article_rows``, newest
first, streamed in chunks of ``CHUNK_ROWS`` (memory stays bounded), with no row limit. Rows stay
tuples (no DataFrame), and the evidence stays the JSON text the store holds
(``records.fielded_evidence_json``): at 1,000,000 articles every format is written within a
minute (``bench/bench_export.py``).

- ``csv``: the download's very bytes (``ingest.csv_safety``: BOM, formula guard, CRLF).
- ``jsonl``: one object per article: ``id``, ``url``, ``title``, ``summary``, ``published_at``
  (UTC, ``…Z``), ``outlet``, ``feed_id``, ``feed_url``, ``language``, ``countries`` (ISO3 list),
  ``topics`` (list), ``entities`` (the Wikidata QIDs of the people and organisations it
  mentions, e.g. ``["Q7184", "Q7747"]``: rows of ``ingest/data/entities/entities.tsv``),
  ``story`` (the stable id of its story: the id of the story's first
  article, as the Stories page and its links name it; ``ingest.queries.stories``) and
  ``evidence`` (``{"countries": {iso3: [{text, type, start, field}]},
  "topics": {topic: [...]}, "entities": {qid: [...]}}``; ``start`` is an offset into its
  ``field``: the title, the summary or the body; an entity's items have the type ``entity``).
  The CSV's ``countries``, ``topics`` and ``entities`` columns are the same codes, "; "-joined.
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
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from ingest.bars import progress_bar
from ingest.csv_safety import BOM, csv_rows_text
from ingest.filter_base import Flag, first_param
from ingest.filter_flags import (
    FlagError,
    add_flag_arguments,
    cli_flags,
    flag_params,
    misread_item,
)
from ingest.filters import EARLIEST, LATEST, Filters, describe, from_query_params
from ingest.records import fielded_evidence_json

FORMATS = ("csv", "jsonl", "parquet")
CHUNK_ROWS = 1000  # articles read, tagged with evidence and written at a time
JSON_FIELDS = ("id", "url", "title", "summary", "published_at", "outlet", "feed_id", "feed_url",
               "language", "countries", "topics", "entities", "story", "evidence")  # fmt: skip
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
    parser.add_argument(
        "--story",
        type=int,
        metavar="ID",
        help="every article of one story (its id, as the Stories page's links and the rows' "
        "story column name it), whatever the filters: the Stories page's \"Download this "
        "story's articles\"; a pasted Stories link with story=ID exports the same",
    )
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


def _check_link(params: dict[str, list[str]]) -> None:
    """Raise UsageError for a filter value of a pasted link that the view would drop (an
    unknown country or QID, a date that is not one, a pair of three): the dashboard shows the
    wider view it then reads, with its filters in the sidebar for the reader to see; a script
    must not silently get more than the link asked for."""
    for flag in flags():
        value = first_param(params, flag.param).strip()
        bad = misread_item(flag, [value]) if value else None
        if bad is not None:
            raise UsageError(f"{flag.param}={bad!r} in the link: not understood ({flag.help})")


def query_params(args: argparse.Namespace) -> dict[str, Any]:
    """The URL parameters the command line asks for: a pasted link's, then each flag given (a
    repeated list flag joined with commas). Raises UsageError for a value the view would drop."""
    link = _link_params(args)
    _check_link(link)
    params: dict[str, Any] = dict(link)
    try:
        params.update(flag_params(args))
    except FlagError as error:
        raise UsageError(str(error)) from error
    return params


@dataclass(frozen=True)
class StoryView:
    """Every article of one story (``story``: its stable id), whatever the filters: what the
    Stories page's "Download this story's articles" holds, as export rows."""

    story: int

    @property
    def filters(self) -> Filters:
        return Filters(date_from=EARLIEST, date_to=LATEST)


View = Filters | StoryView


def story_asked(args: argparse.Namespace) -> int | None:
    """The story the command line asks for (``--story``, else a pasted link's ``story=``), or
    None. Raises UsageError for a story id that is none, or for filter flags beside it: a
    story's articles are all of them (a Stories link's filters choose its ranking, not them)."""
    story = getattr(args, "story", None)
    if story is None:
        value = first_param(_link_params(args), "story").strip()
        if not value:
            return None
        if not value.isdecimal():
            raise UsageError(f"story={value!r} in the link: not a story id")
        story = int(value)
    if story < 1:
        raise UsageError(f"--story {story}: not a story id")
    try:
        given = flag_params(args)
    except FlagError as error:
        raise UsageError(str(error)) from error
    if given:
        named = [f"--{flag.name}" for flag in flags() if flag.param in given]
        raise UsageError(
            "--story exports every article of one story: it takes no filter flags (given: "
            f"{', '.join(dict.fromkeys(named))})"
        )
    return story


def whole_outlets(engine: Engine, f: Filters) -> Filters:
    """``f`` with its outlet filter read as the dashboard reads it: a feed id names its outlet,
    every feed of which counts (the sidebar's ``queries.outlets_of`` and ``feeds_of``), named
    as the outlet. Raises
    UsageError for an id that is no feed of the store."""
    from ingest import queries  # noqa: PLC0415 - the store is opened only once the line is valid

    if not f.feed_ids:
        return f
    held = queries.outlets(engine)
    known = {i for outlet in held.values() for i in outlet.feed_ids}
    unknown = [i for i in f.feed_ids if i not in known]
    if unknown:
        raise UsageError(f"outlet {unknown[0]}: no feed of the store has that id")
    keys = queries.outlets_of(f.feed_ids, held)
    return replace(
        f,
        feed_ids=queries.feeds_of(keys, held),
        feed_titles=tuple(held[key].name for key in keys),
    )


def view(args: argparse.Namespace, defaults: Filters) -> Filters:
    """The view the command line asks for, the dashboard's ``defaults`` filling what it leaves
    out."""
    return from_query_params(query_params(args), defaults)


# --------------------------------------------------------------------------------------------
# Rows: tuples straight from the query (no DataFrame), the evidence as stored JSON text


def _codes(joined: str) -> list[str]:
    return [c for c in joined.split("; ") if c]


# The columns of a row of ``_rows``: the download's (``ARTICLE_COLUMNS``), the feed's, and with
# ``with_body`` the full text's (``BODY_FIELDS``).
ID, PUBLISHED, TITLE, SUMMARY, URL, OUTLET, LANGUAGE, COUNTRIES, TOPICS, ENTITIES, STORY = range(11)
FEED_ID, FEED_URL, BODY, BODY_STATUS = range(11, 15)


def _rows(
    engine: Engine,
    f: View,
    with_feed: bool = False,
    with_body: bool = False,
    stamped: bool = False,
) -> Iterator[list[tuple]]:
    """The view's rows, ``CHUNK_ROWS`` at a time in the download's order: ``ARTICLE_COLUMNS``,
    then the feed's id and URL when ``with_feed``, then ``BODY_FIELDS`` when ``with_body``;
    ``stamped``: ``published_at`` as the text CSV and JSON Lines write (``STAMP``)."""
    from ingest.queries import article_text_rows, iter_article_rows

    story = f.story if isinstance(f, StoryView) else None
    filters = f.filters if isinstance(f, StoryView) else f
    for part in iter_article_rows(
        engine, filters, chunk=CHUNK_ROWS, with_feed=with_feed, stamped=stamped, story=story
    ):
        if with_body:
            texts = article_text_rows(engine, [row[ID] for row in part])
            part = [row + texts.get(row[ID], (None, None)) for row in part]
        yield part


def _evidence_json(title: str, tags: tuple[list, list, list] | None) -> str:
    """The ``evidence`` of a record as JSON text (``{"countries": {…}, "topics": {…},
    "entities": {…}}``), stored evidence JSON passed through (only an item without a field is
    given one): nothing is decoded and encoded again (``records.fielded_evidence_json``)."""
    if tags is None:
        return '{"countries": {}, "topics": {}, "entities": {}}'
    countries, topics, entities = (
        ", ".join(
            [
                f"{_KEYS.get(code) or _key(code)}: {fielded_evidence_json(raw, title)}"
                for code, raw in kind
            ]
        )
        for kind in tags
    )
    return f'{{"countries": {{{countries}}}, "topics": {{{topics}}}, "entities": {{{entities}}}}}'


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_KEYS: dict[str, str] = {}  # each tag code as a JSON key (a few hundred codes in all)


def _key(code: str) -> str:
    _KEYS[code] = _ENCODE(code)
    return _KEYS[code]


def _record(row: tuple, with_body: bool) -> dict[str, Any]:
    """A record's fields but ``evidence`` (``JSON_FIELDS`` order), ``published_at`` as written."""
    published = row[PUBLISHED]
    record = {
        "id": row[ID],
        "url": row[URL],
        "title": row[TITLE],
        "summary": row[SUMMARY] or "",
        "published_at": published,
        "outlet": row[OUTLET],
        "feed_id": row[FEED_ID],
        "feed_url": row[FEED_URL],
        "language": row[LANGUAGE] or "",
        "countries": _codes(row[COUNTRIES]),
        "topics": _codes(row[TOPICS]),
        "entities": _codes(row[ENTITIES]),
        "story": row[STORY],
    }
    if with_body:
        record["body"], record["body_status"] = row[BODY], row[BODY_STATUS]
    return record


# --------------------------------------------------------------------------------------------
# Writers: each takes the view and a binary stream, reports each chunk, returns the rows written


Progress = Callable[[int], object]


def write_csv(
    engine: Engine, f: View, out: IO[bytes], progress: Progress, with_body: bool = False
) -> int:
    """The Articles page's "Download all" file, streamed (header only when nothing matches);
    ``with_body``: with ``BODY_FIELDS`` as its last columns."""
    from ingest.queries import ARTICLE_COLUMNS

    columns = ARTICLE_COLUMNS[1:] + (list(BODY_FIELDS) if with_body else [])
    out.write(BOM.encode("utf-8"))
    written = 0
    for part in _rows(engine, f, with_body=with_body, stamped=True):
        body = [row[1:] for row in part]  # without the id
        out.write(csv_rows_text(body, columns if written == 0 else None).encode("utf-8"))
        written += len(part)
        progress(len(part))
    if written == 0:
        out.write(csv_rows_text([], columns).encode("utf-8"))
    return written


def write_jsonl(
    engine: Engine, f: View, out: IO[bytes], progress: Progress, with_body: bool = False
) -> int:
    """One JSON object per line (``JSON_FIELDS``), exactly ``json.dumps(record,
    ensure_ascii=False)``, the evidence as stored."""
    from ingest.queries import tag_evidence

    written = 0
    for part in _rows(engine, f, with_feed=True, with_body=with_body, stamped=True):
        tags = tag_evidence(engine, [row[ID] for row in part])
        lines = []
        for row in part:
            record = _record(row, with_body)
            body = {k: record.pop(k) for k in BODY_FIELDS} if with_body else None
            head = _ENCODE(record)[:-1]  # without its closing brace
            evidence = _evidence_json(row[TITLE], tags.get(row[ID]))
            tail = ", " + _ENCODE(body)[1:] if body else "}"
            lines.append(f'{head}, "evidence": {evidence}{tail}\n')
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
            ("entities", pa.list_(pa.string())),
            ("story", pa.int64()),
            ("evidence", pa.string()),
            *body,
        ]
    )


def write_parquet(
    engine: Engine, f: View, out: IO[bytes], progress: Progress, with_body: bool = False
) -> int:
    """``JSON_FIELDS`` as columns (``evidence`` as its JSON Lines text), one row group per
    ``CHUNK_ROWS``, each built from columns (not from a dict per row)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ingest.queries import tag_evidence

    schema = parquet_schema(with_body)
    written = 0
    with pq.ParquetWriter(pa.PythonFile(out, mode="w"), schema) as writer:
        for part in _rows(engine, f, with_feed=True, with_body=with_body):
            tags = tag_evidence(engine, [row[ID] for row in part])
            columns = list(zip(*part, strict=True))
            values = {
                "id": columns[ID],
                "url": columns[URL],
                "title": columns[TITLE],
                "summary": [s or "" for s in columns[SUMMARY]],
                "published_at": columns[PUBLISHED],
                "outlet": columns[OUTLET],
                "feed_id": columns[FEED_ID],
                "feed_url": columns[FEED_URL],
                "language": [s or "" for s in columns[LANGUAGE]],
                "countries": [_codes(c) for c in columns[COUNTRIES]],
                "topics": [_codes(t) for t in columns[TOPICS]],
                "entities": [_codes(e) for e in columns[ENTITIES]],
                "story": columns[STORY],
                "evidence": [_evidence_json(row[TITLE], tags.get(row[ID])) for row in part],
            }
            if with_body:
                values["body"], values["body_status"] = columns[BODY], columns[BODY_STATUS]
            arrays = [pa.array(values[field.name], type=field.type) for field in schema]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
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
    f: View,
    fmt: str,
    output: str | None,
    *,
    show_bar: bool = False,
    with_body: bool = False,
) -> int:
    """Write the view ``f`` as ``fmt`` to ``output`` (standard output when None); returns the
    number of articles written. The progress bar goes to standard error. ``with_body`` adds
    ``BODY_FIELDS`` to every row."""
    from ingest.queries import count_articles, story_summary

    check_format(fmt)
    total = None
    if show_bar:
        total = (
            story_summary(engine, f.story)["articles"]
            if isinstance(f, StoryView)
            else count_articles(engine, f)
        )
    with (
        progress_bar(
            total=total, unit="article", desc="export", disable=not show_bar, file=sys.stderr
        ) as bar,
        _destination(output) as out,
    ):
        return WRITERS[fmt](engine, f, out, bar.update, with_body)


def run(args: argparse.Namespace, engine_factory: Callable[[], Engine]) -> int:
    """The ``export`` command: 0 when written, 2 when the command line is not understood."""
    from ingest.queries import default_filters, story_summary

    try:
        story = story_asked(args)
        if story is None:
            query_params(args)  # refuse a bad flag before opening the store
        check_format(args.format)
    except UsageError as exc:
        print(f"python -m ingest export: error: {exc}", file=sys.stderr)
        return 2
    engine = engine_factory()
    f: View
    try:
        if story is not None:
            held = story_summary(engine, story)["articles"]
            if not held:
                raise UsageError(f"story {story}: no story has that id")
            f = StoryView(story)
            what = f"the {held:,} article(s) of story {story}"
        else:
            f = whole_outlets(engine, view(args, default_filters(engine)))
            what = describe(f)
    except UsageError as exc:
        print(f"python -m ingest export: error: {exc}", file=sys.stderr)
        return 2
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
        f"exported {written:,} article(s) as {args.format} to {where} in {seconds:.1f} s: {what}",
        file=sys.stderr,
    )
    return 0

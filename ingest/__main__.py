"""The command line: ``python -m ingest COMMAND``.

run | poll | add-feed | import | enrich | vectors | export | retag | restory | tag | evaluate |
watch | alerts | stats | migrate | settings
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from ingest import config


def _engine():  # noqa: ANN202 - imported lazily so `tag` and `settings` start fast
    from ingest import store

    return store.get_engine()


def cmd_migrate(args: argparse.Namespace) -> int:
    from ingest import store

    engine = store.make_engine(migrate_now=False)
    applied = store.migrate(engine)
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none (up to date)'}")
    return 0


def _print_report(report) -> None:  # noqa: ANN001
    if report.outcome in ("ok", "not_modified"):
        return
    print(f"  ✗ {report.url}: {report.error_category}: {report.error}", file=sys.stderr)


def cmd_poll(args: argparse.Namespace) -> int:
    from ingest import scheduler

    engine = _engine()
    added = scheduler.load_catalogue(engine)
    if added:
        print(f"catalogue: {added} new feed(s)")
    summary = scheduler.poll_due(
        engine,
        worker=args.worker_id,
        concurrency=args.concurrency,
        show_bar=sys.stderr.isatty(),
        on_report=_print_report,
    )
    print(summary.line())
    _vectors_after(engine, summary.new_articles)
    return 0


def _alert_cycle(engine, worker: str | None = None, *, quiet: bool = True) -> None:  # noqa: ANN001
    """Evaluate every watch and deliver (after each poll cycle of ``run``, or ``alerts``)."""
    from ingest.alert_delivery import run_alerts

    summary = run_alerts(engine, worker=worker)
    if not quiet or summary.evaluation.alerts or summary.deliveries:
        print(summary.line(), flush=True)
    for outcome in summary.deliveries:
        if outcome.error:
            print(f"  ✗ {outcome.channel} {outcome.target}: {outcome.error}", file=sys.stderr)


def _stop_on_signals(finishing: str) -> threading.Event:
    """An event SIGTERM and SIGINT set, saying on standard error that ``finishing`` goes on."""
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        print(f"signal {signum}: finishing {finishing}, then stopping", file=sys.stderr)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop


def cmd_run(args: argparse.Namespace) -> int:
    from ingest import scheduler

    if args.once:
        status = cmd_poll(args)
        _alert_cycle(_engine(), args.worker_id)
        return status
    engine = _engine()
    scheduler.load_catalogue(engine)
    stop = _stop_on_signals("the current polls")
    print(f"polling due feeds every {args.idle:.0f} s (worker {args.worker_id or 'default'})")
    scheduler.run_forever(
        engine,
        worker=args.worker_id,
        stop=stop,
        idle_seconds=args.idle,
        show_bar=sys.stderr.isatty(),
        on_summary=lambda s: print(s.line(), flush=True),
        after_cycle=lambda: _alert_cycle(engine, args.worker_id),
    )
    return 0


def cmd_add_feed(args: argparse.Namespace) -> int:
    from ingest.feed_adding import FeedRefused, check_feed, store_feed

    try:
        feed = check_feed(args.url, country=args.country or "", fetch=not args.no_check)
    except FeedRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2 if exc.bad_input else 1
    if feed.fetched:
        print(f"ok: {feed.title!r}, {feed.items} items, language {feed.language}")
    feed_id = store_feed(_engine(), feed, title=args.title or "", language=args.language or "")
    print(f"feed {feed_id}: {feed.url}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ingest.pipeline import import_paths

    engine = _engine()
    try:
        summary = import_paths(
            engine,
            [Path(p) for p in args.paths],
            show_bar=sys.stderr.isatty(),
            jobs=config.get("import_jobs") if args.jobs is None else args.jobs,
        )
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path, error in summary.failed:
        print(f"  ✗ {path}: {error}", file=sys.stderr)
    print(summary.line())
    _vectors_after(engine, summary.new_articles)
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from ingest.enrich import enrich

    engine = _engine()
    stop = _stop_on_signals("the pages being fetched")
    try:
        summary = enrich(
            engine,
            since=args.since,
            feed_url=args.feed,
            limit=args.limit,
            refetch=args.refetch,
            worker=args.worker_id,
            concurrency=args.concurrency,
            show_bar=not args.quiet and sys.stderr.isatty(),
            stop=stop,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary.line())
    return 0


def _encode_vectors(
    engine,  # noqa: ANN001
    *,
    total: int,
    limit: int | None = None,
    newest_first: bool = False,
    batch_size: int | None = None,
    quiet: bool = False,
):  # noqa: ANN202 - VectorSummary, imported late
    """Encode up to ``limit`` articles that have no vector, with a progress bar of ``total``
    on a terminal; SIGTERM or SIGINT stop it after the batch being stored."""
    from ingest import vectors
    from ingest.bars import progress_bar

    stop = _stop_on_signals("the batch being stored")
    with progress_bar(
        total=total, unit="article", disable=quiet or not sys.stderr.isatty(), desc="vectors"
    ) as bar:
        return vectors.compute_vectors(
            engine,
            batch_size=batch_size or vectors.VECTOR_BATCH,
            limit=limit,
            newest_first=newest_first,
            stop=stop,
            progress=bar.update,
        )


def _vectors_after(engine, stored: int) -> None:  # noqa: ANN001
    """After ``poll`` or ``import`` stored ``stored`` new articles: with ``vectors_after_poll``
    on (as ``run`` after each cycle), encode that many of the newest articles without a vector,
    which links their stories across languages. A failure is said and loses nothing: the
    articles are stored, and ``python -m ingest vectors`` encodes them later."""
    from ingest.vectors import vectors_enabled

    if stored <= 0 or not vectors_enabled():
        return
    try:
        summary = _encode_vectors(engine, total=stored, limit=stored, newest_first=True)
    except Exception as exc:  # the articles are stored whatever the encoder does
        print(
            f"vectors: not computed ({type(exc).__name__}: {exc}); "
            "`python -m ingest vectors` computes them later",
            file=sys.stderr,
        )
        return
    print(summary.line())


def cmd_vectors(args: argparse.Namespace) -> int:
    from ingest import vectors

    engine = _engine()
    total = _store().count_without_vector(engine, vectors.MODEL)
    if args.limit is not None:
        total = min(total, args.limit)
    summary = _encode_vectors(
        engine, total=total, limit=args.limit, batch_size=args.batch_size, quiet=args.quiet
    )
    print(summary.line())
    return 0


def cmd_retag(args: argparse.Namespace) -> int:
    from ingest.pipeline import retag
    from ingest.tagging import TAGGER_VERSION

    engine = _engine()
    done = retag(engine, batch_size=args.batch_size, show_bar=not args.quiet)
    print(f"retagged {done} article(s) to tagger version {TAGGER_VERSION}")
    return 0


def cmd_restory(args: argparse.Namespace) -> int:
    engine = _engine()
    done = _store().rebuild_stories(engine)
    print(f"assigned {done} article(s) to stories")
    return 0


def _store():  # noqa: ANN202 - imported lazily like _engine
    from ingest import store

    return store


def cmd_tag(args: argparse.Namespace) -> int:
    from ingest.tagging.cli import tag_stream

    return tag_stream(sys.stdin, sys.stdout)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ingest.evaluate import main

    return main(Path(args.gold), args.errors, sys.stdout, args.cv, args.vectors)


def cmd_stats(args: argparse.Namespace) -> int:
    from ingest import queries

    stats = queries.stats(_engine())
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2, default=str))
        return 0
    for key, value in stats.items():
        if isinstance(value, list):  # full text per feed
            print(f"{key}:")
            for row in value:
                print(
                    f"  {row['title']}: {row['texts_ok']}/{row['articles']} ok"
                    + (f", {row['texts_pending']} queued" if row["texts_pending"] else "")
                    + (f", failed: {row['failures']}" if row["failures"] else "")
                    + ("" if row["fulltext"] else " (fulltext off)")
                )
        elif isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k or '(unknown)'}: {v}")
        else:
            print(f"{key}: {value}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ingest.export import run

    return run(args, _engine)


def cmd_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(config.settings_markdown())
        return 0
    for setting in config.SETTINGS:
        value = config.get(setting.name)
        if setting.name in config.SECRET_SETTINGS and value:
            value = "(set)"
        print(f"{setting.env}={value}")
    return 0


def cmd_watch_add(args: argparse.Namespace) -> int:
    from urllib.parse import parse_qs

    from ingest import alert_delivery, alerts, store
    from ingest.export import UsageError, whole_outlets
    from ingest.filter_flags import FlagError, flag_params
    from ingest.filters import EARLIEST, LATEST, Filters, from_query_params

    engine = _engine()
    try:
        query = parse_qs((args.query or "").lstrip("?"), keep_blank_values=True)
        params = {key: values[-1] for key, values in query.items()}
        params.update(flag_params(args, exclude=alerts._WATCH_FILTER_EXCLUDE))
        if params.get("feed"):  # a feed id names its outlet, as the alert's link reads it
            every = Filters(date_from=EARLIEST, date_to=LATEST)
            outlet = whole_outlets(engine, from_query_params({"feed": params["feed"]}, every))
            params["feed"] = ",".join(str(i) for i in outlet.feed_ids)
        spec = alerts.make_spec(
            args.name,
            params,
            webhook_url=args.webhook,
            email=args.email,
            spike_threshold=args.spike_threshold,
            digest_minutes=args.digest_minutes,
        )
    except (alerts.WatchError, FlagError, UsageError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    try:
        store.create_watch(engine, spec, store.now_utc())
    except store.WatchExists as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    from ingest.queries.watches import watch_named

    watch = watch_named(engine, spec.name)
    assert watch is not None
    alert_delivery.write_feed(engine, watch)
    print(f"watch {watch.name!r}: {alerts.describe_watch(watch)}")
    print(f"  feed: {alerts.feed_url(watch)}")
    return 0


def cmd_watch_list(args: argparse.Namespace) -> int:
    from ingest import alerts
    from ingest.queries.watches import watch_list

    for watch in watch_list(_engine()):
        state = "paused" if watch.paused else "active"
        ways = ", ".join(x for x in (watch.webhook_url, watch.email) if x) or "Atom feed only"
        print(f"{watch.name} [{state}] {alerts.describe_watch(watch)}")
        print(f"  query: {watch.query or '(everything)'}; delivers to: {ways}")
        print(
            f"  spike threshold {watch.spike_threshold:g}, digest every "
            f"{watch.digest_minutes} min; feed: {alerts.feed_url(watch)}"
        )
    return 0


def _watch_or_fail(engine, name: str):  # noqa: ANN001, ANN202
    from ingest.queries.watches import watch_named

    watch = watch_named(engine, name)
    if watch is None:
        print(f"no watch named {name!r} (python -m ingest watch list)", file=sys.stderr)
    return watch


def cmd_watch_remove(args: argparse.Namespace) -> int:
    from ingest import alert_delivery, store

    engine = _engine()
    watch = _watch_or_fail(engine, args.name)
    if watch is None:
        return 1
    store.delete_watch(engine, watch.id)
    alert_delivery.remove_feed(watch)
    print(f"removed watch {watch.name!r}")
    return 0


def cmd_watch_test(args: argparse.Namespace) -> int:
    from ingest import alert_delivery, alerts

    engine = _engine()
    watch = _watch_or_fail(engine, args.name)
    if watch is None:
        return 1
    outcomes = alert_delivery.send_test(engine, watch)
    print(f"test alert written to the feed: {alerts.feed_url(watch)}")
    for outcome in outcomes:
        extra = f": {outcome.error}" if outcome.error else ""
        print(f"  {outcome.channel} {outcome.target}: {outcome.status}{extra}")
    return 0 if all(o.status == "sent" for o in outcomes) else 1


def cmd_alerts(args: argparse.Namespace) -> int:
    engine = _engine()
    if args.once:
        _alert_cycle(engine, args.worker_id, quiet=False)
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set():
        _alert_cycle(engine, args.worker_id)
        stop.wait(args.idle)
    return 0


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    from ingest.export import add_arguments  # its flags come from the filter registry

    add_arguments(parser)


class _Parser(argparse.ArgumentParser):
    """A command's parser whose options may be added when it runs (``lazy_arguments``): the
    export's come from the filter registry, which imports the store; the others start fast."""

    def __init__(self, *args, lazy_arguments=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._lazy_arguments = lazy_arguments

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        if self._lazy_arguments is not None:
            self._lazy_arguments(self)
            self._lazy_arguments = None
        return super().parse_known_args(args, namespace)


def _watch_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name")
    from ingest.filter_flags import add_flag_arguments  # imports the store: only when used

    group = parser.add_argument_group("filters (as the dashboard's sidebar and URL; no dates)")
    add_flag_arguments(group, exclude=("dates",))
    group.add_argument("--query", help="a dashboard link's query string, e.g. 'pair=PRK-RUS'")
    parser.add_argument("--webhook", metavar="URL", help="POST each alert as JSON to this URL")
    parser.add_argument("--email", metavar="ADDRESS", help="email each alert to this address")
    parser.add_argument(
        "--spike-threshold",
        type=float,
        metavar="X",
        help="spike score at which the watch fires (default: the dashboard's, 3)",
    )
    parser.add_argument(
        "--digest-minutes",
        type=int,
        metavar="N",
        help="new matches are sent at most every N minutes (default 60; 0: each cycle)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Pantau's ingest.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="poll due feeds forever (the service)")
    p.add_argument("--once", action="store_true", help="poll until nothing is due, then exit")
    p.add_argument("--worker-id", help="name of this worker in the poll history")
    p.add_argument("--concurrency", type=int, help="feeds fetched at once")
    p.add_argument("--idle", type=float, default=30.0, help="seconds between rounds")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("poll", help="poll every due feed once and exit")
    p.add_argument("--worker-id", help="name of this worker in the poll history")
    p.add_argument("--concurrency", type=int, help="feeds fetched at once")
    p.set_defaults(func=cmd_poll)

    p = sub.add_parser("add-feed", help="add a feed (checked: http(s), public, reachable, parses)")
    p.add_argument("url")
    p.add_argument("--language", help="ISO 639-1 code of the feed's language")
    p.add_argument("--country", help="ISO3 code of the outlet's home country")
    p.add_argument("--title")
    p.add_argument("--no-check", action="store_true", help="do not fetch it first")
    p.set_defaults(func=cmd_add_feed)

    p = sub.add_parser("import", help="ingest saved feed files (files or folders)")
    p.add_argument("paths", nargs="+")
    p.add_argument(
        "--jobs",
        type=int,
        help="processes that parse and tag files while this one stores (default: import_jobs)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("enrich", help="fetch and extract the full text of stored articles")
    p.add_argument("--since", type=date.fromisoformat, help="published on or after YYYY-MM-DD")
    p.add_argument("--feed", help="only this stored feed's articles (its URL)")
    p.add_argument("--limit", type=int, help="fetch at most this many pages")
    p.add_argument("--refetch", action="store_true", help="fetch pages already fetched again")
    p.add_argument("--worker-id", help="name of this worker in the claims")
    p.add_argument("--concurrency", type=int, help="pages fetched at once (different hosts)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser(
        "vectors",
        help="compute the multilingual vectors of stored articles that have none, linking "
        "their stories across languages",
    )
    p.add_argument("--limit", type=int, help="encode at most this many articles")
    p.add_argument("--batch-size", type=int, default=256, help="articles per transaction")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_vectors)

    p = sub.add_parser("retag", help="re-apply tagging to stored articles after a data change")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_retag)

    p = sub.add_parser("restory", help="rebuild every story from the stored articles")
    p.set_defaults(func=cmd_restory)

    p = sub.add_parser("tag", help="tag JSON Lines articles from stdin to stdout")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("evaluate", help="score the tagger on a gold file (TAGGING.md format)")
    p.add_argument("gold")
    p.add_argument("--errors", action="store_true", help="list every miss")
    p.add_argument(
        "--cv",
        action="store_true",
        help="re-run the topic model's cross-validation grouped by outlet (needs scikit-learn)",
    )
    p.add_argument(
        "--vectors",
        action="store_true",
        help="tag as the store does once it has each article's sentence vector (topics: the "
        "second model in the encoder's languages)",
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("watch", help="watches: saved views that alert (add, list, remove, test)")
    watch_sub = p.add_subparsers(dest="watch_command", required=True, parser_class=_Parser)
    w = watch_sub.add_parser(
        "add", help="save a view as a watch", lazy_arguments=_watch_add_arguments
    )
    w.set_defaults(func=cmd_watch_add)
    w = watch_sub.add_parser("list", help="every watch and how it delivers")
    w.set_defaults(func=cmd_watch_list)
    w = watch_sub.add_parser("remove", help="delete a watch and its alerts")
    w.add_argument("name")
    w.set_defaults(func=cmd_watch_remove)
    w = watch_sub.add_parser("test", help="send a test message through the watch's channels")
    w.add_argument("name")
    w.set_defaults(func=cmd_watch_test)

    p = sub.add_parser("alerts", help="evaluate every watch and deliver its alerts")
    p.add_argument("--once", action="store_true", help="one cycle, then exit")
    p.add_argument("--worker-id", help="name of this worker on the deliveries it claims")
    p.add_argument("--idle", type=float, default=60.0, help="seconds between cycles")
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser("stats", help="what the store holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "export",
        help="the articles of a dashboard view (same filters, same rows): csv, jsonl, parquet",
        lazy_arguments=_export_arguments,
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("migrate", help="apply pending schema migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("settings", help="show every setting and its current value")
    p.add_argument("--markdown", action="store_true", help="the README's configuration table")
    p.set_defaults(func=cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

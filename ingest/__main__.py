"""The command line: ``python -m ingest COMMAND``.

run | poll | add-feed | import | retag | tag | evaluate | stats | migrate | settings
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
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
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ingest import scheduler

    if args.once:
        return cmd_poll(args)
    engine = _engine()
    scheduler.load_catalogue(engine)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        print(f"signal {signum}: finishing the current polls, then stopping", file=sys.stderr)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"polling due feeds every {args.idle:.0f} s (worker {args.worker_id or 'default'})")
    scheduler.run_forever(
        engine,
        worker=args.worker_id,
        stop=stop,
        idle_seconds=args.idle,
        show_bar=sys.stderr.isatty(),
        on_summary=lambda s: print(s.line(), flush=True),
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
        summary = import_paths(engine, [Path(p) for p in args.paths], show_bar=sys.stderr.isatty())
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path, error in summary.failed:
        print(f"  ✗ {path}: {error}", file=sys.stderr)
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

    return main(Path(args.gold), args.errors, sys.stdout)


def cmd_stats(args: argparse.Namespace) -> int:
    from ingest import queries

    stats = queries.stats(_engine())
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2, default=str))
        return 0
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k or '(unknown)'}: {v}")
        else:
            print(f"{key}: {value}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(config.settings_markdown())
        return 0
    for setting in config.SETTINGS:
        print(f"{setting.env}={config.get(setting.name)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Pantau's ingest.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

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
    p.set_defaults(func=cmd_import)

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
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("stats", help="what the store holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

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

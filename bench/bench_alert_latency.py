"""Alert latency: from a feed item's publication on a local server to the webhook receiving it.

    python -m bench.bench_alert_latency [--samples 3] [--poll-minutes 1]

Everything real, on 127.0.0.1: the feed server of the tests (tests/feedserver.py) serving a
feed file this process rewrites, a webhook receiver (``http.server``), a SQLite store, and
``python -m ingest run`` as a process with the default settings except the store, the catalogue,
the Atom folder, PANTAU_ALLOW_PRIVATE_ADDRESSES=1 (the feed and the webhook are on 127.0.0.1)
and the poll interval (below). Each sample adds a watch of the pair with ``python -m ingest
watch add … --webhook URL`` (the default digest period: a new watch has sent no digest, so its
first is due at once), waits a moment of the poll interval (seeded), publishes one new article of the pair in the feed (the file replaced
atomically: a new ETag), and times, in this process's monotonic clock:

- publication → the poll that fetched it (the feed server's record of the request);
- that poll → the webhook's POST arriving (the poll cycle's end, the alert cycle, the delivery);

then removes the watch. The default poll interval (30 minutes) would make each sample wait up
to half an hour for its poll, so the feed is polled every ``--poll-minutes`` (1 by default) and
the default settings' latency is worked out from the settings and the measured poll → webhook
time, and printed in words. Figures, no test timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import config  # noqa: E402
from ingest.alerts import DEFAULT_DIGEST_MINUTES  # noqa: E402
from ingest.scheduler import IDLE_SECONDS  # noqa: E402
from tests.feedserver import FeedServer  # noqa: E402

FEED = "latency.xml"
PAIR = "PRK-RUS"
WAIT_SECONDS = 600.0  # a sample that takes longer is a failure, not a figure


@dataclass
class Hooks:
    """The webhook receiver's record: (monotonic arrival, body) of every POST."""

    received: list[tuple[float, dict]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)


def start_receiver(hooks: Hooks) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            at = time.monotonic()
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with hooks.arrived:
                hooks.received.append((at, body))
                hooks.arrived.notify_all()
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def write_feed(path: Path, items: list[tuple[str, datetime]], link_base: str) -> None:
    """The RSS file of ``items`` (title, published), replaced atomically."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{link_base}/pages/latency-{n}.html</link>"
        f"<guid>latency-{n}</guid><description>{escape(title)}.</description>"
        f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n, (title, when) in enumerate(items)
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Latency news</title><link>https://news.example/</link><language>en</language>"
        f"{entries}</channel></rss>",
        encoding="utf-8",
    )
    os.replace(tmp, path)


def cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ingest {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument(
        "--poll-minutes",
        type=int,
        default=1,
        help="the feed's poll interval for the measurement (default setting: 30)",
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pantau-latency-"))
    served = work / "served"
    served.mkdir()
    hooks = Hooks()
    receiver, hook_url = start_receiver(hooks)
    with FeedServer(root=served) as server:
        now = datetime.now(UTC)
        # One old article, so the feed parses as a feed from the first poll on.
        items = [("Russia and North Korea hold talks on border trade", now - timedelta(days=10))]
        write_feed(served / FEED, items, server.base_url)
        catalogue = work / "feeds.toml"
        catalogue.write_text(
            f'[[feed]]\ntitle = "Latency news"\nurl = "{server.feed_url(FEED)}"\n'
            'language = "en"\ncountry = "GBR"\n',
            encoding="utf-8",
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")},
            "PANTAU_DATABASE_URL": f"sqlite:///{work / 'pantau.db'}",
            "PANTAU_FEEDS_FILE": str(catalogue),
            "PANTAU_WATCH_FEEDS_DIR": str(work / "static"),
            "PANTAU_ALLOW_PRIVATE_ADDRESSES": "1",
            "PANTAU_POLL_INTERVAL_MINUTES": str(args.poll_minutes),
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "ingest", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while not server.requests and time.monotonic() < deadline:
                time.sleep(0.2)  # the first poll (a new feed is due at once)
            time.sleep(2.0)  # its articles stored, its alert cycle run
            samples = []
            phase = random.Random(7)
            for k in range(args.samples):
                name = f"latency {k}"
                cli(env, "watch", "add", name, "--pair", PAIR, "--webhook", hook_url)
                time.sleep(phase.uniform(0, args.poll_minutes * 60))  # any moment of the cycle
                title = f"Russia and North Korea sign agreement number {k}"
                items.append((title, datetime.now(UTC)))
                seen = len(hooks.received)
                published = time.monotonic()
                write_feed(served / FEED, items, server.base_url)
                body_at = wait_for_hook(hooks, seen, title, published + WAIT_SECONDS)
                polls = [
                    r.started
                    for r in server.requests
                    if r.path.startswith("/feeds/") and r.started >= published
                ]
                polled = min(polls)
                samples.append((polled - published, body_at - polled, body_at - published))
                print(
                    f"sample {k + 1}: publication → poll {polled - published:6.1f} s, "
                    f"poll → webhook {body_at - polled:5.2f} s, "
                    f"publication → webhook {body_at - published:6.1f} s",
                    flush=True,
                )
                cli(env, "watch", "remove", name)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            receiver.shutdown()
            shutil.rmtree(work, ignore_errors=True)
    report(samples, args.poll_minutes)
    return 0


def wait_for_hook(hooks: Hooks, seen: int, title: str, deadline: float) -> float:
    """When the digest holding ``title`` arrived (monotonic)."""
    with hooks.arrived:
        while True:
            for at, body in hooks.received[seen:]:
                if any(a["title"] == title for a in body.get("articles", [])):
                    return at
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"no webhook for {title!r} within {WAIT_SECONDS:.0f} s")
            hooks.arrived.wait(left)


def report(samples: list[tuple[float, float, float]], poll_minutes: int) -> None:
    to_poll, to_hook, total = (statistics.median(s[i] for s in samples) for i in range(3))
    default_poll = int(config.get("poll_interval_minutes", environ={}))  # its default
    print(
        f"\nmeasured over {len(samples)} samples (medians), poll interval lowered to "
        f"{poll_minutes} min, every other setting at its default:"
    )
    print(f"  the poll that sees the item → webhook received: {to_hook:.2f} s "
          f"(max {max(s[1] for s in samples):.2f} s)")  # fmt: skip
    print(f"  publication → that poll: {to_poll:.1f} s; publication → webhook: {total:.1f} s")
    poll_s, idle_s, digest_s = default_poll * 60, IDLE_SECONDS, DEFAULT_DIGEST_MINUTES * 60
    print(
        f"\nwith the defaults (poll_interval_minutes={default_poll}, the loop's idle "
        f"{IDLE_SECONDS:.0f} s, digest every {DEFAULT_DIGEST_MINUTES} min):"
    )
    print(
        f"  a watch whose last digest is {DEFAULT_DIGEST_MINUTES} min old or more: the item "
        f"waits for its feed's next poll, at most {default_poll} min plus the loop's "
        f"{idle_s:.0f} s, then {to_hook:.1f} s to the webhook: worst "
        f"{(poll_s + idle_s + to_hook) / 60:.1f} min, expected (a uniform moment of publication) "
        f"{(poll_s / 2 + idle_s / 2 + to_hook) / 60:.1f} min;"
    )
    print(
        f"  a watch that sent a digest lately: the digest waits until {DEFAULT_DIGEST_MINUTES} "
        f"min after the last one, then goes at the next loop: worst (published just after the "
        f"poll that made the last digest) {(digest_s + idle_s + to_hook) / 60:.1f} min."
    )
    print("  (a spike alert does not wait for the digest period: poll + the same seconds)")


if __name__ == "__main__":
    sys.exit(main())

"""Watches and alerts (issue 15) with real parts: feeds from the local feed server where a pair
spikes on the second poll, a real SMTP server (aiosmtpd) and a real HTTP receiver on 127.0.0.1,
real SQLite files and PostgreSQL, ``python -m ingest`` in subprocesses that are SIGKILLed.

The oracles are independent of the code under test: the feed files the test writes (which
titles are on which poll), the messages as the receivers got them, and direct SQL of the store.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select, text, update

from ingest import alert_delivery, alerts, store
from ingest.queries.watches import watch_named
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent
PAIR_FEED = "pair.xml"

# The feed on each poll: (title, days ago). Russia and North Korea in every title; one article
# ten days ago is the baseline. Poll 1 adds two articles today (no spike: below 5 articles);
# poll 2 adds eight more today (ten today against ~0.04 a day expected: a spike).
BASELINE = [("Russia and North Korea hold talks on border trade", 10)]
POLL_1 = [
    ("Russia and North Korea sign a defence pact in Pyongyang", 0),
    ("North Korea sends envoy to Russia for summit", 0),
]
POLL_2 = [
    ("Russia ships fuel to North Korea despite sanctions", 0),
    ("North Korea troops seen in Russia's Kursk region", 0),
    ("Russia and North Korea open new rail link", 0),
    ("Kim Jong Un praises Russia at parade", 0),
    ("Russia says North Korea ties are not aimed at others", 0),
    ("North Korea and Russia plan joint drills", 0),
    ("Russia hosts North Korean delegation in Moscow", 0),
    ("Russia and North Korea expand air routes", 0),
]


def write_feed(root: Path, items: list[tuple[str, int]], now: datetime) -> None:
    """An RSS file of ``items`` dated ``days ago`` from ``now`` (a minute apart within a day).
    Today's items stay on today's UTC date even just after midnight (never before it), so a
    spike of "today" is today's whatever the hour the test runs."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    entries = []
    for n, (title, days) in enumerate(items):
        when = now - timedelta(days=days, minutes=n + 1)
        if days == 0:
            when = max(when, midnight)
        entries.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://news.example/{n}-{abs(hash(title)) % 10**8}</link>"
            f"<guid>pair-{n}-{title}</guid>"
            f"<description>{escape(title)}.</description>"
            f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        )
    (root / PAIR_FEED).write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Pair news</title><link>https://news.example/</link><language>en</language>"
        + "".join(entries)
        + "</channel></rss>",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------------------------
# Receivers


@dataclass
class Received:
    headers: dict[str, str]
    body: dict


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST; answers ``statuses`` in turn
    (then 200); while ``hold`` is set it keeps the first request waiting before answering."""

    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def deduped(self) -> dict[str, Received]:
        """What a receiver that dedupes on the delivery id keeps."""
        return {r.headers["Idempotency-Key"]: r for r in self.requests}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                state.requests.append(Received(dict(self.headers), body))
                status = state.statuses.pop(0) if state.statuses else 200
            state.arrived.set()
            if state.hold is not None and state.hold.is_set():
                state.released.wait(30)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Inbox]:
    inbox = _Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a port number up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PANTAU_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PANTAU_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("PANTAU_SMTP_SECURITY", "none")
    monkeypatch.setenv("PANTAU_SMTP_FROM", "pantau@alerts.test")
    yield inbox
    controller.stop()


@pytest.fixture
def setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str) -> dict[str, str]:
    env = {
        "PANTAU_DATABASE_URL": db_url,
        "PANTAU_ALLOW_PRIVATE_ADDRESSES": "1",
        "PANTAU_WATCH_FEEDS_DIR": str(tmp_path / "static"),
        "PANTAU_PUBLIC_URL": "http://pantau.test:8501",
        "PANTAU_ALERT_RETRY_SECONDS": "0.5",
        "PANTAU_ALERT_LEASE_SECONDS": "2",
        "PANTAU_CONNECT_TIMEOUT": "5",
        "PANTAU_READ_TIMEOUT": "5",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def _poll(engine: Engine, server: FeedServer, feed_id: int) -> None:
    """Poll the pair feed now (made due first: the scheduler's own path does the rest)."""
    from ingest import scheduler

    with store.write(engine) as conn:
        conn.execute(
            update(store.feeds).where(store.feeds.c.id == feed_id).values(next_poll_at=None)
        )
    summary = scheduler.poll_due(engine)
    assert [r.outcome for r in summary.reports] == ["ok"], summary.reports


def _cli(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:  # noqa: ANN003
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    proc = _cli(env, *args)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _deliveries(engine: Engine) -> list[tuple]:
    d, a = store.deliveries.c, store.alerts.c
    with engine.connect() as conn:
        return conn.execute(
            select(a.trigger, d.channel, d.status, d.attempts)
            .select_from(store.deliveries.join(store.alerts, a.id == d.alert_id))
            .order_by(d.id)
        ).all()


def _pair_setup(tmp_path: Path, engine: Engine, receiver: Receiver, now: datetime):  # noqa: ANN202
    feeds_dir = tmp_path / "served"
    feeds_dir.mkdir()
    write_feed(feeds_dir, BASELINE + POLL_1, now)
    spec = alerts.make_spec(
        "Russia and North Korea",
        {"pair": "RUS-PRK"},
        webhook_url=receiver.url,
        email="analyst@example.org",
        digest_minutes=0,
    )
    store.create_watch(engine, spec, store.now_utc())
    return feeds_dir


# --------------------------------------------------------------------------------------------
# The whole path: two polls, the spike on the second, every channel


def test_a_pair_that_spikes_on_the_second_poll_alerts_once_on_every_channel(
    engine: Engine, setup: dict[str, str], tmp_path: Path, receiver: Receiver, smtp: _Inbox
) -> None:
    now = datetime.now(UTC)
    feeds_dir = _pair_setup(tmp_path, engine, receiver, now)
    with FeedServer(root=feeds_dir) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(PAIR_FEED), language="en")
        # Poll 1: the two new articles of today (the baseline one is ten days old: not news).
        _poll(engine, server, feed_id)
        cycle = alert_delivery.run_alerts(engine)
        assert [d.status for d in cycle.deliveries] == ["sent", "sent"]
        assert len(receiver.requests) == 1
        first = receiver.requests[0].body
        assert first["trigger"] == "digest"
        assert first["watch"] == "Russia and North Korea"
        assert first["counts"] == {"articles": 2, "shown": 2}
        assert {a["title"] for a in first["articles"]} == {t for t, _ in POLL_1}
        assert first["spike"] is None
        for item in first["articles"]:
            assert set(item["evidence"]["countries"]) >= {"RUS", "PRK"}
            assert item["outlet"] == "Pair news" and item["language"] == "en"
        assert first["text"].splitlines()[0] == "Russia and North Korea: 2 new articles"
        assert first["text"].splitlines()[-1] == (
            "View: http://pantau.test:8501/Articles?pair=PRK-RUS"
        )

        # Poll 2: eight more today: a digest of those eight, and the spike.
        write_feed(feeds_dir, BASELINE + POLL_1 + POLL_2, now)
        _poll(engine, server, feed_id)
        cycle = alert_delivery.run_alerts(engine)
    assert len(cycle.deliveries) == 4 and {d.status for d in cycle.deliveries} == {"sent"}
    bodies = [r.body for r in receiver.requests]
    assert [b["trigger"] for b in bodies] == ["digest", "digest", "spike"]
    digest, spike = bodies[1], bodies[2]
    assert {a["title"] for a in digest["articles"]} == {t for t, _ in POLL_2}
    assert digest["counts"]["articles"] == len(POLL_2)
    today = len(POLL_1) + len(POLL_2)
    assert spike["spike"]["articles"] == today
    assert spike["spike"]["expected"] == pytest.approx(1 / 28, abs=0.01)
    assert spike["spike"]["score"] >= 3 and spike["spike"]["fired"] is True
    assert f"{today} article(s) today" in spike["spike"]["explanation"]
    assert spike["spike"]["explanation"] in spike["text"]
    assert {a["title"] for a in spike["articles"]} == {t for t, _ in POLL_1 + POLL_2}
    # One delivery id per alert and channel, sent as the dedupe key.
    keys = [r.headers["Idempotency-Key"] for r in receiver.requests]
    assert len(set(keys)) == 3 and [b["delivery_id"] for b in bodies] == keys

    # Email: the same three alerts, plain text and HTML, Message-ID the delivery id.
    assert len(smtp.messages) == 3
    for msg, body in zip(smtp.messages, bodies, strict=True):
        assert msg["X-Envelope-To"] == "analyst@example.org"
        assert msg["Subject"] == f"[Pantau] {body['headline']}"
        assert msg["Message-ID"].startswith("<" + body["delivery_id"].removesuffix("webhook"))
        plain = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert plain.replace("\r\n", "\n").strip() == body["text"]
        for item in body["articles"]:
            assert item["title"] in plain
            assert escape(item["title"]).replace("'", "&#x27;") in html
        assert "http://pantau.test:8501/Articles?pair=PRK-RUS" in html

    # Atom: every alert an entry, newest first; feedparser reads it without a bozo flag.
    watch = watch_named(engine, "Russia and North Korea")
    assert watch is not None
    parsed = feedparser.parse(alerts.feed_path(watch).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Pantau watch: Russia and North Korea"
    with engine.connect() as conn:
        titles = conn.execute(
            select(store.alerts.c.title).order_by(
                store.alerts.c.created_at.desc(), store.alerts.c.id.desc()
            )
        ).scalars()
        assert [e.title for e in parsed.entries] == list(titles)
    assert [e.tags[0].term for e in parsed.entries] == ["spike", "digest", "digest"]
    assert alerts.feed_url(watch) == (
        "http://pantau.test:8501/app/static/watch-russia-and-north-korea.atom"
    )

    # A third cycle with nothing new sends nothing.
    assert alert_delivery.run_alerts(engine).deliveries == []
    assert len(receiver.requests) == 3 and len(smtp.messages) == 3


# --------------------------------------------------------------------------------------------
# Exactly once across processes: a restart, a SIGKILL during delivery, two workers at once


def _store_with_alerts(engine: Engine, tmp_path: Path, receiver: Receiver) -> None:
    now = datetime.now(UTC)
    feeds_dir = _pair_setup(tmp_path, engine, receiver, now)
    write_feed(feeds_dir, BASELINE + POLL_1 + POLL_2, now)
    with FeedServer(root=feeds_dir) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(PAIR_FEED), language="en")
        _poll(engine, server, feed_id)


def test_sigkill_during_delivery_then_restart_sends_each_alert_once_per_delivery_id(
    engine: Engine, setup: dict[str, str], tmp_path: Path, receiver: Receiver, smtp: _Inbox
) -> None:
    _store_with_alerts(engine, tmp_path, receiver)
    receiver.hold = threading.Event()
    receiver.hold.set()
    proc = _cli(setup, "alerts", "--once")
    try:
        assert receiver.arrived.wait(60), proc.stderr.read() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGKILL)  # the receiver has the body; no answer came back
        proc.wait(timeout=30)
    finally:
        receiver.released.set()
        receiver.hold.clear()
    # Killed mid-delivery: the webhook delivery is left 'sending', nothing else was sent.
    statuses = _deliveries(engine)
    assert ("digest", "webhook", "sending", 1) in statuses
    assert len(receiver.requests) == 1 and smtp.messages == []

    time.sleep(2.5)  # the lease (PANTAU_ALERT_LEASE_SECONDS=2) runs out
    done = _run_cli(setup, "alerts", "--once")
    assert done.returncode == 0, done.stderr
    # The interrupted delivery was sent again with the same id: a receiver deduping on it
    # holds each alert once; every other delivery went exactly once.
    assert len(receiver.requests) == 3
    kept = receiver.deduped()
    assert len(kept) == 2
    assert sorted(r.body["trigger"] for r in kept.values()) == ["digest", "spike"]
    assert (
        receiver.requests[0].headers["Idempotency-Key"]
        == (receiver.requests[1].headers["Idempotency-Key"])
    )
    assert len(smtp.messages) == 2
    assert len({m["Message-ID"] for m in smtp.messages}) == 2
    assert {s for _, _, s, _ in _deliveries(engine)} == {"sent"}

    # A restart with nothing new sends nothing at all.
    again = _run_cli(setup, "alerts", "--once")
    assert again.returncode == 0, again.stderr
    assert len(receiver.requests) == 3 and len(smtp.messages) == 2


def test_two_workers_at_once_send_every_alert_exactly_once(
    engine: Engine, setup: dict[str, str], tmp_path: Path, receiver: Receiver, smtp: _Inbox
) -> None:
    _store_with_alerts(engine, tmp_path, receiver)
    procs = [_cli(setup, "alerts", "--once", "--worker-id", f"w{i}") for i in range(2)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert sorted(r.body["trigger"] for r in receiver.requests) == ["digest", "spike"]
    assert len(smtp.messages) == 2
    with engine.connect() as conn:
        assert conn.execute(select(store.alerts.c.trigger)).scalars().all().count("digest") == 1
    assert [(s, n) for _, _, s, n in _deliveries(engine)] == [("sent", 1)] * 4


# --------------------------------------------------------------------------------------------
# Retries, the SSRF guard, bad definitions


def test_a_failed_delivery_is_retried_after_its_pause_and_recorded(
    engine: Engine, setup: dict[str, str], receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    spec = alerts.make_spec("All", "", webhook_url=receiver.url)
    store.create_watch(engine, spec, store.now_utc())
    watch = watch_named(engine, "All")
    assert watch is not None
    [outcome] = alert_delivery.send_test(engine, watch)
    assert outcome.status == "failed" and outcome.error.startswith("HTTP 500")
    assert alert_delivery.deliver_due(engine) == []  # not before its pause (0.5 s)
    time.sleep(0.6)
    [second] = alert_delivery.deliver_due(engine)
    assert second.status == "failed" and second.error.startswith("HTTP 503")
    time.sleep(0.6)
    assert alert_delivery.deliver_due(engine) == []  # the pause doubled (1 s)
    time.sleep(0.5)
    [third] = alert_delivery.deliver_due(engine)
    assert third.status == "sent"
    assert _deliveries(engine) == [("test", "webhook", "sent", 3)]
    assert len(receiver.requests) == 3 and len(receiver.deduped()) == 1


def test_a_webhook_to_a_private_address_is_refused_without_the_setting(
    engine: Engine, setup: dict[str, str], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored while the setting allowed it, delivered after it was turned off: refused at
    # connect time, nothing reaches the receiver, given up at once (no retry can succeed).
    spec = alerts.make_spec("Local", "c=RUS", webhook_url=receiver.url)
    store.create_watch(engine, spec, store.now_utc())
    watch = watch_named(engine, "Local")
    assert watch is not None
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    [outcome] = alert_delivery.send_test(engine, watch)
    assert outcome.status == "dead"
    assert outcome.error.startswith("blocked_address: refused to connect to 127.0.0.1")
    assert receiver.requests == []
    # And a new watch with such a webhook is refused outright.
    with pytest.raises(alerts.WatchError, match="127.0.0.1 is not a public address"):
        alerts.make_spec("Local 2", "c=RUS", webhook_url=receiver.url)


# Each line: a definition and the words of its refusal.
MALFORMED: list[tuple[dict, str]] = [
    ({"name": ""}, "a watch needs a name"),
    ({"name": "   "}, "a watch needs a name"),
    ({"name": "x" * 101}, "at most 100"),
    ({"name": "!!!"}, "needs a letter or digit"),
    ({"name": "w", "query": "c=XXX"}, "'XXX' not understood"),
    ({"name": "w", "query": "pair=RUS"}, "'RUS' not understood"),
    ({"name": "w", "query": "t=weather"}, "'weather' not understood"),
    ({"name": "w", "query": "lang=english!"}, "not understood"),
    ({"name": "w", "query": "feed=abc"}, "'abc' not understood"),
    ({"name": "w", "query": "colour=red"}, "'colour' is not a filter"),
    ({"name": "w", "query": "from=2024-01-01"}, "a watch has no dates"),
    ({"name": "w", "webhook_url": "ftp://example.org/x"}, "'ftp:' URLs are not webhooks"),
    ({"name": "w", "webhook_url": "hook"}, "must be absolute"),
    ({"name": "w", "email": "not-an-address"}, "is not one address"),
    ({"name": "w", "email": "a@b.org, c@d.org"}, "is not one address"),
    ({"name": "w", "spike_threshold": 0}, "spike threshold"),
    ({"name": "w", "spike_threshold": float("nan")}, "spike threshold"),
    ({"name": "w", "digest_minutes": -1}, "digest minutes"),
    ({"name": "w", "digest_minutes": 10**6}, "digest minutes"),
]


@pytest.mark.parametrize(("definition", "words"), MALFORMED)
def test_a_malformed_watch_definition_is_refused_with_a_clear_error(
    definition: dict, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
    definition = dict(definition)
    name = definition.pop("name")
    query = definition.pop("query", "")
    with pytest.raises(alerts.WatchError) as refused:
        alerts.make_spec(name, query, **definition)
    assert words in str(refused.value)


def test_watch_add_takes_the_export_flags_and_refuses_what_it_cannot_use(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = {"PANTAU_DATABASE_URL": sqlite_url, "PANTAU_WATCH_FEEDS_DIR": str(tmp_path / "s")}
    ok = _run_cli(
        env, "watch", "add", "Sanctions on Russia", "--country", "RUS", "--topic",
        "sanctions,trade", "--language", "en", "--text", "oil", "--digest-minutes", "15",
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    engine = store.make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(store.watches)).one()
    finally:
        engine.dispose()
    assert row.query == "c=RUS&t=sanctions,trade&lang=en&q=oil"
    assert row.digest_minutes == 15 and row.spike_threshold == 3.0
    assert (tmp_path / "s" / "watch-sanctions-on-russia.atom").exists()
    bad = _run_cli(env, "watch", "add", "Bad", "--country", "Atlantis")
    assert bad.returncode == 2 and "refused: --country 'Atlantis': not understood" in bad.stderr
    dup = _run_cli(env, "watch", "add", "sanctions on russia!")
    assert dup.returncode == 2 and "exists already" in dup.stderr
    gone = _run_cli(env, "watch", "remove", "Sanctions on Russia")
    assert gone.returncode == 0 and not (tmp_path / "s" / "watch-sanctions-on-russia.atom").exists()


def test_four_delivery_threads_racing_send_each_delivery_once(
    engine: Engine, setup: dict[str, str], receiver: Receiver
) -> None:
    # Forty alerts recorded, then four workers claim and send at the same moment: every claim
    # is a conditional UPDATE only one of them can win, so each delivery goes exactly once.
    spec = alerts.make_spec("Race", "c=RUS", webhook_url=receiver.url)
    store.create_watch(engine, spec, store.now_utc())
    watch = watch_named(engine, "Race")
    assert watch is not None
    for n in range(40):
        draft = store.AlertDraft(
            watch_id=watch.id,
            key=f"test:{watch.id}:{n}",
            trigger="test",
            title=f"alert {n}",
            payload=json.dumps({"n": n}),
            article_ids=(),
            channels=(("webhook", receiver.url),),
        )
        with store.locked_watch(engine, watch.id) as (conn, _row):
            store.record_alert(conn, draft, store.now_utc())
    start = threading.Barrier(4)
    outcomes: list[list] = []

    def work(i: int) -> None:
        start.wait()
        outcomes.append(alert_delivery.deliver_due(engine, worker=f"t{i}"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(r.body["n"] for r in receiver.requests) == list(range(40))
    assert sum(len(o) for o in outcomes) == 40
    assert [(s, n) for _, _, s, n in _deliveries(engine)] == [("sent", 1)] * 40


def test_the_dashboard_serves_the_watch_feed_as_atom(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real Streamlit server, its static/ folder, the URL the messages give (port aside).
    import httpx

    from tests.dashboard_process import reported_url

    monkeypatch.delenv("PANTAU_WATCH_FEEDS_DIR", raising=False)
    monkeypatch.setenv("PANTAU_PUBLIC_URL", "http://pantau.test:8501")
    engine = store.make_engine(sqlite_url)
    name = f"Served feed {os.getpid()} {time.monotonic_ns()}"
    store.create_watch(engine, alerts.make_spec(name, "c=IDN"), store.now_utc())
    watch = watch_named(engine, name)
    assert watch is not None
    alert_delivery.send_test(engine, watch)
    path = alert_delivery.write_feed(engine, watch)
    assert path.parent == ROOT / "static"
    env = {**os.environ, "PANTAU_DATABASE_URL": sqlite_url, "PANTAU_SEED_DEMO": "0"}
    log = tmp_path / "streamlit.log"
    try:
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", "0",
                 "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--server.fileWatcherType", "none"],  # no source is edited: none watched
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            base = reported_url(proc, log)
            served = alerts.feed_url(watch).replace("http://pantau.test:8501", base)
            response = httpx.get(served, timeout=30)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        path.unlink(missing_ok=True)
        engine.dispose()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response.headers["content-type"]}
    )
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [f"{name}: test message from Pantau"]


def test_matches_wait_for_the_digest_period_and_none_is_skipped(
    engine: Engine, setup: dict[str, str], tmp_path: Path, receiver: Receiver
) -> None:
    now = datetime.now(UTC)
    feeds_dir = tmp_path / "served"
    feeds_dir.mkdir()
    write_feed(feeds_dir, BASELINE + POLL_1, now)
    spec = alerts.make_spec("Hourly", "pair=PRK-RUS", webhook_url=receiver.url, digest_minutes=60)
    store.create_watch(engine, spec, store.now_utc())
    with FeedServer(root=feeds_dir) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(PAIR_FEED), language="en")
        _poll(engine, server, feed_id)
        alert_delivery.run_alerts(engine)  # the first digest goes at once
        write_feed(feeds_dir, BASELINE + POLL_1 + POLL_2[:2], now)  # 4 today: no spike
        _poll(engine, server, feed_id)
    later = store.now_utc()
    first = alerts.evaluate_all(engine, now=later)
    alert_delivery.deliver_due(engine)
    assert [r.body["counts"]["articles"] for r in receiver.requests] == [2]  # not due yet
    # Half an hour on nothing is new (the matches are older than a re-read reaches) and the
    # digest is not due; an hour on the waiting matches go in the digest.
    assert alerts.evaluate_all(engine, now=later + timedelta(minutes=30)).alerts == []
    due = alerts.evaluate_all(engine, now=later + timedelta(minutes=61))
    alert_delivery.deliver_due(engine)
    assert first.alerts == [] and len(due.alerts) == 1
    assert [r.body["counts"]["articles"] for r in receiver.requests] == [2, 2]
    assert {a["title"] for a in receiver.requests[1].body["articles"]} == {t for t, _ in POLL_2[:2]}


def test_a_new_match_after_todays_spike_alert_is_digested_without_scoring_the_spike_again(
    engine: Engine,
    setup: dict[str, str],
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The spike is sent once a day: once today's is recorded, a watch's new matches no longer
    # read the 28 days of its baseline (the costly part of an alert cycle at scale).
    now = datetime.now(UTC)
    feeds_dir = tmp_path / "served"
    feeds_dir.mkdir()
    write_feed(feeds_dir, BASELINE + POLL_1 + POLL_2, now)
    spec = alerts.make_spec("Pair", "pair=PRK-RUS", webhook_url=receiver.url, digest_minutes=0)
    store.create_watch(engine, spec, store.now_utc())
    scored: list[object] = []  # the views whose spike point is read, alone or together
    real, rolled = alerts.spike_point, alerts.rolled_spike_points
    monkeypatch.setattr(alerts, "spike_point", lambda *a, **k: scored.append(a) or real(*a, **k))

    def rolled_counted(engine_: Engine, views: list) -> dict:
        points = rolled(engine_, views)
        scored.extend(points.values())
        return points

    monkeypatch.setattr(alerts, "rolled_spike_points", rolled_counted)
    with FeedServer(root=feeds_dir) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(PAIR_FEED), language="en")
        _poll(engine, server, feed_id)
        alert_delivery.run_alerts(engine)
        assert len(scored) == 1
        write_feed(
            feeds_dir, BASELINE + POLL_1 + POLL_2 + [("Russia and North Korea, more", 0)], now
        )
        _poll(engine, server, feed_id)
        alert_delivery.run_alerts(engine)
    assert len(scored) == 1
    assert [r.body["trigger"] for r in receiver.requests] == ["digest", "spike", "digest"]
    assert receiver.requests[2].body["counts"]["articles"] == 1
    with engine.connect() as conn:
        triggers = conn.execute(select(store.alerts.c.trigger).order_by(store.alerts.c.id)).all()
    assert [t for (t,) in triggers] == ["digest", "spike", "digest"]


def test_an_evaluator_that_gets_the_lock_second_alerts_nothing_twice(
    engine: Engine,
    setup: dict[str, str],
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two evaluators of one watch: this one finds two new matches, but before it holds the
    # watch another poll brings a third and another evaluator (its cycle begun a second
    # earlier: its digest is no later than this one's moment) digests all three. Under the
    # lock this one must find nothing left to alert on (its digest would repeat two).
    now = datetime.now(UTC)
    feeds_dir = tmp_path / "served"
    feeds_dir.mkdir()
    write_feed(feeds_dir, BASELINE + POLL_1, now)
    spec = alerts.make_spec("Pair", "pair=PRK-RUS", webhook_url=receiver.url, digest_minutes=0)
    store.create_watch(engine, spec, store.now_utc())
    locked_watch = store.locked_watch
    other: list[list[int]] = []
    with FeedServer(root=feeds_dir) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(PAIR_FEED), language="en")
        _poll(engine, server, feed_id)

        @contextmanager
        def second(engine_: Engine, watch_id: int) -> Iterator[tuple]:
            if not other:  # the other evaluator goes first, with one more article
                write_feed(feeds_dir, BASELINE + POLL_1 + POLL_2[:1], now)
                _poll(engine, server, feed_id)
                monkeypatch.setattr(store, "locked_watch", locked_watch)
                other.append(alerts.evaluate_all(engine, now=began - timedelta(seconds=1)).alerts)
                monkeypatch.setattr(store, "locked_watch", second)
            with locked_watch(engine_, watch_id) as held:
                yield held

        monkeypatch.setattr(store, "locked_watch", second)
        began = store.now_utc()
        mine = alerts.evaluate_all(engine, now=began)
    assert len(other[0]) == 1 and mine.alerts == []
    with engine.connect() as conn:
        alerted = conn.execute(
            select(store.alerts.c.articles, func.count(store.alert_articles.c.article_id))
            .join(store.alert_articles, store.alert_articles.c.alert_id == store.alerts.c.id)
            .group_by(store.alerts.c.id, store.alerts.c.articles)
        ).all()
    assert [tuple(r) for r in alerted] == [(3, 3)]


def test_run_once_polls_then_alerts(
    setup: dict[str, str], tmp_path: Path, receiver: Receiver
) -> None:
    # `python -m ingest run --once`: the poll cycle, then the alert cycle, in one command.
    now = datetime.now(UTC)
    feeds_dir = tmp_path / "served"
    feeds_dir.mkdir()
    write_feed(feeds_dir, BASELINE + POLL_1, now)
    env = dict(setup)
    engine = store.make_engine(setup["PANTAU_DATABASE_URL"])
    spec = alerts.make_spec("Pair", "pair=PRK-RUS", webhook_url=receiver.url, digest_minutes=0)
    store.create_watch(engine, spec, store.now_utc())
    engine.dispose()
    with FeedServer(root=feeds_dir) as server:
        catalogue = tmp_path / "feeds.toml"
        catalogue.write_text(
            f'[[feed]]\ntitle = "Pair news"\nurl = "{server.feed_url(PAIR_FEED)}"\n'
            'language = "en"\ncountry = "GBR"\n',
            encoding="utf-8",
        )
        done = _run_cli({**env, "PANTAU_FEEDS_FILE": str(catalogue)}, "run", "--once")
    assert done.returncode == 0, done.stderr
    assert "1 new alert(s)" in done.stdout
    assert [r.body["counts"]["articles"] for r in receiver.requests] == [len(POLL_1)]


def test_the_latest_alerts_of_many_watches_are_each_ones_latest(engine: Engine) -> None:
    # The Atom feeds of a cycle read every watch's latest alerts together (as rows): each
    # watch's are those hand-written SQL finds, newest first (ties by id), at most the limit,
    # none for a watch without alerts.
    from ingest.queries import watches as watch_queries

    now = store.now_utc()
    ids = [
        store.create_watch(engine, alerts.make_spec(f"Watch {n}", f"c=RUS&t={t}"), now)
        for n, t in enumerate(["military", "diplomacy", "trade", "energy"] * 2)
    ][:7]
    for n, watch_id in enumerate(ids):
        for k in range(n):  # watch n has n alerts; some at the same moment
            draft = store.AlertDraft(
                watch_id, f"a:{watch_id}:{k}", "digest", f"{n}.{k}", "{}", (), ()
            )
            with store.locked_watch(engine, watch_id) as (conn, _):
                store.record_alert(conn, draft, now + timedelta(minutes=(k * 7) % 5))
    got = watch_queries.latest_alerts(engine, ids, limit=4)
    with engine.connect() as conn:
        for watch_id in ids:
            want = conn.execute(
                text(
                    "SELECT key FROM alerts WHERE watch_id = :w "
                    "ORDER BY created_at DESC, id DESC LIMIT 4"
                ),
                {"w": watch_id},
            ).all()
            assert [r.key for r in got[watch_id]] == [k for (k,) in want], watch_id
    assert [len(got[i]) for i in ids] == [0, 1, 2, 3, 4, 4, 4]


def test_digests_of_one_cycle_each_list_their_own_watchs_newest_articles(
    engine: Engine, setup: dict[str, str], tmp_path: Path, receiver: Receiver
) -> None:
    # A cycle reads the articles of all its digests at once: each digest still lists its own
    # watch's matches, newest first — those the store's rows say (hand-written SQL): the
    # pair's ten, the one saying "rail" and the one saying "air routes" of the text watches,
    # and the one naming Kim Jong Un of the people-and-organisations watch.
    now = datetime.now(UTC)
    feeds_dir = tmp_path / "served"
    feeds_dir.mkdir()
    write_feed(feeds_dir, BASELINE + POLL_1 + POLL_2, now)
    for name, query in (
        ("Pair", "pair=PRK-RUS"), ("Links", "q=rail"), ("Air", "q=air routes"),
        ("Kim", "entity=Q56226"),
    ):  # fmt: skip
        spec = alerts.make_spec(name, query, webhook_url=receiver.url, digest_minutes=0)
        store.create_watch(engine, spec, store.now_utc())
    with FeedServer(root=feeds_dir) as server:
        feed_id = store.ensure_feed(engine, server.feed_url(PAIR_FEED), language="en")
        _poll(engine, server, feed_id)
    summary = alerts.evaluate_all(engine)
    alert_delivery.deliver_due(engine)
    digests = {
        r.body["watch"]: [a["title"] for a in r.body["articles"]]
        for r in receiver.requests
        if r.body["trigger"] == "digest"
    }
    week_ago = store.now_utc() - timedelta(days=alerts.MATCH_MAX_AGE_DAYS)
    newest = " AND a.published_at >= :since ORDER BY a.published_at DESC, a.id DESC"
    tagged = (
        "EXISTS (SELECT 1 FROM article_countries c WHERE c.article_id = a.id "
        "AND c.iso3 = '{}' AND c.prominent = :yes)"
    )
    with engine.connect() as conn:

        def titles(where: str) -> list[str]:
            sql = f"SELECT a.title FROM articles a WHERE {where}{newest}"
            return [t for (t,) in conn.execute(text(sql), {"since": week_ago, "yes": True})]

        want = {
            "Pair": titles(f"{tagged.format('RUS')} AND {tagged.format('PRK')}"),
            "Links": titles("lower(a.title) LIKE '%rail%'"),
            "Air": titles("lower(a.title) LIKE '%air routes%'"),
            "Kim": titles(
                "EXISTS (SELECT 1 FROM article_entities e WHERE e.article_id = a.id "
                "AND e.qid = 'Q56226')"
            ),
        }
    assert len(want["Pair"]) == 10 and len(want["Links"]) == 1 and len(want["Air"]) == 1
    assert want["Kim"] == ["Kim Jong Un praises Russia at parade"]
    assert len(summary.alerts) >= 4
    assert digests == want

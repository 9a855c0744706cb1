"""Full text (issue 13): ``ingest.enrich`` against a real HTTP server on 127.0.0.1 serving the
real article pages of tests/fixtures/articles/ (their truth.jsonl is the oracle) and a feed,
written in the test's folder, whose items link to them. The feed is polled by the real poller
into a real store (SQLite file and PostgreSQL); what enrichment stored is read back with plain
SQL, and what it asked of the server is what the server recorded.

Two host names reach the one server: ``127.0.0.1`` and ``localhost`` (which resolves to it), so
a test can have two hosts whose requests the server tells apart by their Host header.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import Engine, text

from ingest import catalogue, config, pipeline, scheduler, store
from ingest.addresses import AddressGuard
from ingest.enrich import enrich
from ingest.extract_score import contains, token_f1
from ingest.fetch import make_client
from ingest.page_fetch import HostGate
from ingest.queries.texts import text_coverage
from tests.feedserver import CountingListener, FeedServer
from tests.sizes import sized
from tests.test_extract import KNOWN_BODY_MISSES, KNOWN_SNIPPET_MISSES  # one list of known misses

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
PAGES = ARTICLES / "pages"
PDF_MIB = 50  # a PDF larger than any socket buffer: sending all of it needs a reader
LINES = [json.loads(raw) for raw in (ARTICLES / "truth.jsonl").read_text("utf-8").splitlines()]
FILES = [line["file"] for line in LINES]
TOKEN_F1_FLOOR = 0.80  # as tests/test_extract.py
REAL_PAYWALLS = {"seb-7ab16ade32386ece.html", "traf-0a12df42d1764095989ab078ee0f940b.html"}
COMPLETE = [f for f in FILES if f not in REAL_PAYWALLS]  # pages extracted "ok"
PUBLISHED = datetime(2026, 2, 18, 2, 13, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
KILL_SEED = 20261204
# The processes' runs (a kill and a resume; two workers): CI's size, or a developer's smaller
# one through the same paths (tests/sizes.py).
KILL_PAGES = sized(12, 8)
WORKER_PAGES = sized(20, 10)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "1")
    monkeypatch.setenv("PANTAU_PAGE_HOST_DELAY_SECONDS", "0")
    (tmp_path / "feeds").mkdir()
    with FeedServer(root=tmp_path / "feeds", pages=PAGES) as srv:
        yield srv


def write_feed(server: FeedServer, name: str, links: list[str]) -> str:
    """A real RSS 2.0 file in the server's feed folder, one item per link; its URL."""
    items = "".join(
        f"<item><title>Item {n}</title><link>{escape(link)}</link>"
        f"<guid>{escape(link)}</guid><description>Teaser {n}.</description>"
        f"<pubDate>{format_datetime(PUBLISHED - timedelta(minutes=n))}</pubDate></item>"
        for n, link in enumerate(links)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>{server.base_url}/</link><description>d</description>"
        f"{items}</channel></rss>"
    )
    (server.root / name).write_text(body, encoding="utf-8")
    return server.feed_url(name)


def poll(engine: Engine, feed_url: str) -> int:
    """Store the feed through the real poller; the feed's id."""
    feed_id = store.ensure_feed(engine, feed_url, title=feed_url.rsplit("/", 1)[1])
    summary = scheduler.poll_due(engine, concurrency=1)
    assert [r.outcome for r in summary.reports if r.feed_id == feed_id] == ["ok"]
    return feed_id


def page_link(server: FeedServer, file: str, host: str = "127.0.0.1", query: str = "") -> str:
    return f"http://{host}:{server.port}/pages/{file}{query}"


def texts(engine: Engine) -> dict[str, dict]:
    """article url → its article_texts row, read with plain SQL."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT a.url, t.* FROM article_texts t JOIN articles a ON a.id = t.article_id")
        ).mappings()
        return {row["url"]: dict(row) for row in rows}


def utc(value: datetime | str) -> datetime:
    """A timestamp read with plain SQL (SQLite hands back text) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def row_for(stored: dict[str, dict], fragment: str) -> dict:
    (row,) = [row for url, row in stored.items() if fragment in url]
    return row


def page_requests(server: FeedServer) -> Counter[str]:
    """How many times each page (host + path, query included) was asked for."""
    return Counter(
        f"{r.host.split(':')[0]}{r.path}" for r in server.requests if r.path.startswith("/pages/")
    )


def n_articles(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())


# -- the text stored -------------------------------------------------------------------------------


def test_enrichment_stores_the_expected_text(engine: Engine, server: FeedServer) -> None:
    feed_url = write_feed(server, "all.xml", [page_link(server, f) for f in FILES])
    feed_id = poll(engine, feed_url)
    summary = enrich(engine, gate=HostGate(), concurrency=2)
    stored = texts(engine)
    assert len(stored) == len(FILES) == n_articles(engine) == summary.pages
    for line in LINES:
        row = stored[page_link(server, line["file"])]
        assert row["status"] == ("paywall" if line["file"] in REAL_PAYWALLS else "ok"), line["file"]
        assert row["chars"] == len(row["body"]) > 0
        assert row["lead"] and row["lead"] in row["body"].split("\n\n")
        assert row["extractor"].startswith("trafilatura ")
        assert row["http_status"] == 200 and row["attempts"] == 1
        assert row["fetched_at"] is not None and row["extracted_at"] is not None
        if line.get("body") and line["file"] not in KNOWN_BODY_MISSES:
            assert token_f1(row["body"], line["body"]) >= TOKEN_F1_FLOOR, line["file"]
        if "must_contain" in line and line["file"] not in KNOWN_SNIPPET_MISSES:
            for snippet in line["must_contain"]:
                assert contains(row["body"], snippet), (line["file"], snippet)
            for snippet in line.get("must_not_contain", []):
                assert not contains(row["body"], snippet), (line["file"], snippet)
    # each page asked for once, robots.txt once for the host
    assert set(page_requests(server).values()) == {1}
    assert sum(r.path == "/robots.txt" for r in server.requests) == 1
    # coverage per feed (the Feeds page, stats) counts what the table holds
    coverage = text_coverage(engine).set_index("id").loc[feed_id]
    statuses = Counter(row["status"] for row in stored.values())
    assert (coverage["texts_ok"], coverage["texts_failed"]) == (statuses["ok"], statuses["paywall"])
    assert coverage["failures"] == f"paywall {statuses['paywall']}"

    # A page is fetched once unless asked: nothing again; --refetch (here 3 pages) asks again.
    before = len(server.requests)
    assert enrich(engine, gate=HostGate()).pages == 0
    assert len(server.requests) == before
    assert enrich(engine, gate=HostGate(), refetch=True, limit=3).pages == 3
    assert sum(page_requests(server).values()) == len(FILES) + 3
    assert len(texts(engine)) == len(FILES)


# -- politeness -------------------------------------------------------------------------------------


def test_robots_disallow_and_fulltext_off_are_never_fetched(
    engine: Engine, server: FeedServer
) -> None:
    server.set_robots("User-agent: *\nDisallow: /pages/np4k\n")
    allowed = [f for f in COMPLETE if not f.startswith("np4k")][:2]
    disallowed = [f for f in COMPLETE if f.startswith("np4k")][:2]
    poll(engine, write_feed(server, "on.xml", [page_link(server, f) for f in allowed + disallowed]))
    off_files = FILES[-2:]
    off_id = poll(engine, write_feed(server, "off.xml", [page_link(server, f) for f in off_files]))
    store.set_feed_fulltext(engine, off_id, False)
    enrich(engine, gate=HostGate())
    stored = texts(engine)
    for f in disallowed:
        row = stored[page_link(server, f)]
        assert (row["status"], row["error_category"]) == ("disallowed", "robots_disallowed")
        assert row["body"] is None
    assert {stored[page_link(server, f)]["status"] for f in allowed} == {"ok"}
    assert not any(page_link(server, f) in stored for f in off_files)
    asked = {path.split("/pages/")[1] for path in page_requests(server)}
    assert asked == set(allowed)


def test_a_redirect_to_a_page_robots_txt_disallows_keeps_the_teaser(
    engine: Engine, server: FeedServer
) -> None:
    # the article's link redirects to another host (a second server, reached as "localhost")
    # whose robots.txt disallows the page; its request log is the oracle
    with FeedServer(root=server.root, pages=PAGES) as other:
        other.set_robots("User-agent: *\nDisallow: /pages/\n")
        target = page_link(other, COMPLETE[0], host="localhost")
        link = server.url(f"/redirect/302?to={target}")
        poll(engine, write_feed(server, "hop.xml", [link]))
        enrich(engine, gate=HostGate())
        assert [r.path for r in other.requests] == ["/robots.txt"]
    row = texts(engine)[link]
    assert (row["status"], row["error_category"]) == ("disallowed", "robots_disallowed")
    assert row["body"] is None and row["final_url"] == target
    with engine.connect() as conn:
        summary = conn.execute(
            text("SELECT summary FROM articles WHERE url = :url"), {"url": link}
        ).scalar_one()
    assert summary == "Teaser 0."


def test_429_with_retry_after_is_deferred_for_the_host_only(
    engine: Engine, server: FeedServer
) -> None:
    limited = f"http://127.0.0.1:{server.port}/status/429?retry_after=120"
    other = page_link(server, COMPLETE[0], host="localhost")
    poll(engine, write_feed(server, "limited.xml", [limited, other]))
    started = datetime.now(UTC)
    enrich(engine, gate=HostGate())
    row = row_for(texts(engine), "/status/429")
    assert (row["status"], row["error_category"], row["http_status"]) == (
        "queued",
        "rate_limited",
        429,
    )
    assert row["attempts"] == 1
    retry_at = utc(row["next_attempt_at"])
    assert started + timedelta(seconds=115) <= retry_at <= started + timedelta(seconds=130)
    with engine.connect() as conn:
        until = conn.execute(
            text("SELECT until FROM host_leases WHERE host = '127.0.0.1'")
        ).scalar_one()
    assert abs((utc(until) - retry_at).total_seconds()) < 1
    assert texts(engine)[other]["status"] == "ok"  # the other host was not paused
    # Run again at once (a new process: a fresh gate): the store keeps the host paused.
    enrich(engine, gate=HostGate())
    assert sum(r.path.startswith("/status/429") for r in server.requests) == 1


def test_a_retry_after_met_at_a_redirect_pauses_that_page_not_its_host(
    engine: Engine, server: FeedServer
) -> None:
    # the first link redirects to another host (a second server, as "localhost") that answers
    # 429 with Retry-After: that page waits, the page's own host stays free for its other page
    with FeedServer(root=server.root, pages=PAGES) as other:
        target = f"http://localhost:{other.port}/status/429?retry_after=120"
        link = server.url(f"/redirect/302?to={target}")
        plain = page_link(server, COMPLETE[0])
        poll(engine, write_feed(server, "hop429.xml", [link, plain]))
        started = datetime.now(UTC)
        enrich(engine, gate=HostGate(), concurrency=1)
    stored = texts(engine)
    row = stored[link]
    assert (row["status"], row["error_category"], row["final_url"]) == (
        "queued",
        "rate_limited",
        target,
    )
    assert utc(row["next_attempt_at"]) >= started + timedelta(seconds=115)
    assert stored[plain]["status"] == "ok"
    with engine.connect() as conn:
        until = conn.execute(
            text("SELECT until FROM host_leases WHERE host = '127.0.0.1'")
        ).scalar_one()
    assert utc(until) < started + timedelta(seconds=60)


def test_a_pdf_and_a_redirect_to_a_private_address(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with CountingListener("127.0.0.1") as inside:
        pdf = server.url(f"/huge?type=pdf&mib={PDF_MIB}")
        target = f"http://127.0.0.1:{inside.port}/article.html"
        redirect = server.url(f"/redirect/302?to={target}")
        poll(engine, write_feed(server, "odd.xml", [pdf, redirect]))
        monkeypatch.setenv("PANTAU_ALLOW_PRIVATE_ADDRESSES", "0")
        guard = AddressGuard(allow_endpoints=frozenset({("127.0.0.1", server.port)}))
        with make_client(guard=guard) as client:
            enrich(engine, gate=HostGate(), client=client)
        stored = texts(engine)
        pdf_row, redirect_row = row_for(stored, "/huge"), row_for(stored, "/redirect/")
        assert (pdf_row["status"], pdf_row["error_category"]) == ("not_html", "not_html")
        assert pdf_row["body"] is None and pdf_row["chars"] == 0
        assert (redirect_row["status"], redirect_row["error_category"]) == (
            "error",
            "blocked_address",
        )
        assert inside.accepted == 0
    (pdf_request,) = [r for r in server.requests if r.path.startswith("/huge")]
    # refused unread: far more than socket buffers could take in unread was never sent
    assert pdf_request.body_sent < PDF_MIB * 1024 * 1024


def test_a_50_mib_page_and_a_slow_host_through_enrich_keep_their_teasers(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``enrich`` itself: a page of 50 MiB is refused at the page cap (final, nothing
    stored), a host slower than the deadline is given up and its page queued again for later
    (a transient failure, one attempt), and a real page on a third host is stored all the same;
    the two failed articles keep their teasers."""
    monkeypatch.setenv("PANTAU_FETCH_DEADLINE", "2")
    monkeypatch.setenv("PANTAU_READ_TIMEOUT", "30")  # only the overall deadline can stop it
    huge = server.url(f"/huge?type=html&mib={PDF_MIB}")
    slow = page_link(server, COMPLETE[1], host="localhost", query="?delay=20")
    truth = next(line for line in LINES if line.get("body") and line["file"] in COMPLETE[2:])
    real = page_link(server, truth["file"], query="?real=1")
    poll(engine, write_feed(server, "hard.xml", [huge, slow, real]))
    started = datetime.now(UTC)
    enrich(engine, gate=HostGate())
    stored = texts(engine)
    huge_row, slow_row = row_for(stored, "/huge"), row_for(stored, "delay=20")
    assert (huge_row["status"], huge_row["error_category"]) == ("error", "too_large")
    assert huge_row["body"] is None and huge_row["chars"] == 0
    assert f"{int(config.get('max_page_bytes')):,}" in huge_row["error"]
    (huge_request,) = [r for r in server.requests if r.path.startswith("/huge")]
    assert huge_request.body_sent < PDF_MIB * 1024 * 1024  # stopped reading at the cap
    assert (slow_row["status"], slow_row["error_category"]) == ("queued", "timeout")
    assert slow_row["attempts"] == 1 and "deadline" in slow_row["error"]
    assert utc(slow_row["next_attempt_at"]) > started  # tried again later, not at once
    real_row = row_for(stored, "real=1")
    assert real_row["status"] == "ok"
    assert token_f1(real_row["body"], truth["body"]) >= TOKEN_F1_FLOOR
    with engine.connect() as conn:
        teasers = conn.execute(
            text(
                "SELECT url, summary FROM articles WHERE url LIKE '%/huge%' OR url LIKE '%delay=20%'"
            )
        ).all()
    assert sorted(summary for _url, summary in teasers) == ["Teaser 0.", "Teaser 1."]


# -- storage settings -----------------------------------------------------------------------------


def test_body_storage_off_keeps_status_and_length_and_hands_the_body_on(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_STORE_BODIES", "0")
    files = COMPLETE[:3]
    poll(engine, write_feed(server, "nobody.xml", [page_link(server, f) for f in files]))
    handed: dict[int, str] = {}

    def on_text(_engine, items) -> None:  # noqa: ANN001
        handed.update((article_id, extraction.body) for article_id, extraction in items)

    enrich(engine, gate=HostGate(), on_text=on_text)
    stored = texts(engine)
    assert len(stored) == len(handed) == 3
    for row in stored.values():
        assert row["status"] == "ok"
        assert row["body"] is None and row["lead"] is None
        assert row["chars"] == len(handed[row["article_id"]]) > 0


def test_retention_drops_old_bodies_only(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = COMPLETE[:2]
    poll(engine, write_feed(server, "keep.xml", [page_link(server, f) for f in files]))
    enrich(engine, gate=HostGate())
    old, new = (page_link(server, f) for f in files)
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE article_texts SET extracted_at = :t WHERE article_id = "
                "(SELECT id FROM articles WHERE url = :u)"
            ),
            {"t": ten_days_ago, "u": old},
        )
    monkeypatch.setenv("PANTAU_BODY_RETENTION_DAYS", "5")
    assert enrich(engine, gate=HostGate()).pruned == 1
    stored = texts(engine)
    assert stored[old]["body"] is None and stored[old]["lead"] is None
    assert stored[old]["status"] == "ok" and stored[old]["chars"] > 0
    assert stored[new]["body"] and stored[new]["chars"] == len(stored[new]["body"])


# -- the poller --------------------------------------------------------------------------------------


@pytest.mark.parametrize("after_poll", [True, False])
def test_run_enriches_new_articles_after_each_poll_when_set(
    engine: Engine, server: FeedServer, monkeypatch: pytest.MonkeyPatch, after_poll: bool
) -> None:
    monkeypatch.setenv("PANTAU_ENRICH_AFTER_POLL", "1" if after_poll else "0")
    files = COMPLETE[:2]
    feed_url = write_feed(server, "run.xml", [page_link(server, f) for f in files])
    store.ensure_feed(engine, feed_url, title="run")
    stop = threading.Event()
    scheduler.run_forever(engine, stop=stop, idle_seconds=0, on_summary=lambda _s: stop.set())
    stored = texts(engine)
    assert n_articles(engine) == 2
    if after_poll:
        assert {row["status"] for row in stored.values()} == {"ok"} and len(stored) == 2
    else:
        assert stored == {} and not page_requests(server)


# -- processes: a kill, two workers -----------------------------------------------------------------


def _cli_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env.update(
        PANTAU_DATABASE_URL=db_url,
        PANTAU_ALLOW_PRIVATE_ADDRESSES="1",
        PANTAU_PAGE_HOST_DELAY_SECONDS="0",
        PANTAU_SEED_DEMO="0",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _enrich_process(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "enrich", "--quiet", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _two_host_links(server: FeedServer, files: list[str], delay: float) -> list[str]:
    hosts = ("127.0.0.1", "localhost")
    return [
        page_link(server, f, host=hosts[n % 2], query=f"?delay={delay}")
        for n, f in enumerate(files)
    ]


@pytest.mark.slow
def test_a_killed_enrich_resumes_and_fetches_nothing_twice(
    db_url: str, engine: Engine, server: FeedServer
) -> None:
    files = COMPLETE[:KILL_PAGES]
    poll(engine, write_feed(server, "kill.xml", _two_host_links(server, files, 0.3)))
    # The lease must outlast a fetch and its extraction; a killed run's claims lapse after it.
    env = _cli_env(db_url, PANTAU_ENRICH_LEASE_SECONDS="10")
    # pages the server has been asked for: a few done, most not
    kill_after = random.Random(KILL_SEED).randint(2, len(files) - 4)
    first = _enrich_process(env)
    deadline = time.monotonic() + 120
    while sum(page_requests(server).values()) < kill_after:
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    at_kill = texts(engine)
    claimed = {url for url, row in at_kill.items() if row["status"] == "claimed"}
    done_at_kill = {url for url, row in at_kill.items() if row["status"] == "ok"}
    assert done_at_kill, "killed before any page was stored: the seed no longer tests a resume"

    second = _enrich_process(env)
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    stored = texts(engine)
    assert len(stored) == len(files) == n_articles(engine)
    assert {row["status"] for row in stored.values()} == {"ok"}
    asked = page_requests(server)
    for url in stored:
        key = url.removeprefix("http://").replace(f":{server.port}", "")
        # only a page claimed at the kill may have been asked twice (its answer was lost)
        assert asked[key] == 1 or (url in claimed and asked[key] == 2), (url, asked[key])
    assert all(asked[u.removeprefix("http://").replace(f":{server.port}", "")] == 1
               for u in done_at_kill)  # fmt: skip


@pytest.mark.slow
def test_two_workers_never_hit_one_host_at_once(
    db_url: str, engine: Engine, server: FeedServer
) -> None:
    files = COMPLETE[:WORKER_PAGES]
    poll(engine, write_feed(server, "two.xml", _two_host_links(server, files, 0.25)))
    env = _cli_env(db_url, PANTAU_PAGE_HOST_DELAY_SECONDS="0.1")
    workers = [_enrich_process(env, "--worker-id", f"w{n}") for n in range(2)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    pages_done = [int(out.split(" pages", 1)[0]) for out, _ in outputs]
    assert sum(pages_done) == len(files)
    assert all(pages_done), f"one worker did nothing {pages_done}: the test proves nothing"
    groups = server.host_requests()
    hosts = {h.split(":")[0] for h in groups}
    assert {"127.0.0.1", "localhost"} <= hosts
    for host, requests in groups.items():
        requests = [r for r in requests if not r.path.startswith("/feeds/")]
        for before, after in zip(requests, requests[1:], strict=False):
            assert before.answered is not None
            assert after.started >= before.answered, (host, before.path, after.path)
    assert set(page_requests(server).values()) == {1}


# -- the catalogue's switch ---------------------------------------------------------------------------


def test_the_catalogue_fulltext_switch_reaches_the_store(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[feed]]\ntitle = "On"\nurl = "https://on.example/rss"\nlanguage = "en"\n'
        'country = "GBR"\n\n[[feed]]\ntitle = "Off"\nurl = "https://off.example/rss"\n'
        'language = "en"\ncountry = "GBR"\nfulltext = false\n',
        encoding="utf-8",
    )
    store.ensure_feeds(engine, catalogue.load_catalogue(path))
    with engine.connect() as conn:
        switch = {
            row.url: row.fulltext for row in conn.execute(text("SELECT url, fulltext FROM feeds"))
        }
    assert {url: bool(on) for url, on in switch.items()} == {
        "https://on.example/rss": True,
        "https://off.example/rss": False,
    }
    path.write_text(path.read_text().replace("fulltext = false", 'fulltext = "no"'))
    with pytest.raises(catalogue.CatalogueError, match="fulltext"):
        catalogue.load_catalogue(path)


def test_the_real_catalogue_opts_out_exactly_the_feeds_it_says() -> None:
    import tomllib

    declared = tomllib.loads(Path(config.get("feeds_file")).read_text("utf-8"))["feed"]
    off = {entry["url"] for entry in declared if entry.get("fulltext") is False}
    assert off, "the catalogue opts no feed out: nothing shows the switch is read"
    assert {spec.url for spec in catalogue.load_catalogue() if not spec.fulltext} == off


# -- tags from the body (issue 13 item 5: enrich → retag_with_body; retag reads kept bodies) ----


def _body_evidence(engine: Engine) -> list[tuple[int, str, dict, str]]:
    """(article id, iso3, evidence item, stored body) of every country evidence in a body, read
    with plain SQL: the oracle for where each span must point."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.article_id, c.iso3, c.evidence, t.body FROM article_countries c "
                "JOIN article_texts t ON t.article_id = c.article_id WHERE t.status = 'ok'"
            )
        ).all()
    return [
        (int(i), iso3, item, body)
        for i, iso3, evidence, body in rows
        for item in json.loads(evidence)
        if item.get("field") == "body"
    ]


def test_enriched_articles_are_tagged_from_their_body(engine: Engine, server: FeedServer) -> None:
    feed_url = write_feed(server, "tagged.xml", [page_link(server, f) for f in COMPLETE[:8]])
    poll(engine, feed_url)
    assert _body_evidence(engine) == []  # the feed's items carry no body: nothing from one yet
    enrich(engine, gate=HostGate())
    found = _body_evidence(engine)
    assert len({i for i, *_ in found}) >= 3, "real news pages name countries in their bodies"
    for _, iso3, item, body in found:
        assert body[item["start"] : item["start"] + len(item["text"])] == item["text"], iso3
    # retag (after a tagging change) reads the kept bodies again: the body tags stay
    with engine.begin() as conn:
        conn.execute(text("UPDATE articles SET tagger_version = 'stale'"))
    pipeline.retag(engine, show_bar=False)
    assert sorted((i, c, json.dumps(e)) for i, c, e, _ in _body_evidence(engine)) == sorted(
        (i, c, json.dumps(e)) for i, c, e, _ in found
    )

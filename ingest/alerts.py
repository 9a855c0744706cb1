"""Watches and alerts (issue 15): tell the analyst when their view moves, with the evidence.
This module defines watches, words their messages and evaluates them (recording each alert and
its deliveries); sending them — the Atom file, the webhook, the email — and the alert cycle
are ``ingest.alert_delivery``.

A **watch** is a saved view — its filters as the dashboard URL's query string, without dates
(a watch follows what arrives) — with a name and how to deliver. After every poll cycle
(``python -m ingest run``) or on demand (``python -m ingest alerts --once``) each watch is
evaluated for two triggers:

- **digest**: articles fetched since its last digest that match its filters and that it has not
  alerted on (published within MATCH_MAX_AGE_DAYS: a backfill of old news is not news), at most
  once per ``digest_minutes``;
- **spike**: today's articles of its series scored by the dashboard's spike score
  (``ingest.queries.trends.spike_score`` over the same baseline), at or above the watch's
  threshold with at least SPIKE_MIN_ARTICLES articles; once per watch and day.

Delivery: every alert is an entry of the watch's **Atom feed**, written at each evaluation to
``watch_feeds_dir`` (default ``static/``) as ``watch-SLUG.atom``, which the dashboard itself
serves at ``PUBLIC_URL/app/static/watch-SLUG.atom`` (Streamlit's static serving, as
``application/atom+xml``): no second server or port to run, and the file is there for any feed
reader even while the dashboard is busy. (The worker that evaluates writes it; where workers run
on other machines than the dashboard, the Watchlist page rewrites the files from the store too.)
A **webhook** gets a JSON POST (``text`` for Slack/Mattermost/Matrix, plus the structured fields)
through the SSRF-guarded client of ``ingest.fetch``; **email** goes over SMTP, plain text and
HTML. Each message links back to the watch's view on the dashboard (``public_url``).

Exactly once: what was alerted is recorded in the store (``ingest.store.watchlist``) in the same
transaction as the articles it covers, with the watch locked, so two evaluators or a restart
never alert twice and never skip an article. Each delivery is claimed (status ``sending``, a
lease of ``alert_lease_seconds``) before it is sent and recorded after. The one window left is a
kill between the receiver taking the message and the record: the delivery stays ``sending``,
its lease runs out and it is sent again — **at least once** there, never at most once, because a
skipped alert is worse than a repeated one. The repeat carries the same delivery id
(``Idempotency-Key`` and ``X-Pantau-Delivery`` headers of the webhook; the email's
``Message-ID``), so a receiver that dedupes on it sees exactly one. A failed delivery is tried
again after ``alert_retry_seconds``, doubling, up to ``alert_max_attempts`` times; the
Watchlist page shows every delivery's status and can retry one.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pandas as pd
from sqlalchemy import Engine

from ingest import config, store
from ingest.addresses import validate_feed_url
from ingest.filter_flags import flag_understood
from ingest.filters import (
    BY_NAME,
    EARLIEST,
    FILTERS,
    LATEST,
    PARAM_KEYS,
    WORDS_ORDER,
    Filters,
    describe,
    from_query_params,
    to_query_params,
)
from ingest.queries import list_articles
from ingest.queries.articles import article_evidence
from ingest.queries.trends import (
    BASELINE_DAYS,
    SPIKE_EXPLANATION,
    SPIKE_MIN_ARTICLES,
    SPIKE_SCORE,
    SpikePoint,
    day_count,
    first_id_since,
    rolled_spike_points,
    spike_point,
    tagged_spike_points,
)
from ingest.queries.watches import (
    WatchRow,
    alert_exists,
    articles_by_id,
    fetched_since,
    matching,
    watch_list,
)
from ingest.store.schema import WATCH_NAME_LENGTH

log = logging.getLogger(__name__)

MATCH_MAX_AGE_DAYS = 7  # a new match must have been published within this many days
# A digest looks back this far before its last one: an article fetched before it but committed
# after (a long poll transaction of another worker) is still found. Longer than a poll's lease.
REVISIT = timedelta(minutes=15)
DEFAULT_DIGEST_MINUTES = 60
MAX_DIGEST_MINUTES = 7 * 24 * 60
MAX_SPIKE_THRESHOLD = 1000.0
TOP_ARTICLES = 10  # articles a message lists
ATOM_ENTRIES = 50  # alerts an Atom feed holds
DELIVERY_BATCH = 20  # deliveries claimed at a time
WATCH_PAGE = "Articles"  # the dashboard page a message links to, with the watch's filters
FEED_PREFIX = "watch-"
_NO_WATCH_PARAMS = ("from", "to")  # a watch has no dates: it follows what arrives
_WATCH_FILTER_EXCLUDE = ("dates",)
ANY_ARTICLE = Filters(EARLIEST, LATEST)  # a filter every stored article matches
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")


class WatchError(ValueError):
    """A watch definition that cannot be stored, with what is wrong in words."""


# --------------------------------------------------------------------------------------------
# Definitions


def watch_slug(name: str) -> str:
    """The file-name form of a watch's name (its Atom feed is ``watch-SLUG.atom``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:WATCH_NAME_LENGTH]


def clean_query(query: str | Mapping[str, Any]) -> str:
    """A watch's filters as a canonical query string; raises WatchError for a parameter that is
    not a filter, a date, or a value the dashboard would drop."""
    params = parse_qs(query.lstrip("?"), keep_blank_values=True) if isinstance(query, str) else {
        k: v if isinstance(v, list) else [v] for k, v in query.items()
    }  # fmt: skip
    for key in params:
        if key in _NO_WATCH_PARAMS:
            raise WatchError(f"{key!r}: a watch has no dates; it follows what arrives")
        if key not in PARAM_KEYS:
            raise WatchError(f"{key!r} is not a filter (filters: {', '.join(PARAM_KEYS)})")
    flags = {flag.param: flag for flt in FILTERS for flag in flt.flags}
    for key, values in params.items():
        flag = flags[key]
        value = values[-1] if values else ""
        items = [i.strip() for i in value.split(",")] if flag.many else [value]
        for item in items:
            if not item or not flag_understood(flag, item):
                raise WatchError(f"{key}={value!r}: {item!r} not understood ({flag.help})")
    today = store.now_utc().date()
    f = from_query_params({k: v[-1] for k, v in params.items()}, Filters(today, today))
    kept = {k: v for k, v in to_query_params(f).items() if k not in _NO_WATCH_PARAMS}
    return urlencode(kept, safe=",-")


def _webhook_url(url: str) -> str:
    try:
        return validate_feed_url(url)
    except ValueError as exc:
        # The feed check's words, said of a webhook.
        raise WatchError("webhook: " + str(exc).replace("feed", "webhook")) from None


def make_spec(
    name: str,
    query: str | Mapping[str, Any] = "",
    *,
    webhook_url: str | None = None,
    email: str | None = None,
    spike_threshold: float | None = None,
    digest_minutes: int | None = None,
) -> store.WatchSpec:
    """A valid watch definition, or WatchError saying what is wrong."""
    name = " ".join((name or "").split())
    if not name:
        raise WatchError("a watch needs a name")
    if len(name) > WATCH_NAME_LENGTH or not name.isprintable():
        raise WatchError(f"a watch's name is printable text of at most {WATCH_NAME_LENGTH} chars")
    slug = watch_slug(name)
    if not slug:
        raise WatchError(f"{name!r}: a name needs a letter or digit (it names the Atom feed)")
    webhook = _webhook_url(webhook_url.strip()) if webhook_url and webhook_url.strip() else None
    address = (email or "").strip() or None
    if address is not None and (parseaddr(address)[1] != address or not _EMAIL.fullmatch(address)):
        raise WatchError(f"email: {address!r} is not one address like analyst@example.org")
    threshold = SPIKE_SCORE if spike_threshold is None else float(spike_threshold)
    if not (math.isfinite(threshold) and 0 < threshold <= MAX_SPIKE_THRESHOLD):
        raise WatchError(f"spike threshold: a number above 0, at most {MAX_SPIKE_THRESHOLD:g}")
    minutes = DEFAULT_DIGEST_MINUTES if digest_minutes is None else int(digest_minutes)
    if not 0 <= minutes <= MAX_DIGEST_MINUTES:
        raise WatchError(f"digest minutes: from 0 (every cycle) to {MAX_DIGEST_MINUTES} (a week)")
    return store.WatchSpec(
        name=name,
        slug=slug,
        query=clean_query(query),
        webhook_url=webhook,
        email=address,
        spike_threshold=threshold,
        digest_minutes=minutes,
    )


def watch_filters(watch: WatchRow, start: date, end: date) -> Filters:
    """The watch's filters over the days ``start``–``end``."""
    params = {k: v[-1] for k, v in parse_qs(watch.query, keep_blank_values=True).items()}
    return from_query_params(params, Filters(start, end))


def describe_watch(watch: WatchRow) -> str:
    """What the watch follows in words ("Articles mentioning Russia and North Korea, all
    languages"): the view's words without its dates."""
    today = store.now_utc().date()
    f = watch_filters(watch, today, today)
    what = "Articles" + "".join(BY_NAME[name].phrase(f) for name in WORDS_ORDER)
    clauses = [BY_NAME[name].clause(f) for name in WORDS_ORDER if name != "dates"]
    return ", ".join([what, *(c for c in clauses if c)])


def _base(base: str | None) -> str:
    return (str(config.get("public_url")) if base is None else base).rstrip("/")


def view_url(watch: WatchRow, page: str = WATCH_PAGE, base: str | None = None) -> str:
    """The watch's view on the dashboard, at ``public_url`` (what a message carries), or at
    ``base`` ("": a link inside the dashboard, to whatever host and port serve it)."""
    return f"{_base(base)}/{page}" + (f"?{watch.query}" if watch.query else "")


def feed_url(watch: WatchRow, base: str | None = None) -> str:
    """Where the dashboard serves the watch's Atom feed (``base``: as ``view_url``)."""
    return f"{_base(base)}/app/static/{FEED_PREFIX}{watch.slug}.atom"


def feed_path(watch: WatchRow) -> Path:
    return Path(str(config.get("watch_feeds_dir"))) / f"{FEED_PREFIX}{watch.slug}.atom"


# --------------------------------------------------------------------------------------------
# Messages


def _articles_payload(engine: Engine, ids: list[int]) -> list[dict[str, Any]]:
    rows = articles_by_id(engine, ids[-TOP_ARTICLES:]) if ids else pd.DataFrame()
    return article_items(engine, rows)


def article_items(engine: Engine, rows: pd.DataFrame) -> list[dict[str, Any]]:
    if rows.empty:
        return []
    evidence = article_evidence(engine, [int(i) for i in rows["id"]])
    items = []
    for row in rows.itertuples():
        ev = evidence.get(int(row.id), {})
        items.append(
            {
                "id": int(row.id),
                "title": row.title,
                "outlet": row.outlet,
                "language": row.language,
                "link": row.url,
                "published_at": row.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "evidence": {
                    "countries": ev.get("countries", {}),
                    "topics": ev.get("topics", {}),
                },
            }
        )
    return items


def _text(payload: dict[str, Any]) -> str:
    """The message in plain words (the webhook's ``text``, the email's body)."""
    lines = [payload["headline"]]
    if payload.get("spike"):
        lines.append(payload["spike"]["explanation"])
    for item in payload["articles"]:
        where = ", ".join(x for x in (item["outlet"], item["language"]) if x)
        lines.append(f"• {item['title']} ({where}) {item['link'] or ''}".rstrip())
    more = payload["counts"]["articles"] - len(payload["articles"])
    if more > 0:
        lines.append(f"… and {more} more")
    lines.append(f"View: {payload['view_url']}")
    return "\n".join(lines)


def alert_html(payload: dict[str, Any]) -> str:
    """The message as HTML (the email's alternative, the Atom entry's content)."""
    esc = html.escape
    parts = [f"<p><strong>{esc(payload['headline'])}</strong></p>"]
    if payload.get("spike"):
        parts.append(f"<p>{esc(payload['spike']['explanation'])}</p>")
    if payload["articles"]:
        parts.append("<ul>")
        for item in payload["articles"]:
            where = ", ".join(x for x in (item["outlet"], item["language"]) if x)
            words = sorted(
                {e["text"] for kind in item["evidence"].values() for ev in kind.values()
                 for e in ev}
            )  # fmt: skip
            title = esc(item["title"])
            link = item["link"] or ""
            if link.startswith(("http://", "https://")):
                title = f'<a href="{esc(link)}">{title}</a>'
            evidence = f" — evidence: {esc(', '.join(words))}" if words else ""
            parts.append(f"<li>{title} ({esc(where)}){evidence}</li>")
        parts.append("</ul>")
    parts.append(f'<p><a href="{esc(payload["view_url"])}">Open the view in Pantau</a></p>')
    return "\n".join(parts)


def alert_payload(
    watch: WatchRow,
    trigger: str,
    headline: str,
    count: int,
    items: list[dict[str, Any]],
    spike: dict[str, Any] | None,
) -> dict[str, Any]:
    payload = {
        "watch": watch.name,
        "trigger": trigger,
        "headline": headline,
        "counts": {"articles": count, "shown": len(items)},
        "spike": spike,
        "articles": items,
        "view_url": view_url(watch),
        "feed_url": feed_url(watch),
    }
    payload["text"] = _text(payload)
    return payload


def _channels(watch: WatchRow) -> tuple[tuple[str, str], ...]:
    channels = []
    if watch.webhook_url:
        channels.append(("webhook", watch.webhook_url))
    if watch.email:
        channels.append(("email", watch.email))
    return tuple(channels)


def alert_draft(
    watch: WatchRow, key: str, payload: dict[str, Any], ids: tuple[int, ...] = ()
) -> store.AlertDraft:
    return store.AlertDraft(
        watch_id=watch.id,
        key=key,
        trigger=payload["trigger"],
        title=payload["headline"],
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        article_ids=ids,
        channels=_channels(watch),
    )


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class EvaluationSummary:
    watches: int = 0
    alerts: list[int] = field(default_factory=list)
    alerted: set[int] = field(default_factory=set)  # ids of the watches with new alerts
    seconds: float = 0.0

    def line(self) -> str:
        return f"{self.watches} watch(es) evaluated: {len(self.alerts)} new alert(s)"


def spike_today(
    engine: Engine, watch: WatchRow, now: datetime, *, first_id: int | None = None
) -> dict[str, Any]:
    """Today's point of the watch's series with its spike score (the Coverage chart's: the
    point ``coverage_series`` ends on, read from the baseline's days and today only).
    ``first_id``: ``first_id_since`` the baseline's first day, read once per cycle."""
    f = watch_filters(watch, now.date(), now.date())
    return spike_words(watch, f, spike_point(engine, f, first_id=first_id))


def spike_words(watch: WatchRow, f: Filters, point: SpikePoint) -> dict[str, Any]:
    """A watch's spike point (of its filters ``f`` today) as an alert tells it."""
    expected, score, observed = point.expected, point.score, point.articles
    fired = score >= watch.spike_threshold and observed >= SPIKE_MIN_ARTICLES
    explanation = (
        f"{describe(f)}: {observed} article(s) today against {expected:.1f} a day expected "
        f"from the previous {BASELINE_DAYS} days — spike score {score:.1f}; this watch fires "
        f"at {watch.spike_threshold:g} or more with at least {SPIKE_MIN_ARTICLES} articles."
    )
    return {
        "day": point.day.isoformat(),
        "articles": observed,
        "expected": round(expected, 2),
        "score": round(score, 2),
        "threshold": watch.spike_threshold,
        "fired": bool(fired),
        "explanation": explanation,
        "rule": SPIKE_EXPLANATION,
    }


def _since(moment: datetime | None, fallback: datetime, floor: datetime) -> datetime:
    """REVISIT before ``moment`` (or ``fallback`` when there is none), not before ``floor``."""
    return max(moment - REVISIT if moment is not None else fallback, floor)


def _windows(watch: WatchRow, now: datetime) -> tuple[datetime, datetime]:
    """Since when a watch's digest, and its last evaluation, look for fetched articles."""
    floor = now - timedelta(days=MATCH_MAX_AGE_DAYS)  # older fetches were published earlier
    since_digest = _since(watch.last_digest_at, watch.created_at, floor)
    since_eval = _since(watch.last_evaluated_at, watch.created_at, floor)
    if watch.last_evaluated_at is None or watch.updated_at > watch.last_evaluated_at:
        since_eval = since_digest  # new or edited: everything it could match is new to it
    return since_digest, since_eval


def _fetched_after(fresh: list[tuple[int, datetime]], since: datetime) -> list[int]:
    return [i for i, fetched in fresh if fetched >= since]


def _may_spike(cycle: Cycle, watch: WatchRow) -> bool:
    """Whether today's count could make a spike at all: the score never exceeds the count
    (the expected count is never negative), so a day below the threshold, or below
    SPIKE_MIN_ARTICLES, is settled by one day's count instead of the whole baseline."""
    today = cycle.now.date()
    f = watch_filters(watch, today, today)
    observed = day_count(cycle.engine, f, first_id=cycle.first_id_since(today))
    return observed >= max(SPIKE_MIN_ARTICLES, watch.spike_threshold)


@dataclass
class Cycle:
    """What one evaluation of every watch reads once for all of them."""

    engine: Engine
    now: datetime
    fresh: list[tuple[int, datetime]]  # (id, fetched_at) of the articles fetched lately

    first_ids: dict[date, int | None] = field(default_factory=dict)

    def first_id_since(self, day: date) -> int | None:
        """``first_id_since(day)``, read once a cycle (today's, the spike baseline's first
        day's), when a watch first needs it."""
        if day not in self.first_ids:
            self.first_ids[day] = first_id_since(self.engine, day)
        return self.first_ids[day]


@dataclass
class _Plan:
    """What a watch's evaluation reads before it holds the watch: the articles to digest (if
    one is due), whether one of them is new since its last evaluation, and its spike."""

    watch: WatchRow
    candidates: list[int]
    new_match: bool
    due: bool
    spike_key: str
    spike: dict[str, Any] | None = None
    failed: bool = False


def _plan(cycle: Cycle, watch: WatchRow) -> _Plan | None:
    """The reads of a watch's evaluation but its spike (``_score_spikes``); None when nothing
    arrived since its last evaluation and no match waits for a digest: the common case, no
    query."""
    engine, now, fresh = cycle.engine, cycle.now, cycle.fresh
    today = now.date()
    match_filter = watch_filters(watch, today - timedelta(days=MATCH_MAX_AGE_DAYS), today)
    since_digest, since_eval = _windows(watch, now)
    arrived = _fetched_after(fresh, since_eval)
    if not arrived and watch.pending_since is None:
        return None
    last = watch.last_digest_at
    due = last is None or now - last >= timedelta(minutes=watch.digest_minutes)
    candidates: list[int] = []
    # New matches are those it has not alerted on (those it has are seen again for REVISIT).
    if due:
        candidates = matching(
            engine, _fetched_after(fresh, since_digest), match_filter, unalerted_by=watch.id
        )
        new_match = not set(candidates).isdisjoint(arrived)
    else:
        new_match = bool(arrived) and bool(
            matching(engine, arrived, match_filter, unalerted_by=watch.id, limit=1)
        )
    return _Plan(watch, candidates, new_match, due, f"spike:{watch.id}:{today.isoformat()}")


def _score_spikes(cycle: Cycle, plans: list[_Plan]) -> None:
    """The spike of each watch that can have one now: a new match since its last evaluation
    (without a new article today's count cannot grow) and no spike alert recorded today (it
    is sent once a day). The watches the roll-ups answer are read together
    (``rolled_spike_points``: one query per aggregate and filters they carry), and so are
    those of a country (or pair) and a topic (``tagged_spike_points``: one join of the tag
    tables per shape and filters); each other reads today's count, and the baseline only when
    that count could make a spike."""
    engine, today = cycle.engine, cycle.now.date()
    asking = []
    for plan in plans:
        try:
            if plan.new_match and not alert_exists(engine, plan.spike_key):
                asking.append(plan)
        except Exception:  # a bug or a bad watch must not stop the others
            log.exception("evaluating watch %r failed", plan.watch.name)
            plan.failed = True
    views = [watch_filters(p.watch, today, today) for p in asking]
    together: dict[int, SpikePoint] = {}
    try:
        if asking:
            together = rolled_spike_points(engine, views)
            first_id = cycle.first_id_since(today - timedelta(days=BASELINE_DAYS))
            together |= tagged_spike_points(engine, views, first_id)
    except Exception:  # each watch is then scored by itself
        log.exception("reading the spikes of %d watches together failed", len(views))
        together = {}
    for n, (plan, f) in enumerate(zip(asking, views, strict=True)):
        try:
            point = together.get(n)
            if point is None:
                if not _may_spike(cycle, plan.watch):
                    continue
                first_id = cycle.first_id_since(today - timedelta(days=BASELINE_DAYS))
                point = spike_point(engine, f, first_id=first_id)
            plan.spike = spike_words(plan.watch, f, point)
        except Exception:  # a bug or a bad watch must not stop the others
            log.exception("scoring the spike of watch %r failed", plan.watch.name)
            plan.failed = True


def _digest_items(engine: Engine, plans: list[_Plan]) -> Callable[[list[int]], list[dict]]:
    """The articles a digest lists (``_articles_payload``), read at once for every watch's
    candidates: a digest's ids are its candidates, or fewer when another evaluator took some
    meanwhile (then the missing are read)."""
    wanted = sorted({i for p in plans for i in p.candidates[-TOP_ARTICLES:]})
    known = article_items(engine, articles_by_id(engine, wanted)) if wanted else []
    by_id = {item["id"]: item for item in known}  # newest first, as ``articles_by_id``

    def items(ids: list[int]) -> list[dict]:
        shown = set(ids[-TOP_ARTICLES:])
        if not shown <= by_id.keys():
            return _articles_payload(engine, ids)
        return [item for i, item in by_id.items() if i in shown]

    return items


def _record(
    cycle: Cycle, plan: _Plan, items: Callable[[list[int]], list[dict]]
) -> tuple[list[int], bool]:
    """Record what a watch's plan alerts on, under the watch's lock: the ids of the alerts it
    recorded, and whether matches wait for a digest not due."""
    engine, now, watch = cycle.engine, cycle.now, plan.watch
    today = now.date()
    spike, candidates, spike_key = plan.spike, plan.candidates, plan.spike_key
    want_spike = bool(spike and spike["fired"])
    if not candidates and not want_spike:
        return [], plan.new_match and not plan.due
    recorded: list[int] = []
    with store.locked_watch(engine, watch.id) as (conn, current):
        if current is None or current.paused:
            return [], False
        digest = False
        if candidates:
            # Again under the lock: another evaluator may have taken some, or sent the digest.
            # (The candidates matched the filters just now: what is left to ask is which are
            # still stored and not alerted on, not the filters' tags and text again.)
            ids = matching(conn, candidates, ANY_ARTICLE, unalerted_by=watch.id)
            last = current.last_digest_at
            still_due = last is None or now - last >= timedelta(minutes=watch.digest_minutes)
            if ids and still_due:
                n = len(ids)
                headline = f"{watch.name}: {n} new article{'s' if n != 1 else ''}"
                payload = alert_payload(watch, "digest", headline, n, items(ids), None)
                key = f"digest:{watch.id}:{ids[0]}-{ids[-1]}"
                alert_id = store.record_alert(
                    conn, alert_draft(watch, key, payload, tuple(ids)), now
                )
                if alert_id is not None:
                    recorded.append(alert_id)
                    digest = True
        if want_spike and spike is not None:
            spike_filter = watch_filters(watch, today, today)
            rows = list_articles(engine, spike_filter, limit=TOP_ARTICLES)
            headline = f"{watch.name}: spike, {spike['articles']} articles today"
            payload = alert_payload(
                watch, "spike", headline, spike["articles"], article_items(engine, rows), spike
            )
            alert_id = store.record_alert(conn, alert_draft(watch, spike_key, payload), now)
            if alert_id is not None:
                recorded.append(alert_id)
        store.mark_evaluated(conn, watch.id, now, digest=digest)
    return recorded, False


def evaluate_all(engine: Engine, now: datetime | None = None) -> EvaluationSummary:
    """Evaluate every watch that is not paused; one failing watch never stops the others. The
    articles fetched lately are read once for all of them, then each watch's matches
    (``_plan``), the spikes of all (``_score_spikes``) and the articles of all digests
    (``_digest_items``); then each watch records its alerts under its lock (``_record``).

    Only a watch with a new match since its last evaluation (or a new or edited watch) reads
    its spike score: without a new article today's count cannot grow; nor once today's spike
    alert of the watch is recorded (it is sent once a day)."""
    import time

    began = time.monotonic()
    now = now or store.now_utc()
    summary = EvaluationSummary()
    active = [w for w in watch_list(engine) if not w.paused]
    if not active:
        return summary
    cycle = Cycle(engine, now, fetched_since(engine, min(min(_windows(w, now)) for w in active)))
    quiet: list[int] = []
    pending: list[int] = []
    plans: list[_Plan] = []
    for watch in active:
        summary.watches += 1
        try:
            plan = _plan(cycle, watch)
        except Exception:  # a bug or a bad watch must not stop the others
            log.exception("evaluating watch %r failed", watch.name)
            continue
        if plan is None:
            quiet.append(watch.id)
        else:
            plans.append(plan)
    _score_spikes(cycle, plans)
    plans = [p for p in plans if not p.failed]
    try:
        items = _digest_items(engine, plans)
    except Exception:  # each digest then reads its own
        log.exception("reading the articles of %d digests failed", len(plans))

        def items(ids: list[int]) -> list[dict]:
            return _articles_payload(engine, ids)

    for plan in plans:
        try:
            recorded, waiting = _record(cycle, plan, items)
        except Exception:  # a bug or a bad watch must not stop the others
            log.exception("evaluating watch %r failed", plan.watch.name)
            continue
        summary.alerts += recorded
        if recorded:
            summary.alerted.add(plan.watch.id)
        else:
            quiet.append(plan.watch.id)
            if waiting:
                pending.append(plan.watch.id)
    store.touch_watches(engine, quiet, now, pending)
    summary.seconds = time.monotonic() - began
    return summary

"""Delivering the alerts ``ingest.alerts`` records: each watch's Atom feed file (written
atomically to ``watch_feeds_dir``), the webhook POST (through the SSRF-guarded client of
``ingest.fetch``) and the email (SMTP), each delivery claimed, sent and its outcome recorded
(at least once, with a stable delivery id receivers dedupe on); and the alert cycle that
evaluates every watch and then delivers (``run_alerts``)."""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import httpx
import pandas as pd
from sqlalchemy import Engine

from ingest import config, store
from ingest.addresses import BlockedAddressError
from ingest.alerts import (
    ATOM_ENTRIES,
    DELIVERY_BATCH,
    MATCH_MAX_AGE_DAYS,
    EvaluationSummary,
    alert_draft,
    alert_html,
    alert_payload,
    article_items,
    describe_watch,
    evaluate_all,
    feed_path,
    feed_url,
    view_url,
    watch_filters,
)
from ingest.fetch import make_client
from ingest.queries import list_articles
from ingest.queries.watches import WatchRow, latest_alerts, watch_list

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Atom


ATOM_NS = "http://www.w3.org/2005/Atom"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(engine: Engine, watch: WatchRow, rows: list | None = None) -> bytes:
    """The watch's Atom feed (RFC 4287): its latest alerts, newest first (``rows``: those
    ``latest_alerts`` read for it, else read here)."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    if rows is None:
        rows = latest_alerts(engine, [watch.id], limit=ATOM_ENTRIES)[watch.id]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", f"urn:pantau:watch:{watch.slug}")
    sub(feed, "title", f"Pantau watch: {watch.name}")
    sub(feed, "subtitle", describe_watch(watch))
    updated = max(row.created_at for row in rows) if rows else watch.updated_at
    sub(feed, "updated", _stamp(pd.Timestamp(updated).to_pydatetime()))
    sub(feed, "link", rel="self", href=feed_url(watch), type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=view_url(watch), type="text/html")
    sub(sub(feed, "author"), "name", "Pantau")
    sub(feed, "generator", "Pantau")
    for row in rows:
        payload = json.loads(row.payload)
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:pantau:alert:{row.key}")
        sub(entry, "title", row.title)
        sub(entry, "updated", _stamp(pd.Timestamp(row.created_at).to_pydatetime()))
        sub(entry, "link", rel="alternate", href=payload["view_url"], type="text/html")
        sub(entry, "category", term=row.trigger)
        sub(entry, "summary", payload["text"])
        sub(entry, "content", alert_html(payload), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def write_feed(engine: Engine, watch: WatchRow, rows: list | None = None) -> Path:
    """Write the watch's Atom feed to its file (atomically: a reader never sees half);
    ``rows`` as ``atom_feed`` takes them."""
    path = feed_path(watch)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = atom_feed(engine, watch, rows)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".atom", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_feeds(engine: Engine) -> int:
    """Write every watch's Atom feed; how many."""
    watches = watch_list(engine)
    for watch in watches:
        write_feed(engine, watch)
    return len(watches)


def remove_feed(watch: WatchRow) -> None:
    feed_path(watch).unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Delivery


class DeliveryFailed(Exception):
    """A delivery that did not go through; ``permanent`` ones are not tried again."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def delivery_id(delivery: store.DeliveryRow) -> str:
    """The id a receiver dedupes on: the same for every attempt at one delivery."""
    return f"pantau-{delivery.alert_key.replace(':', '-')}-{delivery.channel}"


def send_webhook(delivery: store.DeliveryRow) -> None:
    """POST the alert's JSON to the webhook through the SSRF-guarded client."""
    body = json.loads(delivery.payload)
    body["delivery_id"] = delivery_id(delivery)
    timeout = httpx.Timeout(
        float(config.get("read_timeout")), connect=float(config.get("connect_timeout"))
    )
    headers = {
        "User-Agent": str(config.get("user_agent")),
        "Idempotency-Key": delivery_id(delivery),
        "X-Pantau-Delivery": delivery_id(delivery),
    }
    try:
        with make_client(max_connections=1) as client:
            response = client.post(delivery.target, json=body, headers=headers, timeout=timeout)
    except BlockedAddressError as exc:
        raise DeliveryFailed(f"blocked_address: {exc}", permanent=True) from None
    except httpx.HTTPError as exc:
        cause: BaseException = exc
        while cause.__cause__ is not None or cause.__context__ is not None:
            cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
            if isinstance(cause, BlockedAddressError):
                raise DeliveryFailed(f"blocked_address: {cause}", permanent=True) from None
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}")


def email_message(delivery: store.DeliveryRow, sender: str) -> EmailMessage:
    """The alert as an email: plain text and HTML, its Message-ID the delivery id."""
    payload = json.loads(delivery.payload)
    msg = EmailMessage()
    msg["Subject"] = f"[Pantau] {delivery.title}"
    msg["From"] = sender
    msg["To"] = delivery.target
    msg["Date"] = format_datetime(store.now_utc())
    domain = sender.rpartition("@")[2] or "pantau.invalid"
    msg["Message-ID"] = f"<{delivery_id(delivery)}@{domain}>"
    msg.set_content(payload["text"])
    msg.add_alternative(f"<html><body>\n{alert_html(payload)}\n</body></html>", subtype="html")
    return msg


def send_email(delivery: store.DeliveryRow) -> None:
    """Send the alert over SMTP (settings: host, port, STARTTLS/TLS/none, user, password). The
    SMTP server is the operator's own setting, so it is not held to the SSRF guard."""
    host = str(config.get("smtp_host"))
    if not host:
        raise DeliveryFailed("email is not set up: PANTAU_SMTP_HOST is empty")
    port = int(config.get("smtp_port"))
    security = str(config.get("smtp_security"))
    timeout = float(config.get("connect_timeout")) + float(config.get("read_timeout"))
    msg = email_message(delivery, str(config.get("smtp_from")))
    try:
        if security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            user = str(config.get("smtp_user"))
            if user:
                smtp.login(user, str(config.get("smtp_password")))
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(f"recipient refused: {exc}", permanent=True) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None


SENDERS = {"webhook": send_webhook, "email": send_email}


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery_id: int
    channel: str
    target: str
    status: str
    error: str | None


def deliver_due(
    engine: Engine, *, worker: str | None = None, alert_ids: list[int] | None = None
) -> list[DeliveryOutcome]:
    """Claim and send every due delivery (of ``alert_ids`` only, when given), recording each
    outcome; returns them."""
    from ingest.scheduler import default_worker_id

    worker = worker or default_worker_id()
    lease = timedelta(seconds=float(config.get("alert_lease_seconds")))
    retry_base = timedelta(seconds=float(config.get("alert_retry_seconds")))
    max_attempts = int(config.get("alert_max_attempts"))
    outcomes: list[DeliveryOutcome] = []
    seen: set[int] = set()
    while True:
        claimed = store.claim_deliveries(
            engine,
            now=store.now_utc(),
            worker=worker,
            lease=lease,
            limit=DELIVERY_BATCH,
            alert_ids=alert_ids,
        )
        claimed = [d for d in claimed if d.id not in seen]
        if not claimed:
            return outcomes
        for delivery in claimed:
            seen.add(delivery.id)
            error: str | None = None
            attempts = delivery.attempts
            try:
                SENDERS[delivery.channel](delivery)
            except DeliveryFailed as exc:
                error = str(exc)
                if exc.permanent:
                    attempts = max_attempts
            except Exception as exc:  # our bug: recorded on the delivery, retried later
                log.exception("delivery %s failed", delivery.id)
                error = f"internal error: {exc!r}"
            status = store.finish_delivery(
                engine,
                delivery.id,
                worker=worker,
                now=store.now_utc(),
                error=error,
                attempts=attempts,
                retry_base=retry_base,
                max_attempts=max_attempts,
            )
            outcomes.append(
                DeliveryOutcome(delivery.id, delivery.channel, delivery.target, status, error)
            )


def send_test(engine: Engine, watch: WatchRow) -> list[DeliveryOutcome]:
    """Record and deliver a test alert for ``watch`` now (its latest matches as the content)."""
    now = store.now_utc()
    today = now.date()
    rows = list_articles(
        engine, watch_filters(watch, today - timedelta(days=MATCH_MAX_AGE_DAYS), today), limit=3
    )
    headline = f"{watch.name}: test message from Pantau"
    payload = alert_payload(watch, "test", headline, len(rows), article_items(engine, rows), None)
    key = f"test:{watch.id}:{now.strftime('%Y%m%dT%H%M%S.%fZ')}"
    with store.locked_watch(engine, watch.id) as (conn, _current):
        alert_id = store.record_alert(conn, alert_draft(watch, key, payload), now)
    write_feed(engine, watch)
    return deliver_due(engine, alert_ids=[alert_id] if alert_id is not None else [])


@dataclass
class CycleSummary:
    evaluation: EvaluationSummary
    deliveries: list[DeliveryOutcome]

    def line(self) -> str:
        sent = sum(d.status == "sent" for d in self.deliveries)
        failed = len(self.deliveries) - sent
        return (
            f"{self.evaluation.line()}; {len(self.deliveries)} deliveries: {sent} sent, "
            f"{failed} failed in {self.evaluation.seconds:.2f} s of evaluation"
        )


def run_alerts(engine: Engine, *, worker: str | None = None) -> CycleSummary:
    """One alert cycle: evaluate every watch, write the Atom feeds that changed (or are
    missing), deliver what is due."""
    evaluation = evaluate_all(engine)
    stale = [
        w for w in watch_list(engine) if w.id in evaluation.alerted or not feed_path(w).exists()
    ]
    latest = latest_alerts(engine, [w.id for w in stale], limit=ATOM_ENTRIES)
    for watch in stale:
        try:
            write_feed(engine, watch, latest[watch.id])
        except OSError:
            log.exception("writing the feed of watch %r failed", watch.name)
    return CycleSummary(evaluation, deliver_due(engine, worker=worker))

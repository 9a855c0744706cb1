"""Every setting of Pantau, declared once: name, default, help.

Settings are read from the environment (``PANTAU_*``). The README's configuration table is
generated from ``SETTINGS`` (``python -m ingest settings --markdown``) and a test keeps the two in
step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {value!r}")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return lowered

    return parse


SECRET_SETTINGS = frozenset({"smtp_password"})  # never printed by `settings`


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "PANTAU_" + self.name.upper()

    def read(self, environ: Mapping[str, str] | None = None) -> Any:
        source: Mapping[str, str] = os.environ if environ is None else environ
        raw = source.get(self.env)
        if raw is None or raw == "":
            return self.default
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{self.env}: {exc}") from exc


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        f"sqlite:///{PROJECT_ROOT / 'data' / 'pantau.db'}",
        "SQLAlchemy URL of the store. SQLite file under data/ by default; "
        "postgresql+psycopg://user:pass@host/db for the scale path.",
    ),
    Setting(
        "feeds_file",
        str(PACKAGE_DATA / "feeds.toml"),
        "The feed catalogue (TOML) loaded into the store on first use and by `poll`/`run`.",
    ),
    Setting(
        "seed_demo",
        True,
        "Seed an empty store from the bundled demo snapshots when the dashboard starts.",
        _bool,
    ),
    Setting(
        "background_poll",
        False,
        "Run the poller in a thread inside the dashboard process (one per server).",
        _bool,
    ),
    Setting(
        "poll_interval_minutes",
        30,
        "How often a healthy feed is polled.",
        int,
    ),
    Setting(
        "max_backoff_hours",
        24,
        "Cap on the doubling back-off of a failing feed.",
        int,
    ),
    Setting(
        "suspend_after_failures",
        3,
        "Consecutive failures after which a feed is suspended until re-enabled on the Feeds page "
        "(0 never suspends; it keeps backing off instead).",
        int,
    ),
    Setting(
        "fetch_concurrency",
        16,
        "How many feeds one poller fetches at the same time.",
        int,
    ),
    Setting(
        "import_jobs",
        1,
        "Processes that parse and tag the next saved feed files while `python -m ingest import` "
        "stores the current one (0: one process does everything; more pay only with more cores).",
        int,
    ),
    Setting(
        "connect_timeout",
        10.0,
        "Seconds to establish a connection to a server (feeds, article pages, robots.txt).",
        float,
    ),
    Setting(
        "read_timeout",
        20.0,
        "Seconds to wait for any bytes from a server.",
        float,
    ),
    Setting(
        "fetch_deadline",
        60.0,
        "Overall seconds one fetch (a feed, a page, a robots.txt) may take, redirects and body "
        "included.",
        float,
    ),
    Setting(
        "max_body_bytes",
        15 * 1024 * 1024,
        "Cap on a feed's decoded body; a larger (or decompression-bomb) body is refused.",
        int,
    ),
    Setting(
        "max_page_bytes",
        5 * 1024 * 1024,
        "Cap on an article page's decoded HTML (full-text fetching); a larger page is refused.",
        int,
    ),
    Setting(
        "page_host_delay_seconds",
        2.0,
        "Least seconds between one request to a host (article page or robots.txt) ending and "
        "the next one starting; a longer robots.txt Crawl-delay wins (up to 60 s).",
        float,
    ),
    Setting(
        "page_backoff_seconds",
        60.0,
        "First pause for a host that answered 429 or 5xx without Retry-After; doubles with each "
        "further such answer, up to 64 times this.",
        float,
    ),
    Setting(
        "robots_cache_seconds",
        86400,
        "How long a host's robots.txt is kept before it is fetched again.",
        int,
    ),
    Setting(
        "enrich_after_poll",
        True,
        "`run` fetches and extracts the article pages of new articles (of feeds whose `fulltext` "
        "is on) after each poll cycle; `python -m ingest enrich` backfills.",
        _bool,
    ),
    Setting(
        "vectors_after_poll",
        True,
        "`run` after each poll cycle, `poll` and `import` once they have stored their new "
        "articles, and the dashboard after seeding its demo compute the multilingual sentence "
        "vector of each new article, linking stories across languages; `python -m ingest "
        "vectors` backfills.",
        _bool,
    ),
    Setting(
        "enrich_concurrency",
        4,
        "Article pages one enrich run fetches at the same time (different hosts; one host is "
        "only ever asked one page at a time, across every worker).",
        int,
    ),
    Setting(
        "enrich_lease_seconds",
        300,
        "How long a claimed page (and its host) stays with one enrich worker; a killed worker's "
        "pages return to the queue after it. Keep it above twice fetch_deadline.",
        int,
    ),
    Setting(
        "enrich_max_attempts",
        5,
        "Fetches of a page that failed transiently (429, 5xx, timeout, unreachable robots.txt) "
        "before it is recorded as failed for good.",
        int,
    ),
    Setting(
        "store_bodies",
        True,
        "Keep extracted article bodies in the store (article_texts.body). Off: status, length "
        "and metadata are kept and tags are still computed from the body, but the body is not "
        "stored.",
        _bool,
    ),
    Setting(
        "body_retention_days",
        0,
        "Drop stored bodies this many days after extraction (their status and length stay); "
        "0 keeps them forever. Applied by each enrich run.",
        int,
    ),
    Setting(
        "max_redirects",
        5,
        "Redirects followed per fetch.",
        int,
    ),
    Setting(
        "allow_private_addresses",
        False,
        "Allow feeds on loopback/private/link-local addresses. Off by default (SSRF guard); "
        "only for feeds on your own network and for the test suite.",
        _bool,
    ),
    Setting(
        "user_agent",
        "Pantau/0.1 (+https://github.com/pantau-news/pantau; self-hosted news monitor)",
        "User-Agent sent with every fetch; robots.txt rules are matched against it.",
    ),
    Setting(
        "cache_ttl_seconds",
        60,
        "How long the dashboard caches query results.",
        int,
    ),
    Setting(
        "export_row_limit",
        1_000_000,
        "Largest CSV export the dashboard builds in one go; larger selections are asked to narrow.",
        int,
    ),
    Setting(
        "public_url",
        "http://localhost:8501",
        "The dashboard's address as the people alerted reach it: alerts link back to the watch's "
        "view there, and the watch feeds (Atom) are served under it at /app/static/.",
    ),
    Setting(
        "watch_feeds_dir",
        str(PROJECT_ROOT / "static"),
        "Folder the watch feeds (watch-NAME.atom) are written to at each evaluation; the "
        "dashboard serves its static/ folder at /app/static/.",
    ),
    Setting(
        "smtp_host",
        "",
        "SMTP server for email alerts; empty turns email delivery off.",
    ),
    Setting(
        "smtp_port",
        587,
        "SMTP port (587 for STARTTLS, 465 for TLS, 25 for none).",
        int,
    ),
    Setting(
        "smtp_security",
        "starttls",
        "How the SMTP connection is secured: starttls, tls (implicit, port 465) or none.",
        _choice("starttls", "tls", "none"),
    ),
    Setting(
        "smtp_user",
        "",
        "SMTP user name; empty sends without logging in.",
    ),
    Setting(
        "smtp_password",
        "",
        "SMTP password (from the environment; never shown by `settings`).",
    ),
    Setting(
        "smtp_from",
        "pantau@localhost",
        "The From address of email alerts.",
    ),
    Setting(
        "alert_retry_seconds",
        60.0,
        "First pause before a failed alert delivery is tried again; doubles with each failure.",
        float,
    ),
    Setting(
        "alert_max_attempts",
        8,
        "Attempts at delivering one alert before it is given up (shown on the Watchlist page).",
        int,
    ),
    Setting(
        "alert_lease_seconds",
        300.0,
        "How long a worker holds a delivery it is sending; a delivery left 'sending' longer "
        "(its worker died) is tried again, with the same delivery id.",
        float,
    ),
    Setting(
        "tagger_cache_dir",
        str(PROJECT_ROOT / "data" / "cache"),
        "Where the tagger keeps what it builds from its data files (compiled matchers, the topic "
        "lexicon and model, language codes), one file each per tagger version, so a process is "
        "ready at once instead of building them (off: build them in every process).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, environ: dict[str, str] | None = None) -> Any:
    """The current value of setting ``name`` (read from the environment each call)."""
    try:
        setting = _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown setting {name!r}") from None
    return setting.read(environ)


def settings_markdown() -> str:
    """The README's configuration table."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = s.default
        if isinstance(default, str):  # paths in the project, as a reader's checkout has them
            default = default.replace(f"{PROJECT_ROOT}/", "")
        if isinstance(default, bool):
            default = "1" if default else "0"
        lines.append(f"| `{s.env}` | `{default}` | {s.help} |")
    return "\n".join(lines)

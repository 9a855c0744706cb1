"""Draw unlabelled Vietnamese, Malay and Hebrew news items for the topic training set.

    python -m ingest.tagging.build_training_vimshe VI_GIT_DIR MS_GIT_DIR HE_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; each is read at the commit
pinned below (``SOURCES``), so the draw is the same on every run. The command writes
``ingest/data/training/items-vimshe.jsonl``:

- ``vi`` from ``hotrung1234/news-aggregator`` (``data/news/<day>.json``, seven days of August
  2026): what a GitHub Action collected from the RSS feeds of VnExpress (its front page and its
  world, business, tech and sport feeds), Thanh Niên and Tuổi Trẻ every two hours: title,
  summary (the feed's description), link, fetch time. An item per distinct title; the
  outlet is the link's site.
- ``ms`` from ``mesolitica/malaysian-dataset`` (``news/*.json`` at the last commit that kept
  them, February 2019): Malay news articles of 2013–2018 found by keyword searches ("isu 1mdb",
  "isu pertanian", "cuti sekolah"…) and crawled with newspaper3k: title, text, date, URL, the
  publisher's name. Only the Malaysian Malay outlets (``MS_OUTLETS``, by the URL's site) and texts
  that read as Malay rather than English (``_malay``); no summary (newspaper3k's is a pick of the
  text's sentences), the text as body.
- ``he`` from ``hodayapozen/rss_project`` (``scripts/rss_raw_items_clean.csv`` at the one commit
  that kept it, December 2025): items of the RSS feeds of ynet (news and ~25 other sections),
  walla (news sections), Maariv and mako: title, description, link, date. The outlet is the
  feed's site (``HE_OUTLETS``).

Per language ``QUOTA`` items, spread over the outlets (``OUTLET_SHARE``: no outlet gets more than
its share while another has items left), drawn at random with ``SEED``. Titles already in another
item file or the dev gold are skipped (``build_training_draw.known_titles``); bodies keep
their first ``PAGE_BODY_CHARS`` characters.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import show
from ingest.tagging.build_training_draw import build_main, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-vimshe.jsonl"
KEY_PREFIX = "vimshe-"
QUOTA = {"vi": 100, "ms": 100, "he": 100}
MIN_BODY_CHARS = 200  # a Malay article shorter than this is a stub or a paywall teaser
MS_OUTLETS = frozenset({
    "utusan.com.my", "astroawani.com", "sinarharian.com.my", "malaysiakini.com", "kosmo.com.my",
    "harakahdaily.net", "hmetro.com.my", "bharian.com.my", "agendadaily.com",
})  # fmt: skip
# The feed a Hebrew item came from (ynet's car section links to its sister site icar.co.il).
HE_OUTLETS = {
    "ynet": "ynet.co.il",
    "walla": "walla.co.il",
    "maariv": "maariv.co.il",
    "mako": "mako.co.il",
}
_MALAY = frozenset({
    "yang", "dan", "di", "untuk", "dengan", "ini", "itu", "tidak", "kepada", "beliau", "katanya",
    "dalam", "telah", "akan", "oleh",
})  # fmt: skip
_ENGLISH = frozenset({"the", "and", "of", "to", "in", "is", "that", "for", "was", "with", "said"})
_TAG = re.compile(r"<[^>]+>")
csv.field_size_limit(10**9)


def _paths(repo: Path, commit: str, folder: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit, folder],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return sorted(line for line in out.splitlines() if line.endswith(".json"))


def _site(url: str | None) -> str:
    host = urlsplit(url or "").hostname or ""
    host = host.removeprefix("www.")
    parts = host.split(".")
    # news.walla.co.il → walla.co.il, m.sinarharian.com.my → sinarharian.com.my
    keep = 3 if len(parts) > 2 and parts[-2] in {"co", "com", "org", "net"} else 2
    return ".".join(parts[-keep:])


def _plain(text: str | None) -> str:
    text = _TAG.sub(" ", html.unescape(text or "").replace("\xa0", " "))
    return re.sub(r"\s+", " ", text).strip()


def _malay(text: str) -> bool:
    """True when the text has more common Malay words than common English ones."""
    words = re.findall(r"[a-z]+", text.lower()[:3000])
    return sum(w in _MALAY for w in words) > 2 * sum(w in _ENGLISH for w in words)


def _vi(repo: Path, commit: str) -> list[dict]:
    items = []
    for path in _paths(repo, commit, "data/news"):
        for row in json.loads(show(repo, path, commit)):
            items.append(
                {
                    "file": path,
                    "outlet": _site(row.get("link")),
                    "title": _plain(row.get("title")),
                    "summary": _plain(row.get("summary")),
                    "body": "",
                    "published": (row.get("published") or "")[:10] or None,
                }
            )
    return items


def _ms(repo: Path, commit: str) -> list[dict]:
    items = []
    for path in _paths(repo, commit, "news"):
        for row in json.loads(show(repo, path, commit)):
            text = (row.get("text") or "").strip()
            if not row.get("title") or len(text) < MIN_BODY_CHARS or not _malay(text):
                continue
            if _site(row.get("url")) not in MS_OUTLETS:
                continue
            date = re.fullmatch(r"(\d\d)-(\d\d)-(\d{4})", row.get("date") or "")
            items.append(
                {
                    "file": path,
                    "outlet": _site(row["url"]),
                    "title": _plain(row["title"]),
                    "summary": "",
                    "body": re.sub(r"\n{3,}", "\n\n", text),
                    "published": f"{date[3]}-{date[1]}-{date[2]}" if date else None,
                }
            )
    return items


def _he(repo: Path, commit: str) -> list[dict]:
    path = "scripts/rss_raw_items_clean.csv"
    text = show(repo, path, commit).decode("utf-8")
    return [
        {
            "file": path,
            "outlet": HE_OUTLETS[row["source"]],
            "title": _plain(row["title"]),
            "summary": _plain(row["description"]),
            "body": "",
            "published": row["published_date"][:10] or None,
        }
        for row in csv.DictReader(io.StringIO(text))
    ]


SOURCES: dict[str, tuple[str, str, Callable[[Path, str], list[dict]]]] = {
    "vi": ("hotrung1234/news-aggregator", "37665210c9343bf609963f03579f44c28581e6af", _vi),
    "ms": ("mesolitica/malaysian-dataset", "3645040af9dae4c00072c1a2ec7f30ed5ca054c0", _ms),
    "he": ("hodayapozen/rss_project", "7da9bd491f34b386f6b866467d1fe4f3ecf8bdf4", _he),
}


def _spread(by_outlet: dict[str, list[dict]], quota: int) -> dict[str, int]:
    """How many items each outlet gives: equal shares, the rest of a small outlet's share to the
    others (largest first on a tie)."""
    take = dict.fromkeys(by_outlet, 0)
    left = quota
    while left:
        open_ = [o for o in sorted(by_outlet) if take[o] < len(by_outlet[o])]
        if not open_:
            break
        for outlet in sorted(open_, key=lambda o: (take[o], -len(by_outlet[o]), o)):
            if left == 0:
                break
            take[outlet] += 1
            left -= 1
    return take


def draw(repos: dict[str, Path]) -> list[dict]:
    known = known_titles(OUT)
    rng = random.Random(SEED)
    items: list[dict] = []
    for language, (repository, commit, read) in SOURCES.items():
        by_outlet: dict[str, list[dict]] = {}
        for item in read(repos[language], commit):
            folded = normalise_title(item["title"])
            if not folded or folded in known or not (item["summary"] or item["body"]):
                continue
            known.add(folded)
            by_outlet.setdefault(item["outlet"], []).append(item)
        take = _spread(by_outlet, QUOTA[language])
        chosen = [it for o in sorted(by_outlet) for it in rng.sample(by_outlet[o], take[o])]
        rng.shuffle(chosen)
        for item in chosen:
            number = len(items)
            items.append(
                item_row(
                    KEY_PREFIX,
                    number,
                    f"{repository}:{item['file']}@{commit}",
                    language,
                    item,
                    published=item["published"],
                )
            )
    return items


def main(argv: list[str]) -> int:
    return build_main(
        argv,
        __doc__.strip().splitlines()[2],
        OUT,
        lambda *repos: draw(dict(zip(SOURCES, repos, strict=True))),
        len(SOURCES),
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

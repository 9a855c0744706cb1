"""Draw unlabelled Italian and Turkish news items of outlets the training set lacked.

    python -m ingest.tagging.build_training_ittr2 IT_GIT_DIR TR_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes
``ingest/data/training/items-ittr2.jsonl``. The first Italian and Turkish draw
(``build_training_ittr``) took one outlet a language (Italian Wikinews, Sözcü), so the
cross-validation fold of each language tested a model that had not seen it; this draw adds
other outlets.

- Italian (``it``): the Italian top headlines that ``andrewfromtver/news_ag`` (a news bot) saved
  from the NewsAPI service in May 2021 (``app-data/news_it.js``, rewritten a few times a day; every
  version of the file in the history up to ``IT_COMMIT`` is read, the oldest first, and an article
  is taken from the first version that has it). NewsAPI gives the headline with " - <site name>"
  appended (cut here), the site's description (``summary``) and the first 200 characters of the
  text followed by "… [+N chars]" (the marker is cut; the rest is the ``body``). Google News
  redirects (no site) are left out.
- Turkish (``tr``): the news entries that ``selimfirat/turkish-news-analytics`` (a student
  project) collected from Turkish news sites' RSS feeds in 2017-2018
  (``sentiment-classification-mapreduce/news.json``, one Cloud Datastore entity a line): title,
  the feed's description with its HTML removed (``summary``) and, for the few entries its parser
  fetched, the page's text (``body``). ``feedproxy.google.com`` entries (no site) are left out.

Outlets already in the set for the language (``_KNOWN``) are left out; of the rest an item needs
at least ``MIN_TEXT_CHARS`` characters of title, summary and body together, and at most
``PER_OUTLET`` items of one outlet are drawn (``PER_LANGUAGE`` a language, at random). Titles
already in another item file or the dev gold are skipped, as are repeated titles and repeated
openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshots must
be at the pinned commits: the same items on every run.
"""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    draw_per_outlet,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-ittr2.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = 10
PER_LANGUAGE = 80

IT_REPOSITORY = "andrewfromtver/news_ag"
IT_COMMIT = "cfbd4b944db37f16c2af36c059b66be25a2ba1e2"
IT_PATH = "app-data/news_it.js"

TR_REPOSITORY = "selimfirat/turkish-news-analytics"
TR_COMMIT = "78738703bc721eccc9ee49117a7667752e5e6336"
TR_PATH = "sentiment-classification-mapreduce/news.json"

# Outlets with items in the set before this draw (and sites without an outlet of their own).
_KNOWN = {
    "it": {"corriere.it", "ilgiornale.it", "repubblica.it", "lastampa.it", "tcnewsnet.com"},
    "tr": {"aa.com.tr", "haberturk.com", "ntv.com.tr", "sozcu.com.tr"},
}
_SECOND_LEVEL = {"com", "org", "gov", "co", "net", "gen"}
_NO_OUTLET = {"google.com"}  # news.google.com redirects, feedproxy.google.com
_TRUNCATED = re.compile(r"\s*…\s*\[\+\d+ chars\]\s*$")


def _site(url: str | None) -> str:
    """The site's domain without its subdomains (sport.sky.it and tg24.sky.it are sky.it,
    video.corriere.it is corriere.it), three labels under a second-level suffix (.com.tr)."""
    labels = (urlsplit(url or "").hostname or "").lower().split(".")
    keep = 3 if len(labels) > 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _versions(repo: Path, path: str) -> list[str]:
    """The commits up to ``IT_COMMIT`` that changed ``path``, the oldest first."""
    log = ["git", "-C", str(repo), "log", "--format=%H", "--reverse", IT_COMMIT, "--", path]
    return subprocess.run(log, capture_output=True, text=True, check=True).stdout.split()


def _it_items(repo: Path, path: str = IT_PATH) -> list[dict]:
    """Every article of every version of the headlines file at ``path`` (the Italian one unless
    told), each once (by its URL)."""
    items, seen = [], set()
    for commit in _versions(repo, path):
        try:
            text = show(repo, path, commit).decode("utf-8")
        except subprocess.CalledProcessError:  # the commit that deleted the file
            continue
        data = json.loads(text[text.index("{") :].rstrip().rstrip(";"))
        for article in data["articles"]:
            url = article.get("url") or ""
            if url in seen:
                continue
            seen.add(url)
            name = (article.get("source") or {}).get("name") or ""
            title = flat(article.get("title") or "")
            head, dash, tail = title.rpartition(" - ")
            if dash and head and len(tail) <= 40:
                title = head
            items.append(
                {
                    "title": title,
                    "summary": flat(article.get("description") or ""),
                    "body": flat(_TRUNCATED.sub("", article.get("content") or "")),
                    "outlet": _site(url),
                    "published": article.get("publishedAt") or "",
                    "file": f"{IT_REPOSITORY}:{path}@{commit}",
                    "site_name": name,
                }
            )
    return items


def _text(value: str) -> str:
    """A feed field as plain text: entities decoded (twice, the feeds escaped them twice) and
    tags removed."""
    value = html.unescape(value or "")
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", value)))


def _tr_items(repo: Path) -> list[dict]:
    """Every entry of the Turkish feeds file, in file order."""
    items = []
    for line in show(repo, TR_PATH, TR_COMMIT).decode("utf-8-sig").splitlines():
        if not line.strip():
            continue
        fields = json.loads(line)["properties"]
        value = {name: next(iter(field.values())) for name, field in fields.items()}
        body = "\n".join(flat(part) for part in (value.get("text") or "").splitlines())
        items.append(
            {
                "title": _text(value.get("title") or ""),
                "summary": _text(value.get("description") or ""),
                "body": body.strip(),
                "outlet": _site(value.get("link")),
                "published": value.get("published") or "",
                "file": f"{TR_REPOSITORY}:{TR_PATH}@{TR_COMMIT}",
            }
        )
    return items


def draw(it_repo: Path, tr_repo: Path) -> list[dict]:
    """The ``ittr2`` items (module docstring): Italian first, then Turkish."""
    for repo, pinned in ((it_repo, IT_COMMIT), (tr_repo, TR_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    chosen = []
    for language, items in (("it", _it_items(it_repo)), ("tr", _tr_items(tr_repo))):
        skip = _KNOWN[language] | _NO_OUTLET
        fresh = fresh_of_outlets(items, skip, MIN_TEXT_CHARS, titles, openings)
        chosen += [
            (language, item) for item in draw_per_outlet(fresh, PER_LANGUAGE, PER_OUTLET, rng)
        ]
    return [
        item_row("ittr2-", number, item["file"], language, item, published=item["published"])
        for number, (language, item) in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

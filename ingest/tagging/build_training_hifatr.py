"""Draw unlabelled Turkish, Persian and Hindi news items of outlets the training set lacked.

    python -m ingest.tagging.build_training_hifatr TR_GIT_DIR FA_GIT_DIR HI_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes
``ingest/data/training/items-hifatr.jsonl``. The set's Turkish items came from Sözcü and a
2017-2018 feed collection (``ittr``, ``ittr2``), its Persian ones from Fars News, Varzesh3,
Hamshahri and Radio Farda (``hifa``, ``hifa2``), its Hindi ones from BBC Hindi and four papers'
Covid-19 coverage (``hifa2``); this draw adds outlets it had no item of.

- Turkish (``tr``): ``abdullahrs/tr-financial-news-testset`` (MIT), a test set for entity
  extraction from Turkish financial news: ``data/raw/*.json``, one article a file (title, the
  page's text as one paragraph, the site as ``source``, the article's URL, its date), 200
  articles of bigpara.hurriyet.com.tr, bloomberght.com, cnbce.com and tr.euronews.com (2016-2025)
  and one each of haberturk.com and investing.com. There is no lead, so ``summary`` is empty and
  the text is the ``body``. The ``outlet`` is the site's domain without subdomains
  (bigpara.hurriyet.com.tr is hurriyet.com.tr, tr.euronews.com is euronews.com). Most
  Bloomberg HT titles begin with the site's section name ("Haberler"), scraped with them: cut.

- Persian (``fa``): the sample articles that ``farzadjannati/Improving-Persian-News-Headline-Generation``
  (MIT; a headline-generation study) crawled in Mordad-Shahrivar 1404 (August-September 2025)
  and keeps as ``DataCrawling/SampleGoldData/news_<site>_20_LLM_Tagged.csv``, 20 a site: title,
  lead (``introtext``, the ``summary``), text (``text``, the ``body``; its "[n]" marks are
  line breaks), the site's section, date and URL. The study's machine-written headlines (GPT-5,
  Gemini) are not used. Of its four sites Hamshahri Online is already in the set; borna.news,
  khabaronline.ir and tasnimnews.com are drawn, ``FA_COUNT`` of their 60 articles at random.
- Hindi (``hi``): the two Hindi fixtures of ``Rp-sushil/Another_News_App`` (a news-app student
  project; no licence file), ``cypress/fixtures/hi_head.json`` and ``hi_search.json``: the
  answers of the GNews service (top headlines and a search, January 2021) with title,
  description (``summary``), the first ~260 characters of the text followed by "... [N chars]"
  (the marker and a character the service cut in two are dropped; the rest is the ``body``), the
  article's URL and date. Every article of a new outlet is taken, each once.

Outlets already in the set for the language (``_KNOWN``) are left out; of the rest an item needs
at least ``MIN_TEXT_CHARS`` characters of title, summary and body together. Turkish: ``PER_OUTLET``
items of each outlet with at least that many are drawn at random; Persian: ``FA_COUNT`` of the
pool at random; Hindi: all (no topic or section filter). Turkish items come first, then Persian,
then Hindi.
Titles already in another item file or the dev gold are skipped, as are repeated titles and
repeated openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the
snapshot must be at the pinned commit: the same items on every run.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    item_row,
    known_openings,
    known_titles,
    opening_of,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-hifatr.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = 10

TR_REPOSITORY = "abdullahrs/tr-financial-news-testset"
TR_COMMIT = "a5b87dfac7debe9f6f95dc913069aac555810bd8"
TR_DIR = "data/raw/"

FA_REPOSITORY = "farzadjannati/Improving-Persian-News-Headline-Generation"
FA_COMMIT = "68785cc38f3207a44bfa24154d17e2b578b20a56"
FA_DIR = "DataCrawling/SampleGoldData/"
FA_COUNT = 40

HI_REPOSITORY = "Rp-sushil/Another_News_App"
HI_COMMIT = "c31968ef37ceea1a131b63aecadc875390687152"
HI_PATHS = ("cypress/fixtures/hi_head.json", "cypress/fixtures/hi_search.json")
_CUT = re.compile(r"\W*\.\.\. \[\d+ chars\]\s*$")

# Turkish outlets with items in the set before this draw.
_KNOWN = {
    "tr": {
        "aa.com.tr", "aljazeera.com.tr", "balkangunlugu.com", "baskahaber.org", "bbc.co.uk",
        "cnnturk.com", "cumhuriyet.com.tr", "dipnot.tv", "dunya.com", "haberturk.com",
        "inadinahaber.org", "milliyet.com.tr", "ntv.com.tr", "objektifhaber.com",
        "oncevatan.com.tr", "presshaber.com", "sansursuz.com", "sozcu.com.tr", "spothaber.com",
        "turkiyegazetesi.com.tr", "ulusal.com.tr", "yakinplan.com", "yenicaggazetesi.com.tr",
        "yenimesaj.com.tr", "yurtgazetesi.com.tr",
    },
    "fa": {"farsnews.ir", "hamshahrionline.ir", "radiofarda.com", "varzesh3.com"},
    "hi": {
        "amarujala.com", "bbc.com", "bhaskar.com", "jagran.com", "navbharattimes.indiatimes.com",
        "prabhatkhabar.com",
    },
}  # fmt: skip
_SECOND_LEVEL = {"com", "org", "gov", "co", "net", "gen"}
# Bloomberg HT's section name, scraped with its titles.
_SECTION = re.compile(r"^haberler\s+", re.IGNORECASE)


def _site(url: str | None) -> str:
    """The site's domain without its subdomains, three labels under a second-level suffix
    (bigpara.hurriyet.com.tr is hurriyet.com.tr)."""
    labels = (urlsplit(url or "").hostname or "").lower().split(".")
    keep = 3 if len(labels) > 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _tr_items(repo: Path) -> list[dict]:
    """Every article of the Turkish set, in the order of its file names."""
    listing = ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", TR_COMMIT, TR_DIR]
    paths = sorted(subprocess.run(listing, capture_output=True, text=True, check=True).stdout.split())  # fmt: skip
    items = []
    for path in paths:
        if not path.endswith(".json"):
            continue
        article = json.loads(show(repo, path, TR_COMMIT).decode("utf-8"))
        items.append(
            {
                "title": _SECTION.sub("", flat(article.get("title") or "")),
                "summary": "",
                "body": flat(article.get("content") or ""),
                "outlet": _site(article.get("url")),
                "published": article.get("date") or "",
                "file": f"{TR_REPOSITORY}:{path}@{TR_COMMIT}",
            }
        )
    return items


def _fa_items(repo: Path) -> list[dict]:
    """Every article of the Persian sample files, file by file in name order."""
    listing = ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", FA_COMMIT, FA_DIR]
    paths = sorted(subprocess.run(listing, capture_output=True, text=True, check=True).stdout.split("\n"))  # fmt: skip
    items = []
    for path in paths:
        if not path.endswith(".csv"):
            continue
        text = show(repo, path, FA_COMMIT).decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(text)):
            lines = (row.get("text") or "").replace("[n]", "\n").splitlines()
            body = "\n".join(line for line in (flat(line) for line in lines) if line)
            items.append(
                {
                    "title": flat(row.get("title") or ""),
                    "summary": flat(row.get("introtext") or ""),
                    "body": body,
                    "outlet": _site(row.get("url")),
                    "published": flat(row.get("date") or ""),
                    "section": flat(row.get("category") or ""),
                    "file": f"{FA_REPOSITORY}:{path}@{FA_COMMIT}",
                }
            )
    return items


def _host(url: str | None) -> str:
    """The site a Hindi article belongs to: its host without "www." (zeenews.india.com, not the
    india.com of every Zee site), a known newspaper's registrable domain (navbharattimes is
    navbharattimes.indiatimes.com, as in the set), khabar.ndtv.com as ndtv.com."""
    host = (urlsplit(url or "").hostname or "").lower().removeprefix("www.")
    return "ndtv.com" if host.endswith(".ndtv.com") else host


def _hi_items(repo: Path) -> list[dict]:
    """Every article of the two Hindi fixtures, the first file first, each URL once."""
    items, seen = [], set()
    for path in HI_PATHS:
        for article in json.loads(show(repo, path, HI_COMMIT).decode("utf-8", "replace"))["articles"]:  # fmt: skip
            url = article.get("url") or ""
            if url in seen:
                continue
            seen.add(url)
            body = _CUT.sub("", (article.get("content") or "").replace("\ufffd", ""))
            items.append(
                {
                    "title": flat(article.get("title") or ""),
                    "summary": flat(article.get("description") or ""),
                    "body": flat(body),
                    "outlet": _host(url),
                    "published": article.get("publishedAt") or "",
                    "file": f"{HI_REPOSITORY}:{path}@{HI_COMMIT}",
                }
            )
    return items


def _fresh(items: list[dict], language: str, titles: set[str], openings: set[str]) -> list[dict]:
    """Items of new outlets with enough text, whose title and opening are new."""
    fresh = []
    for item in items:
        outlet = item["outlet"]
        if not outlet or outlet in _KNOWN[language]:
            continue
        length = len(item["title"]) + len(item["summary"]) + len(item["body"])
        folded, opening = normalise_title(item["title"]), opening_of(item)
        if not folded or folded in titles or opening in openings or length < MIN_TEXT_CHARS:
            continue
        titles.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def _draw(items: list[dict], rng: random.Random) -> list[dict]:
    """``PER_OUTLET`` items of each outlet that has as many, the outlets in name order."""
    chosen = []
    for outlet in sorted({item["outlet"] for item in items}):
        mine = [item for item in items if item["outlet"] == outlet]
        if len(mine) >= PER_OUTLET:
            chosen += rng.sample(mine, PER_OUTLET)
    return chosen


def draw(tr_repo: Path, fa_repo: Path, hi_repo: Path) -> list[dict]:
    """The ``hifatr`` items (module docstring): Turkish first, then Persian, then Hindi."""
    for repo, pinned in ((tr_repo, TR_COMMIT), (fa_repo, FA_COMMIT), (hi_repo, HI_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    chosen = [("tr", item) for item in _draw(_fresh(_tr_items(tr_repo), "tr", titles, openings), rng)]  # fmt: skip
    fa_pool = _fresh(_fa_items(fa_repo), "fa", titles, openings)
    chosen += [("fa", item) for item in rng.sample(fa_pool, min(FA_COUNT, len(fa_pool)))]
    chosen += [("hi", item) for item in _fresh(_hi_items(hi_repo), "hi", titles, openings)]
    return [
        item_row(
            "hifatr-",
            number,
            item["file"],
            language,
            item,
            published=item["published"],
            **({"section": item["section"]} if item.get("section") else {}),
        )
        for number, (language, item) in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 3)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

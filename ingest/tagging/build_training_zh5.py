"""Draw unlabelled Chinese news of outlets new to the topic training set (round 5).

    python -m ingest.tagging.build_training_zh5 NEWS_AG_GIT_DIR TAIWAN_GIT_DIR

The arguments are clones (or bare mirrors) of ``andrewfromtver/news_ag`` and
``JamesLiao714/TaiwanNewsCrawler`` at the pinned commits below; the command writes
``ingest/data/training/items-zh5.jsonl``. Chinese had Chinese Wikipedia, DW, BBC, Tencent News,
the New York Times and a few single pages (people.com.cn, sohu.com, news.cn...) in the set; these
items come from other outlets, mainland and Taiwanese.

- Mainland (and RFI Chinese): the Chinese top headlines that the news bot ``news_ag`` saved from
  the NewsAPI service in May 2021 (``app-data/news_cn.js`` and ``docs/app-data/news_cn.js``,
  every version of each file in the history up to ``NEWS_AG_COMMIT``, the oldest first, an
  article taken from the first version that has it, read as ``build_training_ittr2`` reads the
  Italian file of the same bot; no licence file, the text is the publishers'). The headline's
  " - <site>" tail is cut; ``summary`` is the site's description. NewsAPI also gives a ~200-character
  snippet, but NewsAPI's Chinese snippets lost every Chinese character (only Latin letters,
  digits and punctuation are left), so the body is dropped, as ``ukru3`` dropped the Russian
  ones: an item is its headline and the description, which some sites leave empty (then the
  item is its headline alone). Google News redirects and Xinhua (xinhuanet.com, in the set as
  news.cn) are left out, as is any article whose text holds U+FFFD (the bot's feed mis-decoded
  some GBK descriptions).
- Taiwan: the search results that ``TaiwanNewsCrawler`` (MIT licence) saved at commit
  ``TAIWAN_DATA_COMMIT`` (``search_result/<outlet>_covid_10.csv``, files removed later in the
  history): China Times (chinatimes.com), Liberty Times (ltn.com.tw) and United Daily News
  (udn.com), January 2022, the first ten result pages of each site's search for "covid" (the
  crawler's own query, so every article mentions the pandemic, mostly in passing). Title, the
  site's description (``summary``) and the article text (``body``).

Outlets with a Chinese item in any other items file are left out; an item needs at least
``MIN_TEXT_CHARS`` characters of title, summary and body together; at most ``PER_OUTLET`` items
of a mainland outlet and ``TAIWAN_PER_OUTLET`` of a Taiwanese one are drawn at random (no topic
or section filter). Titles already in another item file or the dev gold are skipped, as are
repeated titles and repeated openings. Seeded, and the snapshots must be at the pinned commits:
the same items on every run.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

from ingest.tagging import build_training_ittr2
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    draw_per_outlet,
    flat,
    fresh_of_outlets,
    item_row,
    known_openings,
    known_outlets,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-zh5.jsonl"
MIN_TEXT_CHARS = 20
PER_OUTLET = 5
TAIWAN_PER_OUTLET = 14

NEWS_AG_REPOSITORY = build_training_ittr2.IT_REPOSITORY
NEWS_AG_COMMIT = build_training_ittr2.IT_COMMIT
NEWS_AG_PATHS = ("app-data/news_cn.js", "docs/app-data/news_cn.js")

TAIWAN_REPOSITORY = "JamesLiao714/TaiwanNewsCrawler"
TAIWAN_COMMIT = "ee28c18e299e171c6417cd9c0fb5c6467b1fa311"
TAIWAN_DATA_COMMIT = "ae3c12782be031912302a0a5c68b1e7de006b2fb"
TAIWAN_PATHS = (
    "search_result/chinatimes_covid_10.csv",
    "search_result/ltn_covid_10.csv",
    "search_result/udn_covid_10.csv",
)

# Sites without an outlet of their own, and Xinhua (news.cn in the set).
_SKIP = {"google.com", "xinhuanet.com"}


def _clean(item: dict) -> bool:
    """No mis-decoded character in the item's text."""
    return "\ufffd" not in f"{item['title']} {item['summary']} {item['body']}"


def _mainland_items(repo: Path) -> list[dict]:
    """Every article of every version of the two Chinese headline files (each file's repeats
    dropped by ``_it_items``, the two files' by the title check of the draw)."""
    items = [item for path in NEWS_AG_PATHS for item in build_training_ittr2._it_items(repo, path)]
    return [item | {"body": ""} for item in items if _clean(item)]


def _taiwan_items(repo: Path) -> list[dict]:
    """Every row of the three search-result files, in file order."""
    items = []
    for path in TAIWAN_PATHS:
        text = show(repo, path, TAIWAN_DATA_COMMIT).decode("utf-8-sig")
        for number, row in enumerate(csv.DictReader(io.StringIO(text))):
            body = "\n".join(flat(part) for part in (row.get("CONTENT") or "").splitlines())
            items.append(
                {
                    "title": flat(row.get("TITLE")),
                    "summary": flat(row.get("DESCRIPTION")),
                    "body": "\n".join(part for part in body.splitlines() if part),
                    "outlet": build_training_ittr2._site(row.get("LINK")),
                    "url": (row.get("LINK") or "").strip(),
                    "published": row.get("TIME") or "",
                    "file": f"{TAIWAN_REPOSITORY}:{path}#{number}@{TAIWAN_DATA_COMMIT}",
                }
            )
    return [item for item in items if _clean(item)]


def draw(news_ag_repo: Path, taiwan_repo: Path) -> list[dict]:
    """The ``zh5`` items (module docstring): mainland first, then Taiwan."""
    for repo, pinned in ((news_ag_repo, NEWS_AG_COMMIT), (taiwan_repo, TAIWAN_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    skip = known_outlets("zh", OUT) | _SKIP
    rng = random.Random(SEED)
    chosen = []
    for items, per_outlet in (
        (_mainland_items(news_ag_repo), PER_OUTLET),
        (_taiwan_items(taiwan_repo), TAIWAN_PER_OUTLET),
    ):
        fresh = fresh_of_outlets(items, skip, MIN_TEXT_CHARS, titles, openings)
        chosen += draw_per_outlet(fresh, len(fresh), per_outlet, rng)
    return [
        item_row(
            "zh5-",
            number,
            item["file"],
            "zh",
            item,
            url=item.get("url") or None,
            published=item["published"] or None,
        )
        for number, item in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

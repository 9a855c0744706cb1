"""Draw unlabelled Urdu and Malay news of outlets new (or all but new) to the topic training set.

    python -m ingest.tagging.build_training_urms3 DUNYA_GIT_DIR ARY_GIT_DIR MS_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository, at the pinned commit below;
the command writes ``ingest/data/training/items-urms3.jsonl``. Urdu had BBC Urdu, Wikipedia and
four Pakistani sites (Express, Geo, Jang, Samaa), Malay nine Malaysian outlets of one keyword
crawl; these items come from other outlets (Malay: one with 4 items in the set).

- Urdu (``ur``), Dunya News (urdu.dunyanews.tv): ``azaan-imran192/Urdu-News-Articles`` keeps the
  articles a student classification study scraped in January 2025 inside
  ``Group4_Project .zip`` (``output_file.csv``: id, title, link, content, gold_label; Geo, Jang,
  Express and Dunya). Only the Dunya rows: title and text, which the study stored with its
  digits removed and, for some, the first words of the text cut. No lead, so ``summary`` is
  empty; the link's section (``/ur/World/…``) is kept as ``section``.
- Urdu (``ur``), ARY News (urdu.arynews.tv): ``UmerHaroon009/Urdu-News-Classifier``
  (``combined_articles.csv``: id, title, link, content, gold_label; ARY and Express, scraped in
  November–December 2024). Only the ARY rows; the study's ``gold_label`` does not match many
  texts (a politician's statement labelled sport) and is not kept.
- Malay (``ms``), Berita Harian (bharian.com.my): ``marifirfanibrahim/ner_news_malay``
  (``model_gliner/news_data/malay_news.csv``: the RSS items of Utusan, Berita Harian, Harian
  Metro and Kosmo collected 5–11 August 2025: source, title, link, date, category, summary).
  Only Berita Harian's (the others are in the set already): title and the feed's lead (one or
  two sentences) as ``summary``, no body; leads shorter than ``MS_MIN_TEXT_CHARS`` are skipped.
  The feed's category is kept as ``section``, its date as ``published``.

``QUOTA`` items per outlet, at random. Bodies keep their first ``PAGE_BODY_CHARS`` characters;
titles already in another item file or the dev gold are skipped, as are repeated titles and
repeated openings. Seeded: the same items on every run from the same commits.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    fresh,
    host,
    item_rows,
    known_titles,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-urms3.jsonl"
KEY_PREFIX = "urms3-"
SAME_OPENING_CHARS = 80
QUOTA = {"urdu.dunyanews.tv": 30, "urdu.arynews.tv": 30, "bharian.com.my": 60}
UR_MIN_TEXT_CHARS = 300
MS_MIN_TEXT_CHARS = 150  # a feed's lead: one or two sentences

DUNYA = ("azaan-imran192/Urdu-News-Articles", "6773082b0579b603b905849762970786134753d9")
DUNYA_ZIP, DUNYA_CSV = "Group4_Project .zip", "output_file.csv"
ARY = ("UmerHaroon009/Urdu-News-Classifier", "d661a7f9b2388f4e56f193d2ea43cc638a13a568")
ARY_CSV = "combined_articles.csv"
MS = ("marifirfanibrahim/ner_news_malay", "f56c3c479581afdeda71d12d2b4186e758a53532")
MS_CSV = "model_gliner/news_data/malay_news.csv"
csv.field_size_limit(10**9)


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _dunya(repo: Path) -> list[dict]:
    archive = zipfile.ZipFile(io.BytesIO(show(repo, DUNYA_ZIP, DUNYA[1])))
    items = []
    for row in _rows(archive.read(DUNYA_CSV).decode("utf-8")):
        if host(row["link"]) != "urdu.dunyanews.tv":
            continue
        parts = urlsplit(row["link"]).path.split("/")
        items.append(
            {
                "file": f"{DUNYA_ZIP}/{DUNYA_CSV}",
                "outlet": "urdu.dunyanews.tv",
                "title": flat(row["title"]),
                "summary": "",
                "body": flat(row["content"]),
                "section": parts[3] if len(parts) > 4 else "",
                "published": None,
            }
        )
    return items


def _ary(repo: Path) -> list[dict]:
    return [
        {
            "file": ARY_CSV,
            "outlet": "urdu.arynews.tv",
            "title": flat(row["title"]),
            "summary": "",
            "body": flat(row["content"]),
            "section": "",
            "published": None,
        }
        for row in _rows(show(repo, ARY_CSV, ARY[1]).decode("utf-8"))
        if host(row["link"]) == "urdu.arynews.tv"
    ]


def _ms(repo: Path) -> list[dict]:
    items = []
    for row in _rows(show(repo, MS_CSV, MS[1]).decode("utf-8")):
        if host(row["Source_URL"]) != "bharian.com.my":
            continue
        items.append(
            {
                "file": MS_CSV,
                "outlet": "bharian.com.my",
                "title": flat(row["Title"]),
                "summary": flat(row["Summary"]),
                "body": "",
                "section": row["Category"],
                "published": parsedate_to_datetime(row["Publish_Date"]).date().isoformat(),
            }
        )
    return items


def draw(dunya_repo: Path, ary_repo: Path, ms_repo: Path) -> list[dict]:
    """The ``urms3`` items (module docstring): Dunya, ARY, then Berita Harian."""
    sources = (
        (dunya_repo, DUNYA, "ur", _dunya, UR_MIN_TEXT_CHARS),
        (ary_repo, ARY, "ur", _ary, UR_MIN_TEXT_CHARS),
        (ms_repo, MS, "ms", _ms, MS_MIN_TEXT_CHARS),
    )
    known = known_titles(OUT)
    rng = random.Random(SEED)
    chosen = []
    for repo, (repository, commit), language, read, shortest in sources:
        if head_commit(repo) != commit:
            raise SystemExit(f"{repo} is not at the pinned commit {commit}")
        items = fresh(read(repo), known, shortest, SAME_OPENING_CHARS)
        outlet = items[0]["outlet"]
        chosen += [
            (repository, commit, language, item) for item in rng.sample(items, QUOTA[outlet])
        ]
    return item_rows(
        KEY_PREFIX,
        chosen,
        lambda item: {"section": item["section"], "published": item["published"]},
    )


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 3)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw more unlabelled items for the topic training set from two geoparsing news corpora.

Run ``python -m ingest.tagging.build_training_geonews SHARED_DATA_DIR``: it writes
``ingest/data/training/items-geonews.jsonl`` from ``gold/geoparsing/`` of the shared data
(``manifest.tsv`` records their source and terms):

- ``GeoWebNews_GWN.xml``: 200 English news articles of 2018 from 200 news sites
  (GeoWebNews, Gritta et al. 2019);
- ``TR-News.xml``: 118 English international news articles of 2016-17 from many outlets
  (TR-News, Kamalloo & Rafiei 2018).

Each article becomes one item: its title, no summary, its text (at most ``PAGE_BODY_CHARS``, as
for the shared article pages) as ``body``, its site as ``outlet`` (the registrable domain of
its link, so grouped cross-validation keeps an outlet's articles on one side) and ``en`` as
its declared language. Titles already in other training items or the dev gold are skipped.
Many outlets with one or two articles each: what the grouped cross-validation needs most.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS, TRAINING, _site, write_items

OUT = TRAINING / "items-geonews.jsonl"
CORPORA = ("GeoWebNews_GWN.xml", "TR-News.xml")
KEY_PREFIX = "geo-"


def _field(article: ElementTree.Element, *names: str) -> str:
    """The first of ``names`` the article has text for: a title or link on one line, a text as
    written."""
    for name in names:
        found = article.find(name)
        text = (found.text or "") if found is not None else ""
        if text.strip():
            return text.strip() if name == "text" else " ".join(text.split())
    return ""


def _known_titles(shared: Path) -> set[str]:
    titles = set()
    for path in [*sorted(TRAINING.glob("items*.jsonl")), shared / "gold-dev.jsonl"]:
        if path == OUT:
            continue
        for line in path.read_text("utf-8").splitlines():
            titles.add(normalise_title(json.loads(line).get("title") or ""))
    return titles


def draw(shared: Path) -> list[dict]:
    known = _known_titles(shared)
    items = []
    for corpus in CORPORA:
        root = ElementTree.parse(shared / "gold" / "geoparsing" / corpus).getroot()
        for number, article in enumerate(root.iter("article")):
            title = _field(article, "title")
            text = _field(article, "text")
            link = _field(article, "link", "url")
            folded = normalise_title(title)
            if not title or not text or folded in known:
                continue
            known.add(folded)
            items.append(
                {
                    "file": f"gold/geoparsing/{corpus}",
                    "index": number,
                    "outlet": _site(link) or _field(article, "domain") or corpus,
                    "declared": "en",
                    "title": title,
                    "summary": "",
                    "body": text[:PAGE_BODY_CHARS],
                    "published": _field(article, "dltime") or None,
                }
            )
    for number, item in enumerate(items):
        item["key"] = f"{KEY_PREFIX}{number:04d}"
    return items


def main(argv: list[str]) -> int:
    write_items(OUT, draw(Path(argv[0] if argv else "../shared/data")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

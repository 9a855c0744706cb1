"""Draw unlabelled Vietnamese news of outlets new to the topic training set.

    python -m ingest.tagging.build_training_hevi3 DANES_GIT_DIR

The argument is a clone (or bare mirror) of ``dataset-vn/DANeS`` at the pinned commit below;
the command writes ``ingest/data/training/items-hevi3.jsonl``. Vietnamese had VnExpress, Thanh
Niên, Tuổi Trẻ, VietNamNet and Báo Mới in the set; these items come from four other outlets.

- DANeS (DATASET .JSC and AIV Group, 2021; the README puts the annotated part under CC BY 4.0,
  the raw crawl states no licence of its own), ``raw_data/DANeS_batch_#8.json``: a JSON array
  of ``{"text": title, "meta": {"description": the site's lead, "uri": the article's
  address}}`` of Vietnamese online papers, autumn 2021. The other seven raw batches are over the
  snapshot's file-size limit and are not read. Only these general-news outlets, ``QUOTA`` each:
  Tổ Quốc (toquoc.vn), An ninh Thủ đô (anninhthudo.vn), Lao Động (laodong.vn) and Thời Đại
  (thoidai.com.vn). Title and lead only, no body: items whose lead is shorter than
  ``MIN_SUMMARY_CHARS`` are skipped.

Titles already in another item file or the dev gold are skipped, as are repeated titles and
repeated openings. Seeded: the same items on every run from the same commit.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

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
OUT = TRAINING / "items-hevi3.jsonl"
SAME_OPENING_CHARS = 80
QUOTA = 15
MIN_SUMMARY_CHARS = 150

DANES_REPOSITORY = "dataset-vn/DANeS"
DANES_COMMIT = "37dedab157a69b59478c0d52bd2c11aabd16775f"
DANES_PATH = "raw_data/DANeS_batch_#8.json"
DANES_OUTLETS = ("toquoc.vn", "anninhthudo.vn", "laodong.vn", "thoidai.com.vn")


def _danes_items(repo: Path) -> list[dict]:
    """The records of the chosen outlets, in file order."""
    items = []
    for number, row in enumerate(json.loads(show(repo, DANES_PATH, DANES_COMMIT))):
        meta = row.get("meta") or {}
        outlet = host(meta.get("uri"))
        if outlet not in DANES_OUTLETS:
            continue
        items.append(
            {
                "title": flat(row.get("text")),
                "summary": flat(meta.get("description")),
                "body": "",
                "outlet": outlet,
                "url": (meta.get("uri") or "").strip(),
                "file": f"{DANES_PATH}#{number}",
            }
        )
    return items


def draw(danes_repo: Path) -> list[dict]:
    """The ``hevi3`` items (module docstring), outlet by outlet in ``DANES_OUTLETS`` order."""
    if head_commit(danes_repo) != DANES_COMMIT:
        raise SystemExit(f"{danes_repo} is not at the pinned commit {DANES_COMMIT}")
    known = known_titles(OUT)
    rng = random.Random(SEED)
    items = fresh(_danes_items(danes_repo), known, MIN_SUMMARY_CHARS, SAME_OPENING_CHARS)
    chosen = []
    for outlet in DANES_OUTLETS:
        pool = [item for item in items if item["outlet"] == outlet]
        chosen += [(DANES_REPOSITORY, DANES_COMMIT, "vi", item) for item in rng.sample(pool, QUOTA)]
    return item_rows("hevi3-", chosen, lambda item: {"url": item["url"], "published": None})


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Vietnamese news of outlets new to the topic training set (round 5).

    python -m ingest.tagging.build_training_vi5 DANES_GIT_DIR

The argument is a clone (or bare mirror) of ``dataset-vn/DANeS`` at the pinned commit below;
the command writes ``ingest/data/training/items-vi5.jsonl``. Vietnamese had VnExpress, Thanh
Niên, Tuổi Trẻ, VietNamNet, Báo Mới, Tổ Quốc, An ninh Thủ đô, Lao Động, Thời Đại, Báo Tin tức,
VietnamPlus, Đảng Cộng sản Việt Nam, Dân trí and Công an nhân dân in the set; these items come
from twelve other outlets.

- DANeS (DATASET .JSC and AIV Group, 2021), the two files ``vi4`` read, records ``{"text":
  title, "meta": {"description": the site's lead, "uri": the article's address}}`` of Vietnamese
  online papers, autumn 2021: ``annotated_data/annotated_data_batch_#1.json`` (the annotated
  part, CC BY 4.0 by the README; each record's ``data`` holds the article, its sentiment and
  topic annotations are not used) and ``raw_data/DANeS_batch_#8.json`` (the raw crawl, no
  licence of its own). The other seven raw batches are over the snapshot's file-size limit and
  are not read. Only these general-news outlets (``OUTLETS``), ``QUOTA`` each: Zing News
  (news.zing.vn), Người Lao Động (nld.com.vn), Pháp Luật TP.HCM (plo.vn), VOH (voh.com.vn, Ho Chi
  Minh City radio), Công Luận (congluan.vn, the journalists' association), Đại Đoàn Kết
  (daidoanket.vn, the Fatherland Front), Biên Phòng (bienphong.com.vn, the border guard), VTC News
  (vtc.vn), VTV (vtv.vn, national television), Sài Gòn Giải Phóng (sggp.org.vn), VOV (vov.vn,
  national radio) and 24h (24h.com.vn). Title and lead only, no body: items whose lead is
  shorter than ``MIN_SUMMARY_CHARS`` are skipped. Subdomains (thethao.sggp.org.vn, vtv8.vtv.vn,
  phunu.nld.com.vn...) are other sites and are not drawn.

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
OUT = TRAINING / "items-vi5.jsonl"
SAME_OPENING_CHARS = 80
QUOTA = 6
MIN_SUMMARY_CHARS = 150

DANES_REPOSITORY = "dataset-vn/DANeS"
DANES_COMMIT = "37dedab157a69b59478c0d52bd2c11aabd16775f"
DANES_ANNOTATED = "annotated_data/annotated_data_batch_#1.json"
DANES_RAW = "raw_data/DANeS_batch_#8.json"
OUTLETS = (
    "news.zing.vn",
    "nld.com.vn",
    "plo.vn",
    "voh.com.vn",
    "congluan.vn",
    "daidoanket.vn",
    "bienphong.com.vn",
    "vtc.vn",
    "vtv.vn",
    "sggp.org.vn",
    "vov.vn",
    "24h.com.vn",
)


def _record(row: dict, path: str, number: int) -> dict:
    """One DANeS record (``{"text", "meta"}``) as an item."""
    meta = row.get("meta") or {}
    return {
        "title": flat(row.get("text")),
        "summary": flat(meta.get("description")),
        "body": "",
        "outlet": host(meta.get("uri")),
        "url": (meta.get("uri") or "").strip(),
        "file": f"{path}#{number}",
    }


def _danes_items(repo: Path) -> list[dict]:
    """The records of the chosen outlets, the annotated file's first, each file in its order."""
    records = [
        _record(row.get("data") or {}, DANES_ANNOTATED, number)
        for number, row in enumerate(json.loads(show(repo, DANES_ANNOTATED, DANES_COMMIT)))
    ]
    records += [
        _record(row, DANES_RAW, number)
        for number, row in enumerate(json.loads(show(repo, DANES_RAW, DANES_COMMIT)))
    ]
    return [item for item in records if item["outlet"] in OUTLETS]


def draw(danes_repo: Path) -> list[dict]:
    """The ``vi5`` items (module docstring), outlet by outlet in ``OUTLETS`` order."""
    if head_commit(danes_repo) != DANES_COMMIT:
        raise SystemExit(f"{danes_repo} is not at the pinned commit {DANES_COMMIT}")
    known = known_titles(OUT)
    rng = random.Random(SEED)
    items = fresh(_danes_items(danes_repo), known, MIN_SUMMARY_CHARS, SAME_OPENING_CHARS)
    chosen = []
    for outlet in OUTLETS:
        pool = [item for item in items if item["outlet"] == outlet]
        chosen += [(DANES_REPOSITORY, DANES_COMMIT, "vi", item) for item in rng.sample(pool, QUOTA)]
    return item_rows("vi5-", chosen, lambda item: {"url": item["url"], "published": None})


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 1)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Tag depth, teaser-only vs full text (issue 13): how many countries and topics the tagger finds
when it reads an article's title and teaser, and when it reads the extracted body too.

    python bench/bench_tag_depth.py tests/fixtures/articles/pages
    python bench/bench_tag_depth.py ../shared/data/articles/pages

Every ``*.html`` page of the folder is extracted (``ingest.extract``); pages whose status is not
``ok`` are left out. The page's feed teaser is not saved with it, so the teaser is made the way
feeds make theirs: the title, and the lead (the body's first paragraph) cut at a word boundary
to TEASER_CHARS characters (the demo store's median summary is 146 characters). Figures: countries
per article, share of articles with at least one country, share with at least one topic; and for
full text, how many tags are prominent (docs/prominence.md) — the share that are not is what
splits aggregate cells in two under the prominence dimension.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.extract import extract  # noqa: E402
from ingest.tagging import tag_article  # noqa: E402

TEASER_CHARS = 146


def teaser(lead: str | None) -> str:
    text = " ".join((lead or "").split())
    if len(text) <= TEASER_CHARS:
        return text
    cut = text[:TEASER_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of saved article pages (*.html)")
    args = parser.parse_args()
    rows = []
    for path in sorted(args.folder.rglob("*.html")):
        found = extract(path.read_bytes(), url=f"https://example.org/{path.name}")
        if found.status != "ok" or not found.body:
            continue
        title = found.title or ""
        summary = teaser(found.lead)
        short = tag_article(title, summary, language_hint=found.language)
        full = tag_article(
            title, summary, body=found.body, lead=found.lead, language_hint=found.language
        )
        rows.append((short, full))
    if not rows:
        sys.exit(f"no page of {args.folder} extracted to a full text")
    n = len(rows)

    def line(label: str, pick: int) -> str:
        tags = [pair[pick] for pair in rows]
        per = [len(t.countries) for t in tags]
        with_country = sum(1 for k in per if k) / n
        with_topic = sum(1 for t in tags if t.topics) / n
        return (
            f"{label:<14} {statistics.mean(per):6.2f} {statistics.median(per):7.1f} "
            f"{with_country:9.1%} {with_topic:9.1%}"
        )

    print(f"{n} pages extracted to a full text (of {args.folder})")
    print(f"{'':<14} {'mean':>6} {'median':>7} {'≥1 ctry':>9} {'≥1 topic':>9}")
    print(line("teaser only", 0))
    print(line("full text", 1))
    tags = [c for _, full in rows for c in full.countries]
    prominent = sum(1 for c in tags if c.prominence and c.prominence.prominent)
    places: dict[str, int] = {}
    for c in tags:
        if c.prominence:
            places[c.prominence.where] = places.get(c.prominence.where, 0) + 1
    print(
        f"full-text country tags: {len(tags)}, prominent {prominent} "
        f"({prominent / max(1, len(tags)):.0%}); by place {dict(sorted(places.items()))}; "
        f"prominent per article {prominent / n:.2f}"
    )


if __name__ == "__main__":
    main()

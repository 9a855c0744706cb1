"""Country tags against every labelled article of the training set, per language (issue 12).

    .venv/bin/python bench/bench_countries_labelled.py [--body 600] [--languages de,it] [--misses]

Re-runs the current tagger (``tag_article`` on the article's title, summary and body, composed as
the training build reads them, with its publication date and declared language) on every item of
``ingest/data/training/`` whose label has countries, and scores its country tags against the
label by TAGGING.md: precision counts a predicted country as right when the label has it (core or
weak), recall is over the label's core countries.

Most labellers read the title, the first 400-600 characters of the summary and the first ~600
of the body (see
``ingest/data/training/PROVENANCE.md``), some the whole text. So each figure is printed twice:

- ``body ≤ N`` (``--body``, default 600): summary and body each cut as most labellers read them. Its precision
  is the fair one (a country named deeper down is in no label), its recall an underestimate
  where the labeller read the whole text;
- ``whole body``: its recall is the fair one (a longer text can only name more), its precision
  an underestimate where the labeller read only the start.

``--misses`` lists every core country missed in the whole body and every false positive in the
cut one, with the label's evidence or the tag's, for reading error classes (read them on a part
you will not score afterwards).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.tagging import tag_article  # noqa: E402
from ingest.tagging.build_topic_model import TRAINING, _labels, load_items, read_item  # noqa: E402


def published(value: str | None) -> date | None:
    """The item's publication day: ISO dates and RFC 822 dates as feeds write them."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    core_found: int = 0
    core: int = 0
    misses: list[str] = field(default_factory=list)

    def line(self) -> str:
        said = self.right + self.wrong
        precision = self.right / said if said else 1.0
        recall = self.core_found / self.core if self.core else 1.0
        return (
            f"P {precision:.3f} ({self.wrong:4} wrong of {said:5})  "
            f"core R {recall:.3f} ({self.core - self.core_found:4} missed of {self.core:5})"
        )


def tagged(item: dict, body_chars: int | None) -> dict[str, list[str]]:
    title, summary, body = read_item(item)
    if body_chars is not None:
        summary = summary[:body_chars]
        body = body[:body_chars] if body else body
    tags = tag_article(
        title,
        summary,
        body=body,
        published=published(item.get("published")),
        language_hint=item.get("declared"),
        decide_topics=False,
    )
    return {tag.iso3: [e.text for e in tag.evidence] for tag in tags.countries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body", type=int, default=600, help="body characters of the cut reading")
    parser.add_argument("--languages", help="only these labelled languages (comma-separated)")
    parser.add_argument("--misses", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)
    wanted = set(args.languages.split(",")) if args.languages else None
    items = load_items()
    cut: dict[str, Tally] = defaultdict(Tally)
    whole: dict[str, Tally] = defaultdict(Tally)
    for key, label in sorted(_labels(TRAINING / "labels", blind=False).items()):
        language = label.get("lang") or "?"
        if "countries" not in label or (wanted and language not in wanted):
            continue
        gold = {c["iso3"]: c for c in label["countries"]}
        core = {iso3 for iso3, c in gold.items() if c.get("strength", "core") == "core"}
        for tallies, chars in ((cut, args.body), (whole, None)):
            found = tagged(items[key], chars)
            for name in ("all", language):
                tally = tallies[name]
                tally.right += len(found.keys() & gold.keys())
                tally.wrong += len(found.keys() - gold.keys())
                tally.core_found += len(found.keys() & core)
                tally.core += len(core)
            if args.misses and tallies is whole:
                for iso3 in sorted(core - found.keys()):
                    whole[language].misses.append(
                        f"{key} missed {iso3} {gold[iso3].get('type')}: {gold[iso3]['evidence'][:3]}"
                    )
            if args.misses and tallies is cut:
                for iso3 in sorted(found.keys() - gold.keys()):
                    cut[language].misses.append(f"{key} said {iso3}: {found[iso3][:3]}")
    print(f"labelled articles with countries; cut reading: body <= {args.body} characters")
    print(f"{'language':10} {'body <= ' + str(args.body):<62} whole body")
    order = sorted(whole, key=lambda name: (name != "all", -whole[name].core, name))
    for name in order:
        print(f"{name:10} {cut[name].line()}   {whole[name].line()}")
    if args.misses:
        for name in order:
            for line in whole[name].misses + cut[name].misses:
                print(f"{name}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

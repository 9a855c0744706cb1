"""Article extraction: ingest.extract beside trafilatura's defaults, on saved real pages.

    .venv/bin/python bench/bench_extract.py [FOLDER] [--only PREFIX] [--worst N]

FOLDER holds ``pages/`` and ``truth.jsonl`` (default: ../shared/data/articles relative to the
repo; see its PROVENANCE.md). Every page is extracted twice in the same run, from the same bytes:

- ``pantau``: ``ingest.extract.extract(bytes, url)``, its ``body`` (kept for every status; the
  pages given another status than ``ok`` are listed with the reason, to be checked by eye);
- ``default``: ``trafilatura.extract(bytes)`` with every option at its default.

Figures, per source (file prefix), per language and overall:

- mean token F1 against the true ``body`` (tokens: see ingest/extract_score.py — one token per
  character for Han, kana, Hangul, Thai, Lao, Myanmar and Khmer; words elsewhere);
- share of ``must_contain`` / ``must_not_contain`` snippets right (case-insensitive substrings);
- reader-comment snippets (``traf-`` pages) kept out of the text, shown apart;
- pages per second per core: pages / CPU seconds of the process spent in each method.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from ingest.extract import EXTRACTOR, extract  # noqa: E402
from ingest.extract_score import contains, token_f1  # noqa: E402

METHODS = ("pantau", "default")


@dataclass
class Group:
    f1: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    right: Counter = field(default_factory=Counter)
    snippets: int = 0
    comments_out: Counter = field(default_factory=Counter)
    comments: int = 0
    pages: int = 0


def _score(group: Group, line: dict, texts: dict[str, str | None]) -> None:
    group.pages += 1
    if line.get("body"):
        for method in METHODS:
            group.f1[method].append(token_f1(texts[method], line["body"]))
    must = line.get("must_contain", [])
    must_not = line.get("must_not_contain", [])
    comments = line.get("comment_snippets", [])
    group.snippets += len(must) + len(must_not)
    group.comments += len(comments)
    for method in METHODS:
        text = texts[method]
        group.right[method] += sum(contains(text, s) for s in must)
        group.right[method] += sum(not contains(text, s) for s in must_not)
        group.comments_out[method] += sum(not contains(text, s) for s in comments)


def _cell(values: list[float]) -> str:
    return f"{mean(values):.3f}" if values else "  -  "


def _share(right: int, total: int) -> str:
    return f"{right / total:.3f} ({right}/{total})" if total else "-"


def _print_table(title: str, groups: dict[str, Group]) -> None:
    print(f"\n{title}")
    header = (
        f"{'':<8} {'pages':>5} {'F1 n':>5} {'F1 pantau':>9} {'F1 default':>10}"
        f"   {'snippets pantau':<19} {'snippets default':<19} comments out (p/d)"
    )
    print(header)
    for name, group in groups.items():
        comments = (
            f"{group.comments_out['pantau']}/{group.comments_out['default']} of {group.comments}"
            if group.comments
            else ""
        )
        print(
            f"{name:<8} {group.pages:>5} {len(group.f1['pantau']):>5} "
            f"{_cell(group.f1['pantau']):>9} {_cell(group.f1['default']):>10}   "
            f"{_share(group.right['pantau'], group.snippets):<19} "
            f"{_share(group.right['default'], group.snippets):<19} {comments}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "articles"
    )
    parser.add_argument("--only", default="", help="only files whose name starts with this")
    parser.add_argument("--worst", type=int, default=10, help="list the N worst pages")
    args = parser.parse_args()

    lines = [json.loads(raw) for raw in (args.folder / "truth.jsonl").open(encoding="utf-8")]
    lines = [line for line in lines if line["file"].startswith(args.only)]
    by_source: dict[str, Group] = defaultdict(Group)
    by_language: dict[str, Group] = defaultdict(Group)
    overall = Group()
    seconds = Counter()
    statuses: Counter = Counter()
    odd: list[tuple[str, str, str | None]] = []
    per_page: list[tuple[float, str, float, float]] = []
    for line in lines:
        data = (args.folder / "pages" / line["file"]).read_bytes()
        started = time.process_time()
        result = extract(data, url=line.get("url"))
        seconds["pantau"] += time.process_time() - started
        started = time.process_time()
        default = trafilatura.extract(data)
        seconds["default"] += time.process_time() - started
        statuses[result.status] += 1
        if result.status != "ok":
            odd.append((line["file"], result.status, result.detail))
        texts = {"pantau": result.body, "default": default}
        source = line["file"].split("-", 1)[0]
        for group in (by_source[source], by_language[line["language"]], overall):
            _score(group, line, texts)
        if line.get("body"):
            ours, theirs = (token_f1(texts[m], line["body"]) for m in METHODS)
            per_page.append((ours - theirs, line["file"], ours, theirs))

    print(f"{len(lines)} pages from {args.folder}; pantau = ingest.extract ({EXTRACTOR}),")
    print("default = trafilatura.extract(html) with default options; same bytes, same run.")
    print("F1: mean token F1 over pages with a true body (CJK/kana/Hangul/Thai: characters).")
    _print_table("per source", dict(sorted(by_source.items())))
    _print_table(
        "per language", dict(sorted(by_language.items(), key=lambda kv: (-kv[1].pages, kv[0])))
    )
    _print_table("overall", {"all": overall})
    print("\nspeed (pages per second per core, CPU time of this process):")
    for method in METHODS:
        print(f"  {method:<8} {len(lines) / seconds[method]:6.1f} pages/s")
    print(f"\nstatuses (pantau): {dict(statuses.most_common())}")
    for name, status, detail in odd:
        print(f"  {status:<10} {name}: {detail}")
    if args.worst:
        print(f"\n{args.worst} pages where pantau trails default most (F1 pantau / default):")
        for diff, name, ours, theirs in sorted(per_page)[: args.worst]:
            print(f"  {diff:+.3f} {name}: {ours:.3f} / {theirs:.3f}")
        print(f"{args.worst} pages with the lowest pantau F1:")
        for _, name, ours, theirs in sorted(per_page, key=lambda row: row[2])[: args.worst]:
            print(f"  {name}: {ours:.3f} / {theirs:.3f}")


if __name__ == "__main__":
    main()

"""Draw more unlabelled items for the topic training set from two openly licensed corpora.

    python -m ingest.tagging.build_training_corpora wikinews-ja JAWIKINEWS_GIT_DIR
    python -m ingest.tagging.build_training_corpora corus CORUS_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes one item
file of ``ingest/data/training/``:

- ``wikinews-ja`` → ``items-wikinews-ja.jsonl``: Japanese Wikinews articles (CC BY 2.5) as
  ``tm4roon/jawikinews-headline-dataset`` ships them (``full-articles/origin.tsv.gz``: text,
  headline), split into MeCab tokens there and joined back here (a space only between two
  Latin letters or digits); the lead is the first two sentences. ``SAMPLE`` drawn at random.
- ``corus`` → ``items-corus.jsonl``: Russian news articles from the samples that
  ``natasha/corus`` (MIT) keeps of the Open Data Science news dumps (``data/ods/*.csv.gz``:
  Gazeta, Interfax, Izvestia, Meduza, RT, TASS; not RIA, whose sample is all lower case), with
  their sites as outlets (these files turn a line break into a lone "n": mended). All of them,
  or ``SAMPLE``, preferring world, politics and economy sections for ``PREFERRED_SHARE``.

Bodies keep their first ``PAGE_BODY_CHARS`` characters; titles already in another item file or
the dev gold are skipped. Seeded: the same items on every run from the same commit.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS, TRAINING, write_items

SEED = 20261206
SAMPLE = 300
PREFERRED_SHARE = 0.6
MIN_BODY_CHARS = 100
_PREFERRED = re.compile(r"polit|world|мир|эконом|econom|business|бизнес|оборон|росси|украин", re.I)
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
_LONE_N = re.compile(r"(?<![A-Za-z])n(?![A-Za-z])")
csv.field_size_limit(10**9)


def _show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True
    ).stdout


def _commit(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _join_tokens(text: str) -> str:
    """MeCab tokens joined back: Japanese writes no spaces, except between Latin words."""
    out = ""
    for token in text.split():
        latin_pair = bool(out) and bool(_LATIN_OR_DIGIT.match(token[0]))
        latin_pair = latin_pair and bool(re.match(r"[A-Za-z0-9.,]", out[-1]))
        if latin_pair and not (out[-1] in ".," and token[0].isdigit()):  # 3.5, not "3. 5"
            out += " "
        out += token
    return out


def _wikinews_ja(repo: Path) -> list[dict]:
    path = "full-articles/origin.tsv.gz"
    text = gzip.decompress(_show(repo, path)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    items = []
    for row in rows[1:]:
        if len(row) < 3:
            continue
        body, title = _join_tokens(row[1]), _join_tokens(row[2])
        lead = "".join(re.split(r"(?<=。)", body)[:2])
        items.append({"title": title, "summary": lead, "body": body, "file": path, "section": ""})
    return [{**item, "outlet": "ja.wikinews.org", "published": None} for item in items]


def _site(url: str | None) -> str | None:
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.") or None


def _corus(repo: Path) -> list[dict]:
    items = []
    for name in ("gazeta", "interfax", "iz", "meduza", "rt", "tass-001"):
        path = f"data/ods/{name}.csv.gz"
        text = gzip.decompress(_show(repo, path)).decode("utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            items.append(
                {
                    "title": _LONE_N.sub(" ", row["title"] or ""),
                    "summary": "",
                    "body": _LONE_N.sub(" ", row["text"] or ""),
                    "outlet": _site(row["url"]),
                    "published": row["date"] or None,
                    "section": row["topics"] or "",
                    "file": path,
                }
            )
    for item in items:
        for field in ("title", "body"):
            item[field] = re.sub(r" {2,}", " ", str(item[field])).strip()
    return items


SOURCES: dict[str, tuple[str, str, Callable[[Path], list[dict]], str]] = {
    "wikinews-ja": ("items-wikinews-ja.jsonl", "tm4roon/jawikinews-headline-dataset",
                    _wikinews_ja, "jawn-"),
    "corus": ("items-corus.jsonl", "natasha/corus", _corus, "corus-"),
}  # fmt: skip


def _known_titles(out: Path) -> set[str]:
    titles = set()
    for path in [*sorted(TRAINING.glob("items*.jsonl")), TRAINING.parents[2] / "tests/fixtures/gold-dev.jsonl"]:  # fmt: skip
        if path != out and path.exists():
            for line in path.read_text("utf-8").splitlines():
                titles.add(normalise_title(json.loads(line).get("title") or ""))
    return titles


def _draw(items: list[dict], rng: random.Random) -> list[dict]:
    if len(items) <= SAMPLE:
        return items
    preferred = [item for item in items if _PREFERRED.search(item["section"])]
    others = [item for item in items if not _PREFERRED.search(item["section"])]
    take = min(len(preferred), int(SAMPLE * PREFERRED_SHARE)) if preferred else 0
    drawn = rng.sample(preferred, take)
    return drawn + rng.sample(others, min(len(others), SAMPLE - take))


def draw(source: str, repo: Path) -> list[dict]:
    name, repository, read, prefix = SOURCES[source]
    known = _known_titles(TRAINING / name)
    commit = _commit(repo)
    candidates = []
    for item in read(repo):
        folded = normalise_title(item["title"])
        if not folded or folded in known or len(item["body"]) < MIN_BODY_CHARS:
            continue
        known.add(folded)
        candidates.append(item)
    chosen = _draw(candidates, random.Random(SEED))
    items = []
    for number, item in enumerate(chosen):
        items.append(
            {
                "file": f"{repository}:{item['file']}@{commit}",
                "index": number,
                "outlet": item["outlet"] or repository,
                "declared": "ja" if source == "wikinews-ja" else "ru",
                "title": item["title"],
                "summary": item["summary"],
                "body": item["body"][:PAGE_BODY_CHARS],
                "published": item["published"],
                "key": f"{prefix}{number:04d}",
            }
        )
    return items


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in SOURCES:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    write_items(TRAINING / SOURCES[argv[0]][0], draw(argv[0], Path(argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

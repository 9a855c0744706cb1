"""Draw more unlabelled items for the topic training set from two openly licensed corpora.

    python -m ingest.tagging.build_training_corpora wikinews-ja JAWIKINEWS_GIT_DIR
    python -m ingest.tagging.build_training_corpora wikinews-ja-more JAWIKINEWS_GIT_DIR
    python -m ingest.tagging.build_training_corpora corus CORUS_GIT_DIR
    python -m ingest.tagging.build_training_corpora itn CORPUS_JSON

Each argument is a clone (or bare mirror) of a public repository, or for ``itn`` the one file it
reads; the command writes one item file of ``ingest/data/training/``:

- ``wikinews-ja`` → ``items-wikinews-ja.jsonl``: Japanese Wikinews articles (CC BY 2.5) as
  ``tm4roon/jawikinews-headline-dataset`` ships them (``full-articles/origin.tsv.gz``: text,
  headline), split into MeCab tokens there and joined back here (a space only between two
  Latin letters or digits); the lead is the first two sentences. ``SAMPLE`` drawn at random.
  ``wikinews-ja-more`` → ``tests/fixtures/heldout/items-wikinews-ja.jsonl``: ``SAMPLE`` more,
  the same way (the titles of every training item file are skipped), kept as a held-out
  Japanese test set, never trained on.
- ``corus`` → ``items-corus.jsonl``: Russian news articles from the samples that
  ``natasha/corus`` (MIT) keeps of the Open Data Science news dumps (``data/ods/*.csv.gz``:
  Gazeta, Interfax, Izvestia, Meduza, RT, TASS; not RIA, whose sample is all lower case), with
  their sites as outlets (these files turn a line break into a lone "n": mended). All of them,
  or ``SAMPLE``, preferring world, politics and economy sections for ``PREFERRED_SHARE``.

- ``itn`` → ``items-itn.jsonl``: the "In the news" blurbs of eleven Wikipedia language editions
  (CC BY-SA 3.0) as ``shizhao/ITN-corpus`` collects them (``corpus/corpus.json`` at commit
  ``ITN_COMMIT``; mirrors keep the file out of git, so pass the file, checked against its pinned
  git blob hash). A blurb is one or two sentences on a world event: tags, reference marks and
  picture captions ("(pictured)") are removed; of one subject's successive versions in one
  language only those that differ (difflib ratio ≤ ``ITN_SAME_TEXT``) are kept, newest first. Every
  blurb of ``ITN_LANGUAGES`` (the editions with at least 10), in a seeded order.

Bodies keep their first ``PAGE_BODY_CHARS`` characters; titles already in another item file or
the dev gold are skipped. Seeded: the same items on every run from the same commit.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import gzip
import hashlib
import html
import io
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import known_titles
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS, TRAINING, write_items

SEED = 20261206
SAMPLE = 300
PREFERRED_SHARE = 0.6
MIN_BODY_CHARS = 100
_PREFERRED = re.compile(r"polit|world|мир|эконом|econom|business|бизнес|оборон|росси|украин", re.I)
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
_LONE_N = re.compile(r"(?<![A-Za-z])n(?![A-Za-z])")
csv.field_size_limit(10**9)


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
    text = gzip.decompress(show(repo, path)).decode("utf-8")
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
        text = gzip.decompress(show(repo, path)).decode("utf-8")
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
    # A second draw of the same Japanese Wikinews articles, kept out of training as a held-out
    # Japanese test set (HELD_OUT): the titles of every training item file are skipped.
    "wikinews-ja-more": ("items-wikinews-ja.jsonl", "tm4roon/jawikinews-headline-dataset",
                         _wikinews_ja, "jawn2-"),
}  # fmt: skip


# Draws written beside their labels as test sets, never trained on.
HELD_OUT = TRAINING.parents[2] / "tests" / "fixtures" / "heldout"
HELD_OUT_SOURCES = frozenset({"wikinews-ja-more"})


def _out(source: str) -> Path:
    return (HELD_OUT if source in HELD_OUT_SOURCES else TRAINING) / SOURCES[source][0]


def _draw(items: list[dict], rng: random.Random) -> list[dict]:
    if len(items) <= SAMPLE:
        return items
    preferred = [item for item in items if _PREFERRED.search(item["section"])]
    others = [item for item in items if not _PREFERRED.search(item["section"])]
    take = min(len(preferred), int(SAMPLE * PREFERRED_SHARE)) if preferred else 0
    drawn = rng.sample(preferred, take)
    return drawn + rng.sample(others, min(len(others), SAMPLE - take))


def draw(source: str, repo: Path) -> list[dict]:
    _name, repository, read, prefix = SOURCES[source]
    known = known_titles(_out(source))
    commit = head_commit(repo)
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
                "declared": "ru" if source == "corus" else "ja",
                "title": item["title"],
                "summary": item["summary"],
                "body": item["body"][:PAGE_BODY_CHARS],
                "published": item["published"],
                "key": f"{prefix}{number:04d}",
            }
        )
    return items


ITN_REPOSITORY = "shizhao/ITN-corpus"
ITN_PATH = "corpus/corpus.json"
ITN_COMMIT = "b6fb9b7ce0aa9f974f730e464e55b1d7eab2cd49"
ITN_BLOB = "517d94ca98ceaf5fd4cf19f88cd4f93ed9276a9f"  # git hash-object of that file
ITN_LANGUAGES = ("fr", "pt", "id", "de", "el", "ru", "uk", "pl", "zh", "ar", "ur")
ITN_SAME_TEXT = 0.6
ITN_MIN_CHARS = 15
_SMALL = re.compile(r"<small>.*?</small>", re.S)
_TAG = re.compile(r"<[^>]+>")
_REFERENCE = re.compile(r"\[[a-z]{2,3}\]")
_PICTURED = re.compile(
    r"[(（]\s*[^()（）]{0,40}?(Bild|图|圖|фото|Фото|илл|зображення|зображенні|imagem|image|photo|"
    r"Photo|foto|Foto|الصورة|चित्र|تصویر|تصویر میں|gambar|Gambar|zdjęci|εικόνα|φωτογραφία|"
    r"pictured|illustré|en photo|sur la photo|на снимке|на фото|на світлині|사진)[^()（）]{0,40}?[)）]"
)
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.;:،。，])")


def _plain(text: str) -> str:
    text = _TAG.sub(" ", html.unescape(text).replace("\xa0", " "))
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def clean_blurb(raw: str) -> str:
    """One ITN blurb's text: markup, reference marks and picture captions removed."""
    text = _plain(_REFERENCE.sub("", _TAG.sub("", _SMALL.sub("", raw))))
    text = _SPACE_BEFORE_MARK.sub(r"\1", _PICTURED.sub("", text))
    return re.sub(r"\s{2,}", " ", text).strip()


def git_blob_hash(data: bytes) -> str:
    """The hash git gives a file of these bytes (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's hash


def draw_itn(path: Path) -> list[dict]:
    """The ``itn`` items (module docstring), from the pinned ``corpus/corpus.json``."""
    data = path.read_bytes()
    if git_blob_hash(data) != ITN_BLOB:
        raise SystemExit(f"{path} is not {ITN_PATH} of {ITN_REPOSITORY} at {ITN_COMMIT}")
    by_language: dict[str, list[dict]] = {}
    for qid, versions in json.loads(data).items():
        for stamp, entry in versions.items():
            text = clean_blurb(entry["blurb"])
            if len(text) < ITN_MIN_CHARS:
                continue
            day = datetime.datetime.fromtimestamp(float(stamp), datetime.UTC).date().isoformat()
            by_language.setdefault(entry["lang"], []).append(
                {"title": text, "published": day, "qid": qid}
            )
    known = known_titles(TRAINING / "items-itn.jsonl")
    items: list[dict] = []
    for language in ITN_LANGUAGES:
        kept: dict[str, list[str]] = {}
        drawn, seen = [], set()
        for blurb in sorted(by_language[language], key=lambda b: b["published"], reverse=True):
            versions = kept.setdefault(blurb["qid"], [])
            if any(
                difflib.SequenceMatcher(None, v, blurb["title"]).ratio() > ITN_SAME_TEXT
                for v in versions
            ):
                continue
            versions.append(blurb["title"])
            if blurb["title"].lower() in seen or normalise_title(blurb["title"]) in known:
                continue
            seen.add(blurb["title"].lower())
            drawn.append(blurb)
        random.Random(SEED).shuffle(drawn)
        for blurb in drawn:
            items.append(
                {
                    "file": f"{ITN_REPOSITORY}:{ITN_PATH}@{ITN_COMMIT}",
                    "index": len(items),
                    "outlet": f"{language}.wikipedia.org (In the news)",
                    "declared": language,
                    "title": _plain(blurb["title"]),
                    "summary": "",
                    "published": blurb["published"],
                    "subject": blurb["qid"],
                    "key": f"itn-{len(items):04d}",
                }
            )
    return items


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "itn":
        write_items(TRAINING / "items-itn.jsonl", draw_itn(Path(argv[1])))
        return 0
    if len(argv) != 2 or argv[0] not in SOURCES:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    write_items(_out(argv[0]), draw(argv[0], Path(argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw more unlabelled items for the topic training set from fundus's parser test data.

Run ``python -m ingest.tagging.build_training_fundus FUNDUS_GIT_DIR``: it writes
``ingest/data/training/items-fundus.jsonl``. ``FUNDUS_GIT_DIR`` is a clone (or bare mirror) of
the public repository ``flairNLP/fundus`` (MIT). Its parser tests keep, per publisher, a JSON
file of the article its parser must extract (``tests/resources/parser/test_data/<country>/
<Publisher>.json``: title, lead, paragraphs, date); each time a publisher's test page was
replaced, the file changed, so the repository's history holds several articles per publisher:
~340 articles of ~190 outlets in ~30 languages, most of them not in ``../shared`` (which has one
fundus page per publisher, already in ``items.jsonl``).

What is drawn, the same on every run (the history is read oldest first):

- every article of every version of every such file (``V1``, ``V2``… inside a file are the same
  article parsed by successive parser versions; the first one seen is kept), except live
  tickers, articles whose text is shorter than ``MIN_TEXT_CHARS``, titles already in the
  training items, the dev gold or the article fixtures (``normalise_title``), and repeats of an
  article drawn under another title (``SAME_OPENING_CHARS``);
- ``title``, ``summary`` (the lead fundus extracts), ``body`` (section headlines and paragraphs,
  at most ``PAGE_BODY_CHARS``, as for the shared pages), ``published``;
- ``outlet``: the site of the publisher's test pages (``meta.info``'s URLs, registrable domain,
  as ``build_training_sample`` names a page's outlet), so that grouped cross-validation keeps a
  publisher's articles, here and in ``items.jsonl``, on one side;
- ``declared``: the language Pantau's detector reads in the title and text (fundus does not
  store one); the labeller's ``lang`` is the one the model uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.language import detect_language
from ingest.tagging.build_training_sample import PAGE_BODY_CHARS, TRAINING, _site, write_items

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = "tests/resources/parser/test_data"
OUT = TRAINING / "items-fundus.jsonl"
MIN_TEXT_CHARS = 300
# One article under two titles (a publisher re-headlined it between two test pages) is drawn
# once: the same opening text, or the same title up to this many characters, is a repeat.
SAME_OPENING_CHARS = 200
KEY_PREFIX = "fund-"
SOURCE = "flairNLP/fundus"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _history(repo: Path) -> list[tuple[str, str, str]]:
    """(commit, path, blob) of every version of every test-data file, oldest first."""
    log = _git(repo, "log", "--reverse", "--format=C %H", "--raw", "--no-abbrev", "--", TEST_DATA)
    versions, commit, seen = [], "", set()
    for line in log.splitlines():
        if line.startswith("C "):
            commit = line[2:]
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            path = path.split("\t")[-1]
            blob = meta.split()[3]
            if set(blob) != {"0"} and blob not in seen:
                seen.add(blob)
                versions.append((commit, path, blob))
    return versions


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _text(body: dict) -> tuple[str, str]:
    """The lead and the body text (section headlines and paragraphs) of a fundus article."""
    lead = " ".join(_strings(body.get("summary"))).strip()
    parts = []
    for section in body.get("sections") or []:
        parts += _strings(section.get("headline")) + _strings(section.get("paragraphs"))
    return lead, "\n\n".join(part.strip() for part in parts if part.strip())


def _publisher(path: str) -> tuple[str, str]:
    """(country folder, publisher) of a test-data JSON path."""
    parts = path.split("/")
    return parts[-2], parts[-1].removesuffix(".json")


def _sites(repo: Path, versions: list[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """The site of each (country, publisher), from every version of the folders' meta.info."""
    sites: dict[tuple[str, str], str] = {}
    for _commit, path, blob in versions:
        if not path.endswith("/meta.info"):
            continue
        try:
            meta = json.loads(_git(repo, "cat-file", "-p", blob))
        except (json.JSONDecodeError, subprocess.CalledProcessError):
            continue
        country = path.split("/")[-2]
        for page, info in meta.items():
            site = _site(info.get("url")) if isinstance(info, dict) else None
            publisher = page.split("_")[0]
            if site:
                sites.setdefault((country, publisher), site)
    return sites


def _known_titles() -> set[str]:
    titles = set()
    files = [
        TRAINING / "items.jsonl",
        ROOT / "tests" / "fixtures" / "gold-dev.jsonl",
        ROOT / "tests" / "fixtures" / "articles" / "truth.jsonl",
    ]
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            title = json.loads(line).get("title")
            if title:
                titles.add(normalise_title(title))
    return titles


def draw(repo: Path) -> list[dict[str, object]]:
    versions = _history(repo)
    sites = _sites(repo, versions)
    known = _known_titles()
    openings: set[str] = set()
    items: list[dict[str, object]] = []
    for commit, path, blob in versions:
        if not path.endswith(".json") or "/live_ticker/" in path:
            continue
        try:
            article_versions = json.loads(_git(repo, "cat-file", "-p", blob))
        except (json.JSONDecodeError, subprocess.CalledProcessError):
            continue
        for article in article_versions.values():
            if not isinstance(article, dict) or not isinstance(article.get("body"), dict):
                continue
            title = " ".join(_strings(article.get("title"))).strip()
            lead, body = _text(article["body"])
            folded = normalise_title(title)
            opening = " ".join(f"{lead} {body}".split())[:SAME_OPENING_CHARS].casefold()
            repeat = (
                folded in known or folded[: SAME_OPENING_CHARS // 4] in known or opening in openings
            )
            if not title or len(lead) + len(body) < MIN_TEXT_CHARS or repeat:
                continue
            known.update((folded, folded[: SAME_OPENING_CHARS // 4]))
            openings.add(opening)
            country, publisher = _publisher(path)
            body = body[:PAGE_BODY_CHARS]
            items.append(
                {
                    "file": f"{SOURCE}:{path}@{commit}",
                    "index": 0,
                    "outlet": sites.get((country, publisher), publisher.lower()),
                    "declared": detect_language(title, f"{lead}\n\n{body}")[0],
                    "title": title,
                    "summary": lead,
                    "body": body,
                    "published": article.get("publishing_date"),
                }
            )
    items.sort(key=lambda item: (str(item["file"]).split("@")[0], str(item["title"])))
    for number, item in enumerate(items):
        item["key"] = f"{KEY_PREFIX}{number:04d}"
    return items


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    write_items(OUT, draw(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

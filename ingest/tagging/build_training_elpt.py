"""Draw unlabelled Greek and Portuguese news items of outlets the training set lacked.

    python -m ingest.tagging.build_training_elpt EL_GIT_DIR PT_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes
``ingest/data/training/items-elpt.jsonl``. Greek had three outlets (Kathimerini, Ta Nea, Avgi)
and Greek Wikipedia's "In the news"; Portuguese had Wikipedia's "In the news", JN and UOL feeds
and a few pages; so each language's cross-validation fold tested a model that had seen few of
its outlets. This draw adds other outlets.

- Greek (``el``): the articles that ``elenkaranikola/NewsCrawler`` (a Scrapy crawler of Greek news
  sites, MIT) saved as CSV output (``subtopic, website, title, date, author, text, url``) in its
  history, mostly March-May 2020. Every ``*.csv`` of every commit up to ``EL_COMMIT`` is read, the
  oldest commit first (files whose blob the snapshot lacks are skipped), and an article is taken
  from the first file that has it (by its URL). The outlet is the ``website`` column without
  ``www.``; sport-only and tech-only sites (``_EL_OFF``) are left out with the known outlets.
- Portuguese (``pt``): the true news of the Fake.br corpus (``roneysco/Fake.br-Corpus``,
  ``full_texts/true/N.txt`` with ``full_texts/true-meta-information/N-meta.txt``: author, link,
  category, date as the corpus wrote it, …), articles of G1, Estadão and Folha de S.Paulo of 2016-2018. The corpus keeps
  no headlines: the first sentence of the text stands as the ``title``, the rest of the first
  paragraph as the ``summary`` and the other paragraphs as the ``body``. The outlet is the site
  of the link (``_pt_outlet``: g1.globo.com, estadao.com.br, folha.uol.com.br); other sites are
  left out.

Outlets already in the set for the language are left out; an item needs at least
``MIN_TEXT_CHARS`` characters of title, summary and body together, and at most ``PER_OUTLET`` items
of one outlet go into the pool, from which ``PER_LANGUAGE`` a language are drawn at random. Titles
already in another item file or the dev gold are skipped, as are repeated titles and repeated
openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. Seeded, and the snapshots must
be at the pinned commits: the same items on every run.
"""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import (
    build_main,
    flat,
    item_row,
    known_openings,
    known_titles,
    opening_of,
)
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-elpt.jsonl"
MIN_TEXT_CHARS = 300
PER_OUTLET = {"el": 6, "pt": 20}
PER_LANGUAGE = 60
MAX_TITLE_CHARS = 250

EL_REPOSITORY = "elenkaranikola/NewsCrawler"
EL_COMMIT = "976598ae65c3d0398c9d2726a5b9eb7268cfdf18"

PT_REPOSITORY = "roneysco/Fake.br-Corpus"
PT_COMMIT = "780f5516c4ae070761632d98ac3368f3ded09d35"
PT_TEXTS = "full_texts/true"
PT_META = "full_texts/true-meta-information"

# Outlets with items in the set before this draw.
_KNOWN = {
    "el": {"kathimerini.gr", "tanea.gr", "avgi.gr", "liberal.gr"},
    "pt": {"jn.pt", "uol.com.br", "brasil247.com", "campograndenews.com.br"},
}
# Greek sites of sport or computing only, and the header rows the crawler repeated.
_EL_OFF = {"sport24.gr", "gazzetta.gr", "insomnia.gr", "website", "", "title"}
_PT_SITES = (("g1.globo.com", "g1.globo.com"), ("estadao.com.br", "estadao.com.br"),
             ("folha.uol.com.br", "folha.uol.com.br"))  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“«(]?[A-ZÁÉÍÓÚÂÊÔÃÕÇÀ0-9])")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _el_items(repo: Path) -> list[dict]:
    """Every article of every CSV file in the crawler's history, each once (by its URL)."""
    csv.field_size_limit(10**8)
    items, seen = [], set()
    for commit in _git(repo, "rev-list", "--reverse", EL_COMMIT).split():
        paths = [p for p in _git(repo, "ls-tree", "-r", "--name-only", commit).splitlines() if p.endswith(".csv")]  # fmt: skip
        for path in sorted(paths):
            try:
                text = show(repo, path, commit).decode("utf-8", "replace")
            except subprocess.CalledProcessError:  # a blob the snapshot lacks
                continue
            for row in csv.DictReader(io.StringIO(text)):
                url = flat(row.get("url") or "")
                if not url.startswith("http") or url in seen:
                    continue
                seen.add(url)
                outlet = flat(row.get("website") or "").lower().removeprefix("www.")
                body = "\n".join(flat(part) for part in (row.get("text") or "").splitlines())
                items.append(
                    {
                        "title": flat(row.get("title") or ""),
                        "summary": "",
                        "body": body.strip(),
                        "outlet": outlet,
                        "published": flat(row.get("date") or ""),
                        "file": f"{EL_REPOSITORY}:{path}@{commit}",
                        "url": url,
                    }
                )
    return items


def _pt_outlet(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, outlet in _PT_SITES:
        if host == suffix or host.endswith("." + suffix):
            return outlet
    return ""


def _pt_items(repo: Path) -> list[dict]:
    """Every true text of Fake.br, in the order of its number, split into a first sentence, the
    rest of the first paragraph and the other paragraphs."""
    names = _git(repo, "ls-tree", "--name-only", PT_COMMIT, PT_TEXTS + "/").split()
    numbers = sorted(int(Path(name).stem) for name in names if name.endswith(".txt"))
    items = []
    for number in numbers:
        text = show(repo, f"{PT_TEXTS}/{number}.txt", PT_COMMIT).decode("utf-8-sig", "replace")
        meta = show(repo, f"{PT_META}/{number}-meta.txt", PT_COMMIT).decode("utf-8", "replace")
        lines = meta.splitlines()
        url = lines[1].strip() if len(lines) > 1 else ""
        paragraphs = [flat(part) for part in re.split(r"\n\s*\n", text) if flat(part)]
        if not paragraphs:
            continue
        first, *others = paragraphs
        sentences = _SENTENCE_END.split(first, maxsplit=1)
        title = sentences[0].strip()
        items.append(
            {
                "title": title if len(title) <= MAX_TITLE_CHARS else "",
                "summary": sentences[1].strip() if len(sentences) > 1 else "",
                "body": "\n".join(others),
                "outlet": _pt_outlet(url),
                "published": lines[3].strip() if len(lines) > 3 else "",
                "file": f"{PT_REPOSITORY}:{PT_TEXTS}/{number}.txt@{PT_COMMIT}",
                "url": url,
            }
        )
    return items


def _fresh(items: list[dict], language: str, titles: set[str], openings: set[str]) -> list[dict]:
    """Items of new outlets with enough text, whose title and opening are new."""
    fresh = []
    for item in items:
        outlet = item["outlet"]
        if not outlet or outlet in _KNOWN[language] or outlet in _EL_OFF:
            continue
        length = len(item["title"]) + len(item["summary"]) + len(item["body"])
        folded, opening = normalise_title(item["title"]), opening_of(item)
        if not folded or folded in titles or opening in openings or length < MIN_TEXT_CHARS:
            continue
        titles.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def _draw(items: list[dict], language: str, rng: random.Random) -> list[dict]:
    """At most ``PER_OUTLET`` a outlet (at random), then ``PER_LANGUAGE`` of those, in the
    order drawn."""
    pool = []
    for outlet in sorted({item["outlet"] for item in items}):
        mine = [item for item in items if item["outlet"] == outlet]
        pool += rng.sample(mine, min(PER_OUTLET[language], len(mine)))
    return rng.sample(pool, min(PER_LANGUAGE, len(pool)))


def draw(el_repo: Path, pt_repo: Path) -> list[dict]:
    """The ``elpt`` items (module docstring): Greek first, then Portuguese."""
    for repo, pinned in ((el_repo, EL_COMMIT), (pt_repo, PT_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    titles, openings = known_titles(OUT), known_openings(OUT)
    rng = random.Random(SEED)
    chosen = [("el", item) for item in _draw(_fresh(_el_items(el_repo), "el", titles, openings), "el", rng)]  # fmt: skip
    chosen += [("pt", item) for item in _draw(_fresh(_pt_items(pt_repo), "pt", titles, openings), "pt", rng)]  # fmt: skip
    return [
        item_row(
            "elpt-",
            number,
            item["file"],
            language,
            item,
            published=item["published"],
            url=item["url"],
        )
        for number, (language, item) in enumerate(chosen)
    ]


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

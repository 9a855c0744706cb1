"""Draw unlabelled Japanese, Ukrainian and French news articles for the topic training set.

    python -m ingest.tagging.build_training_jaukfr JA_GIT_DIR UK_GIT_DIR FR_BBC_GIT_DIR FR_PRESS_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository at the pinned commit below; the
command writes ``ingest/data/training/items-jaukfr.jsonl``. These languages had nearly all their
labelled articles from Wikipedia/Wikinews, so every outlet here is new to the set:

- Japanese (``ja``): the livedoor news corpus (RONDHUIT; livedoor news articles of 2011-2012
  under CC BY-ND 2.1 JP, credit per category in each folder's ``LICENSE.txt``) as
  ``jkatsuta/18_4q_doc2vec`` keeps it (``experiments/text/<category>/*.txt``: URL, date, title,
  text). ``JA_QUOTA`` articles per category: livedoor's own general "topic news" and two
  specialised vendors (sport, IT) as the negatives a news feed also carries. The outlet is the
  category's vendor on news.livedoor.com.
- Ukrainian (``uk``): press texts (category ``A``) of the Brown Ukrainian corpus
  ``brown-uk/corpus`` (CC BY-NC-SA 4.0): ``meta/meta.csv`` gives title, publication and URL,
  ``data/<group>/<file>`` the text (groups ``good`` and ``so-so``). Texts without a URL, from
  government sites (``.gov.ua``) or file hosts are left out; at most ``UK_PER_OUTLET`` per site.
- French (``fr``): BBC Afrique articles of the MasakhaNEWS French split
  (``masakhane-io/masakhane-news``, ``data/fra/{dev,test}.tsv``: category, headline, text, URL),
  and the general-news "contrast" corpora of ``feryah/gilets_jaunes`` (a 2019 student corpus of
  francophone press): Belgian La DH and La Libre (title, text) and Quebec and Swiss sites (URL,
  text; no headline, so the first sentence stands as title and the next as summary).
  ``FR_QUOTA`` articles per outlet.

Titles already in another item file or the dev gold are skipped, as are repeated titles or
openings and texts shorter than ``MIN_TEXT_CHARS``; bodies keep their first ``PAGE_BODY_CHARS``
characters. Seeded: the same items on every run from the same commits.
"""

from __future__ import annotations

import csv
import html
import io
import random
import re
import sys
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, flat, host, item_rows, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-jaukfr.jsonl"
MIN_TEXT_CHARS = 300
SAME_OPENING_CHARS = 200

JA_REPOSITORY = "jkatsuta/18_4q_doc2vec"
JA_COMMIT = "2bd5f73aa53b7ff81e1e08429eb91d080a09f3cd"
JA_ROOT = "experiments/text"
JA_QUOTA = {"topic-news": 48, "sports-watch": 6, "it-life-hack": 6}

UK_REPOSITORY = "brown-uk/corpus"
UK_COMMIT = "0665e895834c6a20acb1b48e58ba07e149c31f32"
UK_COUNT = 60
UK_PER_OUTLET = 3
_UK_SKIP_HOSTS = re.compile(r"(?:\.gov\.ua|wikimedia\.org|wikipedia\.org)$")

FR_BBC_REPOSITORY = "masakhane-io/masakhane-news"
FR_BBC_COMMIT = "819be052e79e0a600e0ed4a7356594681cb5c4f3"
FR_BBC_PATHS = ("data/fra/dev.tsv", "data/fra/test.tsv")
FR_PRESS_REPOSITORY = "feryah/gilets_jaunes"
FR_PRESS_COMMIT = "69d104955e6dc1aea04d7aad796f70696878f495"
FR_TITLED = {"Francais/Belgique/DH_CONTRAST.xml": "dhnet.be",
             "Francais/Belgique/LaLibreContrast.xml": "lalibre.be"}  # fmt: skip
FR_UNTITLED = ("Francais/Corpus/fr_CA_corpus_contraste.xml", "Francais/Corpus/fr_CH_corpus_contraste.xml")  # fmt: skip
FR_QUOTA = {
    "bbc.com/afrique": 16,
    "dhnet.be": 12,
    "lalibre.be": 4,
    "lapresse.ca": 4,
    "ledevoir.com": 4,
    "journaldemontreal.com": 3,
    "lesoleil.com": 3,
    "journaldequebec.com": 2,
    "tdg.ch": 3,
    "letemps.ch": 3,
    "lenouvelliste.ch": 3,
    "lematin.ch": 3,
}

# A French sentence ends at . ? or ! followed by space and a capital, a digit or a quote.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[«\"A-ZÀ-ÖØ-Þ0-9])")


def _paragraphs(text: str) -> str:
    """Text with one paragraph a line, blank lines and inner whitespace runs dropped."""
    return "\n".join(p for p in (flat(line) for line in text.splitlines()) if p)


def _ja_items(repo: Path) -> list[dict]:
    """Every article of the quota's categories: URL, date, title, then the text."""
    items = []
    for category in sorted(JA_QUOTA):
        folder = f"{JA_ROOT}/{category}"
        listing = show(repo, folder).decode("utf-8").splitlines()
        for name in sorted(n for n in listing if n.startswith(category) and n.endswith(".txt")):
            lines = show(repo, f"{folder}/{name}").decode("utf-8").splitlines()
            if len(lines) < 4:
                continue
            items.append(
                {
                    "title": flat(lines[2]),
                    "summary": "",
                    "body": _paragraphs("\n".join(lines[3:])),
                    "outlet": f"news.livedoor.com/{category}",
                    "published": lines[1].strip(),
                    "section": category,
                    "file": f"{folder}/{name}",
                }
            )
    return items


def _uk_items(repo: Path) -> list[dict]:
    """Every press text with a news site's URL, its title from the metadata."""
    meta = csv.DictReader(io.StringIO(show(repo, "meta/meta.csv").decode("utf-8")))
    items = []
    for row in meta:
        outlet = host(row["url"])
        if row["cat"] != "A" or row["group"] not in ("good", "so-so") or not outlet:
            continue
        if _UK_SKIP_HOSTS.search(outlet):
            continue
        path = f"data/{row['group']}/{row['file']}"
        try:
            text = show(repo, path).decode("utf-8")
        except Exception:  # a file the metadata names but the snapshot lacks
            continue
        items.append(
            {
                "title": flat(row["title"]),
                "summary": "",
                "body": _paragraphs(text),
                "outlet": outlet,
                "published": row["year"].strip(),
                "section": row["publ_in"].strip(),
                "file": path,
            }
        )
    return items


def _fr_bbc_items(repo: Path) -> list[dict]:
    items = []
    csv.field_size_limit(10**8)
    for path in FR_BBC_PATHS:
        rows = csv.DictReader(io.StringIO(show(repo, path).decode("utf-8")), delimiter="\t")
        for row in rows:
            items.append(
                {
                    "title": flat(row["headline"]),
                    "summary": "",
                    "body": _paragraphs(row["text"]),
                    "outlet": "bbc.com/afrique",
                    "section": row["category"],
                    "file": path,
                }
            )
    return items


def _fr_press_items(repo: Path) -> list[dict]:
    items = []
    for path, outlet in FR_TITLED.items():
        text = show(repo, path).decode("utf-8")
        for title, content in re.findall(r'<doc title="([^"]*)"[^>]*>(.*?)</doc>', text, re.S):
            lines = _paragraphs(html.unescape(content)).splitlines() or [""]
            items.append(
                {
                    "title": flat(html.unescape(title)),
                    "summary": lines[0],
                    "body": "\n".join(lines[1:]),
                    "outlet": outlet,
                    "section": "",
                    "file": path,
                }
            )
    for path in FR_UNTITLED:
        text = show(repo, path).decode("utf-8")
        for url, content in re.findall(r"<doc url=(\S+)\s*>(.*?)</doc>", text, re.S):
            sentences = _SENTENCE_END.split(flat(html.unescape(content)))
            if len(sentences) < 3:
                continue
            items.append(
                {
                    "title": sentences[0],
                    "summary": sentences[1],
                    "body": " ".join(sentences[2:]),
                    "outlet": host(url),
                    "section": "",
                    "file": path,
                }
            )
    return items


def _fresh(items: list[dict], known: set[str], openings: set[str]) -> list[dict]:
    """Items with a new title and opening and enough text, in input order."""
    fresh = []
    for item in items:
        folded = normalise_title(item["title"])
        text = f"{item['summary']} {item['body']}".strip()
        opening = flat(text)[:SAME_OPENING_CHARS].casefold()
        if not folded or folded in known or opening in openings or len(text) < MIN_TEXT_CHARS:
            continue
        known.add(folded)
        openings.add(opening)
        fresh.append(item)
    return fresh


def _by_quota(items: list[dict], quota: dict[str, int], key: str, rng: random.Random) -> list:
    drawn = []
    for name, count in quota.items():
        pool = [item for item in items if item[key] == name]
        drawn += rng.sample(pool, min(count, len(pool)))
    return drawn


def _draw_uk(items: list[dict], rng: random.Random) -> list[dict]:
    """``UK_COUNT`` texts in random order, at most ``UK_PER_OUTLET`` from one site."""
    drawn: list[dict] = []
    per_outlet: dict[str, int] = {}
    for item in rng.sample(items, len(items)):
        if per_outlet.get(item["outlet"], 0) < UK_PER_OUTLET:
            per_outlet[item["outlet"]] = per_outlet.get(item["outlet"], 0) + 1
            drawn.append(item)
        if len(drawn) == UK_COUNT:
            break
    return drawn


def draw(ja_repo: Path, uk_repo: Path, fr_bbc_repo: Path, fr_press_repo: Path) -> list[dict]:
    """The ``jaukfr`` items (module docstring): Japanese, then Ukrainian, then French."""
    pins = (
        (ja_repo, JA_COMMIT),
        (uk_repo, UK_COMMIT),
        (fr_bbc_repo, FR_BBC_COMMIT),
        (fr_press_repo, FR_PRESS_COMMIT),
    )
    for repo, pinned in pins:
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    known, openings = known_titles(OUT), set[str]()
    rng = random.Random(SEED)
    ja = _fresh(_ja_items(ja_repo), known, openings)
    chosen = [
        (JA_REPOSITORY, JA_COMMIT, "ja", item) for item in _by_quota(ja, JA_QUOTA, "section", rng)
    ]
    uk = _fresh(_uk_items(uk_repo), known, openings)
    chosen += [(UK_REPOSITORY, UK_COMMIT, "uk", item) for item in _draw_uk(uk, rng)]
    bbc = _fresh(_fr_bbc_items(fr_bbc_repo), known, openings)
    press = _fresh(_fr_press_items(fr_press_repo), known, openings)
    for item in _by_quota(bbc + press, FR_QUOTA, "outlet", rng):
        repository, commit = (
            (FR_BBC_REPOSITORY, FR_BBC_COMMIT)
            if item["outlet"] == "bbc.com/afrique"
            else (FR_PRESS_REPOSITORY, FR_PRESS_COMMIT)
        )
        chosen.append((repository, commit, "fr", item))
    return item_rows(
        "jaukfr-",
        chosen,
        lambda item: {
            **({"published": item["published"]} if item.get("published") else {}),
            "section": item["section"],
        },
    )


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 4)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Draw unlabelled Persian and Hindi news of outlets new to the topic training set.

    python -m ingest.tagging.build_training_hifa2 FA_GIT_DIR HI_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository, at the pinned commit below;
the command writes ``ingest/data/training/items-hifa2.jsonl``. Persian and Hindi had one main
outlet each in the set (Fars News, BBC Hindi), so their cross-validation fold tested a model
that had hardly seen the language; these items come from other outlets only.

- Persian (``fa``): the RSS items of Hamshahri Online (hamshahrionline.ir) and Radio Farda
  (radiofarda.com) that ``sci2lab/Farsi-datasets`` keeps (``farsi_news/hamshahri.json``,
  ``farsi_news/radiofarda.json``: title, summary, link, tags; collected from the sites' feeds in
  April 2020). Headline and lead only: Hamshahri's lead is one or two sentences, Radio Farda's
  summary is the start of the article, sometimes several paragraphs (the first is ``summary``,
  the rest ``body``). Leads shorter than ``FA_MIN_TEXT_CHARS`` are skipped. ``FA_QUOTA`` items
  per site, at random over all of its sections; the first tag is kept as ``section``.
- Hindi (``hi``): articles of four Hindi newspapers' sites, 1 March to 15 May 2020, from the
  corpus of Hindi news on the Covid-19 outbreak in ``RYD1E/Hindi-News-Mining-of-Covid-19-Outbreak``
  (``Corpora/<paper>/<code>-2020-<month>/<code>-2020-<month>-<day>.txt``: one file a paper and
  day, the day's articles one after another). Amar Ujala (amarujala.com), Dainik Jagran
  (jagran.com), Navbharat Times (navbharattimes.indiatimes.com) and Prabhat Khabar
  (prabhatkhabar.com); Dainik Hindustan's files mark no article boundary this script can find
  and are not used. An article starts at a headline line (a short line without a full stop)
  followed by a paragraph, told apart from a sub-heading by each paper's layout: Amar Ujala
  puts a line holding only a space after the headline, Dainik Jagran's lead opens with a
  dateline ("मेरठ, जेएनएन ।"), Navbharat Times has a one-paragraph summary and then a line with
  the city, Prabhat Khabar writes the section before the headline ("देश / …", kept as
  ``section``). The first paragraph is ``summary``, the rest up to the next headline ``body``;
  where a headline is not recognised, a body runs on into the next article. ``HI_QUOTA``
  articles per paper; ``published`` from the file's name.

Bodies keep their first ``PAGE_BODY_CHARS`` characters; titles already in another item file or
the dev gold are skipped, as are repeated titles and repeated openings, and Hindi texts shorter
than ``HI_MIN_TEXT_CHARS``. Seeded: the same items on every run from the same commits.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, flat, fresh, item_rows, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
OUT = TRAINING / "items-hifa2.jsonl"
SAME_OPENING_CHARS = 80

FA_REPOSITORY = "sci2lab/Farsi-datasets"
FA_COMMIT = "711848ccf478e974b4b53890e2727435e6d56309"
FA_SITES = (
    ("farsi_news/hamshahri.json", "hamshahrionline.ir"),
    ("farsi_news/radiofarda.json", "radiofarda.com"),
)
FA_QUOTA = 40
FA_MIN_TEXT_CHARS = 150

HI_REPOSITORY = "RYD1E/Hindi-News-Mining-of-Covid-19-Outbreak"
HI_COMMIT = "8fc24be8f05233e37e27c741dc548531aea31cc8"
HI_PAPERS = (
    ("Amar Ujala", "amarujala.com"),
    ("Dainik Jagran", "jagran.com"),
    ("Navbharat Times", "navbharattimes.indiatimes.com"),
    ("Prabhat Khabar", "prabhatkhabar.com"),
)
HI_QUOTA = 20
HI_MIN_TEXT_CHARS = 300
_HI_MONTH = {"MAR": "03", "APR": "04", "ARP": "04", "MAY": "05"}
_HI_FILE = re.compile(r"-(\d{4})-([A-Z]{3})-(\d{2})\.txt$")
# Dainik Jagran's dateline: a place, a comma, the desk or agency, a danda ("मेरठ, जेएनएन ।").
_DATELINE = re.compile(r"^[^।,:\n]{2,40}, ?[^।\n]{0,40}।")
# Dainik Jagran numbers some headlines of a day's file ("2.ममता बोलीं, …"): not the title.
_NUMBERED = re.compile(r"^\d{1,2}\.(?!\d)\s*")
_PK_SECTION = re.compile(r"^([^/]{2,25}) / (\S.*)$")


def _paragraphs(text: str) -> list[str]:
    return [p for p in map(flat, text.split("\n")) if p]


def _fa_items(repo: Path) -> list[dict]:
    """Every feed item of the two sites, in file order."""
    items = []
    for path, outlet in FA_SITES:
        for row in json.loads(show(repo, path, FA_COMMIT)):
            paragraphs = _paragraphs(row.get("summary") or "")
            items.append(
                {
                    "title": flat(row.get("title") or ""),
                    "summary": paragraphs[0] if paragraphs else "",
                    "body": "\n".join(paragraphs[1:]),
                    "outlet": outlet,
                    "section": (row.get("tags") or [""])[0],
                    "published": None,
                    "file": path,
                }
            )
    return items


def _is_heading(line: str) -> bool:
    line = line.strip()
    return 8 <= len(line) <= 170 and not line.endswith(("।", ".", "|", ":", ","))


def _next_text(lines: list[str], index: int) -> int:
    """The index of the first non-blank line after ``index`` (``len(lines)`` if none)."""
    index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _article_starts(lines: list[str], paper: str) -> list[int]:
    """Indexes of the lines that are an article's headline, by the paper's layout."""
    starts = []
    for index, line in enumerate(lines):
        lead = _next_text(lines, index)
        if not _is_heading(line) or lead >= len(lines) or len(lines[lead].strip()) < 100:
            continue
        if paper == "Amar Ujala":
            found = (
                index + 1 < len(lines) and lines[index + 1] != "" and not lines[index + 1].strip()
            )
        elif paper == "Dainik Jagran":
            found = bool(_DATELINE.match(lines[lead].strip()))
        elif paper == "Navbharat Times":
            city = _next_text(lines, lead)
            found = (
                len(line.strip()) > 25
                and city < len(lines)
                and len(lines[city].strip()) <= 25
                and not re.search(r"\d", lines[city])
            )
        else:
            found = bool(_PK_SECTION.match(line.strip()))
        if found:
            starts.append(index)
    return starts


def _hi_items(repo: Path) -> list[dict]:
    """Every article the four papers' day files hold, in path order."""
    items = []
    for folder, outlet in HI_PAPERS:
        for path in _tree(repo, f"Corpora/{folder}"):
            match = _HI_FILE.search(path)
            if not match:
                continue
            published = f"{match[1]}-{_HI_MONTH[match[2]]}-{match[3]}"
            lines = show(repo, path, HI_COMMIT).decode("utf-8").replace("\r", "").split("\n")
            starts = _article_starts(lines, folder)
            for number, start in enumerate(starts):
                end = starts[number + 1] if number + 1 < len(starts) else len(lines)
                title, section = _NUMBERED.sub("", flat(lines[start])), ""
                if folder == "Prabhat Khabar":
                    found = _PK_SECTION.match(title)
                    assert found is not None, title
                    section, title = found.groups()
                paragraphs = _paragraphs("\n".join(lines[start + 1 : end])) or [""]
                items.append(
                    {
                        "title": title,
                        "summary": paragraphs[0],
                        "body": "\n".join(paragraphs[1:]),
                        "outlet": outlet,
                        "section": section,
                        "published": published,
                        "file": path,
                    }
                )
    return items


def _tree(repo: Path, folder: str) -> list[str]:
    """The text files under ``folder`` at the pinned commit, sorted."""
    names = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", HI_COMMIT, "--", folder],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return sorted(name for name in names if name.endswith(".txt"))


def _per_outlet(items: list[dict], quota: int, rng: random.Random) -> list[dict]:
    drawn = []
    for outlet in sorted({item["outlet"] for item in items}):
        drawn += rng.sample([item for item in items if item["outlet"] == outlet], quota)
    return drawn


def draw(fa_repo: Path, hi_repo: Path) -> list[dict]:
    """The ``hifa2`` items (module docstring): Persian first, then Hindi."""
    for repo, pinned in ((fa_repo, FA_COMMIT), (hi_repo, HI_COMMIT)):
        if head_commit(repo) != pinned:
            raise SystemExit(f"{repo} is not at the pinned commit {pinned}")
    known = known_titles(OUT)
    rng = random.Random(SEED)
    chosen = [
        (FA_REPOSITORY, FA_COMMIT, "fa", item)
        for item in _per_outlet(
            fresh(_fa_items(fa_repo), known, FA_MIN_TEXT_CHARS, SAME_OPENING_CHARS), FA_QUOTA, rng
        )
    ]
    chosen += [
        (HI_REPOSITORY, HI_COMMIT, "hi", item)
        for item in _per_outlet(
            fresh(_hi_items(hi_repo), known, HI_MIN_TEXT_CHARS, SAME_OPENING_CHARS), HI_QUOTA, rng
        )
    ]
    return item_rows(
        "hifa2-",
        chosen,
        lambda item: {"section": item["section"], "published": item["published"]},
    )


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

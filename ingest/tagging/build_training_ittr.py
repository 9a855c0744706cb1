"""Draw unlabelled Italian and Turkish news articles for the topic training set.

    python -m ingest.tagging.build_training_ittr KIND_GIT_DIR SOZCU_GIT_DIR

Each argument is a clone (or bare mirror) of a public repository; the command writes
``ingest/data/training/items-ittr.jsonl``:

- Italian (``it``): articles of Italian Wikinews (https://it.wikinews.org, CC BY 2.5) as
  ``dhfbk/KIND`` keeps them for named-entity recognition (``dataset/wikinews_train.tsv`` and
  ``dataset/wikinews_test.tsv``: one token a line with its tag, a blank line between sentences,
  1,000 articles of about two decades one after another). Articles are cut where a sentence of at
  least ``MIN_TITLE_TOKENS`` tokens that starts with a capital and ends with no stop mark (a
  headline) follows a sentence that ends with one; shorter unpunctuated lines are section headings
  and stay inside their article. A piece whose headline is longer than ``MAX_TITLE_TOKENS`` or
  whose next sentence does not read as a lead (a capital or quote first, a stop mark last, at
  least ``MIN_LEAD_TOKENS`` tokens) is a fragment cut at a heading, and is left out. Tokens are
  joined back (no space before a closing mark, after an opening one or after an apostrophe). The
  first sentence is the lead (``summary``), the rest the body. The cut misses headlines that
  KIND's sentence split joined to the next article's lead, so a body can run on into other
  articles; the labeller read the first 420-600 characters of each body, so an Italian body keeps
  only its whole sentences within its first ``READ_BODY_CHARS`` characters (at least one): the
  text its label describes, not the next article's.
- Turkish (``tr``): articles of the newspaper Sözcü (Dec 2013 - Mar 2014) as
  ``BilkentInformationRetrievalGroup/TUBITAK113E249`` keeps them
  (``SozcuNewsCollection2014.rar``, one text file a news item in a folder per day: headline, a
  full stop, the site's teaser cut with " ... ", then the text). The archive is read with the
  system's libarchive (``libarchive.so.13``) through ctypes.

``SAMPLE`` articles a language are drawn at random (``SEED``) from those with at least
``MIN_BODY_CHARS`` characters of text, after skipping titles already in another item file or the
dev gold and repeated openings. Bodies keep their first ``PAGE_BODY_CHARS`` characters. The same
items on every run from the same commits.
"""

from __future__ import annotations

import ctypes
import random
import re
import sys
from pathlib import Path

from ingest.canonical import normalise_title
from ingest.tagging.build_snapshot import head_commit, show
from ingest.tagging.build_training_draw import build_main, item_row, known_titles
from ingest.tagging.build_training_sample import TRAINING

SEED = 20261207
SAMPLE = {"it": 130, "tr": 130}
MIN_BODY_CHARS = 300
MIN_TITLE_TOKENS = 4
MAX_TITLE_TOKENS = 25
MIN_LEAD_TOKENS = 6
READ_BODY_CHARS = 600
OUT = TRAINING / "items-ittr.jsonl"
KIND_REPOSITORY = "dhfbk/KIND"
KIND_FILES = ("dataset/wikinews_train.tsv", "dataset/wikinews_test.tsv")
SOZCU_REPOSITORY = "BilkentInformationRetrievalGroup/TUBITAK113E249"
SOZCU_FILE = "SozcuNewsCollection2014.rar"
_STOPS = tuple('.!?:;»”"…)')
_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "»", "”", "%", "..."}
_NO_SPACE_AFTER = {"(", "[", "«", "“"}
_SOZCU_DAY = re.compile(r"(\d{4})_(\d{1,2})_(\d{1,2})/")


def join_tokens(tokens: list[str]) -> str:
    """Italian tokens joined back into text: ``l' Istituto`` → ``l'Istituto``, ``a ,`` → ``a,``."""
    out = ""
    quote_open = False
    glue = True
    for token in tokens:
        if token == '"':
            quote_open = not quote_open
            if quote_open:
                out += ("" if glue else " ") + token
                glue = True
            else:
                out += token
                glue = False
            continue
        if not glue and token not in _NO_SPACE_BEFORE:
            out += " "
        out += token
        glue = token in _NO_SPACE_AFTER or token.endswith(("'", "’"))
    return out.strip()


def _sentences(text: str) -> list[list[str]]:
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        current.append(line.split("\t")[0])
    if current:
        sentences.append(current)
    return sentences


def _is_headline(sentence: list[str]) -> bool:
    return (
        MIN_TITLE_TOKENS <= len(sentence) <= MAX_TITLE_TOKENS
        and sentence[0][:1].isupper()
        and not sentence[-1].endswith(_STOPS)
    )


def _is_lead(sentence: list[str]) -> bool:
    """An article's first sentence: a capital (or a quote) first, a stop mark last."""
    return (
        len(sentence) >= MIN_LEAD_TOKENS
        and (sentence[0][:1].isupper() or sentence[0][:1] in '"«“')
        and sentence[-1].endswith(_STOPS)
    )


def read_kind(repo: Path) -> list[dict]:
    """Italian Wikinews articles rebuilt from KIND's token files (module docstring)."""
    items = []
    for path in KIND_FILES:
        sentences = _sentences(show(repo, path).decode("utf-8"))
        articles: list[list[list[str]]] = []
        for number, sentence in enumerate(sentences):
            ends_previous = number == 0 or sentences[number - 1][-1].endswith(_STOPS)
            if _is_headline(sentence) and ends_previous:
                articles.append([sentence])
            elif articles:
                articles[-1].append(sentence)
        for article in articles:
            if len(article) < 2 or not _is_lead(article[1]):
                continue
            lines = [join_tokens(sentence) for sentence in article]
            items.append(
                {
                    "title": lines[0],
                    "summary": lines[1],
                    "body": " ".join(lines[2:]),
                    "sentences": lines[2:],
                    "outlet": "it.wikinews.org",
                    "published": None,
                    "file": path,
                    "declared": "it",
                }
            )
    return items


def read_part(sentences: list[str]) -> str:
    """The body's whole sentences within its first ``READ_BODY_CHARS`` characters, at least one."""
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join([*kept, sentence])) > READ_BODY_CHARS:
            break
        kept.append(sentence)
    return " ".join(kept)


def rar_members(data: bytes) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file in a RAR (or any libarchive-readable) archive, in order."""
    lib = ctypes.CDLL("libarchive.so.13")
    lib.archive_read_new.restype = ctypes.c_void_p
    lib.archive_read_support_format_all.argtypes = [ctypes.c_void_p]
    lib.archive_read_open_memory.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.archive_read_next_header.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.archive_entry_pathname.argtypes = [ctypes.c_void_p]
    lib.archive_entry_pathname.restype = ctypes.c_char_p
    lib.archive_read_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.archive_read_data.restype = ctypes.c_ssize_t
    lib.archive_read_free.argtypes = [ctypes.c_void_p]
    archive = lib.archive_read_new()
    lib.archive_read_support_format_all(archive)
    buffer = ctypes.create_string_buffer(data, len(data))
    if lib.archive_read_open_memory(archive, buffer, len(data)) != 0:
        raise SystemExit("libarchive cannot open the archive")
    members = []
    entry = ctypes.c_void_p()
    chunk = ctypes.create_string_buffer(1 << 16)
    try:
        while lib.archive_read_next_header(archive, ctypes.byref(entry)) == 0:
            name = (lib.archive_entry_pathname(entry) or b"").decode("utf-8", "replace")
            parts = []
            while (size := lib.archive_read_data(archive, chunk, len(chunk))) > 0:
                parts.append(chunk.raw[:size])
            members.append((name, b"".join(parts)))
    finally:
        lib.archive_read_free(archive)
    return members


def read_sozcu(repo: Path) -> list[dict]:
    """Sözcü news items from the collection's archive (module docstring)."""
    items = []
    for name, data in rar_members(show(repo, SOZCU_FILE)):
        if not name.endswith(".txt"):
            continue
        text = " ".join(data.decode("utf-8", "replace").replace("\xa0", " ").split())
        title, _, rest = text.partition(". ")
        teaser, cut, body = rest.partition(" ... ")
        if not cut:
            teaser, body = "", rest
        day = _SOZCU_DAY.match(name)
        items.append(
            {
                "title": title.strip(),
                "summary": teaser.strip(),
                "body": body.strip(),
                "outlet": "sozcu.com.tr",
                "published": f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d}" if day else None,
                "file": f"{SOZCU_FILE}/{name}",
                "declared": "tr",
            }
        )
    return items


def draw(kind: Path, sozcu: Path) -> list[dict]:
    known = known_titles(OUT)
    sources = [
        ("it", KIND_REPOSITORY, head_commit(kind), read_kind(kind)),
        ("tr", SOZCU_REPOSITORY, head_commit(sozcu), read_sozcu(sozcu)),
    ]
    items: list[dict] = []
    openings: set[str] = set()
    for language, repository, commit, read in sources:
        candidates = []
        for item in read:
            folded = normalise_title(item["title"])
            opening = " ".join(f"{item['summary']} {item['body']}".split())[:200].casefold()
            if not folded or folded in known or opening in openings:
                continue
            if len(item["summary"]) + len(item["body"]) < MIN_BODY_CHARS:
                continue
            known.add(folded)
            openings.add(opening)
            candidates.append(item)
        rng = random.Random(f"{SEED}-{language}")
        for item in rng.sample(candidates, min(SAMPLE[language], len(candidates))):
            number = len(items)
            if "sentences" in item:
                item = {**item, "body": read_part(item["sentences"])}
            row = item_row("ittr-", number, f"{repository}:{item['file']}@{commit}", language, item)
            if item["published"]:
                row["published"] = item["published"]  # after the key, as first drawn
            items.append(row)
    return items


def main(argv: list[str]) -> int:
    return build_main(argv, __doc__.strip().splitlines()[2], OUT, draw, 2)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Topic tags: per-language keyword lexicons (``ingest/data/topics.toml``) on the shared matcher.

``tag_topics(text, language=None) -> list[TopicTag]``: every topic whose keywords occur in the
text, with each keyword as evidence (type ``keyword``, the surface as written, its offset).

The lexicon format is described in the header of ``topics.toml``: one table per topic, one list
of keywords per language; a trailing ``*`` makes a keyword a stem (up to 4 more letters of the
same word), ``**`` a compound head (up to 12 more letters); a keyword with capitals and no
lower-case letters (UN, AI, OPEC) matches case-sensitively. Keywords are matched with the same
script-aware word boundaries as the gazetteer (none for Chinese/Japanese/Thai, particles may
follow Korean nouns, Arabic-script proclitics may precede).

Which languages' keywords are matched: when the article's language has a lexicon, that
language's keywords plus the English acronyms (AI, OPEC, G7, NATO, UN turn up in every
language's news). When the language is unknown or has no lexicon, all languages' keywords.
Matching every language's keywords in every article costs precision through look-alikes
(German "war" = was, Indonesian "demo", French "parti" = left, Italian "nato" = born): on the
dev gold, topic precision drops from 0.75 to 0.72 at the same recall (0.82).
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingest.records import Evidence, TopicTag
from ingest.tagging.matcher import Matcher, Pattern
from ingest.tagging.tagger_cache import cached

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "topics.toml"
DATA_FILES = (DATA_FILE,)
STEM_SUFFIX = 4  # letters a "stem*" keyword may be followed by
COMPOUND_SUFFIX = 12  # letters a "head**" keyword may be followed by
# Languages whose case-sensitive keywords (acronyms) are matched in every article.
ACRONYMS_FROM = ("en",)
BLOCKERS = "blockers"  # the table of phrases that tag nothing
# Languages that capitalise every noun: their capitalised keywords match capitalised words only.
CAPITALISED_NOUNS = frozenset({"de", "lb"})
_META_KEYS = {"covers"}
# Languages whose press may drop the accent of a capital letter (French "coup d'Etat",
# "Election", "Etats-Unis"): a keyword whose word begins with an accented letter also matches
# with that letter plain.
CAPITAL_ACCENT_DROPPED = frozenset({"fr"})
_WORD_START = re.compile(r"(?<![^\W\d_])[^\W\d_]")


def capital_accent_variant(keyword: str) -> str:
    """``keyword`` with the accent of every word-initial letter dropped ("coup d'État" →
    "coup d'Etat", "élection" → "election"); the same keyword when none has one."""

    def plain(found: re.Match[str]) -> str:
        letter = unicodedata.normalize("NFD", found.group())[0]
        return letter if len(found.group()) == 1 else found.group()

    return _WORD_START.sub(plain, keyword)


def parse_keyword(word: str) -> tuple[str, bool, int]:
    """(text, case_sensitive, max_suffix) of a lexicon entry; max_suffix 0 = a whole word."""
    word = word.strip()
    suffix = 0
    if word.endswith("**"):
        word, suffix = word[:-2], COMPOUND_SUFFIX
    elif word.endswith("*"):
        word, suffix = word[:-1], STEM_SUFFIX
    case_sensitive = any(c.isupper() for c in word) and not any(c.islower() for c in word)
    return word, case_sensitive, suffix


@lru_cache(maxsize=1)
def load_lexicon(path: Path = DATA_FILE) -> dict[str, dict[str, list[str]]]:
    """topic → language → keywords, in file order; the project's lexicon from the tagger cache
    when it holds it (parsing the TOML takes ~80 ms of a process's start)."""
    if path == DATA_FILE:
        return cached("topic-lexicon", lambda: _read_lexicon(path), dict)
    return _read_lexicon(path)


def _read_lexicon(path: Path) -> dict[str, dict[str, list[str]]]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    lexicon: dict[str, dict[str, list[str]]] = {}
    for topic, table in data.items():
        lexicon[topic] = {
            language: list(words) for language, words in table.items() if language not in _META_KEYS
        }
    return lexicon


@lru_cache(maxsize=1)
def _topic_ids() -> tuple[str, ...]:
    return tuple(topic for topic in load_lexicon() if topic != BLOCKERS)


def topic_ids() -> list[str]:
    """The topics, in taxonomy (file) order."""
    return list(_topic_ids())


@lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    """Languages with a lexicon (every topic has keywords in each)."""
    lexicon = load_lexicon()
    return frozenset(lang for topic in topic_ids() for lang in lexicon[topic])


def _patterns(language: str | None) -> list[Pattern]:
    """Patterns for an article in ``language`` (None: every language's keywords)."""
    patterns = []
    for topic, table in load_lexicon().items():
        payload = None if topic == BLOCKERS else topic
        for lang, words in table.items():
            for word in words:
                text, case_sensitive, suffix = parse_keyword(word)
                # German capitalises its nouns: a noun keyword (Gericht*) is the noun only, not a
                # lower-case word it begins (gerichtete, "directed").
                case_sensitive = case_sensitive or (
                    lang in CAPITALISED_NOUNS and text[:1].isupper()
                )
                foreign = language is not None and lang != language
                if foreign and not (case_sensitive and lang in ACRONYMS_FROM):
                    continue
                variants = [text]
                if lang in CAPITAL_ACCENT_DROPPED and capital_accent_variant(text) != text:
                    variants.append(capital_accent_variant(text))
                for variant in variants:
                    patterns.append(
                        Pattern(
                            variant,
                            payload,
                            case_sensitive=case_sensitive,
                            prefix=suffix > 0,
                            max_suffix=suffix or 3,
                        )
                    )
    # When two keywords match the same span, the matcher keeps the one given first: blockers
    # first, then the longer keyword, which names more of the word (Kriegsflüchtling* is
    # humanitarian, although Krieg** covers the same word: a compound is its last element).
    patterns.sort(key=lambda pattern: (pattern.payload is not None, -len(pattern.text)))
    return patterns


_BUILD_LOCK = threading.Lock()  # the poller tags from many threads: build each matcher once


@lru_cache(maxsize=64)
def _build_matcher(language: str | None) -> Matcher:
    return cached(f"topics-{language or 'all'}", lambda: Matcher(_patterns(language)), Matcher)


def _matcher(language: str | None) -> Matcher:
    with _BUILD_LOCK:
        return _build_matcher(language)


def _selection(language: str | None) -> str | None:
    return language if language and language in languages() else None


def tag_topics(text: str, language: str | None = None) -> list[TopicTag]:
    """Topics of ``text`` with their keyword evidence, in taxonomy order."""
    found: dict[str, list[Evidence]] = {}
    for match in _matcher(_selection(language)).find(text):
        if match.payload is None:
            continue  # a blocker
        found.setdefault(match.payload, []).append(Evidence(match.text, "keyword", match.start))
    return [TopicTag(topic, found[topic]) for topic in _topic_ids() if topic in found]

"""What the topic model reads of an article: its words and its lexicon evidence, as features.

Shared by the model at tagging time (``topic_model``) and by its training script
(``build_topic_model``), so both see an article the same way.

- **Words** (``words``): every word of the text, lower-cased, with its offset. Scripts written
  without spaces (Han, kana) and Hangul give overlapping two-character pieces instead (Korean
  words carry particles: 러시아의 → 러시, 시아, 아의); long words of other scripts also give their
  first five letters (a crude stem for inflection: санкциями → санкц). Title words count twice:
  what a headline says, the article is about. The body is read up to ``BODY_CHARS``.
  A language's function words (``function_words``: di, dan, в, на, der…) are left out: a long
  body repeats them, and the model learnt weights for them that sank every topic of a long text.
- **Lexicon evidence** (``lexicon_features``): for each topic, the keyword hits of
  ``topics.toml`` by where they are (title, summary/lead, deeper in the body), the number of
  distinct keywords, and each keyword by name (``kw:military:troops``), so the model learns
  which keywords are reliable and which fire on passing words.
- **Countries** (``country_features``): what the country tagger found, in any language: its
  evidence by type (a leader, an institution, a capital...) in the title or the text, and how
  many countries the article and its title name. A head of government named without a word of
  the politics lexicon (Greek Μητσοτάκης), two states in one headline: signals that carry across
  languages and outlets. Never shown as a topic's evidence.
- **Meaning** (``vector_features``), when the article's multilingual sentence vector is known
  (the store computes it after saving the article): its 512 numbers, for the second model
  (``topic_model``: ``topic_model_vectors.json``), which carries what a topic's articles mean
  across languages and outlets whose words it never saw.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

from ingest.records import CountryTag, Evidence, TopicTag
from ingest.tagging.tagger_cache import cached

# Function words per language (stopwords-iso; ``build_evidence_stopwords``): not read by the
# model, never shown as evidence.
STOPWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "evidence_stopwords.tsv"
BODY_CHARS = 4000  # the body the model reads: the lead and what follows it
# Lexicon features are scaled up so that the regularised model leans on them (they carry
# across languages and outlets; single words carry less far): cross-validated by outlet, micro
# F1 0.640 at 1.0, 0.657 at 3.0.
LEXICON_WEIGHT = 3.0
# Country features' scale: cross-validated by outlet (first model), micro F1 0.703 without them,
# 0.708 at 1.0.
COUNTRY_WEIGHT = 1.0
STEM_LETTERS = 5
_WORD = re.compile(r"[^\W\d_][\w'’]*", re.UNICODE)
# ``_WORD`` on ASCII text, where its classes are these ranges (found faster: no Unicode lookups).
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']*")
_PIECES_FROM = "\u1100"  # no character before it is in _PIECES_CLASS
_PIECES_CLASS = r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff]"


@cache
def _pieces_pattern() -> re.Pattern[str]:
    """Hangul, kana and Han (compiled when a text first holds a character past U+1100: a class
    of ranges this wide takes ~5 ms to compile)."""
    return re.compile(_PIECES_CLASS)


def _has_pieces(text: str) -> bool:
    """Whether ``text`` holds Hangul, kana or Han, read in two-character pieces."""
    return bool(text) and max(text) >= _PIECES_FROM and _pieces_pattern().search(text) is not None


@cache
def function_words() -> dict[str, frozenset[str]]:
    """Language → its function words (``STOPWORDS_FILE``; ``#`` lines are comments), from the
    tagger cache when it holds them (reading the file takes ~20 ms of a process's start)."""
    return cached("function-words", _read_function_words, dict)


def _read_function_words() -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {}
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            language, word = line.split("\t")
            words.setdefault(language, set()).add(word)
    return {language: frozenset(found) for language, found in words.items()}


def language_function_words(language: str | None) -> frozenset[str]:
    """The function words of ``language`` (a tag such as ``pt-BR`` reads as ``pt``)."""
    return function_words().get((language or "").split("-")[0].lower(), frozenset())


def _pieces(word: str) -> Iterator[str]:
    if len(word) == 1:
        yield word
        return
    for index in range(len(word) - 1):
        yield word[index : index + 2]


def words(text: str, wanted: Collection[str] | None = None) -> list[tuple[str, int, int]]:
    """(feature, start, end) for each word of ``text`` (see the module's docstring); with
    ``wanted``, only those whose feature is in it (the few a tag's evidence may show)."""
    out: list[tuple[str, int, int]] = []
    add = out.append
    split_some = _has_pieces(text)  # most texts have no Han, kana or Hangul
    pieces = _pieces_pattern() if split_some else None
    plain = stems = None
    if wanted is not None:
        plain = {feature[2:] for feature in wanted if feature.startswith("w:")}
        stems = {feature[2:] for feature in wanted if feature.startswith("s:")}
    low = _lowered_in_place(text)
    if plain is not None and stems is not None and low is not None and not split_some:
        return _wanted_words(low, plain, stems)
    for found in _WORD.finditer(text if low is None else low):
        word = found.group().lower() if low is None else found.group()
        if pieces is not None and pieces.search(word):
            start = found.start()
            for offset, piece in enumerate(_pieces(word)):
                if plain is None or piece in plain:
                    add((f"w:{piece}", start + offset, start + offset + len(piece)))
            continue
        if plain is None:
            start, end = found.span()
            add((f"w:{word}", start, end))
            if len(word) > STEM_LETTERS + 2:
                add((f"s:{word[:STEM_LETTERS]}", start, end))
            continue
        if word in plain:
            add((f"w:{word}", *found.span()))
        if stems and len(word) > STEM_LETTERS + 2 and word[:STEM_LETTERS] in stems:
            add((f"s:{word[:STEM_LETTERS]}", *found.span()))
    return out


_LETTER = re.compile(r"[^\W\d_]")  # what a word of ``_WORD`` starts with
_WORD_GOES_ON = re.compile(r"[\w'’]")  # what it goes on with


def _word_starts(text: str, at: int) -> bool:
    """Whether a word of ``_WORD`` starts at ``at``: a letter with no letter before it in its
    run of word characters (a run holds one word, from its first letter to its end)."""
    if not _LETTER.match(text, at):
        return False
    before = at - 1
    while before >= 0 and _WORD_GOES_ON.match(text, before):
        if _LETTER.match(text, before):
            return False
        before -= 1
    return True


def _word_end(text: str, at: int) -> int:
    """Where the run of word characters that goes on at ``at`` ends."""
    end = at
    while end < len(text) and _WORD_GOES_ON.match(text, end):
        end += 1
    return end


def _wanted_words(low: str, plain: set[str], stems: set[str]) -> list[tuple[str, int, int]]:
    """``words(text, wanted)`` of a text lower-cased in place (``low``) with no piece-split
    script, found by looking for the few wanted words and stems (``plain``, ``stems``) rather
    than reading every word: each place one occurs is kept when a word of ``_WORD`` starts
    there and is the wanted word (or, for a stem, a word longer than ``STEM_LETTERS + 2``
    letters that begins with it); in the text's order, a word before its stem, as ``words``
    gives them."""
    found: list[tuple[int, int, str, int]] = []  # (start, 0 word / 1 stem, feature, end)
    for kind, wanted in ((0, plain), (1, stems)):
        for word in wanted:
            at = low.find(word)
            while at >= 0:
                if _word_starts(low, at):
                    end = _word_end(low, at + len(word))
                    if kind == 0 and end == at + len(word):
                        found.append((at, 0, f"w:{word}", end))
                    elif kind == 1 and end - at > STEM_LETTERS + 2 and len(word) == STEM_LETTERS:
                        found.append((at, 1, f"s:{word}", end))
                at = low.find(word, at + 1)
    found.sort()
    return [(feature, start, end) for start, _kind, feature, end in found]


def field_words(
    title: str, summary: str, body: str | None, wanted: Collection[str] | None = None
) -> list[tuple[str, str, int, int]]:
    """(field, feature, start, end) of every word the model reads, field by field (with
    ``wanted``: of those whose feature is in it)."""
    fields = (
        ("title", title or ""),
        ("summary", summary or ""),
        ("body", (body or "")[:BODY_CHARS]),
    )
    return [(field, *word) for field, text in fields for word in words(text, wanted)]


def _lowered_in_place(text: str) -> str | None:
    """``text`` lower-cased at once, when that lower-cases each of its words as lower-casing
    the word alone would, every character in its place (no character's lower case leaves or
    joins ``_WORD``'s classes); None when a word must be lower-cased on its own: İ lowers to
    two characters, and a capital sigma's lower case depends on what follows its word."""
    low = text.lower()
    return low if len(low) == len(text) and "\u03a3" not in text else None


def _lowered_words(text: str) -> list[str]:
    """The lower-cased words of ``text`` (``_WORD``), as ``words`` reads them."""
    low = _lowered_in_place(text)
    if low is not None:
        return (_ASCII_WORD if low.isascii() else _WORD).findall(low)
    return [found.group().lower() for found in _WORD.finditer(text)]


def field_counts(
    title: str, summary: str, body: str | None, skip: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Each word feature of the article with its weight (title words count twice): what
    ``field_words`` gives, counted without the offsets, in the order it first gives them;
    words in ``skip`` (function words) are not counted.

    The fields' words are counted together (the title's twice), so a word the title, summary
    and body share is turned into features once: the counts are whole numbers, the same as the fields' counts
    added up, and each feature comes in the order its first word does."""
    words: list[str] = []
    split_some = False
    for weight, text in (
        (2, title or ""),
        (1, summary or ""),
        (1, (body or "")[:BODY_CHARS]),
    ):
        if text:
            words += _lowered_words(text) * weight
            split_some = split_some or _has_pieces(text)
    pieces = _pieces_pattern() if split_some else None
    counts: dict[str, int] = {}
    get = counts.get
    for word, count in Counter(words).items():
        if word in skip:
            continue
        if pieces is not None and pieces.search(word):
            for piece in _pieces(word):
                feature = f"w:{piece}"
                counts[feature] = get(feature, 0) + count
            continue
        feature = f"w:{word}"
        counts[feature] = get(feature, 0) + count
        if len(word) > STEM_LETTERS + 2:
            feature = f"s:{word[:STEM_LETTERS]}"
            counts[feature] = get(feature, 0) + count
    return {feature: 1.0 + math.log(count) for feature, count in counts.items()}


WORD_FEATURES = ("w:", "s:")  # the article's words and stems (the rest: lexicon, length)


def scaled_words(features: dict[str, float], scale: float | None) -> dict[str, float]:
    """``features`` with its words and stems scaled to a Euclidean length of ``scale`` (None:
    as they are), so that a long body's many words weigh no more in all than a teaser's few
    against the lexicon's features; the model's training chooses the scale."""
    if scale is None:
        return features
    scaled = _scaled({k: v for k, v in features.items() if k.startswith(WORD_FEATURES)}, scale)
    return {k: scaled.get(k, v) for k, v in features.items()}


def _scaled(words: dict[str, float], scale: float) -> dict[str, float]:
    """``words`` (words and stems only) scaled to a Euclidean length of ``scale``."""
    norm = math.sqrt(sum(v * v for v in words.values()))
    if not norm:
        return words
    factor = scale / norm
    return {k: v * factor for k, v in words.items()}


VECTOR_FEATURE = "v:"  # one feature per dimension of the article's sentence vector
# The languages the sentence encoder was trained on (m-USE v3's model card: Arabic, Chinese,
# English, French, German, Italian, Japanese, Korean, Dutch, Polish, Portuguese, Spanish, Thai,
# Turkish, Russian): only there does its vector say what an article means, so only there does
# the second model decide (elsewhere the first does, vector or not).
ENCODER_LANGUAGES = frozenset(
    {"ar", "zh", "en", "fr", "de", "it", "ja", "ko", "nl", "pl", "pt", "es", "th", "tr", "ru"}
)


def vector_features(vector: Sequence[float], weight: float) -> dict[str, float]:
    """The article's multilingual sentence vector (``ingest.vectors``: title and summary, unit
    length) as features ``v:0`` … ``v:511``, each times ``weight`` (the training chooses it):
    what the article means, in one space for every language, beside its words."""
    return {f"{VECTOR_FEATURE}{i}": float(value) * weight for i, value in enumerate(vector)}


# Lexicon rules a topic may be decided by instead of the model (``build_topic_model`` chooses,
# per topic, whichever scores best on the training articles, a rule only when it beats the
# model by a margin: so far the rare topics, whose few labelled articles the words cannot learn
# from). Each reads the topic's keyword hits in the title, the summary (lead) and the body.
LEXICON_RULES: dict[str, Callable[[int, int, int], bool]] = {
    "any": lambda title, summary, body: title + summary + body > 0,
    "lead": lambda title, summary, body: title + summary > 0,
    "lead_or_3": lambda title, summary, body: title + summary > 0 or body >= 3,
    "title_or_2": lambda title, summary, body: title > 0 or summary + body >= 2,
}
LEXICON_RULE_TEXT = {
    "any": "a keyword anywhere",
    "lead": "a keyword in the title or the summary",
    "lead_or_3": "a keyword in the title or the summary, or three in the body",
    "title_or_2": "a keyword in the title, or two in the summary and body",
}


def hit_counts(tag: TopicTag) -> tuple[int, int, int]:
    """A lexicon topic's keyword hits in (title, summary, body)."""
    title = sum(item.field == "title" for item in tag.evidence)
    summary = sum(item.field == "summary" for item in tag.evidence)
    return title, summary, len(tag.evidence) - title - summary


def passing_mention(hits: tuple[int, int, int]) -> bool:
    """Whether a topic's keyword hits (``hit_counts``) are one passing mention: a single keyword
    in the body and none in the title or summary. The model is not trusted on it (a long text's
    aside on an "Atomabkommen", "sanksi" for a crew's misconduct): such a topic is not tagged,
    whatever its score (cross-validated by outlet: precision on articles with a body 0.65 →
    0.70, F1 unchanged or better)."""
    title, summary, body = hits
    return title + summary == 0 and body == 1


def keyword_name(evidence: Evidence) -> str:
    return evidence.text.lower()


def lexicon_features(found: Iterable[TopicTag]) -> dict[str, float]:
    """Features of the lexicon's hits (evidence already placed in its field: title, summary,
    body; ``lead`` prominence tells lead hits of the body from deeper ones)."""
    features: dict[str, float] = {}
    total = 0
    per_topic: dict[str, int] = {}
    for tag in found:
        title, summary, body = hit_counts(tag)
        names = {keyword_name(item) for item in tag.evidence}
        topic = tag.topic
        per_topic[topic] = len(tag.evidence)
        total += len(tag.evidence)
        features[f"lx:{topic}:title"] = float(title > 0)
        features[f"lx:{topic}:summary"] = math.log1p(summary)
        features[f"lx:{topic}:body"] = math.log1p(body)
        features[f"lx:{topic}:distinct"] = math.log1p(len(names))
        for name in names:
            features[f"kw:{topic}:{name}"] = 1.0
    for topic, hits in per_topic.items():
        features[f"lx:{topic}:share"] = hits / total
    return {name: value * LEXICON_WEIGHT for name, value in features.items()}


def country_features(countries: Iterable[CountryTag]) -> dict[str, float]:
    """Features of the countries tagged (evidence placed in its field): each evidence type's
    count in the title and in the rest (``cx:leader:title``), the number of countries, of
    countries the title names, and whether it names two or more."""
    by_place: Counter[str] = Counter()
    named = in_title = 0
    for country in countries:
        named += 1
        titled = False
        for item in country.evidence:
            where = "title" if item.field == "title" else "text"
            by_place[f"cx:{item.type}:{where}"] += 1
            titled = titled or where == "title"
        in_title += titled
    features = {name: math.log1p(count) for name, count in by_place.items()}
    features["cx:countries"] = math.log1p(named)
    features["cx:countries_title"] = math.log1p(in_title)
    features["cx:two_in_title"] = float(in_title >= 2)
    return {name: value * COUNTRY_WEIGHT for name, value in features.items()}


def article_features(
    title: str,
    summary: str,
    body: str | None,
    found: Iterable[TopicTag],
    word_scale: float | None = None,
    language: str | None = None,
    countries: Iterable[CountryTag] = (),
) -> dict[str, float]:
    """Everything the model reads of one article written in ``language`` (whose function words
    it does not read) whose ``countries`` the tagger found; with ``word_scale``, its words and
    stems scaled to that length (``scaled_words`` of the result, without looking for the
    words)."""
    features = field_counts(title, summary, body, language_function_words(language))
    if word_scale is not None:
        features = _scaled(features, word_scale)
    features.update(lexicon_features(found))
    features.update(country_features(countries))
    features["len:body"] = float(bool(body))
    return features

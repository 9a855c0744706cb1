"""Which of the lexicon's candidate topics an article really is about, and the words that say so.

The lexicon (``topics.toml``) proposes topics from keywords; on real articles it over-fires on
single weak words in long texts and misses paraphrases. This model decides. For each topic a
linear score over the article's features (``topic_features``: its words, and the lexicon's
hits by field, count and keyword), a logistic link, and a per-topic threshold: the topic is
tagged when the probability reaches it (the training script sets each threshold to keep the
topic's precision at 0.80 on outlets held out of training where it can). A topic too rare in
the training set for its words to be learnt (sanctions) is decided instead by a lexicon rule on
where its keywords are (``topic_features.LEXICON_RULES``: "a keyword in the title, or two in
the summary and body"), the rule the training script chose for it (``decided_by`` in the
JSON). Trained by ``python -m ingest.tagging.build_topic_model`` on the labelled articles in
``ingest/data/training/`` (cross-validated by outlet); the weights are
``ingest/data/topic_model.json`` (topics, thresholds, feature names) and
``topic_model.npy`` (the weights). A process reads them from the tagger cache (``tagger_cache``:
the feature index built and the weights laid out by topic), and weighs an article's features
in plain Python unless numpy is loaded already: importing numpy takes about 0.1 s, a fifth of
a ``tag`` process's start (issue 12, item 5), while a feed item's ~70 known features take
~0.12-0.18 ms to weigh in plain Python and ~0.05-0.09 ms with numpy (measured 2026-12-07 over
the 3,386 fixture feed items).

Why a tag fired is always said: its evidence is the lexicon keywords found (type ``keyword``,
as before) and then the words of the article that weighed most for it (type ``word``), each
with its field and offset, so the reader view can highlight them. A topic a rule decides shows
its keywords only: they are the whole reason.

Editing ``topics.toml`` still takes effect on ``retag``: a new keyword adds to its topic's hit
counts (which the model weighs), a removed one no longer counts; the artefact is part of the
tagger version.
"""

from __future__ import annotations

import json
import math
import re
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import compress
from operator import itemgetter, mul
from pathlib import Path
from typing import Any

from ingest.records import CountryTag, Evidence, TopicTag
from ingest.tagging.matcher import hangul
from ingest.tagging.tagger_cache import cached
from ingest.tagging.topic_features import (
    ENCODER_LANGUAGES,
    LEXICON_RULES,
    WORD_FEATURES,
    article_features,
    field_words,
    hit_counts,
    language_function_words,
    passing_mention,
    vector_features,
)

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "topic_model.json"
WEIGHTS_FILE = MODEL_FILE.with_suffix(".npy")  # one float16 row of topic weights per feature
# The second model: the same features and the article's sentence vector (``vector_features``).
VECTOR_MODEL_FILE = MODEL_FILE.with_name("topic_model_vectors.json")
VECTOR_WEIGHTS_FILE = VECTOR_MODEL_FILE.with_suffix(".npy")
MAX_WORDS = 3  # words shown as evidence per topic, beside its keywords
# Beside keywords, a word is shown only when it weighs at least this much for the topic (about
# the top 5% of the model's positive weights); a topic with no keyword shows its best words.
MIN_WORD_WEIGHT = 0.15
# A topic no keyword of the lexicon proposed is tagged only when the model is at least this sure
# (and past the topic's threshold): its evidence is then words the model weighs, which say less
# than a keyword. In the grouped cross-validation such tags were 79 right and 53 wrong at the
# topics' thresholds alone, 49 right and 12 wrong with this floor (precision 0.80, the goal's);
# on unseen Indonesian news it dropped "Charles, Bertemu" → rights and "Aksi, Rencana" → unrest.
KEYWORDLESS_FLOOR = 0.6
# Hangul words carry particles, so the model reads them in two-syllable pieces (러시아의 → 러시,
# 시아, 아의); shown as evidence, a piece is widened to its whole word (펠로 → 펠로시의).
_WORD_CHAR = re.compile(r"\w")
# Pieces of unspaced text that say nothing to a reader: Japanese written in hiragana alone (the
# grammar between the words: した, への), and Chinese pieces that begin or end on the particles
# 的 and 了 (天的 of 春天的).
_HIRAGANA_ONLY = re.compile(r"[\u3040-\u309f]+")
_PARTICLE_END = re.compile(r"^[的了]|[的了]$")


# Hangul and Han, tested character by character (a regular expression of these wide classes
# takes ~3 ms to compile in every process).
def _han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _unspaced(char: str) -> bool:
    """Whether ``char`` is written without spaces between words (kana, Han): a piece of such a
    run may end anywhere."""
    return "\u3040" <= char <= "\u30ff" or _han(char)


def _han_start(text: str) -> bool:
    return bool(text) and _han(text[0])


def _holds_hangul(text: str) -> bool:
    # most words hold nothing past U+1100, where Hangul starts: no loop
    return bool(text) and max(text) >= "\u1100" and any(map(hangul, text))


@dataclass(frozen=True)
class TopicModel:
    topics: tuple[str, ...]
    thresholds: tuple[float, ...]  # per topic, in ``topics`` order
    intercepts: tuple[float, ...]
    index: dict[str, int]  # feature name → its row (position in each column)
    columns: tuple[array, ...]  # per topic, its weight (float32) of each feature, by row
    not_evidence: frozenset[str]  # function words: weighed, never shown as evidence
    decided_by: dict[str, str]  # topic → "model" or a LEXICON_RULES name
    word_scale: float | None = None  # the words' length the model was trained at (scaled_words)
    vector_weight: float | None = None  # the second model's: its vector features' weight

    def known(self, features: dict[str, float]) -> tuple[list[str], list[int], list[float]]:
        """The features the model has weights for: names, rows (in ``columns``), values."""
        present = list(map(self.index.__contains__, features))  # in C: most are not the model's
        names = list(compress(features, present))
        return (
            names,
            list(map(self.index.__getitem__, names)),
            list(compress(features.values(), present)),
        )

    def weigh(
        self, rows: list[int], values: list[float]
    ) -> tuple[list[float], list[Sequence[float]]]:
        """Each topic's probability (``topics`` order) for the features at ``rows`` (``known``)
        with these ``values``, and each topic's weights of those features. In plain Python; with
        numpy, when the process has loaded it already (the pipeline has, for its vectors), on
        texts of many features, where it is about twice as fast."""
        numpy = sys.modules.get("numpy")
        if numpy is not None and len(rows) >= NUMPY_FROM_FEATURES:
            weights = _matrix(self, numpy)[:, rows]
            totals = numpy.asarray(self.intercepts) + weights @ numpy.asarray(values, dtype=float)
            return [_logistic(total) for total in totals.tolist()], weights.tolist()
        weighed = self.weighed(rows)
        return self.probabilities(weighed, values), list(weighed)

    def weighed(self, rows: list[int]) -> list[tuple[float, ...]]:
        """Each topic's weights (``topics`` order) of the features at ``rows`` (``known``)."""
        if len(rows) == 1:  # itemgetter of one index gives the item, not a tuple
            return [(column[rows[0]],) for column in self.columns]
        if not rows:
            return [() for _column in self.columns]
        gather = itemgetter(*rows)
        return [gather(column) for column in self.columns]

    def probabilities(self, weighed: list[tuple[float, ...]], values: list[float]) -> list[float]:
        """Each topic's probability (``topics`` order) for features of these ``values`` whose
        weights are ``weighed`` (``weighed``)."""
        return [
            _logistic(intercept + sum(map(mul, values, weights)))
            for intercept, weights in zip(self.intercepts, weighed, strict=True)
        ]


# Features from which a process that has numpy weighs with it (below, plain Python is as fast).
NUMPY_FROM_FEATURES = 16
_MATRICES: dict[int, tuple[TopicModel, Any]] = {}  # id(model) → (model, topics × features)


def _matrix(model: TopicModel, numpy: Any) -> Any:  # noqa: ANN401 - numpy is loaded lazily
    """The model's weights as one numpy array (topics × features), made once per model."""
    found = _MATRICES.get(id(model))
    if found is None or found[0] is not model:
        stacked = numpy.vstack([numpy.frombuffer(c, dtype=numpy.float32) for c in model.columns])
        found = _MATRICES[id(model)] = (model, stacked)
    return found[1]


def _logistic(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(total, -30.0), 30.0)))


def _read_model(model_file: Path = MODEL_FILE, weights_file: Path = WEIGHTS_FILE) -> TopicModel:
    """A model from its files (numpy reads the weights; the tagger cache keeps the result)."""
    import numpy as np  # only here: a process that finds the model in the cache never loads it

    about = json.loads(model_file.read_text(encoding="utf-8"))
    weights = np.load(weights_file, allow_pickle=False)
    topics = tuple(about["topics"])
    by_topic = np.ascontiguousarray(weights.T, dtype=np.float32)  # native order, as array reads
    return TopicModel(
        topics=topics,
        thresholds=tuple(float(np.float32(about["thresholds"][t])) for t in topics),
        intercepts=tuple(float(np.float32(about["intercepts"][t])) for t in topics),
        index={name: row for row, name in enumerate(about["features"])},
        columns=tuple(array("f", row.tobytes()) for row in by_topic),
        not_evidence=frozenset(about.get("not_evidence", ())),
        decided_by=about.get("decided_by", {}),
        word_scale=about.get("word_scale"),
        vector_weight=about.get("vector_weight"),
    )


@cache
def load_model() -> TopicModel | None:
    """The trained model (None when there is none: every lexicon topic is then kept)."""
    if not (MODEL_FILE.is_file() and WEIGHTS_FILE.is_file()):
        return None
    return cached("topic-model", _read_model, TopicModel)


@cache
def load_vector_model() -> TopicModel | None:
    """The second model, which also reads the article's sentence vector (None when there is
    none: the first decides)."""
    if not (VECTOR_MODEL_FILE.is_file() and VECTOR_WEIGHTS_FILE.is_file()):
        return None
    return cached(
        "topic-model-vectors",
        lambda: _read_model(VECTOR_MODEL_FILE, VECTOR_WEIGHTS_FILE),
        TopicModel,
    )


def covered(field: str, start: int, end: int, spans: list[tuple[str, int, int]]) -> bool:
    """Whether ``field[start:end]`` overlaps any of ``spans`` (field, start, end)."""
    return any(f == field and s < end and start < e for f, s, e in spans)


def _whole_word(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the word of ``text`` that holds ``text[start:end]``."""
    while start > 0 and _WORD_CHAR.match(text, start - 1):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text, end):
        end += 1
    return start, end


_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def _unit_of_a_count(text: str, start: int, word: str) -> bool:
    """Whether ``word`` is the unit of the number before it: glued to it (395km, 5G) or, when of
    two letters, one space after it (130 km, 10 GW)."""
    if _han_start(word):
        return False
    if start > 0 and text[start - 1].isdigit():
        return True
    return len(word) == 2 and start > 1 and text[start - 1] == " " and text[start - 2].isdigit()


def _shown_span(text: str, start: int, end: int, stop: frozenset[str]) -> tuple[int, int] | None:
    """Where a word the model weighed is shown as evidence (a Hangul piece: its whole word), or
    None when it says nothing to a reader: a function word of the article's language (``stop``),
    a word cut short by the body's limit, a single letter or syllable (a single Han character
    is a word: 战, 核), no letter at all, the unit of a number (395km, 130 km), or a piece of a
    Latin word (AP of 釜山APEC)."""
    whole = _whole_word(text, start, end)
    if _holds_hangul(text[whole[0] : whole[1]]):  # a piece of a Korean word (엠마크리스III를 → II)
        start, end = whole
    elif end < whole[1] and not _unspaced(text[end - 1]) and not _unspaced(text[end]):
        return None  # a word cut short where the model stops reading the body (BODY_CHARS)
    word = text[start:end]
    if word.lower() in stop or (len(word) == 1 and not _han(word)):
        return None
    if not any(char.isalpha() for char in word):  # digits cut from a Han run: 11点10分 → 10
        return None
    if any(char.isdigit() for char in word):  # a date or a count: 4日, 2021年, 11点
        return None
    if _unit_of_a_count(text, start, word):
        return None
    if _LATIN.fullmatch(word) and (
        (start > 0 and _LATIN.match(text, start - 1)) or _LATIN.match(text, end)
    ):
        return None  # a piece of a Latin word inside Japanese or Chinese text: AP of 釜山APEC
    if _HIRAGANA_ONLY.fullmatch(word) or (_han_start(word) and _PARTICLE_END.search(word)):
        return None  # grammar, not a word: した, への; a piece across a particle: 天的, 了解
    return start, end


def _shown_tokens(
    tokens: list[tuple[str, str, int, int]], fields: dict[str, str], stop: frozenset[str]
) -> list[tuple[str, str, int, int]]:
    """The words read (field, feature, start, end) where they would be shown as evidence
    (``_shown_span``), those that say nothing to a reader left out: worked out once for every
    topic that may show them."""
    shown = []
    for field, feature, start, end in tokens:
        span = _shown_span(fields[field], start, end, stop)
        if span is not None:
            shown.append((field, feature, *span))
    return shown


def _word_evidence(
    weighed: dict[str, float],
    tokens: list[tuple[str, str, int, int]],
    fields: dict[str, str],
    taken: list[tuple[str, int, int]],
) -> list[Evidence]:
    """The article's words that weighed most for one topic, as evidence in their field:
    ``weighed`` holds the article's features that may be shown with their weights for the
    topic (those above the floor, no function word of the model's ``not_evidence``);
    ``tokens`` are the words as they would be shown (``_shown_tokens``: no function word of
    the article's language); words inside a keyword or a country's evidence already shown
    (``taken``) are not shown either."""
    best: dict[str, tuple[float, Evidence]] = {}
    for field, feature, start, end in tokens:
        weight = weighed.get(feature)
        if weight is None:
            continue
        if covered(field, start, end, taken):
            continue
        known = best.get(feature)
        if known is None or weight > known[0]:
            best[feature] = (weight, Evidence(fields[field][start:end], "word", start, field))
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].field, item[1].start))
    chosen: list[Evidence] = []
    for _weight, item in ranked:
        if any(item.field == other.field and item.start == other.start for other in chosen):
            continue
        chosen.append(item)
        if len(chosen) == MAX_WORDS:
            break
    return chosen


def _weighed(
    names: list[str], weights: Sequence[float], floor: float, not_evidence: frozenset[str]
) -> dict[str, float]:
    """The words and stems among ``names`` that weigh at least ``floor`` (and more than
    nothing) for one topic (``weights``: theirs, in the same order), function words left out:
    the features a word of the text can be shown for."""
    return {
        name: weight
        for name, weight in zip(names, weights, strict=True)
        if weight >= floor
        and weight > 0
        and name.startswith(WORD_FEATURES)
        and name not in not_evidence
    }


def decide(
    title: str,
    summary: str,
    body: str | None,
    found: list[TopicTag],
    order: list[str],
    countries: Sequence[CountryTag] = (),
    language: str | None = None,
    vector: Sequence[float] | None = None,
) -> list[TopicTag]:
    """The topics the model keeps or adds, in taxonomy ``order``, each with its evidence.
    ``countries``: the article's country tags, which the model reads (``country_features``)
    and whose evidence words are not a topic's evidence;
    ``language``: the article's (whose function words are never evidence); ``vector``: its
    sentence vector when the store has it (``ingest.vectors``), read by the second model in the
    encoder's languages (``ENCODER_LANGUAGES``; elsewhere the first decides). The
    vector is never evidence: a topic is kept only with keywords or words that say why."""
    second = vector is not None and language in ENCODER_LANGUAGES
    model = (load_vector_model() if second else None) or load_model()
    if model is None:
        return found
    features = article_features(title, summary, body, found, model.word_scale, language, countries)
    if second and vector is not None and model.vector_weight is not None:
        features.update(vector_features(vector, model.vector_weight))
    names, rows, values = model.known(features)
    scores, topic_weights = model.weigh(rows, values)
    by_topic = {tag.topic: tag for tag in found}
    column_of = {topic: column for column, topic in enumerate(model.topics)}
    # Each topic kept, in ``order``: its tag, and for one the model decides, the features a word
    # of the text may be shown for (None: a lexicon rule decided, its keywords say why).
    chosen: list[tuple[TopicTag, dict[str, float] | None]] = []
    for topic in order:
        column = column_of.get(topic)
        rule = model.decided_by.get(topic, "model")
        if rule != "model":  # a lexicon rule decides: its keywords are the evidence
            found_tag = by_topic.get(topic)
            if found_tag is not None and LEXICON_RULES[rule](*hit_counts(found_tag)):
                chosen.append((found_tag, None))
            continue
        if column is None or scores[column] < model.thresholds[column]:
            continue
        if topic not in by_topic and scores[column] < KEYWORDLESS_FLOOR:
            continue
        if topic in by_topic and passing_mention(hit_counts(by_topic[topic])):
            continue
        tag = by_topic.get(topic) or TopicTag(topic)
        floor = MIN_WORD_WEIGHT if tag.evidence else 0.0  # no keyword: its best words say why
        chosen.append((tag, _weighed(names, topic_weights[column], floor, model.not_evidence)))
    # The text is read once for the words of every topic kept (each topic then takes its own).
    wanted = {feature for _tag, weighed in chosen if weighed for feature in weighed}
    fields = {"title": title or "", "summary": summary or "", "body": body or ""}
    stop = language_function_words(language)
    tokens = (
        _shown_tokens(field_words(title, summary, body, wanted), fields, stop) if wanted else []
    )
    shown = [item for country in countries for item in country.evidence]
    kept = []
    for tag, weighed in chosen:
        if weighed is None:
            kept.append(tag)
            continue
        words_shown: list[Evidence] = []
        if weighed:
            taken = [
                (item.field, item.start, item.start + len(item.text))
                for item in (*tag.evidence, *shown)
            ]
            words_shown = _word_evidence(weighed, tokens, fields, taken)
        tag.evidence = [*tag.evidence, *words_shown]
        if tag.evidence:
            kept.append(tag)
    return kept

"""Which of the lexicon's candidate topics an article really is about, and the words that say so.

The lexicon (``topics.toml``) proposes topics from keywords; on real articles it over-fires on
single weak words in long texts and misses paraphrases. This model decides. For each topic a
linear score over the article's features (``topic_features``: its words, and the lexicon's
hits by field, count and keyword), a logistic link, and a per-topic threshold: the topic is
tagged when the probability reaches it. Trained by ``python -m ingest.tagging.build_topic_model``
on the labelled articles in ``ingest/data/training/`` (cross-validated by outlet); the weights
are ``ingest/data/topic_model.json`` (topics, thresholds, feature names) and
``topic_model.npy`` (the weights), read once per process.

Why a tag fired is always said: its evidence is the lexicon keywords found (type ``keyword``,
as before) and then the words of the article that weighed most for it (type ``word``), each
with its field and offset, so the reader view can highlight them.

Editing ``topics.toml`` still takes effect on ``retag``: a new keyword adds to its topic's hit
counts (which the model weighs), a removed one no longer counts; the artefact is part of the
tagger version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ingest.records import Evidence, TopicTag
from ingest.tagging.topic_features import article_features, field_words

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "topic_model.json"
WEIGHTS_FILE = MODEL_FILE.with_suffix(".npy")  # one float32 row of topic weights per feature
MAX_WORDS = 3  # words shown as evidence per topic, beside its keywords
# Beside keywords, a word is shown only when it weighs at least this much for the topic (about
# the top 5% of the model's positive weights); a topic with no keyword shows its best words.
MIN_WORD_WEIGHT = 0.15


@dataclass(frozen=True)
class TopicModel:
    topics: tuple[str, ...]
    thresholds: np.ndarray  # per topic, in ``topics`` order
    intercepts: np.ndarray
    index: dict[str, int]  # feature name → row of ``weights``
    weights: np.ndarray  # features × topics
    not_evidence: frozenset[str]  # function words: weighed, never shown as evidence

    def scores(self, features: dict[str, float]) -> np.ndarray:
        """Each topic's probability for these features (``topics`` order)."""
        rows, values = [], []
        for name, value in features.items():
            row = self.index.get(name)
            if row is not None:
                rows.append(row)
                values.append(value)
        total = self.intercepts + np.asarray(values, dtype=np.float32) @ self.weights[rows]
        return 1.0 / (1.0 + np.exp(-np.clip(total, -30.0, 30.0)))

    def weight(self, feature: str, topic: int) -> float:
        row = self.index.get(feature)
        return 0.0 if row is None else float(self.weights[row, topic])


@cache
def load_model() -> TopicModel | None:
    """The trained model (None when there is none: every lexicon topic is then kept)."""
    try:
        about = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        weights = np.load(WEIGHTS_FILE, allow_pickle=False)
    except FileNotFoundError:
        return None
    topics = tuple(about["topics"])
    return TopicModel(
        topics=topics,
        thresholds=np.array([about["thresholds"][t] for t in topics], dtype=np.float32),
        intercepts=np.array([about["intercepts"][t] for t in topics], dtype=np.float32),
        index={name: row for row, name in enumerate(about["features"])},
        weights=weights,
        not_evidence=frozenset(about.get("not_evidence", ())),
    )


def _covered(field: str, start: int, end: int, spans: list[tuple[str, int, int]]) -> bool:
    return any(f == field and s < end and start < e for f, s, e in spans)


def _word_evidence(
    column: int,
    tokens: list[tuple[str, str, int, int]],
    fields: dict[str, str],
    model: TopicModel,
    taken: list[tuple[str, int, int]],
    floor: float = MIN_WORD_WEIGHT,
) -> list[Evidence]:
    """The article's words that weighed most for one topic, as evidence in their field: not a
    function word, not inside a keyword or a country's evidence already shown."""
    best: dict[str, tuple[float, Evidence]] = {}
    for field, feature, start, end in tokens:
        if feature in model.not_evidence:
            continue
        weight = model.weight(feature, column)
        if weight < floor or weight <= 0 or _covered(field, start, end, taken):
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


def decide(
    title: str,
    summary: str,
    body: str | None,
    found: list[TopicTag],
    order: list[str],
    shown: Sequence[Evidence] = (),
) -> list[TopicTag]:
    """The topics the model keeps or adds, in taxonomy ``order``, each with its evidence.
    ``shown``: evidence of other tags (countries) whose words are not a topic's evidence."""
    model = load_model()
    if model is None:
        return found
    tokens = field_words(title, summary, body)
    features = article_features(title, summary, body, found, tokens)
    scores = model.scores(features)
    by_topic = {tag.topic: tag for tag in found}
    fields = {"title": title or "", "summary": summary or "", "body": body or ""}
    column_of = {topic: column for column, topic in enumerate(model.topics)}
    kept = []
    for topic in order:
        column = column_of.get(topic)
        if column is None or scores[column] < model.thresholds[column]:
            continue
        tag = by_topic.get(topic) or TopicTag(topic)
        taken = [
            (item.field, item.start, item.start + len(item.text))
            for item in (*tag.evidence, *shown)
        ]
        floor = MIN_WORD_WEIGHT if tag.evidence else 0.0  # no keyword: its best words say why
        words_shown = _word_evidence(column, tokens, fields, model, taken, floor)
        tag.evidence = [*tag.evidence, *words_shown]
        if tag.evidence:
            kept.append(tag)
    return kept

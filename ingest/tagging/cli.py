"""``python -m ingest tag``: tag articles given as JSON Lines on stdin, one result line per input.

Input, one JSON object a line::

    {"id": "...", "title": "...", "summary": "...", "published": "YYYY-MM-DD", "language": "xx"}

``published`` (the day the article was published: leaders are checked against it) and
``language`` (the article's language: taken as given unless the text's script contradicts
it, so langdetect runs only without it) are optional; ``title`` and ``summary`` may
be missing or null (empty). Output, one line per input line, in the same order, flushed at once::

    {"id": "...", "language": "xx",
     "countries": [{"iso3": "RUS", "evidence": [{"text": "Rusia", "type": "name", "start": 8}]}],
     "topics": [{"id": "military", "evidence": [{"text": "militer", "type": "keyword", "start": 0}]}],
     "entities": [{"qid": "Q7747", "evidence": [{"text": "Putin", "type": "entity", "start": 0}]}]}

Evidence offsets index into ``title + "\\n" + summary`` (``ingest.records.tagging_text``).
A line that is not valid JSON, not an object, or has a field of the wrong type gets
``{"id": <its id, or null>, "error": "..."}`` and the run goes on. The exit status is 0 when the
input could be read to its end, whatever the individual lines held.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, date, datetime
from typing import Any, TextIO

from ingest.records import Evidence, field_texts, joined_offset
from ingest.tagging import tag_article

_TEXT_FIELDS = ("title", "summary", "language")


class LineError(ValueError):
    """A line that cannot be tagged; its message goes into the output line."""


def _published(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LineError("published must be a string YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise LineError(f"published is not a date: {value[:40]!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def _evidence(items: list[Evidence], fields: list[tuple[str, int, str]]) -> list[dict]:
    return [
        {"text": item.text, "type": item.type, "start": joined_offset(item, fields)}
        for item in items
    ]


def tag_line(line: str) -> dict:
    """The output object for one input line (an error object when the line is malformed)."""
    try:
        record = json.loads(line)
    except ValueError as problem:
        return {"id": None, "error": f"invalid JSON: {problem}"}
    if not isinstance(record, dict):
        return {"id": None, "error": f"not a JSON object but {type(record).__name__}"}
    article_id = record.get("id")
    plain = isinstance(article_id, str | int) and not isinstance(article_id, bool)
    echo_id = article_id if plain else None
    try:
        if not isinstance(article_id, str):
            raise LineError("id must be a string")
        for name in _TEXT_FIELDS:
            if record.get(name) is not None and not isinstance(record[name], str):
                raise LineError(f"{name} must be a string")
        published = _published(record.get("published"))
        tags = tag_article(
            record.get("title") or "",
            record.get("summary") or "",
            published=published,
            language_hint=record.get("language") or None,
            trust_language=True,  # the caller says which language it is: no detection
        )
    except LineError as problem:
        return {"id": echo_id, "error": str(problem)}
    except Exception as problem:  # a tagger bug must not stop the run; report it on the line
        return {"id": echo_id, "error": f"tagging failed: {type(problem).__name__}: {problem}"}
    fields = field_texts(record.get("title") or "", record.get("summary") or "")
    return {
        "id": article_id,
        "language": tags.language,
        "countries": [
            {"iso3": tag.iso3, "evidence": _evidence(tag.evidence, fields)}
            for tag in tags.countries
        ],
        "topics": [
            {"id": tag.topic, "evidence": _evidence(tag.evidence, fields)} for tag in tags.topics
        ],
        "entities": [
            {"qid": tag.qid, "evidence": _evidence(tag.evidence, fields)} for tag in tags.entities
        ],
    }


def _utf8(stream: TextIO, errors: str) -> None:
    """Read and write UTF-8 whatever the locale; undecodable input bytes become U+FFFD."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors=errors)


def tag_stream(infile: TextIO, outfile: TextIO) -> int:
    """Tag every JSON line of ``infile`` and write one JSON line per input line to ``outfile``."""
    _utf8(infile, "replace")
    _utf8(outfile, "strict")
    for line in infile:
        result = tag_line(line.rstrip("\r\n"))
        text = json.dumps(result, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates from \ud800-style escapes: keep them escaped
            text = json.dumps(result)
        outfile.write(text + "\n")
        outfile.flush()
    return 0


if __name__ == "__main__":
    sys.exit(tag_stream(sys.stdin, sys.stdout))

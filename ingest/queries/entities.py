"""People and organisations (issue 14): which entities the filtered articles mention, an
article's entities with their evidence, a story's entities.

An entity is a Wikidata QID of ``ingest/data/entities/entities.tsv`` (``ingest.tagging.entities``
names it); its tags are ``article_entities`` rows. No aggregate carries entities: every count
here is a scan of the matching articles (as ``tally`` counts: articles, or distinct stories
under ``count=stories``). Any mention counts (entity tags have no prominence rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Integer, cast, func, select

from ingest.filters import Filters, article_where
from ingest.queries.read import frame, literal_column_desc
from ingest.queries.stories import STORY_ID
from ingest.queries.tally import tally, with_stories
from ingest.records import stored_evidence
from ingest.store import article_entities as entity_tags
from ingest.store import article_stories, articles, stories

ENTITY_COUNT_COLUMNS = ["qid", "name", "kind", "country", "articles"]
LOOKUP_CHUNK = 500  # article ids per IN (…)


def _entity(qid: str) -> Any:
    from ingest.tagging.entities import entity_by_qid  # the tables, not the matcher

    return entity_by_qid(qid)


def _described(df: pd.DataFrame) -> pd.DataFrame:
    """``qid, articles`` rows with the entity's name, kind and country inserted (a QID the
    table no longer holds is named by itself)."""
    known = [_entity(q) for q in df["qid"]]
    df.insert(1, "name", [e.name if e else q for e, q in zip(known, df["qid"], strict=True)])
    df.insert(2, "kind", [e.kind if e else "" for e in known])
    df.insert(3, "country", [e.country if e else "" for e in known])
    return df


def entity_counts(engine: Engine, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """The entities the articles under ``f`` mention, most first (ties by QID): qid, name,
    kind, country (ISO3, '' for an international body), articles (distinct stories when ``f``
    counts stories)."""
    e = entity_tags.c
    query = (
        select(e.qid, tally(f).label("articles"))
        .select_from(with_stories(entity_tags.join(articles, articles.c.id == e.article_id), f))
        .where(*article_where(f))
        .group_by(e.qid)
        .order_by(literal_column_desc("articles"), e.qid)
    )
    if limit:
        query = query.limit(int(limit))
    df = frame(engine, query, ["qid", "articles"])
    df["articles"] = df["articles"].astype(int)
    return _described(df)[ENTITY_COUNT_COLUMNS]


def article_entities(
    engine: Engine, article_ids: Sequence[int]
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """For each of ``article_ids`` that mentions an entity: {qid: evidence}, QIDs in code order,
    each evidence item {text, type, start, field} with its offset into its field (title,
    summary or body)."""
    ids = [int(i) for i in article_ids]
    t = entity_tags.c
    out: dict[int, dict[str, list[dict[str, Any]]]] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            rows = conn.execute(
                select(t.article_id, t.qid, t.evidence, articles.c.title)
                .select_from(entity_tags.join(articles, articles.c.id == t.article_id))
                .where(t.article_id.in_(chunk))
                .order_by(t.article_id, t.qid)
            )
            for article_id, qid, evidence, title in rows:
                out.setdefault(article_id, {})[qid] = [
                    {"text": x.text, "type": x.type, "start": x.start, "field": x.field}
                    for x in (x.in_field(title) for x in stored_evidence(evidence))
                ]
    return out


def story_entities(engine: Engine, story_id: int) -> pd.DataFrame:
    """The entities the articles of story ``story_id`` (its stable id, ``STORY_ID``) mention,
    most first (ties by QID): qid, name, kind, country, articles."""
    e = entity_tags.c
    query = (
        select(e.qid, func.count().label("articles"))
        .select_from(
            entity_tags.join(article_stories, article_stories.c.article_id == e.article_id).join(
                stories, stories.c.id == article_stories.c.story_id
            )
        )
        .where(cast(story_id, Integer) == STORY_ID)
        .group_by(e.qid)
        .order_by(literal_column_desc("articles"), e.qid)
    )
    df = frame(engine, query, ["qid", "articles"])
    df["articles"] = df["articles"].astype(int)
    return _described(df)[ENTITY_COUNT_COLUMNS]

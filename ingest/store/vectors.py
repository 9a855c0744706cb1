"""Articles' multilingual sentence vectors (``schema.article_vectors``): which still need one,
and storing a batch with its cross-language story links (``ingest.vectors`` computes them)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.engine import Engine

from ingest.records import Tags
from ingest.store.articles import replace_tags_in
from ingest.store.engine import insert, write
from ingest.store.schema import article_vectors, articles
from ingest.store.stories import link_vectors


def articles_without_vector(
    engine: Engine, model: str, *, beyond: int | None = None, limit: int = 256,
    newest_first: bool = False,
) -> list[tuple[int, str, str]]:  # fmt: skip
    """(id, title, summary) of up to ``limit`` stored articles with no vector of ``model``, in
    id order (``newest_first``: descending), ids past ``beyond`` in that order."""
    v = article_vectors.c
    ids = articles.c.id
    query = (
        select(ids, articles.c.title, articles.c.summary)
        .outerjoin(article_vectors, and_(v.article_id == ids, v.model == bindparam("model")))
        .where(v.article_id.is_(None))
        .order_by(ids.desc() if newest_first else ids)
        .limit(bindparam("limit"))
    )
    if beyond is not None:
        query = query.where(
            ids < bindparam("beyond") if newest_first else ids > bindparam("beyond")
        )
    with engine.connect() as conn:
        rows = conn.execute(query, {"model": model, "beyond": beyond, "limit": limit})
        return [(row.id, row.title or "", row.summary or "") for row in rows]


def count_without_vector(engine: Engine, model: str) -> int:
    """How many stored articles have no vector of ``model``."""
    v = article_vectors.c
    query = (
        select(func.count())
        .select_from(articles)
        .outerjoin(
            article_vectors, and_(v.article_id == articles.c.id, v.model == bindparam("model"))
        )
        .where(v.article_id.is_(None))
    )
    with engine.connect() as conn:
        return int(conn.execute(query, {"model": model}).scalar_one())


def store_vectors(
    engine: Engine,
    model: str,
    rows: Sequence[tuple[int, bytes]],
    tags: Sequence[tuple[int, Tags]] = (),
) -> int:
    """Store (article id, vector) of ``model`` (an article that has one already keeps it: two
    workers may encode one article), link those articles' stories across languages
    (``stories.link_vectors``) and replace their ``tags`` (as re-read with the vectors: the
    topic model's second stage reads them), in one transaction; return the stories merged
    into others.

    Rows are inserted in id order whatever order they come in: two workers inserting the same
    articles (one oldest first, one newest first) then wait on each other's rows in one order,
    and never deadlock."""
    if not rows:
        return 0
    with write(engine) as conn:
        conn.execute(
            insert(conn, article_vectors).on_conflict_do_nothing(index_elements=["article_id"]),
            [
                {"article_id": article_id, "model": model, "vector": blob}
                for article_id, blob in sorted(rows, key=lambda row: row[0])
            ],
        )
        merged = len(link_vectors(conn, [article_id for article_id, _blob in rows]))
        if tags:
            replace_tags_in(conn, tags)
        return merged


def vectors_of(engine: Engine, model: str, ids: Sequence[int]) -> dict[int, bytes]:
    """The stored vector of ``model`` (``ingest.vectors.to_blob``) of each of ``ids`` that has
    one: what re-tagging gives the topic model's second stage."""
    v = article_vectors.c
    query = select(v.article_id, v.vector).where(
        v.model == bindparam("model"), v.article_id.in_(bindparam("ids", expanding=True))
    )
    found: dict[int, bytes] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            for row in conn.execute(query, {"model": model, "ids": chunk}):
                found[row.article_id] = bytes(row.vector)
    return found

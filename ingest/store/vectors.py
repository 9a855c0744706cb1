"""Articles' multilingual sentence vectors (``schema.article_vectors``): which still need one,
and storing a batch with its cross-language story links (``ingest.vectors`` computes them)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.engine import Engine

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


def store_vectors(engine: Engine, model: str, rows: Sequence[tuple[int, bytes]]) -> int:
    """Store (article id, vector) of ``model`` (an article that has one already keeps it: two
    workers may encode one article) and link those articles' stories across languages
    (``stories.link_vectors``), in one transaction; return the stories merged into others.

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
        return len(link_vectors(conn, [article_id for article_id, _blob in rows]))

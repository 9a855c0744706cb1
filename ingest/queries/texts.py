"""Reads about full text (issue 13): coverage and failures per feed, counts by status, one
article's stored text, and how much of a run's queue is still waiting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select

from ingest.store import daily_total, feeds, now_utc
from ingest.store.schema import article_texts, articles
from ingest.store.texts import ANY_ARTICLE, CLAIMED, QUEUED, TEXT_OK, TextScope

PENDING = (QUEUED, CLAIMED)
BODY_READ_CHUNK = 500  # article ids per query when bodies are read for retagging
TEXT_COVERAGE_COLUMNS = [
    "id",
    "title",
    "fulltext",
    "articles",
    "texts_ok",
    "texts_failed",
    "texts_pending",
    "coverage",
    "failures",
]


def text_status_counts(engine: Engine) -> dict[str, int]:
    """Pages by status (queued, claimed, ok, paywall, error, …), most first."""
    n = func.count()
    with engine.connect() as conn:
        rows = conn.execute(
            select(article_texts.c.status, n)
            .group_by(article_texts.c.status)
            .order_by(n.desc(), article_texts.c.status)
        )
        return {status: int(count) for status, count in rows}


def text_coverage(engine: Engine) -> pd.DataFrame:
    """Per feed: its fulltext switch, its articles, pages extracted ok, pages that ended
    otherwise (failed: any final status but ok), pages still queued, coverage (ok / articles)
    and the failures in words ("paywall 3, error 1"). Columns TEXT_COVERAGE_COLUMNS."""
    counts = (
        select(daily_total.c.feed_id, func.sum(daily_total.c.articles).label("n"))
        .group_by(daily_total.c.feed_id)
        .subquery()
    )
    by_status: dict[int, dict[str, int]] = {}
    with engine.connect() as conn:
        for feed_id, status, n in conn.execute(
            select(articles.c.feed_id, article_texts.c.status, func.count())
            .select_from(article_texts.join(articles, articles.c.id == article_texts.c.article_id))
            .group_by(articles.c.feed_id, article_texts.c.status)
        ):
            if feed_id is not None:
                by_status.setdefault(int(feed_id), {})[status] = int(n)
        feed_rows = conn.execute(
            select(
                feeds.c.id,
                feeds.c.title,
                feeds.c.url,
                feeds.c.fulltext,
                func.coalesce(counts.c.n, 0),
            )
            .select_from(feeds.outerjoin(counts, counts.c.feed_id == feeds.c.id))
            .order_by(feeds.c.title, feeds.c.id)
        ).all()
    rows: list[Any] = []
    for feed_id, title, url, fulltext, n_articles in feed_rows:
        statuses = by_status.get(int(feed_id), {})
        ok = statuses.get("ok", 0)
        pending = sum(statuses.get(s, 0) for s in PENDING)
        failed = {s: n for s, n in statuses.items() if s not in PENDING and s != "ok"}
        rows.append(
            {
                "id": int(feed_id),
                "title": title or url,
                "fulltext": bool(fulltext),
                "articles": int(n_articles or 0),
                "texts_ok": ok,
                "texts_failed": sum(failed.values()),
                "texts_pending": pending,
                "coverage": ok / n_articles if n_articles else 0.0,
                "failures": ", ".join(
                    f"{s} {n}" for s, n in sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            }
        )
    return pd.DataFrame(rows, columns=TEXT_COVERAGE_COLUMNS)


def article_text(engine: Engine, article_id: int) -> dict[str, Any] | None:
    """The stored text row of one article (body None when not kept), or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(article_texts).where(article_texts.c.article_id == article_id)
        ).first()
    if row is None:
        return None
    text = dict(row._mapping)
    text["authors"] = json.loads(text["authors"]) if text["authors"] else []
    return text


def _text_rows_of(
    engine: Engine, ids: Sequence[int], *columns: Any, where: Any = None
) -> list[Any]:
    """Rows (article_id, *columns) of ``article_texts`` for ``ids``, read ``BODY_READ_CHUNK``
    ids a query (and ``where``, when given)."""
    wanted = [int(i) for i in ids]
    t = article_texts.c
    rows: list[Any] = []
    with engine.connect() as conn:
        for start in range(0, len(wanted), BODY_READ_CHUNK):
            query = select(t.article_id, *columns).where(
                t.article_id.in_(wanted[start : start + BODY_READ_CHUNK])
            )
            rows.extend(conn.execute(query if where is None else query.where(where)))
    return rows


def article_bodies(engine: Engine, ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """(body, lead) of each of ``ids`` whose full text was extracted and is kept: what
    ``pipeline.retag`` tags besides title and summary."""
    t = article_texts.c
    kept = and_(t.status == TEXT_OK, t.body.is_not(None))
    return {
        row[0]: (row[1], row[2]) for row in _text_rows_of(engine, ids, t.body, t.lead, where=kept)
    }


def article_text_rows(engine: Engine, ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
    """(body, status) of each of ``ids`` that has a full-text row (queued, ok, paywall, …): what
    ``export --with-body`` adds to its rows. The body is None unless it was extracted and kept."""
    t = article_texts.c
    return {row[0]: (row[1], row[2]) for row in _text_rows_of(engine, ids, t.body, t.status)}


def feed_id_for_url(engine: Engine, url: str) -> int | None:
    """The id of the stored feed at ``url``, or None."""
    with engine.connect() as conn:
        return conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one_or_none()


def count_waiting(engine: Engine, scope: TextScope = ANY_ARTICLE) -> int:
    """Pages in ``scope`` that are claimed, or queued and due now (what a run waits for)."""
    t = article_texts.c
    now = now_utc()
    due = or_(t.next_attempt_at.is_(None), t.next_attempt_at <= now)
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(article_texts.join(articles, articles.c.id == t.article_id))
                .where(
                    or_(t.status == CLAIMED, and_(t.status == QUEUED, due)),
                    *scope.where(),
                )
            ).scalar_one()
        )

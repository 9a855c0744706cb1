"""The common ground of every read: running a query into a DataFrame or a scalar, and the
conditions of a :class:`Filters` on ``articles`` rows (the scan path)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    desc,
    exists,
    literal_column,
)

from ingest.filters import Filters
from ingest.queries.search import _TextMatch
from ingest.store import (
    article_countries,
    article_topics,
    articles,
)


def _start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def _article_where(f: Filters, *, dates: bool = True) -> list[ColumnElement[bool]]:
    """Conditions on ``articles`` for every filter (the scan path)."""
    conds: list[ColumnElement[bool]] = []
    if dates:
        conds += [
            articles.c.published_at >= _start(f.date_from),
            articles.c.published_at < _start(f.date_to + timedelta(days=1)),
        ]
    if f.languages:
        conds.append(articles.c.language.in_(list(f.languages)))
    if f.feed_ids:
        conds.append(articles.c.feed_id.in_(list(f.feed_ids)))
    # Aliases keep these EXISTS subqueries from correlating with a tag table that the outer
    # query joins itself.
    if f.countries:
        acf = article_countries.alias()
        conds.append(
            exists().where(acf.c.article_id == articles.c.id, acf.c.iso3.in_(list(f.countries)))
        )
    if f.pair:
        for code in f.pair:
            ac = article_countries.alias()
            conds.append(exists().where(ac.c.article_id == articles.c.id, ac.c.iso3 == code))
    if f.topics:
        atf = article_topics.alias()
        conds.append(
            exists().where(atf.c.article_id == articles.c.id, atf.c.topic.in_(list(f.topics)))
        )
    if f.search:
        bounds = (_start(f.date_from), _start(f.date_to + timedelta(days=1))) if dates else None
        conds.append(_TextMatch(f.search, *(bounds or (None, None))))
    return conds


def literal_column_desc(name: str) -> Any:
    """ORDER BY a result column by its label, descending."""
    return desc(literal_column(name))


def _frame(engine: Engine, query: Select, columns: Sequence[str] | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        rows = result.fetchall()
        cols = list(columns) if columns else list(result.keys())
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _scalar(engine: Engine, query: Select) -> Any:
    with engine.connect() as conn:
        return conn.execute(query).scalar()

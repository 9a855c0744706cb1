"""The common ground of every read: running a query into a DataFrame or a scalar, and ordering
by a result column's label. (The conditions of each filter are ``ingest.filters``'.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, desc, literal_column


def literal_column_desc(name: str) -> Any:
    """ORDER BY a result column by its label, descending."""
    return desc(literal_column(name))


def frame(engine: Engine, query: Select, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``query`` as a DataFrame (columns named by ``columns`` or by the query)."""
    with engine.connect() as conn:
        result = conn.execute(query)
        rows = result.fetchall()
        cols = list(columns) if columns else list(result.keys())
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def scalar(engine: Engine, query: Select) -> Any:
    """The first column of the first row of ``query`` (None when no row)."""
    with engine.connect() as conn:
        return conn.execute(query).scalar()

"""Small facts the store keeps about itself (the ``meta`` table): which demo data set seeded it."""

from __future__ import annotations

from sqlalchemy import Engine, select

from ingest.store.engine import insert, write
from ingest.store.schema import meta


def get_meta(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(engine: Engine, key: str, value: str) -> None:
    with write(engine) as conn:
        statement = insert(conn, meta).values(key=key, value=value)
        conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

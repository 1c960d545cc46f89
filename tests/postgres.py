"""PostgreSQL for tests and benchmarks: where, whether it answers, a schema of its own."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from functools import cache

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    try:
        probe = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
    except Exception as error:
        where = make_url(POSTGRES_URL).render_as_string()
        return f"no PostgreSQL at {where} ({type(error).__name__}); set TEST_POSTGRES_URL"
    return None


@contextlib.contextmanager
def own_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL schema that only its user sees (search_path),
    dropped afterwards with everything in it."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'create schema "{schema}"'))
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'drop schema "{schema}" cascade'))
    finally:
        admin.dispose()

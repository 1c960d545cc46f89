"""Alembic environment: used by `python -m bot migrate` and by the `alembic` command."""

import os

from alembic import context

from storage.db import DEFAULT_DATABASE_URL, make_engine
from storage.models import Base

config = context.config
# `python -m bot migrate` hands its engine over; the alembic command line reads DATABASE_URL.
engine = config.attributes.get("engine") or make_engine(
    os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()

"""Connections: one SQLAlchemy engine per process, one session per unit of work."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker

from storage.files import make_private

DEFAULT_DATABASE_URL = "sqlite:///data/krachtwerk.db"
# Set in a session's info by a unit of work that erased someone: see `compact_after_commit`.
_COMPACT = "compact"

log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets the terminal chat and the bot share
    # one file; busy_timeout waits for a writer instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # What is deleted is overwritten with zeros, not left in free pages: an erased client's
    # words cannot be read back from the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    # We begin transactions ourselves (below), not the driver at its first write.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock at the start: two units of work for one client (two
    # processes on one file) run one after the other, instead of both reading the same state
    # and the second overwriting the first. PostgreSQL gets the same from SELECT ... FOR UPDATE.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created first. A database error
    never shows the statement's parameters: they are what clients wrote, and errors are logged."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_database(Path(parsed.database))
        # Units of work run in worker threads (asyncio.to_thread), so connections move.
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def private_database(path: Path) -> None:
    """The SQLite file and its -wal/-shm readable by their owner only. The file is made here,
    empty (SQLite takes an empty file as a new database), because SQLite gives the -wal and
    -shm it creates the file's mode; existing ones lose others' access."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(path)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            make_private(companion)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: repositories hand plain values out after the commit.
    sessions = sessionmaker(engine, expire_on_commit=False)
    event.listen(sessions, "after_commit", _compact_if_asked)
    return sessions


def compact_after_commit(session: Session) -> None:
    """Once this unit of work has committed, checkpoint SQLite's write-ahead log into the file
    and empty it (TRUNCATE): the log still holds copies of pages from before an erasure, which
    secure_delete does not reach. PostgreSQL keeps deleted rows until VACUUM (README)."""
    session.info[_COMPACT] = True


def _compact_if_asked(session: Session) -> None:
    if not session.info.pop(_COMPACT, False):
        return
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return
    # The driver's own connection, in autocommit: a checkpoint cannot run inside a transaction.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _, _ = cursor.fetchone() or (0, 0, 0)
        cursor.close()
    finally:
        connection.close()
    if busy:
        # Another connection was reading an older snapshot; the next checkpoint catches up.
        log.warning("write-ahead log not emptied after an erasure: the database was busy")


def take_turns(session: Session, key: int) -> None:
    """Units of work about `key` (a group chat, say) run one after the other, even where no
    row exists yet to lock: on PostgreSQL a lock held until this transaction ends; SQLite's
    BEGIN IMMEDIATE already makes every unit of work wait for the one before."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(key)))


def insert_once(
    session: Session,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    unique: list[InstrumentedAttribute[Any]],
) -> bool:
    """Insert a row unless one with the same `unique` columns is there: one statement on both
    databases, so of two processes racing one inserts and the other does nothing, without an
    error (a savepoint would do too, but pysqlite's savepoints are unreliable). True: inserted."""
    statement = _insert_or_nothing(_dialect(session), model, tuple(unique))
    # RETURNING, not rowcount: psycopg reports no row count for an insert that did nothing.
    return session.execute(statement.returning(unique[0]), values).first() is not None


def insert_all_once(
    session: Session,
    model: type[DeclarativeBase],
    rows: list[dict[str, Any]],
    unique: list[InstrumentedAttribute[Any]],
) -> None:
    """`insert_once` for many rows at once; rows already there are left alone."""
    if rows:
        session.execute(_insert_or_nothing(_dialect(session), model, tuple(unique)), rows)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@functools.cache
def _insert_or_nothing(
    dialect: str, model: type[DeclarativeBase], unique: tuple[InstrumentedAttribute[Any], ...]
) -> postgresql.Insert | sqlite.Insert:
    # Built once and run with parameters: a statement made anew with its values in it cost
    # SQLAlchemy a cache key of those values on every update (about 1 ms).
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=list(unique))

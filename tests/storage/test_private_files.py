"""What holds clients' words on disk is readable by its owner only, whatever the umask: the
SQLite database with its log, the audit trail's key, and the files the terminal chat writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from storage import ClientRepository, Identity, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.pseudonyms import key_beside


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """A umask that would let everyone read new files: the code must not rely on it."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_the_database_and_its_log_are_the_owners_only(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "data" / "krachtwerk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        ClientRepository(session).create(
            Identity("telegram", "1001"), language="nl", timezone="UTC", now=now
        )
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    assert all(p.exists() for p in files)
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(path.parent) == 0o700
    engine.dispose()


def test_an_existing_database_loses_others_access(tmp_path: Path) -> None:
    path = tmp_path / "krachtwerk.db"
    path.touch()
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_the_audit_key_beside_the_database_is_the_owners_only(tmp_path: Path) -> None:
    database = tmp_path / "krachtwerk.db"
    key = key_beside(database)
    assert len(key) == 64
    assert key_beside(database) == key  # made once, then kept
    (kept,) = tmp_path.glob("*.audit-key")
    assert mode(kept) == 0o600

"""A counsellor reads a client's resources (hulpbronnen) only when the client shares them, and
every look is audited, on both databases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from dialogs.engine.state import Closeness, ResourceKind
from dialogs.linking.casefile import LookKind, ResourceEntry, Section
from storage import make_session_factory
from storage.models import Resource
from tests.storage.test_casefiles import audit, look, share
from tests.storage.test_counsellors import ALL, MINUTE, link, new_client, new_counsellor


def add_resources(sessions: sessionmaker[Session], client_id: int, now: datetime) -> None:
    """Oma (close, goal 1), the library (for work) and a removed one, stored as rows."""
    rows = (
        (1, "Oma", ResourceKind.CLOSE, Closeness.CLOSE, 1, None, "Luisteren", None),
        (2, "Bibliotheek", ResourceKind.COMMUNITY, Closeness.FAR, None, "work", None, None),
        (3, "Oud-collega Piet", ResourceKind.KNOWN, Closeness.BETWEEN, None, None, None, now),
    )
    with sessions.begin() as session:
        for number, name, kind, closeness, goal, domain, help_with, removed in rows:
            session.add(
                Resource(
                    client_id=client_id,
                    number=number,
                    name=name,
                    kind=kind.value,
                    closeness=closeness.value,
                    goal_number=goal,
                    domain=domain,
                    help_with=help_with,
                    created_at=now,
                    updated_at=now,
                    removed_at=removed,
                )
            )


def test_shared_resources_are_in_the_case_file_without_the_removed_ones(
    database: DatabaseEngine, now: datetime
) -> None:
    sessions = make_session_factory(database)
    anna, sam = new_counsellor(sessions, now), new_client(sessions, now)
    add_resources(sessions, sam, now)
    link(sessions, anna, sam, now, ALL)
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(database, "before_cursor_execute", record)
    try:
        file = look(sessions, anna, sam, now + MINUTE)
    finally:
        event.remove(database, "before_cursor_execute", record)
    assert file.resources == (
        ResourceEntry(
            1, "Oma", ResourceKind.CLOSE, Closeness.CLOSE, 1, None, "Luisteren", now, now
        ),
        ResourceEntry(
            2, "Bibliotheek", ResourceKind.COMMUNITY, Closeness.FAR, None, "work", None, now, now
        ),
    )
    assert sum("FROM resources" in s for s in statements) == 1
    [entry] = audit(sessions, sam)
    assert (entry.kind, Section.RESOURCES in entry.sections) == (LookKind.VIEW, True)


def test_unshared_resources_are_not_read(database: DatabaseEngine, now: datetime) -> None:
    sessions = make_session_factory(database)
    anna, sam = new_counsellor(sessions, now), new_client(sessions, now)
    add_resources(sessions, sam, now)
    link_id = link(sessions, anna, sam, now, ALL)
    share(sessions, sam, link_id, ALL - {Section.RESOURCES}, now)
    for kind in LookKind:
        file = look(sessions, anna, sam, now + MINUTE, kind)
        assert file.resources == ()
        assert "Oma" not in repr(file)
    entries = audit(sessions, sam)
    assert [e.kind for e in entries] == list(LookKind)
    assert all(Section.RESOURCES not in e.sections for e in entries)

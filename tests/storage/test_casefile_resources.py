"""A counsellor reads a client's resources (hulpbronnen) only when the client shares them, and
every look is audited, on both databases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from dialogs.engine.outputs import RemoveResource, SaveResource
from dialogs.engine.state import Closeness, Resource, ResourceKind
from dialogs.linking.casefile import LookKind, ResourceEntry, Section
from tests.conftest import AUDIT_KEY
from tests.storage.test_casefiles import audit, look, share
from tests.storage.test_counsellors import ALL, MINUTE, link, new_client, new_counsellor
from turns.store import TurnStore

OMA = Resource(1, "Oma", ResourceKind.CLOSE, Closeness.CLOSE, goal=1, help_with="Luisteren")
LIBRARY = Resource(2, "Bibliotheek", ResourceKind.COMMUNITY, Closeness.FAR, domain="work")
PIET = Resource(3, "Oud-collega Piet", ResourceKind.KNOWN, Closeness.BETWEEN)


def add_resources(sessions: sessionmaker[Session], client_id: int, now: datetime) -> None:
    """Oma, the library and Piet, who was removed, stored as the client's turns store them."""
    with sessions.begin() as session:
        store = TurnStore(session, client_id, now, audit_key=AUDIT_KEY)
        store.perform([SaveResource(OMA), SaveResource(LIBRARY), SaveResource(PIET)])
        store.perform([RemoveResource(PIET.number)])


def test_shared_resources_are_in_the_case_file_without_the_removed_ones(
    database: DatabaseEngine, sessions: sessionmaker[Session], now: datetime
) -> None:
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


def test_unshared_resources_are_not_read(sessions: sessionmaker[Session], now: datetime) -> None:
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

"""Resources (hulpbronnen) in the database, on both databases: numbered per client, changed by
number, removed softly; loaded into the engine's state, exported and erased with the client."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dialogs import Command, CommandName
from dialogs.engine.outputs import RemoveResource, SaveResource, SetSharing
from dialogs.engine.state import Closeness, Resource, ResourceKind
from dialogs.linking.casefile import Section
from storage import (
    ClientDataRepository,
    ClientRepository,
    InvitationRepository,
    LinkRepository,
    StaffRepository,
)
from storage.models import Link
from storage.models import Resource as ResourceRow
from storage.resources import ResourceRecord, ResourceRepository
from tests.conftest import AUDIT_KEY
from tests.storage.rows import BOB, new_client
from tests.storage.test_counsellors import confirmed_link
from turns.conversation import Conversations
from turns.store import TurnStore

RIET = Resource(1, "Mijn zus Riet", ResourceKind.CLOSE, Closeness.CLOSE, 1, None, "Koken")
LIBRARY = Resource(2, "De bibliotheek", ResourceKind.COMMUNITY, Closeness.FAR, None, "leisure")


def save(session: Session, client_id: int, now: datetime, *resources: Resource) -> None:
    """Store resources as the engine asks for them: through the turn store."""
    TurnStore(session, client_id, now, audit_key=AUDIT_KEY).perform(map(SaveResource, resources))


def test_resources_are_saved_changed_and_kept_per_client(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    ana, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    with sessions.begin() as session:
        save(session, ana, now, RIET, LIBRARY)
        save(session, bob, now, RIET)  # numbers are per client
    later = now + timedelta(hours=1)
    with sessions.begin() as session:
        save(session, ana, later, replace(LIBRARY, help_with="Lezen"))
    with sessions() as session:
        records = ResourceRepository(session).all(ana)
        assert [TurnStore.resource(r) for r in records] == [
            RIET,
            replace(LIBRARY, help_with="Lezen"),
        ]
        assert records[1].created_at == now
        assert records[1].updated_at == later
        assert len(ResourceRepository(session).all(bob)) == 1


def test_removing_is_soft_and_keeps_the_number_taken(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    ana = new_client(sessions, now)
    with sessions.begin() as session:
        save(session, ana, now, RIET, LIBRARY)
        resources = ResourceRepository(session)
        assert resources.remove(ana, 2, now) is True
        assert resources.remove(ana, 2, now) is False  # already off the list
        assert resources.remove(ana, 9, now) is False  # no such one
    with sessions.begin() as session:
        resources = ResourceRepository(session)
        assert [r.number for r in resources.active(ana)] == [1]
        removed = resources.all(ana)[1]
        assert removed.removed_at == now
        assert not removed.active
        with pytest.raises(ValueError, match="was removed"):
            save(session, ana, now, LIBRARY)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ResourceRow)) == 2


@pytest.mark.parametrize(
    ("kinds", "refused"),
    [
        ({"kind": "friend", "closeness": "close"}, "kind"),
        ({"kind": "close", "closeness": "near"}, "closeness"),
    ],
)
def test_unknown_kinds_are_refused(
    sessions: sessionmaker[Session], now: datetime, kinds: dict[str, str], refused: str
) -> None:
    ana = new_client(sessions, now)
    with sessions() as session, pytest.raises(ValueError, match=refused):
        ResourceRepository(session).save(
            ana, 1, name="X", goal=None, domain=None, help_with=None, now=now, **kinds
        )


def test_the_turn_store_writes_what_the_engine_asked(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    ana = new_client(sessions, now)
    with sessions.begin() as session:
        TurnStore(session, ana, now, audit_key=AUDIT_KEY).perform(
            [SaveResource(RIET), SaveResource(LIBRARY), RemoveResource(1)]
        )
    with sessions() as session:
        assert [TurnStore.resource(r) for r in ResourceRepository(session).active(ana)] == [LIBRARY]


def test_the_state_holds_the_active_ones_and_the_highest_number(
    conversations: Conversations, sessions: sessionmaker[Session], now: datetime
) -> None:
    ana = new_client(sessions, now)
    with sessions.begin() as session:
        save(session, ana, now, RIET, LIBRARY)
        ResourceRepository(session).remove(ana, 2, now)
    with sessions() as session:
        record = ClientRepository(session).get(ana)
        assert record is not None
        state = conversations._state(session, record, Command(CommandName.RESOURCES))
    assert state.resources == (RIET,)
    assert state.last_resource == 2


def test_my_data_holds_them_and_forgetting_erases_them(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    ana, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    with sessions.begin() as session:
        for client in (ana, bob):
            save(session, client, now, RIET, LIBRARY)
        ResourceRepository(session).remove(ana, 2, now)
    with sessions() as session:
        data = ClientDataRepository(session).everything(ana, "telegram:1001")
    assert [(r["name"], r["removed_at"]) for r in data["resources"]] == [
        ("Mijn zus Riet", None),
        ("De bibliotheek", now.isoformat()),
    ]
    with sessions.begin() as session:
        ClientDataRepository(session).erase(ana, "telegram:1001", audit_key=AUDIT_KEY, now=now)
    with sessions() as session:
        left = session.scalars(select(ResourceRow.client_id)).all()
        assert set(left) == {bob}
        assert isinstance(ResourceRepository(session).all(bob)[0], ResourceRecord)


def test_resources_are_shared_only_when_the_client_says_so(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    ana = new_client(sessions, now)
    with sessions.begin() as session:
        staff = StaffRepository(session).add_counsellor(2001, "Anna", None, "nl", now)
        invitations = InvitationRepository(session)
        made = invitations.create(staff.id, "Ana", now, timedelta(days=7))
        invitations.open(made.code, "telegram:1001", now)
        link_id = confirmed_link(
            session, made.id, "telegram:1001", ana, "Ana", frozenset({Section.PLAN}), now
        )
    with sessions.begin() as session:
        links = LinkRepository(session)
        assert links.for_client(ana)[0].sections == {Section.PLAN}  # off by default
        store = TurnStore(session, ana, now, audit_key=AUDIT_KEY)
        store.perform([SetSharing(link_id, frozenset({Section.PLAN, Section.RESOURCES}))])
        # The counsellor hears of it, as of any change in what is shared.
        assert [(n.telegram_id, n.key, n.sections) for n in store.news] == [
            (2001, "client_sharing", frozenset({Section.PLAN, Section.RESOURCES}))
        ]
    with sessions() as session:
        assert LinkRepository(session).for_client(ana)[0].sections == {
            Section.PLAN,
            Section.RESOURCES,
        }
        assert session.scalars(select(Link.share_resources)).one() is True

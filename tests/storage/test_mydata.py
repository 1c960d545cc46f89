"""Everything about a client, exported and erased, checked against every table of the schema."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dialogs import Content
from dialogs.linking.casefile import LookKind, Section
from storage import (
    AnswerRepository,
    AuditRepository,
    CaseFileRepository,
    ChatMessageRepository,
    ClientDataRepository,
    ClientRepository,
    ConversationRepository,
    Identity,
    InvitationRepository,
    LinkRepository,
    PlanRepository,
    ReminderRepository,
    StaffRepository,
)
from storage.models import AuditEntry, Base, Staff, StepProposal
from storage.mydata import CLIENT_TABLES
from storage.outbox import NewOutgoing, OutboxRepository
from storage.pseudonyms import pseudonym
from storage.resources import ResourceRepository
from tests.conftest import AUDIT_KEY
from tests.storage.rows import add_answer, add_step
from tests.storage.test_counsellors import confirmed_link

JAN, MIRA = Identity("telegram", "1001"), Identity("telegram", "1002")


def full_client(sessions: sessionmaker[Session], who: Identity, now: datetime) -> int:
    """A client with a row in every table that can hold something about them."""
    identity = f"{who.channel}:{who.external_id}"
    with sessions.begin() as session:
        client = ClientRepository(session).create(who, language="nl", timezone="UTC", now=now)
        for text in ("Een huis", "Een tuin"):
            add_answer(AnswerRepository(session), client.id, "inventory.housing.wish", text, now)
        plans = PlanRepository(session)
        plans.save_goal(client.id, 1, text="Werk", domain="work", why=None, now=now)
        add_step(plans, client.id, 1, now, text="CV")
        plans.save_reflection(client.id, 1, goal=1, step=1, answers={"happened": "Ziek"}, now=now)
        ResourceRepository(session).save(
            client.id,
            1,
            name="Mijn zus",
            kind="close",
            closeness="close",
            goal=1,
            domain=None,
            help_with="Koken",
            now=now,
        )
        ReminderRepository(session).schedule(client.id, 1, "step", now + timedelta(days=1), now)
        staff = StaffRepository(session).find(2001) or StaffRepository(session).add_counsellor(
            2001, "Anna", None, "nl", now
        )
        invitations = InvitationRepository(session)
        made = invitations.create(staff.id, "Jan", now, timedelta(days=7))
        invitations.open(made.code, identity, now)
        invitations.open("AAAA-BBBB", identity, now)  # a wrong code, counted
        confirmed_link(session, made.id, identity, client.id, "Jan", frozenset(Section), now)
        LinkRepository(session).add_message(client.id, "message", "Hoi Anna", now)
        CaseFileRepository(session, staff.id).case_file(client.id, LookKind.VIEW, now)
        ChatMessageRepository(session).remember(client.id, [11, 12], now)
        OutboxRepository(session).add(
            [NewOutgoing(who.channel, who.external_id, client.id, "message", {"text": "Hoi"})], now
        )
        ConversationRepository(session).save(client.id, {"language": "nl"}, now)
        link = LinkRepository(session).for_client(client.id)[0].id
        session.add(
            StepProposal(
                client_id=client.id,
                link_id=link,
                steps=["Buurtkamer"],
                status="pending",
                created_at=now,
            )
        )
    return client.id


def rows_about(session: Session, client_id: int, identities: set[str]) -> dict[str, int]:
    """Per table, the rows that point at the client or their identity: every table there is."""
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        columns = table.columns
        conditions = []
        if "client_id" in columns:
            conditions.append(columns["client_id"] == client_id)
        if table.name == "clients":
            conditions.append(columns["id"] == client_id)
        for name in ("opened_by", "identity"):
            if name in columns:
                conditions.append(columns[name].in_(identities))
        for condition in conditions:
            count = session.scalar(select(func.count()).select_from(table).where(condition))
            if count:
                found[table.name] = found.get(table.name, 0) + int(count or 0)
    return found


def test_everything_holds_every_table_and_all_versions(
    sessions: sessionmaker[Session], now: datetime, content: Content
) -> None:
    jan = full_client(sessions, JAN, now)
    with sessions() as session:
        data = ClientDataRepository(session).everything(jan, "telegram:1001")
    for name, _ in CLIENT_TABLES:
        assert data[name], name
    assert [a["text"] for a in data["answers"]] == ["Een huis", "Een tuin"]
    assert data["links"][0]["counsellor"] == "Anna"
    assert data["looks_at_your_data"][0]["counsellor"] == "Anna"
    assert data["invitations_opened"][0]["outcome"] == "accepted"
    assert data["client"]["external_id"] == "1001"
    for language in content.languages:  # every part has a heading in the readable document
        assert set(data) <= set(content.ui(language).my_data_parts), language


def test_every_table_about_a_client_is_exported() -> None:
    """Every table with a client_id is in /mijngegevens: a table added without it fails here."""
    about_clients = {t.name for t in Base.metadata.sorted_tables if "client_id" in t.columns}
    assert about_clients == {model.__tablename__ for _, model in CLIENT_TABLES}


def test_erasing_leaves_nothing_about_the_client_in_any_table(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    jan = full_client(sessions, JAN, now)
    mira = full_client(sessions, MIRA, now)
    with sessions() as session:
        before = rows_about(session, jan, {"telegram:1001"})
    assert {"clients", "answers", "links", "audit_entries", "invitations", "code_attempts"} <= set(
        before
    )

    with sessions.begin() as session:
        erased = ClientDataRepository(session).erase(
            jan, "telegram:1001", audit_key=AUDIT_KEY, now=now
        )
    assert len(erased.reminder_ids) == 1
    assert [c.telegram_id for c in erased.counsellors] == [2001]

    with sessions() as session:
        assert rows_about(session, jan, {"telegram:1001"}) == {}
        # Anna's look stays, by the keyed hash of Jan's account only (NEN 7513).
        trail = AuditRepository(session)
        assert trail.for_client(jan) == []
        (look,) = trail.for_account("telegram:1001", AUDIT_KEY)
        assert (look.staff_name, look.erased) == ("Anna", True)
        assert trail.for_account("telegram:1001", b"another key") == []
        kept = session.execute(select(AuditEntry.client_id, AuditEntry.client_pseudonym)).all()
        assert (None, pseudonym(AUDIT_KEY, "telegram:1001")) in kept
        assert rows_about(session, mira, {"telegram:1002"}) == before  # Mira keeps everything
        assert session.scalar(select(func.count()).select_from(Staff)) == 1
        assert ClientRepository(session).find(JAN) is None

"""What a counsellor may read of a client, the audit trail of it, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dialogs.linking.casefile import (
    AnswerEntry,
    CaseFile,
    ClientLine,
    GoalEntry,
    Look,
    LookKind,
    MessageEntry,
    PlanChange,
    ReflectionEntry,
    ReminderEntry,
    Section,
    StepEntry,
)
from storage import (
    AccessDenied,
    AnswerRepository,
    AuditRecord,
    AuditRepository,
    CaseFileRepository,
    LinkRepository,
    PlanRepository,
    ReminderRepository,
    StaffRepository,
)
from tests.storage.rows import add_answer, add_step
from tests.storage.test_counsellors import (
    ALL,
    ANNA,
    BERT,
    DAY,
    KIM,
    MINUTE,
    deactivate,
    link,
    new_client,
    new_counsellor,
)

NOTHING: frozenset[Section] = frozenset()
# Words of the client's data per section: none may appear in a case file that does not share it.
WORDS = {
    Section.STRENGTHS: ("Een eigen huis",),
    Section.PLAN: ("Een baan vinden", "CV maken", "Bellen met UWV"),
    Section.REFLECTIONS: ("Te moe geweest",),
}
NOT_THE_INVENTORY = "Slecht geslapen"  # an answer outside the strengths inventory


def fill(sessions: sessionmaker[Session], client_id: int, now: datetime) -> None:
    """An answer, a goal with two steps (due yesterday and tomorrow), a reminder, a reflection."""
    with sessions.begin() as session:
        answers = AnswerRepository(session)
        for key, text in (
            ("inventory.housing.wish", "Een eigen huis"),
            ("checkin.mood", NOT_THE_INVENTORY),
        ):
            add_answer(answers, client_id, key, text, now)
        plans = PlanRepository(session)
        plans.save_goal(client_id, 1, text="Een baan vinden", domain="work", why=None, now=now)
        today = now.date()
        for number, text, due in ((1, "CV maken", today - DAY), (2, "Bellen met UWV", today + DAY)):
            add_step(plans, client_id, number, now, text=text, due=due)
        ReminderRepository(session).schedule(client_id, 2, "step", now + DAY, now)
        plans.save_reflection(
            client_id, 1, goal=1, step=1, answers={"what": "Te moe geweest"}, now=now
        )


def look(
    sessions: sessionmaker[Session],
    staff_id: int,
    client_id: int,
    now: datetime,
    kind: LookKind = LookKind.VIEW,
) -> CaseFile:
    with sessions.begin() as session:
        return CaseFileRepository(session, staff_id).case_file(client_id, kind, now)


def lines(sessions: sessionmaker[Session], staff_id: int, now: datetime) -> list[ClientLine]:
    with sessions.begin() as session:
        return CaseFileRepository(session, staff_id).clients(now)


def share(
    sessions: sessionmaker[Session],
    client_id: int,
    link_id: int,
    sections: frozenset[Section],
    now: datetime,
) -> None:
    with sessions.begin() as session:
        assert LinkRepository(session).set_sharing(client_id, link_id, sections, now)


def message(sessions: sessionmaker[Session], client_id: int, text: str, now: datetime) -> None:
    with sessions.begin() as session:
        LinkRepository(session).add_message(client_id, "message", text, now)


def audit(sessions: sessionmaker[Session], client_id: int) -> list[AuditRecord]:
    with sessions.begin() as session:
        return AuditRepository(session).for_client(client_id)


def denied(sessions: sessionmaker[Session], staff_id: int, client_id: int, now: datetime) -> str:
    """Why reading is refused: the message of the AccessDenied."""
    with pytest.raises(AccessDenied) as refused, sessions.begin() as session:
        CaseFileRepository(session, staff_id).case_file(client_id, LookKind.VIEW, now)
    return str(refused.value)


def test_a_case_file_holds_what_the_client_shares(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, sam = new_counsellor(sessions, now), new_client(sessions, now)
    fill(sessions, sam, now)
    link(sessions, anna, sam, now)
    message(sessions, sam, "Bel me", now)
    later = now + MINUTE
    today = now.date()
    assert look(sessions, anna, sam, later) == CaseFile(
        client_id=sam,
        name="Sam",
        language="nl",
        timezone="Europe/Amsterdam",
        linked_since=now,
        sections=ALL,
        last_look=None,
        last_activity=now,
        answers=(AnswerEntry("inventory.housing.wish", "answered", "Een eigen huis", (), now),),
        goals=(GoalEntry(1, "Een baan vinden", "work", None, "open", now),),
        steps=(
            StepEntry(1, 1, "CV maken", "me", None, today - DAY, None, "open", None, now),
            StepEntry(2, 1, "Bellen met UWV", "me", None, today + DAY, None, "open", None, now),
        ),
        changes=(
            PlanChange(1, None, "created", now),
            PlanChange(1, 1, "created", now),
            PlanChange(1, 2, "created", now),
        ),
        reminders=(ReminderEntry(2, "step", now + DAY, "scheduled", None, None),),
        reflections=(ReflectionEntry(1, 1, 1, {"what": "Te moe geweest"}, now),),
        messages=(MessageEntry("message", "Bel me", now),),
    )


@pytest.mark.parametrize(
    "sections",
    [NOTHING, *(frozenset({section}) for section in Section), ALL - {Section.PLAN}],
    ids=lambda sections: "+".join(sorted(sections)) or "nothing",
)
def test_nothing_unshared_is_in_a_case_file(
    sessions: sessionmaker[Session], now: datetime, sections: frozenset[Section]
) -> None:
    anna, sam = new_counsellor(sessions, now), new_client(sessions, now)
    fill(sessions, sam, now)
    link_id = link(sessions, anna, sam, now)
    message(sessions, sam, "Bel me", now)
    share(sessions, sam, link_id, sections, now)  # shared everything first, then withdrew
    for kind in LookKind:
        case_file = look(sessions, anna, sam, now, kind)
        assert case_file.sections == sections
        text = repr(case_file)
        for section, words in WORDS.items():
            for word in words:
                assert (word in text) is (section in sections), (section, word)
        assert NOT_THE_INVENTORY not in text
        assert case_file.messages == (MessageEntry("message", "Bel me", now),)
    [line] = lines(sessions, anna, now)
    counts = (line.open_steps, line.overdue_steps)
    assert counts == ((2, 1) if Section.PLAN in sections else (None, None))


def test_a_counsellor_reads_only_their_own_linked_clients(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    sam, kim = new_client(sessions, now), new_client(sessions, now, "1002")
    link(sessions, anna, sam, now)
    link(sessions, bert, kim, now, identity=KIM)
    assert denied(sessions, anna, kim, now) == f"staff {anna} has no active link with client {kim}"
    forged = kim + 1000
    assert denied(sessions, anna, forged, now) == (
        f"staff {anna} has no active link with client {forged}"
    )
    assert [line.client_id for line in lines(sessions, anna, now)] == [sam]
    assert audit(sessions, kim) == []  # a refused look leaves no trace of data


def test_an_ended_link_or_a_counsellor_who_left_reads_nothing(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    sam = new_client(sessions, now)
    with_anna = link(sessions, anna, sam, now)
    link(sessions, bert, sam, now)
    with sessions.begin() as session:
        assert LinkRepository(session).end(sam, with_anna, now)
        admin = StaffRepository(session).add_admin(503, "Carl", "nl", now).id
    assert "no active link" in denied(sessions, anna, sam, now)
    assert lines(sessions, anna, now) == []
    deactivate(sessions, BERT, now)
    for staff_id in (bert, admin):  # a counsellor who left; an administrator is no counsellor
        assert (
            denied(sessions, staff_id, sam, now) == f"staff {staff_id} is not an active counsellor"
        )
        with pytest.raises(AccessDenied), sessions.begin() as session:
            CaseFileRepository(session, staff_id).clients(now)


def test_every_look_is_in_the_audit_trail(sessions: sessionmaker[Session], now: datetime) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    sam = new_client(sessions, now)
    with_anna = link(sessions, anna, sam, now)
    link(sessions, bert, sam, now, frozenset({Section.PLAN}))
    look(sessions, anna, sam, now)
    share(sessions, sam, with_anna, frozenset({Section.STRENGTHS, Section.PLAN}), now)
    look(sessions, anna, sam, now + MINUTE, LookKind.EXPORT)
    look(sessions, bert, sam, now + 2 * MINUTE, LookKind.DIGEST)
    everything = tuple(sorted(Section))  # sorted by name
    assert audit(sessions, sam) == [
        AuditRecord("Anna", ANNA, LookKind.VIEW, everything, now),
        AuditRecord("Anna", ANNA, LookKind.EXPORT, (Section.PLAN, Section.STRENGTHS), now + MINUTE),
        AuditRecord("Bert", BERT, LookKind.DIGEST, (Section.PLAN,), now + 2 * MINUTE),
    ]
    with sessions.begin() as session:
        looks = LinkRepository(session)
        assert looks.looks(sam, limit=2) == [
            Look("Bert", LookKind.DIGEST, (Section.PLAN,), now + 2 * MINUTE),
            Look("Anna", LookKind.EXPORT, (Section.PLAN, Section.STRENGTHS), now + MINUTE),
        ]
        assert len(looks.looks(sam)) == 3
        assert looks.looks(sam + 1) == []


def test_last_look_is_the_previous_view_or_digest(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, sam = new_counsellor(sessions, now), new_client(sessions, now)
    link(sessions, anna, sam, now)
    first, second, third = (now + n * DAY for n in (1, 2, 3))

    def last_look(at: datetime, kind: LookKind) -> datetime | None:
        return look(sessions, anna, sam, at, kind).last_look

    assert last_look(first, LookKind.VIEW) is None
    assert last_look(second, LookKind.EXPORT) == first
    assert last_look(third, LookKind.VIEW) == first  # an export does not count as a view
    assert last_look(third, LookKind.DIGEST) is None  # digests keep their own count
    assert last_look(third + DAY, LookKind.DIGEST) == third
    assert last_look(third + DAY, LookKind.VIEW) == third


def test_the_client_list_counts_steps_and_new_messages(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna = new_counsellor(sessions, now)
    sam, zoe = new_client(sessions, now), new_client(sessions, now, "1003", timezone="UTC")
    # At 23:30 UTC it is tomorrow in Amsterdam already: a step due today is overdue for Sam
    # (Europe/Amsterdam), not for Zoë (UTC).
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    for client_id in (sam, zoe):
        fill(sessions, client_id, late - DAY)  # steps due the day before and the day itself
    with sessions.begin() as session:
        PlanRepository(session).set_step_status(zoe, 1, "done", now)
    link(sessions, anna, zoe, now, identity="telegram:1003", name="Zoë")
    link(sessions, anna, sam, now)
    message(sessions, sam, "Hallo", now)
    message(sessions, sam, "Bel me", now + MINUTE)
    assert lines(sessions, anna, late) == [
        ClientLine(sam, "Sam", now, 2, 2, 2),
        ClientLine(zoe, "Zoë", now, 1, 0, 0),
    ]
    # Messages are new until the counsellor views the case file (an export is no view).
    look(sessions, anna, sam, late, LookKind.EXPORT)
    assert lines(sessions, anna, late)[0].new_messages == 2
    look(sessions, anna, sam, late)
    assert lines(sessions, anna, late)[0].new_messages == 0
    message(sessions, sam, "Nog iets", late + MINUTE)
    assert lines(sessions, anna, late)[0].new_messages == 1

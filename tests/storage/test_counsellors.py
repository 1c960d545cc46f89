"""Staff, invitations and links, from both sides, on both databases."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.linking.casefile import InvitationView, LinkView, LookKind, Section
from dialogs.linking.codes import is_printed_code, normalise_code
from storage import (
    AccessDenied,
    CaseFileRepository,
    ClientRepository,
    CodeStatus,
    Contact,
    Delivery,
    Identity,
    InvitationRepository,
    LinkRepository,
    NewInvitation,
    OpenResult,
    StaffRecord,
    StaffRepository,
)
from storage.models import CounsellorMessage, Invitation, Link

ALL = frozenset(Section)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
SAM = "telegram:1001"  # the client's identity while they open a code
KIM = "telegram:1002"
ANNA = 501  # counsellors' Telegram ids
BERT = 502


def new_client(
    sessions: sessionmaker[Session],
    now: datetime,
    external_id: str = "1001",
    timezone: str = "Europe/Amsterdam",
) -> int:
    with sessions.begin() as session:
        clients = ClientRepository(session)
        who = Identity("telegram", external_id)
        return clients.create(who, language="nl", timezone=timezone, now=now).id


def new_counsellor(
    sessions: sessionmaker[Session], now: datetime, telegram_id: int = ANNA, name: str = "Anna"
) -> int:
    with sessions.begin() as session:
        return StaffRepository(session).add_counsellor(telegram_id, name, "Noord", "nl", now).id


def deactivate(sessions: sessionmaker[Session], telegram_id: int, now: datetime) -> None:
    with sessions.begin() as session:
        assert StaffRepository(session).deactivate(telegram_id, now) is not None


def invite(
    sessions: sessionmaker[Session], staff_id: int, now: datetime, label: str | None = "Sam"
) -> NewInvitation:
    with sessions.begin() as session:
        return InvitationRepository(session).create(staff_id, label, now, DAY)


def open_code(
    sessions: sessionmaker[Session], code: str, identity: str, now: datetime
) -> OpenResult:
    with sessions.begin() as session:
        return InvitationRepository(session).open(code, identity, now)


def accept(
    sessions: sessionmaker[Session],
    invitation_id: int,
    client_id: int,
    now: datetime,
    sections: frozenset[Section] = ALL,
    identity: str = SAM,
    name: str = "Sam",
) -> int | None:
    """The client accepts: the new link's id (still to be confirmed), or None."""
    with sessions.begin() as session:
        invitations = InvitationRepository(session)
        accepted = invitations.accept(invitation_id, identity, client_id, name, sections, now)
        return None if accepted is None else accepted.link_id


def confirmed_link(
    session: Session,
    invitation_id: int,
    identity: str,
    client_id: int,
    name: str,
    sections: frozenset[Section],
    now: datetime,
) -> int:
    """The client accepts an opened invitation and the counsellor confirms: a link that shares,
    as the two of them make it in the bot. The link's id."""
    invitations = InvitationRepository(session)
    accepted = invitations.accept(invitation_id, identity, client_id, name, sections, now)
    assert accepted is not None
    if accepted.to_confirm:
        staff_id = session.get_one(Invitation, invitation_id).staff_id
        assert invitations.confirm(staff_id, accepted.link_id, now) is not None
    return accepted.link_id


def link(
    sessions: sessionmaker[Session],
    staff_id: int,
    client_id: int,
    now: datetime,
    sections: frozenset[Section] = ALL,
    identity: str = SAM,
    name: str = "Sam",
) -> int:
    """Invite, open, accept and confirm: the link's id."""
    invitation = invite(sessions, staff_id, now, label=name)
    assert open_code(sessions, invitation.code, identity, now).status is CodeStatus.OPENED
    with sessions.begin() as session:
        return confirmed_link(session, invitation.id, identity, client_id, name, sections, now)


def links_of(sessions: sessionmaker[Session], client_id: int) -> list[LinkView]:
    with sessions.begin() as session:
        return LinkRepository(session).for_client(client_id)


# --- staff ----------------------------------------------------------------------------------


def test_staff_are_added_changed_and_deactivated(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    later = now + DAY
    with sessions.begin() as session:
        staff = StaffRepository(session)
        assert not staff.has_admin()
        anna = staff.add_counsellor(ANNA, "Anna", "Noord", "nl", now)
        assert anna == StaffRecord(
            anna.id, ANNA, "Anna", "Noord", "nl", True, False, True, now, None
        )
        bert = staff.add_admin(BERT, "Bert", "en", now)
        # Adding an active counsellor as administrator keeps both roles and their team.
        both = staff.add_admin(ANNA, "Anna de Vries", "en", later)
        assert (both.id, both.name, both.team, both.language) == (
            anna.id,
            "Anna de Vries",
            "Noord",
            "nl",
        )
        assert (both.is_counsellor, both.is_admin, both.created_at) == (True, True, now)
        assert staff.has_admin()
        assert staff.is_admin(ANNA)
        assert not staff.is_admin(999)
        staff.set_language(bert.id, "nl")
        assert [s.name for s in staff.list()] == ["Anna de Vries", "Bert"]
        assert [s.id for s in staff.active_counsellors()] == [anna.id]
        assert staff.get(bert.id) == staff.find(BERT)
        assert staff.find(BERT) == StaffRecord(
            bert.id, BERT, "Bert", None, "nl", False, True, True, now, None
        )
        assert staff.deactivate(999, later) is None
        gone = staff.deactivate(ANNA, later)
        assert gone is not None
        assert (gone.active, gone.deactivated_at) == (False, later)
        assert staff.deactivate(ANNA, later + DAY) == gone  # the first moment is kept
        assert not staff.is_admin(ANNA)
        assert staff.active_counsellors() == []
        assert staff.get(anna.id + 100) is None


def test_coming_back_grants_only_the_role_asked_for(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        staff = StaffRepository(session)
        staff.add_counsellor(ANNA, "Anna", "Noord", "nl", now)
        staff.add_admin(ANNA, "Anna", "nl", now)
        staff.deactivate(ANNA, now)
        back = staff.add_admin(ANNA, "Anna", "en", now + DAY)
        assert (back.active, back.is_admin, back.is_counsellor, back.deactivated_at) == (
            True,
            True,
            False,
            None,
        )
        assert back.language == "nl"  # the language they chose stays
        again = staff.add_counsellor(ANNA, "Anna", "Zuid", "nl", now + DAY)
        assert (again.is_admin, again.is_counsellor, again.team) == (True, True, "Zuid")


# --- invitations ----------------------------------------------------------------------------


def test_codes_are_stored_only_as_hashes(sessions: sessionmaker[Session], now: datetime) -> None:
    anna = new_counsellor(sessions, now)
    made = invite(sessions, anna, now)
    assert made.expires_at == now + DAY
    assert len(made.short_code) == 9
    assert made.short_code[4] == "-"
    assert is_printed_code(made.short_code)
    with sessions.begin() as session:
        rows = session.execute(select(Invitation.__table__)).all()
    stored = repr(rows)
    for plain in (made.code, made.short_code, normalise_code(made.short_code)):
        assert plain not in stored
    assert rows[0].code_hash == hashlib.sha256(made.code.encode()).hexdigest()


def test_short_codes_are_read_the_way_people_type_them() -> None:
    assert normalise_code(" abcd-efgh\n") == "ABCDEFGH"
    assert normalise_code("ab cd\tef-gh") == "ABCDEFGH"
    for typed in ("abcd-efgh", "ABCD - EFGH", " hjkm-2345\n"):
        assert is_printed_code(typed)
    # O, 0, I, 1 and L are not in the alphabet; lengths other than eight are no short code.
    for typed in ("ABCD-EFG0", "ABCD-EFGO", "ABCD-EFGI", "ABCD-EFG", "ABCD-EFGHJ", "hallo", ""):
        assert not is_printed_code(typed)
    # Without the dash it is a word or two of an answer, not a code.
    for typed in ("ABCD EFGH", "hjkm2345", "verhuren", "geen werk", "Meer rust", "beat me up"):
        assert not is_printed_code(typed)


def test_only_an_active_counsellor_can_invite(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna = new_counsellor(sessions, now)
    with sessions.begin() as session:
        admin = StaffRepository(session).add_admin(BERT, "Bert", "nl", now)
    deactivate(sessions, ANNA, now)
    for staff_id in (anna, admin.id, admin.id + 100):
        with sessions.begin() as session, pytest.raises(AccessDenied, match=f"staff {staff_id} "):
            InvitationRepository(session).create(staff_id, "Sam", now, DAY)


def test_a_code_opens_for_one_identity_only(sessions: sessionmaker[Session], now: datetime) -> None:
    made = invite(sessions, new_counsellor(sessions, now), now)
    view = InvitationView(made.id, "Anna", "Noord", now + DAY, "Sam")
    assert open_code(sessions, made.code, SAM, now) == OpenResult(CodeStatus.OPENED, view)
    # The same identity may open it again, by either code; nobody else can.
    typed = made.short_code.lower().replace("-", " ")
    assert open_code(sessions, typed, SAM, now + MINUTE) == OpenResult(CodeStatus.OPENED, view)
    assert open_code(sessions, made.code, KIM, now) == OpenResult(CodeStatus.USED)
    with sessions.begin() as session:
        invitations = InvitationRepository(session)
        assert invitations.pending(SAM, now + MINUTE) == view
        assert invitations.pending(KIM, now) is None
        assert invitations.pending(SAM, now + DAY) is None  # expired
        opened = session.execute(select(Invitation.opened_by, Invitation.opened_at)).one()
        assert tuple(opened) == (SAM, now)  # the first opening counts


def test_pending_is_the_latest_invitation_opened(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna = new_counsellor(sessions, now)
    first, second = invite(sessions, anna, now), invite(sessions, anna, now, label=None)
    open_code(sessions, second.code, SAM, now)
    open_code(sessions, first.code, SAM, now + MINUTE)
    with sessions.begin() as session:
        pending = InvitationRepository(session).pending(SAM, now + MINUTE)
        assert pending is not None
        assert pending.id == first.id
        InvitationRepository(session).decline(first.id, SAM, now + MINUTE)
        pending = InvitationRepository(session).pending(SAM, now + MINUTE)
        assert pending == InvitationView(second.id, "Anna", "Noord", now + DAY, None)


def test_expired_codes_and_codes_of_a_counsellor_who_left(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    annas, berts = invite(sessions, anna, now), invite(sessions, bert, now)
    assert open_code(sessions, annas.code, SAM, now + DAY).status is CodeStatus.EXPIRED
    assert open_code(sessions, berts.code, KIM, now).status is CodeStatus.OPENED
    deactivate(sessions, BERT, now)
    assert open_code(sessions, berts.code, KIM, now).status is CodeStatus.EXPIRED
    with sessions.begin() as session:
        assert InvitationRepository(session).pending(KIM, now) is None
    assert accept(sessions, berts.id, new_client(sessions, now), now, identity=KIM) is None


def test_an_accepted_or_declined_code_is_used(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, client = new_counsellor(sessions, now), new_client(sessions, now)
    accepted, declined = invite(sessions, anna, now), invite(sessions, anna, now)
    for made in (accepted, declined):
        assert open_code(sessions, made.code, SAM, now).status is CodeStatus.OPENED
    assert accept(sessions, accepted.id, client, now) is not None
    with sessions.begin() as session:
        invitations = InvitationRepository(session)
        assert invitations.decline(declined.id, KIM, now) is None  # not theirs
        assert invitations.decline(declined.id, SAM, now) is not None
        assert invitations.decline(declined.id, SAM, now) is None
        assert invitations.decline(accepted.id, SAM, now) is None
    for made in (accepted, declined):
        assert open_code(sessions, made.code, SAM, now).status is CodeStatus.USED
        assert open_code(sessions, made.short_code, SAM, now).status is CodeStatus.USED
    assert accept(sessions, declined.id, client, now) is None
    with sessions.begin() as session:
        outcomes = session.execute(select(Invitation.id, Invitation.outcome, Invitation.closed_at))
        assert sorted(tuple(row) for row in outcomes) == [
            (accepted.id, "accepted", now),
            (declined.id, "declined", now),
        ]


# --- slowing down guesses -------------------------------------------------------------------


def test_wrong_codes_block_for_longer_each_time(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    made = invite(sessions, new_counsellor(sessions, now), now)
    wrong = "ZZZZ-ZZZZ"
    assert open_code(sessions, wrong, SAM, now) == OpenResult(CodeStatus.WRONG)
    assert open_code(sessions, wrong, SAM, now) == OpenResult(CodeStatus.WRONG)
    at = now
    for minutes in (1, 2, 4, 8, 16, 32, 60, 60):
        until = at + timedelta(minutes=minutes)
        assert open_code(sessions, wrong, SAM, at) == OpenResult(CodeStatus.SLOW_DOWN, None, until)
        # While blocked even the right code is refused, and the block does not grow.
        just_before = until - timedelta(microseconds=1)
        for code in (made.code, wrong):
            result = open_code(sessions, code, SAM, just_before)
            assert result == OpenResult(CodeStatus.SLOW_DOWN, None, until)
        at = until
    # Someone else is not slowed down by it.
    assert open_code(sessions, wrong, KIM, at) == OpenResult(CodeStatus.WRONG)
    # Once the block is over, the right code opens and the count starts again.
    assert open_code(sessions, made.code, SAM, at).status is CodeStatus.OPENED
    assert open_code(sessions, wrong, SAM, at).status is CodeStatus.WRONG
    assert open_code(sessions, wrong, SAM, at).status is CodeStatus.WRONG
    assert open_code(sessions, wrong, SAM, at).status is CodeStatus.SLOW_DOWN


def test_wrong_codes_are_forgotten_after_a_quiet_hour(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    hour, wrong = timedelta(hours=1), "ZZZZ-ZZZZ"

    def tries(*moments: datetime) -> list[CodeStatus]:
        return [open_code(sessions, wrong, SAM, at).status for at in moments]

    # An hour after the last wrong code, counting starts again; a moment before, it goes on.
    assert tries(now, now + hour - MINUTE) == [CodeStatus.WRONG] * 2
    assert tries(now + 2 * hour - MINUTE) == [CodeStatus.WRONG]
    # ... and an hour after a block ends, too.
    later = now + 3 * hour
    assert tries(later, later, later) == [CodeStatus.WRONG] * 2 + [CodeStatus.SLOW_DOWN]
    assert tries(later + MINUTE + hour - timedelta(seconds=1)) == [CodeStatus.SLOW_DOWN]
    later += 3 * hour
    assert tries(later, later) == [CodeStatus.WRONG] * 2


# --- accepting and the client's links -------------------------------------------------------


def test_two_accepts_racing_link_once(sessions: sessionmaker[Session], now: datetime) -> None:
    """Two sessions on two connections: the second accepts around the first one's commit."""
    anna, client = new_counsellor(sessions, now), new_client(sessions, now)
    made = invite(sessions, anna, now)
    open_code(sessions, made.code, SAM, now)
    with ThreadPoolExecutor(1) as pool:
        with sessions.begin() as first:
            link_id = confirmed_link(first, made.id, SAM, client, "Sam", ALL, now)
            second = pool.submit(accept, sessions, made.id, client, now)
        assert second.result(timeout=30) is None
    assert [view.id for view in links_of(sessions, client)] == [link_id]


def test_accepting_again_changes_what_an_existing_link_shares(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, client = new_counsellor(sessions, now), new_client(sessions, now)
    first = link(sessions, anna, client, now, frozenset({Section.STRENGTHS}))
    later = now + DAY
    again = link(sessions, anna, client, later, frozenset({Section.PLAN}))
    assert again == first
    assert links_of(sessions, client) == [
        LinkView(first, "Anna", "Noord", frozenset({Section.PLAN}), now)
    ]
    with sessions.begin() as session:
        row = session.get_one(Link, first)
        assert (row.sharing_changed_at, row.created_at) == (later, now)
        assert LinkRepository(session).end(client, first, later)
    # After the end, a new link is made: the old one stays as history.
    assert link(sessions, anna, client, later) != first


def test_the_client_sees_and_manages_only_their_own_links(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    sam, kim = new_client(sessions, now), new_client(sessions, now, "1002")
    later = now + MINUTE
    with_bert = link(sessions, bert, sam, now, frozenset())
    with_anna = link(sessions, anna, sam, later, frozenset({Section.PLAN}))
    kims = link(sessions, anna, kim, now, identity=KIM)
    assert links_of(sessions, sam) == [
        LinkView(with_bert, "Bert", "Noord", frozenset(), now),
        LinkView(with_anna, "Anna", "Noord", frozenset({Section.PLAN}), later),
    ]
    with sessions.begin() as session:
        links = LinkRepository(session)
        assert links.contact(sam, with_anna) == Contact(ANNA, "nl", "Sam")
        # Kim's link cannot be reached, changed or ended through Sam's client id.
        assert links.contact(sam, kims) is None
        assert not links.set_sharing(sam, kims, ALL, later)
        assert not links.end(sam, kims, later)
        assert links.set_sharing(sam, with_bert, frozenset({Section.REFLECTIONS}), later)
        assert links.end(sam, with_anna, later)
        assert not links.end(sam, with_anna, later)
        assert not links.set_sharing(sam, with_anna, ALL, later)  # ended
    assert links_of(sessions, sam) == [
        LinkView(with_bert, "Bert", "Noord", frozenset({Section.REFLECTIONS}), now)
    ]
    assert [view.sections for view in links_of(sessions, kim)] == [ALL]
    deactivate(sessions, BERT, later)
    assert links_of(sessions, sam) == []  # a counsellor who left is not shown
    with sessions.begin() as session:
        links = LinkRepository(session)
        assert links.contact(sam, with_anna) is None  # ended
        assert links.contact(sam, with_bert) is None  # left


def test_a_message_is_stored_for_each_active_counsellor(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    carl = new_counsellor(sessions, now, 503, "Carl")
    sam, kim = new_client(sessions, now), new_client(sessions, now, "1002")
    to_anna = link(sessions, anna, sam, now)
    to_bert = link(sessions, bert, sam, now)
    link(sessions, carl, sam, now)
    link(sessions, anna, kim, now, identity=KIM)
    deactivate(sessions, 503, now)
    with sessions.begin() as session:
        assert LinkRepository(session).end(sam, to_bert, now)
    with sessions.begin() as session:
        links = LinkRepository(session)
        deliveries = links.add_message(sam, "call", "Bel me", now)
        assert deliveries == [Delivery(deliveries[0].message_id, ANNA, "nl", "Sam", "Anna")]
        with pytest.raises(ValueError, match="kind"):
            links.add_message(sam, "sms", "Hoi", now)
        links.mark_delivered([deliveries[0].message_id], now + MINUTE)
        links.mark_delivered([deliveries[0].message_id], now + DAY)  # the first counts
        links.mark_delivered([], now)
    with sessions.begin() as session:
        rows = session.execute(
            select(
                CounsellorMessage.link_id,
                CounsellorMessage.client_id,
                CounsellorMessage.kind,
                CounsellorMessage.text,
                CounsellorMessage.delivered_at,
            )
        ).all()
        assert [tuple(row) for row in rows] == [(to_anna, sam, "call", "Bel me", now + MINUTE)]


# --- the counsellor confirms who opened the invitation --------------------------------------


def test_an_accepted_invitation_shares_nothing_until_the_counsellor_confirms(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    client = new_client(sessions, now)
    made = invite(sessions, anna, now, label="Sam")
    open_code(sessions, made.code, SAM, now)
    with sessions.begin() as session:
        accepted = InvitationRepository(session).accept(
            made.id, SAM, client, "Sammie", ALL, now, opener_username="sammie"
        )
    assert accepted is not None
    assert accepted.to_confirm
    assert accepted.counsellor.client_name == "Sammie"  # the name on the channel, until then
    assert links_of(sessions, client) == []
    with sessions.begin() as session:
        with pytest.raises(AccessDenied):
            CaseFileRepository(session, anna).case_file(client, LookKind.VIEW, now)
        assert CaseFileRepository(session, anna).clients(now) == []
        assert LinkRepository(session).add_message(client, "message", "Hoi", now) == []
        # Not Bert's to confirm.
        assert InvitationRepository(session).confirm(bert, accepted.link_id, now) is None
    with sessions.begin() as session:
        notice = InvitationRepository(session).confirm(anna, accepted.link_id, now)
        assert notice is not None
        assert (notice.external_id, notice.counsellor, notice.client_name) == (
            "1001",
            "Anna",
            "Sam",
        )
        assert notice.sections == ALL
        assert session.get_one(Link, accepted.link_id).opener_username is None
    assert [view.id for view in links_of(sessions, client)] == [accepted.link_id]
    with sessions.begin() as session:
        [line] = CaseFileRepository(session, anna).clients(now)
        assert line.name == "Sam"  # now by the invitation's label
        # Confirmed once: neither a second yes nor a late no does anything.
        assert InvitationRepository(session).confirm(anna, accepted.link_id, now) is None
        assert InvitationRepository(session).refuse(anna, accepted.link_id, now) is None


def test_a_refused_opener_loses_the_link_and_the_invitation_says_so(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna, stranger = new_counsellor(sessions, now), new_client(sessions, now, "1002")
    made = invite(sessions, anna, now)
    open_code(sessions, made.code, KIM, now)
    link_id = accept(sessions, made.id, stranger, now, identity=KIM, name="Kim")
    assert link_id is not None
    with sessions.begin() as session:
        with pytest.raises(AccessDenied):  # no counsellor at all
            InvitationRepository(session).refuse(anna + 1000, link_id, now)
        notice = InvitationRepository(session).refuse(anna, link_id, now)
        assert notice is not None
        assert (notice.external_id, notice.counsellor) == ("1002", "Anna")
    with sessions.begin() as session:
        assert session.get(Link, link_id) is None
        assert session.get_one(Invitation, made.id).outcome == "refused"
    # Their code stays used: the stranger cannot open it again.
    assert open_code(sessions, made.code, KIM, now).status is CodeStatus.USED

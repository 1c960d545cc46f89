"""Team meetings in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dialogs.meeting.proposal import PendingProposal
from dialogs.meeting.state import Idea, Meeting, Member, Phase
from storage.meetings import MeetingRepository
from tests.storage.test_counsellors import ANNA, deactivate, link, new_client, new_counsellor

GROUP = -1001000000001
BRAM = 502


def meeting(now: datetime, key: int = 7, chat_id: int = GROUP) -> Meeting:
    chair = Member(ANNA, "Anna")
    return Meeting(key, chat_id, "nl", chair, (3, 3, 4, 5, 3), now, members=(chair,))


def test_a_meeting_is_stored_whole_and_locked_per_group(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    started = meeting(now)
    with sessions.begin() as session:
        MeetingRepository(session).save(started)
    later = replace(
        started,
        phase=Phase.STEP,
        stage=4,
        members=(*started.members, Member(BRAM, "Bram")),
        presenter=Member(BRAM, "Bram"),
        case="K.L.",
        deadline=now + timedelta(minutes=3),
        wake_at=now + timedelta(minutes=1),
        ideas=(Idea(1, BRAM, "Buurtkamer"), Idea(2, ANNA, "Maatje", chosen=True)),
        reminded=(BRAM,),
    )
    with sessions.begin() as session:
        MeetingRepository(session).save(later)
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        assert meetings.running(GROUP) == later
        assert meetings.by_key(7) == later
        assert meetings.running(-5) is None
        assert meetings.waking() == [(7, now + timedelta(minutes=1))]
        meetings.set_timer_message(7, 4242)
    with sessions.begin() as session:
        assert MeetingRepository(session).by_key(7) == replace(later, timer_message=4242)


def test_one_running_meeting_per_group(sessions: sessionmaker[Session], now: datetime) -> None:
    with sessions.begin() as session:
        MeetingRepository(session).save(meeting(now, key=1))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        MeetingRepository(session).save(meeting(now, key=2))
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        meetings.save(meeting(now, key=3, chat_id=GROUP - 1))  # another group: fine
        meetings.save(replace(meeting(now, key=1), phase=Phase.STOPPED, ended_at=now))
        meetings.save(meeting(now, key=4))  # the first one ended: a new one may start


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_starts_at_once_in_one_group_take_turns(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    """On PostgreSQL, reading a group's running meeting also holds the group until commit: a
    second unit of work for that group waits, then finds the first one's meeting. (SQLite's
    BEGIN IMMEDIATE makes every unit of work wait for the one before.)"""
    held = select(func.pg_try_advisory_xact_lock(GROUP))
    with sessions.begin() as first:
        assert MeetingRepository(first).running(GROUP) is None
        MeetingRepository(first).save(meeting(now))
        with sessions.begin() as second:
            assert second.scalar(held) is False  # a second start would wait here
    with sessions.begin() as second:
        assert second.scalar(held) is True
        assert MeetingRepository(second).running(GROUP) == meeting(now)


def test_what_came_of_a_case_is_asked_once(sessions: sessionmaker[Session], now: datetime) -> None:
    presenter = Member(BRAM, "Bram")
    done = replace(
        meeting(now, key=1),
        phase=Phase.FINISHED,
        presenter=presenter,
        case="K.L.",
        ideas=(Idea(1, ANNA, "Buurtkamer", chosen=True), Idea(2, ANNA, "Maatje")),
        next_step="Bellen",
        ended_at=now,
    )
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        meetings.save(done)
        meetings.save(replace(meeting(now, key=2), phase=Phase.STOPPED, ended_at=now))
        meetings.save(meeting(now + timedelta(days=7), key=3))
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        (asked,) = meetings.follow_ups(GROUP, 3)
        assert (asked.meeting_key, asked.presenter, asked.case) == (1, presenter, "K.L.")
        assert (asked.chosen, asked.next_step, asked.answer) == (("Buurtkamer",), "Bellen", None)
        assert meetings.follow_ups(GROUP - 1, None) == ()
        meetings.save_follow_up(1, "Het lukte", told_in=3, now=now)
        meetings.save_follow_up(1, "Nog eens", told_in=3, now=now)  # told once: kept
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        assert meetings.follow_ups(GROUP, 3) == ()
        assert [f.answer for f in meetings.followed(3)] == ["Het lukte"]


def test_a_presenters_clients_and_a_proposal_the_client_decides_once(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna = new_counsellor(sessions, now)
    client = new_client(sessions, now)
    link_id = link(sessions, anna, client, now, name="Jan de Vries")
    new_counsellor(sessions, now, BRAM, "Bram")
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        meetings.save(meeting(now))
        assert meetings.counsellors([ANNA, BRAM, 999]) == {ANNA, BRAM}
        assert meetings.linked_clients([ANNA, BRAM]) == {ANNA: [(link_id, "Jan de Vries")]}
        assert meetings.propose(7, link_id, BRAM, ["Buurtkamer"], now) is None  # not his link
        proposal = meetings.propose(7, link_id, ANNA, ["Buurtkamer", "Maatje"], now)
        assert proposal is not None
        assert (proposal.client_id, proposal.external_id) == (client, "1001")
        assert (proposal.counsellor, proposal.steps) == ("Anna", ("Buurtkamer", "Maatje"))
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        assert meetings.pending(client) == (
            PendingProposal(proposal.id, "Anna", ("Buurtkamer", "Maatje")),
        )
        assert meetings.decide(proposal.id, client + 1, True, now) is False  # not theirs
        assert meetings.decide(proposal.id, client, True, now) is True
        assert meetings.decide(proposal.id, client, False, now) is False  # decided already
        assert meetings.pending(client) == ()
    deactivate(sessions, ANNA, now)
    with sessions.begin() as session:
        meetings = MeetingRepository(session)
        assert meetings.counsellors([ANNA]) == frozenset()
        assert meetings.linked_clients([ANNA]) == {}

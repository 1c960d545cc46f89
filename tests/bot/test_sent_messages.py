"""The ids of the bot's replies wait for the chat's next update or a flush: a client erased
meanwhile is skipped, a failed unit of work gives them back, one flush is on the clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.sent_messages import FLUSH_AFTER, FLUSH_JOB, SentMessages
from dialogs import Command, CommandName, Press
from storage import Identity
from storage.models import ChatMessage
from storage.mydata import ClientDataRepository
from tests.bot.test_conversation import buttons
from tests.conftest import AUDIT_KEY, Clock
from tests.reminders.clock import ManualClock
from turns.conversation import Conversations


def consented(conversations: Conversations, clock: Clock, who: str) -> int:
    identity = Identity("telegram", who)
    welcome = conversations.handle(identity, Command(CommandName.START), clock())
    turn = conversations.handle(
        identity, Press(buttons(welcome.outputs)["✅ Ja, dat mag"]), clock()
    )
    assert turn.client_id is not None
    return turn.client_id


def kept(conversations: Conversations) -> set[tuple[int, int]]:
    with conversations.sessions() as session:
        rows = session.execute(select(ChatMessage.client_id, ChatMessage.message_id))
        return {(client, message) for client, message in rows}


async def test_one_flush_writes_every_chat_and_skips_a_client_erased_meanwhile(
    conversations: Conversations, clock: Clock
) -> None:
    ana, bob = consented(conversations, clock, "1"), consented(conversations, clock, "2")
    wakes = ManualClock(clock)
    sent = SentMessages(conversations, clock, wakes)
    sent.add(1, ana, [501, 502])
    sent.add(2, bob, [601])
    sent.add(1, ana, [503])
    assert list(wakes.timers) == [FLUSH_JOB]
    assert wakes.when(FLUSH_JOB) == clock() + FLUSH_AFTER
    with conversations.sessions.begin() as session:
        ClientDataRepository(session).erase(
            bob, "telegram:2", audit_key=AUDIT_KEY, now=clock()
        )  # /vergeetmij before the flush
    flush: Callable[[], Awaitable[None]] = wakes.timers[FLUSH_JOB][1]
    await flush()
    assert kept(conversations) == {(ana, 501), (ana, 502), (ana, 503)}
    assert sent.waiting == {}
    sent.add(1, ana, [504])
    assert wakes.when(FLUSH_JOB) is not None  # armed again after the flush


def test_a_chats_ids_are_taken_once_and_given_back_when_its_update_failed(
    conversations: Conversations, clock: Clock
) -> None:
    sent = SentMessages(conversations, clock, ManualClock(clock))
    sent.add(7, 70, [1, 2])
    assert sent.take(7) == ([1, 2], 70)
    assert sent.take(7) == ([], None)
    sent.put_back(7, 70, [1, 2])
    sent.add(7, 70, [3])
    assert sent.take(7) == ([1, 2, 3], 70)
    sent.put_back(7, None, [9])  # a stranger's chat: nothing to keep
    assert sent.take(7) == ([], None)


def test_nothing_sent_arms_no_flush(conversations: Conversations, clock: Clock) -> None:
    wakes = ManualClock(clock)
    sent = SentMessages(conversations, clock, wakes)
    sent.add(1, 10, [])
    assert wakes.timers == {}
    assert sent.waiting == {}

"""The database schema as typed SQLAlchemy models. Timestamps are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every database (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC time")
        # SQLite stores the wall time without its offset: convert, or 10:00+01:00 reads as 10:00Z.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Client(Base):
    """Someone who consented. `channel` + `external_id` say who they are on that channel."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # "HH:MM" in the client's time zone; NULL means the organisation's default.
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    # Set when the channel says the client cannot be reached (they blocked the bot).
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    conversation: Mapped[Conversation] = relationship(back_populates="client")

    __table_args__ = (Index("uq_clients_channel_external_id", channel, external_id, unique=True),)


class Conversation(Base):
    """Where the client is in the conversation: the engine's dialog state as JSON."""

    __tablename__ = "conversations"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    client: Mapped[Client] = relationship(back_populates="conversation")


class AnswerVersion(Base):
    """One version of one answer. Versions are never changed, only superseded."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(96))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        # At most one current version per question, on both databases.
        Index(
            "uq_answers_current",
            client_id,
            key,
            unique=True,
            sqlite_where=sql_text("superseded_at IS NULL"),
            postgresql_where=sql_text("superseded_at IS NULL"),
        ),
        Index("ix_answers_client_key", client_id, key),
    )


class Goal(Base):
    """A goal in the client's action plan, numbered per client ("doel 1"); never deleted."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(String(24))
    why: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | reached | dropped
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("uq_goals_client_number", client_id, number, unique=True),)


class Step(Base):
    """A step towards a goal, numbered per client ("stap 3"); never deleted."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(16))  # me | network | counsellor
    who_name: Mapped[str | None] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)
    # The moment the client chose to be reminded.
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))  # open | done | dropped
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_steps_client_number", client_id, number, unique=True),
        Index("ix_steps_goal_id", goal_id),
    )


class PlanEventRow(Base):
    """One change to the plan: what happened to which goal or step, and when."""

    __tablename__ = "plan_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    goal_number: Mapped[int] = mapped_column(Integer)
    step_number: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    # For 'changed' and 'postponed': {"field": {"from": old, "to": new}}.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_plan_events_client_at", client_id, at),)


class Reflection(Base):
    """The client's answers after a setback, numbered per client."""

    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    goal_number: Mapped[int | None] = mapped_column(Integer)
    step_number: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("uq_reflections_client_number", client_id, number, unique=True),)


class Resource(Base):
    """A person or place that can help the client (hulpbron), numbered per client. Removing
    one keeps the row (`removed_at`), so steps that name it still make sense."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # close | known | community | professional
    closeness: Mapped[str] = mapped_column(String(16))  # close | between | far
    goal_number: Mapped[int | None] = mapped_column(Integer)
    domain: Mapped[str | None] = mapped_column(String(24))
    help_with: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("uq_resources_client_number", client_id, number, unique=True),)


class Reminder(Base):
    """A reminder about a step. The row is the truth; a scheduler only wakes the bot up."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    step_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # step | follow_up
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # scheduled | sending | sent | answered | missed | cancelled | paused
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the client was told they missed it.
    told_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_reminders_status_due_at", status, due_at),
        Index("ix_reminders_client_step", client_id, step_number),
    )


class Staff(Base):
    """A counsellor or administrator, known by Telegram id. Never deleted: the audit trail
    names them, so leaving the organisation deactivates the row."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    is_counsellor: Mapped[bool] = mapped_column(Boolean)
    is_admin: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("uq_staff_telegram_id", telegram_id, unique=True),)


class Invitation(Base):
    """A counsellor's offer to link, passed to the client as a code. Only hashes of the code
    are kept, so a copy of the database cannot be used to link to anyone."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    code_hash: Mapped[str] = mapped_column(String(64))
    short_hash: Mapped[str] = mapped_column(String(64))
    # What the counsellor calls the client; the link's client_name once they confirm it.
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Who opened it ("telegram:123"): from then on only they can accept it.
    opened_by: Mapped[str | None] = mapped_column(String(96))
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # accepted | declined, or refused: the counsellor said the opener is not their client.
    outcome: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("uq_invitations_code_hash", code_hash, unique=True),
        Index("uq_invitations_short_hash", short_hash, unique=True),
        Index("ix_invitations_opened_by", opened_by),
    )


class CodeAttempt(Base):
    """Wrong codes per identity, to slow down guessing of the short codes."""

    __tablename__ = "code_attempts"

    identity: Mapped[str] = mapped_column(String(96), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    # Failures are forgotten an hour after this moment: the last failure, or the end of the
    # block it set.
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Link(Base):
    """A client and a counsellor working together; what the client shares is per link and
    the client's to change. An ended link is kept, so that history explains the audit trail;
    one the counsellor refused (a stranger opened the invitation) is deleted."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )
    # What the counsellor calls the client: until they confirm, the opener's name on the
    # channel (the invitation's label, meant for the real client, is not theirs to see).
    client_name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # NULL until the counsellor confirmed who opened the invitation: nothing is shared before.
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The opener's @username, for the counsellor to recognise them; gone once they answer.
    opener_username: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(16))  # client | counsellor | admin
    share_strengths: Mapped[bool] = mapped_column(Boolean)
    share_plan: Mapped[bool] = mapped_column(Boolean)
    share_reflections: Mapped[bool] = mapped_column(Boolean)
    share_resources: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))
    sharing_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The counsellor's previous look, for "new since" in the case file and the digest.
    last_viewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_digest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        # At most one active link per counsellor and client, on both databases.
        Index(
            "uq_links_active",
            staff_id,
            client_id,
            unique=True,
            sqlite_where=sql_text("ended_at IS NULL"),
            postgresql_where=sql_text("ended_at IS NULL"),
        ),
        Index("ix_links_client_id", client_id),
    )


class CounsellorMessage(Base):
    """What a client sent one counsellor (/begeleider): a row per link, so ending a link or
    erasing the client takes the messages with it."""

    __tablename__ = "counsellor_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # message | call
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_counsellor_messages_link_created", link_id, created_at),)


class AuditEntry(Base):
    """One look of a counsellor at a client's data (view, export, digest) and the sections it
    showed: the client and the administrators can see who saw what. Erasing the client keeps
    the entry (NEN 7513) with `client_id` NULL and `client_pseudonym` a keyed hash of the id."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    client_pseudonym: Mapped[str | None] = mapped_column(String(64))  # storage.pseudonyms
    kind: Mapped[str] = mapped_column(String(16))  # view | export | digest
    sections: Mapped[list[str]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_audit_entries_client_at", client_id, at),
        Index("ix_audit_entries_client_pseudonym", client_pseudonym),
    )


class Digest(Base):
    """A counsellor's periodic summary, sent exactly once like a reminder: the row is the truth."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    period_start: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))  # scheduled | sending | sent | skipped
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_digests_staff_due_at", staff_id, due_at, unique=True),
        Index("ix_digests_status_due_at", status, due_at),
    )


class ProcessedUpdate(Base):
    """An update from the channel, stored in the transaction of its unit of work: one
    delivered again (a restart before Telegram heard we had it) finds itself and does nothing."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_processed_updates_at", at),)


class ChatMessage(Base):
    """The id (never the text) of a recent message in a client's chat, either way, so that
    /wissen can ask Telegram to delete them; kept for 48 hours, as long as Telegram allows."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_chat_messages_client_message", client_id, message_id, unique=True),
        Index("ix_chat_messages_at", at),
    )


class Outgoing(Base):
    """Something the bot sends (a message, an edit, a picture, a deletion, a counsellor's
    alert), written in the transaction that decided it and sent from here after the commit:
    a crash in between loses nothing. In order per chat (`id`). Once sent, only the message ids
    stay (for /wissen) until the row is pruned; a send that keeps failing stays with its reason."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat: Mapped[str] = mapped_column(String(64))  # the chat's id on the channel
    # Whose chat it is: erasing the client takes every row of theirs with it.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # emptied once sent
    status: Mapped[str] = mapped_column(String(12))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain: Mapped[int] = mapped_column(Integer, default=0)  # tries that may have arrived
    reason: Mapped[str | None] = mapped_column(String(200))  # why the last try failed
    message_ids: Mapped[list[int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_outbox_status_next_try_at", status, next_try_at),
        # A chat's rows in order: whether an older one waits (the sweep), what a deletion takes.
        Index("ix_outbox_channel_chat_id", channel, chat, id),
        Index("ix_outbox_client_sent_at", client_id, sent_at),
        Index("ix_outbox_sent_at", sent_at),
    )


class TeamMeeting(Base):
    """A team strength meeting in a Telegram group (dialogs/meeting/engine.py). The row is the whole
    state: a restart re-arms its timer from `wake_at`. Told later: what came of its case."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)  # names the meeting on its buttons
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    chair_id: Mapped[int] = mapped_column(BigInteger)
    chair_name: Mapped[str] = mapped_column(Text)
    minutes: Mapped[list[int]] = mapped_column(JSON)
    phase: Mapped[str] = mapped_column(String(16))
    stage: Mapped[int] = mapped_column(Integer)
    presenter_id: Mapped[int | None] = mapped_column(BigInteger)
    presenter_name: Mapped[str | None] = mapped_column(Text)
    case_label: Mapped[str | None] = mapped_column(String(16))  # initials only
    case_link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="SET NULL"))
    step: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    remaining: Mapped[int | None] = mapped_column(Integer)  # seconds, while paused in a step
    paused: Mapped[bool] = mapped_column(Boolean)
    nudged: Mapped[bool] = mapped_column(Boolean)
    wake_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    timer_message_id: Mapped[int | None] = mapped_column(BigInteger)
    next_step: Mapped[str | None] = mapped_column(Text)
    reminded: Mapped[list[int]] = mapped_column(JSON)
    proposed: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_status: Mapped[str | None] = mapped_column(String(16))  # answered | skipped
    follow_up_in: Mapped[int | None] = mapped_column(BigInteger)  # key of the meeting told in
    follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The client of the case asked to be forgotten: label, ideas, next step and follow-up are
    # gone, the meeting stays for the team.
    case_removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("uq_meetings_key", key, unique=True),
        # At most one meeting running per group, on both databases.
        Index(
            "uq_meetings_active_chat",
            chat_id,
            unique=True,
            sqlite_where=sql_text("ended_at IS NULL"),
            postgresql_where=sql_text("ended_at IS NULL"),
        ),
        Index("ix_meetings_chat_started", chat_id, started_at),
    )


class MeetingMember(Base):
    __tablename__ = "meeting_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("uq_meeting_members_user", meeting_id, user_id, unique=True),)


class MeetingIdea(Base):
    """One idea of a brainstorm: one message, one idea."""

    __tablename__ = "meeting_ideas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    chosen: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("uq_meeting_ideas_number", meeting_id, number, unique=True),)


class StepProposal(Base):
    """Ideas of a team meeting offered to a linked client as steps: they enter the client's
    plan only when the client says yes."""

    __tablename__ = "step_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    steps: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending | accepted | declined
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_step_proposals_client_status", client_id, status),)

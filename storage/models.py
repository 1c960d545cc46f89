"""The database schema as typed SQLAlchemy models. Timestamps are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
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

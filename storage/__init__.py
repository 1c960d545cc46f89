"""Persistence: SQLAlchemy models, repositories (one unit of work per update), migrations."""

from storage.db import DEFAULT_DATABASE_URL, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.plans import (
    GoalRecord,
    PlanEvent,
    PlanRepository,
    ReflectionRecord,
    StepRecord,
)
from storage.reminders import ReminderRecord, ReminderRepository
from storage.repositories import (
    AnswerRepository,
    ClientRecord,
    ClientRepository,
    ConversationRepository,
    Identity,
    StoredAnswer,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "AnswerRepository",
    "ClientRecord",
    "ClientRepository",
    "ConversationRepository",
    "GoalRecord",
    "Identity",
    "PlanEvent",
    "PlanRepository",
    "ReflectionRecord",
    "ReminderRecord",
    "ReminderRepository",
    "StepRecord",
    "StoredAnswer",
    "make_engine",
    "make_session_factory",
    "upgrade",
]

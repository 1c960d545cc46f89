"""Persistence: SQLAlchemy models, repositories (one unit of work per update), migrations."""

from storage.casefiles import AuditRecord, AuditRepository, CaseFileRepository
from storage.db import DEFAULT_DATABASE_URL, make_engine, make_session_factory
from storage.digests import DigestRecord, DigestRepository
from storage.invitations import (
    Accepted,
    ClientNotice,
    CodeStatus,
    InvitationRepository,
    NewInvitation,
    OpenResult,
)
from storage.links import Contact, Delivery, LinkRepository
from storage.migrate import upgrade
from storage.mydata import ClientDataRepository, Erased
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
from storage.staff import AccessDenied, StaffRecord, StaffRepository
from storage.updates import ChatMessageRepository, UpdateRepository

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Accepted",
    "AccessDenied",
    "AnswerRepository",
    "AuditRecord",
    "AuditRepository",
    "CaseFileRepository",
    "ChatMessageRepository",
    "ClientDataRepository",
    "ClientNotice",
    "ClientRecord",
    "ClientRepository",
    "CodeStatus",
    "Contact",
    "ConversationRepository",
    "Delivery",
    "DigestRecord",
    "DigestRepository",
    "Erased",
    "GoalRecord",
    "Identity",
    "InvitationRepository",
    "LinkRepository",
    "NewInvitation",
    "OpenResult",
    "PlanEvent",
    "PlanRepository",
    "ReflectionRecord",
    "ReminderRecord",
    "ReminderRepository",
    "StaffRecord",
    "StaffRepository",
    "StepRecord",
    "StoredAnswer",
    "UpdateRepository",
    "make_engine",
    "make_session_factory",
    "upgrade",
]

"""The administrator's units of work: staff added, brought back or deactivated, the staff
listed, the audit trail read. The command line calls these today, the web desk next; neither
opens a transaction itself, and both are refused the same way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from storage import AuditRecord, AuditRepository, StaffRecord, StaffRepository


class Refusal(StrEnum):
    NO_ADMINISTRATOR_YET = "no administrator yet"  # the first one registers without one
    WHO_IS_ASKING = "who is asking"  # no administrator's id given
    NOT_AN_ADMINISTRATOR = "not an administrator"


class NotAllowedError(Exception):
    """The caller may not do `what`, and why; the channel says it in its own words."""

    def __init__(self, what: str, refusal: Refusal, asking: int | None) -> None:
        super().__init__(f"only an administrator can {what}: {refusal.value}")
        self.what = what
        self.refusal = refusal
        self.asking = asking


class Administration:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @contextmanager
    def _as_administrator(self, admin: int | None, what: str) -> Iterator[Session]:
        """A transaction for an active administrator; NotAllowedError for anyone else."""
        with self.sessions.begin() as session:
            _authorise(StaffRepository(session), admin, what)
            yield session

    def add_admin(
        self, admin: int | None, telegram_id: int, name: str, language: str, now: datetime
    ) -> StaffRecord:
        """Register an administrator; the first one needs no other administrator."""
        with self.sessions.begin() as session:
            staff = StaffRepository(session)
            if staff.has_admin():
                _authorise(staff, admin, "add administrators")
            return staff.add_admin(telegram_id, name, language, now)

    def add_counsellor(
        self,
        admin: int | None,
        telegram_id: int,
        name: str,
        team: str | None,
        language: str,
        now: datetime,
    ) -> StaffRecord:
        """Add a counsellor, or bring one back, with this name and team."""
        with self._as_administrator(admin, "add counsellors") as session:
            return StaffRepository(session).add_counsellor(telegram_id, name, team, language, now)

    def deactivate(self, admin: int | None, telegram_id: int, now: datetime) -> StaffRecord | None:
        """A staff member leaves: they can no longer act in any role. None: nobody has that id."""
        with self._as_administrator(admin, "deactivate counsellors") as session:
            return StaffRepository(session).deactivate(telegram_id, now)

    def staff(self) -> list[StaffRecord]:
        with self.sessions.begin() as session:
            return StaffRepository(session).list()

    def audit(
        self,
        admin: int | None,
        *,
        client: int | None = None,
        account: str | None = None,
        audit_key: bytes,
    ) -> list[AuditRecord]:
        """Who looked at a client's data, which sections, and when; by account also the looks
        at an erased client's data, kept pseudonymised."""
        with self._as_administrator(admin, "read the audit trail") as session:
            trail = AuditRepository(session)
            if account is not None:
                return trail.for_account(account, audit_key)
            return trail.for_client(client or 0)


def _authorise(staff: StaffRepository, admin: int | None, what: str) -> None:
    if admin is not None and staff.is_admin(admin):
        return
    if not staff.has_admin():
        raise NotAllowedError(what, Refusal.NO_ADMINISTRATOR_YET, admin)
    if admin is None:
        raise NotAllowedError(what, Refusal.WHO_IS_ASKING, admin)
    raise NotAllowedError(what, Refusal.NOT_AN_ADMINISTRATOR, admin)

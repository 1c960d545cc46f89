"""Counsellors and administrators: who they are, and who may still act as one.

Staff rows are never deleted (the audit trail names them); leaving deactivates a row, and
adding the same Telegram id again brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.orm import Session

from storage.models import Staff

# Who may link with clients and read what they share, in one reusable condition.
ACTIVE_COUNSELLOR: ColumnElement[bool] = and_(Staff.active, Staff.is_counsellor)


class AccessDenied(Exception):  # noqa: N818 (the name callers know; it is no bug)
    """A staff member asked for something they may not have; the message names ids only."""


@dataclass(frozen=True)
class StaffRecord:
    id: int
    telegram_id: int
    name: str
    team: str | None
    language: str
    is_counsellor: bool
    is_admin: bool
    active: bool
    created_at: datetime
    deactivated_at: datetime | None


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_counsellor(
        self, telegram_id: int, name: str, team: str | None, language: str, now: datetime
    ) -> StaffRecord:
        """A new counsellor, or an existing staff member (re-)activated as one, with this
        name and team."""
        row = self._activate(telegram_id, name, language, now)
        row.is_counsellor = True
        row.team = team
        return self._flushed(row)

    def add_admin(self, telegram_id: int, name: str, language: str, now: datetime) -> StaffRecord:
        """A new administrator, or an existing staff member (re-)activated as one."""
        row = self._activate(telegram_id, name, language, now)
        row.is_admin = True
        return self._flushed(row)

    def deactivate(self, telegram_id: int, now: datetime) -> StaffRecord | None:
        """They can no longer act in any role; None when nobody has that Telegram id."""
        row = self._row(telegram_id)
        if row is None:
            return None
        if row.active:
            row.active = False
            row.deactivated_at = now
        return self._flushed(row)

    def find(self, telegram_id: int) -> StaffRecord | None:
        row = self._row(telegram_id)
        return None if row is None else _record(row)

    def get(self, staff_id: int) -> StaffRecord | None:
        row = self.session.get(Staff, staff_id, populate_existing=True)
        return None if row is None else _record(row)

    def is_admin(self, telegram_id: int) -> bool:
        """True for an active administrator."""
        return bool(
            self.session.scalar(
                select(
                    exists().where(Staff.telegram_id == telegram_id, Staff.active, Staff.is_admin)
                )
            )
        )

    def has_admin(self) -> bool:
        """Whether any active administrator exists (if not, the first may register freely)."""
        return bool(self.session.scalar(select(exists().where(Staff.active, Staff.is_admin))))

    def set_language(self, staff_id: int, language: str) -> None:
        self.session.execute(update(Staff).where(Staff.id == staff_id).values(language=language))

    def active_counsellors(self) -> list[StaffRecord]:
        rows = self.session.scalars(
            select(Staff).where(ACTIVE_COUNSELLOR).order_by(Staff.name, Staff.id)
        )
        return [_record(row) for row in rows]

    def _activate(self, telegram_id: int, name: str, language: str, now: datetime) -> Staff:
        row = self._row(telegram_id)
        if row is None:
            row = Staff(telegram_id=telegram_id, language=language, created_at=now)
            self.session.add(row)
        if not row.active:
            # Coming back grants only the role asked for: adding a former counsellor as an
            # administrator must not reopen their clients' files. The language they chose stays.
            row.is_counsellor = row.is_admin = False
        row.name = name
        row.active = True
        row.deactivated_at = None
        return row

    def _row(self, telegram_id: int) -> Staff | None:
        return self.session.scalars(
            select(Staff)
            .where(Staff.telegram_id == telegram_id)
            .execution_options(populate_existing=True)
        ).one_or_none()

    def _flushed(self, row: Staff) -> StaffRecord:
        self.session.flush()
        return _record(row)

    # Last in the class: below this method, `list` in an annotation would name it.
    def list(self) -> list[StaffRecord]:
        """Everyone, active or not, by name."""
        rows = self.session.scalars(select(Staff).order_by(Staff.name, Staff.id))
        return [_record(row) for row in rows]


def require_counsellor(session: Session, staff_id: int) -> None:
    """Raise AccessDenied unless `staff_id` is an active counsellor."""
    if not session.scalar(select(exists().where(Staff.id == staff_id, ACTIVE_COUNSELLOR))):
        raise AccessDenied(f"staff {staff_id} is not an active counsellor")


def _record(row: Staff) -> StaffRecord:
    return StaffRecord(
        row.id,
        row.telegram_id,
        row.name,
        row.team,
        row.language,
        row.is_counsellor,
        row.is_admin,
        row.active,
        row.created_at,
        row.deactivated_at,
    )

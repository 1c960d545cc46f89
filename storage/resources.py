"""The client's resources (hulpbronnen): the people and places that matter or could help.

Numbered per client ("hulpbron 3"); the caller picks the number. Removing one only marks it
(`removed_at`): the row stays for the client's own data export, and its number stays taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Resource

KINDS = ("close", "known", "community", "professional")
CLOSENESS = ("close", "between", "far")


@dataclass(frozen=True)
class ResourceRecord:
    number: int
    name: str
    kind: str
    closeness: str
    goal: int | None
    domain: str | None
    help_with: str | None
    created_at: datetime
    updated_at: datetime
    removed_at: datetime | None

    @property
    def active(self) -> bool:
        return self.removed_at is None


class ResourceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self, client_id: int) -> list[ResourceRecord]:
        """Every resource of the client by number, the removed ones too."""
        rows = self.session.scalars(
            select(Resource).where(Resource.client_id == client_id).order_by(Resource.number)
        )
        return [_record(row) for row in rows]

    def active(self, client_id: int) -> list[ResourceRecord]:
        return [record for record in self.all(client_id) if record.active]

    def save(
        self,
        client_id: int,
        number: int,
        *,
        name: str,
        kind: str,
        closeness: str,
        goal: int | None,
        domain: str | None,
        help_with: str | None,
        now: datetime,
    ) -> None:
        """Add resource `number`, or change it; a removed one cannot be changed (its number is
        not given again, so this would be a mistake of the caller)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of resource: {kind!r}")
        if closeness not in CLOSENESS:
            raise ValueError(f"unknown closeness of a resource: {closeness!r}")
        row = self._row(client_id, number)
        if row is None:
            row = Resource(client_id=client_id, number=number, created_at=now, removed_at=None)
            self.session.add(row)
        elif row.removed_at is not None:
            raise ValueError(f"client {client_id}: resource {number} was removed")
        row.name = name
        row.kind = kind
        row.closeness = closeness
        row.goal_number = goal
        row.domain = domain
        row.help_with = help_with
        row.updated_at = now
        self.session.flush()

    def remove(self, client_id: int, number: int, now: datetime) -> bool:
        """Take a resource off the client's list; False when there is no such active one."""
        row = self._row(client_id, number)
        if row is None or row.removed_at is not None:
            return False
        row.removed_at = now
        row.updated_at = now
        return True

    def _row(self, client_id: int, number: int) -> Resource | None:
        return self.session.scalars(
            select(Resource).where(Resource.client_id == client_id, Resource.number == number)
        ).one_or_none()


def _record(row: Resource) -> ResourceRecord:
    return ResourceRecord(
        number=row.number,
        name=row.name,
        kind=row.kind,
        closeness=row.closeness,
        goal=row.goal_number,
        domain=row.domain,
        help_with=row.help_with,
        created_at=row.created_at,
        updated_at=row.updated_at,
        removed_at=row.removed_at,
    )

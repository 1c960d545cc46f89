"""How a client and a counsellor come to be linked: invitations and their codes.

A counsellor makes an invitation; the client opens its code (a deep link, or the short code
typed in) and accepts or declines. Accepting makes a link that shares nothing yet: the
counsellor is shown who opened the invitation (their name and @username on the channel) and
confirms it is their client, or refuses, which deletes the link (a stranger got the code).
Only SHA-256 hashes of the codes are stored. Guessing short codes is slowed down per identity
("telegram:123"): from the third wrong code within an hour, each one blocks that identity for
longer.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    ColumnElement,
    Select,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from dialogs.linking.casefile import InvitationView, Section
from dialogs.linking.codes import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, normalise_code
from storage.links import Contact, changed_one, link_sections, sharing
from storage.models import (
    Client,
    CodeAttempt,
    Invitation,
    Link,
    Staff,
)
from storage.staff import ACTIVE_COUNSELLOR, require_counsellor

# Wrong codes: two are free, the third blocks for a minute, each further one doubles the
# block up to an hour; an hour without wrong codes (after the last block) forgets them.
FREE_FAILURES = 2
FIRST_BLOCK = timedelta(minutes=1)
LONGEST_BLOCK = timedelta(hours=1)
ATTEMPT_WINDOW = timedelta(hours=1)


class CodeStatus(StrEnum):
    OPENED = "opened"
    WRONG = "wrong"  # no such code
    EXPIRED = "expired"  # too late, or the counsellor no longer works here
    USED = "used"  # accepted or declined already, or opened by someone else
    SLOW_DOWN = "slow_down"  # too many wrong codes: try again at `retry_at`


@dataclass(frozen=True)
class OpenResult:
    status: CodeStatus
    invitation: InvitationView | None = None  # when OPENED
    retry_at: datetime | None = None  # when SLOW_DOWN


@dataclass(frozen=True)
class NewInvitation:
    """The codes in plain text, this once: the database keeps only their hashes."""

    id: int
    code: str  # for the deep link: https://t.me/<bot>?start=<code>
    short_code: str  # to type in: "XXXX-XXXX"
    expires_at: datetime


@dataclass(frozen=True)
class Accepted:
    """An accepted invitation: the link, and whether the counsellor still has to confirm who
    opened it (a new link) or it was theirs already (the sharing changed)."""

    link_id: int
    counsellor: Contact
    to_confirm: bool


@dataclass(frozen=True)
class ClientNotice:
    """What to tell a client about their link, in their own chat."""

    client_id: int
    channel: str
    external_id: str
    language: str
    counsellor: str  # the counsellor's name, as the client knows them
    client_name: str  # what the counsellor calls the client
    sections: frozenset[Section]  # what the client chose to share over the link


class InvitationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(
        self, staff_id: int, label: str | None, now: datetime, valid_for: timedelta
    ) -> NewInvitation:
        """A new invitation of an active counsellor (else AccessDenied)."""
        require_counsellor(self.session, staff_id)
        code = secrets.token_urlsafe(16)
        short = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        row = Invitation(
            staff_id=staff_id,
            code_hash=_hash(code),
            short_hash=_hash(short),
            label=label,
            created_at=now,
            expires_at=now + valid_for,
        )
        self.session.add(row)
        self.session.flush()
        return NewInvitation(row.id, code, f"{short[:4]}-{short[4:]}", row.expires_at)

    def open(self, code: str, identity: str, now: datetime) -> OpenResult:
        """Open an invitation by its code or short code for `identity`.

        A blocked identity is refused before any lookup, so a right code does not help it.
        """
        attempt = self.session.get(
            CodeAttempt, identity, with_for_update=True, populate_existing=True
        )
        blocked_until = None if attempt is None else attempt.blocked_until
        if blocked_until is not None and blocked_until > now:
            return OpenResult(CodeStatus.SLOW_DOWN, retry_at=blocked_until)
        found = self.session.execute(
            _with_counsellor(
                or_(
                    Invitation.code_hash == _hash(code.strip()),
                    Invitation.short_hash == _hash(normalise_code(code)),
                )
            )
        ).first()
        if found is None:
            return self._wrong_code(attempt, identity, now)
        invitation, staff = found
        if invitation.expires_at <= now or not (staff.active and staff.is_counsellor):
            return OpenResult(CodeStatus.EXPIRED)
        if invitation.closed_at is not None or not self._opened_by(invitation, identity, now):
            return OpenResult(CodeStatus.USED)
        if attempt is not None:
            self.session.delete(attempt)
        return OpenResult(CodeStatus.OPENED, _view(invitation, staff))

    def pending(self, identity: str, now: datetime) -> InvitationView | None:
        """The latest invitation `identity` opened and can still accept."""
        found = self.session.execute(
            _with_counsellor(
                Invitation.opened_by == identity,
                Invitation.closed_at.is_(None),
                Invitation.expires_at > now,
                ACTIVE_COUNSELLOR,
            )
            .order_by(Invitation.opened_at.desc(), Invitation.id.desc())
            .limit(1)
        ).first()
        return None if found is None else _view(*found)

    def accept(
        self,
        invitation_id: int,
        identity: str,
        client_id: int,
        client_name: str,
        sections: frozenset[Section],
        now: datetime,
        opener_username: str | None = None,
    ) -> Accepted | None:
        """Link the client with the invitation's counsellor, to share `sections` once the
        counsellor confirms; `client_name` is what the counsellor sees until then (the name on
        the channel), `opener_username` the @username to recognise them by.

        None when the invitation is not open to `identity` (any more): closing it is one
        conditional UPDATE, so of two racing accepts exactly one links. A link that exists
        (confirmed) already gets the new sharing.
        """
        staff_id = self.session.scalar(
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.opened_by == identity,
                Invitation.closed_at.is_(None),
                Invitation.expires_at > now,
                Invitation.staff_id.in_(select(Staff.id).where(ACTIVE_COUNSELLOR)),
            )
            .values(closed_at=now, outcome="accepted")
            .returning(Invitation.staff_id)
            .execution_options(synchronize_session=False)
        )
        if staff_id is None:
            return None
        staff = self.session.get_one(Staff, staff_id)
        existing = self.session.execute(
            update(Link)
            .where(Link.staff_id == staff_id, Link.client_id == client_id, Link.ended_at.is_(None))
            .values(sharing(sections, now))
            .returning(Link.id, Link.client_name, Link.confirmed_at)
            .execution_options(synchronize_session=False)
        ).first()
        if existing is not None:
            link_id, name, confirmed_at = existing
            contact = Contact(staff.telegram_id, staff.language, name)
            return Accepted(link_id, contact, to_confirm=confirmed_at is None)
        link = Link(
            staff_id=staff_id,
            client_id=client_id,
            invitation_id=invitation_id,
            client_name=client_name,
            opener_username=opener_username,
            created_at=now,
            **sharing(sections, now),
        )
        self.session.add(link)
        self.session.flush()
        return Accepted(link.id, Contact(staff.telegram_id, staff.language, client_name), True)

    def confirm(self, staff_id: int, link_id: int, now: datetime) -> ClientNotice | None:
        """The counsellor confirms the opener is their client: from now on the link shares, and
        the client is called by the invitation's label. None if it is not theirs to confirm."""
        found = self._unconfirmed(staff_id, link_id)
        if found is None:
            return None
        link, invitation, staff, client = found
        link.confirmed_at = now
        link.opener_username = None
        if invitation is not None and invitation.label:
            link.client_name = invitation.label
        return _notice(link, staff, client)

    def refuse(self, staff_id: int, link_id: int, now: datetime) -> ClientNotice | None:
        """The counsellor does not know the opener: the link goes (it never shared anything)
        and the invitation is marked refused. None if it is not theirs to refuse."""
        found = self._unconfirmed(staff_id, link_id)
        if found is None:
            return None
        link, invitation, staff, client = found
        if invitation is not None:
            invitation.outcome = "refused"
            invitation.closed_at = invitation.closed_at or now
        notice = _notice(link, staff, client)
        self.session.execute(delete(Link).where(Link.id == link.id))
        return notice

    def _unconfirmed(
        self, staff_id: int, link_id: int
    ) -> tuple[Link, Invitation | None, Staff, Client] | None:
        require_counsellor(self.session, staff_id)
        found = self.session.execute(
            select(Link, Invitation, Staff, Client)
            .join(Staff, Link.staff_id == Staff.id)
            .join(Client, Link.client_id == Client.id)
            .outerjoin(Invitation, Link.invitation_id == Invitation.id)
            .where(
                Link.id == link_id,
                Link.staff_id == staff_id,
                Link.ended_at.is_(None),
                Link.confirmed_at.is_(None),
            )
            .with_for_update(of=Link)
            .execution_options(populate_existing=True)
        ).first()
        return None if found is None else (found[0], found[1], found[2], found[3])

    def decline(self, invitation_id: int, identity: str, now: datetime) -> Contact | None:
        """Close an invitation `identity` opened without linking; whom to tell (the inviting
        counsellor, with the name they gave, or ""), or None if it was not theirs to close."""
        closed = changed_one(
            self.session,
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.opened_by == identity,
                Invitation.closed_at.is_(None),
            )
            .values(closed_at=now, outcome="declined"),
        )
        if not closed:
            return None
        invitation, staff = self.session.execute(
            _with_counsellor(Invitation.id == invitation_id)
        ).one()
        return Contact(staff.telegram_id, staff.language, invitation.label or "")

    def _opened_by(self, invitation: Invitation, identity: str, now: datetime) -> bool:
        """Whether the invitation is (now) opened by `identity`; the first open marks it."""
        if invitation.opened_by is not None:
            return invitation.opened_by == identity
        # Conditional: of two identities opening one code at once, one gets it.
        return changed_one(
            self.session,
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.opened_by.is_(None))
            .values(opened_by=identity, opened_at=now),
        )

    def _wrong_code(self, attempt: CodeAttempt | None, identity: str, now: datetime) -> OpenResult:
        if attempt is None:
            attempt = CodeAttempt(identity=identity, failures=0)
            self.session.add(attempt)
        elif now >= attempt.window_start + ATTEMPT_WINDOW:
            attempt.failures = 0
        attempt.failures += 1
        attempt.blocked_until = _blocked_until(attempt.failures, now)
        attempt.window_start = attempt.blocked_until or now
        self.session.flush()
        if attempt.blocked_until is None:
            return OpenResult(CodeStatus.WRONG)
        return OpenResult(CodeStatus.SLOW_DOWN, retry_at=attempt.blocked_until)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _blocked_until(failures: int, now: datetime) -> datetime | None:
    if failures <= FREE_FAILURES:
        return None
    # Enough doublings to pass the longest block; more would only overflow a timedelta.
    doublings = min(failures - FREE_FAILURES - 1, (LONGEST_BLOCK // FIRST_BLOCK).bit_length())
    block: timedelta = FIRST_BLOCK * 2**doublings
    return now + min(block, LONGEST_BLOCK)


def _with_counsellor(*where: ColumnElement[bool]) -> Select[Invitation, Staff]:
    return (
        select(Invitation, Staff)
        .join(Staff, Invitation.staff_id == Staff.id)
        .where(*where)
        .execution_options(populate_existing=True)
    )


def _notice(link: Link, staff: Staff, client: Client) -> ClientNotice:
    return ClientNotice(
        client.id,
        client.channel,
        client.external_id,
        client.language,
        staff.name,
        link.client_name,
        link_sections(link),
    )


def _view(invitation: Invitation, staff: Staff) -> InvitationView:
    return InvitationView(
        invitation.id, staff.name, staff.team, invitation.expires_at, invitation.label
    )

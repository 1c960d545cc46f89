"""Ideas of a team meeting proposed to a client as steps, as the client's state and the record
of their answer (no imports: the client's state and the outputs both build on it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PendingProposal:
    """Steps a counsellor's team proposed, waiting for the client's yes or no."""

    id: int
    counsellor: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class DecideProposal:
    """The client answered a proposal; with a yes its steps are saved (SaveStep) alongside."""

    proposal_id: int
    accepted: bool

"""One unit of work per event: load the client, step the engine, store, commit; then the
caller sends. Shared by Telegram and the terminal chat, so both behave the same."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from dialogs import Answer, AnswerStatus, Dialog, Engine, Event, Output, SaveAnswer, State
from dialogs import new_state as stranger_state
from storage import (
    AnswerRepository,
    ClientRepository,
    ConversationRepository,
    Identity,
    StoredAnswer,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    """What one event led to: the outputs to perform, and the client's language for them."""

    outputs: list[Output]
    language: str
    client_id: int | None


class Conversations:
    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        *,
        default_language: str,
        default_timezone: str,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.default_language = default_language
        self.default_timezone = default_timezone

    def language_for(self, hint: str | None) -> str:
        """The language to greet a stranger in: theirs if we speak it, else the default."""
        code = (hint or "").split("-")[0].lower()
        return code if code in self.engine.content.languages else self.default_language

    def handle(
        self, identity: Identity, event: Event, now: datetime, *, language_hint: str | None = None
    ) -> Turn:
        """Step the engine for one event and commit everything it produced before returning."""
        with self.sessions.begin() as session:
            clients = ClientRepository(session)
            answers = AnswerRepository(session)
            conversations = ConversationRepository(session)
            record = clients.find(identity)
            if record is None:
                state = stranger_state(self.language_for(language_hint))
            else:
                dialog = self._dialog(record.id, conversations.load(record.id), record.language)
                state = State(dialog, _answers(answers.current(record.id)))

            new, outputs = self.engine.step(state, event, now)
            if record is None and not new.dialog.consented:
                # Without consent nothing about the person is stored.
                return Turn(outputs, new.dialog.language, None)
            if record is None:
                record = clients.create(
                    identity, language=new.dialog.language, timezone=self.default_timezone, now=now
                )
                log.info("client %s consented", record.id)
            for output in outputs:
                if isinstance(output, SaveAnswer):
                    answers.save(
                        record.id,
                        output.key,
                        status=output.status.value,
                        text=output.text,
                        choices=output.choices,
                        now=now,
                    )
            conversations.save(record.id, new.dialog.model_dump(mode="json"), now)
            clients.touch(record.id, language=new.dialog.language, now=now)
            return Turn(outputs, new.dialog.language, record.id)

    def _dialog(self, client_id: int, raw: Mapping[str, object] | None, language: str) -> Dialog:
        if raw is not None:
            try:
                return Dialog.model_validate(raw)
            except ValidationError:
                # A state written by an older version: keep the answers, restart the dialog.
                log.warning("client %s: stored dialog state unreadable, starting fresh", client_id)
        return Dialog(language=language, consented=True)


def _answers(stored: Mapping[str, StoredAnswer]) -> dict[str, Answer]:
    return {
        key: Answer(AnswerStatus(row.status), row.text, row.choices) for key, row in stored.items()
    }

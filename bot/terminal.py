"""The conversation in a terminal: same engine, same database, buttons shown as numbers.

Reads standard input line by line, so a conversation can be piped in; ends at end of input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.commands import command_aliases, read_command
from bot.network_map import render
from bot.pdf import to_pdf
from dialogs import Command, CommandName, Event, Press, Text
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, ForgetMe, Keyboard, ShowNetworkMap
from dialogs.engine.state import Closeness
from dialogs.rights.mydata import data_document
from reminders import Now
from storage import Identity
from storage.files import write_private
from turns.conversation import Conversations
from turns.deliveries import Deliveries, Sent
from turns.outbox import Acknowledge, Edit, Message, MyData, Payload, Pressed

HEADER = (
    "Krachtwerk bot, terminal chat. Type an answer, a number to press that button, or a\n"
    "command such as /menu. End with Ctrl-D.\n"
)


class TerminalChat:
    def __init__(
        self,
        conversations: Conversations,
        user: str,
        clock: Now,
        output: TextIO,
        *,
        echo: bool = False,
        files: str = "data",
    ) -> None:
        self.conversations = conversations
        self.identity = Identity("terminal", user)
        self.clock = clock
        self.output = output
        self.echo = echo  # repeat piped input so a transcript reads like a conversation
        self.files = files  # where /mijngegevens writes its files
        self.aliases = command_aliases(conversations.engine.content)
        self.deliveries = Deliveries(conversations.sessions)
        self.buttons: tuple[Button, ...] = ()  # the buttons of the latest answer, by number
        self.fresh = False  # whether this answer's first keyboard is still to come
        self.stored = False  # whether anything of this person is kept (consent, not erased)

    def run(self, lines: Iterable[str]) -> None:
        self.output.write(HEADER)
        try:
            self.step(Command(CommandName.START))
            for line in lines:
                # No NUL reaches the database (PostgreSQL refuses it); the rest is kept.
                text = line.rstrip("\n").replace("\x00", "")
                if self.echo:
                    self.output.write(f"> {text}\n")
                self.step(self.event_for(text))
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the chat like Ctrl-D: every answer was committed already
        if self.stored:
            self.output.write("\n(end of input: your answers are saved; run again to continue)\n")
        else:  # no consent, or erased at their request
            self.output.write("\n(end of input: nothing of yours is stored)\n")

    def event_for(self, text: str) -> Event:
        number = whole_number(text.strip(), largest=len(self.buttons))
        if number:
            return Press(self.buttons[number - 1].data)
        return read_command(text, self.aliases) or Text(text)

    def step(self, event: Event) -> None:
        pressed = Pressed(None, None) if isinstance(event, Press) else None
        turn = self.conversations.handle(self.identity, event, self.clock(), press=pressed)
        self.stored = turn.client_id is not None
        # Every button of this answer keeps a number, not only the last message's: the one
        # under a crisis answer ("let my counsellor know", "save it") comes before the question.
        self.fresh = any(
            isinstance(letter.payload, Message | Edit) and letter.payload.buttons
            for letter in turn.letters
        )
        for letter in turn.letters:
            self.deliver(letter.payload)
        if any(isinstance(output, ForgetMe) for output in turn.outputs):
            self.remove_files()
        self.output.flush()
        # Shown: the outbox rows are done (a terminal cannot delete what it printed).
        self.deliveries.record([Sent(letter, ()) for letter in turn.letters], self.clock())

    def deliver(self, payload: Payload) -> None:
        match payload:
            case Message(text=text, buttons=buttons) | Edit(text=text, buttons=buttons):
                self.show(text, buttons)
            case Acknowledge(text=text) if text is not None:
                self.output.write(f"  ({text})\n")
            case ShowNetworkMap():
                self.show_map(payload)
            case MyData(data=data, language=language):
                self.save_my_data(data, language)
            case _:
                pass  # a deletion (the terminal keeps what it printed), an alert (no counsellors)

    def remove_files(self) -> None:
        """Erased: the files written for this person go too (their data, their map), under
        the names of every language: they may have changed language since."""
        content = self.conversations.engine.content
        for language in content.languages:
            ui = content.ui(language)
            for name in (f"{ui.my_data_file}.json", f"{ui.my_data_file}.pdf"):
                self.own_file(name).unlink(missing_ok=True)
            self.own_file(f"{ui.network_map_file}.png").unlink(missing_ok=True)

    def own_file(self, name: str, folder: Path | None = None) -> Path:
        """A file of this person in `folder`: its name as the client sees it, and whose."""
        stem, _, extension = name.rpartition(".")
        return (folder or Path(self.files)) / f"{stem}-{self.identity.external_id}.{extension}"

    def folder(self) -> Path:
        """Where a person's files go; like them, for its owner only."""
        folder = Path(self.files)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def save_my_data(self, data: dict[str, Any], language: str) -> None:
        """/mijngegevens in the terminal: the two files next to the database, named."""
        content = self.conversations.engine.content
        stem = self.own_file(f"{content.ui(language).my_data_file}.json", self.folder())
        stem = stem.with_suffix("")
        document = data_document(content, language, data)
        as_json = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        write_private(stem.with_suffix(".json"), as_json.encode())
        write_private(stem.with_suffix(".pdf"), to_pdf(document))
        self.output.write(f"  ({stem}.json, {stem}.pdf)\n")

    def show_map(self, output: ShowNetworkMap) -> None:
        """The network map in words, ring by ring, and as the picture next to the database."""
        network = output.map
        labels = network.labels
        lines = [labels.title]
        for ring in Closeness:
            names = [
                f"{r.name} ({labels.kinds[r.kind]})"
                for r in network.resources
                if r.closeness is ring
            ]
            if names:
                lines.append(f"{labels.rings[ring]}: " + ", ".join(names))
        if not network.resources:
            lines.append(labels.empty)
        self.output.write("\n" + "\n".join(lines) + f"\n{output.caption}\n")
        picture = self.own_file(f"{output.file_name}.png", self.folder())
        write_private(picture, render(network))
        self.output.write(f"  ({picture})\n")

    def show(self, text: str, keyboard: Keyboard) -> None:
        self.output.write(f"\n{text}\n")
        if not keyboard:
            return
        if self.fresh:  # the first keyboard of this answer: the older numbers are gone
            self.buttons, self.fresh = (), False
        number = len(self.buttons)
        self.buttons += tuple(button for row in keyboard for button in row)
        for row in keyboard:
            cells = []
            for button in row:
                number += 1
                cells.append(f"[{number}] {button.label}")
            self.output.write("  " + "   ".join(cells) + "\n")


def typed_lines() -> Iterator[str]:
    """Lines typed at a terminal, with a prompt and line editing; ends at Ctrl-D."""
    import readline  # noqa: F401  # imported for its effect: arrow keys and history in input()

    while True:
        try:
            yield input("> ")
        except EOFError:
            return

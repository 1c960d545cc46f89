"""The conversation in a terminal: same engine, same database, buttons shown as numbers.

Reads standard input line by line, so a conversation can be piped in; ends at end of input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TextIO

from bot.commands import command_aliases, read_command
from bot.conversation import Conversations
from dialogs import Command, CommandName, Event, Notice, Press, Replace, Say, Text
from dialogs.outputs import Button, Keyboard
from storage import Identity

HEADER = (
    "Krachtwerk bot, terminal chat. Type an answer, a number to press that button, or a\n"
    "command such as /menu. End with Ctrl-D.\n"
)


class TerminalChat:
    def __init__(
        self,
        conversations: Conversations,
        user: str,
        clock: Callable[[], datetime],
        output: TextIO,
        *,
        echo: bool = False,
    ) -> None:
        self.conversations = conversations
        self.identity = Identity("terminal", user)
        self.clock = clock
        self.output = output
        self.echo = echo  # repeat piped input so a transcript reads like a conversation
        self.aliases = command_aliases(conversations.engine.content)
        self.buttons: tuple[Button, ...] = ()

    def run(self, lines: Iterable[str]) -> None:
        self.output.write(HEADER)
        try:
            self.step(Command(CommandName.START))
            for line in lines:
                text = line.rstrip("\n")
                if self.echo:
                    self.output.write(f"> {text}\n")
                self.step(self.event_for(text))
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the chat like Ctrl-D: every answer was committed already
        self.output.write("\n(end of input: your answers are saved; run again to continue)\n")

    def event_for(self, text: str) -> Event:
        number = text.strip()
        if number.isdigit() and 1 <= int(number) <= len(self.buttons):
            return Press(self.buttons[int(number) - 1].data)
        return read_command(text, self.aliases) or Text(text)

    def step(self, event: Event) -> None:
        turn = self.conversations.handle(self.identity, event, self.clock())
        for output in turn.outputs:
            if isinstance(output, Say | Replace):
                self.show(output.text, output.buttons)
            elif isinstance(output, Notice):
                self.output.write(f"  ({output.text})\n")
        self.output.flush()

    def show(self, text: str, keyboard: Keyboard) -> None:
        self.output.write(f"\n{text}\n")
        if not keyboard:
            return
        self.buttons = tuple(button for row in keyboard for button in row)
        number = 0
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

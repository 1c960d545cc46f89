"""Commands as people type them (/taal, /language, /menu@krachtwerk_bot) to engine commands."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialogs import Command, CommandName, Content, UnknownCommand

# Telegram's own rule for what counts as a command: a slash, then 1-32 letters, digits or _.
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*)|$)", re.DOTALL)


def command_aliases(content: Content) -> dict[str, CommandName]:
    """Every spelling in every language is accepted, whatever language the client chose."""
    aliases = {name.value: name for name in CommandName}
    for per_language in content.commands.values():
        for name, text in per_language.items():
            aliases[text.name] = name
    return aliases


def split_command(text: str) -> tuple[str, str] | None:
    """A command's name in lower case (without @bot) and what follows it; None for no command."""
    match = _COMMAND.match(text)
    return None if match is None else (match.group(1).lower(), (match.group(2) or "").strip())


def read_command(text: str, aliases: Mapping[str, CommandName]) -> Command | UnknownCommand | None:
    """The command in `text` with what follows it (`/start <code>`), UnknownCommand (with the
    whole text) for one we lack, None when it is no command."""
    split = split_command(text)
    if split is None:
        return None
    name = aliases.get(split[0])
    return UnknownCommand(text) if name is None else Command(name, split[1])

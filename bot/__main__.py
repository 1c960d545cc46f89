"""Command line: `python -m bot [run|chat|migrate]`; without a subcommand, the right one."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.logs import configure_logging
from bot.runtime import build_runtime, configured_content, utc_now
from bot.settings import Settings, SettingsError, load_settings
from dialogs import ContentError

log = logging.getLogger("bot")


def run(settings: Settings) -> int:
    """Run the bot on Telegram with long polling until stopped (Ctrl-C or SIGTERM)."""
    from telegram import Update

    from bot.telegram import build_application

    if settings.telegram_bot_token is None:
        raise SettingsError(
            "Configuration error: TELEGRAM_BOT_TOKEN is not set (put it in .env, or use "
            "`python -m bot chat` to talk to the bot in the terminal)"
        )
    configure_logging(settings.log_level)
    runtime = build_runtime(settings)
    application = build_application(settings, runtime.conversations, runtime.content, utc_now)
    log.info("bot starting (database %s)", runtime.database.url.render_as_string())
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def chat(settings: Settings, user: str) -> int:
    """Talk to the bot in the terminal, on the same database."""
    from bot.terminal import TerminalChat, typed_lines

    configure_logging("WARNING")
    runtime = build_runtime(settings)
    interactive = sys.stdin.isatty()
    chat = TerminalChat(runtime.conversations, user, utc_now, sys.stdout, echo=not interactive)
    chat.run(typed_lines() if interactive else sys.stdin)
    return 0


def migrate(settings: Settings) -> int:
    """Bring the database schema up to date."""
    configure_logging(settings.log_level)
    runtime = build_runtime(settings)
    log.info("database %s is up to date", runtime.database.url.render_as_string())
    return 0


def flows(settings: Settings, language: str) -> int:
    """Print every flow as a Mermaid diagram."""
    from dialogs.diagram import mermaid

    content = configured_content(settings)
    if language not in content.languages:
        print(
            f"--language: no texts for {language!r} ({', '.join(content.languages)})",
            file=sys.stderr,
        )
        return 2
    print(mermaid(content, language), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m bot",
        description="The Krachtwerk bot. Without a subcommand: `run` when TELEGRAM_BOT_TOKEN "
        "is set, otherwise `chat`. Settings come from the environment and .env.",
    )
    commands = main.add_subparsers(dest="command", metavar="{run,chat,migrate,flows}")
    commands.add_parser(
        "run",
        help="run the bot on Telegram (long polling)",
        description="Run the bot on Telegram with long polling. Needs TELEGRAM_BOT_TOKEN; "
        "migrates the database first. Stops cleanly on Ctrl-C or SIGTERM.",
    )
    chat_command = commands.add_parser(
        "chat",
        help="talk to the bot in the terminal",
        description="The same conversation in the terminal, on the same database. Buttons "
        "are numbered: type the number to press one. Reads standard input line by line, so "
        "a conversation can be piped in; stops at end of input.",
    )
    chat_command.add_argument(
        "--user", default=getpass.getuser(), help="who you are in the chat (default: %(default)s)"
    )
    commands.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description="Apply all alembic migrations to DATABASE_URL (run and chat do this too).",
    )
    flows_command = commands.add_parser(
        "flows",
        help="draw the conversation flows",
        description="Print every flow (of CONTENT_DIR, or the shipped content) as a Mermaid "
        "flowchart, for review by people who do not read Python. Paste it into any Mermaid "
        "viewer, or a Markdown file on GitHub or GitLab.",
    )
    flows_command.add_argument("--format", choices=["mermaid"], default="mermaid")
    flows_command.add_argument("--language", default="nl", help="(default: %(default)s)")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            return run(settings)
        if args.command == "migrate":
            return migrate(settings)
        if args.command == "chat":
            return chat(settings, args.user)
        if args.command == "flows":
            return flows(settings, args.language)
        if settings.telegram_bot_token is not None:
            return run(settings)
        print(
            "No TELEGRAM_BOT_TOKEN set, so here is the bot in your terminal. "
            "(Set the token in .env to run it on Telegram.)",
            file=sys.stderr,
        )
        return chat(settings, getpass.getuser())
    except (SettingsError, ContentError) as error:
        print(error, file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"Database error: {error.__class__.__name__}: {error.args[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

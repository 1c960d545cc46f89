"""Command line: `python -m bot [run|chat|migrate|flows|admin|counsellor|audit]`; without a
subcommand, the right one of run and chat."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.logs import Redactor, configure_logging
from bot.runtime import audit_key, build_runtime, configured_content, utc_now
from bot.settings import Settings, SettingsError, load_settings
from dialogs import ContentError
from storage import StaffRecord, make_session_factory
from turns.administration import Administration, NotAllowedError, Refusal

log = logging.getLogger("bot")

# Who runs the staff commands, so an administrator's shell needs no --admin on every line.
ADMIN_ENV = "KRACHTWERK_ADMIN_ID"
FIRST_ADMIN = 'python -m bot admin add --telegram-id N --name "..."'
STAFF_COLUMNS = ("telegram id", "name", "team", "roles", "status")


def run(settings: Settings) -> int:
    """Run the bot on Telegram with long polling until stopped (Ctrl-C or SIGTERM)."""
    from bot.polling import serve
    from bot.telegram import build_application

    if settings.telegram_bot_token is None:
        raise SettingsError(
            "Configuration error: TELEGRAM_BOT_TOKEN is not set (put it in .env, or use "
            "`python -m bot chat` to talk to the bot in the terminal)"
        )
    from telegram.error import InvalidToken

    configure_logging(settings.log_level, settings.secrets)
    runtime = build_runtime(settings)
    application = build_application(settings, runtime.conversations, runtime.content, utc_now)
    log.info("bot starting (database %s)", runtime.database.url.render_as_string())
    try:
        asyncio.run(serve(application))
    except InvalidToken:  # PTB's message quotes the token
        raise SettingsError(
            "Configuration error: TELEGRAM_BOT_TOKEN: refused by the server (is the token "
            "right, and is TELEGRAM_API_BASE_URL the Bot API?)"
        ) from None
    except Exception:
        # Logged rather than left to Python, whose traceback would bypass the redaction.
        log.critical("the bot stopped after an unexpected error", exc_info=True)
        return 1
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
    """Print every flow and every screen as one Mermaid diagram."""
    from dialogs.screen_map import diagram

    content = configured_content(settings)
    if language not in content.languages:
        print(
            f"--language: no texts for {language!r} ({', '.join(content.languages)})",
            file=sys.stderr,
        )
        return 2
    print(diagram(content, language), end="")
    return 0


@contextmanager
def administration(settings: Settings) -> Iterator[Administration]:
    """The administrator's units of work on the migrated database, for the staff commands."""
    runtime = build_runtime(settings)
    try:
        yield Administration(make_session_factory(runtime.database))
    finally:
        runtime.database.dispose()


def refused(error: NotAllowedError) -> str:
    """Why a staff command was refused, in the command line's words."""
    match error.refusal:
        case Refusal.NO_ADMINISTRATOR_YET:
            reason = f"there is none yet; register the first one with `{FIRST_ADMIN}`"
        case Refusal.WHO_IS_ASKING:
            reason = f"pass --admin with your Telegram id (or set {ADMIN_ENV})"
        case Refusal.NOT_AN_ADMINISTRATOR:
            reason = f"{error.asking} is not an active administrator"
    return f"only an administrator can {error.what}: {reason}"


def add_admin(settings: Settings, args: argparse.Namespace) -> int:
    """Register an administrator; the first one needs no other administrator."""
    with administration(settings) as admin:
        added = admin.add_admin(
            args.admin, args.telegram_id, args.name, settings.default_language, utc_now()
        )
    print(f"administrator added: {added.telegram_id} {added.name}")
    return 0


def add_counsellor(settings: Settings, args: argparse.Namespace) -> int:
    """Add a counsellor, or bring one back, with this name and team."""
    with administration(settings) as admin:
        added = admin.add_counsellor(
            args.admin,
            args.telegram_id,
            args.name,
            args.team,
            settings.default_language,
            utc_now(),
        )
    print(f"counsellor added: {added.telegram_id} {added.name}")
    return 0


def deactivate_counsellor(settings: Settings, args: argparse.Namespace) -> int:
    """A staff member leaves: they can no longer act in any role."""
    with administration(settings) as admin:
        gone = admin.deactivate(args.admin, args.telegram_id, utc_now())
    if gone is None:
        print(f"nobody has Telegram id {args.telegram_id}", file=sys.stderr)
        return 1
    print(f"deactivated: {gone.telegram_id} {gone.name}")
    return 0


def list_staff(settings: Settings) -> int:
    """Print everyone on the staff, with their roles."""
    with administration(settings) as admin:
        everyone = admin.staff()
    print(table(STAFF_COLUMNS, [staff_row(s) for s in everyone]) if everyone else "no staff yet")
    return 0


def audit(settings: Settings, args: argparse.Namespace) -> int:
    """Print who looked at a client's data, which sections, and when; by account also the
    looks at an erased client's data, kept pseudonymised."""
    with administration(settings) as admin:
        looks = admin.audit(
            args.admin, client=args.client, account=args.account, audit_key=audit_key(settings)
        )
    if not looks:
        whose = f"account {args.account}" if args.account is not None else f"client {args.client}"
        print(f"nobody has looked at the data of {whose}")
        return 0
    rows = [
        (
            minutes(look.at),
            look.staff_name,
            str(look.staff_telegram_id),
            f"{look.kind.value} (client erased)" if look.erased else look.kind.value,
            ", ".join(look.sections) or "-",
        )
        for look in looks
    ]
    print(table(("at (UTC)", "who", "telegram id", "what", "sections"), rows))
    return 0


def staff_row(staff: StaffRecord) -> tuple[str, ...]:
    roles = [
        role
        for role, has in (("counsellor", staff.is_counsellor), ("admin", staff.is_admin))
        if has
    ]
    if staff.active:
        status = f"active (added {staff.created_at:%Y-%m-%d})"
    else:
        status = f"inactive since {staff.deactivated_at:%Y-%m-%d}"
    return (str(staff.telegram_id), staff.name, staff.team or "-", ", ".join(roles) or "-", status)


def minutes(at: datetime) -> str:
    """A moment in UTC, ISO 8601 to the minute."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="minutes")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns aligned with two spaces between them."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m bot",
        description="The Krachtwerk bot. Without a subcommand: `run` when TELEGRAM_BOT_TOKEN "
        "is set, otherwise `chat`. Settings come from the environment and .env.",
    )
    commands = main.add_subparsers(
        dest="command", metavar="{run,chat,migrate,flows,admin,counsellor,audit}"
    )
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
    staff_commands(commands)
    return main


def staff_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """admin, counsellor and audit: run by an administrator in a shell on the server."""
    admin_command = commands.add_parser(
        "admin",
        help="register administrators",
        description="Administrators add and deactivate counsellors and read the audit trail. "
        "The first one is registered without --admin; after that, an administrator adds the "
        "next.",
    )
    admin_actions = admin_command.add_subparsers(dest="action", required=True)
    admin_add = admin_actions.add_parser("add", help="register an administrator")
    identify(admin_add)
    as_admin(admin_add)

    counsellor_command = commands.add_parser(
        "counsellor",
        help="add, list or deactivate counsellors",
        description="Counsellors (begeleiders) are known by their Telegram id. Adding one who "
        "was deactivated brings them back. New staff get DEFAULT_LANGUAGE.",
    )
    actions = counsellor_command.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a counsellor (or change their name and team)")
    identify(add)
    add.add_argument("--team", help="their team, shown to clients with their name")
    as_admin(add)
    actions.add_parser("list", help="everyone on the staff, with their roles")
    deactivate = actions.add_parser(
        "deactivate",
        help="a counsellor leaves: no more access, invitations or messages",
        description="The staff member keeps their place in the audit trail but can no longer "
        "read any client's data. Their links stay, hidden, until they are added again.",
    )
    deactivate.add_argument("--telegram-id", type=int, required=True)
    as_admin(deactivate)

    audit_command = commands.add_parser(
        "audit",
        help="who looked at a client's data",
        description="Every view, export and digest of a client's data: who, which sections, "
        "when (UTC), oldest first.",
    )
    whose = audit_command.add_mutually_exclusive_group(required=True)
    whose.add_argument("--client", type=int, help="the client's number")
    whose.add_argument(
        "--account",
        help="the client's account, as channel:id (telegram:1001); finds an erased client too",
    )
    as_admin(audit_command)


def identify(command: argparse.ArgumentParser) -> None:
    command.add_argument("--telegram-id", type=int, required=True, help="their Telegram user id")
    command.add_argument("--name", required=True, help="their name, as clients will see it")


def as_admin(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--admin",
        type=int,
        default=os.environ.get(ADMIN_ENV),
        metavar="TELEGRAM_ID",
        help=f"your own Telegram id, as an active administrator (default: ${ADMIN_ENV})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    redact = Redactor()
    try:
        settings = load_settings()
        redact = Redactor(settings.secrets)
        if args.command == "run":
            return run(settings)
        if args.command == "migrate":
            return migrate(settings)
        if args.command == "chat":
            return chat(settings, args.user)
        if args.command == "flows":
            return flows(settings, args.language)
        if args.command == "admin":
            return add_admin(settings, args)
        if args.command == "counsellor" and args.action == "add":
            return add_counsellor(settings, args)
        if args.command == "counsellor" and args.action == "deactivate":
            return deactivate_counsellor(settings, args)
        if args.command == "counsellor":
            return list_staff(settings)
        if args.command == "audit":
            return audit(settings, args)
        if settings.telegram_bot_token is not None:
            return run(settings)
        print(
            "No TELEGRAM_BOT_TOKEN set, so here is the bot in your terminal. "
            "(Set the token in .env to run it on Telegram.)",
            file=sys.stderr,
        )
        return chat(settings, getpass.getuser())
    except NotAllowedError as error:
        print(refused(error), file=sys.stderr)
        return 2
    except (SettingsError, ContentError) as error:
        print(redact(str(error)), file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(redact(f"Database error: {type(error).__name__}: {error.args[0]}"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

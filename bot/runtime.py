"""Wiring: settings -> content, database (migrated), engine and conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy.engine import make_url

from bot.settings import Settings, SettingsError
from dialogs import Content, Engine, load_content
from dialogs.content.files import DEFAULT_CONTENT_DIR
from storage import make_engine, make_session_factory, upgrade
from storage.pseudonyms import key_beside
from turns.conversation import Conversations


def utc_now() -> datetime:
    """The one place the bot reads the clock; everything else gets the time passed in."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    content: Content
    database: DatabaseEngine
    conversations: Conversations


def configured_content(settings: Settings) -> Content:
    """The content of CONTENT_DIR (or the shipped content), checked against the settings."""
    content = load_content(settings.content_dir or DEFAULT_CONTENT_DIR)
    if settings.default_language not in content.languages:
        raise SettingsError(
            f"Configuration error: DEFAULT_LANGUAGE: no texts for {settings.default_language!r}"
            f" (available: {', '.join(content.languages)})"
        )
    return content


def audit_key(settings: Settings) -> bytes:
    """The key of the audit trail's pseudonyms: AUDIT_PSEUDONYM_KEY, or for a SQLite file the
    key kept beside it (made the first time). Elsewhere the setting is needed: a key that
    changes would lose the way from an account to an erased client's trail."""
    if settings.audit_pseudonym_key is not None:
        return settings.audit_pseudonym_key.get_secret_value().strip().encode()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return key_beside(Path(url.database))
    raise SettingsError(
        "Configuration error: AUDIT_PSEUDONYM_KEY: needed for a database other than a SQLite "
        "file (at least 32 characters, e.g. from `openssl rand -hex 32`; keep it, and keep it "
        "secret)"
    )


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Load and check the content, migrate the database, and connect the engine to it."""
    content = configured_content(settings)
    pseudonym_key = audit_key(settings)
    database = make_engine(settings.database_url)
    if migrate:
        upgrade(database)
    engine = Engine(content, resume_after=timedelta(hours=settings.resume_after_hours))
    conversations = Conversations(
        engine,
        make_session_factory(database),
        default_language=settings.default_language,
        default_timezone=settings.default_timezone,
        default_quiet=settings.default_quiet,
        audit_key=pseudonym_key,
    )
    return Runtime(settings, content, database, conversations)

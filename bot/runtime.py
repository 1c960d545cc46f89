"""Wiring: settings -> content, database (migrated), engine and conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine as DatabaseEngine

from bot.conversation import Conversations
from bot.settings import Settings, SettingsError
from dialogs import Content, Engine, load_content
from dialogs.content import DEFAULT_CONTENT_DIR
from storage import make_engine, make_session_factory, upgrade


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


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Load and check the content, migrate the database, and connect the engine to it."""
    content = configured_content(settings)
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
    )
    return Runtime(settings, content, database, conversations)

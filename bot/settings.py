"""Configuration, read once at start-up from the environment and `.env`."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Amsterdam)"
        ) from None
    return name


def _check_database_url(url: str) -> str:
    try:
        make_url(url)
    except ArgumentError:
        raise ValueError("not a database URL (e.g. sqlite:///data/krachtwerk.db)") from None
    return url


def _check_quiet_hours(value: str) -> str:
    start, _, end = value.partition("-")
    try:
        time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError("use HH:MM-HH:MM, e.g. 22:00-08:00 (the same twice: none)") from None
    return f"{start.strip()}-{end.strip()}"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _check_weekly(value: str) -> str:
    day, _, at = value.strip().lower().partition(" ")
    names = {**dict.fromkeys(WEEKDAYS), **dict(zip(WEEKDAYS_NL, WEEKDAYS, strict=True))}
    try:
        time.fromisoformat(at.strip())
    except ValueError:
        raise ValueError("use a weekday and HH:MM, e.g. monday 09:00") from None
    if day not in names:
        raise ValueError(f"unknown weekday {day!r} (use monday ... sunday)")
    return f"{names[day] or day} {at.strip()}"


class Settings(BaseSettings):
    """Every setting of the bot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: HttpUrl = HttpUrl("https://api.telegram.org")
    database_url: Annotated[str, AfterValidator(_check_database_url)] = (
        "sqlite:///data/krachtwerk.db"
    )
    default_language: str = "nl"
    default_timezone: Annotated[str, AfterValidator(_check_timezone)] = "Europe/Amsterdam"
    content_dir: Path | None = None
    resume_after_hours: float = Field(default=12.0, gt=0)
    reminder_grace_hours: float = Field(default=12.0, ge=0)
    # A reminder or digest claimed longer ago than this by a process that is gone is sent
    # again at start-up. 0 for a single bot process: whatever it had claimed died with it.
    reminder_lease_seconds: float = Field(default=600.0, ge=0)
    quiet_hours: Annotated[str, AfterValidator(_check_quiet_hours)] = "22:00-08:00"
    # The counsellors' weekly digest, in DEFAULT_TIMEZONE.
    digest_at: Annotated[str, AfterValidator(_check_weekly)] = "monday 09:00"
    invitation_valid_days: float = Field(default=7.0, gt=0, le=90)
    # The key of the audit trail's pseudonyms (storage.pseudonyms). None: for a SQLite file, a
    # key made once beside it; any other database needs it set (bot.runtime.audit_key).
    audit_pseudonym_key: SecretStr | None = None
    log_level: str = "INFO"

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # `TELEGRAM_BOT_TOKEN=` in .env means "no token": run the terminal chat.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("audit_pseudonym_key", mode="before")
    @classmethod
    def _long_enough_key(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and len(value.strip()) < 32:
            raise ValueError("use at least 32 characters, e.g. from `openssl rand -hex 32`")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def default_quiet(self) -> tuple[str, str]:
        start, _, end = self.quiet_hours.partition("-")
        return start, end

    @property
    def digest_weekday(self) -> int:
        return WEEKDAYS.index(self.digest_at.partition(" ")[0])

    @property
    def digest_time(self) -> time:
        return time.fromisoformat(self.digest_at.partition(" ")[2])

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in output or logs: the bot token, the database password,
        the audit trail's key."""
        keys = (self.telegram_bot_token, self.audit_pseudonym_key)
        values = [key.get_secret_value() for key in keys if key is not None]
        return tuple(s for s in (*values, make_url(self.database_url).password) if s)

    @property
    def bot_api_url(self) -> str:
        """Base URL in python-telegram-bot's format, the token inserted by the library."""
        return str(self.telegram_api_base_url).rstrip("/") + "/bot{token}"

    @property
    def bot_file_url(self) -> str:
        return str(self.telegram_api_base_url).rstrip("/") + "/file/bot{token}"


class SettingsError(Exception):
    """A setting is wrong; the message is one line that names it."""


def load_settings() -> Settings:
    """Read the settings, turning pydantic's report into one line per wrong setting."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']).upper()}: "
            f"{issue['msg'].removeprefix('Value error, ')}"
            for issue in error.errors()
        )
        raise SettingsError(f"Configuration error: {problems}") from None

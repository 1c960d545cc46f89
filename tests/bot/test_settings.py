"""Settings from the environment and .env; a wrong one is named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.bot_api_url == "https://api.telegram.org/bot{token}"
    assert settings.database_url == "sqlite:///data/krachtwerk.db"
    assert (settings.default_language, settings.default_timezone) == ("nl", "Europe/Amsterdam")


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "TELEGRAM_BOT_TOKEN=123:abc\nDEFAULT_LANGUAGE=en\nTELEGRAM_API_BASE_URL=http://127.0.0.1:8081/\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DEFAULT_LANGUAGE", "nl")  # the environment wins over .env
    settings = load_settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)  # the token never shows up in logs or tracebacks
    assert settings.default_language == "nl"
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot{token}"


def test_an_empty_token_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert load_settings().telegram_bot_token is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEFAULT_TIMEZONE", "Europe/Amsterdm", "DEFAULT_TIMEZONE: unknown time zone"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: not a database URL"),
        ("TELEGRAM_API_BASE_URL", "telegram", "TELEGRAM_API_BASE_URL: Input should be a valid URL"),
        ("RESUME_AFTER_HOURS", "-1", "RESUME_AFTER_HOURS: Input should be greater than 0"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: use DEBUG, INFO"),
    ],
)
def test_a_wrong_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"Configuration error: {message}")
    assert "\n" not in str(raised.value)

"""Logging set-up. Logs carry ids and causes, never what a client wrote, never a secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# httpx and httpcore log request URLs, which hold the bot token; PTB at debug level logs whole
# updates, which hold what clients wrote; fontTools logs the glyphs of every PDF it subsets
# (the letters a client wrote), and fpdf, PIL and matplotlib what they draw. However verbose
# our own logs, these stay quiet.
QUIET_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "fontTools": logging.WARNING,
    "fpdf": logging.WARNING,
    "PIL": logging.WARNING,
    "matplotlib": logging.WARNING,
}
REDACTED = "[redacted]"
# A Bot API URL carries a token after /bot (also /file/bot): taken out whatever the token.
_TOKEN_IN_URL = re.compile(r"(/bot)\d+:[^/\s'\"`]+")


class Redactor(logging.Filter):
    """Takes secrets out of text: a log record's message, arguments, traceback and stack, or
    an error the application prints itself."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first: a secret that contains another is taken out whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_IN_URL.sub(rf"\1{REDACTED}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit: the handler reports the record as is
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self(message), None
        if record.exc_info:
            # Formatted here, so no handler formats the exception's text again unredacted.
            record.exc_text = record.exc_text or logging.Formatter().formatException(
                record.exc_info
            )
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self(record.exc_text)
        if record.stack_info:
            record.stack_info = self(record.stack_info)
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Log at `level` to standard error, the noisy libraries kept quiet and `secrets` (and any
    bot token in a URL) taken out of every record that reaches a handler of the root logger."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), floor))
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, Redactor)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)

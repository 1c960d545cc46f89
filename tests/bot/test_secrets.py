"""The bot token never shows up in what the bot prints or logs, and fontTools logs nothing.

`python -m bot` runs as a real process with a token whose secret part would be easy to spot,
against a Bot API address where nothing listens and against servers that answer wrongly (and
echo the request's path, token and all, in their error page). The process is read line by line
while it runs and stopped with SIGTERM; no test waits for the clock beyond a bounded wait for
the lines it expects. `Redactor` is also tested on its own, and `configure_logging` with a
PDF rendered as the bot renders an export.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

import pytest

import bot.logs
from bot.logs import QUIET_LOGGERS, REDACTED, Redactor, configure_logging
from bot.pdf import to_pdf
from dialogs.engine.document import Bullets, Document, Heading, Item, Paragraph

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
SECRET = TOKEN.partition(":")[2]
REPO = Path(__file__).resolve().parents[2]
WITHIN = 20.0  # seconds: a safety net for a hung process, never a wait for the expected case
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
# bot.polling._unreachable: one warning per try, the wait doubling from 1 s.
RETRY = re.compile(
    r"WARNING bot\.polling: Telegram is not reachable \((?P<reason>.+)\); "
    r"retrying in (?P<seconds>\d+) s$"
)
REFUSED = (
    "Configuration error: TELEGRAM_BOT_TOKEN: refused by the server (is the token right, and "
    "is TELEGRAM_API_BASE_URL the Bot API?)"
)


# --------------------------------------------------------------------------------------------
# `python -m bot` as a process, and servers that are not the Bot API
# --------------------------------------------------------------------------------------------


class BotProcess:
    """`python -m bot` with the token set; stdout and stderr read line by line as written."""

    def __init__(self, api_url: str, tmp_path: Path, log_level: str) -> None:
        environment = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'krachtwerk.db'}",
            "LOG_LEVEL": log_level,
        }
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._changed = threading.Condition()
        self._open = 2  # streams not yet at their end
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=REPO,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in (
                (self.process.stdout, self.stdout),
                (self.process.stderr, self.stderr),
            )
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            with self._changed:
                lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._open -= 1
            self._changed.notify_all()

    def wait_for(self, seen: Callable[[list[str]], bool], within: float = WITHIN) -> bool:
        """Wait until `seen(stderr lines)` or the process closed its output or `within`
        seconds passed; whether it was seen."""
        deadline = time.monotonic() + within
        with self._changed:
            while not seen(self.stderr) and self._open:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return seen(self.stderr)

    def stop(self, within: float = WITHIN) -> int:
        """SIGTERM (unless it ended itself), then its exit code once its output is read."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=within)
            raise AssertionError(f"the bot did not stop within {within} s of SIGTERM") from None
        for reader in self._readers:
            reader.join(within)
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.stdout + self.stderr)


@contextmanager
def running_bot(api_url: str, tmp_path: Path, log_level: str = "INFO") -> Iterator[BotProcess]:
    process = BotProcess(api_url, tmp_path, log_level)
    try:
        yield process
    finally:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait(timeout=WITHIN)


def unused_port() -> int:
    """A loopback port where nothing listens (bound once, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def retries(lines: list[str]) -> list[re.Match[str]]:
    return [match for line in lines if (match := RETRY.search(line))]


def assert_secret_kept(process: BotProcess) -> None:
    for where, lines in (("stdout", process.stdout), ("stderr", process.stderr)):
        text = "\n".join(lines)
        assert TOKEN not in text, where
        assert SECRET not in text, where


@contextmanager
def wrong_server(status: int) -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback that answers every request with `status` and a page that
    quotes the request (as many servers' error pages do): its URL and the paths it was asked."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            asked.append(self.path)
            page = f"<html><body>Cannot {self.command} {self.path}</body></html>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def do_GET(self) -> None:
            self.do_POST()

        def log_message(self, format: str, *args: object) -> None:
            pass  # not on the test's stderr

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        serving.join(WITHIN)


# --------------------------------------------------------------------------------------------
# The process
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("log_level", ["INFO", "DEBUG"])
def test_unreachable_telegram_is_retried_one_line_a_try_without_the_token(
    tmp_path: Path, log_level: str
) -> None:
    with running_bot(f"http://127.0.0.1:{unused_port()}", tmp_path, log_level) as bot:
        assert bot.wait_for(lambda lines: len(retries(lines)) >= 2), bot.output
        code = bot.stop()
    assert code == 0, bot.output  # SIGTERM while waiting to try again: a clean stop
    assert_secret_kept(bot)
    assert "Traceback" not in bot.output
    tries = retries(bot.stderr)
    assert [int(t["seconds"]) for t in tries[:2]] == [1, 2]  # the wait doubles
    assert all("ConnectError" in t["reason"] for t in tries), bot.output
    # One line per try: whatever follows a retry line is the next record, not more of it.
    for index, line in enumerate(bot.stderr):
        if RETRY.search(line):
            assert TIMESTAMP.match(line), line
            after = bot.stderr[index + 1 : index + 2]
            assert all(TIMESTAMP.match(next_line) for next_line in after), after
    assert "stopping: the update in hand is finished first" in bot.output


def test_a_server_that_answers_404_is_a_refused_token_said_without_it(tmp_path: Path) -> None:
    with wrong_server(404) as (url, asked), running_bot(url, tmp_path) as bot:
        bot.process.wait(timeout=WITHIN)  # it stops of its own accord
        code = bot.stop()
    assert any(TOKEN in path for path in asked), asked  # the server had the token to quote
    assert code == 2, bot.output
    assert REFUSED in bot.stderr
    assert_secret_kept(bot)
    assert "Traceback" not in bot.output


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        # A server error: the page was quoted in the log, the token in it taken out.
        pytest.param(500, f"Cannot POST /bot{REDACTED}/getMe", id="error-page-quoting-the-url"),
        pytest.param(
            200, "not as the Bot API (check TELEGRAM_API_BASE_URL)", id="page-instead-of-json"
        ),
    ],
)
def test_a_server_that_answers_wrongly_is_retried_without_the_token(
    tmp_path: Path, status: int, reason: str
) -> None:
    with wrong_server(status) as (url, asked), running_bot(url, tmp_path) as bot:
        assert bot.wait_for(lambda lines: len(retries(lines)) >= 2), bot.output
        code = bot.stop()
    assert any(TOKEN in path for path in asked), asked
    assert code == 0, bot.output
    assert_secret_kept(bot)
    assert "Traceback" not in bot.output
    for attempt in retries(bot.stderr):
        assert reason in attempt["reason"], attempt.string


# --------------------------------------------------------------------------------------------
# Redactor
# --------------------------------------------------------------------------------------------


def raised(message: str) -> logging._SysExcInfoType:
    try:
        raise RuntimeError(message)
    except RuntimeError:
        return sys.exc_info()


def test_redactor_takes_the_token_out_of_message_arguments_traceback_and_stack() -> None:
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    record = logging.LogRecord(
        "bot",
        logging.ERROR,
        __file__,
        1,
        "calling %s for %r",
        (url, {"token": TOKEN}),
        raised(f"POST {url} failed ({TOKEN})"),
    )
    record.stack_info = f'Stack (most recent call last):\n  File "x.py", in f\n    get({TOKEN})'

    assert Redactor([TOKEN]).filter(record) is True

    assert record.getMessage() == (
        f"calling https://api.telegram.org/bot{REDACTED}/getMe for {{'token': '{REDACTED}'}}"
    )
    assert record.exc_info is None  # formatted once, redacted, so no handler formats it again
    assert record.exc_text is not None
    assert f"RuntimeError: POST https://api.telegram.org/bot{REDACTED}/getMe failed" in (
        record.exc_text
    )
    assert f"get({REDACTED})" in record.stack_info
    formatted = logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert "Traceback (most recent call last)" in formatted
    assert TOKEN not in formatted
    assert SECRET not in formatted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"https://api.telegram.org/bot{TOKEN}/getMe",
            f"https://api.telegram.org/bot{REDACTED}/getMe",
        ),
        (
            f"https://api.telegram.org/file/bot{TOKEN}/photos/1.jpg",
            f"https://api.telegram.org/file/bot{REDACTED}/photos/1.jpg",
        ),
        # Another token than the one configured: still taken out of a Bot API URL.
        (
            "GET 'https://api.telegram.org/bot987654:Zz-9_other/getUpdates'",
            f"GET 'https://api.telegram.org/bot{REDACTED}/getUpdates'",
        ),
        (f"token={TOKEN} end", f"token={REDACTED} end"),
    ],
)
def test_redactor_on_text(text: str, expected: str) -> None:
    assert Redactor([TOKEN])(text) == expected


def test_a_record_whose_arguments_do_not_fit_is_still_redacted() -> None:
    record = logging.LogRecord("bot", logging.INFO, __file__, 1, "%s and %s", (TOKEN,), None)
    Redactor([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage()
    assert REDACTED in record.getMessage()


# --------------------------------------------------------------------------------------------
# configure_logging
# --------------------------------------------------------------------------------------------


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger without pytest's handlers, so `configure_logging` sets it up as in
    `python -m bot`; afterwards every logger and handler as it was. (Entered in the test itself:
    pytest attaches its handlers for the test's call after the fixtures are set up.)"""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    filters = {handler: handler.filters[:] for handler in handlers}
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for handler in handlers:
        root.removeHandler(handler)
    # Whatever an earlier test's configure_logging left: fontTools as a library leaves it.
    logging.getLogger("fontTools").setLevel(logging.NOTSET)
    try:
        yield root
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in handlers:
            handler.filters[:] = filters[handler]
            root.addHandler(handler)
        root.setLevel(level)
        for name, old in quiet.items():
            logging.getLogger(name).setLevel(old)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def export_pdf() -> bytes:
    """A PDF as the bot makes an export (bot.telegram: to_pdf of the document), in Dutch."""
    return to_pdf(
        Document(
            "Overzicht van Zoë",
            (
                Paragraph("Gedeeld op 3 maart: krachten en hulpbronnen.", quiet=True),
                Heading("Wonen"),
                Bullets(
                    (
                        Item("Een eigen kamer met een tuintje, dicht bij mijn zus.", "Wens"),
                        Item("Ik heb één keer per week contact met de buurvrouw.", "Nu"),
                    )
                ),
                Paragraph("Cliënt wil graag weer fietsen naar het café."),
            ),
        )
    )


def font_tools_records(root: logging.Logger) -> list[str]:
    configure_logging("INFO", [TOKEN])
    capture = Capture()
    root.addHandler(capture)
    try:
        assert export_pdf().startswith(b"%PDF-")
    finally:
        root.removeHandler(capture)
    return [
        f"{r.name}: {r.getMessage()}" for r in capture.records if r.name.startswith("fontTools")
    ]


def test_font_tools_logs_nothing_at_info() -> None:
    with bare_root() as root:
        assert font_tools_records(root) == []
        assert root.level == logging.INFO  # records at INFO did reach the capture


def test_without_its_floor_font_tools_would_log_the_subsetting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test above can fail: without the entry in QUIET_LOGGERS, fontTools logs at INFO."""
    monkeypatch.delitem(bot.logs.QUIET_LOGGERS, "fontTools")
    with bare_root() as root:
        assert font_tools_records(root) != []


def test_configure_logging_redacts_what_reaches_the_root_handlers() -> None:
    stream = io.StringIO()
    with bare_root() as root:
        configure_logging("DEBUG", [TOKEN])
        [handler] = root.handlers  # basicConfig's, on stderr
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        log = logging.getLogger("bot.test_secrets")
        log.info("calling %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
        try:
            raise ValueError(f"bad token {TOKEN}")
        except ValueError:
            log.exception("failed for %s", TOKEN)
    written = stream.getvalue()
    assert f"calling https://api.telegram.org/bot{REDACTED}/getMe" in written
    assert f"ValueError: bad token {REDACTED}" in written
    assert TOKEN not in written
    assert SECRET not in written

"""A failure is logged with enough to fix it, never with what a client wrote."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from turns.failures import log_failure


class UniqueViolationError(Exception):
    sqlstate = "23505"


def test_a_database_error_is_logged_without_its_message(caplog: pytest.LogCaptureFixture) -> None:
    cause = UniqueViolationError("Key (external_id)=(mijn geheim) already exists")
    parameters = {"text": "mijn geheim"}
    try:
        raise IntegrityError("INSERT ...", parameters, cause)
    except IntegrityError as error:
        with caplog.at_level(logging.ERROR):
            log_failure("update 7 in chat 1", error)
    logged = caplog.text
    expected = "update 7 in chat 1 failed: IntegrityError (UniqueViolationError, SQLSTATE 23505)"
    assert expected in logged
    assert "test_log_failure.py" in logged  # where it happened
    assert "geheim" not in logged


def test_other_errors_keep_their_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise ValueError("broken content")
    except ValueError as error:
        with caplog.at_level(logging.ERROR):
            log_failure("update 8 in chat 1", error)
    assert "update 8 in chat 1 failed: ValueError" in caplog.text
    assert "broken content" in caplog.text

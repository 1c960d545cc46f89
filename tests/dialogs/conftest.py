from __future__ import annotations

from datetime import datetime

import pytest

from dialogs import Content, Engine
from tests.dialogs.chat import EngineChat


@pytest.fixture
def engine(content: Content) -> Engine:
    return Engine(content)


@pytest.fixture
def chat(engine: Engine, now: datetime) -> EngineChat:
    return EngineChat(engine, now)


@pytest.fixture
def client(chat: EngineChat) -> EngineChat:
    """Someone who has just consented and sees the first question."""
    chat.consent()
    return chat

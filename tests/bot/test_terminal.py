"""The terminal chat: numbered buttons, commands, and continuing on the same database."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.terminal import TerminalChat
from tests.conftest import Clock
from turns.conversation import Conversations


def run(conversations: Conversations, clock: Clock, *lines: str) -> str:
    output = io.StringIO()
    TerminalChat(conversations, "ana", clock, output, echo=True).run(f"{line}\n" for line in lines)
    return output.getvalue()


def files_chat(
    conversations: Conversations, clock: Clock, tmp_path: Path
) -> tuple[TerminalChat, io.StringIO]:
    """Ana's chat that writes her files into tmp_path, and what it prints."""
    output = io.StringIO()
    return TerminalChat(conversations, "ana", clock, output, files=str(tmp_path)), output


def test_buttons_are_numbered_and_a_number_presses_one(
    conversations: Conversations, clock: Clock
) -> None:
    out = run(conversations, clock, "1", "Een huis", "2")
    assert "  [1] ✅ Ja, dat mag\n  [2] Nee, liever niet\n  [3] English" in out
    assert "  [1] ⬅️ Terug   [2] ⏭ Overslaan\n  [3] 🤷 Weet ik niet   [4] ⏸ Later verder" in out
    assert "Was er een tijd dat het wonen goed ging?" in out  # "2" skipped the second question


def test_a_number_without_such_a_button_is_text(conversations: Conversations, clock: Clock) -> None:
    out = run(conversations, clock, "1", "7")
    assert "Hoe woon je nu?" in out  # "7" was the answer to the first question


def test_commands_and_notices(conversations: Conversations, clock: Clock) -> None:
    out = run(conversations, clock, "1", "/taal", "1", "1")  # consent, English, back
    assert "I will talk English with you now." in out
    assert "  (This is the first question.)" in out


def test_the_next_session_continues_where_the_last_stopped(
    conversations: Conversations, clock: Clock
) -> None:
    run(conversations, clock, "1", "Een huis", "Goed")
    clock.advance(days=2)
    out = run(conversations, clock, "1")
    assert "Welkom terug!" in out
    assert out.index("Welkom terug!") < out.rindex("Was er een tijd dat het wonen goed ging?")


def test_my_data_is_written_next_to_the_database(
    conversations: Conversations, clock: Clock, tmp_path: Path
) -> None:
    chat, output = files_chat(conversations, clock, tmp_path)
    chat.run(iter(["1\n", "Een huis\n", "/mijngegevens\n"]))
    data = json.loads((tmp_path / "krachtwerk-mijn-gegevens-ana.json").read_text(encoding="utf-8"))
    assert [a["text"] for a in data["answers"]] == ["Een huis"]
    assert (tmp_path / "krachtwerk-mijn-gegevens-ana.pdf").read_bytes().startswith(b"%PDF")
    assert "krachtwerk-mijn-gegevens-ana.pdf" in output.getvalue()


def test_the_buttons_under_a_crisis_answer_keep_their_numbers(
    conversations: Conversations, clock: Clock
) -> None:
    out = run(conversations, clock, "1", "ik wil dood", "1")
    assert "0800-0113" in out
    assert "Dit bericht heb ik niet bewaard.\n  [1] 💾 Toch bewaren als antwoord\n" in out
    assert "  [2] ⬅️ Terug   [3] ⏭ Overslaan\n  [4] 🤷 Weet ik niet   [5] ⏸ Later verder" in out
    assert "Hoe woon je nu?" in out  # "1" saved it as the answer to the first question


def test_the_last_line_says_whether_anything_is_kept(
    conversations: Conversations, clock: Clock
) -> None:
    assert run(conversations, clock).endswith("(end of input: nothing of yours is stored)\n")
    kept = run(conversations, clock, "1", "Een huis")
    assert kept.endswith("(end of input: your answers are saved; run again to continue)\n")
    erased = run(conversations, clock, "/vergeetmij", "1")
    assert "Alles is gewist" in erased
    assert erased.endswith("(end of input: nothing of yours is stored)\n")

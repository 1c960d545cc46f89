"""The network map in the terminal chat: in words, ring by ring, and as a picture on disk."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.bot.test_terminal import files_chat
from tests.conftest import Clock
from turns.conversation import Conversations

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_map_is_listed_and_written_next_to_the_database(
    conversations: Conversations, clock: Clock, tmp_path: Path
) -> None:
    chat, output = files_chat(conversations, clock, tmp_path)
    lines = [
        "1",  # consent
        "/hulpbronnen",
        "Oom Kees",
        "2",  # someone I know
        "3",  # further away
        "10",  # no domain: skip
        "Klussen in huis",
        "2",  # no more: back to the inventory
        "/hulpbronnen",
        "/netwerk",
    ]
    chat.run(f"{line}\n" for line in lines)
    out = output.getvalue()
    assert "• Oom Kees · Verder weg · Klussen in huis" in out
    assert "Mijn netwerk\nVerder weg: Oom Kees (Iemand die ik ken)\nJe netwerkkaart:" in out
    picture = tmp_path / "netwerkkaart-ana.png"
    assert picture.read_bytes().startswith(PNG)
    assert str(picture) in out


def test_an_empty_map_says_so(conversations: Conversations, clock: Clock, tmp_path: Path) -> None:
    chat, output = files_chat(conversations, clock, tmp_path)
    chat.run(iter(["1\n", "/netwerk\n"]))
    out = output.getvalue()
    assert "Mijn netwerk\nNog niemand op je kaart\nJe hebt nog niemand op je kaart." in out
    assert (tmp_path / "netwerkkaart-ana.png").read_bytes().startswith(PNG)


def test_forget_me_takes_the_files_written_for_the_person_too(
    conversations: Conversations, clock: Clock, tmp_path: Path
) -> None:
    chat, output = files_chat(conversations, clock, tmp_path)
    chat.run(iter(["1\n", "/netwerk\n", "/mijngegevens\n"]))
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == [
        "krachtwerk-mijn-gegevens-ana.json",
        "krachtwerk-mijn-gegevens-ana.pdf",
        "netwerkkaart-ana.png",
    ]
    # Hers alone to read, whatever the umask (the files are next to the database).
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir()}
    assert modes == dict.fromkeys(written, 0o600)
    (tmp_path / "someone-else.txt").write_text("kept")
    chat.run(iter(["/vergeetmij\n", "1\n"]))
    assert "Alles is gewist." in output.getvalue()
    assert [path.name for path in tmp_path.iterdir()] == ["someone-else.txt"]


def test_forget_me_finds_the_files_of_every_language(
    conversations: Conversations, clock: Clock, tmp_path: Path
) -> None:
    """Written in English, erased after switching back to Dutch: the English names go too."""
    chat, _ = files_chat(conversations, clock, tmp_path)
    chat.run(iter(["1\n"]))
    for name in (
        "krachtwerk-my-data-ana.json",
        "krachtwerk-my-data-ana.pdf",
        "network-map-ana.png",
    ):
        (tmp_path / name).write_bytes(b"written while she read English")
    chat.run(iter(["/vergeetmij\n", "1\n"]))
    assert list(tmp_path.iterdir()) == []

"""`python -m bot`: subcommands, help, and the terminal chat as a newcomer meets it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bot.__main__ import main
from dialogs import load_content

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", [[], ["run"], ["chat"], ["migrate"], ["flows"]])
def test_help_on_every_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    assert "usage: python -m bot" in capsys.readouterr().out


def test_migrate_creates_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'kw.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert {"clients", "conversations", "answers"} <= set(
        inspect(create_engine(url)).get_table_names()
    )


def test_run_without_token_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


def test_a_wrong_setting_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEFAULT_LANGUAGE", "fr")
    assert main(["chat"]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "Configuration error: DEFAULT_LANGUAGE: no texts for 'fr' (available: en, nl)"
    )


def test_broken_content_stops_start_up_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    assert main(["chat"]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def test_without_token_the_bot_starts_the_terminal_chat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\nEen huis\n"))
    assert main([]) == 0
    captured = capsys.readouterr()
    assert "No TELEGRAM_BOT_TOKEN set" in captured.err
    assert "Domein 1 van 8" in captured.out
    assert Path("data/krachtwerk.db").exists()  # the embedded default, in the working folder


def test_piped_conversation_in_a_real_process_resumes_in_the_next(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"TELEGRAM_BOT_TOKEN", "DEFAULT_LANGUAGE"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'chat.db'}"
    env["PYTHONPATH"] = str(ROOT)

    def chat(stdin: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "chat", "--user", "sam"],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
            check=True,
        )
        return done.stdout

    first = chat("1\nEen eigen huis\n3\n")
    assert "> Een eigen huis" in first
    assert first.rstrip().endswith("run again to continue)")
    second = chat("1\n")
    assert (
        "Welkom terug! Hier was je gebleven:\nKrachten in kaart · Domein 1 van 8 · 🏠 Wonen"
        in second
    )
    assert "Was er een tijd dat het wonen goed ging?" in second


def test_flows_are_drawn_as_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "--format", "mermaid", "--language", "en"]) == 0
    diagram = capsys.readouterr().out
    assert diagram.startswith("flowchart TD\n")
    assert 'subgraph inventory__money["💶 Money"]' in diagram
    assert 'inventory_money_wish["<b>What I want</b><br/>What do you want to reach' in diagram
    assert "inventory_money_past --> inventory_work_wish" in diagram
    assert "1-3 of: 🏠 Housing, 💶 Money" in diagram
    inventory_edges = [line for line in diagram.splitlines() if line.startswith("  inventory_")]
    assert len(inventory_edges) == len(load_content().flows["inventory"].nodes) - 1
    # Conditions, jumps back and sub-flows are drawn on their arrows.
    assert 'step_who -->|"who = network"| step_who_name' in diagram
    assert 'plan_more -->|"yes"| plan_step' in diagram
    assert "plan_step -.-> step_goal" in diagram


def test_flows_in_a_language_without_texts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "--language", "fr"]) == 2
    assert capsys.readouterr().err.strip() == "--language: no texts for 'fr' (en, nl)"

"""`python -m bot`: subcommands, help, and the terminal chat as a newcomer meets it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bot.__main__ import ADMIN_ENV, main
from bot.runtime import audit_key
from bot.settings import load_settings
from dialogs import load_content
from dialogs.linking.casefile import LookKind, Section
from storage import (
    CaseFileRepository,
    ClientDataRepository,
    ClientRepository,
    Identity,
    InvitationRepository,
    StaffRepository,
    make_engine,
    make_session_factory,
)
from tests.storage.test_counsellors import confirmed_link

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["chat"],
        ["migrate"],
        ["flows"],
        ["admin"],
        ["admin", "add"],
        ["counsellor"],
        ["counsellor", "add"],
        ["counsellor", "list"],
        ["counsellor", "deactivate"],
        ["audit"],
    ],
)
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
    assert 'resource_goal -->|"no goal"| resource_domain' in diagram
    assert 'plan_more -->|"yes"| plan_step' in diagram
    assert "plan_step -.-> step_goal" in diagram


def test_flows_in_a_language_without_texts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "--language", "fr"]) == 2
    assert capsys.readouterr().err.strip() == "--language: no texts for 'fr' (en, nl)"


# --- staff commands -----------------------------------------------------------------------

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
FIRST_ADMIN_HINT = (
    'register the first one with `python -m bot admin add --telegram-id N --name "..."`'
)


@pytest.fixture
def staff_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file as DATABASE_URL, a fixed clock, and no administrator in the shell."""
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv(ADMIN_ENV, raising=False)
    monkeypatch.setattr("bot.__main__.utc_now", lambda: NOW)
    return url


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of `python -m bot <argv>`."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_first_administrator_needs_nobody_and_the_next_one_an_administrator(
    staff_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "admin", "add", "--telegram-id", "1", "--name", "Beheer") == (
        0,
        "administrator added: 1 Beheer\n",
        "",
    )
    code, out, err = run_cli(capsys, "admin", "add", "--telegram-id", "2", "--name", "Twee")
    assert (code, out) == (2, "")
    assert err == (
        "only an administrator can add administrators: pass --admin with your Telegram id "
        f"(or set {ADMIN_ENV})\n"
    )
    added = run_cli(capsys, "admin", "add", "--telegram-id", "2", "--name", "Twee", "--admin", "1")
    assert added == (0, "administrator added: 2 Twee\n", "")


def test_only_an_administrator_adds_or_deactivates_counsellors(
    staff_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ("counsellor", "add", "--telegram-id", "501", "--name", "Anna", "--team", "Noord")
    code, out, err = run_cli(capsys, *add)
    assert (code, out) == (2, "")
    assert (
        err == f"only an administrator can add counsellors: there is none yet; {FIRST_ADMIN_HINT}\n"
    )
    run_cli(capsys, "admin", "add", "--telegram-id", "1", "--name", "Beheer")
    assert run_cli(capsys, *add, "--admin", "501")[2] == (
        "only an administrator can add counsellors: 501 is not an active administrator\n"
    )
    # In an administrator's shell the plain command works.
    monkeypatch.setenv(ADMIN_ENV, "1")
    assert run_cli(capsys, *add) == (0, "counsellor added: 501 Anna\n", "")
    deactivate = ("counsellor", "deactivate", "--telegram-id", "501")
    assert run_cli(capsys, *deactivate, "--admin", "501")[0] == 2
    assert run_cli(capsys, *deactivate) == (0, "deactivated: 501 Anna\n", "")
    assert run_cli(capsys, "counsellor", "deactivate", "--telegram-id", "9") == (
        1,
        "",
        "nobody has Telegram id 9\n",
    )
    # A deactivated administrator is no administrator.
    assert run_cli(capsys, "counsellor", "deactivate", "--telegram-id", "1")[1] == (
        "deactivated: 1 Beheer\n"
    )
    code, _, err = run_cli(capsys, *add)
    assert code == 2
    assert err.startswith("only an administrator can add counsellors: there is none yet")


def test_the_staff_list_is_an_aligned_table(
    staff_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "counsellor", "list") == (0, "no staff yet\n", "")
    run_cli(capsys, "admin", "add", "--telegram-id", "1", "--name", "Beheer")
    for telegram_id, name in (("501", "Anna de Vries"), ("502", "Bert")):
        add = ("counsellor", "add", "--telegram-id", telegram_id, "--name", name, "--admin", "1")
        run_cli(capsys, *add, "--team", "Noord")
    run_cli(capsys, "counsellor", "add", "--telegram-id", "1", "--name", "Beheer", "--admin", "1")
    run_cli(capsys, "counsellor", "deactivate", "--telegram-id", "502", "--admin", "1")
    assert run_cli(capsys, "counsellor", "list") == (
        0,
        "telegram id  name           team   roles              status\n"
        "501          Anna de Vries  Noord  counsellor         active (added 2026-11-27)\n"
        "1            Beheer         -      counsellor, admin  active (added 2026-11-27)\n"
        "502          Bert           Noord  counsellor         inactive since 2026-11-27\n",
        "",
    )


def test_the_audit_trail_of_a_client(staff_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "admin", "add", "--telegram-id", "1", "--name", "Beheer")
    run_cli(capsys, "counsellor", "add", "--telegram-id", "501", "--name", "Anna", "--admin", "1")
    engine = make_engine(staff_db)
    with make_session_factory(engine).begin() as session:
        client = ClientRepository(session).create(
            Identity("telegram", "1001"), language="nl", timezone="UTC", now=NOW
        )
        anna = StaffRepository(session).find(501)
        assert anna is not None
        invitations = InvitationRepository(session)
        invitation = invitations.create(anna.id, None, NOW, timedelta(days=1))
        invitations.open(invitation.code, "telegram:1001", NOW)
        confirmed_link(session, invitation.id, "telegram:1001", client.id, "Sam", frozenset(), NOW)
        case_files = CaseFileRepository(session, anna.id)
        case_files.case_file(client.id, LookKind.VIEW, NOW)
        invitation = invitations.create(anna.id, None, NOW, timedelta(days=1))
        invitations.open(invitation.code, "telegram:1001", NOW)
        sections = frozenset({Section.STRENGTHS, Section.PLAN})
        confirmed_link(session, invitation.id, "telegram:1001", client.id, "Sam", sections, NOW)
        case_files.case_file(client.id, LookKind.EXPORT, NOW + timedelta(seconds=90))
    engine.dispose()
    audit = ("audit", "--client", str(client.id))
    assert run_cli(capsys, *audit, "--admin", "501")[0] == 2
    trail = (
        "at (UTC)          who   telegram id  what    sections\n"
        "2026-11-27T09:30  Anna  501          view    -\n"
        "2026-11-27T09:31  Anna  501          export  plan, strengths\n"
    )
    assert run_cli(capsys, *audit, "--admin", "1") == (0, trail, "")
    assert run_cli(capsys, "audit", "--client", "99", "--admin", "1") == (
        0,
        "nobody has looked at the data of client 99\n",
        "",
    )
    assert run_cli(capsys, "audit", "--account", "telegram:1001", "--admin", "1")[1] == trail

    # Erased, Sam's looks stay under the keyed hash of their account only.
    engine = make_engine(staff_db)
    with make_session_factory(engine).begin() as session:
        key = audit_key(load_settings())
        ClientDataRepository(session).erase(client.id, "telegram:1001", audit_key=key, now=NOW)
    engine.dispose()
    assert run_cli(capsys, *audit, "--admin", "1")[1] == (
        f"nobody has looked at the data of client {client.id}\n"
    )
    assert run_cli(capsys, "audit", "--account", "telegram:1001", "--admin", "1") == (
        0,
        "at (UTC)          who   telegram id  what                    sections\n"
        "2026-11-27T09:30  Anna  501          view (client erased)    -\n"
        "2026-11-27T09:31  Anna  501          export (client erased)  plan, strengths\n",
        "",
    )

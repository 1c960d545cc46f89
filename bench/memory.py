"""(5) Memory per client with a conversation in progress, for 10,000 clients.

A client's place in a conversation is a row in the database (`conversations.state`, JSON),
loaded at the start of each unit of work and dropped after it: the bot process holds nothing
per client between two messages. This measures that claim in a fresh process running the real
`turns.conversation.Conversations` on a SQLite file:

- the process's resident memory (RSS) with 0 clients (the baseline), and after 10,000 clients
  have each consented and answered the first questions of the strengths inventory (so each
  has a conversation in progress); the growth per client is taken from 100 clients on, once
  the caches that fill on first use (SQLAlchemy's compiled statements, parsed content) have;
- what one unit of work allocates on the Python heap (tracemalloc): its peak, and what is still
  held after it;
- the size of a stored dialog state (bytes of its JSON) and of the database per client.
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import profiling
from bench.core import Figure, Result

CLIENTS = 10_000
SMOKE_CLIENTS = 20
CHECKPOINTS = (100, 1_000)  # RSS is also read here, to see growth level off
PROFILED = (100, 1_100)  # the clients whose units of work `--profile` samples
TARGET_BYTES = 1024  # per client, beyond the baseline
REPOSITORY = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
# Each client: hello, consent, then the first two answers of the inventory (mid-inventory).
ANSWERS = ("Een eigen kamer, ergens waar het rustig is", "Ik slaap nu in de opvang")


def rss_bytes() -> int:
    """This process's resident set size, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def child(clients: int, database: Path, profile: Path | None = None) -> dict[str, Any]:
    """In a fresh process: the measurements, as plain numbers; with `profile`, a pyinstrument
    profile of setting the clients up is written there."""
    from dialogs import Engine, Press, Text, load_content
    from dialogs.engine.outputs import Replace, Say
    from storage import Identity, make_engine, make_session_factory, upgrade
    from turns.conversation import Conversations

    db = make_engine(f"sqlite:///{database}")
    upgrade(db)
    conversations = Conversations(
        Engine(load_content()),
        make_session_factory(db),
        default_language="nl",
        default_timezone="Europe/Amsterdam",
        audit_key=secrets.token_bytes(32),
    )

    def consent_button(outputs: list[Any]) -> str:
        for output in outputs:
            if isinstance(output, Say | Replace):
                for row in output.buttons:
                    for button in row:
                        if button.label.startswith("✅"):
                            return button.data
        raise LookupError("no consent button")

    def start(number: int, now: datetime) -> None:
        """A new client: hello, consent, and the first answers: mid-inventory."""
        who = Identity("telegram", str(100_000 + number))
        turn = conversations.handle(who, Text("hallo"), now)
        conversations.handle(who, Press(consent_button(turn.outputs)), now)
        for text in ANSWERS:
            conversations.handle(who, Text(text), now)

    def checkpoint(number: int) -> None:
        gc.collect()
        rss[number] = rss_bytes()
        blocks[number] = sys.getallocatedblocks()

    rss: dict[int, int] = {}
    blocks: dict[int, int] = {}
    checkpoint(0)
    # The profile samples the units of work of clients 100 to 1,100: the caches are warm by
    # then, and a profiler slows all it samples down (figures of a profiled run are not kept).
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    profiled = range(min(PROFILED[0], clients // 2), min(PROFILED[1], clients))
    started = time.perf_counter()
    for number in range(clients):
        if profiler is not None and number == profiled.start:
            profiler.start()
        start(number, NOW + timedelta(seconds=number))
        if profiler is not None and number + 1 == profiled.stop:
            profiler.stop()
        if number + 1 in CHECKPOINTS:
            checkpoint(number + 1)
    seconds = time.perf_counter() - started
    if profiler is not None and profile is not None:
        text = profiling.render(profiler)
        profile.write_text(f"clients {profiled.start:,} to {profiled.stop:,}\n{text}", "utf-8")
    checkpoint(clients)
    with db.connect() as connection:
        cache_size = int(connection.exec_driver_sql("pragma cache_size").scalar_one())
        page_size = int(connection.exec_driver_sql("pragma page_size").scalar_one())
    # Negative: in KiB; positive: in pages (SQLite's documented meaning).
    cache_kib = -cache_size if cache_size < 0 else cache_size * page_size // 1024

    # One more unit of work, traced: an answer by a client half-way the inventory.
    who = Identity("telegram", str(100_000 + clients // 2))
    gc.collect()
    tracemalloc.start(25)
    before = tracemalloc.take_snapshot()
    held_before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    conversations.handle(who, Text("Toen ik bij mijn tante woonde"), NOW + timedelta(days=1))
    _, peak = tracemalloc.get_traced_memory()
    gc.collect()
    held_after, _ = tracemalloc.get_traced_memory()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    top = after.compare_to(before, "filename")[:3]
    db.dispose()
    return {
        "rss": {str(k): v for k, v in sorted(rss.items())},
        "blocks": {str(k): v for k, v in sorted(blocks.items())},
        "sqlite_cache_kib": cache_kib,
        "seconds": seconds,
        "unit_peak": peak - held_before,
        "unit_held": held_after - held_before,
        "unit_top": [
            f"{_short(stat.traceback[0].filename)}: {stat.size_diff:+,} B" for stat in top
        ],
    }


def _short(filename: str) -> str:
    """A source file's name from its package on: sqlalchemy/sql/compiler.py."""
    parts = Path(filename).parts
    for marker in ("site-packages", REPOSITORY.name):
        if marker in parts:
            return "/".join(parts[parts.index(marker) + 1 :])
    return filename


def stored(database: Path) -> dict[str, float]:
    """What the database holds per client: the dialog state's JSON, and the whole file."""
    with sqlite3.connect(database) as connection:
        count, average, largest = connection.execute(
            "select count(*), avg(length(cast(state as blob))), max(length(cast(state as blob)))"
            " from conversations"
        ).fetchone()
    files = [database, database.with_name(database.name + "-wal")]
    size = sum(path.stat().st_size for path in files if path.exists())
    return {"clients": count, "state": average, "state_max": largest, "file": size}


def largest_dialog() -> int:
    """The largest stored dialog state (its JSON, as the bot stores it) at any step of any
    flow walked by bench/engine.py: mid-plan a frame carries the answers so far."""
    from bench.engine import PEOPLE, walks
    from dialogs import Engine, load_content

    engine = Engine(load_content())
    largest = 0
    for person in PEOPLE:
        for walk in walks(engine, person):
            state = walk.start
            for event in walk.events:
                state, _ = engine.step(state, event, NOW)
                stored = json.dumps(state.dialog.model_dump(mode="json"))
                largest = max(largest, len(stored.encode()))
    return largest


def run(smoke: bool) -> Result:
    clients = SMOKE_CLIENTS if smoke else CLIENTS
    with tempfile.TemporaryDirectory(prefix="krachtwerk-bench-memory-") as folder:
        database = Path(folder) / "krachtwerk.db"
        command = [sys.executable, "-m", "bench.memory", "--child", str(clients), str(database)]
        profile = Path(folder) / "profile.txt"
        if profiling.enabled():
            command += ["--profile", str(profile)]
        done = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the measuring process failed:\n{done.stderr[-2000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        sizes = stored(database)
        if profile.exists():
            profiling.report(
                f"=== {clients:,} clients set up (in the measuring process) ===\n"
                + profile.read_text()
            )
    rss = {int(k): v for k, v in measured["rss"].items()}
    blocks = {int(k): v for k, v in measured["blocks"].items()}
    baseline, final = rss[0], rss[clients]
    since = max((n for n in rss if 0 < n < clients), default=0)
    per_client = (final - rss[since]) / (clients - since)
    blocks_per_client = (blocks[clients] - blocks[since]) / (clients - since)
    figures = [
        Figure(f"RSS with {clients:,} clients", final / 2**20, "MiB", baseline / 2**20),
        Figure(
            f"RSS growth per client ({since:,} -> {clients:,})",
            per_client,
            "B",
            target=f"< {TARGET_BYTES:,} B",
            met=per_client < TARGET_BYTES,
        ),
        Figure(
            f"Python heap blocks per client ({since:,} -> {clients:,})", blocks_per_client, "blocks"
        ),
        Figure("unit of work: Python heap peak", measured["unit_peak"] / 1024, "KiB"),
        Figure("unit of work: Python heap held after", measured["unit_held"] / 1024, "KiB"),
        Figure("stored dialog state (JSON), mid-inventory", sizes["state"], "B"),
        Figure("stored dialog state (JSON), largest in any flow", largest_dialog(), "B"),
        Figure("database per client", sizes["file"] / sizes["clients"], "B"),
        Figure("clients set up a second", clients / measured["seconds"], "clients/s"),
    ]
    notes = [
        "each client: hello, consent, two answers (4 units of work); then mid-inventory",
        "their states are in the database, not in memory: a unit of work loads one and drops it",
        "RSS in MiB at " + ", ".join(f"{n:,}: {v / 2**20:.1f}" for n, v in sorted(rss.items())),
        "Python heap blocks at " + ", ".join(f"{n:,}: {v:,}" for n, v in sorted(blocks.items())),
        f"SQLite's page cache (per connection) is capped at {measured['sqlite_cache_kib']:,} KiB",
        "heap growth in the traced unit of work by file: " + "; ".join(measured["unit_top"]),
    ]
    return Result("memory", figures, notes)


def main() -> None:
    parser = argparse.ArgumentParser(description="the measuring process of bench/memory.py")
    parser.add_argument("--child", type=int, required=True, metavar="CLIENTS")
    parser.add_argument("database", type=Path)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile here")
    args = parser.parse_args()
    print(json.dumps(child(args.child, args.database, args.profile)))


if __name__ == "__main__":
    main()

"""Where the bot process spends an update's time: py-spy attached to it during the profiled
throughput run (all threads, idle samples too, `--format raw`), its collapsed stacks summarised
as shares of the time of an update. py-spy is optional: without it there is no profile.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PROFILE_RATE = 200  # py-spy samples a second
PROFILE_TOP = 10
# Frames every sample of a thread has (its loop, the pool's worker): not where time goes.
PROFILE_ROOTS = (
    "(threading.py)",
    "(concurrent/futures/thread.py)",
    "(asyncio/base_events.py)",
    "(asyncio/runners.py)",
    "(asyncio/events.py)",
    "(multiprocessing/spawn.py)",
    "(multiprocessing/process.py)",
    "(bench/bot_process.py)",
    "(<string>)",
)
OWN_THREAD = "(multiprocessing/connection.py)"  # the bot process waiting for "stop"
HANDING_BACK = "handing results to the event loop (call_soon_threadsafe, waits for the GIL)"
# Innermost frames of a thread that waits for work.
IDLE = ("EpollSelector.select (", "_worker (", "Condition.wait (", "Event.wait (")
PATH_PREFIXES = tuple(
    sorted(
        {f"{path}/" for path in (*sys.path, str(Path(__file__).resolve().parents[1])) if path},
        key=len,
        reverse=True,
    )
)


@dataclass
class Sampler:
    process: subprocess.Popen[bytes]
    output: Path


def start_profile(pid: int | None) -> Sampler | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if pid is None or not Path(spy).exists():
        return None
    output = Path(tempfile.mkdtemp(prefix="throughput-profile-")) / "bot.txt"
    command = [spy, "record", "--pid", str(pid), "--rate", str(PROFILE_RATE)]
    command += ["--format", "raw", "--nonblocking", "--idle", "--threads", "--output", str(output)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Sampler(process, output)


def stop_profile(sampler: Sampler, updates: int, seconds: float) -> list[str]:
    sampler.process.send_signal(signal.SIGINT)
    try:
        sampler.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sampler.process.kill()
        return ["profile: py-spy did not finish"]
    try:
        lines = sampler.output.read_text().splitlines()
    except OSError:
        return ["profile: py-spy wrote nothing (no permission to attach?)"]
    finally:
        shutil.rmtree(sampler.output.parent, ignore_errors=True)
    return summarise(lines, updates, seconds)


def summarise(collapsed: list[str], updates: int, seconds: float) -> list[str]:
    """Where the bot's time goes, from py-spy's collapsed stacks (`--idle --threads`).

    The bot handles one update at a time, so shares of the wall time (the event loop
    thread's samples) are shares of the time of an update (`seconds` / `updates`). A sample
    is busy unless its thread waits for work: the event loop in select(), a worker thread for
    its next job. Cumulative: a frame counts once a busy sample (the roots every sample of a
    thread has are left out); self: the innermost frame, also summed by layer."""
    wall = loop_busy = 0
    cumulative: Counter[str] = Counter()
    ours: Counter[str] = Counter()  # cumulative, frames of our own packages only
    own: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    work: Counter[str] = Counter()  # busy worker samples by what the thread was given
    for line in collapsed:
        stack, _, count_text = line.rpartition(" ")
        thread, _, rest = stack.partition(";")
        if not rest or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(frame) for frame in rest.split(";")]
        is_loop = "MainThread" in thread
        wall += count if is_loop else 0
        if frames[-1].startswith(IDLE) or any(f.endswith(OWN_THREAD) for f in frames):
            continue  # waiting for work, or this benchmark's own thread
        if is_loop:
            loop_busy += count
        else:
            jobs = [f for f in frames if not f.endswith(PROFILE_ROOTS)]
            job = jobs[0] if jobs else frames[-1]
            work[HANDING_BACK if job.endswith("(concurrent/futures/_base.py)") else job] += count
        for frame in {f for f in frames if not f.endswith(PROFILE_ROOTS)}:
            cumulative[frame] += count
            if _layer(frame).endswith("/"):
                ours[frame] += count
        own[frames[-1]] += count
        layers[_layer(frames[-1])] += count
    if not wall or not updates:
        return ["profile: no samples"]
    per_update = seconds / updates * 1000  # ms of wall time an update

    def share(count: int) -> str:
        return f"{100 * count / wall:4.1f}% {count / wall * per_update:5.2f} ms"

    lines = [
        f"profile (py-spy {PROFILE_RATE} Hz, all threads, {seconds:.0f} s, {updates} updates, "
        f"{per_update:.1f} ms of wall time an update; shares of it and ms an update): "
        f"event loop busy {share(loop_busy)}, waiting {share(wall - loop_busy)}; "
        "worker threads busy with "
        + ", ".join(f"{job} {share(n)}" for job, n in work.most_common(4)),
        f"top {PROFILE_TOP} frames, cumulative (busy samples of all threads):",
    ]
    lines += [f"  {share(n)} {frame}" for frame, n in cumulative.most_common(PROFILE_TOP)]
    lines += [f"top {PROFILE_TOP} frames of our own code (bot/, dialogs/, storage/), cumulative:"]
    lines += [f"  {share(n)} {frame}" for frame, n in ours.most_common(PROFILE_TOP)]
    lines += [f"top {PROFILE_TOP} frames, self:"]
    lines += [f"  {share(n)} {frame}" for frame, n in own.most_common(PROFILE_TOP)]
    lines += [
        "self time by layer: " + ", ".join(f"{k} {share(n)}" for k, n in layers.most_common())
    ]
    return lines


def _frame(raw: str) -> str:
    """'function (/path/to/package/file.py:123)' -> 'function (package/file.py)'."""
    name, _, where = raw.partition(" (")
    path = where.removesuffix(")")
    path = path.rpartition(":")[0] or path
    for prefix in PATH_PREFIXES:
        if path.startswith(prefix):
            path = path.removeprefix(prefix)
            break
    return f"{name} ({path})"


def _layer(frame: str) -> str:
    path = frame.rpartition(" (")[2]
    top = path.split("/", 1)[0]
    groups = {
        "telegram": "PTB",
        "httpx": "httpx/httpcore",
        "httpcore": "httpx/httpcore",
        "h11": "httpx/httpcore",
        "anyio": "httpx/httpcore",
        "sqlalchemy": "SQLAlchemy",
        "psycopg": "database driver",
        "sqlite3": "database driver",
        "pydantic": "pydantic",
        "pydantic_core": "pydantic",
        "bot": "bot/",
        "dialogs": "dialogs/",
        "storage": "storage/",
        "reminders": "reminders/",
        "asyncio": "asyncio",
        "json": "json",
    }
    return groups.get(top, "other")

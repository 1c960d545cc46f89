"""Run the benchmarks: `python -m bench [names...] [--smoke] [--results DIR] [--profile]`.

Each benchmark is a module `bench/<name>.py` with `run(smoke: bool) -> Result`. They run one
after the other in this process; a module that is missing, does not import or fails is a row
"error" in the table and the others still run. Every result is written as
`<results>/<name>.json` (the latest run replaces the one before) with the machine it ran on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from bench import profiling
from bench.core import Figure, Result

# In the order `make bench` runs them.
BENCHMARKS = ("engine", "memory", "summary", "throughput", "reminders", "delivery", "startup")
RESULTS = Path(__file__).resolve().parent / "results"
# Smoke figures are meaningless: they never replace the committed latest figures.
SMOKE_RESULTS = Path(tempfile.gettempdir()) / "krachtwerk-bench-smoke"
PACKAGES = ("python-telegram-bot", "SQLAlchemy", "APScheduler", "pydantic", "fpdf2")
REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Outcome:
    """What became of one benchmark: its result, or why there is none."""

    name: str
    result: Result | None
    error: str | None
    seconds: float
    written: Path | None = None


def run_benchmark(name: str, smoke: bool) -> tuple[Result | None, str | None]:
    """Import `bench.<name>` and run it: (result, None) or (None, what went wrong)."""
    module_name = f"bench.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None, f"missing: no bench/{name}.py"
        return None, f"import failed: {type(error).__name__}: {error}"
    except Exception as error:
        traceback.print_exc()
        return None, f"import failed: {type(error).__name__}: {error}"
    run = getattr(module, "run", None)
    if not callable(run):
        return None, f"bench/{name}.py has no run(smoke) function"
    try:
        result = run(smoke)
    except Exception as error:
        traceback.print_exc()
        return None, f"failed: {type(error).__name__}: {error}"
    if not isinstance(result, Result):
        return None, f"run() returned {type(result).__name__}, not a Result"
    return result, None


def run_benchmarks(
    names: Sequence[str],
    *,
    smoke: bool,
    results: Path | None,
    profile: bool = False,
    out: TextIO = sys.stdout,
) -> list[Outcome]:
    """Run each benchmark, write each result to `results` (None: nowhere), print the table.

    With `profile`, each is profiled and the profile written instead of the figures."""
    info = machine()
    outcomes = []
    for name in names:
        print(f"running {name}{' (smoke)' if smoke else ''} ...", file=out, flush=True)
        started = time.perf_counter()
        if profile:
            result, error = _profiled(name, smoke, results or RESULTS, out)
        else:
            result, error = run_benchmark(name, smoke)
        seconds = time.perf_counter() - started
        written = None
        # Figures taken under a profiler are slower than the real ones: not written.
        if result is not None and results is not None and not profile:
            written = write(result, results, info, smoke=smoke, seconds=seconds)
        outcomes.append(Outcome(name, result, error, seconds, written))
    print(file=out)
    print(table(outcomes), file=out)
    for outcome in outcomes:
        if outcome.result is not None and outcome.result.notes:
            print(f"\n{outcome.name}:", file=out)
            for note in outcome.result.notes:
                print(f"  {note}", file=out)
    if results is not None and not profile:
        print(f"\nresults in {results}", file=out)
    return outcomes


def write(
    result: Result, results: Path, info: dict[str, Any], *, smoke: bool, seconds: float
) -> Path:
    """`<results>/<benchmark>.json`: the figures, notes and the machine; replaces the last."""
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{result.benchmark}.json"
    document = {
        **result.as_json(),
        "smoke": smoke,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": info,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpuinfo = _read("/proc/cpuinfo")
    models = [
        line.partition(":")[2].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    meminfo = _read("/proc/meminfo")
    memory = next(
        (line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")), None
    )
    return {
        "cpu_model": models[0] if models else platform.processor() or None,
        "cpus": len(models) or os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(int(memory) / 2**20, 1) if memory else None,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {name: _version(name) for name in PACKAGES},
        # Other work on the machine slows every figure down: it shows here.
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain")),
    }


def table(outcomes: Sequence[Outcome]) -> str:
    """The figures as an aligned text table, a row per figure (or per error)."""
    header = ("benchmark", "figure", "value", "unit", "baseline", "ratio", "target", "met")
    rows: list[tuple[str, ...]] = []
    for outcome in outcomes:
        if outcome.result is None:
            rows.append((outcome.name, f"ERROR {outcome.error}", "", "", "", "", "", ""))
            continue
        rows += [_row(outcome.name, figure) for figure in outcome.result.figures]
        if not outcome.result.figures:
            rows.append((outcome.name, "(no figures)", "", "", "", "", "", ""))
    numeric = {2, 4, 5}
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.rjust(width) if i in numeric and row is not header else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def number(value: float | None) -> str:
    """A figure as people read it: no more digits than mean anything."""
    if value is None:
        return ""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.01 or size == 0:
        return f"{value:.2f}"
    return f"{value:.2g}"


def _row(name: str, figure: Figure) -> tuple[str, ...]:
    met = "" if figure.met is None else ("yes" if figure.met else "NO")
    ratio = "" if figure.ratio is None else f"{number(figure.ratio)}x"
    return (
        name,
        figure.name,
        number(figure.value),
        figure.unit,
        number(figure.baseline),
        ratio,
        figure.target or "",
        met,
    )


def _profiled(
    name: str, smoke: bool, results: Path, out: TextIO
) -> tuple[Result | None, str | None]:
    """Run under pyinstrument: the parts marked `measured()` (and profiles handed over by a
    child process), else the whole run, again."""
    with profiling.profiling() as texts:
        result, error = run_benchmark(name, smoke)
    if not texts and error is None:
        from pyinstrument import Profiler

        with Profiler(interval=profiling.INTERVAL) as profiler:
            result, error = run_benchmark(name, smoke)
        texts.append(f"=== the whole run ===\n{profiling.render(profiler)}")
    if texts:
        results.mkdir(parents=True, exist_ok=True)
        path = results / f"{name}.profile.txt"
        path.write_text("\n\n".join(texts), encoding="utf-8")
        print(f"profile of {name} in {path}", file=out)
    return result, error


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPOSITORY, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="name",
        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does each one still run?")
    parser.add_argument(
        "--results",
        type=Path,
        help=f"where to write <name>.json (default: {RESULTS}; with --smoke: {SMOKE_RESULTS})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile each with pyinstrument into <results>/<name>.profile.txt (no .json then)",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; there are: {', '.join(BENCHMARKS)}")
    results = args.results or (SMOKE_RESULTS if args.smoke else RESULTS)
    outcomes = run_benchmarks(
        args.names or BENCHMARKS, smoke=args.smoke, results=results, profile=args.profile
    )
    return 1 if any(outcome.error for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

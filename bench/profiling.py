"""Profiles of the measured parts of a benchmark, for `python -m bench --profile`.

A benchmark wraps what it measures in `measured("part")`; setting up (building a database,
recording walks) stays out of the profile, and each part gets a profile of its own (a PDF that
takes most of the time does not hide the database read). Work measured in another process is
profiled there and handed over with `report()`. Without `--profile` all of this does nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyinstrument import Profiler
    from pyinstrument.frame import Frame

INTERVAL = 0.0005  # seconds between samples
_parts: dict[str, Profiler] | None = None  # None: this run is not profiled
_reports: list[str] = []


def enabled() -> bool:
    """Whether this run is profiled (so a child process should profile itself too)."""
    return _parts is not None


@contextmanager
def measured(part: str = "measured") -> Iterator[None]:
    """A part of a benchmark that is measured: what `--profile` profiles. The same part
    entered again adds to its profile."""
    if _parts is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = _parts.setdefault(part, Profiler(interval=INTERVAL))
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()


def report(text: str) -> None:
    """A profile made elsewhere (in a child process), to be written with this benchmark's."""
    if _parts is not None:
        _reports.append(text)


@contextmanager
def profiling() -> Iterator[list[str]]:
    """Profile the measured parts run inside; the list given out is filled on leaving with
    each part's profile and those handed over with `report()`."""
    global _parts
    _parts = {}
    _reports.clear()
    texts: list[str] = []
    try:
        yield texts
    finally:
        parts, _parts = _parts, None
        texts += [
            f"=== {part} ===\n{render(profiler)}"
            for part, profiler in parts.items()
            if profiler.last_session is not None
        ]
        texts += _reports
        _reports.clear()


def render(profiler: Profiler, top: int = 25) -> str:
    """The functions that take the most time in their own code (and, with what they call,
    in all), then the call tree."""
    tree = profiler.output_text(unicode=True, color=False)
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    if root is None or root.time <= 0:
        return tree
    own: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)

    def visit(frame: Frame, callers: frozenset[str]) -> None:
        name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
        key = f"{name}  {frame.file_path_short}:{frame.line_no}"
        # "[self]" children are the samples in the frame's own code.
        own[key] += frame.time - sum(c.time for c in frame.children if not c.is_synthetic)
        if key not in callers:  # a recursive call is counted once
            total[key] += frame.time
        for child in frame.children:
            if not child.is_synthetic:
                visit(child, callers | {key})

    visit(root, frozenset())

    def row(key: str) -> str:
        return f"{own[key] / root.time:6.1%} {total[key] / root.time:6.1%}  {key}"

    by_own = sorted(own, key=own.__getitem__, reverse=True)[:top]
    ours = [key for key in sorted(total, key=total.__getitem__, reverse=True) if _ours(key)]
    return "\n".join(
        [
            f"{root.time:.2f} s sampled. Top {top} by own time (the function's code alone):",
            "   own  total  function",
            *map(row, by_own),
            "",
            f"The product's own functions by total time (with all they call), top {top}:",
            "   own  total  function",
            *map(row, ours[:top]),
            "",
            "Call tree:",
            tree,
        ]
    )


def _ours(key: str) -> bool:
    """A function of the product (not a library, not the benchmark itself)."""
    where = key.rpartition("  ")[2]
    return where.startswith(("bot/", "dialogs/", "storage/", "reminders/"))

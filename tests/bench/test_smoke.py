"""Every benchmark still runs: a tiny run of each, its result written. No timing is asserted:
figures depend on the machine; `make bench` measures, this only keeps the benchmarks working."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from bench.__main__ import BENCHMARKS, main, run_benchmarks, table
from bench.core import Figure, Result


@pytest.mark.parametrize("name", BENCHMARKS)
def test_each_benchmark_runs_small_and_writes_its_result(name: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(f"bench.{name}") is None:
        pytest.skip(f"bench/{name}.py is not written yet")
    [outcome] = run_benchmarks([name], smoke=True, results=tmp_path, out=io.StringIO())
    assert outcome.error is None
    assert isinstance(outcome.result, Result)
    assert outcome.result.figures
    assert all(isinstance(figure, Figure) for figure in outcome.result.figures)
    written = json.loads((tmp_path / f"{outcome.result.benchmark}.json").read_text())
    assert written["smoke"] is True
    assert len(written["figures"]) == len(outcome.result.figures)
    assert written["machine"]["python"].startswith("CPython")


def module(name: str, run: Callable[[bool], object]) -> ModuleType:
    made = ModuleType(name)
    made.run = run  # type: ignore[attr-defined]
    return made


def failing(smoke: bool) -> Result:
    raise RuntimeError("the database went away")


def fine(smoke: bool) -> Result:
    return Result("fine", [Figure("speed", 3.0, "x/s", 1.5, ">= 1 x/s", met=True)])


def test_a_missing_or_failing_benchmark_is_an_error_row_and_the_others_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bench.failing", module("bench.failing", failing))
    monkeypatch.setitem(sys.modules, "bench.fine", module("bench.fine", fine))

    names = ["nothing_here", "failing", "fine"]
    outcomes = run_benchmarks(names, smoke=True, results=tmp_path, out=io.StringIO())

    assert [outcome.error for outcome in outcomes] == [
        "missing: no bench/nothing_here.py",
        "failed: RuntimeError: the database went away",
        None,
    ]
    assert [path.name for path in tmp_path.iterdir()] == ["fine.json"]
    header, _, missing, broken, row = table(outcomes).splitlines()
    assert header.split() == [
        "benchmark", "figure", "value", "unit", "baseline", "ratio", "target", "met",
    ]  # fmt: skip
    assert missing.split()[:2] == ["nothing_here", "ERROR"]
    assert broken.split()[:2] == ["failing", "ERROR"]
    assert row.split() == ["fine", "speed", "3.00", "x/s", "1.50", "2.00x", ">=", "1", "x/s", "yes"]


def test_an_unknown_name_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["no_such_benchmark"])
    assert "unknown benchmark no_such_benchmark" in capsys.readouterr().err

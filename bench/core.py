"""What every benchmark returns: named figures, each with its baseline and target if any."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured number. `baseline` is the same quantity for the baseline measured in the
    same run (a bare echo bot, the rate limit's bound, ...); `target` says what we promise."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str | None = None  # e.g. ">= 0.7 x baseline", "< 50 ms"
    met: bool | None = None  # whether the target is met; None without a target

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.value / self.baseline


@dataclass(frozen=True)
class Result:
    benchmark: str
    figures: list[Figure]
    notes: list[str] = field(default_factory=list)  # the machine, sizes, where the time goes

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "figures": [{**asdict(f), "ratio": f.ratio} for f in self.figures],
            "notes": self.notes,
        }

"""When things happen if the client does not say (`times.yaml`): the time of a day named
without one, the quick reminder buttons, the follow-up after an unanswered reminder."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from pydantic import Field

from dialogs.content.files import DEFAULT_CONTENT_DIR, read_model
from dialogs.content.flows import Strict
from dialogs.engine.when import DayTimes

FILE = "times.yaml"


class _Day(Strict):
    morning: time
    afternoon: time
    evening: time
    without_time: time


class QuickMoments(Strict):
    due_morning: time  # "on the day itself"
    eve_evening: time  # "the evening before"
    tomorrow: time


class Times(Strict):
    day_spec: _Day = Field(alias="day")
    quick: QuickMoments
    follow_up_after_hours: int = Field(ge=1, le=7 * 24)

    @property
    def day(self) -> DayTimes:
        spec = self.day_spec
        return DayTimes(spec.morning, spec.afternoon, spec.evening, spec.without_time)

    @property
    def follow_up_after(self) -> timedelta:
        return timedelta(hours=self.follow_up_after_hours)


def load_times(root: Path = DEFAULT_CONTENT_DIR) -> Times:
    """The times of `root`, or the shipped ones when the folder has none."""
    path = root / FILE if (root / FILE).is_file() else DEFAULT_CONTENT_DIR / FILE
    return read_model(path, Times)

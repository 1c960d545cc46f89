"""The buttons of the plan's screens."""

from __future__ import annotations

from enum import StrEnum


class PlanAction(StrEnum):
    PLAN = "plan"
    NEW_GOAL = "newgoal"
    GOAL = "goal"
    STEP = "step"
    CHANGE_STEP = "schange"  # which part of a step to change
    FIELD = "field"  # that part: `<step>/<node>`
    STEP_DONE = "sdone"
    GOAL_STEP = "gstep"  # a new step for this goal
    GOAL_HELP = "ghelp"  # who could help with this goal
    DROP_STEP = "sdrop"
    DROP_GOAL = "gdrop"
    REACH_GOAL = "greach"
    BACK_TO = "back_to"  # "no" to "are you sure?": back to the step or goal it was about

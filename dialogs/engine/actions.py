"""The button actions every conversation has (`basics`); a feature's own are in its
`actions` module. A value is what a button carries, so it never changes once shipped: a
button on an old message must still mean the same."""

from __future__ import annotations

from enum import StrEnum


class Answering(StrEnum):
    """The buttons of a question; `Turn.question_action` reads them."""

    OPTION = "o"
    DONE = "done"  # a multiple choice confirmed
    SKIP = "skip"
    UNKNOWN = "unknown"  # "weet ik niet"
    BACK = "back"
    SUGGESTION = "sug"  # one of the client's own earlier answers
    QUICK = "quick"  # a common date or moment ("morgen")
    YES = "yes"  # "klopt dat?" about a date or moment understood
    NO = "no"


class Moving(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    TAKE = "take"  # text held after a pause: it is the answer
    LEAVE = "leave"
    KEEP = "keep"  # "weet ik niet" on an answered question: keep the answer
    REPLACE = "replace"
    MENU = "menu"
    HELP = "help"
    LANGUAGE = "language"
    FLOW = "flow"  # start (or carry on with) a flow
    OVERVIEW = "overview"  # what the client answered in a flow
    TOPICS = "topics"  # which answers of a flow to change
    TOPIC = "topic"
    EDIT = "edit"
    ASK = "ask"  # "are you sure?" about `<action>/<subject>`, asked by the action's feature

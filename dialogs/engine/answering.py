"""Answering the question on screen: its buttons, typed text as its answer, a date or a
moment understood and confirmed, an answer kept or replaced. Functions of the turn, which
calls them (and which they call back to walk on through the flow)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from dialogs.content.flows import Flow, Node, NodeKind
from dialogs.engine import records
from dialogs.engine.actions import Answering
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Replace
from dialogs.engine.state import Answer, AnswerStatus, Frame, Screen
from dialogs.engine.when import (
    HORIZON_YEARS,
    beyond_horizon,
    local_to_utc,
    parse_date,
    parse_moment,
)


def takes_own_words(flow: Flow, node: Node) -> bool:
    """Whether typed text is this question's answer as it is: not a date or a moment, and not
    a choice whose answer must be one of the buttons."""
    if node.kind in (NodeKind.DATE, NodeKind.MOMENT):
        return False
    # The answer decides where the flow goes, or the record cannot do without one of its
    # options (quiet hours: own words would silently mean "never quiet"; a goal's domain is one
    # of the life domains), so it has to be one of the buttons.
    return not (
        flow.collects
        and node.kind is NodeKind.CHOICE
        and (node.dynamic_options or node.next or node.required or node.buttons_only)
    )


if TYPE_CHECKING:  # the turn calls these and is called back; only the type is needed here
    from dialogs.engine.turn import Turn


def question_action(turn: Turn, action: str, arg: str) -> None:
    """A button of the question on screen."""
    located = turn.frame_flow_node() if turn.dialog.screen is Screen.QUESTION else None
    if located is None:
        turn.stale()
    elif located[1].collects:
        value_action(turn, action, arg, *located)
    else:
        answer_action(turn, action, arg, *located)


def answer_action(turn: Turn, action: str, arg: str, frame: Frame, flow: Flow, node: Node) -> None:
    """A button of a question whose answer is stored as it is (the inventory)."""
    key = flow.answer_key(node)
    match action:
        case Answering.SKIP | Answering.UNKNOWN if answered(turn, frame, flow, node):
            turn.show(Screen.REPLACE, action)
        case Answering.OPTION if arg in node.options and node.kind is NodeKind.MULTI_CHOICE:
            toggle(turn, arg, frame, node)
        case Answering.OPTION if arg in node.options:
            turn.save(key, Answer(AnswerStatus.ANSWERED, choices=(arg,)))
            turn.advance()
        case Answering.DONE if node.kind is NodeKind.MULTI_CHOICE:
            if len(frame.selection) < node.min_choices:
                turn.notice(turn.ui.choose_at_least.format(min=node.min_choices))
                return
            turn.save(key, Answer(AnswerStatus.ANSWERED, choices=frame.selection))
            turn.advance()
        case Answering.SKIP:
            # Skipping a question answered earlier keeps that answer.
            if key not in turn.state.answers:
                turn.save(key, Answer(AnswerStatus.SKIPPED))
            turn.advance()
        case Answering.UNKNOWN:
            turn.save(key, Answer(AnswerStatus.UNKNOWN))
            turn.advance()
        case Answering.BACK:
            turn.back(frame, flow)
        case _:
            turn.notice(turn.ui.stale_button)
            turn.show_current()


def value_action(turn: Turn, action: str, arg: str, frame: Frame, flow: Flow, node: Node) -> None:
    """A button on a question of a flow that makes records: the answer goes to the frame."""
    options = dict(turn.screens.options(node))
    suggestions = turn.screens.suggestions(node)
    match action:
        case Answering.OPTION if arg in options and node.kind is NodeKind.MULTI_CHOICE:
            toggle(turn, arg, frame, node)
        case Answering.OPTION if arg in options:
            answer_value(turn, frame, node, arg)
        case Answering.DONE if node.kind is NodeKind.MULTI_CHOICE:
            if len(frame.selection) < node.min_choices:
                turn.notice(turn.ui.choose_at_least.format(min=node.min_choices))
                return
            answer_value(turn, frame, node, ",".join(frame.selection))
        case Answering.SUGGESTION if (index := whole_number(arg)) is not None and index < len(
            suggestions
        ):
            group, text = suggestions[index]
            if node.suggest_group and group:
                frame = frame.model_copy(
                    update={"values": {**frame.values, node.suggest_group: group}}
                )
            answer_value(turn, frame, node, text)
        case Answering.QUICK if node.kind in (NodeKind.DATE, NodeKind.MOMENT):
            quick(turn, arg, frame, node)
        case Answering.YES if frame.pending is not None:
            answer_value(turn, frame.model_copy(update={"pending": None}), node, frame.pending)
        case Answering.NO if frame.pending is not None:
            turn.replace_frame(frame.model_copy(update={"pending": None}))
            turn.show(Screen.QUESTION)
        case Answering.SKIP | Answering.UNKNOWN if node.required:
            turn.notice(turn.ui.required)
        case Answering.SKIP | Answering.UNKNOWN if answered(turn, frame, flow, node):
            turn.show(Screen.REPLACE, action)
        case Answering.SKIP:
            turn.replace_frame(frame.model_copy(update={"pending": None}))
            turn.advance()
        case Answering.UNKNOWN:
            answer_value(turn, frame, node, records.UNKNOWN_VALUE)
        case Answering.BACK:
            turn.back(frame, flow)
        case _:
            turn.notice(turn.ui.stale_button)
            turn.show_current()


def answer_value(turn: Turn, frame: Frame, node: Node, value: str) -> None:
    values = {**frame.values, node.id: value}
    turn.replace_frame(frame.model_copy(update={"values": values, "pending": None}))
    turn.advance(chosen=value)


def answered(turn: Turn, frame: Frame, flow: Flow, node: Node) -> bool:
    """Whether the question has an answer that "weet ik niet" or "overslaan" would replace:
    a stored one, or a value of the record being changed (a step's date)."""
    if flow.collects:
        value = frame.values.get(node.id, records.UNKNOWN_VALUE)
        return frame.single and value != records.UNKNOWN_VALUE
    answer = turn.state.answers.get(flow.answer_key(node))
    return answer is not None and answer.status is AnswerStatus.ANSWERED


def settle_replace(turn: Turn, frame: Frame, flow: Flow, node: Node, *, replacing: bool) -> None:
    """The answer to "keep the answer you had?": kept, the client goes on as they meant
    to; replaced, by "weet ik niet" or by nothing (skipped)."""
    unknown = turn.dialog.screen_arg == Answering.UNKNOWN
    if not replacing and frame.single:
        turn.back(frame, flow)  # the change is called off: nothing to save
    elif not replacing:
        turn.advance()
    elif flow.collects and unknown:
        answer_value(turn, frame, node, records.UNKNOWN_VALUE)
    elif flow.collects:
        values = {k: v for k, v in frame.values.items() if k != node.id}
        turn.replace_frame(frame.model_copy(update={"values": values, "pending": None}))
        turn.advance()
    else:
        status = AnswerStatus.UNKNOWN if unknown else AnswerStatus.SKIPPED
        turn.save(flow.answer_key(node), Answer(status))
        turn.advance()


def quick(turn: Turn, choice: str, frame: Frame, node: Node) -> None:
    """A common date or moment pressed; it is confirmed like a typed one."""
    today = turn.local_now.date()
    # "On the day itself" means the date this flow asked before (a step's target date).
    flow = turn.content.flows[frame.flow]
    dated = [
        frame.values[n.id] for n in flow.nodes if n.kind is NodeKind.DATE and frame.values.get(n.id)
    ]
    due = date.fromisoformat(dated[0]) if dated else today + timedelta(days=1)
    days = {"today": 0, "tomorrow": 1, "week": 7}
    quick = turn.content.times.quick
    moments = {
        "due_morning": (due, quick.due_morning),
        "eve_evening": (due - timedelta(days=1), quick.eve_evening),
        "tomorrow": (today + timedelta(days=1), quick.tomorrow),
    }
    if node.kind is NodeKind.DATE and choice in days:
        propose(turn, frame, node, (today + timedelta(days=days[choice])).isoformat())
    elif node.kind is NodeKind.MOMENT and choice == "none":
        values = {k: v for k, v in frame.values.items() if k != node.id}
        turn.replace_frame(frame.model_copy(update={"values": values, "pending": None}))
        turn.advance()
    elif node.kind is NodeKind.MOMENT and choice in moments:
        day, at = moments[choice]
        moment = local_to_utc(datetime.combine(day, at), turn.state.profile.timezone)
        propose(turn, frame, node, moment.isoformat())
    else:
        turn.notice(turn.ui.stale_button)


def propose(turn: Turn, frame: Frame, node: Node, value: str) -> None:
    """A date or moment understood: ask "klopt dat?" unless it has already passed."""
    if node.kind is NodeKind.DATE and date.fromisoformat(value) < turn.local_now.date():
        turn.say(turn.ui.date_in_past)
        turn.show(Screen.QUESTION)
    elif node.kind is NodeKind.MOMENT and datetime.fromisoformat(value) <= turn.now:
        turn.say(turn.ui.moment_in_past)
        turn.show(Screen.QUESTION)
    else:
        turn.replace_frame(frame.model_copy(update={"pending": value}))
        turn.show(Screen.QUESTION)


def toggle(turn: Turn, option: str, frame: Frame, node: Node) -> None:
    selection = frame.selection
    if option in selection:
        selection = tuple(o for o in selection if o != option)
    elif len(selection) >= node.max_choices:
        turn.notice(turn.ui.choose_at_most.format(max=node.max_choices))
        return
    else:
        order = [o for o, _ in turn.screens.options(node)]
        selection = tuple(o for o in order if o in {*selection, option})
    frame = frame.model_copy(update={"selection": selection})
    turn.replace_frame(frame)
    message = turn.screens.question(frame, turn.dialog.prompt_seq)
    turn.outputs.append(Replace(message.text, message.buttons))


def answer_text(turn: Turn, text: str, frame: Frame, flow: Flow, node: Node) -> None:
    if flow.collects:
        typed_value(turn, text, frame, node)
        return
    if node.kind is NodeKind.MULTI_CHOICE:
        # Own words next to (or instead of) the options: kept together as one answer.
        answer = Answer(AnswerStatus.ANSWERED, text=text, choices=frame.selection)
    else:
        answer = Answer(AnswerStatus.ANSWERED, text=text)
    turn.save(flow.answer_key(node), answer)
    turn.advance()


def typed_value(turn: Turn, text: str, frame: Frame, node: Node) -> None:
    language = turn.dialog.language
    today = turn.local_now.date()
    if node.kind is NodeKind.DATE:
        day = parse_date(text, language, today)
        if day is None:
            turn.say(turn.ui.date_not_understood)
            turn.show(Screen.QUESTION)
        elif beyond_horizon(day, today):
            turn.say(turn.ui.date_too_far.format(years=HORIZON_YEARS))
            turn.show(Screen.QUESTION)
        else:
            propose(turn, frame, node, day.isoformat())
    elif node.kind is NodeKind.MOMENT:
        moment = parse_moment(text, language, turn.local_now, turn.content.times.day)
        if moment is None:
            turn.say(turn.ui.moment_not_understood)
            turn.show(Screen.QUESTION)
        elif beyond_horizon(moment.date(), today):  # before UTC: 31-12-9999 would overflow
            turn.say(turn.ui.date_too_far.format(years=HORIZON_YEARS))
            turn.show(Screen.QUESTION)
        else:
            utc = local_to_utc(moment.replace(tzinfo=None), turn.state.profile.timezone)
            propose(turn, frame, node, utc.isoformat())
    elif not takes_own_words(turn.content.flows[frame.flow], node):
        turn.say(turn.ui.choose_button)
        turn.show(Screen.QUESTION)
    else:
        answer_value(turn, frame, node, text)

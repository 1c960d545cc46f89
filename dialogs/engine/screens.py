"""What each screen looks like: pure functions from content and state to a message with buttons.

The engine shows a screen with a fresh prompt number; it also renders the current screen again
with the current number to read a typed button label ("weet ik niet") as a press.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from dialogs.content.flows import Flow, Node, NodeKind
from dialogs.content.load import Content
from dialogs.engine import callbacks
from dialogs.engine.actions import Answering, Moving
from dialogs.engine.outputs import Button, Keyboard, Say
from dialogs.engine.records import UNKNOWN_VALUE, deliverable
from dialogs.engine.state import (
    Answer,
    AnswerStatus,
    Frame,
    GoalStatus,
    Resource,
    ResourceKind,
    Screen,
    State,
)
from dialogs.engine.when import format_date, format_moment, utc_to_local
from dialogs.plan.actions import PlanAction

LABEL_CHARS = 40  # a button with a client's own words shows this much of them


def normalise_label(text: str) -> str:
    """Compare typed text with button labels: case, emoji and punctuation do not matter."""
    kept = "".join(
        char if unicodedata.category(char)[0] in "LN" else " " for char in text.casefold()
    )
    return re.sub(r"\s+", " ", kept).strip()


PREVIOUS_CHARS = 600


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """The client's own words, cut to fit on a button (or in a reminder of an answer)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def rows(buttons: Iterable[Button], per_row: int) -> Keyboard:
    items = list(buttons)
    return tuple(tuple(items[i : i + per_row]) for i in range(0, len(items), per_row))


class Screens:
    """Renders every screen for one client in their language."""

    def __init__(self, content: Content, state: State, now: datetime) -> None:
        self.content = content
        self.state = state
        self.now = now
        self.language = state.dialog.language
        self.ui = content.ui(self.language)
        self.today = utc_to_local(now, state.profile.timezone).date()

    def text(self, key: str, **values: object) -> str:
        return self.content.text(self.language, key, **values)

    def prompt(self, flow: Flow, node: Node, values: Mapping[str, str]) -> str:
        """A node's text, showing the values the flow made so far ({help_step})."""
        shown = {name: values[name] for name in flow.shown_values if name in values}
        return self.text(node.prompt_key, **shown)

    # --- the client's own values ------------------------------------------------------------

    def day(self, day: date) -> str:
        return format_date(day, self.language, self.today)

    def moment(self, moment: datetime) -> str:
        local = utc_to_local(moment, self.state.profile.timezone)
        return format_moment(local, self.language, self.today)

    def options(self, node: Node) -> list[tuple[str, str]]:
        """The options of a choice as (id, label): from content, or the client's open goals."""
        own = [(o, self.text(k)) for o, k in zip(node.options, node.option_keys, strict=True)]
        if node.dynamic_options == "open_goals":
            return [
                (str(goal.number), short(goal.text))
                for goal in self.state.goals
                if goal.status is GoalStatus.OPEN
            ] + own
        if node.dynamic_options == "resources":
            return [(str(r.number), short(r.name)) for r in self.resources()] + own
        return own

    def resources(self) -> list[Resource]:
        """The client's resources, the personal network first (METHODOLOGY.md section 4)."""
        order = list(ResourceKind)
        return sorted(self.state.resources, key=lambda r: (order.index(r.kind), r.number))

    def suggestions(self, node: Node) -> list[tuple[str, str]]:
        """The client's own earlier answers offered for a text node, as (group, text).

        Groups the client named as a priority (a multiple choice of the same flow) come first.
        Words that signal a crisis are never offered back, not even ones stored before the
        crisis lists knew them, or saved by the client on purpose.
        """
        if not node.suggest:
            return []
        if node.suggest == "resources":
            found = [("", r.name) for r in self.resources()]
        else:
            flow_id, _, template = node.suggest.partition(".")
            flow = self.content.flows[flow_id]
            prefix = f"{flow_id}."
            chosen = {
                c for k, a in self.state.answers.items() if k.startswith(prefix) for c in a.choices
            }
            found = []
            for source in flow.nodes:
                answer = self.state.answers.get(flow.answer_key(source))
                if source.id.endswith(f".{template}") and answer and answer.text:
                    found.append((source.group or "", answer.text))
            found.sort(key=lambda item: item[0] not in chosen)
        safety = self.content.safety
        return [item for item in found if safety.matches(item[1]) is None][:6]

    def value_text(self, node: Node, value: str) -> str:
        """A value of a flow that makes records, in words."""
        if value == UNKNOWN_VALUE:
            return self.ui.status_unknown
        if node.kind is NodeKind.DATE:
            return self.day(date.fromisoformat(value))
        if node.kind is NodeKind.MOMENT:
            return self.moment(datetime.fromisoformat(value))
        labels = dict(self.options(node))
        return labels.get(value, value)

    # --- pieces ---------------------------------------------------------------------------

    def answer_text(self, answer: Answer | None, node: Node) -> str:
        if answer is None:
            return self.ui.status_empty
        if answer.status is AnswerStatus.SKIPPED:
            return self.ui.status_skipped
        if answer.status is AnswerStatus.UNKNOWN:
            return self.ui.status_unknown
        names = dict(zip(node.options, node.option_keys, strict=True))
        parts = [self.text(names[c]) for c in answer.choices if c in names]
        if answer.text:
            parts.append(answer.text)
        return ", ".join(parts) or self.ui.status_empty

    def where(self, frame: Frame) -> str:
        """Where a client is, in words: "Krachten in kaart · Domein 3 van 8 · Geld"."""
        flow = self.content.flows[frame.flow]
        node = flow.node(frame.node)
        title = self.text(f"flows.{flow.id}.title")
        if node.position and node.group_key:
            number, total = node.position
            name = self.text(node.group_key)
            return f"{title} · " + self.text(
                f"flows.{flow.id}.progress", number=number, total=total, name=name
            )
        return f"{title} · {self.text(node.label_key)}" if node.label_key else title

    def controls(self, seq: int, *, required: bool = False) -> Keyboard:
        def button(label: str, action: str) -> Button:
            return Button(label, callbacks.prompted(seq, action))

        if required:
            return ((button(self.ui.back, Answering.BACK), button(self.ui.pause, Moving.PAUSE)),)
        return (
            (button(self.ui.back, Answering.BACK), button(self.ui.skip, Answering.SKIP)),
            (button(self.ui.dont_know, Answering.UNKNOWN), button(self.ui.pause, Moving.PAUSE)),
        )

    # --- screens --------------------------------------------------------------------------

    def welcome(self) -> Say:
        others = [lang for lang in self.content.languages if lang != self.language]
        buttons = [
            (Button(self.ui.consent_yes, callbacks.consent(True, self.language)),),
            (Button(self.ui.consent_no, callbacks.consent(False, self.language)),),
        ]
        buttons += [
            (Button(self.content.language_names[lang], callbacks.choose_language(lang)),)
            for lang in others
        ]
        text = self.ui.welcome
        if self.state.invitation is not None:
            # Opened from a counsellor's link: say who invites before asking for consent.
            intro = self.ui.invitation_intro.format(counsellor=self.state.invitation.counsellor)
            text = f"{intro}\n\n{text}"
        return Say(text, tuple(buttons))

    def question(self, frame: Frame, seq: int) -> Say:
        flow = self.content.flows[frame.flow]
        node = flow.node(frame.node)
        if frame.pending is not None:
            return self.confirm_value(node, frame.pending, seq)
        parts = []
        if node.position and node.group_key:
            number, total = node.position
            name = self.text(node.group_key)
            progress = self.text(f"flows.{flow.id}.progress", number=number, total=total, name=name)
            parts.append(progress)
        parts.append(self.prompt(flow, node, frame.values))
        previous = self.previous(flow, node, frame)
        if previous:
            # A reminder of the answer, not all of it: a question must fit one message, which
            # a multiple choice edits in place (the whole answer is in /mijnkrachten).
            parts.append(self.ui.previous_answer.format(answer=short(previous, PREVIOUS_CHARS)))
        option_buttons = []
        for option, label in self.options(node):
            if node.kind is NodeKind.MULTI_CHOICE and option in frame.selection:
                label = f"{self.ui.selected_mark} {label}"
            option_buttons.append(Button(label, callbacks.prompted(seq, Answering.OPTION, option)))
        for index, (_, suggestion) in enumerate(self.suggestions(node)):
            option_buttons.append(
                Button(short(suggestion), callbacks.prompted(seq, Answering.SUGGESTION, str(index)))
            )
        quick = self.quick_choices(node)
        option_buttons += [
            Button(label, callbacks.prompted(seq, Answering.QUICK, q)) for q, label in quick
        ]
        keyboard = rows(option_buttons, 1 if node.suggest or quick else 2)
        if node.kind is NodeKind.MULTI_CHOICE:
            keyboard += ((Button(self.ui.done, callbacks.prompted(seq, Answering.DONE)),),)
        return Say("\n\n".join(parts), keyboard + self.controls(seq, required=node.required))

    def previous(self, flow: Flow, node: Node, frame: Frame) -> str | None:
        if flow.collects:
            value = frame.values.get(node.id)
            return None if value is None else self.value_text(node, value)
        answer = self.state.answers.get(flow.answer_key(node))
        if answer is None or answer.status is AnswerStatus.SKIPPED:
            return None
        return self.answer_text(answer, node)

    def quick_choices(self, node: Node) -> list[tuple[str, str]]:
        """The common answers to a date or moment question, as (id, label)."""
        ui = self.ui
        if node.kind is NodeKind.DATE:
            return [
                ("today", ui.date_today),
                ("tomorrow", ui.date_tomorrow),
                ("week", ui.date_week),
            ]
        if node.kind is NodeKind.MOMENT:
            return [
                ("due_morning", ui.moment_due_morning),
                ("eve_evening", ui.moment_eve_evening),
                ("tomorrow", ui.moment_tomorrow),
                ("none", ui.moment_none),
            ]
        return []

    def confirm_value(self, node: Node, pending: str, seq: int) -> Say:
        value = self.value_text(node, pending)
        # The sentence starts with the value: "Vrijdag 27 november om 10:00. Klopt dat?"
        text = self.ui.confirm_value.format(value=value[:1].upper() + value[1:])
        if node.kind is NodeKind.MOMENT:
            chosen = datetime.fromisoformat(pending)
            sent = deliverable(chosen, self.state.profile)
            if sent != chosen:
                text += "\n\n" + self.ui.confirm_quiet.format(value=self.moment(sent))
        buttons = (
            Button(self.ui.yes, callbacks.prompted(seq, Answering.YES)),
            Button(self.ui.no, callbacks.prompted(seq, Answering.NO)),
        )
        return Say(text, rows(buttons, 1))

    def held(self, frame: Frame, seq: int) -> Say:
        """Text typed after a pause or a long silence, with its question: is it the answer?"""
        assert frame.held is not None
        question = self.question(frame.model_copy(update={"pending": None}), seq).text
        text = self.ui.held.format(
            where=self.where(frame), question=question, text=short(frame.held, PREVIOUS_CHARS)
        )
        buttons = (
            Button(self.ui.held_yes, callbacks.prompted(seq, Moving.TAKE)),
            Button(self.ui.held_no, callbacks.prompted(seq, Moving.LEAVE)),
        )
        return Say(text, rows(buttons, 1))

    def replace_answer(self, frame: Frame, action: str, seq: int) -> Say:
        """ "Weet ik niet" or "Overslaan" (`action`) on a question with an answer: keep it?"""
        flow = self.content.flows[frame.flow]
        answer = self.previous(flow, flow.node(frame.node), frame) or ""
        unknown = action == Answering.UNKNOWN
        ask = self.ui.replace_unknown if unknown else self.ui.replace_skip
        buttons = (
            Button(self.ui.keep_answer, callbacks.prompted(seq, Moving.KEEP)),
            Button(
                self.ui.use_unknown if unknown else self.ui.remove_answer,
                callbacks.prompted(seq, Moving.REPLACE),
            ),
        )
        return Say(ask.format(answer=short(answer, PREVIOUS_CHARS)), rows(buttons, 1))

    def menu(self, seq: int) -> Say:
        frame = self.state.dialog.frame
        where = self.where(frame) if frame else self.ui.where_nothing
        active = {f.flow for f in self.state.dialog.stack}
        buttons = [
            Button(
                self.text(f"flows.{flow.id}.menu_{'continue' if flow.id in active else 'start'}"),
                callbacks.prompted(seq, Moving.FLOW, flow.id),
            )
            for flow in self.content.flows.values()
            if flow.in_menu
        ]
        buttons += [
            Button(self.ui.menu_overview, callbacks.prompted(seq, Moving.OVERVIEW, flow.id))
            for flow in self.content.flows.values()
            if flow.overview_command
        ]
        buttons.append(Button(self.ui.menu_plan, callbacks.prompted(seq, PlanAction.PLAN)))
        buttons += [
            Button(self.ui.menu_language, callbacks.prompted(seq, Moving.LANGUAGE)),
            Button(self.ui.menu_help, callbacks.prompted(seq, Moving.HELP)),
        ]
        return Say(self.ui.menu_title.format(where=where), rows(buttons, 1))

    def resume(self, seq: int, text: str) -> Say:
        buttons = (
            Button(self.ui.resume, callbacks.prompted(seq, Moving.RESUME)),
            Button(self.ui.to_menu, callbacks.prompted(seq, Moving.MENU)),
        )
        return Say(text, rows(buttons, 1))

    def language_choice(self, seq: int) -> Say:
        buttons = [
            Button(name, callbacks.choose_language(lang))
            for lang, name in self.content.language_names.items()
        ]
        return Say(self.ui.choose_language, rows(buttons, 2))

    def overview(self, flow: Flow) -> str:
        """The answers of a flow per topic (life domain), in the client's own words.

        Topics without any answer are named together at the end, so the overview stays short
        for someone who has only just begun.
        """
        blocks: list[str] = [self.text(f"flows.{flow.id}.title")]
        untouched: list[str] = []
        for title, nodes in self.topics(flow):
            answers = [self.state.answers.get(flow.answer_key(node)) for node in nodes]
            if not any(answers):
                untouched.append(title)
                continue
            lines = [title] if len(nodes) > 1 else []
            for node, answer in zip(nodes, answers, strict=True):
                label = self.text(node.label_key) if node.label_key else node.id
                prefix = "• " if len(nodes) > 1 else ""
                lines.append(f"{prefix}{label}: {self.answer_text(answer, node)}")
            blocks.append("\n".join(lines))
        if untouched:
            blocks.append(self.ui.overview_not_yet.format(topics=", ".join(untouched)))
        return "\n\n".join(blocks)

    def topics(self, flow: Flow) -> list[tuple[str, list[Node]]]:
        """The questions of a flow by topic: a group (domain) of questions, or one question."""
        topics: list[tuple[str, list[Node]]] = []
        for node in flow.questions:
            if node.group and topics and topics[-1][1][0].group == node.group:
                topics[-1][1].append(node)
            elif node.group and node.group_key:
                topics.append((self.text(node.group_key), [node]))
            else:
                topics.append((self.text(node.label_key) if node.label_key else node.id, [node]))
        return topics

    def edit_topics(self, flow: Flow, seq: int) -> Say:
        buttons = [
            Button(
                title,
                callbacks.prompted(seq, Moving.TOPIC, f"{flow.id}/{nodes[0].group or nodes[0].id}"),
            )
            for title, nodes in self.topics(flow)
        ]
        keyboard = (
            *rows(buttons, 2),
            (Button(self.ui.to_menu, callbacks.prompted(seq, Moving.MENU)),),
        )
        return Say(self.ui.edit_pick_topic, keyboard)

    def edit_questions(self, flow: Flow, group: str, seq: int) -> Say:
        nodes = [node for node in flow.questions if node.group == group]
        topic = self.text(nodes[0].group_key) if nodes and nodes[0].group_key else group
        buttons = [
            Button(
                self.text(node.label_key) if node.label_key else node.id,
                callbacks.prompted(seq, Moving.EDIT, f"{flow.id}/{node.id}"),
            )
            for node in nodes
        ]
        buttons.append(Button(self.ui.back, callbacks.prompted(seq, Moving.TOPICS, flow.id)))
        return Say(self.ui.edit_pick_question.format(topic=topic), rows(buttons, 1))

    def current(self, seq: int) -> Say | None:
        """The screen the client is on, drawn again (None when there is none)."""
        dialog = self.state.dialog
        frame = dialog.frame
        match dialog.screen:
            case Screen.QUESTION if frame:
                return self.question(frame, seq)
            case Screen.HELD if frame and frame.held is not None:
                return self.held(frame, seq)
            case Screen.REPLACE if frame and dialog.screen_arg:
                return self.replace_answer(frame, dialog.screen_arg, seq)
            case Screen.MENU:
                return self.menu(seq)
            case Screen.RESUME:
                return self.resume(seq, self.ui.paused)
            case Screen.LANGUAGE:
                return self.language_choice(seq)
            case Screen.EDIT_TOPICS if (
                dialog.screen_arg and dialog.screen_arg in self.content.flows
            ):
                return self.edit_topics(self.content.flows[dialog.screen_arg], seq)
            case Screen.EDIT_QUESTIONS if dialog.screen_arg:
                flow_id, _, group = dialog.screen_arg.partition("/")
                if flow_id in self.content.flows:
                    return self.edit_questions(self.content.flows[flow_id], group, seq)
        return None

"""One step of the engine, for every flow: questions, answers, flows within flows.

`Turn` is mutable while it runs and is thrown away after; only the state and the outputs
escape. The action plan's screens and reminders extend it in `dialogs.planning`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from dialogs import callbacks, records
from dialogs.content import Content, Flow, Node, NodeKind, UiTexts
from dialogs.events import (
    Command,
    CommandName,
    Edited,
    Event,
    Press,
    Text,
    UnknownCommand,
    Unreadable,
)
from dialogs.numbers import whole_number
from dialogs.outputs import Button, Notice, Output, Replace, SaveAnswer, Say
from dialogs.screens import Screens, normalise_label
from dialogs.state import Answer, AnswerStatus, Dialog, Frame, Screen, State
from dialogs.when import (
    HORIZON_YEARS,
    beyond_horizon,
    local_to_utc,
    parse_date,
    parse_moment,
    utc_to_local,
)

# Invisible characters that make a message look empty (zero-width space, joiners, BOM).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
# What "on the day itself" and "the evening before" mean for a reminder.
_DUE_MORNING = time(9)
_EVE_EVENING = time(19)


def clean_text(text: str) -> str:
    """The text without invisible characters and surrounding space."""
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE)).strip()


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


class Turn:
    """The work of one step. Mutable while it runs; nothing escapes but state and outputs."""

    def __init__(self, content: Content, state: State, now: datetime, resume_after: timedelta):
        self.content = content
        self.state = state
        self.now = now
        self.resume_after = resume_after
        self.outputs: list[Output] = []

    # --- helpers --------------------------------------------------------------------------

    @property
    def dialog(self) -> Dialog:
        return self.state.dialog

    @property
    def screens(self) -> Screens:
        return Screens(self.content, self.state, self.now)

    @property
    def ui(self) -> UiTexts:
        return self.content.ui(self.dialog.language)

    @property
    def local_now(self) -> datetime:
        return utc_to_local(self.now, self.state.profile.timezone)

    def update(self, **changes: object) -> None:
        self.state = self.state.with_dialog(**changes)

    def say(self, text: str) -> None:
        self.outputs.append(Say(text))

    def notice(self, text: str) -> None:
        self.outputs.append(Notice(text))

    def show(self, screen: Screen, arg: str | None = None, *, text: str | None = None) -> None:
        """Draw a screen with a new prompt number, which retires every older button. Any screen
        but the pause's own ends a pause: the client is busy again (an answer changed after
        "Later verder" is an answer)."""
        seq = self.dialog.prompt_seq + 1
        self.update(prompt_seq=seq, screen=screen, screen_arg=arg, paused=screen is Screen.RESUME)
        if screen is Screen.RESUME:
            message = self.screens.resume(seq, text or self.ui.paused)
        else:
            drawn = self.draw(seq)
            if drawn is None:
                raise ValueError(f"screen {screen} ({arg}) cannot be drawn")
            message = drawn
        self.outputs.append(message)

    def draw(self, seq: int) -> Say | None:
        """The screen the client is on, drawn with prompt number `seq` (None: nothing to draw).
        Turns that know more screens extend this."""
        return self.screens.current(seq)

    def show_current(self) -> None:
        """Show again what the client was looking at (after help, an unreadable message, ...)."""
        dialog = self.dialog
        if dialog.paused or dialog.screen is Screen.RESUME:
            self.show(Screen.RESUME)
        elif self.draw(dialog.prompt_seq) is not None:
            self.show(dialog.screen, dialog.screen_arg)
        else:  # nothing drawable (a screen of content that has since changed): the way on
            self.show(Screen.QUESTION if dialog.frame else Screen.MENU)

    def frame_flow_node(self) -> tuple[Frame, Flow, Node] | None:
        frame = self.dialog.frame
        if frame is None or frame.flow not in self.content.flows:
            return None
        flow = self.content.flows[frame.flow]
        if not flow.has_node(frame.node):
            return None
        return frame, flow, flow.node(frame.node)

    def replace_frame(self, frame: Frame) -> None:
        self.update(stack=(*self.dialog.stack[:-1], frame))

    def save(self, key: str, answer: Answer) -> None:
        self.outputs.append(SaveAnswer(key, answer.status, answer.text, answer.choices))
        self.state = replace(self.state, answers={**self.state.answers, key: answer})

    # --- events ---------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        if not self.dialog.consented:
            self.handle_stranger(event)
            return
        match event:
            case Command(name=name):
                self.handle_command(name)
            case Press(data=data):
                self.handle_press(data)
            case Text(text=text):
                self.handle_text(text)
            case UnknownCommand():
                self.say(self.ui.unknown_command)
                self.show_current()
            case Unreadable():
                self.say(self.ui.unreadable)
                self.show_current()
            case Edited():
                self.say(self.ui.edited)

    def handle_stranger(self, event: Event) -> None:
        """Before consent the state lives only in this step; the buttons carry the language."""
        match event:
            case Press(data=data):
                parsed = callbacks.parse(data)
            case Text(text=text):
                parsed = callbacks.parse(self.typed_welcome_button(text) or "")
            case _:
                parsed = None
        if (
            isinstance(parsed, callbacks.ChooseLanguage | callbacks.Consent)
            and parsed.language in self.content.languages
        ):
            self.update(language=parsed.language)
        if isinstance(parsed, callbacks.Consent) and parsed.given:
            self.update(consented=True)
            self.after_consent()
        elif isinstance(parsed, callbacks.Consent):
            self.say(self.ui.declined)
        else:
            self.update(screen=Screen.WELCOME)
            self.outputs.append(self.screens.welcome())

    def typed_welcome_button(self, text: str) -> str | None:
        """A welcome button typed instead of pressed: its label, or the label's first word
        ("ja", "nee", "English"), as people answer "Mag ik je antwoorden bewaren?"."""
        typed = normalise_label(text)
        for row in self.screens.welcome().buttons:
            for button in row:
                label = normalise_label(button.label)
                if typed and typed in (label, label.split(" ")[0]):
                    return button.data
        return None

    def after_consent(self) -> None:
        """Right after consent: the flow that starts everything (the strengths inventory)."""
        first = next(f for f in self.content.flows.values() if f.starts_after_consent)
        self.start_flow(first)

    def handle_command(self, name: CommandName) -> None:
        match name:
            case CommandName.START if self.dialog.frame:
                frame = self.dialog.frame
                text = self.ui.welcome_back.format(where=self.screens.where(frame))
                self.show(Screen.RESUME, text=text)
            case CommandName.START | CommandName.MENU:
                self.show(Screen.MENU)
            case CommandName.HELP:
                self.say(self.ui.help)
                self.show_current()
            case CommandName.LANGUAGE:
                self.show(Screen.LANGUAGE)
            case _ if (flow := self.content.command_flow(name)) is not None:
                self.start_flow(flow)
            case _ if (flow := self.content.overview_flow(name)) is not None:
                self.show_overview(flow)
            case _:
                self.say(self.ui.unknown_command)
                self.show_current()

    def handle_text(self, raw: str) -> None:
        text = clean_text(raw)
        if not text:
            self.say(self.ui.unreadable)
            self.show_current()
            return
        if self.typed_press(text):
            return
        last = self.dialog.last_event_at
        away = last is not None and self.now - last > self.resume_after
        located = self.frame_flow_node()
        screen = self.dialog.screen
        if located and (self.dialog.paused or away or screen in (Screen.HELD, Screen.REPLACE)):
            # After a pause or a long silence the client may not remember the question, and
            # on a yes/no about an answer the text may be meant otherwise: it is kept, and
            # they say whether it is the answer.
            self.replace_frame(located[0].model_copy(update={"held": text}))
            self.show(Screen.HELD)
        elif located and screen is Screen.QUESTION:
            self.answer_text(text, *located)
        elif located:
            self.say(self.ui.text_not_saved)
            self.show(Screen.QUESTION)
        else:
            self.say(self.ui.text_no_question)
            self.show(Screen.MENU)

    def typed_press(self, text: str) -> bool:
        """A typed label ("weet ik niet", "later verder") counts as pressing that button, and
        so do the typed ways to say "don't know" ("geen idee"); whether it was one."""
        typed = normalise_label(text)
        current = self.draw(self.dialog.prompt_seq)
        buttons = [button for row in (current.buttons if current else ()) for button in row]
        pressed = next((b for b in buttons if typed and normalise_label(b.label) == typed), None)
        data = pressed.data if pressed else self.answer_button(typed, buttons)
        if data is None:
            data = self.dont_know(typed)
        if data is None:
            return False
        start = len(self.outputs)
        self.handle_press(data)
        # A typed message has no button to show a short note under: the note is said.
        self.outputs[start:] = [
            Say(output.text) if isinstance(output, Notice) else output
            for output in self.outputs[start:]
        ]
        return True

    def answer_button(self, word: str, buttons: list[Button]) -> str | None:
        """At a single choice, a "klopt dat?" or another yes/no, the one answer whose label
        starts with the one word typed ("ja", "nee", "ik"). Read as a date, a name or own
        words instead, "ja" would be "not understood", someone called "ik", or a silent no."""
        located = self.frame_flow_node()
        if not word or " " in word or located is None:
            return None
        frame, _, node = located
        screen = self.dialog.screen
        if screen is Screen.HELD:
            actions: tuple[str, ...] = ("take", "leave")
        elif screen is Screen.REPLACE:
            actions = ("keep", "replace")
        elif screen is not Screen.QUESTION:
            return None
        elif frame.pending is not None:
            actions = ("yes", "no")
        elif node.kind is NodeKind.CHOICE:
            actions = ("o",)
        else:
            return None
        found = [
            button.data
            for button in buttons
            if isinstance(parsed := callbacks.parse(button.data), callbacks.Prompted)
            and parsed.action in actions
            and normalise_label(button.label).split()[:1] == [word]
        ]
        return found[0] if len(found) == 1 else None

    def dont_know(self, typed: str) -> str | None:
        """The "weet ik niet" of the question on screen, when that is what was typed, in any
        language the bot speaks. A required question says it needs an answer, unless its
        answer is one of the buttons: then the client hears to choose one."""
        located = self.frame_flow_node()
        if located is None or self.dialog.screen is not Screen.QUESTION or located[0].pending:
            return None
        _, flow, node = located
        if node.required and not takes_own_words(flow, node):
            return None
        words = {
            normalise_label(phrase)
            for language in self.content.languages
            for phrase in self.content.ui(language).dont_know_typed
        }
        return callbacks.prompted(self.dialog.prompt_seq, "unknown") if typed in words else None

    def handle_press(self, data: str) -> None:
        parsed = callbacks.parse(data)
        match parsed:
            case callbacks.ChooseLanguage(language=language):
                self.set_language(language)
            case callbacks.Consent():
                self.notice(self.ui.already_consented)
            case callbacks.ReminderAction():
                self.handle_reminder_action(parsed)
            case callbacks.Prompted(seq=seq) if seq == self.dialog.prompt_seq:
                self.handle_action(parsed.action, parsed.arg)
            case callbacks.Prompted(seq=seq) if seq == self.dialog.prompt_seq - 1:
                # Most likely a second quick tap on the message just answered.
                self.notice(self.ui.stale_button)
            case _:
                self.notice(self.ui.stale_button)
                self.show_current()

    def handle_reminder_action(self, action: callbacks.ReminderAction) -> None:
        """Buttons under a reminder; the action plan defines them."""
        self.notice(self.ui.stale_button)

    def handle_action(self, action: str, arg: str) -> None:
        located = self.frame_flow_node() if self.dialog.screen is Screen.QUESTION else None
        flow_id, _, rest = arg.partition("/")
        flow = self.content.flows.get(flow_id)
        match action:
            case "o" | "done" | "skip" | "unknown" | "back" | "sug" | "quick" | "yes" | "no" if (
                located
            ):
                self.question_action(action, arg, *located)
            case "pause":
                self.show(Screen.RESUME)
            case "resume":
                self.show(Screen.QUESTION if self.dialog.frame else Screen.MENU)
            case "take" | "leave" if self.dialog.screen is Screen.HELD and (
                held := self.frame_flow_node()
            ):
                self.settle_held(held[0], take=action == "take")
            case "keep" | "replace" if self.dialog.screen is Screen.REPLACE and (
                answered := self.frame_flow_node()
            ):
                self.settle_replace(*answered, replacing=action == "replace")
            case "menu":
                self.show(Screen.MENU)
            case "help":
                self.handle_command(CommandName.HELP)
            case "language":
                self.show(Screen.LANGUAGE)
            case "flow" if flow:
                self.start_flow(flow)
            case "overview" if flow:
                self.show_overview(flow)
            case "topics" if flow:
                self.show(Screen.EDIT_TOPICS, flow.id)
            case "topic" if flow and flow.has_node(rest):
                self.edit(flow, flow.node(rest))
            case "topic" if flow and any(node.group == rest for node in flow.questions):
                self.show(Screen.EDIT_QUESTIONS, arg)
            case "edit" if flow and flow.has_node(rest) and flow.node(rest).is_question:
                self.edit(flow, flow.node(rest))
            case _:
                self.notice(self.ui.stale_button)
                self.show_current()

    # --- questions ------------------------------------------------------------------------

    def question_action(self, action: str, arg: str, frame: Frame, flow: Flow, node: Node) -> None:
        if flow.collects:
            self.value_action(action, arg, frame, flow, node)
            return
        key = flow.answer_key(node)
        match action:
            case "skip" | "unknown" if self.answered(frame, flow, node):
                self.show(Screen.REPLACE, action)
            case "o" if arg in node.options and node.kind is NodeKind.MULTI_CHOICE:
                self.toggle(arg, frame, node)
            case "o" if arg in node.options:
                self.save(key, Answer(AnswerStatus.ANSWERED, choices=(arg,)))
                self.advance()
            case "done" if node.kind is NodeKind.MULTI_CHOICE:
                if len(frame.selection) < node.min_choices:
                    self.notice(self.ui.choose_at_least.format(min=node.min_choices))
                    return
                self.save(key, Answer(AnswerStatus.ANSWERED, choices=frame.selection))
                self.advance()
            case "skip":
                # Skipping a question answered earlier keeps that answer.
                if key not in self.state.answers:
                    self.save(key, Answer(AnswerStatus.SKIPPED))
                self.advance()
            case "unknown":
                self.save(key, Answer(AnswerStatus.UNKNOWN))
                self.advance()
            case "back":
                self.back(frame, flow)
            case _:
                self.notice(self.ui.stale_button)
                self.show_current()

    def value_action(self, action: str, arg: str, frame: Frame, flow: Flow, node: Node) -> None:
        """A button on a question of a flow that makes records: the answer goes to the frame."""
        options = dict(self.screens.options(node))
        suggestions = self.screens.suggestions(node)
        match action:
            case "o" if arg in options and node.kind is NodeKind.MULTI_CHOICE:
                self.toggle(arg, frame, node)
            case "o" if arg in options:
                self.answer_value(frame, node, arg)
            case "done" if node.kind is NodeKind.MULTI_CHOICE:
                if len(frame.selection) < node.min_choices:
                    self.notice(self.ui.choose_at_least.format(min=node.min_choices))
                    return
                self.answer_value(frame, node, ",".join(frame.selection))
            case "sug" if (index := whole_number(arg)) is not None and index < len(suggestions):
                group, text = suggestions[index]
                if node.suggest_group and group:
                    frame = frame.model_copy(
                        update={"values": {**frame.values, node.suggest_group: group}}
                    )
                self.answer_value(frame, node, text)
            case "quick" if node.kind in (NodeKind.DATE, NodeKind.MOMENT):
                self.quick(arg, frame, node)
            case "yes" if frame.pending is not None:
                self.answer_value(frame.model_copy(update={"pending": None}), node, frame.pending)
            case "no" if frame.pending is not None:
                self.replace_frame(frame.model_copy(update={"pending": None}))
                self.show(Screen.QUESTION)
            case "skip" | "unknown" if node.required:
                self.notice(self.ui.required)
            case "skip" | "unknown" if self.answered(frame, flow, node):
                self.show(Screen.REPLACE, action)
            case "skip":
                self.replace_frame(frame.model_copy(update={"pending": None}))
                self.advance()
            case "unknown":
                self.answer_value(frame, node, records.UNKNOWN_VALUE)
            case "back":
                self.back(frame, flow)
            case _:
                self.notice(self.ui.stale_button)
                self.show_current()

    def answer_value(self, frame: Frame, node: Node, value: str) -> None:
        values = {**frame.values, node.id: value}
        self.replace_frame(frame.model_copy(update={"values": values, "pending": None}))
        self.advance(chosen=value)

    def answered(self, frame: Frame, flow: Flow, node: Node) -> bool:
        """Whether the question has an answer that "weet ik niet" or "overslaan" would replace:
        a stored one, or a value of the record being changed (a step's date)."""
        if flow.collects:
            value = frame.values.get(node.id, records.UNKNOWN_VALUE)
            return frame.single and value != records.UNKNOWN_VALUE
        answer = self.state.answers.get(flow.answer_key(node))
        return answer is not None and answer.status is AnswerStatus.ANSWERED

    def settle_replace(self, frame: Frame, flow: Flow, node: Node, *, replacing: bool) -> None:
        """The answer to "keep the answer you had?": kept, the client goes on as they meant
        to; replaced, by "weet ik niet" or by nothing (skipped)."""
        unknown = self.dialog.screen_arg == "unknown"
        if not replacing and frame.single:
            self.back(frame, flow)  # the change is called off: nothing to save
        elif not replacing:
            self.advance()
        elif flow.collects and unknown:
            self.answer_value(frame, node, records.UNKNOWN_VALUE)
        elif flow.collects:
            values = {k: v for k, v in frame.values.items() if k != node.id}
            self.replace_frame(frame.model_copy(update={"values": values, "pending": None}))
            self.advance()
        else:
            status = AnswerStatus.UNKNOWN if unknown else AnswerStatus.SKIPPED
            self.save(flow.answer_key(node), Answer(status))
            self.advance()

    def settle_held(self, frame: Frame, *, take: bool) -> None:
        """Held text taken as typed at its question (the answer, or the button it names), or
        left unsaved."""
        assert frame.held is not None
        self.replace_frame(frame.model_copy(update={"held": None}))
        if not take:
            self.say(self.ui.held_left)
            self.show(Screen.QUESTION)
            return
        self.update(screen=Screen.QUESTION)
        if not self.typed_press(frame.held):
            located = self.frame_flow_node()
            assert located is not None
            self.answer_text(frame.held, *located)

    def quick(self, choice: str, frame: Frame, node: Node) -> None:
        """A common date or moment pressed; it is confirmed like a typed one."""
        today = self.local_now.date()
        # "On the day itself" means the date this flow asked before (a step's target date).
        flow = self.content.flows[frame.flow]
        dated = [
            frame.values[n.id]
            for n in flow.nodes
            if n.kind is NodeKind.DATE and frame.values.get(n.id)
        ]
        due = date.fromisoformat(dated[0]) if dated else today + timedelta(days=1)
        days = {"today": 0, "tomorrow": 1, "week": 7}
        moments = {
            "due_morning": (due, _DUE_MORNING),
            "eve_evening": (due - timedelta(days=1), _EVE_EVENING),
            "tomorrow": (today + timedelta(days=1), time(10)),
        }
        if node.kind is NodeKind.DATE and choice in days:
            self.propose(frame, node, (today + timedelta(days=days[choice])).isoformat())
        elif node.kind is NodeKind.MOMENT and choice == "none":
            values = {k: v for k, v in frame.values.items() if k != node.id}
            self.replace_frame(frame.model_copy(update={"values": values, "pending": None}))
            self.advance()
        elif node.kind is NodeKind.MOMENT and choice in moments:
            day, at = moments[choice]
            moment = local_to_utc(datetime.combine(day, at), self.state.profile.timezone)
            self.propose(frame, node, moment.isoformat())
        else:
            self.notice(self.ui.stale_button)

    def propose(self, frame: Frame, node: Node, value: str) -> None:
        """A date or moment understood: ask "klopt dat?" unless it has already passed."""
        if node.kind is NodeKind.DATE and date.fromisoformat(value) < self.local_now.date():
            self.say(self.ui.date_in_past)
            self.show(Screen.QUESTION)
        elif node.kind is NodeKind.MOMENT and datetime.fromisoformat(value) <= self.now:
            self.say(self.ui.moment_in_past)
            self.show(Screen.QUESTION)
        else:
            self.replace_frame(frame.model_copy(update={"pending": value}))
            self.show(Screen.QUESTION)

    def toggle(self, option: str, frame: Frame, node: Node) -> None:
        selection = frame.selection
        if option in selection:
            selection = tuple(o for o in selection if o != option)
        elif len(selection) >= node.max_choices:
            self.notice(self.ui.choose_at_most.format(max=node.max_choices))
            return
        else:
            order = [o for o, _ in self.screens.options(node)]
            selection = tuple(o for o in order if o in {*selection, option})
        frame = frame.model_copy(update={"selection": selection})
        self.replace_frame(frame)
        message = self.screens.question(frame, self.dialog.prompt_seq)
        self.outputs.append(Replace(message.text, message.buttons))

    def answer_text(self, text: str, frame: Frame, flow: Flow, node: Node) -> None:
        if flow.collects:
            self.typed_value(text, frame, node)
            return
        if node.kind is NodeKind.MULTI_CHOICE:
            # Own words next to (or instead of) the options: kept together as one answer.
            answer = Answer(AnswerStatus.ANSWERED, text=text, choices=frame.selection)
        else:
            answer = Answer(AnswerStatus.ANSWERED, text=text)
        self.save(flow.answer_key(node), answer)
        self.advance()

    def typed_value(self, text: str, frame: Frame, node: Node) -> None:
        language = self.dialog.language
        today = self.local_now.date()
        if node.kind is NodeKind.DATE:
            day = parse_date(text, language, today)
            if day is None:
                self.say(self.ui.date_not_understood)
                self.show(Screen.QUESTION)
            elif beyond_horizon(day, today):
                self.say(self.ui.date_too_far.format(years=HORIZON_YEARS))
                self.show(Screen.QUESTION)
            else:
                self.propose(frame, node, day.isoformat())
        elif node.kind is NodeKind.MOMENT:
            moment = parse_moment(text, language, self.local_now)
            if moment is None:
                self.say(self.ui.moment_not_understood)
                self.show(Screen.QUESTION)
            elif beyond_horizon(moment.date(), today):  # before UTC: 31-12-9999 would overflow
                self.say(self.ui.date_too_far.format(years=HORIZON_YEARS))
                self.show(Screen.QUESTION)
            else:
                utc = local_to_utc(moment.replace(tzinfo=None), self.state.profile.timezone)
                self.propose(frame, node, utc.isoformat())
        elif not takes_own_words(self.content.flows[frame.flow], node):
            self.say(self.ui.choose_button)
            self.show(Screen.QUESTION)
        else:
            self.answer_value(frame, node, text)

    def advance(self, chosen: str | None = None) -> None:
        frame = self.dialog.frame
        assert frame is not None
        flow = self.content.flows[frame.flow]
        node = flow.node(frame.node)
        if frame.single and flow.collects:
            self.finish_edit(frame, flow, node)
            return
        if frame.single:
            self.update(stack=self.dialog.stack[:-1])
            self.say(self.ui.saved)
            self.show(Screen.EDIT_TOPICS, frame.flow)
            return
        history = (*frame.history, frame.node)
        target = node.next.get(chosen or "")
        if target is not None:
            # A jump back (another step for the same goal): what was said from there on is
            # asked again, so it is cleared.
            ids = [n.id for n in flow.nodes]
            cleared = set(ids[ids.index(target) :])
            values = {k: v for k, v in frame.values.items() if k not in cleared}
            self.go_to(flow, flow.node(target), history, values)
        else:
            self.go_to(flow, flow.after(frame.node), history, frame.values)

    def applies(self, node: Node, values: dict[str, str]) -> bool:
        if any(values.get(name) != wanted for name, wanted in node.when.items()):
            return False
        if any(values.get(name) for name in node.unless):
            return False
        return not (node.skip_if_known and node.id in values)

    def asked(self, node: Node, values: dict[str, str]) -> bool:
        """Whether the flow stops at this question. One about the client's own goals or
        resources is passed by when they have none yet, unless the flow cannot do without it."""
        if not (node.is_question and self.applies(node, values)):
            return False
        return node.required or not node.dynamic_options or bool(self.screens.options(node))

    def go_to(
        self, flow: Flow, node: Node | None, history: tuple[str, ...], values: dict[str, str]
    ) -> None:
        # Walk to the next question that applies, doing what the nodes on the way say.
        while node is not None and not self.asked(node, values):
            if self.applies(node, values) and node.kind is NodeKind.SUBFLOW:
                self.enter_subflow(flow, node, history, values)
                return
            if self.applies(node, values):
                values = self.pass_through(flow, node, values)
            node = flow.after(node.id)
        if node is not None and node.dynamic_options and not self.screens.options(node):
            self.say(self.ui.no_goals)
            node = None
        if node is None:
            self.end_flow()
            return
        self.replace_frame(Frame(flow=flow.id, node=node.id, history=history, values=values))
        self.show(Screen.QUESTION)

    def pass_through(self, flow: Flow, node: Node, values: dict[str, str]) -> dict[str, str]:
        """An info node says its text; a save node makes its record (and numbers it)."""
        if node.kind is NodeKind.INFO:
            self.say(self.screens.prompt(flow, node, values))
        elif node.record is not None:
            answered = tuple(n.id for n in flow.questions if n.kind is NodeKind.TEXT)
            self.state, values, made = records.build(
                node.record, values, self.state, answered, self.now, self.ui
            )
            self.outputs.extend(made)
        return values

    def enter_subflow(
        self, flow: Flow, node: Node, history: tuple[str, ...], values: dict[str, str]
    ) -> None:
        """Run another flow here; `end_flow` brings the client back to go on after `node`."""
        assert node.subflow is not None
        self.replace_frame(Frame(flow=flow.id, node=node.id, history=history, values=values))
        child = self.content.flows[node.subflow]
        # A "weet ik niet" (empty) is not passed: it would fill a required question.
        passed = {k: values[v] for k, v in node.pass_values.items() if values.get(v)}
        self.update(stack=(*self.dialog.stack, Frame(flow=child.id, node=child.nodes[0].id)))
        self.go_to(child, child.nodes[0], (), passed)

    def end_flow(self) -> None:
        """The flow is done: back to the flow it was started from, or to the menu."""
        self.update(stack=self.dialog.stack[:-1])
        parent = self.dialog.frame
        if parent is not None and not parent.single:
            flow = self.content.flows[parent.flow]
            if flow.node(parent.node).kind is NodeKind.SUBFLOW:
                # What the sub-flow made is saved; going back past it would make it again
                # (a second step after "why"), so the way back starts here.
                self.go_to(flow, flow.after(parent.node), (), parent.values)
                return
        self.show(Screen.QUESTION if parent else Screen.MENU)

    def back(self, frame: Frame, flow: Flow) -> None:
        if frame.single and flow.collects:
            self.update(stack=self.dialog.stack[:-1])
            self.after_edit(frame)
        elif frame.single:
            self.update(stack=self.dialog.stack[:-1])
            self.show(Screen.EDIT_TOPICS, frame.flow)
        elif not frame.history:
            self.notice(self.ui.first_question)
        else:
            previous = Frame(
                flow=flow.id,
                node=frame.history[-1],
                history=frame.history[:-1],
                values=frame.values,
            )
            self.replace_frame(previous)
            self.show(Screen.QUESTION)

    # --- flows, edits, overview, language -----------------------------------------------------

    def start_flow(self, flow: Flow, values: dict[str, str] | None = None) -> None:
        # An edit left open (the client went to the menu instead) is dropped, not resumed.
        stack = tuple(f for f in self.dialog.stack if not f.single)
        running = self.running(stack, flow.id)
        if running and values is None:
            # Started again while under way (/plan twice, perhaps while in its step, or under
            # another flow): carry on rather than lose answers; it comes back on top.
            others = tuple(f for i, f in enumerate(stack) if i not in running)
            self.update(stack=(*others, *(stack[i] for i in running)))
            self.show(Screen.QUESTION)
            return
        # Starting a flow again replaces an unfinished run of it rather than stacking a second.
        stack = tuple(f for f in stack if f.flow != flow.id)
        placeholder = Frame(flow=flow.id, node=flow.nodes[0].id)
        self.update(stack=(*stack, placeholder))
        self.go_to(flow, flow.nodes[0], (), values or {})

    def running(self, stack: tuple[Frame, ...], flow_id: str) -> range:
        """Where in the stack a flow is under way: its frame and the sub-flows it is in."""
        starts = [i for i, f in enumerate(stack) if f.flow == flow_id]
        if not starts:
            return range(0)
        end = starts[-1]
        while end + 1 < len(stack):
            parent, child = stack[end], stack[end + 1]
            node = self.content.flows[parent.flow].node(parent.node)
            if node.kind is not NodeKind.SUBFLOW or node.subflow != child.flow:
                break
            end += 1
        return range(starts[-1], end + 1)

    def edit(self, flow: Flow, node: Node) -> None:
        self.update(stack=(*self.dialog.stack, Frame(flow=flow.id, node=node.id, single=True)))
        self.show(Screen.QUESTION)

    def edit_values(self, flow: Flow, node: Node, values: dict[str, str]) -> None:
        """Ask one question of a record again (a step's date), with the record's values."""
        frame = Frame(flow=flow.id, node=node.id, single=True, values=values)
        self.update(stack=(*self.dialog.stack, frame))
        self.show(Screen.QUESTION)

    def finish_edit(self, frame: Frame, flow: Flow, node: Node) -> None:
        """After one answer of an edit: ask what depends on it, then save the record."""
        for follower in flow.nodes:
            if (
                node.id in follower.when
                and follower.is_question
                and self.applies(follower, frame.values)
                and follower.id not in frame.values
            ):
                self.replace_frame(frame.model_copy(update={"node": follower.id, "held": None}))
                self.show(Screen.QUESTION)
                return
        save = next(n for n in flow.nodes if n.kind is NodeKind.SAVE and n.record is not None)
        assert save.record is not None
        self.state, _, made = records.build(
            save.record, frame.values, self.state, (), self.now, self.ui
        )
        self.outputs.extend(made)
        self.update(stack=self.dialog.stack[:-1])
        self.say(self.ui.saved)
        self.after_edit(frame)

    def after_edit(self, frame: Frame) -> None:
        """Where an edit of a record returns to; the plan extends this."""
        self.show_current()

    def show_overview(self, flow: Flow) -> None:
        prefix = f"{flow.id}."
        if not any(key.startswith(prefix) for key in self.state.answers):
            self.say(self.ui.overview_empty)
            self.show(Screen.MENU)
            return
        self.say(self.screens.overview(flow))
        self.show(Screen.EDIT_TOPICS, flow.id)

    def set_language(self, language: str) -> None:
        if language not in self.content.languages:
            self.notice(self.ui.stale_button)
            return
        if language == self.dialog.language and self.dialog.screen is not Screen.LANGUAGE:
            self.notice(self.ui.language_already)
            return
        self.update(language=language)
        self.say(self.ui.language_set)
        if self.dialog.screen is Screen.LANGUAGE:
            self.update(screen=Screen.NONE)
        self.show_current()

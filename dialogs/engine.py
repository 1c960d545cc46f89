"""The dialog engine: a pure function (state, event, now) -> (state, outputs).

No Telegram, no SQL, no clock: whatever drives the engine (the bot, the terminal chat, a test)
loads the state, passes the time in, stores what comes out and performs the outputs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta

from dialogs import callbacks
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
from dialogs.outputs import Notice, Output, Replace, SaveAnswer, Say
from dialogs.screens import Screens, normalise_label
from dialogs.state import Answer, AnswerStatus, Dialog, Frame, Screen, State

# Invisible characters that make a message look empty (zero-width space, joiners, BOM).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))


def clean_text(text: str) -> str:
    """The text without invisible characters and surrounding space."""
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE)).strip()


def new_state(language: str) -> State:
    """The state of someone the bot has not met: nothing stored until they consent."""
    return State(Dialog(language=language))


class Engine:
    """Binds the content and the few behaviour settings; `step` is the whole engine."""

    def __init__(self, content: Content, *, resume_after: timedelta = timedelta(hours=12)):
        self.content = content
        self.resume_after = resume_after

    def step(self, state: State, event: Event, now: datetime) -> tuple[State, list[Output]]:
        """React to one event. Deterministic: the same input always gives the same output."""
        turn = _Turn(self.content, self._known_frames(state), now, self.resume_after)
        turn.handle(event)
        return turn.state.with_dialog(last_event_at=now), turn.outputs

    def _known_frames(self, state: State) -> State:
        # Content can change between two messages (an organisation edits its domains); a
        # frame pointing at a flow or node that is gone is dropped instead of failing.
        flows = self.content.flows
        stack = tuple(
            f for f in state.dialog.stack if f.flow in flows and flows[f.flow].has_node(f.node)
        )
        return state if stack == state.dialog.stack else state.with_dialog(stack=stack)


class _Turn:
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
        return Screens(self.content, self.state)

    @property
    def ui(self) -> UiTexts:
        return self.content.ui(self.dialog.language)

    def update(self, **changes: object) -> None:
        self.state = self.state.with_dialog(**changes)

    def say(self, text: str) -> None:
        self.outputs.append(Say(text))

    def notice(self, text: str) -> None:
        self.outputs.append(Notice(text))

    def show(self, screen: Screen, arg: str | None = None, *, text: str | None = None) -> None:
        """Draw a screen with a new prompt number, which retires every older button."""
        seq = self.dialog.prompt_seq + 1
        self.update(prompt_seq=seq, screen=screen, screen_arg=arg)
        screens = self.screens
        match screen:
            case Screen.QUESTION:
                frame = self.dialog.frame
                assert frame is not None
                message = screens.question(frame, seq)
            case Screen.MENU:
                message = screens.menu(seq)
            case Screen.RESUME:
                message = screens.resume(seq, text or self.ui.paused)
            case Screen.LANGUAGE:
                message = screens.language_choice(seq)
            case Screen.EDIT_TOPICS:
                message = screens.edit_topics(self.content.flows[arg or ""], seq)
            case Screen.EDIT_QUESTIONS:
                flow_id, _, group = (arg or "").partition("/")
                message = screens.edit_questions(self.content.flows[flow_id], group, seq)
            case _:
                raise ValueError(f"screen {screen} is not drawn this way")
        self.outputs.append(message)

    def show_current(self) -> None:
        """Show again what the client was looking at (after help, an unreadable message, ...)."""
        dialog = self.dialog
        if dialog.paused or dialog.screen is Screen.RESUME:
            self.show(Screen.RESUME)
        elif self.screens.current(dialog.prompt_seq) is not None:
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
        parsed = callbacks.parse(event.data) if isinstance(event, Press) else None
        if (
            isinstance(parsed, callbacks.ChooseLanguage | callbacks.Consent)
            and parsed.language in self.content.languages
        ):
            self.update(language=parsed.language)
        if isinstance(parsed, callbacks.Consent) and parsed.given:
            self.update(consented=True)
            first = next(f for f in self.content.flows.values() if f.starts_after_consent)
            self.start_flow(first)
        elif isinstance(parsed, callbacks.Consent):
            self.say(self.ui.declined)
        else:
            self.update(screen=Screen.WELCOME)
            self.outputs.append(self.screens.welcome())

    def handle_command(self, name: CommandName) -> None:
        match name:
            case CommandName.START if self.dialog.frame:
                frame = self.dialog.frame
                text = self.ui.welcome_back.format(where=self.screens.where(frame))
                self.update(paused=True)
                self.show(Screen.RESUME, text=text)
            case CommandName.START | CommandName.MENU:
                self.show(Screen.MENU)
            case CommandName.HELP:
                self.say(self.ui.help)
                self.show_current()
            case CommandName.LANGUAGE:
                self.show(Screen.LANGUAGE)
            case CommandName.STRENGTHS:
                flow = self.content.overview_flow(name)
                if flow is None:
                    self.say(self.ui.unknown_command)
                    self.show_current()
                else:
                    self.show_overview(flow)

    def handle_text(self, raw: str) -> None:
        text = clean_text(raw)
        if not text:
            self.say(self.ui.unreadable)
            self.show_current()
            return
        # A typed label ("weet ik niet", "later verder") counts as pressing that button.
        typed = normalise_label(text)
        current = self.screens.current(self.dialog.prompt_seq)
        for row in current.buttons if current else ():
            for button in row:
                if typed and normalise_label(button.label) == typed:
                    self.handle_press(button.data)
                    return
        last = self.dialog.last_event_at
        away = last is not None and self.now - last > self.resume_after
        located = self.frame_flow_node()
        if located and (self.dialog.paused or away):
            # After a pause or a long silence the client may not remember the question, so a
            # message is not taken as its answer; we say so plainly.
            where = self.screens.where(located[0])
            self.update(paused=True)
            text_back = self.ui.welcome_back.format(where=where)
            self.show(Screen.RESUME, text=f"{text_back}\n\n{self.ui.text_not_saved}")
        elif located and self.dialog.screen is Screen.QUESTION:
            self.answer_text(text, *located)
        elif located:
            self.say(self.ui.text_not_saved)
            self.show(Screen.QUESTION)
        else:
            self.show(Screen.MENU)

    def handle_press(self, data: str) -> None:
        parsed = callbacks.parse(data)
        match parsed:
            case callbacks.ChooseLanguage(language=language):
                self.set_language(language)
            case callbacks.Consent():
                self.notice(self.ui.already_consented)
            case callbacks.Prompted(seq=seq) if seq == self.dialog.prompt_seq:
                self.handle_action(parsed.action, parsed.arg)
            case callbacks.Prompted(seq=seq) if seq == self.dialog.prompt_seq - 1:
                # Most likely a second quick tap on the message just answered.
                self.notice(self.ui.stale_button)
            case _:
                self.notice(self.ui.stale_button)
                self.show_current()

    def handle_action(self, action: str, arg: str) -> None:
        located = self.frame_flow_node() if self.dialog.screen is Screen.QUESTION else None
        flow_id, _, rest = arg.partition("/")
        flow = self.content.flows.get(flow_id)
        match action:
            case "o" | "done" | "skip" | "unknown" | "back" if located:
                self.question_action(action, arg, *located)
            case "pause":
                self.update(paused=True)
                self.show(Screen.RESUME)
            case "resume":
                self.update(paused=False)
                self.show(Screen.QUESTION if self.dialog.frame else Screen.MENU)
            case "menu":
                self.show(Screen.MENU)
            case "help":
                self.handle_command(CommandName.HELP)
            case "language":
                self.show(Screen.LANGUAGE)
            case "flow" if flow:
                self.update(paused=False)
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
        key = flow.answer_key(node)
        match action:
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

    def toggle(self, option: str, frame: Frame, node: Node) -> None:
        selection = frame.selection
        if option in selection:
            selection = tuple(o for o in selection if o != option)
        elif len(selection) >= node.max_choices:
            self.notice(self.ui.choose_at_most.format(max=node.max_choices))
            return
        else:
            selection = tuple(o for o in node.options if o in {*selection, option})
        frame = frame.model_copy(update={"selection": selection})
        self.replace_frame(frame)
        message = self.screens.question(frame, self.dialog.prompt_seq)
        self.outputs.append(Replace(message.text, message.buttons))

    def answer_text(self, text: str, frame: Frame, flow: Flow, node: Node) -> None:
        if node.kind is NodeKind.MULTI_CHOICE:
            # Own words next to (or instead of) the options: kept together as one answer.
            answer = Answer(AnswerStatus.ANSWERED, text=text, choices=frame.selection)
        else:
            answer = Answer(AnswerStatus.ANSWERED, text=text)
        self.save(flow.answer_key(node), answer)
        self.advance()

    def advance(self) -> None:
        frame = self.dialog.frame
        assert frame is not None
        if frame.single:
            self.update(stack=self.dialog.stack[:-1])
            self.say(self.ui.saved)
            self.show(Screen.EDIT_TOPICS, frame.flow)
            return
        flow = self.content.flows[frame.flow]
        self.go_to(flow, flow.after(frame.node), (*frame.history, frame.node))

    def go_to(self, flow: Flow, node: Node | None, history: tuple[str, ...]) -> None:
        while node is not None and not node.is_question:
            self.say(self.content.text(self.dialog.language, node.prompt_key))
            node = flow.after(node.id)
        if node is None:
            self.update(stack=self.dialog.stack[:-1])
            self.show(Screen.QUESTION if self.dialog.frame else Screen.MENU)
            return
        self.replace_frame(Frame(flow=flow.id, node=node.id, history=history))
        self.show(Screen.QUESTION)

    def back(self, frame: Frame, flow: Flow) -> None:
        if frame.single:
            self.update(stack=self.dialog.stack[:-1])
            self.show(Screen.EDIT_TOPICS, frame.flow)
        elif not frame.history:
            self.notice(self.ui.first_question)
        else:
            previous = Frame(flow=flow.id, node=frame.history[-1], history=frame.history[:-1])
            self.replace_frame(previous)
            self.show(Screen.QUESTION)

    # --- flows, overview, language ----------------------------------------------------------

    def start_flow(self, flow: Flow) -> None:
        # An edit left open (the client went to the menu instead) is dropped, not resumed.
        stack = tuple(f for f in self.dialog.stack if not f.single)
        if stack and stack[-1].flow == flow.id:
            self.update(stack=stack)
            self.show(Screen.QUESTION)
            return
        # Starting a flow again replaces an unfinished run of it rather than stacking a second.
        stack = tuple(f for f in stack if f.flow != flow.id)
        placeholder = Frame(flow=flow.id, node=flow.nodes[0].id)
        self.update(stack=(*stack, placeholder))
        self.go_to(flow, flow.nodes[0], ())

    def edit(self, flow: Flow, node: Node) -> None:
        self.update(stack=(*self.dialog.stack, Frame(flow=flow.id, node=node.id, single=True)))
        self.show(Screen.QUESTION)

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

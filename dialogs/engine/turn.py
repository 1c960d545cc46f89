"""One step of the engine, for every flow: questions, answers, flows within flows.

`Turn` is mutable while it runs and is thrown away after; only the state and the outputs
escape. It asks the features (`dialogs/conversation.py`) for everything that is not a flow's
question: the interceptors read an event first, and each command, button and screen belongs
to one feature.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dialogs.content.flows import Flow, Node, NodeKind
from dialogs.content.load import Content
from dialogs.content.texts import UiTexts
from dialogs.engine import callbacks, records, typed
from dialogs.engine.events import (
    Command,
    CommandName,
    Edited,
    Event,
    Press,
    Text,
    UnknownCommand,
    Unreadable,
)
from dialogs.engine.feature import Features
from dialogs.engine.outputs import Notice, Output, SaveAnswer, Say
from dialogs.engine.screens import Screens
from dialogs.engine.state import Answer, Dialog, Frame, Screen, State
from dialogs.engine.when import (
    utc_to_local,
)


class Turn:
    """The work of one step. Mutable while it runs; nothing escapes but state and outputs."""

    def __init__(
        self,
        content: Content,
        features: Features,
        state: State,
        now: datetime,
        resume_after: timedelta,
    ):
        self.content = content
        self.features = features
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
        """The screen the client is on, drawn with prompt number `seq` (None: nothing to draw)."""
        return self.features.drawer(self.dialog.screen)(self, seq)

    def draw_confirmation(self, seq: int) -> Say | None:
        """The "are you sure?" on screen: its action's feature draws it."""
        action, _, subject = (self.dialog.screen_arg or "").partition("/")
        confirmation = self.features.confirmation(action)
        return None if confirmation is None else confirmation.draw(self.screens, subject, seq)

    def stale(self) -> None:
        """A button that no longer does anything here: said briefly, and the screen again."""
        self.notice(self.ui.stale_button)
        self.show_current()

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

    def confirming(self, action: str, arg: str) -> bool:
        """Whether "are you sure?" was asked about exactly this (not just any confirm screen)."""
        return self.dialog.screen is Screen.CONFIRM and self.dialog.screen_arg == f"{action}/{arg}"

    def replace_frame(self, frame: Frame) -> None:
        self.update(stack=(*self.dialog.stack[:-1], frame))

    def save(self, key: str, answer: Answer) -> None:
        self.outputs.append(SaveAnswer(key, answer.status, answer.text, answer.choices))
        self.state = replace(self.state, answers={**self.state.answers, key: answer})

    # --- events ---------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        for intercept in self.features.interceptors:
            if intercept(self, event):
                return
        if not self.dialog.consented:
            self.handle_stranger(event)
            return
        match event:
            case Command(name=name):
                self.handle_command(name)
            case Press(data=data):
                self.handle_press(data)
            case Text(text=text):
                typed.handle_text(self, text)
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
                parsed = callbacks.parse(typed.typed_welcome_button(self, text) or "")
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

    def after_consent(self) -> None:
        """Right after consent: what a feature shows first (an invitation), or the inventory."""
        for feature in self.features.features:
            if feature.consent_start is not None and feature.consent_start(self):
                return
        self.start_inventory()

    def start_inventory(self) -> None:
        """The flow that starts everything (the strengths inventory)."""
        first = next(f for f in self.content.flows.values() if f.starts_after_consent)
        self.start_flow(first)

    def handle_command(self, name: CommandName) -> None:
        handler = self.features.command(name)
        if handler is None:
            self.command_flow(name)
        else:
            handler(self)

    def command_flow(self, name: CommandName) -> None:
        """The flow a command starts, or shows the answers of; "unknown" if there is none."""
        if (flow := self.content.command_flow(name)) is not None:
            self.start_flow(flow)
        elif (flow := self.content.overview_flow(name)) is not None:
            self.show_overview(flow)
        else:
            self.say(self.ui.unknown_command)
            self.show_current()

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
        handler = self.features.action(action)
        if handler is None:
            self.stale()
        else:
            handler(self, arg)

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
        """The flow is done: back to the flow it was started from, to where its feature says
        (a flow run on its own), or to the menu."""
        frame = self.dialog.frame
        own_end = self.features.flow_end(frame.flow) if frame is not None else None
        if frame is not None and own_end is not None and len(self.dialog.stack) == 1:
            self.update(stack=())
            own_end(self, frame)
            return
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
        """Where an edit of a record returns to: its feature's screen, or where the client was."""
        for feature in self.features.features:
            if feature.edit_end is not None and feature.edit_end(self, frame):
                return
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

"""The screens of the client's conversation drawn as a Mermaid flowchart, found by driving the
engine itself: every command from the menu, then every button on every screen it reaches, for
a client with one goal, one step, one resource and one counsellor. So the picture is what the
code does, not what someone wrote down about it. Flows are not followed inside: their own
diagram (`content.diagram`) draws them; a button that starts one points at its title."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime

from dialogs.content.diagram import mermaid
from dialogs.content.load import Content
from dialogs.conversation import Engine
from dialogs.engine import callbacks
from dialogs.engine.events import Command, CommandName, Press
from dialogs.engine.outputs import Say
from dialogs.engine.state import (
    Answer,
    AnswerStatus,
    Dialog,
    Goal,
    Resource,
    ResourceKind,
    Screen,
    State,
    Step,
)
from dialogs.engine.turn import Turn
from dialogs.linking.casefile import LinkView, Section

# Any fixed moment: the map must not change with the day it is drawn.
_NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
_MAX_SCREENS = 60


def _sample(content: Content, language: str) -> State:
    first = next(f for f in content.flows.values() if f.starts_after_consent)
    answer = Answer(AnswerStatus.ANSWERED, text="Answer")
    return State(
        Dialog(language=language, consented=True, screen=Screen.MENU),
        answers={first.answer_key(first.questions[0]): answer},
        goals=(Goal(1, "Goal"),),
        steps=(Step(1, 1, "Step"),),
        resources=(Resource(1, "Resource", ResourceKind.CLOSE),),
        last_resource=1,
        links=(LinkView(1, "Counsellor", None, frozenset(Section), _NOW),),
    )


def _quoted(text: str) -> str:
    return " ".join(text.split()).replace('"', "#quot;")[:48]


def _drawn(outputs: list[object]) -> Say | None:
    return next((o for o in reversed(outputs) if isinstance(o, Say) and o.buttons), None)


def _node(state: State, content: Content) -> str:
    dialog = state.dialog
    if dialog.screen is Screen.QUESTION and dialog.frame is not None:
        title = content.text(dialog.language, f"flows.{dialog.frame.flow}.title")
        return f'flow_{dialog.frame.flow}(["↪ {_quoted(title)}"])'
    if dialog.screen is Screen.CONFIRM:  # one "are you sure?" per action
        return f"screen_confirm_{(dialog.screen_arg or '').partition('/')[0]}"
    return f"screen_{dialog.screen.value}"


def diagram(content: Content, language: str) -> str:
    """The flows (`content.diagram`) and the screens, as one Mermaid flowchart."""
    return mermaid(content, language) + "\n".join(screen_map(content, language)) + "\n"


def screen_map(content: Content, language: str) -> list[str]:
    """The lines of a `subgraph` of screens, for the flows' flowchart."""
    engine = Engine(content)
    start = _sample(content, language)
    seen: set[tuple[Screen, str | None]] = set()
    nodes: dict[str, str] = {}
    edges: set[str] = set()
    queue: deque[State] = deque()

    def reached(source: str, label: str, state: State, outputs: list[object]) -> None:
        target = _node(state, content)
        name = target.split("(")[0]
        drawn = _drawn(outputs)
        if state.dialog.screen is not Screen.QUESTION and drawn is not None:
            nodes.setdefault(name, f'{name}["{state.dialog.screen.value}: {_quoted(drawn.text)}"]')
        else:
            nodes.setdefault(name, target)
        edges.add(f'  {source} -->|"{_quoted(label)}"| {name}')
        key = (state.dialog.screen, state.dialog.screen_arg)
        if (
            state.dialog.screen is not Screen.QUESTION
            and key not in seen
            and len(seen) < _MAX_SCREENS
        ):
            seen.add(key)
            queue.append(state)

    for name in CommandName:
        state, outputs = engine.step(start, Command(name), _NOW)
        command = content.commands[language][name].name
        reached("commands", f"/{command}", state, list(outputs))
    while queue:
        state = queue.popleft()
        source = _node(state, content).split("(")[0]
        screen = _redraw(engine, state)
        for row in screen.buttons if screen else ():
            for button in row:
                if not isinstance(callbacks.parse(button.data), callbacks.Prompted):
                    continue
                after, outputs = engine.step(state, Press(button.data), _NOW)
                reached(source, button.label, after, list(outputs))
    lines = ['  subgraph screens["Screens"]', '    commands(["/commands"])']
    lines += [f"    {node}" for _, node in sorted(nodes.items())]
    lines.append("  end")
    return lines + sorted(edges)


def _redraw(engine: Engine, state: State) -> Say | None:
    """The screen `state` is on, as the client sees it now."""
    turn = Turn(engine.content, engine.features, state, _NOW, engine.resume_after)
    return turn.draw(state.dialog.prompt_seq)

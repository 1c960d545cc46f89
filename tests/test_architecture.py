"""The layers as README "How it is built" draws them, checked on the source: no circle of
imports among the project's modules, and each layer imports only the layers below it.

Imports under `if TYPE_CHECKING:` are left out: they are for the type checker, never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dialogs", "reminders", "storage", "turns", "bench")
# What each layer may not import. `storage` reads and writes the engine's value types (a
# stored link is a `LinkView`), so it imports those modules of `dialogs` and nothing else.
FORBIDDEN = {
    "dialogs": ("bot", "storage", "turns", "reminders", "bench"),
    "storage": ("bot", "turns", "reminders", "bench"),
    "reminders": ("bot", "bench"),
    "turns": ("bot", "reminders", "bench"),
    "bot": ("bench",),
}
STORAGE_MAY_READ = frozenset(
    {
        "dialogs.engine.state",
        "dialogs.linking.casefile",
        "dialogs.linking.codes",
        "dialogs.meeting.proposal",
        "dialogs.meeting.state",
    }
)


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module(path): path
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
    if "migrations" not in path.parts
}


def _runtime_nodes(tree: ast.Module) -> Iterator[ast.stmt]:
    """Top-level statements, into plain `if` and `try` blocks but not `if TYPE_CHECKING:`."""
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.If | ast.Try):
            yield from (child for child in ast.walk(node) if isinstance(child, ast.stmt))
        else:
            yield node


def imports(module: str) -> set[str]:
    """The project modules `module` imports when it is loaded: `from a import b` counts as
    importing `a.b` when that is a module, else `a`."""
    found = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports(module) for module in MODULES}


def _cycle() -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_circle_of_imports() -> None:
    assert len(GRAPH) > 100  # the scan found the project
    assert _cycle() is None


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_is_below_it(layer: str) -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if module.split(".")[0] == layer
        for target in targets
        if target.split(".")[0] in FORBIDDEN[layer]
    )
    assert wrong == []


def test_storage_reads_only_the_value_types_of_the_engine() -> None:
    read = {
        target
        for module, targets in GRAPH.items()
        if module.startswith("storage")
        for target in targets
        if target.startswith("dialogs")
    }
    assert read <= STORAGE_MAY_READ, read - STORAGE_MAY_READ

"""Flows and texts as data: YAML files validated by pydantic when the bot starts.

Layout of a content folder (an organisation can point CONTENT_DIR at its own copy):

    flows/<flow id>.yaml   the structure of a conversation, language-neutral
    texts/<language>.yaml  every sentence the bot says, one file per language

A missing translation, an unknown key or a broken file stops start-up with a
`ContentError` that names the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from string import Formatter
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dialogs.events import CommandName

DEFAULT_CONTENT_DIR = Path(__file__).parent / "content"
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)]


class ContentError(Exception):
    """The content cannot be used; the message names the file and the key."""


class NodeKind(StrEnum):
    INFO = "info"  # a message; the flow moves on by itself
    TEXT = "text"  # a free answer
    CHOICE = "choice"  # one option, or free text
    MULTI_CHOICE = "multi_choice"  # a few options, confirmed with "done"


# --- the YAML schema of a flow -------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeSpec(_Strict):
    id: Identifier
    kind: NodeKind
    options: tuple[Identifier, ...] = ()
    options_from: Identifier | None = None  # the name of one of the flow's lists
    min_choices: int = Field(default=1, ge=0)
    max_choices: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _options_fit_kind(self) -> NodeSpec:
        has_options = bool(self.options) or self.options_from is not None
        if self.kind in (NodeKind.CHOICE, NodeKind.MULTI_CHOICE) and not has_options:
            raise ValueError(f"node {self.id!r}: a {self.kind} node needs options or options_from")
        if self.kind in (NodeKind.INFO, NodeKind.TEXT) and has_options:
            raise ValueError(f"node {self.id!r}: a {self.kind} node has no options")
        if self.min_choices > self.max_choices:
            raise ValueError(f"node {self.id!r}: min_choices is larger than max_choices")
        return self


class RepeatSpec(_Strict):
    """The same questions for every item of a list (every life domain, for instance)."""

    repeat: Identifier
    nodes: tuple[NodeSpec, ...] = Field(min_length=1)


class FlowSpec(_Strict):
    id: Identifier
    in_menu: bool = True
    starts_after_consent: bool = False
    overview_command: CommandName | None = None
    lists: dict[Identifier, tuple[Identifier, ...]] = {}
    nodes: tuple[NodeSpec | RepeatSpec, ...] = Field(min_length=1)


# --- the YAML schema of the fixed texts -----------------------------------------------------


class UiTexts(_Strict):
    """Sentences and button labels outside any flow; code reads them by attribute."""

    welcome: str
    consent_yes: str
    consent_no: str
    declined: str
    already_consented: str
    choose_language: str
    language_set: str
    language_already: str
    skip: str
    dont_know: str
    back: str
    pause: str
    done: str
    resume: str
    to_menu: str
    paused: str
    welcome_back: str
    text_not_saved: str
    menu_title: str
    where_nothing: str
    menu_overview: str
    menu_language: str
    menu_help: str
    help: str
    unreadable: str
    unknown_command: str
    edited: str
    stale_button: str
    first_question: str
    previous_answer: str
    status_skipped: str
    status_unknown: str
    status_empty: str
    selected_mark: str
    choose_at_least: str
    choose_at_most: str
    saved: str
    overview_empty: str
    overview_not_yet: str
    edit_pick_topic: str
    edit_pick_question: str
    private_only: str
    error: str


class CommandText(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]
    description: Annotated[str, Field(min_length=1, max_length=256)]


class TextsFile(_Strict):
    language_name: str
    ui: UiTexts
    commands: dict[CommandName, CommandText]
    flows: dict[str, Any]

    @model_validator(mode="after")
    def _every_command(self) -> TextsFile:
        missing = [name.value for name in CommandName if name not in self.commands]
        if missing:
            raise ValueError(f"commands without text: {', '.join(missing)}")
        return self


# --- the loaded, expanded form the engine uses ----------------------------------------------


@dataclass(frozen=True)
class Node:
    """One step of a flow after repeats are expanded; `id` is unique within the flow."""

    id: str
    kind: NodeKind
    prompt_key: str
    label_key: str | None
    options: tuple[str, ...]
    option_keys: tuple[str, ...]
    min_choices: int
    max_choices: int
    group: str | None = None  # the list item this node belongs to (a domain)
    group_key: str | None = None  # text key of that item's name
    position: tuple[int, int] | None = None  # (number, total) for "domain 3 of 8"

    @property
    def is_question(self) -> bool:
        return self.kind is not NodeKind.INFO


@dataclass(frozen=True)
class Flow:
    id: str
    in_menu: bool
    starts_after_consent: bool
    overview_command: CommandName | None
    nodes: tuple[Node, ...]

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"flow {self.id!r} has no node {node_id!r}")

    def has_node(self, node_id: str) -> bool:
        return any(node.id == node_id for node in self.nodes)

    def after(self, node_id: str) -> Node | None:
        ids = [node.id for node in self.nodes]
        index = ids.index(node_id) + 1
        return self.nodes[index] if index < len(self.nodes) else None

    @property
    def questions(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.is_question)

    def answer_key(self, node: Node) -> str:
        return f"{self.id}.{node.id}"


def _expand(spec: FlowSpec) -> Flow:
    nodes: list[Node] = []
    prefix = f"flows.{spec.id}"

    def options_of(node: NodeSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if node.options_from is None:
            return node.options, tuple(f"{prefix}.options.{o}" for o in node.options)
        if node.options_from not in spec.lists:
            raise ValueError(f"node {node.id!r}: options_from names no list {node.options_from!r}")
        items = spec.lists[node.options_from]
        return items, tuple(f"{prefix}.{node.options_from}.{item}.name" for item in items)

    def build(entry: NodeSpec, node_id: str, prompt_key: str, **grouping: Any) -> Node:
        options, option_keys = options_of(entry)
        return Node(
            id=node_id,
            kind=entry.kind,
            prompt_key=prompt_key,
            label_key=None if entry.kind is NodeKind.INFO else f"{prefix}.labels.{entry.id}",
            options=options,
            option_keys=option_keys,
            min_choices=entry.min_choices,
            max_choices=entry.max_choices,
            **grouping,
        )

    for entry in spec.nodes:
        if isinstance(entry, NodeSpec):
            nodes.append(build(entry, entry.id, f"{prefix}.{entry.id}"))
            continue
        if entry.repeat not in spec.lists:
            raise ValueError(f"repeat names no list {entry.repeat!r}")
        items = spec.lists[entry.repeat]
        for number, item in enumerate(items, start=1):
            group_prefix = f"{prefix}.{entry.repeat}.{item}"
            nodes.extend(
                build(
                    template,
                    f"{item}.{template.id}",
                    f"{group_prefix}.{template.id}",
                    group=item,
                    group_key=f"{group_prefix}.name",
                    position=(number, len(items)),
                )
                for template in entry.nodes
            )
    ids = [node.id for node in nodes]
    duplicates = sorted({node_id for node_id in ids if ids.count(node_id) > 1})
    if duplicates:
        raise ValueError(f"node ids used twice: {', '.join(duplicates)}")
    return Flow(
        spec.id, spec.in_menu, spec.starts_after_consent, spec.overview_command, tuple(nodes)
    )


def _required_flow_keys(flow: Flow) -> set[str]:
    keys = {f"flows.{flow.id}.{name}" for name in ("title", "menu_start", "menu_continue")}
    for node in flow.nodes:
        keys.add(node.prompt_key)
        keys.update(node.option_keys)
        if node.label_key:
            keys.add(node.label_key)
        if node.group_key:
            keys.add(node.group_key)
        if node.position:
            keys.add(f"flows.{flow.id}.progress")
    return keys


# Texts that are filled in with values, and the names they may use.
UI_PLACEHOLDERS = {
    "welcome_back": {"where"},
    "menu_title": {"where"},
    "previous_answer": {"answer"},
    "choose_at_least": {"min"},
    "choose_at_most": {"max"},
    "edit_pick_question": {"topic"},
    "overview_not_yet": {"topics"},
}
PROGRESS_PLACEHOLDERS = {"number", "total", "name"}


def _check_placeholders(path: Path, key: str, template: str, allowed: set[str]) -> None:
    try:
        fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ContentError(f"{path}: key {key}: {error}") from None
    unknown = fields - allowed
    if unknown:
        raise ContentError(
            f"{path}: key {key} uses {{{', '.join(sorted(unknown))}}}; "
            f"it may use only {', '.join(sorted(allowed)) or 'no placeholders'}"
        )


def _flatten(tree: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path)
        else:
            yield path, value


# --- the bundle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """All flows and all texts, checked against each other."""

    flows: Mapping[str, Flow]
    texts: Mapping[str, Mapping[str, str]]  # language -> flattened key -> text
    ui_texts: Mapping[str, UiTexts]
    language_names: Mapping[str, str]
    commands: Mapping[str, Mapping[CommandName, CommandText]]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def text(self, language: str, key: str, **values: object) -> str:
        return self.texts[language][key].format(**values)

    def ui(self, language: str) -> UiTexts:
        return self.ui_texts[language]

    def overview_flow(self, command: CommandName) -> Flow | None:
        return next((f for f in self.flows.values() if f.overview_command is command), None)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot be read: {error}") from None


def _describe(path: Path, error: ValidationError) -> str:
    issues = "; ".join(
        f"{'.'.join(str(part) for part in issue['loc']) or '(top)'}: {issue['msg']}"
        for issue in error.errors()
    )
    return f"{path}: {issues}"


def load_content(root: Path = DEFAULT_CONTENT_DIR) -> Content:
    """Load and cross-check every flow and text file under `root`."""
    flow_files = sorted((root / "flows").glob("*.yaml"))
    text_files = sorted((root / "texts").glob("*.yaml"))
    if not flow_files or not text_files:
        raise ContentError(f"{root}: needs flows/*.yaml and texts/*.yaml")

    flows: dict[str, Flow] = {}
    for path in flow_files:
        try:
            flow = _expand(FlowSpec.model_validate(_read_yaml(path)))
        except ValidationError as error:
            raise ContentError(_describe(path, error)) from None
        except ValueError as error:
            raise ContentError(f"{path}: {error}") from None
        if flow.id != path.stem:
            raise ContentError(f"{path}: id {flow.id!r} must match the file name")
        flows[flow.id] = flow
    if sum(flow.starts_after_consent for flow in flows.values()) != 1:
        raise ContentError(f"{root / 'flows'}: exactly one flow needs starts_after_consent: true")
    required = set().union(*(_required_flow_keys(flow) for flow in flows.values()))

    texts: dict[str, dict[str, str]] = {}
    ui_texts: dict[str, UiTexts] = {}
    names: dict[str, str] = {}
    commands: dict[str, Mapping[CommandName, CommandText]] = {}
    for path in text_files:
        language = path.stem
        try:
            parsed = TextsFile.model_validate(_read_yaml(path))
        except ValidationError as error:
            raise ContentError(_describe(path, error)) from None
        flat = dict(_flatten(parsed.flows, "flows"))
        for key in sorted(required - flat.keys()):
            raise ContentError(f"{path}: missing text for key {key}")
        for key in sorted(flat.keys() - required):
            raise ContentError(f"{path}: unknown key {key}")
        for key, value in flat.items():
            if not isinstance(value, str) or not value.strip():
                raise ContentError(f"{path}: key {key} must be a non-empty text")
            allowed = PROGRESS_PLACEHOLDERS if key.endswith(".progress") else set()
            _check_placeholders(path, key, value, allowed)
        for name, value in parsed.ui.model_dump().items():
            _check_placeholders(path, f"ui.{name}", value, UI_PLACEHOLDERS.get(name, set()))
        texts[language] = flat
        ui_texts[language] = parsed.ui
        names[language] = parsed.language_name
        commands[language] = parsed.commands
    return Content(flows, texts, ui_texts, names, commands)

"""A flow as the YAML gives it (the schema) and as the engine walks it (expanded, checked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialogs.engine.events import CommandName
from dialogs.engine.state import Closeness, ResourceKind

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)]
# A name in this flow ("domains") or in another one ("inventory.domains").
Reference = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$", max_length=49)]
# Options that come from the client's own plan rather than from content: their open goals,
# their resources (hulpbronnen). A node may add options of its own after them ("someone new").
DYNAMIC_OPTIONS = frozenset({"open_goals", "resources"})
# Suggestions for a text node that come from the client's own records, not from a flow's answers.
DYNAMIC_SUGGESTIONS = frozenset({"resources"})


class NodeKind(StrEnum):
    INFO = "info"  # a message; the flow moves on by itself
    TEXT = "text"  # a free answer
    CHOICE = "choice"  # one option, or free text
    MULTI_CHOICE = "multi_choice"  # a few options, confirmed with "done"
    DATE = "date"  # a day, typed as people say it, confirmed back in full
    MOMENT = "moment"  # a day and a time (for a reminder), confirmed back in full
    SAVE = "save"  # invisible: the answers so far become a record (a goal, a step, ...)
    SUBFLOW = "subflow"  # invisible: another flow runs here, then this one goes on


class RecordKind(StrEnum):
    """What a flow's answers become when it reaches a `save` node."""

    GOAL = "goal"
    STEP = "step"
    REFLECTION = "reflection"
    QUIET_HOURS = "quiet_hours"
    COUNSELLOR_MESSAGE = "counsellor_message"
    RESOURCE = "resource"


# The node ids a record is made of; the flow must have them (checked at load).
RECORD_FIELDS: Mapping[RecordKind, tuple[str, ...]] = {
    RecordKind.GOAL: ("goal", "why"),
    RecordKind.STEP: ("goal", "what", "who", "due", "remind_at"),
    RecordKind.REFLECTION: (),
    RecordKind.QUIET_HOURS: ("quiet",),
    RecordKind.COUNSELLOR_MESSAGE: ("kind", "text"),
    RecordKind.RESOURCE: ("name", "kind", "closeness", "goal", "help_with"),
}
# Values a save node adds to the flow's values that the flow's later texts may show as
# placeholders ("Shall I make this a step: {help_step}?").
RECORD_VALUES: Mapping[RecordKind, tuple[str, ...]] = {
    RecordKind.RESOURCE: ("help_step",),
}
QUESTION_KINDS = frozenset(
    {NodeKind.TEXT, NodeKind.CHOICE, NodeKind.MULTI_CHOICE, NodeKind.DATE, NodeKind.MOMENT}
)


class Strict(BaseModel):
    """A content model that refuses unknown keys: a typo in YAML is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the YAML schema of a flow -------------------------------------------------------------
class NodeSpec(Strict):
    id: Identifier
    kind: NodeKind
    options: tuple[Identifier, ...] = ()
    # A list of this flow or another ("inventory.domains"), or the client's open goals or
    # resources; `options` then come after those.
    options_from: Reference | None = None
    min_choices: int = Field(default=1, ge=0)
    max_choices: int = Field(default=1, ge=1)
    required: bool = False  # no skip / don't know: the record cannot do without it
    buttons_only: bool = False  # a choice whose record keeps an option, never own words
    when: dict[Identifier, Identifier] = {}  # asked only if these earlier answers were given
    unless: tuple[Identifier, ...] = ()  # not asked when one of these earlier ones was answered
    next: dict[Identifier, Identifier] = {}  # option -> the node to go to after it
    skip_if_known: bool = False  # not asked when the flow was started with this answer
    # The client's own answers offered as buttons ("inventory.past"), or their resources.
    suggest: Reference | None = None
    suggest_group: Identifier | None = None  # node filled with the group of the suggestion
    record: RecordKind | None = None  # for `save` nodes
    flow: Identifier | None = None  # for `subflow` nodes
    pass_values: dict[Identifier, Identifier] = {}  # sub-flow node <- this flow's node

    @model_validator(mode="after")
    def _options_fit_kind(self) -> NodeSpec:
        has_options = bool(self.options) or self.options_from is not None
        if self.kind in (NodeKind.CHOICE, NodeKind.MULTI_CHOICE) and not has_options:
            raise ValueError(f"node {self.id!r}: a {self.kind} node needs options or options_from")
        if self.kind not in (NodeKind.CHOICE, NodeKind.MULTI_CHOICE) and has_options:
            raise ValueError(f"node {self.id!r}: a {self.kind} node has no options")
        if self.options and self.options_from and self.options_from not in DYNAMIC_OPTIONS:
            raise ValueError(f"node {self.id!r}: only dynamic options_from add to `options`")
        if self.min_choices > self.max_choices:
            raise ValueError(f"node {self.id!r}: min_choices is larger than max_choices")
        if (self.kind is NodeKind.SAVE) != (self.record is not None):
            raise ValueError(f"node {self.id!r}: `record` goes with (and only with) kind save")
        if (self.kind is NodeKind.SUBFLOW) != (self.flow is not None):
            raise ValueError(f"node {self.id!r}: `flow` goes with (and only with) kind subflow")
        if self.suggest and self.kind is not NodeKind.TEXT:
            raise ValueError(f"node {self.id!r}: only a text node can suggest answers")
        return self


class RepeatSpec(Strict):
    """The same questions for every item of a list (every life domain, for instance)."""

    repeat: Identifier
    nodes: tuple[NodeSpec, ...] = Field(min_length=1)


class FlowSpec(Strict):
    id: Identifier
    in_menu: bool = True
    starts_after_consent: bool = False
    overview_command: CommandName | None = None
    command: CommandName | None = None  # a command that starts this flow (/plan)
    lists: dict[Identifier, tuple[Identifier, ...]] = {}
    nodes: tuple[NodeSpec | RepeatSpec, ...] = Field(min_length=1)


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
    dynamic_options: str | None = None  # one of DYNAMIC_OPTIONS
    required: bool = False
    buttons_only: bool = False
    when: Mapping[str, str] = field(default_factory=dict)
    unless: tuple[str, ...] = ()
    next: Mapping[str, str] = field(default_factory=dict)
    skip_if_known: bool = False
    suggest: str | None = None
    suggest_group: str | None = None
    record: RecordKind | None = None
    subflow: str | None = None
    pass_values: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_question(self) -> bool:
        return self.kind in QUESTION_KINDS


@dataclass(frozen=True)
class Flow:
    id: str
    in_menu: bool
    starts_after_consent: bool
    overview_command: CommandName | None
    command: CommandName | None
    nodes: tuple[Node, ...]

    @property
    def collects(self) -> bool:
        """True for a flow whose answers become records (a goal, a step) at its save nodes,
        rather than answers stored one by one (the inventory)."""
        return any(node.kind in (NodeKind.SAVE, NodeKind.SUBFLOW) for node in self.nodes)

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

    @property
    def shown_values(self) -> tuple[str, ...]:
        """The values its save nodes add that its texts may show as placeholders."""
        return tuple(
            name
            for node in self.nodes
            if node.record
            for name in RECORD_VALUES.get(node.record, ())
        )


def expand(spec: FlowSpec, all_lists: Mapping[str, tuple[str, ...]]) -> Flow:
    nodes: list[Node] = []
    prefix = f"flows.{spec.id}"

    def options_of(node: NodeSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
        source = node.options_from
        if source is None:
            return node.options, tuple(f"{prefix}.options.{o}" for o in node.options)
        if source in DYNAMIC_OPTIONS:
            return node.options, tuple(f"{prefix}.options.{o}" for o in node.options)
        flow_id, _, name = source.rpartition(".")
        qualified = f"{flow_id or spec.id}.{name}"
        if qualified not in all_lists:
            raise ValueError(f"node {node.id!r}: options_from names no list {source!r}")
        items = all_lists[qualified]
        return items, tuple(f"flows.{flow_id or spec.id}.{name}.{item}.name" for item in items)

    def build(entry: NodeSpec, node_id: str, prompt_key: str, **grouping: Any) -> Node:
        options, option_keys = options_of(entry)
        asked = entry.kind in QUESTION_KINDS
        return Node(
            id=node_id,
            kind=entry.kind,
            prompt_key=prompt_key,
            label_key=f"{prefix}.labels.{entry.id}" if asked else None,
            options=options,
            option_keys=option_keys,
            min_choices=entry.min_choices,
            max_choices=entry.max_choices,
            dynamic_options=entry.options_from if entry.options_from in DYNAMIC_OPTIONS else None,
            required=entry.required,
            buttons_only=entry.buttons_only,
            when=entry.when,
            unless=entry.unless,
            next=entry.next,
            skip_if_known=entry.skip_if_known,
            suggest=entry.suggest,
            suggest_group=entry.suggest_group,
            record=entry.record,
            subflow=entry.flow,
            pass_values=entry.pass_values,
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
    flow = Flow(
        spec.id,
        spec.in_menu,
        spec.starts_after_consent,
        spec.overview_command,
        spec.command,
        tuple(nodes),
    )
    _check_references(flow)
    return flow


def _check_references(flow: Flow) -> None:
    """Conditions, jumps and records must name nodes and options that exist."""
    ids = {node.id for node in flow.nodes}
    for node in flow.nodes:
        # pass_values may also name a value the flow was started with, so it is not checked.
        for name in (*node.when, *node.unless, *node.next.values()):
            if name not in ids:
                raise ValueError(f"node {node.id!r}: names no node {name!r}")
        if node.suggest_group and node.suggest_group not in ids:
            raise ValueError(f"node {node.id!r}: names no node {node.suggest_group!r}")
        for option in node.next:
            if option not in node.options:
                raise ValueError(f"node {node.id!r}: `next` names no option {option!r}")
        if node.record:
            missing = [name for name in RECORD_FIELDS[node.record] if name not in ids]
            if missing:
                raise ValueError(f"a {node.record} record needs nodes {', '.join(missing)}")
        if node.record is RecordKind.RESOURCE:
            _check_resource_options(flow)


def _check_resource_options(flow: Flow) -> None:
    """A resource's kind and closeness are stored as these words, and the network map is
    drawn by them: their options must be exactly those (named in any order)."""
    for name, wanted in (("kind", ResourceKind), ("closeness", Closeness)):
        options = set(flow.node(name).options)
        if options != {item.value for item in wanted}:
            raise ValueError(f"node {name!r}: options must be {', '.join(wanted)}")


def check_between_flows(flows: Mapping[str, Flow]) -> None:
    for flow in flows.values():
        for node in flow.nodes:
            if node.subflow:
                child = flows.get(node.subflow)
                if child is None:
                    raise ValueError(f"node {node.id!r}: no flow {node.subflow!r}")
                unknown = [name for name in node.pass_values if not child.has_node(name)]
                if unknown:
                    raise ValueError(f"node {node.id!r}: flow {child.id!r} has no {unknown}")
            if node.suggest and node.suggest not in DYNAMIC_SUGGESTIONS:
                other, _, template = node.suggest.partition(".")
                source = flows.get(other)
                if source is None or not any(n.id.endswith(f".{template}") for n in source.nodes):
                    raise ValueError(f"node {node.id!r}: suggest names nothing: {node.suggest!r}")


def required_keys(flow: Flow) -> set[str]:
    names = ("title", "menu_start", "menu_continue") if flow.in_menu else ("title",)
    keys = {f"flows.{flow.id}.{name}" for name in names}
    for node in flow.nodes:
        if node.kind in (NodeKind.SAVE, NodeKind.SUBFLOW):
            continue
        keys.add(node.prompt_key)
        keys.update(node.option_keys)
        if node.label_key:
            keys.add(node.label_key)
        if node.group_key:
            keys.add(node.group_key)
        if node.position:
            keys.add(f"flows.{flow.id}.progress")
    return keys

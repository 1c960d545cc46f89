"""Flows and texts as data: YAML files validated by pydantic when the bot starts.

Layout of a content folder (an organisation can point CONTENT_DIR at its own copy):

    flows/<flow id>.yaml   the structure of a conversation, language-neutral
    texts/<language>.yaml  every sentence the bot says, one file per language

A missing translation, an unknown key or a broken file stops start-up with a
`ContentError` that names the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dialogs.content_files import (
    DEFAULT_CONTENT_DIR,
    ContentError,
    check_placeholders,
    describe,
    read_yaml,
)
from dialogs.crisis import Safety, load_safety
from dialogs.events import CommandName
from dialogs.meeting_content import MeetingContent, load_meeting
from dialogs.state import Closeness, ResourceKind

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


# --- the YAML schema of a flow -------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeSpec(_Strict):
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


class RepeatSpec(_Strict):
    """The same questions for every item of a list (every life domain, for instance)."""

    repeat: Identifier
    nodes: tuple[NodeSpec, ...] = Field(min_length=1)


class FlowSpec(_Strict):
    id: Identifier
    in_menu: bool = True
    starts_after_consent: bool = False
    overview_command: CommandName | None = None
    command: CommandName | None = None  # a command that starts this flow (/plan)
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
    text_no_question: str
    held: str
    held_yes: str
    held_no: str
    held_left: str
    replace_unknown: str
    replace_skip: str
    keep_answer: str
    use_unknown: str
    remove_answer: str
    dont_know_typed: tuple[str, ...]  # typed words that count as pressing "weet ik niet"
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
    menu_plan: str
    required: str
    choose_button: str
    no_goals: str
    date_today: str
    date_tomorrow: str
    date_week: str
    moment_due_morning: str
    moment_eve_evening: str
    moment_tomorrow: str
    moment_none: str
    confirm_value: str
    confirm_quiet: str
    yes: str
    no: str
    date_not_understood: str
    moment_not_understood: str
    date_in_past: str
    date_too_far: str
    moment_in_past: str
    plan_title: str
    plan_empty: str
    plan_goal: str
    goal_status_reached: str
    goal_status_dropped: str
    plan_why: str
    plan_step: str
    plan_step_with: str
    plan_step_counsellor: str
    plan_step_done_on: str
    plan_step_due: str
    plan_step_button: str
    plan_new_goal: str
    goal_new_step: str
    goal_reached: str
    goal_drop: str
    to_plan: str
    step_done: str
    step_change: str
    step_postpone: str
    step_drop: str
    change_pick: str
    confirm_drop_step: str
    confirm_drop_goal: str
    confirm_reach_goal: str
    confirm_yes: str
    confirm_no: str
    step_dropped: str
    goal_marked_reached: str
    goal_dropped: str
    reminder: str
    reminder_follow_up: str
    reminder_done: str
    reminder_later: str
    reminder_failed: str
    step_celebrate: str
    step_closed: str
    reminders_missed: str
    unselected_mark: str
    section_strengths: str
    section_plan: str
    section_reflections: str
    shares_nothing: str
    with_team: str
    invitation_intro: str
    invitation: str
    invitation_accept: str
    invitation_decline: str
    invitation_accepted: str
    link_confirmed: str
    link_refused: str
    invitation_declined: str
    code_wrong: str
    code_expired: str
    code_used: str
    code_slow_down: str
    no_counsellor: str
    have_code: str
    code_prompt: str
    desk_only: str
    sharing: str
    sharing_pick: str
    sharing_end: str
    confirm_unlink: str
    unlinked: str
    who_saw: str
    who_saw_none: str
    look_line: str
    look_view: str
    look_export: str
    look_digest: str
    my_data: str
    my_data_title: str
    my_data_intro: str
    my_data_none: str
    my_data_parts: dict[str, str]  # a heading per part of the export (table), by its name
    confirm_forget: str
    forget_yes: str
    forget_no: str
    forgotten: str
    crisis: str
    crisis_alert: str
    crisis_alerted: str
    crisis_not_saved: str
    crisis_save: str
    section_resources: str
    goal_ask_help: str
    ask_help_step: str
    resources_title: str
    resources_intro: str
    resources_empty: str
    resource_for_goal: str
    resource_add: str
    resource_remove: str
    resource_pick: str
    confirm_drop_resource: str
    resource_removed: str
    resources_map: str
    network_title: str
    network_center: str
    network_empty: str
    network_caption: str
    network_none: str


class CounsellorTexts(_Strict):
    """What the bot says to counsellors: the desk, summaries, the digest, client news."""

    welcome: str
    inactive: str
    invitation: str
    invitation_for: str
    clients_none: str
    clients_title: str
    client_line: str
    client_plan: str
    client_plan_hidden: str
    client_messages: str
    export_button: str
    pick_export: str
    no_access: str
    export_caption: str
    client_linked: str
    client_opened: str
    client_opened_unnamed: str
    opener_yes: str
    opener_no: str
    opener_refused: str
    opener_gone: str
    client_declined: str
    client_sharing: str
    client_unlinked: str
    client_message: str
    client_call: str
    summary_title: str
    summary_meta: str
    summary_shared: str
    summary_last_look: str
    summary_first_look: str
    new_mark: str
    not_shared: str
    nothing_yet: str
    goals_title: str
    goal_line: str
    reminders_title: str
    reminders_counts: str
    reminder_line: str
    reminder_sent: str
    reminder_answered: str
    reminder_missed: str
    reminder_paused: str
    reminder_scheduled: str
    follow_up: str
    reflection_title: str
    reflection_about: str
    messages_title: str
    message_call: str
    digest_title: str
    digest_intro: str
    digest_nothing: str
    digest_quiet: str
    digest_done: str
    digest_missed: str
    digest_goals: str
    digest_answers: str
    digest_reflections: str
    digest_messages: str
    client_crisis: str
    client_left: str
    resources_goal: str
    resources_goal_number: str
    resources_other: str
    resource_line: str
    resource_help: str
    goal_reference: str
    goal_reference_text: str
    hints_title: str
    hint_no_personal: str
    hint_only_professional: str
    hint_goal_nobody: str
    hint_all_far: str
    hint_past_unused: str
    map_title: str
    map_caption: str
    digest_resources: str


class CommandText(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]
    description: Annotated[str, Field(min_length=1, max_length=256)]


class TextsFile(_Strict):
    language_name: str
    ui: UiTexts
    counsellor: CounsellorTexts
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


def _expand(spec: FlowSpec, all_lists: Mapping[str, tuple[str, ...]]) -> Flow:
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


def _check_between_flows(flows: Mapping[str, Flow]) -> None:
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


def _required_flow_keys(flow: Flow) -> set[str]:
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


# Texts that are filled in with values, and the names they may use.
UI_PLACEHOLDERS = {
    "welcome_back": {"where"},
    "held": {"where", "question", "text"},
    "replace_unknown": {"answer"},
    "replace_skip": {"answer"},
    "menu_title": {"where"},
    "previous_answer": {"answer"},
    "choose_at_least": {"min"},
    "choose_at_most": {"max"},
    "edit_pick_question": {"topic"},
    "overview_not_yet": {"topics"},
    "confirm_value": {"value"},
    "date_too_far": {"years"},
    "confirm_quiet": {"value"},
    "plan_goal": {"number", "text"},
    "plan_why": {"why"},
    "plan_step": {"number", "text"},
    "plan_step_with": {"name"},
    "plan_step_done_on": {"date"},
    "plan_step_due": {"date"},
    "plan_step_button": {"number"},
    "change_pick": {"step"},
    "confirm_drop_step": {"number", "text"},
    "confirm_drop_goal": {"number", "text"},
    "confirm_reach_goal": {"number", "text"},
    "step_dropped": {"number"},
    "goal_marked_reached": {"number"},
    "goal_dropped": {"number"},
    "reminder": {"step", "goal"},
    "reminder_follow_up": {"step", "goal"},
    "step_celebrate": {"step"},
    "reminders_missed": {"steps"},
    "with_team": {"name", "team"},
    "invitation_intro": {"counsellor"},
    "invitation": {"counsellor"},
    "invitation_accepted": {"counsellor", "sections"},
    "link_confirmed": {"counsellor"},
    "link_refused": {"counsellor"},
    "invitation_declined": {"counsellor"},
    "code_slow_down": {"minutes"},
    "sharing": {"counsellor"},
    "confirm_unlink": {"counsellor"},
    "unlinked": {"counsellor"},
    "who_saw": {"looks"},
    "look_line": {"when", "counsellor", "kind", "sections"},
    "crisis_alert": {"counsellor"},
    "crisis_alerted": {"counsellor"},
    "ask_help_step": {"name", "help"},
    "resource_for_goal": {"number"},
    "confirm_drop_resource": {"name"},
    "resource_removed": {"name"},
}
COUNSELLOR_PLACEHOLDERS = {
    "welcome": {"name"},
    "invitation": {"label", "link", "code", "until"},
    "invitation_for": {"label"},
    "client_line": {"name", "last"},
    "client_plan": {"open", "overdue"},
    "client_messages": {"count"},
    "export_caption": {"name", "date"},
    "client_linked": {"name", "sections"},
    "client_opened": {"opener", "name"},
    "client_opened_unnamed": {"opener"},
    "client_declined": {"name"},
    "client_sharing": {"name", "sections"},
    "client_unlinked": {"name"},
    "client_message": {"name", "text"},
    "client_call": {"name", "text"},
    "summary_title": {"name"},
    "summary_meta": {"number", "since", "last"},
    "summary_shared": {"sections"},
    "summary_last_look": {"when", "mark"},
    "goal_line": {"number", "text", "status"},
    "reminders_counts": {"sent", "answered", "missed"},
    "reminder_line": {"when", "step", "status"},
    "reflection_title": {"number", "date"},
    "reflection_about": {"text"},
    "digest_title": {"start", "end"},
    "digest_done": {"steps"},
    "digest_missed": {"steps"},
    "digest_goals": {"count"},
    "digest_answers": {"count"},
    "digest_reflections": {"count"},
    "digest_messages": {"count"},
    "client_crisis": {"name"},
    "client_left": {"name"},
    "resources_goal": {"number", "text"},
    "resources_goal_number": {"number"},
    "resource_line": {"kind", "closeness"},
    "resource_help": {"help"},
    "goal_reference": {"number"},
    "goal_reference_text": {"number", "text"},
    "hint_only_professional": {"goal"},
    "hint_goal_nobody": {"goal"},
    "hint_past_unused": {"domain"},
    "map_title": {"name"},
    "map_caption": {"name"},
    "digest_resources": {"count"},
}
PROGRESS_PLACEHOLDERS = {"number", "total", "name"}


def _flatten(tree: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path)
        else:
            yield path, value


# --- the bundle ------------------------------------------------------------------------------


class _Filled(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"


@dataclass(frozen=True)
class Content:
    """All flows and all texts, checked against each other."""

    flows: Mapping[str, Flow]
    texts: Mapping[str, Mapping[str, str]]  # language -> flattened key -> text
    ui_texts: Mapping[str, UiTexts]
    counsellor_texts: Mapping[str, CounsellorTexts]
    safety: Safety
    language_names: Mapping[str, str]
    commands: Mapping[str, Mapping[CommandName, CommandText]]
    # The team strength meeting in a group (dialogs/meeting.py), per language.
    meeting: Mapping[str, MeetingContent] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def text(self, language: str, key: str, **values: object) -> str:
        """A flow's text with its placeholders filled; one without a value (a tool drawing the
        flow) stays as it is, so it reads as "{help_step}" rather than failing."""
        return self.texts[language][key].format_map(_Filled(values))

    def ui(self, language: str) -> UiTexts:
        return self.ui_texts[language]

    def desk(self, language: str) -> CounsellorTexts:
        """The counsellor's texts, in their language or else the first one there is."""
        return self.counsellor_texts.get(language) or next(iter(self.counsellor_texts.values()))

    def overview_flow(self, command: CommandName) -> Flow | None:
        return next((f for f in self.flows.values() if f.overview_command is command), None)

    def record_flow(self, record: RecordKind) -> Flow | None:
        """The flow that makes this kind of record (the step flow, to change one step)."""
        return next(
            (f for f in self.flows.values() if any(n.record is record for n in f.nodes)), None
        )

    def command_flow(self, command: CommandName) -> Flow | None:
        return next((f for f in self.flows.values() if f.command is command), None)


def load_content(root: Path = DEFAULT_CONTENT_DIR) -> Content:
    """Load and cross-check every flow and text file under `root`."""
    flow_files = sorted((root / "flows").glob("*.yaml"))
    text_files = sorted((root / "texts").glob("*.yaml"))
    if not flow_files or not text_files:
        raise ContentError(f"{root}: needs flows/*.yaml and texts/*.yaml")

    specs: dict[Path, FlowSpec] = {}
    for path in flow_files:
        try:
            specs[path] = FlowSpec.model_validate(read_yaml(path))
        except ValidationError as error:
            raise ContentError(describe(path, error)) from None
        if specs[path].id != path.stem:
            raise ContentError(f"{path}: id {specs[path].id!r} must match the file name")
    all_lists = {
        f"{spec.id}.{name}": items for spec in specs.values() for name, items in spec.lists.items()
    }
    flows: dict[str, Flow] = {}
    for path, spec in specs.items():
        try:
            flows[spec.id] = _expand(spec, all_lists)
        except ValueError as error:
            raise ContentError(f"{path}: {error}") from None
    try:
        _check_between_flows(flows)
    except ValueError as error:
        raise ContentError(f"{root / 'flows'}: {error}") from None
    if sum(flow.starts_after_consent for flow in flows.values()) != 1:
        raise ContentError(f"{root / 'flows'}: exactly one flow needs starts_after_consent: true")
    required = set().union(*(_required_flow_keys(flow) for flow in flows.values()))

    texts: dict[str, dict[str, str]] = {}
    ui_texts: dict[str, UiTexts] = {}
    counsellor_texts: dict[str, CounsellorTexts] = {}
    names: dict[str, str] = {}
    commands: dict[str, Mapping[CommandName, CommandText]] = {}
    for path in text_files:
        language = path.stem
        try:
            parsed = TextsFile.model_validate(read_yaml(path))
        except ValidationError as error:
            raise ContentError(describe(path, error)) from None
        flat = dict(_flatten(parsed.flows, "flows"))
        for key in sorted(required - flat.keys()):
            raise ContentError(f"{path}: missing text for key {key}")
        for key in sorted(flat.keys() - required):
            raise ContentError(f"{path}: unknown key {key}")
        for key, value in flat.items():
            if not isinstance(value, str) or not value.strip():
                raise ContentError(f"{path}: key {key} must be a non-empty text")
            flow_id = key.split(".")[1]
            shown = set(flows[flow_id].shown_values) if flow_id in flows else set()
            allowed = PROGRESS_PLACEHOLDERS if key.endswith(".progress") else shown
            check_placeholders(path, key, value, allowed)
        for section, texts_model, placeholders in (
            ("ui", parsed.ui, UI_PLACEHOLDERS),
            ("counsellor", parsed.counsellor, COUNSELLOR_PLACEHOLDERS),
        ):
            for name, value in texts_model.model_dump().items():
                allowed = placeholders.get(name, set())
                if isinstance(value, dict):
                    items = list(value.items())
                elif isinstance(value, tuple):  # words to recognise: no placeholders
                    items = [(str(index), item) for index, item in enumerate(value)]
                else:
                    items = [("", value)]
                for key, text in items:
                    where = f"{section}.{name}.{key}" if key else f"{section}.{name}"
                    check_placeholders(path, where, text, allowed)
        texts[language] = flat
        ui_texts[language] = parsed.ui
        counsellor_texts[language] = parsed.counsellor
        names[language] = parsed.language_name
        commands[language] = parsed.commands
    # An organisation's own content without crisis lists keeps the shipped ones: a crisis is
    # never left unrecognised because someone shortened the route.
    safety = load_safety(root if (root / "safety").is_dir() else DEFAULT_CONTENT_DIR)
    meeting = load_meeting(
        tuple(texts), root if (root / "meeting").is_dir() else DEFAULT_CONTENT_DIR
    )
    return Content(
        flows, texts, ui_texts, counsellor_texts, safety, names, commands, meeting=meeting
    )

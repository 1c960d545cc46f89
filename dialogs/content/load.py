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
from pathlib import Path
from typing import Any

from dialogs.content.files import (
    DEFAULT_CONTENT_DIR,
    ContentError,
    check_placeholders,
    read_model,
)
from dialogs.content.flows import (
    Flow,
    FlowSpec,
    RecordKind,
    check_between_flows,
    expand,
    required_keys,
)
from dialogs.content.texts import (
    COUNSELLOR_PLACEHOLDERS,
    PROGRESS_PLACEHOLDERS,
    UI_PLACEHOLDERS,
    CommandText,
    CounsellorTexts,
    TextsFile,
    UiTexts,
)
from dialogs.content.times import Times, load_times
from dialogs.engine.events import CommandName
from dialogs.meeting.content import MeetingContent, load_meeting
from dialogs.safety.crisis import Safety, load_safety


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
    times: Times
    # The team strength meeting in a group (dialogs/meeting/engine.py), per language.
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
        specs[path] = read_model(path, FlowSpec)
        if specs[path].id != path.stem:
            raise ContentError(f"{path}: id {specs[path].id!r} must match the file name")
    all_lists = {
        f"{spec.id}.{name}": items for spec in specs.values() for name, items in spec.lists.items()
    }
    flows: dict[str, Flow] = {}
    for path, spec in specs.items():
        try:
            flows[spec.id] = expand(spec, all_lists)
        except ValueError as error:
            raise ContentError(f"{path}: {error}") from None
    try:
        check_between_flows(flows)
    except ValueError as error:
        raise ContentError(f"{root / 'flows'}: {error}") from None
    if sum(flow.starts_after_consent for flow in flows.values()) != 1:
        raise ContentError(f"{root / 'flows'}: exactly one flow needs starts_after_consent: true")
    required = set().union(*(required_keys(flow) for flow in flows.values()))

    texts: dict[str, dict[str, str]] = {}
    ui_texts: dict[str, UiTexts] = {}
    counsellor_texts: dict[str, CounsellorTexts] = {}
    names: dict[str, str] = {}
    commands: dict[str, Mapping[CommandName, CommandText]] = {}
    for path in text_files:
        language = path.stem
        parsed = read_model(path, TextsFile)
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
        flows,
        texts,
        ui_texts,
        counsellor_texts,
        safety,
        names,
        commands,
        load_times(root),
        meeting=meeting,
    )

"""The counsellor's summary of one client, drawn from the case file and nothing else.

Deterministic and in the client's own words, never interpreted (METHODOLOGY.md section 6).
A section the client does not share reads "not shared"; nothing of it is in the case file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dialogs.content.flows import RecordKind
from dialogs.content.load import Content
from dialogs.content.texts import CounsellorTexts
from dialogs.engine.document import Block, Bullets, Document, Heading, Item, MapPicture, Paragraph
from dialogs.engine.screens import Screens
from dialogs.engine.state import (
    Answer,
    AnswerStatus,
    Dialog,
    Goal,
    GoalStatus,
    Profile,
    Resource,
    State,
    Step,
    StepStatus,
)
from dialogs.engine.when import utc_to_local
from dialogs.linking.casefile import CaseFile, ReminderEntry, ResourceEntry, Section, StepEntry
from dialogs.linking.screens import SECTION_ORDER, section_list, section_name
from dialogs.plan import screens as plan_screens
from dialogs.resources.hints import Hint, HintKind, resource_hints
from dialogs.resources.network import NetworkMap, map_labels

# A year of reminders is hundreds: the counts tell the story, the latest few the detail.
LATEST_REMINDERS = 10
_REMINDER_SHOWN = ("sent", "answered", "missed", "paused", "scheduled")


def case_screens(content: Content, file: CaseFile, language: str, now: datetime) -> Screens:
    """The client's data as the screens know it, to reuse their wording and formatting."""
    answers = {
        entry.key: Answer(AnswerStatus(entry.status), entry.text, entry.choices)
        for entry in file.answers
    }
    state = State(
        Dialog(language=language, consented=True),
        answers,
        goals=tuple(
            Goal(g.number, g.text, g.domain, g.why, GoalStatus(g.status)) for g in file.goals
        ),
        steps=tuple(map(_step, file.steps)),
        profile=Profile(timezone=file.timezone),
    )
    return Screens(content, state, now)


def _step(entry: StepEntry) -> Step:
    return Step(
        entry.number,
        entry.goal,
        entry.text,
        entry.who,
        entry.who_name,
        entry.due,
        entry.remind_at,
        StepStatus(entry.status),
        entry.done_at,
    )


class Summary:
    """Builds the document; `new(at)` marks what came after the counsellor's last look."""

    def __init__(self, content: Content, file: CaseFile, language: str, now: datetime) -> None:
        self.file = file
        self.screens = case_screens(content, file, language, now)
        self.texts: CounsellorTexts = content.desk(language)
        self.labels = map_labels(content, language)

    def new(self, at: datetime | None) -> str:
        last = self.file.last_look
        return f" {self.texts.new_mark}" if last is not None and at and at > last else ""

    def day(self, at: datetime) -> str:
        return self.screens.day(utc_to_local(at, self.file.timezone).date())

    def document(self) -> Document:
        file, texts, screens = self.file, self.texts, self.screens
        blocks: list[Block] = [
            Paragraph(
                texts.summary_meta.format(
                    number=file.client_id,
                    since=self.day(file.linked_since),
                    last=screens.moment(file.last_activity),
                )
            ),
            Paragraph(texts.summary_shared.format(sections=section_list(screens, file.sections))),
            Paragraph(
                texts.summary_last_look.format(
                    when=screens.moment(file.last_look), mark=texts.new_mark
                )
                if file.last_look
                else texts.summary_first_look,
                quiet=True,
            ),
        ]
        parts = {
            Section.STRENGTHS: self.strengths,
            Section.PLAN: self.plan,
            Section.REFLECTIONS: self.reflections,
            Section.RESOURCES: self.resources,
        }
        for section in SECTION_ORDER:
            blocks.append(Heading(section_name(screens, section)))
            if section in file.sections:
                blocks += parts[section]() or [Paragraph(texts.nothing_yet, quiet=True)]
            else:
                blocks.append(Paragraph(texts.not_shared, quiet=True))
        blocks += self.messages()
        return Document(texts.summary_title.format(name=file.name), tuple(blocks))

    def strengths(self) -> list[Block]:
        screens = self.screens
        flow = next((f for f in screens.content.flows.values() if f.starts_after_consent), None)
        if flow is None:
            return []
        at = {entry.key: entry.at for entry in self.file.answers}
        blocks: list[Block] = []
        for title, nodes in screens.topics(flow):
            keys = [flow.answer_key(node) for node in nodes]
            if not any(key in at for key in keys):
                continue
            items = tuple(
                Item(
                    screens.answer_text(screens.state.answers.get(key), node)
                    + self.new(at.get(key)),
                    screens.text(node.label_key) if node.label_key else None,
                )
                for node, key in zip(nodes, keys, strict=True)
            )
            blocks += [Heading(title, 3), Bullets(items)]
        return blocks

    def plan(self) -> list[Block]:
        file, screens, texts = self.file, self.screens, self.texts
        changed: dict[tuple[int, int | None], datetime] = {}
        for change in file.changes:
            changed[(change.goal, change.step)] = change.at
        blocks: list[Block] = []
        for goal in file.goals:
            status = ""
            if goal.status == GoalStatus.REACHED:
                status = f" · {screens.ui.goal_status_reached}"
            elif goal.status == GoalStatus.DROPPED:
                status = f" · {screens.ui.goal_status_dropped}"
            title = texts.goal_line.format(number=goal.number, text=goal.text, status=status)
            blocks.append(Heading(title + self.new(changed.get((goal.number, None))), 3))
            if goal.why:
                blocks.append(Paragraph(screens.ui.plan_why.format(why=goal.why)))
            steps = [s for s in screens.state.steps if s.goal == goal.number]
            if steps:
                blocks.append(
                    Bullets(
                        tuple(
                            Item(
                                plan_screens.step_line(screens, step)
                                + self.new(changed.get((goal.number, step.number)))
                            )
                            for step in steps
                        )
                    )
                )
        if file.reminders:
            blocks += self.reminders(file.reminders)
        return blocks

    def reminders(self, reminders: tuple[ReminderEntry, ...]) -> list[Block]:
        texts, screens = self.texts, self.screens
        sent = [r for r in reminders if r.sent_at is not None]
        counts = texts.reminders_counts.format(
            sent=len(sent),
            answered=sum(r.status == "answered" for r in sent),
            missed=sum(r.status == "missed" for r in reminders),
        )
        statuses = {
            "sent": texts.reminder_sent,
            "answered": texts.reminder_answered,
            "missed": texts.reminder_missed,
            "paused": texts.reminder_paused,
            "scheduled": texts.reminder_scheduled,
        }
        shown = [r for r in reminders if r.status in _REMINDER_SHOWN][-LATEST_REMINDERS:]
        items = tuple(
            Item(
                texts.reminder_line.format(
                    when=screens.moment(r.sent_at or r.due_at),
                    step=r.step,
                    status=statuses[r.status] + (texts.follow_up if r.kind == "follow_up" else ""),
                )
                + self.new(r.answered_at or r.sent_at)
            )
            for r in reversed(shown)
        )
        return [Heading(texts.reminders_title, 3), Paragraph(counts), Bullets(items)]

    def reflections(self) -> list[Block]:
        screens, texts = self.screens, self.texts
        flow = screens.content.record_flow(RecordKind.REFLECTION)
        labels = {
            node.id: screens.text(node.label_key)
            for node in (flow.nodes if flow else ())
            if node.label_key
        }
        blocks: list[Block] = []
        for reflection in reversed(self.file.reflections):
            title = texts.reflection_title.format(
                number=reflection.number, date=self.day(reflection.at)
            )
            blocks.append(Heading(title + self.new(reflection.at), 3))
            step = screens.state.step(reflection.step) if reflection.step else None
            if step is not None:
                blocks.append(Paragraph(texts.reflection_about.format(text=step.text)))
            items = tuple(
                Item(text, labels.get(name, name)) for name, text in reflection.answers.items()
            )
            if items:
                blocks.append(Bullets(items))
        return blocks

    def network_map(self) -> NetworkMap:
        """The client's map in the counsellor's words, the client by name in the middle."""
        file, texts = self.file, self.texts
        return NetworkMap(
            tuple(
                Resource(r.number, r.name, r.kind, r.closeness, r.goal, r.domain, r.help_with)
                for r in file.resources
            ),
            replace(self.labels, title=texts.map_title.format(name=file.name), center=file.name),
        )

    def resources(self) -> list[Block]:
        """The map, then who can help per goal, per life domain and otherwise; then hints."""
        file, texts = self.file, self.texts
        blocks: list[Block] = []
        if file.resources:
            blocks.append(MapPicture(self.network_map()))
        else:
            blocks.append(Paragraph(texts.nothing_yet, quiet=True))
        for goal in sorted({r.goal for r in file.resources if r.goal is not None}):
            entry = self.screens.state.goal(goal)
            title = (
                texts.resources_goal.format(number=goal, text=entry.text)
                if entry
                else texts.resources_goal_number.format(number=goal)
            )
            blocks += self.resource_list(title, [r for r in file.resources if r.goal == goal])
        unplanned = [r for r in file.resources if r.goal is None]
        for domain in dict.fromkeys(r.domain for r in unplanned if r.domain):
            mine = [r for r in unplanned if r.domain == domain]
            blocks += self.resource_list(self.domain_name(domain), mine)
        rest = [r for r in unplanned if not r.domain]
        if rest:
            blocks += self.resource_list(texts.resources_other, rest)
        hints = resource_hints(file)
        if hints:
            items = tuple(Item(self.hint_text(hint)) for hint in hints)
            blocks += [Heading(texts.hints_title, 3), Bullets(items)]
        return blocks

    def resource_list(self, title: str, resources: list[ResourceEntry]) -> list[Block]:
        texts, labels = self.texts, self.labels
        items = []
        for r in resources:
            line = texts.resource_line.format(
                kind=labels.kinds[r.kind], closeness=labels.rings[r.closeness]
            )
            if r.help_with:
                line += " · " + texts.resource_help.format(help=r.help_with)
            items.append(Item(line + self.new(r.updated_at), r.name))
        return [Heading(title, 3), Bullets(tuple(items))]

    def hint_text(self, hint: Hint) -> str:
        texts = self.texts
        goal = ""
        if hint.goal is not None:
            entry = self.screens.state.goal(hint.goal)
            goal = (
                texts.goal_reference_text.format(number=hint.goal, text=entry.text)
                if entry
                else texts.goal_reference.format(number=hint.goal)
            )
        templates = {
            HintKind.NO_PERSONAL: texts.hint_no_personal,
            HintKind.ONLY_PROFESSIONAL: texts.hint_only_professional,
            HintKind.GOAL_NOBODY: texts.hint_goal_nobody,
            HintKind.ALL_FAR: texts.hint_all_far,
            HintKind.PAST_UNUSED: texts.hint_past_unused,
        }
        domain = self.domain_name(hint.domain) if hint.domain else ""
        return templates[hint.kind].format(goal=goal, domain=domain)

    def domain_name(self, domain: str) -> str:
        """A life domain by the name the inventory gives it ("🏠 Wonen")."""
        for flow in self.screens.content.flows.values():
            for node in flow.nodes:
                if node.group == domain and node.group_key:
                    return self.screens.text(node.group_key)
        return domain

    def messages(self) -> list[Block]:
        messages, texts, screens = self.file.messages, self.texts, self.screens
        if not messages:
            return []
        items = tuple(
            Item(
                _message_text(texts, m.kind, m.text) + self.new(m.at),
                screens.moment(m.at),
            )
            for m in reversed(messages)
        )
        return [Heading(texts.messages_title), Bullets(items)]


def summary(content: Content, file: CaseFile, language: str, now: datetime) -> Document:
    return Summary(content, file, language, now).document()


def _message_text(texts: CounsellorTexts, kind: str, text: str) -> str:
    """A client's message as the counsellor reads it; a crisis alert has no text of its own."""
    if kind == "crisis":
        return texts.message_crisis
    return (f"{texts.message_call}: " if kind == "call" else "") + text

"""(6) The counsellor's summary of a client with a year of activity: time to build it, and size.

A year, written through the repositories as the bot writes it: the strengths inventory with
every answer changed once a month (12 versions of each), 20 goals with 200 steps (postponed,
done, dropped, open; their history), 500 reminders (sent, answered, missed, cancelled, still
scheduled), 50 setback reflections, 24 messages to the counsellor, and a counsellor linked with
every section shared who looked once a month. Then each stage of what a counsellor's tap or
`/export` does is timed on its own, the median of several runs:

    CaseFileRepository.case_file   read what is shared, write the audit entry, commit
    dialogs.summary.summary        the document
    bot.telegram_html.to_telegram  HTML messages of at most 4,096 characters
    dialogs.document.to_markdown   the export's Markdown
    bot.pdf.to_pdf                 the export's PDF

The baseline is a client linked the same way with nothing stored yet. SQLite (a file); the
case file is also read from PostgreSQL when one answers (TEST_POSTGRES_URL, else 127.0.0.1).
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from bench import profiling
from bench.core import Figure, Result
from bench.engine import PEOPLE
from bot.pdf import to_pdf
from bot.telegram_html import to_telegram
from dialogs import Content, load_content
from dialogs.desk.summary import summary
from dialogs.engine.document import to_markdown
from dialogs.linking.casefile import CaseFile, LookKind, Section
from storage import (
    AnswerRepository,
    CaseFileRepository,
    ClientRepository,
    Identity,
    InvitationRepository,
    LinkRepository,
    PlanRepository,
    ReminderRepository,
    StaffRepository,
    make_engine,
    make_session_factory,
    upgrade,
)
from tests.postgres import own_schema, postgres_problem

T = TypeVar("T")

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
YEAR_AGO = NOW - timedelta(days=365)
DAY = timedelta(days=1)
TARGET_VIEW_MS = 500.0  # a counsellor's tap on a client: read and show the summary
TARGET_EXPORT_MS = 2000.0  # /export: read, Markdown and PDF


@dataclass(frozen=True)
class Year:
    """How much activity: the issue's year, or a few days of it for a smoke run."""

    months: int = 12
    goals: int = 20
    steps_a_goal: int = 10
    reflections: int = 50
    messages: int = 24
    runs: int = 15  # timed runs of each stage; the median counts

    @property
    def steps(self) -> int:
        return self.goals * self.steps_a_goal


YEAR = Year()
SMOKE = Year(months=2, goals=2, steps_a_goal=4, reflections=3, messages=2, runs=1)

# What one month adds to an answer that changed: the client's words move on.
MONTHLY = (
    "",
    " Het gaat iets beter.",
    " Ik heb er met mijn begeleider over gepraat.",
    " Nog steeds lastig, maar ik blijf het proberen.",
    " Mijn zus helpt me hierbij.",
    " Dit is nu minder belangrijk voor me.",
    " Ik heb een afspraak gemaakt.",
    " Het lukt steeds vaker zelf.",
    " Er is iets veranderd: ik woon nu ergens anders.",
    " Ik ben trots op wat ik heb bereikt.",
    " Soms val ik terug, dan begin ik opnieuw.",
    " Dit blijft mijn doel voor het komende jaar.",
)
STEP_TEXTS = (
    "Bellen met de woningcorporatie over mijn inschrijving",
    "Formulier voor bijzondere bijstand invullen",
    "Samen met mijn begeleider de post doornemen",
    "Langsgaan bij het wijkteam",
    "Een afspraak maken bij de huisarts",
    "Mijn cv bijwerken",
    "Drie vacatures opzoeken",
    "Mijn zus bellen",
    "Naar de groep op dinsdagavond",
    "Een half uur wandelen",
)
REFLECTION = {
    "happened": "Ik ben niet naar de afspraak gegaan omdat ik te moe was",
    "felt": "Boos op mezelf en teleurgesteld",
    "did": "Ik ben thuis gebleven en heb niemand gebeld",
    "helped_before": "Even naar buiten gaan en mijn zus bellen",
    "who_helps": "Mijn begeleider en mijn zus",
    "next_step": "Morgen de afspraak opnieuw maken",
}


def build_year(sessions: sessionmaker[Session], content: Content, year: Year) -> tuple[int, int]:
    """A linked client with a year of activity: (staff id, client id)."""
    staff, client = link_client(sessions, "4242")
    answers = PEOPLE[0]
    inventory = content.flows["inventory"]
    texts = {
        f"inventory.{domain}.{node}": text
        for domain, three in answers.domains.items()
        for node, text in zip(("wish", "current", "past"), three, strict=True)
    }
    texts |= {
        "inventory.qualities": answers.qualities,
        "inventory.appreciated": answers.appreciated,
    }
    month = timedelta(days=365 / year.months)
    for number in range(year.months):
        at = YEAR_AGO + number * month
        with sessions.begin() as session:
            saved = AnswerRepository(session)
            for node in inventory.questions:
                key = inventory.answer_key(node)
                if key in texts:
                    text: str | None = texts[key] + MONTHLY[number % len(MONTHLY)]
                    choices: tuple[str, ...] = ()
                else:  # the priorities: up to three domains
                    text, choices = None, ("housing", "work", "health")[: 1 + number % 3]
                saved.save(client, key, status="answered", text=text, choices=choices, now=at)
        with sessions.begin() as session:  # the counsellor looks once a month
            CaseFileRepository(session, staff).case_file(
                client, LookKind.VIEW, at + 20 * month / 30
            )
    with sessions.begin() as session:
        plan(session, client, year)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        for number in range(1, year.reflections + 1):
            at = YEAR_AGO + timedelta(days=number * 360 / year.reflections)
            goal = 1 + number % year.goals
            step = (goal - 1) * year.steps_a_goal + 1 + number % year.steps_a_goal
            plans.save_reflection(client, number, goal=goal, step=step, answers=REFLECTION, now=at)
        links = LinkRepository(session)
        for number in range(year.messages):
            at = YEAR_AGO + timedelta(days=(number + 0.5) * 365 / year.messages)
            kind, said = (
                ("call", "Na drie uur ben ik thuis")
                if number % 4 == 3
                else ("message", "Ik ben morgen ziek, kan onze afspraak een week later?")
            )
            links.add_message(client, kind, said, at)
    return staff, client


def plan(session: Session, client: int, year: Year) -> None:
    """Goals spread over the year, each with its steps: done, postponed, dropped or open, and
    their reminders (500 in a full year): the step's, one left when a step was postponed,
    a follow-up a day later when no answer came."""
    plans, reminders = PlanRepository(session), ReminderRepository(session)
    for goal in range(1, year.goals + 1):
        started = YEAR_AGO + timedelta(days=(goal - 1) * 330 / year.goals)
        texts = PEOPLE[goal % len(PEOPLE)].domains
        domain = list(texts)[goal % len(texts)]
        plans.save_goal(
            client, goal, text=texts[domain][0], domain=domain, why=PEOPLE[0].plan_why, now=started
        )
        for index in range(year.steps_a_goal):
            number = (goal - 1) * year.steps_a_goal + index + 1
            created = started + timedelta(days=3 * index)
            due = (created + timedelta(days=7)).date()
            _save_step(plans, client, number, goal, index, due, created)
            if index % 4 != 3:  # reminded, "not yet", postponed by a week
                first = reminders.schedule(client, number, "step", remind(due), created)
                _send(reminders, first, remind(due))
                reminders.answered(client, number, remind(due) + timedelta(hours=2))
                due += timedelta(days=7)
                _save_step(plans, client, number, goal, index, due, remind(due) - DAY * 5)
            reminded = remind(due)
            step_reminder = reminders.schedule(client, number, "step", reminded, created)
            if reminded > NOW:
                continue  # still scheduled
            if index % 10 == 9:  # the bot was down: missed
                reminders.mark_missed([step_reminder])
                continue
            _send(reminders, step_reminder, reminded)
            if index % 10 not in (0, 4):  # no answer: the follow-up a day later
                follow_up = reminders.schedule(
                    client, number, "follow_up", reminded + DAY, reminded
                )
                _send(reminders, follow_up, reminded + DAY)
            answered = reminded + DAY + timedelta(hours=3)
            if index % 10 < 8:  # done, or (the seventh) dropped; the rest stays open
                reminders.answered(client, number, answered)
                status = "dropped" if index % 10 == 6 else "done"
                plans.set_step_status(client, number, status, answered)
        if goal % 5 == 0:
            plans.set_goal_status(client, goal, "reached", started + timedelta(days=60))
        elif goal % 7 == 3:
            plans.set_goal_status(client, goal, "dropped", started + timedelta(days=40))


def _save_step(
    plans: PlanRepository, client: int, number: int, goal: int, index: int, due: date, now: datetime
) -> None:
    plans.save_step(
        client,
        number,
        goal=goal,
        text=STEP_TEXTS[index % len(STEP_TEXTS)],
        who=("me", "network", "counsellor")[index % 3],
        who_name="Mijn zus" if index % 3 == 1 else None,
        due=due,
        remind_at=remind(due),
        now=now,
    )


def remind(day: date) -> datetime:
    """The moment a client is reminded of a step due on `day`: the evening before."""
    return datetime(day.year, day.month, day.day, 18, tzinfo=UTC) - timedelta(days=1)


def _send(reminders: ReminderRepository, reminder: int, at: datetime) -> None:
    if not reminders.claim(reminder, at):
        raise RuntimeError(f"reminder {reminder} could not be claimed")
    reminders.mark_sent(reminder, at)


def link_client(sessions: sessionmaker[Session], external_id: str) -> tuple[int, int]:
    """A client linked with counsellor Anna through an invitation, sharing every section."""
    who = f"telegram:{external_id}"
    with sessions.begin() as session:
        staff = StaffRepository(session).find(501)
        if staff is None:
            staff = StaffRepository(session).add_counsellor(501, "Anna", "Noord", "nl", YEAR_AGO)
        client = ClientRepository(session).create(
            Identity("telegram", external_id),
            language="nl",
            timezone="Europe/Amsterdam",
            now=YEAR_AGO,
        )
        invitations = InvitationRepository(session)
        invitation = invitations.create(staff.id, "Sam", YEAR_AGO, timedelta(days=7))
        invitations.open(invitation.code, who, YEAR_AGO)
        accepted = invitations.accept(
            invitation.id, who, client.id, "Sam", frozenset(Section), YEAR_AGO
        )
        if accepted is None or invitations.confirm(staff.id, accepted.link_id, YEAR_AGO) is None:
            raise RuntimeError("the invitation did not link")
    return staff.id, client.id


@dataclass(frozen=True)
class Timings:
    """Median milliseconds of each stage, and what they made."""

    case_file: float
    summary: float
    telegram: float
    markdown: float
    pdf: float
    file: CaseFile
    messages: list[str]
    document_markdown: str
    document_pdf: bytes

    @property
    def view(self) -> float:
        return self.case_file + self.summary + self.telegram

    @property
    def export(self) -> float:
        return self.case_file + self.summary + self.markdown + self.pdf


def median_ms(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The median time of `runs` runs of `work` in milliseconds, and its last result."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(
    sessions: sessionmaker[Session],
    content: Content,
    staff: int,
    client: int,
    runs: int,
    profiled: bool = True,
) -> Timings:
    def read() -> CaseFile:
        with sessions.begin() as session:  # an export: what is new stays new, run after run
            return CaseFileRepository(session, staff).case_file(client, LookKind.EXPORT, NOW)

    with _part("case file", profiled):
        case_ms, file = median_ms(runs, read)
    with _part("summary", profiled):
        summary_ms, document = median_ms(runs, lambda: summary(content, file, "nl", NOW))
    with _part("Telegram", profiled):
        telegram_ms, messages = median_ms(runs, lambda: to_telegram(document))
    with _part("Markdown", profiled):
        markdown_ms, markdown = median_ms(runs, lambda: to_markdown(document))
    with _part("PDF", profiled):
        pdf_ms, pdf = median_ms(runs, lambda: to_pdf(document))
    return Timings(
        case_ms, summary_ms, telegram_ms, markdown_ms, pdf_ms, file, messages, markdown, pdf
    )


def _part(name: str, profiled: bool) -> AbstractContextManager[None]:
    return profiling.measured(name) if profiled else nullcontext()


def read_only(sessions: sessionmaker[Session], staff: int, client: int, runs: int) -> float:
    def read() -> CaseFile:
        with sessions.begin() as session:
            return CaseFileRepository(session, staff).case_file(client, LookKind.EXPORT, NOW)

    return median_ms(runs, read)[0]


@contextmanager
def postgres() -> Iterator[str | None]:
    """A PostgreSQL schema of our own for the run (dropped after), or None if none answers."""
    if postgres_problem():
        yield None
    else:
        with own_schema("bench") as url:
            yield url


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def run(smoke: bool) -> Result:
    year = SMOKE if smoke else YEAR
    content = load_content()
    with tempfile.TemporaryDirectory(prefix="krachtwerk-bench-summary-") as folder:
        database = make_engine(f"sqlite:///{Path(folder) / 'krachtwerk.db'}")
        upgrade(database)
        sessions = make_session_factory(database)
        staff, client = build_year(sessions, content, year)
        _, empty = link_client(sessions, "4343")
        empty_timings = measure(sessions, content, staff, empty, year.runs, profiled=False)
        timings = measure(sessions, content, staff, client, year.runs)
        database.dispose()
    figures = [
        _ms("case file (read, audit)", timings.case_file, empty_timings.case_file),
        _ms("summary (document)", timings.summary, empty_timings.summary),
        _ms("Telegram messages", timings.telegram, empty_timings.telegram),
        _ms("Markdown", timings.markdown, empty_timings.markdown),
        _ms("PDF", timings.pdf, empty_timings.pdf),
        _ms(
            "view: case file + summary + Telegram", timings.view, empty_timings.view, TARGET_VIEW_MS
        ),
        _ms(
            "export: case file + summary + Markdown + PDF",
            timings.export,
            empty_timings.export,
            TARGET_EXPORT_MS,
        ),
        Figure(
            "size: Telegram messages",
            len(timings.messages),
            "messages",
            len(empty_timings.messages),
        ),
        Figure(
            "size: Telegram characters",
            sum(map(len, timings.messages)),
            "chars",
            sum(map(len, empty_timings.messages)),
        ),
        Figure(
            "size: Markdown",
            len(timings.document_markdown),
            "chars",
            len(empty_timings.document_markdown),
        ),
        Figure(
            "size: PDF",
            len(timings.document_pdf) / 1024,
            "KiB",
            len(empty_timings.document_pdf) / 1024,
        ),
        Figure(
            "size: PDF pages",
            pages(timings.document_pdf),
            "pages",
            pages(empty_timings.document_pdf),
        ),
    ]
    file = timings.file
    notes = [
        f"the case file: {len(file.answers)} current answers (of {year.months} versions each), "
        f"{len(file.goals)} goals, {len(file.steps)} steps, {len(file.changes)} plan changes, "
        f"{len(file.reminders)} reminders, {len(file.reflections)} reflections, "
        f"{len(file.messages)} messages",
        f"median of {year.runs} runs each; SQLite file; the baseline: a linked client with "
        "nothing stored",
    ]
    if not smoke:
        with postgres() as url:
            if url is None:
                notes.append("no PostgreSQL answered: the case file was read from SQLite only")
            else:
                database = make_engine(url)
                upgrade(database)
                sessions = make_session_factory(database)
                staff, client = build_year(sessions, content, year)
                _, empty = link_client(sessions, "4343")
                empty_ms = read_only(sessions, staff, empty, year.runs)
                figures.insert(
                    1,
                    _ms(
                        "case file on PostgreSQL",
                        read_only(sessions, staff, client, year.runs),
                        empty_ms,
                    ),
                )
                database.dispose()
    return Result("summary", figures, notes)


def _ms(name: str, value: float, baseline: float, target: float | None = None) -> Figure:
    if target is None:
        return Figure(name, value, "ms", baseline)
    return Figure(name, value, "ms", baseline, f"< {target:,.0f} ms", value < target)

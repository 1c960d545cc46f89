"""(2) The dialog engine alone: steps a second and microseconds a step, for each flow.

Each flow of the shipped content is walked the way a person walks it: answers typed in their
own words, buttons pressed by their label, dates typed and confirmed, sub-flows entered and
left. Walking by label needs lookups the engine does not do, so each walk is recorded once
(its starting state and its events) and the timing replays those events through
`Engine.step` from that state, over and over; every replay ends in the recorded state, which
is checked. Three people with different answers walk every flow, taking turns.

The floor (the baseline) is the cheapest step there is: something unreadable (a sticker)
while a question is open, which only repeats the question.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bench import profiling
from bench.core import Figure, Result
from dialogs import (
    Command,
    CommandName,
    Content,
    Engine,
    Event,
    Press,
    Replace,
    Say,
    State,
    Text,
    Unreadable,
    load_content,
    new_state,
)
from dialogs.engine.events import ReminderDue
from dialogs.engine.outputs import Button
from dialogs.linking.casefile import LinkView, Section

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # a Friday morning in Amsterdam
TARGET_US = 1000.0  # a step may take a millisecond: a sliver of a Telegram round trip
SECONDS_A_FLOW = 1.0  # how long each flow is replayed for (a full run)
SMOKE_SECONDS_A_FLOW = 0.02


@dataclass(frozen=True)
class Walk:
    """One walk through a flow: where it starts, what the person did, where it ends."""

    flow: str
    start: State
    events: tuple[Event, ...]
    end: State


class Person:
    """Drives the engine like a person (by button label) and records every event."""

    def __init__(self, engine: Engine, state: State) -> None:
        self.engine = engine
        self.state = state
        self.keyboard: tuple[Button, ...] = ()
        self.events: list[Event] = []
        self._start: tuple[State, int] = (state, 0)

    def step(self, event: Event) -> None:
        self.state, outputs = self.engine.step(self.state, event, NOW)
        self.events.append(event)
        for output in outputs:
            if isinstance(output, Say | Replace) and output.buttons:
                self.keyboard = tuple(b for row in output.buttons for b in row)

    def send(self, text: str) -> None:
        self.step(Text(text))

    def command(self, name: CommandName) -> None:
        self.step(Command(name))

    def press(self, label: str) -> None:
        matches = [b for b in self.keyboard if label in b.label]
        if not matches:
            raise LookupError(f"no button {label!r} in {[b.label for b in self.keyboard]}")
        self.step(Press(matches[0].data))

    @property
    def node(self) -> str | None:
        frame = self.state.dialog.frame
        return frame.node if frame else None

    def begin(self) -> None:
        """From here on the events make up the walk."""
        self._start = (self.state, len(self.events))

    def walk(self, flow: str) -> Walk:
        start, first = self._start
        return Walk(flow, start, tuple(self.events[first:]), self.state)


@dataclass(frozen=True)
class Answers:
    """What one person says: per domain their wish, how it goes now, what helped before."""

    domains: dict[str, tuple[str, str, str]]
    qualities: str
    appreciated: str
    priorities: tuple[str, ...]  # button labels
    plan_why: str
    steps: tuple[tuple[str, str, str], ...]  # what, when due, when reminded
    reflection: tuple[str, str, str, str, str]  # all but what helped before (a suggestion)
    message: str


PEOPLE = (
    Answers(
        domains={
            "housing": (
                "Een eigen kamer, ergens waar het rustig is",
                "Ik slaap nu in de opvang, op een kamer met drie anderen",
                "Toen ik bij mijn tante woonde had ik mijn eigen plek en dat hielp",
            ),
            "money": (
                "Rondkomen zonder elke maand schulden erbij",
                "Ik heb schulden bij de zorgverzekering en de telefoon",
                "Een budgetcoach die met me meekeek",
            ),
            "work": (
                "Weer aan het werk in de keuken",
                "Geen werk, wel af en toe klussen",
                "Ik heb vijf jaar als kok gewerkt en dat ging goed",
            ),
            "relations": (
                "Mijn dochter weer vaker zien",
                "We bellen soms, maar het is lastig",
                "Toen we samen gingen wandelen ging het goed tussen ons",
            ),
            "health": (
                "Beter slapen en minder piekeren",
                "Ik slaap slecht en ben vaak moe",
                "Sporten hielp, ik ging drie keer per week zwemmen",
            ),
            "leisure": (
                "Weer gaan vissen",
                "Ik verveel me veel overdag",
                "Vissen met mijn broer aan het kanaal",
            ),
            "meaning": (
                "Iets betekenen voor anderen",
                "Ik help soms in de keuken van de opvang",
                "Vrijwilligerswerk bij de voedselbank",
            ),
            "recovery": (
                "Niet meer drinken als het tegenzit",
                "Het gaat nu drie weken goed",
                "De groep op dinsdagavond",
            ),
        },
        qualities="Ik ben eerlijk en ik geef niet snel op",
        appreciated="Mensen zeggen dat ik goed kan luisteren en lekker kan koken",
        priorities=("Wonen", "Werk", "Gezondheid"),
        plan_why="Dan heb ik rust en kan mijn dochter bij me logeren",
        steps=(
            ("Inschrijven bij de woningcorporatie", "vrijdag", "donderdag 19:00"),
            ("Mijn inkomensgegevens opvragen", "over 3 dagen", "maandag 9 uur"),
            ("Bellen met het wijkteam", "25-12", "24-12 10:00"),
        ),
        reflection=(
            "Ik ben niet naar de afspraak gegaan",
            "Ik schaamde me en was boos op mezelf",
            "Ik ben de hele dag binnen gebleven",
            "Mijn begeleider of mijn tante",
            "Morgen de corporatie bellen voor een nieuwe afspraak",
        ),
        message="Ik ben morgen ziek, kan onze afspraak een week later?",
    ),
    Answers(
        domains={
            "housing": (
                "Samen met mijn kinderen in een huis",
                "Ik woon in het blijf-van-mijn-lijfhuis",
                "Mijn moeder hielp me met het zoeken naar een huis",
            ),
            "money": (
                "Overzicht over mijn post en rekeningen",
                "Ik durf de brieven niet open te maken",
                "Samen met de buurvrouw de post openmaken",
            ),
            "work": (
                "Een opleiding tot doktersassistente",
                "Ik zorg nu voor de kinderen",
                "Op school was ik goed in biologie",
            ),
            "relations": (
                "Vriendinnen die ik kan vertrouwen",
                "Ik heb weinig contact met mensen van vroeger",
                "Mijn zus staat altijd voor me klaar",
            ),
            "health": (
                "Minder angstig zijn",
                "Ik heb vaak paniekaanvallen",
                "Ademhalingsoefeningen van de praktijkondersteuner",
            ),
            "leisure": (
                "Weer tekenen",
                "Er is geen tijd voor",
                "Tekenen in het park met de kinderen",
            ),
            "meaning": (
                "Een goede moeder zijn",
                "Ik doe mijn best maar twijfel vaak",
                "De kinderen zeggen dat ik lief ben",
            ),
            "recovery": (
                "Mijn leven weer zelf in handen hebben",
                "Het gaat met ups en downs",
                "Praten met andere vrouwen hier",
            ),
        },
        qualities="Ik ben sterk en zorgzaam",
        appreciated="Dat ik altijd aan anderen denk",
        priorities=("Wonen", "Gezondheid"),
        plan_why="De kinderen hebben een eigen plek nodig",
        steps=(
            ("Urgentie aanvragen bij de gemeente", "morgen", "morgen 9:00"),
            ("Formulier invullen met mijn begeleider", "volgende week", "geen herinnering"),
            ("Kijken op Woningnet", "zondag", "zaterdag 20:00"),
        ),
        reflection=(
            "Het formulier was te moeilijk",
            "Ik voelde me dom",
            "Ik heb het weggelegd",
            "Mijn zus",
            "Samen met mijn zus het formulier invullen",
        ),
        message="Kunt u mij deze week bellen over het formulier?",
    ),
    Answers(
        domains={
            "housing": ("Blijven wonen waar ik woon", "Goed", "De huismeester"),
            "money": ("Sparen", "Krap", "Een vaste dag om boodschappen te doen"),
            "work": ("Vrijwilligerswerk", "Niets", "Ik heb in de bouw gewerkt"),
            "relations": ("Nieuwe mensen leren kennen", "Alleen", "Het buurthuis"),
            "health": ("Afvallen", "Te zwaar", "Fietsen"),
            "leisure": ("Voetbal kijken met anderen", "Thuis tv kijken", "De kantine van de club"),
            "meaning": ("Nodig zijn", "Weet ik niet", "Helpen met verhuizen"),
            "recovery": ("Stabiel blijven", "Goed", "Mijn medicijnen op tijd"),
        },
        qualities="Handig",
        appreciated="Behulpzaam",
        priorities=("Werk",),
        plan_why="Ik wil iets doen overdag",
        steps=(
            ("Langsgaan bij het vrijwilligerspunt", "dinsdag", "dinsdag 9 uur"),
            ("Een fiets regelen", "over 3 dagen", "geen herinnering"),
            ("Buurthuis bellen", "maandag", "zondag 19:00"),
        ),
        reflection=("Ik vergat het", "Jammer", "Niets", "Mijn buurman", "Een wekker zetten"),
        message="Ik heb vrijwilligerswerk gevonden!",
    ),
)

LINK = LinkView(3, "Anna", "Noord", frozenset(Section), NOW - timedelta(days=30))


def answer_step(person: Person, what: str | None, due: str, remind: str, *, who: str) -> None:
    """The step flow from its first open question until the step is saved."""
    if what is not None:
        person.send(what)
    person.press(who)
    if who == "Iemand":
        person.send("Mijn zus")
    person.send(due)
    person.press("Ja, klopt")
    if remind == "geen herinnering":
        person.press("Geen herinnering")
    else:
        person.send(remind)
        person.press("Ja, klopt")


def walks(engine: Engine, answers: Answers) -> list[Walk]:
    """Every flow walked by one person, in the order a client meets them."""
    person = Person(engine, new_state("nl"))
    person.send("hallo")
    person.press("Ja")
    found: list[Walk] = []

    person.begin()  # the strengths inventory, every question answered
    for domain, texts in answers.domains.items():
        for node, text in zip(("wish", "current", "past"), texts, strict=True):
            assert person.node == f"{domain}.{node}", person.node
            person.send(text)
    person.send(answers.qualities)
    person.send(answers.appreciated)
    for label in answers.priorities:
        person.press(label)
    person.press("Klaar")
    found.append(person.walk("inventory"))

    person.begin()  # a goal from one of their wishes, why, and two steps
    person.command(CommandName.PLAN)
    person.press(answers.domains["housing"][0][:20])
    person.send(answers.plan_why)
    what, due, remind = answers.steps[0]
    answer_step(person, what, due, remind, who="Ik zelf")
    person.press("Ja, nog een stap")
    what, due, remind = answers.steps[1]
    answer_step(person, what, due, remind, who="Mijn begeleider")
    person.press("Nee, zo is het goed")
    found.append(person.walk("plan"))

    person.begin()  # one more step from the goal's screen in /mijnplan
    person.command(CommandName.MY_PLAN)
    person.press("🎯 1")
    person.press("Nieuwe stap")
    what, due, remind = answers.steps[2]
    answer_step(person, what, due, remind, who="Iemand")
    found.append(person.walk("step"))

    person.begin()  # the reminder of step 1: done, and the next step right away
    person.step(ReminderDue(reminder_id=1, step=1))
    person.press("Gedaan")
    person.press("Ja")
    answer_step(person, "Een afspraak maken voor een bezichtiging", "maandag", remind, who="Ik")
    found.append(person.walk("next_step"))

    person.begin()  # a setback, its doable next step into the plan
    person.command(CommandName.SETBACK)
    happened, felt, did, who_helps, next_step = answers.reflection
    for text in (happened, felt, did):
        person.send(text)
    person.press(answers.domains["housing"][2][:20])  # what helped before: their own words
    person.send(who_helps)
    person.send(next_step)
    person.press("Ja, in mijn plan")
    person.press(answers.domains["housing"][0][:20])  # for which goal
    answer_step(person, None, "morgen", "geen herinnering", who="Ik zelf")
    found.append(person.walk("reflection"))

    person.begin()  # quiet hours
    person.command(CommandName.QUIET_HOURS)
    person.press("23:00 tot 7:00")
    found.append(person.walk("quiet_hours"))

    person.begin()  # naming two resources: one from what helped before, for a goal
    person.command(CommandName.RESOURCES)
    person.press(answers.domains["housing"][2][:20])
    person.press("Iemand dicht bij me")
    person.press("Dichtbij")
    person.press(answers.domains["housing"][0][:20])
    person.send("Meegaan naar een bezichtiging")
    person.press("Ja, nog een")
    person.send("De bibliotheek")
    person.press("Een plek of club")
    person.press("Er tussenin")
    person.press("Overslaan")  # no goal: a life domain instead
    person.press("Werk")
    person.send("Sollicitatiebrieven op de computer")
    person.press("Nee, zo is het goed")
    found.append(person.walk("resources"))

    person.begin()  # who could help with goal 1: someone new, asked as a step
    person.command(CommandName.MY_PLAN)
    person.press("🎯 1")
    person.press("Wie kan helpen?")
    person.press("Iemand anders")
    person.send("Mijn buurman Kees")
    person.press("Iemand die ik ken")
    person.press("Verder weg")
    person.send("Een verhuisbus regelen")
    person.press("Ja, maak er een stap van")  # what and who are known: when, and a reminder
    for moment in ("zaterdag", "vrijdag 19:00"):
        person.send(moment)
        person.press("Ja, klopt")
    found.append(person.walk("ask_help"))

    person.state = replace(person.state, links=(LINK,))
    person.begin()  # a message to the linked counsellor
    person.command(CommandName.COUNSELLOR)
    person.press("Een bericht sturen")
    person.send(answers.message)
    found.append(person.walk("counsellor_message"))
    return found


def floor(engine: Engine) -> Walk:
    """A sticker while a question is open: the question again, nothing else."""
    person = Person(engine, new_state("nl"))
    person.send("hallo")
    person.press("Ja")
    person.send(PEOPLE[0].domains["housing"][0])
    person.begin()
    person.step(Unreadable())
    return person.walk("floor: something unreadable")


def replay(engine: Engine, walk: Walk) -> State:
    state = walk.start
    for event in walk.events:
        state, _ = engine.step(state, event, NOW)
    return state


def timed(engine: Engine, runs: list[Walk], seconds: float) -> tuple[int, float]:
    """Replay the walks in turn for about `seconds` (each at least once): steps, seconds."""
    steps, spent = 0, 0.0
    while spent < seconds or steps == 0:
        for walk in runs:
            started = time.perf_counter()
            end = replay(engine, walk)
            spent += time.perf_counter() - started
            steps += len(walk.events)
            if end != walk.end:
                raise AssertionError(f"replaying {walk.flow} did not end where its walk ended")
    return steps, spent


def run(smoke: bool) -> Result:
    content = load_content()
    engine = Engine(content)
    recorded = [walks(engine, person) for person in PEOPLE]
    by_flow: dict[str, list[Walk]] = {}
    for person_walks in recorded:
        for walk in person_walks:
            by_flow.setdefault(walk.flow, []).append(walk)
    seconds = SMOKE_SECONDS_A_FLOW if smoke else SECONDS_A_FLOW
    # A short warm-up: the first steps fill caches (compiled patterns, parsed dates).
    for flow_walks in by_flow.values():
        timed(engine, flow_walks, 0.0)

    with profiling.measured("replaying the walks"):
        floor_steps, floor_seconds = timed(engine, [floor(engine)], seconds)
        floor_us = floor_seconds / floor_steps * 1e6
        figures = [Figure("floor (unreadable): µs/step", floor_us, "µs")]
        notes = [f"{len(PEOPLE)} people walk each flow; each walk replayed for ~{seconds} s"]
        total_steps, total_seconds = 0, 0.0
        for flow, flow_walks in by_flow.items():
            steps, spent = timed(engine, flow_walks, seconds)
            total_steps += steps
            total_seconds += spent
            figures += _flow_figures(flow, steps, spent, floor_us)
            lengths = sorted({len(w.events) for w in flow_walks})
            notes.append(f"{flow}: {'/'.join(map(str, lengths))} steps a walk")
    figures += _flow_figures("all flows", total_steps, total_seconds, floor_us)
    missing = sorted(set(content.flows) - walked(content, set(by_flow)))
    if missing:
        notes.append(f"flows with no walk here (add one): {', '.join(missing)}")
    return Result("engine", figures, notes)


def walked(content: Content, flows: set[str]) -> set[str]:
    """The flows walked, and the ones they run as sub-flows (a resource inside `resources`)."""
    found = set(flows)
    while more := {
        node.subflow
        for flow in found
        for node in content.flows[flow].nodes
        if node.subflow is not None and node.subflow not in found
    }:
        found |= more
    return found


def _flow_figures(flow: str, steps: int, seconds: float, floor_us: float) -> list[Figure]:
    us = seconds / steps * 1e6
    return [
        Figure(f"{flow}: steps/s", steps / seconds, "steps/s", 1e6 / floor_us),
        Figure(f"{flow}: µs/step", us, "µs", floor_us, f"< {TARGET_US:,.0f} µs", us < TARGET_US),
    ]

"""Dates and moments as clients type them in Dutch and English, and back in full words.

Pure: no clock is read, "today" and "now" are always passed in. Forgiving about the way
things are typed (case, accents, spaces, punctuation, filler words such as "om" or "at"), but
never guessing: whatever is not clearly one date or moment gives None, so the caller asks again
instead of planning something the client did not mean. Dates in the past are returned; what to
say about them is the caller's business.

Text is first turned into lower-case tokens with compounds split ("vanavond" -> "vandaag avond"),
then read by small grammars over those tokens. A moment is tried as every split into a date
part and a time part; when two readings give different moments, the text is ambiguous: None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "HORIZON_YEARS",
    "DayTimes",
    "QuietHours",
    "beyond_horizon",
    "format_date",
    "format_moment",
    "local_to_utc",
    "outside_quiet",
    "parse_date",
    "parse_moment",
    "utc_to_local",
]


@dataclass(frozen=True)
class QuietHours:
    """A daily period without messages, in the client's wall time; it may wrap midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether a wall time falls in the quiet period: start inclusive, end exclusive."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class DayTimes:
    """The time a day named without one stands for: of the part of the day named
    ("morgenochtend"), or `without_time`. Content (`times.yaml`) sets them."""

    morning: time
    afternoon: time
    evening: time
    without_time: time


# A plan's dates lie within this many years: "31-12-9999" is a typo, not a plan (and the
# calendar's last days would overflow the arithmetic of reminders and follow-ups).
HORIZON_YEARS = 5


@dataclass(frozen=True)
class _Part:
    """A part of the day: its name in `DayTimes`, and the hours it makes of "8"."""

    name: str
    hours: range


_MORNING = _Part("morning", range(1, 12))
_AFTERNOON = _Part("afternoon", range(12, 18))
_EVENING = _Part("evening", range(17, 24))


@dataclass(frozen=True)
class _Language:
    """Every word one language needs; the grammars below are shared."""

    weekdays: dict[str, int]  # Monday = 0, full and short names
    weekday_names: tuple[str, ...]
    months: dict[str, int]
    month_names: tuple[str, ...]
    numbers: dict[str, int]  # number words for counts and hours
    articles: frozenset[str]  # "een", "a": one, but only as a count
    day_words: dict[str, int]  # days after today
    upcoming_before: frozenset[str]  # "aanstaande vrijdag"
    upcoming_after: frozenset[str]  # "vrijdag aanstaande"
    next_week: tuple[str, ...]
    relative: frozenset[str]  # "over 3 dagen"
    day_units: dict[str, int]  # in days
    clock_units: dict[str, int]  # in minutes
    spans: dict[tuple[str, ...], int]  # set phrases, in minutes
    clock_before: frozenset[str]
    clock_after: frozenset[str]
    clock_phrases: dict[tuple[str, ...], tuple[int, int]]  # words before an hour: hours, minute
    clock_words: dict[str, time]
    parts: dict[str, _Part]
    date_fillers: frozenset[str]
    text_rules: tuple[tuple[re.Pattern[str], str], ...]  # on the whole text, before splitting
    token_rules: tuple[tuple[re.Pattern[str], str], ...]  # on each token, may split it
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    at: str  # between date and time when formatting


_NL_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NL_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _index(names: tuple[str, ...], start: int, **short: int) -> dict[str, int]:
    table = {name.lower(): number for number, name in enumerate(names, start)}
    return table | short


def _months(names: tuple[str, ...], **short: int) -> dict[str, int]:
    """A language's month names, their first three letters ("okt", "Dec"), and `short`."""
    return _index(names, 1) | {name[:3].lower(): n for n, name in enumerate(names, 1)} | short


def _counting(words: str) -> dict[str, int]:
    return {word: number for number, word in enumerate(words.split(), 1)}


_CLOCK_FORMS = r"\d{1,2}(?:[:.]\d{2})?"
_NL_DAY_WORDS = "|".join(("vandaag", "overmorgen", "morgen", *_NL_WEEKDAYS))

_DUTCH = _Language(
    weekdays=_index(
        _NL_WEEKDAYS,
        0,
        **dict.fromkeys(("ma", "maa"), 0),
        **dict.fromkeys(("di", "din"), 1),
        **dict.fromkeys(("wo", "woe"), 2),
        **dict.fromkeys(("do", "don"), 3),
        **dict.fromkeys(("vr", "vrij"), 4),
        **dict.fromkeys(("za", "zat"), 5),
        **dict.fromkeys(("zo", "zon"), 6),
    ),
    weekday_names=_NL_WEEKDAYS,
    months=_months(_NL_MONTHS, mrt=3, mar=3, sept=9),
    month_names=_NL_MONTHS,
    numbers=_counting("een twee drie vier vijf zes zeven acht negen tien elf twaalf"),
    articles=frozenset({"een"}),
    day_words={"vandaag": 0, "morgen": 1, "overmorgen": 2},
    upcoming_before=frozenset({"aanstaande", "komende", "volgende", "deze"}),
    upcoming_after=frozenset({"aanstaande"}),
    next_week=("volgende", "week"),
    relative=frozenset({"over", "in"}),
    day_units={"dag": 1, "dagen": 1, "week": 7, "weken": 7},
    clock_units={
        **dict.fromkeys(("minuut", "minuten", "min", "minuutjes"), 1),
        **dict.fromkeys(("uur", "uren", "uurtje", "uurtjes"), 60),
    },
    spans={
        ("een", "half", "uur"): 30,
        ("half", "uur"): 30,
        ("anderhalf", "uur"): 90,
        ("een", "kwartier"): 15,
        ("kwartier",): 15,
    },
    clock_before=frozenset({"om", "@"}),
    clock_after=frozenset({"uur", "u"}),
    # "half tien" is half an hour before ten: 9:30.
    clock_phrases={("half",): (-1, 30), ("kwart", "over"): (0, 15), ("kwart", "voor"): (-1, 45)},
    clock_words={},
    parts={
        **dict.fromkeys(("ochtend", "sochtends", "smorgens"), _MORNING),
        **dict.fromkeys(("middag", "smiddags"), _AFTERNOON),
        **dict.fromkeys(("avond", "savonds"), _EVENING),
    },
    date_fillers=frozenset({"op"}),
    text_rules=((re.compile(r"(?<![\w.])a\.?s\.?(?!\w)"), "aanstaande"),),  # a.s.
    token_rules=(
        (re.compile(r"(\d{1,2})(?:e|ste|de)"), r"\1"),  # 25e, 1ste
        (re.compile(r"(\d{1,2})u(\d{2})"), r"\1:\2"),  # 10u30
        (re.compile(rf"({_CLOCK_FORMS})u"), r"\1 uur"),  # 10u, 10.00u
        (re.compile(r"van(ochtend|middag|avond)"), r"vandaag \1"),
        (re.compile(r"vanmorgen"), "vandaag ochtend"),
        (re.compile(rf"({_NL_DAY_WORDS})(ochtend|middag|avond)"), r"\1 \2"),  # morgenavond
    ),
    phrases={
        ("s", "ochtends"): ("sochtends",),
        ("s", "morgens"): ("smorgens",),
        ("s", "middags"): ("smiddags",),
        ("s", "avonds"): ("savonds",),
        ("van", "ochtend"): ("vandaag", "ochtend"),
        ("van", "morgen"): ("vandaag", "ochtend"),
        ("van", "middag"): ("vandaag", "middag"),
        ("van", "avond"): ("vandaag", "avond"),
    },
    at="om",
)

_ENGLISH = _Language(
    weekdays=_index(
        _EN_WEEKDAYS,
        0,
        mon=0,
        **dict.fromkeys(("tue", "tues"), 1),
        **dict.fromkeys(("wed", "weds"), 2),
        **dict.fromkeys(("thu", "thur", "thurs"), 3),
        fri=4,
        sat=5,
        sun=6,
    ),
    weekday_names=_EN_WEEKDAYS,
    months=_months(_EN_MONTHS, sept=9),
    month_names=_EN_MONTHS,
    numbers=_counting("one two three four five six seven eight nine ten eleven twelve"),
    articles=frozenset({"a", "an"}),
    day_words={"today": 0, "tomorrow": 1, "dayaftertomorrow": 2},
    upcoming_before=frozenset({"next", "this", "coming"}),
    upcoming_after=frozenset(),
    next_week=("next", "week"),
    relative=frozenset({"in"}),
    day_units={"day": 1, "days": 1, "week": 7, "weeks": 7},
    clock_units={
        **dict.fromkeys(("minute", "minutes", "min", "mins"), 1),
        **dict.fromkeys(("hour", "hours", "hr", "hrs"), 60),
    },
    spans={
        ("half", "an", "hour"): 30,
        ("an", "hour", "and", "a", "half"): 90,
        ("a", "quarter", "of", "an", "hour"): 15,
        ("quarter", "of", "an", "hour"): 15,
    },
    clock_before=frozenset({"at", "@"}),
    clock_after=frozenset({"oclock"}),
    # No bare "half ten": British English means 10:30, a Dutch speaker means 9:30.
    clock_phrases={
        ("half", "past"): (0, 30),
        ("quarter", "past"): (0, 15),
        ("a", "quarter", "past"): (0, 15),
        ("quarter", "to"): (-1, 45),
        ("a", "quarter", "to"): (-1, 45),
    },
    clock_words={"noon": time(12), "midday": time(12)},
    parts={"morning": _MORNING, "afternoon": _AFTERNOON, "evening": _EVENING, "night": _EVENING},
    date_fillers=frozenset({"on", "the", "of"}),
    text_rules=(),
    token_rules=((re.compile(r"(\d{1,2})(?:st|nd|rd|th)"), r"\1"),),  # 25th
    phrases={
        ("day", "after", "tomorrow"): ("dayaftertomorrow",),
        ("tonight",): ("today", "evening"),
        ("this", "morning"): ("today", "morning"),
        ("this", "afternoon"): ("today", "afternoon"),
        ("this", "evening"): ("today", "evening"),
        ("in", "the", "morning"): ("morning",),
        ("in", "the", "afternoon"): ("afternoon",),
        ("in", "the", "evening"): ("evening",),
    },
    at="at",
)

_LANGUAGES = {"nl": _DUTCH, "en": _ENGLISH}

_ACCENTS = str.maketrans("áàâäéèêëíìîïóòôöúùûüç", "aaaaeeeeiiiioooouuuuc")
_APOSTROPHES = re.compile("['`\u2018\u2019\u00b4]")
_DOTTED_MERIDIEM = re.compile(r"(?<![a-z])([ap])\.m\.?(?![a-z])")
_SPLIT_MERIDIEM = re.compile(rf"({_CLOCK_FORMS})(am|pm)")
_MERIDIEMS = {"am": 0, "pm": 12}
_PUNCTUATION = '.,!?;:()"'
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?")
_MAX_COUNT_DIGITS = 4  # "over 99999 dagen" is a typo, not a plan


def _language(code: str) -> _Language:
    try:
        return _LANGUAGES[code]
    except KeyError:
        raise ValueError(f"unsupported language {code!r}") from None


# --- Tokens -------------------------------------------------------------------------------


def _tokens(text: str, lang: _Language) -> list[str]:
    """Lower-case words with accents, apostrophes and stray punctuation gone, compounds split."""
    cleaned = _APOSTROPHES.sub("", text.lower().translate(_ACCENTS))
    cleaned = _DOTTED_MERIDIEM.sub(r"\1m", cleaned)
    for pattern, replacement in lang.text_rules:
        cleaned = pattern.sub(replacement, cleaned)
    words: list[str] = []
    for raw in cleaned.replace(",", " ").split():
        # A dash is kept: "-3" must stay negative (and so unreadable), not become 3.
        word = raw.strip(_PUNCTUATION)
        if word.strip("-"):
            words.extend(_split_token(word, lang))
    return _replace_phrases(words, lang.phrases)


def _split_token(word: str, lang: _Language) -> list[str]:
    rules = ((_SPLIT_MERIDIEM, r"\1 \2"), *lang.token_rules)
    for pattern, template in rules:
        match = pattern.fullmatch(word)
        if match:
            return match.expand(template).split()
    return [word]


def _replace_phrases(
    words: list[str], phrases: dict[tuple[str, ...], tuple[str, ...]]
) -> list[str]:
    longest_first = sorted(phrases, key=len, reverse=True)
    result: list[str] = []
    i = 0
    while i < len(words):
        for phrase in longest_first:
            if tuple(words[i : i + len(phrase)]) == phrase:
                result.extend(phrases[phrase])
                i += len(phrase)
                break
        else:
            result.append(words[i])
            i += 1
    return result


def _take_part(words: list[str], lang: _Language) -> tuple[_Part | None, list[str]] | None:
    """Lift out the part of the day ("avond", "'s ochtends"); None when there are two."""
    parts = [lang.parts[w] for w in words if w in lang.parts]
    if len(parts) > 1:
        return None
    rest = [w for w in words if w not in lang.parts]
    return (parts[0] if parts else None), rest


def _count(word: str, lang: _Language) -> int | None:
    """A positive count: digits or a number word ("drie", "een", "a")."""
    if word.isascii() and word.isdigit() and len(word) <= _MAX_COUNT_DIGITS:
        return int(word) or None
    if word in lang.articles:
        return 1
    return lang.numbers.get(word)


def _hour_number(word: str, lang: _Language) -> int | None:
    if word.isascii() and word.isdigit() and len(word) <= 2:
        return int(word)
    return lang.numbers.get(word)


# --- Dates --------------------------------------------------------------------------------


def _date_from_words(words: list[str], lang: _Language, today: date) -> date | None:
    words = [w for w in words if w not in lang.date_fillers]
    if not words:
        return None
    for reader in (_day_word, _weekday, _relative_days, _calendar):
        day = reader(words, lang, today)
        if day is not None:
            return day
    return None


def _day_word(words: list[str], lang: _Language, today: date) -> date | None:
    if len(words) == 1 and words[0] in lang.day_words:
        return today + timedelta(days=lang.day_words[words[0]])
    return None


def _weekday(words: list[str], lang: _Language, today: date) -> date | None:
    """A weekday means the first one after today; "volgende week vrijdag" the one a week on."""
    next_week = list(lang.next_week)
    if words == next_week:
        return today + timedelta(weeks=1)
    if len(words) == 3 and words[:2] == next_week and words[2] in lang.weekdays:
        return _in_next_week(today, lang.weekdays[words[2]])
    if len(words) == 3 and words[1:] == next_week and words[0] in lang.weekdays:
        return _in_next_week(today, lang.weekdays[words[0]])
    if len(words) == 2 and words[0] in lang.upcoming_before:
        words = words[1:]
    elif len(words) == 2 and words[1] in lang.upcoming_after:
        words = words[:1]
    if len(words) == 1 and words[0] in lang.weekdays:
        return _next_weekday(today, lang.weekdays[words[0]])
    return None


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _in_next_week(today: date, weekday: int) -> date:
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=1, days=weekday)


def _relative_days(words: list[str], lang: _Language, today: date) -> date | None:
    days = _relative(words, lang, lang.day_units, {})
    return None if days is None else today + timedelta(days=days)


def _relative(
    words: list[str], lang: _Language, units: dict[str, int], spans: dict[tuple[str, ...], int]
) -> int | None:
    """How many units "over 3 dagen" or "in an hour and a half" says, or None."""
    if len(words) < 2 or words[0] not in lang.relative:
        return None
    rest = tuple(words[1:])
    if rest in spans:
        return spans[rest]
    if len(rest) != 2 or rest[1] not in units:
        return None
    count = _count(rest[0], lang)
    return None if count is None else count * units[rest[1]]


def _calendar(words: list[str], lang: _Language, today: date) -> date | None:
    """A day of a month, optionally led by its weekday, which then has to match."""
    if len(words) > 1 and words[0] in lang.weekdays:
        day = _calendar(words[1:], lang, today)
        return day if day is not None and day.weekday() == lang.weekdays[words[0]] else None
    if len(words) == 1:
        return _numeric_date(words[0], today)
    if len(words) not in (2, 3):
        return None
    if words[0] in lang.months:
        month, number, year = words[0], words[1], words[2:]
    elif words[1] in lang.months:
        number, month, year = words[0], words[1], words[2:]
    else:
        return None
    if not (number.isascii() and number.isdigit() and len(number) <= 2):
        return None
    if year and not (year[0].isascii() and year[0].isdigit() and len(year[0]) == 4):
        return None
    return _day_month(int(number), lang.months[month], int(year[0]) if year else None, today)


def _numeric_date(word: str, today: date) -> date | None:
    match = _NUMERIC_DATE.fullmatch(word)
    if match is None:
        return None
    day, separator, month, year = match.groups()
    if year is None and separator == ".":
        return None  # "12.30" is a time
    if year is not None and len(year) == 2:
        year = f"20{year}"
    return _day_month(int(day), int(month), int(year) if year else None, today)


def _day_month(day: int, month: int, year: int | None, today: date) -> date | None:
    """Without a year: the first such date from today on."""
    if year is not None:
        return _valid_date(year, month, day)
    this_year = _valid_date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _valid_date(today.year + 1, month, day)


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- Times --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    fixed: bool  # am/pm said: no other reading of the hour

    def readings(self) -> tuple[int, ...]:
        """The hours this could be on a 12-hour clock: "8" is 8 or 20, "12" is 12 or 0."""
        if self.fixed or self.hour > 12:
            return (self.hour,)
        return (self.hour, (self.hour + 12) % 24)

    def within(self, part: _Part | None) -> time | None:
        if part is None:
            return time(self.hour, self.minute)
        fitting = [hour for hour in self.readings() if hour in part.hours]
        return time(fitting[0], self.minute) if fitting else None


def _clock_from_words(words: list[str], lang: _Language, bare_ok: bool) -> _Clock | None:
    """A time of day; a lone number only counts with "om"/"uur"/am/pm or next to a date."""
    words = list(words)
    marked = False
    if words and words[0] in lang.clock_before:
        words, marked = words[1:], True
    meridiem = _MERIDIEMS.get(words[-1]) if words else None
    if meridiem is not None:
        words = words[:-1]
    if words and words[-1] in lang.clock_after:
        words, marked = words[:-1], True
    if len(words) == 1 and words[0] in lang.clock_words:
        said = lang.clock_words[words[0]]
        return None if meridiem is not None else _Clock(said.hour, said.minute, fixed=True)
    reading = _read_clock(words, lang)
    if reading is None:
        return None
    hour, minute, shift, bare = reading
    if bare and not (marked or bare_ok or meridiem is not None):
        return None
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + meridiem
    hour += shift
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return _Clock(hour, minute, fixed=meridiem is not None)


def _read_clock(words: list[str], lang: _Language) -> tuple[int, int, int, bool] | None:
    """(hour as typed, minute, hours to add, whether it was a lone number)."""
    if len(words) == 1:
        match = _CLOCK.fullmatch(words[0])
        if match:
            return int(match[1]), int(match[2]), 0, False
        hour = _hour_number(words[0], lang)
        return None if hour is None else (hour, 0, 0, True)
    if not words:
        return None
    phrase = lang.clock_phrases.get(tuple(words[:-1]))
    hour = _hour_number(words[-1], lang)
    if phrase is None or hour is None or hour == 0:
        return None
    shift, minute = phrase
    return hour, minute, shift, False


# --- Moments ------------------------------------------------------------------------------


def _at(day: date, wall: time, zone: tzinfo) -> datetime:
    """A wall time in a zone; a time skipped by DST moves forward, a doubled one is the first."""
    # fold=0 in a gap reads the wall time with the offset from before the change, which after
    # normalising through UTC lands exactly one gap later (02:30 -> 03:30).
    naive = datetime.combine(day, wall)
    try:
        return naive.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)
    except OverflowError:  # the calendar's first or last day, past UTC's range: no DST there
        return naive.replace(tzinfo=zone, fold=0)


def _splits(words: list[str]) -> list[tuple[list[str], list[str]]]:
    """Every way to read the words as (date words, time words), date first or time first."""
    options = [(words, []), ([], words)]
    for i in range(1, len(words)):
        options.append((words[:i], words[i:]))
        options.append((words[i:], words[:i]))
    return options


def _moment(
    date_words: list[str],
    time_words: list[str],
    part: _Part | None,
    lang: _Language,
    now: datetime,
    zone: tzinfo,
    times: DayTimes,
) -> datetime | None:
    day = _date_from_words(date_words, lang, now.date()) if date_words else None
    if date_words and day is None:
        return None
    clock = None
    if time_words:
        clock = _clock_from_words(time_words, lang, bare_ok=bool(date_words) or part is not None)
        if clock is None:
            return None
    if clock is None:
        if day is None:
            return None
        named: time = getattr(times, part.name) if part else times.without_time
        return _at(day, named, zone)
    wall = clock.within(part)
    if wall is None:
        return None
    if day is not None:
        return _at(day, wall, zone)
    today = _at(now.date(), wall, zone)
    return today if today > now else _at(now.date() + timedelta(days=1), wall, zone)


# --- Public -------------------------------------------------------------------------------


def parse_date(text: str, language: str, today: date) -> date | None:
    """The date a client typed ("morgen", "vr", "25-12", "Dec 25th"), or None if unclear."""
    lang = _language(language)
    taken = _take_part(_tokens(text, lang), lang)
    if taken is None:
        return None
    return _date_from_words(taken[1], lang, today)


def parse_moment(text: str, language: str, now: datetime, times: DayTimes) -> datetime | None:
    """The moment a client typed, aware in `now`'s zone, or None if unclear.

    A time alone is the next such time (today or tomorrow); a date alone is at the time
    `times` gives it.
    """
    zone = now.tzinfo
    if zone is None:
        raise ValueError("now must be aware, in the client's zone")
    lang = _language(language)
    words = _tokens(text, lang)
    minutes = _relative(words, lang, lang.clock_units, lang.spans)
    if minutes is not None:
        # Elapsed time, so through UTC: "over 2 uur" on a DST night is still two hours.
        return (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)
    taken = _take_part(words, lang)
    if taken is None:
        return None
    part, rest = taken
    if not rest:
        return None
    found: set[datetime] = set()
    for date_words, time_words in _splits(rest):
        moment = _moment(date_words, time_words, part, lang, now, zone, times)
        if moment is not None:
            found.add(moment)
    return found.pop() if len(found) == 1 else None


def beyond_horizon(day: date, today: date) -> bool:
    """Whether `day` lies more than HORIZON_YEARS after `today`: too far for a plan."""
    return (day - today).days > HORIZON_YEARS * 366


def format_date(day: date, language: str, today: date) -> str:
    """The date in full words ("vrijdag 27 november"); the year only when not today's."""
    lang = _language(language)
    words = f"{lang.weekday_names[day.weekday()]} {day.day} {lang.month_names[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def format_moment(moment: datetime, language: str, today: date) -> str:
    """The moment in full ("vrijdag 27 november om 10:00"): its own wall time, 24-hour clock."""
    at = _language(language).at
    return f"{format_date(moment.date(), language, today)} {at} {moment:%H:%M}"


def local_to_utc(local: datetime, zone: str) -> datetime:
    """A naive wall time in `zone` as aware UTC; DST gap: moved forward, fold: first one."""
    if local.tzinfo is not None:
        raise ValueError("local must be a naive wall time")
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def utc_to_local(moment: datetime, zone: str) -> datetime:
    """An aware moment as aware wall time in `zone`."""
    if moment.tzinfo is None:
        raise ValueError("moment must be aware")
    return moment.astimezone(ZoneInfo(zone))


def outside_quiet(moment: datetime, zone: str, quiet: QuietHours) -> datetime:
    """The moment itself, or, if it falls in quiet hours, the end of them (aware UTC)."""
    local = utc_to_local(moment, zone)
    wall = local.time()
    if not quiet.contains(wall):
        return moment
    # Past the end means we are in the evening half of a period that wraps midnight.
    day = local.date() + timedelta(days=1) if wall >= quiet.end else local.date()
    return local_to_utc(datetime.combine(day, quiet.end), zone)

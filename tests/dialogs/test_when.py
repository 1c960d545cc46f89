"""Dates and moments as clients type them; all relative to Friday 27 November 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.content.times import load_times
from dialogs.engine.when import (
    QuietHours,
    format_date,
    format_moment,
    local_to_utc,
    outside_quiet,
    parse_date,
    parse_moment,
    utc_to_local,
)

QUIET = QuietHours(time(22), time(8))  # a new client's quiet hours
TIMES = load_times().day  # the shipped times.yaml: a day alone is at 10:00
ZONE = "Europe/Amsterdam"
AMS = ZoneInfo(ZONE)
TODAY = date(2026, 11, 27)  # a Friday
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=AMS)
LATE = datetime(2026, 11, 27, 22, 0, tzinfo=AMS)


def ams(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- parse_date ---------------------------------------------------------------------------

DATES = [
    ("vandaag", "nl", date(2026, 11, 27)),
    ("Morgen", "nl", date(2026, 11, 28)),
    ("  morgen!  ", "nl", date(2026, 11, 28)),
    ("overmorgen", "nl", date(2026, 11, 29)),
    ("vrijdag", "nl", date(2026, 12, 4)),
    ("VRIJDAG.", "nl", date(2026, 12, 4)),
    ("vr", "nl", date(2026, 12, 4)),
    ("za", "nl", date(2026, 11, 28)),
    ("zondag", "nl", date(2026, 11, 29)),
    ("op maandag", "nl", date(2026, 11, 30)),
    ("aanstaande vrijdag", "nl", date(2026, 12, 4)),
    ("vrijdag a.s.", "nl", date(2026, 12, 4)),
    ("vrijdag as", "nl", date(2026, 12, 4)),
    ("a.s. zaterdag", "nl", date(2026, 11, 28)),
    ("volgende week vrijdag", "nl", date(2026, 12, 4)),
    ("volgende week zaterdag", "nl", date(2026, 12, 5)),
    ("zaterdag volgende week", "nl", date(2026, 12, 5)),
    ("volgende week", "nl", date(2026, 12, 4)),
    ("over 3 dagen", "nl", date(2026, 11, 30)),
    ("over drie dagen", "nl", date(2026, 11, 30)),
    ("over 1 dag", "nl", date(2026, 11, 28)),
    ("over een week", "nl", date(2026, 12, 4)),
    ("over één week", "nl", date(2026, 12, 4)),
    ("over 2 weken", "nl", date(2026, 12, 11)),
    ("over tien dagen", "nl", date(2026, 12, 7)),
    ("in 3 dagen", "nl", date(2026, 11, 30)),
    ("25-12", "nl", date(2026, 12, 25)),
    ("25/12", "nl", date(2026, 12, 25)),
    ("25-12-2026", "nl", date(2026, 12, 25)),
    ("25-12-26", "nl", date(2026, 12, 25)),
    ("25.12.2026", "nl", date(2026, 12, 25)),
    ("1-1", "nl", date(2027, 1, 1)),
    ("27-11", "nl", date(2026, 11, 27)),  # today has not passed yet
    ("25-11", "nl", date(2027, 11, 25)),  # passed this year: next year
    ("25-11-2026", "nl", date(2026, 11, 25)),  # in the past, but said outright
    ("29-02-2028", "nl", date(2028, 2, 29)),
    ("25 december", "nl", date(2026, 12, 25)),
    ("25 dec", "nl", date(2026, 12, 25)),
    ("25 dec.", "nl", date(2026, 12, 25)),
    ("25e december", "nl", date(2026, 12, 25)),
    ("3 mrt", "nl", date(2027, 3, 3)),
    ("3 maart 2027", "nl", date(2027, 3, 3)),
    ("vrijdag 4 december", "nl", date(2026, 12, 4)),
    ("vanavond", "nl", date(2026, 11, 27)),
    ("morgenochtend", "nl", date(2026, 11, 28)),
    ("today", "en", date(2026, 11, 27)),
    ("Tomorrow", "en", date(2026, 11, 28)),
    ("day after tomorrow", "en", date(2026, 11, 29)),
    ("the day after tomorrow", "en", date(2026, 11, 29)),
    ("friday", "en", date(2026, 12, 4)),
    ("Fri", "en", date(2026, 12, 4)),
    ("sat", "en", date(2026, 11, 28)),
    ("on Monday", "en", date(2026, 11, 30)),
    ("next friday", "en", date(2026, 12, 4)),
    ("this saturday", "en", date(2026, 11, 28)),
    ("next week friday", "en", date(2026, 12, 4)),
    ("next week saturday", "en", date(2026, 12, 5)),
    ("saturday next week", "en", date(2026, 12, 5)),
    ("next week", "en", date(2026, 12, 4)),
    ("in 3 days", "en", date(2026, 11, 30)),
    ("in three days", "en", date(2026, 11, 30)),
    ("in a week", "en", date(2026, 12, 4)),
    ("in 2 weeks", "en", date(2026, 12, 11)),
    ("25/12", "en", date(2026, 12, 25)),
    ("25-12-2026", "en", date(2026, 12, 25)),
    ("December 25", "en", date(2026, 12, 25)),
    ("Dec 25th", "en", date(2026, 12, 25)),
    ("25th of December", "en", date(2026, 12, 25)),
    ("the 25th of December", "en", date(2026, 12, 25)),
    ("25 dec", "en", date(2026, 12, 25)),
    ("December 25, 2027", "en", date(2027, 12, 25)),
    ("Friday 4 December", "en", date(2026, 12, 4)),
    ("tonight", "en", date(2026, 11, 27)),
]


@pytest.mark.parametrize(("text", "language", "expected"), DATES)
def test_parse_date(text: str, language: str, expected: date) -> None:
    assert parse_date(text, language, TODAY) == expected


def test_weekday_from_a_monday() -> None:
    monday = date(2026, 11, 30)
    assert parse_date("maandag", "nl", monday) == date(2026, 12, 7)  # strictly after today
    assert parse_date("vrijdag", "nl", monday) == date(2026, 12, 4)
    assert parse_date("volgende week vrijdag", "nl", monday) == date(2026, 12, 11)
    assert parse_date("next week monday", "en", monday) == date(2026, 12, 7)


NOT_DATES = [
    ("", "nl"),
    ("   ", "nl"),
    ("?!", "nl"),
    ("blabla", "nl"),
    ("32-13", "nl"),
    ("31-02", "nl"),
    ("29-02", "nl"),  # neither 2026 nor 2027 has one
    ("25-12-0", "nl"),
    ("12.30", "nl"),  # a time, not a date
    ("over -3 dagen", "nl"),
    ("over 0 dagen", "nl"),
    ("over 99999 dagen", "nl"),
    ("over een paar dagen", "nl"),
    ("over 2 maanden", "nl"),
    ("over 2 uur", "nl"),
    ("over dagen", "nl"),
    ("donderdag 4 december", "nl"),  # 4 December is a Friday
    ("maandag dinsdag", "nl"),
    ("morgen 10:00", "nl"),
    ("avond", "nl"),
    ("vanavond morgenochtend", "nl"),
    ("25", "nl"),
    ("december", "nl"),
    ("25 december 26", "nl"),
    ("tomorrow", "nl"),  # words of the other language are not guessed at
    ("morgen", "en"),
    ("blabla", "en"),
    ("in a few days", "en"),
    ("in -3 days", "en"),
    ("12/25", "en"),  # day first, always
    ("next month", "en"),
    ("Dec 32nd", "en"),
]


@pytest.mark.parametrize(("text", "language"), NOT_DATES)
def test_parse_date_refuses(text: str, language: str) -> None:
    assert parse_date(text, language, TODAY) is None


# --- parse_moment -------------------------------------------------------------------------

MOMENTS = [
    ("morgen 10:00", "nl", ams(2026, 11, 28, 10, 0)),
    ("morgen om 10 uur", "nl", ams(2026, 11, 28, 10, 0)),
    ("Morgen  om 10 uur.", "nl", ams(2026, 11, 28, 10, 0)),
    ("om 10 uur morgen", "nl", ams(2026, 11, 28, 10, 0)),
    ("morgen 10u", "nl", ams(2026, 11, 28, 10, 0)),
    ("morgen 10u30", "nl", ams(2026, 11, 28, 10, 30)),
    ("morgen om 10.00 uur", "nl", ams(2026, 11, 28, 10, 0)),
    ("morgen 10", "nl", ams(2026, 11, 28, 10, 0)),
    ("morgen om tien uur", "nl", ams(2026, 11, 28, 10, 0)),
    ("vrijdag 14.30", "nl", ams(2026, 12, 4, 14, 30)),
    ("vrijdag a.s. om 14:30", "nl", ams(2026, 12, 4, 14, 30)),
    ("9 uur", "nl", ams(2026, 11, 28, 9, 0)),  # 9:00 has passed at 9:30
    ("9:00", "nl", ams(2026, 11, 28, 9, 0)),
    ("21:15", "nl", ams(2026, 11, 27, 21, 15)),
    ("om 11 uur", "nl", ams(2026, 11, 27, 11, 0)),
    ("half 11", "nl", ams(2026, 11, 27, 10, 30)),
    ("half elf", "nl", ams(2026, 11, 27, 10, 30)),
    ("half 10", "nl", ams(2026, 11, 28, 9, 30)),  # exactly now is not ahead
    ("om half tien", "nl", ams(2026, 11, 28, 9, 30)),
    ("kwart over 3", "nl", ams(2026, 11, 28, 3, 15)),
    ("kwart voor 4", "nl", ams(2026, 11, 28, 3, 45)),
    ("om 3 uur", "nl", ams(2026, 11, 28, 3, 0)),  # no guessing pm
    ("15:00", "nl", ams(2026, 11, 27, 15, 0)),
    ("3pm", "nl", ams(2026, 11, 27, 15, 0)),
    ("over 2 uur", "nl", ams(2026, 11, 27, 11, 30)),
    ("over een uur", "nl", ams(2026, 11, 27, 10, 30)),
    ("over 30 minuten", "nl", ams(2026, 11, 27, 10, 0)),
    ("over een half uur", "nl", ams(2026, 11, 27, 10, 0)),
    ("over een kwartier", "nl", ams(2026, 11, 27, 9, 45)),
    ("over anderhalf uur", "nl", ams(2026, 11, 27, 11, 0)),
    ("vanavond", "nl", ams(2026, 11, 27, 19, 0)),
    ("van avond", "nl", ams(2026, 11, 27, 19, 0)),
    ("vanmiddag", "nl", ams(2026, 11, 27, 14, 0)),
    ("vanochtend", "nl", ams(2026, 11, 27, 9, 0)),  # in the past: returned as it is
    ("vanmorgen", "nl", ams(2026, 11, 27, 9, 0)),
    ("morgenochtend", "nl", ams(2026, 11, 28, 9, 0)),
    ("morgen ochtend", "nl", ams(2026, 11, 28, 9, 0)),
    ("morgenmiddag", "nl", ams(2026, 11, 28, 14, 0)),
    ("morgenavond", "nl", ams(2026, 11, 28, 19, 0)),
    ("vrijdagavond", "nl", ams(2026, 12, 4, 19, 0)),
    ("vanavond om 8", "nl", ams(2026, 11, 27, 20, 0)),
    ("vanavond om 20:00", "nl", ams(2026, 11, 27, 20, 0)),
    ("vanmiddag om 3 uur", "nl", ams(2026, 11, 27, 15, 0)),
    ("morgenavond half 8", "nl", ams(2026, 11, 28, 19, 30)),
    ("om 8 uur 's avonds", "nl", ams(2026, 11, 27, 20, 0)),
    ("om 8 uur \u2018s avonds", "nl", ams(2026, 11, 27, 20, 0)),
    ("12 uur 's middags", "nl", ams(2026, 11, 27, 12, 0)),
    ("morgen 7 uur 's ochtends", "nl", ams(2026, 11, 28, 7, 0)),
    ("vrijdag", "nl", ams(2026, 12, 4, 10, 0)),  # a date alone: its time in times.yaml
    ("vandaag", "nl", ams(2026, 11, 27, 10, 0)),
    ("25 december om 18:00", "nl", ams(2026, 12, 25, 18, 0)),
    ("25-12 18:00", "nl", ams(2026, 12, 25, 18, 0)),
    ("over 3 dagen om 10 uur", "nl", ams(2026, 11, 30, 10, 0)),
    ("volgende week zaterdag om 11 uur", "nl", ams(2026, 12, 5, 11, 0)),
    ("vrijdag 4 december om 10:00", "nl", ams(2026, 12, 4, 10, 0)),
    ("tomorrow 10am", "en", ams(2026, 11, 28, 10, 0)),
    ("Tomorrow at 10:30", "en", ams(2026, 11, 28, 10, 30)),
    ("at 10:30 tomorrow", "en", ams(2026, 11, 28, 10, 30)),
    ("tomorrow at 10 a.m.", "en", ams(2026, 11, 28, 10, 0)),
    ("friday 14.30", "en", ams(2026, 12, 4, 14, 30)),
    ("next friday at 3pm", "en", ams(2026, 12, 4, 15, 0)),
    ("10 am", "en", ams(2026, 11, 27, 10, 0)),
    ("3pm", "en", ams(2026, 11, 27, 15, 0)),
    ("3 PM", "en", ams(2026, 11, 27, 15, 0)),
    ("12pm", "en", ams(2026, 11, 27, 12, 0)),
    ("12am", "en", ams(2026, 11, 28, 0, 0)),
    ("at 9", "en", ams(2026, 11, 28, 9, 0)),
    ("9 o'clock", "en", ams(2026, 11, 28, 9, 0)),
    ("at noon", "en", ams(2026, 11, 27, 12, 0)),
    ("half past ten", "en", ams(2026, 11, 27, 10, 30)),
    ("quarter past 3 pm", "en", ams(2026, 11, 27, 15, 15)),
    ("a quarter to 4", "en", ams(2026, 11, 28, 3, 45)),
    ("in 2 hours", "en", ams(2026, 11, 27, 11, 30)),
    ("in an hour", "en", ams(2026, 11, 27, 10, 30)),
    ("in 30 minutes", "en", ams(2026, 11, 27, 10, 0)),
    ("in half an hour", "en", ams(2026, 11, 27, 10, 0)),
    ("tonight", "en", ams(2026, 11, 27, 19, 0)),
    ("tonight at 8", "en", ams(2026, 11, 27, 20, 0)),
    ("this afternoon", "en", ams(2026, 11, 27, 14, 0)),
    ("this evening", "en", ams(2026, 11, 27, 19, 0)),
    ("this morning", "en", ams(2026, 11, 27, 9, 0)),
    ("tomorrow morning", "en", ams(2026, 11, 28, 9, 0)),
    ("tomorrow evening at 7:30", "en", ams(2026, 11, 28, 19, 30)),
    ("friday night", "en", ams(2026, 12, 4, 19, 0)),
    ("at 8 in the evening", "en", ams(2026, 11, 27, 20, 0)),
    ("friday", "en", ams(2026, 12, 4, 10, 0)),
    ("in 2 days at 9", "en", ams(2026, 11, 29, 9, 0)),
    ("Dec 25th at 6pm", "en", ams(2026, 12, 25, 18, 0)),
    ("Friday 4 December at 10:00", "en", ams(2026, 12, 4, 10, 0)),
]


@pytest.mark.parametrize(("text", "language", "expected"), MOMENTS)
def test_parse_moment(text: str, language: str, expected: datetime) -> None:
    moment = parse_moment(text, language, NOW, TIMES)
    assert moment == expected
    assert moment is not None
    assert moment.tzinfo == AMS
    assert moment.utcoffset() == expected.utcoffset()


MOMENTS_LATE = [
    ("9 uur", "nl", ams(2026, 11, 28, 9, 0)),
    ("23:00", "nl", ams(2026, 11, 27, 23, 0)),
    ("22:00", "nl", ams(2026, 11, 28, 22, 0)),
    ("over 2 uur", "nl", ams(2026, 11, 28, 0, 0)),
    ("vanavond", "nl", ams(2026, 11, 27, 19, 0)),
    ("at 9", "en", ams(2026, 11, 28, 9, 0)),
    ("11pm", "en", ams(2026, 11, 27, 23, 0)),
]


@pytest.mark.parametrize(("text", "language", "expected"), MOMENTS_LATE)
def test_parse_moment_late_evening(text: str, language: str, expected: datetime) -> None:
    assert parse_moment(text, language, LATE, TIMES) == expected


NOT_MOMENTS = [
    ("", "nl"),
    ("blabla", "nl"),
    ("10", "nl"),  # a lone number could be anything
    ("om", "nl"),
    ("half", "nl"),
    ("25:00", "nl"),
    ("12:60", "nl"),
    ("om 25 uur", "nl"),
    ("half 0", "nl"),
    ("morgen morgen", "nl"),
    ("morgen 10 12", "nl"),
    ("32-13 10:00", "nl"),
    ("over -3 dagen", "nl"),
    ("over -2 uur", "nl"),
    ("over 0 minuten", "nl"),
    ("vanavond om 12", "nl"),  # noon or midnight?
    ("morgenochtend om 15:00", "nl"),
    ("vanavond morgenochtend", "nl"),
    ("avond", "nl"),
    ("om 3 uur blabla", "nl"),
    ("donderdag 4 december om 10:00", "nl"),
    ("blabla", "en"),
    ("10", "en"),
    ("half 10", "en"),  # 9:30 to a Dutch speaker, 10:30 to a Briton
    ("13pm", "en"),
    ("0am", "en"),
    ("tonight at 10am", "en"),
    ("in a while", "en"),
    ("in -2 hours", "en"),
    ("at noon pm", "en"),
    ("in the evening", "en"),
]


@pytest.mark.parametrize(("text", "language"), NOT_MOMENTS)
def test_parse_moment_refuses(text: str, language: str) -> None:
    assert parse_moment(text, language, NOW, TIMES) is None


def test_a_date_alone_is_at_the_default_time() -> None:
    moment = parse_moment("overmorgen", "nl", NOW, TIMES)
    assert moment is not None
    assert moment.timetz().replace(tzinfo=None) == TIMES.without_time


# --- Formatting ---------------------------------------------------------------------------

FORMATTED_DATES = [
    (date(2026, 11, 27), "nl", "vrijdag 27 november"),
    (date(2026, 11, 27), "en", "Friday 27 November"),
    (date(2026, 12, 1), "nl", "dinsdag 1 december"),
    (date(2026, 12, 1), "en", "Tuesday 1 December"),
    (date(2027, 1, 4), "nl", "maandag 4 januari 2027"),
    (date(2027, 1, 4), "en", "Monday 4 January 2027"),
    (date(2025, 3, 9), "nl", "zondag 9 maart 2025"),
    (date(2027, 5, 15), "en", "Saturday 15 May 2027"),
]


@pytest.mark.parametrize(("day", "language", "expected"), FORMATTED_DATES)
def test_format_date(day: date, language: str, expected: str) -> None:
    assert format_date(day, language, TODAY) == expected


FORMATTED_MOMENTS = [
    (ams(2026, 11, 27, 10, 0), "nl", "vrijdag 27 november om 10:00"),
    (ams(2026, 11, 27, 10, 0), "en", "Friday 27 November at 10:00"),
    (ams(2026, 11, 28, 21, 5), "nl", "zaterdag 28 november om 21:05"),
    (ams(2026, 11, 28, 9, 5), "en", "Saturday 28 November at 09:05"),
    (ams(2027, 1, 4, 19, 30), "nl", "maandag 4 januari 2027 om 19:30"),
    (ams(2027, 1, 4, 19, 30), "en", "Monday 4 January 2027 at 19:30"),
    # The moment's own wall time: 23:30 UTC is already Saturday in Amsterdam.
    (utc(2026, 11, 27, 23, 30).astimezone(AMS), "nl", "zaterdag 28 november om 00:30"),
]


@pytest.mark.parametrize(("moment", "language", "expected"), FORMATTED_MOMENTS)
def test_format_moment(moment: datetime, language: str, expected: str) -> None:
    assert format_moment(moment, language, TODAY) == expected


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("offset", [0, 1, 6, 7, 30, 40, 100, 200, 364, 500])
def test_what_the_bot_writes_reads_back(language: str, offset: int) -> None:
    # Clients copy the bot's own wording when they answer.
    day = TODAY + timedelta(days=offset)
    assert parse_date(format_date(day, language, TODAY), language, TODAY) == day
    moment = datetime.combine(day, time(16, 45), AMS)
    assert parse_moment(format_moment(moment, language, TODAY), language, NOW, TIMES) == moment


# --- Time zones and DST -------------------------------------------------------------------


def test_local_to_utc_in_winter_and_summer() -> None:
    assert local_to_utc(datetime(2026, 11, 27, 10, 0), ZONE) == utc(2026, 11, 27, 9, 0)
    assert local_to_utc(datetime(2027, 6, 1, 10, 0), ZONE) == utc(2027, 6, 1, 8, 0)
    assert local_to_utc(datetime(2027, 6, 1, 10, 0), ZONE).tzinfo == UTC


def test_local_to_utc_moves_a_skipped_time_forward() -> None:
    # 02:30 does not exist on 28 March 2027; it becomes 03:30 CEST.
    moment = local_to_utc(datetime(2027, 3, 28, 2, 30), ZONE)
    assert moment == utc(2027, 3, 28, 1, 30)
    assert utc_to_local(moment, ZONE).replace(tzinfo=None) == datetime(2027, 3, 28, 3, 30)


def test_local_to_utc_takes_the_first_of_a_doubled_time() -> None:
    assert local_to_utc(datetime(2026, 10, 25, 2, 30), ZONE) == utc(2026, 10, 25, 0, 30)


def test_utc_to_local() -> None:
    first = utc_to_local(utc(2026, 10, 25, 0, 30), ZONE)
    second = utc_to_local(utc(2026, 10, 25, 1, 30), ZONE)
    wall = datetime(2026, 10, 25, 2, 30)
    assert first.replace(tzinfo=None) == second.replace(tzinfo=None) == wall
    assert first.utcoffset() == timedelta(hours=2)
    assert second.utcoffset() == timedelta(hours=1)
    assert utc_to_local(utc(2026, 11, 27, 9, 0), "Asia/Tokyo").hour == 18


def test_naive_and_aware_are_not_mixed_up() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(ams(2026, 11, 27, 10, 0), ZONE)
    with pytest.raises(ValueError, match="aware"):
        utc_to_local(datetime(2026, 11, 27, 10, 0), ZONE)
    with pytest.raises(ValueError, match="aware"):
        parse_moment("morgen", "nl", datetime(2026, 11, 27, 9, 30), TIMES)


@pytest.mark.parametrize(
    ("now", "expected_utc"),
    [
        (ams(2026, 11, 27, 12, 0), utc(2026, 11, 28, 9, 0)),  # CET, UTC+1
        (ams(2027, 3, 27, 12, 0), utc(2027, 3, 28, 8, 0)),  # tomorrow is CEST, UTC+2
    ],
)
def test_tomorrow_at_ten_in_utc(now: datetime, expected_utc: datetime) -> None:
    moment = parse_moment("morgen 10:00", "nl", now, TIMES)
    assert moment is not None
    assert moment.astimezone(UTC) == expected_utc


def test_parse_moment_in_the_spring_gap() -> None:
    moment = parse_moment("morgen om 2.30", "nl", ams(2027, 3, 27, 12, 0), TIMES)
    assert moment is not None
    assert moment.astimezone(UTC) == utc(2027, 3, 28, 1, 30)
    assert moment.replace(tzinfo=None) == datetime(2027, 3, 28, 3, 30)


def test_parse_moment_in_the_autumn_fold() -> None:
    moment = parse_moment("tomorrow at 2:30", "en", ams(2026, 10, 24, 12, 0), TIMES)
    assert moment is not None
    assert moment.astimezone(UTC) == utc(2026, 10, 25, 0, 30)


def test_hours_from_now_count_elapsed_time_across_dst() -> None:
    # 01:30 CET plus two real hours is 04:30 CEST: the clock skipped an hour.
    moment = parse_moment("over 2 uur", "nl", ams(2027, 3, 28, 1, 30), TIMES)
    assert moment is not None
    assert moment.astimezone(UTC) == utc(2027, 3, 28, 2, 30)
    assert moment.replace(tzinfo=None) == datetime(2027, 3, 28, 4, 30)


def test_another_zone() -> None:
    now = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    moment = parse_moment("tomorrow 10am", "en", now, TIMES)
    assert moment is not None
    assert moment.astimezone(UTC) == utc(2026, 11, 28, 15, 0)


# --- Quiet hours --------------------------------------------------------------------------

CONTAINS = [
    (QUIET, time(22, 0), True),  # start inclusive
    (QUIET, time(21, 59), False),
    (QUIET, time(23, 30), True),
    (QUIET, time(0, 0), True),
    (QUIET, time(7, 59, 59), True),
    (QUIET, time(8, 0), False),  # end exclusive
    (QUIET, time(12, 0), False),
    (QuietHours(time(13), time(14)), time(13, 0), True),
    (QuietHours(time(13), time(14)), time(13, 30), True),
    (QuietHours(time(13), time(14)), time(14, 0), False),
    (QuietHours(time(13), time(14)), time(12, 59), False),
    (QuietHours(time(13), time(14)), time(23, 0), False),
    (QuietHours(time(8), time(8)), time(8, 0), False),  # start == end: never quiet
    (QuietHours(time(8), time(8)), time(3, 0), False),
]


@pytest.mark.parametrize(("quiet", "moment", "expected"), CONTAINS)
def test_quiet_hours_contain(quiet: QuietHours, moment: time, expected: bool) -> None:
    assert quiet.contains(moment) is expected


OUTSIDE_QUIET = [
    # Friday 27 November 2026 is CET, UTC+1.
    (utc(2026, 11, 27, 22, 30), QUIET, utc(2026, 11, 28, 7, 0)),  # 23:30 -> next 08:00
    (utc(2026, 11, 27, 5, 0), QUIET, utc(2026, 11, 27, 7, 0)),  # 06:00 -> same day
    (utc(2026, 11, 27, 21, 0), QUIET, utc(2026, 11, 28, 7, 0)),  # 22:00 exactly
    (utc(2026, 11, 26, 23, 0), QUIET, utc(2026, 11, 27, 7, 0)),  # midnight
    (utc(2026, 11, 27, 7, 0), QUIET, utc(2026, 11, 27, 7, 0)),  # 08:00: not quiet
    (utc(2026, 11, 27, 20, 59), QUIET, utc(2026, 11, 27, 20, 59)),  # 21:59
    (utc(2026, 11, 27, 11, 0), QUIET, utc(2026, 11, 27, 11, 0)),
    (utc(2026, 11, 27, 12, 30), QuietHours(time(13), time(14)), utc(2026, 11, 27, 13, 0)),
    (utc(2026, 11, 27, 13, 0), QuietHours(time(13), time(14)), utc(2026, 11, 27, 13, 0)),
    (utc(2026, 11, 27, 22, 30), QuietHours(time(13), time(14)), utc(2026, 11, 27, 22, 30)),
    (utc(2026, 11, 27, 22, 30), QuietHours(time(0), time(0)), utc(2026, 11, 27, 22, 30)),
    # 23:00 CET on 27 March 2027; the night loses an hour, 08:00 is CEST.
    (utc(2027, 3, 27, 22, 0), QUIET, utc(2027, 3, 28, 6, 0)),
    # 23:00 CEST on 24 October 2026; the night gains an hour, 08:00 is CET.
    (utc(2026, 10, 24, 21, 0), QUIET, utc(2026, 10, 25, 7, 0)),
    # Quiet until 02:30, a time that does not exist that night: it ends at 03:30 CEST.
    (utc(2027, 3, 28, 0, 30), QuietHours(time(1), time(2, 30)), utc(2027, 3, 28, 1, 30)),
]


@pytest.mark.parametrize(("moment", "quiet", "expected"), OUTSIDE_QUIET)
def test_outside_quiet(moment: datetime, quiet: QuietHours, expected: datetime) -> None:
    assert outside_quiet(moment, ZONE, quiet) == expected


def test_outside_quiet_in_the_clients_own_zone() -> None:
    # 23:30 UTC is 08:30 in Tokyo: not quiet there, though it would be in Amsterdam.
    moment = utc(2026, 11, 27, 23, 30)
    assert outside_quiet(moment, "Asia/Tokyo", QUIET) == moment
    assert outside_quiet(moment, ZONE, QUIET) == utc(2026, 11, 28, 7, 0)


# --- Languages ----------------------------------------------------------------------------


def test_an_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="language"):
        parse_date("morgen", "de", TODAY)
    with pytest.raises(ValueError, match="language"):
        format_date(TODAY, "de", TODAY)

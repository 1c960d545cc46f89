"""Benchmark: every reply delivered once, and no chat waits for another.

The real bot, `python -m bot run`, in a process of its own against the fake Bot API in this
process (as in the reminders benchmark):

- *The crisis answer while another chat is held back.* Telegram answers the bot's first
  message to one chat with 429, retry after 6 s; then another client writes "ik wil dood".
  Timed: from the getUpdates answer that hands the crisis message to the bot to the crisis
  answer's sendMessage. The baseline is the same with nobody held back.
- *kill -9 between commit and send.* A client walks the inventory; at each answer the fake
  holds the bot's reply (the answer is committed, the reply on its way), the bot is killed
  with SIGKILL and started again. Counted: replies that never arrived (lost) and replies
  that arrived twice (doubled).
"""

from __future__ import annotations

import asyncio
import functools
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from bench.core import Figure, Result
from bench.reminders import bench_database, database_kind, launch_bot, machine, stop
from tests.e2e.fake_bot_api import ApiCall, FakeBotAPI

HELD, CLIENT = 7001, 7002
HELD_FOR = 6  # seconds Telegram asks the held chat to wait
CRISIS = "0800-0113"
WITHIN = 30.0  # seconds: a safety net, never the expected case
ANSWERS = [f"Antwoord {n}" for n in range(1, 40)]


class Watch:
    """When the fake handed each update out, and when each reply reached it (monotonic)."""

    def __init__(self, fake: FakeBotAPI) -> None:
        self.handed: dict[int, float] = {}
        self.replies: list[tuple[float, int, str]] = []
        fake.observe(self.saw)

    def saw(self, call: ApiCall, result: Any) -> None:
        now = time.monotonic()
        if call.method == "getUpdates":
            for update in result:
                self.handed.setdefault(int(update["update_id"]), now)
        elif call.method == "sendMessage":
            self.replies.append((now, int(call.params["chat_id"]), str(call.params["text"])))


async def polling(fake: FakeBotAPI) -> None:
    await fake.wait_for_call("getUpdates", within=WITHIN)


async def crisis_delay(folder: Path, log: IO[bytes], *, held: bool) -> float:
    """Seconds from the crisis message's hand-out to its answer, with or without another
    chat held back by Telegram meanwhile."""
    with bench_database() as url:
        async with FakeBotAPI() as fake:
            watch = Watch(fake)
            process = await launch_bot(fake, url, folder, log)
            try:
                await polling(fake)
                if held:
                    fake.fail_next(
                        "sendMessage",
                        error_code=429,
                        description=f"Too Many Requests: retry after {HELD_FOR}",
                        retry_after=HELD_FOR,
                        chat_id=HELD,
                    )
                    fake.push_update(fake.message_update(user_id=HELD, text="/start"))
                    await fake.wait_until(lambda: bool(fake.injected), within=WITHIN)
                update = fake.push_update(fake.message_update(user_id=CLIENT, text="ik wil dood"))

                def answered() -> bool:
                    return any(chat == CLIENT and CRISIS in text for _, chat, text in watch.replies)

                await fake.wait_until(answered, within=WITHIN)
                at = next(t for t, chat, text in watch.replies if chat == CLIENT and CRISIS in text)
                return at - watch.handed[update]
            finally:
                await stop(process, signal.SIGKILL)


async def kill_rounds(folder: Path, log: IO[bytes], rounds: int) -> tuple[int, int, int]:
    """(rounds, replies lost, replies doubled) over `rounds` kills between commit and send."""
    lost = doubled = 0
    with bench_database() as url:
        async with FakeBotAPI() as fake:

            def texts() -> list[str]:
                return [str(m.get("text", "")) for m in fake.sent_messages(CLIENT)]

            def arrived(text: str) -> bool:
                return text in texts()

            process = await launch_bot(fake, url, folder, log)
            try:
                await polling(fake)
                fake.push_update(fake.message_update(user_id=CLIENT, text="/start"))
                await fake.wait_until(lambda: len(texts()) == 1, within=WITHIN)
                (welcome,) = fake.sent_messages(CLIENT)
                data = welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                fake.push_update(fake.callback_update(user_id=CLIENT, message=welcome, data=data))
                await fake.wait_until(lambda: len(texts()) >= 2, within=WITHIN)
                for answer in ANSWERS[:rounds]:
                    reply = fake.hold("sendMessage")
                    fake.push_update(fake.message_update(user_id=CLIENT, text=answer))
                    text = str((await reply.arrived(WITHIN)).params["text"])
                    await stop(process, signal.SIGKILL)  # committed, not yet sent
                    process = await launch_bot(fake, url, folder, log)
                    try:
                        await fake.wait_until(functools.partial(arrived, text), within=WITHIN)
                    except TimeoutError:
                        lost += 1
                        continue
                    doubled += texts().count(text) > 1
            finally:
                await stop(process)
    return rounds, lost, doubled


async def measure(
    folder: Path, log: IO[bytes], smoke: bool
) -> tuple[list[float], list[float], tuple[int, int, int]]:
    repeats, rounds = (1, 2) if smoke else (5, 15)
    alone, while_held = [], []
    for _ in range(repeats):
        alone.append(await crisis_delay(folder, log, held=False))
        while_held.append(await crisis_delay(folder, log, held=True))
    return alone, while_held, await kill_rounds(folder, log, rounds)


def run(smoke: bool) -> Result:
    with (
        tempfile.TemporaryDirectory(prefix="krachtwerk-bench-") as folder,
        open(Path(folder) / "bot.log", "wb") as log,
    ):
        alone, while_held, (rounds, lost, doubled) = asyncio.run(measure(Path(folder), log, smoke))
    with bench_database() as url:
        kind = database_kind(url)
    median_alone, median_held = statistics.median(alone), statistics.median(while_held)
    figures = [
        Figure(
            "crisis answer while another chat is held back (429, 6 s)",
            median_held * 1000,
            "ms",
            median_alone * 1000,
            target="< 1,000 ms",
            met=max(while_held) < 1.0,
        ),
        Figure(
            "replies lost over kill -9 between commit and send",
            lost,
            "replies",
            target="0",
            met=lost == 0,
        ),
        Figure(
            "replies doubled over kill -9 between commit and send",
            doubled,
            "replies",
            target="0",
            met=doubled == 0,
        ),
    ]
    notes = [
        f"`python -m bot run` as its own process against the fake in the benchmark's process; "
        f"{kind}; {machine()}",
        f"crisis answer, median of {len(alone)}: alone "
        + ", ".join(f"{s * 1000:.0f}" for s in alone)
        + " ms; while another chat is held back "
        + ", ".join(f"{s * 1000:.0f}" for s in while_held)
        + " ms",
        f"{rounds} rounds: an answer committed, its reply held at the fake, the bot killed "
        f"with SIGKILL and started again; {lost} replies lost, {doubled} doubled",
    ]
    return Result("delivery", figures, notes)

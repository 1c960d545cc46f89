"""The counsellor's weekly digest: per client what changed since the last digest.

Drawn from case files like the summary, so it holds only what each client shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dialogs.content.load import Content
from dialogs.desk.summary import case_screens
from dialogs.engine.document import Block, Bullets, Document, Heading, Item, Paragraph
from dialogs.engine.when import utc_to_local
from dialogs.linking.casefile import CaseFile


def digest(
    content: Content,
    files: Sequence[CaseFile],
    language: str,
    start: datetime,
    now: datetime,
    timezone: str,
) -> Document | None:
    """The digest of the week from `start`, every linked client in it (quiet ones briefly);
    None for a counsellor without clients: nothing to send. The period is fixed, not "since
    the last digest", so a digest sent again after a failure says the same."""
    if not files:
        return None
    texts = content.desk(language)
    blocks: list[Block] = []
    for file in files:
        items = _news(content, file, language, start, now)
        blocks += [Heading(file.name), Bullets(items or (Item(texts.digest_quiet),))]
    day = case_screens(content, files[0], language, now).day
    title = texts.digest_title.format(
        start=day(utc_to_local(start, timezone).date()), end=day(utc_to_local(now, timezone).date())
    )
    return Document(title, (Paragraph(texts.digest_intro, quiet=True), *blocks))


def _news(
    content: Content, file: CaseFile, language: str, since: datetime, now: datetime
) -> tuple[Item, ...]:
    texts = content.desk(language)
    local_today = utc_to_local(now, file.timezone).date()
    local_since = utc_to_local(since, file.timezone).date()
    done = [s.text for s in file.steps if s.done_at is not None and s.done_at > since]
    # A step counts as missed when its own date passed in this period and it is still open.
    # So does one whose reminder could not be sent in time.
    unsent = {r.step for r in file.reminders if r.status == "missed" and r.due_at > since}
    missed = [
        s.text
        for s in file.steps
        if s.number in unsent
        or (s.status == "open" and s.due is not None and local_since <= s.due < local_today)
    ]
    counts = (
        (texts.digest_goals, sum(c.step is None and c.at > since for c in file.changes)),
        (texts.digest_answers, sum(a.at > since for a in file.answers)),
        (texts.digest_reflections, sum(r.at > since for r in file.reflections)),
        (texts.digest_resources, sum(r.updated_at > since for r in file.resources)),
        (texts.digest_messages, sum(m.at > since for m in file.messages)),
    )
    items = [Item(texts.digest_done.format(steps="; ".join(done)))] if done else []
    if missed:
        items.append(Item(texts.digest_missed.format(steps="; ".join(missed))))
    items += [Item(template.format(count=count)) for template, count in counts if count]
    return tuple(items)

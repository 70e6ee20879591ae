"""Reviews end to end: /review, digests at review time, reminders, /timezone and /history.

Time is the FrozenClock's: tests move it and call jobs.run_due() instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import jobs
from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.models import Cadence, Chat, Review, ReviewSchedule
from cjm.services import maps, reminders, reviews
from cjm.views import MapView
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.factories import ALICE, make_fix, make_full_map

NewUow = Callable[[], UnitOfWork]
DIGEST = "Review time"


@pytest.fixture
def journey(team: Team, new_uow: NewUow) -> MapView:
    """The team's group holds a small complete map (Europe/Berlin)."""
    return make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")


def schedule_row(new_uow: NewUow, map_id: int) -> ReviewSchedule:
    with new_uow() as unit:
        row = unit.session.exec(
            select(ReviewSchedule).where(ReviewSchedule.map_id == map_id)
        ).one()
        unit.session.expunge(row)
        return row


def count_rows(new_uow: NewUow, model: type[Review]) -> int:
    with new_uow() as unit:
        return len(unit.session.exec(select(model)).all())


def weekly(new_uow: NewUow, team: Team, journey: MapView) -> datetime:
    card = reviews.set_cadence(
        new_uow(), chat_id=team.chat.id, map_id=journey.id, cadence=Cadence.WEEKLY, actor=ALICE
    )
    assert card.next_at is not None
    return card.next_at


def digests(double: BotApiDouble, team: Team) -> list[SentMessage]:
    return [m for m in double.bot_messages(team.chat) if DIGEST in m.content]


async def test_a_weekly_review_posts_one_digest_when_due(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """/review → Weekly: the card names the next run, the job waits for it, one digest then."""
    app = await start_bot()
    sent = await team.alice.send(team.chat, "/review")
    card = await double.wait_for_message(team.chat, containing="Reviews of", after=sent)
    await team.alice.press(card, "Weekly")
    await double.wait_for_edit(team.chat, card, containing="Next review")
    next_at = schedule_row(new_uow, journey.id).next_at
    assert next_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # Thursday 09:00 Berlin
    (job,) = app.job_queue.get_jobs_by_name(f"review:{journey.id}")
    assert job.data == next_at
    # The queue runs on the system clock: it waits as long as the frozen clock has to go.
    wait = job.next_t - datetime.now(UTC)
    assert abs(wait - (next_at - clock.now())) < timedelta(minutes=1)

    clock.current = next_at + timedelta(minutes=1)
    assert await jobs.run_due(app) == 1
    assert await jobs.run_due(app) == 0
    (digest,) = digests(double, team)
    assert "Checkout" in digest.content
    assert "@bob" in digest.content  # open fixes with owners
    assert {b.text for b in digest.flat_buttons} >= {"Reviewed ✅", "Snooze 1 day", "🗺 Open map"}
    (job,) = app.job_queue.get_jobs_by_name(f"review:{journey.id}")
    assert job.data == next_at + timedelta(days=7)
    assert not double.errors


async def test_a_review_missed_while_down_is_posted_once_after_restart(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Three missed weeks: one digest on start, and the next run counts from now."""
    next_at = weekly(new_uow, team, journey)
    first = await start_bot()
    clock.current = next_at + timedelta(days=20)
    app = await start_bot()
    assert first is not app
    await double.wait_for_message(team.chat, containing=DIGEST, timeout=10)
    await double.wait_idle()
    assert await jobs.run_due(app) == 0
    assert len(digests(double, team)) == 1
    assert schedule_row(new_uow, journey.id).next_at > clock.now()


async def test_a_removed_bot_pauses_the_review_without_crashing(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Telegram answers 403: the schedule pauses with its reason, nothing else breaks."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    team.chat.bot_status = "kicked"  # kicked while the bot was not looking
    clock.current = next_at
    assert await jobs.run_due(app) == 0
    row = schedule_row(new_uow, journey.id)
    assert row.paused
    assert row.pause_reason == reminders.UNREACHABLE
    assert any(code == 403 for _, code, _ in double.errors)
    clock.advance(timedelta(days=8))
    assert await jobs.run_due(app) == 0


async def test_a_removal_the_bot_saw_pauses_too(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """my_chat_member marks the chat unreachable; the due review pauses instead of posting."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    await double.remove_bot_from(team.chat, by=team.alice)
    await double.wait_idle()
    clock.current = next_at
    assert await jobs.run_due(app) == 0
    assert schedule_row(new_uow, journey.id).paused


async def test_reviewed_by_two_members_logs_both_and_posts_nothing(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Bob and Carol press Reviewed at once: two Review rows, two answers, one digest."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    clock.current = next_at
    await jobs.run_due(app)
    (digest,) = digests(double, team)
    presses = [
        await team.bob.press(digest, "Reviewed"),
        await team.carol.press(digest, "Reviewed"),
    ]
    for press in presses:
        await double.wait_for_answer(press)
    assert "2 members" in (presses[1].answer_text or "") or "2 members" in (
        presses[0].answer_text or ""
    )
    await double.wait_idle()
    assert count_rows(new_uow, Review) == 2
    assert len(digests(double, team)) == 1


async def test_snoozing_twice_moves_the_review_once(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Snooze counts from the digest's time: pressed twice, the review is a day later once."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    clock.current = next_at
    await jobs.run_due(app)
    (digest,) = digests(double, team)
    for member in (team.bob, team.alice):
        press = await member.press(digest, "Snooze")
        await double.wait_for_answer(press)
    assert "Snoozed" in (press.answer_text or "")
    until = next_at + timedelta(days=1)
    assert schedule_row(new_uow, journey.id).next_at == until
    (job,) = app.job_queue.get_jobs_by_name(f"review:{journey.id}")
    assert job.data == until
    clock.current = until
    assert await jobs.run_due(app) == 1


async def test_open_map_posts_the_summary(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Open map under a digest posts the /map summary."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    clock.current = next_at
    await jobs.run_due(app)
    (digest,) = digests(double, team)
    await team.carol.press(digest, "Open map")
    await double.wait_for_message(team.chat, containing="1. Discover", after=digest)


async def test_a_fix_due_tomorrow_reminds_its_owner_once(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
) -> None:
    """Due tomorrow, the reminder hour has passed: @bob is reminded once, however often run."""
    make_fix(new_uow, journey.pains[0].id, "Refresh the banner", owner="@bob", due="2026-11-27")
    app = await start_bot()
    reminder = await double.wait_for_message(team.chat, containing="Refresh the banner")
    assert "@bob" in reminder.content
    assert "Due tomorrow" in reminder.content
    await double.wait_idle()
    assert await jobs.run_due(app) == 0
    assert await jobs.run_due(app) == 0
    assert sum("Refresh the banner" in m.content for m in double.bot_messages(team.chat)) == 1


async def test_a_migrated_group_keeps_its_reviews(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """The group becomes a supergroup: the next digest arrives under the new id."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    supergroup = await double.migrate_to_supergroup(team.chat)
    await double.wait_idle()
    clock.current = next_at
    assert await jobs.run_due(app) == 1
    await double.wait_for_message(supergroup, containing=DIGEST)


async def test_a_deleted_maps_review_is_dropped(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """The map is deleted after its review was scheduled: the wake-up posts nothing."""
    next_at = weekly(new_uow, team, journey)
    app = await start_bot()
    maps.delete_map(new_uow(), chat_id=team.chat.id, map_id=journey.id)
    clock.current = next_at
    assert await jobs.run_due(app) == 0
    assert digests(double, team) == []


async def test_the_time_of_day_by_reply(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
) -> None:
    """Garbage gets a clear error; 9:30 is stored as 09:30 and the card shows it."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/review")
    card = await double.wait_for_message(team.chat, containing="Reviews of", after=sent)
    await team.alice.press(card, "Time")
    question = await double.wait_for_message(team.chat, containing="time of day", after=card)
    for garbage in ("25:00", "9"):
        reply = await team.bob.reply(team.chat, question, garbage)
        error = await double.wait_for_message(
            team.chat, containing="as a time of day", after=reply
        )
        assert garbage in error.content
    await team.bob.reply(team.chat, question, "9:30")
    await double.wait_for_edit(team.chat, card, containing="09:30")
    assert schedule_row(new_uow, journey.id).local_time == "09:30"


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("Mars/Olympus", "I don't know the time zone “Mars/Olympus”"),
        ("berlin", "Did you mean: Europe/Berlin"),
        ("America/New_York", "Time zone set to America/New_York"),
        ("", "time zone is Europe/Berlin"),
    ],
    ids=["unknown", "bare city", "ok", "show"],
)
async def test_timezone(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    argument: str,
    expected: str,
) -> None:
    """/timezone validates with zoneinfo and suggests; without an argument it shows the zone."""
    await start_bot()
    sent = await team.alice.send(team.chat, f"/timezone {argument}".strip())
    await double.wait_for_message(team.chat, containing=expected, after=sent)
    with new_uow() as unit:
        tz = unit.session.get(Chat, team.chat.id).tz
    assert tz == ("America/New_York" if argument == "America/New_York" else "Europe/Berlin")


async def test_history_pages(
    double: BotApiDouble, team: Team, start_bot: StartBot, journey: MapView
) -> None:
    """/history shows ten changes per page; ▶ and ◀ move between pages in place."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/history")
    page = await double.wait_for_message(team.chat, containing="page 1 of", after=sent)
    assert "Alice" in page.content
    await team.bob.press(page, "▶")
    await double.wait_for_edit(team.chat, page, containing="page 2 of")
    await team.bob.press(page, "◀")
    await double.wait_for_edit(team.chat, page, containing="page 1 of")

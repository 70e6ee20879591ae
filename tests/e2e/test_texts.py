"""What members read, line by line: /map, the review card, /timezone, reminders, the digest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from bot import jobs
from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.models import Cadence, Chat, ReviewSchedule, SurveyKind
from cjm.services import responses, reviews, surveys
from cjm.views import MapView
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble
from tests.factories import ALICE, make_fix, make_full_map, utc

NewUow = Callable[[], UnitOfWork]


@pytest.fixture
def journey(team: Team, new_uow: NewUow) -> MapView:
    """A small complete map in the team's group (Europe/Berlin)."""
    return make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n")]


async def test_map_puts_every_touchpoint_and_pain_on_its_own_line_with_its_score(
    double: BotApiDouble, team: Team, start_bot: StartBot, journey: MapView, new_uow: NewUow
) -> None:
    """/map: a line per touchpoint (with its survey score) and per pain, never run together."""
    ad = journey.touchpoints[0]
    survey = surveys.create_survey(
        new_uow(),
        chat_id=team.chat.id,
        touchpoint_id=ad.id,
        kind=SurveyKind.NPS,
        ask_why=False,
        actor=ALICE,
    )
    for user_id, score in enumerate((10, 10, 9, 7, 3), start=900):
        responses.answer(
            new_uow(), survey_id=survey.id, user_id=user_id, language_code="en", score=score
        )
    await start_bot()
    sent = await team.alice.send(team.chat, "/map")
    summary = await double.wait_for_message(team.chat, containing="1. Discover", after=sent)
    shown = lines(summary.content)
    assert shown[shown.index("1. Discover") + 1 :][:3] == [
        "📍 Search ad (website) 🙂 +1.0 (3 votes) 📊 NPS +40 (n=5)",
        "📍 Friend's tip 😍 +2.0 (1 vote)",
        "🟠 Ads promise a discount that is gone",
    ]
    assert "📍 Checkout (website) 😡 −2.0 (1 vote)" in shown


async def test_the_review_card_has_a_line_per_fact_and_a_reply_that_is_no_time_is_told_the_format(
    double: BotApiDouble, team: Team, start_bot: StartBot, journey: MapView, new_uow: NewUow
) -> None:
    """The card: schedule, day and next review each on a line; "soon" gets the time format."""
    reviews.set_cadence(
        new_uow(), chat_id=team.chat.id, map_id=journey.id, cadence=Cadence.WEEKLY, actor=ALICE
    )
    await start_bot()
    sent = await team.alice.send(team.chat, "/review")
    card = await double.wait_for_message(team.chat, containing="Reviews of", after=sent)
    assert lines(card.content)[1:] == [
        "Review weekly at 09:00 (Europe/Berlin).",
        "On: Thu",
        "⏰ Next review: Dec 3, 2026, 9:00\u202fAM",
    ]
    before = schedule(new_uow, journey.id)
    reply = await team.bob.reply(team.chat, card, "soon")
    error = await double.wait_for_message(team.chat, containing="soon", after=reply)
    assert "as a time of day" in error.content
    assert "doesn't ask anything" not in error.content
    assert schedule(new_uow, journey.id) == before
    reply = await team.bob.reply(team.chat, card, "17:30")
    await double.wait_for_edit(team.chat, card, containing="17:30")
    assert schedule(new_uow, journey.id)[0] == "17:30"


def schedule(new_uow: NewUow, map_id: int) -> tuple[str, object]:
    with new_uow() as unit:
        row = unit.session.exec(
            select(ReviewSchedule).where(ReviewSchedule.map_id == map_id)
        ).one()
        return row.local_time, row.next_at


@pytest.mark.parametrize(
    ("argument", "zone", "local"),
    [("UTC+3", "Etc/GMT-3", "12:00\u202fPM"), ("utc-5", "Etc/GMT+5", "4:00\u202fAM")],
)
async def test_timezone_reads_an_offset_as_meant_and_answers_on_two_lines(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    argument: str,
    zone: str,
    local: str,
) -> None:
    """/timezone UTC+3 is three hours ahead of UTC (09:00 UTC → 12:00 there)."""
    await start_bot()
    sent = await team.alice.send(team.chat, f"/timezone {argument}")
    answer = await double.wait_for_message(team.chat, containing="Time zone set", after=sent)
    assert lines(answer.content) == [
        f"🌍 Time zone set to {zone}. Reviews and reminders follow it.",
        f"⏰ Local time now: Nov 26, 2026, {local}",
    ]
    with new_uow() as unit:
        assert unit.session.get(Chat, team.chat.id).tz == zone


async def test_timezone_with_minutes_suggests_real_zones(
    double: BotApiDouble, team: Team, start_bot: StartBot, journey: MapView
) -> None:
    """UTC+5:30 has no Etc zone: the zones with that offset now are suggested."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/timezone UTC+5:30")
    await double.wait_for_message(
        team.chat, containing="Did you mean: Asia/Colombo, Asia/Kolkata?", after=sent
    )


async def test_a_due_reminder_names_the_fix_on_its_own_line(
    double: BotApiDouble, team: Team, start_bot: StartBot, journey: MapView, new_uow: NewUow
) -> None:
    """The reminder: when and who on the first line, the fix on the second."""
    make_fix(
        new_uow, journey.pains[0].id, "Validate promo codes", owner="@bob_ops", due="2026-11-27"
    )
    await start_bot()
    reminder = await double.wait_for_message(team.chat, containing="Validate promo codes")
    assert lines(reminder.content) == [
        "📅 Due tomorrow, Nov 27, 2026 (@bob_ops):",
        "Validate promo codes",
    ]


async def test_a_fix_due_today_is_announced_due_today(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Set on its due day (after the day-before reminder time): "Due today", not tomorrow."""
    make_fix(new_uow, journey.pains[0].id, "Call the bank", owner="@bob", due="2026-11-26")
    await start_bot()
    reminder = await double.wait_for_message(team.chat, containing="Call the bank")
    assert lines(reminder.content)[0] == "📅 Due today, Nov 26, 2026 (@bob):"


async def test_the_digest_lists_each_fix_on_its_own_line(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    journey: MapView,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """Open fixes: a heading, then one line per fix."""
    card = reviews.set_cadence(
        new_uow(), chat_id=team.chat.id, map_id=journey.id, cadence=Cadence.WEEKLY, actor=ALICE
    )
    app = await start_bot()
    assert card.next_at is not None
    clock.current = card.next_at
    await jobs.run_due(app)
    digest = await double.wait_for_message(team.chat, containing="Open fixes")
    shown = lines(digest.content)
    start = next(i for i, line in enumerate(shown) if line.startswith("Open fixes"))
    assert shown[start + 1 : start + 3] == [
        "💡 Remember the address — 👤 @alice, 📅 Dec 15, 2026",
        "💡 Sync ad copy with the price list — 👤 @bob",
    ]
    assert utc(2026, 12, 3, 8) == card.next_at


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Start with /newmap"), ("ru", "Начните с /newmap")]
)
async def test_a_message_that_only_mentions_the_bot_gets_the_short_help(
    double: BotApiDouble, team: Team, start_bot: StartBot, language: str, expected: str
) -> None:
    """ "@journey_test_bot" alone: the welcome (how to begin), in the chat's language."""
    await start_bot()
    await team.alice.send(team.chat, f"/language {language}")
    sent = await team.alice.send(team.chat, f"  @{double.bot_username.upper()} ")
    answer = await double.wait_for_message(team.chat, containing="/newmap", after=sent)
    assert expected in answer.content

"""Sending a survey to customers who agreed: counted progress, blocked customers, resuming."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlmodel import col, select

from bot.broadcast import resume_broadcasts, start_broadcast
from bot.context import BotContext
from cjm.db import UnitOfWork
from cjm.models import Delivery, DeliveryState, Respondent, SurveyKind
from cjm.services import broadcasts, responses, surveys
from cjm.views import Actor, SurveyView
from tests.conftest import TOKEN, StartBot, Team
from tests.double import BotApiDouble, Member, RateLimit
from tests.factories import make_full_map

NewUow = Callable[[], UnitOfWork]


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    """Telegram's 30 messages a second overall, on a clock that only the test moves."""
    async with BotApiDouble(
        token=TOKEN, group_limit=None, global_limit=RateLimit(30, 1.0), time_source=lambda: 0.0
    ) as server:
        yield server


@pytest.fixture
def two_surveys(new_uow: NewUow, team: Team) -> tuple[SurveyView, SurveyView]:
    """An NPS survey customers answered before, and a new CSAT survey to send them."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title="Shop")
    made = [
        surveys.create_survey(
            new_uow(),
            chat_id=team.chat.id,
            touchpoint_id=touchpoint.id,
            kind=kind,
            ask_why=False,
            actor=Actor(team.alice.id, "Alice"),
        )
        for touchpoint, kind in zip(
            journey.touchpoints[:2], (SurveyKind.NPS, SurveyKind.CSAT), strict=True
        )
    ]
    return made[0], made[1]


async def consenting(
    double: BotApiDouble, new_uow: NewUow, survey_id: int, count: int
) -> list[Member]:
    """Customers who opened the bot, answered the earlier survey and agreed to more."""
    members = []
    for number in range(count):
        member = double.member(f"Customer{number}", language_code="ru" if number % 2 else "en")
        await member.start_bot()
        responses.answer(
            new_uow(),
            survey_id=survey_id,
            user_id=member.id,
            language_code=member.language_code,
            score=9,
        )
        responses.set_may_ask_again(new_uow(), user_id=member.id, agreed=True)
        members.append(member)
    return members


def states(new_uow: NewUow) -> dict[int, DeliveryState]:
    """Each customer's delivery state, by Telegram user id."""
    with new_uow() as unit:
        rows = unit.session.exec(
            select(Respondent.user_id, Delivery.state).join(
                Respondent, col(Respondent.id) == col(Delivery.respondent_id)
            )
        ).all()
        return {user_id: DeliveryState(state) for user_id, state in rows}


def questions_to(double: BotApiDouble, member: Member) -> int:
    """How many survey questions the member got in private."""
    return sum("📍" in (m.text or "") for m in double.bot_messages(member.dm))


async def test_a_broadcast_reaches_every_consenting_customer_and_counts_the_blocked(
    double: BotApiDouble,
    team: Team,
    two_surveys: tuple[SurveyView, SurveyView],
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """Five customers, one of whom blocked the bot: 4 sent, 1 blocked, progress says so."""
    earlier, new = two_surveys
    customers = await consenting(double, new_uow, earlier.id, 5)
    customers[2].block_bot()
    app = await start_bot(bot_overall_messages_per_second=30)
    await double.wait_idle()

    await start_broadcast(BotContext(app), survey_id=new.id, chat_id=team.chat.id)

    progress = await double.wait_for_message(team.chat, containing="customers")
    await double.wait_for_edit(team.chat, progress, containing="Survey sent to 5 customers")
    assert "Sent: 4 · Failed: 0 · Blocked the bot: 1 · Left: 0" in (progress.text or "")
    for number, member in enumerate(customers):
        assert questions_to(double, member) == (0 if number == 2 else 1)
    russian = double.last_bot_message(customers[1].dm)
    assert russian is not None
    assert "Насколько" in (russian.text or "")
    assert set(states(new_uow).values()) == {DeliveryState.SENT, DeliveryState.BLOCKED}
    assert states(new_uow)[customers[2].id] is DeliveryState.BLOCKED
    assert double.stats["429"] == 0

    # The blocked customer is not asked next time.
    again = broadcasts.start_broadcast(new_uow(), survey_id=earlier.id, chat_id=team.chat.id)
    assert again.recipients == 0  # everyone else answered "earlier" already


async def test_a_customer_answers_the_broadcast_question(
    double: BotApiDouble,
    team: Team,
    two_surveys: tuple[SurveyView, SurveyView],
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """The broadcast question's buttons store an answer like a deep link's."""
    earlier, new = two_surveys
    (customer,) = await consenting(double, new_uow, earlier.id, 1)
    app = await start_bot()
    await double.wait_idle()

    await start_broadcast(BotContext(app), survey_id=new.id, chat_id=team.chat.id)
    question = await double.wait_for_message(customer.dm, containing="📍")
    await double.wait_for_answer(await customer.press(question, "4 🙂"))
    await double.wait_for_edit(customer.dm, question, containing="Your answer: 4")
    view = surveys.get_survey(new_uow(), chat_id=team.chat.id, survey_id=new.id)
    assert view.responses == 1


async def test_a_restart_resumes_without_sending_twice(
    double: BotApiDouble,
    team: Team,
    two_surveys: tuple[SurveyView, SurveyView],
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """Crashed mid-way: PENDING customers get it once; SENDING and SENT ones never again."""
    earlier, new = two_surveys
    customers = await consenting(double, new_uow, earlier.id, 6)
    view = broadcasts.start_broadcast(new_uow(), survey_id=new.id, chat_id=team.chat.id)
    sent, sending, *waiting = broadcasts.pending(new_uow(), broadcast_id=view.id, limit=10)
    for recipient in (sent, sending):
        assert broadcasts.claim(new_uow(), delivery_id=recipient.delivery_id)
    broadcasts.settle(new_uow(), delivery_id=sent.delivery_id, state=DeliveryState.SENT)

    app = await start_bot()
    await double.wait_idle()
    await resume_broadcasts(app)
    await resume_broadcasts(app)  # twice (post_init and by hand): still once per customer

    progress = await double.wait_for_message(team.chat, containing="Survey sent to 6 customers")
    assert "Sent: 6 · Failed: 0 · Blocked the bot: 0 · Left: 0" in (progress.text or "")
    by_id = {member.id: member for member in customers}
    assert [questions_to(double, by_id[r.user_id]) for r in (sent, sending)] == [0, 0]
    assert [questions_to(double, by_id[r.user_id]) for r in waiting] == [1, 1, 1, 1]
    assert set(states(new_uow).values()) == {DeliveryState.SENT}

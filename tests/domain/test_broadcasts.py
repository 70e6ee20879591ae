"""Broadcasts: who gets the survey, and resuming after a crash without sending twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from cjm.db import UnitOfWork
from cjm.errors import BroadcastRunning, ItemGone, SurveyUnavailable
from cjm.models import Delivery, DeliveryState, SurveyKind, SurveyStatus
from cjm.services import broadcasts, responses, surveys
from cjm.views import SurveyView
from tests.factories import ALICE, TEAM_CHAT_ID, make_full_map

NewUow = Callable[[], UnitOfWork]


@pytest.fixture
def two_surveys(uow: NewUow) -> tuple[SurveyView, SurveyView]:
    """An NPS survey customers answered before, and a new CSAT survey to broadcast."""
    journey = make_full_map(uow)
    made = [
        surveys.create_survey(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=touchpoint.id,
            kind=kind,
            ask_why=False,
            actor=ALICE,
        )
        for touchpoint, kind in zip(
            journey.touchpoints[:2], (SurveyKind.NPS, SurveyKind.CSAT), strict=True
        )
    ]
    return made[0], made[1]


def customer(uow: NewUow, survey_id: int, user_id: int, *, agreed: bool = True) -> None:
    responses.answer(uow(), survey_id=survey_id, user_id=user_id, language_code="ru", score=8)
    responses.set_may_ask_again(uow(), user_id=user_id, agreed=agreed)


def states(uow: NewUow, broadcast_id: int) -> dict[int, DeliveryState]:
    with uow() as unit:
        rows = unit.session.exec(
            select(Delivery.id, Delivery.state).where(Delivery.broadcast_id == broadcast_id)
        ).all()
        return {delivery_id or 0: DeliveryState(state) for delivery_id, state in rows}


def test_recipients_are_the_willing_customers_of_the_map(
    uow: NewUow, two_surveys: tuple[SurveyView, SurveyView]
) -> None:
    """Agreed, reachable, not stopped, not yet answered this survey: nobody else."""
    earlier, new = two_surveys
    for user_id in (1, 2, 3, 4, 5, 6):
        customer(uow, earlier.id, user_id, agreed=user_id != 2)
    responses.stop(uow(), user_id=3)
    responses.mark_unreachable(uow(), user_id=4)
    responses.answer(uow(), survey_id=new.id, user_id=5, language_code="en", score=4)

    view = broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID, actor=ALICE)

    assert view.recipients == 2
    recipients = broadcasts.pending(uow(), broadcast_id=view.id, limit=10)
    assert [(r.user_id, r.language) for r in recipients] == [(1, "ru"), (6, "ru")]


def test_only_an_open_survey_of_the_chat_is_broadcast(
    uow: NewUow, two_surveys: tuple[SurveyView, SurveyView]
) -> None:
    """A closed survey, or another chat's, cannot be sent."""
    _, new = two_surveys
    with pytest.raises(ItemGone):
        broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=-1)
    surveys.set_status(
        uow(), chat_id=TEAM_CHAT_ID, survey_id=new.id, status=SurveyStatus.CLOSED, actor=ALICE
    )
    with pytest.raises(SurveyUnavailable):
        broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID)


def test_a_delivery_is_claimed_once(
    uow: NewUow, two_surveys: tuple[SurveyView, SurveyView]
) -> None:
    """PENDING → SENDING happens once; a second sender gets False."""
    earlier, new = two_surveys
    customer(uow, earlier.id, 1)
    view = broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID)
    (recipient,) = broadcasts.pending(uow(), broadcast_id=view.id, limit=10)

    assert broadcasts.claim(uow(), delivery_id=recipient.delivery_id)
    assert not broadcasts.claim(uow(), delivery_id=recipient.delivery_id)
    assert broadcasts.pending(uow(), broadcast_id=view.id, limit=10) == []


def test_resume_continues_pending_and_never_resends_sending(
    uow: NewUow, two_surveys: tuple[SurveyView, SurveyView]
) -> None:
    """After a crash: SENDING counts as sent, PENDING is still to send, finished stays done."""
    earlier, new = two_surveys
    for user_id in range(1, 7):
        customer(uow, earlier.id, user_id)
    done = broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID)
    broadcasts.finish(uow(), broadcast_id=done.id)
    view = broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID)
    first, second, third, *rest = broadcasts.pending(uow(), broadcast_id=view.id, limit=10)
    for recipient in (first, second, third):
        broadcasts.claim(uow(), delivery_id=recipient.delivery_id)
    broadcasts.settle(uow(), delivery_id=first.delivery_id, state=DeliveryState.SENT)
    broadcasts.settle(uow(), delivery_id=second.delivery_id, state=DeliveryState.BLOCKED)

    assert broadcasts.resume(uow()) == [view.id]

    assert states(uow, view.id) == {
        first.delivery_id: DeliveryState.SENT,
        second.delivery_id: DeliveryState.BLOCKED,
        third.delivery_id: DeliveryState.SENT,
        **{r.delivery_id: DeliveryState.PENDING for r in rest},
    }
    assert broadcasts.pending(uow(), broadcast_id=view.id, limit=10) == rest
    progress = broadcasts.progress(uow(), broadcast_id=view.id)
    assert (progress.sent, progress.blocked, progress.failed, progress.left) == (2, 1, 0, 3)
    assert not progress.finished
    assert broadcasts.finish(uow(), broadcast_id=view.id).finished
    assert broadcasts.resume(uow()) == []


def test_a_survey_is_not_sent_again_while_it_is_being_sent(
    uow: NewUow, two_surveys: tuple[SurveyView, SurveyView]
) -> None:
    """A second "send" (another member's press) refuses until the first one finished."""
    earlier, new = two_surveys
    for user_id in range(1, 4):
        customer(uow, earlier.id, user_id)
    first = broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID)
    with pytest.raises(BroadcastRunning):
        broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID)
    assert len(broadcasts.pending(uow(), broadcast_id=first.id, limit=10)) == 3
    broadcasts.finish(uow(), broadcast_id=first.id)
    assert broadcasts.start_broadcast(uow(), survey_id=new.id, chat_id=TEAM_CHAT_ID).id != first.id

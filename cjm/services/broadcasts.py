"""Sending a survey to customers who agreed to be asked again: one Delivery row per customer.

Who gets it: every customer who answered any survey of the same map, said yes to "May we ask
you again later?", has not blocked the bot and has not sent /stop, except those who already
answered this very survey. Rows move PENDING → SENDING (committed before the send) → SENT,
FAILED or BLOCKED; a SENDING row found after a crash counts as sent and is never sent again.
"""

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlmodel import col, func, select, update

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import BroadcastRunning, ItemGone
from cjm.models import Broadcast, Chat, Delivery, DeliveryState, Respondent, Survey, SurveyResponse
from cjm.services.responses import require_open
from cjm.views import Actor, BroadcastProgress, BroadcastView, Recipient


def _view(uow: OpenUnitOfWork, broadcast: Broadcast) -> BroadcastView:
    assert broadcast.id is not None  # noqa: S101  (stored broadcasts have ids)
    chat = uow.session.get(Chat, broadcast.chat_id)
    recipients = uow.session.exec(
        select(func.count()).select_from(Delivery).where(Delivery.broadcast_id == broadcast.id)
    ).one()
    return BroadcastView(
        id=broadcast.id,
        survey_id=broadcast.survey_id,
        chat_id=broadcast.chat_id,
        language=chat.language if chat else "en",
        progress_message_id=broadcast.progress_message_id,
        recipients=recipients,
    )


def start_broadcast(
    uow: UnitOfWork, *, survey_id: int, chat_id: int, actor: Actor | None = None
) -> BroadcastView:
    """Queue the survey for every willing customer of the map (see the module docstring)."""
    with uow:
        survey = uow.get(Survey, survey_id)
        if survey.chat_id != chat_id:
            raise ItemGone(kind="survey")
        require_open(uow, survey_id)
        # A second press (another member's, or a redelivery) must not ask every customer twice.
        running = select(Broadcast.id).where(
            Broadcast.survey_id == survey_id, col(Broadcast.finished_at).is_(None)
        )
        if uow.session.exec(running).first() is not None:
            raise BroadcastRunning
        now = uow.clock.now()
        broadcast = Broadcast(survey_id=survey_id, chat_id=chat_id, created_at=now)
        uow.session.add(broadcast)
        uow.session.flush()
        answered_this = select(SurveyResponse.respondent_id).where(
            SurveyResponse.survey_id == survey_id
        )
        willing = uow.session.exec(
            select(Respondent.id)
            .distinct()
            .join(SurveyResponse, col(SurveyResponse.respondent_id) == col(Respondent.id))
            .join(Survey, col(Survey.id) == col(SurveyResponse.survey_id))
            .where(
                Survey.map_id == survey.map_id,
                col(Respondent.may_ask_again),
                col(Respondent.reachable),
                ~col(Respondent.stopped),
                col(Respondent.id).not_in(answered_this),
            )
            .order_by(col(Respondent.id))
        ).all()
        uow.session.bulk_insert_mappings(
            Delivery,
            [
                {
                    "broadcast_id": broadcast.id,
                    "respondent_id": respondent_id,
                    "state": DeliveryState.PENDING,
                    "updated_at": now,
                }
                for respondent_id in willing
            ],
        )
        if actor is not None:
            uow.record(actor, survey.map_id, "survey.broadcast", survey_id, str(len(willing)))
        view = _view(uow, broadcast)
        uow.commit()
    return view


def get_broadcast(uow: UnitOfWork, *, broadcast_id: int) -> BroadcastView:
    """One broadcast."""
    with uow:
        return _view(uow, uow.get(Broadcast, broadcast_id))


def set_progress_message(uow: UnitOfWork, *, broadcast_id: int, message_id: int) -> None:
    """Remember the team's progress message, so a restart keeps editing the same one."""
    with uow:
        uow.get(Broadcast, broadcast_id).progress_message_id = message_id
        uow.commit()


def pending(uow: UnitOfWork, *, broadcast_id: int, limit: int) -> list[Recipient]:
    """The next PENDING recipients, oldest first."""
    with uow:
        rows = uow.session.exec(
            select(Delivery.id, Respondent.user_id, Respondent.language)
            .join(Respondent, col(Respondent.id) == col(Delivery.respondent_id))
            .where(Delivery.broadcast_id == broadcast_id, Delivery.state == DeliveryState.PENDING)
            .order_by(col(Delivery.id))
            .limit(limit)
        ).all()
    return [
        Recipient(delivery_id or 0, user_id, language) for delivery_id, user_id, language in rows
    ]


def _move(uow: UnitOfWork, delivery_id: int, old: DeliveryState, new: DeliveryState) -> bool:
    with uow:
        result = uow.session.execute(
            update(Delivery)
            .where(col(Delivery.id) == delivery_id, col(Delivery.state) == old)
            .values(state=new, updated_at=uow.clock.now())
        )
        moved = cast(CursorResult[Any], result).rowcount
        uow.commit()
    return bool(moved)


def claim(uow: UnitOfWork, *, delivery_id: int) -> bool:
    """PENDING → SENDING before the send; False if someone else claimed it first."""
    return _move(uow, delivery_id, DeliveryState.PENDING, DeliveryState.SENDING)


def settle(uow: UnitOfWork, *, delivery_id: int, state: DeliveryState) -> None:
    """SENDING → SENT, FAILED or BLOCKED once Telegram answered."""
    _move(uow, delivery_id, DeliveryState.SENDING, state)


def _progress(uow: OpenUnitOfWork, broadcast: Broadcast) -> BroadcastProgress:
    counts = dict(
        uow.session.exec(
            select(Delivery.state, func.count())
            .where(Delivery.broadcast_id == broadcast.id)
            .group_by(col(Delivery.state))
        ).all()
    )
    return BroadcastProgress(
        sent=counts.get(DeliveryState.SENT, 0),
        failed=counts.get(DeliveryState.FAILED, 0),
        blocked=counts.get(DeliveryState.BLOCKED, 0),
        left=counts.get(DeliveryState.PENDING, 0) + counts.get(DeliveryState.SENDING, 0),
        finished=broadcast.finished_at is not None,
    )


def progress(uow: UnitOfWork, *, broadcast_id: int) -> BroadcastProgress:
    """Sent, failed, blocked and left so far."""
    with uow:
        return _progress(uow, uow.get(Broadcast, broadcast_id))


def finish(uow: UnitOfWork, *, broadcast_id: int) -> BroadcastProgress:
    """Mark the broadcast done (nothing PENDING is left) and return the final counts."""
    with uow:
        broadcast = uow.get(Broadcast, broadcast_id)
        if broadcast.finished_at is None:
            broadcast.finished_at = uow.clock.now()
        result = _progress(uow, broadcast)
        uow.commit()
    return result


def resume(uow: UnitOfWork) -> list[int]:
    """After a restart: unfinished broadcasts to continue; their SENDING rows count as sent."""
    with uow:
        unfinished = list(
            uow.session.exec(
                select(Broadcast.id)
                .where(col(Broadcast.finished_at).is_(None))
                .order_by(col(Broadcast.id))
            ).all()
        )
        uow.session.execute(
            update(Delivery)
            .where(
                col(Delivery.broadcast_id).in_(unfinished),
                col(Delivery.state) == DeliveryState.SENDING,
            )
            .values(state=DeliveryState.SENT, updated_at=uow.clock.now())
        )
        uow.commit()
    return [broadcast_id for broadcast_id in unfinished if broadcast_id is not None]

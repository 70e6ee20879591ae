"""Handled messages: claims past their retention are forgotten, recent ones still refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from cjm.errors import AlreadyHandled
from cjm.models import HandledMessage
from cjm.services import handled_messages
from cjm.services.handled_messages import HANDLED_MESSAGE_RETENTION, forget_handled_messages
from tests.factories import NOW, TEAM_CHAT_ID

OTHER_CHAT_ID = -42


def claim(uow, message_id, chat_id=TEAM_CHAT_ID):
    with uow() as unit:
        unit.claim_message(chat_id, message_id)
        unit.commit()


def claimed(uow):
    """(chat_id, message_id) of every stored claim, in message order."""
    with uow() as unit:
        rows = unit.session.exec(
            select(HandledMessage.chat_id, HandledMessage.message_id).order_by(
                col(HandledMessage.message_id)
            )
        ).all()
        return [tuple(row) for row in rows]


def forget(uow):
    return forget_handled_messages(uow(), older_than=HANDLED_MESSAGE_RETENTION)


def test_the_retention_outlasts_telegrams_24_hours():
    """Telegram may redeliver an update for 24 hours; claims are kept longer than that."""
    assert timedelta(hours=24) < HANDLED_MESSAGE_RETENTION


def test_claims_past_the_retention_go_and_recent_ones_stay(uow, clock):
    """Only claims older than the retention are deleted, in every chat; the count says how many."""
    claim(uow, 1)
    claim(uow, 2, chat_id=OTHER_CHAT_ID)
    clock.advance(timedelta(hours=30))
    claim(uow, 3)
    clock.advance(HANDLED_MESSAGE_RETENTION - timedelta(hours=29))  # 1 and 2 are 1 h too old

    assert forget(uow) == 2

    assert claimed(uow) == [(TEAM_CHAT_ID, 3)]
    assert forget(uow) == 0


@pytest.mark.parametrize(
    ("age", "kept"),
    [
        (timedelta(0), True),
        (HANDLED_MESSAGE_RETENTION - timedelta(seconds=1), True),
        (HANDLED_MESSAGE_RETENTION, True),
        (HANDLED_MESSAGE_RETENTION + timedelta(seconds=1), False),
    ],
    ids=["just claimed", "a second short", "exactly the retention", "a second past"],
)
def test_a_claim_is_forgotten_only_once_strictly_older_than_the_retention(uow, clock, age, kept):
    """A claim exactly as old as the retention is kept; a second older, it goes."""
    claim(uow, 1)
    clock.advance(age)

    assert forget(uow) == (0 if kept else 1)

    assert claimed(uow) == ([(TEAM_CHAT_ID, 1)] if kept else [])


def test_a_redelivery_within_the_retention_is_still_refused(uow, clock):
    """After a sweep inside the retention, the same message raises AlreadyHandled again."""
    claim(uow, 1)
    clock.advance(HANDLED_MESSAGE_RETENTION - timedelta(minutes=1))
    assert forget(uow) == 0

    with uow() as unit, pytest.raises(AlreadyHandled):
        unit.claim_message(TEAM_CHAT_ID, 1)


def test_a_claim_is_dated_by_the_injected_clock(uow, clock):
    """claim_message stores the clock's now as handled_at, read back as aware UTC."""
    clock.advance(timedelta(hours=5, minutes=7))
    claim(uow, 1)

    with uow() as unit:
        (handled_at,) = unit.session.exec(select(HandledMessage.handled_at)).all()
    assert handled_at == NOW + timedelta(hours=5, minutes=7)
    assert handled_at.utcoffset() == timedelta(0)


def test_a_press_is_claimed_once_and_forgotten_with_the_messages(uow, clock):
    """A callback query id claims once; the sweep forgets it past the retention like a message."""
    assert handled_messages.claim_press(uow(), query_id="4000000000000000001")
    assert not handled_messages.claim_press(uow(), query_id="4000000000000000001")
    assert handled_messages.claim_message(uow(), chat_id=TEAM_CHAT_ID, message_id=9)
    assert not handled_messages.claim_message(uow(), chat_id=TEAM_CHAT_ID, message_id=9)
    clock.advance(HANDLED_MESSAGE_RETENTION + timedelta(minutes=1))
    assert forget(uow) == 2
    assert handled_messages.claim_press(uow(), query_id="4000000000000000001")

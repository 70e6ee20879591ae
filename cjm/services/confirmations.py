"""Keeping an answer held for a yes: the service each kind of held answer was meant for."""

from datetime import date

from cjm.db import UnitOfWork
from cjm.models import PendingKind
from cjm.services import fixes, maps, pending, prompts
from cjm.views import Actor, Kept


def keep(uow: UnitOfWork, *, chat_id: int, pending_id: int, actor: Actor) -> Kept:
    """Apply a held answer as it was typed (the "Yes, keep it" button), once."""
    with uow:
        row = pending.take(uow, chat_id, pending_id)
        if row.kind is PendingKind.MAP_TITLE:
            journey = maps.create_in(uow, chat_id=chat_id, actor=actor, title=row.value)
            uow.commit()
            return Kept(row.kind, row.value, map=journey)
        assert row.target_id is not None  # noqa: S101  (a fix's answers name the fix)
        due = None
        if row.kind is PendingKind.FIX_OWNER:
            fixes.store_owner(
                uow, chat_id=row.chat_id, fix_id=row.target_id, owner=row.value, actor=actor
            )
        else:
            due = date.fromisoformat(row.value)
            fixes.store_due_date(
                uow, chat_id=row.chat_id, fix_id=row.target_id, due=due, actor=actor
            )
        card = row.card_message_id
        if card is not None and prompts.kind_of(uow, chat_id=chat_id, message_id=card) is None:
            card = None  # asked from a message that is no card (or is gone): nothing to redraw
        uow.commit()
    return Kept(row.kind, row.value, card_message_id=card, due_on=due)

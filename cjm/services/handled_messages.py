"""Handled updates: claiming a member's message or press once, and forgetting old claims.

Every update that changes something is claimed once: a text reply to a question inside the
answer's own transaction (prompts.answer), any other message (a command, a file, a customer's
comment) and every button press by the adapter before its handler runs (bot/once.py).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete

from cjm.db import UnitOfWork, table_of
from cjm.errors import AlreadyHandled
from cjm.models import HandledMessage, HandledPress

# Telegram keeps an unconfirmed update for at most 24 hours after it arrived, and a claim is
# made after the update arrived; the second day is margin (a clock that was off, a slow sweep).
HANDLED_MESSAGE_RETENTION = timedelta(days=2)

# The sweep runs every few minutes for the bot's life: a plain statement built once.
_FORGET = tuple(
    delete(table_of(model)).where(table_of(model).c.handled_at < bindparam("before"))
    for model in (HandledMessage, HandledPress)
)


def claim_message(uow: UnitOfWork, *, chat_id: int, message_id: int) -> bool:
    """Claim a member's message; False when it was claimed before (a redelivery, an edit)."""
    return _claimed(uow, lambda: uow.claim_message(chat_id, message_id))


def claim_press(uow: UnitOfWork, *, query_id: str) -> bool:
    """Claim a button press by its callback query id; False when it was claimed before."""
    return _claimed(uow, lambda: uow.claim_press(query_id))


def is_claimed(uow: UnitOfWork, *, chat_id: int, message_id: int) -> bool:
    """Whether a member's message was acted on (a reply's edit then changes what it set)."""
    with uow:
        return uow.session.get(HandledMessage, (chat_id, message_id)) is not None


def _claimed(uow: UnitOfWork, claim: Callable[[], None]) -> bool:
    with uow:
        try:
            claim()
        except AlreadyHandled:
            return False
        uow.commit()
    return True


def forget_handled_messages(uow: UnitOfWork, *, older_than: timedelta) -> int:
    """Delete the claims handled more than `older_than` ago; return how many went."""
    with uow:
        before = {"before": uow.clock.now() - older_than}
        forgotten = sum(
            cast(CursorResult[Any], uow.session.execute(statement, before)).rowcount
            for statement in _FORGET
        )
        uow.commit()
    return forgotten

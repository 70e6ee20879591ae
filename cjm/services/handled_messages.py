"""Handled messages: forgetting the claims no redelivered update can need any more."""

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete

from cjm.db import UnitOfWork, table_of
from cjm.models import HandledMessage

# Telegram keeps an unconfirmed update for at most 24 hours after it arrived, and a claim is
# made after the update arrived; the second day is margin (a clock that was off, a slow sweep).
HANDLED_MESSAGE_RETENTION = timedelta(days=2)

# The sweep runs every few minutes for the bot's life: a plain statement built once.
_FORGET = delete(table_of(HandledMessage)).where(
    table_of(HandledMessage).c.handled_at < bindparam("before")
)


def forget_handled_messages(uow: UnitOfWork, *, older_than: timedelta) -> int:
    """Delete the claims handled more than `older_than` ago; return how many went."""
    with uow:
        result = uow.session.execute(_FORGET, {"before": uow.clock.now() - older_than})
        forgotten = cast(CursorResult[Any], result).rowcount
        uow.commit()
    return forgotten

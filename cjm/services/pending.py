"""Answers held for a yes: stored with the buttons that keep or drop them (cf. /deletemap).

A button payload carries numbers only (64 bytes), so the text a member typed waits here,
named by its id; keeping it applies it with the service it was meant for
(cjm.services.confirmations), dropping it or /cancel forgets it.
"""

from datetime import date

from sqlalchemy import delete
from sqlmodel import col, select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import StaleButton
from cjm.models import Pending, PendingKind
from cjm.views import Unconfirmed


def hold(
    uow: OpenUnitOfWork,
    *,
    chat_id: int,
    kind: PendingKind,
    value: str,
    reason: str,
    target_id: int | None = None,
    card_message_id: int | None = None,
    names: tuple[str, ...] = (),
    due_on: date | None = None,
) -> Unconfirmed:
    """Store an answer that needs a yes, inside the answer's transaction; say why it waits."""
    row = Pending(
        chat_id=chat_id,
        kind=kind,
        target_id=target_id,
        value=value,
        card_message_id=card_message_id,
        created_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    assert row.id is not None  # noqa: S101  (flushed above)
    return Unconfirmed(row.id, kind, value, reason, names, due_on)


def take(uow: OpenUnitOfWork, chat_id: int, pending_id: int) -> Pending:
    """The held answer, removed (StaleButton: kept, dropped or cancelled already, or not ours)."""
    row = uow.session.get(Pending, pending_id)
    if row is None or row.chat_id != chat_id:
        raise StaleButton
    uow.session.delete(row)
    return row


def drop(uow: UnitOfWork, *, chat_id: int, pending_id: int) -> str:
    """Forget a held answer (the "No" button); return what it would have set."""
    with uow:
        value = take(uow, chat_id, pending_id).value
        uow.commit()
    return value


def drop_all(uow: OpenUnitOfWork, chat_id: int) -> int:
    """Forget every answer the chat holds (/cancel); return how many."""
    ids = uow.session.exec(select(Pending.id).where(Pending.chat_id == chat_id)).all()
    if ids:
        uow.session.execute(delete(Pending).where(col(Pending.chat_id) == chat_id))
    return len(ids)

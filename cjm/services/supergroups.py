"""A group becomes a supergroup: everything of the chat follows it to the new chat id.

Telegram gives the supergroup a new id and numbers its messages afresh
(https://core.telegram.org/bots/api#message: migrate_to_chat_id, migrate_from_chat_id).
"""

from typing import Any

from sqlalchemy import Column, delete
from sqlmodel import SQLModel, col, select, update

from cjm.db import UnitOfWork, table_of
from cjm.models import (
    Broadcast,
    Chat,
    ChatMember,
    HandledMessage,
    JourneyMap,
    Pending,
    Prompt,
    Respondent,
    Review,
    SurveyPost,
)
from cjm.services.questions import card_view
from cjm.views import CardView

# Rows keyed by a message of the chat. A supergroup numbers its messages afresh, so the old
# group's message ids mean nothing there (and collide with the supergroup's own): the old
# chat's rows go (a prompt there must never capture a reply in the supergroup).
# Answers waiting for a yes were asked with buttons on an old message; members seen in the
# group are seen again as they write (the supergroup may have seen them first: no collision).
RETIRED_ON_MIGRATION: tuple[type[SQLModel], ...] = (
    Prompt,
    HandledMessage,
    SurveyPost,
    Pending,
    ChatMember,
)
# Message-id columns of rows that do move: they named old messages, so they are cleared.
CLEARED_ON_MIGRATION: tuple[tuple[type[SQLModel], str], ...] = (
    (Broadcast, "progress_message_id"),
    (Review, "digest_message_id"),
)
# Message-id columns that name a message in a customer's private chat: only groups migrate.
IN_PRIVATE_CHATS: tuple[tuple[type[SQLModel], str], ...] = ((Respondent, "asking_message_id"),)


def chat_id_columns() -> list[Column[Any]]:
    """Every column that holds a chat's id: named chat_id, or a foreign key to chat.id."""
    chat_table = table_of(Chat)
    return [
        column
        for table in SQLModel.metadata.sorted_tables
        if table is not chat_table
        for column in table.columns
        if column.name == "chat_id"
        or any(fk.column is chat_table.c.id for fk in column.foreign_keys)
    ]


def migrate(uow: UnitOfWork, *, old_id: int, new_id: int) -> tuple[CardView, ...]:
    """A group became a supergroup: everything of the chat follows it to the new id.

    The supergroup's row may exist already (one of its updates arrived first): the two rows
    merge, the old group's settings kept. Returns the step cards to post again in the
    supergroup (the newest card of each map that had one), as the old ones answer nothing.
    """
    with uow:
        old = uow.session.get(Chat, old_id)
        if old is None or old_id == new_id:
            return ()
        new = uow.session.get(Chat, new_id)
        if new is None:
            new = Chat(
                id=new_id,
                title=old.title,
                language=old.language,
                tz=old.tz,
                created_at=old.created_at,
            )
            uow.session.add(new)
        else:
            # Merged: the group's own choices win over the defaults a first update gave the row.
            new.language, new.tz = old.language, old.tz
            new.title = new.title or old.title
            new.created_at = min(new.created_at, old.created_at)
        new.current_map_id = new.current_map_id or old.current_map_id
        new.reachable = True
        uow.session.flush()
        cards = _cards_to_repost(uow, old_id)
        moved_maps = select(JourneyMap.id).where(col(JourneyMap.chat_id) == old_id)
        uow.session.execute(
            update(Review).where(col(Review.map_id).in_(moved_maps)).values(digest_message_id=None)
        )
        uow.session.execute(
            update(Broadcast)
            .where(col(Broadcast.chat_id) == old_id)
            .values(progress_message_id=None)
        )
        retired = {table_of(model) for model in RETIRED_ON_MIGRATION}
        for column in chat_id_columns():
            if column.table in retired:
                uow.session.execute(delete(column.table).where(column == old_id))
            else:
                uow.session.execute(
                    update(column.table).where(column == old_id).values({column: new_id})
                )
        uow.session.delete(old)
        uow.commit()
    return cards


def _cards_to_repost(uow: UnitOfWork, old_id: int) -> tuple[CardView, ...]:
    """The newest step card of each map the old group had one for."""
    rows = uow.session.exec(
        select(Prompt)
        .where(col(Prompt.chat_id) == old_id, col(Prompt.kind).startswith("card."))
        .where(col(Prompt.map_id).is_not(None))
        .order_by(col(Prompt.created_at).desc(), col(Prompt.id).desc())
    ).all()
    newest: dict[int, Prompt] = {}
    for prompt in rows:
        if prompt.map_id is not None:
            newest.setdefault(prompt.map_id, prompt)
    return tuple(card_view(uow, prompt) for prompt in newest.values())

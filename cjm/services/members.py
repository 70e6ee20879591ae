"""Members seen in a chat: who a fix's @owner may name (the Bot API finds no user by username).

Every update's sender (and each member who joins) is noted with their username and whether
they are a bot, so an owner can be checked against the people who actually write here.
"""

import re
from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from cjm.db import OpenUnitOfWork, UnitOfWork, table_of
from cjm.models import ChatMember

# Bot API, User.username; t.me/username rules: 5-32 characters, a-z, 0-9 and underscores.
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{4,32})\b")
_TABLE = table_of(ChatMember)


@dataclass(frozen=True)
class SeenUser:
    """A sender as the adapter saw them."""

    user_id: int
    username: str | None
    is_bot: bool


def note(uow: UnitOfWork, *, chat_id: int, users: list[SeenUser]) -> None:
    """Remember who wrote in (or joined) the chat, with their current username."""
    users = list({user.user_id: user for user in users}.values())  # one row per member
    if not users:
        return
    now = uow.clock.now()
    rows = [
        {
            "chat_id": chat_id,
            "user_id": user.user_id,
            "username": user.username.casefold() if user.username else None,
            "is_bot": user.is_bot,
            "last_seen_at": now,
        }
        for user in users
    ]
    with uow:
        # One upsert per update, in the dialect of the engine (both spell it alike).
        dialect = uow.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(_TABLE).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[_TABLE.c.chat_id, _TABLE.c.user_id],
            set_={
                "username": statement.excluded.username,
                "is_bot": statement.excluded.is_bot,
                "last_seen_at": statement.excluded.last_seen_at,
            },
        )
        uow.session.execute(statement)
        uow.commit()


def mentions(text: str) -> list[str]:
    """The @usernames a text names, as typed (without the @)."""
    return _MENTION.findall(text)


def doubtful_owners(uow: OpenUnitOfWork, chat_id: int, text: str) -> tuple[str, tuple[str, ...]]:
    """Why an owner's @mentions need a yes, and which: ("owner_bot" | "owner_unknown" | "", …).

    A bot (any username ending in "bot", which Telegram requires of bots, or one seen as a
    bot) owns nothing; a username nobody in the chat has written with may be a typo.
    """
    named = mentions(text)
    if not named:
        return "", ()
    rows = uow.session.exec(
        select(ChatMember).where(
            ChatMember.chat_id == chat_id,
            col(ChatMember.username).in_([name.casefold() for name in named]),
        )
    ).all()
    known = {row.username: row.is_bot for row in rows}
    bots = tuple(
        f"@{name}"
        for name in named
        if known.get(name.casefold(), name.casefold().endswith("bot")) is True
    )
    if bots:
        return "owner_bot", bots
    unknown = tuple(f"@{name}" for name in named if name.casefold() not in known)
    return ("owner_unknown", unknown) if unknown else ("", ())

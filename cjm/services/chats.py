"""Chats: registering them, their language and time zone (a group's move: supergroups)."""

from enum import StrEnum

from sqlalchemy import bindparam

from cjm.db import OpenUnitOfWork, UnitOfWork, table_of
from cjm.errors import UnknownLanguage
from cjm.limits import BRAND_MAX_CHARS, clean_text
from cjm.models import Chat
from cjm.views import ChatRef, ChatView


class Language(StrEnum):
    """The languages the bot speaks (a chat's language is one of their values)."""

    EN = "en"
    RU = "ru"
    ZH = "zh"  # Simplified Chinese, also for zh-Hant and every other zh-* member


LANGUAGES = tuple(Language)


def _view(chat: Chat) -> ChatView:
    return ChatView(
        id=chat.id,
        title=chat.title,
        language=chat.language,
        tz=chat.tz,
        current_map_id=chat.current_map_id,
        brand=chat.brand,
    )


def pick_language(language_code: str | None, default: str) -> str:
    """The supported language closest to a Telegram user's language_code (zh-hans → zh)."""
    base = (language_code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else default


def ensure(uow: OpenUnitOfWork, chat: ChatRef, *, default_language: str, default_tz: str) -> Chat:
    """The chat's row, created on first contact; the first member's language sets the default."""
    row = uow.session.get(Chat, chat.id)
    if row is None:
        row = Chat(
            id=chat.id,
            title=chat.title[:255],
            language=pick_language(chat.language_code, default_language),
            tz=default_tz,
            created_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
    elif chat.title and row.title != chat.title[:255]:
        row.title = chat.title[:255]
    row.reachable = True
    return row


# Every update reads its chat: a plain select built once, and a write only when something moved.
_CHAT = table_of(Chat).select().where(table_of(Chat).c.id == bindparam("chat_id"))


def get_chat(
    uow: UnitOfWork, chat: ChatRef, *, default_language: str, default_tz: str
) -> ChatView:
    """The chat's settings, registering the chat when it is new."""
    with uow:
        row = uow.session.execute(_CHAT, {"chat_id": chat.id}).first()
        if row is not None and row.reachable and (not chat.title or row.title == chat.title[:255]):
            return ChatView(row.id, row.title, row.language, row.tz, row.current_map_id, row.brand)
        view = _view(ensure(uow, chat, default_language=default_language, default_tz=default_tz))
        uow.commit()
    return view


def set_language(uow: UnitOfWork, chat: ChatRef, *, language: str, default_tz: str) -> ChatView:
    """Switch the language the bot speaks in this chat ("zh-CN" is zh, like a member's code)."""
    language = language.strip().lower()
    language = pick_language(language, default=language)
    if language not in LANGUAGES:
        raise UnknownLanguage(language=language, available=", ".join(LANGUAGES))
    with uow:
        row = ensure(uow, chat, default_language=language, default_tz=default_tz)
        row.language = language
        view = _view(row)
        uow.commit()
    return view


def set_brand(
    uow: UnitOfWork, chat: ChatRef, *, text: str, default_language: str, default_tz: str
) -> ChatView:
    """Name the brand or product this chat's surveys ask about (one line, BRAND_MAX_CHARS)."""
    brand = clean_text(text, field="brand", limit=BRAND_MAX_CHARS)
    with uow:
        row = ensure(uow, chat, default_language=default_language, default_tz=default_tz)
        row.brand = brand
        view = _view(row)
        uow.commit()
    return view


def mark_unreachable(uow: UnitOfWork, *, chat_id: int) -> None:
    """The bot was removed from the chat or blocked: remember it, keep every map."""
    with uow:
        row = uow.session.get(Chat, chat_id)
        if row is not None:
            row.reachable = False
            uow.commit()

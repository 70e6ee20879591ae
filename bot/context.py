"""BotContext: the typed helpers every handler uses (unit of work, actor, texts, cards)."""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    Chat,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot.card_editor import CardEditor, is_transient
from bot.keyboards import card_keyboard
from bot.messages import edit_text, fit_message, send_text
from bot.settings import Settings
from cjm.cards import resolve
from cjm.clock import Clock
from cjm.db import UnitOfWork
from cjm.errors import GroupOnly, StaleButton
from cjm.render.texts import Texts
from cjm.services import chats, prompts
from cjm.views import Actor, CardView, ChatRef, ChatView, QuestionToAsk

log = logging.getLogger(__name__)

__all__ = ["BotContext", "Deps", "Labels", "fit_message"]  # fit_message: bot.messages's

# Presses answered lately: the error handler must not answer one again (Telegram refuses,
# https://core.telegram.org/bots/api#answercallbackquery); a failing handler is done in seconds.
ANSWERED_QUERIES_KEPT = 1000
QUESTIONS_TEMPLATE = "chat/questions.html"  # every question's wording, a macro per kind


def anonymous_sender(update: Update) -> Chat | None:
    """The chat a member's message was sent on behalf of (an anonymous admin's group), if any.

    https://core.telegram.org/bots/api#message: sender_chat is "the supergroup itself for
    messages sent by its anonymous administrators", and `from` is then a fake user
    (GroupAnonymousBot). Button presses have no sender_chat: they name who pressed.
    """
    message = update.message or update.edited_message
    return message.sender_chat if message is not None else None


@dataclass(frozen=True)
class Deps:
    """What handlers need, wired once in bot/app.py."""

    settings: Settings
    new_uow: Callable[[], UnitOfWork]
    texts: Texts
    clock: Clock
    card_editor: CardEditor


class Labels:
    """Button labels as plain text (Telegram shows button text as is, so no HTML escapes)."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Callable[..., str]:
        macro = getattr(self._module, name)
        return lambda *args, **kwargs: html.unescape(str(macro(*args, **kwargs))).strip()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with Journey Bot's helpers; handlers never touch bot_data themselves."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._chat_view: ChatView | None = None

    @property
    def deps(self) -> Deps:
        """The wired dependencies."""
        deps: Deps = self.bot_data["deps"]
        return deps

    def uow(self) -> UnitOfWork:
        """A fresh unit of work."""
        return self.deps.new_uow()

    @staticmethod
    def actor(update: Update) -> Actor:
        """The member behind an update."""
        user = update.effective_user
        if user is None:
            return Actor(0, "?")
        group = anonymous_sender(update)
        if group is not None:  # user is the fake GroupAnonymousBot: the group speaks
            return Actor(user.id, group.effective_name or user.full_name, None, anonymous=True)
        return Actor(user.id, user.full_name, user.username)

    @staticmethod
    def chat_ref(update: Update) -> ChatRef:
        """The chat an update came from."""
        chat = update.effective_chat
        user = update.effective_user
        assert chat is not None  # noqa: S101  (every handled update has a chat)
        return ChatRef(
            id=chat.id,
            title=chat.effective_name or "",
            language_code=user.language_code if user else None,
            is_group=chat.type in ("group", "supergroup"),
        )

    def group_chat(self, update: Update) -> ChatRef:
        """The chat, which must be a group: team commands make no sense in a private chat."""
        ref = self.chat_ref(update)
        if not ref.is_group:
            raise GroupOnly
        return ref

    def chat(self, update: Update) -> ChatView:
        """The chat's settings (registered on first contact), read once per update."""
        if self._chat_view is None:
            settings = self.deps.settings
            self._chat_view = chats.get_chat(
                self.uow(),
                self.chat_ref(update),
                default_language=settings.bot_default_language,
                default_tz=settings.bot_default_timezone,
            )
        return self._chat_view

    def forget_chat(self) -> None:
        """Drop the cached chat settings after changing them."""
        self._chat_view = None

    def language(self, update: Update) -> str:
        """The language to answer this update in."""
        return self.chat(update).language

    def render(self, update: Update, template: str, **context: Any) -> str:
        """Render a chat template in the chat's language."""
        return self.deps.texts.render(self.language(update), template, **context)

    def macro(self, update: Update, template: str, name: str, /, **params: Any) -> str:
        """One macro of a chat template, rendered in the chat's language."""
        return self.deps.texts.macro(self.language(update), template, name, **params)

    def plain_macro(self, update: Update, template: str, name: str, /, **params: Any) -> str:
        """One macro as plain text (a button press's answer), in the chat's language."""
        return self.deps.texts.plain_macro(self.language(update), template, name, **params)

    def labels(self, update: Update) -> Labels:
        """Button labels in the chat's language."""
        return Labels(self.deps.texts.labels(self.language(update)))

    async def reply(
        self,
        update: Update,
        template: str,
        *,
        reply_markup: InlineKeyboardMarkup | ForceReply | None = None,
        **context: Any,
    ) -> Message:
        """Send a message rendered from a template to the update's chat."""
        return await self.send(
            update, self.render(update, template, **context), reply_markup=reply_markup
        )

    async def send(
        self,
        update: Update,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | ForceReply | None = None,
    ) -> Message:
        """Send rendered Telegram HTML to the update's chat."""
        chat = update.effective_chat
        assert chat is not None  # noqa: S101  (every handled update has a chat)
        return await send_text(self.bot, chat.id, text, reply_markup)

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Replace a message's text and buttons (none without `keyboard`); unchanged is fine."""
        await edit_text(self.bot, chat_id, message_id, text, keyboard)

    async def redraw(
        self,
        update: Update,
        message_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Redraw a board or card of this chat now; if Telegram keeps failing, again later.

        For messages that show stored state (survey cards, KPI boards, review cards): the
        change is saved, so an edit Telegram refuses for now is no failure to report.
        """
        chat_id = self.chat(update).id
        await self.deps.card_editor.edit_now(
            (chat_id, message_id),
            lambda: self.edit(chat_id, message_id, text, keyboard),
            lambda coroutine: self.application.create_task(coroutine, update=update),
        )

    @asynccontextmanager
    async def saved(self, update: Update) -> AsyncIterator[None]:
        """Around what is sent after a change was committed: it is never reported as failed.

        Telegram failing now (5xx, 429, a timeout, after the rate limiter's retries) is logged;
        the member is not told "try again" about an answer that was stored.
        """
        try:
            yield
        except TelegramError as error:
            if not is_transient(error):
                raise
            log.warning("update %s: saved, but telling so failed: %s", update.update_id, error)

    async def edit_pressed(
        self, update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        """Replace the text and buttons of the message whose button was pressed."""
        query = update.callback_query
        assert query is not None  # noqa: S101  (button handlers only)
        assert query.message is not None  # noqa: S101  (our buttons sit on chat messages)
        await self.edit(query.message.chat.id, query.message.message_id, text, keyboard)

    @staticmethod
    def pressed_message_id(update: Update) -> int:
        """The id of the message whose button was pressed (StaleButton without one)."""
        query = update.callback_query
        if query is None or query.message is None:
            raise StaleButton
        return query.message.message_id

    @staticmethod
    def payload(update: Update) -> str | None:
        """The pressed button's callback data."""
        return update.callback_query.data if update.callback_query else None

    async def answer(self, update: Update, text: str | None = None) -> None:
        """Answer the button press (Telegram shows a spinner until every press is answered)."""
        query = update.callback_query
        if query is not None:
            await query.answer(text)
            answered = self._answered_queries()
            answered[query.id] = None
            while len(answered) > ANSWERED_QUERIES_KEPT:
                answered.popitem(last=False)

    def was_answered(self, update: Update) -> bool:
        """Whether this update's button press was answered already (a query takes one answer)."""
        query = update.callback_query
        return query is not None and query.id in self._answered_queries()

    def _answered_queries(self) -> OrderedDict[str, None]:
        answered: OrderedDict[str, None] = self.bot_data.setdefault(
            "answered_queries", OrderedDict()
        )
        return answered

    async def edit_query_message(self, update: Update, template: str, **context: Any) -> None:
        """Replace the text of the message whose button was pressed (its buttons go away)."""
        await self.edit_pressed(update, self.render(update, template, **context))

    async def post_card(self, update: Update, card: CardView) -> None:
        """Post a step card as a new message, remembered as a prompt members can reply to."""
        chat = self.chat(update)
        await post_card_to(self.bot, self.deps, chat.id, chat.language, card)

    def redraw_card(self, update: Update, message_id: int, *, gather_s: float = 0.0) -> None:
        """Redraw a posted step card in place, as the map stands when the edit goes out.

        Redraws go through the CardEditor: they run in the background, one at a time per card,
        and each reads the card afresh, so a burst of answers costs one read and one edit;
        `gather_s` waits for more of a burst first (votes several members cast together).
        """
        chat_id = self.chat(update).id
        language = self.language(update)
        self.deps.card_editor.request(
            (chat_id, message_id),
            lambda: self._edit_card(chat_id, message_id, language),
            lambda coroutine: self.application.create_task(coroutine, update=update),
            gather_s=gather_s,
        )

    async def _edit_card(self, chat_id: int, message_id: int, language: str) -> None:
        card = prompts.get_card(self.uow(), chat_id=chat_id, card_message_id=message_id)
        text, keyboard = card_message(self.deps.texts, card, language)
        await self.edit(chat_id, message_id, text, keyboard)

    async def ask(
        self, update: Update, asked: QuestionToAsk, *, placeholder: str | None = None
    ) -> None:
        """Post a checked question (its macro in questions.html); members answer by replying.

        The one way the bot asks anything: the question is stored as a prompt once Telegram
        has given it a message id, so any member's reply finds what it asked. Its ForceReply
        is `selective` (core.telegram.org/bots/api#forcereply): Telegram opens the reply field
        only for the users @mentioned in the text and, when the question is a reply, for the
        sender of the message it replies to. So a button's question names who pressed it (a
        tg://user link, which needs no username) and a command's question replies to it; the
        others keep typing undisturbed, and may still reply to it.
        """
        macro = asked.kind.value.replace(".", "_")
        text = self.macro(update, QUESTIONS_TEMPLATE, macro, **asked.params)
        reply_to = None
        query = update.callback_query
        if query is not None:
            asker = query.from_user
            mention = self.macro(
                update, QUESTIONS_TEMPLATE, "asked_by", user_id=asker.id, name=asker.full_name
            )
            text = f"{mention} {text}"
        elif update.effective_message is not None:
            reply_to = update.effective_message.message_id
        chat_id = self.chat(update).id
        message = await send_text(
            self.bot,
            chat_id,
            text,
            ForceReply(selective=True, input_field_placeholder=placeholder),
            reply_to=reply_to,
        )
        prompts.remember(self.uow(), chat_id=chat_id, message_id=message.message_id, asked=asked)


def card_message(texts: Texts, card: CardView, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """A step card's text and buttons in a language."""
    text = texts.render(
        language, f"chat/steps/{card.step.value}.html", card=card, **_focus_context(card)
    )
    return text, card_keyboard(card, Labels(texts.labels(language)))


async def post_card_to(bot: Bot, deps: Deps, chat_id: int, language: str, card: CardView) -> None:
    """Post a step card into a chat, remembered as a prompt members can reply to."""
    text, keyboard = card_message(deps.texts, card, language)
    message = await send_text(bot, chat_id, text, keyboard)
    prompts.remember_card(
        deps.new_uow(), chat_id=chat_id, message_id=message.message_id, card=card
    )


def _focus_context(card: CardView) -> dict[str, Any]:
    focus = resolve(card)
    return {
        "focus_stage": focus.stage,
        "focus_tp": focus.touchpoint,
        "focus_pain": focus.pain,
        "focus_fix": focus.fix,
        "pain_number": focus.pain_number(card.map),
    }

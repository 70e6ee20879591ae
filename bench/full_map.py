"""What a team's chat costs: bot messages for a seed-sized map, and a persona at Telegram's pace.

The seed SHOP_RU is an online shop's first purchase in Russian: 3 members, 5 stages, 21
touchpoints (each with a channel and online/offline), votes by all three, pains and fixes.
The members build it through the bot the way its cards tell them to; the double counts what
the bot sent (messages and edits).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_application
from bot.settings import Settings
from cjm.clock import FrozenClock
from tests.double import BotApiDouble, ChatSpec, Member, SentMessage

TOKEN = "123456:FEWER"  # noqa: S105  (the double's fake token)

PERSONA_RU = ["Ольга", "Офис-менеджер", "30–40", "Москва", "Google, коллеги", "Успеть до пятницы"]
GOALS_RU = ["Найти магазин", "Сравнить цены", "Оплатить без сюрпризов", "Дождаться", "Повторить"]
# 21 touchpoints over the B2C template's five stages, each with the channel members pick.
TOUCHPOINTS_RU = [
    [("Реклама в Instagram", "social"), ("Поиск Google", "website"), ("Совет коллеги", "phone"),
     ("Блог", "website"), ("Рассылка", "email")],
    [("Карточка товара", "website"), ("Отзывы", "website"), ("Чат с консультантом", "live chat"),
     ("Сравнение", "website")],
    [("Корзина", "website"), ("Оформление", "website"), ("Оплата", "website"),
     ("Подтверждение", "email"), ("Звонок менеджера", "phone")],
    [("Отслеживание", "app"), ("Курьер", "store"), ("Распаковка", "store"),
     ("Поддержка", "help desk")],
    [("Просьба об отзыве", "email"), ("Бонус за друга", "app"), ("Повторный заказ", "app")],
]  # fmt: skip
PAINS_RU = [(2, "Доставка видна только в конце"), (2, "Много полей"), (3, "Курьер опоздал")]
FIXES_RU = ["Показывать доставку сразу", "Гостевой заказ", "Окно доставки"]
PERSONA_FIELDS = 14  # PersonaField: every field of the persona card


def group_limited_settings(double: BotApiDouble, database: Path, *, paced: bool) -> Settings:
    """The bot pointed at the double; `paced`: Telegram's default pace (20/min per group)."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init option
        telegram_bot_token=TOKEN,
        database_url=f"sqlite:///{database}",
        telegram_api_base_url=f"{double.url}/bot",
        telegram_api_base_file_url=f"{double.url}/file/bot",
        bot_default_timezone="Europe/Moscow",
        bot_default_language="ru",
        bot_group_messages_per_minute=20 if paced else 100_000,
        bot_overall_messages_per_second=30 if paced else 100_000,
    )


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[None]:
    """The real Application polling the double, stopped afterwards."""
    app = build_application(settings, clock=FrozenClock(datetime(2026, 11, 26, 9, tzinfo=UTC)))
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None  # built with an updater
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_shutdown:
                await app.post_shutdown(app)


def data_of(message: SentMessage, wanted: Callable[[str], bool]) -> str:
    """The callback data of the first button on `message` whose data `wanted` accepts."""
    for button in message.flat_buttons:
        if button.callback_data is not None and wanted(button.callback_data):
            return button.callback_data
    listing = [b.callback_data for b in message.flat_buttons]
    raise AssertionError(f"no such button on #{message.message_id}: {listing}")


class Session:
    """Three members in one group, acting one after another and waiting for the bot."""

    def __init__(self, double: BotApiDouble, chat: ChatSpec, team: list[Member]) -> None:
        self.double, self.chat, self.team = double, chat, team
        self.turn = 0

    def member(self) -> Member:
        """The next member in turn."""
        self.turn += 1
        return self.team[self.turn % len(self.team)]

    async def press(self, message: SentMessage, wanted: Callable[[str], bool]) -> None:
        """A member presses a button, and the bot settles."""
        await self.member().press(message, data=data_of(message, wanted))
        await self.double.wait_idle(60)

    async def reply(self, message: SentMessage, text: str) -> None:
        """A member replies to a message, and the bot settles."""
        await self.member().reply(self.chat, message, text)
        await self.double.wait_idle(60)

    async def reply_to_card(self, card: SentMessage, text: str) -> None:
        """A member replies to a card, which then shows the answer (its last line)."""
        await self.member().reply(self.chat, card, text)
        await self.double.wait_for_edit(self.chat, card, text.splitlines()[-1][:20], timeout=60)
        await self.double.wait_idle(60)

    async def ask_and_answer(
        self, card: SentMessage, wanted: Callable[[str], bool], text: str
    ) -> None:
        """Press a button that asks something and answer it where the bot asks."""
        last = self.double.messages(self.chat)[-1]
        await self.press(card, wanted)
        asked = [m for m in self.double.bot_messages(self.chat) if m.message_id > last.message_id]
        question = next((m for m in asked if m.force_reply and not m.deleted), card)
        await self.reply(question, text)

    async def next_card(self, card: SentMessage, step: str) -> SentMessage:
        """Press Next ▶ and return the new step's card."""
        await self.press(card, lambda d: d.startswith("os:") and d.endswith(f":{step}"))
        return self.double.bot_messages(self.chat)[-1]


def ids_in(message: SentMessage, prefix: str) -> list[str]:
    """The payloads of the buttons starting with `prefix`, in reading order."""
    return [
        b.callback_data
        for b in message.flat_buttons
        if b.callback_data is not None and b.callback_data.startswith(prefix)
    ]


async def build_full_map(session: Session) -> None:
    """The SHOP_RU map, step by step, as the cards tell members to build it."""
    double, chat = session.double, session.chat
    await session.member().send(chat, "/newmap Интернет-магазин: первая покупка")
    await double.wait_idle(60)
    card = double.bot_messages(chat)[-1]
    for value in PERSONA_RU:  # "Reply to this message to fill …, the first empty field"
        await session.reply_to_card(card, value)
    stages = await session.next_card(card, "stages")
    await session.press(stages, lambda d: d.startswith("tm:"))
    stage_buttons = ids_in(stages, "fo:stage:")
    # "Reply to this message with the customer goal at …": the card moves on to the next stage.
    await session.press(stages, lambda d: d == stage_buttons[0])
    for goal in GOALS_RU:
        await session.reply_to_card(stages, goal)
    touch = await session.next_card(stages, "touchpoints")
    for stage_focus, items in zip(stage_buttons, TOUCHPOINTS_RU, strict=True):
        await session.press(touch, lambda d, f=stage_focus: d == f)
        await session.reply_to_card(touch, "\n".join(name for name, _ in items))
        await set_channels(session, touch, [channel for _, channel in items])
    emotions = await session.next_card(touch, "emotions")
    for number in range(sum(len(items) for items in TOUCHPOINTS_RU)):
        # The three vote at about the same time, as a team in one call does.
        for member, score in zip(session.team, ("-1", "1", "2"), strict=True):
            vote = data_of(emotions, lambda d, s=score: d.startswith("ev:") and d.endswith(s))
            await member.press(emotions, data=vote)
        await double.wait_for_edit(chat, emotions, timeout=60)  # the card shows the votes
        await double.wait_idle(60)
        if number < 20:
            await session.press(emotions, lambda d: d == ids_in(emotions, "fo:touchpoint:")[-1])
    pains = await session.next_card(emotions, "pains")
    for stage_index, text in PAINS_RU:
        await session.press(pains, lambda d, i=stage_index: d == ids_in(pains, "fo:stage:")[i])
        await session.reply_to_card(
            pains, text
        )  # "Reply to this message to add a pain point to …"
    fixes = await session.next_card(pains, "fixes")
    for index, text in enumerate(FIXES_RU):
        if index:
            await session.press(fixes, lambda d: d == ids_in(fixes, "fo:pain:")[-1])
        await session.reply_to_card(fixes, text)  # "Reply to this message to propose a fix …"
    await session.press(fixes, lambda d: d.startswith("fo:fix:"))
    await session.ask_and_answer(fixes, lambda d: d.startswith("ak:fix.owner:"), "я")
    await session.ask_and_answer(fixes, lambda d: d.startswith("ak:fix.due:"), "2026-12-21")


async def set_channels(session: Session, card: SentMessage, channels: list[str]) -> None:
    """Give each touchpoint of the focused stage its channel, which says online or offline.

    One press each: the card shows the first new touchpoint, then moves on by itself.
    """
    for channel in channels:
        await session.press(card, lambda d, c=channel: d.startswith("ch:") and d.endswith(c))


def sent_by_bot(double: BotApiDouble, chat: ChatSpec) -> int:
    """Messages the bot sent to the chat plus its edits of them (deleted ones count too)."""
    mine = double.bot_messages(chat)
    return len(mine) + sum(m.edit_count for m in mine)


def team_of(double: BotApiDouble) -> tuple[ChatSpec, list[Member]]:
    """Three Russian-speaking members of a shop's team."""
    team = [
        double.member(name, username=name.lower(), language_code="ru")
        for name in ("Dima", "Olga", "Ivan")
    ]
    chat = double.group("Магазин", members=team[1:], admins=team[:1], owner=team[0])
    return chat, team


async def measure_full_map(tmp: Path) -> int:
    """Bot messages + edits for the seed-sized map, built through the bot."""
    async with BotApiDouble(token=TOKEN, group_limit=None, default_timeout=60) as double:
        chat, team = team_of(double)
        async with running_bot(group_limited_settings(double, tmp / "map.db", paced=False)):
            await build_full_map(Session(double, chat, team))
            await double.wait_idle(60)
        refused = [e for e in double.errors if "not modified" not in e[2]]
        assert not refused, refused[-3:]  # a broken walk counts nothing
        return sent_by_bot(double, chat)


async def fill_persona(session: Session, card: SentMessage) -> None:
    """Three members fill all 14 persona fields as the card tells them to: by replying to it,
    each reply filling the first empty field the card names."""
    for index in range(PERSONA_FIELDS):
        await session.reply_to_card(card, f"Ответ {index + 1:02d}")


async def measure_persona(tmp: Path) -> float:
    """Seconds for 3 members to fill a 14-field persona at 20 messages/min per group."""
    async with BotApiDouble(token=TOKEN, default_timeout=120) as double:  # limits on
        chat, team = team_of(double)
        async with running_bot(group_limited_settings(double, tmp / "persona.db", paced=True)):
            await team[0].send(chat, "/newmap Персона")
            await double.wait_idle(60)
            card = double.bot_messages(chat)[-1]
            start = time.perf_counter()
            await fill_persona(Session(double, chat, team), card)
            await double.wait_for_edit(chat, card, containing=f"Ответ {PERSONA_FIELDS:02d}")
            elapsed = time.perf_counter() - start
        assert double.stats["429"] == 0, double.stats  # the bot kept the pace
        return elapsed

"""Text a team really types: invisible names, twins, strangers as owners, far dates, /cancel.

Each refusal or question is in the chat's language (en, ru, zh), and the map stays as it was
until a member says yes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from cjm.db import UnitOfWork
from cjm.services import maps
from tests.conftest import StartBot
from tests.double import BotApiDouble, ChatSpec, Member, SentMessage
from tests.factories import make_full_map, read_map

LANGUAGES = ["en", "ru", "zh"]


@dataclass(frozen=True)
class Words:
    """What each language says, as far as these tests read it."""

    step_1: str
    step_2: str
    step_6: str
    empty: str
    blank: str
    skipped: str
    title_taken: str
    create: str
    no: str
    owner: str
    due: str
    bot: str
    stranger: str
    far: str
    keep: str
    nothing_open: str
    cancelled: str
    cancelled_reply: str


WORDS = {
    "en": Words(
        "Step 1 of 6",
        "Step 2 of 6",
        "Step 6 of 6",
        "can't be empty",
        "needs at least one letter or digit",
        "Skipped “Поиск”",
        "already has a map called “Onboarding”",
        "Yes, create it",
        "No",
        "Owner",
        "Due date",
        "is a bot",
        "I haven't seen @nobody_here in this chat",
        "is years away",
        "Yes, keep it",
        "Nothing is open to cancel",
        "Cancelled 1 open question",
        "was cancelled with /cancel",
    ),
    "ru": Words(
        "Шаг 1 из 6",
        "Шаг 2 из 6",
        "Шаг 6 из 6",
        "не может быть пустым",
        "нужна хотя бы одна буква или цифра",
        "Пропущено «Поиск»",
        "уже есть карта «Onboarding»",
        "Да, создать",
        "Нет",
        "Ответственный",
        "Срок",
        "это бот",
        "Я ещё не видел @nobody_here в этом чате",
        "ещё несколько лет",
        "Да, оставить",
        "Отменять нечего",
        "Отменён 1 открытый вопрос",
        "отменён командой /cancel",
    ),
    "zh": Words(
        "第 1 步",
        "第 2 步",
        "第 6 步",
        "不能为空",
        "至少需要一个字母或数字",
        "已跳过“Поиск”",
        "已经有名为“Onboarding”的地图",
        "是，创建",
        "否",
        "负责人",
        "截止日期",
        "是机器人",
        "我还没在这个群里见过 @nobody_here",
        "还要好几年",
        "是，保留",
        "没有可取消的内容",
        "已取消 1 个未回答的问题",
        "已用 /cancel 取消",
    ),
}


@dataclass(frozen=True)
class Group:
    """A group speaking one language, with Dima (admin) and Olga."""

    chat: ChatSpec
    dima: Member
    olga: Member
    words: Words


@pytest.fixture(params=LANGUAGES)
def group(request: pytest.FixtureRequest, double: BotApiDouble) -> Group:
    """A team whose members' Telegram speaks the language."""
    language = request.param
    dima = double.member("Dima", username="dima", language_code=language)
    olga = double.member("Olga", username="olga", language_code=language)
    chat = double.group("Team", members=[olga], admins=[dima], owner=dima)
    return Group(chat, dima, olga, WORDS[language])


async def stages_card(double: BotApiDouble, group: Group) -> SentMessage:
    """A new map with its stages card open."""
    await group.dima.send(group.chat, "/newmap Checkout")
    await double.wait_for_message(group.chat, containing=group.words.step_1)
    sent = await group.dima.send(group.chat, "/stages")
    return await double.wait_for_message(group.chat, containing=group.words.step_2, after=sent)


def stage_names(new_uow: Callable[[], UnitOfWork], chat: ChatSpec) -> list[str]:
    return [s.name for s in maps.get_current_map(new_uow(), chat_id=chat.id).stages]


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("\u3164", "empty"),
        ("\u200b\u2060", "empty"),
        ("\u2800", "empty"),
        (".", "blank"),
        ("—", "blank"),
    ],
    ids=["hangul filler", "zero-width", "braille blank", "dot", "dash"],
)
async def test_invisible_text_is_no_name(
    double: BotApiDouble,
    group: Group,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    typed: str,
    kind: str,
) -> None:
    """Invisible characters or lone punctuation are refused in the chat's language."""
    await start_bot()
    card = await stages_card(double, group)
    reply = await group.olga.reply(group.chat, card, typed)
    said = await double.wait_for_message(group.chat, after=reply)
    assert getattr(group.words, kind) in (said.text or "")
    assert stage_names(new_uow, group.chat) == []


async def test_an_invisible_twin_is_skipped_and_the_other_lines_kept(
    double: BotApiDouble, group: Group, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """ "По\u200bиск" next to "Поиск" is a duplicate: skipped and named; "Покупка" is added."""
    await start_bot()
    card = await stages_card(double, group)
    await group.olga.reply(group.chat, card, "Поиск")
    await double.wait_for_edit(group.chat, card, containing="Поиск")
    reply = await group.dima.reply(group.chat, card, "По\u200bиск\nПокупка")
    said = await double.wait_for_message(group.chat, containing=group.words.skipped, after=reply)
    assert "\u200b" not in (said.text or "")
    await double.wait_for_edit(group.chat, card, containing="Покупка")
    assert stage_names(new_uow, group.chat) == ["Поиск", "Покупка"]
    assert not double.errors, double.errors


async def test_a_case_only_twin_title_asks_before_creating(
    double: BotApiDouble, group: Group, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """ "/newmap onboarding" next to "Onboarding" asks; Yes creates it, No does not."""
    await start_bot()
    sent = await group.dima.send(group.chat, "/newmap Onboarding")
    await double.wait_for_message(group.chat, containing=group.words.step_1, after=sent)

    sent = await group.olga.send(group.chat, "/newmap onboarding")
    asked = await double.wait_for_message(
        group.chat, containing=group.words.title_taken, after=sent
    )
    assert [s.title for s in maps.list_maps(new_uow(), chat_id=group.chat.id)] == ["Onboarding"]
    await group.olga.press(asked, group.words.create)
    await double.wait_for_message(group.chat, containing=group.words.step_1, after=asked)
    titles = [s.title for s in maps.list_maps(new_uow(), chat_id=group.chat.id)]
    assert titles == ["onboarding", "Onboarding"]
    assert maps.get_current_map(new_uow(), chat_id=group.chat.id).title == "onboarding"

    sent = await group.olga.send(group.chat, "/newmap ONBOARDING")
    asked = await double.wait_for_message(group.chat, containing="ONBOARDING", after=sent)
    await group.olga.press(asked, group.words.no)
    await double.wait_for_edit(group.chat, asked, containing="ONBOARDING")
    assert len(maps.list_maps(new_uow(), chat_id=group.chat.id)) == 2
    assert not double.errors, double.errors


async def fix_question(
    double: BotApiDouble, group: Group, button: str
) -> tuple[SentMessage, SentMessage]:
    """The fixes card with its first fix in focus, and the question `button` asks about it."""
    sent = await group.dima.send(group.chat, "/fixes")
    card = await double.wait_for_message(group.chat, containing=group.words.step_6, after=sent)
    await group.dima.press(card, "🛠 Sync ad")
    await double.wait_for_edit(group.chat, card, containing="👉 Sync ad")
    latest = double.messages(group.chat)[-1]
    await group.dima.press(card, button)
    question = await double.wait_for_message(
        group.chat, after=latest, predicate=lambda m: m.force_reply
    )
    return card, question


def first_fix_owner(new_uow: Callable[[], UnitOfWork], map_id: int) -> str | None:
    return read_map(new_uow, map_id).fixes[0].owner_name


@pytest.mark.parametrize(
    ("typed", "said"),
    [("@journey_test_bot", "bot"), ("@GroupAnonymousBot", "bot"), ("@nobody_here", "stranger")],
    ids=["this bot", "anonymous admin bot", "stranger"],
)
async def test_an_owner_who_is_a_bot_or_a_stranger_is_asked_about(
    double: BotApiDouble,
    group: Group,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    typed: str,
    said: str,
) -> None:
    """The owner waits for a yes: No keeps the old owner, Yes sets it and redraws the card."""
    language = group.dima.language_code or "en"
    journey = make_full_map(new_uow, chat_id=group.chat.id, title="Shop", language=language)
    await start_bot()
    card, question = await fix_question(double, group, group.words.owner)

    reply = await group.olga.reply(group.chat, question, typed)
    warned = await double.wait_for_message(group.chat, after=reply)
    assert getattr(group.words, said) in (warned.text or "")
    assert first_fix_owner(new_uow, journey.id) == "@bob"
    await group.olga.press(warned, group.words.no)
    await double.wait_for_edit(group.chat, warned, containing=typed)
    assert first_fix_owner(new_uow, journey.id) == "@bob"

    again = await group.olga.reply(group.chat, question, typed)
    warned = await double.wait_for_message(
        group.chat, after=again, predicate=lambda m: bool(m.flat_buttons)
    )
    await group.olga.press(warned, group.words.keep)
    await double.wait_for_edit(group.chat, card, containing=typed)
    assert first_fix_owner(new_uow, journey.id) == typed
    assert not double.errors, double.errors


async def test_a_member_seen_in_the_chat_is_an_owner_at_once(
    double: BotApiDouble, group: Group, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Olga wrote in the chat, so "@olga" (any case) is taken without asking; "я"/"我" too."""
    language = group.dima.language_code or "en"
    journey = make_full_map(new_uow, chat_id=group.chat.id, title="Shop", language=language)
    await start_bot()
    sent = await group.olga.send(group.chat, "/help")
    await double.wait_for_message(group.chat, after=sent)
    card, question = await fix_question(double, group, group.words.owner)
    await group.dima.reply(group.chat, question, "@OLGA")
    await double.wait_for_edit(group.chat, card, containing="@OLGA")
    assert first_fix_owner(new_uow, journey.id) == "@OLGA"

    me = {"en": "me", "ru": "я", "zh": "我"}[language]
    card, question = await fix_question(double, group, group.words.owner)
    await group.dima.reply(group.chat, question, me)
    await double.wait_for_edit(group.chat, card, containing="@dima")
    assert first_fix_owner(new_uow, journey.id) == "@dima"


async def test_a_due_date_years_ahead_is_confirmed(
    double: BotApiDouble, group: Group, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """ "2999-01-01" is asked about; only Yes stores it."""
    language = group.dima.language_code or "en"
    journey = make_full_map(new_uow, chat_id=group.chat.id, title="Shop", language=language)
    await start_bot()
    card, question = await fix_question(double, group, group.words.due)
    reply = await group.olga.reply(group.chat, question, "2999-01-01")
    warned = await double.wait_for_message(group.chat, containing=group.words.far, after=reply)
    assert read_map(new_uow, journey.id).fixes[0].due_on is None
    await group.olga.press(warned, group.words.keep)
    await double.wait_for_edit(group.chat, card, containing="2999")
    assert read_map(new_uow, journey.id).fixes[0].due_on == date(2999, 1, 1)


async def test_cancel_closes_the_open_question(
    double: BotApiDouble, group: Group, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """/cancel with nothing open says so; after /cancel a reply to the question changes nothing."""
    language = group.dima.language_code or "en"
    journey = make_full_map(new_uow, chat_id=group.chat.id, title="Shop", language=language)
    await start_bot()
    sent = await group.dima.send(group.chat, "/cancel")
    said = await double.wait_for_message(group.chat, after=sent)
    assert group.words.nothing_open in (said.text or "")

    _, question = await fix_question(double, group, group.words.owner)
    sent = await group.dima.send(group.chat, "/cancel")
    said = await double.wait_for_message(group.chat, after=sent)
    assert group.words.cancelled in (said.text or "")

    reply = await group.olga.reply(group.chat, question, "me")
    said = await double.wait_for_message(group.chat, after=reply)
    assert group.words.cancelled_reply in (said.text or "")
    assert first_fix_owner(new_uow, journey.id) == "@bob"

    sent = await group.dima.send(group.chat, "/cancel")
    said = await double.wait_for_message(group.chat, after=sent)
    assert group.words.nothing_open in (said.text or "")
    assert not double.errors, double.errors

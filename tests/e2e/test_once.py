"""Exactly once: whatever Telegram sends again, and however members edit, nothing acts twice.

Redeliveries are the same updates again (same update_id) to a bot that crashed before it
confirmed them; edits are Bot API `edited_message` updates of a message the bot knows.
"""

import logging
from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.models import PersonaField
from cjm.services import maps
from tests.conftest import Redeliver, StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.double.rules import CALLBACK_ANSWER_WINDOW_S
from tests.factories import make_map, make_stages, make_touchpoints

NewUow = Callable[[], UnitOfWork]


def titles(new_uow: NewUow, team: Team) -> list[str]:
    return [m.title for m in maps.list_maps(new_uow(), chat_id=team.chat.id)]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records at ERROR or above, or with a traceback: none may come from a redelivery."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def persona_card(double: BotApiDouble, team: Team) -> SentMessage:
    await team.alice.send(team.chat, "/newmap Checkout")
    return await double.wait_for_message(team.chat, containing="Step 1 of 6")


async def test_a_redelivered_newmap_makes_one_map(
    double: BotApiDouble, team: Team, start_bot: StartBot, redeliver: Redeliver, new_uow: NewUow
) -> None:
    """/newmap sent again after a crash: still one map, and the bot says nothing new."""
    app = await start_bot()
    command = await team.alice.send(team.chat, "/newmap Checkout")
    await double.wait_for_message(team.chat, containing="Step 1 of 6")
    sent = len(double.bot_messages(team.chat))
    await redeliver(app, command)
    assert titles(new_uow, team) == ["Checkout"]
    assert len(double.bot_messages(team.chat)) == sent


async def test_a_redelivered_ask_press_asks_once_and_logs_no_traceback(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    redeliver: Redeliver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ "Name" pressed once, delivered twice (the second too old to answer): one question."""
    app = await start_bot()
    card = await persona_card(double, team)
    press = await team.bob.press(card, "Name")
    await double.wait_for_answer(press)
    double.pass_time(CALLBACK_ANSWER_WINDOW_S * 6)  # the bot was down for a minute
    await redeliver(app, press)
    questions = [m for m in double.bot_messages(team.chat) if m.force_reply]
    assert len(questions) == 1
    assert tracebacks(caplog) == []
    assert not double.errors


async def test_a_press_the_bot_gets_too_late_acts_and_logs_no_traceback(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A press made while the bot was down: it acts, and the refused late answer is no error."""
    app = await start_bot()
    card = await persona_card(double, team)
    await app.updater.stop()  # type: ignore[union-attr]  # the bot is down
    press = await team.bob.press(card, "Name")
    forged = await team.bob.press_raw(card, "zz:1")
    double.pass_time(CALLBACK_ANSWER_WINDOW_S * 6)
    await start_bot()
    question = await double.wait_for_message(team.chat, containing="Name", after=card)
    assert question.force_reply
    # The stale button's refusal cannot be a pop-up any more, so the chat is told.
    told = await double.wait_for_message(team.chat, containing="out of date", after=question)
    assert told.text == "⌛ That button is out of date. Open the step again with /map."
    await double.wait_idle()
    assert not press.answered
    assert not forged.answered
    assert tracebacks(caplog) == []
    assert "uncaught error" not in caplog.text


async def test_an_edited_newmap_makes_no_second_map(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """/newmap Alpha edited into /newmap Beta: the map stays Alpha, nothing new is posted."""
    await start_bot()
    command = await team.alice.send(team.chat, "/newmap Alpha")
    await double.wait_for_message(team.chat, containing="Step 1 of 6")
    sent = len(double.bot_messages(team.chat))
    assert await team.alice.edit(command, "/newmap Beta") is not None
    await double.wait_idle()
    assert titles(new_uow, team) == ["Alpha"]
    assert len(double.bot_messages(team.chat)) == sent


async def test_an_edited_reply_sets_its_value_again(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """ "Марна" corrected to "Марина": the persona's name is Марина, on the card and stored."""
    await start_bot()
    card = await persona_card(double, team)
    await team.bob.press(card, "Name")
    question = await double.wait_for_message(team.chat, containing="Name", after=card)
    reply = await team.bob.reply(team.chat, question, "Марна")
    await double.wait_for_edit(team.chat, card, containing="Марна")
    await team.bob.edit(reply, "Марина")
    edited = await double.wait_for_edit(team.chat, card, containing="Марина")
    assert "Марна" not in (edited.text or "")
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert journey.persona[PersonaField.NAME] == "Марина"
    assert not double.errors


async def test_an_edited_reply_that_added_items_says_it_changes_nothing(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """A reply that added a stage, edited: the bot says so, and the stages stay as they were."""
    await start_bot()
    await persona_card(double, team)
    await team.alice.send(team.chat, "/stages")
    stages = await double.wait_for_message(team.chat, containing="Step 2 of 6")
    reply = await team.bob.reply(team.chat, stages, "Awarness")
    await double.wait_for_edit(team.chat, stages, containing="1. Awarness")
    await team.bob.edit(reply, "Awareness")
    said = await double.wait_for_message(team.chat, containing="I saw your edit", after=stages)
    assert said.text == (
        "✏️ I saw your edit, but that reply added items, and an edit can't tell which one to "
        "change. Nothing was changed: rename or delete the item on the card."
    )
    assert said.reply_to is reply
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert [s.name for s in journey.stages] == ["Awarness"]


async def test_an_edited_refused_reply_is_answered(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """A reply refused as too long, edited to fit: the edit is the answer, applied once."""
    await start_bot()
    await persona_card(double, team)
    await team.alice.send(team.chat, "/stages")
    stages = await double.wait_for_message(team.chat, containing="Step 2 of 6")
    reply = await team.bob.reply(team.chat, stages, "x" * 150)
    await double.wait_for_message(team.chat, containing="at most 100 characters", after=reply)
    await team.bob.edit(reply, "Awareness")
    await double.wait_for_edit(team.chat, stages, containing="1. Awareness")
    await team.bob.edit(reply, "Awareness!")  # now it added a stage: an edit changes nothing
    await double.wait_for_message(team.chat, containing="I saw your edit", after=stages)
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert [s.name for s in journey.stages] == ["Awareness"]


# --------------------------------------------------------------------------- where a reply lands


@pytest.fixture
def ru_team(double: BotApiDouble) -> Team:
    """A Russian-speaking team: Olga (admin), Dima and Anna."""
    olga = double.member("Ольга", username="olga", language_code="ru")
    dima = double.member("Дима", username="dima", language_code="ru")
    anna = double.member("Анна", language_code="ru")
    chat = double.group("Магазин", members=[dima, anna], admins=[olga], owner=olga)
    return Team(chat, olga, dima, anna)


@pytest.fixture
def ru_map(ru_team: Team, new_uow: NewUow) -> None:
    """The team's map: Поиск (Блог, Реклама), Покупка."""
    journey = make_map(new_uow, chat_id=ru_team.chat.id, title="Магазин", language="ru")
    journey = make_stages(new_uow, journey.id, ["Поиск", "Покупка"])
    make_touchpoints(new_uow, journey.stages[0].id, ["Блог", "Реклама"])


def payload(message: SentMessage, prefix: str) -> str:
    """The one button on `message` whose data starts with `prefix`."""
    (data,) = [b.callback_data for b in message.flat_buttons if b.callback_data.startswith(prefix)]
    return data


async def open_card(double: BotApiDouble, team: Team, command: str, step: str) -> SentMessage:
    sent = await team.alice.send(team.chat, command)
    return await double.wait_for_message(team.chat, containing=step, after=sent)


@pytest.mark.usefixtures("ru_map")
async def test_a_reply_lands_on_the_stage_its_author_saw(
    double: BotApiDouble, ru_team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Olga points the card at «Покупка» as Dima replies to «Поиск»: his reply goes to «Поиск»."""
    olga, dima = ru_team.alice, ru_team.bob
    await start_bot()
    card = await open_card(double, ru_team, "/touchpoints", "Шаг 3 из 6")
    assert "▶ Поиск" in [b.text for b in card.flat_buttons]
    # Both reach Telegram before the bot redraws the card: Dima's reply carries «Поиск».
    await olga.press(card, "Покупка")
    await dima.reply(ru_team.chat, card, "Чат с менеджером")
    await double.wait_for_edit(ru_team.chat, card, containing="Покупка")
    await double.wait_idle()
    journey = maps.get_current_map(new_uow(), chat_id=ru_team.chat.id)
    search, purchase = journey.stages
    assert [t.name for t in search.touchpoints] == ["Блог", "Реклама", "Чат с менеджером"]
    assert list(purchase.touchpoints) == []
    assert all(
        m.reply_to is None or m.from_bot is False for m in double.bot_messages(ru_team.chat)
    )


@pytest.mark.usefixtures("ru_map")
async def test_a_note_lands_on_the_touchpoint_its_author_saw(
    double: BotApiDouble, ru_team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Olga moves the emotions card on to «Реклама» as Dima writes a note on «Блог»."""
    olga, dima = ru_team.alice, ru_team.bob
    await start_bot()
    card = await open_card(double, ru_team, "/emotions", "Шаг 4 из 6")
    assert "Блог" in (card.text or "")
    await olga.press(card, "▶")
    await dima.reply(ru_team.chat, card, "Долго грузится")
    await double.wait_for_edit(ru_team.chat, card, containing="Реклама")
    await double.wait_idle()
    journey = maps.get_current_map(new_uow(), chat_id=ru_team.chat.id)
    blog, ad = journey.stages[0].touchpoints
    assert [n.note for n in blog.notes] == ["Долго грузится"]
    assert list(ad.notes) == []


@pytest.mark.usefixtures("ru_map")
async def test_a_reply_to_a_stage_deleted_meanwhile_asks_its_author(
    double: BotApiDouble, ru_team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """«Поиск» is deleted as Dima replies to it: nothing is stored, and Dima is asked again."""
    olga, dima = ru_team.alice, ru_team.bob
    await start_bot()
    touchpoints = await open_card(double, ru_team, "/touchpoints", "Шаг 3 из 6")
    stages = await open_card(double, ru_team, "/stages", "Шаг 2 из 6")
    await olga.press(stages, "1. Поиск")
    await double.wait_for_edit(ru_team.chat, stages, containing="▶ 1. Поиск")
    await olga.press(stages, data=payload(stages, "dl:"))
    confirm = await double.wait_for_edit(ru_team.chat, stages, containing="?")
    await olga.press(confirm, data=payload(confirm, "dy:"))
    reply = await dima.reply(ru_team.chat, touchpoints, "Чат с менеджером")
    said = await double.wait_for_message(ru_team.chat, containing="🔀", after=reply)
    assert said.reply_to is reply
    assert said.text == (
        "🔀 Пока вы отвечали, карточка перешла к «Покупка», поэтому я никуда не сохранил ваш "
        "ответ. Если он для «Покупка», ответьте на карточку ещё раз; если нет, сначала "
        "выберите на карточке, что имели в виду."
    )
    journey = maps.get_current_map(new_uow(), chat_id=ru_team.chat.id)
    assert [s.name for s in journey.stages] == ["Покупка"]
    assert list(journey.stages[0].touchpoints) == []


@pytest.mark.usefixtures("ru_map")
async def test_an_edited_note_changes_the_touchpoint_it_was_written_on(
    double: BotApiDouble, ru_team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Dima's note on «Блог», corrected after the card moved on to «Реклама», stays on «Блог»."""
    olga, dima = ru_team.alice, ru_team.bob
    await start_bot()
    card = await open_card(double, ru_team, "/emotions", "Шаг 4 из 6")
    note = await dima.reply(ru_team.chat, card, "Долго грузиться")
    await double.wait_for_edit(ru_team.chat, card, containing="Долго грузиться")
    await olga.press(card, "▶")
    await double.wait_for_edit(ru_team.chat, card, containing="👉 Реклама")
    await dima.edit(note, "Долго грузится")
    await double.wait_idle()
    journey = maps.get_current_map(new_uow(), chat_id=ru_team.chat.id)
    blog, ad = journey.stages[0].touchpoints
    assert [n.note for n in blog.notes] == ["Долго грузится"]
    assert list(ad.notes) == []


@pytest.mark.usefixtures("ru_map")
async def test_goals_are_replies_to_the_stages_card_which_moves_on(
    double: BotApiDouble, ru_team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """With a stage in focus a reply is its goal, and the card goes on to the next stage
    without one, then back to the list: a team fills the goals with one reply each."""
    olga, dima = ru_team.alice, ru_team.bob
    await start_bot()
    card = await open_card(double, ru_team, "/stages", "Шаг 2 из 6")
    await olga.press(card, "1. Поиск")
    await double.wait_for_edit(ru_team.chat, card, containing="целью клиента на этапе «Поиск»")
    await dima.reply(ru_team.chat, card, "Найти подарок")
    await double.wait_for_edit(ru_team.chat, card, containing="целью клиента на этапе «Покупка»")
    assert "1. Поиск — 🎯 Найти подарок" in (card.text or "")
    await olga.reply(ru_team.chat, card, "Оплатить быстро")
    await double.wait_for_edit(ru_team.chat, card, containing="добавить этапы")
    journey = maps.get_current_map(new_uow(), chat_id=ru_team.chat.id)
    assert [(s.name, s.customer_goal) for s in journey.stages] == [
        ("Поиск", "Найти подарок"),
        ("Покупка", "Оплатить быстро"),
    ]


@pytest.mark.usefixtures("ru_map")
async def test_a_reply_to_the_list_of_stages_adds_stages_though_a_stage_took_the_focus(
    double: BotApiDouble, ru_team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Dima replies to the list as Olga presses «Поиск»: his line is a new stage, not a goal."""
    olga, dima = ru_team.alice, ru_team.bob
    await start_bot()
    card = await open_card(double, ru_team, "/stages", "Шаг 2 из 6")
    await olga.press(card, "1. Поиск")
    await dima.reply(ru_team.chat, card, "Возврат")
    await double.wait_for_edit(ru_team.chat, card, containing="3. Возврат")
    await double.wait_idle()
    journey = maps.get_current_map(new_uow(), chat_id=ru_team.chat.id)
    assert [(s.name, s.customer_goal) for s in journey.stages] == [
        ("Поиск", None),
        ("Покупка", None),
        ("Возврат", None),
    ]

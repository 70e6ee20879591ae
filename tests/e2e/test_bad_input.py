"""Bad input gets a clear answer in the chat's language, and the map stays as it was."""

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select

from bot import jobs
from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.models import HandledMessage
from cjm.services import maps
from cjm.services.handled_messages import HANDLED_MESSAGE_RETENTION
from tests.conftest import Redeliver, StartBot, Team
from tests.double import BotApiDouble, SentMessage


async def stages_card(double: BotApiDouble, team: Team) -> SentMessage:
    """A map whose stages card is open."""
    await team.alice.send(team.chat, "/newmap Checkout")
    await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.alice.send(team.chat, "/stages")
    return await double.wait_for_message(team.chat, containing="Step 2 of 6")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("   ", "can't be empty"),
        ("x" * 4096, "at most 100 characters; yours has 4096"),
        ("\u3164\n\u200b", "can't be empty"),
        ("—", "needs at least one letter or digit"),
        ("\n".join(f"Stage {i}" for i in range(30)), "at most 12"),
    ],
    ids=["empty", "4096 chars", "invisible", "lone dash", "30 stages"],
)
async def test_a_refused_answer_says_why_and_stores_nothing(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    answer: str,
    expected: str,
) -> None:
    """Each refused answer gets its own explanation; no stage is added."""
    await start_bot()
    card = await stages_card(double, team)
    reply = await team.bob.reply(team.chat, card, answer)
    said = await double.wait_for_message(team.chat, containing=expected, after=reply)
    assert said.reply_to is not None
    assert said.reply_to.message_id == reply.message_id
    assert maps.get_current_map(new_uow(), chat_id=team.chat.id).stages == ()


async def test_what_a_member_typed_is_not_logged_at_info(
    double: BotApiDouble, team: Team, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused answer is logged by its code; the member's text stays out of INFO lines."""
    caplog.set_level(logging.INFO)
    await start_bot()
    card = await stages_card(double, team)
    await team.bob.reply(team.chat, card, "Zyxwv private plan")
    await double.wait_for_edit(team.chat, card, containing="Zyxwv private plan")
    reply = await team.bob.reply(team.chat, card, "zyxwv PRIVATE plan")  # a duplicate
    await double.wait_for_message(team.chat, containing="already a stage called", after=reply)
    await double.wait_idle()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any("duplicate" in line for line in logged), logged
    assert not [line for line in logged if "zyxwv" in line.casefold()]


@pytest.mark.parametrize(
    "name",
    ["<b>bold</b> & <script>alert(1)</script>", "Покупка 🛒", "购买", "الشراء", "a & b < c"],
    ids=["html", "cyrillic+emoji", "chinese", "rtl", "entities"],
)
async def test_any_text_is_stored_verbatim_and_shown_escaped(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    name: str,
) -> None:
    """Markup, emoji and any script reach the card as typed (Telegram accepts the HTML)."""
    await start_bot()
    card = await stages_card(double, team)
    await team.bob.reply(team.chat, card, name)
    edited = await double.wait_for_edit(team.chat, card, containing=name)
    assert name in (edited.text or "")
    assert [s.name for s in maps.get_current_map(new_uow(), chat_id=team.chat.id).stages] == [name]
    assert not double.errors


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_media_instead_of_text_is_refused_politely(
    double: BotApiDouble, team: Team, start_bot: StartBot, kind: str
) -> None:
    """A sticker, photo or voice message as an answer gets "I can only read text"."""
    await start_bot()
    card = await stages_card(double, team)
    reply = await team.carol.reply_with(team.chat, to=card, kind=kind)
    await double.wait_for_message(team.chat, containing="only read text", after=reply)


async def test_200_touchpoints_hit_the_stage_limit(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Pasting 200 touchpoints into one stage is refused whole, with the limit named."""
    await start_bot()
    card = await stages_card(double, team)
    await team.bob.press(card, "B2C template")
    await double.wait_for_edit(team.chat, card, containing="Advocacy")
    await team.alice.send(team.chat, "/touchpoints")
    touch = await double.wait_for_message(team.chat, containing="Step 3 of 6", after=card)
    reply = await team.bob.reply(
        team.chat, touch, "\n".join(f"Touchpoint {i}" for i in range(200))
    )
    await double.wait_for_message(team.chat, containing="at most 8", after=reply)
    assert maps.get_current_map(new_uow(), chat_id=team.chat.id).touchpoints == []


async def test_a_reply_to_a_prompt_of_a_deleted_map(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """After an admin deletes the map, answering its old question says the map is gone."""
    await start_bot()
    card = await stages_card(double, team)
    await team.alice.send(team.chat, "/deletemap")
    confirm = await double.wait_for_message(team.chat, containing="cannot be undone", after=card)
    await team.alice.press(confirm, "Yes, delete")
    await double.wait_for_edit(team.chat, confirm, containing="deleted the map")
    reply = await team.bob.reply(team.chat, card, "Awareness")
    await double.wait_for_message(team.chat, containing="map that was deleted", after=reply)


async def test_only_admins_delete_and_only_after_confirming(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Bob (not an admin) can't delete the map; the map survives until Alice confirms."""
    await start_bot()
    await stages_card(double, team)
    sent = await team.bob.send(team.chat, "/deletemap")
    await double.wait_for_message(team.chat, containing="Only the group's admins", after=sent)
    assert maps.get_current_map(new_uow(), chat_id=team.chat.id).title == "Checkout"


async def test_a_button_on_an_outdated_card(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """Pressing a button for a stage deleted meanwhile answers with an alert, not a crash."""
    await start_bot()
    card = await stages_card(double, team)
    await team.bob.press(card, "B2C template")
    await double.wait_for_edit(team.chat, card, containing="Advocacy")
    await team.bob.press(card, "1. Awareness")
    await double.wait_for_edit(team.chat, card, containing="▶ 1. Awareness")
    assert card.reply_markup is not None
    stale = [
        b for row in card.reply_markup["inline_keyboard"] for b in row if "Rename" in b["text"]
    ]
    await team.alice.press(card, "Delete")
    await double.wait_for_edit(team.chat, card, containing="Delete the stage")
    await team.alice.press(card, "Yes, delete")
    await double.wait_for_edit(team.chat, card, containing="1. Consideration")
    press = await team.bob.press_raw(card, stale[0]["callback_data"])
    answer = await double.wait_for_answer(press)
    assert answer.show_alert
    assert "deleted" in (answer.answer_text or "")


@pytest.mark.parametrize(
    "data",
    # "os:1:2", "ch:1:3", "lg:0": buttons of the old by-position encoding, still in chats.
    ["ev:999999:2", "ev:1:99", "garbage", "fo:abc:1", "os:1", "os:1:2", "ch:1:3", "lg:0"],
)
async def test_forged_button_data_is_answered_and_changes_nothing(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    data: str,
) -> None:
    """Tampered callback data gets an alert; no vote or item appears."""
    await start_bot()
    card = await stages_card(double, team)
    press = await team.bob.press_raw(card, data)
    await double.wait_for_answer(press)
    await double.wait_idle()
    assert maps.get_current_map(new_uow(), chat_id=team.chat.id).touchpoints == []


async def test_two_members_editing_the_same_item(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Two renames of one stage both apply in order; the last one wins, nothing breaks."""
    await start_bot()
    card = await stages_card(double, team)
    await team.bob.press(card, "B2C template")
    await double.wait_for_edit(team.chat, card, containing="Advocacy")
    await team.bob.press(card, "1. Awareness")
    await double.wait_for_edit(team.chat, card, containing="▶ 1. Awareness")
    await team.bob.press(card, "Rename")
    first = await double.wait_for_message(team.chat, containing="new name", after=card)
    await team.carol.press(card, "Rename")
    second = await double.wait_for_message(team.chat, containing="new name", after=first)
    await team.bob.reply(team.chat, first, "Discovery")
    await team.carol.reply(team.chat, second, "Attention")
    await double.wait_for_edit(team.chat, card, containing="Attention")
    assert maps.get_current_map(new_uow(), chat_id=team.chat.id).stages[0].name == "Attention"


async def test_group_commands_in_a_private_chat(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/newmap in a private chat explains that maps live in groups."""
    await start_bot()
    await team.bob.start_bot()
    sent = await team.bob.send(team.bob.dm, "/newmap Mine")
    await double.wait_for_message(
        team.bob.dm, containing="built in a team's group: add me there", after=sent
    )


async def test_newmap_without_a_title(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/newmap alone shows how to give a title."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/newmap")
    await double.wait_for_message(team.chat, containing="Give the map a title", after=sent)


async def test_commands_before_any_map(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/map in a chat without maps says how to start one."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/map")
    await double.wait_for_message(team.chat, containing="no map yet", after=sent)


async def test_the_bot_removed_and_added_again_keeps_the_maps(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Removing the bot loses nothing; when added back it greets and /map shows the map."""
    await start_bot()
    await stages_card(double, team)
    await double.remove_bot_from(team.chat, by=team.alice)
    await double.wait_idle()
    added = await double.add_bot_to(team.chat, by=team.alice)
    await double.wait_for_message(team.chat, containing="Hi!", after=added)
    sent = await team.alice.send(team.chat, "/map")
    await double.wait_for_message(team.chat, containing="Checkout", after=sent)


async def test_maps_follow_a_group_upgraded_to_a_supergroup(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """After the move the map lives under the supergroup's id; the old card stays in the group."""
    await start_bot()
    card = await stages_card(double, team)
    supergroup = await double.migrate_to_supergroup(team.chat, by=team.alice)
    await double.wait_idle()
    sent = await team.alice.send(supergroup, "/map")
    await double.wait_for_message(supergroup, containing="Checkout", after=sent)
    assert maps.get_current_map(new_uow(), chat_id=supergroup.id).title == "Checkout"
    assert card.chat_id == team.chat.id


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (502, None), (429, 1)])
async def test_telegram_errors_are_retried_and_no_input_is_lost(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    status: int,
    retry_after: int | None,
) -> None:
    """A 5xx or 429 on the card edit is retried: the answer is stored and the card shows it."""
    await start_bot()
    card = await stages_card(double, team)
    double.fail_next("editMessageText", status=status, retry_after=retry_after)
    await team.bob.reply(team.chat, card, "Awareness")
    await double.wait_for_edit(team.chat, card, containing="1. Awareness", timeout=10)
    assert [s.name for s in maps.get_current_map(new_uow(), chat_id=team.chat.id).stages] == [
        "Awareness"
    ]


async def test_a_redelivered_reply_is_applied_once(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    redeliver: Redeliver,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """If Telegram delivers the same reply twice, the stage is added once."""
    app = await start_bot()
    card = await stages_card(double, team)
    reply = await team.bob.reply(team.chat, card, "Awareness")
    await double.wait_for_edit(team.chat, card, containing="1. Awareness")
    sent = len(double.bot_messages(team.chat))
    await redeliver(app, reply)
    assert len(maps.get_current_map(new_uow(), chat_id=team.chat.id).stages) == 1
    assert len(double.bot_messages(team.chat)) == sent


def claims(new_uow: Callable[[], UnitOfWork]) -> set[tuple[int, int]]:
    with new_uow() as unit:
        rows = unit.session.exec(select(HandledMessage.chat_id, HandledMessage.message_id)).all()
        return {(chat_id, message_id) for chat_id, message_id in rows}


async def test_the_sweep_forgets_a_reply_once_telegram_can_no_longer_redeliver_it(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    clock: FrozenClock,
    redeliver: Redeliver,
) -> None:
    """A swept claim refuses a redelivery within the retention; past it, it goes, map kept."""
    app = await start_bot()
    card = await stages_card(double, team)
    reply = await team.bob.reply(team.chat, card, "Awareness")
    await double.wait_for_edit(team.chat, card, containing="1. Awareness")
    claimed = claims(new_uow)
    assert (team.chat.id, reply.message_id) in claimed  # with the /newmap and /stages commands
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    (sweep,) = app.job_queue.get_jobs_by_name(jobs.SWEEP_JOB)

    clock.advance(HANDLED_MESSAGE_RETENTION - timedelta(minutes=1))
    await sweep.run(app)
    app = await redeliver(app, reply)
    assert claims(new_uow) == claimed
    (sweep,) = app.job_queue.get_jobs_by_name(jobs.SWEEP_JOB)

    clock.advance(timedelta(minutes=2))
    await sweep.run(app)
    assert claims(new_uow) == set()
    assert maps.get_current_map(new_uow(), chat_id=team.chat.id) == journey
    assert not double.errors

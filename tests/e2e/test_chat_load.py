"""Fewer messages in the team's chat: questions for whoever asked, gone once answered.

Telegram lets a bot send about 20 messages a minute to one group (edits count too), so every
question that stays in the chat, and every press that could have been one, makes the next
answer reach the card later.
"""

from collections.abc import Callable

from sqlmodel import select

from cjm.db import UnitOfWork
from cjm.models import HandledMessage, Prompt, PromptKind
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.factories import make_full_map


async def _question(double: BotApiDouble, team: Team, card: SentMessage) -> SentMessage:
    return await double.wait_for_message(team.chat, after=card, predicate=lambda m: m.force_reply)


async def test_only_the_member_who_pressed_gets_the_reply_field(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """A button's question names its presser; Telegram opens the reply field for them alone."""
    await start_bot()
    await team.alice.send(team.chat, "/newmap Checkout")
    card = await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.bob.press(card, "Role or occupation")
    question = await _question(double, team, card)
    assert question.content.splitlines()[0] == "Bob, 🧑 Role or occupation"
    assert question.reply_markup == {"force_reply": True, "selective": True}
    assert [m.first_name for m in team if question.opens_reply_for(m)] == ["Bob"]
    await team.carol.press(card, "Age group")
    second = await _question(double, team, question)
    assert [m.first_name for m in team if second.opens_reply_for(m)] == ["Carol"]


async def test_a_commands_question_opens_the_field_for_who_sent_it(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/import is answered as a reply to the command, which selective ForceReply targets."""
    await start_bot()
    command = await team.carol.send(team.chat, "/import")
    question = await double.wait_for_message(team.chat, containing="JSON file", after=command)
    assert question.reply_to is command
    assert [m.first_name for m in team if question.opens_reply_for(m)] == ["Carol"]


async def test_an_answered_question_is_deleted_and_its_record_kept(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Once a reply was applied the question goes; a redelivered reply still changes nothing."""
    await start_bot()
    await team.alice.send(team.chat, "/newmap Checkout")
    card = await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.bob.press(card, "Role or occupation")
    question = await _question(double, team, card)
    reply = await team.carol.reply(team.chat, question, "Baker")
    await double.wait_for_edit(team.chat, card, containing="Role or occupation: Baker")
    await double.wait_idle()
    assert question.deleted
    assert not card.deleted
    double.redeliver(reply)
    await double.wait_idle()
    assert card.content.count("Baker") == 1
    with new_uow() as uow:
        prompt = uow.session.exec(
            select(Prompt).where(Prompt.message_id == question.message_id)
        ).one()
        assert prompt.kind == PromptKind.PERSONA_FIELD
        assert uow.session.get(HandledMessage, (team.chat.id, reply.message_id)) is not None
        journey = maps.load(uow, prompt.map_id or 0)
    assert journey.persona["role"] == "Baker"  # type: ignore[index]
    assert not double.errors


async def test_a_refused_answer_keeps_the_question(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """An answer the bot could not take leaves the question there to answer again."""
    make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    await start_bot()
    sent = await team.alice.send(team.chat, "/fixes")
    card = await double.wait_for_message(team.chat, containing="Step 6 of 6", after=sent)
    await team.bob.press(card, "Sync ad copy")
    await double.wait_for_edit(team.chat, card, containing="👉 Sync ad copy")
    await team.bob.press(card, "Due date")
    question = await _question(double, team, card)
    refused = await team.bob.reply(team.chat, question, "someday")
    await double.wait_for_message(team.chat, after=refused)
    await double.wait_idle()
    assert not question.deleted
    await team.bob.reply(team.chat, question, "2026-12-21")
    await double.wait_for_edit(team.chat, card, containing="Dec 21")
    await double.wait_idle()
    assert question.deleted


async def test_a_question_older_than_48_hours_stays(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """Telegram deletes a bot's message only within 48 hours: an older question is left be."""
    await start_bot()
    await team.alice.send(team.chat, "/newmap Checkout")
    card = await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.bob.press(card, "Role or occupation")
    question = await _question(double, team, card)
    double.wall_offset = 49 * 3600
    await team.bob.reply(team.chat, question, "Baker")
    await double.wait_for_edit(team.chat, card, containing="Baker")
    await double.wait_idle()
    assert not question.deleted
    assert not double.errors  # the bot knew better than to try

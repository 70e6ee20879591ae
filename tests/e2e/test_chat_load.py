"""Fewer messages in the team's chat: questions for whoever asked, gone once answered.

Telegram lets a bot send about 20 messages a minute to one group (edits count too), so every
question that stays in the chat, and every press that could have been one, makes the next
answer reach the card later.
"""

from collections.abc import Callable

from sqlmodel import select

from cjm.db import UnitOfWork
from cjm.models import HandledMessage, Mode, Prompt, PromptKind
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


async def test_one_press_sets_channel_and_mode_and_moves_on(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """A channel button sets where it happens too, and the card goes on to the next
    touchpoint without a channel: a stage's touchpoints take one press each."""
    await start_bot()
    await team.alice.send(team.chat, "/newmap Checkout")
    card = await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.alice.press(card, "Next ▶")
    stages = await double.wait_for_message(team.chat, containing="Step 2 of 6", after=card)
    await team.bob.press(stages, "B2C template")
    await double.wait_for_edit(team.chat, stages, containing="Advocacy")
    await team.alice.press(stages, "Next ▶")
    touch = await double.wait_for_message(team.chat, containing="Step 3 of 6", after=stages)
    await team.bob.reply(team.chat, touch, "Instagram ad\nBlog post | email\nShop window")
    # The card shows the first new touchpoint without a channel: no press to get there.
    await double.wait_for_edit(team.chat, touch, containing="👉 Instagram ad")
    assert "Shop window" in touch.text
    assert [b.text for b in touch.buttons[0]] == ["🌐 website", "🏬 store", "🏬 phone"]
    edits = touch.edit_count
    await team.carol.press(touch, "🌐 social")
    await double.wait_for_edit(team.chat, touch, containing="👉 Shop window")  # skips the blog
    await team.bob.press(touch, "🏬 store")
    await double.wait_for_edit(team.chat, touch, containing="• Shop window")  # the list again
    await double.wait_idle()
    assert touch.edit_count == edits + 2  # one edit per touchpoint
    lines = [line.strip() for line in touch.content.splitlines()]
    assert lines[lines.index("▶ Awareness") + 1 : lines.index("▶ Awareness") + 4] == [
        "• Instagram ad · social · online",
        "• Blog post · email · online",
        "• Shop window · store · offline",
    ]
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    stored = [(t.name, t.channel, t.mode) for t in journey.stages[0].touchpoints]
    assert stored == [
        ("Instagram ad", "social", Mode.ONLINE),
        ("Blog post", "email", Mode.ONLINE),
        ("Shop window", "store", Mode.OFFLINE),
    ]
    assert not double.errors

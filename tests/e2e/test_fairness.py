"""Many teams on one bot: one flooding chat never slows another (issue 13).

The double enforces Telegram's flood rules and answers with 429s. Here its per-group window
is Telegram's rule on a shorter clock (4 messages in any 3 s rather than 20 in any minute),
and the bot's own budget is left open, so the double's 429s hold a flooding group back for
seconds, not a minute. No test measures speed (that is `make bench`): each checks what
happens first, and what is kept.
"""

import json
from collections.abc import Callable

from bot.app import JourneyApp
from bot.concurrency import MAX_QUEUED_PER_CHAT, PerChatUpdateProcessor
from cjm.db import UnitOfWork
from cjm.exports.schema import SCHEMA_NAME, SCHEMA_VERSION
from cjm.limits import MAX_VOTES_PER_TOUCHPOINT
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, ChatSpec, Member, RateLimit, SentMessage

SHORT_GROUP_WINDOW = RateLimit(4, 3.0)
FLOOD = 100  # the flood: 100 commands at once
HELP = "I help your team build"
SLOW_DOWN = "🐢"


def processor(app: JourneyApp) -> PerChatUpdateProcessor:
    """The running bot's update processor."""
    found = app.update_processor
    assert isinstance(found, PerChatUpdateProcessor)
    return found


async def new_card(
    double: BotApiDouble, chat: ChatSpec, member: Member, title: str
) -> SentMessage:
    """/newmap in a chat, and the persona card members reply to."""
    await member.send(chat, f"/newmap {title}")
    return await double.wait_for_message(chat, containing="Step 1 of 6")


def said(double: BotApiDouble, chat: ChatSpec, text: str) -> int:
    """How many of the bot's messages in the chat contain `text`."""
    return sum(text in message.content for message in double.bot_messages(chat))


async def test_a_flooding_group_does_not_delay_another_groups_card(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """While a flooding group waits on its own budget, a quiet group's reply shows on its card.

    The flood is capped: the first commands are answered, the rest dropped with one "slow
    down", and the data replies sent behind the flood are all kept.
    """
    double.group_limit = SHORT_GROUP_WINDOW
    app = await start_bot(bot_overall_messages_per_second=30)
    dave = double.member("Dave")
    noisy = double.group("Noisy", admins=[dave])
    quiet_card = await new_card(double, team.chat, team.alice, "Checkout")
    noisy_card = await new_card(double, noisy, dave, "Flood")

    for _ in range(FLOOD):
        await dave.send(noisy, "/help")
    for number in range(3):
        await dave.reply(noisy, noisy_card, f"Flood answer {number}")
    await team.bob.reply(team.chat, quiet_card, "Olga, 34")

    await double.wait_for_edit(team.chat, quiet_card, containing="Olga, 34")
    assert processor(app).queued(noisy.id) > 0  # the flood is still waiting on its budget

    await double.wait_for_edit(noisy, noisy_card, containing="Flood answer 2", timeout=60)
    await double.wait_idle(timeout=60)
    assert said(double, noisy, HELP) == MAX_QUEUED_PER_CHAT
    assert said(double, noisy, SLOW_DOWN) == 1
    assert all(f"Flood answer {number}" in noisy_card.content for number in range(3))
    assert double.stats["429"] > 0  # the double did hold the flooding group back
    assert processor(app).queued(noisy.id) == 0


async def test_presses_past_the_cap_are_answered_and_skipped(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """Every dropped press gets its answer (the client stops spinning); the chat hears nothing.

    Answering a press is no chat message, so it costs none of the group's budget.
    """
    double.group_limit = SHORT_GROUP_WINDOW
    await start_bot(bot_overall_messages_per_second=30)
    card = await new_card(double, team.chat, team.alice, "Checkout")

    presses = [await team.bob.press(card, "Role or occupation") for _ in range(30)]

    for press in presses:
        await double.wait_for_answer(press, timeout=60)
    await double.wait_idle(timeout=60)
    skipped = [press for press in presses if SLOW_DOWN in (press.answer_text or "")]
    assert len(skipped) == len(presses) - MAX_QUEUED_PER_CHAT
    assert presses[0] not in skipped  # the first ones in the queue were handled
    assert said(double, team.chat, SLOW_DOWN) == 0


async def test_a_file_past_an_import_limit_is_refused_with_the_limit(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """A map file with more votes on a touchpoint than the limit names it; nothing is added."""
    await start_bot()
    votes = [
        {"user_id": 1000 + number, "user_name": f"Member {number}", "score": 1}
        for number in range(MAX_VOTES_PER_TOUCHPOINT + 1)
    ]
    stage = {"name": "Buy", "touchpoints": [{"name": "Checkout", "votes": votes}]}
    document = {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "map": {"title": "Big", "stages": [stage]},
    }
    sent = await team.alice.send(team.chat, "/import")
    question = await double.wait_for_message(team.chat, containing="JSON file", after=sent)
    reply = await team.carol.reply_with(
        team.chat,
        to=question,
        kind="document",
        document_bytes=json.dumps(document).encode(),
        filename="big.json",
    )

    refusal = await double.wait_for_message(team.chat, containing="too much", after=reply)
    assert "map.stages.0.touchpoints.0.votes" in refusal.content
    assert f"at most {MAX_VOTES_PER_TOUCHPOINT}" in refusal.content
    assert maps.list_maps(new_uow(), chat_id=team.chat.id) == []

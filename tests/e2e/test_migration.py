"""A group becomes a supergroup: the team carries on there, and old messages answer nothing.

The supergroup is a new chat with message ids of its own, counted afresh
(https://core.telegram.org/bots/api#message: migrate_to_chat_id, migrate_from_chat_id).
"""

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.services import maps, prompts
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage


async def touchpoints_card(double: BotApiDouble, team: Team) -> SentMessage:
    """A map with two stages whose touchpoints card is open (the group's fourth bot message)."""
    await team.alice.send(team.chat, "/newmap Checkout")
    await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.alice.send(team.chat, "/stages")
    stages = await double.wait_for_message(team.chat, containing="Step 2 of 6")
    await team.bob.reply(team.chat, stages, "Search\nPurchase")
    await double.wait_for_edit(team.chat, stages, containing="2. Purchase")
    await team.alice.send(team.chat, "/touchpoints")
    return await double.wait_for_message(team.chat, containing="Step 3 of 6")


@pytest.mark.parametrize(
    "supergroup_first", [False, True], ids=["group first", "supergroup first"]
)
async def test_mid_wizard_the_card_comes_back_and_a_reply_to_it_adds_touchpoints(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    supergroup_first: bool,
) -> None:
    """The touchpoints card is posted again in the supergroup; a reply to it adds a touchpoint."""
    await start_bot()
    old_card = await touchpoints_card(double, team)
    supergroup = await double.migrate_to_supergroup(
        team.chat, by=team.alice, supergroup_first=supergroup_first
    )
    card = await double.wait_for_message(supergroup, containing="Step 3 of 6")
    await double.wait_idle()

    # The supergroup counts its own messages: the new card's id was an old message's too.
    assert card.message_id < old_card.message_id
    assert [m.message_id for m in double.bot_messages(supergroup)] == [card.message_id]
    await team.bob.reply(supergroup, card, "Blog post")
    await double.wait_for_edit(supergroup, card, containing="Blog post")

    stored = maps.get_current_map(new_uow(), chat_id=supergroup.id)
    assert stored.chat_id == supergroup.id
    assert [s.name for s in stored.stages] == ["Search", "Purchase"]
    assert [t.name for t in stored.stages[0].touchpoints] == ["Blog post"]
    assert maps.list_maps(new_uow(), chat_id=team.chat.id) == []
    old_ids = [m.message_id for m in double.bot_messages(team.chat)]
    assert all(
        prompts.kind_of(new_uow(), chat_id=team.chat.id, message_id=i) is None for i in old_ids
    )


async def test_a_supergroup_that_spoke_first_keeps_the_groups_settings_and_maps(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """The supergroup registered itself first; the move merges, in the group's language."""
    await start_bot()
    await team.alice.send(team.chat, "/language ru")
    await double.wait_for_message(team.chat, containing="русск")
    await team.alice.send(team.chat, "/newmap Оплата")
    await double.wait_for_message(team.chat, containing="Шаг 1 из 6")
    supergroup = await double.migrate_to_supergroup(
        team.chat, by=team.alice, supergroup_first=True
    )
    card = await double.wait_for_message(supergroup, containing="Шаг 1 из 6")
    await double.wait_idle()

    sent = await team.alice.send(supergroup, "/maps")
    answer = await double.wait_for_message(supergroup, after=sent)
    assert "Оплата" in answer.text
    assert maps.get_current_map(new_uow(), chat_id=supergroup.id).title == "Оплата"
    assert card.message_id < sent.message_id

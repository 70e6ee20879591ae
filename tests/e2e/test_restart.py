"""Prompts are rows, not memory: a new process still routes replies and buttons."""

from collections.abc import Callable

from cjm.db import UnitOfWork
from cjm.models import PersonaField
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble


async def test_reply_to_an_old_prompt_still_lands_after_restart(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """A question asked before a restart is answered after it, and its card is edited."""
    await start_bot()
    await team.alice.send(team.chat, "/newmap Checkout")
    card = await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.alice.press(card, "Name")
    prompt = await double.wait_for_message(
        team.chat, containing="Reply to this message", after=card
    )
    await double.wait_idle()

    await start_bot()  # a new Application on the same database
    await team.bob.reply(team.chat, prompt, "Olga, 34, runs a bakery")
    await double.wait_for_edit(team.chat, card, containing="Olga, 34")
    await team.carol.press(card, "Next ▶")
    await double.wait_for_message(team.chat, containing="Step 2 of 6", after=prompt)

    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert journey.persona[PersonaField.NAME] == "Olga, 34, runs a bakery"


async def test_commands_are_registered_in_english_and_russian(
    double: BotApiDouble, start_bot: StartBot
) -> None:
    """setMyCommands publishes the same commands with descriptions in both languages."""
    await start_bot()
    await double.wait_idle()
    english = dict(double.commands(scope="all_group_chats"))
    russian = dict(double.commands(language_code="ru", scope="all_group_chats"))
    customers = dict(double.commands(scope="all_private_chats"))
    assert {"start", "forgetme", "stop"} <= customers.keys()
    assert "newmap" not in customers
    assert "newmap" in english
    assert "deletemap" in english
    assert english.keys() == russian.keys()
    assert english["newmap"] != russian["newmap"]


async def test_help_lists_every_command_in_valid_html(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/help names every registered command, and Telegram accepts its HTML."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/help")
    help_text = await double.wait_for_message(team.chat, containing="/newmap", after=sent)
    for command, _ in double.commands(scope="all_group_chats"):
        assert f"/{command}" in (help_text.text or "")
    assert not double.errors


async def test_russian_speakers_get_russian_texts(
    double: BotApiDouble, start_bot: StartBot
) -> None:
    """A chat whose first member speaks Russian gets Russian cards and buttons."""
    olga = double.member("Ольга", language_code="ru")
    chat = double.group("Команда", admins=[olga])
    await start_bot()
    await olga.send(chat, "/newmap Покупка")
    card = await double.wait_for_message(chat, containing="Персона")
    assert any("Далее" in b.text for b in card.flat_buttons)

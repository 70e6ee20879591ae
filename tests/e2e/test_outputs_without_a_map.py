"""Output commands in a chat without a map say so plainly, and a stale button answers once.

A callback query takes one answer (https://core.telegram.org/bots/api#answercallbackquery):
the double refuses a second one as Telegram does.
"""

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble
from tests.factories import make_full_map

NO_MAP = {
    "en": "This chat has no map yet. Start one with /newmap followed by a title.",
    "ru": "В этом чате ещё нет карты.",
}


@pytest.mark.parametrize(
    "command", ["/export", "/picture", "/map", "/hotspots", "/results", "/history", "/kpi"]
)
@pytest.mark.parametrize("language", ["en", "ru"])
async def test_an_output_command_without_a_map_says_so_and_offers_nothing(
    double: BotApiDouble, team: Team, start_bot: StartBot, command: str, language: str
) -> None:
    """No buttons, no picture, no "uploading" hint: one plain line in the chat's language."""
    await start_bot()
    if language != "en":
        set_lang = await team.alice.send(team.chat, f"/language {language}")
        await double.wait_for_message(team.chat, after=set_lang)
    sent = await team.alice.send(team.chat, command)
    answer = await double.wait_for_message(team.chat, after=sent)
    await double.wait_idle()

    assert NO_MAP[language] in (answer.text or "")
    assert not answer.flat_buttons
    assert [m for m in double.bot_messages(team.chat) if m.message_id > sent.message_id] == [
        answer
    ]
    assert not [action for chat_id, action in double.chat_actions if chat_id == team.chat.id]
    assert not double.errors


async def test_a_format_button_of_a_deleted_map_answers_once_with_a_clear_message(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """The map was deleted after /export: pressing JSON pops up "no map", and sends no file."""
    make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    await start_bot()
    sent = await team.alice.send(team.chat, "/export")
    menu = await double.wait_for_message(team.chat, containing="Which file", after=sent)
    delete = await team.alice.send(team.chat, "/deletemap")
    confirm = await double.wait_for_message(team.chat, containing="cannot be undone", after=delete)
    await team.alice.press(confirm, "Yes, delete")
    await double.wait_for_edit(team.chat, confirm, containing="deleted the map")

    press = await team.bob.press(menu, "JSON")
    await double.wait_idle()

    assert press.answered
    assert press.show_alert
    assert press.answer_text == NO_MAP["en"].join(["🗺 ", ""])
    assert not [m for m in double.bot_messages(team.chat) if m.file is not None]
    assert not double.errors

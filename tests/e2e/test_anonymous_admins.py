"""Anonymous admins write as the group itself; they are admins, but nobody in particular.

https://core.telegram.org/bots/api#message: sender_chat is "the supergroup itself for messages
sent by its anonymous administrators", and `from` is the fake user GroupAnonymousBot, whom
getChatMember does not know. A button press carries no sender_chat and names who pressed
(https://core.telegram.org/bots/api#callbackquery).
"""

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble
from tests.double.wire import GROUP_ANONYMOUS_BOT
from tests.factories import make_full_map

NOT_ME = {
    "en": "You are writing as the group (an anonymous admin), so I can't tell who “me” is.",
    "ru": "Вы пишете от имени группы (анонимный администратор), поэтому я не знаю, кто здесь «я».",
}


async def test_an_anonymous_admin_deletes_the_map(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """/deletemap sent as the group asks to confirm; the press (by the admin) deletes the map."""
    make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    await start_bot()
    sent = await team.alice.send_as_group(team.chat, "/deletemap")
    confirm = await double.wait_for_message(team.chat, containing="cannot be undone", after=sent)
    assert "Checkout" in (confirm.text or "")
    await team.alice.press(confirm, "Yes, delete")
    await double.wait_for_edit(team.chat, confirm, containing="deleted the map")
    assert maps.list_maps(new_uow(), chat_id=team.chat.id) == []
    assert not [m for m in double.bot_messages(team.chat) if "went wrong" in (m.text or "")]


async def test_only_admins_can_write_as_the_group(double: BotApiDouble, team: Team) -> None:
    """The double lets only an admin post anonymously, as Telegram does."""
    with pytest.raises(AssertionError, match="no admin"):
        await team.bob.send_as_group(team.chat, "/deletemap")


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_me_as_a_fix_owner_needs_a_named_member(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    language: str,
) -> None:
    """An anonymous admin's "me" is refused in the chat's language; a name is taken."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title="Checkout", language=language)
    await start_bot()
    sent = await team.alice.send(team.chat, "/fixes")
    card = await double.wait_for_message(team.chat, containing="6", after=sent)
    await team.alice.press(card, "🛠 Sync ad")
    await double.wait_for_edit(team.chat, card, containing="👉 Sync ad")
    latest = double.messages(team.chat)[-1]
    await team.alice.press(card, {"en": "Owner", "ru": "Ответственный"}[language])
    question = await double.wait_for_message(
        team.chat, after=latest, predicate=lambda m: m.force_reply
    )

    refused = await team.alice.send_as_group(team.chat, "me", reply_to=question)
    answer = await double.wait_for_message(team.chat, after=refused)
    assert NOT_ME[language] in (answer.text or "")
    (fix, _) = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=journey.id).fixes
    assert fix.owner_name == "@bob"

    named = await team.alice.send_as_group(team.chat, "@alice", reply_to=question)
    await double.wait_for_edit(team.chat, card, containing="@alice")
    (fix, _) = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=journey.id).fixes
    assert fix.owner_name == "@alice"
    assert named.as_group


async def test_a_note_written_as_the_group_is_refused_and_a_vote_by_button_counts(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """A note belongs to one member's vote: as the group it is refused; the press names Alice."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    await start_bot()
    sent = await team.alice.send(team.chat, "/emotions")
    card = await double.wait_for_message(team.chat, containing="Step 4 of 6", after=sent)

    refused = await team.alice.send_as_group(team.chat, "Feels pushy", reply_to=card)
    answer = await double.wait_for_message(team.chat, after=refused)
    assert "a note belongs to one member's vote: write it under your own name." in (
        answer.text or ""
    )
    await team.alice.press(card, "😡")
    await double.wait_idle()
    ad = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=journey.id).touchpoints[0]
    by_member = {v.user_id: (v.score, v.note) for v in ad.votes}
    assert by_member[team.alice.id] == (-2, None)
    assert GROUP_ANONYMOUS_BOT["id"] not in by_member
    assert not [v.note for v in ad.votes if v.note]

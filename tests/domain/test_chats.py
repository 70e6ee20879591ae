"""Chats: registering them, their language and zone, and following a group's migration."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cjm.errors import PromptUnknown, UnknownLanguage
from cjm.models import Chat, PromptKind
from cjm.services import chats, maps, prompts
from cjm.views import ChatView
from tests.factories import BOB, TEAM_CHAT_ID, chat_ref, make_map, make_stages, remember_prompt

NEW_CHAT_ID = -1009876543210


def get_chat(uow, chat_id=TEAM_CHAT_ID, *, title="Shop team", language="en"):
    return chats.get_chat(
        uow(),
        chat_ref(chat_id, title=title, language=language),
        default_language="en",
        default_tz="Europe/Berlin",
    )


def chat_ids(uow):
    with uow() as unit:
        return list(unit.session.exec(select(Chat.id)).all())


def reachable(uow, chat_id):
    with uow() as unit:
        return unit.session.exec(select(Chat.reachable).where(Chat.id == chat_id)).one()


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en", "en"),
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("EN-gb", "en"),
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-hant", "zh"),
        ("zh-CN", "zh"),
        ("zh-tw", "zh"),
        ("zh_HK", "zh"),
        ("zh-hans-sg", "zh"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_pick_language(code, language):
    """A Telegram language_code maps to the bot's language for it, or the default."""
    assert chats.pick_language(code, "en") == language


def test_pick_language_falls_back_to_the_given_default():
    """An unsupported language falls back to whatever default the caller gives."""
    assert chats.pick_language("fr", "ru") == "ru"


class TestGetChat:
    def test_registers_a_new_chat(self, uow):
        """A new chat is registered with its title, its first member's language, default zone."""
        chat = get_chat(uow, language="ru-RU")

        assert chat == ChatView(TEAM_CHAT_ID, "Shop team", "ru", "Europe/Berlin", None)
        assert chat_ids(uow) == [TEAM_CHAT_ID]

    def test_unsupported_language_gets_the_default(self, uow):
        """A chat whose first member speaks an unsupported language gets the default language."""
        assert get_chat(uow, language="de").language == "en"

    def test_known_chat_keeps_its_language_and_follows_its_title(self, uow):
        """A known chat keeps its language; a renamed group's new title is stored."""
        get_chat(uow, language="ru")

        chat = get_chat(uow, title="Shop team 2.0", language="en")

        assert (chat.title, chat.language) == ("Shop team 2.0", "ru")
        assert get_chat(uow, title="").title == "Shop team 2.0"


class TestLanguage:
    def test_switches_the_language(self, uow):
        """set_language changes the chat's language; later maps are read in it."""
        get_chat(uow)

        chat = chats.set_language(uow(), chat_ref(), language=" RU ", default_tz="Europe/Berlin")

        assert chat.language == "ru"
        assert get_chat(uow).language == "ru"
        assert make_map(uow).language == "ru"

    @pytest.mark.parametrize("code", ["zh", "ZH", "zh-CN", "zh-hans"])
    def test_chinese_by_any_of_its_codes(self, uow, code):
        """/language zh, or a regional code for it, switches the chat to Simplified Chinese."""
        chat = chats.set_language(uow(), chat_ref(), language=code, default_tz="UTC")

        assert chat.language == "zh"
        assert get_chat(uow).language == "zh"

    def test_unknown_language_is_refused(self, uow):
        """An unknown language raises UnknownLanguage listing those available; nothing changes."""
        get_chat(uow)

        with pytest.raises(UnknownLanguage) as raised:
            chats.set_language(uow(), chat_ref(), language="DE", default_tz="UTC")

        assert raised.value.params == {"language": "de", "available": "en, ru, zh"}
        assert get_chat(uow).language == "en"

    def test_registers_a_new_chat(self, uow):
        """Setting the language of an unknown chat registers it in that language."""
        chat = chats.set_language(uow(), chat_ref(language="en"), language="ru", default_tz="UTC")

        assert (chat.language, chat.tz) == ("ru", "UTC")


class TestMigrate:
    def test_maps_and_prompts_follow_the_new_id(self, uow):
        """After a migration the maps, the current map and the prompts live under the new id."""
        first = make_map(uow, title="First")
        current = make_stages(uow, make_map(uow, title="Second").id, ["Discover"])
        remember_prompt(uow, 600, PromptKind.STAGE_ADD, current.id)

        chats.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert chat_ids(uow) == [NEW_CHAT_ID]
        assert [m.id for m in maps.list_maps(uow(), chat_id=NEW_CHAT_ID)] == [current.id, first.id]
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []
        moved = maps.get_current_map(uow(), chat_id=NEW_CHAT_ID)
        assert (moved.id, moved.chat_id, moved.stages) == (current.id, NEW_CHAT_ID, current.stages)
        prompts.answer(
            uow(),
            chat_id=NEW_CHAT_ID,
            prompt_message_id=600,
            reply_message_id=700,
            text="Buy",
            actor=BOB,
        )
        stored = maps.get_map(uow(), map_id=current.id)
        assert [s.name for s in stored.stages] == ["Discover", "Buy"]
        with pytest.raises(PromptUnknown):
            prompts.answer(
                uow(),
                chat_id=TEAM_CHAT_ID,
                prompt_message_id=600,
                reply_message_id=701,
                text="Use",
                actor=BOB,
            )

    def test_settings_follow_the_new_id(self, uow):
        """The migrated chat keeps its title, language and zone."""
        make_map(uow, language="ru", tz="Asia/Tokyo")

        chats.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        chat = get_chat(uow, NEW_CHAT_ID, title="", language="en")
        assert (chat.title, chat.language, chat.tz) == ("Shop team", "ru", "Asia/Tokyo")

    def test_unknown_old_chat_changes_nothing(self, uow):
        """Migrating a chat the bot never knew does nothing."""
        chats.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert chat_ids(uow) == []

    def test_known_new_chat_changes_nothing(self, uow):
        """If the new chat is already known, the old chat keeps its maps."""
        journey = make_map(uow)
        get_chat(uow, NEW_CHAT_ID)

        chats.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert [m.id for m in maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)] == [journey.id]
        assert maps.list_maps(uow(), chat_id=NEW_CHAT_ID) == []


class TestReachability:
    def test_unreachable_chat_keeps_its_maps(self, uow):
        """A chat that removed the bot is marked unreachable and keeps every map."""
        journey = make_map(uow)

        chats.mark_unreachable(uow(), chat_id=TEAM_CHAT_ID)

        assert not reachable(uow, TEAM_CHAT_ID)
        assert maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID).id == journey.id

    def test_contact_makes_the_chat_reachable_again(self, uow):
        """The next update from an unreachable chat marks it reachable again."""
        get_chat(uow)
        chats.mark_unreachable(uow(), chat_id=TEAM_CHAT_ID)

        get_chat(uow)

        assert reachable(uow, TEAM_CHAT_ID)

    def test_unknown_chat_is_ignored(self, uow):
        """Marking a chat the bot never knew as unreachable registers nothing."""
        chats.mark_unreachable(uow(), chat_id=TEAM_CHAT_ID)

        assert chat_ids(uow) == []

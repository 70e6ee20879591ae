"""Chats: registering them, their language and zone, and following a group's migration."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel, func, select

from cjm.db import table_of
from cjm.errors import PromptUnknown, UnknownLanguage
from cjm.models import Broadcast, Chat, PromptKind, Review, Survey, SurveyKind, SurveyPost
from cjm.services import chats, maps, members, prompts, supergroups
from cjm.services.members import SeenUser
from cjm.views import ChatView, Unconfirmed
from tests.factories import (
    BOB,
    TEAM_CHAT_ID,
    chat_ref,
    make_map,
    make_stages,
    random_name,
    read_map,
    remember_prompt,
)

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


def rows_by_chat(uow, chat_id):
    """How many rows of each table with a chat-id column name this chat (from the metadata)."""
    with uow() as unit:
        return {
            f"{column.table.name}.{column.name}": unit.session.execute(
                select(func.count()).select_from(column.table).where(column == chat_id)
            ).scalar_one()
            for column in supergroups.chat_id_columns()
        }


def fill_every_chat_table(uow, chat_id=TEAM_CHAT_ID):
    """A map with a card, a question, a handled reply, a survey, its post and a broadcast,
    a member seen in the chat and an answer waiting for a yes."""
    journey = make_stages(uow, make_map(uow, chat_id=chat_id).id, ["Discover"])
    members.note(uow(), chat_id=chat_id, users=[SeenUser(BOB.user_id, "bob", False)])
    held = maps.create_map(
        uow(),
        chat=chat_ref(chat_id),
        actor=BOB,
        title=journey.title.upper(),
        default_language="en",
        default_tz="UTC",
    )
    assert isinstance(held, Unconfirmed)
    remember_prompt(uow, 5, PromptKind.CARD_STAGES, journey.id, chat_id=chat_id)
    remember_prompt(uow, 6, PromptKind.STAGE_ADD, journey.id, chat_id=chat_id)
    with uow() as unit:
        unit.claim_message(chat_id, 7)
        survey = Survey(
            map_id=journey.id,
            chat_id=chat_id,
            kind=SurveyKind.NPS,
            token=random_name("token").replace(" ", ""),
            created_by_id=BOB.user_id,
            created_at=unit.clock.now(),
        )
        unit.session.add(survey)
        unit.session.flush()
        unit.session.add(SurveyPost(survey_id=survey.id, chat_id=chat_id, message_id=8))
        unit.session.add(
            Broadcast(
                survey_id=survey.id,
                chat_id=chat_id,
                progress_message_id=9,
                created_at=unit.clock.now(),
            )
        )
        unit.session.add(
            Review(
                map_id=journey.id,
                digest_message_id=10,
                reviewer_id=BOB.user_id,
                reviewer_name=BOB.name,
                reviewed_at=unit.clock.now(),
            )
        )
        unit.commit()
    return journey


class TestMigrate:
    def test_every_table_with_a_chat_id_follows_the_new_id(self, uow):
        """Every table holding a chat id (read from the metadata) has no row of the old group."""
        fill_every_chat_table(uow)
        before = rows_by_chat(uow, TEAM_CHAT_ID)
        assert all(before.values()), f"fill_every_chat_table misses a table: {before}"

        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        retired = {table_of(model).name for model in supergroups.RETIRED_ON_MIGRATION}
        assert set(rows_by_chat(uow, TEAM_CHAT_ID).values()) == {0}
        after = rows_by_chat(uow, NEW_CHAT_ID)
        assert {name for name, count in after.items() if count} == {
            name for name in before if name.split(".")[0] not in retired
        }
        assert chat_ids(uow) == [NEW_CHAT_ID]

    def test_old_message_ids_are_forgotten(self, uow):
        """Moved rows no longer name the old group's messages (the supergroup counts afresh)."""
        fill_every_chat_table(uow)

        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        with uow() as unit:
            for model, name in supergroups.CLEARED_ON_MIGRATION:
                values = unit.session.execute(select(table_of(model).c[name])).scalars().all()
                assert values, (model, name)
                assert set(values) == {None}, (model, name)

    def test_every_message_id_column_is_handled(self):
        """A table with a message id either goes with the old group or has the column cleared."""
        retired = {table_of(model) for model in supergroups.RETIRED_ON_MIGRATION}
        cleared = {(table_of(m), name) for m, name in supergroups.CLEARED_ON_MIGRATION}
        cleared |= {(table_of(m), name) for m, name in supergroups.IN_PRIVATE_CHATS}
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if column.name.endswith("message_id") and table not in retired:
                    assert (table, column.name) in cleared, f"{table.name}.{column.name}"

    def test_maps_follow_and_old_prompts_answer_nothing(self, uow):
        """Maps and the current map move; a reply naming an old message id finds no question."""
        first = make_map(uow, title="First")
        current = make_stages(uow, make_map(uow, title="Second").id, ["Discover"])
        remember_prompt(uow, 600, PromptKind.STAGE_ADD, current.id)

        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert [m.id for m in maps.list_maps(uow(), chat_id=NEW_CHAT_ID)] == [current.id, first.id]
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []
        moved = maps.get_current_map(uow(), chat_id=NEW_CHAT_ID)
        assert (moved.id, moved.chat_id, moved.stages) == (current.id, NEW_CHAT_ID, current.stages)
        for chat_id in (NEW_CHAT_ID, TEAM_CHAT_ID):
            with pytest.raises(PromptUnknown):
                prompts.answer(
                    uow(),
                    chat_id=chat_id,
                    prompt_message_id=600,
                    reply_message_id=700,
                    text="Buy",
                    actor=BOB,
                )
        assert [s.name for s in read_map(uow, current.id).stages] == ["Discover"]

    def test_the_newest_card_of_each_map_is_returned_to_post_again(self, uow):
        """The cards to repost: each map's newest step card, as the map stands."""
        first = make_stages(uow, make_map(uow, title="First").id, ["Discover"])
        second = make_map(uow, title="Second")
        remember_prompt(uow, 3, PromptKind.CARD_STAGES, first.id)
        remember_prompt(uow, 4, PromptKind.CARD_TOUCHPOINTS, first.id)
        remember_prompt(uow, 5, PromptKind.CARD_PERSONA, second.id)
        remember_prompt(uow, 6, PromptKind.STAGE_ADD, second.id)

        cards = supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert sorted((c.map.title, c.step.value) for c in cards) == [
            ("First", "touchpoints"),
            ("Second", "persona"),
        ]

    def test_settings_follow_the_new_id(self, uow):
        """The migrated chat keeps its title, language and zone."""
        make_map(uow, language="ru", tz="Asia/Tokyo")

        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        chat = get_chat(uow, NEW_CHAT_ID, title="", language="en")
        assert (chat.title, chat.language, chat.tz) == ("Shop team", "ru", "Asia/Tokyo")

    def test_unknown_old_chat_changes_nothing(self, uow):
        """Migrating a chat the bot never knew does nothing."""
        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert chat_ids(uow) == []

    def test_a_supergroup_seen_first_merges_with_the_group(self, uow):
        """The supergroup's row made by an earlier update merges: both chats' data is kept."""
        journey = make_map(uow, title="Old", language="ru", tz="Asia/Tokyo")
        get_chat(uow, NEW_CHAT_ID, title="Shop team", language="en")
        remember_prompt(uow, 1, PromptKind.STAGE_ADD, journey.id, chat_id=NEW_CHAT_ID)
        remember_prompt(uow, 1, PromptKind.STAGE_ADD, journey.id)

        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert [m.id for m in maps.list_maps(uow(), chat_id=NEW_CHAT_ID)] == [journey.id]
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []
        chat = get_chat(uow, NEW_CHAT_ID)
        assert (chat.language, chat.tz, chat.current_map_id) == ("ru", "Asia/Tokyo", journey.id)
        assert chat_ids(uow) == [NEW_CHAT_ID]
        assert prompts.kind_of(uow(), chat_id=NEW_CHAT_ID, message_id=1) == PromptKind.STAGE_ADD

    def test_a_map_made_in_the_supergroup_first_stays_current(self, uow):
        """A map started in the supergroup before the move stays current; the group's joins it."""
        old = make_map(uow, title="Old")
        new = make_map(uow, title="New", chat_id=NEW_CHAT_ID)

        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=NEW_CHAT_ID)

        assert {m.id for m in maps.list_maps(uow(), chat_id=NEW_CHAT_ID)} == {old.id, new.id}
        assert maps.get_current_map(uow(), chat_id=NEW_CHAT_ID).id == new.id


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

"""Maps: create, list, switch, read whole and delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from cjm.errors import ItemGone, MapTitleMissing, NoCurrentMap, TextTooLong, TooManyItems
from cjm.limits import MAX_MAPS_PER_CHAT, TITLE_MAX_CHARS
from cjm.models import (
    ChangeEvent,
    EmotionVote,
    Fix,
    JourneyMap,
    MapStatus,
    PainPoint,
    Persona,
    PersonaField,
    Stage,
    Touchpoint,
)
from cjm.services import chats, maps
from cjm.views import MapSummary
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    chat_ref,
    make_full_map,
    make_map,
    make_stages,
    make_touchpoints,
    read_map,
)

OTHER_CHAT_ID = -1009999


def current_map_id(uow, chat_id=TEAM_CHAT_ID):
    return chats.get_chat(
        uow(), chat_ref(chat_id), default_language="en", default_tz="UTC"
    ).current_map_id


class TestCreateMap:
    def test_starts_empty_and_current(self, uow, clock):
        """A new map is an empty draft owned by its creator, with a blank persona, and current."""
        journey = make_map(uow, title="Online shop", actor=BOB)

        assert journey.title == "Online shop"
        assert journey.owner_name == "Bob"
        assert journey.status is MapStatus.DRAFT
        assert journey.chat_id == TEAM_CHAT_ID
        assert journey.stages == ()
        assert journey.pains == ()
        assert journey.persona == dict.fromkeys(PersonaField)
        assert journey.is_current
        assert journey.created_at == journey.updated_at == clock.now()
        assert read_map(uow, journey.id) == journey
        assert maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID) == journey

    def test_registers_the_chat_with_its_language_and_zone(self, uow):
        """The first map registers the chat in the creator's language and the default zone."""
        journey = make_map(uow, language="ru", tz="Asia/Tokyo")

        assert (journey.language, journey.tz) == ("ru", "Asia/Tokyo")
        chat = chats.get_chat(uow(), chat_ref(), default_language="en", default_tz="UTC")
        assert (chat.language, chat.tz, chat.current_map_id) == ("ru", "Asia/Tokyo", journey.id)

    def test_title_whitespace_is_collapsed(self, uow):
        """A title's surrounding and repeated whitespace is collapsed to single spaces."""
        journey = make_map(uow, title="  Q4 \t  onboarding\n ")

        assert journey.title == "Q4 onboarding"
        assert read_map(uow, journey.id).title == "Q4 onboarding"

    @pytest.mark.parametrize("title", ["", "   ", "\n\t", "\x00\x07"])
    def test_empty_title_is_refused(self, uow, title):
        """A title with nothing in it raises MapTitleMissing and stores no map."""
        with pytest.raises(MapTitleMissing):
            make_map(uow, title=title)

        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []

    def test_title_at_the_limit_is_kept(self, uow):
        """A title of exactly TITLE_MAX_CHARS characters is stored whole."""
        title = "x" * TITLE_MAX_CHARS

        assert make_map(uow, title=title).title == title

    def test_title_over_the_limit_is_refused(self, uow):
        """A title over TITLE_MAX_CHARS raises TextTooLong naming field, limit and length."""
        with pytest.raises(TextTooLong) as raised:
            make_map(uow, title="x" * (TITLE_MAX_CHARS + 1))

        assert raised.value.params == {
            "field": "title",
            "limit": TITLE_MAX_CHARS,
            "length": TITLE_MAX_CHARS + 1,
        }
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []

    @pytest.mark.parametrize(
        "title",
        [
            "<b>Bold</b> & <i>co</i>",
            "<script>alert('x')</script>",
            "Покупка 🛒 онлайн",
            "网上购物",
            "رحلة العميل",
            "Tom &amp; Jerry",
        ],
    )
    def test_title_is_stored_verbatim(self, uow, title):
        """Markup, entities, emoji and non-Latin (incl. right-to-left) titles are kept as typed."""
        journey = make_map(uow, title=title)

        assert journey.title == title
        assert read_map(uow, journey.id).title == title

    def test_newest_map_becomes_current(self, uow):
        """Creating a second map makes it current and the first one no longer current."""
        first = make_map(uow, title="First")
        second = make_map(uow, title="Second")

        assert second.is_current
        assert not read_map(uow, first.id).is_current
        assert current_map_id(uow) == second.id

    def test_chat_holds_at_most_max_maps(self, uow):
        """The map after MAX_MAPS_PER_CHAT raises TooManyItems and is not stored."""
        for number in range(MAX_MAPS_PER_CHAT):
            make_map(uow, title=f"Map {number}")

        with pytest.raises(TooManyItems) as raised:
            make_map(uow, title="One too many")

        assert raised.value.params == {"kind": "map", "limit": MAX_MAPS_PER_CHAT}
        titles = [m.title for m in maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)]
        assert len(titles) == MAX_MAPS_PER_CHAT
        assert "One too many" not in titles
        assert make_map(uow, title="Elsewhere", chat_id=OTHER_CHAT_ID).title == "Elsewhere"

    def test_records_the_creation(self, uow, changes, clock):
        """Creating a map writes a map.created change by its creator."""
        journey = make_map(uow, title="Online shop", actor=BOB)

        [change] = changes(journey.id)
        assert (change.action, change.item_id, change.summary) == (
            "map.created",
            journey.id,
            "Online shop",
        )
        assert (change.actor_id, change.actor_name, change.at) == (BOB.user_id, "Bob", clock.now())


class TestListMaps:
    def test_lists_newest_first_with_counts_and_current(self, uow):
        """The chat's maps come newest first, with stage and touchpoint counts, current marked."""
        old = make_full_map(uow, title="Old")
        new = make_map(uow, title="New")
        new = make_stages(uow, new.id, ["Only stage"])
        maps.switch_map(uow(), chat_id=TEAM_CHAT_ID, map_id=old.id)

        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == [
            MapSummary(new.id, "New", MapStatus.DRAFT, False, 1, 0),
            MapSummary(old.id, "Old", MapStatus.DRAFT, True, 2, 3),
        ]

    def test_unknown_chat_has_no_maps(self, uow):
        """A chat the bot never saw has an empty list."""
        assert maps.list_maps(uow(), chat_id=424242) == []

    def test_lists_only_this_chats_maps(self, uow):
        """Maps of other chats are not listed."""
        mine = make_map(uow, title="Mine")
        make_map(uow, title="Theirs", chat_id=OTHER_CHAT_ID)

        assert [m.id for m in maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)] == [mine.id]


class TestSwitchMap:
    def test_switching_makes_the_map_current(self, uow):
        """Switching to an older map makes it current and returns it whole."""
        old = make_full_map(uow, title="Old")
        make_map(uow, title="New")

        switched = maps.switch_map(uow(), chat_id=TEAM_CHAT_ID, map_id=old.id)

        assert switched.is_current
        assert switched.stages == old.stages
        assert maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID).id == old.id

    def test_cannot_switch_to_another_chats_map(self, uow):
        """Switching to a map of another chat raises ItemGone and keeps the current map."""
        mine = make_map(uow, title="Mine")
        theirs = make_map(uow, title="Theirs", chat_id=OTHER_CHAT_ID)

        with pytest.raises(ItemGone):
            maps.switch_map(uow(), chat_id=TEAM_CHAT_ID, map_id=theirs.id)

        assert current_map_id(uow) == mine.id
        assert current_map_id(uow, OTHER_CHAT_ID) == theirs.id

    def test_cannot_switch_to_a_missing_map(self, uow):
        """Switching to a map id that does not exist raises ItemGone naming the map."""
        make_map(uow)

        with pytest.raises(ItemGone) as raised:
            maps.switch_map(uow(), chat_id=TEAM_CHAT_ID, map_id=999)

        assert raised.value.params == {"kind": "journeymap"}


class TestGetMap:
    def test_missing_map_is_gone(self, uow):
        """Reading a map that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            read_map(uow, 1)

    def test_unknown_chat_has_no_current_map(self, uow):
        """A chat the bot never saw has no current map."""
        with pytest.raises(NoCurrentMap):
            maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID)

    def test_changes_move_updated_at_only(self, uow, clock):
        """A change to the map moves its updated_at to now and keeps its created_at."""
        journey = make_map(uow)
        clock.advance(timedelta(hours=3))

        changed = make_stages(uow, journey.id, ["Discover"])

        assert changed.created_at == journey.created_at
        assert changed.updated_at == journey.created_at + timedelta(hours=3)
        assert read_map(uow, journey.id).updated_at == changed.updated_at


class TestDeleteMap:
    def test_returns_the_title_and_the_map_is_gone(self, uow):
        """Deleting a map returns its title; reading it afterwards raises ItemGone."""
        journey = make_map(uow, title="Doomed")

        assert maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id) == "Doomed"

        with pytest.raises(ItemGone):
            read_map(uow, journey.id)
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []

    def test_current_moves_to_the_newest_remaining_map(self, uow):
        """Deleting the current map makes the newest remaining map current."""
        oldest = make_map(uow, title="Oldest")
        middle = make_map(uow, title="Middle")
        newest = make_map(uow, title="Newest")
        maps.switch_map(uow(), chat_id=TEAM_CHAT_ID, map_id=oldest.id)

        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=oldest.id)

        assert current_map_id(uow) == newest.id
        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=newest.id)
        assert maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID).id == middle.id

    def test_deleting_another_map_keeps_the_current_one(self, uow):
        """Deleting a map that is not current leaves the current map alone."""
        old = make_map(uow, title="Old")
        new = make_map(uow, title="New")

        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=old.id)

        assert current_map_id(uow) == new.id

    def test_deleting_the_last_map_leaves_no_current_map(self, uow):
        """After the chat's only map is deleted, there is no current map."""
        journey = make_map(uow)

        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)

        assert current_map_id(uow) is None
        with pytest.raises(NoCurrentMap):
            maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID)

    def test_cascades_to_everything_on_the_map(self, uow, rows):
        """Deleting a map deletes its persona, stages, touchpoints, votes, pains, fixes and log."""
        doomed = make_full_map(uow, title="Doomed")
        kept = make_full_map(uow, title="Kept")
        before = {model: rows(model) for model in (Stage, Touchpoint, EmotionVote, Fix)}

        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=doomed.id)

        assert rows(JourneyMap) == 1
        assert rows(Persona) == 1
        assert rows(Stage) == before[Stage] - len(doomed.stages) == len(kept.stages)
        assert rows(Touchpoint) == before[Touchpoint] - len(doomed.touchpoints)
        doomed_votes = sum(len(tp.votes) for tp in doomed.touchpoints)
        assert rows(EmotionVote) == before[EmotionVote] - doomed_votes
        assert rows(PainPoint) == len(kept.pains)
        assert rows(Fix) == before[Fix] - len(doomed.fixes) == len(kept.fixes)
        with uow() as unit:
            logged = set(unit.session.exec(select(ChangeEvent.map_id).distinct()).all())
        assert logged == {kept.id}
        assert read_map(uow, kept.id).stages == kept.stages

    def test_cannot_delete_another_chats_map(self, uow):
        """Deleting a map from another chat raises ItemGone and deletes nothing."""
        theirs = make_map(uow, title="Theirs", chat_id=OTHER_CHAT_ID)

        with pytest.raises(ItemGone):
            maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=theirs.id)

        assert read_map(uow, theirs.id).title == "Theirs"

    def test_deleting_a_missing_map_is_gone(self, uow):
        """Deleting a map id that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=77)


def test_touchpoints_of_a_stage_are_counted_in_the_summary(uow):
    """A map summary counts touchpoints across all its stages."""
    journey = make_map(uow, actor=ALICE)
    journey = make_stages(uow, journey.id, ["One", "Two"])
    make_touchpoints(uow, journey.stages[0].id, ["a", "b"])
    make_touchpoints(uow, journey.stages[1].id, ["c"])

    [summary] = maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)

    assert (summary.stage_count, summary.touchpoint_count) == (2, 3)

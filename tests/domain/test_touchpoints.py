"""Step 3: touchpoints, per stage, with their channel and whether they are online."""

from __future__ import annotations

import pytest

from cjm.errors import DuplicateName, ItemGone, TextEmpty, TextTooLong, TooManyItems
from cjm.limits import CHANNEL_MAX_CHARS, MAX_TOUCHPOINTS_PER_STAGE, NAME_MAX_CHARS
from cjm.models import EmotionVote, Mode, PainPoint
from cjm.services import touchpoints
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    make_map,
    make_pain,
    make_stages,
    make_touchpoints,
    read_map,
    vote,
)


@pytest.fixture
def journey(uow):
    journey = make_map(uow)
    return make_stages(uow, journey.id, ["Discover", "Buy"])


@pytest.fixture
def stage(journey):
    return journey.stages[0]


def stored_map(uow, map_id):
    return read_map(uow, map_id)


def stored(uow, map_id, stage_index=0):
    return stored_map(uow, map_id).stages[stage_index].touchpoints


def add(uow, stage_id, text, actor=ALICE):
    touchpoints.add_touchpoints(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=stage_id, text=text, actor=actor
    )


class TestAddTouchpoints:
    def test_adds_one_touchpoint_per_line(self, uow, journey, stage):
        """Each non-blank line becomes a touchpoint of the stage, numbered in the order typed."""
        add(uow, stage.id, "Search ad\n\n  Friend's tip \nReview site")

        changed = stored_map(uow, journey.id)
        added = changed.stages[0].touchpoints
        assert [(tp.name, tp.position, tp.stage_id) for tp in added] == [
            ("Search ad", 1, stage.id),
            ("Friend's tip", 2, stage.id),
            ("Review site", 3, stage.id),
        ]
        assert all(tp.channel is None and tp.mode is None for tp in added)
        assert changed.stages[1].touchpoints == ()

    def test_appends_after_existing_touchpoints(self, uow, journey, stage):
        """Touchpoints added later go after the stage's existing ones."""
        make_touchpoints(uow, stage.id, ["Ad"])

        changed = make_touchpoints(uow, stage.id, ["Tip"])

        assert [(tp.name, tp.position) for tp in changed.stages[0].touchpoints] == [
            ("Ad", 1),
            ("Tip", 2),
        ]

    @pytest.mark.parametrize(
        ("line", "name", "channel", "mode"),
        [
            ("Checkout page | website", "Checkout page", "website", Mode.ONLINE),
            ("Visit|Store", "Visit", "Store", Mode.OFFLINE),
            ("Hotline  |  PHONE ", "Hotline", "PHONE", Mode.OFFLINE),
            ("Chat bubble | live chat", "Chat bubble", "live chat", Mode.ONLINE),
            ("Thread | reddit", "Thread", "reddit", None),
            ("Leaflet |", "Leaflet", None, None),
            ("Leaflet |   ", "Leaflet", None, None),
            ("A | b | c", "A", "b | c", None),
        ],
    )
    def test_name_and_channel_on_one_line(self, uow, journey, stage, line, name, channel, mode):
        """ "name | channel" sets the channel; a suggested channel also sets online/offline."""
        add(uow, stage.id, line)

        [touchpoint] = stored(uow, journey.id)
        assert (touchpoint.name, touchpoint.channel, touchpoint.mode) == (name, channel, mode)

    def test_channel_without_a_name_is_refused(self, uow, journey, stage):
        """A line with only a channel raises TextEmpty for the touchpoint name."""
        with pytest.raises(TextEmpty) as raised:
            add(uow, stage.id, "Ad\n | website")

        assert raised.value.params == {"field": "touchpoint"}
        assert stored(uow, journey.id) == ()

    def test_too_long_channel_is_refused_and_nothing_stored(self, uow, journey, stage):
        """A channel over CHANNEL_MAX_CHARS raises TextTooLong; no line of the batch is stored."""
        with pytest.raises(TextTooLong) as raised:
            add(uow, stage.id, f"Ad | website\nTip | {'c' * (CHANNEL_MAX_CHARS + 1)}")

        assert raised.value.params == {
            "field": "channel",
            "limit": CHANNEL_MAX_CHARS,
            "length": CHANNEL_MAX_CHARS + 1,
        }
        assert stored(uow, journey.id) == ()

    def test_too_long_name_is_refused_and_nothing_stored(self, uow, journey, stage):
        """A name over NAME_MAX_CHARS raises TextTooLong for the touchpoint; nothing is stored."""
        with pytest.raises(TextTooLong) as raised:
            add(uow, stage.id, f"Ad\n{'t' * (NAME_MAX_CHARS + 1)} | website")

        assert raised.value.params == {
            "field": "touchpoint",
            "limit": NAME_MAX_CHARS,
            "length": NAME_MAX_CHARS + 1,
        }
        assert stored(uow, journey.id) == ()

    def test_stage_holds_at_most_max_touchpoints(self, uow, journey, stage):
        """MAX_TOUCHPOINTS_PER_STAGE fit; one more raises TooManyItems and adds nothing."""
        make_touchpoints(uow, stage.id, [f"Tp {n}" for n in range(MAX_TOUCHPOINTS_PER_STAGE)])

        with pytest.raises(TooManyItems) as raised:
            make_touchpoints(uow, stage.id, ["One too many"])

        assert raised.value.params == {"kind": "touchpoint", "limit": MAX_TOUCHPOINTS_PER_STAGE}
        assert len(stored(uow, journey.id)) == MAX_TOUCHPOINTS_PER_STAGE

    def test_batch_that_passes_the_limit_adds_nothing(self, uow, journey, stage):
        """A batch that would pass the per-stage limit adds none of its touchpoints."""
        make_touchpoints(uow, stage.id, [f"Tp {n}" for n in range(MAX_TOUCHPOINTS_PER_STAGE - 1)])

        with pytest.raises(TooManyItems):
            make_touchpoints(uow, stage.id, ["A", "B"])

        assert len(stored(uow, journey.id)) == MAX_TOUCHPOINTS_PER_STAGE - 1

    def test_the_limit_is_per_stage(self, uow, journey, stage):
        """A full stage does not stop another stage from taking touchpoints."""
        make_touchpoints(uow, stage.id, [f"Tp {n}" for n in range(MAX_TOUCHPOINTS_PER_STAGE)])

        changed = make_touchpoints(uow, journey.stages[1].id, ["Checkout"])

        assert [tp.name for tp in changed.stages[1].touchpoints] == ["Checkout"]

    @pytest.mark.parametrize("duplicate", ["search ad", "SEARCH AD | email"])
    def test_duplicate_in_the_stage_is_refused(self, uow, journey, stage, duplicate):
        """A name equal to one of the stage's touchpoints, ignoring case, alone is refused."""
        make_touchpoints(uow, stage.id, ["Search ad"])

        with pytest.raises(DuplicateName) as raised:
            add(uow, stage.id, duplicate)

        assert raised.value.params["kind"] == "touchpoint"
        assert [tp.name for tp in stored(uow, journey.id)] == ["Search ad"]

    @pytest.mark.parametrize("duplicate", ["search ad", "SEARCH AD | email"])
    def test_duplicate_next_to_new_lines_is_skipped(self, uow, journey, stage, duplicate):
        """Next to a new line, the duplicate is skipped and named; the new one is added."""
        make_touchpoints(uow, stage.id, ["Search ad"])

        skipped = touchpoints.add_touchpoints(
            uow(),
            chat_id=TEAM_CHAT_ID,
            stage_id=stage.id,
            text=f"New one\n{duplicate}",
            actor=ALICE,
        )

        assert skipped == (duplicate.split(" |")[0],)
        assert [tp.name for tp in stored(uow, journey.id)] == ["Search ad", "New one"]

    def test_duplicate_within_one_batch_is_skipped(self, uow, journey, stage):
        """Two lines naming the same touchpoint (ignoring case): the second is skipped."""
        add(uow, stage.id, "Ad\nAD | website")

        assert [(tp.name, tp.channel) for tp in stored(uow, journey.id)] == [("Ad", None)]

    def test_same_name_in_another_stage_is_fine(self, uow, journey, stage):
        """Touchpoint names need only be unique within their stage."""
        make_touchpoints(uow, stage.id, ["Website"])

        changed = make_touchpoints(uow, journey.stages[1].id, ["Website"])

        assert [tp.name for tp in changed.touchpoints] == ["Website", "Website"]

    @pytest.mark.parametrize(
        "name",
        ["<b>Ad</b> & more", "<script>alert(1)</script>", "Реклама 📣", "广告", "إعلان"],
    )
    def test_names_are_stored_verbatim(self, uow, journey, stage, name):
        """Markup, entities, emoji and non-Latin (incl. right-to-left) names are kept as typed."""
        add(uow, stage.id, name)

        assert [tp.name for tp in stored(uow, journey.id)] == [name]

    def test_control_characters_are_stripped(self, uow, journey, stage):
        """Control characters vanish from names and channels."""
        add(uow, stage.id, "Se\x00arch\x1f ad | web\x07site")

        [touchpoint] = stored(uow, journey.id)
        assert (touchpoint.name, touchpoint.channel, touchpoint.mode) == (
            "Search ad",
            "website",
            Mode.ONLINE,
        )

    def test_records_each_touchpoint(self, uow, journey, stage, changes):
        """Every added touchpoint writes a touchpoint.added change with its id and name."""
        add(uow, stage.id, "Ad\nTip", actor=BOB)

        changed = stored_map(uow, journey.id)
        added = [c for c in changes(journey.id) if c.action == "touchpoint.added"]
        assert [(c.item_id, c.summary, c.actor_id) for c in added] == [
            (tp.id, tp.name, BOB.user_id) for tp in changed.touchpoints
        ]

    def test_missing_stage_is_gone(self, uow):
        """Adding touchpoints to a stage that does not exist raises ItemGone."""
        with pytest.raises(ItemGone) as raised:
            add(uow, 404, "Ad")

        assert raised.value.params == {"kind": "stage"}


class TestRenameTouchpoint:
    def test_renames(self, uow, journey, stage, changes):
        """Renaming changes the name, keeps channel and mode, and logs "old → new"."""
        touchpoint = make_touchpoints(uow, stage.id, ["Ad | website"]).touchpoints[0]

        touchpoints.rename_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint.id, name="Banner", actor=ALICE
        )

        renamed = stored(uow, journey.id)[0]
        assert (renamed.name, renamed.channel, renamed.mode) == ("Banner", "website", Mode.ONLINE)
        assert changes(journey.id)[-1].summary == "Ad → Banner"

    def test_name_of_a_sibling_is_refused(self, uow, journey, stage):
        """Renaming to a sibling's name in any case raises DuplicateName and changes nothing."""
        journey = make_touchpoints(uow, stage.id, ["Ad", "Tip"])

        with pytest.raises(DuplicateName):
            touchpoints.rename_touchpoint(
                uow(),
                chat_id=TEAM_CHAT_ID,
                touchpoint_id=journey.touchpoints[1].id,
                name="aD",
                actor=ALICE,
            )

        assert [tp.name for tp in stored(uow, journey.id)] == ["Ad", "Tip"]

    def test_own_name_in_other_case_is_fine(self, uow, journey, stage):
        """A touchpoint may change the case of its own name."""
        touchpoint = make_touchpoints(uow, stage.id, ["ad"]).touchpoints[0]

        touchpoints.rename_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint.id, name="AD", actor=ALICE
        )

        assert stored(uow, journey.id)[0].name == "AD"

    def test_missing_touchpoint_is_gone(self, uow):
        """Renaming a touchpoint that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            touchpoints.rename_touchpoint(
                uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=3, name="X", actor=ALICE
            )


class TestChannelAndMode:
    def test_suggested_channel_sets_the_mode(self, uow, journey, stage, changes):
        """Setting a suggested channel also sets online/offline when none was chosen."""
        touchpoint = make_touchpoints(uow, stage.id, ["Visit"]).touchpoints[0]

        touchpoints.set_channel(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=touchpoint.id,
            channel="Sales call",
            actor=ALICE,
        )

        [changed] = stored(uow, journey.id)
        assert (changed.channel, changed.mode) == ("Sales call", Mode.OFFLINE)
        change = changes(journey.id)[-1]
        assert (change.action, change.summary) == ("touchpoint.channel_set", "Visit: Sales call")

    def test_chosen_mode_is_kept(self, uow, journey, stage):
        """A channel does not override a mode the team already chose."""
        touchpoint = make_touchpoints(uow, stage.id, ["Visit"]).touchpoints[0]
        touchpoints.set_mode(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint.id, mode=Mode.ONLINE, actor=ALICE
        )

        touchpoints.set_channel(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint.id, channel="store", actor=ALICE
        )

        assert (stored(uow, journey.id)[0].channel, stored(uow, journey.id)[0].mode) == (
            "store",
            Mode.ONLINE,
        )

    def test_other_channel_leaves_the_mode_open(self, uow, journey, stage):
        """A channel the bot does not suggest sets no mode."""
        touchpoint = make_touchpoints(uow, stage.id, ["Visit"]).touchpoints[0]

        touchpoints.set_channel(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=touchpoint.id,
            channel="Carrier pigeon",
            actor=ALICE,
        )

        [changed] = stored(uow, journey.id)
        assert (changed.channel, changed.mode) == ("Carrier pigeon", None)

    def test_too_long_channel_is_refused(self, uow, journey, stage):
        """A channel over CHANNEL_MAX_CHARS raises TextTooLong and keeps the old channel."""
        touchpoint = make_touchpoints(uow, stage.id, ["Ad | email"]).touchpoints[0]

        with pytest.raises(TextTooLong) as raised:
            touchpoints.set_channel(
                uow(),
                chat_id=TEAM_CHAT_ID,
                touchpoint_id=touchpoint.id,
                channel="c" * (CHANNEL_MAX_CHARS + 1),
                actor=ALICE,
            )

        assert raised.value.params == {
            "field": "channel",
            "limit": CHANNEL_MAX_CHARS,
            "length": CHANNEL_MAX_CHARS + 1,
        }
        assert stored(uow, journey.id)[0].channel == "email"

    def test_sets_the_mode(self, uow, journey, stage, changes):
        """The team can say a touchpoint is online or offline; the change is logged."""
        touchpoint = make_touchpoints(uow, stage.id, ["Ad | website"]).touchpoints[0]

        touchpoints.set_mode(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint.id, mode=Mode.OFFLINE, actor=BOB
        )

        assert stored(uow, journey.id)[0].mode is Mode.OFFLINE
        change = changes(journey.id)[-1]
        assert (change.action, change.summary, change.actor_id) == (
            "touchpoint.mode_set",
            "Ad: offline",
            BOB.user_id,
        )


class TestDeleteTouchpoint:
    def test_deleting_renumbers_the_rest(self, uow, journey, stage, changes):
        """Deleting a touchpoint closes the gap in its stage's numbering and is logged."""
        journey = make_touchpoints(uow, stage.id, ["Ad", "Tip", "Review"])

        touchpoints.delete_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=journey.touchpoints[0].id, actor=ALICE
        )

        assert [(tp.name, tp.position) for tp in stored(uow, journey.id)] == [
            ("Tip", 1),
            ("Review", 2),
        ]
        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.summary) == (
            "touchpoint.deleted",
            journey.touchpoints[0].id,
            "Ad",
        )

    def test_votes_go_pains_stay_on_the_stage(self, uow, journey, stage, rows):
        """Deleting a touchpoint deletes its votes; its pain points stay on the stage, unpinned."""
        touchpoint = make_touchpoints(uow, stage.id, ["Ad"]).touchpoints[0]
        vote(uow, touchpoint.id, 1, voter=ALICE)
        vote(uow, touchpoint.id, -1, voter=BOB)
        make_pain(uow, stage.id, "Misleading", touchpoint_id=touchpoint.id)

        touchpoints.delete_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint.id, actor=ALICE
        )

        assert rows(EmotionVote) == 0
        assert rows(PainPoint) == 1
        [pain] = stored_map(uow, journey.id).pains
        assert (pain.text, pain.stage_id, pain.touchpoint_id) == ("Misleading", stage.id, None)

    def test_missing_touchpoint_is_gone(self, uow):
        """Deleting a touchpoint that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            touchpoints.delete_touchpoint(
                uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=3, actor=ALICE
            )

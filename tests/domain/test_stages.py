"""Step 2: the stages of the journey, in order."""

from __future__ import annotations

import pytest

from cjm.errors import DuplicateName, ItemGone, TextEmpty, TextTooLong, TooManyItems
from cjm.limits import MAX_STAGES, NAME_MAX_CHARS, TEXT_MAX_CHARS
from cjm.models import EmotionVote, Fix, PainPoint, Stage, Touchpoint
from cjm.services import stages
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    make_fix,
    make_full_map,
    make_map,
    make_stages,
    make_touchpoints,
    read_map,
)


def names(journey):
    return [stage.name for stage in journey.stages]


def stored(uow, map_id):
    return read_map(uow, map_id)


def stored_names(uow, map_id):
    return names(stored(uow, map_id))


def positions(journey):
    return [stage.position for stage in journey.stages]


@pytest.fixture
def journey(uow):
    return make_map(uow)


class TestAddStages:
    def test_adds_one_stage_per_line_in_order(self, uow, journey):
        """Each non-blank line becomes a stage, numbered from 1 in the order typed."""
        stages.add_stages(
            uow(),
            chat_id=TEAM_CHAT_ID,
            map_id=journey.id,
            text="Discover\n\n  Compare  \nBuy\n",
            actor=ALICE,
        )

        changed = stored(uow, journey.id)
        assert names(changed) == ["Discover", "Compare", "Buy"]
        assert positions(changed) == [1, 2, 3]
        assert all(stage.customer_goal is None for stage in changed.stages)

    def test_appends_after_existing_stages(self, uow, journey):
        """Stages added later go after the existing ones."""
        make_stages(uow, journey.id, ["Discover", "Buy"])

        changed = make_stages(uow, journey.id, ["Use"])

        assert names(changed) == ["Discover", "Buy", "Use"]
        assert positions(changed) == [1, 2, 3]

    def test_records_each_stage(self, uow, journey, changes):
        """Every added stage writes a stage.added change with its id and name."""
        changed = make_stages(uow, journey.id, ["Discover", "Buy"], actor=BOB)

        added = [c for c in changes(journey.id) if c.action == "stage.added"]
        assert [(c.item_id, c.summary, c.actor_id) for c in added] == [
            (stage.id, stage.name, BOB.user_id) for stage in changed.stages
        ]

    def test_map_holds_at_most_max_stages(self, uow, journey):
        """MAX_STAGES stages fit; one more raises TooManyItems and adds nothing."""
        make_stages(uow, journey.id, [f"Stage {n}" for n in range(MAX_STAGES)])

        with pytest.raises(TooManyItems) as raised:
            make_stages(uow, journey.id, ["One too many"])

        assert raised.value.params == {"kind": "stage", "limit": MAX_STAGES}
        assert len(stored_names(uow, journey.id)) == MAX_STAGES

    def test_batch_that_passes_the_limit_adds_nothing(self, uow, journey, changes):
        """A batch that would pass MAX_STAGES adds and logs none of its stages."""
        make_stages(uow, journey.id, [f"Stage {n}" for n in range(MAX_STAGES - 2)])
        logged = changes(journey.id)

        with pytest.raises(TooManyItems):
            make_stages(uow, journey.id, ["A", "B", "C"])

        assert len(stored_names(uow, journey.id)) == MAX_STAGES - 2
        assert changes(journey.id) == logged

    @pytest.mark.parametrize("duplicate", ["discover", "DISCOVER", "  Discover "])
    def test_duplicate_of_an_existing_stage_is_refused(self, uow, journey, duplicate):
        """A name equal to an existing stage's, ignoring case, alone raises DuplicateName."""
        make_stages(uow, journey.id, ["Discover"])

        with pytest.raises(DuplicateName) as raised:
            make_stages(uow, journey.id, [duplicate])

        assert raised.value.params == {"kind": "stage", "name": duplicate.strip()}
        assert stored_names(uow, journey.id) == ["Discover"]

    @pytest.mark.parametrize("duplicate", ["discover", "DISCOVER", "  Discover "])
    def test_duplicate_among_new_lines_is_skipped(self, uow, journey, duplicate):
        """Next to new lines, a duplicate is skipped and returned; the new lines are added."""
        make_stages(uow, journey.id, ["Discover"])

        skipped = stages.add_stages(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, text=f"Buy\n{duplicate}", actor=ALICE
        )

        assert skipped == (duplicate.strip(),)
        assert stored_names(uow, journey.id) == ["Discover", "Buy"]

    def test_duplicate_within_one_batch_is_skipped(self, uow, journey, changes):
        """Two lines with the same name (ignoring case): the second is skipped."""
        make_stages(uow, journey.id, ["Straße", "Buy", "STRASSE"])

        assert stored_names(uow, journey.id) == ["Straße", "Buy"]
        assert [c.action for c in changes(journey.id)] == ["map.created"] + ["stage.added"] * 2

    def test_same_name_on_another_map_is_fine(self, uow, journey):
        """Stage names need only be unique within their map."""
        make_stages(uow, journey.id, ["Discover"])
        other = make_map(uow)

        assert names(make_stages(uow, other.id, ["Discover"])) == ["Discover"]

    def test_too_long_name_is_refused_and_nothing_stored(self, uow, journey):
        """A line over NAME_MAX_CHARS raises TextTooLong; the valid lines are not stored either."""
        with pytest.raises(TextTooLong) as raised:
            make_stages(uow, journey.id, ["Discover", "s" * (NAME_MAX_CHARS + 1)])

        assert raised.value.params == {
            "field": "stage",
            "limit": NAME_MAX_CHARS,
            "length": NAME_MAX_CHARS + 1,
        }
        assert stored_names(uow, journey.id) == []

    def test_name_at_the_limit_is_kept(self, uow, journey):
        """A name of exactly NAME_MAX_CHARS characters is stored whole."""
        name = "s" * NAME_MAX_CHARS

        assert names(make_stages(uow, journey.id, [name])) == [name]

    @pytest.mark.parametrize("text", ["", "\n \n", "\x00\x01"])
    def test_empty_text_is_refused(self, uow, journey, text):
        """Text with no stage in it raises TextEmpty for the stage field."""
        with pytest.raises(TextEmpty) as raised:
            stages.add_stages(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, text=text, actor=ALICE
            )

        assert raised.value.params == {"field": "stage"}
        assert stored_names(uow, journey.id) == []

    @pytest.mark.parametrize(
        "name",
        [
            "<b>Buy</b>",
            "Search & compare",
            "<script>alert(1)</script>",
            "Покупка 🛒",
            "购买",
            "الشراء",
        ],
    )
    def test_names_are_stored_verbatim(self, uow, journey, name):
        """Markup, entities, emoji and non-Latin (incl. right-to-left) names are kept as typed."""
        make_stages(uow, journey.id, [name])

        assert stored_names(uow, journey.id) == [name]

    def test_control_characters_are_stripped(self, uow, journey):
        """Control characters vanish from names and inner whitespace collapses to one space."""
        changed = make_stages(uow, journey.id, ["Dis\x00co\x1bver\x7f", "Pay\t \tnow"])

        assert names(changed) == ["Discover", "Pay now"]
        assert stored_names(uow, journey.id) == ["Discover", "Pay now"]

    def test_names_are_nfc_normalised(self, uow, journey):
        """A name typed with combining accents is stored in composed (NFC) form."""
        changed = make_stages(uow, journey.id, ["Cafe\u0301"])

        assert names(changed) == ["Caf\u00e9"]

    def test_missing_map_is_gone(self, uow):
        """Adding stages to a map that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            stages.add_stages(
                uow(), chat_id=TEAM_CHAT_ID, map_id=404, text="Discover", actor=ALICE
            )


class TestRenameStage:
    def test_renames(self, uow, journey, changes):
        """Renaming changes the stage's name and logs "old → new"."""
        stage = make_stages(uow, journey.id, ["Discover"]).stages[0]

        stages.rename_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=stage.id, name=" Explore ", actor=BOB
        )

        assert stored_names(uow, journey.id) == ["Explore"]
        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.summary) == (
            "stage.renamed",
            stage.id,
            "Discover → Explore",
        )

    def test_a_stage_may_change_the_case_of_its_own_name(self, uow, journey):
        """Renaming a stage to its own name in other case is not a duplicate."""
        stage = make_stages(uow, journey.id, ["discover"]).stages[0]

        stages.rename_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=stage.id, name="Discover", actor=ALICE
        )

        assert stored_names(uow, journey.id) == ["Discover"]

    def test_name_of_another_stage_is_refused(self, uow, journey):
        """Renaming to another stage's name in any case raises DuplicateName, changes nothing."""
        journey = make_stages(uow, journey.id, ["Discover", "Buy"])

        with pytest.raises(DuplicateName):
            stages.rename_stage(
                uow(),
                chat_id=TEAM_CHAT_ID,
                stage_id=journey.stages[1].id,
                name="DISCOVER",
                actor=ALICE,
            )

        assert stored_names(uow, journey.id) == ["Discover", "Buy"]

    def test_too_long_name_is_refused(self, uow, journey):
        """A new name over NAME_MAX_CHARS raises TextTooLong and keeps the old name."""
        stage = make_stages(uow, journey.id, ["Discover"]).stages[0]

        with pytest.raises(TextTooLong):
            stages.rename_stage(
                uow(),
                chat_id=TEAM_CHAT_ID,
                stage_id=stage.id,
                name="n" * (NAME_MAX_CHARS + 1),
                actor=ALICE,
            )

        assert stored_names(uow, journey.id) == ["Discover"]

    def test_missing_stage_is_gone(self, uow):
        """Renaming a stage that does not exist raises ItemGone naming the stage."""
        with pytest.raises(ItemGone) as raised:
            stages.rename_stage(uow(), chat_id=TEAM_CHAT_ID, stage_id=5, name="X", actor=ALICE)

        assert raised.value.params == {"kind": "stage"}


class TestCustomerGoal:
    def test_sets_the_goal(self, uow, journey, changes):
        """A stage's customer goal is stored with its lines and logged."""
        stage = make_stages(uow, journey.id, ["Buy"]).stages[0]

        stages.set_customer_goal(
            uow(),
            chat_id=TEAM_CHAT_ID,
            stage_id=stage.id,
            goal=" Pay fast\nGet a receipt ",
            actor=ALICE,
        )

        assert stored(uow, journey.id).stages[0].customer_goal == "Pay fast\nGet a receipt"
        assert changes(journey.id)[-1].action == "stage.goal_set"

    def test_too_long_goal_is_refused(self, uow, journey):
        """A goal over TEXT_MAX_CHARS raises TextTooLong for customer_goal and stores nothing."""
        stage = make_stages(uow, journey.id, ["Buy"]).stages[0]

        with pytest.raises(TextTooLong) as raised:
            stages.set_customer_goal(
                uow(),
                chat_id=TEAM_CHAT_ID,
                stage_id=stage.id,
                goal="g" * (TEXT_MAX_CHARS + 1),
                actor=ALICE,
            )

        assert raised.value.params["field"] == "customer_goal"
        assert read_map(uow, journey.id).stages[0].customer_goal is None


class TestMoveStage:
    @pytest.fixture
    def three(self, uow, journey):
        return make_stages(uow, journey.id, ["Discover", "Compare", "Buy"])

    def test_moves_a_stage_later(self, uow, three, changes):
        """Offset +1 swaps a stage with the next one and logs stage.moved."""
        stages.move_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=three.stages[0].id, offset=1, actor=ALICE
        )

        changed = stored(uow, three.id)
        assert names(changed) == ["Compare", "Discover", "Buy"]
        assert positions(changed) == [1, 2, 3]
        change = changes(three.id)[-1]
        assert (change.action, change.item_id) == ("stage.moved", three.stages[0].id)

    def test_moves_a_stage_earlier(self, uow, three):
        """Offset −1 swaps a stage with the previous one."""
        stages.move_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=three.stages[2].id, offset=-1, actor=ALICE
        )

        assert stored_names(uow, three.id) == ["Discover", "Buy", "Compare"]

    @pytest.mark.parametrize(("index", "offset"), [(0, -1), (2, 1)])
    def test_at_either_end_nothing_moves(self, uow, three, changes, index, offset):
        """Moving the first stage up or the last one down leaves the map unchanged, unlogged."""
        logged = len(changes(three.id))

        stages.move_stage(
            uow(),
            chat_id=TEAM_CHAT_ID,
            stage_id=three.stages[index].id,
            offset=offset,
            actor=ALICE,
        )

        assert stored(uow, three.id).stages == three.stages
        assert stored_names(uow, three.id) == ["Discover", "Compare", "Buy"]
        assert len(changes(three.id)) == logged

    def test_missing_stage_is_gone(self, uow):
        """Moving a stage that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            stages.move_stage(uow(), chat_id=TEAM_CHAT_ID, stage_id=9, offset=1, actor=ALICE)


class TestDeleteStage:
    def test_deleting_renumbers_the_rest(self, uow, journey, changes):
        """Deleting a stage closes the gap: the others are numbered 1, 2, … again."""
        journey = make_stages(uow, journey.id, ["Discover", "Compare", "Buy", "Use"])

        stages.delete_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=journey.stages[1].id, actor=ALICE
        )

        changed = stored(uow, journey.id)
        assert names(changed) == ["Discover", "Buy", "Use"]
        assert positions(changed) == [1, 2, 3]
        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.summary) == (
            "stage.deleted",
            journey.stages[1].id,
            "Compare",
        )

    def test_new_stages_go_last_after_a_delete(self, uow, journey):
        """After a delete, an added stage is numbered right after the last one."""
        journey = make_stages(uow, journey.id, ["Discover", "Compare", "Buy"])
        stages.delete_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=journey.stages[0].id, actor=ALICE
        )

        changed = make_stages(uow, journey.id, ["Use"])

        assert names(changed) == ["Compare", "Buy", "Use"]
        assert positions(changed) == [1, 2, 3]

    def test_cascades_to_touchpoints_votes_pains_and_fixes(self, uow, rows):
        """Deleting a stage deletes its touchpoints, their votes, its pains and their fixes."""
        journey = make_full_map(uow)
        discover, buy = journey.stages
        make_fix(uow, journey.pains[0].id, "Another fix")

        stages.delete_stage(uow(), chat_id=TEAM_CHAT_ID, stage_id=discover.id, actor=ALICE)

        changed = stored(uow, journey.id)
        assert [(s.id, s.position, s.touchpoints) for s in changed.stages] == [
            (buy.id, 1, buy.touchpoints)
        ]
        assert [p.stage_id for p in changed.pains] == [buy.id]
        assert rows(Stage) == 1
        assert rows(Touchpoint) == len(buy.touchpoints)
        assert rows(EmotionVote) == sum(len(tp.votes) for tp in buy.touchpoints)
        assert rows(PainPoint) == 1
        assert rows(Fix) == len(journey.pains[1].fixes)

    def test_missing_stage_is_gone(self, uow):
        """Deleting a stage that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            stages.delete_stage(uow(), chat_id=TEAM_CHAT_ID, stage_id=9, actor=ALICE)


def test_touchpoints_follow_their_stage_when_it_moves(uow, journey):
    """Moving a stage carries its touchpoints along."""
    journey = make_stages(uow, journey.id, ["Discover", "Buy"])
    make_touchpoints(uow, journey.stages[0].id, ["Ad"])

    stages.move_stage(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=journey.stages[0].id, offset=1, actor=ALICE
    )

    changed = stored(uow, journey.id)
    assert [[tp.name for tp in s.touchpoints] for s in changed.stages] == [[], ["Ad"]]

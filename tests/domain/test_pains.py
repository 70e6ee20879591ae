"""Step 5: pain points at a stage or a touchpoint, with category and severity."""

from __future__ import annotations

import pytest

from cjm.errors import ItemGone, TextEmpty, TextTooLong, TooManyItems
from cjm.limits import MAX_PAINS_PER_MAP, TEXT_MAX_CHARS
from cjm.models import Fix, PainCategory, PainPoint, PainSource, Severity, Step
from cjm.services import pains
from cjm.views import PainView
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    make_fix,
    make_map,
    make_pain,
    make_stages,
    make_touchpoints,
    read_map,
)


@pytest.fixture
def journey(uow):
    journey = make_map(uow)
    journey = make_stages(uow, journey.id, ["Discover", "Buy"])
    make_touchpoints(uow, journey.stages[0].id, ["Ad", "Tip"])
    return make_touchpoints(uow, journey.stages[1].id, ["Checkout"])


def stored_pains(uow, journey):
    return read_map(uow, journey.id).pains


class TestAddPain:
    def test_adds_a_pain_to_a_stage(self, uow, journey, changes):
        """A pain point is stored on its stage: medium severity, no category, found by the team."""
        buy = journey.stages[1]

        changed = make_pain(uow, buy.id, "  Too many fields\nand no autofill ")

        [pain] = changed.pains
        assert pain == PainView(
            id=pain.id,
            stage_id=buy.id,
            touchpoint_id=None,
            text="Too many fields\nand no autofill",
            category=None,
            severity=Severity.MEDIUM,
            source=PainSource.TEAM,
        )
        assert pain.is_open
        assert stored_pains(uow, journey) == (pain,)
        change = changes(journey.id)[-1]
        assert (change.action, change.item_id) == ("pain.added", pain.id)
        assert changed.step_done(Step.PAINS)

    def test_returns_the_new_pains_id(self, uow, journey):
        """add_pain returns the id of the pain point it stored, also next to other pains."""
        discover, buy = journey.stages
        first_id = pains.add_pain(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=buy.id, text="Slow", actor=ALICE
        )
        second_id = pains.add_pain(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=discover.id, text="Hidden", actor=ALICE
        )

        stored = read_map(uow, journey.id)
        assert first_id != second_id
        assert (stored.pain(first_id).text, stored.pain(first_id).stage_id) == ("Slow", buy.id)
        assert (stored.pain(second_id).text, stored.pain(second_id).stage_id) == (
            "Hidden",
            discover.id,
        )

    def test_pins_a_pain_to_a_touchpoint_of_its_stage(self, uow, journey):
        """A pain point may name one touchpoint of its own stage."""
        tip = journey.touchpoints[1]

        make_pain(uow, journey.stages[0].id, "Nobody mentions us", touchpoint_id=tip.id)

        [pain] = stored_pains(uow, journey)
        assert (pain.stage_id, pain.touchpoint_id) == (journey.stages[0].id, tip.id)

    def test_touchpoint_of_another_stage_is_refused(self, uow, journey, rows):
        """Pinning to a touchpoint of another stage raises ItemGone and stores nothing."""
        checkout = journey.touchpoints[2]

        with pytest.raises(ItemGone) as raised:
            make_pain(uow, journey.stages[0].id, "Wrong place", touchpoint_id=checkout.id)

        assert raised.value.params == {"kind": "touchpoint"}
        assert rows(PainPoint) == 0

    def test_survey_pains_keep_their_source(self, uow, journey):
        """A pain point found in a customer survey is stored as such."""
        make_pain(uow, journey.stages[0].id, "From the survey", source=PainSource.SURVEY)

        assert stored_pains(uow, journey)[0].source is PainSource.SURVEY

    def test_pains_are_listed_in_stage_order(self, uow, journey):
        """The map lists pains stage by stage, then in the order they were added."""
        discover, buy = journey.stages
        make_pain(uow, buy.id, "B1")
        make_pain(uow, discover.id, "D1")
        make_pain(uow, buy.id, "B2")

        assert [p.text for p in stored_pains(uow, journey)] == ["D1", "B1", "B2"]
        view = read_map(uow, journey.id)
        assert [p.text for p in view.pains_at(buy.id)] == ["B1", "B2"]

    def test_too_long_pain_is_refused(self, uow, journey, rows):
        """A pain over TEXT_MAX_CHARS raises TextTooLong for the pain field and stores nothing."""
        with pytest.raises(TextTooLong) as raised:
            make_pain(uow, journey.stages[0].id, "p" * (TEXT_MAX_CHARS + 1))

        assert raised.value.params == {
            "field": "pain",
            "limit": TEXT_MAX_CHARS,
            "length": TEXT_MAX_CHARS + 1,
        }
        assert rows(PainPoint) == 0

    def test_empty_pain_is_refused(self, uow, journey):
        """A blank pain raises TextEmpty."""
        with pytest.raises(TextEmpty):
            make_pain(uow, journey.stages[0].id, "\n\n")

    @pytest.mark.parametrize(
        "text", ["Price <b>jumps</b> & hides", "<script>", "Дорого 💸", "太贵了", "غالي جدا"]
    )
    def test_text_is_stored_verbatim(self, uow, journey, text):
        """Markup, emoji and non-Latin (incl. right-to-left) pains are kept as typed."""
        make_pain(uow, journey.stages[0].id, text)

        assert stored_pains(uow, journey)[0].text == text

    def test_missing_stage_is_gone(self, uow, journey):
        """A pain on a stage that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            make_pain(uow, 404, "Lost")

    def test_map_holds_at_most_max_pains(self, uow, journey, rows):
        """MAX_PAINS_PER_MAP pains fit on a map; one more raises TooManyItems."""
        discover, buy = journey.stages
        for number in range(MAX_PAINS_PER_MAP):
            make_pain(uow, (discover, buy)[number % 2].id, f"Pain {number}")

        with pytest.raises(TooManyItems) as raised:
            make_pain(uow, discover.id, "One too many")

        assert raised.value.params == {"kind": "pain", "limit": MAX_PAINS_PER_MAP}
        assert rows(PainPoint) == MAX_PAINS_PER_MAP


class TestEditPain:
    @pytest.fixture
    def pain(self, uow, journey):
        return make_pain(uow, journey.stages[0].id, "Slow").pains[0]

    def test_sets_category_and_severity(self, uow, journey, pain, changes):
        """Category and severity can be set without touching the text; the edit is logged."""
        pains.edit_pain(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, category=PainCategory.PROCESS, actor=BOB
        )
        pains.edit_pain(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, severity=Severity.HIGH, actor=BOB
        )

        [edited] = stored_pains(uow, journey)
        assert (edited.text, edited.category, edited.severity) == (
            "Slow",
            PainCategory.PROCESS,
            Severity.HIGH,
        )
        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.actor_id) == (
            "pain.edited",
            pain.id,
            BOB.user_id,
        )

    def test_rewords_the_pain(self, uow, journey, pain):
        """New text replaces the old and keeps category and severity."""
        pains.edit_pain(
            uow(),
            chat_id=TEAM_CHAT_ID,
            pain_id=pain.id,
            category=PainCategory.FINANCIAL,
            severity=Severity.LOW,
            actor=ALICE,
        )

        pains.edit_pain(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, text="Very slow", actor=ALICE
        )

        [edited] = stored_pains(uow, journey)
        assert (edited.text, edited.category, edited.severity) == (
            "Very slow",
            PainCategory.FINANCIAL,
            Severity.LOW,
        )

    def test_too_long_text_is_refused(self, uow, journey, pain):
        """Rewording over TEXT_MAX_CHARS raises TextTooLong and keeps the old text."""
        with pytest.raises(TextTooLong):
            pains.edit_pain(
                uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, text="x" * 501, actor=ALICE
            )

        assert stored_pains(uow, journey)[0].text == "Slow"

    def test_missing_pain_is_gone(self, uow, journey):
        """Editing a pain that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            pains.edit_pain(
                uow(), chat_id=TEAM_CHAT_ID, pain_id=5, severity=Severity.LOW, actor=ALICE
            )


class TestAttach:
    @pytest.fixture
    def pain(self, uow, journey):
        return make_pain(uow, journey.stages[0].id, "Slow").pains[0]

    def test_pins_and_unpins(self, uow, journey, pain, changes):
        """A pain can be pinned to a touchpoint of its stage, and back to the stage as a whole."""
        ad = journey.touchpoints[0]

        pains.attach_to_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, touchpoint_id=ad.id, actor=ALICE
        )
        assert stored_pains(uow, journey)[0].touchpoint_id == ad.id
        assert changes(journey.id)[-1].action == "pain.attached"

        pains.attach_to_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, touchpoint_id=None, actor=ALICE
        )
        assert stored_pains(uow, journey)[0].touchpoint_id is None

    def test_touchpoint_of_another_stage_is_refused(self, uow, journey, pain):
        """Pinning to a touchpoint of another stage raises ItemGone and changes nothing."""
        checkout = journey.touchpoints[2]

        with pytest.raises(ItemGone) as raised:
            pains.attach_to_touchpoint(
                uow(),
                chat_id=TEAM_CHAT_ID,
                pain_id=pain.id,
                touchpoint_id=checkout.id,
                actor=ALICE,
            )

        assert raised.value.params == {"kind": "touchpoint"}
        assert stored_pains(uow, journey)[0].touchpoint_id is None

    def test_missing_touchpoint_is_gone(self, uow, journey, pain):
        """Pinning to a touchpoint that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            pains.attach_to_touchpoint(
                uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, touchpoint_id=999, actor=ALICE
            )


class TestDeletePain:
    def test_deletes_the_pain_and_its_fixes(self, uow, journey, rows, changes):
        """Deleting a pain deletes its fixes, leaves other pains, and is logged."""
        doomed = make_pain(uow, journey.stages[0].id, "Doomed").pains[0]
        kept = make_pain(uow, journey.stages[1].id, "Kept").pains[1]
        make_fix(uow, doomed.id, "Fix 1")
        make_fix(uow, doomed.id, "Fix 2")
        make_fix(uow, kept.id, "Fix 3")

        pains.delete_pain(uow(), chat_id=TEAM_CHAT_ID, pain_id=doomed.id, actor=ALICE)

        assert [p.text for p in stored_pains(uow, journey)] == ["Kept"]
        assert rows(Fix) == 1
        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.summary) == (
            "pain.deleted",
            doomed.id,
            "Doomed",
        )

    def test_missing_pain_is_gone(self, uow, journey):
        """Deleting a pain that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            pains.delete_pain(uow(), chat_id=TEAM_CHAT_ID, pain_id=5, actor=ALICE)

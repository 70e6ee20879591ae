"""What a step card has in focus, and the wizard's step order."""

from __future__ import annotations

import pytest

from cjm.cards import Focus, neighbour, resolve
from cjm.clock import FrozenClock
from cjm.db import make_engine, unit_of_work_factory, upgrade
from cjm.models import FocusKind, Step
from cjm.services import fixes, pains, touchpoints
from cjm.views import CardView
from tests.factories import (
    ALICE,
    NOW,
    TEAM_CHAT_ID,
    make_fix,
    make_full_map,
    make_map,
    make_pain,
    make_stages,
    make_touchpoints,
    read_map,
)


@pytest.fixture(scope="module")
def journey():
    """A full map's view, built once for the tests that only read it."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    try:
        return make_full_map(unit_of_work_factory(engine, FrozenClock(NOW)))
    finally:
        engine.dispose()


@pytest.fixture
def stored_journey(uow):
    """A full map in this test's database, for tests that change it."""
    return make_full_map(uow)


def card(journey, step, item=None, focus=None):
    return CardView(journey, step, 100, item, focus)


class TestPersona:
    @pytest.mark.parametrize("focus", [None, FocusKind.STAGE], ids=["no focus", "a stage"])
    def test_a_persona_card_has_nothing_in_focus(self, journey, focus):
        """A persona card points at no item, whatever is stored with it."""
        assert resolve(card(journey, Step.PERSONA, journey.stages[0].id, focus)) == Focus()


class TestStages:
    def test_focused_stage(self, journey):
        """A stages card focused on a stage shows it."""
        buy = journey.stages[1]

        assert resolve(card(journey, Step.STAGES, buy.id)) == Focus(stage=buy)

    @pytest.mark.parametrize("item", [None, 999])
    def test_no_or_deleted_stage(self, journey, item):
        """A stages card with no stage, or a deleted one, has no stage in focus."""
        assert resolve(card(journey, Step.STAGES, item)) == Focus()


class TestTouchpoints:
    def test_defaults_to_the_first_stage(self, journey):
        """A touchpoints card with nothing in focus shows the first stage."""
        assert resolve(card(journey, Step.TOUCHPOINTS)) == Focus(stage=journey.stages[0])

    def test_focused_stage(self, journey):
        """A touchpoints card focused on a stage shows that stage."""
        buy = journey.stages[1]

        assert resolve(card(journey, Step.TOUCHPOINTS, buy.id)) == Focus(stage=buy)

    def test_focused_touchpoint(self, journey):
        """A touchpoints card focused on a touchpoint shows it with its stage."""
        checkout = journey.touchpoints[2]

        focused = card(journey, Step.TOUCHPOINTS, checkout.id, FocusKind.TOUCHPOINT)

        assert resolve(focused) == Focus(stage=journey.stages[1], touchpoint=checkout)

    def test_deleted_stage_falls_back_to_the_first(self, journey):
        """A touchpoints card whose stage was deleted shows the first stage."""
        assert resolve(card(journey, Step.TOUCHPOINTS, 999)) == Focus(stage=journey.stages[0])

    def test_no_stages_no_focus(self, uow):
        """A touchpoints card on a map without stages has nothing in focus."""
        empty = make_map(uow)

        assert resolve(card(empty, Step.TOUCHPOINTS)) == Focus()

    def test_deleted_touchpoint_falls_back_to_the_first_stage(self, uow):
        """A touchpoints card whose touchpoint was deleted shows the first stage."""
        journey = make_map(uow)
        journey = make_stages(uow, journey.id, ["Discover", "Buy"])
        discover, buy = journey.stages
        make_touchpoints(uow, buy.id, ["Cart"])
        journey = make_touchpoints(uow, buy.id, ["Checkout"])
        doomed = journey.touchpoints[-1]
        assert doomed.id == buy.id  # the deleted touchpoint's id is also a later stage's id
        touchpoints.delete_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=doomed.id, actor=ALICE
        )
        journey = read_map(uow, journey.id)

        assert resolve(card(journey, Step.TOUCHPOINTS, doomed.id, FocusKind.TOUCHPOINT)) == Focus(
            stage=discover
        )


class TestEmotions:
    def test_defaults_to_the_first_touchpoint(self, journey):
        """An emotions card with nothing in focus shows the first touchpoint and its stage."""
        assert resolve(card(journey, Step.EMOTIONS)) == Focus(
            stage=journey.stages[0], touchpoint=journey.touchpoints[0]
        )

    def test_focused_touchpoint(self, journey):
        """An emotions card focused on a touchpoint shows it with its stage."""
        checkout = journey.touchpoints[2]

        assert resolve(card(journey, Step.EMOTIONS, checkout.id)) == Focus(
            stage=journey.stages[1], touchpoint=checkout
        )

    def test_deleted_touchpoint_falls_back_to_the_first(self, uow, stored_journey):
        """An emotions card whose touchpoint was deleted shows the first touchpoint."""
        checkout = stored_journey.touchpoints[2]
        touchpoints.delete_touchpoint(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=checkout.id, actor=ALICE
        )
        changed = read_map(uow, stored_journey.id)

        assert resolve(card(changed, Step.EMOTIONS, checkout.id)) == Focus(
            stage=changed.stages[0], touchpoint=changed.touchpoints[0]
        )

    def test_no_touchpoints_no_focus(self, uow):
        """An emotions card on a map without touchpoints has nothing in focus."""
        journey = make_map(uow)
        journey = make_stages(uow, journey.id, ["Discover"])

        assert resolve(card(journey, Step.EMOTIONS)) == Focus()


class TestPains:
    def test_defaults_to_the_first_stage(self, journey):
        """A pains card with nothing in focus shows the first stage."""
        assert resolve(card(journey, Step.PAINS)) == Focus(stage=journey.stages[0])

    def test_focused_stage(self, journey):
        """A pains card focused on a stage shows that stage."""
        assert resolve(card(journey, Step.PAINS, journey.stages[1].id)) == Focus(
            stage=journey.stages[1]
        )

    def test_focused_pain(self, journey):
        """A pains card focused on a pain shows it with its stage."""
        second = journey.pains[1]

        assert resolve(card(journey, Step.PAINS, second.id, FocusKind.PAIN)) == Focus(
            stage=journey.stages[1], pain=second
        )

    def test_deleted_pain_falls_back_to_the_first_stage(self, uow):
        """A pains card whose pain was deleted shows the first stage."""
        journey = make_map(uow)
        journey = make_stages(uow, journey.id, ["Discover", "Buy"])
        discover, buy = journey.stages
        make_pain(uow, discover.id, "First")
        journey = make_pain(uow, discover.id, "Second")
        doomed = journey.pains[-1]
        assert doomed.id == buy.id  # the deleted pain's id is also a later stage's id
        pains.delete_pain(uow(), chat_id=TEAM_CHAT_ID, pain_id=doomed.id, actor=ALICE)
        journey = read_map(uow, journey.id)

        assert resolve(card(journey, Step.PAINS, doomed.id, FocusKind.PAIN)) == Focus(
            stage=discover
        )

    def test_pain_number(self, journey):
        """A focused pain's number is its 1-based place on the map; no pain is number 0."""
        second = journey.pains[1]

        focused = card(journey, Step.PAINS, second.id, FocusKind.PAIN)

        assert resolve(focused).pain_number(journey) == 2
        assert resolve(card(journey, Step.PAINS)).pain_number(journey) == 0


class TestFixes:
    def test_defaults_to_the_first_pain(self, journey):
        """A fixes card with nothing in focus shows the first pain point."""
        assert resolve(card(journey, Step.FIXES)) == Focus(pain=journey.pains[0])

    def test_focused_pain(self, journey):
        """A fixes card focused on a pain shows it."""
        assert resolve(card(journey, Step.FIXES, journey.pains[1].id)) == Focus(
            pain=journey.pains[1]
        )

    def test_focused_fix(self, journey):
        """A fixes card focused on a fix shows it with its pain."""
        fix = journey.fixes[1]

        assert resolve(card(journey, Step.FIXES, fix.id, FocusKind.FIX)) == Focus(
            pain=journey.pains[1], fix=fix
        )

    def test_deleted_pain_falls_back_to_the_first(self, uow, stored_journey):
        """A fixes card whose pain was deleted shows the first pain point."""
        doomed = stored_journey.pains[1]
        pains.delete_pain(uow(), chat_id=TEAM_CHAT_ID, pain_id=doomed.id, actor=ALICE)
        changed = read_map(uow, stored_journey.id)

        assert resolve(card(changed, Step.FIXES, doomed.id)) == Focus(pain=changed.pains[0])

    def test_no_pains_no_focus(self, uow):
        """A fixes card on a map without pains has nothing in focus."""
        assert resolve(card(make_map(uow), Step.FIXES)) == Focus()

    def test_deleted_fix_falls_back_to_the_first_pain(self, uow):
        """A fixes card whose fix was deleted shows the first pain point."""
        journey = make_map(uow)
        journey = make_stages(uow, journey.id, ["Buy"])
        make_pain(uow, journey.stages[0].id, "First")
        journey = make_pain(uow, journey.stages[0].id, "Second")
        first, second = journey.pains
        make_fix(uow, first.id, "Fix one")
        journey = make_fix(uow, first.id, "Fix two")
        doomed = journey.fixes[-1]
        assert doomed.id == second.id  # the deleted fix's id is also another pain's id
        fixes.delete_fix(uow(), chat_id=TEAM_CHAT_ID, fix_id=doomed.id, actor=ALICE)
        journey = read_map(uow, journey.id)

        assert resolve(card(journey, Step.FIXES, doomed.id, FocusKind.FIX)) == Focus(
            pain=journey.pain(first.id)
        )


class TestStepOrder:
    @pytest.mark.parametrize(
        ("step", "offset", "expected"),
        [
            (Step.PERSONA, -1, None),
            (Step.PERSONA, 1, Step.STAGES),
            (Step.EMOTIONS, -1, Step.TOUCHPOINTS),
            (Step.EMOTIONS, 1, Step.PAINS),
            (Step.FIXES, 1, None),
        ],
    )
    def test_neighbour(self, step, offset, expected):
        """The wizard walks persona → stages → touchpoints → emotions → pains → fixes."""
        assert neighbour(step, offset) is expected


def test_resolve_reads_a_stored_map(uow, stored_journey):
    """resolve works on a map read back from storage exactly as on the returned view."""
    stored = read_map(uow, stored_journey.id)

    assert resolve(card(stored, Step.FIXES, stored_journey.fixes[0].id, FocusKind.FIX)) == Focus(
        pain=stored_journey.pains[0], fix=stored_journey.fixes[0]
    )

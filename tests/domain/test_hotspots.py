"""Hotspots: the need formula, ranking and reasons, and the moments of truth they weigh."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from cjm.db import UnitOfWork
from cjm.errors import AlreadyHandled
from cjm.models import PromptKind, Severity, SurveyKind
from cjm.services import hotspots, pains, prompts, responses, surveys, touchpoints
from cjm.views import MapView, Reason, TouchpointScore
from tests.factories import ALICE, BOB, TEAM_CHAT_ID, make_full_map, make_map, read_map

NewUow = Callable[[], UnitOfWork]


@pytest.fixture
def journey(uow: NewUow) -> MapView:
    """The full small map: ad (+1, one open medium pain), tip (+2), checkout (−2)."""
    return make_full_map(uow)


def by_name(view: MapView, name: str) -> int:
    return next(tp.id for tp in view.touchpoints if tp.name == name)


class TestNeedFormula:
    def test_terms_match_hand_computed_values(self) -> None:
        """need = max(0,−e)/2 + (1 − survey) + min(pains,6)/6, ×1.5 for a moment of truth."""
        frame = pd.DataFrame(
            {
                "emotion": [-1.5, 1.0, math.nan, -2.0],
                "survey": [math.nan, 0.4, math.nan, 0.0],
                "pain_points": [3, 0, 0, 9],
                "moment": [False, True, True, False],
            }
        )

        need = hotspots.need_scores(frame)

        assert need["emotion_need"].tolist() == [0.75, 0.0, 0.0, 1.0]
        assert need["survey_need"].tolist() == pytest.approx([0.0, 0.6, 0.0, 1.0])
        assert need["pain_need"].tolist() == [0.5, 0.0, 0.0, 1.0]
        assert need["need"].tolist() == pytest.approx([1.25, 0.9, 0.0, 3.0])

    @pytest.mark.parametrize(
        ("kind", "value", "expected"),
        [
            ("nps", -100.0, 0.0),
            ("nps", -20.0, 0.4),
            ("nps", 100.0, 1.0),
            ("csat", 75.0, 0.75),
            ("ces", 1.0, 0.0),
            ("ces", 4.0, 0.5),
            ("ces", 7.0, 1.0),
        ],
        ids=["nps-worst", "nps-minus-20", "nps-best", "csat-75", "ces-1", "ces-4", "ces-7"],
    )
    def test_survey_scores_are_normalised_to_0_1(
        self, kind: str, value: float, expected: float
    ) -> None:
        """NPS (v+100)/200, CSAT v/100, CES (v−1)/6: 1 is the best score."""
        score = TouchpointScore(kind, value, 40, 0)
        assert hotspots.normalised_survey(score) == pytest.approx(expected)


class TestHotspots:
    def test_only_touchpoints_with_evidence_rank_worst_first(
        self, uow: NewUow, journey: MapView
    ) -> None:
        """Checkout (emotion −2 → 1.0) before the ad (a medium pain → 2/6); the tip is fine."""
        spots = hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)

        assert [(s.touchpoint.name, s.score) for s in spots] == [
            ("Checkout", 1.0),
            ("Search ad", 0.33),
        ]
        assert spots[0].stage.name == "Buy"
        assert spots[0].reasons == (Reason("emotion", -2.0),)
        assert spots[1].reasons == (Reason("pains", 1, "medium"),)
        assert spots[1].open_pain is not None
        assert spots[1].open_pain.text == "Ads promise a discount that is gone"

    def test_a_moment_of_truth_weighs_one_and_a_half(self, uow: NewUow, journey: MapView) -> None:
        """A high pain more puts the ad at 5/6 < 1.0; as a moment of truth, 1.25 ranks it first."""
        ad = by_name(journey, "Search ad")
        pains.add_pain(
            uow(),
            chat_id=TEAM_CHAT_ID,
            stage_id=journey.stages[0].id,
            text="Price differs",
            touchpoint_id=ad,
            severity=Severity.HIGH,
            actor=ALICE,
        )
        before = hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)

        touchpoints.set_moment_of_truth(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=ad, value=True, actor=ALICE
        )
        after = hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)

        assert [(s.touchpoint.name, s.score) for s in before] == [
            ("Checkout", 1.0),
            ("Search ad", 0.83),
        ]
        assert [(s.touchpoint.name, s.score) for s in after] == [
            ("Search ad", 1.25),
            ("Checkout", 1.0),
        ]
        assert after[0].reasons == (
            Reason("pains", 1, "high"),
            Reason("pains", 1, "medium"),
            Reason("moment"),
        )
        assert after[0].open_pain is not None
        assert after[0].open_pain.text == "Price differs"

    def test_a_moment_of_truth_alone_never_ranks(self, uow: NewUow, journey: MapView) -> None:
        """The tip (+2, no pains) stays out, ⭐ or not: 0 × 1.5 is 0."""
        tip = by_name(journey, "Friend's tip")
        touchpoints.set_moment_of_truth(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=tip, value=True, actor=ALICE
        )

        names = [
            s.touchpoint.name
            for s in hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)
        ]

        assert "Friend's tip" not in names

    def test_a_low_survey_score_adds_to_the_need(self, uow: NewUow, journey: MapView) -> None:
        """Five detractors (NPS −100) add a full 1.0 to checkout's need, with the NPS as reason."""
        survey = surveys.create_survey(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=by_name(journey, "Checkout"),
            kind=SurveyKind.NPS,
            ask_why=False,
            actor=ALICE,
        )
        for customer in range(5):
            responses.answer(
                uow(), survey_id=survey.id, user_id=9000 + customer, language_code="en", score=0
            )

        spots = hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, limit=1)

        assert [(s.touchpoint.name, s.score) for s in spots] == [("Checkout", 2.0)]
        assert spots[0].reasons == (Reason("emotion", -2.0), Reason("nps", -100.0))

    def test_an_empty_map_has_no_hotspots(self, uow: NewUow) -> None:
        """No touchpoints, no hotspots (and no error)."""
        journey = make_map(uow)
        assert hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id) == []


class TestMomentOfTruth:
    def test_marking_shows_on_the_map_and_is_logged(
        self, uow: NewUow, journey: MapView, changes: Callable[[int], list[Any]]
    ) -> None:
        """The flag is stored, read back on the map, and both changes are in the change log."""
        ad = by_name(journey, "Search ad")
        touchpoints.set_moment_of_truth(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=ad, value=True, actor=BOB
        )
        view = read_map(uow, journey.id)
        assert view.touchpoint(ad).is_moment_of_truth  # type: ignore[union-attr]

        touchpoints.set_moment_of_truth(
            uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=ad, value=False, actor=BOB
        )
        view = read_map(uow, journey.id)
        assert not view.touchpoint(ad).is_moment_of_truth  # type: ignore[union-attr]
        actions = [c.action for c in changes(journey.id) if c.item_id == ad]
        assert actions[-2:] == ["touchpoint.moment_set", "touchpoint.moment_unset"]


class TestHotspotFix:
    def ask(self, uow: NewUow, journey: MapView, touchpoint_id: int, message_id: int) -> None:
        asked = prompts.prepare(
            uow(), chat_id=TEAM_CHAT_ID, kind=PromptKind.HOTSPOT_FIX, target_id=touchpoint_id
        )
        assert asked.map_id == journey.id
        prompts.remember(uow(), chat_id=TEAM_CHAT_ID, message_id=message_id, asked=asked)

    def reply(self, uow: NewUow, message_id: int, reply_id: int, text: str):  # type: ignore[no-untyped-def]
        return prompts.answer(
            uow(),
            chat_id=TEAM_CHAT_ID,
            prompt_message_id=message_id,
            reply_message_id=reply_id,
            text=text,
            actor=BOB,
        )

    def test_a_fix_lands_on_the_most_severe_open_pain(self, uow: NewUow, journey: MapView) -> None:
        """The ad has an open pain: the reply becomes a fix for it (status idea)."""
        self.ask(uow, journey, by_name(journey, "Search ad"), 800)

        answered = self.reply(uow, 800, 801, "Check ads weekly")

        assert answered.kind is PromptKind.HOTSPOT_FIX
        assert answered.confirm
        assert answered.outcome.added_fix  # type: ignore[attr-defined]
        pain = read_map(uow, journey.id).pains[0]
        assert [f.text for f in pain.fixes] == [
            "Sync ad copy with the price list",
            "Check ads weekly",
        ]

    def test_without_an_open_pain_the_reply_is_a_new_pain(
        self, uow: NewUow, journey: MapView
    ) -> None:
        """Checkout has no pinned pain: the reply becomes a pain point at checkout."""
        checkout = by_name(journey, "Checkout")
        self.ask(uow, journey, checkout, 800)

        answered = self.reply(uow, 800, 801, "Card declined without a reason")

        assert not answered.outcome.added_fix  # type: ignore[attr-defined]
        view = read_map(uow, journey.id)
        assert [p.text for p in view.pains if p.touchpoint_id == checkout] == [
            "Card declined without a reason"
        ]

    def test_a_redelivered_reply_changes_nothing(self, uow: NewUow, journey: MapView) -> None:
        """The same Telegram message twice: the second is AlreadyHandled, one fix stored."""
        self.ask(uow, journey, by_name(journey, "Search ad"), 800)
        self.reply(uow, 800, 801, "Check ads weekly")

        with pytest.raises(AlreadyHandled):
            self.reply(uow, 800, 801, "Check ads weekly")
        assert len(read_map(uow, journey.id).pains[0].fixes) == 2

"""Insight questions: a reply to "➕ Add a fix" from /hotspots lands on the right pain."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.errors import AlreadyHandled
from cjm.models import PromptKind
from cjm.services import insights, maps
from cjm.services.insights import Question
from cjm.views import MapView
from tests.factories import BOB, TEAM_CHAT_ID, make_full_map

NewUow = Callable[[], UnitOfWork]


@pytest.fixture
def journey(uow: NewUow) -> MapView:
    """The full small map: ad (+1, one open medium pain), tip (+2), checkout (−2)."""
    return make_full_map(uow)


def by_name(view: MapView, name: str) -> int:
    return next(tp.id for tp in view.touchpoints if tp.name == name)


class TestHotspotFix:
    def ask(self, uow: NewUow, journey: MapView, touchpoint_id: int, message_id: int) -> None:
        insights.remember_question(
            uow(),
            chat_id=TEAM_CHAT_ID,
            message_id=message_id,
            kind=Question.HOTSPOT_FIX,
            map_id=journey.id,
            target_id=touchpoint_id,
        )

    def reply(self, uow: NewUow, message_id: int, reply_id: int, text: str):  # type: ignore[no-untyped-def]
        return insights.answer_question(
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

        assert answered.kind is Question.HOTSPOT_FIX
        assert answered.outcome.added_fix
        pain = maps.get_map(uow(), map_id=journey.id).pains[0]
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

        assert not answered.outcome.added_fix
        view = maps.get_map(uow(), map_id=journey.id)
        assert [p.text for p in view.pains if p.touchpoint_id == checkout] == [
            "Card declined without a reason"
        ]

    def test_a_redelivered_reply_changes_nothing(self, uow: NewUow, journey: MapView) -> None:
        """The same Telegram message twice: the second is AlreadyHandled, one fix stored."""
        self.ask(uow, journey, by_name(journey, "Search ad"), 800)
        self.reply(uow, 800, 801, "Check ads weekly")

        with pytest.raises(AlreadyHandled):
            self.reply(uow, 800, 801, "Check ads weekly")
        assert len(maps.get_map(uow(), map_id=journey.id).pains[0].fixes) == 2

    def test_the_generic_router_knows_the_kind_too(self) -> None:
        """Question.HOTSPOT_FIX is the same stored kind as prompts.PromptKind.HOTSPOT_FIX."""
        assert Question.HOTSPOT_FIX.value == PromptKind.HOTSPOT_FIX.value

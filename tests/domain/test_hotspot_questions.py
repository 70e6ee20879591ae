"""The hotspot question: a reply to "➕ Add a fix" from /hotspots lands on the right pain."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.errors import AlreadyHandled
from cjm.models import PromptKind
from cjm.services import maps, prompts
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

        assert not answered.outcome.added_fix  # type: ignore[attr-defined]
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

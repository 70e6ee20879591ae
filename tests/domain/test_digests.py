"""The review digest: changes since the last review, open fixes, surveys, gaps; split to fit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.messages import pack
from cjm.models import SurveyKind
from cjm.render.texts import Texts
from cjm.services import hotspots, kpis, responses, surveys
from cjm.services.digests import build_digest, digest_blocks
from tests.factories import ALICE, TEAM_CHAT_ID, make_big_map, make_full_map, make_stages


@pytest.fixture
def journey(uow):
    return make_full_map(uow)


def test_changes_are_grouped_by_member_and_kind(uow, journey, clock):
    """Alice's three touchpoints are one line with examples; nothing before `since` counts."""
    digest = build_digest(uow(), map_id=journey.id, since=None, now=clock.now())
    added = next(g for g in digest.changes if g.action == "touchpoint.added")
    assert added.actor_name == "Alice"
    assert digest.changes_total >= 10
    later = build_digest(uow(), map_id=journey.id, since=clock.now(), now=clock.now())
    assert later.changes == ()


def test_open_fixes_show_owners_and_overdue_first(uow, journey, clock):
    """@bob's fix has no due date; "me" (Alice) is due 2026-12-15 and overdue after it."""
    clock.advance(timedelta(days=30))
    digest = build_digest(uow(), map_id=journey.id, since=None, now=clock.now())
    owners = [f.owner_name for f in digest.open_fixes]
    assert set(owners) == {"@bob", "@alice"}
    assert digest.open_fixes[0].overdue
    assert digest.overdue_count == 1


def test_unmeasured_touchpoints_and_empty_steps(uow, journey, clock):
    """No surveys yet: every touchpoint is unmeasured; the persona is still empty."""
    make_stages(uow, journey.id, ["Return"])
    digest = build_digest(uow(), map_id=journey.id, since=None, now=clock.now())
    assert set(digest.unmeasured) == {"Search ad", "Friend's tip", "Checkout"}
    assert "persona" in digest.empty_steps
    assert digest.stages_without_touchpoints == ("Return",)


def test_new_survey_answers_show_their_change(uow, journey, clock):
    """Answers before and after the last review: the score now and how far it moved."""
    ad = journey.touchpoints[0]
    survey = surveys.create_survey(
        uow(),
        chat_id=TEAM_CHAT_ID,
        touchpoint_id=ad.id,
        kind=SurveyKind.CSAT,
        ask_why=False,
        actor=ALICE,
    )
    for user in range(10):
        responses.answer(
            uow(), survey_id=survey.id, user_id=1000 + user, language_code="en", score=5
        )
    since = clock.now()
    clock.advance(timedelta(days=1))
    for user in range(10, 20):
        responses.answer(
            uow(), survey_id=survey.id, user_id=1000 + user, language_code="en", score=1
        )
    digest = build_digest(uow(), map_id=journey.id, since=since, now=clock.now())
    (change,) = digest.surveys
    assert change.touchpoint_name == "Search ad"
    assert change.new_answers == 10
    assert change.previous == pytest.approx(100)
    assert change.score == pytest.approx(50)
    assert change.change == pytest.approx(-50)
    assert "Search ad" not in digest.unmeasured


def test_the_digest_renders_escaped_and_split(uow, clock):
    """A big map's digest fits Telegram's 4096 characters per message, HTML escaped."""
    journey = make_big_map(uow)
    digest = build_digest(uow(), map_id=journey.id, since=None, now=clock.now())
    messages = pack(digest_blocks(Texts(), digest))
    assert all(len(m) <= 4096 for m in messages)
    text = "\n".join(messages)
    assert "Review time" in text
    assert "&lt;b&gt;badly" in text
    assert "<b>badly" not in text
    assert pack(digest_blocks(Texts(), digest), 500) != messages


def test_the_digest_lists_the_hotspots(uow, journey, clock):
    """The digest names the touchpoints that need work most, as /hotspots ranks them."""
    digest = build_digest(uow(), map_id=journey.id, since=None, now=clock.now())
    ranked = hotspots.hotspots(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, limit=3)
    assert digest.hotspots == tuple(spot.name for spot in ranked)
    assert digest.hotspots
    assert f"🔥 {digest.hotspots[0]}" in "\n".join(pack(digest_blocks(Texts(), digest)))


def test_kpis_show_their_change_since_the_last_review(uow, journey, clock):
    """A KPI's latest value, its target, and how it moved since the last review, and which way."""
    stage = journey.stages[0]
    kpi = kpis.add_kpi(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=stage.id, text="Conversion; %; 3.5; up", actor=ALICE
    )
    kpis.record_kpi_value(
        uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3.0 on 2026-11-20", actor=ALICE
    )
    kpis.record_kpi_value(uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3.4", actor=ALICE)
    since = clock.now() - timedelta(days=3)

    digest = build_digest(uow(), map_id=journey.id, since=since, now=clock.now())

    (change,) = digest.kpis
    assert (change.name, change.value, change.target) == ("Conversion", 3.4, 3.5)
    assert change.change == pytest.approx(0.4)
    assert change.better is True
    assert "Conversion: 3.4% / 🎯 3.5% (+0.4% ▲ better)" in "\n".join(
        pack(digest_blocks(Texts(), digest))
    )

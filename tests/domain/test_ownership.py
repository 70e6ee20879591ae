"""Ownership: a service given another chat's id refuses it as if gone, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from cjm.errors import ItemGone, StaleButton
from cjm.models import (
    Cadence,
    FixStatus,
    Mode,
    PersonaField,
    SurveyKind,
    SurveyResponse,
    SurveyStatus,
)
from cjm.services import (
    changes,
    emotions,
    fixes,
    hotspots,
    kpis,
    maps,
    pains,
    persona,
    reminders,
    responses,
    results,
    reviews,
    stages,
    surveys,
    touchpoints,
)
from cjm.services.ownership import owned, owned_kinds
from cjm.services.touchpoints import Channel
from tests.factories import (
    ALICE,
    TEAM_CHAT_ID,
    NewUow,
    make_full_map,
    make_map,
    make_weekly_review,
)

OTHER = -1005555  # another team's group
CUSTOMER = 4242  # a customer's private chat


@pytest.fixture
def ids(uow: NewUow) -> dict[str, int]:
    """Team A's map with one of everything; team B has a map of its own."""
    journey = make_full_map(uow)
    make_map(uow, chat_id=OTHER)
    stage, touchpoint, pain = journey.stages[0], journey.touchpoints[0], journey.pains[0]
    kpi = kpis.add_kpi(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=stage.id, text="Rate; %; 3; up", actor=ALICE
    )
    survey = surveys.create_survey(
        uow(),
        chat_id=TEAM_CHAT_ID,
        touchpoint_id=touchpoint.id,
        kind=SurveyKind.NPS,
        ask_why=True,
        actor=ALICE,
    )
    responses.open_survey(uow(), token=survey.token, user_id=CUSTOMER, language_code="en")
    responses.answer(uow(), survey_id=survey.id, user_id=CUSTOMER, language_code="en", score=1)
    responses.add_comment(uow(), user_id=CUSTOMER, text="Too slow")
    with uow() as unit:
        response_id = unit.session.exec(select(SurveyResponse.id)).one()
    return {
        "journeymap": journey.id,
        "stage": stage.id,
        "touchpoint": touchpoint.id,
        "painpoint": pain.id,
        "fix": pain.fixes[0].id,
        "kpi": kpi.id,
        "survey": survey.id,
        "surveyresponse": response_id or 0,
    }


def dump(uow: NewUow) -> dict[str, list[str]]:
    with uow() as unit:
        return {
            t.name: sorted(repr(tuple(r)) for r in unit.session.execute(t.select()))
            for t in SQLModel.metadata.sorted_tables
        }


def test_every_kind_of_row_is_owned_through_its_map(uow: NewUow, ids: dict[str, int]) -> None:
    """Each kind loads for its own chat, and is ItemGone for another chat or once gone."""
    for model in owned_kinds():
        item_id = ids[model.__name__.lower()]
        with uow() as unit:
            assert owned(unit, model, item_id, chat_id=TEAM_CHAT_ID) is not None
            for chat_id, wrong_id in (
                (OTHER, item_id),
                (CUSTOMER, item_id),
                (TEAM_CHAT_ID, 10**9),
            ):
                with pytest.raises(ItemGone) as refused:
                    owned(unit, model, wrong_id, chat_id=chat_id)
                assert refused.value.params == {"kind": model.__name__.lower()}


A = ALICE
Call = Callable[[NewUow, dict[str, int], int], Any]

# Every service that takes an id from a button or a reply, called by another chat.
CALLS: dict[str, Call] = {
    "get_map": lambda u, i, c: maps.get_map(u(), chat_id=c, map_id=i["journeymap"]),
    "switch_map": lambda u, i, c: maps.switch_map(u(), chat_id=c, map_id=i["journeymap"]),
    "delete_map": lambda u, i, c: maps.delete_map(u(), chat_id=c, map_id=i["journeymap"]),
    "persona": lambda u, i, c: persona.set_persona_field(
        u(), chat_id=c, map_id=i["journeymap"], field=PersonaField.NAME, value="x", actor=A
    ),
    "add_stages": lambda u, i, c: stages.add_stages(
        u(), chat_id=c, map_id=i["journeymap"], text="x", actor=A
    ),
    "rename_stage": lambda u, i, c: stages.rename_stage(
        u(), chat_id=c, stage_id=i["stage"], name="x", actor=A
    ),
    "stage_goal": lambda u, i, c: stages.set_customer_goal(
        u(), chat_id=c, stage_id=i["stage"], goal="x", actor=A
    ),
    "move_stage": lambda u, i, c: stages.move_stage(
        u(), chat_id=c, stage_id=i["stage"], offset=1, actor=A
    ),
    "delete_stage": lambda u, i, c: stages.delete_stage(
        u(), chat_id=c, stage_id=i["stage"], actor=A
    ),
    "add_touchpoints": lambda u, i, c: touchpoints.add_touchpoints(
        u(), chat_id=c, stage_id=i["stage"], text="x", actor=A
    ),
    "rename_touchpoint": lambda u, i, c: touchpoints.rename_touchpoint(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], name="x", actor=A
    ),
    "set_channel": lambda u, i, c: touchpoints.set_channel(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], channel="x", actor=A
    ),
    "pick_channel": lambda u, i, c: touchpoints.pick_channel(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], channel=Channel.STORE, actor=A
    ),
    "set_mode": lambda u, i, c: touchpoints.set_mode(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], mode=Mode.OFFLINE, actor=A
    ),
    "moment": lambda u, i, c: touchpoints.set_moment_of_truth(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], value=True, actor=A
    ),
    "delete_touchpoint": lambda u, i, c: touchpoints.delete_touchpoint(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], actor=A
    ),
    "vote": lambda u, i, c: emotions.cast_vote(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], score=2, voter=A
    ),
    "note": lambda u, i, c: emotions.set_note(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], note="x", voter=A
    ),
    "add_pain": lambda u, i, c: pains.add_pain(
        u(), chat_id=c, stage_id=i["stage"], text="x", actor=A
    ),
    "edit_pain": lambda u, i, c: pains.edit_pain(
        u(), chat_id=c, pain_id=i["painpoint"], text="x", actor=A
    ),
    "attach_pain": lambda u, i, c: pains.attach_to_touchpoint(
        u(), chat_id=c, pain_id=i["painpoint"], touchpoint_id=None, actor=A
    ),
    "delete_pain": lambda u, i, c: pains.delete_pain(
        u(), chat_id=c, pain_id=i["painpoint"], actor=A
    ),
    "add_fix": lambda u, i, c: fixes.add_fix(
        u(), chat_id=c, pain_id=i["painpoint"], text="x", actor=A
    ),
    "fix_text": lambda u, i, c: fixes.edit_fix_text(
        u(), chat_id=c, fix_id=i["fix"], text="x", actor=A
    ),
    "fix_status": lambda u, i, c: fixes.set_status(
        u(), chat_id=c, fix_id=i["fix"], status=FixStatus.DONE, actor=A
    ),
    "fix_owner": lambda u, i, c: fixes.set_owner(
        u(), chat_id=c, fix_id=i["fix"], owner="x", actor=A
    ),
    "fix_due": lambda u, i, c: fixes.set_due_date(
        u(), chat_id=c, fix_id=i["fix"], text="2030-01-01", actor=A
    ),
    "delete_fix": lambda u, i, c: fixes.delete_fix(u(), chat_id=c, fix_id=i["fix"], actor=A),
    "add_kpi": lambda u, i, c: kpis.add_kpi(
        u(), chat_id=c, stage_id=i["stage"], text="New; %; 1; up", actor=A
    ),
    "kpi_value": lambda u, i, c: kpis.record_kpi_value(
        u(), chat_id=c, kpi_id=i["kpi"], text="3", actor=A
    ),
    "kpi_board": lambda u, i, c: kpis.list_kpis(u(), chat_id=c, map_id=i["journeymap"]),
    "hotspots": lambda u, i, c: hotspots.hotspots(u(), chat_id=c, map_id=i["journeymap"]),
    "fix_target": lambda u, i, c: hotspots.fix_target(
        u(), chat_id=c, touchpoint_id=i["touchpoint"]
    ),
    "hotspot_fix": lambda u, i, c: hotspots.add_hotspot_fix(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], text="x", actor=A
    ),
    "survey_setup": lambda u, i, c: surveys.survey_setup(u(), chat_id=c, stage_id=i["stage"]),
    "setup_touchpoint": lambda u, i, c: surveys.setup_touchpoint(
        u(), chat_id=c, touchpoint_id=i["touchpoint"]
    ),
    "create_survey": lambda u, i, c: surveys.create_survey(
        u(), chat_id=c, touchpoint_id=i["touchpoint"], kind=SurveyKind.CES, ask_why=False, actor=A
    ),
    "survey_status": lambda u, i, c: surveys.set_status(
        u(), chat_id=c, survey_id=i["survey"], status=SurveyStatus.CLOSED, actor=A
    ),
    "survey_question": lambda u, i, c: surveys.set_question(
        u(), chat_id=c, survey_id=i["survey"], text="x", actor=A
    ),
    "survey_cap": lambda u, i, c: surveys.set_cap(
        u(), chat_id=c, survey_id=i["survey"], text="3", actor=A
    ),
    "post_candidates": lambda u, i, c: surveys.post_candidates(
        u(), chat_id=c, survey_id=i["survey"]
    ),
    "survey_results": lambda u, i, c: results.survey_results(
        u(), chat_id=c, survey_id=i["survey"]
    ),
    "scores": lambda u, i, c: results.touchpoint_scores(
        u(), chat_id=c, map_id=i["journeymap"], tz="UTC"
    ),
    "pain_from_response": lambda u, i, c: results.add_pain_from_response(
        u(), chat_id=c, response_id=i["surveyresponse"], actor=A
    ),
    "history": lambda u, i, c: changes.history_page(u(), chat_id=c, map_id=i["journeymap"]),
    "list_changes": lambda u, i, c: changes.list_changes(u(), chat_id=c, map_id=i["journeymap"]),
    "cadence": lambda u, i, c: reviews.set_cadence(
        u(), chat_id=c, map_id=i["journeymap"], cadence=Cadence.MONTHLY, actor=A
    ),
    "review_done": lambda u, i, c: reviews.log_review(
        u(), chat_id=c, map_id=i["journeymap"], message_id=1, actor=A
    ),
}


@pytest.mark.parametrize("chat_id", [OTHER, CUSTOMER], ids=["another group", "a private chat"])
@pytest.mark.parametrize("name", list(CALLS))
def test_another_chats_id_is_gone_and_nothing_changes(
    uow: NewUow, ids: dict[str, int], name: str, chat_id: int
) -> None:
    """Called for another chat with team A's ids, the service answers ItemGone; no row moves."""
    before = dump(uow)
    with pytest.raises(ItemGone):
        CALLS[name](uow, ids, chat_id)
    assert dump(uow) == before


def test_the_same_calls_work_for_the_owning_chat(uow: NewUow, ids: dict[str, int]) -> None:
    """The table is no list of broken services: each call goes through for team A itself."""
    for name in ("get_map", "rename_stage", "vote", "fix_status", "kpi_value", "survey_cap"):
        CALLS[name](uow, ids, TEAM_CHAT_ID)


class TestDigestButtons:
    def test_a_forged_snooze_minute_moves_nothing(self, uow: NewUow, clock: Any) -> None:
        """Only the latest digest's own minute snoozes; any other minute is stale, even huge."""
        journey = make_map(uow)
        card = make_weekly_review(uow, journey)
        clock.current = card.next_at
        (digest,) = reminders.claim_due(uow()).digests
        minute = reminders.minute_of(digest.at)
        before = dump(uow)
        for forged in (minute - 60 * 24 * 365, minute + 1, 10**15, -(10**15)):
            with pytest.raises(StaleButton):
                reviews.snooze(
                    uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, digest_minute=forged, actor=A
                )
        assert dump(uow) == before
        until = reviews.snooze(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, digest_minute=minute, actor=A
        )
        assert until == digest.at + timedelta(days=1)

    def test_no_digest_yet_means_nothing_to_snooze(self, uow: NewUow) -> None:
        """Before the first digest, a snooze press is stale."""
        journey = make_map(uow)
        card = make_weekly_review(uow, journey)
        assert card.next_at is not None
        with pytest.raises(StaleButton):
            reviews.snooze(
                uow(),
                chat_id=TEAM_CHAT_ID,
                map_id=journey.id,
                digest_minute=reminders.minute_of(card.next_at),
                actor=A,
            )

    def test_reviews_count_per_map_whatever_the_message_id(self, uow: NewUow) -> None:
        """Two chats' digests with the same message id are counted apart."""
        mine, theirs = make_map(uow), make_map(uow, chat_id=OTHER)
        reviews.log_review(uow(), chat_id=OTHER, map_id=theirs.id, message_id=7, actor=A)
        count = reviews.log_review(
            uow(), chat_id=TEAM_CHAT_ID, map_id=mine.id, message_id=7, actor=A
        )
        assert count == 1

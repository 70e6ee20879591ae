"""Many teams share one bot: a press naming another team's ids is refused and reveals nothing.

Telegram only delivers callback_data that was on the message's keyboard, so forging a press
takes a modified client; the double's `press_raw` plays one. Every registered button kind is
forged from another team's group and from a customer's private chat, carrying team A's ids:
the presser gets the answer a deleted item gets, nothing the bot sends names team A, and no
row of the database changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from bot.callbacks import (
    AllowAskAgain,
    AnswerSurvey,
    Ask,
    AskDelete,
    AskPersona,
    AttachPain,
    Button,
    ConfirmDelete,
    ConfirmDeleteMap,
    DropHeld,
    ExportAs,
    Focus,
    HistoryPage,
    InHotspotFix,
    InKpiAdd,
    InKpiBoard,
    InKpiStage,
    InKpiValue,
    InMoment,
    KeepHeld,
    KeepMap,
    MoveStage,
    OpenOverview,
    OpenStep,
    ReviewCadence,
    ReviewDay,
    ReviewDone,
    ReviewOpenMap,
    ReviewPause,
    ReviewSkip,
    ReviewSnooze,
    ReviewTime,
    SetCategory,
    SetChannel,
    SetFixStatus,
    SetLanguage,
    SetMode,
    SetSeverity,
    ShowCard,
    SkipWhy,
    SurveyAsk,
    SurveyBroadcast,
    SurveyCard,
    SurveyCreate,
    SurveyKindPick,
    SurveyPain,
    SurveyPostMenu,
    SurveyPostTo,
    SurveySetStatus,
    SurveyShowResults,
    SurveyStage,
    SurveyTouchpoint,
    SwitchMap,
    UseTemplate,
    Vote,
    registered_buttons,
)
from cjm.db import UnitOfWork
from cjm.models import (
    Cadence,
    FixStatus,
    FocusKind,
    Mode,
    PainCategory,
    PromptKind,
    Severity,
    Step,
    SurveyKind,
    SurveyResponse,
    SurveyStatus,
)
from cjm.services import fixes, kpis, reminders, responses, reviews, surveys
from cjm.services.stages import StageTemplate
from cjm.services.touchpoints import Channel
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.factories import (
    ALICE,
    make_fix,
    make_map,
    make_pain,
    make_stages,
    make_touchpoints,
    read_map,
)

MARK = "Zanzibar"  # in every name team A gave anything; the other chats must never see it
A_TITLE = "Shop team"  # team A's group (the `team` fixture)


@dataclass(frozen=True)
class TeamA:
    """Ids of everything team A has: what a forged payload names."""

    chat_id: int
    map_id: int
    stage_id: int
    touchpoint_id: int
    pain_id: int
    fix_id: int
    kpi_id: int
    survey_id: int
    response_id: int
    next_minute: int
    pending_id: int  # an owner waiting for a yes


Forge = Callable[[TeamA], Button]
NO_IDS = None  # a button kind that names nothing by id: there is nothing of team A to forge
CUSTOMER_SIDE = "customer"  # the customers' side: their own isolation work (issue #13)

# Every registered button kind, by prefix: the payload a modified client sends with A's ids.
FORGERIES: dict[str, Forge | str | None] = {
    OpenStep.prefix: lambda a: OpenStep(a.map_id, Step.STAGES),
    OpenOverview.prefix: lambda a: OpenOverview(a.map_id),
    Focus.prefix: lambda a: Focus(FocusKind.STAGE, a.stage_id),
    Ask.prefix: lambda a: Ask(PromptKind.STAGE_RENAME, a.stage_id),
    AskPersona.prefix: NO_IDS,
    UseTemplate.prefix: lambda a: UseTemplate(a.map_id, StageTemplate.B2C),
    MoveStage.prefix: lambda a: MoveStage(a.stage_id, 1),
    SetChannel.prefix: lambda a: SetChannel(a.touchpoint_id, Channel.STORE),
    SetMode.prefix: lambda a: SetMode(a.touchpoint_id, Mode.OFFLINE),
    Vote.prefix: lambda a: Vote(a.touchpoint_id, -2),
    SetCategory.prefix: lambda a: SetCategory(a.pain_id, list(PainCategory)[-1]),
    SetSeverity.prefix: lambda a: SetSeverity(a.pain_id, Severity.LOW),
    AttachPain.prefix: lambda a: AttachPain(a.pain_id, a.touchpoint_id),
    SetFixStatus.prefix: lambda a: SetFixStatus(a.fix_id, FixStatus.DONE),
    AskDelete.prefix: lambda a: AskDelete(FocusKind.TOUCHPOINT, a.touchpoint_id),
    ConfirmDelete.prefix: lambda a: ConfirmDelete(FocusKind.STAGE, a.stage_id),
    ShowCard.prefix: NO_IDS,
    SwitchMap.prefix: lambda a: SwitchMap(a.map_id),
    ConfirmDeleteMap.prefix: lambda a: ConfirmDeleteMap(a.map_id),
    KeepMap.prefix: lambda a: KeepMap(a.map_id),
    SetLanguage.prefix: NO_IDS,
    ExportAs.prefix: NO_IDS,
    SurveyStage.prefix: lambda a: SurveyStage(a.stage_id),
    SurveyTouchpoint.prefix: lambda a: SurveyTouchpoint(a.touchpoint_id),
    SurveyKindPick.prefix: lambda a: SurveyKindPick(a.touchpoint_id, SurveyKind.NPS),
    SurveyCreate.prefix: lambda a: SurveyCreate(a.touchpoint_id, SurveyKind.NPS, True),
    SurveySetStatus.prefix: lambda a: SurveySetStatus(a.survey_id, SurveyStatus.CLOSED),
    SurveyAsk.prefix: lambda a: SurveyAsk(a.survey_id, PromptKind.SURVEY_QUESTION),
    SurveyCard.prefix: lambda a: SurveyCard(a.survey_id),
    SurveyPostMenu.prefix: lambda a: SurveyPostMenu(a.survey_id),
    SurveyPostTo.prefix: lambda a: SurveyPostTo(a.survey_id, a.chat_id),
    SurveyShowResults.prefix: lambda a: SurveyShowResults(a.survey_id),
    SurveyBroadcast.prefix: lambda a: SurveyBroadcast(a.survey_id),
    SurveyPain.prefix: lambda a: SurveyPain(a.response_id),
    AnswerSurvey.prefix: CUSTOMER_SIDE,
    SkipWhy.prefix: CUSTOMER_SIDE,
    AllowAskAgain.prefix: NO_IDS,
    InMoment.prefix: lambda a: InMoment(a.touchpoint_id, True),
    InHotspotFix.prefix: lambda a: InHotspotFix(a.touchpoint_id),
    InKpiAdd.prefix: lambda a: InKpiAdd(a.map_id),
    InKpiStage.prefix: lambda a: InKpiStage(a.stage_id),
    InKpiValue.prefix: lambda a: InKpiValue(a.kpi_id),
    InKpiBoard.prefix: lambda a: InKpiBoard(a.map_id),
    ReviewCadence.prefix: lambda a: ReviewCadence(a.map_id, Cadence.MONTHLY),
    ReviewDay.prefix: lambda a: ReviewDay(a.map_id, 2),
    ReviewTime.prefix: lambda a: ReviewTime(a.map_id),
    ReviewPause.prefix: lambda a: ReviewPause(a.map_id, True),
    ReviewSkip.prefix: lambda a: ReviewSkip(a.map_id, a.next_minute),
    ReviewDone.prefix: lambda a: ReviewDone(a.map_id),
    ReviewSnooze.prefix: lambda a: ReviewSnooze(a.map_id, a.next_minute),
    ReviewOpenMap.prefix: lambda a: ReviewOpenMap(a.map_id),
    HistoryPage.prefix: lambda a: HistoryPage(a.map_id, 0),
    KeepHeld.prefix: lambda a: KeepHeld(a.pending_id),
    DropHeld.prefix: lambda a: DropHeld(a.pending_id),
}


def test_every_button_kind_has_a_forgery_case() -> None:
    """A new button kind fails here until it says what a forged press of it names."""
    assert set(FORGERIES) == set(registered_buttons())
    for prefix, case in FORGERIES.items():
        if case is NO_IDS:
            payload = registered_buttons()[prefix]
            ids = [f.name for f in fields(payload) if f.name.endswith("_id")]
            assert ids == [], f"{payload.__name__} names {ids}: give it a forgery case"


def _build_team_a(new_uow: Callable[[], UnitOfWork], chat_id: int) -> TeamA:
    journey = make_map(new_uow, title=f"{MARK} checkout", chat_id=chat_id)
    journey = make_stages(new_uow, journey.id, [f"{MARK} discover", f"{MARK} buy"])
    stage = journey.stages[0]
    journey = make_touchpoints(new_uow, stage.id, [f"{MARK} ad | website"])
    touchpoint = journey.touchpoints[0]
    journey = make_pain(new_uow, stage.id, f"{MARK} pain", touchpoint_id=touchpoint.id)
    pain = journey.pains[0]
    journey = make_fix(new_uow, pain.id, f"{MARK} fix", owner="@alice")
    kpi = kpis.add_kpi(
        new_uow(), chat_id=chat_id, stage_id=stage.id, text=f"{MARK} rate; %; 3; up", actor=ALICE
    )
    survey = surveys.create_survey(
        new_uow(),
        chat_id=chat_id,
        touchpoint_id=touchpoint.id,
        kind=SurveyKind.NPS,
        ask_why=True,
        actor=ALICE,
    )
    surveys.set_question(
        new_uow(), chat_id=chat_id, survey_id=survey.id, text=f"{MARK} question?", actor=ALICE
    )
    customer = 777_000_001
    responses.open_survey(new_uow(), token=survey.token, user_id=customer, language_code="en")
    responses.answer(new_uow(), survey_id=survey.id, user_id=customer, language_code="en", score=2)
    responses.add_comment(new_uow(), user_id=customer, text=f"{MARK} was awful")
    card = reviews.set_cadence(
        new_uow(), chat_id=chat_id, map_id=journey.id, cadence=Cadence.WEEKLY, actor=ALICE
    )
    assert card.next_at is not None
    held = fixes.set_owner(
        new_uow(),
        chat_id=chat_id,
        fix_id=journey.pains[0].fixes[0].id,
        owner=f"@{MARK.lower()}_stranger",
        actor=ALICE,
    )
    assert held is not None
    with new_uow() as unit:
        response_id = unit.session.exec(select(SurveyResponse.id)).one()
    return TeamA(
        chat_id=chat_id,
        map_id=journey.id,
        stage_id=stage.id,
        touchpoint_id=touchpoint.id,
        pain_id=pain.id,
        fix_id=journey.pains[0].fixes[0].id,
        kpi_id=kpi.id,
        survey_id=survey.id,
        response_id=response_id or 0,
        next_minute=reminders.minute_of(card.next_at),
        pending_id=held.id,
    )


def _dump(new_uow: Callable[[], UnitOfWork]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the press claims, which every press adds)."""
    with new_uow() as unit:
        return {
            table.name: sorted(
                (tuple(row) for row in unit.session.execute(table.select())),
                key=repr,
            )
            for table in SQLModel.metadata.sorted_tables
            if table.name != "handledpress"
        }


REFUSED = ("deleted meanwhile", "out of date")  # item_gone and stale_button, in English


@pytest.mark.parametrize("origin", ["another group", "a customer's private chat"])
async def test_forged_presses_with_another_teams_ids_are_refused(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    origin: str,
) -> None:
    """Each button kind, forged with team A's ids: gone/stale answer, no leak, no change."""
    a = _build_team_a(new_uow, team.chat.id)
    await start_bot()
    dave = double.member("Dave", username="dave", language_code="en")
    erin = double.member("Erin", language_code="en")
    other = double.group("Other team", admins=[dave], owner=dave)
    await dave.send(other, "/newmap Bravo plan")
    card = await double.wait_for_message(other, containing="Step 1 of 6")
    presser, message = dave, card
    if origin != "another group":
        await erin.start_bot()
        await double.wait_idle()
        start = double.last_bot_message(erin.dm)
        assert isinstance(start, SentMessage)
        presser, message = erin, start
    await double.wait_idle()
    before = _dump(new_uow)
    failures = []
    for case in FORGERIES.values():
        if not callable(case):
            continue
        data = case(a).pack()
        calls = len(double.calls)
        press = await presser.press_raw(message, data)
        answered = await double.wait_for_answer(press)
        await double.wait_idle()
        said = answered.answer_text or ""
        if not any(word in said for word in REFUSED):
            failures.append(f"{data}: answered {said!r}")
        sent = repr(double.calls[calls:])
        for secret in (MARK, A_TITLE):
            if secret in sent:
                failures.append(f"{data}: the bot sent {secret!r}")
        after = _dump(new_uow)
        changed = [name for name in before if before[name] != after[name]]
        if changed:
            failures.append(f"{data}: changed {changed}")
            before = after
    assert failures == []
    assert read_map(new_uow, a.map_id).title == f"{MARK} checkout"

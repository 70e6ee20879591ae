"""Survey results: scores with honest intervals, breakdowns, weekly trends, comments."""

from __future__ import annotations

import pandas as pd
from sqlmodel import col, select

from cjm.analytics import summarise_many, trend_arrow, weekly_trend
from cjm.db import UnitOfWork
from cjm.errors import ItemGone
from cjm.models import (
    Chat,
    PainSource,
    Severity,
    Survey,
    SurveyKind,
    SurveyResponse,
    Touchpoint,
)
from cjm.services import maps, pains
from cjm.services.surveys import view_of
from cjm.views import Actor, CommentView, MapView, SurveyResults, TouchpointScore

LATEST_COMMENTS = 5
# The arrow moves when the score changes by more than this between the last two weeks.
TREND_THRESHOLD = {SurveyKind.NPS: 5.0, SurveyKind.CSAT: 5.0, SurveyKind.CES: 0.3}


def _answers(uow: UnitOfWork, survey_ids: list[int]) -> pd.DataFrame:
    """survey_id, kind, score, answered_at (UTC) for the surveys, read in one query."""
    query = (
        select(
            col(SurveyResponse.survey_id),
            col(Survey.kind),
            col(SurveyResponse.score),
            col(SurveyResponse.answered_at),
        )
        .join(Survey, col(Survey.id) == col(SurveyResponse.survey_id))
        .where(col(SurveyResponse.survey_id).in_(survey_ids))
    )
    rows = uow.session.exec(query).all()
    frame = pd.DataFrame(rows, columns=["survey_id", "kind", "score", "answered_at"])
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True)
    frame["kind"] = frame["kind"].astype(str)
    return frame


def is_low(kind: SurveyKind, score: int) -> bool:
    """A score the team should look at: an NPS detractor, CSAT 1–2, CES 1–3."""
    return score <= {SurveyKind.NPS: 6, SurveyKind.CSAT: 2, SurveyKind.CES: 3}[kind]


def _comments(uow: UnitOfWork, survey: Survey) -> tuple[CommentView, ...]:
    rows = uow.session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, col(SurveyResponse.comment).is_not(None))
        .order_by(col(SurveyResponse.answered_at).desc())
        .limit(LATEST_COMMENTS)
    ).all()
    return tuple(
        CommentView(
            r.id or 0, r.score, r.comment or "", r.answered_at, is_low(survey.kind, r.score)
        )
        for r in rows
    )


def survey_results(uow: UnitOfWork, *, chat_id: int) -> list[SurveyResults]:
    """Every survey of the chat's current map with its results, newest survey first."""
    with uow:
        map_id = maps.current_map_id(uow, chat_id)
        tz = uow.get(Chat, chat_id).tz
        surveys = uow.session.exec(
            select(Survey).where(Survey.map_id == map_id).order_by(col(Survey.id).desc())
        ).all()
        answers = _answers(uow, [s.id for s in surveys if s.id is not None])
        summaries = summarise_many(answers)
        results = []
        for survey in surveys:
            own = answers[answers["survey_id"] == survey.id]
            summary = (
                summaries.get(survey.id or 0)
                or summarise_many(
                    pd.DataFrame(
                        {
                            "survey_id": [survey.id],
                            "kind": [survey.kind.value],
                            "score": [float("nan")],
                        }
                    )
                )[survey.id or 0]
            )
            results.append(
                SurveyResults(
                    survey=view_of(uow, survey),
                    summary=summary,
                    weeks=tuple(weekly_trend(survey.kind, own, tz)) if len(own) else (),
                    comments=_comments(uow, survey),
                )
            )
        return results


def touchpoint_scores(uow: UnitOfWork, *, map_id: int, tz: str) -> dict[int, TouchpointScore]:
    """Each touchpoint's newest survey score, its n and its weekly trend arrow."""
    with uow:
        surveys = uow.session.exec(
            select(Survey)
            .where(Survey.map_id == map_id, col(Survey.touchpoint_id).is_not(None))
            .order_by(col(Survey.id))
        ).all()
        # The newest survey per touchpoint wins; plain values, as the session closes below.
        latest = {s.touchpoint_id: (s.id, s.kind) for s in surveys if s.id is not None}
        answers = _answers(uow, [survey_id for survey_id, _ in latest.values()])
    summaries = summarise_many(answers)
    scores: dict[int, TouchpointScore] = {}
    for touchpoint_id, (survey_id, kind) in latest.items():
        summary = summaries.get(survey_id)
        if touchpoint_id is None or summary is None or summary.score is None:
            continue
        weeks = [
            week
            for week in weekly_trend(kind, answers[answers["survey_id"] == survey_id], tz)
            if week.score is not None
        ]
        trend = trend_arrow(
            weeks[-2].score if len(weeks) > 1 else None,
            weeks[-1].score if weeks else None,
            TREND_THRESHOLD[kind],
        )
        scores[touchpoint_id] = TouchpointScore(kind.value, summary.score, summary.n, trend)
    return scores


def add_pain_from_response(
    uow: UnitOfWork, *, chat_id: int, response_id: int, actor: Actor
) -> MapView:
    """Turn a low score's comment into a pain point (source: survey) on its touchpoint."""
    with uow:
        response = uow.get(SurveyResponse, response_id)
        survey = uow.get(Survey, response.survey_id)
        if survey.chat_id != chat_id or survey.touchpoint_id is None or not response.comment:
            raise ItemGone(kind="touchpoint")
        touchpoint = uow.get(Touchpoint, survey.touchpoint_id)
        view = pains.add_pain(
            uow,
            stage_id=touchpoint.stage_id,
            text=response.comment,
            actor=actor,
            touchpoint_id=touchpoint.id,
            source=PainSource.SURVEY,
            severity=Severity.HIGH if is_low(survey.kind, response.score) else Severity.MEDIUM,
        )
        uow.commit()
    return view

"""Survey results: scores with honest intervals, breakdowns, weekly trends, comments."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import text
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
from cjm.views import Actor, CommentView, SurveyResults, TouchpointScore

LATEST_COMMENTS = 5
# The arrow moves when the score changes by more than this between the last two weeks.
TREND_THRESHOLD = {SurveyKind.NPS: 5.0, SurveyKind.CSAT: 5.0, SurveyKind.CES: 0.3}


# A million answers as ORM rows (or any per-row Python objects) take seconds. Instead SQLite
# hands over two strings per survey: every score as one character ('0' + score) and every
# answered_at as the fixed-width text SQLAlchemy stores ("YYYY-MM-DD HH:MM:SS.ffffff"),
# which numpy reads as digits. Both aggregates see the rows in the same order.
_ANSWERS_SQL = text(
    "SELECT group_concat(char(48 + score), ''), group_concat(answered_at, '')"
    " FROM surveyresponse WHERE survey_id = :survey_id"
)
_STAMP_WIDTH = len("2026-11-26 09:00:00.000000")


def _answers(uow: UnitOfWork, survey_ids: list[int]) -> pd.DataFrame:
    """survey_id, kind, score, answered_at (UTC) for the surveys, read in one query each.

    On SQLite, each survey's answers come back as two packed strings that numpy parses: a
    million rows read this way take ~1 s instead of ~3 s through row objects. Other databases
    take the plain path.
    """
    if uow.session.get_bind().dialect.name != "sqlite":
        return answers_by_rows(uow, survey_ids)
    kinds = dict(
        uow.session.exec(
            select(Survey.id, Survey.kind).where(col(Survey.id).in_(survey_ids))
        ).all()
    )
    parts = []
    for survey_id in survey_ids:
        scores, stamps = uow.session.execute(_ANSWERS_SQL, {"survey_id": survey_id}).one()
        if not scores:
            continue
        score = np.frombuffer(scores.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
        parts.append(
            pd.DataFrame(
                {
                    "survey_id": np.full(len(score), survey_id, dtype=np.int64),
                    "kind": str(kinds[survey_id]),
                    "score": score,
                    "answered_at": _utc_times(stamps, len(score)),
                }
            )
        )
    if not parts:
        empty = pd.DataFrame({"survey_id": [], "kind": [], "score": [], "answered_at": []})
        return empty.astype({"survey_id": "int64", "kind": str, "score": "int64"}).assign(
            answered_at=pd.to_datetime(pd.Series([], dtype="int64"), utc=True)
        )
    return pd.concat(parts, ignore_index=True)


def answers_by_rows(uow: UnitOfWork, survey_ids: list[int]) -> pd.DataFrame:
    """The same frame as _answers, read row by row (any database)."""
    rows = uow.session.exec(
        select(
            col(SurveyResponse.survey_id),
            col(Survey.kind),
            col(SurveyResponse.score),
            col(SurveyResponse.answered_at),
        )
        .join(Survey, col(Survey.id) == col(SurveyResponse.survey_id))
        .where(col(SurveyResponse.survey_id).in_(survey_ids))
        .order_by(col(SurveyResponse.survey_id), col(SurveyResponse.id))
    ).all()
    frame = pd.DataFrame(
        [(survey_id, str(kind), score, at) for survey_id, kind, score, at in rows],
        columns=["survey_id", "kind", "score", "answered_at"],
    )
    return frame.astype({"survey_id": "int64", "kind": str, "score": "int64"}).assign(
        answered_at=pd.to_datetime(frame["answered_at"], utc=True)
    )


def _utc_times(stamps: str, count: int) -> pd.DatetimeIndex:
    """Parse `count` concatenated fixed-width timestamps (naive UTC) into aware UTC times."""
    if len(stamps) != count * _STAMP_WIDTH:  # written some other way: the slow, general path
        texts = [stamps[i : i + 19] for i in range(0, len(stamps), _STAMP_WIDTH)]
        return pd.DatetimeIndex(pd.to_datetime(texts, utc=True, format="mixed"))
    digits = np.frombuffer(stamps.encode("ascii"), dtype=np.uint8).reshape(count, -1) - 48

    def number(start: int, end: int) -> npt.NDArray[np.int64]:
        weights = 10 ** np.arange(end - start - 1, -1, -1, dtype=np.int64)
        return digits[:, start:end].astype(np.int64) @ weights

    months = (number(0, 4) - 1970) * 12 + number(5, 7) - 1
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (number(8, 10) - 1)
    micros = (number(11, 13) * 3600 + number(14, 16) * 60 + number(17, 19)) * 1_000_000 + number(
        20, 26
    )
    moments = days.astype("datetime64[us]") + micros.astype("timedelta64[us]")
    return pd.DatetimeIndex(moments).tz_localize("UTC")


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
) -> int:
    """Turn a low score's comment into a pain point (source: survey); return its id."""
    with uow:
        response = uow.get(SurveyResponse, response_id)
        survey = uow.get(Survey, response.survey_id)
        if survey.chat_id != chat_id or survey.touchpoint_id is None or not response.comment:
            raise ItemGone(kind="touchpoint")
        touchpoint = uow.get(Touchpoint, survey.touchpoint_id)
        pain_id = pains.add_pain(
            uow,
            stage_id=touchpoint.stage_id,
            text=response.comment,
            actor=actor,
            touchpoint_id=touchpoint.id,
            source=PainSource.SURVEY,
            severity=Severity.HIGH if is_low(survey.kind, response.score) else Severity.MEDIUM,
        )
        uow.commit()
    return pain_id

"""Survey results: scores with honest intervals, breakdowns, weekly trends, comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

import numpy as np
from sqlalchemy import ColumnElement, ScalarSelect, bindparam, func
from sqlmodel import col, select

from cjm.analytics import (
    SCORE_VALUES,
    Counts,
    local_weeks,
    summarise_counts,
    trend_arrow,
    weekly_trend,
)
from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import AlreadyAPain, ItemGone
from cjm.limits import TEXT_MAX_CHARS, clean_text
from cjm.models import (
    Chat,
    PainPoint,
    PainSource,
    Severity,
    Survey,
    SurveyKind,
    SurveyResponse,
    Touchpoint,
)
from cjm.services import maps, pains
from cjm.services.ownership import owned
from cjm.services.surveys import view_of
from cjm.views import Actor, CommentView, SurveyResults, TouchpointScore

LATEST_COMMENTS = 5
# The arrow moves when the score changes by more than this between the last two weeks.
TREND_THRESHOLD = {SurveyKind.NPS: 5.0, SurveyKind.CSAT: 5.0, SurveyKind.CES: 0.3}

# Answers per survey and score value in one local week: one query per week, not one GROUP BY
# over a computed week, since SQLite groups by sorting and sorting a million rows takes
# longer than reading them. `score IN (every value)` filters nothing: it lets the database
# search the index on (survey_id, score, answered_at) once per survey and value for just the
# week's range of answered_at, and hands over the rows already in groups.
_WEEK_COUNTS = (
    select(col(SurveyResponse.survey_id), col(SurveyResponse.score), func.count())
    .where(
        col(SurveyResponse.survey_id).in_(bindparam("survey_ids", expanding=True)),
        col(SurveyResponse.score).in_(SCORE_VALUES),
        # Compared with the column, the bounds are bound through its type (UTCDateTime).
        col(SurveyResponse.answered_at) >= bindparam("start"),
        col(SurveyResponse.answered_at) < bindparam("end"),
    )
    .group_by(col(SurveyResponse.survey_id), col(SurveyResponse.score))
)


@dataclass(frozen=True)
class _Tally:
    """One survey's answers counted per local week (rows) and score value (columns)."""

    first_week: date
    counts: Counts


# A survey nobody answered: no weeks, so its first week never shows; every count is 0.
_NO_ANSWERS = _Tally(date.min, np.zeros((0, len(SCORE_VALUES)), dtype=np.int64))


def _spans(uow: OpenUnitOfWork, survey_ids: list[int]) -> dict[int, tuple[datetime, datetime]]:
    """The first and last answered_at of each survey that has answers."""

    def per_score(edge: ColumnElement[datetime], score: int) -> ScalarSelect[datetime]:
        # Asked per score value, each MIN or MAX is a single seek in the index on (survey_id,
        # score, answered_at), on SQLite and PostgreSQL alike; per survey it would read them all.
        return (
            select(edge)
            .where(
                col(SurveyResponse.survey_id) == col(Survey.id),
                col(SurveyResponse.score) == score,
            )
            .scalar_subquery()
        )

    answered_at = col(SurveyResponse.answered_at)
    rows = uow.session.execute(
        select(
            col(Survey.id),
            *(per_score(func.min(answered_at), score) for score in SCORE_VALUES),
            *(per_score(func.max(answered_at), score) for score in SCORE_VALUES),
        ).where(col(Survey.id).in_(survey_ids))
    ).all()
    spans = {}
    for survey_id, *edges in rows:
        firsts = [at for at in edges[: len(SCORE_VALUES)] if at is not None]
        lasts = [at for at in edges[len(SCORE_VALUES) :] if at is not None]
        if firsts:
            spans[survey_id] = (min(firsts), max(lasts))
    return spans


def _tallies(uow: OpenUnitOfWork, survey_ids: list[int], tz: str) -> dict[int, _Tally]:
    """Each answered survey's answers per score value and week in tz, its first to its last."""
    spans = _spans(uow, survey_ids)
    if not spans:
        return {}
    weeks = local_weeks(
        min(first for first, _ in spans.values()), max(last for _, last in spans.values()), tz
    )
    rows = {survey_id: row for row, survey_id in enumerate(spans)}
    counts = np.zeros((len(rows), len(weeks), len(SCORE_VALUES)), dtype=np.int64)
    for week, (start, end) in enumerate(pairwise(weeks.starts_at)):
        # Only the surveys answered in this week or around it (surveys of a map may lie years
        # apart, and each one asked costs a search per score value).
        asked = [
            survey_id
            for survey_id, (first, last) in spans.items()
            if first < end and last >= start
        ]
        if not asked:
            continue
        found = uow.session.execute(
            _WEEK_COUNTS, {"survey_ids": asked, "start": start, "end": end}
        ).all()
        for survey_id, score, n in found:
            counts[rows[survey_id], week, score] = n
    tallies = {}
    for survey_id, (first, last) in spans.items():
        first_week, last_week = weeks.index_of(first), weeks.index_of(last)
        tallies[survey_id] = _Tally(
            weeks.first + timedelta(weeks=first_week),
            counts[rows[survey_id], first_week : last_week + 1],
        )
    return tallies


def is_low(kind: SurveyKind, score: int) -> bool:
    """A score the team should look at: an NPS detractor, CSAT 1–2, CES 1–3."""
    return score <= {SurveyKind.NPS: 6, SurveyKind.CSAT: 2, SurveyKind.CES: 3}[kind]


def _comments(uow: OpenUnitOfWork, survey: Survey) -> tuple[CommentView, ...]:
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


def survey_results(
    uow: UnitOfWork, *, chat_id: int, survey_id: int | None = None
) -> list[SurveyResults]:
    """Every survey of the chat's current map with its results, newest survey first.

    `survey_id`: that one survey of the chat only (another chat's is ItemGone).
    """
    with uow:
        if survey_id is not None:
            surveys = [owned(uow, Survey, survey_id, chat_id=chat_id)]
        else:
            map_id = maps.current_map_id(uow, chat_id)
            surveys = list(
                uow.session.exec(
                    select(Survey).where(Survey.map_id == map_id).order_by(col(Survey.id).desc())
                ).all()
            )
        tz = uow.get(Chat, chat_id).tz
        tallies = _tallies(uow, [s.id for s in surveys if s.id is not None], tz)
        results = []
        for survey in surveys:
            tally = tallies.get(survey.id or 0, _NO_ANSWERS)
            results.append(
                SurveyResults(
                    survey=view_of(uow, survey),
                    summary=summarise_counts(survey.kind, tally.counts.sum(axis=0)),
                    weeks=tuple(weekly_trend(survey.kind, tally.first_week, tally.counts)),
                    comments=_comments(uow, survey),
                )
            )
        return results


def touchpoint_scores(
    uow: UnitOfWork, *, chat_id: int, map_id: int, tz: str
) -> dict[int, TouchpointScore]:
    """Each touchpoint's newest survey score, its n and its weekly trend arrow."""
    with uow:
        maps.own_map(uow, chat_id, map_id)
        surveys = uow.session.exec(
            select(Survey)
            .where(Survey.map_id == map_id, col(Survey.touchpoint_id).is_not(None))
            .order_by(col(Survey.id))
        ).all()
        # The newest survey per touchpoint wins; plain values, as the session closes below.
        latest = {s.touchpoint_id: (s.id, s.kind) for s in surveys if s.id is not None}
        tallies = _tallies(uow, [survey_id for survey_id, _ in latest.values()], tz)
    scores: dict[int, TouchpointScore] = {}
    for touchpoint_id, (survey_id, kind) in latest.items():
        tally = tallies.get(survey_id, _NO_ANSWERS)
        summary = summarise_counts(kind, tally.counts.sum(axis=0))
        if touchpoint_id is None or summary.score is None:
            continue
        weeks = [
            week
            for week in weekly_trend(kind, tally.first_week, tally.counts)
            if week.score is not None
        ]
        trend = trend_arrow(
            weeks[-2].score if len(weeks) > 1 else None,
            weeks[-1].score if weeks else None,
            TREND_THRESHOLD[kind],
        )
        scores[touchpoint_id] = TouchpointScore(kind.value, summary.score, summary.n, trend)
    return scores


def _refuse_twice(uow: OpenUnitOfWork, map_id: int, comment: str) -> None:
    """A comment becomes a pain point once, whoever presses its button again (AlreadyAPain)."""
    text = clean_text(comment, field="pain", limit=TEXT_MAX_CHARS, multiline=True)
    same = select(PainPoint.id).where(
        PainPoint.map_id == map_id, PainPoint.source == PainSource.SURVEY, PainPoint.text == text
    )
    if uow.session.exec(same).first() is not None:
        raise AlreadyAPain(text=text)


def add_pain_from_response(
    uow: UnitOfWork, *, chat_id: int, response_id: int, actor: Actor
) -> int:
    """Turn a low score's comment into a pain point (source: survey); return its id."""
    with uow:
        response = owned(uow, SurveyResponse, response_id, chat_id=chat_id)
        survey = uow.get(Survey, response.survey_id)
        if survey.touchpoint_id is None or not response.comment:
            raise ItemGone(kind="touchpoint")
        touchpoint = uow.get(Touchpoint, survey.touchpoint_id)
        _refuse_twice(uow, survey.map_id, response.comment)
        pain_id = pains.add_pain(
            uow,
            chat_id=chat_id,
            stage_id=touchpoint.stage_id,
            text=response.comment,
            actor=actor,
            touchpoint_id=touchpoint.id,
            source=PainSource.SURVEY,
            severity=Severity.HIGH if is_low(survey.kind, response.score) else Severity.MEDIUM,
        )
        uow.commit()
    return pain_id

"""The review digest: what changed, what is open, what customers said, and what is still empty."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlmodel import col, func, literal, select

from cjm.analytics import summarise_many
from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.models import ChangeEvent, Chat, FixStatus, KpiDirection, Step, Survey, SurveyResponse
from cjm.render.texts import Texts
from cjm.services import maps, results
from cjm.services.hotspots import rank_hotspots
from cjm.views import ChangeGroup, Digest, KpiChange, MapView, OpenFix, SurveyChange

MAX_CHANGE_GROUPS = 12
MAX_EXAMPLES = 3
MAX_FIXES = 15
MAX_NAMES = 20
EXAMPLE_CHARS = 60
HOTSPOTS = 3


def _kpi_changes(view: MapView, since_day: date | None) -> list[KpiChange]:
    stages = {stage.id: stage.name for stage in view.stages}
    changes = []
    for kpi in view.kpis:
        if kpi.latest is None:
            continue
        before = [p for p in kpi.values if since_day is not None and p.measured_on <= since_day]
        change = kpi.latest.value - before[-1].value if before else None
        better = None if not change else (change > 0) == (kpi.direction is KpiDirection.UP)
        changes.append(
            KpiChange(
                stages.get(kpi.stage_id, ""),
                kpi.name,
                kpi.unit,
                kpi.latest.value,
                kpi.target,
                change,
                better,
            )
        )
    return changes


def build_digest(uow: UnitOfWork, *, map_id: int, since: datetime | None, now: datetime) -> Digest:
    """The digest of a map at `now`, covering what happened after `since` (None: ever)."""
    with uow:
        view = maps.load(uow, map_id)
        chat = uow.get(Chat, view.chat_id)
        today = now.astimezone(ZoneInfo(chat.tz)).date()
        groups, total = _changes(uow, map_id, since)
        fixes = sorted(
            (
                OpenFix(
                    f.text,
                    f.owner_name,
                    f.status,
                    f.due_on,
                    f.due_on is not None and f.due_on < today,
                )
                for pain in view.pains
                for f in pain.fixes
                if f.status is not FixStatus.DONE
            ),
            key=lambda f: (not f.overdue, f.due_on or date.max),
        )
        surveyed = set(
            uow.session.exec(
                select(Survey.touchpoint_id).where(
                    Survey.map_id == map_id, col(Survey.touchpoint_id).is_not(None)
                )
            ).all()
        )
        names = {tp.id: tp.name for tp in view.touchpoints}
        unmeasured = [tp.name for tp in view.touchpoints if tp.id not in surveyed]
        return Digest(
            map_id=map_id,
            chat_id=view.chat_id,
            map_title=view.title,
            tz=chat.tz,
            language=chat.language,
            at=now,
            since=since,
            changes=tuple(groups[:MAX_CHANGE_GROUPS]),
            changes_total=total,
            changes_more=max(0, len(groups) - MAX_CHANGE_GROUPS),
            open_fixes=tuple(fixes[:MAX_FIXES]),
            fixes_more=max(0, len(fixes) - MAX_FIXES),
            overdue_count=sum(f.overdue for f in fixes),
            surveys=tuple(_survey_changes(uow, map_id, since, names)),
            unmeasured=tuple(unmeasured[:MAX_NAMES]),
            unmeasured_more=max(0, len(unmeasured) - MAX_NAMES),
            empty_steps=tuple(_empty_steps(view)),
            stages_without_touchpoints=tuple(s.name for s in view.stages if not s.touchpoints),
            kpis=tuple(
                _kpi_changes(view, since.astimezone(ZoneInfo(chat.tz)).date() if since else None)
            ),
            hotspots=tuple(
                spot.name
                for spot in rank_hotspots(
                    view,
                    results.touchpoint_scores(
                        uow, chat_id=view.chat_id, map_id=map_id, tz=chat.tz
                    ),
                    HOTSPOTS,
                )
            ),
        )


def _changes(
    uow: OpenUnitOfWork, map_id: int, since: datetime | None
) -> tuple[list[ChangeGroup], int]:
    query = select(ChangeEvent.actor_name, ChangeEvent.action, ChangeEvent.summary).where(
        ChangeEvent.map_id == map_id, col(ChangeEvent.action).not_like("review.%")
    )
    if since is not None:
        query = query.where(ChangeEvent.at > since)
    counts: dict[tuple[str, str], int] = {}
    examples: dict[tuple[str, str], list[str]] = {}
    total = 0
    for actor_name, action, summary in uow.session.exec(query.order_by(col(ChangeEvent.id))):
        key = (actor_name, action)
        counts[key] = counts.get(key, 0) + 1
        seen = examples.setdefault(key, [])
        short = _short(summary)
        if short and len(seen) < MAX_EXAMPLES and short not in seen:
            seen.append(short)
        total += 1
    groups = [ChangeGroup(a, b, n, tuple(examples[(a, b)])) for (a, b), n in counts.items()]
    groups.sort(key=lambda g: -g.count)
    return groups, total


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def _survey_changes(
    uow: OpenUnitOfWork, map_id: int, since: datetime | None, names: dict[int, str]
) -> list[SurveyChange]:
    surveys = {
        survey.id: survey
        for survey in uow.session.exec(select(Survey).where(Survey.map_id == map_id)).all()
    }
    # Counted in SQL: pandas then sees a few hundred (survey, score, new) groups, not every row.
    new_expr = col(SurveyResponse.answered_at) > since if since is not None else literal(True)
    groups = uow.session.exec(
        select(SurveyResponse.survey_id, SurveyResponse.score, new_expr, func.count())
        .where(col(SurveyResponse.survey_id).in_(list(surveys)))
        .group_by(col(SurveyResponse.survey_id), col(SurveyResponse.score), new_expr)
    ).all()
    new_counts: Counter[int] = Counter()
    for survey_id, _score, new, count in groups:
        if new:
            new_counts[survey_id] += count
    if not new_counts:
        return []
    ids, scores, news, counts = (np.asarray(column) for column in zip(*groups, strict=True))
    frame = pd.DataFrame(
        {
            "survey_id": np.repeat(ids, counts),
            "kind": np.repeat([surveys[int(i)].kind.value for i in ids], counts),
            "score": np.repeat(scores, counts).astype(float),
        }
    )
    is_new = np.repeat(news.astype(bool), counts)
    columns = ["survey_id", "kind", "score"]
    now_scores = summarise_many(frame[columns])
    old_scores = summarise_many(frame[~is_new][columns])
    changes = []
    for survey_id, count in sorted(new_counts.items()):
        survey, before = surveys[survey_id], old_scores.get(survey_id)
        changes.append(
            SurveyChange(
                touchpoint_name=names.get(survey.touchpoint_id or 0),
                kind=survey.kind.value,
                new_answers=count,
                score=now_scores[survey_id].score,
                previous=before.score if before else None,
            )
        )
    return changes


def _empty_steps(view: Any) -> list[str]:
    empty = []
    if not any(view.persona.values()):
        empty.append(Step.PERSONA.value)
    if not view.stages:
        empty.append(Step.STAGES.value)
    if view.stages and not view.touchpoints:
        empty.append(Step.TOUCHPOINTS.value)
    if view.touchpoints and not any(tp.votes for tp in view.touchpoints):
        empty.append(Step.EMOTIONS.value)
    if view.stages and not view.pains:
        empty.append(Step.PAINS.value)
    if view.pains and not any(p.fixes for p in view.pains):
        empty.append(Step.FIXES.value)
    return empty


def digest_blocks(texts: Texts, digest: Digest) -> list[str]:
    """The digest as Telegram-HTML blocks, one per section that has something to say."""
    module: Any = (
        texts.environment(digest.language).get_template("chat/reviews/digest.html").module
    )
    sections = ("header", "changes", "fixes", "surveys", "kpis", "unmeasured", "empty", "hotspots")
    blocks = [str(getattr(module, name)(digest)).strip() for name in sections]
    return [block for block in blocks if block]

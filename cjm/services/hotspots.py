"""Where the map needs work: touchpoints ranked by need, and a fix added from /hotspots.

Every touchpoint gets a *need* score from the evidence on the map, computed with pandas, one
row per touchpoint::

    need = W_EMOTION · max(0, −emotion) / 2                   emotion: the team's mean vote −2..+2
         + W_SURVEY  · (1 − survey)                           survey: newest survey score, 0..1
         + W_PAINS   · min(pain_points, PAIN_CAP) / PAIN_CAP  open pains, high 3 · medium 2 · low 1
    need × MOMENT_OF_TRUTH_FACTOR (1.5) for a moment of truth (⭐)

The survey score is normalised to 0..1 (1 is best): NPS −100..100 as (NPS + 100) / 200, CSAT %
as CSAT / 100, CES mean 1..7 as (CES − 1) / 6; only scores with enough answers count (see
`results.touchpoint_scores`). PAIN_CAP = 6 (two high pains) saturates the pain term. With all
weights 1, need runs 0..3 (0..4.5 for a moment of truth).

A missing input (no votes, no survey, no open pain) contributes 0, and only touchpoints with
need > 0 rank: a ⭐ alone, or only good news, never makes a hotspot. Ties keep the map's order.
"""

from __future__ import annotations

import pandas as pd

from cjm.db import UnitOfWork
from cjm.errors import StaleButton
from cjm.models import Fix, PainPoint, Severity, Stage, SurveyKind, Touchpoint
from cjm.services import fixes, maps, pains, results
from cjm.services.ownership import owned
from cjm.views import (
    Actor,
    FixTarget,
    Hotspot,
    HotspotFix,
    HotspotReport,
    MapView,
    PainView,
    Reason,
    TouchpointScore,
    TouchpointView,
)

W_EMOTION = 1.0
W_SURVEY = 1.0
W_PAINS = 1.0
MOMENT_OF_TRUTH_FACTOR = 1.5
SEVERITY_POINTS = {s: len(Severity) - s.rank for s in Severity}  # high 3, medium 2, low 1
PAIN_CAP = 6  # pain points (two high pains) at which the pain term is full
HOTSPOTS_SHOWN = 5


def normalised_survey(score: TouchpointScore) -> float:
    """A survey score on 0..1, 1 the best: NPS −100..100, CSAT % 0..100, CES mean 1..7."""
    if score.kind == SurveyKind.NPS:
        value = (score.value + 100) / 200
    elif score.kind == SurveyKind.CSAT:
        value = score.value / 100
    else:
        value = (score.value - 1) / 6
    return min(1.0, max(0.0, value))


def need_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the need terms and `need` to a frame of touchpoints (formula: module docstring).

    Columns in: emotion (−2..2 or NaN), survey (0..1 or NaN), pain_points (severity-weighted
    open pains) and moment (bool). Columns added: emotion_need, survey_need, pain_need, need.
    """
    out = frame.copy()
    out["emotion_need"] = W_EMOTION * (-out["emotion"]).clip(lower=0).fillna(0.0) / 2
    out["survey_need"] = W_SURVEY * (1 - out["survey"]).fillna(0.0)
    out["pain_need"] = W_PAINS * out["pain_points"].clip(upper=PAIN_CAP) / PAIN_CAP
    need = out[["emotion_need", "survey_need", "pain_need"]].sum(axis=1)
    out["need"] = need.where(~out["moment"].astype(bool), need * MOMENT_OF_TRUTH_FACTOR)
    return out


def _open_pains(view: MapView, touchpoint_id: int) -> list[PainView]:
    """The touchpoint's open pain points, most severe first."""
    return sorted(
        (p for p in view.pains if p.touchpoint_id == touchpoint_id and p.is_open),
        key=lambda p: (p.severity_rank, p.id),
    )


def _frame(view: MapView, scores: dict[int, TouchpointScore]) -> pd.DataFrame:
    rows = [
        {
            "touchpoint_id": tp.id,
            "emotion": tp.emotion,
            "survey": normalised_survey(scores[tp.id]) if tp.id in scores else None,
            "pain_points": sum(SEVERITY_POINTS[p.severity] for p in _open_pains(view, tp.id)),
            "moment": tp.is_moment_of_truth,
        }
        for tp in view.touchpoints
    ]
    frame = pd.DataFrame(
        rows, columns=["touchpoint_id", "emotion", "survey", "pain_points", "moment"]
    )
    return frame.astype({"emotion": float, "survey": float, "pain_points": int, "moment": bool})


def _reasons(
    tp: TouchpointView, row: pd.Series, score: TouchpointScore | None, open_pains: list[PainView]
) -> tuple[Reason, ...]:
    reasons = []
    if row["emotion_need"] > 0 and tp.emotion is not None:
        reasons.append(Reason("emotion", round(tp.emotion, 1)))
    if row["survey_need"] > 0 and score is not None:
        reasons.append(Reason(score.kind, score.value))
    for severity in Severity:
        count = sum(1 for p in open_pains if p.severity is severity)
        if count:
            reasons.append(Reason("pains", count, severity.value))
    if tp.is_moment_of_truth:
        reasons.append(Reason("moment"))
    return tuple(reasons)


def rank_hotspots(
    view: MapView, scores: dict[int, TouchpointScore], limit: int = HOTSPOTS_SHOWN
) -> list[Hotspot]:
    """The touchpoints with need > 0, highest first (map order on ties), at most `limit`."""
    if not view.touchpoints:
        return []
    frame = need_scores(_frame(view, scores))
    frame["order"] = range(len(frame))
    ranked = frame[frame["need"] > 0].sort_values(
        ["need", "order"], ascending=[False, True], kind="stable"
    )
    hotspots = []
    for _, row in ranked.head(limit).iterrows():
        tp = view.touchpoint(int(row["touchpoint_id"]))
        stage = view.stage(tp.stage_id) if tp else None
        if tp is None or stage is None:
            continue
        open_pains = _open_pains(view, tp.id)
        hotspots.append(
            Hotspot(
                touchpoint=tp,
                stage=stage,
                score=round(float(row["need"]), 2),
                reasons=_reasons(tp, row, scores.get(tp.id), open_pains),
                open_pain=open_pains[0] if open_pains else None,
            )
        )
    return hotspots


def hotspots(
    uow: UnitOfWork, *, chat_id: int, map_id: int, limit: int = HOTSPOTS_SHOWN
) -> list[Hotspot]:
    """The map's touchpoints that need work most, with why (formula: module docstring)."""
    with uow:
        maps.own_map(uow, chat_id, map_id)
        view = maps.load(uow, map_id)
        scores = results.touchpoint_scores(uow, chat_id=chat_id, map_id=map_id, tz=view.tz)
    return rank_hotspots(view, scores, limit)


def current_hotspots(
    uow: UnitOfWork, *, chat_id: int, limit: int = HOTSPOTS_SHOWN
) -> HotspotReport:
    """/hotspots: the chat's current map and its hotspots."""
    with uow:
        view = maps.load(uow, maps.current_map_id(uow, chat_id))
        scores = results.touchpoint_scores(uow, chat_id=chat_id, map_id=view.id, tz=view.tz)
    return HotspotReport(view, tuple(rank_hotspots(view, scores, limit)))


def fix_target(uow: UnitOfWork, *, chat_id: int, touchpoint_id: int) -> FixTarget:
    """The touchpoint a "➕ Add a fix" button points at, on the chat's current map."""
    with uow:
        owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)  # another chat's: ItemGone
        view = maps.load(uow, maps.current_map_id(uow, chat_id))
    tp = view.touchpoint(touchpoint_id)
    if tp is None:
        raise StaleButton
    open_pains = _open_pains(view, tp.id)
    return FixTarget(view.id, tp, open_pains[0] if open_pains else None)


def add_hotspot_fix(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, text: str, actor: Actor
) -> HotspotFix:
    """A fix for the touchpoint's most severe open pain; without one, the text is a new pain."""
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        view = maps.load(uow, uow.get(Stage, touchpoint.stage_id).map_id)
        open_pains = _open_pains(view, touchpoint_id)
        if open_pains:
            pain = open_pains[0]
            fix_id = fixes.add_fix(uow, chat_id=chat_id, pain_id=pain.id, text=text, actor=actor)
            outcome = HotspotFix(touchpoint.name, pain.text, True, uow.get(Fix, fix_id).text)
        else:
            pain_id = pains.add_pain(
                uow,
                chat_id=chat_id,
                stage_id=touchpoint.stage_id,
                touchpoint_id=touchpoint_id,
                text=text,
                actor=actor,
            )
            outcome = HotspotFix(touchpoint.name, uow.get(PainPoint, pain_id).text, False)
        uow.commit()
    return outcome

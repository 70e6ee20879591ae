"""Where the map needs work: hotspots, KPIs per stage, and the questions behind their buttons.

Hotspots
--------
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

KPIs
----
A stage has up to MAX_KPIS_PER_STAGE KPIs ("Conversion; %; 3.5; up"), each with at most one
value per local day in the chat's zone: recording a second value that day replaces the first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

import dateparser
import pandas as pd
from sqlmodel import col, select

from cjm.db import UnitOfWork
from cjm.errors import (
    DuplicateName,
    InvalidDate,
    ItemGone,
    KpiInvalid,
    PromptUnknown,
    StaleButton,
    TooManyItems,
)
from cjm.limits import KPI_UNIT_MAX_CHARS, MAX_KPIS_PER_STAGE, NAME_MAX_CHARS, clean_text
from cjm.models import (
    Fix,
    Kpi,
    KpiDirection,
    KpiValue,
    PainPoint,
    Prompt,
    PromptKind,
    Severity,
    Stage,
    SurveyKind,
    Touchpoint,
)
from cjm.services import fixes, maps, pains, results
from cjm.views import (
    Actor,
    KpiView,
    MapView,
    PainView,
    StageView,
    TouchpointScore,
    TouchpointView,
)

W_EMOTION = 1.0
W_SURVEY = 1.0
W_PAINS = 1.0
MOMENT_OF_TRUTH_FACTOR = 1.5
SEVERITY_POINTS = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}
PAIN_CAP = 6  # pain points (two high pains) at which the pain term is full
HOTSPOTS_SHOWN = 5

KPI_PARTS = 4  # "name; unit; target; up|down"
_NUMBER = re.compile(r"[+\-−]?\d+(?:[.,]\d+)?")
_VALUE_ON = re.compile(r"^(?P<value>\S+?)\s*%?(?:\s+on\s+(?P<date>.+))?$", re.IGNORECASE)


class Question(StrEnum):
    """What an insight question (a stored Prompt) asks for: the PromptKinds of this module."""

    HOTSPOT_FIX = PromptKind.HOTSPOT_FIX.value
    KPI_ADD = PromptKind.KPI_ADD.value
    KPI_VALUE = PromptKind.KPI_VALUE.value


# ---------------------------------------------------------------- hotspots


@dataclass(frozen=True)
class Reason:
    """Why a touchpoint ranks: kind "emotion", "nps", "csat", "ces", "pains" or "moment".

    value is the evidence as shown (the mean vote, the survey score, the number of pains);
    severity names the pains' severity.
    """

    kind: str
    value: float = 0.0
    severity: str | None = None


@dataclass(frozen=True)
class Hotspot:
    """A touchpoint that needs work, with its stage, need score and reasons."""

    touchpoint: TouchpointView
    stage: StageView
    score: float
    reasons: tuple[Reason, ...]
    open_pain: PainView | None  # the most severe open pain: a fix from /hotspots lands there

    @property
    def name(self) -> str:
        """The touchpoint's name (what a digest lists)."""
        return self.touchpoint.name


@dataclass(frozen=True)
class HotspotReport:
    """/hotspots: the map and its hotspots, highest need first."""

    map: MapView
    hotspots: tuple[Hotspot, ...]


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


def hotspots(uow: UnitOfWork, *, map_id: int, limit: int = HOTSPOTS_SHOWN) -> list[Hotspot]:
    """The map's touchpoints that need work most, with why (formula: module docstring)."""
    with uow:
        view = maps.load(uow, map_id)
        scores = results.touchpoint_scores(uow, map_id=map_id, tz=view.tz)
    return rank_hotspots(view, scores, limit)


def current_hotspots(
    uow: UnitOfWork, *, chat_id: int, limit: int = HOTSPOTS_SHOWN
) -> HotspotReport:
    """/hotspots: the chat's current map and its hotspots."""
    with uow:
        view = maps.load(uow, maps.current_map_id(uow, chat_id))
        scores = results.touchpoint_scores(uow, map_id=view.id, tz=view.tz)
    return HotspotReport(view, tuple(rank_hotspots(view, scores, limit)))


@dataclass(frozen=True)
class HotspotFix:
    """What a reply to "➕ Add a fix" did: a fix for the open pain, or a new pain point."""

    touchpoint_name: str
    pain_text: str
    added_fix: bool
    fix_text: str | None = None


@dataclass(frozen=True)
class FixTarget:
    """Where a "➕ Add a fix" reply lands: the touchpoint and its most severe open pain."""

    map_id: int
    touchpoint: TouchpointView
    open_pain: PainView | None


def fix_target(uow: UnitOfWork, *, chat_id: int, touchpoint_id: int) -> FixTarget:
    """The touchpoint a "➕ Add a fix" button points at, on the chat's current map."""
    with uow:
        view = maps.load(uow, maps.current_map_id(uow, chat_id))
    tp = view.touchpoint(touchpoint_id)
    if tp is None:
        raise StaleButton
    open_pains = _open_pains(view, tp.id)
    return FixTarget(view.id, tp, open_pains[0] if open_pains else None)


def add_hotspot_fix(uow: UnitOfWork, *, touchpoint_id: int, text: str, actor: Actor) -> HotspotFix:
    """A fix for the touchpoint's most severe open pain; without one, the text is a new pain."""
    with uow:
        touchpoint = uow.get(Touchpoint, touchpoint_id)
        view = maps.load(uow, uow.get(Stage, touchpoint.stage_id).map_id)
        open_pains = _open_pains(view, touchpoint_id)
        if open_pains:
            pain = open_pains[0]
            fix_id = fixes.add_fix(uow, pain_id=pain.id, text=text, actor=actor)
            outcome = HotspotFix(touchpoint.name, pain.text, True, uow.get(Fix, fix_id).text)
        else:
            pain_id = pains.add_pain(
                uow,
                stage_id=touchpoint.stage_id,
                touchpoint_id=touchpoint_id,
                text=text,
                actor=actor,
            )
            outcome = HotspotFix(touchpoint.name, uow.get(PainPoint, pain_id).text, False)
        uow.commit()
    return outcome


# ---------------------------------------------------------------- KPIs


@dataclass(frozen=True)
class StageKpis:
    """A stage with its KPIs."""

    stage: StageView
    kpis: tuple[KpiView, ...]


@dataclass(frozen=True)
class KpiBoard:
    """/kpi: the current map's KPIs, stage by stage."""

    map_id: int
    title: str
    stages: tuple[StageKpis, ...]

    @property
    def kpis(self) -> list[KpiView]:
        """Every KPI, stage by stage."""
        return [kpi for stage in self.stages for kpi in stage.kpis]

    def stage(self, stage_id: int) -> StageView | None:
        """The stage with this id, if it is on the map."""
        return next((s.stage for s in self.stages if s.stage.id == stage_id), None)

    def kpi(self, kpi_id: int) -> KpiView | None:
        """The KPI with this id, if it is on the map."""
        return next((k for k in self.kpis if k.id == kpi_id), None)


@dataclass(frozen=True)
class KpiRecorded:
    """A KPI after a value was recorded; replaced says the day already had one."""

    kpi: KpiView
    measured_on: date
    value: float
    replaced: bool


def _board(view: MapView) -> KpiBoard:
    return KpiBoard(
        view.id,
        view.title,
        tuple(StageKpis(stage, tuple(view.kpis_at(stage.id))) for stage in view.stages),
    )


def list_kpis(uow: UnitOfWork, *, chat_id: int) -> KpiBoard:
    """The KPIs of the chat's current map, stage by stage, with their values."""
    with uow:
        return kpi_board(uow, chat_id)


def kpi_board(uow: UnitOfWork, chat_id: int) -> KpiBoard:
    """list_kpis inside a transaction already open."""
    return _board(maps.load(uow, maps.current_map_id(uow, chat_id)))


def parse_number(text: str, *, reason: str) -> float:
    """A number as members type it: "3.5", "3,5", "−2", "12%"; else KpiInvalid(reason)."""
    cleaned = text.strip().removesuffix("%").strip()
    if _NUMBER.fullmatch(cleaned):
        number = float(cleaned.replace(",", ".").replace("−", "-"))
        if math.isfinite(number):  # hundreds of digits make an infinity, which JSON can't carry
            return number
    raise KpiInvalid(reason=reason, text=text.strip()[:50])


def parse_kpi(text: str) -> tuple[str, str, float | None, KpiDirection]:
    """Read "name; unit; target; up|down" (unit and target may be empty)."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) != KPI_PARTS:
        raise KpiInvalid(reason="format", text=text.strip()[:50])
    name_text, unit_text, target_text, direction_text = parts
    name = clean_text(name_text, field="kpi", limit=NAME_MAX_CHARS)
    unit = " ".join(unit_text.split())
    if len(unit) > KPI_UNIT_MAX_CHARS:
        raise KpiInvalid(reason="format", text=unit[:50])
    target = parse_number(target_text, reason="target") if target_text not in ("", "-") else None
    direction = direction_text.casefold()
    if direction not in set(KpiDirection):
        raise KpiInvalid(reason="direction", text=direction_text[:50])
    return name, unit, target, KpiDirection(direction)


def add_kpi(uow: UnitOfWork, *, stage_id: int, text: str, actor: Actor) -> KpiView:
    """Add a KPI to a stage from "name; unit; target; up|down"."""
    name, unit, target, direction = parse_kpi(text)
    with uow:
        stage = uow.get(Stage, stage_id)
        existing = uow.session.exec(select(Kpi).where(Kpi.stage_id == stage_id)).all()
        if len(existing) >= MAX_KPIS_PER_STAGE:
            raise TooManyItems(kind="kpi", limit=MAX_KPIS_PER_STAGE)
        if any(kpi.name.casefold() == name.casefold() for kpi in existing):
            raise DuplicateName(kind="kpi", name=name)
        kpi = Kpi(stage_id=stage_id, name=name, unit=unit, target=target, direction=direction)
        uow.session.add(kpi)
        uow.session.flush()
        uow.record(actor, stage.map_id, "kpi.added", kpi.id, f"{stage.name}: {name}")
        maps.touch(uow, stage.map_id)
        view = maps.load(uow, stage.map_id).kpi(kpi.id or 0)
        uow.commit()
    if view is None:  # pragma: no cover  (just added)
        raise ItemGone(kind="kpi")
    return view


def _measured_on(text: str | None, *, language: str, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    parsed = dateparser.parse(
        text.strip(),
        languages=[language, "en"] if language != "en" else ["en"],
        settings={
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": datetime.combine(today, time()),
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        raise InvalidDate(text=text.strip()[:50])
    return parsed.date()


def record_kpi_value(uow: UnitOfWork, *, kpi_id: int, text: str, actor: Actor) -> KpiRecorded:
    """Record "value" (today, in the chat's zone) or "value on <date>"; one value per day."""
    match = _VALUE_ON.match(" ".join(text.split()))
    if match is None:
        raise KpiInvalid(reason="value", text=text.strip()[:50])
    value = parse_number(match["value"], reason="value")
    with uow:
        kpi = uow.get(Kpi, kpi_id)
        stage = uow.get(Stage, kpi.stage_id)
        journey = maps.load(uow, stage.map_id)
        today = uow.clock.now().astimezone(ZoneInfo(journey.tz)).date()
        day = _measured_on(match["date"], language=journey.language, today=today)
        row = uow.session.exec(
            select(KpiValue).where(KpiValue.kpi_id == kpi_id, KpiValue.measured_on == day)
        ).first()
        replaced = row is not None
        if row is None:
            row = KpiValue(
                kpi_id=kpi_id, value=value, measured_on=day, recorded_at=uow.clock.now()
            )
            uow.session.add(row)
        row.value, row.recorded_at = value, uow.clock.now()
        uow.session.flush()
        uow.record(
            actor, stage.map_id, "kpi.value_recorded", kpi_id, f"{kpi.name}: {value:g} ({day})"
        )
        maps.touch(uow, stage.map_id)
        view = maps.load(uow, stage.map_id).kpi(kpi_id)
        uow.commit()
    if view is None:  # pragma: no cover  (just recorded)
        raise ItemGone(kind="kpi")
    return KpiRecorded(view, day, value, replaced)


# ---------------------------------------------------------------- questions


@dataclass(frozen=True)
class Answered:
    """What a reply to an insight question did, and the /kpi message to redraw (if any)."""

    kind: Question
    outcome: HotspotFix | KpiView | KpiRecorded
    board_message_id: int | None


def remember_question(
    uow: UnitOfWork,
    *,
    chat_id: int,
    message_id: int,
    kind: Question,
    map_id: int,
    target_id: int,
    board_message_id: int | None = None,
) -> None:
    """Store an insight question the bot just sent, so a reply to it finds what it asked."""
    with uow:
        uow.session.add(
            Prompt(
                chat_id=chat_id,
                message_id=message_id,
                kind=kind.value,
                map_id=map_id,
                target_id=target_id,
                card_message_id=board_message_id,
                created_at=uow.clock.now(),
            )
        )
        uow.commit()


def _question(uow: UnitOfWork, chat_id: int, message_id: int) -> Prompt | None:
    return uow.session.exec(
        select(Prompt).where(
            Prompt.chat_id == chat_id,
            Prompt.message_id == message_id,
            col(Prompt.kind).in_([q.value for q in Question]),
        )
    ).first()


def question_kind(uow: UnitOfWork, *, chat_id: int, message_id: int) -> Question | None:
    """What the bot's message asks, if it is an insight question."""
    with uow:
        prompt = _question(uow, chat_id, message_id)
        return Question(prompt.kind) if prompt else None


def answer_question(
    uow: UnitOfWork,
    *,
    chat_id: int,
    prompt_message_id: int,
    reply_message_id: int,
    text: str,
    actor: Actor,
) -> Answered:
    """Apply a reply to an insight question, once per message, in one transaction."""
    with uow:
        prompt = _question(uow, chat_id, prompt_message_id)
        if prompt is None or prompt.target_id is None or prompt.map_id is None:
            raise PromptUnknown(map_deleted=prompt is not None)
        uow.claim_message(chat_id, reply_message_id)
        kind = Question(prompt.kind)
        outcome: HotspotFix | KpiView | KpiRecorded
        if kind is Question.HOTSPOT_FIX:
            outcome = add_hotspot_fix(uow, touchpoint_id=prompt.target_id, text=text, actor=actor)
        elif kind is Question.KPI_ADD:
            outcome = add_kpi(uow, stage_id=prompt.target_id, text=text, actor=actor)
        else:
            outcome = record_kpi_value(uow, kpi_id=prompt.target_id, text=text, actor=actor)
        board = prompt.card_message_id
        uow.commit()
    return Answered(kind, outcome, board)

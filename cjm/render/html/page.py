"""The map page's model: what the template draws, computed once from a MapView.

Stage headers and touchpoint columns carry their figures already formatted (signed, with the
language's decimal sign), pains are numbered in reading order, and the columns are grouped
into print pages here, so the template only lays things out.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from cjm.models import FixStatus, Severity
from cjm.render.marks import signed
from cjm.views import (
    FixView,
    KpiView,
    MapView,
    PainView,
    StageView,
    TouchpointScore,
    TouchpointView,
)

# A4 landscape keeps about ten touchpoint columns readable; wider maps print a page per run of
# stages, while the screen shows the whole map in one horizontally scrolling table.
PRINT_COLUMNS_PER_PAGE = 10
SPREAD_SHOWN_FROM = 1.0  # members disagree: the same threshold as the chat's emotion line


@dataclass(frozen=True)
class PainCard:
    """A pain point as the page shows it, with its reference (P1, P2, …)."""

    pain: PainView
    ref: str


@dataclass(frozen=True)
class FixCard:
    """A fix as the page shows it, with its pain's reference and whether it is overdue."""

    fix: FixView
    ref: str
    overdue: bool


@dataclass(frozen=True)
class ScoreCell:
    """A survey score, formatted."""

    kind: str
    value: str
    n: int
    trend: int


@dataclass(frozen=True)
class Column:
    """One touchpoint column (an empty stage gets one column without a touchpoint)."""

    touchpoint: TouchpointView | None
    starts_stage: bool
    emotion: str | None
    tone: str
    spread: str | None
    pains: tuple[PainCard, ...]
    fixes: tuple[FixCard, ...]
    score: ScoreCell | None
    html: Mapping[str, Markup] = field(default_factory=dict)


@dataclass(frozen=True)
class StageHead:
    """A stage header: its number, how many columns it spans, its stage-wide pains and fixes."""

    stage: StageView
    number: int
    span: int
    emotion: str | None
    tone: str
    pains: tuple[PainCard, ...]
    fixes: tuple[FixCard, ...]
    html: Mapping[str, Markup] = field(default_factory=dict)
    kpis: tuple[KpiView, ...] = ()


@dataclass(frozen=True)
class MapPart:
    """A run of stages drawn as one table: the whole map on screen, one page of it in print."""

    stages: tuple[StageHead, ...]
    columns: tuple[Column, ...]
    curve: Markup

    @property
    def has_stage_pains(self) -> bool:
        """Whether any stage has pain points on the whole stage."""
        return any(head.pains for head in self.stages)

    @property
    def has_stage_fixes(self) -> bool:
        """Whether any stage-wide pain point has fixes."""
        return any(head.fixes for head in self.stages)

    @property
    def has_kpis(self) -> bool:
        """Whether any stage has KPIs (the KPI lane shows only then)."""
        return any(head.kpis for head in self.stages)


@dataclass(frozen=True)
class Kpis:
    """The headline figures above the map."""

    stages: int
    touchpoints: int
    voted: int
    votes: int
    emotion: str | None
    tone: str
    pains: int
    high_open: int
    fixes: int
    fixes_done: int


@dataclass(frozen=True)
class MapPage:
    """Everything the template needs beyond the view, computed once in Python."""

    language: str
    direction: str
    persona_name: str | None
    persona_role: str | None
    persona_initial: str
    persona_fields: tuple[tuple[str, str], ...]
    kpis: Kpis
    screen: MapPart | None
    print_parts: tuple[MapPart, ...]
    has_scores: bool
    generated_at: datetime | None
    print_columns: int = PRINT_COLUMNS_PER_PAGE


class Numbers:
    """Signed one-decimal figures with the language's decimal sign and a true minus."""

    def __init__(self, decimal_symbol: str) -> None:
        self.decimal_symbol = decimal_symbol

    def signed(self, value: float) -> str:
        """A signed one-decimal figure: +1,5 / −0,3 in a comma language."""
        return signed(value).replace(".", self.decimal_symbol)

    def plain(self, value: float, digits: int = 1) -> str:
        """An unsigned figure with `digits` decimals, such as a spread."""
        return f"{value:.{digits}f}".replace(".", self.decimal_symbol)

    def score(self, score: TouchpointScore) -> ScoreCell:
        """A survey score as its cell shows it, with the trend reduced to its sign."""
        is_nps = score.kind.upper() == "NPS"  # NPS is a whole number from −100 to +100
        value = signed(score.value, 0) if is_nps else self.plain(score.value)
        return ScoreCell(score.kind, value, score.n, (score.trend > 0) - (score.trend < 0))


def _tone(value: float | None) -> str:
    """The CSS tone of an average: n2, n1, 0, p1, p2 (or none before any vote)."""
    if value is None:
        return "none"
    rounded = max(-2, min(2, round(value)))
    return {-2: "n2", -1: "n1", 0: "0", 1: "p1", 2: "p2"}[rounded]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.fmean(present) if present else None


def layout(
    view: MapView,
    scores: Mapping[int, TouchpointScore],
    fmt: Numbers,
    today: date | None,
) -> tuple[list[StageHead], list[Column]]:
    """Stage headers and touchpoint columns, with pains placed and numbered in reading order."""
    touchpoint_ids = {tp.id for tp in view.touchpoints}
    at_touchpoint: dict[int, list[PainView]] = {}
    at_stage: dict[int, list[PainView]] = {}
    for pain in sorted(view.pains, key=lambda p: (p.severity_rank, p.id)):
        if pain.touchpoint_id is not None and pain.touchpoint_id in touchpoint_ids:
            at_touchpoint.setdefault(pain.touchpoint_id, []).append(pain)
        else:
            at_stage.setdefault(pain.stage_id, []).append(pain)
    numbered = 0

    def cards(pains: list[PainView]) -> tuple[tuple[PainCard, ...], tuple[FixCard, ...]]:
        nonlocal numbered
        pain_cards, fix_cards = [], []
        for pain in pains:
            numbered += 1
            pain_cards.append(PainCard(pain, f"P{numbered}"))
            fix_cards += [FixCard(fix, f"P{numbered}", _overdue(fix, today)) for fix in pain.fixes]
        return tuple(pain_cards), tuple(fix_cards)

    heads: list[StageHead] = []
    columns: list[Column] = []
    for number, stage in enumerate(view.stages, start=1):
        stage_pains, stage_fixes = cards(at_stage.get(stage.id, []))
        average = _mean(tp.emotion for tp in stage.touchpoints)
        heads.append(
            StageHead(
                stage=stage,
                number=number,
                span=max(1, len(stage.touchpoints)),
                emotion=fmt.signed(average) if average is not None else None,
                tone=_tone(average),
                pains=stage_pains,
                fixes=stage_fixes,
                kpis=tuple(view.kpis_at(stage.id)),
            )
        )
        for index, tp in enumerate(stage.touchpoints or (None,)):
            pains, fixes = cards(at_touchpoint.get(tp.id, [])) if tp else ((), ())
            emotion = tp.emotion if tp else None
            score = scores.get(tp.id) if tp else None
            columns.append(
                Column(
                    touchpoint=tp,
                    starts_stage=index == 0,
                    emotion=fmt.signed(emotion) if emotion is not None else None,
                    tone=_tone(emotion),
                    spread=(
                        fmt.plain(tp.spread) if tp and tp.spread >= SPREAD_SHOWN_FROM else None
                    ),
                    pains=pains,
                    fixes=fixes,
                    score=fmt.score(score) if score else None,
                )
            )
    return heads, columns


def _overdue(fix: FixView, today: date | None) -> bool:
    return bool(today and fix.due_on and fix.due_on < today and fix.status is not FixStatus.DONE)


def print_chunks(
    heads: Sequence[StageHead], columns: Sequence[Column]
) -> list[tuple[list[StageHead], list[Column]]]:
    """Stages and their columns grouped into print pages of ≤ PRINT_COLUMNS_PER_PAGE columns."""
    chunks: list[tuple[list[StageHead], list[Column]]] = []
    start = 0
    for head in heads:
        stage_columns = list(columns[start : start + head.span])
        start += head.span
        if chunks and len(chunks[-1][1]) + head.span <= PRINT_COLUMNS_PER_PAGE:
            chunks[-1][0].append(head)
            chunks[-1][1].extend(stage_columns)
        else:
            chunks.append(([head], stage_columns))
    return chunks


def kpis_of(view: MapView, fmt: Numbers) -> Kpis:
    """The headline figures of the whole map."""
    touchpoints = view.touchpoints
    average = _mean(tp.emotion for tp in touchpoints)
    fixes = view.fixes
    return Kpis(
        stages=len(view.stages),
        touchpoints=len(touchpoints),
        voted=sum(1 for tp in touchpoints if tp.scores),
        votes=sum(len(tp.scores) for tp in touchpoints),
        emotion=fmt.signed(average) if average is not None else None,
        tone=_tone(average),
        pains=len(view.pains),
        high_open=sum(1 for p in view.pains if p.severity is Severity.HIGH and p.is_open),
        fixes=len(fixes),
        fixes_done=sum(1 for fix in fixes if fix.status is FixStatus.DONE),
    )

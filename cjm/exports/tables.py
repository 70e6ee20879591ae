"""The map as tables, shared by XLSX and CSV, and the guard against formula injection."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cjm.models import PersonaField
from cjm.views import KpiView, MapView, PainView, TouchpointScore, TouchpointView

CellValue = str | int | float | bool | date | datetime | None


class ChangeLine(Protocol):
    """Anything that reads as a change-log line (ChangeRow, cjm.views.ChangeView)."""

    @property
    def at(self) -> datetime:
        """When, aware UTC."""

    @property
    def actor_name(self) -> str:
        """Who."""

    @property
    def action(self) -> str:
        """What, e.g. "stage.added"."""

    @property
    def summary(self) -> str:
        """To what."""


@dataclass(frozen=True)
class ChangeRow:
    """A line of the map's change log: when, who, what."""

    at: datetime
    actor_name: str
    action: str
    summary: str


@dataclass(frozen=True)
class Table:
    """One sheet of the workbook, one file of the CSV zip."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[CellValue, ...], ...]

    @property
    def file_name(self) -> str:
        """The CSV's name in the zip, e.g. "pain_points.csv"."""
        return self.title.lower().replace(" ", "_") + ".csv"


def map_tables(
    view: MapView,
    changes: Sequence[ChangeLine] = (),
    scores: Mapping[int, TouchpointScore] | None = None,
) -> list[Table]:
    """The map as tables, one per lane; change times in the chat's zone, without offset."""
    scores = scores or {}
    stage_names = {stage.id: stage.name for stage in view.stages}
    tp_names = {tp.id: tp.name for tp in view.touchpoints}
    pain_texts = {pain.id: pain.text for pain in view.pains}
    zone = ZoneInfo(view.tz)
    return [
        Table(
            "Persona",
            ("Field", "Value"),
            tuple((field.value, view.persona.get(field)) for field in PersonaField),
        ),
        Table(
            "Stages",
            ("Position", "Name", "Customer goal"),
            tuple((s.position, s.name, s.customer_goal) for s in view.stages),
        ),
        Table(
            "Touchpoints",
            (
                "Stage",
                "Position",
                "Name",
                "Channel",
                "Mode",
                "Average emotion",
                "Spread",
                "Votes",
                "Moment of truth",
                "Survey",
                "Survey score",
                "Survey answers",
                "Survey trend",
            ),
            tuple(
                _touchpoint_row(stage_names[tp.stage_id], tp) + _score_cells(scores.get(tp.id))
                for tp in view.touchpoints
            ),
        ),
        Table(
            "Emotions",
            ("Stage", "Touchpoint", "Member", "Score", "Note"),
            tuple(
                (stage_names[tp.stage_id], tp.name, v.user_name, v.score, v.note)
                for tp in view.touchpoints
                for v in tp.votes
            ),
        ),
        Table(
            "Pain points",
            ("Stage", "Touchpoint", "Text", "Category", "Severity", "Source", "Open"),
            tuple(_pain_row(stage_names, tp_names, pain) for pain in view.pains),
        ),
        Table(
            "Fixes",
            ("Pain point", "Text", "Owner", "Status", "Due date"),
            tuple(
                (pain_texts[f.pain_point_id], f.text, f.owner_name, f.status.value, f.due_on)
                for f in view.fixes
            ),
        ),
        Table(
            "KPIs",
            ("Stage", "KPI", "Unit", "Target", "Better", "Measured on", "Value"),
            tuple(row for kpi in view.kpis for row in _kpi_rows(stage_names[kpi.stage_id], kpi)),
        ),
        Table(
            "Change log",
            (f"At ({view.tz})", "Who", "Action", "Summary"),
            tuple(
                (c.at.astimezone(zone).replace(tzinfo=None), c.actor_name, c.action, c.summary)
                for c in changes
            ),
        ),
    ]


def _touchpoint_row(stage_name: str, tp: TouchpointView) -> tuple[CellValue, ...]:
    emotion = None if tp.emotion is None else round(tp.emotion, 2)
    spread = round(tp.spread, 2) if tp.scores else None
    mode = tp.mode.value if tp.mode else None
    return (
        stage_name,
        tp.position,
        tp.name,
        tp.channel,
        mode,
        emotion,
        spread,
        len(tp.scores),
        tp.is_moment_of_truth,
    )


def _kpi_rows(stage_name: str, kpi: KpiView) -> list[tuple[CellValue, ...]]:
    """A row per recorded value, oldest first; one row without a value before the first."""
    head = (stage_name, kpi.name, kpi.unit or None, kpi.target, kpi.direction.value)
    if not kpi.values:
        return [(*head, None, None)]
    return [(*head, point.measured_on, point.value) for point in kpi.values]


def _score_cells(score: TouchpointScore | None) -> tuple[CellValue, ...]:
    if score is None:
        return (None, None, None, None)
    arrow = {1: "up", -1: "down"}.get(score.trend, "steady")
    return (score.kind.upper(), round(score.value, 1), score.n, arrow)


def _pain_row(
    stage_names: dict[int, str], tp_names: dict[int, str], pain: PainView
) -> tuple[CellValue, ...]:
    touchpoint = tp_names.get(pain.touchpoint_id) if pain.touchpoint_id is not None else None
    category = pain.category.value if pain.category else None
    return (
        stage_names[pain.stage_id],
        touchpoint,
        pain.text,
        category,
        pain.severity.value,
        pain.source.value,
        pain.is_open,
    )


# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: CellValue) -> CellValue:
    """A value no spreadsheet runs: text starting like a formula gets a leading quote (')."""
    if not isinstance(value, str):
        return value  # numbers, dates and booleans are data, never formulas
    text: str = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML 1.0 refuses them; openpyxl raises
    if text.startswith(_FORMULA_TRIGGERS) or text.lstrip().startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text

"""Maps out of the bot (JSON, XLSX, CSV, Mermaid) and back in (JSON): pure, no database."""

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Protocol, Self
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cjm.errors import ImportRefused, TextEmpty, TextTooLong
from cjm.limits import (
    CHANNEL_MAX_CHARS,
    KPI_UNIT_MAX_CHARS,
    MAX_FIXES_PER_PAIN,
    MAX_KPIS_PER_STAGE,
    MAX_PAINS_PER_MAP,
    MAX_STAGES,
    MAX_TOUCHPOINTS_PER_STAGE,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
    clean_text,
)
from cjm.models import (
    FixStatus,
    KpiDirection,
    MapStatus,
    Mode,
    PainCategory,
    PainSource,
    PersonaField,
    Severity,
)
from cjm.views import KpiView, MapView, PainView, StageView, TouchpointScore, TouchpointView

SCHEMA_NAME = "journey-map"
# Version 2 added each touchpoint's is_moment_of_truth and each stage's kpis; version 1 files
# still import, as maps without them.
SCHEMA_VERSION = 2
MAX_IMPORT_BYTES = 2 * 1024 * 1024

# Limits no member rule names: the column sizes of JourneyMap.segment, EmotionVote.user_name and
# Fix.owner_name, and BigInteger. Names the bot copied from Telegram may fill the whole column.
SEGMENT_MAX_CHARS = 200
MEMBER_NAME_MAX_CHARS = 128
USER_ID_MIN, USER_ID_MAX = -(2**63), 2**63 - 1
SCORE_MIN, SCORE_MAX = -2, 2  # cjm.services.emotions.SCORES

JsonObject = dict[str, Any]
CellValue = str | int | float | bool | date | datetime | None


# --- JSON out -------------------------------------------------------------------------------


def map_to_json(view: MapView) -> bytes:
    """The map as a versioned JSON document; exporting its re-import gives the same bytes."""
    document = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "map": _map_json(view)}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


def _map_json(view: MapView) -> JsonObject:
    # No ids, timestamps or owner: they belong to one database, and would differ after import.
    return {
        "title": view.title,
        "segment": view.segment,
        "status": view.status.value,
        "persona": {field.value: view.persona.get(field) for field in PersonaField},
        "stages": [_stage_json(view, stage) for stage in view.stages],
        "pains": [_pain_json(view, pain) for pain in view.pains],
    }


def _stage_json(view: MapView, stage: StageView) -> JsonObject:
    return {
        "name": stage.name,
        "customer_goal": stage.customer_goal,
        "touchpoints": [_touchpoint_json(tp) for tp in stage.touchpoints],
        "kpis": [_kpi_json(kpi) for kpi in view.kpis_at(stage.id)],
    }


def _touchpoint_json(tp: TouchpointView) -> JsonObject:
    return {
        "name": tp.name,
        "channel": tp.channel,
        "mode": tp.mode.value if tp.mode else None,
        "is_moment_of_truth": tp.is_moment_of_truth,
        "votes": [
            {"user_id": v.user_id, "user_name": v.user_name, "score": v.score, "note": v.note}
            for v in tp.votes
        ],
    }


def _kpi_json(kpi: KpiView) -> JsonObject:
    return {
        "name": kpi.name,
        "unit": kpi.unit or None,
        "target": kpi.target,
        "direction": kpi.direction.value,
        "values": [
            {"measured_on": point.measured_on.isoformat(), "value": point.value}
            for point in kpi.values
        ],
    }


def _pain_json(view: MapView, pain: PainView) -> JsonObject:
    stage_index, touchpoint_index = _pain_place(view, pain)
    return {
        "stage": stage_index,
        "touchpoint": touchpoint_index,
        "text": pain.text,
        "category": pain.category.value if pain.category else None,
        "severity": pain.severity.value,
        "source": pain.source.value,
        "fixes": [
            {
                "text": fix.text,
                "owner_name": fix.owner_name,
                "status": fix.status.value,
                "due_on": fix.due_on.isoformat() if fix.due_on else None,
            }
            for fix in pain.fixes
        ],
    }


def _pain_place(view: MapView, pain: PainView) -> tuple[int, int | None]:
    """Where a pain point sits as indexes into the file's lists, since ids do not travel."""
    for stage_index, stage in enumerate(view.stages):
        if stage.id == pain.stage_id:
            ids = [tp.id for tp in stage.touchpoints]
            return stage_index, ids.index(
                pain.touchpoint_id
            ) if pain.touchpoint_id in ids else None
    raise ValueError(f"pain point {pain.id} is on no stage of map {view.id}")


# --- JSON in: the document and its checks ----------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what clean_text removes too
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # "\ud800" is valid JSON but no storable text


def _no_surrogates(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("text holds a lone UTF-16 surrogate")
    return value


def _member_text(field: str, limit: int, *, multiline: bool = False) -> Callable[[str], str]:
    """Text a member typed: cleaned exactly as the services clean it."""

    def clean(value: str) -> str:
        try:
            return clean_text(_no_surrogates(value), field=field, limit=limit, multiline=multiline)
        except (TextEmpty, TextTooLong) as error:
            raise ValueError(f"{error.code} {error.params}") from None

    return clean


def _optional_member_text(
    field: str, limit: int, *, multiline: bool = False
) -> Callable[[str | None], str | None]:
    """Optional text a member typed; blank counts as not given."""
    clean = _member_text(field, limit, multiline=multiline)

    def clean_optional(value: str | None) -> str | None:
        if value is None or not _CONTROL.sub("", value).strip():
            return None
        return clean(value)

    return clean_optional


def _telegram_name(value: str | None) -> str | None:
    """A name the bot copied from Telegram: kept as it is, so re-exports stay byte-identical."""
    if value is None:
        return None
    value = _CONTROL.sub("", _no_surrogates(value))
    if len(value) > MEMBER_NAME_MAX_CHARS:
        raise ValueError(f"longer than {MEMBER_NAME_MAX_CHARS} characters")
    return value


def _kpi_unit(value: str | None) -> str | None:
    """A KPI's unit, with spaces collapsed as /kpi reads it; blank counts as not given."""
    if value is None:
        return None
    unit = " ".join(_CONTROL.sub("", _no_surrogates(value)).split())
    if len(unit) > KPI_UNIT_MAX_CHARS:
        raise ValueError(f"longer than {KPI_UNIT_MAX_CHARS} characters")
    return unit or None


def _iso_date(value: object) -> object:
    """Only "YYYY-MM-DD" (or a date, for documents built in code): no timestamps, no weeks."""
    if isinstance(value, datetime) or not isinstance(value, str | date):
        raise ValueError("not a YYYY-MM-DD date")
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a YYYY-MM-DD date")
    return value


def _bad_reference(where: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("bad_reference", "{where}: " + message, {"where": where})


def _refuse_duplicates(names: Iterable[str], where: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name.casefold() in seen:
            raise _bad_reference(f"{where}.{index}.name", "the same name twice")
        seen.add(name.casefold())


Title = Annotated[StrictStr, AfterValidator(_member_text("title", TITLE_MAX_CHARS))]
Name = Annotated[StrictStr, AfterValidator(_member_text("name", NAME_MAX_CHARS))]
Text = Annotated[StrictStr, AfterValidator(_member_text("text", TEXT_MAX_CHARS, multiline=True))]
Segment = Annotated[
    StrictStr | None, AfterValidator(_optional_member_text("segment", SEGMENT_MAX_CHARS))
]
Channel = Annotated[
    StrictStr | None, AfterValidator(_optional_member_text("channel", CHANNEL_MAX_CHARS))
]
LongText = Annotated[
    StrictStr | None,
    AfterValidator(_optional_member_text("text", TEXT_MAX_CHARS, multiline=True)),
]
Note = Annotated[
    StrictStr | None,
    AfterValidator(_optional_member_text("note", NOTE_MAX_CHARS, multiline=True)),
]
MemberName = Annotated[StrictStr, AfterValidator(_telegram_name)]
OptionalMemberName = Annotated[StrictStr | None, AfterValidator(_telegram_name)]
Index = Annotated[StrictInt, Field(ge=0)]
Score = Annotated[StrictInt, Field(ge=SCORE_MIN, le=SCORE_MAX)]
UserId = Annotated[StrictInt, Field(ge=USER_ID_MIN, le=USER_ID_MAX)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
KpiUnit = Annotated[StrictStr | None, AfterValidator(_kpi_unit)]
# A JSON number (an integer reads as a float); no text, no booleans, no overflow to infinity.
Number = Annotated[StrictFloat, Field(allow_inf_nan=False)]


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VoteDocument(_Document):
    """One member's emotion vote as the file holds it."""

    user_id: UserId
    user_name: MemberName
    score: Score | None = None
    note: Note = None


class TouchpointDocument(_Document):
    """A touchpoint with its votes, in the order the members cast them."""

    name: Name
    channel: Channel = None
    mode: Mode | None = None
    is_moment_of_truth: StrictBool = False
    votes: tuple[VoteDocument, ...] = ()

    @model_validator(mode="after")
    def _one_vote_per_member(self) -> Self:
        seen: set[int] = set()
        for index, vote in enumerate(self.votes):
            if vote.user_id in seen:
                raise _bad_reference(f"votes.{index}.user_id", "a member voted twice")
            seen.add(vote.user_id)
        return self


class KpiValueDocument(_Document):
    """One recorded value of a KPI on a local date."""

    measured_on: IsoDate
    value: Number


class KpiDocument(_Document):
    """A stage's KPI with its values, at most one per day (the bot writes them oldest first)."""

    name: Name
    unit: KpiUnit = None
    target: Number | None = None
    direction: KpiDirection = KpiDirection.UP
    values: tuple[KpiValueDocument, ...] = ()

    @model_validator(mode="after")
    def _one_value_per_day(self) -> Self:
        seen: set[date] = set()
        for index, point in enumerate(self.values):
            if point.measured_on in seen:
                raise _bad_reference(f"values.{index}.measured_on", "two values on one day")
            seen.add(point.measured_on)
        return self


class StageDocument(_Document):
    """A stage with its touchpoints in order, and its KPIs."""

    name: Name
    customer_goal: LongText = None
    touchpoints: Annotated[
        tuple[TouchpointDocument, ...], Field(max_length=MAX_TOUCHPOINTS_PER_STAGE)
    ] = ()
    kpis: Annotated[tuple[KpiDocument, ...], Field(max_length=MAX_KPIS_PER_STAGE)] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        _refuse_duplicates((tp.name for tp in self.touchpoints), "touchpoints")
        _refuse_duplicates((kpi.name for kpi in self.kpis), "kpis")
        return self


class FixDocument(_Document):
    """A fix for a pain point."""

    text: Text
    owner_name: OptionalMemberName = None
    status: FixStatus = FixStatus.IDEA
    due_on: IsoDate | None = None


class PainDocument(_Document):
    """A pain point, placed by index: stage `stage` and, if set, its touchpoint `touchpoint`."""

    stage: Index
    touchpoint: Index | None = None
    text: Text
    category: PainCategory | None = None
    severity: Severity = Severity.MEDIUM
    source: PainSource = PainSource.TEAM
    fixes: Annotated[tuple[FixDocument, ...], Field(max_length=MAX_FIXES_PER_PAIN)] = ()


class MapDocument(_Document):
    """A whole map read from a JSON export, checked against every rule the services keep."""

    title: Title
    segment: Segment = None
    status: MapStatus = MapStatus.DRAFT
    persona: dict[PersonaField, LongText] = Field(default_factory=dict, validate_default=True)
    stages: Annotated[tuple[StageDocument, ...], Field(max_length=MAX_STAGES)] = ()
    pains: Annotated[tuple[PainDocument, ...], Field(max_length=MAX_PAINS_PER_MAP)] = ()

    @field_validator("persona")
    @classmethod
    def _every_persona_field(cls, persona: dict[PersonaField, str | None]) -> Any:
        return {field: persona.get(field) for field in PersonaField}

    @model_validator(mode="after")
    def _references_in_range(self) -> Self:
        _refuse_duplicates((stage.name for stage in self.stages), "stages")
        for index, pain in enumerate(self.pains):
            if pain.stage >= len(self.stages):
                raise _bad_reference(f"pains.{index}.stage", "no such stage")
            if pain.touchpoint is not None and pain.touchpoint >= len(
                self.stages[pain.stage].touchpoints
            ):
                raise _bad_reference(f"pains.{index}.touchpoint", "no such touchpoint")
        return self


def parse_map_json(data: bytes) -> MapDocument:
    """Read a JSON export back, checking everything; anything else raises ImportRefused."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(reason="too_large", limit_mb=MAX_IMPORT_BYTES // 2**20)
    envelope = _load_json(data)
    if not isinstance(envelope, dict) or envelope.get("schema") != SCHEMA_NAME:
        raise ImportRefused(reason="not_a_map")
    version = envelope.get("version")
    if type(version) is not int or version < 1:  # `type`, since True is an int too
        raise ImportRefused(reason="not_a_map")
    if version > SCHEMA_VERSION:
        raise ImportRefused(reason="newer_version")
    extra = sorted(set(envelope) - {"schema", "version", "map"})
    if extra:
        raise ImportRefused(reason="invalid", where=extra[0])
    try:
        document = MapDocument.model_validate(envelope.get("map"))
    except ValidationError as error:
        raise ImportRefused(reason="invalid", where=_where(error)) from error
    if version == 1:
        _refuse_version_2_keys(document)
    return document


def _refuse_version_2_keys(document: MapDocument) -> None:
    """A version 1 file has no ⭐ or KPIs: such a key in it is as unknown as a typo."""
    for stage_index, stage in enumerate(document.stages):
        if "kpis" in stage.model_fields_set:
            raise ImportRefused(reason="invalid", where=f"map.stages.{stage_index}.kpis")
        for tp_index, tp in enumerate(stage.touchpoints):
            if "is_moment_of_truth" in tp.model_fields_set:
                where = f"map.stages.{stage_index}.touchpoints.{tp_index}.is_moment_of_truth"
                raise ImportRefused(reason="invalid", where=where)


def _load_json(data: bytes) -> object:
    def refuse_constant(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    try:
        # utf-8-sig: Windows editors save a byte-order mark, which json.loads refuses.
        return json.loads(data.decode("utf-8-sig"), parse_constant=refuse_constant)
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, huge numbers, deep nesting
        raise ImportRefused(reason="not_json") from None


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    parts = ["map", *(str(part) for part in first["loc"])]
    context = first.get("ctx") or {}
    if "where" in context:
        parts.append(str(context["where"]))
    return ".".join(parts)


# --- Tables: XLSX and CSV --------------------------------------------------------------------


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


def map_to_xlsx(
    view: MapView,
    changes: Sequence[ChangeLine] = (),
    scores: Mapping[int, TouchpointScore] | None = None,
) -> bytes:
    """The map as an Excel workbook: a sheet per lane, bold frozen headers, real dates."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Journey Bot"
    for table in map_tables(view, changes, scores):
        _write_sheet(workbook.create_sheet(table.title), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_NUMBER_FORMATS: dict[type, str] = {
    datetime: "yyyy-mm-dd hh:mm",
    date: "yyyy-mm-dd",
    float: "0.00",
}
_MAX_COLUMN_WIDTH = 60
_MIN_COLUMN_WIDTH = 8


def _write_sheet(sheet: Any, table: Table) -> None:
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([safe_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.iter_cols(), start=1):
        widths = [_display_width(cell.value) for cell in column]
        sheet.column_dimensions[get_column_letter(index)].width = max(
            _MIN_COLUMN_WIDTH, min(max(widths) + 2, _MAX_COLUMN_WIDTH)
        )
        for cell, width in zip(column[1:], widths[1:], strict=True):
            _format_cell(cell, width)


def _format_cell(cell: Any, width: int) -> None:
    number_format = _NUMBER_FORMATS.get(type(cell.value))
    if number_format:
        cell.number_format = number_format
    if width > _MAX_COLUMN_WIDTH or (isinstance(cell.value, str) and "\n" in cell.value):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _display_width(value: object) -> int:
    """How many columns the longest line takes; CJK and emoji count double."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(value if value is not None else "").splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
        for line in lines
    )


def map_to_csv_zip(
    view: MapView,
    changes: Sequence[ChangeLine] = (),
    scores: Mapping[int, TouchpointScore] | None = None,
) -> bytes:
    """The map as a zip of CSV files (UTF-8 with BOM so Excel reads it), one per sheet."""
    local = view.updated_at.astimezone(ZoneInfo(view.tz))
    # A fixed stamp (not now) keeps the zip reproducible; zip dates start in 1980.
    stamp = local.timetuple()[:6] if local.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for table in map_tables(view, changes, scores):
            info = zipfile.ZipInfo(table.file_name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # without it, unzip creates unreadable files
            archive.writestr(info, _csv_bytes(table))
    return buffer.getvalue()


def _csv_bytes(table: Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.headers)
    writer.writerows([_csv_value(safe_cell(value)) for value in row] for row in table.rows)
    return text.getvalue().encode("utf-8-sig")


def _csv_value(value: CellValue) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # what Excel reads back as booleans
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- Mermaid ---------------------------------------------------------------------------------

# Mermaid's journey lexer ends a name at ":" "#" ";" or a newline, and "%%" starts a comment.
_MERMAID_SUBSTITUTES = str.maketrans({":": "∶", ";": ",", "#": "", "\n": " ", "\r": " "})
# A task line starting with one of these words would be read as that statement instead.
_MERMAID_KEYWORD = re.compile(r"(title|section|acctitle|accdescr)\b", re.IGNORECASE)


def mermaid_score(tp: TouchpointView) -> int:
    """The touchpoint's mood on Mermaid's 1..5 scale: round(average) + 3, or 3 without votes."""
    return 3 if tp.emotion is None else round(tp.emotion) + 3


def map_to_mermaid(view: MapView) -> str:
    """The map as a Mermaid `journey` diagram: a section per stage, a task per touchpoint."""
    lines = ["journey"]
    title = _mermaid_text(view.title)
    if title:
        lines.append(f"    title {title}")
    for stage in view.stages:
        lines.append(f"    section {_mermaid_text(stage.name) or '-'}")
        lines.extend(_mermaid_task(tp) for tp in stage.touchpoints)
    return "\n".join(lines) + "\n"


def _mermaid_task(tp: TouchpointView) -> str:
    name = _mermaid_text(tp.name) or "-"
    if _MERMAID_KEYWORD.match(name):
        name = "\u200b" + name  # a zero-width space: looks the same, parses as a task
    # Commas separate voters, so a comma inside a name would make two voters of one.
    names = (_mermaid_text(v.user_name.replace(",", " ")) for v in tp.votes if v.score is not None)
    voters = ", ".join(name for name in names if name)
    line = f"      {name}: {mermaid_score(tp)}"
    return f"{line}: {voters}" if voters else line


def _mermaid_text(text: str) -> str:
    text = re.sub("%{2,}", "%", _CONTROL.sub("", text.translate(_MERMAID_SUBSTITUTES)))
    return " ".join(text.split())


# --- File names ------------------------------------------------------------------------------

_FILENAME_MAX_CHARS = 60
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


def export_filename(view: MapView, extension: str) -> str:
    """A safe file name from the map title, e.g. "online-shop-first-purchase.xlsx"."""
    kept = (
        char if unicodedata.category(char)[0] in "LNM" else "-"
        for char in unicodedata.normalize("NFC", view.title).lower()
    )
    stem = re.sub(r"-{2,}", "-", "".join(kept)).strip("-")[:_FILENAME_MAX_CHARS].rstrip("-")
    if stem in _WINDOWS_RESERVED:
        stem += "-map"
    suffix = "".join(char for char in extension.lower() if char.isascii() and char.isalnum())
    return f"{stem or 'journey-map'}.{suffix}" if suffix else stem or "journey-map"

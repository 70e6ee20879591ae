"""The JSON document's schema: pydantic models that check a map file against the services' rules.

One frozen model per part of the map, refusing unknown keys; parse_map_json
(cjm.exports.json_document) reads a file into a MapDocument.
"""

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Annotated, Any, Self

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
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cjm.errors import TextBlank, TextEmpty, TextTooLong
from cjm.limits import (
    CHANNEL_MAX_CHARS,
    CONTROL_CHARACTERS,
    KPI_UNIT_MAX_CHARS,
    MAX_FIXES_PER_PAIN,
    MAX_KPIS_PER_STAGE,
    MAX_PAINS_PER_MAP,
    MAX_STAGES,
    MAX_TOUCHPOINTS_PER_STAGE,
    MAX_VALUES_PER_KPI,
    MAX_VOTES_PER_TOUCHPOINT,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
    clean_text,
    name_key,
    normalise,
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

SCHEMA_NAME = "journey-map"
# Version 2 added each touchpoint's is_moment_of_truth and each stage's kpis; version 1 files
# still import, as maps without them.
SCHEMA_VERSION = 2

# Limits no member rule names: the column sizes of JourneyMap.segment, EmotionVote.user_name and
# Fix.owner_name, and BigInteger. Names the bot copied from Telegram may fill the whole column.
SEGMENT_MAX_CHARS = 200
MEMBER_NAME_MAX_CHARS = 128
USER_ID_MIN, USER_ID_MAX = -(2**63), 2**63 - 1
SCORE_MIN, SCORE_MAX = -2, 2  # cjm.services.emotions.SCORES

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
        except (TextEmpty, TextBlank, TextTooLong) as error:
            raise ValueError(f"{error.code} {error.params}") from None

    return clean


def _optional_member_text(
    field: str, limit: int, *, multiline: bool = False
) -> Callable[[str | None], str | None]:
    """Optional text a member typed; blank counts as not given."""
    clean = _member_text(field, limit, multiline=multiline)

    def clean_optional(value: str | None) -> str | None:
        if value is None or not normalise(value):
            return None
        return clean(value)

    return clean_optional


def _telegram_name(value: str | None) -> str | None:
    """A name the bot copied from Telegram: kept as it is, so re-exports stay byte-identical."""
    if value is None:
        return None
    value = CONTROL_CHARACTERS.sub("", _no_surrogates(value))
    if len(value) > MEMBER_NAME_MAX_CHARS:
        raise ValueError(f"longer than {MEMBER_NAME_MAX_CHARS} characters")
    return value


def _kpi_unit(value: str | None) -> str | None:
    """A KPI's unit, with spaces collapsed as /kpi reads it; blank counts as not given."""
    if value is None:
        return None
    unit = normalise(_no_surrogates(value))
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
        if name_key(name) in seen:
            raise _bad_reference(f"{where}.{index}.name", "the same name twice")
        seen.add(name_key(name))


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
    votes: Annotated[tuple[VoteDocument, ...], Field(max_length=MAX_VOTES_PER_TOUCHPOINT)] = ()

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
    values: Annotated[tuple[KpiValueDocument, ...], Field(max_length=MAX_VALUES_PER_KPI)] = ()

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

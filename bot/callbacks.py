"""Typed button payloads: '<prefix>:<value>:<value>…', parsed, never split by hand, ≤ 64 bytes.

A field is packed by value, never by position: an int as its digits, a bool as 1 or 0, an enum
member as its value ("touchpoint.channel", "high"). Adding an enum member anywhere therefore
re-points no button already in a chat, and a value the enum no longer has is a StaleButton.
A handler registers with bot.buttons.on_press(Payload, handler) and receives the parsed payload.
"""

import typing
from dataclasses import astuple, dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, Self

from cjm.errors import StaleButton
from cjm.models import (
    Cadence,
    FixStatus,
    FocusKind,
    Mode,
    PainCategory,
    PersonaField,
    PromptKind,
    Severity,
    Step,
    SurveyKind,
    SurveyStatus,
)
from cjm.services.chats import Language
from cjm.services.outputs import ExportFormat
from cjm.services.stages import StageTemplate
from cjm.services.touchpoints import Channel

CALLBACK_DATA_MAX_BYTES = 64  # Bot API, InlineKeyboardButton: callback_data is 1-64 bytes
SEPARATOR = ":"

_PREFIXES: dict[str, type["Button"]] = {}


def _pack_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _parse_value(kind: Any, raw: str) -> object:
    """One field from its packed text; ValueError for anything its type does not hold."""
    if kind is bool:
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    if kind is int:
        return int(raw)
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return kind(raw)
    raise TypeError(f"a button field must be int, bool or a StrEnum, not {kind!r}")


@dataclass(frozen=True)
class Button:
    """A button payload; subclasses name their typed fields and a short unique prefix."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        taken = _PREFIXES.get(cls.prefix)
        if taken is not None and taken.__qualname__ != cls.__qualname__:
            raise ValueError(f"button prefix {cls.prefix!r} is taken by {taken.__name__}")
        if SEPARATOR in cls.prefix:
            raise ValueError(f"a button prefix cannot hold {SEPARATOR!r}: {cls.prefix!r}")
        _PREFIXES[cls.prefix] = cls

    def pack(self) -> str:
        """Encode for callback_data."""
        values = [_pack_value(value) for value in astuple(self)]
        if any(SEPARATOR in value for value in values):
            raise ValueError(f"a button value cannot hold {SEPARATOR!r}: {values!r}")
        raw = SEPARATOR.join([self.prefix, *values])
        if len(raw.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {raw!r}")
        return raw

    @classmethod
    def parse(cls, raw: str | None) -> Self:
        """Decode callback_data; anything malformed or forged is a StaleButton."""
        prefix, *parts = (raw or "").split(SEPARATOR)
        own = fields(cls)
        if prefix != cls.prefix or len(parts) != len(own):
            raise StaleButton
        hints = typing.get_type_hints(cls)
        try:
            return cls(
                *(_parse_value(hints[f.name], part) for f, part in zip(own, parts, strict=True))
            )
        except ValueError:
            raise StaleButton from None

    @classmethod
    def pattern(cls) -> str:
        """The regex a CallbackQueryHandler uses to pick this button."""
        return f"^{cls.prefix}{SEPARATOR}"


def registered_buttons() -> dict[str, type[Button]]:
    """Every payload class by its prefix (for drift tests)."""
    return dict(_PREFIXES)


@dataclass(frozen=True)
class OpenStep(Button):
    """Post the card of a step of a map."""

    prefix = "os"
    map_id: int
    step: Step


@dataclass(frozen=True)
class OpenOverview(Button):
    """Post the map as text with its step buttons ("Map" and "Done" under a card)."""

    prefix = "ov"
    map_id: int


@dataclass(frozen=True)
class Focus(Button):
    """Point the card at another item (0: back to the list of that kind)."""

    prefix = "fo"
    kind: FocusKind
    item_id: int


@dataclass(frozen=True)
class Ask(Button):
    """Post a question of a step card about an item (0: the map); members reply to it."""

    prefix = "ak"
    kind: PromptKind
    item_id: int


@dataclass(frozen=True)
class AskPersona(Button):
    """Post the question for one persona field."""

    prefix = "ap"
    field: PersonaField


@dataclass(frozen=True)
class UseTemplate(Button):
    """Fill the stages from a template."""

    prefix = "tm"
    map_id: int
    template: StageTemplate


@dataclass(frozen=True)
class MoveStage(Button):
    """Move a stage one place earlier (−1) or later (+1)."""

    prefix = "mv"
    stage_id: int
    offset: int


@dataclass(frozen=True)
class SetChannel(Button):
    """Pick a suggested channel for a touchpoint."""

    prefix = "ch"
    touchpoint_id: int
    channel: Channel


@dataclass(frozen=True)
class SetMode(Button):
    """Mark a touchpoint online or offline."""

    prefix = "md"
    touchpoint_id: int
    mode: Mode


@dataclass(frozen=True)
class Vote(Button):
    """A member's emotion score, −2..+2, on a touchpoint."""

    prefix = "ev"
    touchpoint_id: int
    score: int


@dataclass(frozen=True)
class SetCategory(Button):
    """A pain point's category."""

    prefix = "pc"
    pain_id: int
    category: PainCategory


@dataclass(frozen=True)
class SetSeverity(Button):
    """A pain point's severity."""

    prefix = "ps"
    pain_id: int
    severity: Severity


@dataclass(frozen=True)
class AttachPain(Button):
    """Pin a pain point to a touchpoint (0: the stage as a whole)."""

    prefix = "pa"
    pain_id: int
    touchpoint_id: int


@dataclass(frozen=True)
class SetFixStatus(Button):
    """A fix's status."""

    prefix = "fs"
    fix_id: int
    status: FixStatus


@dataclass(frozen=True)
class AskDelete(Button):
    """Ask to confirm deleting an item of a step card."""

    prefix = "dl"
    kind: FocusKind
    item_id: int


@dataclass(frozen=True)
class ConfirmDelete(Button):
    """Delete the item: admins only."""

    prefix = "dy"
    kind: FocusKind
    item_id: int


@dataclass(frozen=True)
class ShowCard(Button):
    """Redraw the card as it stands (e.g. after "Cancel")."""

    prefix = "sc"
    unused: int = 0


@dataclass(frozen=True)
class SwitchMap(Button):
    """Make another map the chat's current one."""

    prefix = "sw"
    map_id: int


@dataclass(frozen=True)
class ConfirmDeleteMap(Button):
    """Delete a whole map: admins only."""

    prefix = "dmy"
    map_id: int


@dataclass(frozen=True)
class KeepMap(Button):
    """Cancel deleting a map."""

    prefix = "dmn"
    map_id: int


@dataclass(frozen=True)
class KeepHeld(Button):
    """Yes under an answer held for a yes (a taken title, an unknown owner, a far due date)."""

    prefix = "hy"
    pending_id: int


@dataclass(frozen=True)
class DropHeld(Button):
    """No under an answer held for a yes: it is forgotten."""

    prefix = "hn"
    pending_id: int


@dataclass(frozen=True)
class SetLanguage(Button):
    """Switch the chat's language."""

    prefix = "lg"
    language: Language


@dataclass(frozen=True)
class ExportAs(Button):
    """Send the current map as a file."""

    prefix = "ex"
    fmt: ExportFormat


# Touchpoint surveys, the team's side (bot/handlers/surveys/): prefixes "sv…".


@dataclass(frozen=True)
class SurveyStage(Button):
    """/survey setup: show the touchpoints of a stage."""

    prefix = "svs"
    stage_id: int


@dataclass(frozen=True)
class SurveyTouchpoint(Button):
    """/survey setup: survey this touchpoint; next, pick the kind."""

    prefix = "svt"
    touchpoint_id: int


@dataclass(frozen=True)
class SurveyKindPick(Button):
    """/survey setup: the kind; next, whether to ask "why?"."""

    prefix = "svk"
    touchpoint_id: int
    kind: SurveyKind


@dataclass(frozen=True)
class SurveyCreate(Button):
    """/survey setup: create the survey, asking "why?" after the score or not."""

    prefix = "svc"
    touchpoint_id: int
    kind: SurveyKind
    ask_why: bool


@dataclass(frozen=True)
class SurveySetStatus(Button):
    """Pause, close or reopen a survey: the status it gets."""

    prefix = "svx"
    survey_id: int
    status: SurveyStatus


@dataclass(frozen=True)
class SurveyAsk(Button):
    """Post a question about a survey: its own wording, end date or cap (a survey.* kind)."""

    prefix = "svq"
    survey_id: int
    what: PromptKind


@dataclass(frozen=True)
class SurveyCard(Button):
    """Redraw a survey card with its own buttons (e.g. back from the group list)."""

    prefix = "svd"
    survey_id: int


@dataclass(frozen=True)
class SurveyPostMenu(Button):
    """List the groups a survey can be posted to."""

    prefix = "svp"
    survey_id: int


@dataclass(frozen=True)
class SurveyPostTo(Button):
    """Post a survey into another group."""

    prefix = "svg"
    survey_id: int
    chat_id: int


@dataclass(frozen=True)
class SurveyShowResults(Button):
    """Show one survey's results."""

    prefix = "svr"
    survey_id: int


@dataclass(frozen=True)
class SurveyBroadcast(Button):
    """Send a survey to the customers who agreed to be asked again."""

    prefix = "svb"
    survey_id: int


@dataclass(frozen=True)
class SurveyPain(Button):
    """Turn a low score's comment into a pain point."""

    prefix = "sva"
    response_id: int


@dataclass(frozen=True)
class AnswerSurvey(Button):
    """A customer's score on a survey (in a private chat or under a group post)."""

    prefix = "cua"
    survey_id: int
    score: int


@dataclass(frozen=True)
class SkipWhy(Button):
    """The customer would rather not say why."""

    prefix = "cuw"
    survey_id: int


@dataclass(frozen=True)
class AllowAskAgain(Button):
    """The customer's answer to "May we ask you again later?"."""

    prefix = "cuy"
    agreed: bool


# Insights (bot/handlers/insights.py): prefixes "in…".


@dataclass(frozen=True)
class InMoment(Button):
    """Mark a touchpoint as a moment of truth (value true) or unmark it."""

    prefix = "inm"
    touchpoint_id: int
    value: bool


@dataclass(frozen=True)
class InHotspotFix(Button):
    """/hotspots: ask for a fix (or a first pain point) at a touchpoint."""

    prefix = "inf"
    touchpoint_id: int


@dataclass(frozen=True)
class InKpiAdd(Button):
    """/kpi: pick the stage of a new KPI."""

    prefix = "ina"
    map_id: int


@dataclass(frozen=True)
class InKpiStage(Button):
    """/kpi: ask for a new KPI of this stage."""

    prefix = "ins"
    stage_id: int


@dataclass(frozen=True)
class InKpiValue(Button):
    """/kpi: ask for a KPI's value."""

    prefix = "inv"
    kpi_id: int


@dataclass(frozen=True)
class InKpiBoard(Button):
    """/kpi: back from the stage picker to the KPI buttons."""

    prefix = "inb"
    map_id: int


# Reviews (bot/handlers/reviews.py): prefixes "rv…". Times are minutes since the epoch.


@dataclass(frozen=True)
class ReviewCadence(Button):
    """/review card: review the map with this cadence."""

    prefix = "rvc"
    map_id: int
    cadence: Cadence


@dataclass(frozen=True)
class ReviewDay(Button):
    """/review card: tick a weekday (0 = Monday), or move a weekly review to it."""

    prefix = "rvd"
    map_id: int
    weekday: int


@dataclass(frozen=True)
class ReviewTime(Button):
    """/review card: ask for the time of day by reply."""

    prefix = "rvt"
    map_id: int


@dataclass(frozen=True)
class ReviewPause(Button):
    """/review card: pause (true) or resume reviews."""

    prefix = "rvp"
    map_id: int
    paused: bool


@dataclass(frozen=True)
class ReviewSkip(Button):
    """/review card: skip the next review, named by its minute so a second press is a no-op."""

    prefix = "rvs"
    map_id: int
    next_minute: int


@dataclass(frozen=True)
class ReviewDone(Button):
    """Digest: "Reviewed ✅" (logs who and when)."""

    prefix = "rvr"
    map_id: int


@dataclass(frozen=True)
class ReviewSnooze(Button):
    """Digest: post it again a day after the digest's own minute."""

    prefix = "rvz"
    map_id: int
    digest_minute: int


@dataclass(frozen=True)
class ReviewOpenMap(Button):
    """Digest: post the /map summary."""

    prefix = "rvm"
    map_id: int


@dataclass(frozen=True)
class HistoryPage(Button):
    """/history: show a page of the change log (0 = newest)."""

    prefix = "rvh"
    map_id: int
    page: int

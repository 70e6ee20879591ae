"""Typed button payloads: '<prefix>:<int>:<int>…', parsed, never split by hand, ≤ 64 bytes."""

from dataclasses import astuple, dataclass, fields
from typing import ClassVar, Self

from cjm.errors import StaleButton

CALLBACK_DATA_MAX_BYTES = 64  # Telegram's limit on callback_data


@dataclass(frozen=True)
class Button:
    """A button payload; subclasses name their integer fields and a short unique prefix."""

    prefix: ClassVar[str]

    def pack(self) -> str:
        """Encode for callback_data."""
        raw = ":".join([self.prefix, *map(str, astuple(self))])
        if len(raw.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {raw!r}")
        return raw

    @classmethod
    def parse(cls, raw: str | None) -> Self:
        """Decode callback_data; anything malformed or forged is a StaleButton."""
        prefix, *parts = (raw or "").split(":")
        if prefix != cls.prefix or len(parts) != len(fields(cls)):
            raise StaleButton
        try:
            return cls(*map(int, parts))
        except ValueError:
            raise StaleButton from None

    @classmethod
    def pattern(cls) -> str:
        """The regex a CallbackQueryHandler uses to pick this button."""
        return f"^{cls.prefix}:"


@dataclass(frozen=True)
class OpenStep(Button):
    """Post the card of a step (index into Step) for a map."""

    prefix = "os"
    map_id: int
    step: int


@dataclass(frozen=True)
class Focus(Button):
    """Point the card at another item; kind indexes FOCUS_KINDS."""

    prefix = "fo"
    kind: int
    item_id: int


@dataclass(frozen=True)
class Ask(Button):
    """Post a question (index into PromptKind) about an item; members reply to it."""

    prefix = "ak"
    kind: int
    item_id: int


@dataclass(frozen=True)
class UseTemplate(Button):
    """Fill the stages from a template (index into STAGE_TEMPLATES)."""

    prefix = "tm"
    map_id: int
    template: int


@dataclass(frozen=True)
class MoveStage(Button):
    """Move a stage one place earlier (−1) or later (+1)."""

    prefix = "mv"
    stage_id: int
    offset: int


@dataclass(frozen=True)
class SetChannel(Button):
    """Pick a suggested channel (index into SUGGESTED_CHANNELS) for a touchpoint."""

    prefix = "ch"
    touchpoint_id: int
    channel: int


@dataclass(frozen=True)
class SetMode(Button):
    """Mark a touchpoint online or offline (index into Mode)."""

    prefix = "md"
    touchpoint_id: int
    mode: int


@dataclass(frozen=True)
class Vote(Button):
    """A member's emotion score, −2..+2, on a touchpoint."""

    prefix = "ev"
    touchpoint_id: int
    score: int


@dataclass(frozen=True)
class SetCategory(Button):
    """A pain point's category (index into PainCategory)."""

    prefix = "pc"
    pain_id: int
    category: int


@dataclass(frozen=True)
class SetSeverity(Button):
    """A pain point's severity (index into Severity)."""

    prefix = "ps"
    pain_id: int
    severity: int


@dataclass(frozen=True)
class AttachPain(Button):
    """Pin a pain point to a touchpoint (0: the stage as a whole)."""

    prefix = "pa"
    pain_id: int
    touchpoint_id: int


@dataclass(frozen=True)
class SetFixStatus(Button):
    """A fix's status (index into FixStatus)."""

    prefix = "fs"
    fix_id: int
    status: int


@dataclass(frozen=True)
class AskDelete(Button):
    """Ask to confirm deleting an item (kind indexes DELETABLE)."""

    prefix = "dl"
    kind: int
    item_id: int


@dataclass(frozen=True)
class ConfirmDelete(Button):
    """Delete the item: admins only."""

    prefix = "dy"
    kind: int
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
class AskDeleteMap(Button):
    """Ask to confirm deleting a whole map."""

    prefix = "dm"
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
class SetLanguage(Button):
    """Switch the chat's language (index into LANGUAGES)."""

    prefix = "lg"
    language: int


@dataclass(frozen=True)
class ExportAs(Button):
    """Send the current map as a file (index into ExportFormat)."""

    prefix = "ex"
    fmt: int

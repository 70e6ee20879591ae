"""Button payloads: every registered class packs by value, parses back, fits, and is handled."""

import re
import typing
from dataclasses import dataclass, fields
from enum import StrEnum

import pytest
from telegram.ext import CallbackQueryHandler

from bot.app import build_application
from bot.callbacks import CALLBACK_DATA_MAX_BYTES, Button, Vote, registered_buttons
from bot.settings import Settings
from cjm.errors import StaleButton
from tests.conftest import TOKEN

BUTTONS = sorted(registered_buttons().items())
LONGEST_INT = -1_001_234_567_890  # a supergroup's id: the longest int a payload carries


def _samples(kind: object) -> list[object]:
    if kind is bool:
        return [True, False]
    if kind is int:
        return [0, 1, -1, 2_147_483_647, LONGEST_INT]
    assert isinstance(kind, type), kind
    assert issubclass(kind, StrEnum), kind
    return list(kind)


def _longest(kind: object) -> object:
    return max(_samples(kind), key=lambda value: len(str(int(value) if kind is bool else value)))


def _hints(cls: type[Button]) -> dict[str, object]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _instances(cls: type[Button]) -> list[Button]:
    """Every sample of each field, the others at their first sample."""
    hints = _hints(cls)
    first = {name: _samples(kind)[0] for name, kind in hints.items()}
    made = [cls(**first)]
    for name, kind in hints.items():
        made += [cls(**{**first, name: value}) for value in _samples(kind)]
    return made


@pytest.mark.parametrize(("prefix", "cls"), BUTTONS, ids=[p for p, _ in BUTTONS])
def test_a_payload_round_trips(prefix: str, cls: type[Button]) -> None:
    """pack → parse gives the same payload back, for every sample of every field type."""
    for payload in _instances(cls):
        raw = payload.pack()
        assert raw.startswith(f"{prefix}:") or not fields(cls)
        assert re.match(cls.pattern(), raw)
        assert cls.parse(raw) == payload


@pytest.mark.parametrize(("prefix", "cls"), BUTTONS, ids=[p for p, _ in BUTTONS])
def test_a_payload_fits_telegram_at_its_longest(prefix: str, cls: type[Button]) -> None:
    """The longest values of every field still pack into callback_data's 64 bytes."""
    payload = cls(**{name: _longest(kind) for name, kind in _hints(cls).items()})
    assert len(payload.pack().encode()) <= CALLBACK_DATA_MAX_BYTES


@pytest.mark.parametrize(("prefix", "cls"), BUTTONS, ids=[p for p, _ in BUTTONS])
def test_a_value_the_type_lacks_is_a_stale_button(prefix: str, cls: type[Button]) -> None:
    """A value its enum no longer has (or a bool other than 0/1, an int that isn't) is stale."""
    hints = _hints(cls)
    good = _instances(cls)[0].pack().split(":")
    for index, kind in enumerate(hints.values(), start=1):
        bad = "no-such-value" if kind is not bool else "2"
        forged = ":".join([*good[:index], bad, *good[index + 1 :]])
        with pytest.raises(StaleButton):
            cls.parse(forged)
    with pytest.raises(StaleButton):
        cls.parse(":".join([*good, "1"]))  # one value too many
    with pytest.raises(StaleButton):
        cls.parse(f"x{prefix}:" + ":".join(good[1:]))  # another prefix


def test_a_taken_prefix_is_refused() -> None:
    """A second payload class cannot take a prefix that is already taken."""
    with pytest.raises(ValueError, match="taken"):

        @dataclass(frozen=True)
        class AnotherVote(Button):
            prefix = Vote.prefix
            touchpoint_id: int

    assert registered_buttons()[Vote.prefix] is Vote


def test_every_payload_has_a_handler() -> None:
    """Each registered prefix is matched by a CallbackQueryHandler: no button nobody handles."""
    application = build_application(
        Settings(_env_file=None, telegram_bot_token=TOKEN, database_url="sqlite://")
    )
    patterns = [
        handler.pattern
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    ]
    unhandled = [
        prefix
        for prefix, cls in BUTTONS
        if not any(pattern.match(_instances(cls)[0].pack()) for pattern in patterns)
    ]
    assert unhandled == []

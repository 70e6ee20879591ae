"""Step 3: touchpoints, per stage, with their channel and whether they are online."""

import re
from enum import StrEnum

from sqlmodel import col, select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import DuplicateName, TooManyItems
from cjm.limits import (
    CHANNEL_MAX_CHARS,
    MAX_TOUCHPOINTS_PER_STAGE,
    NAME_MAX_CHARS,
    clean_text,
    name_key,
    new_names,
    split_lines,
)
from cjm.models import FocusKind, Mode, Stage, Touchpoint
from cjm.services import maps
from cjm.services.ownership import owned
from cjm.views import Actor


class Channel(StrEnum):
    """The channels the card suggests (a touchpoint's channel may also be any other text)."""

    WEBSITE = "website"
    STORE = "store"
    PHONE = "phone"
    EMAIL = "email"
    LIVE_CHAT = "live chat"
    SOCIAL = "social"
    APP = "app"
    HELP_DESK = "help desk"
    SALES_CALL = "sales call"
    DEMO = "demo"


# The suggested channels, in the card's order, with where each one usually happens.
SUGGESTED_CHANNELS: dict[str, Mode] = {
    Channel.WEBSITE: Mode.ONLINE,
    Channel.STORE: Mode.OFFLINE,
    Channel.PHONE: Mode.OFFLINE,
    Channel.EMAIL: Mode.ONLINE,
    Channel.LIVE_CHAT: Mode.ONLINE,
    Channel.SOCIAL: Mode.ONLINE,
    Channel.APP: Mode.ONLINE,
    Channel.HELP_DESK: Mode.ONLINE,
    Channel.SALES_CALL: Mode.OFFLINE,
    Channel.DEMO: Mode.OFFLINE,
}

# "Checkout page | website" names the channel on the same line.
_CHANNEL_SEPARATOR = re.compile(r"\s*\|\s*")


def _touchpoints(uow: OpenUnitOfWork, stage_id: int) -> list[Touchpoint]:
    return list(
        uow.session.exec(
            select(Touchpoint)
            .where(Touchpoint.stage_id == stage_id)
            .order_by(col(Touchpoint.position))
        ).all()
    )


def _check_unique(existing: list[Touchpoint], name: str, *, except_id: int | None = None) -> None:
    if any(name_key(t.name) == name_key(name) and t.id != except_id for t in existing):
        raise DuplicateName(kind="touchpoint", name=name)


def _parse_line(line: str) -> tuple[str, str | None]:
    parts = _CHANNEL_SEPARATOR.split(line, maxsplit=1)
    name = clean_text(parts[0], field="touchpoint", limit=NAME_MAX_CHARS)
    if len(parts) == 1 or not parts[1].strip():
        return name, None
    return name, clean_text(parts[1], field="channel", limit=CHANNEL_MAX_CHARS)


def add_touchpoints(
    uow: UnitOfWork, *, chat_id: int, stage_id: int, text: str, actor: Actor
) -> tuple[str, ...]:
    """Add touchpoints to a stage, one per line ("name" or "name | channel").

    Returns the names skipped as already on the stage (see limits.new_names).
    """
    parsed = [_parse_line(line) for line in split_lines(text, field="touchpoint")]
    channels: dict[str, str | None] = {}
    for name, channel in parsed:
        channels.setdefault(name_key(name), channel)  # a line said twice keeps its first channel
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        existing = _touchpoints(uow, stage_id)
        names = [name for name, _ in parsed]
        fresh, skipped = new_names(names, [t.name for t in existing], kind="touchpoint")
        if len(existing) + len(fresh) > MAX_TOUCHPOINTS_PER_STAGE:
            raise TooManyItems(kind="touchpoint", limit=MAX_TOUCHPOINTS_PER_STAGE)
        position = max((t.position for t in existing), default=0)
        for name in fresh:
            channel = channels[name_key(name)]
            position += 1
            touchpoint = Touchpoint(
                stage_id=stage_id,
                position=position,
                name=name,
                channel=channel,
                mode=SUGGESTED_CHANNELS.get(channel.casefold()) if channel else None,
            )
            uow.session.add(touchpoint)
            uow.session.flush()
            uow.record(actor, stage.map_id, "touchpoint.added", touchpoint.id, name)
        maps.touch(uow, stage.map_id)
        uow.commit()
    return skipped


def _map_id(uow: OpenUnitOfWork, touchpoint: Touchpoint) -> int:
    return uow.get(Stage, touchpoint.stage_id).map_id


def rename_touchpoint(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, name: str, actor: Actor
) -> None:
    """Give a touchpoint a new name."""
    name = clean_text(name, field="touchpoint", limit=NAME_MAX_CHARS)
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        _check_unique(_touchpoints(uow, touchpoint.stage_id), name, except_id=touchpoint_id)
        old, touchpoint.name = touchpoint.name, name
        map_id = _map_id(uow, touchpoint)
        uow.record(actor, map_id, "touchpoint.renamed", touchpoint_id, f"{old} → {name}")
        maps.touch(uow, map_id)
        uow.commit()


def set_channel(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, channel: str, actor: Actor
) -> None:
    """Set the channel; a suggested channel also sets online/offline unless already chosen."""
    channel = clean_text(channel, field="channel", limit=CHANNEL_MAX_CHARS)
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        touchpoint.channel = channel
        if touchpoint.mode is None:
            touchpoint.mode = SUGGESTED_CHANNELS.get(channel.casefold())
        map_id = _map_id(uow, touchpoint)
        uow.record(
            actor, map_id, "touchpoint.channel_set", touchpoint_id, f"{touchpoint.name}: {channel}"
        )
        maps.touch(uow, map_id)
        uow.commit()


def pick_channel(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, channel: Channel, actor: Actor
) -> tuple[FocusKind, int]:
    """Set a suggested channel and where it happens, in one press; say what to show next.

    The channel's usual place (website: online, store: offline) is set with it, and the card
    moves on to the stage's next touchpoint without a channel, or back to the stage's list.
    """
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        touchpoint.channel = channel.value
        touchpoint.mode = SUGGESTED_CHANNELS[channel]
        map_id = _map_id(uow, touchpoint)
        uow.record(
            actor,
            map_id,
            "touchpoint.channel_set",
            touchpoint_id,
            f"{touchpoint.name}: {channel.value}, {touchpoint.mode.value}",
        )
        maps.touch(uow, map_id)
        following = _touchpoints(uow, touchpoint.stage_id)
        position = [t.id for t in following].index(touchpoint_id)
        after = following[position + 1 :] + following[:position]
        unplaced = next((t.id for t in after if not t.channel and t.id is not None), None)
        shows = (
            (FocusKind.TOUCHPOINT, unplaced)
            if unplaced is not None
            else (FocusKind.STAGE, touchpoint.stage_id)
        )
        uow.commit()
    return shows


def set_mode(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, mode: Mode, actor: Actor
) -> None:
    """Say whether the touchpoint happens online or offline."""
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        touchpoint.mode = mode
        map_id = _map_id(uow, touchpoint)
        uow.record(
            actor, map_id, "touchpoint.mode_set", touchpoint_id, f"{touchpoint.name}: {mode.value}"
        )
        maps.touch(uow, map_id)
        uow.commit()


def set_moment_of_truth(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, value: bool, actor: Actor
) -> None:
    """Mark a touchpoint as a moment of truth (⭐), or unmark it; hotspots weigh those higher."""
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        touchpoint.is_moment_of_truth = value
        map_id = _map_id(uow, touchpoint)
        action = "touchpoint.moment_set" if value else "touchpoint.moment_unset"
        uow.record(actor, map_id, action, touchpoint_id, touchpoint.name)
        maps.touch(uow, map_id)
        uow.commit()


def delete_touchpoint(uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, actor: Actor) -> None:
    """Delete a touchpoint and its votes; its pain points stay on the stage."""
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        map_id = _map_id(uow, touchpoint)
        stage_id, name = touchpoint.stage_id, touchpoint.name
        uow.session.delete(touchpoint)
        uow.session.flush()
        for position, item in enumerate(_touchpoints(uow, stage_id), start=1):
            item.position = position
        uow.record(actor, map_id, "touchpoint.deleted", touchpoint_id, name)
        maps.touch(uow, map_id)
        uow.commit()

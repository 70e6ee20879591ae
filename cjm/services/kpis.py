"""KPIs per stage: /kpi's board, adding a KPI, and recording its values.

A stage has up to MAX_KPIS_PER_STAGE KPIs ("Conversion; %; 3.5; up"), each with at most one
value per local day in the chat's zone: recording a second value that day replaces the first.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import dateparser
from sqlmodel import select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import (
    DuplicateName,
    InvalidDate,
    ItemGone,
    KpiInvalid,
    StaleButton,
    TooManyItems,
)
from cjm.limits import (
    KPI_UNIT_MAX_CHARS,
    MAX_KPIS_PER_STAGE,
    NAME_MAX_CHARS,
    clean_text,
    name_key,
    normalise,
)
from cjm.models import Kpi, KpiDirection, KpiValue, Stage
from cjm.services import maps
from cjm.services.ownership import owned
from cjm.views import Actor, KpiBoard, KpiRecorded, KpiView, MapView, StageKpis

KPI_PARTS = 4  # "name; unit; target; up|down"
_NUMBER = re.compile(r"[+\-−]?\d+(?:[.,]\d+)?")
_VALUE_ON = re.compile(r"^(?P<value>\S+?)\s*%?(?:\s+on\s+(?P<date>.+))?$", re.IGNORECASE)


def _board(view: MapView) -> KpiBoard:
    return KpiBoard(
        view.id,
        view.title,
        tuple(StageKpis(stage, tuple(view.kpis_at(stage.id))) for stage in view.stages),
    )


def list_kpis(uow: UnitOfWork, *, chat_id: int, map_id: int | None = None) -> KpiBoard:
    """The KPIs of the chat's current map, stage by stage, with their values.

    `map_id`: the map a /kpi message's button names; another chat's is ItemGone, and one that
    is no longer current is a StaleButton.
    """
    with uow:
        if map_id is not None:
            maps.own_map(uow, chat_id, map_id)
            if maps.current_map_id(uow, chat_id) != map_id:
                raise StaleButton
        return kpi_board(uow, chat_id)


def kpi_board(uow: OpenUnitOfWork, chat_id: int) -> KpiBoard:
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
    unit = normalise(unit_text)
    if len(unit) > KPI_UNIT_MAX_CHARS:
        raise KpiInvalid(reason="format", text=unit[:50])
    target = parse_number(target_text, reason="target") if target_text not in ("", "-") else None
    direction = direction_text.casefold()
    if direction not in set(KpiDirection):
        raise KpiInvalid(reason="direction", text=direction_text[:50])
    return name, unit, target, KpiDirection(direction)


def add_kpi(uow: UnitOfWork, *, chat_id: int, stage_id: int, text: str, actor: Actor) -> KpiView:
    """Add a KPI to a stage from "name; unit; target; up|down"."""
    name, unit, target, direction = parse_kpi(text)
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        existing = uow.session.exec(select(Kpi).where(Kpi.stage_id == stage_id)).all()
        if len(existing) >= MAX_KPIS_PER_STAGE:
            raise TooManyItems(kind="kpi", limit=MAX_KPIS_PER_STAGE)
        if any(name_key(kpi.name) == name_key(name) for kpi in existing):
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


def record_kpi_value(
    uow: UnitOfWork, *, chat_id: int, kpi_id: int, text: str, actor: Actor
) -> KpiRecorded:
    """Record "value" (today, in the chat's zone) or "value on <date>"; one value per day."""
    match = _VALUE_ON.match(normalise(text))
    if match is None:
        raise KpiInvalid(reason="value", text=text.strip()[:50])
    value = parse_number(match["value"], reason="value")
    with uow:
        kpi = owned(uow, Kpi, kpi_id, chat_id=chat_id)
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

"""Importing a map from a JSON export: a new map in the chat, whole or not at all."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import TooManyItems
from cjm.exports import MapDocument, StageDocument, parse_map_json
from cjm.limits import MAX_MAPS_PER_CHAT, TITLE_MAX_CHARS, name_key
from cjm.models import (
    EmotionVote,
    Fix,
    JourneyMap,
    Kpi,
    KpiValue,
    PainPoint,
    Persona,
    PersonaField,
    Stage,
    Touchpoint,
)
from cjm.services import chats, maps
from cjm.views import Actor, ChatRef, MapView


def import_map(
    uow: UnitOfWork,
    *,
    chat: ChatRef,
    actor: Actor,
    document: MapDocument,
    default_language: str,
    default_tz: str,
) -> MapView:
    """Create a copy of an exported map in the chat, make it current, and return it."""
    with uow:
        row = chats.ensure(uow, chat, default_language=default_language, default_tz=default_tz)
        taken = uow.session.exec(select(JourneyMap.title).where(JourneyMap.chat_id == chat.id))
        titles = list(taken.all())
        if len(titles) >= MAX_MAPS_PER_CHAT:
            raise TooManyItems(kind="map", limit=MAX_MAPS_PER_CHAT)
        title = free_title(document.title, titles)
        map_id = _add_map(uow, chat.id, actor, document, title)
        placed = _add_stages(uow, map_id, document.stages)
        _add_kpis(uow, document.stages, placed)
        _add_pains(uow, map_id, document, placed)
        row.current_map_id = map_id
        uow.record(actor, map_id, "map.imported", map_id, title)
        view = maps.load(uow, map_id)
        uow.commit()
    return view


def import_map_file(
    uow: UnitOfWork,
    *,
    chat: ChatRef,
    actor: Actor,
    data: bytes,
    default_language: str,
    default_tz: str,
) -> MapView:
    """Read a JSON export (ImportRefused if it is none) and import its map into the chat."""
    document = parse_map_json(data)
    return import_map(
        uow,
        chat=chat,
        actor=actor,
        document=document,
        default_language=default_language,
        default_tz=default_tz,
    )


def free_title(title: str, taken: Iterable[str]) -> str:
    """The title if no map in the chat has it (ignoring case), else the first free "title (n)"."""
    used = {name_key(name) for name in taken}
    candidate, number = title, 1
    while name_key(candidate) in used:  # ends: at most MAX_MAPS_PER_CHAT titles are taken
        number += 1
        suffix = f" ({number})"
        candidate = title[: TITLE_MAX_CHARS - len(suffix)].rstrip() + suffix
    return candidate


class _Row(Protocol):
    id: int | None


def _flush_ids(uow: OpenUnitOfWork, rows: Sequence[_Row]) -> list[int]:
    """Insert rows in order (so ids, and with them the order load() reads, follow the file)."""
    uow.session.add_all(rows)
    uow.session.flush()
    ids = [row.id for row in rows]
    assert all(row_id is not None for row_id in ids)  # noqa: S101  (flush assigned them)
    return [row_id for row_id in ids if row_id is not None]


def _add_map(
    uow: OpenUnitOfWork, chat_id: int, actor: Actor, document: MapDocument, title: str
) -> int:
    now = uow.clock.now()
    journey = JourneyMap(
        chat_id=chat_id,
        title=title,
        segment=document.segment,
        status=document.status,
        owner_id=actor.user_id,
        owner_name=actor.name[:128],
        created_at=now,
        updated_at=now,
    )
    [map_id] = _flush_ids(uow, [journey])
    persona = Persona(map_id=map_id)
    for field in PersonaField:
        setattr(persona, field.value, document.persona.get(field))
    uow.session.add(persona)
    return map_id


@dataclass(frozen=True)
class _Placed:
    """A stored stage: its id and its touchpoints' ids, in the file's order."""

    stage_id: int
    touchpoint_ids: list[int]


def _add_stages(
    uow: OpenUnitOfWork, map_id: int, stages: Sequence[StageDocument]
) -> list[_Placed]:
    """Add the stages, their touchpoints and votes."""
    stage_ids = _flush_ids(
        uow,
        [
            Stage(
                map_id=map_id,
                position=position,
                name=stage.name,
                customer_goal=stage.customer_goal,
            )
            for position, stage in enumerate(stages, start=1)
        ],
    )
    placed = []
    for stage_id, stage in zip(stage_ids, stages, strict=True):
        rows = [
            Touchpoint(
                stage_id=stage_id,
                position=position,
                name=tp.name,
                channel=tp.channel,
                mode=tp.mode,
                is_moment_of_truth=tp.is_moment_of_truth,
            )
            for position, tp in enumerate(stage.touchpoints, start=1)
        ]
        placed.append(_Placed(stage_id, _flush_ids(uow, rows)))
    now = uow.clock.now()
    uow.session.add_all(
        EmotionVote(
            touchpoint_id=tp_id,
            user_id=vote.user_id,
            user_name=vote.user_name,
            score=vote.score,
            note=vote.note,
            updated_at=now,
        )
        for stage, place in zip(stages, placed, strict=True)
        for tp_id, tp in zip(place.touchpoint_ids, stage.touchpoints, strict=True)
        for vote in tp.votes
    )
    return placed


def _add_kpis(uow: OpenUnitOfWork, stages: Sequence[StageDocument], placed: list[_Placed]) -> None:
    """Add each stage's KPIs (in the file's order, which load() keeps) and their values."""
    kpis = [
        (place.stage_id, kpi)
        for stage, place in zip(stages, placed, strict=True)
        for kpi in stage.kpis
    ]
    kpi_ids = _flush_ids(
        uow,
        [
            Kpi(
                stage_id=stage_id,
                name=kpi.name,
                unit=kpi.unit or "",
                target=kpi.target,
                direction=kpi.direction,
            )
            for stage_id, kpi in kpis
        ],
    )
    now = uow.clock.now()
    uow.session.add_all(
        KpiValue(kpi_id=kpi_id, value=point.value, measured_on=point.measured_on, recorded_at=now)
        for kpi_id, (_, kpi) in zip(kpi_ids, kpis, strict=True)
        for point in kpi.values
    )


def _add_pains(
    uow: OpenUnitOfWork, map_id: int, document: MapDocument, placed: list[_Placed]
) -> None:
    """Add the pain points and their fixes."""
    # load() lists pains stage by stage, then in the order they were added: insert them that
    # way, so a file with pains in another order still exports the same way twice.
    pains = sorted(document.pains, key=lambda pain: pain.stage)
    now = uow.clock.now()
    rows = [
        PainPoint(
            map_id=map_id,
            stage_id=placed[pain.stage].stage_id,
            touchpoint_id=(
                None
                if pain.touchpoint is None
                else placed[pain.stage].touchpoint_ids[pain.touchpoint]
            ),
            text=pain.text,
            category=pain.category,
            severity=pain.severity,
            source=pain.source,
            created_at=now,
        )
        for pain in pains
    ]
    pain_ids = _flush_ids(uow, rows)
    uow.session.add_all(
        Fix(
            pain_point_id=pain_id,
            text=fix.text,
            owner_name=fix.owner_name,
            status=fix.status,
            due_on=fix.due_on,
            created_at=now,
        )
        for pain_id, pain in zip(pain_ids, pains, strict=True)
        for fix in pain.fixes
    )
    uow.session.flush()

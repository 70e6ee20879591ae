"""Maps: create, list, switch, read whole, delete."""

from collections import defaultdict

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, func, select

from cjm.db import OpenUnitOfWork, UnitOfWork, table_of
from cjm.errors import (
    MapTitleMissing,
    NoCurrentMap,
    TextEmpty,
    TooManyItems,
)
from cjm.limits import MAX_MAPS_PER_CHAT, TITLE_MAX_CHARS, clean_text, name_key
from cjm.models import (
    Chat,
    EmotionVote,
    Fix,
    JourneyMap,
    Kpi,
    KpiValue,
    PainPoint,
    PendingKind,
    Persona,
    PersonaField,
    Stage,
    Touchpoint,
)
from cjm.services import chats, pending
from cjm.services.ownership import owned
from cjm.views import (
    Actor,
    ChatRef,
    FixView,
    KpiPoint,
    KpiView,
    MapSummary,
    MapView,
    PainView,
    StageView,
    TouchpointView,
    Unconfirmed,
    VoteView,
)


def create_map(
    uow: UnitOfWork,
    *,
    chat: ChatRef,
    actor: Actor,
    title: str,
    default_language: str,
    default_tz: str,
) -> MapView | Unconfirmed:
    """Start a map in the chat, make it current, and return it (empty, persona step first).

    When another of the chat's maps has the title (up to case and invisible characters), the
    map waits for a member's yes instead (Unconfirmed; confirmations.keep creates it).
    """
    try:
        title = clean_text(title, field="title", limit=TITLE_MAX_CHARS)
    except TextEmpty:
        raise MapTitleMissing from None
    with uow:
        chats.ensure(uow, chat, default_language=default_language, default_tz=default_tz)
        titles = uow.session.exec(select(JourneyMap.title).where(JourneyMap.chat_id == chat.id))
        same = tuple(taken for taken in titles if name_key(taken) == name_key(title))
        if same:
            _check_room(uow, chat.id)
            held = pending.hold(
                uow,
                chat_id=chat.id,
                kind=PendingKind.MAP_TITLE,
                value=title,
                reason="title_taken",
                names=same,
            )
            uow.commit()
            return held
        view = create_in(uow, chat_id=chat.id, actor=actor, title=title)
        uow.commit()
    return view


def _check_room(uow: OpenUnitOfWork, chat_id: int) -> None:
    count = uow.session.exec(
        select(func.count()).select_from(JourneyMap).where(JourneyMap.chat_id == chat_id)
    ).one()
    if count >= MAX_MAPS_PER_CHAT:
        raise TooManyItems(kind="map", limit=MAX_MAPS_PER_CHAT)


def create_in(uow: OpenUnitOfWork, *, chat_id: int, actor: Actor, title: str) -> MapView:
    """Create a map with a clean title in a chat already stored, and make it current."""
    _check_room(uow, chat_id)
    row = uow.get(Chat, chat_id)
    now = uow.clock.now()
    journey = JourneyMap(
        chat_id=chat_id,
        title=title,
        owner_id=actor.user_id,
        owner_name=actor.name[:128],
        created_at=now,
        updated_at=now,
    )
    uow.session.add(journey)
    uow.session.flush()
    assert journey.id is not None  # noqa: S101  (flush assigned it)
    uow.session.add(Persona(map_id=journey.id))
    row.current_map_id = journey.id
    uow.record(actor, journey.id, "map.created", journey.id, title)
    return load(uow, journey.id)


def list_maps(uow: UnitOfWork, *, chat_id: int) -> list[MapSummary]:
    """The chat's maps, newest first, marking the current one."""
    with uow:
        chat = uow.session.get(Chat, chat_id)
        current = chat.current_map_id if chat else None
        rows = uow.session.exec(
            select(JourneyMap)
            .where(JourneyMap.chat_id == chat_id)
            .order_by(col(JourneyMap.id).desc())
        ).all()
        summaries = []
        for journey in rows:
            assert journey.id is not None  # noqa: S101  (loaded rows have ids)
            stage_ids = uow.session.exec(select(Stage.id).where(Stage.map_id == journey.id)).all()
            touchpoints = uow.session.exec(
                select(func.count())
                .select_from(Touchpoint)
                .where(col(Touchpoint.stage_id).in_(stage_ids))
            ).one()
            summaries.append(
                MapSummary(
                    id=journey.id,
                    title=journey.title,
                    status=journey.status,
                    is_current=journey.id == current,
                    stage_count=len(stage_ids),
                    touchpoint_count=touchpoints,
                )
            )
    return summaries


def switch_map(uow: UnitOfWork, *, chat_id: int, map_id: int) -> MapView:
    """Make another of the chat's maps the current one."""
    with uow:
        own_map(uow, chat_id, map_id)
        chat = uow.get(Chat, chat_id)
        chat.current_map_id = map_id
        view = load(uow, map_id)
        uow.commit()
    return view


def current_map_id(uow: OpenUnitOfWork, chat_id: int) -> int:
    """The id of the chat's current map, or NoCurrentMap."""
    chat = uow.session.get(Chat, chat_id)
    if chat is None or chat.current_map_id is None:
        raise NoCurrentMap
    if uow.session.get(JourneyMap, chat.current_map_id) is None:
        raise NoCurrentMap
    return chat.current_map_id


def require_current_map(uow: UnitOfWork, *, chat_id: int) -> int:
    """The id of the chat's current map, or NoCurrentMap (checked before offering a choice)."""
    with uow:
        return current_map_id(uow, chat_id)


def own_map(uow: OpenUnitOfWork, chat_id: int, map_id: int | None) -> JourneyMap:
    """The map with this id if it is this chat's; another chat's (forged) or gone: ItemGone."""
    return owned(uow, JourneyMap, map_id, chat_id=chat_id)


def require_own_map(uow: UnitOfWork, *, chat_id: int, map_id: int) -> None:
    """ItemGone unless the map is the chat's (checked before asking Telegram who may delete)."""
    with uow:
        own_map(uow, chat_id, map_id)


def get_current_map(uow: UnitOfWork, *, chat_id: int) -> MapView:
    """The chat's current map, whole."""
    with uow:
        return load(uow, current_map_id(uow, chat_id))


def get_map(uow: UnitOfWork, *, chat_id: int, map_id: int) -> MapView:
    """One of the acting chat's maps, whole; another chat's (a forged id) or gone: ItemGone."""
    with uow:
        own_map(uow, chat_id, map_id)
        return load(uow, map_id)


def delete_map(uow: UnitOfWork, *, chat_id: int, map_id: int) -> str:
    """Delete a map and everything on it; the chat's newest other map becomes current."""
    with uow:
        journey = own_map(uow, chat_id, map_id)
        title = journey.title
        uow.session.delete(journey)
        uow.session.flush()
        chat = uow.session.get(Chat, chat_id)
        if chat is not None and chat.current_map_id == map_id:
            chat.current_map_id = uow.session.exec(
                select(JourneyMap.id)
                .where(JourneyMap.chat_id == chat_id)
                .order_by(col(JourneyMap.id).desc())
            ).first()
        uow.commit()
    return title


_MAP_TABLE = table_of(JourneyMap)
# Every change to a map runs this: a plain UPDATE built once costs a quarter of the ORM's.
_TOUCH = (
    update(_MAP_TABLE)
    .where(_MAP_TABLE.c.id == bindparam("map_id"))
    .values(updated_at=bindparam("now"))
)


def touch(uow: OpenUnitOfWork, map_id: int) -> None:
    """Mark the map as changed now (every change to it ends here)."""
    now = uow.clock.now()
    uow.session.execute(_TOUCH, {"map_id": map_id, "now": now})
    # The UPDATE went past the ORM: a copy of the map loaded earlier must not keep the old time.
    loaded = uow.session.identity_map.get(identity_key(JourneyMap, map_id))
    if loaded is not None:
        set_committed_value(loaded, "updated_at", now)


def load(uow: OpenUnitOfWork, map_id: int) -> MapView:
    """Read a whole map into a view with a handful of queries."""
    session = uow.session
    journey = uow.get(JourneyMap, map_id)
    chat = session.get(Chat, journey.chat_id)
    persona = session.exec(select(Persona).where(Persona.map_id == map_id)).first()
    stages = session.exec(
        select(Stage).where(Stage.map_id == map_id).order_by(col(Stage.position))
    ).all()
    stage_ids = [stage.id for stage in stages]
    touchpoints = session.exec(
        select(Touchpoint)
        .where(col(Touchpoint.stage_id).in_(stage_ids))
        .order_by(col(Touchpoint.position))
    ).all()
    votes = session.exec(
        select(EmotionVote)
        .where(col(EmotionVote.touchpoint_id).in_([t.id for t in touchpoints]))
        .order_by(col(EmotionVote.id))
    ).all()
    pains = session.exec(
        select(PainPoint).where(PainPoint.map_id == map_id).order_by(col(PainPoint.id))
    ).all()
    fixes = session.exec(
        select(Fix).where(col(Fix.pain_point_id).in_([p.id for p in pains])).order_by(col(Fix.id))
    ).all()

    votes_by_tp: dict[int, list[VoteView]] = defaultdict(list)
    for vote in votes:
        votes_by_tp[vote.touchpoint_id].append(
            VoteView(vote.user_id, vote.user_name, vote.score, vote.note)
        )
    tps_by_stage: dict[int, list[TouchpointView]] = defaultdict(list)
    for tp in touchpoints:
        assert tp.id is not None  # noqa: S101  (loaded rows have ids)
        tps_by_stage[tp.stage_id].append(
            TouchpointView(
                id=tp.id,
                stage_id=tp.stage_id,
                position=tp.position,
                name=tp.name,
                channel=tp.channel,
                mode=tp.mode,
                votes=tuple(votes_by_tp[tp.id]),
                is_moment_of_truth=tp.is_moment_of_truth,
            )
        )
    fixes_by_pain: dict[int, list[FixView]] = defaultdict(list)
    for fix in fixes:
        assert fix.id is not None  # noqa: S101  (loaded rows have ids)
        fixes_by_pain[fix.pain_point_id].append(
            FixView(
                id=fix.id,
                pain_point_id=fix.pain_point_id,
                text=fix.text,
                owner_name=fix.owner_name,
                status=fix.status,
                due_on=fix.due_on,
            )
        )
    stage_position = {stage.id: stage.position for stage in stages}
    pain_views = sorted(
        (
            PainView(
                id=pain.id,
                stage_id=pain.stage_id,
                touchpoint_id=pain.touchpoint_id,
                text=pain.text,
                category=pain.category,
                severity=pain.severity,
                source=pain.source,
                fixes=tuple(fixes_by_pain[pain.id]),
            )
            for pain in pains
            if pain.id is not None
        ),
        key=lambda p: (stage_position.get(p.stage_id, 0), p.id),
    )
    return MapView(
        id=map_id,
        chat_id=journey.chat_id,
        title=journey.title,
        segment=journey.segment,
        status=journey.status,
        owner_name=journey.owner_name,
        created_at=journey.created_at,
        updated_at=journey.updated_at,
        persona={f: getattr(persona, f.value) if persona else None for f in PersonaField},
        stages=tuple(
            StageView(
                id=stage.id,
                position=stage.position,
                name=stage.name,
                customer_goal=stage.customer_goal,
                touchpoints=tuple(tps_by_stage[stage.id]),
            )
            for stage in stages
            if stage.id is not None
        ),
        pains=tuple(pain_views),
        is_current=chat is not None and chat.current_map_id == map_id,
        tz=chat.tz if chat else "UTC",
        language=chat.language if chat else "en",
        kpis=_kpis(uow, stage_ids),
    )


def _kpis(uow: OpenUnitOfWork, stage_ids: list[int | None]) -> tuple[KpiView, ...]:
    """The stages' KPIs in stage order, each with its values oldest first."""
    order = {stage_id: index for index, stage_id in enumerate(stage_ids)}
    kpis = uow.session.exec(
        select(Kpi).where(col(Kpi.stage_id).in_(stage_ids)).order_by(col(Kpi.id))
    ).all()
    values = uow.session.exec(
        select(KpiValue)
        .where(col(KpiValue.kpi_id).in_([k.id for k in kpis]))
        .order_by(col(KpiValue.measured_on))
    ).all()
    points: dict[int, list[KpiPoint]] = defaultdict(list)
    for value in values:
        points[value.kpi_id].append(KpiPoint(value.measured_on, value.value))
    return tuple(
        KpiView(
            id=kpi.id,
            stage_id=kpi.stage_id,
            name=kpi.name,
            unit=kpi.unit,
            target=kpi.target,
            direction=kpi.direction,
            values=tuple(points[kpi.id]),
        )
        for kpi in sorted(kpis, key=lambda k: order.get(k.stage_id, 0))
        if kpi.id is not None
    )

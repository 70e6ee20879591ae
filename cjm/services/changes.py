"""The change log: who did what to which item, and when; /history pages through it."""

from sqlmodel import col, func, select

from cjm.db import UnitOfWork
from cjm.models import ChangeEvent, Chat, JourneyMap
from cjm.services import maps
from cjm.views import ChangeView, HistoryPage

HISTORY_PAGE_SIZE = 10


def list_changes(
    uow: UnitOfWork, *, chat_id: int, map_id: int, limit: int | None = None
) -> list[ChangeView]:
    """A map's changes, oldest first (the newest `limit` ones when a limit is given)."""
    with uow:
        maps.own_map(uow, chat_id, map_id)
        query = select(ChangeEvent).where(ChangeEvent.map_id == map_id)
        query = query.order_by(col(ChangeEvent.id).desc())
        if limit is not None:
            query = query.limit(limit)
        rows = uow.session.exec(query).all()
        return [
            ChangeView(
                id=row.id or 0,
                at=row.at,
                actor_name=row.actor_name,
                action=row.action,
                summary=row.summary,
            )
            for row in reversed(rows)
        ]


def history_page(
    uow: UnitOfWork, *, chat_id: int, map_id: int | None = None, page: int = 0
) -> HistoryPage:
    """A page of a map's change log (the current map's by default), newest first."""
    with uow:
        journey = (
            uow.get(JourneyMap, maps.current_map_id(uow, chat_id))
            if map_id is None
            else maps.own_map(uow, chat_id, map_id)
        )
        map_id = journey.id or 0
        total = uow.session.exec(
            select(func.count()).select_from(ChangeEvent).where(ChangeEvent.map_id == map_id)
        ).one()
        pages = max(1, -(-total // HISTORY_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        rows = uow.session.exec(
            select(ChangeEvent)
            .where(ChangeEvent.map_id == map_id)
            .order_by(col(ChangeEvent.id).desc())
            .offset(page * HISTORY_PAGE_SIZE)
            .limit(HISTORY_PAGE_SIZE)
        ).all()
        items = tuple(
            ChangeView(row.id or 0, row.at, row.actor_name, row.action, row.summary)
            for row in rows
        )
        return HistoryPage(map_id, journey.title, uow.get(Chat, chat_id).tz, page, pages, items)

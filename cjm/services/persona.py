"""Step 1: the persona the map is about."""

from sqlalchemy import bindparam
from sqlmodel import select

from cjm.db import UnitOfWork
from cjm.errors import ItemGone
from cjm.limits import TEXT_MAX_CHARS, clean_text
from cjm.models import Persona, PersonaField
from cjm.services import maps
from cjm.views import Actor

_PERSONA = select(Persona).where(Persona.map_id == bindparam("map_id"))  # built once: every answer


def set_persona_field(
    uow: UnitOfWork,
    *,
    chat_id: int,
    map_id: int,
    field: PersonaField | None,
    value: str,
    actor: Actor,
) -> None:
    """Fill in or change one persona field (None: the first field nobody filled in yet)."""
    with uow:
        maps.own_map(uow, chat_id, map_id)
        persona = uow.session.exec(_PERSONA, params={"map_id": map_id}).first()
        if persona is None:
            raise ItemGone(kind="journeymap")
        if field is None:
            field = next(
                (f for f in PersonaField if not getattr(persona, f.value)), PersonaField.NAME
            )
        text = clean_text(
            value, field=f"persona.{field.value}", limit=TEXT_MAX_CHARS, multiline=True
        )
        setattr(persona, field.value, text)
        uow.record(actor, map_id, "persona.edited", persona.id, f"{field.value}: {text}")
        maps.touch(uow, map_id)
        uow.commit()

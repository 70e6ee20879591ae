"""Migrations never lose a map: data written at each revision survives every later one."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from cjm.cards import resolve
from cjm.clock import FrozenClock
from cjm.db import alembic_config, make_engine, unit_of_work_factory, upgrade
from cjm.errors import AlreadyHandled
from cjm.models import FocusKind, HandledMessage, PersonaField, Prompt
from cjm.services import prompts
from cjm.services.handled_messages import HANDLED_MESSAGE_RETENTION, forget_handled_messages
from tests.factories import ALICE, NOW, make_full_map, read_map


def migrate(url: str, revision: str) -> None:
    """Run the migrations up to `revision` on the database at `url`."""
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def insert_rows(url: str, rows: list[tuple[str, dict[str, object]]]) -> None:
    """Write rows by hand, table by table: the services speak only the newest schema."""
    engine = make_engine(url)
    with engine.begin() as db:
        for table, values in rows:
            columns = ", ".join(values)
            params = ", ".join(f":{name}" for name in values)
            db.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)  # noqa: S608  (fixed test tables)
    engine.dispose()


def test_a_full_map_made_at_the_first_revision_survives_every_upgrade(tmp_path, clock):
    """Votes, pains and fixes written under 0001 are all there after upgrading to head."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0001")
    # The services speak the newest schema, so write the 0001-era rows by hand.
    at = "2026-11-01 09:00:00"
    rows = [
        (
            "chat",
            {
                "id": -1,
                "title": "Team",
                "language": "en",
                "tz": "UTC",
                "current_map_id": 1,
                "reachable": 1,
                "created_at": at,
            },
        ),
        (
            "journeymap",
            {
                "id": 1,
                "chat_id": -1,
                "title": "Old map",
                "status": "draft",
                "owner_id": 7,
                "owner_name": "Alice",
                "created_at": at,
                "updated_at": at,
            },
        ),
        ("persona", {"map_id": 1, "name": "Olga"}),
        ("stage", {"id": 1, "map_id": 1, "position": 1, "name": "Buy"}),
        (
            "touchpoint",
            {
                "id": 1,
                "stage_id": 1,
                "position": 1,
                "name": "Checkout",
                "channel": "website",
                "mode": "online",
            },
        ),
        (
            "emotionvote",
            {
                "touchpoint_id": 1,
                "user_id": 7,
                "user_name": "Alice",
                "score": -2,
                "note": "slow",
                "updated_at": at,
            },
        ),
        (
            "painpoint",
            {
                "id": 1,
                "map_id": 1,
                "stage_id": 1,
                "touchpoint_id": 1,
                "text": "Too slow",
                "severity": "high",
                "source": "team",
                "created_at": at,
            },
        ),
        (
            "fix",
            {
                "pain_point_id": 1,
                "text": "Faster",
                "status": "planned",
                "due_on": "2026-12-01",
                "created_at": at,
            },
        ),
    ]
    insert_rows(url, rows)

    engine = make_engine(url)
    upgrade(engine)
    journey = read_map(unit_of_work_factory(engine, clock), 1)
    (touchpoint,) = journey.touchpoints
    assert journey.persona["name"] == "Olga"  # type: ignore[index]
    assert touchpoint.scores == (-2,)
    assert touchpoint.notes[0].note == "slow"
    (pain,) = journey.pains
    assert pain.touchpoint_id == touchpoint.id
    assert pain.fixes[0].text == "Faster"


def test_upgrading_twice_changes_nothing(tmp_path, clock):
    """The bot upgrades on every start; a second upgrade of a current database is a no-op."""
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = unit_of_work_factory(engine, clock)
    made = make_full_map(uow)
    upgrade(engine)
    assert read_map(uow, made.id) == made
    assert NOW.year == 2026


def test_claims_made_before_0005_are_kept_a_full_retention_after_the_upgrade(tmp_path):
    """Older claims get the upgrade's time: still refused after it, forgotten a retention later."""
    url = f"sqlite:///{tmp_path / 'claims.db'}"
    migrate(url, "0004")
    engine = make_engine(url)
    with engine.begin() as db:
        db.execute(text("INSERT INTO handledmessage (chat_id, message_id) VALUES (-1, 7)"))
    engine.dispose()

    engine = make_engine(url)
    before = datetime.now(UTC)
    upgrade(engine)
    after = datetime.now(UTC)
    clock = FrozenClock(after)
    uow = unit_of_work_factory(engine, clock)
    with uow() as unit:
        (handled_at,) = unit.session.exec(select(HandledMessage.handled_at)).all()
    assert before <= handled_at <= after
    with uow() as unit, pytest.raises(AlreadyHandled):
        unit.claim_message(-1, 7)

    clock.current = handled_at + HANDLED_MESSAGE_RETENTION
    assert forget_handled_messages(uow(), older_than=HANDLED_MESSAGE_RETENTION) == 0
    clock.advance(timedelta(seconds=1))
    assert forget_handled_messages(uow(), older_than=HANDLED_MESSAGE_RETENTION) == 1
    engine.dispose()


def test_prompts_stored_before_0006_keep_what_their_field_meant(tmp_path, clock):
    """prompt.field at 0005 named a card's focus kind or a persona field; at head it is split.

    The touchpoints card's target (2) is also a stage's id: read as the touchpoint its field
    said, the card shows Checkout; a reply to the persona question fills the field it asked.
    """
    url = f"sqlite:///{tmp_path / 'prompts.db'}"
    migrate(url, "0005")
    at = "2026-11-01 09:00:00"
    chat = {"id": -1, "title": "Team", "language": "en", "tz": "UTC", "created_at": at}
    journey = {
        "id": 1,
        "chat_id": -1,
        "title": "Old map",
        "status": "draft",
        "owner_id": 7,
        "owner_name": "Alice",
        "created_at": at,
        "updated_at": at,
    }
    prompt = {"chat_id": -1, "map_id": 1, "created_at": at}
    insert_rows(
        url,
        [
            ("chat", {**chat, "current_map_id": 1, "reachable": 1}),
            ("journeymap", journey),
            ("persona", {"map_id": 1, "name": "Olga"}),
            ("stage", {"id": 1, "map_id": 1, "position": 1, "name": "Discover"}),
            ("stage", {"id": 2, "map_id": 1, "position": 2, "name": "Buy"}),
            ("touchpoint", {"id": 1, "stage_id": 1, "position": 1, "name": "Search ad"}),
            ("touchpoint", {"id": 2, "stage_id": 2, "position": 1, "name": "Checkout"}),
            (
                "prompt",
                {**prompt, "message_id": 10, "kind": "card.touchpoints", "target_id": 2}
                | {"field": "touchpoint"},
            ),
            ("prompt", {**prompt, "message_id": 12, "kind": "card.persona"}),
            (
                "prompt",
                {**prompt, "message_id": 11, "kind": "persona.field", "field": "goals_short"}
                | {"card_message_id": 12},
            ),
        ],
    )

    engine = make_engine(url)
    upgrade(engine)
    uow = unit_of_work_factory(engine, clock)
    with uow() as unit:
        stored = {
            row.message_id: (row.focus, row.persona_field)
            for row in unit.session.exec(select(Prompt)).all()
        }
    assert stored == {
        10: (FocusKind.TOUCHPOINT, None),
        11: (None, PersonaField.GOALS_SHORT),
        12: (None, None),
    }
    card = prompts.get_card(uow(), chat_id=-1, card_message_id=10)
    assert (card.focus_id, card.focus) == (2, FocusKind.TOUCHPOINT)
    assert resolve(card).touchpoint == card.map.touchpoint(2)
    answered = prompts.answer(
        uow(), chat_id=-1, prompt_message_id=11, reply_message_id=13, text="Pay fast", actor=ALICE
    )
    assert answered.card_message_id == 12
    persona = read_map(uow, 1).persona
    assert (persona[PersonaField.NAME], persona[PersonaField.GOALS_SHORT]) == ("Olga", "Pay fast")
    engine.dispose()

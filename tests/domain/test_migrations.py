"""Migrations never lose a map: data written at each revision survives every later one."""

from alembic import command
from sqlalchemy import text

from cjm.db import alembic_config, make_engine, unit_of_work_factory, upgrade
from cjm.services import maps
from tests.factories import NOW, make_full_map


def migrate(url: str, revision: str) -> None:
    """Run the migrations up to `revision` on the database at `url`."""
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_a_full_map_made_at_the_first_revision_survives_every_upgrade(tmp_path, clock):
    """Votes, pains and fixes written under 0001 are all there after upgrading to head."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0001")
    engine = make_engine(url)
    # The services speak the newest schema, so write the 0001-era rows by hand.
    with engine.begin() as db:
        db.execute(text(
            "INSERT INTO chat (id, title, language, tz, current_map_id, reachable, created_at) "
            "VALUES (-1, 'Team', 'en', 'UTC', 1, 1, '2026-11-01 09:00:00')"
        ))
        db.execute(text(
            "INSERT INTO journeymap (id, chat_id, title, status, owner_id, owner_name, "
            "created_at, updated_at) VALUES (1, -1, 'Old map', 'draft', 7, 'Alice', "
            "'2026-11-01 09:00:00', '2026-11-01 09:00:00')"
        ))
        db.execute(text("INSERT INTO persona (map_id, name) VALUES (1, 'Olga')"))
        db.execute(text("INSERT INTO stage (id, map_id, position, name) VALUES (1, 1, 1, 'Buy')"))
        db.execute(text(
            "INSERT INTO touchpoint (id, stage_id, position, name, channel, mode) "
            "VALUES (1, 1, 1, 'Checkout', 'website', 'online')"
        ))
        db.execute(text(
            "INSERT INTO emotionvote (touchpoint_id, user_id, user_name, score, note, updated_at) "
            "VALUES (1, 7, 'Alice', -2, 'slow', '2026-11-01 09:00:00')"
        ))
        db.execute(text(
            "INSERT INTO painpoint (id, map_id, stage_id, touchpoint_id, text, severity, source, "
            "created_at) VALUES (1, 1, 1, 1, 'Too slow', 'high', 'team', '2026-11-01 09:00:00')"
        ))
        db.execute(text(
            "INSERT INTO fix (pain_point_id, text, status, due_on, created_at) "
            "VALUES (1, 'Faster', 'planned', '2026-12-01', '2026-11-01 09:00:00')"
        ))
    engine.dispose()

    engine = make_engine(url)
    upgrade(engine)
    journey = maps.get_map(unit_of_work_factory(engine, clock)(), map_id=1)
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
    assert maps.get_map(uow(), map_id=made.id) == made
    assert NOW.year == 2026

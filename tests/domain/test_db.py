"""The database: engine set-up, migrations, the UTC timestamp column and the unit of work."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, select

from cjm.clock import FrozenClock
from cjm.columns import UTCDateTime
from cjm.db import alembic_config, make_engine, unit_of_work_factory, upgrade
from cjm.errors import AlreadyHandled, ItemGone
from cjm.limits import NAME_MAX_CHARS
from cjm.models import Chat, HandledMessage, JourneyMap, Stage
from cjm.services import maps, stages
from cjm.views import Actor
from tests.factories import ALICE, TEAM_CHAT_ID, make_map, make_stages, read_map


def stage_names(uow, map_id):
    return [s.name for s in read_map(uow, map_id).stages]


class TestEngine:
    def test_in_memory_database_enforces_foreign_keys(self):
        """SQLite connections have foreign keys switched on (cascades depend on it)."""
        engine = make_engine("sqlite://")
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        engine.dispose()

    def test_file_database_survives_a_restart(self, tmp_path, clock):
        """A file database gets its folders, runs in WAL mode and outlives its engine."""
        url = f"sqlite:///{tmp_path / 'deep' / 'er' / 'journey.db'}"
        first = make_engine(url)
        upgrade(first)
        journey = make_map(unit_of_work_factory(first, clock), title="Kept")
        first.dispose()

        second = make_engine(url)
        upgrade(second)  # run on every start: a migrated database is left as it is
        try:
            with second.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            reopened = unit_of_work_factory(second, clock)
            assert read_map(reopened, journey.id).title == "Kept"
        finally:
            second.dispose()
        assert (tmp_path / "deep" / "er" / "journey.db").is_file()

    def test_a_new_database_is_readable_by_the_bot_user_only(self, tmp_path, clock):
        """Every team's maps and customers' answers: the file, its WAL and folder are 0600/0700,
        whatever the umask lets others read."""
        folder = tmp_path / "data"
        old_umask = os.umask(0o022)
        try:
            engine = make_engine(f"sqlite:///{folder / 'journey.db'}")
            upgrade(engine)
            with engine.connect() as connection:  # keeps the WAL and -shm files in place
                make_map(unit_of_work_factory(engine, clock), title="Secret")
                files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}
                connection.execute(text("SELECT 1"))
            engine.dispose()
        finally:
            os.umask(old_umask)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert files.keys() >= {"journey.db", "journey.db-wal"}
        assert set(files.values()) == {0o600}, files

    def test_migrations_match_the_models(self):
        """upgrade() builds exactly the schema the models describe, at the newest revision."""
        fresh = make_engine("sqlite://")
        try:
            upgrade(fresh)
            with fresh.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, SQLModel.metadata) == []
                head = ScriptDirectory.from_config(alembic_config()).get_current_head()
                assert context.get_current_revision() == head
        finally:
            fresh.dispose()

    @pytest.mark.parametrize("run", [1, 2])
    def test_each_test_starts_on_an_empty_database(self, uow, rows, run):
        """The engine fixture hands every test an empty, migrated database of its own."""
        assert rows(Chat) == rows(JourneyMap) == rows(HandledMessage) == 0

        make_map(uow, title=f"Run {run}")

        assert rows(JourneyMap) == 1


class TestUTCDateTime:
    def test_refuses_naive_datetimes(self):
        """A naive datetime is refused before it reaches the database."""
        column = UTCDateTime()

        with pytest.raises(ValueError, match="naive"):
            column.process_bind_param(datetime(2026, 11, 26, 9, 0), None)  # noqa: DTZ001

    def test_stores_naive_utc_and_reads_back_aware_utc(self):
        """An aware time is stored as naive UTC and read back as aware UTC."""
        column = UTCDateTime()
        moscow = datetime(2026, 11, 26, 12, 0, tzinfo=timezone(timedelta(hours=3)))

        stored = column.process_bind_param(moscow, None)

        assert stored == datetime(2026, 11, 26, 9, 0)  # noqa: DTZ001
        assert stored.tzinfo is None
        assert column.process_result_value(stored, None) == moscow
        assert column.process_result_value(stored, None).tzinfo is UTC
        assert column.process_bind_param(None, None) is None
        assert column.process_result_value(None, None) is None

    def test_other_zones_come_back_as_utc(self, engine):
        """A clock in another zone stores the same instant, read back in UTC."""
        moscow = datetime(2026, 11, 26, 12, 0, tzinfo=timezone(timedelta(hours=3)))
        uow = unit_of_work_factory(engine, FrozenClock(moscow))

        journey = make_map(uow)

        stored = read_map(uow, journey.id).created_at
        assert stored == moscow
        assert stored.tzinfo is UTC
        assert stored.hour == 9

    def test_a_naive_clock_stores_nothing(self, engine):
        """A service run with a naive clock fails on write and stores nothing."""
        uow = unit_of_work_factory(engine, FrozenClock(datetime(2026, 11, 26, 9, 0)))  # noqa: DTZ001

        with pytest.raises(StatementError) as raised:
            make_map(uow)

        assert isinstance(raised.value.orig, ValueError)
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == []


class TestUnitOfWork:
    @pytest.fixture
    def journey(self, uow):
        return make_map(uow)

    def test_nothing_is_saved_without_commit(self, uow, journey):
        """Work done in a `with` block that never commits is rolled back."""
        with uow() as unit:
            unit.session.add(Stage(map_id=journey.id, position=1, name="Ghost"))
            unit.session.flush()

        assert stage_names(uow, journey.id) == []

    def test_an_escaping_exception_rolls_everything_back(self, uow, journey):
        """When an exception escapes the outermost block, every service call in it is undone."""
        unit = uow()

        def add_two_stages_then_fail():
            with unit:
                make_stages(lambda: unit, journey.id, ["Discover"])
                make_stages(lambda: unit, journey.id, ["Buy"])
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            add_two_stages_then_fail()

        assert stage_names(uow, journey.id) == []

    def test_nested_blocks_commit_only_at_the_outermost_level(self, uow, journey):
        """A service's commit inside an outer block only flushes; the outer block decides."""
        unit = uow()

        with unit:
            changed = make_stages(lambda: unit, journey.id, ["Discover"])
            assert [s.name for s in changed.stages] == ["Discover"]  # visible inside

        assert stage_names(uow, journey.id) == []

    def test_outer_commit_saves_the_nested_work(self, uow, journey):
        """Two service calls in one outer block are saved together by the outer commit."""
        unit = uow()

        with unit:
            make_stages(lambda: unit, journey.id, ["Discover"])
            make_stages(lambda: unit, journey.id, ["Buy"])
            unit.commit()

        assert stage_names(uow, journey.id) == ["Discover", "Buy"]

    def test_a_unit_can_be_used_again_after_a_failure(self, uow, journey):
        """After a failed service call the same unit of work runs the next one cleanly."""
        unit = uow()
        with pytest.raises(ItemGone):
            stages.rename_stage(unit, chat_id=TEAM_CHAT_ID, stage_id=404, name="X", actor=ALICE)

        stages.add_stages(
            unit, chat_id=TEAM_CHAT_ID, map_id=journey.id, text="Discover", actor=ALICE
        )

        assert stage_names(uow, journey.id) == ["Discover"]

    def test_get_names_what_is_missing(self, uow):
        """get() raises ItemGone with the model's name for a missing row or a None id."""
        with uow() as unit:
            with pytest.raises(ItemGone) as raised:
                unit.get(JourneyMap, 404)
            assert raised.value.params == {"kind": "journeymap"}
            with pytest.raises(ItemGone) as raised:
                unit.get(Stage, None)
            assert raised.value.params == {"kind": "stage"}

    def test_claim_message_once(self, uow):
        """A message can be claimed once per chat; claiming it again raises AlreadyHandled."""
        with uow() as unit:
            unit.claim_message(TEAM_CHAT_ID, 7)
            unit.claim_message(-42, 7)
            unit.commit()

        with uow() as unit, pytest.raises(AlreadyHandled):
            unit.claim_message(TEAM_CHAT_ID, 7)
        with uow() as unit:
            assert len(unit.session.exec(select(HandledMessage)).all()) == 2

    def test_change_log_cuts_long_names_and_summaries(self, uow, journey, changes):
        """The change log keeps at most 128 characters of a name and 200 of a summary."""
        long_name = Actor(9, "N" * 300)
        old, new = "a" * NAME_MAX_CHARS, "b" * NAME_MAX_CHARS
        stage = make_stages(uow, journey.id, [old]).stages[0]

        stages.rename_stage(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=stage.id, name=new, actor=long_name
        )

        change = changes(journey.id)[-1]
        assert change.actor_name == "N" * 128
        assert change.summary == f"{old} → {new}"[:200]
        assert len(change.summary) == 200

    def test_every_unit_sees_committed_work(self, uow, engine, clock):
        """Units of work from another factory on the same engine see committed work."""
        journey = make_map(uow, title="Shared")
        other = unit_of_work_factory(engine, clock)

        assert read_map(other, journey.id).title == "Shared"
        with other() as unit:
            assert unit.session.get(Chat, TEAM_CHAT_ID) is not None

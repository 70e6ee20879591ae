"""Fixtures for the domain tests: a frozen clock, a fresh migrated database, units of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, func, select

from cjm.clock import FrozenClock
from cjm.db import UnitOfWork, make_engine, unit_of_work_factory, upgrade
from cjm.models import ChangeEvent
from tests.conftest import DATABASES, POSTGRES_URL, wiped
from tests.factories import NOW


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at Thursday 2026-11-26 09:00 UTC; tests move it explicitly."""
    return FrozenClock(NOW)


@pytest.fixture(scope="session")
def engines() -> Iterator[tuple[Engine, Engine]]:
    """A database migrated once by upgrade() to copy from, and the engine tests run on."""
    template = make_engine("sqlite://")
    upgrade(template)
    engine = make_engine("sqlite://")
    yield template, engine
    engine.dispose()
    template.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """The PostgreSQL database TEST_POSTGRES_URL names, wiped and migrated to the newest."""
    assert POSTGRES_URL is not None
    engine = make_engine(wiped(POSTGRES_URL))
    upgrade(engine)
    yield engine
    engine.dispose()


def _empty(engine: Engine) -> None:
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, engines: tuple[Engine, Engine]) -> Iterator[Engine]:
    """A fresh database at the newest migration: in-memory SQLite, and PostgreSQL if given.

    Every domain test runs on each database given; PostgreSQL is migrated once per session
    and emptied (TRUNCATE … RESTART IDENTITY) before each test. On SQLite, two shortcuts keep
    the tests fast; neither lets state leak between tests:
    - the database is a copy of one that upgrade() migrated once per session (test_db.py
      runs upgrade() on its own engines), instead of running Alembic for every test;
    - the Engine object is reused, so SQLAlchemy's compiled-statement cache stays warm.
      dispose() after each test closes its only connection, and with it the in-memory
      database: the next test connects to a new, empty one and copies the template in.
    """
    if request.param == "postgresql":
        engine = request.getfixturevalue("postgres_engine")
        _empty(engine)
        yield engine
        return
    template, engine = engines
    with template.connect() as source, engine.connect() as target:
        source.connection.driver_connection.backup(target.connection.driver_connection)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine, clock: FrozenClock) -> Callable[[], UnitOfWork]:
    """A factory of units of work: call `uow()` for each service call."""
    return unit_of_work_factory(engine, clock)


@dataclass(frozen=True)
class Change:
    """One line of a map's change log, as a test reads it."""

    action: str
    item_id: int | None
    summary: str
    actor_id: int
    actor_name: str
    at: datetime


@pytest.fixture
def changes(uow: Callable[[], UnitOfWork]) -> Callable[[int], list[Change]]:
    """Read a map's change log, oldest first (no service lists it yet)."""

    def read(map_id: int) -> list[Change]:
        with uow() as unit:
            events = unit.session.exec(
                select(ChangeEvent)
                .where(ChangeEvent.map_id == map_id)
                .order_by(col(ChangeEvent.id))
            ).all()
            return [
                Change(e.action, e.item_id, e.summary, e.actor_id, e.actor_name, e.at)
                for e in events
            ]

    return read


@pytest.fixture
def rows(uow: Callable[[], UnitOfWork]) -> Callable[[type[SQLModel]], int]:
    """Count the stored rows of a table (to check cascades and that nothing was stored)."""

    def count(model: type[SQLModel]) -> int:
        with uow() as unit:
            return unit.session.exec(select(func.count()).select_from(model)).one()

    return count

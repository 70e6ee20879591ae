"""The database: engine set-up, the UTC timestamp column, the unit of work and migrations."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, bindparam, event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from cjm.clock import Clock
from cjm.errors import AlreadyHandled, ItemGone
from cjm.models import ChangeEvent, FocusKind, HandledMessage, HandledPress
from cjm.views import Actor

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for plain statements on hot paths."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it, untyped
    return table


# Every change runs these, so they are plain table statements built once: the ORM's unit of
# work and statement building cost several times what SQLite takes to run them.
_HANDLED = select(table_of(HandledMessage).c.chat_id).where(
    table_of(HandledMessage).c.chat_id == bindparam("chat_id"),
    table_of(HandledMessage).c.message_id == bindparam("message_id"),
)
_CLAIM = insert(table_of(HandledMessage))
_PRESSED = select(table_of(HandledPress).c.query_id).where(
    table_of(HandledPress).c.query_id == bindparam("query_id")
)
_CLAIM_PRESS = insert(table_of(HandledPress))
_RECORD = insert(table_of(ChangeEvent))

Model = TypeVar("Model", bound=SQLModel)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One shared connection, or every session would see its own empty in-memory database.
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    else:
        _ensure_parent_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _ensure_parent_dir(url: str) -> None:
    """Create the database file (and its folder) readable by the bot's user only.

    The file holds every team's maps and every customer's answers. SQLite creates the WAL and
    shared-memory files with the database file's permissions, so they follow it; a folder or
    file that exists already keeps the permissions its owner gave it.
    """
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    if not path:
        return
    database = Path(path)
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config() -> Config:
    """Alembic's configuration: the migrations live in cjm/migrations, no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration (run on every start)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class UnitOfWork:
    """One transaction per outermost `with` block; nothing is saved unless commit() is called.

    Nested `with` blocks join the outer transaction, so a service that composes two others
    (answering a prompt = find the prompt + add the item) still commits once, or not at all.
    """

    new_session: Callable[[], Session]
    clock: Clock
    session: Session = field(init=False, repr=False)
    _depth: int = field(default=0, init=False, repr=False)

    def __enter__(self) -> Self:
        if self._depth == 0:
            self.session = self.new_session()
        self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.session.rollback()  # harmless after commit(); undoes everything otherwise
            self.session.close()

    def commit(self) -> None:
        """Commit, unless this block is nested in another, which then decides."""
        if self._depth == 1:
            self.session.commit()
        else:
            self.session.flush()

    def get(self, model: type[Model], item_id: int | None) -> Model:
        """Load one row by id, or raise ItemGone naming what is missing."""
        item = None if item_id is None else self.session.get(model, item_id)
        if item is None:
            raise ItemGone(kind=model.__name__.lower())
        return item

    def claim_message(
        self, chat_id: int, message_id: int, seen: tuple[FocusKind, int] | None = None
    ) -> None:
        """Mark a Telegram message as handled now; a redelivered one raises AlreadyHandled.

        `seen`: for a reply to a step card, the item it went to (an edit of it goes there too).
        """
        key = {"chat_id": chat_id, "message_id": message_id}
        if self.session.execute(_HANDLED, key).first() is not None:
            raise AlreadyHandled
        focus, target_id = seen or (None, None)
        self.session.execute(
            _CLAIM,
            {**key, "handled_at": self.clock.now(), "focus": focus, "target_id": target_id},
        )

    def claim_press(self, query_id: str) -> None:
        """Mark a button press (callback query) as handled now; a redelivery: AlreadyHandled."""
        key = {"query_id": query_id}
        if self.session.execute(_PRESSED, key).first() is not None:
            raise AlreadyHandled
        self.session.execute(_CLAIM_PRESS, {**key, "handled_at": self.clock.now()})

    def record(
        self, actor: Actor, map_id: int, action: str, item_id: int | None, summary: str
    ) -> None:
        """Add a line to the map's change log (who did what to which item, now)."""
        self.session.execute(
            _RECORD,
            {
                "map_id": map_id,
                "actor_id": actor.user_id,
                "actor_name": actor.name[:128],
                "action": action,
                "item_id": item_id,
                "summary": summary[:200],
                "at": self.clock.now(),
            },
        )


class OpenUnitOfWork(Protocol):
    """A UnitOfWork inside its `with` block: what helpers that join a service's transaction take.

    Services take a `UnitOfWork` and open it; the helpers they call inside `with uow:` take
    this instead. It has no `__enter__` and no `commit`, so a helper can neither open a
    transaction of its own nor commit its caller's. A UnitOfWork is one, by its shape alone.
    """

    session: Session
    clock: Clock

    def get(self, model: type[Model], item_id: int | None) -> Model:
        """Load one row by id, or raise ItemGone naming what is missing."""
        ...

    def claim_message(
        self, chat_id: int, message_id: int, seen: tuple[FocusKind, int] | None = None
    ) -> None:
        """Mark a Telegram message as handled now; a redelivered one raises AlreadyHandled."""
        ...

    def record(
        self, actor: Actor, map_id: int, action: str, item_id: int | None, summary: str
    ) -> None:
        """Add a line to the map's change log (who did what to which item, now)."""
        ...


def unit_of_work_factory(engine: Engine, clock: Clock) -> Callable[[], UnitOfWork]:
    """Return a factory of fresh units of work on `engine`."""

    def new_session() -> Session:
        return Session(engine, expire_on_commit=False)

    return lambda: UnitOfWork(new_session, clock)

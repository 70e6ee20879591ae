"""Backups of a SQLite database: a consistent copy while the bot runs, and its restore.

A plain file copy of a database in WAL mode misses what is still in the WAL (and can catch a
page half written); SQLite's online backup API copies a consistent snapshot page by page while
other connections keep writing. PostgreSQL has its own tools (pg_dump / pg_restore; the
README gives the recipe), so these refuse a non-SQLite URL and say so.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import inspect, select

from cjm.db import make_engine, table_of, upgrade
from cjm.models import Chat

# All pages in one step: a step-wise backup starts over whenever another connection writes
# between steps, so under steady writes it never ends. In WAL mode one step is one read
# transaction, which never blocks the bot's writers.
PAGES_PER_STEP = -1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the command line."""


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL (BackupError for other databases or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        raise BackupError(
            "backup and restore work on SQLite; for PostgreSQL use pg_dump and pg_restore "
            "(see the README, section Backups)"
        )
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not path or path == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(path)


def backup(database_url: str, target: Path) -> int:
    """Copy the database to `target` (a new SQLite file) while it may be in use; its pages."""
    source_path = sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o600)  # the copy holds what the database holds: the owner's only
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=PAGES_PER_STEP)
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        _check(copy, target)
    finally:
        copy.close()
        source.close()
    return pages


def restore(backup_file: Path, database_url: str) -> None:
    """Restore `backup_file` into an empty database, then migrate it to the newest schema."""
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    copy = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        _check(copy, backup_file)
    finally:
        copy.close()
    target_path = sqlite_path(database_url)
    _require_empty(database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target, pages=PAGES_PER_STEP)
    finally:
        target.close()
        source.close()
    engine = make_engine(database_url)
    try:
        upgrade(engine)  # a backup from an older release gets the newer migrations
    finally:
        engine.dispose()


def _check(connection: sqlite3.Connection, path: Path) -> None:
    """A backup is an intact SQLite file that holds this bot's schema."""
    try:
        (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")
    if "alembic_version" not in tables or table_of(Chat).name not in tables:
        raise BackupError(f"{path} is not a Journey Bot database")


def _require_empty(database_url: str) -> None:
    """Restoring over a database in use would lose what it holds: only into an empty one."""
    if not sqlite_path(database_url).exists():
        return
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if table_of(Chat).name not in inspect(connection).get_table_names():
                return
            if connection.execute(select(table_of(Chat).c.id).limit(1)).first() is not None:
                raise BackupError(
                    "the database already holds chats; restore into an empty DATABASE_URL"
                )
    finally:
        engine.dispose()

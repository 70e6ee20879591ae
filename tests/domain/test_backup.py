"""Backups: a consistent copy of a database in use, restored whole into an empty one."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from cjm.backup import BackupError, backup, restore
from cjm.clock import FrozenClock
from cjm.db import make_engine, unit_of_work_factory, upgrade
from cjm.services import stages
from tests.factories import ALICE, NOW, make_full_map, make_map

Rows = dict[str, list[tuple[object, ...]]]


def every_table(engine: Engine) -> Rows:
    """Every row of every table the models declare, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def live(tmp_path: Path) -> tuple[str, Engine]:
    """A migrated file database with a full map, as the bot leaves it (WAL mode)."""
    url = f"sqlite:///{tmp_path / 'live' / 'journey.db'}"
    engine = make_engine(url)
    upgrade(engine)
    make_full_map(unit_of_work_factory(engine, FrozenClock(NOW)), title="Checkout")
    return url, engine


def test_a_backup_under_load_restores_every_table(
    live: tuple[str, Engine], tmp_path: Path
) -> None:
    """Members keep adding stages while the backup runs: the copy is a consistent snapshot
    (whole transactions only), and its restore holds
    exactly what the backup holds, table by table."""
    url, engine = live
    new_uow = unit_of_work_factory(engine, FrozenClock(NOW))
    stopped = threading.Event()
    written = 0

    def keep_writing() -> None:
        nonlocal written
        while not stopped.is_set():
            journey = make_map(new_uow, title=f"Load {written}", chat_id=-2000 - written)
            stages.add_stages(
                new_uow(), chat_id=journey.chat_id, map_id=journey.id, text="A\nB\nC", actor=ALICE
            )
            written += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while written < 5:  # the load is on before the backup starts
            assert writer.is_alive(), "the writer failed"
            stopped.wait(0.01)
        file = tmp_path / "backups" / "journey-backup.db"
        backup(url, file)
        at_backup = written
    finally:
        stopped.set()
        writer.join()
    assert written > 0
    copy = make_engine(f"sqlite:///{file}")
    saved = every_table(copy)
    copy.dispose()
    # A consistent snapshot: every transaction in it whole (a load map has its three stages,
    # or none yet), every row it refers to present, and it ends before the load did.
    stages_per_map: dict[object, int] = {}
    for stage in saved["stage"]:
        stages_per_map[stage[1]] = stages_per_map.get(stage[1], 0) + 1
    load_maps = [m[0] for m in saved["journeymap"] if str(m[2]).startswith("Load ")]
    assert 5 <= len(load_maps) <= at_backup + 1
    assert {stages_per_map.get(map_id, 0) for map_id in load_maps} <= {0, 3}
    assert sum(stages_per_map.get(map_id, 0) == 3 for map_id in load_maps) >= len(load_maps) - 1

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'journey.db'}"
    restore(file, restored_url)
    restored = make_engine(restored_url)
    assert every_table(restored) == saved
    restored.dispose()
    engine.dispose()


def test_restore_goes_only_into_an_empty_database(
    live: tuple[str, Engine], tmp_path: Path
) -> None:
    """Restoring over a database that holds chats would lose them: refused, nothing changes."""
    url, engine = live
    file = tmp_path / "journey-backup.db"
    backup(url, file)
    before = every_table(engine)
    with pytest.raises(BackupError, match="already holds chats"):
        restore(file, url)
    assert every_table(engine) == before
    empty = tmp_path / "empty.db"
    upgrade(make_engine(f"sqlite:///{empty}"))  # migrated, no rows: fine
    restore(file, f"sqlite:///{empty}")
    engine.dispose()


def test_what_cannot_be_backed_up_or_restored_is_named(tmp_path: Path) -> None:
    """PostgreSQL points at pg_dump; a missing, damaged or foreign file is named."""
    with pytest.raises(BackupError, match="pg_dump"):
        backup("postgresql://bot@localhost/journey", tmp_path / "x.db")
    with pytest.raises(BackupError, match="no database"):
        backup(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "x.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(junk, f"sqlite:///{tmp_path / 'new.db'}")
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="not a Journey Bot database"):
        restore(foreign, f"sqlite:///{tmp_path / 'new.db'}")
    assert not (tmp_path / "new.db").exists()

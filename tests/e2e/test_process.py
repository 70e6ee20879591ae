"""`python -m bot` as users start it: clear messages and exit code 2 for a missing or bad token."""

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import Engine

from cjm.clock import FrozenClock
from cjm.db import make_engine, unit_of_work_factory, upgrade
from cjm.services import maps
from tests.double import BotApiDouble
from tests.factories import NOW, TEAM_CHAT_ID, make_full_map

ROOT = Path(__file__).resolve().parents[2]


async def run_bot(env: dict[str, str], tmp_path: Path, *arguments: str) -> tuple[int, str]:
    """Run `python -m bot ARGUMENTS` with `env` (on a clean environment): (code, stderr)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *arguments,
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_without_a_token_the_bot_says_where_to_get_one(tmp_path: Path) -> None:
    """No TELEGRAM_BOT_TOKEN (nor .env): exit 2, a message naming @BotFather, no traceback."""
    code, stderr = await run_bot({}, tmp_path)
    assert code == 2
    assert "@BotFather" in stderr
    assert ".env" in stderr
    assert "Traceback" not in stderr


async def test_a_wrong_token_is_one_clear_line(tmp_path: Path) -> None:
    """Telegram refusing the token: exit 2 with one line, no traceback, and no token printed."""
    async with BotApiDouble(token="123456:RIGHT") as double:  # noqa: S106  (a fake token)
        code, stderr = await run_bot(
            {
                "TELEGRAM_BOT_TOKEN": "123456:WRONG",
                "TELEGRAM_API_BASE_URL": f"{double.url}/bot",
                "TELEGRAM_API_BASE_FILE_URL": f"{double.url}/file/bot",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            },
            tmp_path,
        )
    assert code == 2
    assert "Traceback" not in stderr
    assert "WRONG" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("Telegram refused TELEGRAM_BOT_TOKEN")


async def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    """An unknown time zone stops the bot with a message naming the problem."""
    code, stderr = await run_bot(
        {"TELEGRAM_BOT_TOKEN": "1:x", "BOT_DEFAULT_TIMEZONE": "Mars/Olympus"}, tmp_path
    )
    assert code == 2
    assert "Mars/Olympus" in stderr
    assert "Traceback" not in stderr


async def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    """`python -m bot backup FILE` needs no token; `restore FILE` refuses a database in use."""
    live = {"DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}"}
    make_full_map(unit_of_work_factory(_migrated(tmp_path / "live.db"), FrozenClock(NOW)))
    code, stderr = await run_bot(live, tmp_path, "backup", "copy.db")
    assert (code, stderr) == (0, "")
    code, stderr = await run_bot(live, tmp_path, "restore", "copy.db")
    assert code == 2
    assert "Restore failed: the database already holds chats" in stderr
    assert "Traceback" not in stderr
    fresh = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh' / 'journey.db'}"}
    code, stderr = await run_bot(fresh, tmp_path, "restore", "copy.db")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    restored = unit_of_work_factory(make_engine(fresh["DATABASE_URL"]), FrozenClock(NOW))
    assert maps.get_current_map(restored(), chat_id=TEAM_CHAT_ID).title


def _migrated(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine

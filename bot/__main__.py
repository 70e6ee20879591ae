"""`python -m bot` (make run): start the bot with long polling.

`python -m bot backup FILE` writes a consistent copy of the database while the bot runs;
`python -m bot restore FILE` puts one back into an empty database.
"""

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError
from telegram import Bot, Update
from telegram.error import InvalidToken

from bot.app import build_application
from bot.http import AiohttpRequest
from bot.logs import configure_logging
from bot.settings import Settings
from cjm.backup import BackupError, backup, restore

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set.
Get a token from @BotFather in Telegram (/newbot), then put it in .env as
TELEGRAM_BOT_TOKEN=123456:ABC... (see .env.example) or export it, and run `make run` again."""  # noqa: S105  (a help text, not a secret)


def main(argv: list[str] | None = None) -> int:
    """Run the command; exit 2 on configuration errors (and a backup that cannot be made)."""
    arguments = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Configuration error: {error.errors()[0]['msg']}", file=sys.stderr)  # noqa: T201
        return 2
    token = settings.telegram_bot_token
    configure_logging(
        settings.bot_log_level,
        token.get_secret_value() if token else None,
        settings.bot_log_format,
    )
    if arguments.command in ("backup", "restore"):
        return _backup_command(arguments.command, Path(arguments.file), settings)
    return _run(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Journey Bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    for name, what in (
        ("backup", "write a consistent copy of the database to FILE (a new file)"),
        ("restore", "restore FILE into an empty database (DATABASE_URL)"),
    ):
        commands.add_parser(name, help=what).add_argument("file", metavar="FILE")
    return parser


def _backup_command(command: str, file: Path, settings: Settings) -> int:
    try:
        if command == "backup":
            pages = backup(settings.database_url, file)
            print(f"Backed up {pages} pages to {file}.")  # noqa: T201
        else:
            restore(file, settings.database_url)
            print(f"Restored {file}.")  # noqa: T201
    except BackupError as error:
        print(f"{command.capitalize()} failed: {error}", file=sys.stderr)  # noqa: T201
        return 2
    return 0


def _run(settings: Settings) -> int:
    """Build the bot and poll until Ctrl+C; exit 2 without a (valid) token."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        print(NO_TOKEN, file=sys.stderr)  # noqa: T201
        return 2
    try:
        asyncio.run(check_token(settings))
    except InvalidToken:
        print(  # noqa: T201
            "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather.", file=sys.stderr
        )
        return 2
    build_application(settings).run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


async def check_token(settings: Settings) -> None:
    """Ask Telegram who we are before starting, so a wrong token is one clear line."""
    assert settings.telegram_bot_token is not None  # noqa: S101  (checked by the caller)
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
        request=AiohttpRequest(connection_pool_size=1),
    )
    async with bot:  # initialize() calls getMe
        pass


if __name__ == "__main__":
    sys.exit(main())

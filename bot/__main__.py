"""`python -m bot` (make run): start the bot with long polling."""

import asyncio
import sys

from pydantic import ValidationError
from telegram import Bot, Update
from telegram.error import InvalidToken

from bot.app import build_application
from bot.http import AiohttpRequest
from bot.logs import configure_logging
from bot.settings import Settings

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set.
Get a token from @BotFather in Telegram (/newbot), then put it in .env as
TELEGRAM_BOT_TOKEN=123456:ABC... (see .env.example) or export it, and run `make run` again."""  # noqa: S105  (a help text, not a secret)


def main() -> int:
    """Read settings, build the bot and poll until Ctrl+C; exit 2 on configuration errors."""
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Configuration error: {error.errors()[0]['msg']}", file=sys.stderr)  # noqa: T201
        return 2
    token = settings.telegram_bot_token
    configure_logging(settings.bot_log_level, token.get_secret_value() if token else None)
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

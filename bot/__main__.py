"""`python -m bot` (make run): start the bot with long polling."""

import logging
import sys

from pydantic import ValidationError
from telegram import Update
from telegram.error import InvalidToken

from bot.app import build_application
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
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=settings.bot_log_level
    )
    # httpx logs request URLs at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        print(NO_TOKEN, file=sys.stderr)  # noqa: T201
        return 2
    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(  # noqa: T201
            "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather.", file=sys.stderr
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

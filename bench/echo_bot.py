"""The baseline: a minimal PTB bot answering every /echo with a message (no DB, no templates)."""

import os
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer with the same text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


def main() -> int:
    """Poll the Bot API named in the environment (the bench's double)."""
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_API_BASE_FILE_URL"])
        .build()
    )
    application.add_handler(CommandHandler("echo", echo))
    application.run_polling(poll_interval=0, timeout=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

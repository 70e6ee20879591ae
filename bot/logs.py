"""The bot's log lines, with the token masked in every one of them.

A Bot API URL carries the token (`…/bot123456:ABC…/sendMessage`), and URLs turn up in log
lines the bot does not write itself: an aiohttp error's text, a library's debug line, a
traceback's chained exception. So the mask is applied to the whole formatted line, traceback
included, not to the messages the bot formats: nothing reaches a handler's output unmasked.
"""

import json
import logging
import re
import sys
from typing import Literal

LogFormat = Literal["text", "json"]

# A token as BotFather issues it (bot id, colon, 35 characters of [A-Za-z0-9_-]), and the
# `bot<token>` part of a Bot API URL, whatever the token looks like (a local server's may
# differ): both go, also when the configured token is not known to the formatter.
_TOKEN_SHAPES = (
    re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"),
    re.compile(r"(?<=/bot)[^/\s'\"]+(?=/)"),
    re.compile(r"(?<=/file/bot)[^/\s'\"]+(?=/)"),
)
MASK = "<token>"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_secrets(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with every token (the given ones, and anything shaped like one) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for shape in _TOKEN_SHAPES:
        text = shape.sub(MASK, text)
    return text


class MaskingFormatter(logging.Formatter):
    """A formatter whose lines (message, traceback, stack) never show a token."""

    def __init__(self, fmt: str = LINE_FORMAT, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then mask."""
        return mask_secrets(super().format(record), self._secrets)


class JsonFormatter(MaskingFormatter):
    """One JSON object per line with the text line's fields (for log collectors), masked."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as {"time", "level", "logger", "message"[, "exception"]}."""
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return mask_secrets(json.dumps(entry, ensure_ascii=False), self._secrets)


def configure_logging(level: str, token: str | None, log_format: LogFormat = "text") -> None:
    """Log to stderr at `level`, as text lines or JSON objects, through the mask."""
    handler = logging.StreamHandler(sys.stderr)
    secrets = (token,) if token else ()
    formatter = JsonFormatter if log_format == "json" else MaskingFormatter
    handler.setFormatter(formatter(secrets=secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs request URLs at INFO (masked now, but noise all the same).
    logging.getLogger("httpx").setLevel(logging.WARNING)

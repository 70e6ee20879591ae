"""A fake Telegram Bot API server and a driver for human members, for tests and demos."""

from tests.double.html import HtmlParseError, ParsedText, parse_html, utf16_len
from tests.double.members import Member
from tests.double.server import ApiError, BotApiDouble
from tests.double.state import (
    Button,
    CallbackQueryRecord,
    ChatSpec,
    RateLimit,
    SentMessage,
    StoredFile,
)

__all__ = [
    "ApiError",
    "BotApiDouble",
    "Button",
    "CallbackQueryRecord",
    "ChatSpec",
    "HtmlParseError",
    "Member",
    "ParsedText",
    "RateLimit",
    "SentMessage",
    "StoredFile",
    "parse_html",
    "utf16_len",
]

"""A fake Telegram Bot API server and a driver for human members, for tests and demos.

Typical use::

    async with BotApiDouble(token="123456:TEST", bot_username="journey_test_bot") as double:
        alice = double.member("Alice", username="alice")
        team = double.group("Team", members=[alice])
        app = application_builder(double).build()  # add the bot's handlers
        async with running(app):
            cmd = await alice.send(team, "/newmap Checkout")
            reply = await double.wait_for_message(team, "Checkout", after=cmd)
            query = await alice.press(reply, "Add stage")
            await double.wait_for_answer(query)
"""

from tests.double.html import HtmlParseError, ParsedText, parse_html, utf16_len
from tests.double.members import Member
from tests.double.ptb import application_builder, running
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
    "application_builder",
    "parse_html",
    "running",
    "utf16_len",
]

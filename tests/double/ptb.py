"""Helpers to point a real python-telegram-bot Application at the double."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from tests.double.server import BotApiDouble

__all__ = ["application_builder", "running"]

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def application_builder(double: BotApiDouble, builder: Any = None) -> Any:
    """An ApplicationBuilder (new or given) with token and base URLs set to the double."""
    chosen = builder if builder is not None else ApplicationBuilder()
    return (
        chosen.token(double.token)
        .base_url(f"{double.url}/bot")
        .base_file_url(f"{double.url}/file/bot")
    )


@asynccontextmanager
async def running(app: AnyApplication, *, poll_timeout: int = 10) -> AsyncIterator[AnyApplication]:
    """Initialize, start and long-poll `app`; stop polling and the app on exit."""
    async with app:
        await app.start()
        assert app.updater is not None, "build the Application with an Updater"
        # poll_interval=0: the double answers a long poll the moment an update exists, and
        # on stop the pending poll is cancelled, so a long timeout costs nothing.
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()

"""Fixtures for end-to-end tests: the Bot API double, a bot factory, and a team of members."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.app import JourneyApp, build_application
from bot.settings import Settings
from cjm.clock import FrozenClock
from cjm.db import UnitOfWork, make_engine, unit_of_work_factory, upgrade
from tests.double import BotApiDouble, CallbackQueryRecord, ChatSpec, Member, SentMessage

TOKEN = "123456:TEST"  # noqa: S105  (the double's fake token)


def pytest_report_header() -> str:
    """Say which databases the tests run on."""
    if os.environ.get("TEST_POSTGRES_URL"):
        return "databases: SQLite and PostgreSQL (TEST_POSTGRES_URL)"
    return "databases: SQLite (set TEST_POSTGRES_URL to add PostgreSQL)"


StartBot = Callable[..., Awaitable[JourneyApp]]


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at a Thursday morning; tests move it explicitly."""
    return FrozenClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    """The Bot API double on 127.0.0.1; group flood limits off unless a test turns them on."""
    async with BotApiDouble(token=TOKEN, group_limit=None) as server:
        yield server


# A PostgreSQL database for tests (wiped by them), or None: SQLite alone.
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database that outlives one Application, so restarts see the same maps.

    A SQLite file, and with TEST_POSTGRES_URL also its PostgreSQL database, emptied.
    """
    if request.param == "postgresql" and POSTGRES_URL:
        return wiped(POSTGRES_URL)
    return f"sqlite:///{tmp_path / 'journey.db'}"


def wiped(url: str) -> str:
    """Drop everything in a PostgreSQL database meant for tests; return its URL."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def settings(double: BotApiDouble, database_url: str) -> Settings:
    """Settings pointing the bot at the double."""
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        database_url=database_url,
        telegram_api_base_url=f"{double.url}/bot",
        telegram_api_base_file_url=f"{double.url}/file/bot",
        bot_default_timezone="Europe/Berlin",
        bot_default_language="en",
        bot_group_messages_per_minute=100_000,
        bot_overall_messages_per_second=100_000,
    )


@pytest.fixture
async def start_bot(settings: Settings, clock: FrozenClock) -> AsyncIterator[StartBot]:
    """Start a real PTB Application polling the double; call again to "restart" the bot."""
    running: list[JourneyApp] = []

    async def start(**overrides: object) -> JourneyApp:
        for app in running:
            await stop(app)
        running.clear()
        app = build_application(settings.model_copy(update=overrides), clock=clock)
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        running.append(app)
        return app

    yield start
    for app in running:
        await stop(app)


Redeliver = Callable[..., Awaitable[JourneyApp]]


@pytest.fixture
def redeliver(double: BotApiDouble, start_bot: StartBot) -> Redeliver:
    """Crash the bot before it confirmed `items`: Telegram sends them again to the new process.

    `await redeliver(app, reply, press)` stops `app`, queues the same updates again (same
    update_id, as Telegram does) and starts a new Application on the same database, which
    fetches them; it returns once the new bot is idle.
    """

    async def crash_and_resend(
        app: JourneyApp, *items: SentMessage | CallbackQueryRecord
    ) -> JourneyApp:
        await stop(app)
        for item in items:
            double.redeliver(item)
        restarted = await start_bot()
        await double.wait_idle()
        assert not double.crashes, double.crashes
        assert double.pending_updates == 0
        return restarted

    return crash_and_resend


async def stop(app: JourneyApp) -> None:
    """Stop polling and shut the application down."""
    if not app.running and not (app.updater and app.updater.running):
        return  # stopped already (a test crashed it to redeliver updates)
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown:  # run_polling would call it; tests drive the Application by hand
        await app.post_shutdown(app)


@pytest.fixture
def new_uow(database_url: str, clock: FrozenClock) -> Iterator[Callable[[], UnitOfWork]]:
    """Units of work on the bot's (migrated) database, to set up or check what is stored."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield unit_of_work_factory(engine, clock)
    engine.dispose()


@dataclass
class Team:
    """Three members in one group: Alice (admin), Bob and Carol."""

    chat: ChatSpec
    alice: Member
    bob: Member
    carol: Member

    def __iter__(self) -> Iterator[Member]:
        return iter((self.alice, self.bob, self.carol))


@pytest.fixture
def team(double: BotApiDouble) -> Team:
    """A product team's group with the bot in it."""
    alice = double.member("Alice", username="alice", language_code="en")
    bob = double.member("Bob", username="bob", language_code="en")
    carol = double.member("Carol", language_code="en")
    chat = double.group("Shop team", members=[bob, carol], admins=[alice], owner=alice)
    return Team(chat, alice, bob, carol)

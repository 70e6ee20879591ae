"""An answer that was stored is never reported as a failure, whatever Telegram does next.

Telegram failing after the rate limiter's retries (5xx, 429) leaves a card stale, not the
answer lost: the card stays dirty and is redrawn once Telegram accepts edits again (the
CardEditor retries on the injected clock), and nobody is told "try again".
"""

import asyncio
from collections.abc import Callable

import pytest

from bot.app import JourneyApp
from bot.card_editor import FIRST_RETRY, CardEditor
from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.factories import make_full_map

WENT_WRONG = "Something went wrong"
FAULTS = [
    pytest.param(502, None, 6, id="6 x 502"),
    pytest.param(429, 1, 4, id="4 x 429"),
]


def editor(app: JourneyApp) -> CardEditor:
    editor: CardEditor = app.bot_data["deps"].card_editor
    return editor


def said_went_wrong(double: BotApiDouble, team: Team) -> list[str]:
    return [m.text or "" for m in double.bot_messages(team.chat) if WENT_WRONG in (m.text or "")]


async def stages_card(double: BotApiDouble, team: Team) -> SentMessage:
    await team.alice.send(team.chat, "/newmap Checkout")
    await double.wait_for_message(team.chat, containing="Step 1 of 6")
    await team.alice.send(team.chat, "/stages")
    return await double.wait_for_message(team.chat, containing="Step 2 of 6")


async def settled(double: BotApiDouble, app: JourneyApp) -> None:
    """Every update handled and every card edit done (its retries wait between requests)."""
    await double.wait_idle(timeout=15)
    await editor(app).flush()
    await double.wait_idle()


async def until_stale(app: JourneyApp) -> set[tuple[int, int]]:
    """The cards left stale, once the edit's retries gave up (they pause between requests)."""
    async with asyncio.timeout(15):
        while not editor(app).stale:  # noqa: ASYNC110  (the editor has no event to wait on)
            await asyncio.sleep(0.02)
    return editor(app).stale


async def retried(double: BotApiDouble, app: JourneyApp, clock: FrozenClock) -> None:
    """Nothing is retried before its pause is over; then the stale card is edited again."""
    stale = await until_stale(app)
    await settled(double, app)
    editor(app).retry_due()
    await settled(double, app)
    assert editor(app).stale == stale
    clock.advance(FIRST_RETRY)
    editor(app).retry_due()


@pytest.mark.parametrize(("status", "retry_after", "times"), FAULTS)
async def test_a_card_edit_that_keeps_failing_is_redrawn_later_and_nobody_is_told_to_retry(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    clock: FrozenClock,
    new_uow: Callable[[], UnitOfWork],
    status: int,
    retry_after: int | None,
    times: int,
) -> None:
    """The stage is stored at once; the card shows it once Telegram takes edits again."""
    app = await start_bot()
    card = await stages_card(double, team)
    double.fail_next("editMessageText", status=status, retry_after=retry_after, times=times)
    await team.bob.reply(team.chat, card, "Awareness")
    await settled(double, app)

    assert [s.name for s in maps.get_current_map(new_uow(), chat_id=team.chat.id).stages] == [
        "Awareness"
    ]
    assert "Awareness" not in (card.text or "")
    assert said_went_wrong(double, team) == []
    await retried(double, app, clock)
    await double.wait_for_edit(team.chat, card, containing="1. Awareness", timeout=10)
    assert editor(app).stale == set()
    assert said_went_wrong(double, team) == []


async def test_a_newer_answer_supersedes_the_stale_edit(
    double: BotApiDouble, team: Team, start_bot: StartBot, clock: FrozenClock
) -> None:
    """A later answer redraws the card at once, with both answers; nothing stays dirty."""
    app = await start_bot()
    card = await stages_card(double, team)
    double.fail_next("editMessageText", status=502, times=4)
    await team.bob.reply(team.chat, card, "Awareness")
    assert await until_stale(app)
    await team.carol.reply(team.chat, card, "Purchase")
    await double.wait_for_edit(team.chat, card, containing="2. Purchase")
    assert "1. Awareness" in (card.text or "")
    assert editor(app).stale == set()


async def record_value(double: BotApiDouble, team: Team) -> tuple[SentMessage, SentMessage]:
    """A KPI on the board and the question for its value: (board, question)."""
    sent = await team.alice.send(team.chat, "/kpi")
    board = await double.wait_for_message(team.chat, containing="KPIs ·", after=sent)
    await team.alice.press(board, "➕ KPI")
    await double.wait_for_edit(team.chat, board, containing="Which stage")
    await team.alice.press(board, "2. Buy")
    question = await double.wait_for_message(team.chat, containing="A new KPI for", after=sent)
    reply = await team.bob.reply(team.chat, question, "Conversion; %; 3.5; up")
    await double.wait_for_edit(team.chat, board, containing="Conversion: no value yet")
    await team.carol.press(board, "Record value: Conversion")
    question = await double.wait_for_message(team.chat, containing="The value of", after=reply)
    return board, question


async def test_a_kpi_board_that_cannot_be_edited_is_redrawn_later(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    clock: FrozenClock,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """The value is stored and confirmed; the board catches up once edits go through."""
    map_id = make_full_map(new_uow, chat_id=team.chat.id, title="Checkout").id
    app = await start_bot()
    board, question = await record_value(double, team)
    double.fail_next("editMessageText", status=502, times=6)
    reply = await team.carol.reply(team.chat, question, "3.1")
    await double.wait_for_message(team.chat, containing="recorded", after=reply)
    await until_stale(app)

    assert [
        p.value
        for p in maps.get_map(new_uow(), chat_id=team.chat.id, map_id=map_id).kpis[0].values
    ] == [3.1]
    assert "Conversion: 3.1%" not in (board.text or "")
    assert said_went_wrong(double, team) == []
    await retried(double, app, clock)
    await double.wait_for_edit(team.chat, board, containing="Conversion: 3.1%")


async def test_a_confirmation_that_cannot_be_sent_is_not_reported_as_a_failure(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """The KPI value is stored even if its confirmation never gets through; no "try again"."""
    map_id = make_full_map(new_uow, chat_id=team.chat.id, title="Checkout").id
    await start_bot()
    board, question = await record_value(double, team)
    double.fail_next("sendMessage", status=502, times=6)
    await team.carol.reply(team.chat, question, "3.1")
    await double.wait_for_edit(team.chat, board, containing="Conversion: 3.1%")
    await double.wait_idle()

    assert [
        p.value
        for p in maps.get_map(new_uow(), chat_id=team.chat.id, map_id=map_id).kpis[0].values
    ] == [3.1]
    assert said_went_wrong(double, team) == []

"""Insights from the chat: ⭐ moments of truth, /hotspots with "➕ Add a fix", /kpi."""

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble
from tests.factories import make_full_map


@pytest.fixture
def full_map(team: Team, new_uow: Callable[[], UnitOfWork]) -> int:
    """The team's group holds the complete small map; returns its id."""
    return make_full_map(new_uow, chat_id=team.chat.id, title="Checkout").id


async def test_a_moment_of_truth_shows_on_the_card_and_in_the_summary(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    full_map: int,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """⭐ on a focused touchpoint marks it; the card and /map show ⭐; pressing again unmarks."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/touchpoints")
    card = await double.wait_for_message(team.chat, containing="Step 3 of 6", after=sent)
    await team.bob.press(card, "📍 Search ad")
    await double.wait_for_edit(team.chat, card, containing="👉 Search ad")

    await team.bob.press(card, "⭐ Moment of truth")
    await double.wait_for_edit(team.chat, card, containing="👉 ⭐ Search ad")
    assert any(b.text.startswith("✓ ⭐") for b in card.flat_buttons)
    sent = await team.carol.send(team.chat, "/map")
    summary = await double.wait_for_message(team.chat, containing="1. Discover", after=sent)

    assert "⭐ Search ad" in (summary.text or "")
    view = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=full_map)
    assert [tp.name for tp in view.touchpoints if tp.is_moment_of_truth] == ["Search ad"]

    await team.carol.press(card, "✓ ⭐ Moment of truth")
    await double.wait_for_edit(team.chat, card, containing="👉 Search ad")
    view = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=full_map)
    assert not any(tp.is_moment_of_truth for tp in view.touchpoints)
    assert not double.errors


async def test_hotspots_show_why_and_take_a_fix(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    full_map: int,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """/hotspots ranks checkout (emotion −2) over the ad (a medium pain), with reasons; a reply
    to "➕ Add a fix" becomes a fix for the ad's open pain, or a pain point at checkout."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/hotspots")
    report = await double.wait_for_message(team.chat, containing="Hotspots", after=sent)
    text = report.text or ""
    assert text.index("Checkout") < text.index("Search ad")
    assert "emotion −2.0" in text
    assert "1 medium pain" in text
    assert "Friend's tip" not in text

    await team.bob.press(report, "Search ad")
    question = await double.wait_for_message(team.chat, containing="What will you do", after=sent)
    assert question.force_reply
    reply = await team.bob.reply(team.chat, question, "Check ads weekly")
    await double.wait_for_message(team.chat, containing="Check ads weekly", after=reply)

    await team.carol.press(report, "Checkout")
    question = await double.wait_for_message(team.chat, containing="What hurts", after=reply)
    reply = await team.carol.reply(team.chat, question, "Card declined, no reason given")
    await double.wait_for_message(team.chat, containing="Pain point", after=reply)

    view = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=full_map)
    assert [f.text for f in view.pains[0].fixes][-1] == "Check ads weekly"
    checkout = next(tp.id for tp in view.touchpoints if tp.name == "Checkout")
    assert [p.text for p in view.pains if p.touchpoint_id == checkout] == [
        "Card declined, no reason given"
    ]
    assert not double.errors


async def test_kpis_are_added_recorded_and_refused_when_unreadable(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    full_map: int,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """➕ KPI → stage → "Conversion; %; 3.5; up"; Record value → "3.1"; a bad line is refused."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/kpi")
    board = await double.wait_for_message(team.chat, containing="KPIs ·", after=sent)
    assert "no KPIs yet" in (board.text or "")

    await team.alice.press(board, "➕ KPI")
    await double.wait_for_edit(team.chat, board, containing="Which stage")
    await team.alice.press(board, "2. Buy")
    question = await double.wait_for_message(team.chat, containing="A new KPI for", after=sent)
    bad = await team.bob.reply(team.chat, question, "Conversion; %; 3.5; sideways")
    await double.wait_for_message(team.chat, containing="is not a direction", after=bad)
    assert maps.get_map(new_uow(), chat_id=team.chat.id, map_id=full_map).kpis == ()

    reply = await team.bob.reply(team.chat, question, "Conversion; %; 3.5; up")
    await double.wait_for_message(team.chat, containing="KPI “Conversion” added", after=reply)
    await double.wait_for_edit(team.chat, board, containing="Conversion: no value yet")

    await team.carol.press(board, "Record value: Conversion")
    question = await double.wait_for_message(team.chat, containing="The value of", after=reply)
    reply = await team.carol.reply(team.chat, question, "3.1")
    confirmed = await double.wait_for_message(team.chat, containing="recorded", after=reply)
    assert "Conversion: 3.1% / 🎯 3.5% ⚠️" in (confirmed.text or "")
    await double.wait_for_edit(team.chat, board, containing="Conversion: 3.1%")

    sent = await team.alice.send(team.chat, "/map")
    summary = await double.wait_for_message(team.chat, containing="2. Buy", after=sent)
    assert "📈 Conversion: 3.1%" in (summary.text or "")
    kpi = maps.get_map(new_uow(), chat_id=team.chat.id, map_id=full_map).kpis[0]
    assert [(p.measured_on.isoformat(), p.value) for p in kpi.values] == [("2026-11-26", 3.1)]
    assert not double.errors

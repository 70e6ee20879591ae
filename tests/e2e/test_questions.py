"""Every question kind in the table is reachable from Telegram and answered by a reply.

The test walks cjm.services.questions.QUESTIONS: a kind added to the table without a way to
reach it from the chat (a command, then buttons) fails here until its way is written down.
"""

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from bot.handlers.cards import ASKED_IN_CARD
from cjm.db import UnitOfWork
from cjm.models import PromptKind
from cjm.services import kpis, prompts
from cjm.services.questions import QUESTIONS
from tests.conftest import TOKEN, StartBot, Team
from tests.double import BotApiDouble
from tests.double.state import SentMessage
from tests.factories import ALICE, make_full_map

K = PromptKind


@dataclass(frozen=True)
class Way:
    """How a member reaches a question: a command, buttons (each with what the message shows
    once it took the press), then a reply; and what shows afterwards."""

    command: str
    shows_first: str  # the command's answer contains this
    presses: tuple[tuple[str, str], ...]  # (button label, text the message shows after it)
    answer: str
    shows: str  # the redrawn message, or a new message, contains this after the reply
    in_new_message: bool = False  # the answer shows in a new message (a confirmation)
    with_kpi: bool = False  # the map has a KPI "Conversion" on its last stage
    in_card: str = ""  # the card asks this itself: the last press answers with this toast


SURVEY_SETUP = (
    ("Buy", "Stage: “Buy”"),
    ("📍 Checkout", "Which question?"),
    ("CSAT 1–5", "ask customers “why?”"),
    ("yes", "t.me/"),
)

WAYS: dict[PromptKind, Way] = {
    K.CARD_PERSONA: Way("/persona", "Step 1 of 6", (), "Olga", "Olga"),
    K.CARD_STAGES: Way("/stages", "Step 2 of 6", (), "Loyalty", "Loyalty"),
    K.CARD_TOUCHPOINTS: Way("/touchpoints", "Step 3 of 6", (), "Newsletter", "Newsletter"),
    K.CARD_EMOTIONS: Way("/emotions", "Step 4 of 6", (), "Feels rushed", "Feels rushed"),
    K.CARD_PAINS: Way("/pains", "Step 5 of 6", (), "Hidden fees", "Hidden fees"),
    K.CARD_FIXES: Way("/fixes", "Step 6 of 6", (), "Show fees early", "Show fees early"),
    K.PERSONA_FIELD: Way("/persona", "Step 1 of 6", (("Role", ""),), "Baker", "Baker"),
    K.STAGE_ADD: Way(
        "/stages",
        "Step 2 of 6",
        (("Add", ""),),
        "Delivery",
        "Delivery",
        in_card="🧭 Reply to the card with the stages, one per line.",
    ),
    K.STAGE_RENAME: Way(
        "/stages", "Step 2 of 6", (("Discover", "▶ 1."), ("Rename", "")), "Explore", "Explore"
    ),
    K.STAGE_GOAL: Way(
        "/stages",
        "Step 2 of 6",
        (("Discover", "▶ 1."), ("Customer goal", "")),
        "Find a gift",
        "Find a gift",
        in_card="🎯 Reply to the card with the customer goal at “Discover”.",
    ),
    K.TOUCHPOINT_ADD: Way(
        "/touchpoints",
        "Step 3 of 6",
        (("➕ Touchpoints", ""),),
        "Podcast",
        "Podcast",
        in_card="📍 Reply to the card with touchpoints for “Discover”, one per line.",
    ),
    K.TOUCHPOINT_RENAME: Way(
        "/touchpoints",
        "Step 3 of 6",
        (("📍 Search ad", "👉 Search ad"), ("Rename", "")),
        "Banner ad",
        "Banner ad",
    ),
    K.TOUCHPOINT_CHANNEL: Way(
        "/touchpoints",
        "Step 3 of 6",
        (("📍 Search ad", "👉 Search ad"), ("Other channel", "")),
        "Radio",
        "Radio",
    ),
    K.EMOTION_NOTE: Way(
        "/emotions",
        "Step 4 of 6",
        (("Note", ""),),
        "Unsure",
        "Unsure",
        in_card="📝 Reply to the card with a note on “Search ad”.",
    ),
    K.PAIN_ADD: Way(
        "/pains",
        "Step 5 of 6",
        (("➕ Pain point", ""),),
        "Slow site",
        "Slow site",
        in_card="🩹 Reply to the card with a pain point at “Discover”.",
    ),
    K.PAIN_TEXT: Way(
        "/pains",
        "Step 5 of 6",
        (("Ads promise", "👉 Ads promise"), ("Edit text", "")),
        "Discount expired",
        "Discount expired",
    ),
    K.FIX_ADD: Way(
        "/fixes",
        "Step 6 of 6",
        (("➕ Fix", ""),),
        "Refund the gap",
        "Refund",
        in_card="🛠 Reply to the card with a fix for “Ads promise a discount that is gone”.",
    ),
    K.FIX_TEXT: Way(
        "/fixes",
        "Step 6 of 6",
        (("Sync ad copy", "👉 Sync ad copy"), ("Edit text", "")),
        "Check ads weekly",
        "Check ads weekly",
    ),
    K.FIX_OWNER: Way(
        "/fixes",
        "Step 6 of 6",
        (("Sync ad copy", "👉 Sync ad copy"), ("Owner", "")),
        "Carol Ops",
        "Carol Ops",
    ),
    K.FIX_DUE: Way(
        "/fixes",
        "Step 6 of 6",
        (("Sync ad copy", "👉 Sync ad copy"), ("Due date", "")),
        "2026-12-21",
        "Dec 21",
    ),
    K.SURVEY_QUESTION: Way(
        "/survey", "New survey", (*SURVEY_SETUP, ("Own question", "")), "Easy?", "Easy?"
    ),
    K.SURVEY_END: Way(
        "/survey", "New survey", (*SURVEY_SETUP, ("End date", "")), "in 2 weeks", "Last day"
    ),
    K.SURVEY_CAP: Way("/survey", "New survey", (*SURVEY_SETUP, ("Cap", "")), "100", "At most 100"),
    K.HOTSPOT_FIX: Way(
        "/hotspots", "Hotspots", (("Checkout", ""),), "Card declined", "Pain point", True
    ),
    K.KPI_ADD: Way(
        "/kpi",
        "KPI",
        (("➕ KPI", "Which stage"), ("2. Buy", "")),
        "Conversion; %; 3.5; up",
        "Conversion",
        True,
    ),
    K.KPI_VALUE: Way(
        "/kpi", "KPI", (("Record value", ""),), "3.4", "recorded", True, with_kpi=True
    ),
    K.REVIEW_TIME: Way(
        "/review", "Review", (("Weekly", "Next review"), ("time", "")), "10:30", "10:30"
    ),
    K.MAP_IMPORT: Way("/import", "JSON file", (), "not a file", "JSON", True),
}


def test_every_question_kind_has_a_way_from_the_chat() -> None:
    """A new row in the question table needs a way here (and so a button that asks it)."""
    assert set(WAYS) == set(QUESTIONS)


async def _reach(double: BotApiDouble, team: Team, way: Way) -> SentMessage:
    """Send the command and press the buttons; return the message the reply goes to."""
    sent = await team.alice.send(team.chat, way.command)
    message = await double.wait_for_message(team.chat, containing=way.shows_first, after=sent)
    asked = message
    for label, shows in way.presses:
        latest = double.messages(team.chat)[-1]
        pressed = await team.bob.press(message, label)
        if shows:
            await double.wait_for_edit(team.chat, message, containing=shows)
        elif way.in_card:
            await double.wait_for_answer(pressed)
            await double.wait_idle()
            assert pressed.answer_text == way.in_card
            assert double.messages(team.chat)[-1] is latest  # no question message
        else:
            asked = await double.wait_for_message(
                team.chat, after=latest, predicate=lambda m: m.force_reply
            )
    if way.command == "/import":
        asked = message
    return asked


@pytest.mark.parametrize("kind", list(WAYS), ids=str)
async def test_a_reply_to_each_question_lands(
    kind: PromptKind,
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """Reach the question from the chat, reply to it, and see the answer where the table says."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    way = WAYS[kind]
    if way.with_kpi:
        stage_id = journey.stages[-1].id
        kpis.add_kpi(
            new_uow(),
            chat_id=team.chat.id,
            stage_id=stage_id,
            text="Conversion; %; 3.5; up",
            actor=ALICE,
        )
    await start_bot()
    asked = await _reach(double, team, way)
    first = double.messages(team.chat)[0]
    reply = await team.carol.reply(team.chat, asked, way.answer)
    if way.in_new_message:
        await double.wait_for_message(team.chat, containing=way.shows, after=reply)
    else:
        in_card = QUESTIONS[kind].is_card or way.in_card
        shown = asked if in_card else _card_of(double, team, asked, first)
        await double.wait_for_edit(team.chat, shown, containing=way.shows)
    assert not double.errors


@pytest.mark.parametrize("kind", list(ASKED_IN_CARD), ids=str)
async def test_a_question_asked_before_the_card_took_it_over_still_lands(
    kind: PromptKind,
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """A question message the bot posted before its card asked it itself still takes a reply."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    way = WAYS[kind]
    await start_bot()
    sent = await team.alice.send(team.chat, way.command)
    card = await double.wait_for_message(team.chat, containing=way.shows_first, after=sent)
    target = {
        K.STAGE_ADD: journey.id,
        K.STAGE_GOAL: journey.stages[0].id,
        K.TOUCHPOINT_ADD: journey.stages[0].id,
        K.EMOTION_NOTE: journey.touchpoints[0].id,
        K.PAIN_ADD: journey.stages[0].id,
        K.FIX_ADD: journey.pains[0].id,
    }[kind]
    asked = prompts.prepare(
        new_uow(),
        chat_id=team.chat.id,
        kind=kind,
        target_id=target,
        card_message_id=card.message_id,
    )
    async with httpx.AsyncClient(base_url=double.url) as http:  # as the bot once posted it
        posted = await http.post(
            f"/bot{TOKEN}/sendMessage",
            json={"chat_id": team.chat.id, "text": "?", "reply_markup": {"force_reply": True}},
        )
    old = team.chat.by_id[posted.json()["result"]["message_id"]]
    prompts.remember(new_uow(), chat_id=team.chat.id, message_id=old.message_id, asked=asked)
    await team.carol.reply(team.chat, old, way.answer)
    await double.wait_for_edit(team.chat, card, containing=way.shows)
    await double.wait_idle()
    assert old.deleted
    assert not double.errors


def _card_of(
    double: BotApiDouble, team: Team, question: SentMessage, first: SentMessage
) -> SentMessage:
    """The card a question was asked from: the newest bot message before it with buttons."""
    earlier = [
        m
        for m in double.messages(team.chat)
        if m.message_id < question.message_id and m.flat_buttons
    ]
    return earlier[-1] if earlier else first

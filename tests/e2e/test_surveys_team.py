"""The team's side of surveys: set one up, run its card, read the results."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.models import PainSource, SurveyKind, SurveyStatus
from cjm.services import chats, maps, responses, results, surveys
from cjm.views import ChatRef, SurveyView
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.factories import ALICE, make_full_map, make_map, make_stages

NewUow = Callable[[], UnitOfWork]
LINK = re.compile(r"https://t\.me/journey_test_bot\?start=(\S+)")


@pytest.fixture
def full_map(team: Team, new_uow: NewUow) -> None:
    """The team's group holds a small map: Discover (Search ad, Friend's tip), Buy (Checkout)."""
    make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")


async def set_up_survey(double: BotApiDouble, team: Team) -> SentMessage:
    """/survey → Buy → Checkout → CSAT → ask why: the setup message turned into the card."""
    sent = await team.alice.send(team.chat, "/survey")
    setup = await double.wait_for_message(team.chat, containing="New survey", after=sent)
    await team.bob.press(setup, "Buy")
    await double.wait_for_edit(team.chat, setup, containing="Stage: “Buy”")
    await team.bob.press(setup, "📍 Checkout")
    await double.wait_for_edit(team.chat, setup, containing="Which question?")
    await team.bob.press(setup, "CSAT 1–5")
    await double.wait_for_edit(team.chat, setup, containing="ask customers “why?”")
    await team.bob.press(setup, "yes")
    return await double.wait_for_edit(team.chat, setup, containing="t.me/")


def stored(new_uow: NewUow, team: Team) -> SurveyView:
    (result,) = results.survey_results(new_uow(), chat_id=team.chat.id)
    return result.survey


@pytest.mark.usefixtures("full_map")
async def test_survey_setup_creates_a_survey_with_a_link_and_a_qr_code(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Touchpoint, kind, "why?": the card shows the question and a deep link; then a QR photo."""
    await start_bot()
    card = await set_up_survey(double, team)

    survey = stored(new_uow, team)
    assert (survey.kind, survey.touchpoint_name, survey.ask_why) == (
        SurveyKind.CSAT,
        "Checkout",
        True,
    )
    match = LINK.search(card.text or "")
    assert match is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", match.group(1))
    assert match.group(1) == survey.token
    assert "How satisfied were you with “Checkout”?" in (card.text or "")
    assert "Answers so far: 0" in (card.text or "")
    photo = await double.wait_for_photo(team.chat, after=card, timeout=10)
    assert photo.data is not None
    assert photo.data.startswith(b"\x89PNG")
    assert "QR code" in (photo.caption or "")
    assert {b.text for b in card.flat_buttons} >= {"⏸ Pause", "⏹ Close", "📊 Results"}
    assert not double.errors


@pytest.mark.usefixtures("full_map")
async def test_pause_close_and_reopen_change_the_card_and_the_survey(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Each status button redraws the card with the buttons that fit the new status."""
    await start_bot()
    card = await set_up_survey(double, team)

    await team.carol.press(card, "⏸ Pause")
    card = await double.wait_for_edit(team.chat, card, containing="paused")
    assert stored(new_uow, team).status is SurveyStatus.PAUSED
    assert "▶ Resume" in {b.text for b in card.flat_buttons}

    await team.carol.press(card, "⏹ Close")
    card = await double.wait_for_edit(team.chat, card, containing="closed")
    assert stored(new_uow, team).status is SurveyStatus.CLOSED
    assert {b.text for b in card.flat_buttons} & {"⏸ Pause", "▶ Resume", "⏹ Close"} == set()

    await team.carol.press(card, "🔄 Reopen")
    await double.wait_for_edit(team.chat, card, containing="open")
    assert stored(new_uow, team).status is SurveyStatus.OPEN
    assert not double.errors


async def ask(double: BotApiDouble, team: Team, card: SentMessage, label: str) -> SentMessage:
    """Press a card button that posts a question; return the question."""
    latest = double.messages(team.chat)[-1]
    await team.bob.press(card, label)
    return await double.wait_for_message(
        team.chat, after=latest, predicate=lambda m: m.force_reply
    )


@pytest.mark.usefixtures("full_map")
async def test_own_question_end_date_and_cap_by_reply(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Replies to the card's questions change the survey and redraw its card; "abc" does not."""
    await start_bot()
    card = await set_up_survey(double, team)

    question = await ask(double, team, card, "Own question")
    await team.alice.reply(team.chat, question, "Was paying <easy>?")
    await double.wait_for_edit(team.chat, card, containing="Was paying <easy>?")
    assert stored(new_uow, team).question == "Was paying <easy>?"

    question = await ask(double, team, card, "End date")
    await team.alice.reply(team.chat, question, "in 2 weeks")
    await double.wait_for_edit(team.chat, card, containing="Last day: Dec 10, 2026")

    question = await ask(double, team, card, "Cap")
    await team.alice.reply(team.chat, question, "100")
    await double.wait_for_edit(team.chat, card, containing="At most 100 answers")

    wrong = await team.alice.reply(team.chat, question, "abc")
    refusal = await double.wait_for_message(team.chat, containing="not a number", after=wrong)
    assert "“abc”" in (refusal.text or "")
    assert stored(new_uow, team).max_responses == 100
    assert "At most 100 answers" in (card.text or "")


def answer(new_uow: NewUow, survey: SurveyView, user_id: int, score: int, why: str = "") -> None:
    """A customer (a fake user id) answers the survey, with a comment when given."""
    responses.open_survey(new_uow(), token=survey.token, user_id=user_id, language_code="en")
    responses.answer(
        new_uow(), survey_id=survey.id, user_id=user_id, language_code="en", score=score
    )
    if why:
        responses.add_comment(new_uow(), user_id=user_id, text=why)


def nps_survey(new_uow: NewUow, team: Team) -> SurveyView:
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    return surveys.create_survey(
        new_uow(),
        chat_id=team.chat.id,
        touchpoint_id=journey.touchpoints[0].id,
        kind=SurveyKind.NPS,
        ask_why=True,
        actor=ALICE,
    )


@pytest.mark.usefixtures("full_map")
async def test_results_with_too_few_answers_say_so(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Below five answers there is no score, only the count."""
    survey = nps_survey(new_uow, team)
    answer(new_uow, survey, 5001, 9)
    await start_bot()
    sent = await team.alice.send(team.chat, "/results")
    message = await double.wait_for_message(team.chat, containing="too few answers", after=sent)
    assert "n = 1" in (message.text or "")
    assert not double.errors


@pytest.mark.usefixtures("full_map")
async def test_results_show_the_score_interval_chart_and_turn_a_comment_into_a_pain(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """NPS with its 95 % interval, the breakdown, escaped comments, a chart; ➕ adds a pain."""
    survey = nps_survey(new_uow, team)
    for user_id, score in enumerate((10, 9, 9, 8, 7, 10, 3, 9, 10, 5), start=5001):
        answer(new_uow, survey, user_id, score)
    answer(new_uow, survey, 6001, 2, why="The <b>ad</b> lied about the price")
    await start_bot()

    sent = await team.alice.send(team.chat, "/results")
    message = await double.wait_for_message(team.chat, containing="95 % CI", after=sent)
    text = message.text or ""
    assert "NPS +27 (95 % CI" in text
    assert "n = 11" in text
    assert "Promoters 6 · passives 2 · detractors 3" in text
    assert "The <b>ad</b> lied about the price" in text  # shown as typed, not as HTML
    photo = await double.wait_for_photo(team.chat, after=message, timeout=30)
    assert photo.data is not None
    assert photo.data.startswith(b"\x89PNG")

    press = await team.bob.press(message, "Add as pain point")
    await double.wait_for_answer(press)
    assert press.answer_text == "Added as a pain point ✓"
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    added = [p for p in journey.pains if p.source is PainSource.SURVEY]
    assert [(p.text, p.touchpoint_id) for p in added] == [
        ("The <b>ad</b> lied about the price", survey.touchpoint_id)
    ]

    # Carol presses the same button a moment later: the comment is a pain point already.
    again = await team.carol.press(message, "Add as pain point")
    await double.wait_for_answer(again)
    assert again.answer_text == (
        "🩹 That comment is a pain point already: “The <b>ad</b> lied about the price”. "
        "Nothing was added."
    )
    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert [p.text for p in journey.pains if p.source is PainSource.SURVEY] == [
        "The <b>ad</b> lied about the price"
    ]
    assert not double.errors


async def test_survey_without_touchpoints_says_what_to_do(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """A map with stages but no touchpoints: /survey explains that touchpoints come first."""
    journey = make_map(new_uow, chat_id=team.chat.id, title="Empty")
    make_stages(new_uow, journey.id, ["Discover"])
    await start_bot()
    sent = await team.alice.send(team.chat, "/survey")
    await double.wait_for_message(team.chat, containing="Add touchpoints first", after=sent)
    assert results.survey_results(new_uow(), chat_id=team.chat.id) == []


@pytest.mark.usefixtures("full_map")
async def test_post_to_a_group_lists_only_groups_the_member_administers(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """📣 lists the groups where the pressing member is an admin now; pressing one posts there.

    Groups where the member is a plain member, or not in at all, are never named; a member
    who is no longer an admin when pressing a group's button posts nothing there.
    """
    dave = double.member("Dave", language_code="en")
    customers = double.group(
        "Bakery fans", members=[team.carol], admins=[team.alice], owner=team.bob
    )
    plain = double.group("Rival bakery", members=[team.alice], owner=dave)
    elsewhere = double.group("Secret club", owner=dave)
    for group in (customers, plain, elsewhere):
        chats.get_chat(
            new_uow(),
            ChatRef(group.id, group.title, "en", is_group=True),
            default_language="en",
            default_tz="Europe/Berlin",
        )
    await start_bot()
    card = await set_up_survey(double, team)
    calls = len(double.calls)

    await team.alice.press(card, "Post to a group")
    card = await double.wait_for_edit(
        team.chat, card, containing="Link"
    )  # the card stays, its buttons become the groups
    await double.wait_idle()
    assert "📣 Bakery fans" in {b.text for b in card.flat_buttons}
    sent = repr(double.calls[calls:])
    assert "Rival bakery" not in sent
    assert "Secret club" not in sent

    customers.admin_ids.discard(team.alice.id)  # demoted meanwhile
    press = await team.alice.press(card, "📣 Bakery fans")
    await double.wait_for_answer(press)
    assert "out of date" in (press.answer_text or "")
    assert double.bot_messages(customers) == []

    customers.admin_ids.add(team.alice.id)
    press = await team.alice.press(card, "📣 Bakery fans")
    posted = await double.wait_for_message(customers, containing="Checkout")
    assert posted.flat_buttons  # the score buttons
    await double.wait_for_answer(press)
    assert press.answer_text == "Posted ✓"
    assert not double.errors


@pytest.mark.usefixtures("full_map")
async def test_a_member_who_administers_no_other_group_sees_none(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Bob administers no other group: he is told so, and no group's title reaches him."""
    other = double.group("Another team", members=[team.bob], admins=[team.carol])
    chats.get_chat(
        new_uow(),
        ChatRef(other.id, other.title, "en", is_group=True),
        default_language="en",
        default_tz="Europe/Berlin",
    )
    await start_bot()
    card = await set_up_survey(double, team)
    calls = len(double.calls)

    press = await team.bob.press(card, "Post to a group")
    await double.wait_for_answer(press)
    await double.wait_idle()
    assert "no other group where you are an admin" in (press.answer_text or "")
    assert "Another team" not in repr(double.calls[calls:])
    assert int(double.calls_of("getChatMember")[-1]["chat_id"]) == other.id


@pytest.mark.usefixtures("full_map")
async def test_send_to_customers_who_agreed(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """The card offers to send to those who agreed; pressing it starts a broadcast."""
    await start_bot()
    await team.carol.start_bot()
    card = await set_up_survey(double, team)
    survey = stored(new_uow, team)
    answer(new_uow, survey, team.carol.id, 5)
    responses.set_may_ask_again(new_uow(), user_id=team.carol.id, agreed=True)

    await team.alice.press(card, "⏸ Pause")  # a paused survey is sent to nobody
    card = await double.wait_for_edit(team.chat, card, containing="asked again: 1")
    assert not any("Send to" in b.text for b in card.flat_buttons)
    await team.alice.press(card, "▶ Resume")
    card = await double.wait_for_edit(team.chat, card, containing="open")
    press = await team.alice.press(card, "Send to 1 who agreed")
    await double.wait_for_answer(press)
    assert press.answer_text == "Sending…"
    await double.wait_idle()
    assert len(double.bot_messages(team.chat)) > 2  # the broadcast's progress message
    assert not double.errors

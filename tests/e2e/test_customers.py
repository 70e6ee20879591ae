"""Customers answer touchpoint surveys: deep link, score buttons, why?, consent, group posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.callbacks import SkipWhy
from bot.context import BotContext
from bot.handlers import customers
from bot.handlers.chat import COMMANDS, CUSTOMER_COMMANDS
from bot.handlers.customers import post_question
from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.models import Respondent, SurveyKind, SurveyResponse, SurveyStatus
from cjm.services import chats, responses, results, surveys
from cjm.views import Actor, ChatRef, SurveyView
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, ChatSpec, Member, SentMessage
from tests.double.members import client_parts
from tests.factories import make_full_map

NewUow = Callable[[], UnitOfWork]


def make_survey(
    new_uow: NewUow, team: Team, *, kind: SurveyKind = SurveyKind.NPS, ask_why: bool = True
) -> SurveyView:
    """A survey on the "Search ad" touchpoint of the team's map."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title="Shop")
    return surveys.create_survey(
        new_uow(),
        chat_id=team.chat.id,
        touchpoint_id=journey.touchpoints[0].id,
        kind=kind,
        ask_why=ask_why,
        actor=Actor(team.alice.id, "Alice"),
    )


@pytest.fixture
def survey(new_uow: NewUow, team: Team) -> SurveyView:
    """An NPS survey that asks why."""
    return make_survey(new_uow, team)


@pytest.fixture
async def dana(double: BotApiDouble) -> Member:
    """A customer who already opened the bot once."""
    dana = double.member("Dana", username="dana_c", language_code="en")
    await dana.start_bot()
    return dana


def answers(new_uow: NewUow, survey_id: int) -> list[tuple[int, int, str | None]]:
    """(user id, score, comment) of every stored answer: what the database holds."""
    with new_uow() as unit:
        rows = unit.session.exec(
            select(Respondent.user_id, SurveyResponse.score, SurveyResponse.comment)
            .join(Respondent, col(Respondent.id) == col(SurveyResponse.respondent_id))
            .where(SurveyResponse.survey_id == survey_id)
        ).all()
        return [(user_id, score, comment) for user_id, score, comment in rows]


def counted(new_uow: NewUow, team: Team, survey_id: int) -> int:
    """The answer count the team's /results shows."""
    found = results.survey_results(new_uow(), chat_id=team.chat.id)
    return next(r.survey.responses for r in found if r.survey.id == survey_id)


async def follow_link(double: BotApiDouble, customer: Member, token: str) -> SentMessage:
    """/start <token> in private; returns the question message."""
    sent = await customer.send(customer.dm, f"/start {token}")
    await double.wait_for_message(customer.dm, containing="/forgetme", after=sent)
    return await double.wait_for_message(customer.dm, containing="📍", after=sent)


async def test_a_customer_answers_says_why_and_agrees_to_be_asked_again(
    double: BotApiDouble,
    team: Team,
    dana: Member,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """Link → privacy note → NPS 0–10 → edit shows the score → why? → thanks → consent."""
    await start_bot()
    sent = await dana.send(dana.dm, f"/start {survey.token}")
    note = await double.wait_for_message(dana.dm, containing="/forgetme", after=sent)
    assert "never who" in (note.text or "")
    question = await double.wait_for_message(dana.dm, containing="recommend", after=note)
    assert "Search ad" in (question.text or "")
    assert [[b.text for b in row] for row in question.buttons] == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
    ]

    press = await dana.press(question, "7")
    await double.wait_for_answer(press)
    await double.wait_for_edit(dana.dm, question, containing="Your answer: 7")
    why = await double.wait_for_message(dana.dm, containing="Why?", after=question)
    assert why.force_reply
    assert any(b.text == "✓ 7" for b in question.flat_buttons)

    await dana.reply(dana.dm, why, "The ad <b>promised</b> 20% off")
    thanks = await double.wait_for_message(dana.dm, containing="ask you again", after=why)
    await double.wait_for_answer(await dana.press(thanks, "Yes"))
    await double.wait_for_edit(dana.dm, thanks, containing="We may ask you again")

    assert answers(new_uow, survey.id) == [(dana.id, 7, "The ad <b>promised</b> 20% off")]
    found = results.survey_results(new_uow(), chat_id=team.chat.id)[0]
    assert found.survey.responses == 1
    assert found.survey.may_ask_again == 1
    assert [c.comment for c in found.comments] == ["The ad <b>promised</b> 20% off"]
    assert not double.errors


async def test_pressing_again_changes_the_answer(
    double: BotApiDouble,
    dana: Member,
    team: Team,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """7 then 3: one stored answer, 3; the question shows the new score."""
    await start_bot()
    question = await follow_link(double, dana, survey.token)
    await double.wait_for_answer(await dana.press(question, "7"))
    await double.wait_for_answer(await dana.press(question, "3"))

    await double.wait_for_edit(dana.dm, question, containing="Your answer: 3")
    assert answers(new_uow, survey.id) == [(dana.id, 3, None)]
    assert counted(new_uow, team, survey.id) == 1


def words(length: int) -> str:
    """A text of `length` characters: words of five letters, one space apart."""
    text = " ".join(f"w{i % 10_000:04d}" for i in range(length // 6 + 1))
    return text[:length].strip()


def skip_shown(question: SentMessage) -> bool:
    """Whether the question still has its Skip button (in any language)."""
    prefix = f"{SkipWhy.prefix}:"
    return any((b.callback_data or "").startswith(prefix) for b in question.flat_buttons)


async def skip_goes_away(double: BotApiDouble, chat: ChatSpec, question: SentMessage) -> None:
    """Wait until the question is redrawn without its Skip button."""
    while skip_shown(question):
        await double.wait_for_edit(chat, question)


async def asked_why(double: BotApiDouble, customer: Member, token: str, score: str) -> tuple:
    """Follow the link, press a score; the question and the "why?" message."""
    question = await follow_link(double, customer, token)
    await double.wait_for_answer(await customer.press(question, score))
    why = await double.wait_for_message(customer.dm, containing="💬", after=question)
    while not skip_shown(question):  # redrawn with the score and Skip
        await double.wait_for_edit(customer.dm, question)
    return question, why


async def test_a_long_comment_sent_in_parts_is_one_comment_thanked_once(
    double: BotApiDouble, dana: Member, survey: SurveyView, start_bot: StartBot, new_uow: NewUow
) -> None:
    """4,095 + 904 characters, as a client sends them: one comment, one thanks, no refusal."""
    await start_bot()
    question, why = await asked_why(double, dana, survey.token, "7")
    assert skip_shown(question)
    text = f"{words(4095)} {words(904)}"
    assert [len(part) for part in client_parts(text)] == [4095, 904]

    sent = await dana.send_long(dana.dm, text, reply_to=why)
    await double.wait_for_message(dana.dm, containing="ask you again", after=sent[-1])
    await skip_goes_away(double, dana.dm, question)
    await double.wait_idle()

    told = [m.text or "" for m in double.bot_messages(dana.dm) if m.message_id > why.message_id]
    assert len(told) == 1, told  # the thanks, once: nothing after the first part
    assert answers(new_uow, survey.id) == [(dana.id, 7, text)]
    assert "Your answer: 7" in (question.text or "")
    assert not double.errors


@pytest.mark.parametrize(
    ("language", "limit", "length"),
    [("en", "10,000", "12,500"), ("ru", "10\xa0000", "12\xa0500"), ("zh", "10,000", "12,500")],
)
async def test_a_comment_over_the_limit_is_refused_whole_in_the_customers_language(
    double: BotApiDouble,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
    language: str,
    limit: str,
    length: str,
) -> None:
    """12,500 characters in 4 parts: one refusal naming both numbers; a shorter one lands."""
    olga = double.member("Olga", language_code=language)
    await olga.start_bot()
    await start_bot()
    question, why = await asked_why(double, olga, survey.token, "2")

    sent = await olga.send_long(olga.dm, words(12_500), reply_to=why)
    assert len(sent) == 4
    refusal = await double.wait_for_message(olga.dm, containing=limit, after=sent[-1])
    assert length in (refusal.text or "")
    await double.wait_idle()
    told = [m.message_id for m in double.bot_messages(olga.dm) if m.message_id > why.message_id]
    assert told == [refusal.message_id]  # refused whole: no part stored, nobody thanked
    assert answers(new_uow, survey.id) == [(olga.id, 2, None)]
    assert skip_shown(question)  # still waiting for a comment

    await olga.reply(olga.dm, why, "Too slow")
    await double.wait_for_message(olga.dm, containing="🙏", after=refusal)
    assert answers(new_uow, survey.id) == [(olga.id, 2, "Too slow")]


async def test_a_comment_whose_last_part_is_long_is_thanked_when_the_window_passes(
    double: BotApiDouble,
    dana: Member,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
    clock: FrozenClock,
) -> None:
    """3,000 characters may be a first part: stored and thanked once 15 s pass in quiet."""
    app = await start_bot()
    question, why = await asked_why(double, dana, survey.token, "9")
    text = words(3000)

    sent = await dana.reply(dana.dm, why, text)
    await double.wait_idle()
    last = double.last_bot_message(dana.dm)
    assert last is not None
    assert last.message_id == why.message_id  # more may follow: nothing said yet
    assert await customers.finish_comments(app) == 0

    clock.advance(timedelta(seconds=15))
    assert await customers.finish_comments(app) == 1
    await double.wait_for_message(dana.dm, containing="ask you again", after=sent)
    await skip_goes_away(double, dana.dm, question)
    assert answers(new_uow, survey.id) == [(dana.id, 9, text)]


async def test_skip_takes_the_skip_button_away(
    double: BotApiDouble, dana: Member, survey: SurveyView, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Skip: thanks, and the question is redrawn with its score but without Skip."""
    await start_bot()
    question, why = await asked_why(double, dana, survey.token, "6")

    await double.wait_for_answer(await dana.press(question, "Skip"))
    await double.wait_for_message(dana.dm, containing="ask you again", after=why)
    await skip_goes_away(double, dana.dm, question)
    assert "Your answer: 6" in (question.text or "")
    assert [len(row) for row in question.buttons] == [6, 5]

    await double.wait_for_answer(await dana.press(question, "8"))  # a change asks nothing
    await double.wait_for_edit(dana.dm, question, containing="Your answer: 8")
    assert not skip_shown(question)
    assert answers(new_uow, survey.id) == [(dana.id, 8, None)]


async def test_csat_and_ces_buttons_are_labelled(
    double: BotApiDouble, dana: Member, team: Team, new_uow: NewUow, start_bot: StartBot
) -> None:
    """CSAT 1–5 with faces; CES 1–7 with words at both ends; no why? when not asked."""
    csat = make_survey(new_uow, team, kind=SurveyKind.CSAT, ask_why=False)
    ces = make_survey(new_uow, team, kind=SurveyKind.CES)
    await start_bot()

    question = await follow_link(double, dana, csat.token)
    assert "How satisfied were you with “Search ad”?" in (question.text or "")
    assert [b.text for b in question.flat_buttons] == ["1 😞", "2 🙁", "3 😐", "4 🙂", "5 😍"]
    await dana.press(question, "5 😍")
    thanks = await double.wait_for_message(dana.dm, containing="Thank you", after=question)
    assert [b.text for b in thanks.flat_buttons] == ["Yes", "No"]

    question = await follow_link(double, dana, ces.token)
    assert "How easy was it" in (question.text or "")
    labels = [b.text for b in question.flat_buttons]
    assert labels[0] == "1 Very hard"
    assert labels[-1] == "7 Very easy"
    assert len(labels) == 7


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("tampered-token-123", "I don't know this survey link"),
        ("CLOSED", "This survey is closed"),
        ("PAUSED", "This survey is paused"),
    ],
    ids=["tampered", "closed", "paused"],
)
async def test_a_link_that_takes_no_answers_says_why(
    double: BotApiDouble,
    dana: Member,
    team: Team,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
    token: str,
    expected: str,
) -> None:
    """Unknown, closed or paused: the survey_unavailable text, and nothing stored."""
    if token in ("CLOSED", "PAUSED"):
        surveys.set_status(
            new_uow(),
            chat_id=team.chat.id,
            survey_id=survey.id,
            status=SurveyStatus(token.lower()),
            actor=Actor(team.alice.id, "Alice"),
        )
        token = survey.token
    await start_bot()
    sent = await dana.send(dana.dm, f"/start {token}")
    await double.wait_for_message(dana.dm, containing=expected, after=sent)
    assert answers(new_uow, survey.id) == []


async def test_an_old_question_after_closing_and_forged_buttons_are_refused(
    double: BotApiDouble,
    dana: Member,
    team: Team,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """Forged data → the stale-button alert; a press after closing → "closed"; nothing stored."""
    await start_bot()
    question = await follow_link(double, dana, survey.token)

    for forged in ("cua:999999:5", "cua:x:5", f"cua:{survey.id}:11", f"cua:{survey.id}"):
        press = await double.wait_for_answer(await dana.press_raw(question, forged))
        assert press.show_alert, forged
        assert "out of date" in (press.answer_text or ""), forged

    surveys.set_status(
        new_uow(),
        chat_id=team.chat.id,
        survey_id=survey.id,
        status=SurveyStatus.CLOSED,
        actor=Actor(team.alice.id, "Alice"),
    )
    press = await double.wait_for_answer(await dana.press(question, "9"))
    assert press.show_alert
    assert "closed" in (press.answer_text or "")
    assert answers(new_uow, survey.id) == []


async def test_a_hundred_quick_presses_leave_one_answer(
    double: BotApiDouble,
    dana: Member,
    team: Team,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
) -> None:
    """99 presses in a burst, then one more: every press answered, one answer, few edits."""
    await start_bot()
    question = await follow_link(double, dana, survey.token)

    presses = [await dana.press(question, data=f"cua:{survey.id}:{i % 11}") for i in range(99)]
    for press in presses:
        await double.wait_for_answer(press, timeout=30)

    await double.wait_for_edit(dana.dm, question, containing="Your answer: 10.")  # 98 % 11
    await dana.press(question, data=f"cua:{survey.id}:6")
    await double.wait_for_edit(dana.dm, question, containing="Your answer: 6.")
    await double.wait_idle()
    assert answers(new_uow, survey.id) == [(dana.id, 6, None)]
    assert counted(new_uow, team, survey.id) == 1
    assert question.edit_count < 50
    assert len(double.bot_messages(dana.dm)) == 4  # welcome, privacy note, question, why?


async def test_a_team_member_may_answer_their_own_survey(
    double: BotApiDouble, team: Team, survey: SurveyView, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Alice built the map and still answers like any customer."""
    await start_bot()
    await team.alice.start_bot()
    question = await follow_link(double, team.alice, survey.token)
    await double.wait_for_answer(await team.alice.press(question, "10"))
    assert answers(new_uow, survey.id) == [(team.alice.id, 10, None)]


async def test_forgetme_and_stop(
    double: BotApiDouble, dana: Member, survey: SurveyView, start_bot: StartBot, new_uow: NewUow
) -> None:
    """/stop confirms; /forgetme says how many answers it deleted and deletes them."""
    await start_bot()
    question = await follow_link(double, dana, survey.token)
    await double.wait_for_answer(await dana.press(question, "4"))

    sent = await dana.send(dana.dm, "/stop")
    await double.wait_for_message(dana.dm, containing="won't ask you any more", after=sent)
    sent = await dana.send(dana.dm, "/forgetme")
    await double.wait_for_message(dana.dm, containing="(1 answer)", after=sent)
    assert answers(new_uow, survey.id) == []


async def test_group_members_answer_a_posted_survey_anonymously(
    double: BotApiDouble, team: Team, survey: SurveyView, start_bot: StartBot, new_uow: NewUow
) -> None:
    """Two members answer under a group post; its count goes live; nobody is named."""
    erin = double.member("Erin", username="erin_x", language_code="en")
    frank = double.member("Frank", last_name="Zed", language_code="en")
    community = double.group("Shop fans", members=[erin, frank])
    app = await start_bot()

    posted = responses.open_question(
        new_uow(), survey_id=survey.id, chat_id=community.id, default_language="en"
    )
    await post_question(BotContext(app), chat_id=community.id, survey_id=survey.id, posted=posted)
    post = await double.wait_for_message(community, containing="Answers so far: 0")
    assert [len(row) for row in post.buttons] == [6, 5]

    first = await double.wait_for_answer(await erin.press(post, "9"))
    assert "Only you see this" in (first.answer_text or "")
    assert not first.show_alert
    await double.wait_for_answer(await frank.press(post, "4"))
    await double.wait_for_answer(await frank.press(post, "5"))  # a change, not a third answer
    await double.wait_for_edit(community, post, containing="Answers so far: 2")
    await double.wait_idle()

    transcript = double.transcript_markdown(community)
    for name in ("Erin", "erin_x", "Frank", "Zed"):
        assert name not in (post.text or "")
        assert all(name not in e for e in post.edits)
    assert "✓" not in str(post.buttons)
    assert sorted(answers(new_uow, survey.id)) == sorted([(erin.id, 9, None), (frank.id, 5, None)])
    assert len(double.bot_messages(community)) == 1, transcript


# --- a customer in private: the welcome, and no team command in any text -------------------

TEAM_ONLY = sorted(set(COMMANDS) - set(CUSTOMER_COMMANDS))
COMMAND_IN_TEXT = re.compile(r"(?<![\w/])/([a-z_]+)")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "open the link"), ("ru", "ссылку"), ("zh", "链接")],
)
@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_a_customer_without_a_link_gets_the_customer_welcome(
    double: BotApiDouble, start_bot: StartBot, command: str, language: str, expected: str
) -> None:
    """/start or /help in private: what the bot is, /forgetme and /stop, an add-to-group url."""
    await start_bot()
    olga = double.member("Olga", language_code=language)
    sent = await olga.send(olga.dm, command)
    welcome = await double.wait_for_message(olga.dm, containing="/forgetme", after=sent)

    text = welcome.text or ""
    assert expected in text
    assert "/stop" in text
    assert set(COMMAND_IN_TEXT.findall(text)) <= set(CUSTOMER_COMMANDS)
    assert welcome.reply_markup is not None
    ((button,),) = welcome.reply_markup["inline_keyboard"]
    assert button["url"] == f"https://t.me/{double.bot_username}?startgroup=1"
    await double.wait_idle()
    assert len(double.bot_messages(olga.dm)) == 1


async def test_the_group_welcome_is_unchanged(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/start in a group still tells the team how to begin a map."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/start")
    await double.wait_for_message(team.chat, containing="/newmap", after=sent)


async def test_no_text_a_customer_reads_in_private_names_a_team_command(
    double: BotApiDouble, dana: Member, survey: SurveyView, start_bot: StartBot, team: Team
) -> None:
    """Every team command, stale and forged buttons, text with nothing asked: customer words."""
    double.private_chat_limit = None  # some 50 answers in a row; flood control is not the point
    await start_bot()
    question = await follow_link(double, dana, survey.token)
    for command in TEAM_ONLY:
        await dana.send(dana.dm, f"/{command}")
        await dana.send(dana.dm, f"/{command} Acme")
    await dana.send(dana.dm, "hello?")
    await dana.send_media(dana.dm, "sticker")
    presses = [await dana.press_raw(question, data) for data in ("cua:999999:5", "zz:1", "m:1:2")]
    for press in presses:
        await double.wait_for_answer(press)
    await double.wait_idle()

    said = [m.text or "" for m in double.bot_messages(dana.dm)]
    said += [p.answer_text or "" for p in presses]
    named = {command for text in said for command in COMMAND_IN_TEXT.findall(text)}
    assert named <= set(CUSTOMER_COMMANDS), sorted(named - set(CUSTOMER_COMMANDS))
    assert all("out of date" in (p.answer_text or "") for p in presses)
    assert not double.crashes
    assert not [t for t in said if "Something went wrong" in t], double.transcript_markdown(
        dana.dm
    )


# --- the team's brand in the question -------------------------------------------------------

QUESTION_WITH_BRAND = {
    "en": "How likely are you to recommend Acme & Co to a friend or colleague?",
    "ru": "Acme & Co",
    "zh": "Acme & Co",
}


@pytest.mark.parametrize("language", ["en", "ru", "zh"])
async def test_the_brand_a_team_sets_is_named_in_the_question(
    double: BotApiDouble,
    team: Team,
    survey: SurveyView,
    start_bot: StartBot,
    new_uow: NewUow,
    language: str,
) -> None:
    """/brand Acme & Co: the NPS question names it, in the customer's language, escaped."""
    await start_bot()
    olga = double.member("Olga", language_code=language)
    await olga.start_bot()
    before = await follow_link(double, olga, survey.token)
    assert "recommend us" not in (before.text or "")
    assert "Acme" not in (before.text or "")

    sent = await team.alice.send(team.chat, "/brand   Acme &  Co ")
    said = await double.wait_for_message(team.chat, containing="“Acme & Co”", after=sent)
    assert "recommend Acme & Co to a friend" in (said.text or "")
    assert (
        chats.get_chat(
            new_uow(), ChatRef(team.chat.id, ""), default_language="en", default_tz="UTC"
        ).brand
        == "Acme & Co"
    )

    question = await follow_link(double, olga, survey.token)
    assert QUESTION_WITH_BRAND[language] in (question.text or "")
    assert "&amp;" not in (question.text or "")


async def test_brand_shows_the_current_one_and_refuses_a_bad_name(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: NewUow
) -> None:
    """/brand alone shows it; too long is refused with the limit; the old one stays."""
    await start_bot()
    sent = await team.bob.send(team.chat, "/brand")
    await double.wait_for_message(team.chat, containing="No brand set yet", after=sent)
    sent = await team.bob.send(team.chat, "/brand Acme")
    await double.wait_for_message(team.chat, containing="“Acme”", after=sent)

    sent = await team.bob.send(team.chat, "/brand " + "x" * 65)
    refusal = await double.wait_for_message(team.chat, containing="at most 64", after=sent)
    assert "brand name" in (refusal.text or "")
    sent = await team.bob.send(team.chat, "/brand")
    shown = await double.wait_for_message(team.chat, containing="Surveys name", after=sent)
    assert "“Acme”" in (shown.text or "")

"""Customers answer touchpoint surveys: deep link, score buttons, why?, consent, group posts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import col, select

from bot.context import BotContext
from bot.handlers.customers import post_question
from cjm.db import UnitOfWork
from cjm.models import Respondent, SurveyKind, SurveyResponse, SurveyStatus
from cjm.services import responses, results, surveys
from cjm.views import Actor, SurveyView
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, Member, SentMessage
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


async def test_a_comment_over_1000_characters_is_refused_clearly(
    double: BotApiDouble, dana: Member, survey: SurveyView, start_bot: StartBot, new_uow: NewUow
) -> None:
    """5,000 characters: the limit and the length are named; a shorter reply still lands."""
    await start_bot()
    question = await follow_link(double, dana, survey.token)
    await dana.press(question, "2")
    why = await double.wait_for_message(dana.dm, containing="Why?", after=question)

    long = await dana.reply(dana.dm, why, "x" * 5000)
    refusal = await double.wait_for_message(dana.dm, containing="1000", after=long)
    assert "5000" in (refusal.text or "")
    assert answers(new_uow, survey.id) == [(dana.id, 2, None)]

    await dana.reply(dana.dm, why, "Too slow")
    await double.wait_for_message(dana.dm, containing="Thank you", after=refusal)
    assert answers(new_uow, survey.id) == [(dana.id, 2, "Too slow")]


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

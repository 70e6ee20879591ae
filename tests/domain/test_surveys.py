"""The team's side of surveys: where a survey can be posted, and replies to its questions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from cjm.db import UnitOfWork
from cjm.errors import InvalidNumber, ItemGone, NoTouchpoints, StaleButton
from cjm.models import PromptKind, SurveyKind
from cjm.services import chats, prompts, surveys
from cjm.views import Answered, Redraw, SurveyView
from tests.factories import (
    ALICE,
    TEAM_CHAT_ID,
    chat_ref,
    make_full_map,
    make_map,
    make_stages,
    make_touchpoints,
)

NewUow = Callable[[], UnitOfWork]
CUSTOMERS_CHAT_ID = -1009999
OTHER_TEAM_CHAT_ID = -1008888


def register(uow: NewUow, chat_id: int, title: str) -> None:
    chats.get_chat(uow(), chat_ref(chat_id, title=title), default_language="en", default_tz="UTC")


@pytest.fixture
def survey(uow: NewUow) -> SurveyView:
    journey = make_full_map(uow)
    return surveys.create_survey(
        uow(),
        chat_id=TEAM_CHAT_ID,
        touchpoint_id=journey.touchpoints[0].id,
        kind=SurveyKind.NPS,
        ask_why=True,
        actor=ALICE,
    )


def test_post_candidates_are_the_other_reachable_groups_by_id(
    uow: NewUow, survey: SurveyView
) -> None:
    """Other groups, newest first, as ids only; never this chat, a private chat or a group that
    removed the bot."""
    register(uow, CUSTOMERS_CHAT_ID, "Customers")
    register(uow, OTHER_TEAM_CHAT_ID, "Beta testers")
    register(uow, 4242, "A customer's private chat")
    register(uow, -1007777, "Kicked us out")
    chats.mark_unreachable(uow(), chat_id=-1007777)

    found = surveys.post_candidates(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id)

    assert sorted(found) == sorted([OTHER_TEAM_CHAT_ID, CUSTOMERS_CHAT_ID])
    with pytest.raises(ItemGone):
        surveys.post_candidates(uow(), chat_id=OTHER_TEAM_CHAT_ID, survey_id=survey.id)


def test_choices_are_only_the_groups_the_member_administers(
    uow: NewUow, survey: SurveyView
) -> None:
    """Of the groups the adapter found the member administers, those the bot is in, by title."""
    register(uow, CUSTOMERS_CHAT_ID, "Customers")
    register(uow, OTHER_TEAM_CHAT_ID, "Beta testers")

    choices = surveys.post_choices(
        uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id, administered=[CUSTOMERS_CHAT_ID, 4242]
    )

    assert [(c.id, c.title) for c in choices.groups] == [(CUSTOMERS_CHAT_ID, "Customers")]


def test_no_other_group_means_nowhere_to_post(uow: NewUow, survey: SurveyView) -> None:
    """A bot that is only in the team's group has nowhere to post."""
    assert surveys.post_candidates(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id) == ()


def ask(uow: NewUow, kind: PromptKind, survey: SurveyView) -> None:
    """Ask a question about the survey from its card (message 40), posted as message 50."""
    asked = prompts.prepare(
        uow(), chat_id=TEAM_CHAT_ID, kind=kind, target_id=survey.id, card_message_id=40
    )
    prompts.remember(uow(), chat_id=TEAM_CHAT_ID, message_id=50, asked=asked)


def reply(uow: NewUow, text: str) -> Answered:
    """A member's reply (message 51) to the question at message 50."""
    return prompts.answer(
        uow(),
        chat_id=TEAM_CHAT_ID,
        prompt_message_id=50,
        reply_message_id=51,
        text=text,
        actor=ALICE,
    )


@pytest.mark.parametrize(
    ("kind", "text", "field", "expected"),
    [
        (PromptKind.SURVEY_QUESTION, "Did the ad help?", "question", "Did the ad help?"),
        (PromptKind.SURVEY_CAP, " 100 ", "max_responses", 100),
    ],
    ids=["own question", "cap"],
)
def test_a_reply_to_a_survey_question_changes_the_survey(
    uow: NewUow, survey: SurveyView, kind: PromptKind, text: str, field: str, expected: object
) -> None:
    """The reply lands on the survey the question was about; the card's message id comes back."""
    ask(uow, kind, survey)

    answered = reply(uow, text)

    assert answered.card_message_id == 40
    assert getattr(answered.outcome, field) == expected
    stored = surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id)
    assert getattr(stored, field) == expected


def test_end_date_in_two_weeks_ends_at_the_following_local_midnight(
    uow: NewUow, survey: SurveyView
) -> None:
    """“in 2 weeks” from Thursday 2026-11-26: the survey takes answers through 2026-12-10."""
    ask(uow, PromptKind.SURVEY_END, survey)

    changed = reply(uow, "in 2 weeks").outcome

    assert isinstance(changed, SurveyView)
    assert changed.ends_at is not None
    assert changed.ends_at.isoformat() == "2026-12-10T23:00:00+00:00"  # Berlin midnight
    assert changed.ends_on == date(2026, 12, 10)  # the card's "Last day", in the chat's zone


@pytest.mark.parametrize(
    ("ends_at", "tz", "expected"),
    [
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 28)),  # CET
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 29)),  # CEST
        (datetime(2026, 12, 11, 0, 0, tzinfo=UTC), "UTC", date(2026, 12, 10)),
        (None, "Europe/Berlin", None),
    ],
    ids=["before DST", "after DST", "UTC", "no end"],
)
def test_the_last_day_is_the_local_day_before_the_end(
    ends_at: datetime | None, tz: str, expected: date | None
) -> None:
    """A survey ends at a local midnight; its last day is the one before, across DST."""
    assert surveys.last_day(ends_at, tz) == expected


def test_the_setup_starts_at_the_first_stage_with_touchpoints(uow: NewUow) -> None:
    """/survey opens on the first stage that has a touchpoint; a stage button opens that one."""
    journey = make_map(uow)
    journey = make_stages(uow, journey.id, ["Empty", "Discover", "Buy"])
    _, discover, buy = journey.stages
    make_touchpoints(uow, discover.id, ["Search ad"])
    make_touchpoints(uow, buy.id, ["Checkout"])

    assert surveys.survey_setup(uow(), chat_id=TEAM_CHAT_ID).stage.id == discover.id
    assert surveys.survey_setup(uow(), chat_id=TEAM_CHAT_ID, stage_id=buy.id).stage.id == buy.id
    with pytest.raises(ItemGone):
        surveys.survey_setup(uow(), chat_id=TEAM_CHAT_ID, stage_id=-1)


def test_no_touchpoint_no_survey(uow: NewUow) -> None:
    """A map without touchpoints has nothing to survey yet."""
    make_stages(uow, make_map(uow).id, ["Empty"])

    with pytest.raises(NoTouchpoints):
        surveys.survey_setup(uow(), chat_id=TEAM_CHAT_ID)


def test_a_bad_cap_changes_nothing_and_the_reply_can_be_retried(
    uow: NewUow, survey: SurveyView
) -> None:
    """“abc” is refused; the reply was not claimed, so a corrected reply still works."""
    ask(uow, PromptKind.SURVEY_CAP, survey)

    with pytest.raises(InvalidNumber):
        reply(uow, "abc")

    assert (
        surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id).max_responses is None
    )
    assert reply(uow, "7").outcome.max_responses == 7  # type: ignore[attr-defined]


def test_a_reply_to_a_survey_question_redraws_the_survey_card_not_a_step_card(
    uow: NewUow, survey: SurveyView
) -> None:
    """prompts.answer handles survey questions too, and names the survey card to redraw."""
    ask(uow, PromptKind.SURVEY_CAP, survey)

    answered = reply(uow, "7")

    assert (answered.kind, answered.redraw, answered.card_message_id) == (
        PromptKind.SURVEY_CAP,
        Redraw.SURVEY_CARD,
        40,
    )
    assert surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id).max_responses == 7


def test_posting_checks_the_survey_and_the_group_in_one_go(
    uow: NewUow, survey: SurveyView
) -> None:
    """Only a group it may post to; the question comes back in that group's language."""
    register(uow, CUSTOMERS_CHAT_ID, "Customers")

    with pytest.raises(StaleButton):
        surveys.post_to_group(
            uow(),
            chat_id=TEAM_CHAT_ID,
            survey_id=survey.id,
            to_chat_id=OTHER_TEAM_CHAT_ID,  # not a group the bot knows
            default_language="en",
        )
    posting = surveys.post_to_group(
        uow(),
        chat_id=TEAM_CHAT_ID,
        survey_id=survey.id,
        to_chat_id=CUSTOMERS_CHAT_ID,
        default_language="en",
    )

    assert posting.survey == survey
    assert posting.question.question.survey_id == survey.id
    assert posting.question.language == "en"


def test_another_chat_cannot_list_where_to_post_a_survey(uow: NewUow, survey: SurveyView) -> None:
    """The choices are read for the acting chat's own survey only."""
    register(uow, OTHER_TEAM_CHAT_ID, "Beta testers")

    with pytest.raises(ItemGone):
        surveys.post_choices(
            uow(), chat_id=OTHER_TEAM_CHAT_ID, survey_id=survey.id, administered=[TEAM_CHAT_ID]
        )
    choices = surveys.post_choices(
        uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id, administered=[OTHER_TEAM_CHAT_ID]
    )
    assert [g.id for g in choices.groups] == [OTHER_TEAM_CHAT_ID]

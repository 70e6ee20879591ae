"""The team's side of surveys: where a survey can be posted, and replies to its questions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cjm.db import UnitOfWork
from cjm.errors import InvalidNumber, PromptUnknown
from cjm.models import PromptKind, SurveyKind
from cjm.services import chats, prompts, surveys
from cjm.views import SurveyView
from tests.factories import ALICE, TEAM_CHAT_ID, chat_ref, make_full_map

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


@pytest.mark.usefixtures("survey")
def test_postable_chats_are_the_other_reachable_groups(uow: NewUow) -> None:
    """Other groups, by title; never this chat, a private chat or a group that removed the bot."""
    register(uow, CUSTOMERS_CHAT_ID, "Customers")
    register(uow, OTHER_TEAM_CHAT_ID, "Beta testers")
    register(uow, 4242, "A customer's private chat")
    register(uow, -1007777, "Kicked us out")
    chats.mark_unreachable(uow(), chat_id=-1007777)

    found = surveys.postable_chats(uow(), chat_id=TEAM_CHAT_ID)

    assert [(c.id, c.title) for c in found] == [
        (OTHER_TEAM_CHAT_ID, "Beta testers"),
        (CUSTOMERS_CHAT_ID, "Customers"),
    ]


def test_no_other_group_means_nowhere_to_post(uow: NewUow, survey: SurveyView) -> None:
    """A bot that is only in the team's group has nowhere to post."""
    assert surveys.postable_chats(uow(), chat_id=TEAM_CHAT_ID) == []


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
    prompts.remember(
        uow(),
        chat_id=TEAM_CHAT_ID,
        message_id=50,
        kind=kind,
        map_id=survey.map_id,
        target_id=survey.id,
        card_message_id=40,
    )
    changed, card = prompts.answer_survey_prompt(
        uow(),
        chat_id=TEAM_CHAT_ID,
        prompt_message_id=50,
        reply_message_id=51,
        text=text,
        actor=ALICE,
    )
    assert card == 40
    assert getattr(changed, field) == expected
    stored = surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id)
    assert getattr(stored, field) == expected


def test_end_date_in_two_weeks_ends_at_the_following_local_midnight(
    uow: NewUow, survey: SurveyView
) -> None:
    """“in 2 weeks” from Thursday 2026-11-26: the survey takes answers through 2026-12-10."""
    prompts.remember(
        uow(),
        chat_id=TEAM_CHAT_ID,
        message_id=50,
        kind=PromptKind.SURVEY_END,
        map_id=survey.map_id,
        target_id=survey.id,
        card_message_id=40,
    )
    changed, _ = prompts.answer_survey_prompt(
        uow(),
        chat_id=TEAM_CHAT_ID,
        prompt_message_id=50,
        reply_message_id=51,
        text="in 2 weeks",
        actor=ALICE,
    )
    assert changed.ends_at is not None
    assert changed.ends_at.isoformat() == "2026-12-10T23:00:00+00:00"  # Berlin midnight


def test_a_bad_cap_changes_nothing_and_the_reply_can_be_retried(
    uow: NewUow, survey: SurveyView
) -> None:
    """“abc” is refused; the reply was not claimed, so a corrected reply still works."""
    prompts.remember(
        uow(),
        chat_id=TEAM_CHAT_ID,
        message_id=50,
        kind=PromptKind.SURVEY_CAP,
        map_id=survey.map_id,
        target_id=survey.id,
        card_message_id=40,
    )
    with pytest.raises(InvalidNumber):
        prompts.answer_survey_prompt(
            uow(),
            chat_id=TEAM_CHAT_ID,
            prompt_message_id=50,
            reply_message_id=51,
            text="abc",
            actor=ALICE,
        )
    assert (
        surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id).max_responses is None
    )


def test_the_map_router_applies_survey_prompts_without_a_step_card(
    uow: NewUow, survey: SurveyView
) -> None:
    """prompts.answer handles survey questions too, and names no step card to redraw."""
    prompts.remember(
        uow(),
        chat_id=TEAM_CHAT_ID,
        message_id=50,
        kind=PromptKind.SURVEY_CAP,
        map_id=survey.map_id,
        target_id=survey.id,
        card_message_id=40,
    )
    redrawn = prompts.answer(
        uow(),
        chat_id=TEAM_CHAT_ID,
        prompt_message_id=50,
        reply_message_id=51,
        text="7",
        actor=ALICE,
    )
    assert redrawn is None
    assert surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=survey.id).max_responses == 7


def test_a_map_prompt_is_no_survey_prompt(uow: NewUow, survey: SurveyView) -> None:
    """answer_survey_prompt refuses a prompt about the map."""
    prompts.remember(
        uow(),
        chat_id=TEAM_CHAT_ID,
        message_id=50,
        kind=PromptKind.STAGE_ADD,
        map_id=survey.map_id,
    )
    with pytest.raises(PromptUnknown):
        prompts.answer_survey_prompt(
            uow(),
            chat_id=TEAM_CHAT_ID,
            prompt_message_id=50,
            reply_message_id=51,
            text="x",
            actor=ALICE,
        )

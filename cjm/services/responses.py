"""Touchpoint surveys, the customer's side: open a link, answer, say why, opt in or out."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, delete, func, select
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random

from cjm.analytics import SCALE
from cjm.db import UnitOfWork
from cjm.errors import StaleButton, SurveyUnavailable
from cjm.limits import clean_text
from cjm.models import (
    Chat,
    JourneyMap,
    Respondent,
    Survey,
    SurveyPost,
    SurveyResponse,
    SurveyStatus,
    Touchpoint,
)
from cjm.services.chats import pick_language
from cjm.views import AnswerOutcome, QuestionView

COMMENT_MAX_CHARS = 1000


def _insert_for(uow: UnitOfWork) -> Any:
    """INSERT … ON CONFLICT for the database in use (SQLite and PostgreSQL both have it)."""
    dialect = uow.session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _respondent(uow: UnitOfWork, user_id: int, language_code: str | None) -> Respondent:
    respondent = uow.session.exec(select(Respondent).where(Respondent.user_id == user_id)).first()
    if respondent is None:
        respondent = Respondent(
            user_id=user_id,
            language=pick_language(language_code, "en"),
            created_at=uow.clock.now(),
        )
        uow.session.add(respondent)
        uow.session.flush()
    respondent.reachable, respondent.stopped = True, False
    return respondent


def _count(uow: UnitOfWork, survey_id: int | None) -> int:
    return uow.session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey_id)
    ).one()


def _open_survey(uow: UnitOfWork, token: str) -> Survey:
    """The survey behind a token, if it takes answers now; else SurveyUnavailable(reason)."""
    survey = uow.session.exec(select(Survey).where(Survey.token == token)).first()
    if survey is None:
        raise SurveyUnavailable(reason="unknown")
    return _taking_answers(uow, survey)


def _taking_answers(uow: UnitOfWork, survey: Survey) -> Survey:
    if survey.touchpoint_id is None:
        raise SurveyUnavailable(reason="touchpoint_gone")
    if survey.status is not SurveyStatus.OPEN:
        raise SurveyUnavailable(reason=survey.status.value)
    if survey.ends_at is not None and survey.ends_at <= uow.clock.now():
        raise SurveyUnavailable(reason="ended")
    return survey


def open_survey(
    uow: UnitOfWork, *, token: str, user_id: int, language_code: str | None
) -> QuestionView:
    """A customer followed a link: the question to show them (and their earlier answer)."""
    with uow:
        survey = _open_survey(uow, token)
        respondent = _respondent(uow, user_id, language_code)
        earlier = uow.session.exec(
            select(SurveyResponse.score).where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.respondent_id == respondent.id,
            )
        ).first()
        if earlier is None and _is_full(uow, survey):
            raise SurveyUnavailable(reason="full")
        view = _question(uow, survey, earlier)
        uow.commit()
    return view


def require_open(uow: UnitOfWork, survey_id: int) -> Survey:
    """The survey, if it takes answers now; else SurveyUnavailable(reason)."""
    return _taking_answers(uow, uow.get(Survey, survey_id))


def _is_full(uow: UnitOfWork, survey: Survey) -> bool:
    return survey.max_responses is not None and _count(uow, survey.id) >= survey.max_responses


def _question(uow: UnitOfWork, survey: Survey, score: int | None) -> QuestionView:
    assert survey.id is not None  # noqa: S101  (stored surveys have ids)
    touchpoint = uow.get(Touchpoint, survey.touchpoint_id)
    return QuestionView(
        survey_id=survey.id,
        token=survey.token,
        kind=survey.kind,
        question=survey.question,
        touchpoint_name=touchpoint.name,
        map_title=uow.get(JourneyMap, survey.map_id).title,
        ask_why=survey.ask_why,
        current_score=score,
    )


# Two writers racing on one customer (a second process, a redelivered press) lose at most a
# retry: the unique (survey, respondent) and (user_id) constraints keep one row each, and
# SQLite's WAL refuses a stale snapshot's write with "database is locked" at once.
_race_retry = retry(
    retry=retry_if_exception_type((IntegrityError, OperationalError)),
    stop=stop_after_attempt(5),
    wait=wait_random(0.001, 0.02),
    reraise=True,
)


@dataclass(frozen=True)
class Answered:
    """A stored answer and the question as it now reads (to redraw it without another read)."""

    outcome: AnswerOutcome
    question: QuestionView


def answer(
    uow: UnitOfWork,
    *,
    survey_id: int,
    user_id: int,
    language_code: str | None,
    score: int,
    via_group: bool = False,
) -> AnswerOutcome:
    """Store a customer's score; answering again changes it, never adds a second answer.

    Answers given in a group never wait for a "why?": a comment there would show who said it.
    """
    return answer_and_redraw(
        uow,
        survey_id=survey_id,
        user_id=user_id,
        language_code=language_code,
        score=score,
        via_group=via_group,
    ).outcome


@_race_retry
def answer_and_redraw(
    uow: UnitOfWork,
    *,
    survey_id: int,
    user_id: int,
    language_code: str | None,
    score: int,
    via_group: bool = False,
) -> Answered:
    """`answer`, plus the question with the customer's new score, in the same transaction."""
    with uow:
        survey = uow.session.get(Survey, survey_id)
        if survey is None:
            raise StaleButton  # forged or from a deleted map
        low, high = SCALE[survey.kind]
        if not low <= score <= high:
            raise StaleButton
        _taking_answers(uow, survey)
        respondent = _respondent(uow, user_id, language_code)
        earlier = uow.session.exec(
            select(SurveyResponse.id).where(
                SurveyResponse.survey_id == survey_id,
                SurveyResponse.respondent_id == respondent.id,
            )
        ).first()
        if earlier is None and _is_full(uow, survey):
            raise SurveyUnavailable(reason="full")
        now = uow.clock.now()
        # An upsert, so even a concurrent first answer by the same customer leaves one row.
        upsert = _insert_for(uow)(SurveyResponse).values(
            survey_id=survey_id, respondent_id=respondent.id, score=score, answered_at=now
        )
        response_id = uow.session.execute(
            upsert.on_conflict_do_update(
                index_elements=["survey_id", "respondent_id"],
                set_={"score": score, "answered_at": now},
            ).returning(col(SurveyResponse.id))
        ).scalar_one()
        wants_why = survey.ask_why and not via_group
        respondent.awaiting_comment_id = response_id if wants_why else None
        outcome = AnswerOutcome(
            survey_id=survey_id,
            score=score,
            ask_why=wants_why,
            changed=earlier is not None,
            responses=_count(uow, survey_id),
        )
        question = _question(uow, survey, score)
        uow.commit()
    return Answered(outcome, question)


def add_comment(uow: UnitOfWork, *, user_id: int, text: str) -> bool:
    """Attach "why?" to the customer's latest answer; False when no answer awaits one."""
    comment = clean_text(text, field="comment", limit=COMMENT_MAX_CHARS, multiline=True)
    with uow:
        respondent = uow.session.exec(
            select(Respondent).where(Respondent.user_id == user_id)
        ).first()
        if respondent is None or respondent.awaiting_comment_id is None:
            return False
        response = uow.session.get(SurveyResponse, respondent.awaiting_comment_id)
        respondent.awaiting_comment_id = None
        if response is not None:
            response.comment = comment
        uow.commit()
    return response is not None


def skip_comment(uow: UnitOfWork, *, user_id: int) -> bool:
    """The customer pressed "Skip": stop waiting for a comment; False if none was awaited."""
    with uow:
        respondent = uow.session.exec(
            select(Respondent).where(Respondent.user_id == user_id)
        ).first()
        if respondent is None or respondent.awaiting_comment_id is None:
            return False
        respondent.awaiting_comment_id = None
        uow.commit()
    return True


def set_may_ask_again(uow: UnitOfWork, *, user_id: int, agreed: bool) -> None:
    """The customer agreed (or not) to be asked again later."""
    with uow:
        respondent = _respondent(uow, user_id, None)
        respondent.may_ask_again = agreed
        uow.commit()


def stop(uow: UnitOfWork, *, user_id: int) -> None:
    """/stop: never ask this customer again (answers stay, anonymous as ever)."""
    with uow:
        respondent = uow.session.exec(
            select(Respondent).where(Respondent.user_id == user_id)
        ).first()
        if respondent is not None:
            respondent.stopped, respondent.may_ask_again = True, False
            uow.commit()


def forget_me(uow: UnitOfWork, *, user_id: int) -> int:
    """/forgetme: delete the customer and every answer and comment they gave; returns how many."""
    with uow:
        respondent = uow.session.exec(
            select(Respondent).where(Respondent.user_id == user_id)
        ).first()
        if respondent is None:
            return 0
        answers = uow.session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.respondent_id == respondent.id)
        ).one()
        uow.session.execute(
            delete(SurveyResponse).where(col(SurveyResponse.respondent_id) == respondent.id)
        )
        uow.session.delete(respondent)
        uow.commit()
    return answers


def mark_unreachable(uow: UnitOfWork, *, user_id: int) -> None:
    """The customer blocked the bot (403): don't try them again."""
    with uow:
        respondent = uow.session.exec(
            select(Respondent).where(Respondent.user_id == user_id)
        ).first()
        if respondent is not None:
            respondent.reachable = False
            uow.commit()


@dataclass(frozen=True)
class PostedQuestion:
    """A survey's question as it stands, with its answer count, in the language to show it."""

    question: QuestionView
    responses: int
    language: str


def get_question(
    uow: UnitOfWork,
    *,
    survey_id: int,
    user_id: int | None = None,
    chat_id: int | None = None,
    default_language: str = "en",
) -> PostedQuestion:
    """The question to (re)draw: with the customer's score, or in the group chat's language."""
    with uow:
        survey = uow.get(Survey, survey_id)
        score = None
        if user_id is not None:
            score = uow.session.exec(
                select(SurveyResponse.score)
                .join(Respondent, col(Respondent.id) == col(SurveyResponse.respondent_id))
                .where(SurveyResponse.survey_id == survey_id, Respondent.user_id == user_id)
            ).first()
        chat = uow.session.get(Chat, chat_id) if chat_id is not None else None
        if survey.touchpoint_id is None:
            raise SurveyUnavailable(reason="touchpoint_gone")
        return PostedQuestion(
            question=_question(uow, survey, score),
            responses=_count(uow, survey_id),
            language=chat.language if chat else default_language,
        )


def open_question(
    uow: UnitOfWork, *, survey_id: int, chat_id: int, default_language: str
) -> PostedQuestion:
    """The question to post into a group; SurveyUnavailable unless the survey takes answers."""
    with uow:
        require_open(uow, survey_id)
        return get_question(
            uow, survey_id=survey_id, chat_id=chat_id, default_language=default_language
        )


def record_post(uow: UnitOfWork, *, survey_id: int, chat_id: int, message_id: int) -> None:
    """Remember a survey posted into a group (its message keeps a live answer count)."""
    with uow:
        uow.session.add(SurveyPost(survey_id=survey_id, chat_id=chat_id, message_id=message_id))
        uow.commit()

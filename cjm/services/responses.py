"""Touchpoint surveys, the customer's side: open a link, answer, say why, opt in or out."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, func, select

from cjm.analytics import SCALE
from cjm.db import UnitOfWork
from cjm.errors import StaleButton, SurveyUnavailable
from cjm.limits import clean_text
from cjm.models import (
    JourneyMap,
    Respondent,
    Survey,
    SurveyResponse,
    SurveyStatus,
    Touchpoint,
)
from cjm.services.chats import pick_language
from cjm.views import AnswerOutcome, QuestionView

COMMENT_MAX_CHARS = 1000


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


def answer(
    uow: UnitOfWork, *, survey_id: int, user_id: int, language_code: str | None, score: int
) -> AnswerOutcome:
    """Store a customer's score; answering again changes it, never adds a second answer."""
    with uow:
        survey = uow.get(Survey, survey_id)
        low, high = SCALE[survey.kind]
        if not low <= score <= high:
            raise StaleButton
        survey = _open_survey(uow, survey.token)
        respondent = _respondent(uow, user_id, language_code)
        response = uow.session.exec(
            select(SurveyResponse).where(
                SurveyResponse.survey_id == survey_id,
                SurveyResponse.respondent_id == respondent.id,
            )
        ).first()
        changed = response is not None
        if response is None:
            if _is_full(uow, survey):
                raise SurveyUnavailable(reason="full")
            assert respondent.id is not None  # noqa: S101  (flushed in _respondent)
            response = SurveyResponse(
                survey_id=survey_id,
                respondent_id=respondent.id,
                score=score,
                answered_at=uow.clock.now(),
            )
            uow.session.add(response)
        else:
            response.score, response.answered_at = score, uow.clock.now()
        try:
            uow.session.flush()
        except IntegrityError:
            # Two presses raced to insert: the unique (survey, respondent) kept one; retry as a change.
            raise StaleButton from None
        respondent.awaiting_comment_id = response.id if survey.ask_why else None
        outcome = AnswerOutcome(
            survey_id=survey_id,
            score=score,
            ask_why=survey.ask_why,
            changed=changed,
            responses=_count(uow, survey_id),
        )
        uow.commit()
    return outcome


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


def skip_comment(uow: UnitOfWork, *, user_id: int) -> None:
    """The customer pressed "Skip": stop waiting for a comment."""
    with uow:
        respondent = uow.session.exec(
            select(Respondent).where(Respondent.user_id == user_id)
        ).first()
        if respondent is not None:
            respondent.awaiting_comment_id = None
            uow.commit()


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

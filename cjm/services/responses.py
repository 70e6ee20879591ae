"""Touchpoint surveys, the customer's side: open a link, answer, say why, opt in or out."""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, delete, func, select
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random

from cjm.analytics import SCALE
from cjm.db import OpenUnitOfWork, UnitOfWork, table_of
from cjm.errors import StaleButton, SurveyUnavailable, TextEmpty
from cjm.limits import COMMENT_MAX_CHARS, clean_text
from cjm.models import (
    Chat,
    JourneyMap,
    Respondent,
    Survey,
    SurveyKind,
    SurveyPost,
    SurveyResponse,
    SurveyStatus,
    Touchpoint,
)
from cjm.services.chats import pick_language
from cjm.views import (
    AnswerOutcome,
    AnswerRedraw,
    CommentState,
    CommentVerdict,
    PostedQuestion,
    QuestionView,
)

# Parts of one comment arrive within this of each other (a client sends them at once).
COMMENT_JOIN_WINDOW = timedelta(seconds=15)
# Telegram's clients cut a text over 4,096 characters (sendMessage's limit) into messages,
# and every part but the last is over half that long: Telegram Desktop cuts past the half,
# at the last paragraph, sentence or word break; Android within the last 300 characters.
PART_MAX_CHARS = 4096
PART_MAY_CONTINUE_CHARS = PART_MAX_CHARS // 2

# A score press runs these, so they are plain statements built once (see cjm/db.py on why).
_SURVEY, _RESPONDENT, _RESPONSE = table_of(Survey), table_of(Respondent), table_of(SurveyResponse)
_TOUCHPOINT, _MAP, _CHAT = table_of(Touchpoint), table_of(JourneyMap), table_of(Chat)
# The survey with what its question shows: its touchpoint's name, its map's title, the brand.
_ASKED = (
    sa.select(
        _SURVEY,
        _TOUCHPOINT.c.name.label("touchpoint_name"),
        _MAP.c.title.label("map_title"),
        _CHAT.c.brand.label("brand"),
    )
    .select_from(
        _SURVEY.join(_MAP, _MAP.c.id == _SURVEY.c.map_id)
        .join(_CHAT, _CHAT.c.id == _MAP.c.chat_id)
        .outerjoin(_TOUCHPOINT, _TOUCHPOINT.c.id == _SURVEY.c.touchpoint_id)
    )
    .where(_SURVEY.c.id == sa.bindparam("survey_id"))
)
_RESPONDENT_ID = sa.select(_RESPONDENT.c.id, _RESPONDENT.c.awaiting_comment_id).where(
    _RESPONDENT.c.user_id == sa.bindparam("user_id")
)
_EARLIER = sa.select(_RESPONSE.c.id).where(
    _RESPONSE.c.survey_id == sa.bindparam("survey_id"),
    _RESPONSE.c.respondent_id == sa.bindparam("respondent_id"),
)
# Answering makes a customer reachable again and ends a /stop, as opening a link does.
_AWAIT_COMMENT = (
    sa.update(_RESPONDENT)
    .where(_RESPONDENT.c.id == sa.bindparam("respondent_id"))
    .values(
        awaiting_comment_id=sa.bindparam("response_id"),
        asking_message_id=sa.bindparam("message_id"),
        reachable=True,
        stopped=False,
    )
)


def _upsert(dialect: Any) -> Any:
    """INSERT … ON CONFLICT DO UPDATE of one answer, returning its id (SQLite, PostgreSQL)."""
    stmt = dialect.insert(_RESPONSE).values(
        survey_id=sa.bindparam("survey_id"),
        respondent_id=sa.bindparam("respondent_id"),
        score=sa.bindparam("score"),
        answered_at=sa.bindparam("answered_at"),
    )
    return stmt.on_conflict_do_update(
        index_elements=["survey_id", "respondent_id"],
        set_={"score": stmt.excluded.score, "answered_at": stmt.excluded.answered_at},
    ).returning(_RESPONSE.c.id)


_UPSERTS = {"sqlite": _upsert(sqlite), "postgresql": _upsert(postgresql)}


def _respondent(uow: OpenUnitOfWork, user_id: int, language_code: str | None) -> Respondent:
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


def _count(uow: OpenUnitOfWork, survey_id: int | None) -> int:
    return uow.session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey_id)
    ).one()


def _open_survey(uow: OpenUnitOfWork, token: str) -> Survey:
    """The survey behind a token, if it takes answers now; else SurveyUnavailable(reason)."""
    survey = uow.session.exec(select(Survey).where(Survey.token == token)).first()
    if survey is None:
        raise SurveyUnavailable(reason="unknown")
    return _taking_answers(uow, survey)


def _taking_answers(uow: OpenUnitOfWork, survey: Survey) -> Survey:
    _check_open(uow, survey.touchpoint_id, survey.status, survey.ends_at)
    return survey


def _check_open(
    uow: OpenUnitOfWork, touchpoint_id: int | None, status: SurveyStatus, ends_at: datetime | None
) -> None:
    """SurveyUnavailable(reason) unless a survey with these settings takes answers now."""
    if touchpoint_id is None:
        raise SurveyUnavailable(reason="touchpoint_gone")
    if status is not SurveyStatus.OPEN:
        raise SurveyUnavailable(reason=status.value)
    if ends_at is not None and ends_at <= uow.clock.now():
        raise SurveyUnavailable(reason="ended")


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


def require_open(uow: OpenUnitOfWork, survey_id: int) -> Survey:
    """The survey, if it takes answers now; else SurveyUnavailable(reason)."""
    return _taking_answers(uow, uow.get(Survey, survey_id))


def _is_full(uow: OpenUnitOfWork, survey: Survey) -> bool:
    return survey.max_responses is not None and _count(uow, survey.id) >= survey.max_responses


def _question(uow: OpenUnitOfWork, survey: Survey, score: int | None) -> QuestionView:
    assert survey.id is not None  # noqa: S101  (stored surveys have ids)
    touchpoint = uow.get(Touchpoint, survey.touchpoint_id)
    journey = uow.get(JourneyMap, survey.map_id)
    chat = uow.session.get(Chat, journey.chat_id)
    return QuestionView(
        survey_id=survey.id,
        token=survey.token,
        kind=survey.kind,
        question=survey.question,
        touchpoint_name=touchpoint.name,
        map_title=journey.title,
        ask_why=survey.ask_why,
        current_score=score,
        brand=chat.brand if chat else None,
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
    message_id: int | None = None,
) -> AnswerRedraw:
    """`answer`, plus the question with the customer's new score, in the same transaction.

    `message_id` is the private message pressed: its Skip button waits for the comment.
    A changed score still waits for a comment only if the first one did: once the customer
    commented (or skipped), a change asks nothing more.
    """
    with uow:
        asked = uow.session.execute(_ASKED, {"survey_id": survey_id}).first()
        if asked is None:
            raise StaleButton  # forged or from a deleted map
        low, high = SCALE[asked.kind]
        if not low <= score <= high:
            raise StaleButton
        _check_open(uow, asked.touchpoint_id, asked.status, asked.ends_at)
        found = uow.session.execute(_RESPONDENT_ID, {"user_id": user_id}).first()
        respondent_id, awaiting = (found.id, found.awaiting_comment_id) if found else (None, None)
        if respondent_id is None:
            respondent_id = _respondent(uow, user_id, language_code).id
        key = {"survey_id": survey_id, "respondent_id": respondent_id}
        earlier = uow.session.execute(_EARLIER, key).scalar()
        changed = earlier is not None
        cap = asked.max_responses
        if not changed and cap is not None and _count(uow, survey_id) >= cap:
            raise SurveyUnavailable(reason="full")
        upsert = _UPSERTS[uow.session.get_bind().dialect.name]
        response_id = uow.session.execute(
            upsert, {**key, "score": score, "answered_at": uow.clock.now()}
        ).scalar_one()
        wants_why = asked.ask_why and not via_group and (not changed or awaiting == earlier)
        uow.session.execute(
            _AWAIT_COMMENT,
            {
                "respondent_id": respondent_id,
                "response_id": response_id if wants_why else None,
                "message_id": message_id if wants_why else None,
            },
        )
        outcome = AnswerOutcome(
            survey_id=survey_id,
            score=score,
            ask_why=wants_why,
            changed=changed,
            # Only a group post shows the count: counting a big survey on every press is not free.
            responses=_count(uow, survey_id) if via_group else None,
        )
        uow.commit()
    return AnswerRedraw(outcome, _question_view(asked, score))


def _question_view(asked: Any, score: int | None) -> QuestionView:
    """The question from a row of _ASKED, with the customer's score (if any)."""
    return QuestionView(
        survey_id=asked.id,
        token=asked.token,
        kind=SurveyKind(asked.kind),
        question=asked.question,
        touchpoint_name=asked.touchpoint_name,
        map_title=asked.map_title,
        ask_why=asked.ask_why,
        current_score=score,
        brand=asked.brand,
    )


def add_comment(uow: UnitOfWork, *, user_id: int, text: str) -> bool:
    """Attach a whole "why?" at once (one message); False when no answer awaits one."""
    comment = clean_text(text, field="comment", limit=COMMENT_MAX_CHARS, multiline=True)
    with uow:
        respondent = _respondent_of(uow, user_id)
        if respondent is None or respondent.awaiting_comment_id is None:
            return False
        respondent.comment_draft, respondent.comment_length = comment, len(comment)
        verdict = _finish(uow, respondent)
        uow.commit()
    return verdict.state is CommentState.STORED


def add_comment_part(uow: UnitOfWork, *, user_id: int, text: str) -> list[CommentVerdict]:
    """A customer's text in private: (a part of) the "why?" of their latest answer.

    Parts that arrive within COMMENT_JOIN_WINDOW of each other are one comment, joined with
    a space (a client cuts at a space or line break, which Telegram trims). A short part is
    the last one, so the comment is judged at once; after a long part, it is judged when the
    next part arrives or the window passes (`finish_comments`). The verdicts say what to tell
    the customer: one per comment, never one per part.
    """
    with uow:
        respondent = _respondent_of(uow, user_id)
        if respondent is None:
            return [CommentVerdict(user_id, CommentState.NOTHING_ASKED, "en")]
        now = uow.clock.now()
        verdicts = []
        if _pending(respondent) and not _within_window(respondent, now):
            verdicts.append(_finish(uow, respondent))  # its window passed unnoticed
        if respondent.awaiting_comment_id is None:
            verdicts.append(
                CommentVerdict(user_id, CommentState.NOTHING_ASKED, _language(uow, respondent))
            )
            uow.commit()
            return verdicts
        _append(respondent, text, now)
        if _may_continue(text):
            verdicts.append(
                CommentVerdict(
                    user_id,
                    CommentState.GOING_ON,
                    _language(uow, respondent),
                    finish_at=now + COMMENT_JOIN_WINDOW,
                )
            )
        else:
            verdicts.append(_finish(uow, respondent))
        uow.commit()
    return verdicts


def finish_comments(uow: UnitOfWork) -> list[CommentVerdict]:
    """Judge every comment whose last part is older than the window (its verdict is due)."""
    with uow:
        now = uow.clock.now()
        due = uow.session.exec(
            select(Respondent).where(
                col(Respondent.comment_part_at).is_not(None),
                col(Respondent.comment_part_at) <= now - COMMENT_JOIN_WINDOW,
            )
        ).all()
        verdicts = [_finish(uow, respondent) for respondent in due]
        uow.commit()
    return verdicts


def _respondent_of(uow: OpenUnitOfWork, user_id: int) -> Respondent | None:
    return uow.session.exec(select(Respondent).where(Respondent.user_id == user_id)).first()


def _pending(respondent: Respondent) -> bool:
    return respondent.comment_part_at is not None


def _within_window(respondent: Respondent, now: datetime) -> bool:
    last = respondent.comment_part_at
    return last is not None and now - last <= COMMENT_JOIN_WINDOW


def _may_continue(text: str) -> bool:
    """Whether a client may have cut more off this part (it is long enough to be one)."""
    return len(text.encode("utf-16-le")) // 2 >= PART_MAY_CONTINUE_CHARS


def _append(respondent: Respondent, text: str, now: datetime) -> None:
    """Add a part to the comment being written; past the limit only its length is kept."""
    part = text.strip()
    length = respondent.comment_length + (1 if respondent.comment_length else 0) + len(part)
    draft = respondent.comment_draft
    if length <= COMMENT_MAX_CHARS:
        respondent.comment_draft = f"{draft} {part}" if draft else part
    else:
        respondent.comment_draft = None
    respondent.comment_length, respondent.comment_part_at = length, now


def _finish(uow: OpenUnitOfWork, respondent: Respondent) -> CommentVerdict:
    """Judge the comment written so far: store it whole, or refuse it whole."""
    draft, length = respondent.comment_draft, respondent.comment_length
    respondent.comment_draft, respondent.comment_length = None, 0
    respondent.comment_part_at = None
    language = _language(uow, respondent)
    user_id = respondent.user_id
    if length > COMMENT_MAX_CHARS:
        return CommentVerdict(
            user_id, CommentState.TOO_LONG, language, length=length, limit=COMMENT_MAX_CHARS
        )
    try:
        comment = clean_text(draft, field="comment", limit=COMMENT_MAX_CHARS, multiline=True)
    except TextEmpty:
        return CommentVerdict(user_id, CommentState.EMPTY, language)
    response = (
        uow.session.get(SurveyResponse, respondent.awaiting_comment_id)
        if respondent.awaiting_comment_id is not None
        else None
    )
    asking = respondent.asking_message_id
    respondent.awaiting_comment_id = respondent.asking_message_id = None
    if response is None:  # its survey was deleted meanwhile
        return CommentVerdict(user_id, CommentState.NOTHING_ASKED, language)
    response.comment = comment
    return CommentVerdict(
        user_id,
        CommentState.STORED,
        language,
        survey_id=response.survey_id,
        asking_message_id=asking,
    )


def _language(uow: OpenUnitOfWork, respondent: Respondent) -> str:
    """The language of the customer's private chat (its chat id is their user id)."""
    chat = uow.session.get(Chat, respondent.user_id)
    return chat.language if chat is not None else respondent.language


def skip_comment(uow: UnitOfWork, *, user_id: int) -> CommentVerdict:
    """The customer pressed "Skip": stop waiting for a comment (STORED, with no comment).

    NOTHING_ASKED when no comment was awaited; parts already sent are dropped.
    """
    with uow:
        respondent = _respondent_of(uow, user_id)
        if respondent is None or respondent.awaiting_comment_id is None:
            language = _language(uow, respondent) if respondent else "en"
            return CommentVerdict(user_id, CommentState.NOTHING_ASKED, language)
        response = uow.session.get(SurveyResponse, respondent.awaiting_comment_id)
        verdict = CommentVerdict(
            user_id,
            CommentState.STORED,
            _language(uow, respondent),
            survey_id=response.survey_id if response else None,
            asking_message_id=respondent.asking_message_id,
        )
        respondent.awaiting_comment_id = respondent.asking_message_id = None
        respondent.comment_draft, respondent.comment_length = None, 0
        respondent.comment_part_at = None
        uow.commit()
    return verdict


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

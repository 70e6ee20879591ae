"""Touchpoint surveys, the team's side: create, word, pause, close, reopen, end date, cap."""

import secrets
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from cjm.dates import parse_due_date
from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import InvalidNumber, NoTouchpoints, StaleButton
from cjm.limits import NOTE_MAX_CHARS, clean_text
from cjm.models import (
    Chat,
    JourneyMap,
    Respondent,
    Stage,
    Survey,
    SurveyKind,
    SurveyResponse,
    SurveyStatus,
    Touchpoint,
)
from cjm.services import maps, responses
from cjm.services.ownership import owned
from cjm.views import (
    Actor,
    ChatView,
    PostChoices,
    Posting,
    SurveySetup,
    SurveyView,
    TouchpointView,
)

TOKEN_BYTES = 16  # 22 URL-safe characters: unguessable, well within a deep link's 64
MAX_CAP = 1_000_000
# Groups checked with Telegram (one getChatMember each) when a member posts a survey.
MAX_POST_CANDIDATES = 50


def new_token() -> str:
    """An unguessable survey token of [A-Za-z0-9_-] for t.me deep links."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def last_day(ends_at: datetime | None, tz: str) -> date | None:
    """The last local day a survey takes answers (it ends at the following midnight)."""
    if ends_at is None:
        return None
    return (ends_at.astimezone(ZoneInfo(tz)) - timedelta(seconds=1)).date()


def _end_of(day: date, tz: str) -> datetime:
    """The UTC instant a survey whose last day is `day` (in zone `tz`) stops taking answers."""
    midnight = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(tz))
    return midnight.astimezone(ZoneInfo("UTC"))


def _chat_of(uow: OpenUnitOfWork, survey: Survey) -> Chat:
    """The chat of the survey's map: its language and zone word and date the survey."""
    return uow.get(Chat, uow.get(JourneyMap, survey.map_id).chat_id)


def view_of(uow: OpenUnitOfWork, survey: Survey) -> SurveyView:
    """A survey with its answer count and how many of its customers may be asked again."""
    assert survey.id is not None  # noqa: S101  (stored surveys have ids)
    chat = _chat_of(uow, survey)
    touchpoint = (
        uow.session.get(Touchpoint, survey.touchpoint_id) if survey.touchpoint_id else None
    )
    responses = uow.session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    ).one()
    willing = uow.session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .join(Respondent, col(Respondent.id) == col(SurveyResponse.respondent_id))
        .where(
            SurveyResponse.survey_id == survey.id,
            col(Respondent.may_ask_again),
            col(Respondent.reachable),
            ~col(Respondent.stopped),
        )
    ).one()
    return SurveyView(
        id=survey.id,
        map_id=survey.map_id,
        touchpoint_id=survey.touchpoint_id,
        touchpoint_name=touchpoint.name if touchpoint else None,
        kind=survey.kind,
        question=survey.question,
        ask_why=survey.ask_why,
        token=survey.token,
        status=survey.status,
        ends_at=survey.ends_at,
        ends_on=last_day(survey.ends_at, chat.tz),
        max_responses=survey.max_responses,
        responses=responses,
        may_ask_again=willing,
    )


def survey_setup(uow: UnitOfWork, *, chat_id: int, stage_id: int | None = None) -> SurveySetup:
    """The current map and a stage to pick a touchpoint from: this one, else the first that
    has touchpoints (NoTouchpoints if none has; StaleButton if the stage left the map)."""
    with uow:
        if stage_id is not None:
            owned(uow, Stage, stage_id, chat_id=chat_id)  # another chat's: ItemGone
        journey = maps.load(uow, maps.current_map_id(uow, chat_id))
    if stage_id is None:
        stage = next((s for s in journey.stages if s.touchpoints), None)
        if stage is None:
            raise NoTouchpoints
    else:
        stage = journey.stage(stage_id)
        if stage is None:
            raise StaleButton
    return SurveySetup(journey, stage)


def setup_touchpoint(uow: UnitOfWork, *, chat_id: int, touchpoint_id: int) -> TouchpointView:
    """A touchpoint of the chat's current map to survey (StaleButton if it is not on it)."""
    with uow:
        owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)  # another chat's: ItemGone
        journey = maps.load(uow, maps.current_map_id(uow, chat_id))
    touchpoint = journey.touchpoint(touchpoint_id)
    if touchpoint is None:
        raise StaleButton
    return touchpoint


def create_survey(
    uow: UnitOfWork,
    *,
    chat_id: int,
    touchpoint_id: int,
    kind: SurveyKind,
    ask_why: bool,
    actor: Actor,
) -> SurveyView:
    """Start a survey on a touchpoint of the chat's current map."""
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        map_id = uow.get(Stage, touchpoint.stage_id).map_id
        if maps.current_map_id(uow, chat_id) != map_id:
            raise StaleButton
        survey = Survey(
            map_id=map_id,
            touchpoint_id=touchpoint_id,
            chat_id=chat_id,
            kind=kind,
            ask_why=ask_why,
            token=new_token(),
            created_by_id=actor.user_id,
            created_at=uow.clock.now(),
        )
        uow.session.add(survey)
        uow.session.flush()
        uow.record(actor, map_id, "survey.created", survey.id, f"{kind.value}: {touchpoint.name}")
        view = view_of(uow, survey)
        uow.commit()
    return view


def _survey(uow: OpenUnitOfWork, survey_id: int, chat_id: int) -> Survey:
    return owned(uow, Survey, survey_id, chat_id=chat_id)


def set_question(
    uow: UnitOfWork, *, chat_id: int, survey_id: int, text: str, actor: Actor
) -> SurveyView:
    """Ask the customers in the team's own words instead of the standard question."""
    text = clean_text(text, field="question", limit=NOTE_MAX_CHARS)
    with uow:
        survey = _survey(uow, survey_id, chat_id)
        survey.question = text
        uow.record(actor, survey.map_id, "survey.edited", survey_id, text)
        view = view_of(uow, survey)
        uow.commit()
    return view


def set_status(
    uow: UnitOfWork, *, chat_id: int, survey_id: int, status: SurveyStatus, actor: Actor
) -> SurveyView:
    """Pause, close or reopen a survey."""
    with uow:
        survey = _survey(uow, survey_id, chat_id)
        survey.status = status
        if status is SurveyStatus.OPEN and survey.ends_at and survey.ends_at <= uow.clock.now():
            survey.ends_at = None  # reopening a survey that ran out: it runs on
        uow.record(actor, survey.map_id, f"survey.{status.value}", survey_id, survey.kind.value)
        view = view_of(uow, survey)
        uow.commit()
    return view


def set_end_date(
    uow: UnitOfWork, *, chat_id: int, survey_id: int, text: str, actor: Actor
) -> SurveyView:
    """Stop taking answers at the end of a day given in the chat's language and zone."""
    with uow:
        survey = _survey(uow, survey_id, chat_id)
        chat = _chat_of(uow, survey)
        day = parse_due_date(text, language=chat.language, tz=chat.tz, now=uow.clock.now())
        survey.ends_at = _end_of(day, chat.tz)
        uow.record(actor, survey.map_id, "survey.end_set", survey_id, day.isoformat())
        view = view_of(uow, survey)
        uow.commit()
    return view


def set_cap(
    uow: UnitOfWork, *, chat_id: int, survey_id: int, text: str, actor: Actor
) -> SurveyView:
    """Stop taking new answers after this many."""
    try:
        cap = int(text.strip())
    except ValueError:
        raise InvalidNumber(text=text.strip()[:20]) from None
    if not 1 <= cap <= MAX_CAP:
        raise InvalidNumber(text=str(cap))
    with uow:
        survey = _survey(uow, survey_id, chat_id)
        survey.max_responses = cap
        uow.record(actor, survey.map_id, "survey.cap_set", survey_id, str(cap))
        view = view_of(uow, survey)
        uow.commit()
    return view


def get_survey(uow: UnitOfWork, *, chat_id: int, survey_id: int) -> SurveyView:
    """One survey of the chat."""
    with uow:
        return view_of(uow, _survey(uow, survey_id, chat_id))


def _postable(uow: OpenUnitOfWork, chat_id: int, among: Collection[int]) -> list[ChatView]:
    """Of the groups `among` names, those the bot is still in, by title (never this chat)."""
    rows = uow.session.exec(
        select(Chat)
        .where(
            col(Chat.reachable),
            Chat.id != chat_id,
            Chat.id < 0,  # < 0: groups only
            col(Chat.id).in_(list(among)),
        )
        .order_by(col(Chat.title), col(Chat.id))
    ).all()
    return [ChatView(c.id, c.title, c.language, c.tz, c.current_map_id) for c in rows]


def post_candidates(uow: UnitOfWork, *, chat_id: int, survey_id: int) -> tuple[int, ...]:
    """The groups to ask Telegram about before a survey of this chat is offered for posting.

    Ids only, never titles: a group is offered only once Telegram says the pressing member
    administers it (the adapter asks getChatMember in each), so no member learns which other
    groups the bot is in. The newest MAX_POST_CANDIDATES groups the bot is still in.
    """
    with uow:
        _survey(uow, survey_id, chat_id)
        return tuple(
            uow.session.exec(
                select(Chat.id)
                .where(col(Chat.reachable), Chat.id != chat_id, Chat.id < 0)
                .order_by(col(Chat.created_at).desc(), col(Chat.id).desc())
                .limit(MAX_POST_CANDIDATES)
            ).all()
        )


def post_choices(
    uow: UnitOfWork, *, chat_id: int, survey_id: int, administered: Collection[int]
) -> PostChoices:
    """The chat's survey and the groups it may be posted to: of those the pressing member
    administers right now (`administered`, as Telegram said), the ones the bot is still in."""
    with uow:
        survey = view_of(uow, _survey(uow, survey_id, chat_id))
        return PostChoices(survey, tuple(_postable(uow, chat_id, administered)))


def post_to_group(
    uow: UnitOfWork, *, chat_id: int, survey_id: int, to_chat_id: int, default_language: str
) -> Posting:
    """Check a survey may be posted into that group now and read the question to post there.

    ItemGone unless the survey is the chat's, StaleButton unless the group is one it may post
    to, SurveyUnavailable unless the survey takes answers. The caller checks that the member
    administers the group (getChatMember) and stores the posted message
    (responses.record_post) once Telegram has answered.
    """
    with uow:
        survey = _survey(uow, survey_id, chat_id)
        if not _postable(uow, chat_id, (to_chat_id,)):
            raise StaleButton
        question = responses.open_question(
            uow, survey_id=survey_id, chat_id=to_chat_id, default_language=default_language
        )
        return Posting(view_of(uow, survey), question)

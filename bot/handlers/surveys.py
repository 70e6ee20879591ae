"""Touchpoint surveys, the team's side: /survey, the survey card, /results.

The setup (touchpoint → kind → "why?") lives in the button payloads, the card is redrawn from
the database on every press, and questions about a survey are stored prompts: nothing is kept
in memory, so any member can carry on, across restarts.
"""

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import (
    SurveyAsk,
    SurveyBroadcast,
    SurveyCard,
    SurveyCreate,
    SurveyKindPick,
    SurveyPain,
    SurveyPostMenu,
    SurveyPostTo,
    SurveySetStatus,
    SurveyShowResults,
    SurveyStage,
    SurveyTouchpoint,
)
from bot.context import BotContext, Labels, fit_message
from bot.handlers import replies
from bot.keyboards import button, rows
from cjm.errors import NoTouchpoints, StaleButton
from cjm.models import PromptKind, SurveyKind, SurveyStatus
from cjm.render import charts  # matplotlib loads on first use: see charts.py
from cjm.services import maps, prompts, results, surveys
from cjm.views import (
    Answered,
    MapView,
    Redraw,
    StageView,
    SurveyResults,
    SurveyView,
    TouchpointView,
)

KINDS = tuple(SurveyKind)
STATUSES = tuple(SurveyStatus)
QUESTIONS = (PromptKind.SURVEY_QUESTION, PromptKind.SURVEY_END, PromptKind.SURVEY_CAP)
MAX_BUTTONS_PER_MESSAGE = 20  # pain buttons under one /results message, to stay readable
RESULTS = "chat/surveys/results.html"
ANSWERS = "chat/surveys/answers.html"

Keyboard = list[list[InlineKeyboardButton]]


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message_id(update: Update) -> int:
    query = update.callback_query
    if query is None or query.message is None:
        raise StaleButton
    return query.message.message_id


async def _edit(
    context: BotContext, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup
) -> None:
    """Redraw a message in place; two presses of the same button leave nothing to change."""
    try:
        await context.bot.edit_message_text(
            fit_message(text),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


def _plain(update: Update, context: BotContext, macro: str, **params: Any) -> str:
    return context.deps.texts.plain_macro(context.language(update), ANSWERS, macro, **params)


# ---------------------------------------------------------------- /survey: the setup


def _touchpoint_keyboard(journey: MapView, stage: StageView, labels: Labels) -> Keyboard:
    selector = rows(
        (
            button(("▶ " if s.id == stage.id else "") + _short(s.name, 18), SurveyStage(s.id))
            for s in journey.stages
        ),
        3,
    )
    points = rows(
        (button(f"📍 {_short(t.name)}", SurveyTouchpoint(t.id)) for t in stage.touchpoints), 2
    )
    return [*selector, *points]


async def _show_stage(
    update: Update, context: BotContext, journey: MapView, stage: StageView, *, new: bool
) -> None:
    text = context.render(update, "chat/surveys/setup.html", step="touchpoint", stage=stage)
    keyboard = InlineKeyboardMarkup(_touchpoint_keyboard(journey, stage, context.labels(update)))
    if new:
        await context.send(update, text, reply_markup=keyboard)
    else:
        await _edit(context, context.chat(update).id, _message_id(update), text, keyboard)


async def survey_command(update: Update, context: BotContext) -> None:
    """/survey: pick a touchpoint of the current map, starting at the first stage that has one."""
    chat = context.group_chat(update)
    journey = maps.get_current_map(context.uow(), chat_id=chat.id)
    stage = next((s for s in journey.stages if s.touchpoints), None)
    if stage is None:
        raise NoTouchpoints
    await _show_stage(update, context, journey, stage, new=True)


def _setup_touchpoint(update: Update, context: BotContext, touchpoint_id: int) -> TouchpointView:
    journey = maps.get_current_map(context.uow(), chat_id=context.chat(update).id)
    touchpoint = journey.touchpoint(touchpoint_id)
    if touchpoint is None:
        raise StaleButton
    return touchpoint


async def survey_stage_button(update: Update, context: BotContext) -> None:
    """A stage in the setup: show its touchpoints."""
    payload = SurveyStage.parse(context.payload(update))
    journey = maps.get_current_map(context.uow(), chat_id=context.chat(update).id)
    stage = journey.stage(payload.stage_id)
    if stage is None:
        raise StaleButton
    await _show_stage(update, context, journey, stage, new=False)
    await context.answer(update)


async def survey_touchpoint_button(update: Update, context: BotContext) -> None:
    """A touchpoint in the setup: pick the kind of question."""
    payload = SurveyTouchpoint.parse(context.payload(update))
    touchpoint = _setup_touchpoint(update, context, payload.touchpoint_id)
    labels = context.labels(update)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(labels.survey_kind(kind.value), SurveyKindPick(touchpoint.id, i))
                for i, kind in enumerate(KINDS)
            ],
            [button(labels.back(), SurveyStage(touchpoint.stage_id))],
        ]
    )
    text = context.render(update, "chat/surveys/setup.html", step="kind", touchpoint=touchpoint)
    await _edit(context, context.chat(update).id, _message_id(update), text, keyboard)
    await context.answer(update)


async def survey_kind_button(update: Update, context: BotContext) -> None:
    """A kind in the setup: ask "why?" after the score, or not."""
    payload = SurveyKindPick.parse(context.payload(update))
    if not 0 <= payload.kind < len(KINDS):
        raise StaleButton
    touchpoint = _setup_touchpoint(update, context, payload.touchpoint_id)
    labels = context.labels(update)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(labels.survey_why(True), SurveyCreate(touchpoint.id, payload.kind, 1)),
                button(labels.survey_why(False), SurveyCreate(touchpoint.id, payload.kind, 0)),
            ],
            [button(labels.back(), SurveyTouchpoint(touchpoint.id))],
        ]
    )
    text = context.render(
        update,
        "chat/surveys/setup.html",
        step="why",
        touchpoint=touchpoint,
        kind=KINDS[payload.kind].value,
    )
    await _edit(context, context.chat(update).id, _message_id(update), text, keyboard)
    await context.answer(update)


async def survey_create_button(update: Update, context: BotContext) -> None:
    """The last setup step: create the survey, turn the setup into its card, send a QR code."""
    payload = SurveyCreate.parse(context.payload(update))
    if not 0 <= payload.kind < len(KINDS) or payload.ask_why not in (0, 1):
        raise StaleButton
    chat_id = context.chat(update).id
    survey = surveys.create_survey(
        context.uow(),
        chat_id=chat_id,
        touchpoint_id=payload.touchpoint_id,
        kind=KINDS[payload.kind],
        ask_why=bool(payload.ask_why),
        actor=context.actor(update),
    )
    await _show_card(update, context, survey, _message_id(update))
    await context.answer(update)
    picture = await asyncio.to_thread(charts.qr_png, _link(context, survey))
    caption = context.render(
        update, "chat/surveys/qr.html", touchpoint=survey.touchpoint_name or ""
    )
    await context.bot.send_photo(
        chat_id, picture, caption=caption, parse_mode=ParseMode.HTML, filename="survey-qr.png"
    )


# ---------------------------------------------------------------- the survey card


def _link(context: BotContext, survey: SurveyView) -> str:
    return f"https://t.me/{context.bot.username}?start={survey.token}"


def _last_day(ends_at: datetime | None, tz: str) -> date | None:
    """The last local day a survey takes answers (it ends at the following midnight)."""
    if ends_at is None:
        return None
    return (ends_at.astimezone(ZoneInfo(tz)) - timedelta(seconds=1)).date()


def _card_keyboard(survey: SurveyView, labels: Labels) -> InlineKeyboardMarkup:
    status = survey.status
    first = []
    if status is SurveyStatus.OPEN:
        first.append(button(labels.survey_pause(), _status(survey, SurveyStatus.PAUSED)))
    elif status is SurveyStatus.PAUSED:
        first.append(button(labels.survey_resume(), _status(survey, SurveyStatus.OPEN)))
    if status is SurveyStatus.CLOSED:
        first.append(button(labels.survey_reopen(), _status(survey, SurveyStatus.OPEN)))
    else:
        first.append(button(labels.survey_close(), _status(survey, SurveyStatus.CLOSED)))
    keyboard = [
        first,
        [
            button(labels.survey_question(), SurveyAsk(survey.id, 0)),
            button(labels.survey_end(), SurveyAsk(survey.id, 1)),
            button(labels.survey_cap(), SurveyAsk(survey.id, 2)),
        ],
        [
            button(labels.survey_post(), SurveyPostMenu(survey.id)),
            button(labels.survey_results(), SurveyShowResults(survey.id)),
        ],
    ]
    if survey.may_ask_again > 0 and status is SurveyStatus.OPEN:
        keyboard.append(
            [button(labels.survey_send(survey.may_ask_again), SurveyBroadcast(survey.id))]
        )
    return InlineKeyboardMarkup(keyboard)


def _status(survey: SurveyView, status: SurveyStatus) -> SurveySetStatus:
    return SurveySetStatus(survey.id, STATUSES.index(status))


def _card_text(update: Update, context: BotContext, survey: SurveyView) -> str:
    return context.render(
        update,
        "chat/surveys/card.html",
        survey=survey,
        link=_link(context, survey),
        ends_on=_last_day(survey.ends_at, context.chat(update).tz),
    )


async def _show_card(
    update: Update,
    context: BotContext,
    survey: SurveyView,
    message_id: int,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    text = _card_text(update, context, survey)
    keyboard = keyboard or _card_keyboard(survey, context.labels(update))
    await _edit(context, context.chat(update).id, message_id, text, keyboard)


def _pressed_survey(update: Update, context: BotContext, survey_id: int) -> SurveyView:
    return surveys.get_survey(context.uow(), chat_id=context.chat(update).id, survey_id=survey_id)


async def survey_status_button(update: Update, context: BotContext) -> None:
    """Pause, resume, close or reopen."""
    payload = SurveySetStatus.parse(context.payload(update))
    if not 0 <= payload.status < len(STATUSES):
        raise StaleButton
    survey = surveys.set_status(
        context.uow(),
        chat_id=context.chat(update).id,
        survey_id=payload.survey_id,
        status=STATUSES[payload.status],
        actor=context.actor(update),
    )
    await _show_card(update, context, survey, _message_id(update))
    await context.answer(update)


async def survey_card_button(update: Update, context: BotContext) -> None:
    """Redraw the card with its own buttons (back from the list of groups)."""
    payload = SurveyCard.parse(context.payload(update))
    survey = _pressed_survey(update, context, payload.survey_id)
    await _show_card(update, context, survey, _message_id(update))
    await context.answer(update)


async def survey_ask_button(update: Update, context: BotContext) -> None:
    """Own question, end date or cap: post a question members answer by replying."""
    payload = SurveyAsk.parse(context.payload(update))
    if not 0 <= payload.what < len(QUESTIONS):
        raise StaleButton
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=QUESTIONS[payload.what],
        target_id=payload.survey_id,
        card_message_id=_message_id(update),
    )
    await context.ask(update, asked)
    await context.answer(update)


@replies.redraws(Redraw.SURVEY_CARD)
async def redraw_survey_card(update: Update, context: BotContext, answered: Answered) -> None:
    """After an answer about a survey: its card, with the survey as the answer left it."""
    assert isinstance(answered.outcome, SurveyView)  # noqa: S101  (the table's survey rows)
    if answered.card_message_id is not None:
        await _show_card(update, context, answered.outcome, answered.card_message_id)


# ---------------------------------------------------------------- posting and sending


async def survey_post_menu_button(update: Update, context: BotContext) -> None:
    """List the other groups the bot is in, on the card, with a Back button."""
    payload = SurveyPostMenu.parse(context.payload(update))
    survey = _pressed_survey(update, context, payload.survey_id)
    groups = surveys.postable_chats(context.uow(), chat_id=context.chat(update).id)
    if not groups:
        await context.answer(update, _plain(update, context, "no_other_chats"))
        return
    labels = context.labels(update)
    keyboard = InlineKeyboardMarkup(
        [
            *(
                [
                    button(
                        labels.survey_post_to(_short(g.title or str(g.id), 40)),
                        _post(survey, g.id),
                    )
                ]
                for g in groups
            ),
            [button(labels.back(), SurveyCard(survey.id))],
        ]
    )
    await _show_card(update, context, survey, _message_id(update), keyboard)
    await context.answer(update)


def _post(survey: SurveyView, chat_id: int) -> SurveyPostTo:
    return SurveyPostTo(survey.id, chat_id)


async def survey_post_button(update: Update, context: BotContext) -> None:
    """Post the survey into another group (the customers' side draws that message)."""
    payload = SurveyPostTo.parse(context.payload(update))
    chat_id = context.chat(update).id
    survey = _pressed_survey(update, context, payload.survey_id)
    if payload.chat_id not in {
        g.id for g in surveys.postable_chats(context.uow(), chat_id=chat_id)
    }:
        raise StaleButton
    # Imported when pressed: the customers' side is built apart and may import this module.
    from bot.handlers.customers import post_survey_to_group

    await post_survey_to_group(context, survey_id=survey.id, chat_id=payload.chat_id)
    await _show_card(update, context, survey, _message_id(update))
    await context.answer(update, _plain(update, context, "posted"))


async def survey_broadcast_button(update: Update, context: BotContext) -> None:
    """Send the survey to every customer who agreed to be asked again."""
    payload = SurveyBroadcast.parse(context.payload(update))
    survey = _pressed_survey(update, context, payload.survey_id)
    from bot.broadcast import start_broadcast  # when pressed, as above

    await start_broadcast(
        context,
        survey_id=survey.id,
        chat_id=context.chat(update).id,
        actor=context.actor(update),
    )
    await context.answer(update, _plain(update, context, "sending"))


# ---------------------------------------------------------------- results


def _pain_buttons(result: SurveyResults, labels: Labels) -> list[InlineKeyboardButton]:
    return [
        button(labels.survey_add_pain(_short(c.comment, 28)), SurveyPain(c.response_id))
        for c in result.comments
        if c.is_low
    ]


def _results_messages(
    update: Update, context: BotContext, shown: Sequence[SurveyResults]
) -> list[tuple[str, list[InlineKeyboardButton]]]:
    """Blocks packed into messages under Telegram's limit, each with its comments' buttons."""
    language = context.language(update)
    labels = context.labels(update)
    limit = MessageLimit.MAX_TEXT_LENGTH
    messages: list[tuple[str, list[InlineKeyboardButton]]] = []
    text = ""
    buttons: list[InlineKeyboardButton] = []
    for result in shown:
        block = context.deps.texts.macro(language, RESULTS, "survey_block", result=result)
        own = _pain_buttons(result, labels)
        joined = f"{text}\n\n{block}" if text else block
        if text and (len(joined) > limit or len(buttons) + len(own) > MAX_BUTTONS_PER_MESSAGE):
            messages.append((text, buttons))
            text, buttons = block, own
        else:
            text, buttons = joined, buttons + own
    if text:
        messages.append((text, buttons))
    return messages


def _chart_labels(
    update: Update, context: BotContext, shown: Sequence[SurveyResults]
) -> charts.ChartLabels:
    texts, language = context.deps.texts, context.language(update)

    def word(macro: str, **params: Any) -> str:
        return texts.plain_macro(language, "chat/surveys/chart.html", macro, **params)

    return charts.ChartLabels(
        titles=[word("title", survey=r.survey) for r in shown],
        answers=word("answers"),
        trend=word("trend"),
        too_few=word("too_few"),
        groups={g: word("group", name=g) for g in ("promoters", "passives", "detractors")},
        scores={k.value: word("score_axis", kind=k.value) for k in SurveyKind},
    )


async def _send_results(
    update: Update, context: BotContext, shown: Sequence[SurveyResults]
) -> None:
    if not shown:
        await context.send(
            update, context.deps.texts.macro(context.language(update), RESULTS, "no_surveys")
        )
        return
    for text, buttons in _results_messages(update, context, shown):
        keyboard = InlineKeyboardMarkup(rows(buttons, 1)) if buttons else None
        await context.send(update, text, reply_markup=keyboard)
    chat_id = context.chat(update).id
    await context.bot.send_chat_action(chat_id, "upload_photo")
    chart = await asyncio.to_thread(
        charts.results_chart_png, shown, _chart_labels(update, context, shown)
    )
    await context.bot.send_photo(chat_id, chart, filename="results.png")


async def results_command(update: Update, context: BotContext) -> None:
    """/results: every survey of the current map, then a chart."""
    chat = context.group_chat(update)
    await _send_results(update, context, results.survey_results(context.uow(), chat_id=chat.id))


async def survey_results_button(update: Update, context: BotContext) -> None:
    """The card's Results button: that survey's results and chart."""
    payload = SurveyShowResults.parse(context.payload(update))
    everything = results.survey_results(context.uow(), chat_id=context.chat(update).id)
    shown = [r for r in everything if r.survey.id == payload.survey_id]
    if not shown:
        raise StaleButton
    await context.answer(update)
    await _send_results(update, context, shown)


async def survey_pain_button(update: Update, context: BotContext) -> None:
    """Turn a low score's comment into a pain point on the survey's touchpoint."""
    payload = SurveyPain.parse(context.payload(update))
    results.add_pain_from_response(
        context.uow(),
        chat_id=context.chat(update).id,
        response_id=payload.response_id,
        actor=context.actor(update),
    )
    await context.answer(update, _plain(update, context, "pain_added"))


HANDLERS = [
    CommandHandler("survey", survey_command),
    CommandHandler("results", results_command),
    CallbackQueryHandler(survey_stage_button, pattern=SurveyStage.pattern()),
    CallbackQueryHandler(survey_touchpoint_button, pattern=SurveyTouchpoint.pattern()),
    CallbackQueryHandler(survey_kind_button, pattern=SurveyKindPick.pattern()),
    CallbackQueryHandler(survey_create_button, pattern=SurveyCreate.pattern()),
    CallbackQueryHandler(survey_status_button, pattern=SurveySetStatus.pattern()),
    CallbackQueryHandler(survey_card_button, pattern=SurveyCard.pattern()),
    CallbackQueryHandler(survey_ask_button, pattern=SurveyAsk.pattern()),
    CallbackQueryHandler(survey_post_menu_button, pattern=SurveyPostMenu.pattern()),
    CallbackQueryHandler(survey_post_button, pattern=SurveyPostTo.pattern()),
    CallbackQueryHandler(survey_broadcast_button, pattern=SurveyBroadcast.pattern()),
    CallbackQueryHandler(survey_results_button, pattern=SurveyShowResults.pattern()),
    CallbackQueryHandler(survey_pain_button, pattern=SurveyPain.pattern()),
]

"""/survey: stage → touchpoint → kind → ask "why?" → create the survey and its card."""

import asyncio

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.buttons import on_press
from bot.callbacks import SurveyCreate, SurveyKindPick, SurveyStage, SurveyTouchpoint
from bot.context import BotContext
from bot.handlers.surveys.card import link, show_card
from bot.keyboards import Row, button, rows, short
from cjm.models import SurveyKind
from cjm.render import charts  # matplotlib loads on first use: see charts.py
from cjm.services import surveys
from cjm.views import MapView, StageView, SurveySetup, TouchpointView


def _touchpoint_keyboard(journey: MapView, stage: StageView) -> list[Row]:
    selector = rows(
        (
            button(("▶ " if s.id == stage.id else "") + short(s.name, 18), SurveyStage(s.id))
            for s in journey.stages
        ),
        3,
    )
    points = rows(
        (button(f"📍 {short(t.name)}", SurveyTouchpoint(t.id)) for t in stage.touchpoints), 2
    )
    return [*selector, *points]


async def _show_stage(
    update: Update, context: BotContext, setup: SurveySetup, *, new: bool
) -> None:
    text = context.render(update, "chat/surveys/setup.html", step="touchpoint", stage=setup.stage)
    keyboard = InlineKeyboardMarkup(_touchpoint_keyboard(setup.journey, setup.stage))
    if new:
        await context.send(update, text, reply_markup=keyboard)
    else:
        await context.edit(
            context.chat(update).id, context.pressed_message_id(update), text, keyboard
        )


async def survey_command(update: Update, context: BotContext) -> None:
    """/survey: pick a touchpoint of the current map, starting at the stage the service picks."""
    chat = context.group_chat(update)
    setup = surveys.survey_setup(context.uow(), chat_id=chat.id)
    await _show_stage(update, context, setup, new=True)


def _setup_touchpoint(update: Update, context: BotContext, touchpoint_id: int) -> TouchpointView:
    return surveys.setup_touchpoint(
        context.uow(), chat_id=context.chat(update).id, touchpoint_id=touchpoint_id
    )


async def survey_stage_button(update: Update, context: BotContext, payload: SurveyStage) -> None:
    """A stage in the setup: show its touchpoints."""
    setup = surveys.survey_setup(
        context.uow(), chat_id=context.chat(update).id, stage_id=payload.stage_id
    )
    await _show_stage(update, context, setup, new=False)
    await context.answer(update)


async def survey_touchpoint_button(
    update: Update, context: BotContext, payload: SurveyTouchpoint
) -> None:
    """A touchpoint in the setup: pick the kind of question."""
    touchpoint = _setup_touchpoint(update, context, payload.touchpoint_id)
    labels = context.labels(update)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(labels.survey_kind(kind.value), SurveyKindPick(touchpoint.id, kind))
                for kind in SurveyKind
            ],
            [button(labels.back(), SurveyStage(touchpoint.stage_id))],
        ]
    )
    text = context.render(update, "chat/surveys/setup.html", step="kind", touchpoint=touchpoint)
    await context.edit(context.chat(update).id, context.pressed_message_id(update), text, keyboard)
    await context.answer(update)


async def survey_kind_button(update: Update, context: BotContext, payload: SurveyKindPick) -> None:
    """A kind in the setup: ask "why?" after the score, or not."""
    touchpoint = _setup_touchpoint(update, context, payload.touchpoint_id)
    labels = context.labels(update)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(labels.survey_why(True), SurveyCreate(touchpoint.id, payload.kind, True)),
                button(labels.survey_why(False), SurveyCreate(touchpoint.id, payload.kind, False)),
            ],
            [button(labels.back(), SurveyTouchpoint(touchpoint.id))],
        ]
    )
    text = context.render(
        update,
        "chat/surveys/setup.html",
        step="why",
        touchpoint=touchpoint,
        kind=payload.kind.value,
    )
    await context.edit(context.chat(update).id, context.pressed_message_id(update), text, keyboard)
    await context.answer(update)


async def survey_create_button(update: Update, context: BotContext, payload: SurveyCreate) -> None:
    """The last setup step: create the survey, turn the setup into its card, send a QR code."""
    chat_id = context.chat(update).id
    survey = surveys.create_survey(
        context.uow(),
        chat_id=chat_id,
        touchpoint_id=payload.touchpoint_id,
        kind=payload.kind,
        ask_why=payload.ask_why,
        actor=context.actor(update),
    )
    await show_card(update, context, survey, context.pressed_message_id(update))
    await context.answer(update)
    picture = await asyncio.to_thread(charts.qr_png, link(context, survey))
    caption = context.render(
        update, "chat/surveys/qr.html", touchpoint=survey.touchpoint_name or ""
    )
    await context.bot.send_photo(
        chat_id, picture, caption=caption, parse_mode=ParseMode.HTML, filename="survey-qr.png"
    )


HANDLERS = [
    CommandHandler("survey", survey_command),
    on_press(SurveyStage, survey_stage_button),
    on_press(SurveyTouchpoint, survey_touchpoint_button),
    on_press(SurveyKindPick, survey_kind_button),
    on_press(SurveyCreate, survey_create_button),
]

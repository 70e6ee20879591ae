"""/results: every survey's score, breakdown and comments, a chart, "Add as pain point"."""

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import SurveyPain, SurveyShowResults
from bot.context import BotContext, Labels
from bot.handlers.surveys.common import plain, short
from bot.keyboards import button, rows
from cjm.errors import StaleButton
from cjm.models import SurveyKind
from cjm.render import charts  # matplotlib loads on first use: see charts.py
from cjm.services import results
from cjm.views import SurveyResults

MAX_BUTTONS_PER_MESSAGE = 20  # pain buttons under one /results message, to stay readable
RESULTS = "chat/surveys/results.html"


def _pain_buttons(result: SurveyResults, labels: Labels) -> list[InlineKeyboardButton]:
    return [
        button(labels.survey_add_pain(short(c.comment, 28)), SurveyPain(c.response_id))
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
    await context.answer(update, plain(update, context, "pain_added"))


HANDLERS = [
    CommandHandler("results", results_command),
    CallbackQueryHandler(survey_results_button, pattern=SurveyShowResults.pattern()),
    CallbackQueryHandler(survey_pain_button, pattern=SurveyPain.pattern()),
]

"""/results: every survey's score, breakdown and comments, a chart, "Add as pain point"."""

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.buttons import on_press
from bot.callbacks import SurveyPain, SurveyShowResults
from bot.context import BotContext, Labels
from bot.keyboards import button, rows, short
from bot.messages import Block, pack_blocks
from cjm.models import SurveyKind
from cjm.render import charts  # matplotlib loads on first use: see charts.py
from cjm.services import results
from cjm.views import SurveyResults

ANSWERS = "chat/surveys/answers.html"  # what a press answers

MAX_BUTTONS_PER_MESSAGE = 20  # pain buttons under one /results message, to stay readable
RESULTS = "chat/surveys/results.html"


def _pain_buttons(result: SurveyResults, labels: Labels) -> list[InlineKeyboardButton]:
    return [
        button(labels.survey_add_pain(short(c.comment, 28)), SurveyPain(c.response_id))
        for c in result.comments
        if c.is_low
    ]


def _results_blocks(
    update: Update, context: BotContext, shown: Sequence[SurveyResults]
) -> list[Block]:
    """A block per survey, carrying the buttons of its low-score comments."""
    labels = context.labels(update)
    return [
        Block(
            context.macro(update, RESULTS, "survey_block", result=result),
            tuple(_pain_buttons(result, labels)),
        )
        for result in shown
    ]


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
        language=language,
    )


async def _send_results(
    update: Update, context: BotContext, shown: Sequence[SurveyResults]
) -> None:
    if not shown:
        await context.send(update, context.macro(update, RESULTS, "no_surveys"))
        return
    blocks = _results_blocks(update, context, shown)
    for message in pack_blocks(blocks, max_buttons=MAX_BUTTONS_PER_MESSAGE):
        keyboard = InlineKeyboardMarkup(rows(message.buttons, 1))
        await context.send(update, message.text, reply_markup=keyboard)
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


async def survey_results_button(
    update: Update, context: BotContext, payload: SurveyShowResults
) -> None:
    """The card's Results button: that survey's results and chart."""
    shown = results.survey_results(
        context.uow(), chat_id=context.chat(update).id, survey_id=payload.survey_id
    )
    await context.answer(update)
    await _send_results(update, context, shown)


async def survey_pain_button(update: Update, context: BotContext, payload: SurveyPain) -> None:
    """Turn a low score's comment into a pain point on the survey's touchpoint."""
    results.add_pain_from_response(
        context.uow(),
        chat_id=context.chat(update).id,
        response_id=payload.response_id,
        actor=context.actor(update),
    )
    await context.answer(update, context.plain_macro(update, ANSWERS, "pain_added"))


HANDLERS = [
    CommandHandler("results", results_command),
    on_press(SurveyShowResults, survey_results_button),
    on_press(SurveyPain, survey_pain_button),
]

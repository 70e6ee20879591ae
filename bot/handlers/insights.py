"""Where the map needs work: /hotspots, /kpi, and the ⭐ moment-of-truth toggle.

Questions behind the buttons ("➕ Add a fix", "➕ KPI", "Record value") are stored prompts, so
any member can answer, across restarts. Replies to them are handled here, before the surveys'
and the map's reply routers (app.FEATURES order); every other reply goes on to those.
"""

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import (
    InHotspotFix,
    InKpiAdd,
    InKpiBoard,
    InKpiStage,
    InKpiValue,
    InMoment,
)
from bot.context import BotContext, Labels, fit_message
from bot.handlers import replies
from bot.handlers.cards import check_on_card, refresh_card
from bot.keyboards import Row, button, rows
from cjm.errors import StaleButton
from cjm.services import hotspots, insights, kpis, touchpoints
from cjm.services.insights import Question
from cjm.views import HotspotReport, KpiBoard

HOTSPOTS = "chat/insights/hotspots.html"
KPIS = "chat/insights/kpis.html"
QUESTIONS = "chat/insights/questions.html"
ANSWERED = "chat/insights/answered.html"


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message_id(update: Update) -> int:
    query = update.callback_query
    if query is None or query.message is None:
        raise StaleButton
    return query.message.message_id


def _hotspot_keyboard(report: HotspotReport, labels: Labels) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(labels.hotspot_fix(i, _short(h.name)), InHotspotFix(h.touchpoint.id))]
            for i, h in enumerate(report.hotspots, start=1)
        ]
    )


def _board_keyboard(board: KpiBoard, labels: Labels) -> InlineKeyboardMarkup:
    keyboard: list[Row] = [
        [button(labels.kpi_record(_short(k.name)), InKpiValue(k.id))] for k in board.kpis
    ]
    if board.stages:
        keyboard.append([button(labels.kpi_add(), InKpiAdd(board.map_id))])
    return InlineKeyboardMarkup(keyboard)


def _stage_keyboard(board: KpiBoard, labels: Labels) -> InlineKeyboardMarkup:
    stages = (
        button(labels.kpi_stage(i, _short(s.stage.name, 20)), InKpiStage(s.stage.id))
        for i, s in enumerate(board.stages, start=1)
    )
    return InlineKeyboardMarkup([*rows(stages, 2), [button(labels.back(), InKpiBoard(0))]])


async def hotspots_command(update: Update, context: BotContext) -> None:
    """/hotspots: the touchpoints that need work most, why, and a fix button for each."""
    chat = context.group_chat(update)
    report = hotspots.current_hotspots(context.uow(), chat_id=chat.id)
    keyboard = _hotspot_keyboard(report, context.labels(update))
    await context.reply(update, HOTSPOTS, report=report, reply_markup=keyboard)


async def kpi_command(update: Update, context: BotContext) -> None:
    """/kpi: the KPIs per stage, a button to record each, and one to add a KPI."""
    chat = context.group_chat(update)
    board = kpis.list_kpis(context.uow(), chat_id=chat.id)
    keyboard = _board_keyboard(board, context.labels(update))
    await context.reply(update, KPIS, board=board, picking=False, reply_markup=keyboard)


async def _redraw_board(
    update: Update, context: BotContext, message_id: int, *, picking: bool = False
) -> None:
    """Redraw a /kpi message as the map now stands (two presses may leave nothing to change)."""
    chat_id = context.chat(update).id
    board = kpis.list_kpis(context.uow(), chat_id=chat_id)
    labels = context.labels(update)
    keyboard = _stage_keyboard(board, labels) if picking else _board_keyboard(board, labels)
    text = context.render(update, KPIS, board=board, picking=picking)
    try:
        await context.bot.edit_message_text(
            fit_message(text),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def kpi_add_button(update: Update, context: BotContext) -> None:
    """➕ KPI: show the stages to pick from, on the /kpi message."""
    InKpiAdd.parse(context.payload(update))
    await _redraw_board(update, context, _message_id(update), picking=True)
    await context.answer(update)


async def kpi_board_button(update: Update, context: BotContext) -> None:
    """◀ Back: the KPI buttons again."""
    InKpiBoard.parse(context.payload(update))
    await _redraw_board(update, context, _message_id(update))
    await context.answer(update)


async def _ask(
    update: Update,
    context: BotContext,
    macro: str,
    *,
    kind: Question,
    map_id: int,
    target_id: int,
    board_message_id: int | None = None,
    **params: object,
) -> None:
    """Post a question members answer by replying, and remember what it asks."""
    text = context.deps.texts.macro(context.language(update), QUESTIONS, macro, **params)
    chat_id = context.chat(update).id
    message = await context.send(
        update, text, reply_markup=ForceReply(input_field_placeholder=None)
    )
    insights.remember_question(
        context.uow(),
        chat_id=chat_id,
        message_id=message.message_id,
        kind=kind,
        map_id=map_id,
        target_id=target_id,
        board_message_id=board_message_id,
    )


async def kpi_stage_button(update: Update, context: BotContext) -> None:
    """A stage for the new KPI: ask for "name; unit; target; up|down"."""
    payload = InKpiStage.parse(context.payload(update))
    board = kpis.list_kpis(context.uow(), chat_id=context.chat(update).id)
    stage = board.stage(payload.stage_id)
    if stage is None:
        raise StaleButton
    message_id = _message_id(update)
    await _ask(
        update,
        context,
        "kpi_add",
        kind=Question.KPI_ADD,
        map_id=board.map_id,
        target_id=stage.id,
        board_message_id=message_id,
        stage=stage.name,
    )
    await _redraw_board(update, context, message_id)
    await context.answer(update)


async def kpi_value_button(update: Update, context: BotContext) -> None:
    """Record value: ask for "value" or "value on <date>"."""
    payload = InKpiValue.parse(context.payload(update))
    board = kpis.list_kpis(context.uow(), chat_id=context.chat(update).id)
    kpi = board.kpi(payload.kpi_id)
    if kpi is None:
        raise StaleButton
    await _ask(
        update,
        context,
        "kpi_value",
        kind=Question.KPI_VALUE,
        map_id=board.map_id,
        target_id=kpi.id,
        board_message_id=_message_id(update),
        name=kpi.name,
    )
    await context.answer(update)


async def hotspot_fix_button(update: Update, context: BotContext) -> None:
    """➕ Add a fix: ask for a fix for the most severe open pain (or for a first pain point)."""
    payload = InHotspotFix.parse(context.payload(update))
    target = hotspots.fix_target(
        context.uow(), chat_id=context.chat(update).id, touchpoint_id=payload.touchpoint_id
    )
    await _ask(
        update,
        context,
        "hotspot_fix",
        kind=Question.HOTSPOT_FIX,
        map_id=target.map_id,
        target_id=target.touchpoint.id,
        touchpoint=target.touchpoint.name,
        pain=target.open_pain.text if target.open_pain else None,
    )
    await context.answer(update)


@replies.answers(*insights.Question)
async def insight_reply(update: Update, context: BotContext, message: Message) -> None:
    """A reply to an insight question: apply it and confirm."""
    assert message.reply_to_message is not None  # noqa: S101  (a reply)
    assert message.text is not None  # noqa: S101  (the router sends text only)
    chat_id = context.chat(update).id
    question = message.reply_to_message.message_id
    answered = insights.answer_question(
        context.uow(),
        chat_id=chat_id,
        prompt_message_id=question,
        reply_message_id=message.message_id,
        text=message.text,
        actor=context.actor(update),
    )
    await context.reply(update, ANSWERED, kind=answered.kind.value, outcome=answered.outcome)
    if answered.board_message_id is not None:
        await _redraw_board(update, context, answered.board_message_id)


async def moment_button(update: Update, context: BotContext) -> None:
    """⭐ on a focused touchpoint: mark it a moment of truth, or unmark it."""
    payload = InMoment.parse(context.payload(update))
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    touchpoints.set_moment_of_truth(
        context.uow(),
        touchpoint_id=payload.touchpoint_id,
        value=bool(payload.value),
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    CommandHandler("hotspots", hotspots_command),
    CommandHandler("kpi", kpi_command),
    CallbackQueryHandler(moment_button, pattern=InMoment.pattern()),
    CallbackQueryHandler(hotspot_fix_button, pattern=InHotspotFix.pattern()),
    CallbackQueryHandler(kpi_add_button, pattern=InKpiAdd.pattern()),
    CallbackQueryHandler(kpi_board_button, pattern=InKpiBoard.pattern()),
    CallbackQueryHandler(kpi_stage_button, pattern=InKpiStage.pattern()),
    CallbackQueryHandler(kpi_value_button, pattern=InKpiValue.pattern()),
]

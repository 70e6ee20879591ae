"""Where the map needs work: /hotspots, /kpi, and the ⭐ moment-of-truth toggle.

Questions behind the buttons ("➕ Add a fix", "➕ KPI", "Record value") go the one way every
question goes (cjm/services/questions.py, bot/handlers/replies.py); this module redraws the
/kpi message after an answer changed it.
"""

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.buttons import on_press
from bot.callbacks import (
    InHotspotFix,
    InKpiAdd,
    InKpiBoard,
    InKpiStage,
    InKpiValue,
    InMoment,
)
from bot.context import BotContext, Labels
from bot.handlers import replies
from bot.handlers.cards import check_on_card, refresh_card
from bot.keyboards import Row, button, rows, short
from cjm.models import PromptKind
from cjm.services import hotspots, kpis, prompts, touchpoints
from cjm.views import Answered, HotspotReport, KpiBoard, Redraw

HOTSPOTS = "chat/insights/hotspots.html"
KPIS = "chat/insights/kpis.html"


def _hotspot_keyboard(report: HotspotReport, labels: Labels) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(labels.hotspot_fix(i, short(h.name, 28)), InHotspotFix(h.touchpoint.id))]
            for i, h in enumerate(report.hotspots, start=1)
        ]
    )


def _board_keyboard(board: KpiBoard, labels: Labels) -> InlineKeyboardMarkup:
    keyboard: list[Row] = [
        [button(labels.kpi_record(short(k.name, 28)), InKpiValue(k.id))] for k in board.kpis
    ]
    if board.stages:
        keyboard.append([button(labels.kpi_add(), InKpiAdd(board.map_id))])
    return InlineKeyboardMarkup(keyboard)


def _stage_keyboard(board: KpiBoard, labels: Labels) -> InlineKeyboardMarkup:
    stages = (
        button(labels.kpi_stage(i, short(s.stage.name, 20)), InKpiStage(s.stage.id))
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
    update: Update,
    context: BotContext,
    message_id: int,
    *,
    picking: bool = False,
    map_id: int | None = None,
) -> None:
    """Redraw a /kpi message as the map now stands (two presses may leave nothing to change)."""
    board = kpis.list_kpis(context.uow(), chat_id=context.chat(update).id, map_id=map_id)
    await _draw_board(update, context, message_id, board, picking=picking)


async def _draw_board(
    update: Update, context: BotContext, message_id: int, board: KpiBoard, *, picking: bool
) -> None:
    labels = context.labels(update)
    keyboard = _stage_keyboard(board, labels) if picking else _board_keyboard(board, labels)
    text = context.render(update, KPIS, board=board, picking=picking)
    await context.redraw(update, message_id, text, keyboard)


async def kpi_add_button(update: Update, context: BotContext, press: InKpiAdd) -> None:
    """➕ KPI: show the stages to pick from, on the /kpi message."""
    message_id = context.pressed_message_id(update)
    await _redraw_board(update, context, message_id, picking=True, map_id=press.map_id)
    await context.answer(update)


async def kpi_board_button(update: Update, context: BotContext, press: InKpiBoard) -> None:
    """◀ Back: the KPI buttons again."""
    await _redraw_board(update, context, context.pressed_message_id(update), map_id=press.map_id)
    await context.answer(update)


async def _ask(
    update: Update, context: BotContext, kind: PromptKind, target_id: int, *, on_board: bool
) -> None:
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=kind,
        target_id=target_id,
        card_message_id=context.pressed_message_id(update) if on_board else None,
    )
    await context.ask(update, asked)


async def kpi_stage_button(update: Update, context: BotContext, payload: InKpiStage) -> None:
    """A stage for the new KPI: ask for "name; unit; target; up|down"."""
    message_id = context.pressed_message_id(update)
    kpi = prompts.prepare_kpi(
        context.uow(),
        chat_id=context.chat(update).id,
        stage_id=payload.stage_id,
        card_message_id=message_id,
    )
    await context.ask(update, kpi.asked)
    await _draw_board(update, context, message_id, kpi.board, picking=False)
    await context.answer(update)


async def kpi_value_button(update: Update, context: BotContext, payload: InKpiValue) -> None:
    """Record value: ask for "value" or "value on <date>"."""
    await _ask(update, context, PromptKind.KPI_VALUE, payload.kpi_id, on_board=True)
    await context.answer(update)


async def hotspot_fix_button(update: Update, context: BotContext, payload: InHotspotFix) -> None:
    """➕ Add a fix: ask for a fix for the most severe open pain (or for a first pain point)."""
    await _ask(update, context, PromptKind.HOTSPOT_FIX, payload.touchpoint_id, on_board=False)
    await context.answer(update)


@replies.redraws(Redraw.KPI_BOARD)
async def redraw_kpi_board(update: Update, context: BotContext, answered: Answered) -> None:
    """After a KPI answer: the /kpi message the question came from, as the map now stands."""
    if answered.card_message_id is not None:
        await _redraw_board(update, context, answered.card_message_id)


async def moment_button(update: Update, context: BotContext, payload: InMoment) -> None:
    """⭐ on a focused touchpoint: mark it a moment of truth, or unmark it."""
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    touchpoints.set_moment_of_truth(
        context.uow(),
        chat_id=context.chat(update).id,
        touchpoint_id=payload.touchpoint_id,
        value=payload.value,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    CommandHandler("hotspots", hotspots_command),
    CommandHandler("kpi", kpi_command),
    on_press(InMoment, moment_button),
    on_press(InHotspotFix, hotspot_fix_button),
    on_press(InKpiAdd, kpi_add_button),
    on_press(InKpiBoard, kpi_board_button),
    on_press(InKpiStage, kpi_stage_button),
    on_press(InKpiValue, kpi_value_button),
]

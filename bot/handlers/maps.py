"""Maps: /newmap, /maps, /map, the step commands, switching and deleting maps."""

from telegram import Update
from telegram.ext import CommandHandler

from bot.buttons import on_press
from bot.callbacks import ConfirmDeleteMap, KeepMap, OpenOverview, OpenStep, SwitchMap
from bot.context import BotContext
from bot.handlers import held
from bot.keyboards import delete_map_keyboard, maps_keyboard, status_keyboard
from bot.messages import pack
from bot.permissions import require_admin
from cjm.models import Step
from cjm.render.summary import summary_blocks
from cjm.services import maps, results
from cjm.views import CardView, MapView, Unconfirmed


async def newmap_command(update: Update, context: BotContext) -> None:
    """/newmap <title>: start a map in this group and post the persona card."""
    settings = context.deps.settings
    journey = maps.create_map(
        context.uow(),
        chat=context.group_chat(update),
        actor=context.actor(update),
        title=" ".join(context.args or []),
        default_language=settings.bot_default_language,
        default_tz=settings.bot_default_timezone,
    )
    if isinstance(journey, Unconfirmed):  # another map has the title: ask first
        await held.ask_to_keep(update, context, journey)
        return
    await context.reply(update, "chat/maps/created.html", map=journey)
    await context.post_card(update, CardView(journey, Step.PERSONA))


async def maps_command(update: Update, context: BotContext) -> None:
    """/maps: list the chat's maps with a button to switch to each."""
    summaries = maps.list_maps(context.uow(), chat_id=context.group_chat(update).id)
    await context.reply(
        update,
        "chat/maps/list.html",
        summaries=summaries,
        reply_markup=maps_keyboard(summaries, context.labels(update)),
    )


async def show_summary(update: Update, context: BotContext, journey: MapView) -> None:
    """The map as text, stage by stage, in as few messages as fit; step buttons on the last."""
    # The same survey scores the picture and the exports show.
    scores = results.touchpoint_scores(
        context.uow(), chat_id=context.chat(update).id, map_id=journey.id, tz=journey.tz
    )
    blocks = summary_blocks(
        context.deps.texts, journey, language=context.language(update), scores=scores
    )
    *first, last = pack(blocks)
    for text in first:
        await context.send(update, text)
    await context.send(update, last, reply_markup=status_keyboard(journey, context.labels(update)))


async def map_command(update: Update, context: BotContext) -> None:
    """/map: the current map in the chat, with a button per step."""
    journey = maps.get_current_map(context.uow(), chat_id=context.group_chat(update).id)
    await show_summary(update, context, journey)


def _step_command(step: Step) -> CommandHandler[BotContext, None]:
    async def step_command(update: Update, context: BotContext) -> None:
        journey = maps.get_current_map(context.uow(), chat_id=context.group_chat(update).id)
        await context.post_card(update, CardView(journey, step))

    step_command.__doc__ = f"/{step.value}: post the card of the {step.value} step."
    return CommandHandler(step.value, step_command)


async def open_step_button(update: Update, context: BotContext, payload: OpenStep) -> None:
    """A step button (or Back / Next): post that step's card."""
    journey = maps.get_map(context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id)
    await context.post_card(update, CardView(journey, payload.step))
    await context.answer(update)


async def open_overview_button(update: Update, context: BotContext, payload: OpenOverview) -> None:
    """Map / Done under a card: the map as text with its step buttons."""
    journey = maps.get_map(context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id)
    await show_summary(update, context, journey)
    await context.answer(update)


async def switch_map_button(update: Update, context: BotContext, payload: SwitchMap) -> None:
    """Make another map current."""
    journey = maps.switch_map(
        context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id
    )
    await context.reply(
        update,
        "chat/maps/switched.html",
        map=journey,
        reply_markup=status_keyboard(journey, context.labels(update)),
    )
    await context.answer(update)


async def deletemap_command(update: Update, context: BotContext) -> None:
    """/deletemap: ask an admin to confirm deleting the current map."""
    chat = context.group_chat(update)
    await require_admin(update, context)
    journey = maps.get_current_map(context.uow(), chat_id=chat.id)
    await context.reply(
        update,
        "chat/maps/confirm_delete.html",
        map=journey,
        reply_markup=delete_map_keyboard(journey.id, context.labels(update)),
    )


async def confirm_delete_map_button(
    update: Update, context: BotContext, payload: ConfirmDeleteMap
) -> None:
    """The "Yes, delete" button: an admin deletes the map for good."""
    # Whose map first: another chat's (a forged press) is gone to everyone, admin or not.
    maps.require_own_map(context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id)
    await require_admin(update, context)
    title = maps.delete_map(context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id)
    await context.edit_query_message(
        update, "chat/maps/deleted.html", title=title, who=context.actor(update).name
    )
    await context.answer(update)


async def keep_map_button(update: Update, context: BotContext, payload: KeepMap) -> None:
    """The "Cancel" button under the delete question."""
    journey = maps.get_map(context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id)
    await context.edit_query_message(update, "chat/maps/kept.html", map=journey)
    await context.answer(update)


HANDLERS = [
    CommandHandler("newmap", newmap_command),
    CommandHandler("maps", maps_command),
    CommandHandler("map", map_command),
    CommandHandler("deletemap", deletemap_command),
    *(_step_command(step) for step in Step),
    on_press(OpenStep, open_step_button),
    on_press(OpenOverview, open_overview_button),
    on_press(SwitchMap, switch_map_button),
    on_press(ConfirmDeleteMap, confirm_delete_map_button),
    on_press(KeepMap, keep_map_button),
]

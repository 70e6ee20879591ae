"""Seeing and sharing the map: /picture, /export and /import."""

import asyncio
import io

from telegram import Document, InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler

from bot.buttons import on_press
from bot.callbacks import ExportAs
from bot.context import BotContext
from bot.handlers import replies
from bot.handlers.maps import show_summary
from bot.keyboards import button, rows
from bot.limits import fits_telegram_photo
from cjm.errors import ImportRefused
from cjm.exports import MAX_IMPORT_BYTES
from cjm.models import PromptKind
from cjm.services import imports, maps, outputs, prompts
from cjm.services.outputs import ExportFormat

FORMATS = tuple(ExportFormat)


async def picture_command(update: Update, context: BotContext) -> None:
    """/picture: the map as a PNG (a document when Telegram would refuse it as a photo)."""
    chat = context.group_chat(update)
    maps.require_current_map(context.uow(), chat_id=chat.id)  # no map: say so, nothing else
    await context.bot.send_chat_action(chat.id, "upload_photo")
    picture = await asyncio.to_thread(
        outputs.picture, context.uow(), context.deps.texts, chat_id=chat.id
    )
    if fits_telegram_photo(len(picture.data), picture.width_px, picture.height_px):
        await context.bot.send_photo(chat.id, picture.data, filename=picture.filename)
    else:
        await context.bot.send_document(chat.id, picture.data, filename=picture.filename)


async def export_command(update: Update, context: BotContext) -> None:
    """/export: a button per file format (without a map: say so, and offer none)."""
    maps.require_current_map(context.uow(), chat_id=context.group_chat(update).id)
    labels = context.labels(update)
    keyboard = InlineKeyboardMarkup(
        rows(
            (button(labels.export_format(fmt.value), ExportAs(fmt)) for fmt in FORMATS),
            3,
        )
    )
    await context.reply(update, "chat/maps/export.html", reply_markup=keyboard)


async def export_button(update: Update, context: BotContext, payload: ExportAs) -> None:
    """A format button: send the current map as that file.

    The press is answered once: checked first, so a stale button (the map deleted since)
    gets the "no map" pop-up instead of an answer followed by a second, refused one.
    """
    chat_id = context.chat(update).id
    maps.require_current_map(context.uow(), chat_id=chat_id)
    await context.answer(update)
    await context.bot.send_chat_action(chat_id, "upload_document")
    file = await asyncio.to_thread(
        outputs.export,
        context.uow(),
        context.deps.texts,
        chat_id=chat_id,
        fmt=payload.fmt,
    )
    await context.bot.send_document(chat_id, io.BytesIO(file.data), filename=file.filename)


async def import_command(update: Update, context: BotContext) -> None:
    """/import: as a reply to a JSON export, import it; alone, ask for the file."""
    context.group_chat(update)
    message = update.effective_message
    replied = message.reply_to_message if message else None
    if replied is not None and replied.document is not None:
        await import_document(update, context, replied.document)
        return
    asked = prompts.prepare(
        context.uow(), chat_id=context.chat(update).id, kind=PromptKind.MAP_IMPORT
    )
    await context.ask(update, asked)


@replies.takes_files(PromptKind.MAP_IMPORT)
async def import_reply(update: Update, context: BotContext, message: Message) -> None:
    """A reply to the import question: the file is the map; text gets "send the file"."""
    if message.document is None:
        raise ImportRefused(reason="not_a_file")
    await import_document(update, context, message.document)


async def import_document(update: Update, context: BotContext, document: Document) -> None:
    """Download a JSON export and create a copy of its map in this chat."""
    if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
        raise ImportRefused(reason="too_large", limit_mb=MAX_IMPORT_BYTES // 2**20)
    data = await (await document.get_file()).download_as_bytearray()
    settings = context.deps.settings
    # Reading and storing up to 2 MB of map takes a while: off the event loop, so other
    # chats' updates go on meanwhile (issue 13).
    journey = await asyncio.to_thread(
        imports.import_map_file,
        context.uow(),
        chat=context.group_chat(update),
        actor=context.actor(update),
        data=bytes(data),
        default_language=settings.bot_default_language,
        default_tz=settings.bot_default_timezone,
    )
    await context.reply(update, "chat/maps/imported.html", map=journey)
    await show_summary(update, context, journey)


HANDLERS = [
    CommandHandler("picture", picture_command),
    CommandHandler("export", export_command),
    CommandHandler("import", import_command),
    on_press(ExportAs, export_button),
]

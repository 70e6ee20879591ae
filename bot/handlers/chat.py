"""The chat itself: /start, /help, /language, /cancel, joining, leaving and migrating."""

from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Message,
    Update,
)
from telegram.ext import (
    Application,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.buttons import on_press
from bot.callbacks import SetLanguage
from bot.context import BotContext
from bot.errors import follow_migration
from bot.keyboards import language_keyboard
from cjm.render.texts import Texts
from cjm.services import chats, members, prompts
from cjm.services.chats import LANGUAGES
from cjm.services.members import SeenUser

# What customers can do in a private chat with the bot (surveys' side).
CUSTOMER_COMMANDS = ("start", "forgetme", "stop", "help")

# The command menu, in the order Telegram shows it (descriptions: templates/chat/commands.html).
COMMANDS = (
    "newmap",
    "map",
    "maps",
    "persona",
    "stages",
    "touchpoints",
    "emotions",
    "pains",
    "fixes",
    "picture",
    "export",
    "import",
    "survey",
    "results",
    "hotspots",
    "kpi",
    "cancel",
    "language",
    "timezone",
    "brand",
    "review",
    "history",
    "deletemap",
    "help",
)


async def start_command(update: Update, context: BotContext) -> None:
    """/start: say what the bot does and how to begin."""
    await context.reply(update, "chat/welcome.html")


async def help_command(update: Update, context: BotContext) -> None:
    """/help: every command with what it does."""
    await context.reply(update, "chat/help.html", command_names=COMMANDS)


async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel: close the open questions (and answers waiting for a yes), or say none is open."""
    cancelled = prompts.cancel_open(context.uow(), chat_id=context.chat(update).id)
    await context.reply(update, "chat/cancelled.html", cancelled=cancelled)


async def note_members(update: Update, context: BotContext) -> None:
    """Before every handler: remember who writes in a group, so an @owner can be checked."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type not in ("group", "supergroup"):
        return
    users = [update.effective_user] if update.effective_user is not None else []
    if message is not None:
        users += message.new_chat_members or ()
    members.note(
        context.uow(),
        chat_id=chat.id,
        users=[SeenUser(user.id, user.username, user.is_bot) for user in users],
    )


class _OnlyMentionsTheBot(filters.MessageFilter):
    """A message that is just "@this_bot": someone calling the bot without saying what for.

    Telegram delivers a message that mentions the bot by username even in privacy mode
    (BotFather's /setprivacy: "messages that either start with the '/' symbol or mention the
    bot by username").
    """

    def filter(self, message: Message) -> bool:
        text = (message.text or "").strip()
        username = message.get_bot().username
        return bool(username) and text.casefold() == f"@{username}".casefold()


async def mention_message(update: Update, context: BotContext) -> None:
    """ "@this_bot" alone: the short help, how to begin."""
    await context.reply(update, "chat/welcome.html")


async def language_command(update: Update, context: BotContext) -> None:
    """/language [en|ru|zh]: switch directly, or offer a button per language."""
    if context.args:
        chats.set_language(
            context.uow(),
            context.chat_ref(update),
            language=context.args[0],
            default_tz=context.deps.settings.bot_default_timezone,
        )
        context.forget_chat()
        await context.reply(update, "chat/language_set.html")
        return
    await context.reply(
        update, "chat/language.html", reply_markup=language_keyboard(context.labels(update))
    )


async def brand_command(update: Update, context: BotContext) -> None:
    """/brand [name]: show the brand or product the survey questions name, or set it."""
    chat = context.group_chat(update)
    name = _command_text(update)
    if name:
        settings = context.deps.settings
        chats.set_brand(
            context.uow(),
            chat,
            text=name,
            default_language=settings.bot_default_language,
            default_tz=settings.bot_default_timezone,
        )
        context.forget_chat()
    await context.reply(
        update, "chat/brand.html", brand=context.chat(update).brand, changed=bool(name)
    )


def _command_text(update: Update) -> str:
    """What follows the command in its message ("/brand Acme Shop" → "Acme Shop")."""
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def language_button(update: Update, context: BotContext, payload: SetLanguage) -> None:
    """A language button."""
    chats.set_language(
        context.uow(),
        context.chat_ref(update),
        language=payload.language,
        default_tz=context.deps.settings.bot_default_timezone,
    )
    context.forget_chat()
    await context.edit_query_message(update, "chat/language_set.html")
    await context.answer(update)


async def migrated(update: Update, context: BotContext) -> None:
    """The group became a supergroup: everything follows it to the new id, cards are reposted.

    Either service message may come first (the old group's migrate_to_chat_id or the
    supergroup's migrate_from_chat_id, https://core.telegram.org/bots/api#message); the
    first moves the chat, the second finds nothing left to move.
    """
    message = update.effective_message
    assert message is not None  # noqa: S101  (filtered on StatusUpdate.MIGRATE)
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await follow_migration(context.application, old_id, new_id)


async def membership_changed(update: Update, context: BotContext) -> None:
    """The bot was added (greet) or removed (remember; keep every map)."""
    change = update.my_chat_member
    assert change is not None  # noqa: S101  (ChatMemberHandler.MY_CHAT_MEMBER)
    if change.new_chat_member.status in ("left", "kicked"):
        chats.mark_unreachable(context.uow(), chat_id=change.chat.id)
    elif change.old_chat_member.status in ("left", "kicked") and change.chat.type != "private":
        # In private, unblocking is pressing "Restart", which sends the /start that greets.
        await context.reply(update, "chat/welcome.html")


async def register_commands(
    application: Application[Any, Any, Any, Any, Any, Any], texts: Texts
) -> None:
    """Publish the command menus (setMyCommands): the team's in groups, customers' in DMs."""
    menus = (
        (COMMANDS, BotCommandScopeAllGroupChats()),
        (CUSTOMER_COMMANDS, BotCommandScopeAllPrivateChats()),
    )
    for language in LANGUAGES:
        code = None if language == "en" else language
        for names, scope in menus:
            commands = [
                BotCommand(
                    name,
                    texts.plain_macro(language, "chat/commands.html", "describe", command=name),
                )
                for name in names
            ]
            await application.bot.set_my_commands(commands, scope=scope, language_code=code)


HANDLERS = [
    CommandHandler("start", start_command),
    CommandHandler("help", help_command),
    CommandHandler("cancel", cancel_command),
    CommandHandler("language", language_command),
    CommandHandler("brand", brand_command),
    MessageHandler(filters.TEXT & ~filters.REPLY & _OnlyMentionsTheBot(), mention_message),
    on_press(SetLanguage, language_button),
    MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
    ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
]

"""The Bot API methods the double answers, one module per area, in one table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tests.double.methods import bot, callbacks, chats, files, messages, updates

if TYPE_CHECKING:
    from tests.double.wire import Call
    from tests.double.world import World

__all__ = ["METHODS", "Handler", "find_method"]

Handler = Callable[["World", "Call"], Awaitable[Any]]

# A new method is one row here; any other name answers 404 like Telegram.
METHODS: dict[str, Handler] = {
    "getMe": bot.get_me,
    "logOut": bot.true,
    "close": bot.true,
    "deleteWebhook": updates.delete_webhook,
    "setWebhook": updates.set_webhook,
    "getWebhookInfo": updates.get_webhook_info,
    "getUpdates": updates.get_updates,
    "setMyCommands": bot.set_my_commands,
    "getMyCommands": bot.get_my_commands,
    "deleteMyCommands": bot.delete_my_commands,
    "sendMessage": messages.send_message,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "answerCallbackQuery": callbacks.answer_callback_query,
    "sendPhoto": files.send_photo,
    "sendDocument": files.send_document,
    "sendChatAction": chats.send_chat_action,
    "getChat": chats.get_chat,
    "getChatMember": chats.get_chat_member,
    "getChatAdministrators": chats.get_chat_administrators,
    "getChatMemberCount": chats.get_chat_member_count,
    "getFile": files.get_file,
    "leaveChat": chats.leave_chat,
    "setChatMenuButton": bot.set_chat_menu_button,
    "getChatMenuButton": bot.get_chat_menu_button,
}
# Bot API: "All methods in the Bot API are case-insensitive".
_BY_LOWER_NAME = {name.lower(): (name, handler) for name, handler in METHODS.items()}


def find_method(name: str) -> tuple[str, Handler] | None:
    """The canonical name and handler for a method name in any case, None if unknown."""
    return _BY_LOWER_NAME.get(name.lower())

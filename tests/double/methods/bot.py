"""Bot API methods about the bot itself: getMe, logOut/close, its commands and menu button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.double.rules import check_commands
from tests.double.wire import Call, JsonDict, as_int

if TYPE_CHECKING:
    from tests.double.world import World


async def true(world: World, call: Call) -> bool:
    """logOut and close: nothing to release in the double."""
    return True


async def get_me(world: World, call: Call) -> JsonDict:
    """getMe: the bot's User with the bot-only fields."""
    return {
        **world.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def set_my_commands(world: World, call: Call) -> bool:
    """setMyCommands: per scope and language; an empty list deletes them."""
    p = call.params
    clean = check_commands(p.get("commands"))
    key = commands_key(p)
    if clean:
        world.command_lists[key] = clean
    else:
        world.command_lists.pop(key, None)
    return True


async def get_my_commands(world: World, call: Call) -> list[JsonDict]:
    """getMyCommands: exactly that scope and language, no fallback."""
    return list(world.command_lists.get(commands_key(call.params), []))


async def delete_my_commands(world: World, call: Call) -> bool:
    """deleteMyCommands."""
    world.command_lists.pop(commands_key(call.params), None)
    return True


async def set_chat_menu_button(world: World, call: Call) -> bool:
    """setChatMenuButton: per chat, or the default without chat_id."""
    button = call.params.get("menu_button") or {"type": "default"}
    world.menu_buttons[as_int(call.params.get("chat_id"))] = button
    return True


async def get_chat_menu_button(world: World, call: Call) -> JsonDict:
    """getChatMenuButton."""
    return world.menu_buttons.get(as_int(call.params.get("chat_id")), {"type": "default"})


def commands_key(p: JsonDict) -> tuple[str, str]:
    """Where setMyCommands stores a list: (scope key, language code)."""
    return scope_key(p.get("scope")), str(p.get("language_code") or "")


def scope_key(scope: JsonDict | str | None) -> str:
    """A BotCommandScope as a string: its type plus chat_id/user_id when it has them."""
    if scope is None or scope == "":
        return "default"
    if isinstance(scope, str):
        return scope
    parts = [str(scope.get("type", "default"))]
    for extra in ("chat_id", "user_id"):
        if scope.get(extra) is not None:
            parts.append(str(scope[extra]))
    return ":".join(parts)

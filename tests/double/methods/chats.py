"""Bot API methods on chats and their members: getChat, getChatMember…, leaveChat, actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.double.rules import CHAT_ACTIONS, chat_for_send
from tests.double.wire import Call, JsonDict, bad, chat_member_dict, int_param

if TYPE_CHECKING:
    from tests.double.state import ChatSpec
    from tests.double.world import World


async def send_chat_action(world: World, call: Call) -> bool:
    """sendChatAction: recorded in `chat_actions`."""
    chat = chat_for_send(world, call.params.get("chat_id"))
    action = str(call.params.get("action") or "")
    if action not in CHAT_ACTIONS:
        raise bad("wrong parameter action in request")
    world.chat_actions.append((chat.id, action))
    return True


async def get_chat(world: World, call: Call) -> JsonDict:
    """getChat: the ChatFullInfo object."""
    chat = chat_for_send(world, call.params.get("chat_id"), private_checks=False)
    info = chat.api_dict()
    info.pop("all_members_are_administrators", None)
    info.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    return info


async def get_chat_member(world: World, call: Call) -> JsonDict:
    """getChatMember: the bot or a member the double knows."""
    chat = chat_for_send(world, call.params.get("chat_id"), private_checks=False)
    user_id = int_param(call.params, "user_id", 0)
    if user_id == world.bot_id:
        return chat_member_dict(world.bot_user(), chat.bot_status)
    member = world.members.get(user_id)
    if member is None:
        raise bad("user not found")
    return chat_member_dict(
        member.user_dict(),
        _status_of(chat, member.id),
        anonymous=member.id in chat.anonymous_admin_ids,
    )


async def get_chat_administrators(world: World, call: Call) -> list[JsonDict]:
    """getChatAdministrators: the owner, the admins and the bot if it is one."""
    chat = chat_for_send(world, call.params.get("chat_id"), private_checks=False)
    if not chat.is_group:
        raise bad("there are no administrators in the private chat")
    result = []
    for uid in chat.member_ids:
        status = _status_of(chat, uid)
        if status in ("creator", "administrator"):
            result.append(chat_member_dict(world.members[uid].user_dict(), status))
    if chat.bot_status == "administrator":
        result.append(chat_member_dict(world.bot_user(), "administrator"))
    return result


async def get_chat_member_count(world: World, call: Call) -> int:
    """getChatMemberCount: members plus the bot while it is in the chat."""
    chat = chat_for_send(world, call.params.get("chat_id"), private_checks=False)
    if chat.private_user is not None:
        return 2
    return len(chat.member_ids) + (1 if chat.bot_status in ("member", "administrator") else 0)


async def leave_chat(world: World, call: Call) -> bool:
    """leaveChat: groups only; emits my_chat_member."""
    chat = chat_for_send(world, call.params.get("chat_id"), private_checks=False)
    if not chat.is_group:
        raise bad("chat member status can't be changed in private chats")
    old = chat.bot_status
    chat.bot_status = "left"
    world.emit_my_chat_member(chat, None, old, "left")
    world.notify()
    return True


def _status_of(chat: ChatSpec, user_id: int) -> str:
    if chat.private_user is not None:
        return "member" if user_id == chat.id else "left"
    if user_id not in chat.member_ids:
        return "left"
    if user_id == chat.owner_id:
        return "creator"
    return "administrator" if user_id in chat.admin_ids else "member"

"""Chat transcripts in Markdown, for test failure reports and `transcript_markdown`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.double.wire import JsonDict

if TYPE_CHECKING:
    from tests.double.state import SentMessage

__all__ = ["render"]


def render(msg: SentMessage) -> str:
    """One message as members saw it, in Markdown (service messages in italics)."""
    who = msg.sender_name
    if msg.kind == "service":
        return f"_{_describe_service(who, msg.service)}_"
    head = f"**{who}**"
    if msg.reply_to is not None:
        snippet = msg.reply_to.content.splitlines()[0][:40] if msg.reply_to.content else ""
        head += f" (↩ {msg.reply_to.sender_name}: {snippet})"
    body = msg.text if msg.text is not None else ""
    if msg.file is not None:
        icon = {"document": "📎", "photo": "📎"}.get(msg.kind, f"[{msg.kind}]")
        body = f"{icon} {msg.file.filename}" + (f" — {msg.caption}" if msg.caption else "")
    if msg.deleted:
        body = f"~~{body}~~ (deleted)"
    elif msg.edits:
        body += " (edited)"
    lines = [f"{head}: {body}"]
    for row in msg.buttons:
        lines.append("  " + " ".join(f"[{b.text}]" for b in row))
    if msg.force_reply:
        lines.append("  (asks for a reply)")
    return "\n".join(lines)


def _describe_service(who: str, service: JsonDict) -> str:
    if "new_chat_members" in service:
        names = ", ".join(u.get("first_name", "?") for u in service["new_chat_members"])
        return f"{who} added {names}"
    if "left_chat_member" in service:
        return f"{who} removed {service['left_chat_member'].get('first_name', '?')}"
    if "migrate_to_chat_id" in service:
        return "group upgraded to a supergroup"
    if "migrate_from_chat_id" in service:
        return "supergroup created from a group"
    return f"{who}: {', '.join(service)}"

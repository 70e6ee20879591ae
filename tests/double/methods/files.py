"""Bot API methods on files: sendPhoto, sendDocument and getFile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.double.html import ParsedText
from tests.double.rules import (
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    chat_for_send,
    check_caption,
    check_markup,
    check_photo,
    parse_text,
    rate_check,
    reply_target,
    strip,
)
from tests.double.wire import ApiError, Call, JsonDict, bad, message_dict

if TYPE_CHECKING:
    from tests.double.state import StoredFile
    from tests.double.world import World

# A 1x1 PNG: what a photo "downloaded" from a URL holds, and a member's default picture.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


async def send_photo(world: World, call: Call) -> JsonDict:
    """sendPhoto."""
    return _send_media(world, call, "photo")


async def send_document(world: World, call: Call) -> JsonDict:
    """sendDocument."""
    return _send_media(world, call, "document")


async def get_file(world: World, call: Call) -> JsonDict:
    """getFile: a path under /file/bot<token>/ for files of at most 20 MB."""
    stored = world.files.get(str(call.params.get("file_id") or ""))
    if stored is None:
        raise bad("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD_BYTES:
        raise bad("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


def _send_media(world: World, call: Call, kind: str) -> JsonDict:
    p = call.params
    chat = chat_for_send(world, p.get("chat_id"))
    stored = _media_param(world, call, kind)
    raw_caption = p.get("caption")
    caption: ParsedText | None = None
    if raw_caption:
        caption = strip(
            parse_text(world, str(raw_caption), p.get("parse_mode"), p.get("caption_entities"))
        )
        check_caption(caption)
    markup = check_markup(p.get("reply_markup"), edit=False)
    reply_to = reply_target(world, chat, p)
    rate_check(world, call.method, chat)
    world.register_file(stored)
    msg = world.new_message(
        chat,
        from_bot=True,
        sender=None,
        kind=kind,
        file=stored,
        caption=caption.text if caption and caption.text else None,
        caption_html=str(raw_caption) if raw_caption else None,
        caption_entities=caption.entities if caption else [],
        reply_markup=markup,
        reply_to=reply_to,
    )
    world.notify()
    return message_dict(world, msg)


def _media_param(world: World, call: Call, kind: str) -> StoredFile:
    # Sending files: an upload (multipart, or attach://<name>), a known file_id or a URL.
    value = call.params.get(kind)
    upload = call.files.get(kind)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = call.files.get(value[len("attach://") :])
    if upload is not None:
        if not upload.data:
            raise bad("file must be non-empty")
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        filename = upload.filename or f"{kind}.bin"
        mime = upload.content_type or "application/octet-stream"
        stored = world.make_file(kind, filename, upload.data, mime)
    elif isinstance(value, str) and value in world.files:
        stored = world.files[value]  # resending by file_id
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or f"{kind}.bin"
        stored = world.make_file(kind, name, TINY_PNG, "image/png")
    elif value:
        raise bad("wrong file identifier/HTTP URL specified")
    else:
        raise bad(f"there is no {kind} in the request")
    if kind == "photo":
        check_photo(stored)
    return stored

"""Telegram's limits the adapter enforces, so that the core never needs to know them."""

from __future__ import annotations

# Texts, as the Bot API documentation (core.telegram.org/bots/api) states them: sendMessage
# `text` "1-4096 characters after entities parsing", sendPhoto/sendDocument `caption` "0-1024
# characters after entities parsing", answerCallbackQuery `text` "0-200 characters".
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200

# sendPhoto, as the Bot API documentation states its `photo` parameter: "The photo must be at
# most 10 MB in size. The photo's width and height must not exceed 10000 in total. Width and
# height ratio must be at most 20." Past any of these, Telegram refuses the photo outright.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE_SUM = 10000  # px: width + height
MAX_PHOTO_RATIO = 20  # the long side at most 20 times the short one
# Not a refusal but what Telegram keeps: it scales a photo's long side down to 2560 px (its
# largest PhotoSize). cjm.render.png.layout draws pictures for the same 2560 and 1080.
PHOTO_LONG_SIDE = 2560  # px
READABLE_WIDTH = 1080  # px: a phone screen, where the picture's text is at least 12 px


def fits_telegram_photo(
    size_bytes: int, width: int, height: int, *, min_width: int | None = READABLE_WIDTH
) -> bool:
    """Whether to send a picture of this size as a photo rather than as a document.

    Telegram takes a photo within the sendPhoto limits above, and then scales its long side
    down to PHOTO_LONG_SIDE: a tall map would shrink below a phone's width, with its text
    under 12 px. So unless `min_width` is None, the photo must also stay at least `min_width`
    px wide after that scaling.
    """
    accepted = (
        size_bytes <= MAX_PHOTO_BYTES
        and width + height <= MAX_PHOTO_SIDE_SUM
        and max(width, height) <= MAX_PHOTO_RATIO * min(width, height)
    )
    kept_width = width * min(1.0, PHOTO_LONG_SIDE / max(width, height))
    return accepted and (min_width is None or kept_width >= min_width)

"""The limits a map keeps to, and the one place user text is cleaned and checked against them."""

import re
import unicodedata

from cjm.errors import TextEmpty, TextTooLong

MAX_MAPS_PER_CHAT = 20
MAX_STAGES = 12
MAX_TOUCHPOINTS_PER_STAGE = 8
MAX_PAINS_PER_MAP = 100
MAX_FIXES_PER_PAIN = 10
MAX_KPIS_PER_STAGE = 5
# What an imported file may hold beyond the limits above (members vote and record freely):
# enough for a big team and years of weekly values, small enough to store in a moment.
MAX_VOTES_PER_TOUCHPOINT = 500
MAX_VALUES_PER_KPI = 1000

TITLE_MAX_CHARS = 100
NAME_MAX_CHARS = 100
CHANNEL_MAX_CHARS = 40
TEXT_MAX_CHARS = 500
NOTE_MAX_CHARS = 300
OWNER_MAX_CHARS = 64
KPI_UNIT_MAX_CHARS = 20  # Kpi.unit's column width
BRAND_MAX_CHARS = 64  # a brand or product name, as the survey questions say it
# A customer's "why?": a long one arrives in parts (Telegram's clients split a text over
# 4,096 characters), and the bot joins them into one comment up to this many characters.
COMMENT_MAX_CHARS = 10_000

MIN_ANSWERS = 5  # below it a survey's score is "too few answers", not a number

# Control characters (C0 but newline and tab, DEL, C1) break rendering in every output.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str | None, *, field: str, limit: int, multiline: bool = False) -> str:
    """Strip and normalise a member's text; raise TextEmpty / TextTooLong with the field's name."""
    text = unicodedata.normalize("NFC", CONTROL_CHARACTERS.sub("", value or "")).strip()
    if not multiline:
        text = " ".join(text.split())
    if not text:
        raise TextEmpty(field=field)
    if len(text) > limit:
        raise TextTooLong(field=field, limit=limit, length=len(text))
    return text


def split_lines(value: str | None, *, field: str) -> list[str]:
    """Split a multi-line answer into its non-empty lines (one item per line)."""
    lines = [line for line in (value or "").splitlines() if line.strip()]
    if not lines:
        raise TextEmpty(field=field)
    return lines

"""The limits a map keeps to, and the one place user text is cleaned and checked against them."""

import re
import unicodedata

from cjm.errors import DuplicateName, TextBlank, TextEmpty, TextTooLong

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
ZERO_WIDTH_JOINER = "\u200d"  # a format character, kept only where it joins an emoji sequence
# Letters that draw nothing: the Hangul fillers and the blank braille pattern (issue #12).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# What makes text a name or an answer: a letter, a digit or a symbol (an emoji); punctuation,
# spaces and marks alone ("." or "—") are not. A code point this Python's Unicode does not
# know yet (Cn: a newer emoji) or a private-use one (Co) may well show, so it counts too.
_MEANINGFUL = ("L", "N", "S", "Cn", "Co")


def normalise(value: str | None, *, multiline: bool = False) -> str:
    """A member's text as stored and compared: NFKC, no invisible characters, spaces collapsed.

    Format characters (zero-width spaces, joiners, soft hyphens), control characters, Hangul
    fillers and the blank braille pattern are dropped; runs of spaces become one space (and,
    for multi-line text, each line keeps its own).
    """
    # Dropped before NFKC and after it (NFKC makes U+3164 a U+1160), then composed again
    # across what was dropped, so that normalising twice changes nothing.
    text = _visible(unicodedata.normalize("NFKC", _visible(value or "")))
    text = unicodedata.normalize("NFKC", text)
    if not multiline:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(lines).strip()


def _visible(text: str) -> str:
    text = CONTROL_CHARACTERS.sub("", text)
    kept: list[str] = []
    for index, char in enumerate(text):
        if char in _BLANK_LETTERS:
            continue
        if unicodedata.category(char) == "Cf" and not _joins_emoji(text, index):
            continue
        kept.append(char)
    return "".join(kept)


def _joins_emoji(text: str, index: int) -> bool:
    """A zero-width joiner inside an emoji sequence (👩\u200d💼): part of the picture."""
    if text[index] != ZERO_WIDTH_JOINER or not 0 < index < len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    # Before: the emoji itself, its skin tone (Sk) or its emoji presentation selector (Mn).
    return (
        unicodedata.category(before) in ("So", "Sk", "Mn") and unicodedata.category(after) == "So"
    )


def name_key(value: str | None) -> str:
    """What two names are compared by: normalised and case-folded ("По\u200bиск" is "поиск")."""
    return normalise(value).replace(ZERO_WIDTH_JOINER, "").casefold()


def is_meaningful(text: str) -> bool:
    """Whether normalised text says something: a letter, digit or symbol, not punctuation alone."""
    return any(
        unicodedata.category(char)[0] in _MEANINGFUL or unicodedata.category(char) in _MEANINGFUL
        for char in text
    )


def clean_text(value: str | None, *, field: str, limit: int, multiline: bool = False) -> str:
    """Normalise a member's text; raise TextEmpty, TextBlank or TextTooLong naming the field."""
    text = normalise(value, multiline=multiline)
    if not text:
        raise TextEmpty(field=field)
    if not is_meaningful(text):
        raise TextBlank(field=field)
    if len(text) > limit:
        raise TextTooLong(field=field, limit=limit, length=len(text))
    return text


def split_lines(value: str | None, *, field: str) -> list[str]:
    """Split a multi-line answer into its lines with something visible (one item per line)."""
    lines = [line for line in (value or "").splitlines() if normalise(line)]
    if not lines:
        raise TextEmpty(field=field)
    return lines


def new_names(
    names: list[str], taken: list[str], *, kind: str
) -> tuple[list[str], tuple[str, ...]]:
    """Split a list reply's names into those to add and those already there (or said twice).

    DuplicateName when nothing is left to add: a reply of duplicates only changes nothing.
    """
    seen = {name_key(name) for name in taken}
    fresh: list[str] = []
    skipped: list[str] = []
    for name in names:
        key = name_key(name)
        (skipped if key in seen else fresh).append(name)
        seen.add(key)
    if not fresh:
        raise DuplicateName(kind=kind, name=skipped[0])
    return fresh, tuple(skipped)

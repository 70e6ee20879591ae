"""What a reply's author saw: the item the step card showed when they replied to it.

A card's focus changes when any member presses a button, and the card is redrawn a moment
later; a reply typed meanwhile carries the card as its author saw it (the replied-to message's
buttons, which Telegram sends with the reply). The buttons that act on the focused item
(ask, vote, set, delete) name it by id, so the focus the author saw is the one whose keyboard
has the same of those buttons. The reply goes there; when no focus on the map matches (the
item went, or the card changed beyond recognition), the author is asked, never redirected.
"""

from collections.abc import Iterator

from telegram import InlineKeyboardMarkup, Message

from bot.callbacks import (
    Ask,
    AskDelete,
    Button,
    SetCategory,
    SetChannel,
    SetFixStatus,
    SetMode,
    SetSeverity,
    Vote,
)
from bot.keyboards import card_keyboard
from cjm.cards import resolve
from cjm.errors import FocusMoved
from cjm.models import FocusKind, Step
from cjm.services.prompts import THE_LIST, Seen, focus_name
from cjm.views import CardView

# Buttons that act on the focused item and name it; navigation, moves and item lists (which
# change as members add items) are left out, so a card that only grew still matches.
_ACTING: tuple[type[Button], ...] = (
    Ask,
    AskDelete,
    Vote,
    SetChannel,
    SetMode,
    SetCategory,
    SetSeverity,
    SetFixStatus,
)
_ACTING_PREFIXES = tuple(f"{payload.prefix}:" for payload in _ACTING)

# What a reply to each card adds to, and which focuses the card can show.
_SUBJECT: dict[Step, FocusKind] = {
    Step.STAGES: FocusKind.STAGE,  # a stage's goal; with none in focus, new stages
    Step.TOUCHPOINTS: FocusKind.STAGE,
    Step.EMOTIONS: FocusKind.TOUCHPOINT,
    Step.PAINS: FocusKind.STAGE,
    Step.FIXES: FocusKind.PAIN,
}


def _fingerprint(rows: object) -> frozenset[str]:
    return frozenset(
        data
        for row in rows  # type: ignore[attr-defined]  # a keyboard's rows
        for button in row
        if isinstance(data := button.callback_data, str) and data.startswith(_ACTING_PREFIXES)
    )


def _subject(card: CardView) -> Seen | None:
    focus = resolve(card)
    item = {
        FocusKind.STAGE: focus.stage,
        FocusKind.TOUCHPOINT: focus.touchpoint,
        FocusKind.PAIN: focus.pain,
    }[_SUBJECT[card.step]]
    if item is None:
        # The stages card without a stage in focus shows the list, and a reply adds stages.
        return (FocusKind.STAGE, THE_LIST) if card.step is Step.STAGES else None
    return (_SUBJECT[card.step], item.id)


def _candidates(card: CardView) -> Iterator[CardView]:
    journey = card.map
    items = {
        FocusKind.STAGE: [s.id for s in journey.stages],
        FocusKind.TOUCHPOINT: [t.id for t in journey.touchpoints],
        FocusKind.PAIN: [p.id for p in journey.pains],
        FocusKind.FIX: [f.id for p in journey.pains for f in p.fixes],
    }
    yield CardView(journey, card.step, card.message_id)
    for kind, ids in items.items():
        for item_id in ids:
            yield CardView(journey, card.step, card.message_id, item_id, kind)


def depends_on_focus(kind: str) -> bool:
    """Whether a reply to a card of this kind adds to what the card has in focus."""
    return any(kind == f"card.{step.value}" for step in _SUBJECT)


def seen_on(card: CardView, replied_to: Message, labels: object) -> Seen | None:
    """The item a reply to `card` adds to as its author saw it (None: the card needs none)."""
    if card.step not in _SUBJECT:
        return None  # a reply to the persona card fills the first empty field, whatever shows
    markup = replied_to.reply_markup
    seen = _fingerprint(markup.inline_keyboard) if isinstance(markup, InlineKeyboardMarkup) else {}
    current = _subject(card)
    if not seen or _fingerprint(card_keyboard(card, labels).inline_keyboard) == seen:
        return current
    matches = {
        _subject(candidate)
        for candidate in _candidates(card)
        if _fingerprint(card_keyboard(candidate, labels).inline_keyboard) == seen
    }
    matches.discard(None)
    if len(matches) == 1:
        return matches.pop()
    raise FocusMoved(shown=focus_name(card))

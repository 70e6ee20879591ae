"""Inline keyboards built from views; labels come from templates/chat/labels.html."""

from collections.abc import Iterable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    Ask,
    AskDelete,
    AskPersona,
    AttachPain,
    Button,
    ConfirmDelete,
    ConfirmDeleteMap,
    DropHeld,
    Focus,
    InMoment,
    KeepHeld,
    KeepMap,
    MoveStage,
    OpenOverview,
    OpenStep,
    SetCategory,
    SetChannel,
    SetFixStatus,
    SetLanguage,
    SetMode,
    SetSeverity,
    ShowCard,
    SwitchMap,
    UseTemplate,
    Vote,
)
from cjm.cards import STEP_ORDER, neighbour, resolve
from cjm.cards import Focus as CardFocus
from cjm.models import (
    FixStatus,
    FocusKind,
    Mode,
    PainCategory,
    PersonaField,
    PromptKind,
    Severity,
    Step,
)
from cjm.render.marks import EMOTION_EMOJI
from cjm.services.chats import LANGUAGES
from cjm.services.emotions import SCORES
from cjm.services.stages import StageTemplate
from cjm.services.touchpoints import SUGGESTED_CHANNELS, Channel
from cjm.views import CardView, MapSummary, MapView, Unconfirmed

Row = list[InlineKeyboardButton]


def button(label: str, payload: Button) -> InlineKeyboardButton:
    """One inline button; the payload packs itself (and refuses more than 64 bytes)."""
    return InlineKeyboardButton(label[:64], callback_data=payload.pack())


def rows(buttons: Iterable[InlineKeyboardButton], width: int) -> list[Row]:
    """Lay buttons out `width` to a row."""
    items = list(buttons)
    return [items[i : i + width] for i in range(0, len(items), width)]


def ask(kind: PromptKind, item_id: int) -> Ask:
    """The payload of a button that posts a question."""
    return Ask(kind, item_id)


def focus(kind: str, item_id: int | None) -> Focus:
    """The payload of a button that points the card at an item (0: the list)."""
    return Focus(FocusKind(kind), item_id or 0)


def short(text: str, limit: int = 24) -> str:
    """Cut a name to fit on a button."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card_keyboard(card: CardView, labels: Any) -> InlineKeyboardMarkup:
    """The buttons under a step card: the step's own, then Back / Map / Next."""
    focused = resolve(card)
    build = _STEP_KEYBOARDS[card.step]
    return InlineKeyboardMarkup([*build(card.map, focused, labels), _nav_row(card, labels)])


def _nav_row(card: CardView, labels: Any) -> Row:
    row = []
    previous, following = neighbour(card.step, -1), neighbour(card.step, +1)
    if previous:
        row.append(button(labels.back(), OpenStep(card.map.id, previous)))
    row.append(button(labels.overview(), OpenOverview(card.map.id)))
    if following:
        row.append(button(labels.next(), OpenStep(card.map.id, following)))
    else:
        row.append(button(labels.done(), OpenOverview(card.map.id)))
    return row


def _persona(journey: MapView, focused: CardFocus, labels: Any) -> list[Row]:
    return rows(
        (
            button(
                ("✅ " if journey.persona[f] else "") + labels.field(f.value),
                AskPersona(f),
            )
            for f in PersonaField
        ),
        2,
    )


def _stages(journey: MapView, focused: CardFocus, labels: Any) -> list[Row]:
    stage = focused.stage
    if stage is not None:
        return [
            [
                button(labels.rename(), ask(PromptKind.STAGE_RENAME, stage.id)),
                button(labels.goal(), ask(PromptKind.STAGE_GOAL, stage.id)),
            ],
            [
                button(labels.up(), MoveStage(stage.id, -1)),
                button(labels.down(), MoveStage(stage.id, +1)),
                button(labels.delete(), AskDelete(FocusKind.STAGE, stage.id)),
            ],
            [button(labels.list(), focus("stage", None))],
        ]
    keyboard: list[Row] = []
    if not journey.stages:
        keyboard.append(
            [
                button(labels.template_b2c(), UseTemplate(journey.id, StageTemplate.B2C)),
                button(labels.template_b2b(), UseTemplate(journey.id, StageTemplate.B2B)),
            ]
        )
    keyboard += rows(
        (
            button(f"{i}. {short(s.name)}", focus("stage", s.id))
            for i, s in enumerate(journey.stages, start=1)
        ),
        3,
    )
    label = labels.add() if journey.stages else labels.custom_stages()
    keyboard.append([button(label, ask(PromptKind.STAGE_ADD, journey.id))])
    return keyboard


def _stage_selector(journey: MapView, current: int | None, kind: str = "stage") -> list[Row]:
    return rows(
        (
            button(("▶ " if s.id == current else "") + short(s.name, 18), focus(kind, s.id))
            for s in journey.stages
        ),
        3,
    )


def _touchpoints(journey: MapView, focused: CardFocus, labels: Any) -> list[Row]:
    touchpoint, stage = focused.touchpoint, focused.stage
    if touchpoint is not None:
        channels = rows(
            (
                button(
                    ("✓ " if touchpoint.channel == c else "")
                    + labels.channel_in(c.value, SUGGESTED_CHANNELS[c].value),
                    SetChannel(touchpoint.id, c),
                )
                for c in Channel
            ),
            3,
        )
        return [
            *channels,
            [button(labels.channel_other(), ask(PromptKind.TOUCHPOINT_CHANNEL, touchpoint.id))],
            [
                button(
                    ("✓ " if touchpoint.mode is m else "") + labels.mode(m.value),
                    SetMode(touchpoint.id, m),
                )
                for m in Mode
            ],
            [
                button(
                    labels.moment_of_truth(touchpoint.is_moment_of_truth),
                    InMoment(touchpoint.id, not touchpoint.is_moment_of_truth),
                )
            ],
            [
                button(labels.rename(), ask(PromptKind.TOUCHPOINT_RENAME, touchpoint.id)),
                button(labels.delete(), AskDelete(FocusKind.TOUCHPOINT, touchpoint.id)),
            ],
            [button(labels.list(), focus("stage", touchpoint.stage_id))],
        ]
    if stage is None:
        return []
    return [
        *_stage_selector(journey, stage.id),
        *rows(
            (button(f"📍 {short(t.name)}", focus("touchpoint", t.id)) for t in stage.touchpoints),
            2,
        ),
        [button(labels.add_touchpoints(), ask(PromptKind.TOUCHPOINT_ADD, stage.id))],
    ]


def _emotions(journey: MapView, focused: CardFocus, labels: Any) -> list[Row]:
    touchpoint = focused.touchpoint
    if touchpoint is None:
        return []
    ids = [t.id for t in journey.touchpoints]
    index = ids.index(touchpoint.id)
    keyboard = [[button(EMOTION_EMOJI[score], Vote(touchpoint.id, score)) for score in SCORES]]
    moves = []
    if index > 0:
        moves.append(button(labels.previous_item(), focus("touchpoint", ids[index - 1])))
    moves.append(button(labels.note(), ask(PromptKind.EMOTION_NOTE, touchpoint.id)))
    if index + 1 < len(ids):
        moves.append(button(labels.next_item(), focus("touchpoint", ids[index + 1])))
    keyboard.append(moves)
    return keyboard


def _pains(journey: MapView, focused: CardFocus, labels: Any) -> list[Row]:
    pain, stage = focused.pain, focused.stage
    if pain is not None and stage is not None:
        attach = [
            button(
                ("✓ " if pain.touchpoint_id is None else "") + labels.whole_stage(),
                AttachPain(pain.id, 0),
            )
        ]
        attach += [
            button(
                ("✓ " if pain.touchpoint_id == t.id else "") + f"📍 {short(t.name)}",
                AttachPain(pain.id, t.id),
            )
            for t in stage.touchpoints
        ]
        return [
            [
                button(
                    ("✓ " if pain.category is c else "") + labels.category(c.value),
                    SetCategory(pain.id, c),
                )
                for c in PainCategory
            ],
            [
                button(
                    ("✓ " if pain.severity is s else "") + labels.severity(s.value),
                    SetSeverity(pain.id, s),
                )
                for s in Severity
            ],
            *rows(attach, 3),
            [
                button(labels.edit_text(), ask(PromptKind.PAIN_TEXT, pain.id)),
                button(labels.delete(), AskDelete(FocusKind.PAIN, pain.id)),
            ],
            [button(labels.list(), focus("stage", pain.stage_id))],
        ]
    if stage is None:
        return []
    return [
        *_stage_selector(journey, stage.id),
        *rows(
            (
                button(f"🩹 {short(p.text)}", focus("pain", p.id))
                for p in journey.pains_at(stage.id)
            ),
            2,
        ),
        [button(labels.add_pain(), ask(PromptKind.PAIN_ADD, stage.id))],
    ]


def _fixes(journey: MapView, focused: CardFocus, labels: Any) -> list[Row]:
    fix, pain = focused.fix, focused.pain
    if fix is not None:
        return [
            [
                button(
                    ("✓ " if fix.status is s else "") + labels.status(s.value),
                    SetFixStatus(fix.id, s),
                )
                for s in FixStatus
            ][:2],
            [
                button(
                    ("✓ " if fix.status is s else "") + labels.status(s.value),
                    SetFixStatus(fix.id, s),
                )
                for s in FixStatus
            ][2:],
            [
                button(labels.owner(), ask(PromptKind.FIX_OWNER, fix.id)),
                button(labels.due(), ask(PromptKind.FIX_DUE, fix.id)),
            ],
            [
                button(labels.edit_text(), ask(PromptKind.FIX_TEXT, fix.id)),
                button(labels.delete(), AskDelete(FocusKind.FIX, fix.id)),
            ],
            [button(labels.list(), focus("pain", fix.pain_point_id))],
        ]
    if pain is None:
        return []
    ids = [p.id for p in journey.pains]
    index = ids.index(pain.id)
    moves = []
    if index > 0:
        moves.append(button(labels.previous_item(), focus("pain", ids[index - 1])))
    moves.append(button(labels.add_fix(), ask(PromptKind.FIX_ADD, pain.id)))
    if index + 1 < len(ids):
        moves.append(button(labels.next_item(), focus("pain", ids[index + 1])))
    return [
        *rows((button(f"🛠 {short(f.text)}", focus("fix", f.id)) for f in pain.fixes), 2),
        moves,
    ]


_STEP_KEYBOARDS = {
    Step.PERSONA: _persona,
    Step.STAGES: _stages,
    Step.TOUCHPOINTS: _touchpoints,
    Step.EMOTIONS: _emotions,
    Step.PAINS: _pains,
    Step.FIXES: _fixes,
}


def confirm_delete_keyboard(kind: FocusKind, item_id: int, labels: Any) -> InlineKeyboardMarkup:
    """Yes / Cancel under a delete question."""
    return InlineKeyboardMarkup(
        [
            [
                button(labels.confirm_delete(), ConfirmDelete(kind, item_id)),
                button(labels.cancel(), ShowCard()),
            ]
        ]
    )


def status_keyboard(journey: MapView, labels: Any) -> InlineKeyboardMarkup:
    """/map: a button per step, marking the steps that are done."""
    return InlineKeyboardMarkup(
        rows(
            (
                button(
                    labels.step_button(i, step.value, journey.step_done(step)),
                    OpenStep(journey.id, step),
                )
                for i, step in enumerate(STEP_ORDER, start=1)
            ),
            2,
        )
    )


def maps_keyboard(summaries: Sequence[MapSummary], labels: Any) -> InlineKeyboardMarkup:
    """/maps: switch to any map that is not current."""
    return InlineKeyboardMarkup(
        [
            [button(labels.switch_to(short(s.title, 40)), SwitchMap(s.id))]
            for s in summaries
            if not s.is_current
        ]
    )


def delete_map_keyboard(map_id: int, labels: Any) -> InlineKeyboardMarkup:
    """Yes / Cancel under "delete this map?"."""
    return InlineKeyboardMarkup(
        [
            [
                button(labels.confirm_delete(), ConfirmDeleteMap(map_id)),
                button(labels.cancel(), KeepMap(map_id)),
            ]
        ]
    )


def held_keyboard(held: Unconfirmed, labels: Any) -> InlineKeyboardMarkup:
    """Yes, keep it / No under an answer that waits for a yes."""
    return InlineKeyboardMarkup(
        [
            [
                button(labels.keep_held(held.kind.value), KeepHeld(held.id)),
                button(labels.drop_held(), DropHeld(held.id)),
            ]
        ]
    )


def language_keyboard(labels: Any) -> InlineKeyboardMarkup:
    """/language: one button per language the bot speaks."""
    return InlineKeyboardMarkup(
        [[button(labels.language(code), SetLanguage(code)) for code in LANGUAGES]]
    )

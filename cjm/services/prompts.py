"""Prompts: bot messages that ask something, stored so any member's reply finds its question.

The one way a question goes: `prepare` checks what it is about and names it, the adapter posts
it, `remember` stores it by (chat id, message id), and `answer` claims a member's reply, applies
it with the service the question table (cjm/services/questions.py) names, and says what to
redraw. A step card is a prompt too: replying to it adds to whatever the card has in focus, so
the wizard works under Telegram's privacy mode, with several members at once, and across
restarts.
"""

from typing import cast

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from cjm.cards import resolve
from cjm.db import UnitOfWork, table_of
from cjm.errors import (
    EditAddsNothing,
    FocusMoved,
    ItemGone,
    PromptCancelled,
    PromptUnknown,
    StaleButton,
)
from cjm.models import (
    Fix,
    FocusKind,
    HandledMessage,
    JourneyMap,
    PainPoint,
    PersonaField,
    Prompt,
    PromptKind,
    Stage,
    Step,
    Touchpoint,
)
from cjm.services import pending
from cjm.services.kpis import kpi_board
from cjm.services.questions import Asking, Target, card_view, question
from cjm.views import (
    Actor,
    Answered,
    Cancelled,
    CardView,
    KpiAsked,
    QuestionToAsk,
    Redraw,
    Unconfirmed,
)

# The item a reply to a step card adds to, as its author saw it: a stage, touchpoint or pain.
Seen = tuple[FocusKind, int]
THE_LIST = 0  # a Seen (and a Focus payload) item id: the card showed its list, no item


def card_kind(step: Step) -> PromptKind:
    """The prompt kind of a step's card."""
    return PromptKind(f"card.{step.value}")


# A reply to a prompt runs these: built once, as building a select() costs more than running it.
_PROMPT = select(Prompt).where(
    Prompt.chat_id == bindparam("chat_id"), Prompt.message_id == bindparam("message_id")
)
_PROMPT_KIND = select(table_of(Prompt).c.kind, table_of(Prompt).c.cancelled_at).where(
    table_of(Prompt).c.chat_id == bindparam("chat_id"),
    table_of(Prompt).c.message_id == bindparam("message_id"),
)
_MAP_EXISTS = select(table_of(JourneyMap).c.id).where(
    table_of(JourneyMap).c.id == bindparam("map_id")
)


def _prompt(uow: UnitOfWork, chat_id: int, message_id: int | None) -> Prompt | None:
    """The prompt posted as this message of this chat (None when it asks nothing)."""
    if message_id is None:
        return None
    return uow.session.exec(_PROMPT, params={"chat_id": chat_id, "message_id": message_id}).first()


def _card(uow: UnitOfWork, chat_id: int, message_id: int | None) -> Prompt | None:
    prompt = _prompt(uow, chat_id, message_id)
    return prompt if prompt is not None and prompt.kind.startswith("card.") else None


# ---------------------------------------------------------------- asking


def prepare(
    uow: UnitOfWork,
    *,
    chat_id: int,
    kind: PromptKind,
    target_id: int | None = None,
    persona_field: PersonaField | None = None,
    card_message_id: int | None = None,
) -> QuestionToAsk:
    """Check what a question is about (it must be the acting chat's) and what it names."""
    with uow:
        return _prepared(uow, chat_id, kind, target_id, persona_field, card_message_id)


def prepare_kpi(uow: UnitOfWork, *, chat_id: int, stage_id: int, card_message_id: int) -> KpiAsked:
    """prepare() for a new KPI of a stage, and the /kpi board it was asked from, in one read."""
    with uow:
        asked = _prepared(uow, chat_id, PromptKind.KPI_ADD, stage_id, None, card_message_id)
        return KpiAsked(asked, kpi_board(uow, chat_id))


def _prepared(
    uow: UnitOfWork,
    chat_id: int,
    kind: PromptKind,
    target_id: int | None,
    persona_field: PersonaField | None,
    card_message_id: int | None,
) -> QuestionToAsk:
    row = question(kind)
    if row.describe is None:
        raise StaleButton  # a step card is posted, not asked
    card = _prompt(uow, chat_id, card_message_id)
    described = row.describe(uow, Asking(chat_id, target_id, persona_field, card))
    return QuestionToAsk(
        kind=kind,
        map_id=described.map_id,
        target_id=None if row.target in (Target.NONE, Target.PERSONA_FIELD) else target_id,
        persona_field=persona_field if row.target is Target.PERSONA_FIELD else None,
        card_message_id=card_message_id,
        params=described.params,
    )


def remember(uow: UnitOfWork, *, chat_id: int, message_id: int, asked: QuestionToAsk) -> None:
    """Store a question the bot just posted, so replies to it can be routed."""
    _store(
        uow,
        Prompt(
            chat_id=chat_id,
            message_id=message_id,
            kind=asked.kind,
            map_id=asked.map_id,
            target_id=asked.target_id,
            persona_field=asked.persona_field,
            card_message_id=asked.card_message_id,
            created_at=uow.clock.now(),
        ),
    )


def initial_focus(card: CardView) -> tuple[FocusKind | None, int | None]:
    """What a freshly posted card points at, stored so replies to it land there."""
    if card.focus_id is not None:
        return card.focus, card.focus_id
    focus = resolve(card)
    if focus.touchpoint is not None:
        kind = FocusKind.TOUCHPOINT if card.step is Step.TOUCHPOINTS else None
        return kind, focus.touchpoint.id
    if focus.pain is not None:
        return FocusKind.PAIN, focus.pain.id
    if focus.stage is not None and card.step is not Step.STAGES:
        return FocusKind.STAGE, focus.stage.id
    return None, None


def remember_card(uow: UnitOfWork, *, chat_id: int, message_id: int, card: CardView) -> None:
    """Store a step card the bot just posted: replies to it add to what it has in focus."""
    focus, target_id = initial_focus(card)
    _store(
        uow,
        Prompt(
            chat_id=chat_id,
            message_id=message_id,
            kind=card_kind(card.step),
            map_id=card.map.id,
            target_id=target_id,
            focus=focus,
            created_at=uow.clock.now(),
        ),
    )


def _store(uow: UnitOfWork, prompt: Prompt) -> None:
    with uow:
        uow.session.add(prompt)
        uow.commit()


# ---------------------------------------------------------------- answering


def kind_of(uow: UnitOfWork, *, chat_id: int, message_id: int) -> PromptKind | None:
    """What the bot's message asks for, or None when it asks nothing.

    A question closed by /cancel asks nothing any more: PromptCancelled (a file sent in reply
    to a cancelled /import question is refused like a text reply).
    """
    with uow:
        row = uow.session.execute(
            _PROMPT_KIND, {"chat_id": chat_id, "message_id": message_id}
        ).first()
    if row is None:
        return None
    if row.cancelled_at is not None:
        raise PromptCancelled
    return PromptKind(row.kind) if row.kind in set(PromptKind) else None


def _find(uow: UnitOfWork, chat_id: int, message_id: int) -> Prompt:
    prompt = _prompt(uow, chat_id, message_id)
    if prompt is None:
        raise PromptUnknown
    if prompt.cancelled_at is not None:
        raise PromptCancelled
    if question(prompt.kind).target is not Target.NONE and (
        prompt.map_id is None
        or uow.session.execute(_MAP_EXISTS, {"map_id": prompt.map_id}).first() is None
    ):
        raise PromptUnknown(map_deleted=True)
    return prompt


def _to_redraw(uow: UnitOfWork, prompt: Prompt, redraw: Redraw) -> int | None:
    """The message to redraw: the card itself, or the card the question was asked from."""
    if redraw is Redraw.NOTHING:
        return None
    if prompt.kind.startswith("card."):
        return prompt.message_id
    if redraw is Redraw.STEP_CARD:
        card = _card(uow, prompt.chat_id, prompt.card_message_id)
        return card.message_id if card else None
    return prompt.card_message_id


def answer(
    uow: UnitOfWork,
    *,
    chat_id: int,
    prompt_message_id: int,
    reply_message_id: int,
    text: str,
    actor: Actor,
    seen: Seen | None = None,
    edited: bool = False,
) -> Answered:
    """Apply a member's reply to what the prompt asked, once per reply, in one transaction.

    `seen` is the item a reply to a step card adds to, as the card showed it to its author
    (None: what the card has in focus now); when it is no longer on the map, FocusMoved.
    An `edited` reply sets its value again; one that added items changes nothing
    (EditAddsNothing), and one never applied (it was refused) is answered now.
    A step card to redraw is named by its message id, not drawn here: redraws read the map when
    they run, so a burst of answers costs one read of the map instead of one per answer.
    """
    with uow:
        prompt = _find(uow, chat_id, prompt_message_id)
        row = question(prompt.kind)
        applied = _applied(uow, chat_id, reply_message_id) if edited else None
        if applied is None:
            uow.claim_message(chat_id, reply_message_id, seen)
        elif not row.sets:
            raise EditAddsNothing
        elif applied.focus is not None and applied.target_id is not None:
            seen = applied.focus, applied.target_id  # where the reply went, not the card now
        if seen is not None and prompt.kind.startswith("card."):
            prompt = _as_seen(uow, prompt, seen)
        outcome = row.apply(uow, prompt, text, actor)
        if not row.is_card and not isinstance(outcome, Unconfirmed):
            prompt.answered_at = prompt.answered_at or uow.clock.now()
        card_message_id = _to_redraw(uow, prompt, row.redraw)
        uow.commit()
    return Answered(row.kind, row.redraw, card_message_id, outcome, row.confirm)


def _applied(uow: UnitOfWork, chat_id: int, message_id: int) -> HandledMessage | None:
    """The claim of a reply applied before (None: never applied, e.g. it was refused)."""
    return uow.session.get(HandledMessage, (chat_id, message_id))


def _as_seen(uow: UnitOfWork, card: Prompt, seen: Seen) -> Prompt:
    """The card pointed at what its author saw (a copy: the stored card keeps its focus)."""
    kind, item_id = seen
    if item_id != THE_LIST:
        found = uow.session.exec(_MAP_OF[kind.value], params={"item_id": item_id}).first()
        if found != card.map_id:
            raise FocusMoved(shown=focus_name(card_view(uow, card)))
    return Prompt(
        chat_id=card.chat_id,
        message_id=card.message_id,
        kind=card.kind,
        map_id=card.map_id,
        target_id=item_id or None,
        focus=kind,
        created_at=card.created_at,
    )


def focus_name(card: CardView) -> str:
    """The name of what a reply to the card adds to ("" for none): a stage, touchpoint, pain."""
    focus = resolve(card)
    item = {
        Step.STAGES: focus.stage,
        Step.TOUCHPOINTS: focus.stage,
        Step.EMOTIONS: focus.touchpoint,
        Step.PAINS: focus.stage,
        Step.FIXES: focus.pain,
    }.get(card.step)
    return "" if item is None else str(getattr(item, "name", None) or getattr(item, "text", ""))


def cancel_open(uow: UnitOfWork, *, chat_id: int) -> Cancelled:
    """/cancel: close the chat's unanswered questions and drop the answers held for a yes.

    A reply to a closed question is then refused (PromptCancelled) and changes nothing;
    step cards are not questions and keep taking replies.
    """
    with uow:
        open_questions = uow.session.exec(
            select(Prompt).where(
                Prompt.chat_id == chat_id,
                col(Prompt.kind).not_like("card.%"),
                col(Prompt.answered_at).is_(None),
                col(Prompt.cancelled_at).is_(None),
            )
        ).all()
        now = uow.clock.now()
        for prompt in open_questions:
            prompt.cancelled_at = now
        held = pending.drop_all(uow, chat_id)
        uow.commit()
    return Cancelled(questions=len(open_questions), held=held)


# ---------------------------------------------------------------- step cards


def focus(
    uow: UnitOfWork,
    *,
    chat_id: int,
    card_message_id: int,
    focus: FocusKind,
    target_id: int | None,
) -> None:
    """Point a card at another item (a stage, a touchpoint, a pain, a fix; None: the list)."""
    with uow:
        card = _card(uow, chat_id, card_message_id)
        if card is None or card.map_id is None:
            raise ItemGone(kind="card")
        if target_id is not None:
            _check_on(uow, card, focus.value, target_id)
        card.target_id, card.focus = target_id, focus
        uow.commit()


# The map an item belongs to, by the item's kind (the names bot buttons use).
_MAP_OF: dict[str, SelectOfScalar[int]] = {
    # A stored row's id is never NULL, whatever the model's `int | None` says.
    "map": cast(
        "SelectOfScalar[int]", select(JourneyMap.id).where(JourneyMap.id == bindparam("item_id"))
    ),
    "stage": select(Stage.map_id).where(Stage.id == bindparam("item_id")),
    "touchpoint": select(Stage.map_id)
    .join(Touchpoint, col(Touchpoint.stage_id) == col(Stage.id))
    .where(Touchpoint.id == bindparam("item_id")),
    "pain": select(PainPoint.map_id).where(PainPoint.id == bindparam("item_id")),
    "fix": select(PainPoint.map_id)
    .join(Fix, col(Fix.pain_point_id) == col(PainPoint.id))
    .where(Fix.id == bindparam("item_id")),
}


def _check_on(uow: UnitOfWork, card: Prompt, kind: str, item_id: int) -> None:
    item_map_id = uow.session.exec(_MAP_OF[kind], params={"item_id": item_id}).first()
    if item_map_id != card.map_id:
        raise StaleButton


def check_on_card(
    uow: UnitOfWork, *, chat_id: int, card_message_id: int, kind: str, item_id: int
) -> None:
    """Refuse (StaleButton) an item that is not on the card's map: an old or forged button."""
    with uow:
        card = _card(uow, chat_id, card_message_id)
        if card is None or card.map_id is None:
            raise ItemGone(kind="card")
        _check_on(uow, card, kind, item_id)


def get_card(uow: UnitOfWork, *, chat_id: int, card_message_id: int) -> CardView:
    """A card as it stands: its map, its step and what it has in focus."""
    with uow:
        card = _card(uow, chat_id, card_message_id)
        if card is None or card.map_id is None:
            raise ItemGone(kind="card")
        return card_view(uow, card)

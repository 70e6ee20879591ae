"""Applying a reply: what a prompt names, and the service each kind of question calls.

Each function runs inside the answer's open unit of work (prompts.answer).
"""

from sqlmodel import col, select

from cjm.cards import resolve
from cjm.db import UnitOfWork
from cjm.errors import ImportRefused, ItemGone, PromptUnknown
from cjm.models import FocusKind, Prompt, Stage, Step, Touchpoint
from cjm.services import (
    emotions,
    fixes,
    hotspots,
    kpis,
    maps,
    pains,
    persona,
    reviews,
    stages,
    surveys,
    touchpoints,
)
from cjm.services.questions.kinds import Target
from cjm.views import Actor, CardView, Outcome, Skipped, Unconfirmed


def map_of(prompt: Prompt) -> int:
    """The prompt's map (PromptUnknown once it is gone)."""
    if prompt.map_id is None:
        raise PromptUnknown(map_deleted=True)
    return prompt.map_id


def target_of(prompt: Prompt) -> int:
    """The item the prompt names (PromptUnknown when it names none)."""
    if prompt.target_id is None:
        raise PromptUnknown
    return prompt.target_id


def card_view(uow: UnitOfWork, card: Prompt) -> CardView:
    """A stored step card as a view of its map as it stands."""
    return CardView(
        maps.load(uow, map_of(card)),
        Step(card.kind.removeprefix("card.")),
        card.message_id,
        card.target_id,
        card.focus,
    )


def _focused(uow: UnitOfWork, prompt: Prompt, subject: Target) -> int:
    """The item of `subject` a step card has in focus (ItemGone when there is none)."""
    focus = resolve(card_view(uow, prompt))
    item = {
        Target.STAGE: focus.stage,
        Target.TOUCHPOINT: focus.touchpoint,
        Target.PAIN: focus.pain,
    }[subject]
    if item is None:
        raise ItemGone(kind=subject.value)
    return item.id


def _item(uow: UnitOfWork, prompt: Prompt, subject: Target) -> int:
    """What a reply adds to: the question's own target, or a card's focus."""
    if prompt.kind.startswith("card."):
        return _focused(uow, prompt, subject)
    return target_of(prompt)


def persona_field(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Set the persona field asked for (the first empty one for a card reply)."""
    # The field asked for; a reply to the card fills the first field nobody filled in yet.
    persona.set_persona_field(
        uow,
        chat_id=prompt.chat_id,
        map_id=map_of(prompt),
        field=prompt.persona_field,
        value=text,
        actor=actor,
    )


def _skipped(kind: str, names: tuple[str, ...]) -> Skipped | None:
    return Skipped(kind, names) if names else None


def add_stages(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Skipped | None:
    """Append the reply's lines as stages (naming the lines already there)."""
    skipped = stages.add_stages(
        uow, chat_id=prompt.chat_id, map_id=map_of(prompt), text=text, actor=actor
    )
    return _skipped("stage", skipped)


def stages_card(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Skipped | None:
    """A reply to the stages card: the goal of the stage in focus, else new stages.

    With a goal set, the card moves on to the next stage that has none (then to the list),
    so a team fills the goals by replying to one card, one reply per stage.
    """
    if prompt.focus is not FocusKind.STAGE or not prompt.target_id:
        return add_stages(uow, prompt, text, actor)
    stage_id = _focused(uow, prompt, Target.STAGE)
    stages.set_customer_goal(
        uow, chat_id=prompt.chat_id, stage_id=stage_id, goal=text, actor=actor
    )
    ordered = list(
        uow.session.exec(
            select(Stage).where(Stage.map_id == map_of(prompt)).order_by(col(Stage.position))
        )
    )
    position = [stage.id for stage in ordered].index(stage_id)
    after = ordered[position + 1 :] + ordered[:position]
    following = next((s.id for s in after if not s.customer_goal), None)
    _point_card(uow, prompt, FocusKind.STAGE, following)
    return None


def _point_card(uow: UnitOfWork, prompt: Prompt, focus: FocusKind, target_id: int | None) -> None:
    """Point the stored card at an item (the answered prompt may be a copy, as its author saw
    it: see prompts.answer)."""
    card = uow.session.exec(
        select(Prompt).where(
            Prompt.chat_id == prompt.chat_id, Prompt.message_id == prompt.message_id
        )
    ).one()
    card.target_id, card.focus = target_id, focus


def rename_stage(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Rename the stage."""
    stages.rename_stage(
        uow, chat_id=prompt.chat_id, stage_id=target_of(prompt), name=text, actor=actor
    )


def stage_goal(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Set the stage's customer goal."""
    stages.set_customer_goal(
        uow, chat_id=prompt.chat_id, stage_id=target_of(prompt), goal=text, actor=actor
    )


def add_touchpoints(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Skipped | None:
    """Add the reply's lines as touchpoints of the stage (naming the lines already there)."""
    stage_id = _item(uow, prompt, Target.STAGE)
    skipped = touchpoints.add_touchpoints(
        uow, chat_id=prompt.chat_id, stage_id=stage_id, text=text, actor=actor
    )
    return _skipped("touchpoint", skipped)


def touchpoints_card(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Skipped | None:
    """A reply to the touchpoints card adds touchpoints to the stage in focus; the card then
    shows the first of them without a channel, whose buttons set it (and move on)."""
    stage_id = _item(uow, prompt, Target.STAGE)
    before = set(_touchpoint_ids(uow, stage_id))
    skipped = add_touchpoints(uow, prompt, text, actor)
    unplaced = uow.session.exec(
        select(Touchpoint.id)
        .where(Touchpoint.stage_id == stage_id, col(Touchpoint.channel).is_(None))
        .order_by(col(Touchpoint.position))
    ).all()
    first_new = next((i for i in unplaced if i is not None and i not in before), None)
    if first_new is not None:
        _point_card(uow, prompt, FocusKind.TOUCHPOINT, first_new)
    return skipped


def _touchpoint_ids(uow: UnitOfWork, stage_id: int) -> list[int | None]:
    return list(uow.session.exec(select(Touchpoint.id).where(Touchpoint.stage_id == stage_id)))


def rename_touchpoint(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Rename the touchpoint."""
    touchpoints.rename_touchpoint(
        uow, chat_id=prompt.chat_id, touchpoint_id=target_of(prompt), name=text, actor=actor
    )


def channel(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Set the touchpoint's channel."""
    touchpoints.set_channel(
        uow, chat_id=prompt.chat_id, touchpoint_id=target_of(prompt), channel=text, actor=actor
    )


def note(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Set the member's note on the touchpoint."""
    touchpoint_id = _item(uow, prompt, Target.TOUCHPOINT)
    emotions.set_note(
        uow, chat_id=prompt.chat_id, touchpoint_id=touchpoint_id, note=text, voter=actor
    )


def add_pain(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Add a pain point at the stage."""
    pains.add_pain(
        uow,
        chat_id=prompt.chat_id,
        stage_id=_item(uow, prompt, Target.STAGE),
        text=text,
        actor=actor,
    )


def pain_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Reword the pain point."""
    pains.edit_pain(uow, chat_id=prompt.chat_id, pain_id=target_of(prompt), text=text, actor=actor)


def add_fix(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Add a fix for the pain point."""
    fixes.add_fix(
        uow,
        chat_id=prompt.chat_id,
        pain_id=_item(uow, prompt, Target.PAIN),
        text=text,
        actor=actor,
    )


def fix_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Reword the fix."""
    fixes.edit_fix_text(
        uow, chat_id=prompt.chat_id, fix_id=target_of(prompt), text=text, actor=actor
    )


def fix_owner(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Unconfirmed | None:
    """Set the fix's owner (a bot or a stranger waits for a yes)."""
    return fixes.set_owner(
        uow,
        chat_id=prompt.chat_id,
        fix_id=target_of(prompt),
        owner=text,
        actor=actor,
        card_message_id=prompt.card_message_id,
    )


def fix_due(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Unconfirmed | None:
    """Set the fix's due date (years ahead waits for a yes)."""
    return fixes.set_due_date(
        uow,
        chat_id=prompt.chat_id,
        fix_id=target_of(prompt),
        text=text,
        actor=actor,
        card_message_id=prompt.card_message_id,
    )


def hotspot_fix(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """A fix for the touchpoint's worst open pain, else a new pain point there."""
    # A fix for the touchpoint's most severe open pain; without one, the text becomes a pain.
    return hotspots.add_hotspot_fix(
        uow, chat_id=prompt.chat_id, touchpoint_id=target_of(prompt), text=text, actor=actor
    )


def kpi_add(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """Add a KPI to the stage."""
    return kpis.add_kpi(
        uow, chat_id=prompt.chat_id, stage_id=target_of(prompt), text=text, actor=actor
    )


def kpi_value(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """Record a value of the KPI."""
    return kpis.record_kpi_value(
        uow, chat_id=prompt.chat_id, kpi_id=target_of(prompt), text=text, actor=actor
    )


def survey_question(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """Set the survey's own question."""
    return surveys.set_question(
        uow, chat_id=prompt.chat_id, survey_id=target_of(prompt), text=text, actor=actor
    )


def survey_end(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """Set the survey's last day."""
    return surveys.set_end_date(
        uow, chat_id=prompt.chat_id, survey_id=target_of(prompt), text=text, actor=actor
    )


def survey_cap(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """Set the survey's answer cap."""
    return surveys.set_cap(
        uow, chat_id=prompt.chat_id, survey_id=target_of(prompt), text=text, actor=actor
    )


def review_time(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    """Set the review's time of day."""
    return reviews.set_review_time(
        uow, chat_id=prompt.chat_id, map_id=map_of(prompt), text=text, actor=actor
    )


def import_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    """Refuse text: a map to import arrives as a file."""
    raise ImportRefused(reason="not_a_file")  # a map arrives as a document, not as text

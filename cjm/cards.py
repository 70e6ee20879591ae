"""What a step card has in focus: resolved from the stored focus, with sensible defaults."""

from dataclasses import dataclass

from cjm.models import FocusKind, Step
from cjm.views import CardView, FixView, MapView, PainView, StageView, TouchpointView

STEP_ORDER = tuple(Step)


@dataclass(frozen=True)
class Focus:
    """The items a card is pointed at (None where the step has nothing to show)."""

    stage: StageView | None = None
    touchpoint: TouchpointView | None = None
    pain: PainView | None = None
    fix: FixView | None = None

    def pain_number(self, journey: MapView) -> int:
        """1-based position of the focused pain point on the map."""
        ids = [pain.id for pain in journey.pains]
        return ids.index(self.pain.id) + 1 if self.pain and self.pain.id in ids else 0


def _stage_of(journey: MapView, stage_id: int | None) -> StageView | None:
    return next((s for s in journey.stages if s.id == stage_id), None)


def _focused_stage(journey: MapView, card: CardView) -> StageView | None:
    # Only a stage focus names a stage id; a deleted touchpoint's id must not be read as one.
    if card.focus_id and card.focus in (None, FocusKind.STAGE):
        return journey.stage(card.focus_id)
    return None


def resolve(card: CardView) -> Focus:
    """Work out what the card shows; an item deleted meanwhile falls back to the first one."""
    journey, step, item = card.map, card.step, card.focus_id
    first_stage = journey.stages[0] if journey.stages else None
    if step is Step.PERSONA:
        return Focus()
    if step is Step.STAGES:
        return Focus(stage=journey.stage(item) if item else None)
    if step is Step.TOUCHPOINTS:
        touchpoint = (
            journey.touchpoint(item) if card.focus is FocusKind.TOUCHPOINT and item else None
        )
        if touchpoint:
            return Focus(stage=_stage_of(journey, touchpoint.stage_id), touchpoint=touchpoint)
        return Focus(stage=_focused_stage(journey, card) or first_stage)
    if step is Step.EMOTIONS:
        touchpoints = journey.touchpoints
        touchpoint = (journey.touchpoint(item) if item else None) or (
            touchpoints[0] if touchpoints else None
        )
        stage = _stage_of(journey, touchpoint.stage_id) if touchpoint else None
        return Focus(stage=stage, touchpoint=touchpoint)
    if step is Step.PAINS:
        pain = journey.pain(item) if card.focus is FocusKind.PAIN and item else None
        if pain:
            return Focus(stage=_stage_of(journey, pain.stage_id), pain=pain)
        return Focus(stage=_focused_stage(journey, card) or first_stage)
    fix = journey.fix(item) if card.focus is FocusKind.FIX and item else None
    if fix:
        return Focus(pain=journey.pain(fix.pain_point_id), fix=fix)
    pain = journey.pain(item) if item and card.focus in (None, FocusKind.PAIN) else None
    pain = pain or (journey.pains[0] if journey.pains else None)
    return Focus(pain=pain)


def neighbour(step: Step, offset: int) -> Step | None:
    """The step before (−1) or after (+1) this one."""
    index = STEP_ORDER.index(step) + offset
    return STEP_ORDER[index] if 0 <= index < len(STEP_ORDER) else None

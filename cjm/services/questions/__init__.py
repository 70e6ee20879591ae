"""Every question the bot asks, in one table: what it is about, what answers it, what to redraw.

A question is a bot message members answer by replying to it (under Telegram's privacy mode a
reply is one of the few messages a bot sees). Its row says:
- `target`: what the stored prompt's target names (a stage, a survey, a persona field…), which
  the ask checks belongs to the acting chat before the question goes out;
- `describe`: what the question's wording names (the macro of the same name as the kind in
  templates/chat/questions.html takes these parameters);
- `apply`: the service that applies a reply, inside the answer's transaction;
- `redraw`: which message shows the change afterwards (a step card, a survey card, …).

Adding a question is one row here and one macro in templates/chat/questions.html; the step
cards themselves are questions too (a reply to a card adds to what it has in focus).
"""

from collections.abc import Mapping

from cjm.errors import PromptUnknown
from cjm.models import PromptKind, Step
from cjm.services.questions import applying as a
from cjm.services.questions import describing as d
from cjm.services.questions.applying import card_view
from cjm.services.questions.kinds import Apply, Asking, Describe, Described, Question, Target
from cjm.views import Redraw

__all__ = [
    "QUESTIONS",
    "Asking",
    "Described",
    "Question",
    "Target",
    "card_view",
    "question",
]


def _card(step: Step, apply: Apply) -> Question:
    return Question(PromptKind(f"card.{step.value}"), Target.CARD, apply, Redraw.STEP_CARD)


def _on_step_card(
    kind: PromptKind, target: Target, apply: Apply, describe: Describe, *, sets: bool = False
) -> Question:
    return Question(kind, target, apply, Redraw.STEP_CARD, describe, sets=sets)


K = PromptKind
T = Target

QUESTIONS: Mapping[PromptKind, Question] = {
    question.kind: question
    for question in (
        # Step cards: a reply adds to what the card has in focus.
        _card(Step.PERSONA, a.persona_field),
        _card(Step.STAGES, a.stages_card),
        _card(Step.TOUCHPOINTS, a.touchpoints_card),
        Question(K.CARD_EMOTIONS, T.CARD, a.note, Redraw.STEP_CARD, sets=True),
        _card(Step.PAINS, a.add_pain),
        _card(Step.FIXES, a.add_fix),
        # Questions a step card's buttons ask; the card shows the answer.
        _on_step_card(
            K.PERSONA_FIELD, T.PERSONA_FIELD, a.persona_field, d.persona_field, sets=True
        ),
        _on_step_card(K.STAGE_ADD, T.MAP, a.add_stages, d.stage_add),
        _on_step_card(K.STAGE_RENAME, T.STAGE, a.rename_stage, d.named(T.STAGE), sets=True),
        _on_step_card(K.STAGE_GOAL, T.STAGE, a.stage_goal, d.named(T.STAGE), sets=True),
        _on_step_card(K.TOUCHPOINT_ADD, T.STAGE, a.add_touchpoints, d.named(T.STAGE)),
        _on_step_card(
            K.TOUCHPOINT_RENAME,
            T.TOUCHPOINT,
            a.rename_touchpoint,
            d.named(T.TOUCHPOINT),
            sets=True,
        ),
        _on_step_card(
            K.TOUCHPOINT_CHANNEL, T.TOUCHPOINT, a.channel, d.named(T.TOUCHPOINT), sets=True
        ),
        _on_step_card(K.EMOTION_NOTE, T.TOUCHPOINT, a.note, d.named(T.TOUCHPOINT), sets=True),
        _on_step_card(K.PAIN_ADD, T.STAGE, a.add_pain, d.named(T.STAGE)),
        _on_step_card(K.PAIN_TEXT, T.PAIN, a.pain_text, d.named(T.PAIN), sets=True),
        _on_step_card(K.FIX_ADD, T.PAIN, a.add_fix, d.named(T.PAIN)),
        _on_step_card(K.FIX_TEXT, T.FIX, a.fix_text, d.named(T.FIX), sets=True),
        _on_step_card(K.FIX_OWNER, T.FIX, a.fix_owner, d.named(T.FIX), sets=True),
        _on_step_card(K.FIX_DUE, T.FIX, a.fix_due, d.named(T.FIX), sets=True),
        # Questions of the other features.
        Question(
            K.SURVEY_QUESTION, T.SURVEY, a.survey_question, Redraw.SURVEY_CARD, d.survey, sets=True
        ),
        Question(K.SURVEY_END, T.SURVEY, a.survey_end, Redraw.SURVEY_CARD, d.survey, sets=True),
        Question(K.SURVEY_CAP, T.SURVEY, a.survey_cap, Redraw.SURVEY_CARD, d.survey, sets=True),
        Question(K.HOTSPOT_FIX, T.TOUCHPOINT, a.hotspot_fix, Redraw.NOTHING, d.hotspot, True),
        Question(K.KPI_ADD, T.STAGE, a.kpi_add, Redraw.KPI_BOARD, d.kpi_stage, True),
        Question(K.KPI_VALUE, T.KPI, a.kpi_value, Redraw.KPI_BOARD, d.kpi, True),
        Question(
            K.REVIEW_TIME, T.MAP, a.review_time, Redraw.REVIEW_CARD, d.review_time, sets=True
        ),
        Question(
            K.MAP_IMPORT,
            T.NONE,
            a.import_text,
            Redraw.NOTHING,
            d.nothing,
            takes_files=True,
        ),
    )
}


def question(kind: str) -> Question:
    """The table row of a stored prompt's kind (PromptUnknown for a kind no longer asked)."""
    try:
        return QUESTIONS[PromptKind(kind)]
    except (ValueError, KeyError):
        raise PromptUnknown from None

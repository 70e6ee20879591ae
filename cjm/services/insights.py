"""The questions behind the /hotspots and /kpi buttons: stored prompts and the replies to them.

Hotspots live in `cjm.services.hotspots`, KPIs in `cjm.services.kpis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select

from cjm.db import UnitOfWork
from cjm.errors import PromptUnknown
from cjm.models import Prompt, PromptKind

# Re-exported: the prompt router still calls insights.add_hotspot_fix.
from cjm.services.hotspots import add_hotspot_fix as add_hotspot_fix
from cjm.services.kpis import add_kpi, record_kpi_value
from cjm.views import Actor, HotspotFix, KpiRecorded, KpiView


class Question(StrEnum):
    """What an insight question (a stored Prompt) asks for: the PromptKinds of this module."""

    HOTSPOT_FIX = PromptKind.HOTSPOT_FIX.value
    KPI_ADD = PromptKind.KPI_ADD.value
    KPI_VALUE = PromptKind.KPI_VALUE.value


@dataclass(frozen=True)
class Answered:
    """What a reply to an insight question did, and the /kpi message to redraw (if any)."""

    kind: Question
    outcome: HotspotFix | KpiView | KpiRecorded
    board_message_id: int | None


def remember_question(
    uow: UnitOfWork,
    *,
    chat_id: int,
    message_id: int,
    kind: Question,
    map_id: int,
    target_id: int,
    board_message_id: int | None = None,
) -> None:
    """Store an insight question the bot just sent, so a reply to it finds what it asked."""
    with uow:
        uow.session.add(
            Prompt(
                chat_id=chat_id,
                message_id=message_id,
                kind=kind.value,
                map_id=map_id,
                target_id=target_id,
                card_message_id=board_message_id,
                created_at=uow.clock.now(),
            )
        )
        uow.commit()


def _question(uow: UnitOfWork, chat_id: int, message_id: int) -> Prompt | None:
    return uow.session.exec(
        select(Prompt).where(
            Prompt.chat_id == chat_id,
            Prompt.message_id == message_id,
            col(Prompt.kind).in_([q.value for q in Question]),
        )
    ).first()


def question_kind(uow: UnitOfWork, *, chat_id: int, message_id: int) -> Question | None:
    """What the bot's message asks, if it is an insight question."""
    with uow:
        prompt = _question(uow, chat_id, message_id)
        return Question(prompt.kind) if prompt else None


def answer_question(
    uow: UnitOfWork,
    *,
    chat_id: int,
    prompt_message_id: int,
    reply_message_id: int,
    text: str,
    actor: Actor,
) -> Answered:
    """Apply a reply to an insight question, once per message, in one transaction."""
    with uow:
        prompt = _question(uow, chat_id, prompt_message_id)
        if prompt is None or prompt.target_id is None or prompt.map_id is None:
            raise PromptUnknown(map_deleted=prompt is not None)
        uow.claim_message(chat_id, reply_message_id)
        kind = Question(prompt.kind)
        outcome: HotspotFix | KpiView | KpiRecorded
        if kind is Question.HOTSPOT_FIX:
            outcome = add_hotspot_fix(uow, touchpoint_id=prompt.target_id, text=text, actor=actor)
        elif kind is Question.KPI_ADD:
            outcome = add_kpi(uow, stage_id=prompt.target_id, text=text, actor=actor)
        else:
            outcome = record_kpi_value(uow, kpi_id=prompt.target_id, text=text, actor=actor)
        board = prompt.card_message_id
        uow.commit()
    return Answered(kind, outcome, board)

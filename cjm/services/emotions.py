"""Step 4: how the customer feels at each touchpoint, voted by the team (−2..+2)."""

from sqlmodel import select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import NamedMemberNeeded, StaleButton
from cjm.limits import NOTE_MAX_CHARS, clean_text
from cjm.models import EmotionVote, Stage, Touchpoint
from cjm.services import maps
from cjm.services.ownership import owned
from cjm.views import Actor

SCORES = (-2, -1, 0, 1, 2)


def _vote(uow: OpenUnitOfWork, touchpoint_id: int, voter: Actor) -> EmotionVote:
    if voter.anonymous:  # the group itself has no vote of its own
        raise NamedMemberNeeded(action="note")
    vote = uow.session.exec(
        select(EmotionVote).where(
            EmotionVote.touchpoint_id == touchpoint_id, EmotionVote.user_id == voter.user_id
        )
    ).first()
    if vote is None:
        vote = EmotionVote(
            touchpoint_id=touchpoint_id,
            user_id=voter.user_id,
            user_name=voter.name[:128],
            updated_at=uow.clock.now(),
        )
        uow.session.add(vote)
    return vote


def cast_vote(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, score: int, voter: Actor
) -> None:
    """Record a member's score; voting again replaces their earlier score."""
    if score not in SCORES:
        raise StaleButton
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        map_id = uow.get(Stage, touchpoint.stage_id).map_id
        vote = _vote(uow, touchpoint_id, voter)
        vote.score, vote.user_name, vote.updated_at = score, voter.name[:128], uow.clock.now()
        uow.record(voter, map_id, "emotion.voted", touchpoint_id, f"{touchpoint.name}: {score:+d}")
        maps.touch(uow, map_id)
        uow.commit()


def set_note(
    uow: UnitOfWork, *, chat_id: int, touchpoint_id: int, note: str, voter: Actor
) -> None:
    """Attach a member's note on how the customer feels here (kept with their vote)."""
    note = clean_text(note, field="note", limit=NOTE_MAX_CHARS, multiline=True)
    with uow:
        touchpoint = owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id)
        map_id = uow.get(Stage, touchpoint.stage_id).map_id
        vote = _vote(uow, touchpoint_id, voter)
        vote.note, vote.updated_at = note, uow.clock.now()
        uow.record(voter, map_id, "emotion.noted", touchpoint_id, f"{touchpoint.name}: {note}")
        maps.touch(uow, map_id)
        uow.commit()

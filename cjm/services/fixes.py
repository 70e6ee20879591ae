"""Step 6: fixes for pain points, with owner, status and due date."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from cjm.dates import parse_due_date
from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import NamedMemberNeeded, TooManyItems
from cjm.limits import MAX_FIXES_PER_PAIN, OWNER_MAX_CHARS, TEXT_MAX_CHARS, clean_text
from cjm.models import Chat, Fix, FixStatus, PainPoint, PendingKind
from cjm.services import maps, members, pending
from cjm.services.ownership import owned
from cjm.views import Actor, Unconfirmed

# What a member types to mean "I will do it", in the languages the bot speaks.
SELF_WORDS = frozenset({"me", "i", "myself", "я", "мне", "меня", "сам", "сама", "我", "我自己"})
# A due date further ahead than this is more likely a typo than a plan: it asks first.
DUE_FAR_DAYS = 2 * 365


def add_fix(uow: UnitOfWork, *, chat_id: int, pain_id: int, text: str, actor: Actor) -> int:
    """Propose a fix for a pain point (status: idea); return its id."""
    text = clean_text(text, field="fix", limit=TEXT_MAX_CHARS, multiline=True)
    with uow:
        pain = owned(uow, PainPoint, pain_id, chat_id=chat_id)
        count = uow.session.exec(
            select(func.count()).select_from(Fix).where(Fix.pain_point_id == pain_id)
        ).one()
        if count >= MAX_FIXES_PER_PAIN:
            raise TooManyItems(kind="fix", limit=MAX_FIXES_PER_PAIN)
        fix = Fix(pain_point_id=pain_id, text=text, created_at=uow.clock.now())
        uow.session.add(fix)
        uow.session.flush()
        uow.record(actor, pain.map_id, "fix.added", fix.id, text)
        maps.touch(uow, pain.map_id)
        uow.commit()
    assert fix.id is not None  # noqa: S101  (flushed above)
    return fix.id


def _fix_and_map(uow: OpenUnitOfWork, fix_id: int, chat_id: int) -> tuple[Fix, int]:
    fix = owned(uow, Fix, fix_id, chat_id=chat_id)
    return fix, uow.get(PainPoint, fix.pain_point_id).map_id


def edit_fix_text(uow: UnitOfWork, *, chat_id: int, fix_id: int, text: str, actor: Actor) -> None:
    """Reword a fix."""
    text = clean_text(text, field="fix", limit=TEXT_MAX_CHARS, multiline=True)
    with uow:
        fix, map_id = _fix_and_map(uow, fix_id, chat_id)
        fix.text = text
        uow.record(actor, map_id, "fix.edited", fix_id, text)
        maps.touch(uow, map_id)
        uow.commit()


def set_status(
    uow: UnitOfWork, *, chat_id: int, fix_id: int, status: FixStatus, actor: Actor
) -> None:
    """Move a fix along: idea → planned → in progress → done."""
    with uow:
        fix, map_id = _fix_and_map(uow, fix_id, chat_id)
        fix.status = status
        uow.record(actor, map_id, "fix.status_set", fix_id, f"{fix.text}: {status.value}")
        maps.touch(uow, map_id)
        uow.commit()


def set_owner(
    uow: UnitOfWork,
    *,
    chat_id: int,
    fix_id: int,
    owner: str,
    actor: Actor,
    card_message_id: int | None = None,
) -> Unconfirmed | None:
    """Name who owns a fix: an @mention, a name, or "me" for the member answering.

    An @mention of a bot, or of a username nobody in the chat wrote with, waits for a yes
    (Unconfirmed; card_message_id is the step card to redraw once kept).
    """
    owner = clean_text(owner, field="owner", limit=OWNER_MAX_CHARS)
    with uow:
        _fix_and_map(uow, fix_id, chat_id)
        reason, names = members.doubtful_owners(uow, chat_id, owner)
        if reason:
            held = pending.hold(
                uow,
                chat_id=chat_id,
                kind=PendingKind.FIX_OWNER,
                value=owner,
                reason=reason,
                target_id=fix_id,
                card_message_id=card_message_id,
                names=names,
            )
            uow.commit()
            return held
        store_owner(uow, chat_id=chat_id, fix_id=fix_id, owner=owner, actor=actor)
        uow.commit()
    return None


def store_owner(
    uow: OpenUnitOfWork, *, chat_id: int, fix_id: int, owner: str, actor: Actor
) -> None:
    """Set a fix's owner from clean text, inside an open transaction ("me": the actor)."""
    fix, map_id = _fix_and_map(uow, fix_id, chat_id)
    if owner.casefold() in SELF_WORDS:
        if actor.anonymous:
            raise NamedMemberNeeded(action="owner")
        fix.owner_name = f"@{actor.username}" if actor.username else actor.name[:128]
        fix.owner_user_id = actor.user_id
    else:
        fix.owner_name, fix.owner_user_id = owner, None
    uow.record(actor, map_id, "fix.owner_set", fix_id, f"{fix.text}: {fix.owner_name}")
    maps.touch(uow, map_id)


def set_due_date(
    uow: UnitOfWork,
    *,
    chat_id: int,
    fix_id: int,
    text: str,
    actor: Actor,
    card_message_id: int | None = None,
) -> Unconfirmed | None:
    """Set a fix's due date from text read in the chat's language and time zone.

    A date more than DUE_FAR_DAYS ahead ("2999-01-01") waits for a yes (Unconfirmed).
    """
    text = clean_text(text, field="due", limit=OWNER_MAX_CHARS)
    with uow:
        _fix_and_map(uow, fix_id, chat_id)
        chat = uow.get(Chat, chat_id)
        now = uow.clock.now()
        due = parse_due_date(text, language=chat.language, tz=chat.tz, now=now)
        if due > now.astimezone(ZoneInfo(chat.tz)).date() + timedelta(days=DUE_FAR_DAYS):
            held = pending.hold(
                uow,
                chat_id=chat.id,
                kind=PendingKind.FIX_DUE,
                value=due.isoformat(),
                reason="due_far",
                target_id=fix_id,
                card_message_id=card_message_id,
                due_on=due,
            )
            uow.commit()
            return held
        store_due_date(uow, chat_id=chat_id, fix_id=fix_id, due=due, actor=actor)
        uow.commit()
    return None


def store_due_date(
    uow: OpenUnitOfWork, *, chat_id: int, fix_id: int, due: date, actor: Actor
) -> None:
    """Set a fix's due date, inside an open transaction."""
    fix, map_id = _fix_and_map(uow, fix_id, chat_id)
    fix.due_on = due
    uow.record(actor, map_id, "fix.due_set", fix_id, f"{fix.text}: {fix.due_on}")
    maps.touch(uow, map_id)


def delete_fix(uow: UnitOfWork, *, chat_id: int, fix_id: int, actor: Actor) -> None:
    """Delete a fix."""
    with uow:
        fix, map_id = _fix_and_map(uow, fix_id, chat_id)
        text = fix.text
        uow.session.delete(fix)
        uow.record(actor, map_id, "fix.deleted", fix_id, text)
        maps.touch(uow, map_id)
        uow.commit()

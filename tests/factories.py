"""Build journey-map state through the services, the way members would (never raw ORM inserts).

Every helper takes `uow`, a factory of units of work, and calls the service with `uow()`.
Services that change a map return nothing; the helpers read the map back and return it.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlmodel import select

from cjm.db import UnitOfWork
from cjm.models import (
    Cadence,
    FixStatus,
    FocusKind,
    JourneyMap,
    PainPoint,
    PainSource,
    PersonaField,
    PromptKind,
    ReviewSchedule,
    Stage,
    Step,
    Touchpoint,
)
from cjm.services import (
    confirmations,
    emotions,
    fixes,
    maps,
    members,
    pains,
    prompts,
    reviews,
    stages,
    touchpoints,
)
from cjm.services.members import SeenUser
from cjm.views import Actor, CardView, ChatRef, MapView, QuestionToAsk, ReviewCard, Unconfirmed

NewUow = Callable[[], UnitOfWork]

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday morning: where frozen clocks start

ALICE = Actor(1, "Alice", "alice")
BOB = Actor(2, "Bob", "bob")
CAROL = Actor(3, "Carol")  # no @username, like Carol in the e2e team

TEAM_CHAT_ID = -1001234567890
DEFAULT_LANGUAGE = "en"
DEFAULT_TZ = "Europe/Berlin"


def random_name(prefix: str = "item") -> str:
    """A name unlikely to collide with any other in the test: `prefix` and six random letters."""
    return f"{prefix} {''.join(random.choices(string.ascii_lowercase, k=6))}"


def chat_ref(
    chat_id: int = TEAM_CHAT_ID, *, title: str = "Shop team", language: str | None = "en"
) -> ChatRef:
    """The chat an update came from, as the adapter would describe it."""
    return ChatRef(id=chat_id, title=title, language_code=language, is_group=chat_id < 0)


def member_id(username: str) -> int:
    """A stable user id for a member a test names only by @username."""
    return 7_000_000 + int.from_bytes(username.casefold().encode()[:6], "big") % 1_000_000


def make_map(
    uow: NewUow,
    *,
    title: str | None = None,
    chat_id: int = TEAM_CHAT_ID,
    language: str = DEFAULT_LANGUAGE,
    tz: str = DEFAULT_TZ,
    actor: Actor = ALICE,
) -> MapView:
    """Create a map (it becomes the chat's current one); the chat is registered on first use."""
    journey = maps.create_map(
        uow(),
        chat=chat_ref(chat_id, language=language),
        actor=actor,
        title=title if title is not None else random_name("Map"),
        default_language=language,
        default_tz=tz,
    )
    if isinstance(journey, Unconfirmed):  # another map has the title: the member says yes
        kept = confirmations.keep(uow(), chat_id=chat_id, pending_id=journey.id, actor=actor)
        assert kept.map is not None
        return kept.map
    return journey


def chat_of(
    uow: NewUow,
    *,
    map_id: int | None = None,
    stage_id: int | None = None,
    touchpoint_id: int | None = None,
    pain_id: int | None = None,
) -> int:
    """The chat an item belongs to: the services act for a chat, and factories for the item's."""
    with uow() as unit:
        if touchpoint_id is not None:
            stage_id = unit.get(Touchpoint, touchpoint_id).stage_id
        if stage_id is not None:
            map_id = unit.get(Stage, stage_id).map_id
        if pain_id is not None:
            map_id = unit.get(PainPoint, pain_id).map_id
        return unit.get(JourneyMap, map_id).chat_id


def read_map(uow: NewUow, map_id: int) -> MapView:
    """A map as it stands now, read for the chat it belongs to."""
    return maps.get_map(uow(), chat_id=chat_of(uow, map_id=map_id), map_id=map_id)


def map_of(uow: NewUow, *, stage_id: int | None = None, pain_id: int | None = None) -> MapView:
    """The map a stage or a pain point belongs to, as it stands now."""
    with uow() as unit:
        if stage_id is not None:
            map_id = unit.get(Stage, stage_id).map_id
        else:
            map_id = unit.get(PainPoint, pain_id).map_id
    return read_map(uow, map_id)


def _stage_of(uow: NewUow, touchpoint_id: int) -> int:
    with uow() as unit:
        return unit.get(Touchpoint, touchpoint_id).stage_id


def make_stages(
    uow: NewUow, map_id: int, names: Iterable[str], *, actor: Actor = ALICE
) -> MapView:
    """Append stages to a map, in order."""
    chat_id = chat_of(uow, map_id=map_id)
    stages.add_stages(uow(), chat_id=chat_id, map_id=map_id, text="\n".join(names), actor=actor)
    return read_map(uow, map_id)


def make_touchpoints(
    uow: NewUow, stage_id: int, names: Iterable[str], *, actor: Actor = ALICE
) -> MapView:
    """Add touchpoints to a stage; a name may carry its channel as "name | channel"."""
    touchpoints.add_touchpoints(
        uow(),
        chat_id=chat_of(uow, stage_id=stage_id),
        stage_id=stage_id,
        text="\n".join(names),
        actor=actor,
    )
    return map_of(uow, stage_id=stage_id)


def vote(uow: NewUow, touchpoint_id: int, score: int, *, voter: Actor = ALICE) -> MapView:
    """Cast (or replace) a member's emotion vote on a touchpoint."""
    emotions.cast_vote(
        uow(),
        chat_id=chat_of(uow, touchpoint_id=touchpoint_id),
        touchpoint_id=touchpoint_id,
        score=score,
        voter=voter,
    )
    return map_of(uow, stage_id=_stage_of(uow, touchpoint_id))


def make_pain(
    uow: NewUow,
    stage_id: int,
    text: str | None = None,
    *,
    touchpoint_id: int | None = None,
    source: PainSource = PainSource.TEAM,
    actor: Actor = ALICE,
) -> MapView:
    """Add a pain point to a stage (optionally pinned to one of its touchpoints)."""
    pains.add_pain(
        uow(),
        chat_id=chat_of(uow, stage_id=stage_id),
        stage_id=stage_id,
        text=text if text is not None else random_name("Pain"),
        touchpoint_id=touchpoint_id,
        source=source,
        actor=actor,
    )
    return map_of(uow, stage_id=stage_id)


def make_fix(
    uow: NewUow,
    pain_id: int,
    text: str | None = None,
    *,
    owner: str | None = None,
    due: str | None = None,
    status: FixStatus | None = None,
    actor: Actor = ALICE,
) -> MapView:
    """Propose a fix for a pain point, optionally with owner, due date and status."""
    chat_id = chat_of(uow, pain_id=pain_id)
    fix_id = fixes.add_fix(
        uow(),
        chat_id=chat_id,
        pain_id=pain_id,
        text=text if text is not None else random_name("Fix"),
        actor=actor,
    )
    if owner is not None:
        # An @owner is someone the chat has seen (else setting it waits for a yes).
        seen = [SeenUser(member_id(name), name, False) for name in members.mentions(owner)]
        members.note(uow(), chat_id=chat_id, users=seen)
        assert (
            fixes.set_owner(uow(), chat_id=chat_id, fix_id=fix_id, owner=owner, actor=actor)
            is None
        )
    if due is not None:
        assert (
            fixes.set_due_date(uow(), chat_id=chat_id, fix_id=fix_id, text=due, actor=actor)
            is None
        )
    if status is not None:
        fixes.set_status(uow(), chat_id=chat_id, fix_id=fix_id, status=status, actor=actor)
    return map_of(uow, pain_id=pain_id)


def make_full_map(
    uow: NewUow,
    *,
    chat_id: int = TEAM_CHAT_ID,
    title: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    tz: str = DEFAULT_TZ,
) -> MapView:
    """A small but complete map: two stages, three touchpoints, votes, a note, pains and fixes.

    Stage "Discover" has "Search ad | website" and "Friend's tip"; stage "Buy" has
    "Checkout | website". Alice, Bob and Carol vote; one pain per stage, the first pinned to
    the ad, each with one fix.
    """
    journey = make_map(uow, title=title, chat_id=chat_id, language=language, tz=tz)
    journey = make_stages(uow, journey.id, ["Discover", "Buy"])
    discover, buy = journey.stages
    make_touchpoints(uow, discover.id, ["Search ad | website", "Friend's tip"])
    journey = make_touchpoints(uow, buy.id, ["Checkout | website"])
    ad, tip, checkout = journey.touchpoints
    for voter, score in ((ALICE, 1), (BOB, 2), (CAROL, 0)):
        vote(uow, ad.id, score, voter=voter)
    vote(uow, tip.id, 2, voter=BOB)
    vote(uow, checkout.id, -2, voter=ALICE)
    emotions.set_note(
        uow(), chat_id=chat_id, touchpoint_id=checkout.id, note="Too many fields", voter=ALICE
    )
    make_pain(uow, discover.id, "Ads promise a discount that is gone", touchpoint_id=ad.id)
    journey = make_pain(uow, buy.id, "Checkout asks for the address twice")
    first, second = journey.pains
    make_fix(uow, first.id, "Sync ad copy with the price list", owner="@bob")
    return make_fix(uow, second.id, "Remember the address", owner="me", due="2026-12-15")


def remember_prompt(
    uow: NewUow,
    message_id: int,
    kind: PromptKind,
    map_id: int | None,
    *,
    chat_id: int = TEAM_CHAT_ID,
    target_id: int | None = None,
    focus: FocusKind | None = None,
    persona_field: PersonaField | None = None,
    card_message_id: int | None = None,
) -> None:
    """Store a prompt (or a step card) the bot sent, so replies to it can be routed.

    A step card ("card.*" kind) is stored as the bot posts it, with `target_id` and `focus` as
    what it has in focus (without them, the card's default focus); any other kind is stored
    as asked, unchecked (prompts.prepare is what checks a question before it goes out).
    """
    if kind.startswith("card."):
        assert map_id is not None
        card = CardView(
            read_map(uow, map_id),
            Step(kind.removeprefix("card.")),
            message_id,
            target_id,
            focus,
        )
        prompts.remember_card(uow(), chat_id=chat_id, message_id=message_id, card=card)
        return
    asked = QuestionToAsk(
        kind=kind,
        map_id=map_id,
        target_id=target_id,
        persona_field=persona_field,
        card_message_id=card_message_id,
        params={},
    )
    prompts.remember(uow(), chat_id=chat_id, message_id=message_id, asked=asked)


def make_big_map(
    uow: NewUow, *, stages_count: int = 12, per_stage: int = 8, chat_id: int = TEAM_CHAT_ID
) -> MapView:
    """A map at the limits: 12 stages × 8 touchpoints with long names, votes, pains and fixes."""
    journey = make_map(uow, title="Everything at once", chat_id=chat_id)
    journey = make_stages(
        uow, journey.id, [f"Stage {i} of a long journey" for i in range(stages_count)]
    )
    for stage in journey.stages:
        journey = make_touchpoints(
            uow,
            stage.id,
            [
                f"Touchpoint {i} in {stage.name} with a long name | website"
                for i in range(per_stage)
            ],
        )
    for index, touchpoint in enumerate(journey.touchpoints):
        vote(uow, touchpoint.id, index % 5 - 2)
    for stage in journey.stages:
        journey = make_pain(uow, stage.id, f"Something hurts in {stage.name} & <b>badly</b>")
    for pain in journey.pains:
        journey = make_fix(uow, pain.id, f"Fix for {pain.text}", owner="@bob")
    return journey


def utc(*args: int) -> datetime:
    """An aware UTC datetime: utc(2026, 11, 26, 9)."""
    return datetime(*args, tzinfo=UTC)


def make_weekly_review(uow: NewUow, journey: MapView) -> ReviewCard:
    """Review the map weekly (from today, at the default time)."""
    return reviews.set_cadence(
        uow(), chat_id=journey.chat_id, map_id=journey.id, cadence=Cadence.WEEKLY, actor=ALICE
    )


def read_review_schedule(uow: NewUow, map_id: int) -> ReviewSchedule:
    """The map's review schedule row, readable after its unit of work closed."""
    with uow() as unit:
        row = unit.session.exec(
            select(ReviewSchedule).where(ReviewSchedule.map_id == map_id)
        ).one()
        unit.session.expunge(row)
        return row

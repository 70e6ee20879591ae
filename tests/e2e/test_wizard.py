"""A team builds a whole map through the six steps, replying and pressing buttons."""

from collections.abc import Callable

from cjm.db import UnitOfWork
from cjm.models import FixStatus, Mode, PainCategory, PersonaField, Severity
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage


async def next_card(
    double: BotApiDouble, team: Team, card: SentMessage, title: str
) -> SentMessage:
    """Press Next ▶ on a card and return the card of the next step."""
    await team.alice.press(card, "Next ▶")
    return await double.wait_for_message(team.chat, containing=title, after=card)


async def test_three_members_build_a_full_map(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """Alice, Bob and Carol fill all six steps; the card shows each answer, the map stores it."""
    alice, bob, carol = team
    await start_bot()
    await alice.send(team.chat, "/newmap Online shop: first purchase")
    persona = await double.wait_for_message(team.chat, containing="Step 1 of 6")

    # Step 1: two members answer two questions at once.
    await bob.press(persona, "Name")
    name_q = await double.wait_for_message(team.chat, containing="Name", after=persona)
    await carol.press(persona, "Role or occupation")
    role_q = await double.wait_for_message(team.chat, containing="Role", after=name_q)
    await carol.reply(team.chat, role_q, "Office manager")
    await bob.reply(team.chat, name_q, "Olga")
    await double.wait_for_edit(team.chat, persona, containing="Olga")
    await double.wait_for_edit(team.chat, persona, containing="Office manager")

    # Step 2: a template, then a custom stage by replying to the card.
    stages = await next_card(double, team, persona, "Step 2 of 6")
    await bob.press(stages, "B2C template")
    await double.wait_for_edit(team.chat, stages, containing="Advocacy")
    await carol.reply(team.chat, stages, "Loyalty club")
    await double.wait_for_edit(team.chat, stages, containing="6. Loyalty club")

    # Step 3: touchpoints by reply (one per line, "| channel"), then a channel button, which
    # also says online or offline.
    touch = await next_card(double, team, stages, "Step 3 of 6")
    await bob.reply(team.chat, touch, "Instagram ad | social\nBlog post")
    # The card shows the first new touchpoint without a channel (the ad has one already).
    await double.wait_for_edit(team.chat, touch, containing="👉 Blog post")
    await bob.press(touch, "website")  # sets online too, and the card moves on: to the list
    await double.wait_for_edit(team.chat, touch, containing="• Blog post · website · online")
    await carol.press(touch, "📍 Blog post")  # online/offline can still be changed by hand
    await double.wait_for_edit(team.chat, touch, containing="👉 Blog post")
    await carol.press(touch, "Offline")
    await double.wait_for_edit(team.chat, touch, containing="website · offline")
    await carol.press(touch, "↩ List")
    await double.wait_for_edit(team.chat, touch, containing="• Blog post")
    await alice.press(touch, "Purchase")
    await double.wait_for_edit(team.chat, touch, containing="▶ Purchase")
    await alice.reply(team.chat, touch, "Checkout page | website")
    await double.wait_for_edit(team.chat, touch, containing="Checkout page")

    # Step 4: three votes on the first touchpoint, one changed, and a note.
    emotions = await next_card(double, team, touch, "Step 4 of 6")
    await alice.press(emotions, "😡")
    await bob.press(emotions, "🙂")
    await carol.press(emotions, "😍")
    await bob.press(emotions, "😐")  # Bob changes his mind: still one vote
    await double.wait_for_edit(team.chat, emotions, containing="3 votes")
    await bob.reply(team.chat, emotions, "Ads feel pushy")
    await double.wait_for_edit(team.chat, emotions, containing="Ads feel pushy")

    # Step 5: a pain point by reply, category and severity by buttons.
    pains = await next_card(double, team, emotions, "Step 5 of 6")
    await carol.reply(team.chat, pains, "Shipping cost shows up only at checkout")
    await double.wait_for_edit(team.chat, pains, containing="Shipping cost")
    await carol.press(pains, "🩹 Shipping cost")
    await double.wait_for_edit(team.chat, pains, containing="👉 Shipping cost")
    await carol.press(pains, "financial")
    await double.wait_for_edit(team.chat, pains, containing="financial")
    await carol.press(pains, "high")
    await double.wait_for_edit(team.chat, pains, containing="(high, financial")

    # Step 6: a fix with owner ("me"), due date and status.
    fixes = await next_card(double, team, pains, "Step 6 of 6")
    await alice.reply(team.chat, fixes, "Show shipping cost on the product page")
    await double.wait_for_edit(team.chat, fixes, containing="Show shipping cost")
    await alice.press(fixes, "🛠 Show shipping")
    await double.wait_for_edit(team.chat, fixes, containing="👉 Show shipping")
    await alice.press(fixes, "Owner")
    owner_q = await double.wait_for_message(team.chat, containing="Who owns", after=fixes)
    await bob.reply(team.chat, owner_q, "me")
    await double.wait_for_edit(team.chat, fixes, containing="@bob")
    await alice.press(fixes, "Due date")
    due_q = await double.wait_for_message(team.chat, containing="When is", after=owner_q)
    await alice.reply(team.chat, due_q, "2026-12-10")
    await double.wait_for_edit(team.chat, fixes, containing="Dec 10, 2026")
    await alice.press(fixes, "in progress")
    await double.wait_for_edit(team.chat, fixes, containing="(in progress")
    await double.wait_idle()

    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert journey.persona[PersonaField.NAME] == "Olga"
    assert journey.persona[PersonaField.ROLE] == "Office manager"
    assert [s.name for s in journey.stages] == [
        "Awareness",
        "Consideration",
        "Purchase",
        "Retention",
        "Advocacy",
        "Loyalty club",
    ]
    ad, blog = journey.stages[0].touchpoints
    assert (ad.name, ad.channel, ad.mode) == ("Instagram ad", "social", Mode.ONLINE)
    assert (blog.channel, blog.mode) == ("website", Mode.OFFLINE)
    assert [t.name for t in journey.stages[2].touchpoints] == ["Checkout page"]
    assert sorted(ad.scores) == [-2, 0, 2]
    assert [v.note for v in ad.notes] == ["Ads feel pushy"]
    (pain,) = journey.pains
    assert (pain.category, pain.severity) == (PainCategory.FINANCIAL, Severity.HIGH)
    (fix,) = pain.fixes
    assert (fix.owner_name, fix.status, str(fix.due_on)) == (
        "@bob",
        FixStatus.IN_PROGRESS,
        "2026-12-10",
    )
    assert all(
        journey.step_done(step) for step in journey.step_counts() if step.value != "emotions"
    )
    assert not double.errors, double.errors

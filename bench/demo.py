"""`make demo`: an offline, scripted team session on the Bot API double; writes out/demo/.

Three members of an online shop's team build a first-purchase map through all six steps. The
chat, as its members saw it, goes to out/demo/transcript.md.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_application
from bot.settings import Settings
from cjm.clock import FrozenClock
from cjm.render.html import screenshot_html
from tests.double import BotApiDouble, ChatSpec, Member, SentMessage

OUT = Path(__file__).resolve().parents[1] / "out" / "demo"
TOKEN = "123456:DEMO"  # noqa: S105  (the double's fake token)

PERSONA = {
    "Name": "Olga",
    "Role or occupation": "Office manager who buys supplies for a team of 30",
    "Age group": "30–40",
    "Location": "Berlin",
    "Information sources": "Google, colleagues, Instagram",
    "Short-term goals": "Order everything before Friday's delivery cut-off",
    "Problems": "Hidden costs, unclear delivery dates",
}
GOALS = [
    "Find a shop that delivers office supplies fast",
    "Compare prices and delivery dates",
    "Pay on invoice without surprises",
    "Know when the parcel arrives",
    "Reorder in one click next month",
]
STAGES_TOUCHPOINTS = {
    1: "Instagram ad | social\nGoogle search result | website\nColleague's recommendation",
    2: "Product page | website\nReviews | website\nSize chat | live chat",
    3: "Cart | website\nCheckout page | website\nPayment | website\nOrder confirmation | email",
    4: "Delivery tracking | app\nCourier call | phone\nUnpacking",
    5: "Review request | email\nReferral bonus | app",
}
# The channel members pick for the touchpoint each stage's lines leave without one.
UNPLACED_CHANNELS = {1: "phone", 4: "store"}
TOUCHPOINTS = [
    line.split(" |")[0] for lines in STAGES_TOUCHPOINTS.values() for line in lines.split("\n")
]
VOTES = [
    (-1, 0, 1),
    (1, 1, 2),
    (0, 1, 0),
    (1, 2, 1),
    (0, -1, 0),
    (1, 0, 1),
    (0, -1, -1),
    (-2, -2, -1),
    (-1, -2, -2),
    (1, 1, 2),
    (-1, 0, -1),
    (-2, -1, -2),
    (2, 1, 2),
    (0, 0, 1),
    (1, 2, 1),
]


async def persona_step(double: BotApiDouble, chat: ChatSpec, team: list[Member]) -> SentMessage:
    """Step 1: members fill the persona card field by field."""
    await team[0].send(chat, "/newmap Online shop: first purchase")
    card = await double.wait_for_message(chat, containing="Step 1 of 6")
    for index, (field, answer) in enumerate(PERSONA.items()):
        member = team[index % 3]
        last = double.messages(chat)[-1]
        await member.press(card, field)
        question = await double.wait_for_message(chat, containing="Reply", after=last)
        await member.reply(chat, question, answer)
        await double.wait_for_edit(chat, card, containing=answer[:20])
    return card


async def build_map(double: BotApiDouble, chat: ChatSpec, team: list[Member]) -> None:
    """The whole session: six steps, several members, replies and buttons."""
    alice, bob, carol = team
    card = await persona_step(double, chat, team)
    await alice.press(card, "Next ▶")
    stages = await double.wait_for_message(chat, containing="Step 2 of 6", after=card)
    await bob.press(stages, "B2C template")
    await double.wait_for_edit(chat, stages, containing="Advocacy")
    # With a stage in focus, a reply to the card is its goal; the card then moves on.
    await carol.press(stages, "1. ")
    await double.wait_for_edit(chat, stages, containing="▶ 1.")
    for number, goal in enumerate(GOALS, start=1):
        await team[number % 3].reply(chat, stages, goal)
        await double.wait_for_edit(chat, stages, containing=goal[:20])
        await double.wait_idle()

    await alice.press(stages, "Next ▶")
    touch = await double.wait_for_message(chat, containing="Step 3 of 6", after=stages)
    names = ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    for number, lines in STAGES_TOUCHPOINTS.items():
        await alice.press(touch, names[number - 1])
        await double.wait_for_edit(chat, touch, containing=f"▶ {names[number - 1]}")
        await team[number % 3].reply(chat, touch, lines)
        await double.wait_for_edit(chat, touch, containing=lines.split("\n")[-1].split(" |")[0])
        await double.wait_idle()
        if "👉" in (touch.text or ""):  # the card shows the new touchpoint without a channel
            await bob.press(touch, UNPLACED_CHANNELS[number])
            await double.wait_for_edit(chat, touch, containing=f"· {UNPLACED_CHANNELS[number]} ·")
            await double.wait_idle()

    await carol.press(touch, "Next ▶")
    emotions = await double.wait_for_message(chat, containing="Step 4 of 6", after=touch)
    for index, scores in enumerate(VOTES):
        for member, score in zip(team, scores, strict=True):
            await member.press(emotions, ["😡", "🙁", "😐", "🙂", "😍"][score + 2])
        await double.wait_idle()
        if index == 7:
            await bob.reply(chat, emotions, "Shipping cost appears only here, people feel tricked")
            await double.wait_for_edit(chat, emotions, containing="feel tricked")
        if index + 1 < len(VOTES):
            await carol.press(emotions, "▶")
            await double.wait_for_edit(chat, emotions, containing=f"👉 {TOUCHPOINTS[index + 1]}")

    await alice.press(emotions, "Next ▶")
    pains = await double.wait_for_message(chat, containing="Step 5 of 6", after=emotions)
    await alice.press(pains, "Purchase")
    await double.wait_for_edit(chat, pains, containing="▶ Purchase")
    for text, category, severity, member in [
        ("Shipping cost shows up only at checkout", "financial", "high", bob),
        ("Guest checkout asks for too many fields", "process", "medium", carol),
    ]:
        await member.reply(chat, pains, text)
        await double.wait_for_edit(chat, pains, containing=text[:20])
        await member.press(pains, f"🩹 {text[:10]}")
        await double.wait_for_edit(chat, pains, containing=f"👉 {text[:20]}")
        await member.press(pains, category)
        await member.press(pains, severity)
        await double.wait_for_edit(chat, pains, containing=f"({severity}, {category}")
        await member.press(pains, "↩ List")
        await double.wait_idle()

    await alice.press(pains, "Next ▶")
    fixes = await double.wait_for_message(chat, containing="Step 6 of 6", after=pains)
    await alice.reply(chat, fixes, "Show shipping cost on every product page")
    await double.wait_for_edit(chat, fixes, containing="Show shipping cost")
    await alice.press(fixes, "🛠 Show shipping")
    await double.wait_for_edit(chat, fixes, containing="👉 Show shipping")
    last = double.messages(chat)[-1]
    await alice.press(fixes, "Owner")
    owner = await double.wait_for_message(chat, containing="Who owns", after=last)
    await bob.reply(chat, owner, "me")
    await double.wait_for_edit(chat, fixes, containing="@bob")
    last = double.messages(chat)[-1]
    await alice.press(fixes, "Due date")
    due = await double.wait_for_message(chat, containing="When is", after=last)
    await alice.reply(chat, due, "in 2 weeks")
    await alice.press(fixes, "planned")
    await double.wait_for_edit(chat, fixes, containing="(planned")
    await carol.send(chat, "/map")
    await double.wait_for_message(chat, containing="🗺 Online shop", after=fixes)
    await double.wait_idle()


async def ask_for_outputs(double: BotApiDouble, chat: ChatSpec, team: list[Member]) -> None:
    """/picture and every /export format; the files the bot sends are saved to out/demo/."""
    alice, bob, _ = team
    sent = await bob.send(chat, "/picture")
    photo = await double.wait_for_photo(chat, after=sent, timeout=60)
    (OUT / "map.png").write_bytes(photo.data or b"")
    for label, suffix, name in [
        ("HTML", ".html", "map.html"),
        ("XLSX", ".xlsx", "map.xlsx"),
        ("CSV", ".zip", "map-csv.zip"),
        ("JSON", ".json", "map.json"),
        ("Mermaid", ".mmd", "map.mmd"),
    ]:
        sent = await alice.send(chat, "/export")
        menu = await double.wait_for_message(chat, containing="Which file", after=sent)
        await alice.press(menu, label)
        document = await double.wait_for_document(chat, suffix, after=menu, timeout=60)
        (OUT / name).write_bytes(document.data or b"")
    await double.wait_idle()


async def main() -> None:
    """Run the session and write the transcript."""
    OUT.mkdir(parents=True, exist_ok=True)
    async with BotApiDouble(token=TOKEN, group_limit=None, default_timeout=30) as double:
        alice = double.member("Alice", username="alice")
        bob = double.member("Bob", username="bob")
        carol = double.member("Carol", username="carol")
        chat = double.group("Shop team", members=[bob, carol], admins=[alice], owner=alice)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]  (pydantic-settings' init option)
                telegram_bot_token=TOKEN,  # type: ignore[arg-type]  (coerced to SecretStr)
                database_url=f"sqlite:///{tmp}/demo.db",
                telegram_api_base_url=f"{double.url}/bot",
                telegram_api_base_file_url=f"{double.url}/file/bot",
                bot_default_timezone="Europe/Berlin",
                bot_group_messages_per_minute=100_000,
            )
            app = build_application(
                settings, clock=FrozenClock(datetime(2026, 11, 26, 9, tzinfo=UTC))
            )
            async with app:
                if app.post_init:
                    await app.post_init(app)
                await app.start()
                assert app.updater is not None
                await app.updater.start_polling(poll_interval=0, timeout=1)
                await build_map(double, chat, [alice, bob, carol])
                await ask_for_outputs(double, chat, [alice, bob, carol])
                await app.updater.stop()
                await app.stop()
        (OUT / "transcript.md").write_text(double.transcript_markdown(chat))
    if screenshot_html(OUT / "map.html", OUT / "map-screenshot.png"):
        print("map-screenshot.png: the HTML page as headless Chromium shows it")
    else:
        print("No Chromium, so no map-screenshot.png: apt-get install chromium")
    for path in sorted(OUT.iterdir()):
        print(f"wrote {path}")


if __name__ == "__main__":
    asyncio.run(main())

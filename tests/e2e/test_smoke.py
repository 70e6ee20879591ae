from tests.conftest import StartBot, Team
from tests.double import BotApiDouble


async def test_newmap_posts_the_persona_card(double: BotApiDouble, team: Team, start_bot: StartBot) -> None:
    """/newmap starts a map and posts the persona card."""
    await start_bot()
    await team.alice.send(team.chat, "/newmap Checkout")
    card = await double.wait_for_message(team.chat, containing="Persona")
    print(double.transcript_markdown(team.chat))
    await team.bob.press(card, "Name")
    prompt = await double.wait_for_message(team.chat, containing="Reply to this message", after=card)
    await team.bob.reply(team.chat, prompt, "Olga, 34, runs a bakery")
    await double.wait_for_edit(team.chat, card, containing="Olga")
    await double.wait_idle()
    print(double.transcript_markdown(team.chat))

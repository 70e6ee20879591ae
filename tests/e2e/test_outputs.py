"""Seeing and sharing the map from the chat: summary, picture, exports and import."""

import io
import json
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from cjm.db import UnitOfWork
from cjm.services import maps
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble, SentMessage
from tests.factories import make_big_map, make_full_map


@pytest.fixture
def full_map(team: Team, new_uow: Callable[[], UnitOfWork]) -> None:
    """The team's group already holds a complete small map (built through the services)."""
    make_full_map(new_uow, chat_id=team.chat.id, title="Checkout <script>alert(1)</script>")


async def export(double: BotApiDouble, team: Team, label: str, suffix: str) -> SentMessage:
    """/export, press a format, and return the document the bot sent."""
    sent = await team.alice.send(team.chat, "/export")
    menu = await double.wait_for_message(team.chat, containing="Which file", after=sent)
    await team.bob.press(menu, label)
    return await double.wait_for_document(team.chat, suffix, after=menu, timeout=30)


@pytest.mark.usefixtures("full_map")
async def test_map_shows_the_summary_with_step_buttons(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/map lists stages, touchpoints with emotions and open pains, escaped, with step buttons."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/map")
    summary = await double.wait_for_message(team.chat, containing="1. Discover", after=sent)
    assert "Checkout <script>alert(1)</script>" in (summary.text or "")
    assert "Ads promise a discount" in (summary.text or "")
    assert any("Persona" in b.text for b in summary.flat_buttons)
    assert not double.errors


@pytest.mark.usefixtures("full_map")
async def test_picture_is_sent_as_a_photo(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """/picture sends a PNG photo of the map."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/picture")
    photo = await double.wait_for_photo(team.chat, after=sent, timeout=30)
    assert photo.data is not None
    assert photo.data.startswith(b"\x89PNG")


async def test_a_picture_too_tall_for_a_photo_is_sent_as_a_document(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    """/picture of a tall map sends a PNG document: as a photo it would shrink unreadably.

    Its picture is over 1 MB, past which aiohttp warns (an error here) about a raw bytes body.
    """
    make_big_map(new_uow, chat_id=team.chat.id)
    await start_bot()
    sent = await team.alice.send(team.chat, "/picture")
    document = await double.wait_for_document(team.chat, ".png", after=sent, timeout=30)
    assert (document.data or b"").startswith(b"\x89PNG")
    assert len(document.data or b"") > 1024 * 1024
    assert not double.errors


@pytest.mark.usefixtures("full_map")
async def test_every_export_arrives_as_a_named_document(
    double: BotApiDouble, team: Team, start_bot: StartBot
) -> None:
    """HTML (escaped), XLSX, CSV zip, JSON and Mermaid, each named after the map."""
    await start_bot()
    page = await export(double, team, "HTML", ".html")
    assert page.filename
    assert page.filename.startswith("checkout")
    html = (page.data or b"").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html

    workbook = load_workbook(io.BytesIO((await export(double, team, "XLSX", ".xlsx")).data or b""))
    assert "Touchpoints" in workbook.sheetnames

    archive = zipfile.ZipFile(io.BytesIO((await export(double, team, "CSV", ".zip")).data or b""))
    assert "touchpoints.csv" in archive.namelist()

    document = json.loads((await export(double, team, "JSON", ".json")).data or b"")
    assert document["map"]["stages"][0]["name"] == "Discover"

    mermaid = ((await export(double, team, "Mermaid", ".mmd")).data or b"").decode()
    assert mermaid.startswith("journey")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("街道小店 · 首次购买", "街道小店-首次购买.json"),
        ("Первая покупка в магазине", "первая-покупка-в-магазине.json"),
    ],
    ids=["chinese", "russian"],
)
async def test_an_export_is_named_in_the_maps_own_script(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    title: str,
    shown: str,
) -> None:
    """The document's name, as the chat shows it, is the title's words, not %-escapes."""
    journey = make_full_map(new_uow, chat_id=team.chat.id, title=title)
    await start_bot()
    document = await export(double, team, "JSON", ".json")
    assert document.filename == shown
    assert json.loads(document.data or b"")["map"]["title"] == journey.title == title


@pytest.mark.usefixtures("full_map")
async def test_import_by_reply_creates_a_copy(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """A JSON export replied to /import's question becomes a new, current map in the chat."""
    await start_bot()
    exported = await export(double, team, "JSON", ".json")
    sent = await team.alice.send(team.chat, "/import")
    question = await double.wait_for_message(team.chat, containing="JSON file", after=sent)
    await team.carol.reply_with(
        team.chat,
        to=question,
        kind="document",
        document_bytes=exported.data,
        filename="copy.json",
    )
    await double.wait_for_message(team.chat, containing="Imported", after=question, timeout=30)
    summaries = maps.list_maps(new_uow(), chat_id=team.chat.id)
    assert [s.title for s in summaries] == [
        "Checkout <script>alert(1)</script> (2)",
        "Checkout <script>alert(1)</script>",
    ]
    assert summaries[0].is_current
    assert summaries[0].touchpoint_count == 3


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"not json at all", "couldn't read it as JSON"),
        (b'{"schema": "journey-map", "version": 99, "map": {}}', "newer Journey Bot"),
        (b'{"hello": 1}', "isn't a journey map"),
    ],
    ids=["not json", "newer version", "other json"],
)
async def test_a_broken_import_is_refused_and_nothing_is_added(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    payload: bytes,
    expected: str,
) -> None:
    """Broken or newer files get a clear refusal; no map appears."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/import")
    question = await double.wait_for_message(team.chat, containing="JSON file", after=sent)
    reply = await team.carol.reply_with(
        team.chat, to=question, kind="document", document_bytes=payload, filename="map.json"
    )
    await double.wait_for_message(team.chat, containing=expected, after=reply, timeout=30)
    assert maps.list_maps(new_uow(), chat_id=team.chat.id) == []


@pytest.mark.parametrize("count", [0, 1])
async def test_maps_answers_with_no_map_to_switch_to(
    double: BotApiDouble,
    team: Team,
    start_bot: StartBot,
    new_uow: Callable[[], UnitOfWork],
    count: int,
) -> None:
    """/maps with no map, or only the current one, lists them without an (empty) keyboard."""
    if count:
        make_full_map(new_uow, chat_id=team.chat.id, title="Checkout")
    await start_bot()
    sent = await team.alice.send(team.chat, "/maps")
    listing = await double.wait_for_message(team.chat, containing="Maps in this chat", after=sent)
    assert ("Checkout" in (listing.text or "")) == bool(count)
    assert not listing.flat_buttons
    assert not double.errors

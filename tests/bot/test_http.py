"""AiohttpRequest: PTB's requests over aiohttp, with PTB's errors when the network fails."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.http import AiohttpRequest
from tests.double import BotApiDouble

TOKEN = "123456:TEST"  # noqa: S105  (the double's fake token)


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    """The Bot API double on 127.0.0.1."""
    async with BotApiDouble(token=TOKEN) as server:
        yield server


def bot_on(url: str, request: AiohttpRequest) -> Bot:
    """A bare PTB Bot whose every call goes through `request`."""
    return Bot(
        TOKEN,
        base_url=f"{url}/bot",
        base_file_url=f"{url}/file/bot",
        request=request,
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


async def test_messages_files_and_refusals_go_through(double: BotApiDouble) -> None:
    """Text, an upload with its caption (multipart), a download and a 400 all arrive intact."""
    alice = double.member("Alice")
    await alice.start_bot()
    async with bot_on(double.url, AiohttpRequest()) as bot:
        sent = await bot.send_message(alice.id, "<b>Привет</b> &amp; 你好", parse_mode="HTML")
        document = await bot.send_document(
            alice.id, b"col1,col2\n", filename="map.csv", caption="<i>Map</i>", parse_mode="HTML"
        )
        assert document.document is not None
        downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(alice.id, "<b>unclosed", parse_mode="HTML")

    assert sent.text == "Привет & 你好"
    stored = await double.wait_for_document(alice.dm, ".csv", timeout=1)
    assert (stored.data, stored.caption) == (b"col1,col2\n", "Map")
    assert bytes(downloaded) == b"col1,col2\n"


async def test_nobody_listening_is_a_network_error() -> None:
    """A refused connection raises PTB's NetworkError, which the bot's retries understand."""
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_a_silent_server_is_a_timeout() -> None:
    """A server that never answers raises TimedOut after the read timeout."""
    accepted: list[asyncio.StreamWriter] = []

    async def never_answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.05)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()
    assert accepted  # it did connect: the wait was for the answer


async def test_a_request_before_initialize_is_refused() -> None:
    """Using the request before the bot initialized it is a programming error, said plainly."""
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/getMe", "POST")


@pytest.mark.parametrize(
    "filename",
    ["街道地图.json", "карта-пути.xlsx", 'say-"hi".csv'],
    ids=["chinese", "russian", "quote"],
)
async def test_a_file_name_arrives_as_telegram_shows_it(
    double: BotApiDouble, filename: str
) -> None:
    """The file name goes as UTF-8 in filename="…", not %-escaped (Telegram shows it verbatim)."""
    alice = double.member("Alice")
    await alice.start_bot()
    async with bot_on(double.url, AiohttpRequest()) as bot:
        sent = await bot.send_document(alice.id, b"{}", filename=filename)

    assert sent.document is not None
    expected = filename.replace('"', "%22")  # what a browser sends, and Telegram shows
    assert sent.document.file_name == expected
    assert (await double.wait_for_document(alice.dm, timeout=1)).filename == expected


async def test_an_upload_over_a_megabyte_goes_as_a_stream(double: BotApiDouble) -> None:
    """2 MB arrive intact and aiohttp does not warn about a large raw body (warnings fail)."""
    alice = double.member("Alice")
    await alice.start_bot()
    data = bytes(range(256)) * (2 * 4096)
    async with bot_on(double.url, AiohttpRequest()) as bot:
        await bot.send_document(alice.id, data, filename="big.bin")

    assert (await double.wait_for_document(alice.dm, ".bin", timeout=1)).data == data

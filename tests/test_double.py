"""Tests of the Bot API double itself: Telegram's rules, driver verbs and a real PTB bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from tests.double import (
    BotApiDouble,
    HtmlParseError,
    RateLimit,
    SentMessage,
    application_builder,
    parse_html,
    running,
)
from tests.double.members import client_parts
from tests.double.rules import CALLBACK_ANSWER_WINDOW_S

TOKEN = "123456:TEST"  # noqa: S105 - the double's fake token
BOT_USERNAME = "journey_test_bot"


class FakeClock:
    """A hand-driven clock for the rate-limit windows."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token=TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


@pytest.fixture
async def client(double: BotApiDouble) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=double.url, timeout=10) as http:
        yield http


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=f"{double.url}/bot", base_file_url=f"{double.url}/file/bot"
    ) as ptb_bot:
        yield ptb_bot


async def call(
    http: httpx.AsyncClient, method: str, /, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a JSON Bot API request and return (HTTP status, decoded body)."""
    response = await http.post(f"/bot{TOKEN}/{method}", json=params)
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def ok(http: httpx.AsyncClient, method: str, /, **params: Any) -> Any:
    """Call and insist on success; return `result`."""
    status, body = await call(http, method, **params)
    assert status == 200, body
    assert body["ok"], body
    return body["result"]


async def fails(
    http: httpx.AsyncClient, method: str, code: int, expect: str, /, **params: Any
) -> Any:
    """Call and insist on the given error; return the body."""
    status, body = await call(http, method, **params)
    assert status == code, body
    assert body["ok"] is False
    assert body["error_code"] == code
    assert expect in body["description"], body
    return body


# --------------------------------------------------------------------------- HTML


def test_html_plain_text_and_entities() -> None:
    parsed = parse_html('<b>Hi</b> &lt;you&gt; &amp; <a href="https://x.io/?a=1&amp;b=2">link</a>')
    assert parsed.text == "Hi <you> & link"
    assert parsed.entities[0] == {"type": "bold", "offset": 0, "length": 2}
    assert parsed.entities[1]["url"] == "https://x.io/?a=1&b=2"


def test_html_accepts_all_supported_tags() -> None:
    text = (
        "<strong>a</strong><i>b</i><em>c</em><u>d</u><ins>e</ins><s>f</s><strike>g</strike>"
        '<del>h</del><code>i</code><pre><code class="language-py">j</code></pre>'
        '<tg-spoiler>k</tg-spoiler><span class="tg-spoiler">l</span>'
        '<blockquote expandable>m</blockquote><tg-emoji emoji-id="5368324170671202286">n'
        "</tg-emoji>&#65;&#x42;&quot;"
    )
    parsed = parse_html(text)
    assert parsed.text == 'abcdefghijklmnAB"'
    pre = [e for e in parsed.entities if e["type"] == "pre"]
    assert pre == [{"type": "pre", "offset": 9, "length": 1, "language": "py"}]
    assert {"type": "expandable_blockquote", "offset": 12, "length": 1} in parsed.entities


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Hey <script>x</script>", 'Unsupported start tag "script" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "byte offset 4"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<a>no href</a>", 'Tag "a" must have attribute "href"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<br>", 'Unsupported start tag "br"'),
        ("é<b", "Unclosed start tag at byte offset 2"),
    ],
)
def test_html_rejects_like_telegram(text: str, fragment: str) -> None:
    with pytest.raises(HtmlParseError) as info:
        parse_html(text)
    assert info.value.description.startswith("Bad Request: can't parse entities: ")
    assert fragment in info.value.description


@settings(database=None)  # keep the example database out of the repo
@given(st.text())
def test_html_escaped_text_round_trips(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)).text == text


# --------------------------------------------------------------------------- HTTP basics


async def test_unknown_token_and_method(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    response = await client.post("/bot999:NOPE/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    await fails(client, "sendSticker", 404, "Not Found: method not found", chat_id=1)
    me = await ok(client, "getMe")
    assert me["username"] == BOT_USERNAME
    assert me["is_bot"] is True


async def test_form_encoded_params_are_decoded(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    alice = double.member("Alice")
    await alice.start_bot()
    markup = '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}'
    response = await client.post(
        f"/bot{TOKEN}/sendMessage",
        data={"chat_id": str(alice.id), "text": "123", "reply_markup": markup},
    )
    result = response.json()["result"]
    assert result["text"] == "123"
    assert double.messages(alice.dm)[-1].buttons == [[("Go", "go")]]


# --------------------------------------------------------------------------- 403 / 400 on chats


async def test_private_chat_needs_start_and_respects_block(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    alice = double.member("Alice")
    await fails(
        client, "sendMessage", 403, "bot can't initiate conversation", chat_id=alice.id, text="hi"
    )
    await alice.start_bot()
    await ok(client, "sendMessage", chat_id=alice.id, text="hi")
    alice.block_bot()
    await fails(
        client,
        "sendMessage",
        403,
        "Forbidden: bot was blocked by the user",
        chat_id=alice.id,
        text="x",
    )
    await fails(client, "sendMessage", 400, "Bad Request: chat not found", chat_id=42, text="x")


async def test_kicked_group_answers_403(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    await ok(client, "sendMessage", chat_id=team.id, text="hello team")
    await double.remove_bot_from(team, by=alice)
    await fails(
        client, "sendMessage", 403, "Forbidden: bot was kicked from the group chat",
        chat_id=team.id, text="still here?",
    )  # fmt: skip
    updates = await ok(client, "getUpdates")
    assert [next(k for k in u if k != "update_id") for u in updates] == [
        "message",
        "my_chat_member",
    ]
    assert updates[1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


# --------------------------------------------------------------------------- message rules


async def test_text_limits_count_utf16_after_parsing(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    double.disable_rate_limits()
    await fails(
        client,
        "sendMessage",
        400,
        "Bad Request: message text is empty",
        chat_id=team.id,
        text="  ",
    )
    await fails(
        client,
        "sendMessage",
        400,
        "message text is empty",
        chat_id=team.id,
        text="<b></b>",
        parse_mode="HTML",
    )
    await ok(client, "sendMessage", chat_id=team.id, text="😀" * 2048)
    await fails(
        client,
        "sendMessage",
        400,
        "Bad Request: message is too long",
        chat_id=team.id,
        text="😀" * 2049,
    )
    # Entities count as one character each once parsed.
    await ok(client, "sendMessage", chat_id=team.id, text="&lt;" * 4096, parse_mode="HTML")
    await fails(
        client, "sendMessage", 400, "Unsupported start tag \"script\"",
        chat_id=team.id, text="Hey <script>", parse_mode="HTML",
    )  # fmt: skip
    msg = double.messages(team)[-1]
    assert msg.text == "<" * 4096
    assert msg.html == "&lt;" * 4096
    # editMessageText: text, 1-4096 characters after entities parsing, as sendMessage.
    edit = {"chat_id": team.id, "message_id": msg.message_id}
    await fails(
        client, "editMessageText", 400, "message is too long",
        **edit, text="<b>x</b>" + "y" * 4096, parse_mode="HTML",
    )  # fmt: skip
    await ok(client, "editMessageText", **edit, text="<b>x</b>" + "y" * 4095, parse_mode="HTML")


async def test_a_member_writes_at_most_4096_characters_and_a_client_splits_longer_text(
    double: BotApiDouble,
) -> None:
    """Member.send refuses over 4,096; send_long cuts past the half, at the last break."""
    dana = double.member("Dana")
    with pytest.raises(AssertionError, match="send_long"):
        await dana.send(dana.dm, "x" * 4097)
    text = "a" * 3000 + "\n\n" + "b" * 3000 + ". " + "c" * 3000 + " " + "d" * 100
    assert client_parts(text) == ["a" * 3000, "b" * 3000 + ".", "c" * 3000 + " " + "d" * 100]
    # No break past the half: a hard cut at 4,096.
    sent = await dana.send_long(dana.dm, "e" * 1000 + " " + "f" * 3500)
    assert [m.text for m in sent] == ["e" * 1000 + " " + "f" * 3095, "f" * 405]


async def test_inline_keyboard_rules(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])

    def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
        return {"inline_keyboard": [list(buttons)]}

    await ok(
        client,
        "sendMessage",
        chat_id=team.id,
        text="ok",
        reply_markup=keyboard({"text": "A", "callback_data": "é" * 32}),
    )
    await fails(
        client, "sendMessage", 400, "Bad Request: BUTTON_DATA_INVALID", chat_id=team.id, text="x",
        reply_markup=keyboard({"text": "A", "callback_data": "x" * 65}),
    )  # fmt: skip
    await fails(
        client, "sendMessage", 400, "BUTTON_DATA_INVALID", chat_id=team.id, text="x",
        reply_markup=keyboard({"text": "A", "callback_data": ""}),
    )  # fmt: skip
    await fails(
        client, "sendMessage", 400, "text buttons are unallowed", chat_id=team.id, text="x",
        reply_markup=keyboard({"text": "", "callback_data": "a"}),
    )  # fmt: skip
    many = {"inline_keyboard": [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]}
    await fails(
        client, "sendMessage", 400, "Bad Request: reply markup is too long",
        chat_id=team.id, text="x", reply_markup=many,
    )  # fmt: skip
    await ok(
        client,
        "sendMessage",
        chat_id=team.id,
        text="answer me",
        reply_markup={"force_reply": True},
    )
    assert double.messages(team)[-1].force_reply


async def test_edit_rules(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    sent = await ok(
        client,
        "sendMessage",
        chat_id=team.id,
        text="<b>v1</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    mid = sent["message_id"]
    await fails(
        client, "editMessageText", 400, "Bad Request: message is not modified: specified new",
        chat_id=team.id, message_id=mid, text="<b>v1</b>", parse_mode="HTML", reply_markup=markup,
    )  # fmt: skip
    await fails(
        client, "editMessageText", 400, "Bad Request: inline keyboard expected",
        chat_id=team.id, message_id=mid, text="v2", reply_markup={"force_reply": True},
    )  # fmt: skip
    await fails(
        client,
        "editMessageText",
        400,
        "message to edit not found",
        chat_id=team.id,
        message_id=999,
        text="v2",
    )
    theirs = await alice.send(team, "/hello")
    await fails(
        client, "editMessageText", 400, "message to edit not found",
        chat_id=team.id, message_id=theirs.message_id, text="v2",
    )  # fmt: skip
    edited = await ok(client, "editMessageText", chat_id=team.id, message_id=mid, text="v2")
    assert edited["text"] == "v2"
    assert "reply_markup" not in edited
    msg = team.by_id[mid]
    assert msg.text == "v2"
    assert msg.edits == ["v1"]
    assert msg.buttons == []
    assert await double.wait_for_edit(team, msg, "v2", timeout=0.1) is msg
    await ok(
        client, "editMessageReplyMarkup", chat_id=team.id, message_id=mid, reply_markup=markup
    )
    await fails(
        client, "editMessageReplyMarkup", 400, "message is not modified",
        chat_id=team.id, message_id=mid, reply_markup=markup,
    )  # fmt: skip
    await ok(client, "deleteMessage", chat_id=team.id, message_id=mid)
    assert msg.deleted
    await fails(
        client,
        "deleteMessage",
        400,
        "message to delete not found",
        chat_id=team.id,
        message_id=mid,
    )


async def test_delete_within_48_hours(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    """deleteMessage: a bot's message can be deleted for 48 hours after it was sent."""
    team = double.group("Team", members=[double.member("Alice")])
    young = await ok(client, "sendMessage", chat_id=team.id, text="young")
    old = await ok(client, "sendMessage", chat_id=team.id, text="old")
    double.wall_offset = 48 * 3600 - 5
    await ok(client, "deleteMessage", chat_id=team.id, message_id=young["message_id"])
    double.wall_offset = 48 * 3600
    await fails(
        client, "deleteMessage", 400, "Bad Request: message can't be deleted for everyone",
        chat_id=team.id, message_id=old["message_id"],
    )  # fmt: skip
    assert team.by_id[young["message_id"]].deleted
    assert not team.by_id[old["message_id"]].deleted
    fresh = await ok(client, "sendMessage", chat_id=team.id, text="fresh")
    assert fresh["date"] >= old["date"] + 48 * 3600  # dates follow the double's calendar


async def test_selective_force_reply_opens_the_field_for_whom_it_names(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    """ForceReply: selective opens the reply field for members mentioned (a tg://user link or
    an @username) and for the sender of the message replied to; otherwise for everyone."""
    alice = double.member("Alice", username="alice")
    bob = double.member("Bob", username="bob_ops")
    carol = double.member("Carol")
    team = double.group("Team", members=[alice, bob, carol])
    selective = {"force_reply": True, "selective": True}

    async def sent(**params: Any) -> SentMessage:
        result = await ok(client, "sendMessage", chat_id=team.id, parse_mode="HTML", **params)
        return team.by_id[result["message_id"]]

    def opened(message: SentMessage) -> list[str]:
        return [m.first_name for m in (alice, bob, carol) if message.opens_reply_for(m)]

    linked = await sent(
        text=f'<a href="tg://user?id={carol.id}">Carol</a>, reply', reply_markup=selective
    )
    assert linked.entities[0]["type"] == "text_mention"
    assert linked.entities[0]["user"]["id"] == carol.id
    assert opened(linked) == ["Carol"]
    assert opened(await sent(text="@bob_ops, reply", reply_markup=selective)) == ["Bob"]
    command = await alice.send(team, "/import")
    answer = await sent(
        text="reply", reply_markup=selective, reply_to_message_id=command.message_id
    )
    assert opened(answer) == ["Alice"]
    assert opened(await sent(text="anyone", reply_markup={"force_reply": True})) == [
        "Alice", "Bob", "Carol"
    ]  # fmt: skip
    assert opened(await sent(text="@bob_ops no markup")) == []


async def test_reply_target_must_exist(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    await fails(
        client, "sendMessage", 400, "Bad Request: message to be replied not found",
        chat_id=team.id, text="x", reply_parameters={"message_id": 77},
    )  # fmt: skip
    await fails(
        client, "sendMessage", 400, "message to be replied not found",
        chat_id=team.id, text="x", reply_to_message_id=77,
    )  # fmt: skip
    result = await ok(
        client, "sendMessage", chat_id=team.id, text="x",
        reply_parameters={"message_id": 77, "allow_sending_without_reply": True},
    )  # fmt: skip
    assert "reply_to_message" not in result
    theirs = await alice.send(team, "/start")
    result = await ok(
        client, "sendMessage", chat_id=team.id, text="y", reply_to_message_id=theirs.message_id
    )
    assert result["reply_to_message"]["text"] == "/start"
    assert double.messages(team)[-1].reply_to is theirs


async def test_callback_answer_once(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    markup = {
        "inline_keyboard": [
            [{"text": "✅ Yes", "callback_data": "yes"}, {"text": "No", "callback_data": "no"}]
        ]
    }
    await ok(client, "sendMessage", chat_id=team.id, text="Sure?", reply_markup=markup)
    message = await double.wait_for_message(team, "Sure?")
    with pytest.raises(AssertionError, match=r"available: \[✅ Yes\]"):
        await alice.press(message, "Maybe")
    query = await alice.press(message, "Yes")
    update = (await ok(client, "getUpdates"))[-1]
    assert update["callback_query"]["data"] == "yes"
    assert update["callback_query"]["message"]["message_id"] == message.message_id
    await ok(
        client, "answerCallbackQuery", callback_query_id=query.id, text="Done", show_alert=True
    )
    assert (await double.wait_for_answer(query, timeout=0.1)).answer_text == "Done"
    assert query.show_alert is True
    await fails(client, "answerCallbackQuery", 400, "query is too old", callback_query_id=query.id)
    await fails(client, "answerCallbackQuery", 400, "query is too old", callback_query_id="nope")
    forged = await alice.press_raw(message, data="forged:1")
    assert forged.data == "forged:1"


# --------------------------------------------------------------------------- rate limits, faults


async def test_group_rate_limit_with_fake_clock(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    clock = FakeClock()
    double.time_source = clock
    team = double.group("Team")
    for i in range(20):
        await ok(client, "sendMessage", chat_id=team.id, text=f"m{i}")
    body = await fails(
        client, "sendMessage", 429, "Too Many Requests: retry after 60", chat_id=team.id, text="x"
    )
    assert body["parameters"] == {"retry_after": 60}
    assert double.stats["429"] == 1
    assert double.stats["sendMessage"] == 21
    # Edits are not counted by default.
    await ok(client, "editMessageText", chat_id=team.id, message_id=1, text="edited")
    clock.now += 30
    body = await fails(client, "sendMessage", 429, "retry after 30", chat_id=team.id, text="x")
    clock.now += 30
    await ok(client, "sendMessage", chat_id=team.id, text="after a minute")
    double.group_limit = None
    for i in range(25):
        await ok(client, "sendMessage", chat_id=team.id, text=f"free {i}")


async def test_global_and_private_limits_are_configurable() -> None:
    clock = FakeClock()
    async with (
        BotApiDouble(
            token=TOKEN,
            time_source=clock,
            global_limit=RateLimit(3, 1.0),
            private_chat_limit=RateLimit(2, 1.0),
        ) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        alice, bob = server.member("Alice"), server.member("Bob")
        await alice.start_bot()
        await bob.start_bot()
        await ok(http, "sendMessage", chat_id=alice.id, text="1")
        await ok(http, "sendMessage", chat_id=alice.id, text="2")
        await fails(http, "sendMessage", 429, "retry after 1", chat_id=alice.id, text="3")
        await ok(http, "sendMessage", chat_id=bob.id, text="1")
        await fails(http, "sendMessage", 429, "retry after", chat_id=bob.id, text="2")  # global
        clock.now += 1
        await ok(http, "sendMessage", chat_id=alice.id, text="3")
    async with BotApiDouble(token=TOKEN, rate_limits=False) as server:
        assert server.global_limit is server.group_limit is server.private_chat_limit is None


async def test_fail_next_injects_faults_before_processing(
    double: BotApiDouble, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, building RetryAfter warns (an error under filterwarnings=error).
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    alice = double.member("Alice")
    await alice.start_bot()
    double.fail_next("sendMessage", status=502, times=2)
    double.fail_next("sendMessage", retry_after=7)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(alice.id, "hi")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice.id, "hi")
    assert info.value.retry_after == dt.timedelta(seconds=7)
    assert double.messages(alice.dm)[-1].text == "/start"  # nothing stored
    await bot.send_message(alice.id, "finally")
    assert double.messages(alice.dm)[-1].text == "finally"
    assert double.stats["429"] == 1
    assert double.stats["faults"] == 3


# --------------------------------------------------------------------------- migration


async def test_migration_to_supergroup(
    double: BotApiDouble, bot: Bot, client: httpx.AsyncClient
) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    new = await double.migrate_to_supergroup(team, by=alice)
    assert new.type == "supergroup"
    assert str(new.id).startswith("-100")
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(team.id, "hi")
    assert info.value.new_chat_id == new.id
    body = await fails(
        client,
        "sendMessage",
        400,
        "group chat was upgraded to a supergroup chat",
        chat_id=team.id,
        text="x",
    )
    assert body["parameters"] == {"migrate_to_chat_id": new.id}
    sent = await bot.send_message(new.id, "moved")
    assert sent.chat.type == "supergroup"
    updates = await bot.get_updates()
    service = [u.message for u in updates if u.message]
    assert service[0].migrate_to_chat_id == new.id
    assert service[0].chat.id == team.id
    assert service[1].migrate_from_chat_id == team.id
    assert service[1].chat.id == new.id


async def test_a_supergroup_numbers_its_messages_afresh(double: BotApiDouble, bot: Bot) -> None:
    """The supergroup's message ids start over: the group's ids mean nothing there."""
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    for n in range(5):
        await bot.send_message(team.id, f"old {n}")
    new = await double.migrate_to_supergroup(team, by=alice, supergroup_first=True)
    sent = await bot.send_message(new.id, "moved")
    assert [m.message_id for m in double.chat(new.id).messages] == [1, 2]
    assert sent.message_id == 2
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=new.id, message_id=4)
    updates = await bot.get_updates()
    service = [u.message for u in updates if u.message and u.message.chat.id in (team.id, new.id)]
    assert [m.chat.id for m in service[-2:]] == [new.id, team.id]


# --------------------------------------------------------------------------- getUpdates


async def test_get_updates_offset_limit_and_long_poll(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    alice = double.member("Alice")
    for i in range(5):
        await alice.send(alice.dm, f"m{i}")
    first = await ok(client, "getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["m0", "m1"]
    again = await ok(client, "getUpdates", limit=2)
    assert again == first  # not confirmed yet
    rest = await ok(client, "getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["m2", "m3", "m4"]
    assert await ok(client, "getUpdates", offset=-1) == rest[-1:]
    assert await ok(client, "getUpdates", offset=rest[-1]["update_id"] + 1) == []

    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(
        call(client, "getUpdates", offset=rest[-1]["update_id"] + 1, timeout=20)
    )
    await asyncio.sleep(0.05)  # let the poll reach the server before the update exists
    assert not poll.done()
    await alice.send(alice.dm, "wake up")
    _, body = await asyncio.wait_for(poll, 5)
    assert [u["message"]["text"] for u in body["result"]] == ["wake up"]
    assert loop.time() - started < 5


async def test_stop_releases_long_polls() -> None:
    server = BotApiDouble(token=TOKEN)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        poll = asyncio.create_task(call(http, "getUpdates", timeout=25))
        await server.wait_idle(timeout=5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await server.stop()
        status, body = await asyncio.wait_for(poll, 5)
        assert status == 200
        assert body["result"] == []
        assert loop.time() - started < 3


async def test_webhook_blocks_get_updates(double: BotApiDouble, client: httpx.AsyncClient) -> None:
    await ok(client, "setWebhook", url="https://example.org/hook")
    await fails(client, "getUpdates", 409, "webhook is active")
    await ok(client, "deleteWebhook", drop_pending_updates=True)
    assert await ok(client, "getUpdates") == []


# --------------------------------------------------------------------------- privacy mode


async def test_privacy_mode_filters_group_messages(
    double: BotApiDouble, client: httpx.AsyncClient
) -> None:
    alice = double.member("Alice", username="alice")
    team = double.group("Team", members=[alice])
    bot_msg_id = (await ok(client, "sendMessage", chat_id=team.id, text="Name?"))["message_id"]
    bot_msg = team.by_id[bot_msg_id]
    plain = await alice.send(team, "just chatting")
    other_bot = await alice.send(team, "/start@other_bot")
    mine = await alice.send(team, f"/start@{BOT_USERNAME} now")
    general = await alice.send(team, "/help")
    reply = await alice.reply(team, to=bot_msg, text="Checkout")
    mention = await alice.send(team, f"hey @{BOT_USERNAME}, help")
    reply_to_human = await alice.reply(team, to=plain, text="me too")
    sent = (plain, other_bot, mine, general, reply, mention, reply_to_human)
    assert [m.delivered for m in sent] == [False, False, True, True, True, True, False]
    updates = await ok(client, "getUpdates")
    texts = [u["message"]["text"] for u in updates]
    assert texts == [mine.text, "/help", "Checkout", mention.text]
    assert updates[0]["message"]["entities"][0] == {
        "type": "bot_command", "offset": 0, "length": len(f"/start@{BOT_USERNAME}"),
    }  # fmt: skip
    assert updates[2]["message"]["reply_to_message"]["message_id"] == bot_msg_id
    assert len(double.messages(team)) == 8  # undelivered ones are still in the transcript
    double.privacy_mode = False
    assert (await alice.send(team, "now you see me")).delivered


# --------------------------------------------------------------------------- files, commands


async def test_uploads_and_downloads(double: BotApiDouble, bot: Bot) -> None:
    alice = double.member("Alice")
    await alice.start_bot()
    doc = await bot.send_document(
        alice.id, b"col1,col2\n", filename="map.csv", caption="<b>Map</b>", parse_mode="HTML"
    )
    assert doc.document is not None
    assert doc.document.file_name == "map.csv"
    stored = await double.wait_for_document(alice.dm, ".csv", timeout=0.1)
    assert stored.data == b"col1,col2\n"
    assert stored.caption == "Map"
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + (2000).to_bytes(4, "big") * 2
    photo = await bot.send_photo(alice.id, png + b"\x00" * 64, filename="map.png")
    assert photo.photo[-1].width == 2000
    assert (await double.wait_for_photo(alice.dm, timeout=0.1)).filename == "map.png"
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(alice.id, b"x" * (10 * 1024 * 1024 + 1), filename="huge.jpg")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(alice.id, b"x", filename="a.txt", caption="c" * 1025)
    upload = await alice.reply_with(
        alice.dm,
        to=doc_message(double, alice),
        kind="document",
        document_bytes=b"hello",
        filename="notes.txt",
    )
    updates = await bot.get_updates()
    sent_doc = updates[-1].message.document if updates[-1].message else None
    assert sent_doc is not None
    assert sent_doc.file_name == "notes.txt"
    tg_file = await bot.get_file(sent_doc.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == b"hello"
    assert upload.reply_to is not None
    assert upload.reply_to.filename == "map.csv"


def doc_message(double: BotApiDouble, member: Any) -> Any:
    """The bot's first document in the member's private chat."""
    return next(m for m in double.messages(member.dm) if m.kind == "document")


async def test_commands_are_stored_per_scope_and_language(double: BotApiDouble, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("newmap", "Create a map")])
    await bot.set_my_commands([BotCommand("newmap", "Karte anlegen")], language_code="de")
    await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeAllGroupChats())
    assert double.commands() == [("newmap", "Create a map")]
    assert double.commands(language_code="de") == [("newmap", "Karte anlegen")]
    assert double.commands(scope={"type": "all_group_chats"}) == [("help", "Help")]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["newmap"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("NewMap", "bad")])
    await bot.delete_my_commands(language_code="de")
    assert double.commands(language_code="de") == []


async def test_chat_queries(double: BotApiDouble, bot: Bot) -> None:
    alice, bob, carol = double.member("Alice"), double.member("Bob"), double.member("Carol")
    team = double.group("Team", members=[bob, carol], admins=[alice], owner=carol)
    assert (await bot.get_chat(team.id)).title == "Team"
    assert (await bot.get_chat_member(team.id, alice.id)).status == "administrator"
    assert (await bot.get_chat_member(team.id, bob.id)).status == "member"
    assert (await bot.get_chat_member(team.id, carol.id)).status == "creator"
    assert (await bot.get_chat_member(team.id, double.bot_id)).status == "member"
    admins = await bot.get_chat_administrators(team.id)
    assert {a.user.id for a in admins} == {alice.id, carol.id}
    assert await bot.get_chat_member_count(team.id) == 4
    await bot.send_chat_action(team.id, "typing")
    assert double.chat_actions == [(team.id, "typing")]
    await bot.leave_chat(team.id)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(team.id, "x")


# --------------------------------------------------------------------------- a real PTB bot


async def test_real_application_against_the_double(double: BotApiDouble) -> None:
    seen: list[Update] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])
        await update.effective_message.reply_text(
            f"echo: <b>{html.escape(' '.join(context.args or []))}</b>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )

    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Your name?", reply_markup=ForceReply())

    async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Hi {update.effective_message.text}")

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("again!")
        await query.edit_message_text("pressed")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{double.url}/bot")
        .base_file_url(f"{double.url}/file/bot")
        .build()
    )
    app.add_handler(TypeHandler(Update, record), group=-1)
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CommandHandler("ask", ask))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT, on_reply))
    app.add_handler(CallbackQueryHandler(on_button))

    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        try:
            await alice.send(team, "/echo a<b")
            answer = await double.wait_for_message(team, "echo: a<b")
            assert answer.html == "echo: <b>a&lt;b</b>"
            query = await alice.press(answer, "Again")
            assert (await double.wait_for_answer(query)).answer_text == "again!"
            await double.wait_for_edit(team, answer, "pressed")

            ask_cmd = await alice.send(team, "/ask")
            question = await double.wait_for_message(team, "Your name?", after=ask_cmd)
            assert question.force_reply
            assert question.reply_to is ask_cmd
            await alice.send(team, "I am just chatting")
            await double.wait_idle()
            assert not any(u.message and u.message.text == "I am just chatting" for u in seen), (
                "privacy mode should hide a plain group message"
            )
            await alice.reply(team, to=question, text="Alice")
            await double.wait_for_message(team, "Hi Alice", after=question)
            await double.wait_idle()
            transcript = double.transcript_markdown(team)
            assert "**Journey Bot** (↩ Alice: /echo a<b): pressed (edited)" in transcript
            assert "I am just chatting" in transcript
        finally:
            await app.updater.stop()
            await app.stop()
    assert not double.errors, double.errors


# --------------------------------------------------------------------------- driver details


async def test_add_bot_to_group_emits_updates(double: BotApiDouble, bot: Bot) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice], with_bot=False)
    with pytest.raises(Forbidden, match="not a member of the group chat"):
        await bot.send_message(team.id, "x")
    added = await double.add_bot_to(team, by=alice)
    assert added.delivered
    updates = await bot.get_updates()
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[1].message is not None
    assert [u.id for u in updates[1].message.new_chat_members] == [double.bot_id]
    await bot.send_message(team.id, "Hello, I am here")
    bob = double.member("Bob")
    with pytest.raises(AssertionError, match="not a member"):
        await bob.send(team, "hi")
    await double.join(team, bob)
    await bob.send(team, "hi")
    await double.leave(team, bob)
    assert "Alice added Journey Bot" in double.transcript_markdown(team)


async def test_member_media_are_valid_telegram_objects(double: BotApiDouble, bot: Bot) -> None:
    alice = double.member("Alice")
    await alice.start_bot()
    question = await bot.send_message(alice.id, "Send me something")
    asked = alice.dm.by_id[question.message_id]
    for kind in ("sticker", "photo", "voice", "document"):
        await alice.reply_with(alice.dm, to=asked, kind=kind)
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message and u.message.reply_to_message]
    assert len(messages) == 4
    sticker, photo, voice, document = messages
    assert sticker.sticker is not None
    assert voice.voice is not None
    assert photo.photo
    assert document.document is not None
    data = await (await bot.get_file(photo.photo[-1].file_id)).download_as_bytearray()
    assert bytes(data).startswith(b"\x89PNG")


async def test_wait_timeout_shows_transcript(double: BotApiDouble) -> None:
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    await alice.send(team, "/newmap Checkout")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*'nope'.*/newmap Checkout"):
        await double.wait_for_message(team, "nope", timeout=0.05)


async def test_wait_idle_requires_a_poller(double: BotApiDouble) -> None:
    alice = double.member("Alice")
    await alice.send(alice.dm, "hello?")
    assert double.pending_updates == 1
    with pytest.raises(AssertionError, match="unfetched updates=1"):
        await double.wait_idle(timeout=0.1)


async def test_running_helper_and_crash_free_session(double: BotApiDouble) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome!")

    app = application_builder(double).build()
    app.add_handler(CommandHandler("start", start))
    alice = double.member("Alice")
    async with running(app):
        hello = await alice.start_bot()
        welcome = await double.wait_for_message(alice.dm, "Welcome", after=hello)
        assert welcome.reply_to is None  # PTB quotes only in groups by default
        await double.wait_idle()
    assert double.stats["getMe"] == 1
    assert not double.crashes


async def test_redeliver_queues_the_same_update_again(double: BotApiDouble, bot: Bot) -> None:
    """A redelivered update is the one first sent: same update_id, same content, in order."""
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    question = await bot.send_message(
        team.id,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    card = team.by_id[question.message_id]
    reply = await alice.reply(team, card, "Answer")
    press = await alice.press(card, "A")
    first = await bot.get_updates()
    await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)  # confirmed
    assert double.redeliver(press) == press.update_id
    assert double.redeliver(reply) == reply.update_id
    updates = await bot.get_updates()  # a restarted bot polls from offset 0
    assert [u.update_id for u in updates] == [u.update_id for u in first]
    assert updates[0].message is not None
    assert updates[0].message.message_id == reply.message_id
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.id == press.id
    assert not double.crashes


async def test_a_redelivery_confirmed_unseen_is_noted(double: BotApiDouble, bot: Bot) -> None:
    """Redelivering to a bot whose offset is past the update is a test's mistake, and noted."""
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    message = await alice.send(team, "/start")
    (update,) = await bot.get_updates()
    await bot.get_updates(offset=update.update_id + 1, timeout=0)
    double.redeliver(message)
    await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert double.crashes == [f"update {update.update_id} was confirmed without being fetched"]
    double.crashes.clear()


async def test_an_edit_of_a_message_the_bot_knows_is_an_edited_message(
    double: BotApiDouble, bot: Bot
) -> None:
    """Bot API Update.edited_message: the new version of a known message, same message_id."""
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    question = await bot.send_message(team.id, "Name?")
    reply = await alice.reply(team, team.by_id[question.message_id], "Марна")
    chatter = await alice.send(team, "not for the bot")  # privacy mode: never delivered
    await bot.get_updates()
    edited_id = await alice.edit(reply, "Марина")
    assert await alice.edit(chatter, "still not") is None
    (update,) = await bot.get_updates(offset=(edited_id or 0))
    assert update.edited_message is not None
    assert update.edited_message.message_id == reply.message_id
    assert update.edited_message.text == "Марина"
    assert update.edited_message.edit_date is not None
    assert update.edited_message.reply_to_message is not None
    assert reply.text == "Марина"
    assert reply.edits == ["Марна"]


async def test_a_press_answered_too_late_is_refused(double: BotApiDouble, bot: Bot) -> None:
    """answerCallbackQuery past Telegram's window: 400 "query is too old"."""
    alice = double.member("Alice")
    team = double.group("Team", members=[alice])
    sent = await bot.send_message(
        team.id,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    late = await alice.press(team.by_id[sent.message_id], "A")
    double.pass_time(CALLBACK_ANSWER_WINDOW_S + 1)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(late.id)
    fresh = await alice.press(team.by_id[sent.message_id], "A")
    assert await bot.answer_callback_query(fresh.id)

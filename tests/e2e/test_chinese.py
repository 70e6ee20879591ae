"""Chinese-speaking teams: a zh-* member gets Chinese texts, buttons, command menu and dates."""

from collections.abc import Callable

from cjm.db import UnitOfWork
from cjm.services import maps
from cjm.services.chats import get_chat
from cjm.views import ChatRef
from tests.conftest import StartBot, Team
from tests.double import BotApiDouble
from tests.factories import make_full_map


async def test_a_chinese_member_gets_chinese_texts_in_a_new_group(
    double: BotApiDouble, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """A group whose first member's language_code is zh-hans speaks Simplified Chinese."""
    wang = double.member("王芳", language_code="zh-hans")
    chat = double.group("产品团队", admins=[wang])
    await start_bot()
    sent = await wang.send(chat, "/newmap 街道小店首次购买")
    started = await double.wait_for_message(chat, containing="新地图", after=sent)
    assert (started.text or "").splitlines()[0].startswith("🗺 新地图“街道小店首次购买”已创建。")
    card = await double.wait_for_message(chat, containing="第 1 步", after=started)
    assert "第 1 步，共 6 步 · 用户画像" in (card.text or "")
    assert any(b.text == "下一步 ▶" for b in card.flat_buttons)

    journey = maps.get_current_map(new_uow(), chat_id=chat.id)
    assert (journey.title, journey.language) == ("街道小店首次购买", "zh")
    assert not double.errors, double.errors


async def test_chinese_members_see_the_chinese_command_menu(
    double: BotApiDouble, start_bot: StartBot
) -> None:
    """setMyCommands has a zh list: zh-hans and zh-hant members see it, others do not."""
    await start_bot()
    await double.wait_idle()
    english = dict(double.commands(scope="all_group_chats"))
    chinese = dict(double.commands(language_code="zh", scope="all_group_chats"))
    assert chinese.keys() == english.keys()
    assert chinese["newmap"] == "新建客户旅程地图：/newmap 后接标题"
    assert chinese["language"] == "更改我在这里使用的语言"
    for code in ("zh-hans", "zh-hant", "zh"):
        assert dict(double.menu_shown_to(code, "all_group_chats")) == chinese
    assert dict(double.menu_shown_to("de", "all_group_chats")) == english
    customers = dict(double.menu_shown_to("zh-hans", "all_private_chats"))
    assert customers["stop"] == "不再邀请我提供反馈"


async def test_language_zh_switches_an_english_chat(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """/language zh answers in Chinese; the /language menu offers 简体中文 and switches back."""
    await start_bot()
    sent = await team.alice.send(team.chat, "/language zh")
    done = await double.wait_for_message(team.chat, containing="🌐", after=sent)
    assert done.text == "🌐 从现在起，我在这里说中文。"
    chat = get_chat(
        new_uow(), ChatRef(team.chat.id, "Shop team"), default_language="en", default_tz="UTC"
    )
    assert chat.language == "zh"

    sent = await team.bob.send(team.chat, "/language")
    menu = await double.wait_for_message(team.chat, containing="哪种语言", after=sent)
    assert menu.text == "🌐 我在这个群里应该说哪种语言？"
    assert [b.text for b in menu.flat_buttons] == ["English", "Русский", "简体中文"]
    await team.bob.press(menu, "English")
    await double.wait_for_edit(team.chat, menu, containing="English")
    assert not double.errors, double.errors


async def test_a_due_date_in_chinese_is_read_and_shown_in_chinese(
    double: BotApiDouble, team: Team, start_bot: StartBot, new_uow: Callable[[], UnitOfWork]
) -> None:
    """ "下周五" on Thursday 2026-11-26 is Friday of next week, shown as 2026年12月4日."""
    make_full_map(new_uow, chat_id=team.chat.id, language="zh", tz="Asia/Shanghai")
    await start_bot()
    sent = await team.alice.send(team.chat, "/fixes")
    fixes = await double.wait_for_message(team.chat, containing="第 6 步", after=sent)
    await team.alice.press(fixes, "🛠 Sync ad copy")
    await double.wait_for_edit(team.chat, fixes, containing="👉 Sync ad copy")
    await team.alice.press(fixes, "📅 截止日期")
    due_q = await double.wait_for_message(team.chat, containing="什么时候截止", after=fixes)
    assert "“2周后”或“下周五”" in (due_q.text or "")
    await team.alice.reply(team.chat, due_q, "下周五")
    card = await double.wait_for_edit(team.chat, fixes, containing="2026年12月4日")

    journey = maps.get_current_map(new_uow(), chat_id=team.chat.id)
    assert str(journey.pains[0].fixes[0].due_on) == "2026-12-04"
    assert "2026年12月4日" in (card.text or "")
    assert not double.errors, double.errors

"""Docs, menus, texts and settings cannot drift apart from the code."""

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, TypeHandler

import cjm.errors
from bot import once
from bot.app import JourneyApp, build_application
from bot.context import QUESTIONS_TEMPLATE
from bot.handlers import replies
from bot.handlers.chat import COMMANDS, CUSTOMER_COMMANDS
from bot.settings import Settings
from cjm.render.texts import LOCALE_DIR, Texts
from cjm.services.chats import LANGUAGES
from cjm.services.questions import QUESTIONS, Question
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [language for language in LANGUAGES if language != "en"]  # English is the msgids
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")  # gettext's, a literal %, str.format's


def catalog_of(language: str) -> Catalog:
    """A language's messages.po as it is committed."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def journey_errors() -> list[type[cjm.errors.JourneyError]]:
    return [
        cls
        for cls in vars(cjm.errors).values()
        if isinstance(cls, type)
        and issubclass(cls, cjm.errors.JourneyError)
        and cls is not cjm.errors.JourneyError
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    """The README's commands table lists every command in the menu."""
    assert f"`/{command}" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_menu_description(command: str, language: str) -> None:
    """setMyCommands gets a non-empty description (3..256 chars) in each language."""
    text = Texts().plain_macro(language, "chat/commands.html", "describe", command=command)
    assert 3 <= len(text) <= 256


@pytest.mark.parametrize("error", journey_errors(), ids=lambda e: e.code)
def test_every_error_has_a_text(error: type[cjm.errors.JourneyError]) -> None:
    """errors.html has a macro for every JourneyError code."""
    module = Texts().environment("en").get_template("chat/errors.html").module
    assert hasattr(module, error.code)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_is_complete(language: str) -> None:
    """Every text is translated, nothing fuzzy, placeholders kept, the language's plural forms."""
    catalog = catalog_of(language)
    assert not catalog.fuzzy  # a fuzzy header makes gettext ignore the Plural-Forms line
    assert (catalog.num_plurals, catalog.plural_expr) == get_plural(language)  # ru 3, zh 1
    untranslated, fuzzy, changed = [], [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy:
            fuzzy.append(message.id)
        if len(strings) != (catalog.num_plurals if message.pluralizable else 1) or not all(
            strings
        ):
            untranslated.append(message.id)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        if any(sorted(PLACEHOLDER.findall(string)) != wanted for string in strings):
            changed.append(message.id)
    assert (untranslated, fuzzy, changed) == ([], [], [])


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_covers_every_template_text(language: str) -> None:
    """No template text is missing from a language's catalog (run `make i18n` after edits)."""
    from babel.messages.extract import extract_from_dir

    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog_of(language)}
    method_map = [("**.html", "jinja2")]
    options = {
        "**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "True",
            "newstyle_gettext": "True",
            "lstrip_blocks": "True",
        }
    }
    found = {
        (msg if isinstance(msg, str) else msg[0])
        for _, _, msg, _, _ in extract_from_dir(ROOT / "templates", method_map, options)
    }
    assert found - translated == set()


def test_every_setting_is_in_env_example_and_readme() -> None:
    """Each Settings field appears in .env.example and the README's settings table."""
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in example
        assert f"`{name.upper()}`" in readme


def _non_card_questions() -> list[Question]:
    return [row for row in QUESTIONS.values() if not row.is_card]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("row", _non_card_questions(), ids=lambda row: row.kind.value)
def test_every_question_has_wording_in_every_language(row: Question, language: str) -> None:
    """questions.html has the kind's macro, and it reads in the chat's language."""
    module = Texts().environment(language).get_template(QUESTIONS_TEMPLATE).module
    assert hasattr(module, row.macro), f"no macro {row.macro} in {QUESTIONS_TEMPLATE}"
    params = {name: _SAMPLE_PARAMS[name] for name in _macro_arguments(getattr(module, row.macro))}
    text = Texts().macro(language, QUESTIONS_TEMPLATE, row.macro, **params)
    english = Texts().macro("en", QUESTIONS_TEMPLATE, row.macro, **params)
    assert text.strip()
    if language != "en":
        assert text != english, f"{row.macro} is not translated into {language}"


_SAMPLE_PARAMS: dict[str, object] = {
    "name": "Checkout",
    "field": "role",
    "current": None,
    "stage": "Buy",
    "touchpoint": "Checkout",
    "pain": "Slow",
    "survey": SimpleNamespace(touchpoint_name="Checkout", kind=SimpleNamespace(value="nps")),
}


def _macro_arguments(macro: Any) -> list[str]:
    return list(macro.arguments)


def test_every_redraw_the_table_names_has_a_redrawer() -> None:
    """Each message an answer can change has a registered way to redraw it."""
    _application()
    named = {row.redraw for row in QUESTIONS.values()}
    assert named <= set(replies.REDRAWERS)
    assert {row.kind for row in QUESTIONS.values() if row.takes_files} == set(replies.FILE_ANSWERS)


def _application() -> JourneyApp:
    return build_application(
        Settings(_env_file=None, telegram_bot_token=TOKEN, database_url="sqlite://")
    )


def _registered_commands() -> set[str]:
    app = _application()
    return {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def test_every_registered_command_is_in_a_menu_and_every_menu_command_is_registered() -> None:
    """The menus and /help list what the Application really handles, no more, no less."""
    registered = _registered_commands()
    assert set(COMMANDS) | set(CUSTOMER_COMMANDS) == registered


def _group_text_reply() -> Update:
    """What a member's text reply to the bot in a group looks like to a handler's filters."""
    chat = {"id": -1, "type": "group", "title": "Team"}
    member = {"id": 7, "is_bot": False, "first_name": "Bob"}
    bot = {"id": 123456, "is_bot": True, "first_name": "Journey Bot"}
    question = {"message_id": 1, "date": 0, "chat": chat, "from": bot, "text": "Name?"}
    reply = {
        "message_id": 2,
        "date": 0,
        "chat": chat,
        "from": member,
        "text": "Olga",
        "reply_to_message": question,
    }
    return Update.de_json({"update_id": 1, "message": reply}, None)


def test_every_handler_that_changes_something_acts_once_per_update() -> None:
    """Each registered handler's updates are claimed once (bot/once.py) before it runs.

    Presses and commands are claimed by `once.claim`; a text reply in a group is claimed by
    the answer itself, so only the handlers CLAIMED_ELSEWHERE names may see one.
    """
    app = _application()
    (claim,) = app.handlers[once.CLAIM_GROUP]
    assert isinstance(claim, TypeHandler)
    assert claim.callback is once.claim
    assert min(app.handlers) < once.CLAIM_GROUP  # only the update log runs before it
    sample = _group_text_reply()
    features = [h for group, hs in app.handlers.items() if group > once.CLAIM_GROUP for h in hs]
    assert features
    for handler in features:
        assert once.covers(handler), handler
        if isinstance(handler, MessageHandler) and handler.callback not in once.CLAIMED_ELSEWHERE:
            assert not handler.check_update(sample), handler.callback
    assert {h.callback for h in features} >= set(once.CLAIMED_ELSEWHERE)

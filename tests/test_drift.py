"""Docs, menus, texts and settings cannot drift apart from the code."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import cjm.errors
from bot.handlers.chat import COMMANDS
from bot.settings import Settings
from cjm.render.texts import LOCALE_DIR, Texts

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.mark.parametrize("language", ["en", "ru"])
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


def test_the_russian_catalog_is_complete() -> None:
    """Every text is translated into Russian, nothing fuzzy, placeholders kept."""
    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", string)) == wanted, message.id


def test_the_catalog_covers_every_template_text() -> None:
    """No template text is missing from the Russian catalog (run `make i18n` after edits)."""
    from babel.messages.extract import extract_from_dir

    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po_file)}
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

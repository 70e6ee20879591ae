"""Chat texts: Jinja templates in templates/chat, translated with gettext catalogs via Babel."""

from __future__ import annotations

import html
import io
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cjm.models import Severity
from cjm.render.marks import MOMENT_OF_TRUTH_MARK, emotion_emoji, signed
from cjm.services.chats import LANGUAGES

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
LOCALE_DIR = TEMPLATES_DIR / "locale"


def load_translations(language: str, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """Read a language's .po catalog (compiled in memory, so no .mo file can go stale)."""
    po_path = locale_dir / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


class Texts:
    """Every text a user reads, per language: render(language, template, **context)."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = templates_dir

    @cached_property
    def _environments(self) -> dict[str, Environment]:
        return {language: self._environment(language) for language in LANGUAGES}

    def _environment(self, language: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(self.templates_dir),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(  # type: ignore[attr-defined]  # added by the i18n ext
            load_translations(language, self.templates_dir / "locale"), newstyle=True
        )
        env.filters["emoji"] = emotion_emoji
        env.filters["local_date"] = lambda d, fmt="medium": _local_date(d, language, fmt)
        env.filters["local_time"] = lambda dt, tz: _local_time(dt, tz, language)
        env.filters["signed"] = signed
        env.globals["language"] = language
        env.globals["moment_mark"] = MOMENT_OF_TRUTH_MARK
        env.globals["severities"] = tuple(Severity)  # most severe first, as every list sorts
        return env

    def environment(self, language: str) -> Environment:
        """The Jinja environment of a language (English when the language is unknown)."""
        return self._environments.get(language, self._environments["en"])

    def render(self, language: str, template: str, **context: Any) -> str:
        """Render a template to Telegram HTML (or the map page) in a language."""
        return self.environment(language).get_template(template).render(**context).strip()

    def macro(self, language: str, template: str, macro: str, /, **params: Any) -> str:
        """Render one macro of a template, e.g. an error text or a question."""
        module = self.environment(language).get_template(template).module
        return str(getattr(module, macro)(**params)).strip()

    def plain_macro(self, language: str, template: str, macro: str, /, **params: Any) -> str:
        """A macro as plain text, for places Telegram shows verbatim (buttons, command menu)."""
        return html.unescape(self.macro(language, template, macro, **params))

    def labels(self, language: str) -> Any:
        """The macros of chat/labels.html (button labels), callable as attributes."""
        return self.environment(language).get_template("chat/labels.html").module


def _local_date(value: date | None, language: str, fmt: str) -> str:
    return "" if value is None else format_date(value, format=fmt, locale=language)


def _local_time(value: datetime | None, tz: str, language: str) -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(tz)), format="short", locale=language)

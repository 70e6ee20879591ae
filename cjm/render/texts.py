"""Chat texts: Jinja templates in templates/chat, translated with gettext catalogs via Babel."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension

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


_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}")
_LINE_END_TAG = re.compile(r"(?<![-+])%\}$")
_KEEP_TRIMMING = re.compile(r"\{%-?\s*endmacro\b[^%]*%\}$")


class LineBreaks(Extension):
    """A line that shows text keeps its line break; a line of only tags disappears.

    `trim_blocks` drops the newline after every block tag, which is right for a line of
    only `{% if %}`/`{% endfor %}` tags but joins the next line onto a line of text that
    happens to end in a tag (`… ({{ votes }}){% endif %}`): every touchpoint of /map ran
    together this way. So a text line's last tag gets Jinja's `+%}` (keep the newline).
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """Mark the last tag of each text line of a chat template `+%}`."""
        if not (name or "").startswith("chat/"):
            return source  # the map page is HTML: its line breaks show nothing
        return "\n".join(_keep_break(line) for line in source.split("\n"))


def _keep_break(line: str) -> str:
    if not _LINE_END_TAG.search(line) or _KEEP_TRIMMING.search(line):
        return line
    if not _TAG.sub("", line).strip():
        return line  # only tags: trim_blocks removes its line break, as it should
    return line[:-2] + "+%}"


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
            extensions=["jinja2.ext.i18n", LineBreaks],
        )
        env.install_gettext_translations(  # type: ignore[attr-defined]  # added by the i18n ext
            load_translations(language, self.templates_dir / "locale"), newstyle=True
        )
        env.filters["emoji"] = emotion_emoji
        env.filters["local_date"] = lambda d, fmt="medium": _local_date(d, language, fmt)
        env.filters["local_time"] = lambda dt, tz: _local_time(dt, tz, language)
        env.filters["signed"] = signed
        env.filters["number"] = lambda n: format_decimal(n, locale=language)
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

    def has_macro(self, language: str, template: str, macro: str) -> bool:
        """Whether a template defines (and exports) a macro of this name."""
        return hasattr(self.environment(language).get_template(template).module, macro)

    def plain_macro(self, language: str, template: str, macro: str, /, **params: Any) -> str:
        """A macro as plain text, for places Telegram shows verbatim (buttons, command menu)."""
        return html.unescape(self.macro(language, template, macro, **params))

    def labels(self, language: str) -> Any:
        """The macros of chat/labels.html (button labels), callable as attributes."""
        return self.environment(language).get_template("chat/labels.html").module


def _local_date(value: date | str | None, language: str, fmt: str) -> str:
    """A day as the language writes it ("Dec 7, 2026", "7 дек. 2026 г."); ISO text is read."""
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format=fmt, locale=language)


def _local_time(value: datetime | None, tz: str, language: str) -> str:
    """A moment on the chat's clock, in its language's pattern: "Dec 7, 2026, 8:13 PM".

    The day is written out (medium), never the numeric short form, whose 12/7/26 a reader
    outside the US takes for the 12th of July.
    """
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    day = format_date(local, format="medium", locale=language)
    clock = format_time(local, format="short", locale=language)
    pattern = str(get_datetime_format("medium", locale=language))
    return pattern.replace("{1}", day).replace("{0}", clock)

"""The map page: a standalone HTML file (inline CSS and SVG, no requests) for screen and print.

The page model (page.py) and the emotion curve (curve.py) are built in Python; this module
puts them together and hands them to the jinja2 templates under templates/map/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import get_decimal_symbol
from markupsafe import Markup, escape

from cjm.models import PersonaField
from cjm.render.html.curve import emotion_curve
from cjm.render.html.page import (
    PRINT_COLUMNS_PER_PAGE,
    Column,
    FixCard,
    Kpis,
    MapPage,
    MapPart,
    Numbers,
    PainCard,
    ScoreCell,
    StageHead,
    kpis_of,
    layout,
    print_chunks,
)
from cjm.render.html.screenshot import screenshot_html
from cjm.render.texts import Texts
from cjm.services.chats import LANGUAGES
from cjm.views import MapView, TouchpointScore

__all__ = [
    "PRINT_COLUMNS_PER_PAGE",
    "Column",
    "FixCard",
    "Kpis",
    "MapPage",
    "MapPart",
    "PainCard",
    "ScoreCell",
    "StageHead",
    "emotion_curve",
    "render_map_html",
    "screenshot_html",
]

MAP_TEMPLATE = "map/map.html"
CELLS_TEMPLATE = "map/_cells.html"
CELLS_OF_STAGE = ("stage_head", "goal", "stage_pains", "stage_fixes", "kpis")  # _cells.html
CELLS_OF_COLUMN = ("touchpoint", "emotion", "pains", "fixes", "score")


def render_map_html(
    texts: Texts,
    view: MapView,
    *,
    language: str,
    scores: Mapping[int, TouchpointScore] | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The map as one standalone HTML page in a language; `scores` are keyed by touchpoint id."""
    language = language if language in LANGUAGES else "en"  # Texts falls back the same way
    rtl = Locale.parse(language).character_order == "right-to-left"
    fmt = Numbers(get_decimal_symbol(language))
    today = generated_at.astimezone(ZoneInfo(view.tz)).date() if generated_at else None
    heads, columns = layout(view, scores or {}, fmt, today)
    # Cells are rendered once and shared by the screen table and the printed pages.
    cells: Any = texts.environment(language).get_template(CELLS_TEMPLATE).module
    heads = [replace(head, html=_cells(cells, head, CELLS_OF_STAGE)) for head in heads]
    columns = [replace(column, html=_cells(cells, column, CELLS_OF_COLUMN)) for column in columns]
    screen = _part(heads, columns, rtl) if heads else None
    chunks = print_chunks(heads, columns)
    print_parts = tuple(_part(*chunk, rtl) for chunk in chunks) if len(chunks) > 1 else ()
    persona = {field: (text or "").strip() for field, text in view.persona.items()}
    name = persona.get(PersonaField.NAME) or None
    page = MapPage(
        language=language,
        direction="rtl" if rtl else "ltr",
        persona_name=name,
        persona_role=persona.get(PersonaField.ROLE) or None,
        persona_initial=name[0].upper() if name else "",
        persona_fields=tuple(
            (field.value, persona[field])
            for field in PersonaField
            if persona.get(field) and field not in (PersonaField.NAME, PersonaField.ROLE)
        ),
        kpis=kpis_of(view, fmt),
        screen=screen,
        print_parts=print_parts,
        has_scores=bool(scores),
        generated_at=generated_at,
    )
    return texts.render(language, MAP_TEMPLATE, map=view, page=page)


def _cells(module: Any, item: StageHead | Column, macros: Sequence[str]) -> dict[str, Markup]:
    """The macros of map/_cells.html rendered for a stage or a column.

    Macros of an autoescaped template return Markup, which escape() keeps as is; anything else
    would be escaped, so user text can never reach the page raw.
    """
    return {name: escape(getattr(module, name)(item)) for name in macros}


def _part(heads: Sequence[StageHead], columns: Sequence[Column], rtl: bool) -> MapPart:
    return MapPart(tuple(heads), tuple(columns), emotion_curve(columns, rtl=rtl))

"""The picture draws Chinese, Russian and English on any machine, from the project's own font."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.ft2font import FT2Font

from cjm.db import UnitOfWork
from cjm.models import PersonaField
from cjm.render.fonts import BUNDLED_FAMILY, bundled_cjk, shared_fonts
from cjm.render.lettering import Lettering
from cjm.render.png import build_map_figure, render_map_png
from cjm.render.texts import Texts
from cjm.services import persona
from cjm.services.chats import LANGUAGES
from cjm.services.outputs import picture_labels
from cjm.views import MapView
from tests.factories import (
    ALICE,
    TEAM_CHAT_ID,
    make_fix,
    make_map,
    make_pain,
    make_stages,
    make_touchpoints,
    map_of,
    vote,
)

# Each text carries the three scripts, so every language's picture draws all of them.
TITLE = "街道小店首次购买 · Первая покупка · First purchase"


def trilingual_map(uow: Callable[[], UnitOfWork], language: str) -> MapView:
    """A map whose persona, stages, touchpoints, pains and fixes mix Chinese, Russian, English."""
    journey = make_map(uow, title=TITLE, language=language)
    persona.set_persona_field(
        uow(),
        chat_id=TEAM_CHAT_ID,
        map_id=journey.id,
        field=PersonaField.NAME,
        value="王芳 Ольга Olga",
        actor=ALICE,
    )
    journey = make_stages(uow, journey.id, ["认知 Узнаёт Awareness", "购买 Покупает Purchase"])
    first, second = journey.stages
    make_touchpoints(uow, first.id, ["微信广告 реклама ad | 社交媒体 соцсети"])
    journey = make_touchpoints(uow, second.id, ["结账页面 корзина checkout | website"])
    (ad,) = journey.stage(first.id).touchpoints
    vote(uow, ad.id, -1)
    journey = make_pain(uow, second.id, "地址要填两次 — адрес дважды — address twice")
    make_fix(uow, journey.pains[0].id, "记住地址，запомнить адрес (remember it)", owner="李雷")
    return map_of(uow, stage_id=first.id)


def drawn_lines(journey: MapView, language: str) -> list[str]:
    """Every line of text the picture draws, in its language."""
    figure = build_map_figure(journey, picture_labels(Texts(), language))
    texts = [t for a in figure.artists if isinstance(a, Lettering) for t in a.texts()]
    return [line for text in texts for line in text.split("\n") if line.strip()]


def is_cjk(char: str) -> bool:
    """A Chinese character or CJK punctuation: wide, and drawn by a CJK font."""
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char) != "So"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_character_falls_back_to_a_box(
    uow: Callable[[], UnitOfWork], language: str, tmp_path: Path
) -> None:
    """Every character drawn is in the charmap of the font drawing it; CJK from the bundled one.

    Without the bundled font (the noto-cjk-sans-otc package) this fails: cjm.render.fonts
    cannot import it, and a system CJK font instead would not be the one asserted here.
    """
    journey = trilingual_map(uow, language)
    lines = drawn_lines(journey, language)
    drawn = "".join(lines)
    for words in ("街道小店首次购买", "Первая покупка", "First purchase", "王芳", "李雷", "адрес"):
        assert words in drawn
    assert "□" not in drawn  # Fonts.clean's mark for a letter no font has

    fonts, own = shared_fonts(), bundled_cjk()
    assert FT2Font(own, face_index=own.face_index).family_name == BUNDLED_FAMILY
    faces: dict[str, FT2Font] = {}
    cjk_drawn = 0
    for line in lines:
        for bold in (False, True):
            for path, run in fonts.runs(line, bold):
                face = faces.setdefault(
                    path, FT2Font(path, face_index=getattr(path, "face_index", 0))
                )
                for char in run:
                    assert face.get_char_index(ord(char)), f"{char!r} of {line!r} in {path}"
                    if is_cjk(char):
                        assert path == own, f"{char!r} drawn from {path}, not {BUNDLED_FAMILY}"
                        cjk_drawn += 1
    assert cjk_drawn > 20

    picture = render_map_png(journey, picture_labels(Texts(), language))
    (tmp_path / f"picture-{language}.png").write_bytes(picture)
    assert picture.startswith(b"\x89PNG")


def test_the_chinese_pictures_labels_are_chinese(uow: Callable[[], UnitOfWork]) -> None:
    """A Chinese chat's picture names its lanes in Chinese."""
    lines = drawn_lines(trilingual_map(uow, "zh"), "zh")
    for label in ("触点", "情绪", "痛点", "改进措施"):
        assert any(label in line for line in lines), label

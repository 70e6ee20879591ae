"""The picture's text, drawn by Pillow: where the layout says, at its size, in its colour."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.patches import Rectangle
from matplotlib.transforms import Affine2D

from cjm.render.fonts import LINE, Fonts, shared_fonts
from cjm.render.lettering import Lettering
from cjm.render.png import smallest_font_px

DPI = 144  # 2 px a point
PX = DPI / 72
INK = "#1E293B"


def draw(*blocks, fonts=None, shapes=()):
    """A 4×2 in white page with the blocks (args, kwargs of Lettering.add) at z-order 3.

    Returns the figure, its RGB pixels and its renderer.
    """
    figure = Figure(figsize=(4, 2), dpi=DPI, facecolor="white")
    page = Affine2D().scale(1 / 72, -1 / 72).translate(0, 2)  # points, y down from the top
    lettering = Lettering(fonts or shared_fonts())
    for args, kwargs in blocks:
        lettering.add(*args, **kwargs)
    figure.add_artist(lettering, clip=False)
    lettering.set(transform=page + figure.dpi_scale_trans, zorder=3)
    for shape in shapes:
        figure.add_artist(shape, clip=False)
        shape.set(transform=page + figure.dpi_scale_trans)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return figure, np.asarray(canvas.buffer_rgba())[..., :3], canvas.get_renderer()


def ink(pixels):
    """The box of the pixels that are not white: (left, top, right, bottom), rows down."""
    rows, columns = np.nonzero((pixels < 250).any(axis=2))
    return columns.min(), rows.min(), columns.max() + 1, rows.max() + 1


def cap_height():
    """DejaVu Sans's capital height, in em: the height of an unhinted H."""
    face = FT2Font(shared_fonts().paths["normal"][0])
    face.set_size(100, 72)
    return face.load_char(ord("H"), flags=LoadFlags.NO_HINTING).height / 64 / 100


def test_sits_on_the_baseline_the_layout_gives():
    """A top-anchored line's ink starts at x and sits on its baseline, inside its line box."""
    fonts = shared_fonts()
    figure, pixels, renderer = draw(((20, 30, ["Hamlet"]), {"size": 12, "color": INK}))
    left, top, right, bottom = ink(pixels)
    baseline = round((30 + 12 * fonts.ascent) * PX)
    assert bottom == baseline
    assert 20 * PX <= left <= 20 * PX + 3  # the H's left side bearing
    assert right <= (20 + fonts.width("Hamlet", 12)) * PX + 1
    assert top >= 30 * PX
    assert bottom <= (30 + 12 * LINE) * PX
    (box,) = figure.findobj(Lettering)[0].extents(renderer)
    height = pixels.shape[0]
    assert box.x0 <= left
    assert right <= box.x1 + 1
    assert box.y0 <= height - bottom
    assert height - top <= box.y1


def test_draws_glyphs_upright():
    """A T's bar is at the top of its ink, not the bottom."""
    _, pixels, _ = draw(((20, 20, ["T"]), {"size": 20}))
    left, top, right, bottom = ink(pixels)
    inked = (pixels[top:bottom, left:right] < 128).any(axis=2).sum(axis=1)
    assert inked[0] > 3 * inked[-1]


def test_draws_at_the_size_it_reports():
    """The ink of a capital is the size smallest_font_px reports, at the picture's own width."""
    figure, pixels, _ = draw(((10, 10, ["H"]), {"size": 20, "color": INK}))
    _, top, _, bottom = ink(pixels)
    drawn_px = (bottom - top) / cap_height()
    reported_px = smallest_font_px(figure, display_width=pixels.shape[1])
    assert reported_px == pytest.approx(20 * PX)
    assert drawn_px == pytest.approx(reported_px, abs=1.5)


@pytest.mark.parametrize(("ha", "edge"), [("center", 0.5), ("right", 1.0)])
def test_aligns_on_x(ha, edge):
    """Centred text has its middle on x; right-aligned text ends on x."""
    _, pixels, _ = draw(((100, 40, ["+1.0"]), {"size": 12, "ha": ha, "bold": True}))
    left, _, right, _ = ink(pixels)
    assert left + edge * (right - left) == pytest.approx(100 * PX, abs=2)


def test_centres_a_block_on_y():
    """A centred block's line boxes straddle y, one line box each."""
    fonts = shared_fonts()
    _, pixels, _ = draw(((20, 60, ["Stage one", "Stage two"]), {"size": 13, "va": "center"}))
    _, top, _, bottom = ink(pixels)
    first_baseline = (60 - 13 * LINE + 13 * fonts.ascent) * PX
    assert bottom == pytest.approx(first_baseline + 13 * LINE * PX + 13 * fonts.descent * PX, 1)
    assert top >= (60 - 13 * LINE) * PX


def test_bottom_puts_the_descender_on_y():
    """A bottom-anchored line ends its descenders on y, as matplotlib put it."""
    _, pixels, _ = draw(((20, 60, ["gy"]), {"size": 12, "va": "bottom"}))
    _, _, _, bottom = ink(pixels)
    assert bottom == pytest.approx(60 * PX, abs=1.5)


def test_keeps_its_colour():
    """A solid glyph's inside is exactly the text's colour, blended over the white page."""
    _, pixels, _ = draw(((20, 20, ["█"]), {"size": 40, "color": INK}))
    left, top, right, bottom = ink(pixels)
    inside = pixels[(top + bottom) // 2, (left + right) // 2]
    assert tuple(inside) == (0x1E, 0x29, 0x3B)


@pytest.mark.parametrize(("zorder", "covered"), [(4, True), (2, False)])
def test_keeps_its_place_in_the_z_order(zorder, covered):
    """A shape above the text hides it; a shape below it does not."""
    card = Rectangle((10, 10), 200, 60, fc="#EAF1FB", ec="none", zorder=zorder)
    _, pixels, _ = draw(((20, 20, ["Checkout"]), {"size": 12, "color": INK}), shapes=[card])
    colours = {
        tuple(p)
        for p in pixels[int(20 * PX) : int(50 * PX), int(20 * PX) : int(90 * PX)].reshape(-1, 3)
    }
    assert (colours == {(0xEA, 0xF1, 0xFB)}) is covered


def test_falls_back_to_the_next_font_for_what_the_first_lacks():
    """A character DejaVu Sans lacks comes from the next font, drawn after the run before it."""
    installed = {entry.name for entry in fontManager.ttflist}
    if "STIXGeneral" not in installed:
        pytest.skip("matplotlib ships STIX; this one has no STIXGeneral")
    fonts = Fonts(families=("STIXGeneral",), bundled=False)
    dejavu, stix = (FT2Font(path) for path in fonts.paths["normal"])
    missing = next(
        chr(code)
        for code in sorted(fonts.coverage)
        if not dejavu.get_char_index(code)
        and stix.get_char_index(code)
        and chr(code).isprintable()
    )
    runs = fonts.runs(f"AB{missing}")
    assert [(path, text) for path, text in runs] == [
        (fonts.paths["normal"][0], "AB"),
        (fonts.paths["normal"][1], missing),
    ]
    _, alone, _ = draw(((20, 20, ["AB"]), {"size": 12}), fonts=fonts)
    _, both, _ = draw(((20, 20, [f"AB{missing}"]), {"size": 12}), fonts=fonts)
    assert ink(both)[2] > ink(alone)[2] + 2  # the fallback glyph is inked right of "AB"

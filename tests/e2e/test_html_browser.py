"""The map page in a real browser: headless Chromium opens the file and draws it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from cjm.render.html import render_map_html, screenshot_html
from cjm.render.texts import Texts
from tests.domain.test_html import NOW, realistic_map, realistic_scores

WIDTH, HEIGHT = 1600, 1000


@pytest.fixture
def chromium() -> str:
    """The Chromium binary, or a skip that says how to install it."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Chromium is not installed: apt-get install chromium")
    return path


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """The realistic map rendered to a file, as the bot would send it."""
    view = realistic_map()
    html = render_map_html(
        Texts(), view, language="en", scores=realistic_scores(view), generated_at=NOW
    )
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    return path


def assert_drawn(png: Path) -> None:
    """The screenshot has the window's size and is more than one flat colour."""
    assert png.exists()
    assert png.stat().st_size > 10_000
    with Image.open(png) as image:
        assert image.size == (WIDTH, HEIGHT)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is None or len(colours) > 50  # text, badges, the curve's colours


def test_chromium_draws_the_map_page(chromium: str, page: Path, tmp_path: Path) -> None:
    """Headless Chromium, kept offline, opens the file:// page and takes a real screenshot."""
    png = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run(  # noqa: S603  (a fixed binary and our own temporary files)
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert_drawn(png)


def test_screenshot_html_helper_saves_a_png(chromium: str, page: Path) -> None:
    """The helper the demo reuses returns True and leaves a drawn PNG behind."""
    with tempfile.TemporaryDirectory() as out:
        png = Path(out) / "nested" / "map.png"
        assert screenshot_html(page, png, width=WIDTH, height=HEIGHT)
        assert_drawn(png)


def test_screenshot_html_says_false_without_chromium(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Chromium on PATH the helper returns False instead of failing."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not screenshot_html(page, tmp_path / "map.png")
    assert not (tmp_path / "map.png").exists()

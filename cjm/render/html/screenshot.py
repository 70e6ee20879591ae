"""A screenshot of the map page with headless Chromium, for the demo and the browser tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

SCREENSHOT_TIMEOUT_S = 60
# Headless, root-safe, and offline: no first-run, QUIC, sync, component updates or pings.
CHROMIUM_OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def screenshot_html(
    html_path: Path, png_path: Path, *, width: int = 1600, height: int = 1000
) -> bool:
    """Screenshot a page with headless Chromium; False when Chromium is missing, fails or hangs."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return False
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.unlink(missing_ok=True)
    # Its own session, so a hung Chromium and its helper processes can be ended together.
    with (
        tempfile.TemporaryDirectory(prefix="cjm-chromium-") as profile,
        subprocess.Popen(  # noqa: S603  (a fixed binary and our own file paths, no shell)
            [
                chromium,
                *CHROMIUM_OFFLINE_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png_path.resolve()}",
                f"--window-size={width},{height}",
                html_path.resolve().as_uri(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ) as browser,
    ):
        try:
            browser.wait(timeout=SCREENSHOT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
            return False
    return png_path.exists() and png_path.stat().st_size > 0

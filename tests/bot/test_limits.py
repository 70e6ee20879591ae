"""Telegram's limits: when the bot sends the map picture as a photo, and when as a document."""

from __future__ import annotations

import pytest

from bot import limits
from bot.limits import MAX_PHOTO_BYTES, MAX_PHOTO_SIDE_SUM, fits_telegram_photo
from cjm.render.png import layout


class TestFitsTelegramPhoto:
    def test_a_small_picture_is_a_photo(self):
        """A picture within 10 MB and 10000 px of sides, at least 1080 px wide, is a photo."""
        assert fits_telegram_photo(200_000, 1520, 264)

    @pytest.mark.parametrize(
        ("size_bytes", "width", "height"),
        [
            (MAX_PHOTO_BYTES + 1, 1080, 1080),
            (1000, 100, MAX_PHOTO_SIDE_SUM),
            (1000, 30, 700),
        ],
        ids=["over-10-mb", "sides-over-10000", "ratio-over-20"],
    )
    def test_a_picture_past_telegrams_limits_is_a_document(self, size_bytes, width, height):
        """Past 10 MB, sides summing past 10000 px, or a ratio past 20, make a document."""
        assert not fits_telegram_photo(size_bytes, width, height)
        assert not fits_telegram_photo(size_bytes, width, height, min_width=None)

    def test_a_picture_too_tall_to_stay_readable_is_a_document(self):
        """Telegram takes 1500×8000 as a photo, but shrinks it to 473 px wide: a document."""
        assert not fits_telegram_photo(1000, 1500, 8000)
        assert fits_telegram_photo(1000, 1500, 8000, min_width=None)

    def test_the_picture_is_drawn_for_the_sizes_judged_here(self):
        """The core sizes the picture for the photo side and phone width the bot judges by."""
        assert layout.PHOTO_LONG_SIDE == limits.PHOTO_LONG_SIDE
        assert layout.DISPLAY_WIDTH == limits.READABLE_WIDTH

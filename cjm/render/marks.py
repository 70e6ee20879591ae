"""The signs every output shares: emotion faces, the moment-of-truth star, signed numbers."""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

EMOTION_EMOJI: Final[Mapping[int, str]] = MappingProxyType(
    {-2: "😡", -1: "🙁", 0: "😐", 1: "🙂", 2: "😍"}
)
NO_VOTES_MARK: Final = "·"  # stands where a face would, before anyone voted
MOMENT_OF_TRUTH_MARK: Final = "⭐"
MINUS: Final = "−"  # U+2212: a true minus sign, as wide as the plus


def emotion_emoji(score: float | None) -> str:
    """The emoji of a −2..+2 score (averages round to the nearest face)."""
    if score is None:
        return NO_VOTES_MARK
    return EMOTION_EMOJI[max(-2, min(2, round(score)))]


def signed(value: float, digits: int = 1) -> str:
    """A number with its sign and a true minus: "+1.5", "−2.0"; zero reads "+0.0".

    A value that rounds to zero reads as zero, never "−0.0".
    """
    shown = round(value, digits) or 0.0  # -0.0 is falsy: drop the sign of a negative zero
    return f"{shown:+.{digits}f}".replace("-", MINUS)

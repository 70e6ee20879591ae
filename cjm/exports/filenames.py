"""File names for a map's exports, made from its title and safe on every system."""

import re
import unicodedata

from cjm.views import MapView

_FILENAME_MAX_CHARS = 60
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


def export_filename(view: MapView, extension: str) -> str:
    """A safe file name from the map title, e.g. "online-shop-first-purchase.xlsx"."""
    kept = (
        char if unicodedata.category(char)[0] in "LNM" else "-"
        for char in unicodedata.normalize("NFC", view.title).lower()
    )
    stem = re.sub(r"-{2,}", "-", "".join(kept)).strip("-")[:_FILENAME_MAX_CHARS].rstrip("-")
    if stem in _WINDOWS_RESERVED:
        stem += "-map"
    suffix = "".join(char for char in extension.lower() if char.isascii() and char.isalnum())
    return f"{stem or 'journey-map'}.{suffix}" if suffix else stem or "journey-map"

"""The picture's fonts: DejaVu Sans, then the bundled Noto Sans CJK SC, measured once.

DejaVu Sans (matplotlib's own) draws Latin and Cyrillic; Noto Sans CJK SC comes with the install
(the noto-cjk-sans-otc package, OFL-1.1), so Chinese is drawn on any machine; CJK fonts the system
has follow for whatever neither covers.

What the fonts cover decides what `Fonts.clean` keeps; advance widths decide where
`Fonts.wrap` breaks a line; and each character is drawn from the first font that has it.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from matplotlib.font_manager import FontPath, FontProperties, findfont, fontManager
from matplotlib.ft2font import FT2Font, LoadFlags
from noto_cjk_sans_otc import FONT_PATH as NOTO_CJK_COLLECTION

__all__ = [
    "BUNDLED_FAMILY",
    "CJK_FAMILIES",
    "FONT",
    "LINE",
    "Fonts",
    "bundled_cjk",
    "shared_fonts",
]

FONT = 12.0  # pt: the body text, and the smallest on the picture
LINE = 1.2  # line pitch per font size: DejaVu Sans's own (ascender + descender + line gap)
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
WEIGHTS = ("normal", "bold")
BUNDLED_FAMILY = "Noto Sans CJK SC"  # Simplified Chinese forms; Latin and Cyrillic too


@lru_cache(maxsize=1)
def bundled_cjk() -> FontPath:
    """The project's own CJK font: the SC face of the Noto Sans CJK collection it installs."""
    path = str(NOTO_CJK_COLLECTION)
    for index in range(FT2Font(path).num_faces):
        if FT2Font(path, face_index=index).family_name == BUNDLED_FAMILY:
            return FontPath(path, index)
    raise LookupError(f"{BUNDLED_FAMILY} is not in {path}")  # pragma: no cover  (a broken wheel)


class Fonts:
    """The fallback fonts' files, coverage and advance widths, shared by all renders."""

    def __init__(self, families: tuple[str, ...] = CJK_FAMILIES, *, bundled: bool = True) -> None:
        installed = {entry.name for entry in fontManager.ttflist}
        system = [f for f in families if f in installed and not (bundled and f == BUNDLED_FAMILY)]
        own = [bundled_cjk()] if bundled else []
        self.families = ["DejaVu Sans", *([BUNDLED_FAMILY] if bundled else []), *system]
        self._lock = threading.Lock()
        # Per weight, the font files in fallback order: what matplotlib resolves each family to
        # (a FontPath, carrying its face_index, for a .ttc collection). The bundled font has one
        # weight, so its regular face draws bold CJK too.
        self.paths: dict[str, list[str]] = {
            weight: [
                findfont(FontProperties(family="DejaVu Sans", weight=weight)),
                *own,
                *(findfont(FontProperties(family=f, weight=weight)) for f in system),
            ]
            for weight in WEIGHTS
        }
        self._faces: dict[str, list[Any]] = {
            weight: [FT2Font(path, face_index=getattr(path, "face_index", 0)) for path in paths]
            for weight, paths in self.paths.items()
        }
        covered: set[int] = set()
        for regular, bold in zip(self._faces["normal"], self._faces["bold"], strict=True):
            covered |= set(regular.get_charmap()) & set(bold.get_charmap())
        self.coverage = frozenset(covered)
        # Where a line's baseline sits in its box (in em): the font's ascender and half its
        # line gap below the box's top, as matplotlib lays out lines; and its descender.
        face = self._faces["normal"][0]
        os2, hhea = face.get_sfnt_table("OS/2") or {}, face.get_sfnt_table("hhea")
        ascender, descender, gap = (
            (os2["sTypoAscender"], os2["sTypoDescender"], os2["sTypoLineGap"])
            if "sTypoAscender" in os2
            else (hhea["ascent"], hhea["descent"], hhea["lineGap"])
        )
        em = face.get_sfnt_table("head")["unitsPerEm"]
        self.ascent, self.descent = (ascender + gap / 2) / em, -descender / em
        self._glyphs: dict[tuple[str, str], tuple[float, int]] = {}  # (em, which font)

    def clean(self, text: str | None) -> str:
        """The text on one line; what no font draws is dropped (emoji) or shown as □ (letters)."""
        kept = []
        for char in text or "":
            category = unicodedata.category(char)
            if char.isspace():
                kept.append(" ")
            elif ord(char) in self.coverage and category[0] != "C":
                kept.append(char)
            elif category[0] in "LNP" or category in ("Sm", "Sc"):
                kept.append("□")
        cleaned = " ".join("".join(kept).split())
        return cleaned or ("□" if text and text.strip() else "")

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """The advance width of one line, in points."""
        weight, known = "bold" if bold else "normal", self._glyphs
        return size * sum((known.get((c, weight)) or self._measure(c, weight))[0] for c in text)

    def runs(self, text: str, bold: bool = False) -> list[tuple[str, str]]:
        """The line cut into runs drawn from one font file each: (path, text), in order."""
        weight = "bold" if bold else "normal"
        if len(self.families) == 1:  # no fallback installed: one font draws it all
            return [(self.paths[weight][0], text)] if text else []
        out: list[tuple[str, str]] = []
        for char in text:
            path = self.paths[weight][self._glyph(char, weight)[1]]
            if out and out[-1][0] == path:
                out[-1] = (path, out[-1][1] + char)
            else:
                out.append((path, char))
        return out

    def _glyph(self, char: str, weight: str) -> tuple[float, int]:
        known = self._glyphs.get((char, weight))
        return known if known is not None else self._measure(char, weight)

    def _measure(self, char: str, weight: str) -> tuple[float, int]:
        with self._lock:  # FT2Font objects are not thread-safe
            glyph = (0.6, 0)
            for index, face in enumerate(self._faces[weight]):
                if face.get_char_index(ord(char)):
                    face.set_size(100, 72)
                    loaded = face.load_char(ord(char), flags=LoadFlags.NO_HINTING)
                    glyph = (loaded.linearHoriAdvance / 65536 / 100, index)
                    break
            self._glyphs[char, weight] = glyph
        return glyph

    def wrap(
        self, text: str, width: float, size: float = FONT, *, bold: bool = False, lines: int = 3
    ) -> list[str]:
        """Word-wrap to `width` points, hyphenating words too long for a line; '…' past `lines`."""

        def fits(line: str) -> bool:
            return self.width(line, size, bold) <= width

        out: list[str] = []
        current = ""
        for word in text.split(" "):
            candidate = f"{current} {word}" if current else word
            if fits(candidate):
                current = candidate
                continue
            if current:
                out.append(current)
            while not fits(word) and len(out) <= lines:
                head, used = _break(word, fits)
                out.append(head)
                word = word[used:]
            current = word
            if len(out) > lines:
                break
        if current:
            out.append(current)
        if len(out) <= lines:
            return out
        last = out[lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        return [*out[: lines - 1], last.rstrip(" -") + "…"]


def _break(word: str, fits: Callable[[str], bool]) -> tuple[str, int]:
    """The longest head of a word that fits (hyphenated between letters), and its length."""
    for cut in range(len(word) - (3 if len(word) > 6 else 1), 0, -1):  # no one-letter tails
        head = word[:cut]
        if head[-1].isalpha() and word[cut].isalpha() and _hyphenates(head[-1]):
            head += "-"
        if fits(head):
            return head, cut
    return word[:1], 1


def _hyphenates(char: str) -> bool:
    return unicodedata.east_asian_width(char) not in ("W", "F")  # CJK breaks anywhere


@lru_cache(maxsize=1)
def shared_fonts() -> Fonts:
    """The installed fonts, measured once per process."""
    return Fonts()

"""Text for pictures: what XML can carry, and how wide a line of DejaVu Sans is.

Widths are the font's own advance widths (fontTools, the DejaVu Sans files our pictures name
first); without the files, a rough table that errs wide stands in.

>>> fit("Kaja Kallas, High Representative of the EU", 80), xml_safe("a" + chr(0) + "b")
('Kaja Kallas,…', 'a\ufffdb')
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["fit", "one_line", "text_width", "wrap", "xml_safe"]

# XML 1.0 cannot carry C0 controls other than tab/newline/return, lone surrogates or U+FFFE/FFFF;
# DEL and the C1 controls it can, but they draw as nothing: all become U+FFFD, visibly "something
# was here". Every other character (Cyrillic, Arabic, emoji) is kept.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FONT_FILES = {
    False: ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVu Sans"),
    True: ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVu Sans:bold"),
}


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry (or that draws as nothing) replaced
    by U+FFFD. ElementTree escapes ``<``, ``&`` and quotes but writes a NUL as it is, and no XML
    parser accepts the result."""
    return _NOT_XML.sub("\ufffd", text)


def one_line(text: str) -> str:
    """XML-safe, with every run of white space (newlines too) made one space."""
    return " ".join(xml_safe(text).split())


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width in px of ``text`` set in DejaVu Sans at ``size`` px (no kerning)."""
    return sum(map(_widths(bold).__getitem__, text)) * size


def fit(text: str, px: float, size: float = 11, bold: bool = False) -> str:
    """``text`` on one line, cut with an ellipsis to at most ``px`` wide."""
    text = one_line(text)
    widths = _widths(bold)
    limit, room, used, cut = px / size, (px / size) - widths["…"], 0.0, None
    for i, c in enumerate(text):  # stops at the edge: a 10 kB text costs what a label costs
        used += widths[c]
        if cut is None and used > room:
            cut = i
        if used > limit:
            return text[:cut].rstrip() + "…"
    return text


def wrap(text: str, px: float, lines: int, size: float = 11, bold: bool = False) -> list[str]:
    """At most ``lines`` lines of at most ``px``, broken at spaces (a word wider than a line is
    broken where it reaches the edge); the last line is cut to fit, with an ellipsis."""
    words, out, line, i = one_line(text).split(" "), [], "", 0
    while i < len(words):
        trial = f"{line} {words[i]}" if line else words[i]
        if text_width(trial, size, bold) <= px:
            line, i = trial, i + 1
            continue
        if len(out) == lines - 1:  # the last line takes the rest, cut to fit
            line = " ".join(words[i:] if not line else [line, *words[i:]])
            break
        if line and text_width(words[i], size, bold) <= px:
            out.append(line)
            line = ""
            continue
        # A word wider than a whole line: break it where this line ends.
        room = px - (text_width(line + " ", size, bold) if line else 0.0)
        k = _prefix_fitting(words[i], room, size, bold) if room >= 2 * size else 0
        out.append(f"{line} {words[i][:k]}".strip() if k else line)
        words[i], line = words[i][k:], ""
    out.append(fit(line, px, size, bold))
    return out


def _prefix_fitting(word: str, px: float, size: float, bold: bool) -> int:
    """How many leading characters of ``word`` fit in ``px`` (at least one, so wrapping ends)."""
    widths, used = _widths(bold), 0.0
    for k, c in enumerate(word):
        used += widths[c] * size
        if used > px:
            return max(1, k)
    return len(word)


class _Widths(dict):
    """Advance widths in em by character; a character the font lacks gets a guess on first use."""

    def __missing__(self, c: str) -> float:
        self[c] = w = _guess(c)
        return w


@lru_cache(maxsize=2)
def _widths(bold: bool) -> _Widths:
    """The widths of every character the DejaVu Sans file maps (none without the file)."""
    path = _font_file(bold)
    if path is None:
        return _Widths()
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True)
        hmtx, upm = font["hmtx"], font["head"].unitsPerEm
        return _Widths({chr(code): hmtx[glyph][0] / upm for code, glyph in font.getBestCmap().items()})
    except Exception:  # noqa: BLE001 - no fontTools, or an unreadable file: fall back to guesses
        return _Widths()


def _font_file(bold: bool) -> str | None:
    path, pattern = _FONT_FILES[bold]
    if Path(path).is_file():
        return path
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True,
                               timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found.lower().endswith((".ttf", ".otf")) and Path(found).is_file() else None


def _guess(c: str) -> float:
    """A width in em for a character the font lacks (or without the font): errs wide."""
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(c) in "WF":
        return 1.05
    return 0.72 if c.isupper() else 0.62

"""Mixed-script lines for ReportLab: Unicode bidi, one font per script run, visual order.

ReportLab shapes Arabic with HarfBuzz but cannot reorder a line with mixed directions
without ``rlbidi``; and no single bundled font covers Arabic, Latin and Tifinagh. So a
line is split into runs of one embedding level and one font, the runs are placed in
visual order (rule L2 of UAX #9, with python-bidi computing the levels), and each run is
shaped in its own direction. Digits and Latin inside Arabic stay left to right.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bidi.algorithm import (explicit_embed_and_overrides, get_embedding_levels,
                            get_empty_storage, resolve_implicit_levels,
                            resolve_neutral_types, resolve_weak_types)
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr

from .fonts import covers, register, script_of


@dataclass
class Run:
    text: str
    level: int
    font: str  # key of fonts.FONTS
    width: float = 0.0
    index: int = 0  # position in logical (reading) order

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def levels(text: str, rtl: bool) -> list[int]:
    storage = get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    get_embedding_levels(text, storage, False, False)
    explicit_embed_and_overrides(storage, False)
    resolve_weak_types(storage, False)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    return [c["level"] for c in storage["chars"]]


def _fonts_for(text: str, bold: bool) -> list[str]:
    fonts = register()
    suffix = "-Bold" if bold else ""
    out: list[str | None] = [None] * len(text)
    for i, ch in enumerate(text):
        s = script_of(ch)
        if s is not None:
            out[i] = s + suffix
    # Neutrals (spaces, digits, punctuation) take the font of the run they sit in when
    # that font has the glyph, else the Latin font.
    for i, ch in enumerate(text):
        if out[i] is None:
            prev = next((out[j] for j in range(i - 1, -1, -1) if out[j]), None)
            nxt = next((out[j] for j in range(i + 1, len(text)) if out[j]), None)
            choice = next((f for f in (prev, nxt) if f and covers(fonts[f], ch)), None)
            out[i] = choice or ("Latin" + suffix)
    return out  # type: ignore[return-value]


def layout(text: str, rtl: bool, size: float, bold: bool = False) -> list[Run]:
    """The runs of one line, in visual order, each measured."""
    if not text:
        return []
    lv = levels(text, rtl)
    fonts = _fonts_for(text, bold)
    runs: list[Run] = []
    for ch, level, font in zip(text, lv, fonts):
        if runs and runs[-1].level == level and runs[-1].font == font:
            runs[-1].text += ch
        else:
            runs.append(Run(ch, level, font))
    for i, run in enumerate(runs):
        run.index = i
    # L2: from the highest level down to the lowest odd one, reverse every sequence of
    # runs at that level or higher.
    top = max(r.level for r in runs)
    lowest_odd = min((r.level for r in runs if r.level % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(runs):
            if runs[i].level >= level:
                j = i
                while j < len(runs) and runs[j].level >= level:
                    j += 1
                runs[i:j] = reversed(runs[i:j])
                i = j
            else:
                i += 1
    for run in runs:
        run.width = measure(run, size)
    return runs


def font_name(key: str) -> str:
    return f"Guichet-{key}"


@functools.lru_cache(maxsize=4096)
def _shaped(text: str, font: str, size: float) -> ShapedStr:
    # HarfBuzz picks the direction from the script (Arabic: right to left) and returns
    # the glyphs in visual order, positioned.
    return shapeStr(text, font_name(font), size, force=True)


def _tokens(run: Run, size: float) -> list[tuple[str, float, ShapedStr | None]]:
    """Words and spaces of an Arabic run in logical order, each shaped and measured.
    Words are drawn one by one, so the PDF keeps them in reading order for text
    extraction and screen readers; joining never crosses a space."""
    out = []
    for token in re.split(r"( +)", run.text):
        if not token:
            continue
        if token.isspace():
            out.append((token, stringWidth(token, font_name(run.font), size), None))
        else:
            shaped = _shaped(token, run.font, size)
            out.append((token, sum(g.x_advance for g in shaped.__shapeData__) * size / 1000, shaped))
    return out


def measure(run: Run, size: float) -> float:
    if run.font.startswith("Arabic"):
        return sum(w for _, w, _ in _tokens(run, size))
    return stringWidth(run.text, font_name(run.font), size)


def width(text: str, rtl: bool, size: float, bold: bool = False) -> float:
    return sum(r.width for r in layout(text, rtl, size, bold))


def draw(canvas: Canvas, runs: list[Run], x: float, y: float, size: float) -> None:
    """Place the runs in visual order but write them in reading order, so that text
    extracted from the PDF (search, copy, screen readers) reads in logical order."""
    placed = []
    for run in runs:
        placed.append((run, x))
        x += run.width
    for run, x in sorted(placed, key=lambda p: p[0].index):
        canvas.setFont(font_name(run.font), size)
        if run.font.startswith("Arabic"):
            # Logical order; right to left from the run's right edge when the run is RTL.
            edge = x + run.width if run.rtl else x
            for _, w, shaped in _tokens(run, size):
                if run.rtl:
                    edge -= w
                if shaped is not None:
                    t = canvas.beginText(edge, y)
                    t.textLine(shaped)
                    canvas.drawText(t)
                if not run.rtl:
                    edge += w
        else:
            canvas.drawString(x, y, run.text)


@functools.lru_cache(maxsize=8192)
def _word_width(word: str, rtl: bool, size: float, bold: bool) -> float:
    return width(word, rtl, size, bold)


def wrap(text: str, rtl: bool, size: float, max_width: float, bold: bool = False) -> list[str]:
    """Greedy word wrap in logical order; each line is laid out on its own. Widths add
    up word by word (shaping never joins across a space, and reordering does not change
    a line's width), so each word is measured once."""
    register()
    space = stringWidth(" ", font_name("Latin-Bold" if bold else "Latin"), size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current, used = "", 0.0
        for word in paragraph.split():
            w = _word_width(word, rtl, size, bold)
            if current and used + space + w > max_width:
                lines.append(current)
                current, used = word, w
            elif current:
                current, used = f"{current} {word}", used + space + w
            else:
                current, used = word, w
        lines.append(current)
    return lines

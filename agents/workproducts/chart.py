"""Charts drawn by code with Pillow, so the picture in a workpaper shows exactly the computed
figures and the same figures always give the same bytes."""
from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from agents.workproducts.table_input import format_amount, places_for

WIDTH = 900
PAD = 16
TITLE_H = 34
ROW_H = 26
BAR_H = 16
LEGEND_H = 34
MAX_LABEL_W = 300
FAVOURABLE = (46, 125, 50)
UNFAVOURABLE = (198, 40, 40)
INK = (33, 33, 33)
AXIS = (97, 97, 97)
GRID = (224, 224, 224)


def chart_size(bars: int) -> tuple[int, int]:
    return WIDTH, PAD + TITLE_H + bars * ROW_H + 8 + LEGEND_H + PAD


# A system sans font with accents and dashes; Pillow's bundled font covers only ASCII.
_SYSTEM_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
                 "C:/Windows/Fonts/arial.ttf", "/Library/Fonts/Arial.ttf",
                 "/System/Library/Fonts/Supplemental/Arial.ttf")
_ASCII = str.maketrans({"—": "-", "–": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def _fonts():
    """(body font, title font, whether the font is ASCII-only)."""
    from PIL import ImageFont

    for path in _SYSTEM_FONTS:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, 13), ImageFont.truetype(path, 16), False
            except OSError:
                continue
    return ImageFont.load_default(size=13), ImageFont.load_default(size=16), True


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "replace").decode()


def _fit(draw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def bar_chart(title: str, labels: Sequence[str], values: Sequence[Decimal | int | float],
              favourable: Sequence[bool], *, note: str = "") -> bytes:
    """A horizontal bar per label, from a zero axis, green when favourable and red when not,
    each bar labelled with its value (negatives in parentheses); `note` is printed beside the
    legend (e.g. what zero means). Returns PNG bytes."""
    from PIL import Image, ImageDraw

    if not labels:
        raise ValueError("bar_chart needs at least one bar")
    if not len(labels) == len(values) == len(favourable):
        raise ValueError(f"bar_chart got {len(labels)} labels, {len(values)} values and "
                         f"{len(favourable)} favourable flags; they must be the same length")
    decimals = [Decimal(str(v)) if not isinstance(v, Decimal) else v for v in values]
    places = places_for(decimals)
    texts = [format_amount(v, places) for v in decimals]
    font, title_font, ascii_only = _fonts()
    if ascii_only:
        title, labels, note = _ascii(title), [_ascii(str(label)) for label in labels], _ascii(note)
    size = chart_size(len(labels))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.text((PAD, PAD), _fit(draw, title, title_font, WIDTH - 2 * PAD), font=title_font, fill=INK)

    label_w = min(MAX_LABEL_W, max(math.ceil(draw.textlength(str(label), font=font)) for label in labels) + 14)
    value_w = max(int(draw.textlength(t, font=font)) for t in texts) + 8
    low, high = min(min(decimals), Decimal(0)), max(max(decimals), Decimal(0))
    left = PAD + label_w + (value_w if low < 0 else 0)
    right = WIDTH - PAD - (value_w if high > 0 else 0)
    span = float(high - low) or 1.0
    scale = (right - left) / span
    zero_x = round(left + float(-low) * scale)
    top = PAD + TITLE_H
    bottom = top + len(labels) * ROW_H

    for i, (label, value, text, good) in enumerate(zip(labels, decimals, texts, favourable)):
        y = top + i * ROW_H
        if i % 2:
            draw.rectangle((PAD, y, WIDTH - PAD, y + ROW_H - 1), fill=(248, 248, 248))
        mid = y + ROW_H // 2
        name = _fit(draw, str(label), font, label_w - 10)
        draw.text((PAD, mid), name, font=font, fill=INK, anchor="lm")
        end_x = round(zero_x + float(value) * scale)
        y0, y1 = mid - BAR_H // 2, mid + BAR_H // 2
        if end_x != zero_x:
            draw.rectangle((min(zero_x, end_x), y0, max(zero_x, end_x), y1),
                           fill=FAVOURABLE if good else UNFAVOURABLE)
        if value < 0:
            draw.text((min(end_x, zero_x) - 4, mid), text, font=font, fill=INK, anchor="rm")
        else:
            draw.text((max(end_x, zero_x) + 4, mid), text, font=font, fill=INK, anchor="lm")
    draw.line((zero_x, top - 4, zero_x, bottom + 4), fill=AXIS, width=2)
    draw.line((PAD, bottom + 4, WIDTH - PAD, bottom + 4), fill=GRID, width=1)

    legend_y = bottom + 8 + LEGEND_H // 2
    x = PAD
    for colour, name in ((FAVOURABLE, "Favourable"), (UNFAVOURABLE, "Unfavourable")):
        draw.rectangle((x, legend_y - 6, x + 12, legend_y + 6), fill=colour)
        draw.text((x + 18, legend_y), name, font=font, fill=INK, anchor="lm")
        x += 18 + int(draw.textlength(name, font=font)) + 24
    if note:
        draw.text((WIDTH - PAD, legend_y), _fit(draw, note, font, WIDTH - x - PAD), font=font, fill=AXIS,
                  anchor="rm")

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()

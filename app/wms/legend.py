"""GetLegendGraphic: one swatch per style rule with its label, drawn from the style model.

The swatches are the model's symbols (app/styles/model.py) as the map draws them: a
circle of the point's size, a line of its width and dash, a square with the polygon's fill
and outline. Drawn with Pillow at the size asked (default 20 px swatches), PNG.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from app.registry.spec import LayerSpec
from app.styles import model
from app.styles.model import Symbol

ROW = 20  # default swatch size and row height, px
MIN_SIZE, MAX_SIZE = 8, 64  # the swatch sizes GetLegendGraphic accepts
PAD = 4
TEXT = (33, 33, 33, 255)


@lru_cache(maxsize=4)
def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def _rgba(colour: str, opacity: float) -> tuple[int, int, int, int]:
    c = colour.lstrip("#")
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), round(255 * opacity))


def _dashed(draw, points, fill, width, dash) -> None:
    (x0, y), (x1, _) = points
    if not dash:
        draw.line(points, fill=fill, width=width)
        return
    x, on = x0, True
    pattern = [max(1.0, d) for d in dash]
    i = 0
    while x < x1:
        step = pattern[i % len(pattern)]
        if on:
            draw.line([(x, y), (min(x + step, x1), y)], fill=fill, width=width)
        x += step
        on = not on
        i += 1


def swatch(symbol: Symbol, size: int) -> Image.Image:
    """One symbol drawn in a `size`×`size` transparent square."""
    scale = 4  # drawn large and scaled down: smooth edges
    big = size * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    width = max(1, round(symbol.stroke_width * scale))
    stroke = _rgba(symbol.stroke, symbol.stroke_opacity)
    dash = tuple(d * scale for d in symbol.dash) if symbol.dash else None
    if symbol.family == "point":
        d = min(big - 2, round((symbol.size or 8) * scale))
        o = (big - d) / 2
        fill = _rgba(symbol.fill or symbol.stroke, symbol.fill_opacity)
        draw.ellipse([o, o, o + d, o + d], fill=fill, outline=stroke, width=width)
    elif symbol.family == "line":
        _dashed(draw, [(scale, big / 2), (big - scale, big / 2)], stroke, width, dash)
    else:
        m = 2 * scale
        if symbol.fill:
            draw.rectangle([m, m, big - m, big - m], fill=_rgba(symbol.fill, symbol.fill_opacity))
        for a, b in (
            ((m, m), (big - m, m)),
            ((m, big - m), (big - m, big - m)),
        ):
            _dashed(draw, [a, b], stroke, width, dash)
        for x in (m, big - m):  # the sides, solid or dashed along y
            if dash:
                _vertical_dashed(draw, x, m, big - m, stroke, width, dash)
            else:
                draw.line([(x, m), (x, big - m)], fill=stroke, width=width)
    return img.resize((size, size), Image.LANCZOS)


def _vertical_dashed(draw, x, y0, y1, fill, width, dash) -> None:
    y, on, i = y0, True, 0
    while y < y1:
        step = max(1.0, dash[i % len(dash)])
        if on:
            draw.line([(x, y), (x, min(y + step, y1))], fill=fill, width=width)
        y += step
        on = not on
        i += 1


def rules(spec: LayerSpec, lang: str) -> list[tuple[str, Symbol]]:
    """(label, symbol) of every rule of every family of the layer, faint ones last."""
    out = []
    for family in model.families_of(spec):
        style = model.build(spec, family, lang)
        normal = [r for r in style.rules if not r.coarse]
        faint = [r for r in style.rules if r.coarse]
        out += [(r.title, r.symbol) for r in normal + faint]
    return out


def _layout(entries, size: int):
    font = _font(max(9, round(size * 0.6)))
    text_w = max((font.getlength(label) for label, _ in entries), default=0)
    width = int(PAD + size + PAD + text_w + PAD + 0.999)
    height = PAD + len(entries) * (size + PAD)
    return font, width, height


def legend_size(spec: LayerSpec, lang: str = "it", size: int = ROW) -> tuple[int, int]:
    """The width and height of `legend_png` (for the capabilities' LegendURL)."""
    _, width, height = _layout(rules(spec, lang), size)
    return width, height


def legend_png(spec: LayerSpec, lang: str = "it", size: int = ROW) -> bytes:
    """The legend of a layer: a swatch and its label per rule, one under the other."""
    entries = rules(spec, lang)
    font, width, height = _layout(entries, size)
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    y = PAD
    for label, symbol in entries:
        img.alpha_composite(swatch(symbol, size), (PAD, y))
        draw.text((PAD + size + PAD, y + size / 2), label, fill=TEXT, font=font, anchor="lm")
        y += size + PAD
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()

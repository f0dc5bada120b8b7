"""Rasterising: every picture becomes a 224x224 RGB PNG on white, aspect ratio kept."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

IMAGE_SIZE = 224


def to_canvas(img: Image, size: int = IMAGE_SIZE) -> Image:
    """RGB ``size``x``size``: transparency composited on white, cropped to the drawing,
    scaled to fit (aspect kept) and centred on white padding."""
    from PIL import Image, ImageChops

    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba).convert("RGB")
    # crop to the content: non-white pixels (covers transparent and white page margins)
    diff = ImageChops.difference(flat, Image.new("RGB", flat.size, (255, 255, 255)))
    bbox = diff.convert("L").point(lambda v: 255 if v > 8 else 0).getbbox()
    if bbox:
        flat = flat.crop(bbox)
    w, h = flat.size
    inner = round(size * 0.94)  # a thin white margin all round
    scale = inner / max(w, h)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    flat = flat.resize(new, Image.LANCZOS)
    canvas = Image.new("RGB", (size, size), (255, 255, 255))
    canvas.paste(flat, ((size - new[0]) // 2, (size - new[1]) // 2))
    return canvas


def render_svg(svg: bytes, long_side: int = 2 * IMAGE_SIZE) -> Image:
    """Rasterise SVG bytes with cairosvg at ``long_side`` pixels on the longer side
    (twice the final size, so the downscale in :func:`to_canvas` smooths the edges)."""
    import cairosvg
    from PIL import Image

    probe = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg, unsafe=False)))
    w, h = probe.size
    scale = long_side / max(w, h, 1)
    png = cairosvg.svg2png(bytestring=svg, scale=scale, unsafe=False)
    return Image.open(io.BytesIO(png))


def open_raster(blob: bytes) -> Image:
    """A PIL image from PNG, GIF, JPEG or WebP bytes."""
    from PIL import Image

    return Image.open(io.BytesIO(blob))

"""The default image for link previews (og:image, twitter:image), drawn at build time.

Open Graph and Twitter do not accept SVG, so this is a 1200x630 PNG with the site's name and
description. Pillow draws it with its built-in scalable font (no system font needed, so every
machine draws the same pixels) and writes PNG without timestamps: the same text and the same
pinned Pillow give the same bytes.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from .seo import SOCIAL_IMAGE_SIZE

BACKGROUND = (10, 88, 168)  # the theme's --primary
FOREGROUND = (255, 255, 255)
MUTED = (214, 228, 245)
MARGIN = 80


def wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Words into lines no wider than ``width``; the last line ends in '…' when text is left."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words and lines:
        while lines[-1] and draw.textlength(lines[-1] + "…", font=font) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


def social_card_png(site_name: str, description: str) -> bytes:
    width, height = SOCIAL_IMAGE_SIZE
    image = Image.new("RGB", SOCIAL_IMAGE_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.load_default(size=76)
    text_font = ImageFont.load_default(size=36)
    y = MARGIN + 40
    for line in wrap(draw, site_name, title_font, width - 2 * MARGIN, 2):
        draw.text((MARGIN, y), line, font=title_font, fill=FOREGROUND)
        y += 92
    y += 28
    draw.rectangle((MARGIN, y, MARGIN + 120, y + 8), fill=FOREGROUND)
    y += 48
    for line in wrap(draw, description, text_font, width - 2 * MARGIN, 5):
        draw.text((MARGIN, y), line, font=text_font, fill=MUTED)
        y += 50
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

"""Draw the placeholder certificate marks in resources/certificates (one PNG per branding file).

Each mark is a neutral seal in the hub's own colours: a disc in the primary colour, a ring in
the accent colour, and the hub code (or, for the default, a tick) in white. They imitate no
organisation's trademark and are to be replaced by each hub's approved artwork.

Drawn four times larger than kept and scaled down, so the edges are smooth, then laid on white:
the certificate is white there, and an image without transparency is one stream in each PDF
instead of two (ReportLab encodes image data in pure Python, so a batch of a thousand
certificates feels it). Usage: python scripts/make_certificate_logos.py
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "resources" / "certificates"
BOLD = ROOT / "resources" / "fonts" / "NotoSans-Bold.ttf"
SIZE = 300  # pixels: the mark is printed 24 mm wide, so over 300 dpi
SCALE = 4


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _disc(draw: ImageDraw.ImageDraw, centre: float, radius: float, **style: object) -> None:
    draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius),
        **style,  # type: ignore[arg-type]
    )


def draw_mark(code: str, primary: str, accent: str) -> Image.Image:
    big = SIZE * SCALE
    centre = big / 2
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255, 255)
    _disc(draw, centre, big * 0.495, fill=(*_rgb(primary), 255))
    _disc(draw, centre, big * 0.425, outline=(*_rgb(accent), 255), width=round(big * 0.03))
    _disc(draw, centre, big * 0.375, outline=white, width=round(big * 0.006))
    if code == "default":
        tick = [(0.33, 0.52), (0.45, 0.64), (0.68, 0.38)]
        draw.line(
            [(x * big, y * big) for x, y in tick],
            fill=white,
            width=round(big * 0.06),
            joint="curve",
        )
    else:
        font = ImageFont.truetype(str(BOLD), round(big * 0.2))
        draw.text((centre, centre - big * 0.02), code, font=font, fill=white, anchor="mm")
        bar = big * 0.11
        top = centre + big * 0.12
        draw.rectangle(
            (centre - bar, top, centre + bar, top + big * 0.018), fill=(*_rgb(accent), 255)
        )
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    flat = Image.new("RGBA", small.size, (255, 255, 255, 255))
    flat.alpha_composite(small)
    return flat.convert("RGB")


def main() -> None:
    for branding in sorted(FOLDER.glob("*.json")):
        data = json.loads(branding.read_text(encoding="utf-8"))
        mark = draw_mark(branding.stem, data["primary"], data["accent"])
        target = FOLDER / data["logo"]
        mark.save(target, optimize=True)
        print(f"{target.relative_to(ROOT)}: {SIZE}×{SIZE} px")


if __name__ == "__main__":
    main()

"""The preview is a picture of the very PDF that prints: it matches poppler's rendering of the
saved file, its QR code scans, and a draft says on its face that it is not a certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.helpers.pdf import rendered, scanned
from tests.unit.certificates.test_render import make_content, signed_payload
from trainer_app.certificates.preview import Picture, picture_of_pdf, preview
from trainer_app.certificates.render import NAME_BOX, PAGE_SIZE, certificate_pdf, render_certificate
from trainer_app.domain.certificates import CertificateContent


def signed() -> CertificateContent:
    return make_content(payload=signed_payload(make_content()))


def as_image(picture: Picture) -> Image.Image:
    size = (picture.width, picture.height)
    return Image.frombuffer("RGB", size, picture.rgb, "raw", "RGB", picture.stride, 1)


def test_the_preview_is_the_printed_page(tmp_path: Path) -> None:
    content = signed()
    pdf = tmp_path / "certificate.pdf"
    render_certificate(content, pdf)
    picture = preview(content, 1240)
    assert picture.width == 1240
    assert picture.height == round(1240 * PAGE_SIZE[1] / PAGE_SIZE[0])
    shown = as_image(picture)
    # poppler at 150 dpi draws A4 landscape 1754 px wide; scale the preview's engine to match
    poppler = Image.open(rendered(pdf, 150)).convert("RGB")
    big = preview(content, poppler.width)
    drawn = as_image(big)
    assert abs(drawn.height - poppler.height) <= 1  # engines round the last row differently
    poppler = poppler.crop((0, 0, drawn.width, drawn.height))
    # anti-aliasing and hinting differ between engines, the page does not: compared a quarter
    # the size, a few dozen pixels differ (another name would make it over a thousand)
    small = (drawn.width // 4, drawn.height // 4)
    difference = ImageChops.difference(
        drawn.resize(small, Image.Resampling.BOX), poppler.resize(small, Image.Resampling.BOX)
    ).convert("L")
    assert difference.point(lambda v: 255 if v > 48 else 0).histogram()[255] < 300
    png = tmp_path / "preview.png"
    drawn.save(png)
    assert scanned(png) == content.payload
    assert shown.getpixel((picture.width // 2, picture.height // 2)) != (0, 0, 0)


def test_a_draft_is_marked_and_the_issued_one_is_not() -> None:
    issued = as_image(preview(signed(), 900))
    draft = as_image(preview(signed(), 900, draft=True))

    def reddish(picture: Image.Image) -> int:
        rgb = picture.tobytes()
        return sum(
            1
            for r, g, b in zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True)
            if r > g + 25 and r > b + 25
        )

    assert reddish(draft) > reddish(issued) + 2000
    assert b"TrainerAppCertificate" not in certificate_pdf(make_content(), draft=True)


def test_a_preview_size_out_of_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="16 to 4000 pixels wide, not 9000"):
        picture_of_pdf(certificate_pdf(make_content()), 9000)


def test_a_long_right_to_left_name_wraps_with_each_line_centred() -> None:
    name = "عبد الرحمن بن محمد بن إبراهيم الحسيني القرشي الهاشمي المطلبي العباسي البغدادي الدمشقي"
    width = 1200
    shown = as_image(preview(make_content(trainee_name=name), width)).convert("L")
    scale = width / PAGE_SIZE[0]
    box = (
        round(NAME_BOX.x * scale),
        round((PAGE_SIZE[1] - NAME_BOX.top) * scale),
        round(NAME_BOX.right * scale),
        round((PAGE_SIZE[1] - NAME_BOX.y) * scale),
    )
    name_area = shown.crop(box)
    inked = [
        [x for x in range(name_area.width) if name_area.getpixel((x, y)) < 128]  # type: ignore[operator]
        for y in range(name_area.height)
    ]
    rows = [y for y, row in enumerate(inked) if row]
    top, bottom = rows[0], rows[-1]
    # the two lines meet where the fewest pixels are inked, around the middle of the ink
    third = (bottom - top) // 3
    split = min(range(top + third, bottom - third), key=lambda y: len(inked[y]))
    # each line's baseline, the row with the most ink: Arabic letters join along it, so it
    # runs the width of the line (dots and tails above and below it do not)
    lines = [max(inked[top:split], key=len), max(inked[split : bottom + 1], key=len)]
    assert bottom - top > 60  # two lines of 28-point text, not one
    middle = name_area.width / 2
    for columns in lines:
        assert abs((min(columns) + max(columns)) / 2 - middle) < 6  # pixels, of 1 200

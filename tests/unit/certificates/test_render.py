"""Certificates as a trainee, a printer and an inspector meet them: read the PDF back, scan its
QR code from a rendered page, look at where the ink falls, and batch a thousand-ready run."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from tests.helpers.pdf import embedded_fonts, rendered, scanned
from trainer_app.certificates import render
from trainer_app.certificates.branding import branding
from trainer_app.certificates.files import batch_path, free_path
from trainer_app.certificates.render import (
    NAME_BOX,
    PAGE_SIZE,
    Box,
    read_embedded_payload,
    render_batch,
    render_certificate,
)
from trainer_app.domain.certificates import (
    CertificateContent,
    CertificateFacts,
    certificate_number,
    payload,
)
from trainer_app.domain.errors import DomainError

PAYLOAD = "TACERT1." + "A" * 200 + ".sig"
OUTCOMES = (
    "Perform aseptic manipulations in a Grade A environment without compromising sterility",
    "Explain first air, unidirectional airflow and the risks of interventions",
    "Select and sanitise materials entering the cleanroom",
    "Recognise and report an aseptic breach",
)
BASE14 = {"Helvetica", "Times-Roman", "Courier", "Symbol", "ZapfDingbats"}


def make_content(**changes: Any) -> CertificateContent:
    content = CertificateContent(
        number=certificate_number("LON", 2025, 123),
        trainee_name="Siobhán Ní Bhriain",
        course_code="ASEP",
        course_title="Aseptic technique",
        course_version="3.2",
        completed_on=date(2025, 10, 10),
        issued_on=date(2025, 10, 14),
        expires_on=date(2027, 10, 12),
        cpd_hours=Decimal("14.0"),
        learning_outcomes=OUTCOMES,
        assessment_outcome="Theory 86 % · practical passed",
        trainer="Dr Amara Okafor",
        signatory="",
        signatory_role="",
        hub_code="LON",
        hub_name="London Gene Therapy Innovation Hub",
        payload=PAYLOAD,
    )
    return dataclasses.replace(content, **changes)


def signed_payload(content: CertificateContent) -> str:
    """A payload of realistic length (the facts and a 64-byte signature) for ``content``."""
    facts = CertificateFacts(
        number=content.number,
        name=content.trainee_name,
        course_code=content.course_code,
        course_title=content.course_title,
        version=content.course_version,
        completed_on=content.completed_on,
        issued_on=content.issued_on,
        expires_on=content.expires_on,
        hub=content.hub_code,
        key="3f" * 16,
    )
    return payload(facts, bytes(range(64)))


def text_of(path: Path) -> str:
    """All the text of the PDF, runs of white space made one space and ligatures (the shaper
    sets "fi" as one glyph) undone."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def pixels(box: Box, resolution: int) -> tuple[int, int, int, int]:
    """``box`` (points, from the lower left) as an image's (left, top, right, bottom)."""
    scale = resolution / 72
    height = PAGE_SIZE[1]
    return (
        int(box.x * scale),
        int((height - box.top) * scale),
        int(box.right * scale) + 1,
        int((height - box.y) * scale) + 1,
    )


# ----- what is printed ---------------------------------------------------------------------


def test_the_certificate_says_who_did_what_and_when(tmp_path: Path) -> None:
    path = tmp_path / "certificate.pdf"
    content = make_content()
    render_certificate(content, path)

    text = text_of(path)
    for expected in [
        "Siobhán Ní Bhriain",
        "LON-2025-000123-3",
        "Aseptic technique",
        "ASEP · Version 3.2",
        "COMPLETED 10 Oct 2025",
        "Issued 14 Oct 2025",
        "Valid until 12 Oct 2027",
        "CPD HOURS 14",
        "Theory 86 % · practical passed",
        "Dr Amara Okafor",
        "has successfully completed",
        *OUTCOMES,
        # No signatory on the record: the hub's own from its branding.
        "Dr Imogen Achebe-Hart",
        "Head of Training and Quality Assurance",
        "London Gene Therapy Innovation Hub — King's College London, Royal Free London and UCL",
        "Scan to verify offline: trainer-app certificate verify",
    ]:
        assert expected in text, expected
    assert "Replaces" not in text

    reader = PdfReader(path)
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    info = reader.metadata
    assert info is not None
    assert info.title == "Certificate LON-2025-000123-3"
    assert info.author == branding("LON").display_name
    assert info.subject == "Aseptic technique"
    assert info.creator == "trainer-app"


def test_every_font_is_embedded(tmp_path: Path) -> None:
    path = tmp_path / "certificate.pdf"
    render_certificate(make_content(trainee_name="ليلى حداد"), path)

    used = embedded_fonts(path)
    assert used and all(used.values()), used
    assert not any(name.lstrip("/").split("+")[-1] in BASE14 for name in used)
    assert any("NotoSansArabic" in name for name in used)


def test_a_reissue_names_what_it_replaces_and_a_lasting_one_does_not_expire(
    tmp_path: Path,
) -> None:
    path = tmp_path / "certificate.pdf"
    old = certificate_number("LON", 2024, 17)
    render_certificate(
        make_content(
            reissue_of=old,
            expires_on=None,
            signatory="Jane Roe",
            signatory_role="Acting Training Lead",
            trainer="",
        ),
        path,
    )

    text = text_of(path)
    assert f"Replaces certificate {old}" in text
    assert "Does not expire" in text and "Valid until" not in text
    assert "Jane Roe" in text and "Acting Training Lead" in text
    assert "Dr Imogen Achebe-Hart" not in text
    assert "TRAINED BY" not in text


def test_many_learning_outcomes_are_summarised(tmp_path: Path) -> None:
    path = tmp_path / "certificate.pdf"
    outcomes = tuple(f"Outcome number {n} of the course" for n in range(1, 10))
    render_certificate(make_content(learning_outcomes=outcomes), path)

    text = text_of(path)
    assert all(outcome in text for outcome in outcomes[:5])
    assert outcomes[5] not in text
    assert "and 4 more learning outcomes" in text


# ----- the QR code and the embedded payload ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "realistic"),
    [("Siobhán Ní Bhriain", False), ("李伟", True), ("ليلى حداد", True)],
)
def test_the_qr_code_carries_exactly_the_payload(
    tmp_path: Path, name: str, realistic: bool
) -> None:
    content = make_content(trainee_name=name)
    if realistic:
        content = dataclasses.replace(content, payload=signed_payload(content))
    path = tmp_path / "certificate.pdf"
    render_certificate(content, path)

    assert scanned(rendered(path, 150)) == content.payload


def test_the_payload_is_embedded_and_read_back_as_found(tmp_path: Path) -> None:
    content = make_content()
    content = dataclasses.replace(content, payload=signed_payload(content))
    path = tmp_path / "certificate.pdf"
    render_certificate(content, path)

    assert read_embedded_payload(path) == content.payload
    metadata = PdfReader(path).metadata
    assert metadata is not None and metadata["/TrainerAppCertificate"] == content.payload

    # Someone edits one character of the embedded code: it is read as edited (and the
    # signature check, elsewhere, then fails).
    data = path.read_bytes()
    at = data.index(b"/TrainerAppCertificate (") + len(b"/TrainerAppCertificate (") + 20
    edited = data[:at] + (b"B" if data[at : at + 1] != b"B" else b"C") + data[at + 1 :]
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(edited)
    assert read_embedded_payload(forged) != content.payload
    assert len(read_embedded_payload(forged)) == len(content.payload)
    assert read_embedded_payload(forged)[:20] == content.payload[:20]


def test_a_pdf_without_a_payload_is_not_a_certificate(tmp_path: Path) -> None:
    other = tmp_path / "minutes.pdf"
    canvas = Canvas(str(other))
    canvas.drawString(72, 720, "Minutes of the training committee")
    canvas.save()
    with pytest.raises(DomainError, match=r"minutes\.pdf is not a trainer-app certificate"):
        read_embedded_payload(other)
    notes = tmp_path / "notes.txt"
    notes.write_text("/TrainerAppCertificate", encoding="utf-8")
    with pytest.raises(DomainError, match="not a trainer-app certificate"):
        read_embedded_payload(notes)
    with pytest.raises(DomainError, match="cannot be read"):
        read_embedded_payload(tmp_path / "missing.pdf")


# ----- fitting the page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "long_name",
    [
        ("Siobhán Ní Bhriain-Fitzgerald Ó Conchobhair " * 4)[:120],
        "李伟" * 60,
        ("ليلى حداد " * 13)[:120],
    ],
    ids=["latin", "cjk", "arabic"],
)
def test_a_long_name_shrinks_and_wraps_inside_its_box(tmp_path: Path, long_name: str) -> None:
    """120 characters, the longest name the register holds."""
    assert len(long_name) == 120
    short, long = tmp_path / "short.pdf", tmp_path / "long.pdf"
    render_certificate(make_content(trainee_name="Li Wei"), short)
    render_certificate(make_content(trainee_name=long_name), long)

    name = render._lay_out(make_content(trainee_name=long_name)).name.text
    assert name.lines == 2 and name.size <= 18 and name.height <= NAME_BOX.height
    if long_name.startswith("Siobhán"):  # Arabic comes out in presentation forms
        assert "".join(long_name.split()) in "".join(text_of(long).split())

    # Only the name's box differs between the two pages: nothing spills over.
    resolution = 60
    with Image.open(rendered(short, resolution)) as a, Image.open(rendered(long, resolution)) as b:
        changed = ImageChops.difference(a.convert("L"), b.convert("L")).point(
            lambda v: 255 if v > 24 else 0
        )
        left, top, right, bottom = pixels(NAME_BOX, resolution)
        assert changed.getbbox() is not None
        x0, y0, x1, y1 = changed.getbbox()
        assert x0 >= left - 1 and y0 >= top - 1 and x1 <= right + 1 and y1 <= bottom + 1


def test_nothing_is_drawn_outside_the_frame(tmp_path: Path) -> None:
    path = tmp_path / "certificate.pdf"
    render_certificate(make_content(trainee_name="李伟" * 60, reissue_of="LON-2024-000017-4"), path)
    resolution = 60
    with Image.open(rendered(path, resolution)) as image:
        grey = image.convert("L")
        left, top, right, bottom = pixels(render.FRAME, resolution)
        margin = 2  # the frame's own line
        outside = grey.copy()
        outside.paste(255, (left - margin, top - margin, right + margin, bottom + margin))
        assert outside.getextrema()[0] >= 250


@pytest.mark.parametrize("stranger", ["ሀ", "😀"])
def test_a_character_no_font_has_is_refused_and_leaves_no_file(
    tmp_path: Path, stranger: str
) -> None:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(b"the previous certificate")
    code = f"U+{ord(stranger):04X}"
    with pytest.raises(DomainError, match=re.escape(code)):
        render_certificate(make_content(trainee_name=f"Abebe {stranger}"), path)
    assert path.read_bytes() == b"the previous certificate"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["certificate.pdf"]

    with pytest.raises(DomainError, match=re.escape(code)):
        render_certificate(make_content(trainee_name=f"Abebe {stranger}"), tmp_path / "new.pdf")
    assert not (tmp_path / "new.pdf").exists()


# ----- batches -----------------------------------------------------------------------------


NAMES = ["Siobhán Ní Bhriain", "李伟", "ليلى حداد", "Ελένη Παπαδοπούλου", "Дмитрий Соколов"]


def batch(count: int) -> list[CertificateContent]:
    return [
        make_content(
            number=certificate_number(hub, 2025, n + 1),
            trainee_name=NAMES[n % len(NAMES)],
            hub_code=hub,
        )
        for n in range(count)
        for hub in [["LON", "BRI", "SHF", "STE"][n % 4]]
    ]


def test_a_batch_writes_each_certificate_and_one_file_to_print(tmp_path: Path) -> None:
    contents = batch(5)
    seen: list[tuple[int, int]] = []
    combined = tmp_path / "all.pdf"
    written = render_batch(contents, tmp_path, combined, progress=lambda d, t: seen.append((d, t)))

    assert [p.name for p in written] == [f"{c.number}.pdf" for c in contents]
    assert all(p.exists() for p in written)
    assert seen == [(n, 5) for n in range(1, 6)]
    reader = PdfReader(combined)
    assert len(reader.pages) == 5
    for page, content in zip(reader.pages, contents, strict=True):
        assert content.number in page.extract_text()
    assert read_embedded_payload(written[2]) == PAYLOAD
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["all.pdf", *(p.name for p in written)]
    )


def test_a_second_batch_into_the_same_folder_overwrites_nothing(tmp_path: Path) -> None:
    """The same certificates written twice (a reprint of a batch, or files from another
    database): every earlier file stays as it was; a certificate whose file is already there,
    byte for byte, keeps it (a resumed batch adds no copies), a different one is named
    " (2)", and so is the new print file."""
    contents = batch(3)
    first = batch_path(tmp_path, contents)
    opening = contents[0]
    assert first.name == f"certificates-{opening.issued_on.isoformat()}-{opening.number}.pdf"
    render_batch(contents, tmp_path, first)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    again = batch_path(tmp_path, contents)
    (tmp_path / f"{contents[1].number}.pdf").write_bytes(b"someone else's file")
    before[f"{contents[1].number}.pdf"] = b"someone else's file"
    written = render_batch(contents, tmp_path, again)
    assert again.name == first.name.replace(".pdf", " (2).pdf")
    assert [p.name for p in written] == [
        f"{contents[0].number}.pdf",
        f"{contents[1].number} (2).pdf",
        f"{contents[2].number}.pdf",
    ]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in before} == before
    assert len(PdfReader(again).pages) == 3 and len(list(tmp_path.iterdir())) == 6
    assert free_path(tmp_path, first.stem).name == first.name.replace(".pdf", " (3).pdf")


def test_the_print_file_is_written_in_parts_without_losing_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "PAGES_PER_PART", 2)
    contents = batch(5)
    combined = tmp_path / "all.pdf"
    render_batch(contents, tmp_path, combined)

    reader = PdfReader(combined, strict=True)
    assert [c.number in p.extract_text() for p, c in zip(reader.pages, contents, strict=True)] == [
        True
    ] * 5
    assert reader.metadata is not None and reader.metadata.title == (
        f"Certificates {contents[0].number} to {contents[-1].number}"
    )
    assert scanned(rendered(combined, 150, page=4)) == PAYLOAD
    assert all(embedded for embedded in embedded_fonts(combined).values())


def test_a_stopped_batch_keeps_what_it_wrote_and_no_print_file(tmp_path: Path) -> None:
    done: list[int] = []
    written = render_batch(
        batch(5),
        tmp_path,
        tmp_path / "all.pdf",
        progress=lambda d, _t: done.append(d),
        should_stop=lambda: len(done) >= 2,
    )

    assert len(written) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def test_a_batch_stops_at_a_certificate_it_cannot_print(tmp_path: Path) -> None:
    contents = batch(4)
    contents[2] = dataclasses.replace(contents[2], trainee_name="Abebe ሀ")
    with pytest.raises(DomainError, match=re.escape(contents[2].number) + ".*U\\+1200"):
        render_batch(contents, tmp_path, tmp_path / "all.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{c.number}.pdf" for c in contents[:2]
    )


# ----- branding ----------------------------------------------------------------------------


def test_each_hub_has_its_own_look(tmp_path: Path) -> None:
    frames, logos = [], []
    for hub in ["LON", "BRI", "SHF"]:
        path = tmp_path / f"{hub}.pdf"
        render_certificate(make_content(hub_code=hub), path)
        with Image.open(rendered(path, 60)) as image:
            left, top, _, _ = pixels(render.FRAME, 60)
            frames.append(image.convert("RGB").getpixel((left + 40, top)))
        images = PdfReader(path).pages[0].images
        logos.append(images[0].data)
        assert branding(hub).display_name in text_of(path)

    assert len(set(frames)) == 3, frames
    assert len(set(logos)) == 3


def test_a_hub_without_branding_uses_the_default_and_its_own_name(tmp_path: Path) -> None:
    assert branding("xyz") == branding("default") == branding("../LON")
    assert branding("lon") == branding("LON")
    path = tmp_path / "certificate.pdf"
    render_certificate(
        make_content(hub_code="XYZ", hub_name="Northern Cell Therapy Centre", signatory="A. Lead"),
        path,
    )
    assert "Northern Cell Therapy Centre" in text_of(path)
    metadata = PdfReader(path).metadata
    assert metadata is not None and metadata.author == "Northern Cell Therapy Centre"

"""Certificates: 1 000 in one batch, each to its own PDF and all to one PDF for printing.
Target: ≤ 1.5× the baseline, and memory flat however long the batch.

Baseline ("bare ReportLab"), measured in the same run on the same certificates: the same page
drawn with plain canvas calls, i.e. the same frame, logo, QR code (encoded and drawn the same
way), rules, tinted cells and every piece of text at the same place and nominal size, but
each text drawn with ``drawString`` in one font: no per-character font fallback or shaping, no
fitting to boxes, no wrapping, no branding look-up; the combined file is one ReportLab canvas
saved at the end, which is how ReportLab is usually asked for a many-page PDF. The difference
is what the real thing costs for printing any name properly and for flat memory.

Memory: resident set size sampled every 100 certificates while the batch runs.

Run: .venv/bin/python benchmarks/certificates.py [--count 1000] [--folder /tmp/bench] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from trainer_app.certificates import qr, render
from trainer_app.certificates.branding import branding
from trainer_app.certificates.preview import preview
from trainer_app.certificates.render import PAGE_SIZE, certificate_pdf, render_batch
from trainer_app.domain.certificates import (
    CertificateContent,
    CertificateFacts,
    certificate_number,
    payload,
)
from trainer_app.typesetting.text import Weight, font_name

HUBS = ("LON", "BRI", "SHF", "STE")
PREVIEW_WIDTH = 1000  # about what the Certificates page shows on a laptop
GIVEN = ("Siobhán", "Zoë", "Łukasz", "Amara", "Chidi", "Ελένη", "Дмитрий", "李", "ليلى", "Priya")
FAMILY = ("Ní Bhriain", "Okafor", "Wiśniewski", "Παπαδοπούλου", "Соколов", "伟", "حداد", "Sharma")
COURSES = (
    ("ASEP", "Aseptic technique"),
    ("GOWN", "Cleanroom behaviour and gowning qualification"),
    ("QC-MYCO", "Mycoplasma and adventitious agent testing"),
    ("AAV-DS", "AAV downstream processing"),
)
OUTCOMES = (
    "Perform aseptic manipulations in a Grade A environment without compromising sterility",
    "Explain first air, unidirectional airflow and the risks of interventions",
    "Select and sanitise materials entering the cleanroom",
    "Recognise and report an aseptic breach",
)


def certificates(count: int) -> list[CertificateContent]:
    """``count`` certificates of four hubs, names in several scripts, real-length payloads."""
    contents = []
    for n in range(count):
        hub = HUBS[n % len(HUBS)]
        code, title = COURSES[n % len(COURSES)]
        name = f"{GIVEN[n % len(GIVEN)]} {FAMILY[(n // len(GIVEN)) % len(FAMILY)]}"
        completed = date(2026, 1, 5) + timedelta(days=n % 300)
        facts = CertificateFacts(
            number=certificate_number(hub, 2026, n + 1),
            name=name,
            course_code=code,
            course_title=title,
            version="2.1",
            completed_on=completed,
            issued_on=completed + timedelta(days=3),
            expires_on=completed + timedelta(days=730) if n % 5 else None,
            hub=hub,
            key="3f" * 16,
        )
        contents.append(
            CertificateContent(
                number=facts.number,
                trainee_name=name,
                course_code=code,
                course_title=title,
                course_version="2.1",
                completed_on=facts.completed_on,
                issued_on=facts.issued_on,
                expires_on=facts.expires_on,
                cpd_hours=Decimal("7.5"),
                learning_outcomes=OUTCOMES[: 2 + n % 3],
                assessment_outcome="Theory 86 % · practical passed",
                trainer="Dr Amara Okafor",
                signatory="",
                signatory_role="",
                hub_code=hub,
                hub_name=f"{hub} hub",
                payload=payload(facts, n.to_bytes(4, "big") * 16),
            )
        )
    return contents


def resident_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def sampler(samples: dict[int, float]) -> Callable[[int, int], None]:
    def progress(done: int, _total: int) -> None:
        if done % 100 == 0:
            samples[done] = resident_mib()

    return progress


# ----- the baseline --------------------------------------------------------------------------


def bare_page(canvas: Canvas, content: CertificateContent, symbol: qr.QrSymbol, logo: str) -> None:
    """The certificate's page in plain canvas calls (see the module's docstring)."""
    regular, bold, italic = (font_name(w) for w in (Weight.REGULAR, Weight.BOLD, Weight.ITALIC))
    middle = PAGE_SIZE[0] / 2
    primary, accent = colors.HexColor("#1F3A5F"), colors.HexColor("#A8843A")
    frame = render.FRAME
    canvas.setStrokeColor(primary)
    canvas.setLineWidth(2.4)
    canvas.rect(frame.x, frame.y, frame.width, frame.height)
    canvas.setStrokeColor(accent)
    canvas.rect(frame.x + 6, frame.y + 6, frame.width - 12, frame.height - 12)
    box = render.LOGO
    canvas.drawImage(logo, box.x, box.y, box.width, box.height, mask="auto")
    texts = [
        (bold, 12, render.HUB.x, render.HUB.y + 30, content.hub_name, "left"),
        (bold, 13, render.REFERENCE.right, 535, content.number, "right"),
        (regular, 9, render.REFERENCE.right, 520, f"Issued {content.issued_on}", "right"),
        (bold, 9, render.REFERENCE.right, 508, f"Valid until {content.expires_on}", "right"),
        (bold, 21, middle, render.TITLE_BASELINE, "CERTIFICATE OF COMPLETION", "centre"),
        (italic, 10.5, middle, 392, "This is to certify that", "centre"),
        (bold, 30, middle, 340, content.trainee_name, "centre"),
        (italic, 10.5, middle, 300, "has successfully completed", "centre"),
        (bold, 18, middle, 262, content.course_title, "centre"),
        (regular, 10.5, middle, 240, f"{content.course_code} · Version 2.1", "centre"),
        (bold, 10.5, 65, 182, str(content.completed_on), "left"),
        (bold, 10.5, 200, 182, "7.5", "left"),
        (bold, 10.5, 300, 182, content.assessment_outcome, "left"),
        (bold, 10.5, 500, 182, content.trainer, "left"),
        (bold, 10.5, 520, 85, "Dr Imogen Achebe-Hart", "centre"),
        (regular, 8.5, 520, 72, "Head of Training and Quality Assurance", "centre"),
        (regular, 7, render.QR_BOX.centre, 75, "Scan to verify offline:", "centre"),
        (regular, 7, render.QR_BOX.centre, 66, "trainer-app certificate verify", "centre"),
    ]
    texts += [
        (regular, 8.5, 67, 140 - 14 * i, outcome, "left")
        for i, outcome in enumerate(content.learning_outcomes)
    ]
    for left in (57, 190, 290, 490):
        canvas.setFillColor(colors.HexColor("#EEF1F5"))
        canvas.rect(left, render.FACTS.y, 90, render.FACTS.height, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor("#5B6675"))
        canvas.setFont(bold, 6.5)
        canvas.drawString(left + 8, render.FACTS.top - 13, "LABEL", charSpace=0.8)
    canvas.setFillColor(colors.HexColor("#1F2933"))
    for font, size, x, y, text, align in texts:
        canvas.setFont(font, size)
        if align == "left":
            canvas.drawString(x, y, text)
        elif align == "right":
            canvas.drawRightString(x, y, text)
        else:
            canvas.drawCentredString(x, y, text)
    canvas.setStrokeColor(accent)
    canvas.line(middle - 35 * mm, render.NAME_RULE, middle + 35 * mm, render.NAME_RULE)
    canvas.line(render.SIGNATORY.x, render.SIGNATURE_LINE, render.SIGNATORY.right, 102)
    box = render.QR_BOX
    qr.draw(canvas, symbol, box.x, box.y, box.width)


def bare_canvas(target: Path) -> Canvas:
    return Canvas(str(target), pagesize=PAGE_SIZE, pageCompression=1, initialFontName=font_name())


def bare_batch(
    contents: list[CertificateContent], folder: Path, combined: Path, samples: dict[int, float]
) -> None:
    logos = {hub: str(branding(hub).logo) for hub in HUBS}
    book = bare_canvas(combined)
    for done, content in enumerate(contents, start=1):
        symbol = qr.encode(content.payload)
        single = bare_canvas(folder / f"{content.number}.pdf")
        for canvas in (single, book):
            bare_page(canvas, content, symbol, logos[content.hub_code])
            canvas.showPage()
        single.save()
        if done % 100 == 0:
            samples[done] = resident_mib()
    book.save()


# ----- the run -----------------------------------------------------------------------------


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def growth(samples: dict[int, float]) -> str:
    marks = sorted(samples)
    if len(marks) < 2:
        return "(too few samples)"
    first, last = marks[0], marks[-1]
    per_100 = (samples[last] - samples[first]) / (last - first) * 100
    shown = ", ".join(f"{n}: {samples[n]:.0f}" for n in marks)
    return f"{shown} MiB  → {per_100:+.2f} MiB per 100 certificates after the first {first}"


def size_mib(path: Path) -> float:
    return path.stat().st_size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="print the batch's hot spots")
    args = parser.parse_args()

    contents = certificates(args.count)
    with tempfile.TemporaryDirectory() as scratch:
        root = args.folder or Path(scratch)
        ours, bare = root / "trainer-app", root / "bare"
        for folder in (ours, bare):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        # Warm up both (fonts registered, logos read, mask tables built) outside the timing.
        render_batch(contents[:4], ours, None)
        bare_batch(contents[:4], bare, bare / "warm.pdf", {})

        our_memory: dict[int, float] = {}
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        our_time = timed(
            lambda: render_batch(contents, ours, ours / "all.pdf", progress=sampler(our_memory))
        )
        if profile:
            profile.disable()
        bare_memory: dict[int, float] = {}
        bare_time = timed(lambda: bare_batch(contents, bare, bare / "all.pdf", bare_memory))

        widget = timed(lambda: [_widget_drawing(c.payload) for c in contents[:5]]) / 5
        previews = contents[:20]
        preview_pdf = timed(lambda: [certificate_pdf(c, draft=True) for c in previews]) / 20
        preview_all = timed(lambda: [preview(c, PREVIEW_WIDTH, draft=True) for c in previews]) / 20
        symbol = timed(lambda: [qr.encode(c.payload) for c in contents[:20]]) / 20
        count = len(contents)
        print(f"{count} certificates, individual PDFs and one combined PDF for printing")
        for label, seconds in (("trainer-app:  ", our_time), ("bare baseline:", bare_time)):
            print(f"  {label} {seconds:6.1f} s  ({seconds / count * 1000:5.1f} ms a certificate)")
        print(f"  ratio:         {our_time / bare_time:.2f}×  (target ≤ 1.5×)")
        print(f"  resident memory, trainer-app:   {growth(our_memory)}")
        print(f"  resident memory, bare baseline: {growth(bare_memory)}")
        single = size_mib(ours / f"{contents[0].number}.pdf") * 1024
        print(
            f"  files: one certificate {single:.0f} KiB; combined {size_mib(ours / 'all.pdf'):.1f} "
            f"MiB (bare, one canvas: {size_mib(bare / 'all.pdf'):.1f} MiB)"
        )
        print(
            f"  QR code: {symbol * 1000:.0f} ms to encode a payload here; ReportLab's "
            f"QrCodeWidget takes {widget * 1000:.0f} ms to encode and build the same drawing"
        )
        print(
            f"  preview {PREVIEW_WIDTH} px wide: {preview_all * 1000:.0f} ms a certificate "
            f"(its PDF alone {preview_pdf * 1000:.0f} ms; drawing it "
            f"{(preview_all - preview_pdf) * 1000:.0f} ms)"
        )
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


def _widget_drawing(text: str) -> object:
    """What ``QrCodeWidget`` makes of a payload: the encoded symbol as a group of shapes."""
    widget = QrCodeWidget(text, barLevel="M", barBorder=4)
    widget.barWidth = widget.barHeight = 45 * mm
    return widget.draw()


if __name__ == "__main__":
    main()

"""Demo evidence: a one-page PDF for each document a framework requires, kept like an upload.

Seeded bids would show sections as unfinished without the documents the framework demands
(accounts, a safeguarding policy), so each gets a small, plainly labelled PDF stored through
the evidence service, exactly as an uploaded file is.
"""

from __future__ import annotations

import io
import textwrap

from werkzeug.datastructures import FileStorage

from criteria.model import Framework
from webapp.models import Bid, EvidenceFile, Organisation, SelfAssessment, User
from webapp.services.evidence import store_evidence

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_LINE_CHARACTERS = 80


def demo_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A valid one-page PDF (Helvetica, A4) with a title and wrapped paragraphs."""
    lines = [title, ""]
    for paragraph in paragraphs:
        lines += [*textwrap.wrap(paragraph, _LINE_CHARACTERS), ""]
    shown = " T* ".join(f"({_pdf_text(line)}) Tj" for line in lines)
    content = f"BT /F1 11 Tf 56 {_PAGE_HEIGHT - 72} Td 16 TL {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    document = io.BytesIO()
    document.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(document.tell())
        document.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = document.tell()
    document.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        document.write(b"%010d 00000 n \n" % offset)
    document.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return document.getvalue()


def _pdf_text(line: str) -> str:
    plain = line.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def attach_required_documents(
    framework: Framework,
    answers: dict[str, object],
    *,
    organisation: Organisation,
    uploaded_by: User,
    file_stem: str,
    bid: Bid | None = None,
    self_assessment: SelfAssessment | None = None,
) -> list[EvidenceFile]:
    """Store a demo document for each answered criterion whose evidence is required."""
    stored = []
    for criterion_id in answers:
        criterion = framework.criteria[criterion_id]
        demand = criterion.evidence
        if demand is None or not demand.required:
            continue
        pdf = demo_pdf(
            f"{organisation.name}: {demand.description}",
            [
                f"A demonstration document for the question: {criterion.prompt}",
                "Made by Commonweal's demo data for trying the service. It is not a real "
                "document and describes no real organisation.",
            ],
        )
        name = f"{file_stem}-{criterion_id.replace('_', '-')}.pdf"
        upload = FileStorage(io.BytesIO(pdf), filename=name, content_type="application/pdf")
        stored.append(
            store_evidence(
                upload,
                organisation=organisation,
                uploaded_by=uploaded_by,
                criterion_id=criterion_id,
                bid=bid,
                self_assessment=self_assessment,
            )
        )
    return stored

"""Hostile uploads: each is refused next to its field, the answers stay, and no file is kept.

The files pass the first look (their opening bytes are a PDF, or a zip holding a Word or Excel
package) and hide something inside; `hostile_files` builds them small, in memory.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import FileStorage

from tests.webapp.input import hostile_files as files
from tests.webapp.provider.bidding import SECTION_ANSWERS, BidWorld, section_url
from tests.webapp.provider.page_forms import read_form
from webapp.extensions import db
from webapp.models import EvidenceFile, Organisation, User
from webapp.services.evidence import DOCX, PDF, EvidenceError, display_filename, store_evidence
from webapp.services.evidence_checks import (
    PDF_ACTIONS_MESSAGE,
    PDF_UNREADABLE_MESSAGE,
    TOO_MANY_PARTS_MESSAGE,
    UNPACKS_TOO_BIG_MESSAGE,
)

WRONG_TYPE = (
    "The selected file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
)


def folder_contents(app: Flask) -> list[str]:
    """Every file in the upload folder, temporary ones included."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def keep(app: Flask, user: User, content: bytes, filename: str) -> EvidenceFile:
    with app.app_context():
        organisation = db.session.get(Organisation, user.organisation_id)
        assert organisation is not None
        evidence = store_evidence(
            FileStorage(stream=io.BytesIO(content), filename=filename),
            organisation=organisation,
            uploaded_by=None,
            criterion_id="q_safeguarding",
        )
        db.session.commit()
        db.session.refresh(evidence)
        db.session.expunge(evidence)
        return evidence


def refused(app: Flask, user: User, content: bytes, filename: str) -> str:
    with pytest.raises(EvidenceError) as error:
        keep(app, user, content, filename)
    assert folder_contents(app) == [], "a refused upload left a file behind"
    return error.value.message


# --- PDFs that run things ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(files.PDFS_THAT_RUN_THINGS))
def test_a_pdf_that_runs_a_script_or_an_action_is_refused(
    app: Flask, world: BidWorld, name: str
) -> None:
    user = world.provider()
    message = refused(app, user, files.PDFS_THAT_RUN_THINGS[name], "policy.pdf")
    assert message == PDF_ACTIONS_MESSAGE


def test_a_pdf_that_opens_at_a_page_is_kept(app: Flask, world: BidWorld) -> None:
    user = world.provider()
    evidence = keep(app, user, files.PDF_OPENING_AT_A_PAGE, "policy.pdf")
    assert evidence.content_type == PDF.mime
    assert folder_contents(app) == [evidence.sha256]


def test_a_pdf_whose_object_stream_cannot_be_read_is_refused(app: Flask, world: BidWorld) -> None:
    user = world.provider()
    message = refused(app, user, files.PDF_WITH_UNREADABLE_OBJECT_STREAM, "policy.pdf")
    assert message == PDF_UNREADABLE_MESSAGE


def test_script_names_in_a_pictures_compressed_bytes_do_not_refuse_it(
    app: Flask, world: BidWorld
) -> None:
    """Three random bytes can spell `/JS`: stream data of known length is not read for it."""
    data = b"\x00/JS \x00/AA\x00" * 100
    stream = b"<</Type/XObject/Subtype/Image/Length " + str(len(data)).encode() + b">>"
    content = files.pdf_with_catalog(b"", stream + b"stream\n" + data + b"\nendstream\n")
    user = world.provider()
    assert keep(app, user, content, "scan.pdf").content_type == PDF.mime


# --- Word and Excel packages ---------------------------------------------------------------------


def test_a_docx_zip_bomb_is_refused_by_its_compression_ratio(app: Flask, world: BidWorld) -> None:
    bomb = files.docx_bomb(8)
    assert len(bomb) < 64 * 1024  # 8MB of zeros in a few kilobytes
    user = world.provider()
    assert refused(app, user, bomb, "policy.docx") == UNPACKS_TOO_BIG_MESSAGE


def test_a_docx_that_unpacks_beyond_the_limit_is_refused(app: Flask, world: BidWorld) -> None:
    app.config["EVIDENCE_MAX_UNPACKED_BYTES"] = 256 * 1024
    parts = {f"word/media/image{i}.bin": bytes(range(256)) * 300 for i in range(4)}  # ~300KB
    package = files.office_package("word", parts, level=1)
    user = world.provider()
    assert refused(app, user, package, "policy.docx") == UNPACKS_TOO_BIG_MESSAGE
    app.config["EVIDENCE_MAX_UNPACKED_BYTES"] = 1024 * 1024
    assert keep(app, user, package, "policy.docx").content_type == DOCX.mime


def test_an_xlsx_of_too_many_parts_is_refused(app: Flask, world: BidWorld) -> None:
    app.config["EVIDENCE_MAX_ARCHIVE_ENTRIES"] = 50
    user = world.provider()
    assert refused(app, user, files.xlsx_of_many_parts(60), "pay.xlsx") == TOO_MANY_PARTS_MESSAGE
    keep(app, user, files.xlsx_of_many_parts(40), "pay.xlsx")


def test_the_default_limits_refuse_a_package_of_two_thousand_parts(
    app: Flask, world: BidWorld
) -> None:
    user = world.provider()
    message = refused(app, user, files.xlsx_of_many_parts(2000), "pay.xlsx")
    assert message == TOO_MANY_PARTS_MESSAGE


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../x.pdf", "x.pdf"),
        ("/etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("C:\\Users\\me\\..\\pay.pdf", "pay.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),
        ("pay\u2066\u2069 policy\u200b.pdf", "pay policy.pdf"),
        ("pay\u200f\u200e\u061c.pdf", "pay.pdf"),
        ("bad\x00name\x7f.pdf", "badname.pdf"),
        ("line\u2028break.pdf", "linebreak.pdf"),
        ("caf\u0065\u0301 \U0001f600.pdf", "caf\u0065\u0301 \U0001f600.pdf"),
    ],
    ids=[
        "traversal",
        "absolute",
        "backslashes",
        "windows-drive",
        "rtl-override",
        "isolates-zero-width",
        "direction-marks",
        "nul-and-delete",
        "line-separator",
        "combining-and-emoji-kept",
    ],
)
def test_a_display_name_has_no_folders_and_nothing_hidden(given: str, shown: str) -> None:
    assert display_filename(given, PDF) == shown


def test_a_traversal_name_is_stored_only_by_its_hash_inside_the_folder(
    app: Flask, world: BidWorld, tmp_path: Path
) -> None:
    user = world.provider()
    evidence = keep(app, user, files.PLAIN_PDF, "../../../../" + str(tmp_path / "escape.pdf"))
    assert evidence.filename == "escape.pdf"
    assert folder_contents(app) == [evidence.sha256]
    assert not (tmp_path / "escape.pdf").exists()


# --- through the page: the error is next to the field, answers kept, nothing on disk -------------

QUALITY = SECTION_ANSWERS["quality"]
FIELD = "q_safeguarding-evidence"

HOSTILE_UPLOADS = {
    "exe-named-pdf": (files.EXE, "policy.pdf", WRONG_TYPE),
    "empty": (b"", "policy.pdf", "The selected file is empty"),
    "pdf-with-javascript": (
        files.PDFS_THAT_RUN_THINGS["javascript-open-action"],
        "policy.pdf",
        PDF_ACTIONS_MESSAGE,
    ),
    "docx-bomb": (files.docx_bomb(4), "policy.docx", UNPACKS_TOO_BIG_MESSAGE),
    "oversized": (
        files.PLAIN_PDF + b"0" * (10 * 1024 * 1024),
        "policy.pdf",
        "The selected file must be smaller than 10MB",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_UPLOADS))
def test_a_hostile_upload_is_refused_next_to_its_field_and_leaves_nothing(
    app: Flask, world: BidWorld, name: str
) -> None:
    content, filename, message = HOSTILE_UPLOADS[name]
    world.provider()
    bid_id = world.start(world.round())
    url = section_url(bid_id, "quality")
    form = world.page(f"{url}?change=confirmed")[1]
    body = {
        "csrf_token": form.value("csrf_token"),
        "version": form.value("version"),
        **QUALITY,
        "action": "continue",
        FIELD: (io.BytesIO(content), filename),
    }
    response = world.client.post(url, data=body, content_type="multipart/form-data")
    # The test client spools a body over 500 KB to a temporary file and, unless it followed a
    # redirect, leaves that file open.
    response.request.input_stream.close()
    assert response.status_code == 200
    shown = read_form(response.get_data(as_text=True))
    assert shown.field_errors[f"{FIELD}-error"] == message
    assert (f"#{FIELD}", message) in shown.error_links
    assert shown.value("q_person_centred") == QUALITY["q_person_centred"]
    assert shown.value("q_cqc_provider_id") == QUALITY["q_cqc_provider_id"]
    assert folder_contents(app) == []
    with app.app_context():
        assert db.session.scalars(sa.select(EvidenceFile)).all() == []

"""Evidence uploads: checked by content, stored once by hash, downloaded only by those allowed."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, Headers
from werkzeug.test import TestResponse

from criteria.answers import parse_answer
from criteria.model import Criterion
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    EvidenceFile,
    Organisation,
    Role,
    RoundStatus,
    SelfAssessment,
    User,
)
from webapp.services import evidence as evidence_service
from webapp.services.evidence import (
    EvidenceError,
    can_download,
    evidence_answer,
    evidence_for_answer,
    evidence_id_from_answer,
    store_evidence,
)
from webapp.services.frameworks import latest_builtin

DEADLINE = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)

# --- real, tiny documents ------------------------------------------------------------------

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def office_document(*parts: str) -> bytes:
    """A zip with `[Content_Types].xml` first and the given parts, as Office writes them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        for part in parts:
            archive.writestr(part, '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


DOCX_BYTES = office_document("word/document.xml", "word/styles.xml")
XLSX_BYTES = office_document("xl/workbook.xml", "xl/worksheets/sheet1.xml")


def upload(content: bytes, filename: str = "evidence.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=filename)


def stored_files(app: Flask) -> list[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the world: organisations, a round, bids ---------------------------------------------------


@pytest.fixture
def provider(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROVIDER)


@pytest.fixture
def round_id(app: Flask) -> int:
    with app.app_context():
        version = latest_builtin()
        round_ = CommissioningRound(
            reference="R-2027-001",
            title="Homecare in Wellfield",
            service="homecare",
            framework_version_id=version.id,
            opens_at=DEADLINE - timedelta(days=30),
            closes_at=DEADLINE,
            status=RoundStatus.PUBLISHED.value,
        )
        db.session.add(round_)
        db.session.commit()
        return round_.id


def make_bid(app: Flask, organisation_id: int, round_id: int, status: BidStatus) -> int:
    with app.app_context():
        bid = Bid(round_id=round_id, organisation_id=organisation_id, status=status.value)
        db.session.add(bid)
        db.session.commit()
        return bid.id


def keep(
    app: Flask,
    user: User,
    content: bytes = PDF_BYTES,
    *,
    filename: str = "pay-policy.pdf",
    bid_id: int | None = None,
    self_assessment: bool = False,
) -> int:
    """Store a document for `user`'s organisation and return the evidence id."""
    with app.app_context():
        organisation = db.session.get(Organisation, user.organisation_id)
        assert organisation is not None
        bid = db.session.get(Bid, bid_id) if bid_id else None
        assessment = None
        if self_assessment:
            assessment = SelfAssessment(
                organisation_id=organisation.id,
                framework_version_id=latest_builtin().id,
                answers={},
            )
            db.session.add(assessment)
            db.session.flush()
        evidence = store_evidence(
            upload(content, filename),
            organisation=organisation,
            uploaded_by=db.session.get(User, user.id),
            criterion_id="fw_lowest_hourly_pay",
            bid=bid,
            self_assessment=assessment,
        )
        db.session.commit()
        return evidence.id


def stand_at(app: Flask, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment


# --- checking what a file is -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "mime", "shown"),
    [
        (PDF_BYTES, "pay policy.pdf", "application/pdf", "pay policy.pdf"),
        (
            DOCX_BYTES,
            "policy.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "policy.docx",
        ),
        (
            XLSX_BYTES,
            "payroll.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "payroll.xlsx",
        ),
        (PNG_BYTES, "certificate.png", "image/png", "certificate.png"),
        (JPEG_BYTES, "photo.jpeg", "image/jpeg", "photo.jpeg"),
    ],
)
def test_each_allowed_kind_is_kept_under_its_hash_with_the_real_type(
    app: Flask, provider: User, content: bytes, filename: str, mime: str, shown: str
) -> None:
    evidence_id = keep(app, provider, content, filename=filename)
    with app.app_context():
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        assert evidence.content_type == mime
        assert evidence.filename == shown
        assert evidence.size == len(content)
        assert evidence.organisation_id == provider.organisation_id
        assert evidence.uploaded_by_id == provider.id
        stored = Path(app.config["UPLOAD_FOLDER"]) / evidence.sha256
        assert stored.read_bytes() == content
        assert "." not in stored.name
    assert stored_files(app) == [stored.name]


def test_a_png_named_pdf_is_stored_as_the_png_it_really_is(app: Flask, provider: User) -> None:
    evidence_id = keep(app, provider, PNG_BYTES, filename="scan.pdf")
    with app.app_context():
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        assert evidence.content_type == "image/png"
        assert evidence.filename == "scan.png"


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (EXE_BYTES, "invoice.pdf"),
        (HTML_BYTES, "report.pdf"),
        (b"Plain words, not a document\n", "notes.docx"),
        (office_document("ppt/presentation.xml"), "slides.docx"),
        (office_document("word/document.xml", "word/vbaProject.bin"), "macros.docx"),
        (office_document("word/document.xml", "xl/workbook.xml"), "both.docx"),
        (b"PK\x03\x04" + b"\x00" * 60, "broken.xlsx"),
    ],
    ids=["exe", "html", "text", "pptx", "macro-docm", "word-and-excel", "broken-zip"],
)
def test_a_file_that_is_not_an_allowed_document_is_refused_whatever_its_name(
    app: Flask, provider: User, content: bytes, filename: str
) -> None:
    with pytest.raises(EvidenceError) as refused:
        keep(app, provider, content, filename=filename)
    assert refused.value.message == (
        "The selected file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), "
        "PNG or JPEG"
    )
    assert stored_files(app) == []


def test_a_zip_without_content_types_is_not_an_office_document(app: Flask, provider: User) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(EvidenceError):
        keep(app, provider, buffer.getvalue(), filename="fake.docx")


def test_an_empty_file_is_refused(app: Flask, provider: User) -> None:
    with pytest.raises(EvidenceError) as refused:
        keep(app, provider, b"", filename="empty.pdf")
    assert refused.value.message == "The selected file is empty"
    assert stored_files(app) == []


def test_no_file_chosen_is_refused(app: Flask, provider: User) -> None:
    with app.app_context():
        organisation = db.session.get(Organisation, provider.organisation_id)
        assert organisation is not None
        nothing_chosen = FileStorage(stream=io.BytesIO(b""), filename="")
        with pytest.raises(EvidenceError) as refused:
            store_evidence(
                nothing_chosen,
                organisation=organisation,
                uploaded_by=None,
                criterion_id="fw_lowest_hourly_pay",
            )
    assert refused.value.message == "Select a file"


def test_a_file_over_10mb_is_refused_and_one_at_the_limit_is_kept(
    app: Flask, provider: User
) -> None:
    limit = app.config["EVIDENCE_MAX_BYTES"]
    assert limit == 10 * 1024 * 1024
    at_limit = PDF_BYTES + b"0" * (limit - len(PDF_BYTES))
    with pytest.raises(EvidenceError) as refused:
        keep(app, provider, at_limit + b"0", filename="big.pdf")
    assert refused.value.message == "The selected file must be smaller than 10MB"
    assert stored_files(app) == []
    keep(app, provider, at_limit, filename="just-fits.pdf")
    assert len(stored_files(app)) == 1


def test_the_same_bytes_are_stored_once_however_often_uploaded(
    app: Flask, provider: User, make_user: Callable[..., User]
) -> None:
    other = make_user(Role.PROVIDER)
    first = keep(app, provider, PDF_BYTES, filename="a.pdf")
    second = keep(app, other, PDF_BYTES, filename="b.pdf")
    with app.app_context():
        a, b = db.session.get(EvidenceFile, first), db.session.get(EvidenceFile, second)
        assert a is not None
        assert b is not None
        assert a.id != b.id
        assert a.sha256 == b.sha256
        assert (a.organisation_id, b.organisation_id) == (
            provider.organisation_id,
            other.organisation_id,
        )
    assert stored_files(app) == [a.sha256]


def test_the_file_is_written_beside_its_place_and_renamed_into_it(
    app: Flask, provider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[str, str, bytes]] = []
    real_replace = os.replace

    def watching_replace(source: str, target: str) -> None:
        renames.append((str(source), str(target), Path(source).read_bytes()))
        real_replace(source, target)

    monkeypatch.setattr(evidence_service.os, "replace", watching_replace)
    evidence_id = keep(app, provider, PDF_BYTES)
    with app.app_context():
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        final = Path(app.config["UPLOAD_FOLDER"]) / evidence.sha256
    [(source, target, content)] = renames
    assert Path(source).parent == final.parent
    assert Path(source).name != final.name
    assert Path(target) == final
    assert content == PDF_BYTES  # complete before it took the final name
    assert stored_files(app) == [final.name]


def test_an_upload_that_breaks_off_leaves_nothing_behind(app: Flask, provider: User) -> None:
    class BrokenStream(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("connection reset")
            return super().read(1024)

    with app.app_context():
        organisation = db.session.get(Organisation, provider.organisation_id)
        assert organisation is not None
        broken = FileStorage(stream=BrokenStream(PDF_BYTES * 100), filename="a.pdf")
        with pytest.raises(OSError, match="connection reset"):
            store_evidence(
                broken,
                organisation=organisation,
                uploaded_by=None,
                criterion_id="fw_lowest_hourly_pay",
            )
    assert stored_files(app) == []


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Pay policy.pdf", "Pay policy.pdf"),
        ("bad\x00na\x1fme.pdf", "badname.pdf"),
        ("no-extension", "no-extension.pdf"),
        (".pdf", "evidence.pdf"),
        ("Pay policy.PDF", "Pay policy.pdf"),
    ],
)
def test_the_display_name_keeps_what_the_person_chose_without_folders(
    app: Flask, provider: User, given: str, shown: str
) -> None:
    evidence_id = keep(app, provider, PDF_BYTES, filename=given)
    with app.app_context():
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        assert evidence.filename == shown


# --- answers that refer to evidence --------------------------------------------------------------


def test_an_evidence_answer_is_a_reference_the_engine_accepts(
    app: Flask, provider: User, make_user: Callable[..., User]
) -> None:
    evidence_id = keep(app, provider)
    criterion = Criterion(id="policy", prompt="Attach your pay policy", type="evidence")
    with app.app_context():
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        answer = evidence_answer(evidence)
        assert answer == f"evidence:{evidence_id}"
        assert parse_answer(criterion, answer) == answer
        assert evidence_id_from_answer(answer) == evidence_id
        own = db.session.get(Organisation, provider.organisation_id)
        other_user = make_user(Role.PROVIDER)
        other = db.session.get(Organisation, other_user.organisation_id)
        assert own is not None
        assert other is not None
        assert evidence_for_answer(answer, own) == evidence
        assert evidence_for_answer(answer, other) is None
        assert evidence_for_answer("policy.pdf", own) is None


# --- who may download -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    status_code: int
    data: bytes
    headers: Headers
    mimetype: str | None


def download(client: FlaskClient, evidence_id: int) -> Download:
    """GET the download page and close the response (it holds the stored file open)."""
    with client.get(f"/evidence/{evidence_id}") as response:
        return Download(
            response.status_code, response.get_data(), response.headers, response.mimetype
        )


def test_the_owner_downloads_an_attachment_that_cannot_run_in_the_browser(
    app: Flask, client: FlaskClient, provider: User, sign_in: Callable[[User], FlaskClient]
) -> None:
    evidence_id = keep(app, provider, PNG_BYTES, filename="Scan of certificate.pdf")
    sign_in(provider)
    response = download(client, evidence_id)
    assert response.status_code == 200
    assert response.data == PNG_BYTES
    assert response.mimetype == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Scan_of_certificate.png" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"].split("; ")
    assert policy[0] == "sandbox"
    assert "frame-ancestors 'none'" in policy
    assert "no-store" in response.headers["Cache-Control"]


def test_every_user_of_the_owner_organisation_may_download(
    app: Flask,
    client: FlaskClient,
    provider: User,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> None:
    with app.app_context():
        organisation = db.session.get(Organisation, provider.organisation_id)
    colleague = make_user(Role.PROVIDER, organisation=organisation)
    evidence_id = keep(app, provider)
    sign_in(colleague)
    assert download(client, evidence_id).status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    evidence_id = keep(app, provider)
    response = client.get(f"/evidence/{evidence_id}")
    assert response.status_code == 302
    with app.test_request_context():
        sign_in_url = url_for("auth.sign_in")
    assert response.headers["Location"].startswith(sign_in_url)


def test_another_organisation_gets_page_not_found(
    app: Flask,
    client: FlaskClient,
    provider: User,
    round_id: int,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> None:
    bid_id = make_bid(app, provider.organisation_id or 0, round_id, BidStatus.SUBMITTED)
    evidence_id = keep(app, provider, bid_id=bid_id)
    stand_at(app, DEADLINE + timedelta(days=1))
    sign_in(make_user(Role.PROVIDER))
    response = download(client, evidence_id)
    assert response.status_code == 404
    assert b"%PDF" not in response.data


def test_an_unknown_id_and_a_forbidden_one_look_the_same(
    app: Flask,
    client: FlaskClient,
    provider: User,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> None:
    evidence_id = keep(app, provider)
    sign_in(make_user(Role.PROVIDER))
    forbidden = download(client, evidence_id)
    unknown = download(client, evidence_id + 1000)
    assert forbidden.status_code == unknown.status_code == 404
    assert per_response_values_removed(forbidden) == per_response_values_removed(unknown)


def per_response_values_removed(response: TestResponse) -> bytes:
    """The body without what differs on every response: its request id and script nonce."""
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    body = response.data.replace(response.headers["X-Request-Id"].encode(), b"REQUEST-ID")
    return body.replace(nonce.encode(), b"NONCE")


EVALUATING = [Role.COMMISSIONER, Role.EVALUATOR, Role.ADMIN]


@pytest.mark.parametrize("role", EVALUATING)
def test_staff_cannot_read_a_sealed_bid_one_second_before_the_deadline(
    app: Flask,
    client: FlaskClient,
    provider: User,
    round_id: int,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
) -> None:
    bid_id = make_bid(app, provider.organisation_id or 0, round_id, BidStatus.SUBMITTED)
    evidence_id = keep(app, provider, bid_id=bid_id)
    stand_at(app, DEADLINE - timedelta(seconds=1))
    sign_in(make_user(role))
    assert download(client, evidence_id).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.ADMIN])
def test_staff_read_a_submitted_bid_from_the_deadline(
    app: Flask,
    client: FlaskClient,
    provider: User,
    round_id: int,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
) -> None:
    bid_id = make_bid(app, provider.organisation_id or 0, round_id, BidStatus.SUBMITTED)
    evidence_id = keep(app, provider, bid_id=bid_id)
    stand_at(app, DEADLINE)
    sign_in(make_user(role))
    response = download(client, evidence_id)
    assert response.status_code == 200
    assert response.data == PDF_BYTES


@pytest.mark.parametrize("status", [BidStatus.DRAFT, BidStatus.WITHDRAWN])
@pytest.mark.parametrize("role", EVALUATING)
def test_staff_never_read_a_bid_that_was_not_submitted(
    app: Flask,
    client: FlaskClient,
    provider: User,
    round_id: int,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
    status: BidStatus,
) -> None:
    bid_id = make_bid(app, provider.organisation_id or 0, round_id, status)
    evidence_id = keep(app, provider, bid_id=bid_id)
    stand_at(app, DEADLINE + timedelta(days=1))
    sign_in(make_user(role))
    assert download(client, evidence_id).status_code == 404


def test_the_board_never_downloads_evidence(
    app: Flask,
    client: FlaskClient,
    provider: User,
    round_id: int,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> None:
    bid_id = make_bid(app, provider.organisation_id or 0, round_id, BidStatus.SUBMITTED)
    evidence_id = keep(app, provider, bid_id=bid_id)
    stand_at(app, DEADLINE + timedelta(days=1))
    sign_in(make_user(Role.BOARD))
    assert download(client, evidence_id).status_code == 404


@pytest.mark.parametrize("role", [*EVALUATING, Role.BOARD])
def test_self_assessment_evidence_stays_with_its_organisation(
    app: Flask,
    client: FlaskClient,
    provider: User,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
) -> None:
    evidence_id = keep(app, provider, self_assessment=True)
    stand_at(app, DEADLINE + timedelta(days=1))
    sign_in(make_user(role))
    assert download(client, evidence_id).status_code == 404
    sign_in(provider)
    assert download(client, evidence_id).status_code == 200


def test_the_owner_still_reads_a_sealed_bid(
    app: Flask, client: FlaskClient, provider: User, round_id: int, sign_in: Callable
) -> None:
    bid_id = make_bid(app, provider.organisation_id or 0, round_id, BidStatus.SUBMITTED)
    evidence_id = keep(app, provider, bid_id=bid_id)
    stand_at(app, DEADLINE - timedelta(days=1))
    sign_in(provider)
    assert download(client, evidence_id).status_code == 200


def test_a_document_missing_from_disk_is_page_not_found(
    app: Flask, client: FlaskClient, provider: User, sign_in: Callable
) -> None:
    evidence_id = keep(app, provider)
    for name in stored_files(app):
        (Path(app.config["UPLOAD_FOLDER"]) / name).unlink()
    sign_in(provider)
    assert download(client, evidence_id).status_code == 404


def test_can_download_refuses_no_user(app: Flask, provider: User) -> None:
    evidence_id = keep(app, provider)
    with app.app_context():
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        assert can_download(None, evidence) is False
        assert can_download(db.session.get(User, provider.id), evidence) is True

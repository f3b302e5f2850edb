"""Evidence uploads: checked by what the bytes are, stored once under their content hash.

A provider attaches documents to its answers (a pay policy, a payroll extract, a CQC report).
Each upload is checked before it is kept: not empty, not bigger than `EVIDENCE_MAX_BYTES`, and
really a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG, judged by its content
and never by its name. The bytes are written to `UPLOAD_FOLDER` (outside static) as a file named
by their SHA-256, with no extension, through a temporary file and an atomic rename; the same
bytes uploaded twice are stored once. Each upload still gets its own `EvidenceFile` row, which
says who uploaded it, for which criterion and which bid or self-assessment.

Who may download: the owner organisation's users always; commissioners, evaluators and
administrators only once the bid is submitted and its round's deadline has passed (sealed bids
stay sealed); nobody else.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Protocol

import filetype
from flask import current_app
from werkzeug.utils import secure_filename

from webapp.extensions import db
from webapp.models import Bid, BidStatus, EvidenceFile, Organisation, Role, SelfAssessment, User
from webapp.services.evidence_checks import document_problem, printable_name
from webapp.services.rounds import is_sealed

if TYPE_CHECKING:
    from webapp.forms.builder import PendingUpload

__all__ = [
    "ALLOWED_KINDS",
    "EVIDENCE_REFERENCE_PREFIX",
    "TEMPORARY_PREFIX",
    "EvidenceError",
    "EvidenceKind",
    "can_download",
    "download_name",
    "evidence_answer",
    "evidence_for_answer",
    "evidence_id_from_answer",
    "evidence_path",
    "evidence_summary",
    "evidence_to_download",
    "move_into_place",
    "store_evidence",
    "upload_folder",
]

EMPTY_MESSAGE = "The selected file is empty"
WRONG_TYPE_MESSAGE = (
    "The selected file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
)
NO_FILE_MESSAGE = "Select a file"
EVIDENCE_REFERENCE_PREFIX = "evidence:"
TEMPORARY_PREFIX = ".upload-"
"""Files being written start so; `evidence_sweep` removes any a dead process left behind."""
_CHUNK = 64 * 1024
_HEADER_BYTES = 8 * 1024
_MAX_NAME = 255


class EvidenceError(ValueError):
    """An upload that cannot be kept, with a message for the person who chose the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class EvidenceKind:
    """A kind of document we accept: its MIME type, extension and name for people."""

    mime: str
    extension: str
    label: str


PDF = EvidenceKind("application/pdf", "pdf", "PDF")
DOCX = EvidenceKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "Word document (DOCX)",
)
XLSX = EvidenceKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    "Excel spreadsheet (XLSX)",
)
PNG = EvidenceKind("image/png", "png", "PNG")
JPEG = EvidenceKind("image/jpeg", "jpg", "JPEG")

ALLOWED_KINDS: dict[str, EvidenceKind] = {kind.mime: kind for kind in (PDF, DOCX, XLSX, PNG, JPEG)}
"""The accepted kinds by MIME type, which is what `EvidenceFile.content_type` holds."""

_OFFICE_PARTS: dict[str, EvidenceKind] = {"word/": DOCX, "xl/": XLSX}
"""An Office Open XML package is a zip; its top folder says which application wrote it."""
_ZIP_TYPES = frozenset({"zip", "docx", "xlsx", "pptx"})


class Upload(Protocol):
    """What `store_evidence` needs of an upload: werkzeug's `FileStorage` has it."""

    filename: str | None
    stream: IO[bytes]


# --- where files live -----------------------------------------------------------------------


def upload_folder() -> Path:
    """The folder evidence is kept in (created when missing): `UPLOAD_FOLDER`, outside static."""
    configured = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
        current_app.instance_path, "uploads"
    )
    folder = Path(configured)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def evidence_path(evidence: EvidenceFile) -> Path:
    return upload_folder() / evidence.sha256


# --- checking and storing -------------------------------------------------------------------


def _office_kind(path: Path) -> EvidenceKind | None:
    """DOCX or XLSX when the file is a zip holding `[Content_Types].xml` and that app's parts.

    Macro-enabled packages (a `vbaProject.bin` part) are refused: the allowlist is documents.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(PurePosixPath(name).name.lower() == "vbaproject.bin" for name in names):
        return None
    found = {
        kind for prefix, kind in _OFFICE_PARTS.items() if any(n.startswith(prefix) for n in names)
    }
    return found.pop() if len(found) == 1 else None


def _detect_kind(path: Path) -> EvidenceKind | None:
    """What the bytes really are, if they are one of the accepted kinds."""
    with path.open("rb") as handle:
        header = handle.read(_HEADER_BYTES)
    guess = filetype.guess(header)
    if guess is None:
        return None
    if guess.extension in _ZIP_TYPES:
        return _office_kind(path)
    kind = ALLOWED_KINDS.get(guess.mime)
    return kind if kind in (PDF, PNG, JPEG) else None


def _copy_to_temporary(stream: IO[bytes], folder: Path, limit: int) -> tuple[Path, str, int]:
    """Copy the upload beside its final place, hashing it; stop as soon as it is too big."""
    digest = hashlib.sha256()
    size = 0
    # Beside the final file, so the rename into place is atomic (same file system).
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=TEMPORARY_PREFIX, delete=False)  # noqa: SIM115
    temporary = Path(handle.name)
    if stream.seekable():
        stream.seek(0)  # a refused save stores again the files an undone save had read
    try:
        with handle:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise EvidenceError(
                        f"The selected file must be smaller than {_megabytes(limit)}"
                    )
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, digest.hexdigest(), size


def _megabytes(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    return f"{megabytes:g}MB" if megabytes >= 1 else f"{max(limit // 1024, 1)}KB"


def move_into_place(temporary: Path, final: Path) -> None:
    """Move a file written beside `final` into place atomically; identical bytes already
    there (files here are named by their hash) are kept and the temporary file removed."""
    if final.exists():
        temporary.unlink(missing_ok=True)
        # A fresh time tells the sweep of unreferenced files that a save is using it again.
        os.utime(final)
        return
    os.chmod(temporary, 0o640)
    os.replace(temporary, final)
    # The rename itself is made durable before the row naming the file can be committed.
    descriptor = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def display_filename(original: str | None, kind: EvidenceKind) -> str:
    """The name a person chose, kept for display: no folders, no control characters, and the
    extension of what the file really is (a PNG called `report.pdf` becomes `report.png`)."""
    name = printable_name((original or "").replace("\\", "/")).split("/")[-1].strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem = name
    if kind is JPEG and extension.lower() in {"jpg", "jpeg"} and stem.strip():
        return name[-_MAX_NAME:]
    stem = stem.strip() or "evidence"
    suffix = f".{kind.extension}"
    return stem[: _MAX_NAME - len(suffix)] + suffix


def store_evidence(
    file_storage: Upload | None,
    *,
    organisation: Organisation,
    uploaded_by: User | None,
    criterion_id: str,
    bid: Bid | None = None,
    self_assessment: SelfAssessment | None = None,
) -> EvidenceFile:
    """Check an upload and keep it; the new `EvidenceFile` is added and flushed, and the caller
    commits (so the answer that refers to it is saved in the same transaction).

    Raises `EvidenceError` with a message for the person: no file, an empty file, a file over
    `EVIDENCE_MAX_BYTES`, or one that is not a PDF, DOCX, XLSX, PNG or JPEG by its content.
    """
    if file_storage is None or not (file_storage.filename or "").strip():
        raise EvidenceError(NO_FILE_MESSAGE)
    limit = int(current_app.config["EVIDENCE_MAX_BYTES"])
    folder = upload_folder()
    temporary, sha256, size = _copy_to_temporary(file_storage.stream, folder, limit)
    try:
        if size == 0:
            raise EvidenceError(EMPTY_MESSAGE)
        kind = _detect_kind(temporary)
        if kind is None:
            raise EvidenceError(WRONG_TYPE_MESSAGE)
        problem = document_problem(temporary, kind.extension)
        if problem is not None:
            raise EvidenceError(problem)
        move_into_place(temporary, folder / sha256)
    finally:
        temporary.unlink(missing_ok=True)
    evidence = EvidenceFile(
        sha256=sha256,
        filename=display_filename(file_storage.filename, kind),
        content_type=kind.mime,
        size=size,
        organisation_id=organisation.id,
        bid_id=bid.id if bid else None,
        self_assessment_id=self_assessment.id if self_assessment else None,
        criterion_id=criterion_id,
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


# --- answers that refer to evidence -----------------------------------------------------------


def evidence_answer(evidence: EvidenceFile) -> str:
    """The answer to store for a criterion of type `evidence`: the text `"evidence:<id>"`.

    `criteria.answers.parse_answer` accepts only a non-empty string for an evidence answer, so
    the reference is a string; `evidence_for_answer` turns it back into the `EvidenceFile`
    (checking it belongs to the organisation), and `evidence_summary` gives the file name and
    hash to show. Documents attached to a question of another type (a criterion's `evidence:`
    demand) are not answers at all: find them by `EvidenceFile.bid_id` or
    `self_assessment_id` and `criterion_id`, since a bid's answers may only hold criterion ids.
    """
    return f"{EVIDENCE_REFERENCE_PREFIX}{evidence.id}"


def evidence_id_from_answer(answer: object) -> int | None:
    """The evidence id in an answer written by `evidence_answer`, else None."""
    if not isinstance(answer, str) or not answer.startswith(EVIDENCE_REFERENCE_PREFIX):
        return None
    number = answer.removeprefix(EVIDENCE_REFERENCE_PREFIX)
    return int(number) if number.isdigit() else None


def evidence_for_answer(answer: object, organisation: Organisation) -> EvidenceFile | None:
    """The organisation's own `EvidenceFile` an answer refers to, else None."""
    evidence_id = evidence_id_from_answer(answer)
    evidence = db.session.get(EvidenceFile, evidence_id) if evidence_id is not None else None
    if evidence is None or evidence.organisation_id != organisation.id:
        return None
    return evidence


def evidence_summary(evidence: EvidenceFile) -> dict[str, object]:
    """What a page shows of an upload: {"evidence_id", "filename", "sha256", ...}."""
    kind = ALLOWED_KINDS.get(evidence.content_type)
    return {
        "evidence_id": evidence.id,
        "filename": evidence.filename,
        "sha256": evidence.sha256,
        "size": evidence.size,
        "kind": kind.label if kind else evidence.content_type,
    }


def download_name(evidence: EvidenceFile) -> str:
    """The name offered when the file is downloaded: the display name made safe for a header
    and a file system (werkzeug's `secure_filename`), never empty, with the real extension."""
    kind = ALLOWED_KINDS.get(evidence.content_type)
    extension = kind.extension if kind else "bin"
    safe = secure_filename(evidence.filename)
    if not safe or safe.lower() == extension or "." not in safe:
        return f"evidence-{evidence.id}.{extension}"
    return safe


# --- who may download --------------------------------------------------------------------------

_STAFF_WHO_EVALUATE = frozenset({Role.COMMISSIONER.value, Role.EVALUATOR.value, Role.ADMIN.value})


def can_download(user: User | None, evidence: EvidenceFile) -> bool:
    """The owner organisation's users always; commissioners and administrators only for a
    submitted bid whose round's deadline has passed; evaluators likewise, but only in a round
    they are assigned to and for a bid they have declared no conflict with; the board and
    everyone else never."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.organisation_id is not None and user.organisation_id == evidence.organisation_id:
        return True
    if user.role not in _STAFF_WHO_EVALUATE or evidence.bid_id is None:
        return False
    bid = db.session.get(Bid, evidence.bid_id)
    if bid is None or bid.status != BidStatus.SUBMITTED.value or not _submitted_with(bid, evidence):
        return False
    if is_sealed(bid.round):
        return False
    if user.role == Role.EVALUATOR.value:
        from webapp.services.evaluation import assignment, conflicts_declared, has_conflict

        return (
            assignment(bid.round, user) is not None
            and conflicts_declared(bid.round, user)
            and not has_conflict(bid.round, user, bid)
        )
    return True


def _submitted_with(bid: Bid, evidence: EvidenceFile) -> bool:
    """True when the document is part of the bid as submitted, not of changes made since."""
    if bid.submitted_attachments is None:
        return True  # submitted before the documents were listed: every one was submitted
    if evidence.id in {int(value) for value in bid.submitted_attachments.values()}:
        return True
    return evidence_answer(evidence) in (bid.answers or {}).values()


def evidence_to_download(user: User | None, evidence_id: int) -> EvidenceFile | None:
    """The evidence if `user` may download it, else None (whether or not it exists)."""
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or not can_download(user, evidence):
        return None
    return evidence


def store_uploads(
    uploads: Iterable[PendingUpload],
    answers: dict[str, Any],
    errors: dict[str, str],
    *,
    organisation: Organisation,
    uploaded_by: User,
    bid: Bid | None = None,
    self_assessment: SelfAssessment | None = None,
) -> dict[str, EvidenceFile]:
    """Store the files posted with a section; returns each stored file by its field name.

    A refused file becomes an error on its field; a file that answers an `evidence` criterion
    becomes that criterion's answer in `answers`. Fields already in error are skipped. With
    neither `bid` nor `self_assessment`, the files are kept for the organisation alone (a
    refused save's pending uploads).
    """
    stored: dict[str, EvidenceFile] = {}
    for upload in uploads:
        if upload.field_name in errors:
            continue
        try:
            evidence = store_evidence(
                upload.file,
                organisation=organisation,
                uploaded_by=uploaded_by,
                criterion_id=upload.criterion_id,
                bid=bid,
                self_assessment=self_assessment,
            )
        except EvidenceError as refused:
            errors[upload.field_name] = refused.message
            continue
        stored[upload.field_name] = evidence
        if upload.is_answer:
            answers[upload.criterion_id] = evidence_answer(evidence)
    return stored

"""Writing a round to a folder: its rows as JSON, its files, its results and a manifest.

The folder holds:

- `manifest.json`: what was exported, from which schema revision, and the SHA-256 of every
  other file in the folder, so a changed or missing file is found before anything is restored;
- `tables/<table>.json`: the round's rows, table by table (`webapp.backup.rows`);
- `audit_events.json`: the round's audit events exactly as stored, with their hashes;
- `files/evidence/<sha256>` and `files/reports/<sha256>`: the evidence documents and the
  issued PDFs, each named by the hash of its bytes;
- `results.json`: the round's result as the engine computes it from the exported rows, which a
  restored copy must reproduce byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp.audit.log import verify_log
from webapp.backup.rows import encode_row, round_rows
from webapp.clock import now
from webapp.extensions import db
from webapp.models import CommissioningRound, EvidenceFile, IssuedReport
from webapp.services.evidence import evidence_path
from webapp.services.issued_reports import issued_path
from webapp.services.results import round_inputs, round_result

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ExportError",
    "ExportSummary",
    "export_round",
    "file_sha256",
    "schema_revision",
    "write_json",
]

FORMAT = "commonweal-round-export"
FORMAT_VERSION = 1


class ExportError(Exception):
    """The round cannot be exported as asked; the message says why."""


@dataclass(frozen=True)
class ExportSummary:
    directory: Path
    reference: str
    counts: dict[str, int]
    files: int


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def write_json(path: Path, value: Any) -> None:
    """One text for one value: sorted keys, two-space indents, UTF-8, a final newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def schema_revision() -> str | None:
    """The Alembic revision the connected database is at (None when it has none)."""
    try:
        return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return None


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())


def export_round(round_: CommissioningRound, directory: Path) -> ExportSummary:
    """Write `round_` to `directory` (new or empty). Raises ExportError for a missing file."""
    if directory.exists() and any(directory.iterdir()):
        raise ExportError(f"{directory} is not empty: export into a new or empty folder")
    rows = round_rows(round_.id)
    directory.mkdir(parents=True, exist_ok=True)

    for name, table_rows in rows.tables.items():
        write_json(directory / "tables" / f"{name}.json", [encode_row(name, r) for r in table_rows])
    write_json(
        directory / "audit_events.json", [encode_row("audit_event", r) for r in rows.audit_events]
    )

    for evidence_id in sorted(rows.ids("evidence_file")):
        evidence = db.session.get(EvidenceFile, evidence_id)
        assert evidence is not None
        source = evidence_path(evidence)
        if not source.is_file():
            raise ExportError(f"evidence {evidence.id} ({evidence.filename}) is missing: {source}")
        _copy(source, directory / "files" / "evidence" / evidence.sha256)
    for issued_id in sorted(rows.ids("issued_report")):
        issued = db.session.get(IssuedReport, issued_id)
        assert issued is not None
        source = issued_path(issued)
        if not source.is_file():
            raise ExportError(f"issued report {issued.id} ({issued.filename}) is missing")
        _copy(source, directory / "files" / "reports" / issued.pdf_sha256.removeprefix("sha256:"))

    inputs = round_inputs(round_)
    if inputs.bids:
        (directory / "results.json").write_text(round_result(inputs).to_json(), encoding="utf-8")

    report = verify_log()
    files = {
        path.relative_to(directory).as_posix(): file_sha256(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "round": {"id": round_.id, "reference": round_.reference, "title": round_.title},
        "exported_at": now().isoformat(timespec="seconds"),
        "database": db.session.get_bind().dialect.name,
        "schema_revision": schema_revision(),
        "inputs_digest": inputs.digest if inputs.bids else None,
        "audit": {
            "events": len(rows.audit_events),
            "source_log_intact": report.ok,
            "source_head": str(report.head) if report.head else None,
        },
        "counts": {name: len(table_rows) for name, table_rows in rows.tables.items()},
        "files": files,
    }
    write_json(directory / "manifest.json", manifest)
    return ExportSummary(directory, round_.reference, manifest["counts"], len(files))

"""Restoring an exported round into a database, all of it or nothing.

Before anything is written, every file is checked against the manifest's SHA-256, the export's
schema revision against the database's, and each exported audit event against its own hash.
Rows keep their ids; a row that already exists is reused only when it is the same thing (the
same person by email, the same organisation by name, the same framework by content hash), and
any other clash stops the restore with the table and id named, so nothing is merged by
accident. The round's audit events are then recorded again in this database's chain, in their
order and with their times, actors and digests, followed by a `round.imported` event naming
the export and the source log's head. One commit ends it; any error before rolls everything
back.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp.audit.chain import ChainedEvent, event_hash
from webapp.audit.log import record, record_copy
from webapp.backup.export import FORMAT, FORMAT_VERSION, file_sha256, schema_revision
from webapp.backup.rows import INSERT_ORDER, decode_row, table
from webapp.extensions import db
from webapp.models import CommissioningRound
from webapp.services.evidence import upload_folder
from webapp.services.issued_reports import issued_folder

__all__ = ["RestoreError", "RestoreSummary", "restore_round"]

_SAME_THING = {
    "user_account": ("email",),
    "organisation": ("name",),
    "framework_version": ("content_hash",),
}
"""Tables whose existing rows are reused when these columns match (people and frameworks)."""


class RestoreError(Exception):
    """The export cannot be restored here; the message says why. Nothing has been written."""


@dataclass(frozen=True)
class RestoreSummary:
    round_id: int
    reference: str
    inserted: dict[str, int]
    reused: dict[str, int]
    events: int


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RestoreError(f"{path} is missing") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise RestoreError(f"{path} is not valid JSON: {error}") from None


def _checked_manifest(directory: Path) -> dict[str, Any]:
    manifest = _read_json(directory / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreError(f"{directory} does not hold a Commonweal round export")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreError(
            f"the export is format version {manifest.get('format_version')}; "
            f"this version of Commonweal restores version {FORMAT_VERSION}"
        )
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = directory / name
        if not path.is_file():
            raise RestoreError(f"{name} is listed in the manifest but missing from the export")
        if file_sha256(path) != expected:
            raise RestoreError(f"{name} has changed since it was exported (its SHA-256 differs)")
    return manifest


def _checked_events(values: list[dict[str, Any]]) -> list[ChainedEvent]:
    events = []
    for row in values:
        decoded = decode_row("audit_event", row)
        fields = {name: decoded[name] for name in ChainedEvent.__dataclass_fields__}
        event = ChainedEvent(**fields)
        if event_hash(event) != event.hash:
            raise RestoreError(
                f"audit event {event.seq} in the export does not match its own hash: "
                "it was changed after it was recorded"
            )
        events.append(event)
    return sorted(events, key=lambda e: e.seq)


def _existing(name: str, row: dict[str, Any]) -> dict[str, Any] | None:
    primary = list(table(name).primary_key.columns)
    where = sa.and_(*(column == row[column.name] for column in primary))
    found = db.session.execute(sa.select(table(name)).where(where)).mappings().first()
    return dict(found) if found else None


def _place(name: str, row: dict[str, Any], reused: dict[str, int]) -> bool:
    """True to insert `row`; False when the same thing is already here. RestoreError on a clash."""
    existing = _existing(name, row)
    if existing is None:
        return True
    keys = _SAME_THING.get(name)
    if keys and all(existing[key] == row[key] for key in keys):
        reused[name] = reused.get(name, 0) + 1
        return False
    shown = ", ".join(f"{c.name}={row[c.name]!r}" for c in table(name).primary_key.columns)
    raise RestoreError(
        f"{name} {shown} already exists here and is not the exported one: restore into a new "
        "database, or one that holds only rounds restored from the same source"
    )


def _write_file(source: Path, target: Path, written: list[Path]) -> None:
    """Put `source` at `target` whole or not at all, noting it in `written` if it is new."""
    if target.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(source.read_bytes())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, target)
    written.append(target)


def _undo(written: list[Path]) -> None:
    """Roll the transaction back and remove the files this restore added."""
    db.session.rollback()
    for path in written:
        path.unlink(missing_ok=True)


def _reset_sequences() -> None:
    """Let PostgreSQL's id sequences continue after the ids the restore wrote."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in INSERT_ORDER:
        if "id" not in table(name).c or len(table(name).primary_key.columns) != 1:
            continue
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {name}), 1))"
            )
        )


def restore_round(directory: Path) -> RestoreSummary:
    """Restore the round exported to `directory`, in one transaction. RestoreError if it can't."""
    manifest = _checked_manifest(directory)
    here = schema_revision()
    if manifest.get("schema_revision") != here:
        raise RestoreError(
            f"the export is of schema revision {manifest.get('schema_revision')} and this "
            f"database is at {here}: bring both to the same version (flask db upgrade) first"
        )
    reference = manifest["round"]["reference"]
    if db.session.scalar(
        sa.select(CommissioningRound.id).where(CommissioningRound.reference == reference)
    ):
        raise RestoreError(f"this database already holds round {reference}")
    events = _checked_events(_read_json(directory / "audit_events.json"))

    inserted: dict[str, int] = {}
    reused: dict[str, int] = {}
    written: list[Path] = []
    try:
        exported_people = {
            row["id"] for row in _read_json(directory / "tables" / "user_account.json")
        }
        for name in INSERT_ORDER:
            rows = []
            for values in _read_json(directory / "tables" / f"{name}.json"):
                row = decode_row(name, values)
                if name == "user_account" and row.get("invited_by_id") not in exported_people:
                    row["invited_by_id"] = None  # who invited them is not part of this round
                if _place(name, row, reused):
                    rows.append(row)
            if rows:
                db.session.execute(table(name).insert(), rows)
            inserted[name] = len(rows)
        _reset_sequences()

        folder = upload_folder()
        for path in sorted((directory / "files" / "evidence").glob("*")):
            _write_file(path, folder / path.name, written)
        for path in sorted((directory / "files" / "reports").glob("*")):
            _write_file(path, issued_folder() / path.name, written)

        for event in events:
            record_copy(event)
        round_ = db.session.get(CommissioningRound, manifest["round"]["id"])
        assert round_ is not None
        head = manifest["audit"].get("source_head") or "no events"
        record(
            "round.imported",
            actor=None,
            subject=f"round:{round_.id}",
            summary=(
                f"Restored from an export of a {manifest['database']} database made at "
                f"{manifest['exported_at']}: {len(events)} audit events recorded again; the "
                f"source log's head was {head}"
            ),
            round_=round_,
            after={"manifest_sha256": file_sha256(directory / "manifest.json")},
        )
        db.session.commit()
    except (KeyError, ValueError, sa.exc.SQLAlchemyError) as error:
        _undo(written)
        raise RestoreError(f"the export could not be restored: {error}") from error
    except BaseException:
        _undo(written)
        raise
    return RestoreSummary(round_.id, reference, inserted, reused, len(events))

"""A round exported, restored into the other kind of database and back, is the same round.

The demo's award round (bids with evidence, marks, moderation, price checks, the board's
decision and the audit log of all of it) goes from the database under test into the other
kind (SQLite to PostgreSQL, or PostgreSQL to SQLite), and from there into a third, new SQLite
database. Its results JSON and every exported row are byte-identical at each step, and each
database's audit log verifies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.webapp.backup.conftest import FreshApp, other_kind, uploads_of
from webapp.audit.log import verify_log
from webapp.backup import RestoreError, export_round, restore_round
from webapp.demo import AWARD_ROUND_REFERENCE, seed_demo
from webapp.extensions import db
from webapp.models import AuditEvent, Bid, CommissioningRound, EvidenceFile


def _export(app: Flask, directory: Path) -> Path:
    with app.app_context():
        round_ = db.session.scalars(
            sa.select(CommissioningRound).where(
                CommissioningRound.reference == AWARD_ROUND_REFERENCE
            )
        ).one()
        export_round(round_, directory)
    return directory


def _restore(app: Flask, directory: Path) -> None:
    with app.app_context():
        restore_round(directory)
        assert verify_log().ok


@pytest.fixture
def seeded(app: Flask) -> Flask:
    with app.app_context():
        seed_demo()
    return app


def test_a_round_survives_a_trip_to_the_other_database_and_back(
    seeded: Flask, fresh_app: FreshApp, tmp_path: Path
) -> None:
    first = _export(seeded, tmp_path / "first")
    elsewhere = fresh_app(other_kind(seeded))
    _restore(elsewhere, first)
    second = _export(elsewhere, tmp_path / "second")
    back = fresh_app("sqlite")
    _restore(back, second)
    third = _export(back, tmp_path / "third")

    results = (first / "results.json").read_bytes()
    assert len(json.loads(results)["bids"]) >= 4, "the award round has bids to compare"
    assert (second / "results.json").read_bytes() == results
    assert (third / "results.json").read_bytes() == results
    for table in sorted((first / "tables").glob("*.json")):
        assert (third / "tables" / table.name).read_bytes() == table.read_bytes(), table.name
    manifest = json.loads((first / "manifest.json").read_text())
    assert (
        json.loads((third / "manifest.json").read_text())["inputs_digest"]
        == manifest["inputs_digest"]
    )

    with back.app_context():
        # Every evidence document came along, byte for byte, where the app looks for it.
        for evidence in db.session.scalars(sa.select(EvidenceFile)):
            stored = uploads_of(back) / evidence.sha256
            assert stored.is_file()
            assert (first / "files" / "evidence" / evidence.sha256).read_bytes() == (
                stored.read_bytes()
            )
        # The round's history is there in its order, then the restores that brought it.
        round_ = db.session.scalars(sa.select(CommissioningRound)).one()
        actions = list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.round_id == round_.id)
                .order_by(AuditEvent.seq)
            )
        )
        original = [e["action"] for e in json.loads((first / "audit_events.json").read_text())]
        assert actions == [*original, "round.imported", "round.imported"]


def test_a_changed_file_stops_the_restore_before_anything_is_written(
    seeded: Flask, fresh_app: FreshApp, tmp_path: Path
) -> None:
    export = _export(seeded, tmp_path / "export")
    answers = export / "tables" / "bid.json"
    original = answers.read_text()
    answers.write_text(original.replace('"submitted"', '"withdrawn"', 1))
    assert answers.read_text() != original
    target = fresh_app("sqlite")
    with target.app_context(), pytest.raises(RestoreError, match=r"tables/bid\.json has changed"):
        restore_round(export)
    with target.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 0


def test_an_audit_event_changed_with_its_manifest_is_still_caught(
    seeded: Flask, fresh_app: FreshApp, tmp_path: Path
) -> None:
    """Re-hashing the file in the manifest does not help: each event carries its own hash."""
    from webapp.backup.export import file_sha256, write_json

    export = _export(seeded, tmp_path / "export")
    events_file = export / "audit_events.json"
    events = json.loads(events_file.read_text())
    events[0]["summary"] = "Nothing to see here"
    write_json(events_file, events)
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["files"]["audit_events.json"] = file_sha256(events_file)
    write_json(export / "manifest.json", manifest)
    target = fresh_app("sqlite")
    with target.app_context(), pytest.raises(RestoreError, match="does not match its own hash"):
        restore_round(export)
    with target.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_a_round_is_not_restored_twice_and_a_failed_restore_leaves_no_files(
    seeded: Flask, fresh_app: FreshApp, tmp_path: Path
) -> None:
    export = _export(seeded, tmp_path / "export")
    target = fresh_app("sqlite")
    _restore(target, export)
    with target.app_context(), pytest.raises(RestoreError, match="already holds round"):
        restore_round(export)

    # A database whose ids belong to other things refuses, naming the clash, and keeps nothing.
    clashing = fresh_app("sqlite")
    with clashing.app_context():
        seed_demo()
        files_before = sorted(uploads_of(clashing).rglob("*"))
        events_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    other = _export(seeded, tmp_path / "other")
    with clashing.app_context():
        db.session.execute(
            sa.update(CommissioningRound)
            .where(CommissioningRound.reference == AWARD_ROUND_REFERENCE)
            .values(reference="RENAMED-HERE")
        )
        db.session.commit()
        with pytest.raises(RestoreError, match="already exists here and is not the exported one"):
            restore_round(other)
        assert sorted(uploads_of(clashing).rglob("*")) == files_before
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events_before


def test_an_export_refuses_a_folder_that_is_not_empty(seeded: Flask, tmp_path: Path) -> None:
    from webapp.backup import ExportError

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        _export(seeded, tmp_path / "busy")

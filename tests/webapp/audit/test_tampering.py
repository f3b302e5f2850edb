"""The database refuses to change the log; if someone changes it anyway, `commonweal audit verify`
names the first event that no longer fits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from tests.webapp.audit.trail import (
    audit_verify,
    database_url,
    drop_append_only_triggers,
    execute,
    key_env,
    stored_events,
)
from webapp.audit.chain import ChainedEvent, event_hash
from webapp.audit.log import record
from webapp.console import main
from webapp.extensions import db
from webapp.models import AuditEvent

APPEND_ONLY = "audit_event is append-only: events are never updated or deleted"


def write_events(app: Flask, count: int) -> None:
    with app.app_context():
        for number in range(1, count + 1):
            record(
                "report.issued", actor=None, subject=f"report:{number}", summary=f"Report {number}"
            )
        db.session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET summary = 'nothing happened' WHERE seq = 2",
        "UPDATE audit_event SET hash = prev_hash",
        "DELETE FROM audit_event WHERE seq = 2",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_to_update_or_delete_events(app: Flask, statement: str) -> None:
    write_events(app, 3)

    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        execute(app, statement)

    assert [e.summary for e in stored_events(app)] == ["Report 1", "Report 2", "Report 3"]


def test_an_untouched_log_is_reported_intact_with_its_head(app: Flask) -> None:
    write_events(app, 5)
    head = stored_events(app)[-1]

    result = audit_verify(app)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Audit log intact: 5 events checked.",
        f"Head: 5:{head.hash}",
    ]


def test_an_empty_log_is_intact(app: Flask) -> None:
    result = audit_verify(app)
    assert (result.exit_code, result.output) == (0, "Audit log intact: 0 events checked.\n")


def test_a_changed_summary_is_named_even_with_the_triggers_dropped(app: Flask) -> None:
    write_events(app, 5)
    drop_append_only_triggers(app)

    execute(app, "UPDATE audit_event SET summary = 'Nothing to see' WHERE seq = 3")

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output == (
        "Audit log broken at event 3: its content does not match its hash: the event was "
        "changed after it was written\n"
    )


def test_an_event_rehashed_after_a_change_no_longer_matches_its_signature(app: Flask) -> None:
    """Recomputing the changed event's own hash does not help: its seal is of the old hash."""
    write_events(app, 5)
    drop_append_only_triggers(app)
    with app.app_context():
        row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == 3)).one()
        new_hash = event_hash(dataclasses.replace(ChainedEvent.of(row), summary="Nothing to see"))
    execute(
        app,
        "UPDATE audit_event SET summary = 'Nothing to see', hash = :hash WHERE seq = 3",
        hash=new_hash,
    )

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output.startswith("Audit log broken at event 3: its signature does not match")


def test_a_deleted_event_in_the_middle_is_named(app: Flask) -> None:
    write_events(app, 5)
    drop_append_only_triggers(app)

    execute(app, "DELETE FROM audit_event WHERE seq = 2")

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output == (
        "Audit log broken at event 2: it is missing: the log goes from event 1 to event 3\n"
    )


def test_events_cut_off_the_end_are_caught_against_a_head_noted_earlier(app: Flask) -> None:
    write_events(app, 5)
    noted = audit_verify(app).output.splitlines()[-1].removeprefix("Head: ")
    drop_append_only_triggers(app)

    execute(app, "DELETE FROM audit_event WHERE seq >= 4")

    result = audit_verify(app, "--head", noted)
    assert result.exit_code == 1
    assert result.output == (
        "Audit log broken at event 4: it is missing: the signed head says the log runs to "
        "event 5, but it ends at event 3\n"
    )


def test_a_malformed_head_is_a_usage_error(app: Flask) -> None:
    result = audit_verify(app, "--head", "five")
    assert result.exit_code == 2
    assert "expected <event number>:sha256:<64 hex digits>" in result.output


def test_the_configured_database_is_checked_when_no_url_is_given(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_events(app, 2)
    monkeypatch.delenv("COMMONWEAL_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url(app))

    result = CliRunner().invoke(main, ["audit", "verify"], env=key_env(app))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Audit log intact: 2 events checked.")


def test_a_missing_database_file_is_reported_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.sqlite3"

    result = CliRunner().invoke(main, ["audit", "verify", "--database-url", f"sqlite:///{path}"])

    assert result.exit_code == 2
    assert f"There is no database at {path}" in result.output
    assert not path.exists()


def test_a_database_without_the_log_is_reported_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sa.create_engine(f"sqlite:///{path}").connect().close()

    result = CliRunner().invoke(main, ["audit", "verify", "--database-url", f"sqlite:///{path}"])

    assert result.exit_code == 2
    assert "Could not read the audit log" in result.output
    assert "flask db upgrade" in result.output


def test_the_framework_commands_are_still_there() -> None:
    result = CliRunner().invoke(main, ["frameworks", "list"])
    assert result.exit_code == 0
    assert "ethical-care" in result.output

"""The log is signed with a key held outside the database: rewriting it, cutting it short or
emptying it fails `commonweal audit verify`, and PostgreSQL refuses TRUNCATE."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.webapp.audit.test_tampering import APPEND_ONLY, write_events
from tests.webapp.audit.trail import (
    audit_verify,
    drop_append_only_triggers,
    execute,
    stored_events,
)
from tests.webapp.commissioning.conftest import MakeRound
from webapp.audit.chain import ChainedEvent, event_hash, verify
from webapp.audit.tables import AuditHead
from webapp.extensions import db
from webapp.models import AuditEvent

HEAD_KEPT = "audit_head is kept: the head of the audit log is never deleted"


def is_postgres(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def rewrite_from(app: Flask, seq: int, summary: str) -> None:
    """Change event `seq` and recompute every later hash and link, as a writer without the key
    would: the plain chain is whole again afterwards."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq >= seq - 1).order_by(AuditEvent.seq)
        ).all()
        previous = rows[0].hash if seq > 1 else None
        updates = []
        for row in rows:
            if row.seq < seq:
                continue
            event = ChainedEvent.of(row)
            if row.seq == seq:
                event = dataclasses.replace(event, summary=summary)
            if previous is not None:
                event = dataclasses.replace(event, prev_hash=previous)
            previous = event_hash(event)
            updates.append({"s": row.seq, "sm": event.summary, "p": event.prev_hash, "h": previous})
        db.session.rollback()
    for update in updates:
        execute(
            app,
            "UPDATE audit_event SET summary = :sm, prev_hash = :p, hash = :h WHERE seq = :s",
            **update,
        )


def test_a_log_rewritten_with_every_later_hash_recomputed_fails_on_its_signature(
    app: Flask,
) -> None:
    write_events(app, 5)
    drop_append_only_triggers(app)

    rewrite_from(app, 2, "Nothing to see")

    events = [ChainedEvent.of(e) for e in stored_events(app)]
    assert events[1].summary == "Nothing to see"
    assert verify(events) == (5, None)  # the hashes alone are satisfied
    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output.startswith("Audit log broken at event 2: its signature does not match")


def test_every_event_is_sealed_and_the_head_signed(app: Flask) -> None:
    write_events(app, 3)
    events = stored_events(app)
    assert all(e.seal and e.seal.startswith("hmac-sha256:") for e in events)
    with app.app_context():
        head = db.session.get(AuditHead, 1)
        assert head is not None
        assert (head.seq, head.hash, head.sealed_from) == (3, events[-1].hash, 1)
        assert head.seal is not None


def test_the_log_checked_with_another_key_fails(app: Flask) -> None:
    write_events(app, 2)
    app.config["AUDIT_HMAC_KEY"] = "x" * 48

    result = audit_verify(app)

    assert result.exit_code == 1
    assert "is not the key the log was signed with" in result.output


def test_events_cut_off_the_end_fail_against_the_signed_head(app: Flask) -> None:
    write_events(app, 5)
    drop_append_only_triggers(app)

    execute(app, "DELETE FROM audit_event WHERE seq >= 4")

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output == (
        "Audit log broken at event 4: it is missing: the signed head says the log runs to "
        "event 5, but it ends at event 3\n"
    )


def test_a_head_moved_back_to_fit_a_shortened_log_fails_on_its_signature(app: Flask) -> None:
    write_events(app, 5)
    third = stored_events(app)[2]
    drop_append_only_triggers(app)
    execute(app, "DELETE FROM audit_event WHERE seq >= 4")

    execute(app, "UPDATE audit_head SET seq = 3, hash = :hash", hash=third.hash)

    result = audit_verify(app)
    assert result.exit_code == 1
    assert "the signed head of the log does not match its signature" in result.output


def test_an_unsigned_event_after_signed_ones_fails(app: Flask) -> None:
    write_events(app, 3)
    drop_append_only_triggers(app)

    execute(app, "UPDATE audit_event SET seal = NULL WHERE seq = 2")

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output.startswith(
        "Audit log broken at event 2: it is not signed, though every event from 1 on is"
    )


def test_the_database_refuses_to_delete_the_head(app: Flask) -> None:
    write_events(app, 1)
    with pytest.raises(sa.exc.DBAPIError, match=HEAD_KEPT):
        execute(app, "DELETE FROM audit_head")


def test_postgresql_refuses_to_truncate_the_log(app: Flask) -> None:
    if not is_postgres(app):
        pytest.skip("SQLite has no TRUNCATE: DELETE without WHERE fires the row trigger there")
    write_events(app, 3)

    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        execute(app, "TRUNCATE audit_event")
    with pytest.raises(sa.exc.DBAPIError, match=HEAD_KEPT):
        execute(app, "TRUNCATE audit_head")

    assert len(stored_events(app)) == 3


def test_sqlite_refuses_to_empty_the_log(app: Flask) -> None:
    if is_postgres(app):
        pytest.skip("on PostgreSQL, TRUNCATE is the way to empty a table")
    write_events(app, 3)

    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        execute(app, "DELETE FROM audit_event")

    assert len(stored_events(app)) == 3


def empty_the_log(app: Flask) -> None:
    """What the table's owner could do: drop the triggers and empty the table."""
    drop_append_only_triggers(app)
    execute(app, "TRUNCATE audit_event" if is_postgres(app) else "DELETE FROM audit_event")


def test_an_emptied_log_fails_against_the_signed_head(app: Flask) -> None:
    write_events(app, 3)

    empty_the_log(app)

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output == (
        "Audit log broken at event 1: it is missing: the signed head says the log runs to "
        "event 3, but it is empty\n"
    )


def test_an_emptied_log_without_its_head_fails_while_rounds_exist(
    app: Flask, make_round: MakeRound
) -> None:
    make_round()
    write_events(app, 3)

    empty_the_log(app)
    execute(app, "DELETE FROM audit_head")

    result = audit_verify(app)
    assert result.exit_code == 1
    assert result.output == (
        "Audit log broken at event 1: it is missing: the log is empty, but the database holds "
        "1 round(s) and 0 bid(s), whose changes it should record\n"
    )


def test_a_missing_head_with_events_left_fails(app: Flask) -> None:
    write_events(app, 3)
    drop_append_only_triggers(app)

    execute(app, "DELETE FROM audit_head")

    result = audit_verify(app)
    assert result.exit_code == 1
    assert "the signed head of the log is missing" in result.output


def test_an_empty_database_with_an_empty_log_is_intact(app: Flask) -> None:
    result = audit_verify(app)
    assert (result.exit_code, result.output) == (0, "Audit log intact: 0 events checked.\n")


# --- the app's own database role -----------------------------------------------------------------


def test_the_app_role_can_record_events_but_never_truncate_or_rewrite_them(app: Flask) -> None:
    """With `commonweal audit grants`, even with every trigger dropped the app's role is refused."""
    if not is_postgres(app):
        pytest.skip("database roles and privileges are PostgreSQL's")
    import uuid

    from webapp.audit.log import record
    from webapp.audit.privileges import app_role_grants

    write_events(app, 2)
    drop_append_only_triggers(app)
    role = f"commonweal_app_{uuid.uuid4().hex[:12]}"
    with app.app_context():
        schema = db.session.scalar(sa.text("SELECT current_schema()"))
        db.session.execute(sa.text(f'CREATE ROLE "{role}" NOLOGIN'))
        for statement in app_role_grants(role, schema):
            db.session.execute(sa.text(statement))
        db.session.commit()
        try:
            db.session.execute(sa.text(f'SET LOCAL ROLE "{role}"'))
            record("report.issued", actor=None, subject="report:3", summary="Report 3")
            db.session.commit()
            for statement in (
                "TRUNCATE audit_event",
                "DELETE FROM audit_event",
                "UPDATE audit_event SET summary = 'x'",
                "TRUNCATE audit_head",
                "DELETE FROM audit_head",
            ):
                db.session.execute(sa.text(f'SET LOCAL ROLE "{role}"'))
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    db.session.execute(sa.text(statement))
                db.session.rollback()
        finally:
            db.session.rollback()
            db.session.execute(sa.text(f'DROP OWNED BY "{role}"'))
            db.session.execute(sa.text(f'DROP ROLE "{role}"'))
            db.session.commit()
    assert [e.summary for e in stored_events(app)] == ["Report 1", "Report 2", "Report 3"]
    assert audit_verify(app).exit_code == 0


def test_the_grants_command_prints_the_sql() -> None:
    from click.testing import CliRunner

    from webapp.console import main

    result = CliRunner().invoke(main, ["audit", "grants", "commonweal_app"])

    assert result.exit_code == 0
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "public".audit_event FROM "commonweal_app";' in (
        result.output
    )


def test_the_anchor_command_prints_the_signed_head(app: Flask) -> None:
    from click.testing import CliRunner

    from tests.webapp.audit.trail import database_url, key_env
    from webapp.console import main

    write_events(app, 3)
    head = stored_events(app)[-1]

    result = CliRunner().invoke(
        main, ["audit", "anchor", "--database-url", database_url(app)], env=key_env(app)
    )

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Head: 3:{head.hash}"
    assert lines[1].startswith("Signature: hmac-sha256:")
    assert audit_verify(app, "--head", lines[0].removeprefix("Head: ")).exit_code == 0

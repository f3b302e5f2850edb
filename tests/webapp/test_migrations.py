"""The Alembic migrations: they build the schema the models describe, and undo it cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from webapp.extensions import db
from webapp.models import Organisation


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_creates_the_tables_and_downgrade_to_base_removes_them(unmigrated_app: Flask):
    with unmigrated_app.app_context():
        assert table_names() == set()

        upgrade()
        assert table_names() == {
            "alembic_version",
            "organisation",
            "user_account",
            "framework_version",
            "commissioning_round",
            "round_invitation",
            "bid",
            "self_assessment",
            "evidence_file",
            "round_evaluator",
            "conflict_declaration",
            "mark_sheet",
            "evaluator_mark",
            "moderation",
            "price_check",
            "board_submission",
            "audit_event",
            "audit_head",
            "personal_data_erasure",
            "report_job",
            "issued_report",
        }

        downgrade(revision="base")
        assert table_names() == {"alembic_version"}

        upgrade()
        assert "organisation" in table_names()


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_the_latest_migration_downgrades_one_step_and_upgrades_again(unmigrated_app: Flask):
    with unmigrated_app.app_context():
        upgrade()
        script = ScriptDirectory(unmigrated_app.config["MIGRATIONS_DIRECTORY"])
        head = script.get_current_head()
        previous = script.get_revision(head).down_revision
        assert current_revision() == head

        downgrade(revision="-1")
        assert current_revision() == previous

        upgrade()
        assert current_revision() == head
        assert schema_differences() == []


def test_migrated_schema_matches_the_models(app: Flask):
    """Alembic's autogenerate finds nothing to do: a model changed without a migration fails."""
    with app.app_context():
        differences = schema_differences()

    assert differences == [], f"models and migrations differ: add a migration for {differences}"


def test_organisation_gets_a_creation_time_from_the_database(app: Flask):
    with app.app_context():
        db.session.add(Organisation(name="Wigan Community Care CIC"))
        db.session.commit()

        organisation = db.session.scalars(sa.select(Organisation)).one()

    assert organisation.id is not None
    assert organisation.created_at is not None

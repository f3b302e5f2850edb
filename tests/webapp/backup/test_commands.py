"""`commonweal round export/import` and `commonweal db backup`, as an operator runs them.

Whole-database backups use each database's own tool: SQLite's online backup API (through
`commonweal db backup`, which works while the app is serving) and pg_dump/pg_restore for
PostgreSQL. Each is proved here by a round trip: the copy verifies and scores the same.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from config import normalise_database_url
from tests.conftest import POSTGRES_URL
from tests.webapp.backup.conftest import FreshApp, uploads_of
from webapp.audit.log import verify_log
from webapp.console import main
from webapp.demo import AWARD_ROUND_REFERENCE, seed_demo
from webapp.extensions import db
from webapp.models import CommissioningRound
from webapp.services.results import round_inputs, round_result


def _results_json(app: Flask) -> str:
    with app.app_context():
        round_ = db.session.scalars(
            sa.select(CommissioningRound).where(
                CommissioningRound.reference == AWARD_ROUND_REFERENCE
            )
        ).one()
        return round_result(round_inputs(round_)).to_json()


def _sqlite_app(fresh_app: FreshApp) -> Flask:
    app = fresh_app("sqlite")
    with app.app_context():
        seed_demo()
    return app


def test_round_export_and_import_from_the_command_line(fresh_app: FreshApp, tmp_path: Path) -> None:
    source = _sqlite_app(fresh_app)
    target = fresh_app("sqlite")
    runner = CliRunner()
    source_url = source.config["SQLALCHEMY_DATABASE_URI"]
    target_url = target.config["SQLALCHEMY_DATABASE_URI"]
    common = ["--upload-folder", str(uploads_of(source))]

    done = runner.invoke(
        main,
        [
            "round",
            "export",
            AWARD_ROUND_REFERENCE,
            "-o",
            str(tmp_path / "x"),
            "--database-url",
            source_url,
            *common,
        ],
    )
    assert done.exit_code == 0, done.output
    assert f"Exported round {AWARD_ROUND_REFERENCE} to" in done.output

    missing = runner.invoke(
        main,
        [
            "round",
            "export",
            "NO-SUCH-ROUND",
            "-o",
            str(tmp_path / "y"),
            "--database-url",
            source_url,
        ],
    )
    assert missing.exit_code == 2
    assert "There is no round NO-SUCH-ROUND" in missing.output

    into = ["--database-url", target_url, "--upload-folder", str(uploads_of(target))]
    restored = runner.invoke(main, ["round", "import", str(tmp_path / "x"), *into])
    assert restored.exit_code == 0, restored.output
    assert f"Restored round {AWARD_ROUND_REFERENCE}:" in restored.output
    again = runner.invoke(main, ["round", "import", str(tmp_path / "x"), *into])
    assert again.exit_code == 2
    assert "Nothing was restored: this database already holds round" in again.output
    assert _results_json(target) == _results_json(source)


def test_an_online_sqlite_backup_is_a_consistent_copy_that_restores(
    fresh_app: FreshApp, tmp_path: Path
) -> None:
    app = _sqlite_app(fresh_app)
    live = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    expected = _results_json(app)
    backup = tmp_path / "backup.sqlite3"

    # The app holds the database open (and mid-transaction) while the backup runs.
    writer = sqlite3.connect(live)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE organisation SET name = name || ' (changing)'")
    try:
        done = CliRunner().invoke(
            main, ["db", "backup", str(backup), "--database-url", f"sqlite:///{live}"]
        )
    finally:
        writer.rollback()
        writer.close()
    assert done.exit_code == 0, done.output
    assert "checked intact" in done.output

    # Later changes to the live database, then the restore: stop, copy the backup into place.
    with app.app_context():
        db.session.execute(sa.text("UPDATE organisation SET name = 'Changed after the backup'"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, live)
    with app.app_context():
        assert verify_log().ok
        names = db.session.scalars(sa.text("SELECT name FROM organisation")).all()
        assert names
        assert not any("(changing)" in n or "after the backup" in n for n in names)
    assert _results_json(app) == expected

    refused = CliRunner().invoke(
        main, ["db", "backup", str(backup), "--database-url", f"sqlite:///{live}"]
    )
    assert refused.exit_code == 2
    assert "already exists" in refused.output


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="set TEST_DATABASE_URL for PostgreSQL")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_a_pg_dump_restores_into_a_new_database_that_verifies(fresh_app: FreshApp) -> None:
    app = fresh_app("postgres")
    with app.app_context():
        seed_demo()
    expected = _results_json(app)
    url = sa.engine.make_url(normalise_database_url(POSTGRES_URL))
    schema = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"].split("=")[1]
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    new_database = f"restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{new_database}"'))
    target = url.set(drivername="postgresql", database=new_database).render_as_string(
        hide_password=False
    )
    try:
        dump = subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", plain],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={target}",
            ],
            input=dump,
            check=True,
            capture_output=True,
        )
        from webapp import create_app

        restored = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url.set(database=new_database).render_as_string(
                    hide_password=False
                ),
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "connect_args": {"options": f"-csearch_path={schema}"}
                },
                "TESTING": True,
                # The dump's events were signed with the source's key, held outside it.
                "AUDIT_HMAC_KEY": app.config["AUDIT_HMAC_KEY"],
            }
        )
        with restored.app_context():
            assert verify_log().ok
            assert verify_log().checked > 0
        assert _results_json(restored) == expected
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{new_database}" WITH (FORCE)'))
        admin.dispose()

"""SQLite as the app uses it: write-ahead logging, a busy timeout and foreign keys enforced.

The settings are read back from the app's own connections, after the real migrations have run
(a migration turns foreign keys off for its table rebuilds and must turn them on again).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from config import TestingConfig
from webapp import create_app
from webapp.extensions import db
from webapp.models import EvidenceFile


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    config = TestingConfig(f"sqlite:///{tmp_path / 'commonweal.sqlite3'}")
    config.UPLOAD_FOLDER = str(tmp_path / "uploads")
    config.SQLITE_BUSY_TIMEOUT_MS = 7_000
    app = create_app(config)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def pragma(name: str) -> object:
    return db.session.execute(sa.text(f"PRAGMA {name}")).scalar_one()


def test_every_connection_uses_wal_a_busy_timeout_and_foreign_keys(sqlite_app: Flask) -> None:
    # A connection of the app's pool, after the migrations used one, and a brand new one.
    assert pragma("journal_mode") == "wal"
    assert pragma("busy_timeout") == 7_000
    assert pragma("foreign_keys") == 1
    db.session.remove()
    db.engine.dispose()
    assert (pragma("journal_mode"), pragma("busy_timeout"), pragma("foreign_keys")) == (
        "wal",
        7_000,
        1,
    )


def test_the_busy_timeout_has_a_default_of_seconds_not_zero(tmp_path: Path) -> None:
    app = create_app(TestingConfig(f"sqlite:///{tmp_path / 'default.sqlite3'}"))
    with app.app_context():
        timeout = pragma("busy_timeout")
        db.engine.dispose()
    assert isinstance(timeout, int)
    assert 5_000 <= timeout <= 15_000


def test_a_row_pointing_at_nothing_is_refused(sqlite_app: Flask) -> None:
    db.session.add(
        EvidenceFile(
            sha256="0" * 64,
            filename="policy.pdf",
            content_type="application/pdf",
            size=1,
            organisation_id=999_999,
            criterion_id="fw_sick_pay",
        )
    )
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
        db.session.commit()
    db.session.rollback()

"""Fixtures for the web app's tests: an app on a migrated database, its client and CLI runner.

Every test that uses `app` runs once on SQLite and, when TEST_DATABASE_URL is set, once more on
PostgreSQL in a schema of its own that is dropped afterwards. The domain tests in tests/criteria
use none of this.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from config import TestingConfig, normalise_database_url
from webapp import create_app
from webapp.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")

DATABASES = [pytest.param("sqlite")]
if POSTGRES_URL:
    DATABASES.append(pytest.param("postgres", marks=pytest.mark.postgres))


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return "web app tests run on: SQLite, PostgreSQL (TEST_DATABASE_URL)"
    return "web app tests run on: SQLite (set TEST_DATABASE_URL to add PostgreSQL)"


@pytest.fixture(params=DATABASES)
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestingConfig]:
    """Settings for a test app on an empty database of each kind under test."""
    if request.param == "sqlite":
        yield TestingConfig(f"sqlite:///{tmp_path / 'commonweal-test.sqlite3'}")
        return

    url = normalise_database_url(POSTGRES_URL)
    schema = f"test_{uuid.uuid4().hex}"
    admin_engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    config = TestingConfig(url)
    config.SQLALCHEMY_ENGINE_OPTIONS = {
        **config.SQLALCHEMY_ENGINE_OPTIONS,
        "connect_args": {"options": f"-csearch_path={schema}"},
    }
    try:
        yield config
    finally:
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture
def unmigrated_app(app_config: TestingConfig) -> Iterator[Flask]:
    """An app whose database is empty: no tables, not even Alembic's."""
    app = create_app(app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(unmigrated_app: Flask) -> Flask:
    """An app whose database has been brought up to date by the Alembic migrations."""
    with unmigrated_app.app_context():
        upgrade()
    return unmigrated_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()

"""Databases to restore into: a fresh, migrated app on SQLite or on PostgreSQL, made on demand.

A backup is only proved by restoring it somewhere else, so these tests need more than the one
database the `app` fixture gives them. `fresh_app(kind)` makes another, migrated app of either
kind (PostgreSQL in a schema of its own, dropped at the end; skipped when TEST_DATABASE_URL
is not set).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from config import TestingConfig, normalise_database_url
from tests.conftest import POSTGRES_URL
from webapp import create_app
from webapp.extensions import db

FreshApp = Callable[[str], Flask]


@pytest.fixture
def fresh_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshApp]:
    made: list[Flask] = []
    schemas: list[str] = []

    def make(kind: str) -> Flask:
        folder = tmp_path_factory.mktemp(f"restore-{kind}")
        if kind == "sqlite":
            config = TestingConfig(f"sqlite:///{folder / 'restored.sqlite3'}")
        else:
            if not POSTGRES_URL:
                pytest.skip("set TEST_DATABASE_URL to restore into PostgreSQL")
            schema = f"test_{uuid.uuid4().hex}"
            engine = sa.create_engine(normalise_database_url(POSTGRES_URL))
            with engine.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            engine.dispose()
            schemas.append(schema)
            config = TestingConfig(normalise_database_url(POSTGRES_URL))
            config.SQLALCHEMY_ENGINE_OPTIONS = {
                "connect_args": {"options": f"-csearch_path={schema}"}
            }
        config.UPLOAD_FOLDER = str(folder / "uploads")
        app = create_app(config)
        with app.app_context():
            upgrade()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if schemas:
        engine = sa.create_engine(normalise_database_url(POSTGRES_URL))
        with engine.begin() as connection:
            for schema in schemas:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def other_kind(app: Flask) -> str:
    """The other database kind to restore into: PostgreSQL from SQLite (when there is one)."""
    on_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    return "postgres" if on_sqlite and POSTGRES_URL else "sqlite"


def uploads_of(app: Flask) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])

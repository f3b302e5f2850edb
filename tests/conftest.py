"""Fixtures for the web app's tests: an app on a migrated database, its client and CLI runner.

Every test that uses `app` runs once on SQLite and, when TEST_DATABASE_URL is set, once more on
PostgreSQL in a database of its own that is dropped afterwards. Both start from a database the
real Alembic migrations built once per test process: SQLite copies the file, PostgreSQL clones a
template database (`CREATE DATABASE ... TEMPLATE`), each a fraction of the migrations' time. The
domain tests in tests/criteria use none of this.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from config import TestingConfig, normalise_database_url
from webapp import create_app
from webapp.extensions import db
from webapp.jobs.queue import wait_for_threads
from webapp.models import Organisation, Role, User
from webapp.services.accounts import hash_password

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")

DATABASES = [pytest.param("sqlite")]
if POSTGRES_URL:
    DATABASES.append(pytest.param("postgres", marks=pytest.mark.postgres))


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return "web app tests run on: SQLite, PostgreSQL (TEST_DATABASE_URL)"
    return "web app tests run on: SQLite (set TEST_DATABASE_URL to add PostgreSQL)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests marked `one_database` on SQLite alone.

    They are the slow ones whose subject is the rendering (every page of the demo read for
    leaks, hostile text inside PDFs), not the storage, which the other tests prove on both.
    """
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("app_config") == "postgres"
        (dropped if on_postgres and item.get_closest_marker("one_database") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _admin_engine() -> sa.Engine:
    """A connection to the server's own test database, for creating and dropping others."""
    return sa.create_engine(normalise_database_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """A PostgreSQL database brought up to date by the real migrations, once per test process.

    Each test clones it; a template must have no open connections while it is cloned, so the
    engine that migrated it is disposed before anyone copies it.
    """
    name = f"template_{uuid.uuid4().hex}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(normalise_database_url(POSTGRES_URL)).set(database=name)
    template_app = create_app(TestingConfig(url.render_as_string(hide_password=False)))
    with template_app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    try:
        yield name
    finally:
        _drop_database(admin, name)
        admin.dispose()


@pytest.fixture(params=DATABASES)
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestingConfig]:
    """Settings for a test app on a database of each kind under test.

    On PostgreSQL the database is already migrated (a clone of the template), unless the test
    asks for `unmigrated_app` alone: then it is empty. SQLite's is empty here and `app` copies
    the migrated file into place.
    """
    if request.param == "sqlite":
        config = TestingConfig(f"sqlite:///{tmp_path / 'commonweal-test.sqlite3'}")
        config.UPLOAD_FOLDER = str(tmp_path / "uploads")
        yield config
        return

    wants_empty = "unmigrated_app" in request.fixturenames and "app" not in request.fixturenames
    template = "" if wants_empty else request.getfixturevalue("migrated_postgres_template")
    name = f"test_{uuid.uuid4().hex}"
    admin = _admin_engine()
    with admin.connect() as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
    url = sa.engine.make_url(normalise_database_url(POSTGRES_URL)).set(database=name)
    config = TestingConfig(url.render_as_string(hide_password=False))
    config.UPLOAD_FOLDER = str(tmp_path / "uploads")
    try:
        yield config
    finally:
        _drop_database(admin, name)
        admin.dispose()


@pytest.fixture
def unmigrated_app(app_config: TestingConfig) -> Iterator[Flask]:
    """An app whose database is empty: no tables, not even Alembic's."""
    app = create_app(app_config)
    yield app
    still_running = wait_for_threads(app)
    assert not still_running, f"report jobs still running after the test: {still_running}"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought up to date by the real Alembic migrations, once per test run."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    template_app = create_app(TestingConfig(f"sqlite:///{path}"))
    with template_app.app_context():
        upgrade()
        db.session.remove()
        # WAL mode keeps recent writes in a -wal file beside the database: fold them into the
        # main file so that copying that one file copies the whole migrated database.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def app(unmigrated_app: Flask, request: pytest.FixtureRequest) -> Flask:
    """An app whose database has been brought up to date by the Alembic migrations.

    Both kinds start from a database the migrations built once this run (the same tables,
    much faster): SQLite copies the file here; PostgreSQL's clone was made by `app_config`.
    """
    url = unmigrated_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        template = request.getfixturevalue("migrated_sqlite_template")
        shutil.copyfile(template, url.removeprefix("sqlite:///"))
    return unmigrated_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- people and sign-in -------------------------------------------------------------

DEFAULT_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user: `make_user(Role.COMMISSIONER)`; providers get an organisation."""
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.PROVIDER,
        *,
        email: str | None = None,
        organisation: Organisation | None = None,
        password: str = DEFAULT_PASSWORD,
        **fields: object,
    ) -> User:
        number = next(counter)
        with app.app_context():
            if role == Role.PROVIDER and organisation is None:
                organisation = Organisation(name=f"Provider {number} Ltd")
                db.session.add(organisation)
                db.session.flush()
            user = User(
                email=email or f"{role.value}{number}@example.org",
                name=f"{role.label} {number}",
                role=role.value,
                organisation_id=organisation.id if organisation else None,
                password_hash=hash_password(password),
                email_confirmed_at=datetime.now(UTC),
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Put `user` in the test client's session, as Flask-Login does after a real sign-in."""

    def sign(user: User) -> FlaskClient:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return sign

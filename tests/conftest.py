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
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from config import TestingConfig, normalise_database_url
from tests.compiled import TEMPLATE_BYTECODE, share_url_builders
from webapp import create_app
from webapp.extensions import db
from webapp.jobs.queue import wait_for_threads
from webapp.models import Organisation, Role, User
from webapp.services.accounts import hash_password

share_url_builders()  # each test's app would otherwise compile every URL rule again

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


class PostgresClones:
    """Fresh clones of the migrated template database, each made before a test asks for it.

    `CREATE DATABASE ... TEMPLATE` mostly waits on the disk (tens of milliseconds quiet, well
    over 100 ms when the machine is busy), so one thread makes the next clone, and drops the
    ones used, while a test runs. Every test still gets a database nobody has touched.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self.admin = _admin_engine()
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-clones")
        self.next: Future[str] = self.thread.submit(self._create)

    def _create(self) -> str:
        name = f"test_{uuid.uuid4().hex}"
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    def take(self) -> str:
        """The name of a new clone, which the test owns until it gives it to `drop`."""
        name = self.next.result()
        self.next = self.thread.submit(self._create)
        return name

    def drop(self, name: str) -> None:
        self.thread.submit(_drop_database, self.admin, name)

    def close(self) -> None:
        leftover = self.next.result()
        _drop_database(self.admin, leftover)
        self.thread.shutdown(wait=True)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_clones() -> Iterator[PostgresClones]:
    """A PostgreSQL database brought up to date by the real migrations once per test process,
    and the clones of it the tests run on.

    A template must have no open connections while it is cloned, so the engine that migrated
    it is disposed before anyone copies it.
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
    clones = PostgresClones(name)
    try:
        yield clones
    finally:
        clones.close()
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
    clones: PostgresClones | None = None
    if wants_empty:
        name = f"test_{uuid.uuid4().hex}"
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        clones = request.getfixturevalue("postgres_clones")
        name = clones.take()
    url = sa.engine.make_url(normalise_database_url(POSTGRES_URL)).set(database=name)
    config = TestingConfig(url.render_as_string(hide_password=False))
    config.UPLOAD_FOLDER = str(tmp_path / "uploads")
    try:
        yield config
    finally:
        if clones is not None:
            clones.drop(name)
        else:
            admin = _admin_engine()
            _drop_database(admin, name)
            admin.dispose()


@pytest.fixture
def unmigrated_app(app_config: TestingConfig) -> Iterator[Flask]:
    """An app whose database is empty: no tables, not even Alembic's."""
    app = create_app(app_config)
    app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
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

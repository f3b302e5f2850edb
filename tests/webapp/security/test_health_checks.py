"""`/healthz` says the process answers; `/readyz` says whether its database and Redis do.

Each dependency is really broken: a SQLite file in a folder that does not exist, a PostgreSQL
port with no server, a Redis port with no server. Redis is checked only when the settings use it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from webapp import create_app
from webapp.extensions import db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
NO_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, the connection is refused


def test_healthz_answers_while_the_process_runs(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite-file-in-missing-folder"),
        pytest.param("postgres", id="postgres-port-with-no-server"),
    ]
)
def app_without_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'commonweal.sqlite3'}"
    else:
        # Port 9 (discard) has no PostgreSQL server on a test machine: the connection is refused.
        url = "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2"
    app = create_app(TestingConfig(url))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_readyz_is_not_ready_when_the_database_is_unreachable(app_without_database: Flask) -> None:
    response = app_without_database.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_healthz_still_answers_when_the_database_is_unreachable(
    app_without_database: Flask,
) -> None:
    response = app_without_database.test_client().get("/healthz")

    assert response.status_code == 200


@pytest.mark.parametrize("setting", ["RATELIMIT_STORAGE_URI", "REDIS_URL"])
def test_readyz_is_not_ready_when_the_configured_redis_is_unreachable(
    app: Flask, setting: str
) -> None:
    app.config[setting] = NO_REDIS

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "error"}


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to check a running Redis")
def test_readyz_is_ready_when_the_configured_redis_answers(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL

    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_readyz_checks_no_redis_when_limits_are_kept_in_memory(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"

    assert app.test_client().get("/readyz").get_json() == {"status": "ok", "database": "ok"}

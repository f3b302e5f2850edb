"""The health check that a load balancer polls."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from webapp import create_app
from webapp.extensions import db


def test_healthz_reports_ok_when_the_database_answers(client: FlaskClient):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite-file-in-missing-folder"),
        pytest.param("postgres", id="postgres-port-with-no-server"),
    ]
)
def app_without_database(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'commonweal.sqlite3'}"
    else:
        # Port 9 (discard) has no PostgreSQL server on a test machine: the connection is refused.
        url = "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2"
    app = create_app(TestingConfig(url))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_reports_503_when_the_database_is_unreachable(app_without_database: Flask):
    response = app_without_database.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}

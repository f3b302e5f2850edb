"""`create_app`: how settings reach the app, its error pages and its command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from config import TestingConfig
from webapp import create_app
from webapp.extensions import db


def test_a_settings_object_is_used_as_given(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'given.sqlite3'}"

    app = create_app(TestingConfig(url))

    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert app.config["TESTING"] is True


def test_a_mapping_is_laid_over_the_environment_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("COMMONWEAL_ENV", "development")
    url = f"sqlite:///{tmp_path / 'overlay.sqlite3'}"

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAX_CONTENT_LENGTH": 1024})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert app.config["WTF_CSRF_ENABLED"] is True  # from DevelopmentConfig, not the mapping


def test_an_unexpected_error_shows_the_service_problem_page(app: Flask):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only-failure")
    def fail() -> str:
        raise RuntimeError("deliberate failure for the test")

    response = app.test_client().get("/test-only-failure")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_flask_db_commands_act_on_the_apps_database(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["db", "downgrade", "base"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "organisation" not in sa.inspect(db.engine).get_table_names()

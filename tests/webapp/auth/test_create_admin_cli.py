"""`flask --app webapp create-admin`: the first administrator of a new installation."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from werkzeug.security import check_password_hash

from webapp.extensions import db
from webapp.models import Role, User

PASSWORD = "a quiet harbour after the storm"


def admin_with(app: Flask, email: str) -> User | None:
    with app.app_context():
        return db.session.scalars(select(User).where(User.email == email)).first()


def test_create_admin_with_a_password_option(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Root@Council.example",
            "--name",
            "Rae Root",
            "--password",
            PASSWORD,
        ]
    )

    assert result.exit_code == 0, result.output
    assert "Created administrator Rae Root <root@council.example>" in result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "root@council.example")).one()
        assert user.role == Role.ADMIN.value
        assert user.email_confirmed_at is not None
        assert user.password_hash is not None
        assert check_password_hash(user.password_hash, PASSWORD)


def test_create_admin_asks_for_the_password_twice(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(
        args=["create-admin", "--email", "root@council.example", "--name", "Rae Root"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output
    assert admin_with(app, "root@council.example") is not None


def test_create_admin_refuses_a_weak_password(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@council.example",
            "--name",
            "Rae Root",
            "--password",
            "password1234",
        ]
    )

    assert result.exit_code != 0
    assert "Password is too easy to guess" in result.output
    assert admin_with(app, "root@council.example") is None


def test_create_admin_refuses_an_email_already_in_use(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User]
):
    make_user(Role.COMMISSIONER, email="root@council.example")

    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@council.example",
            "--name",
            "Rae Root",
            "--password",
            PASSWORD,
        ]
    )

    assert result.exit_code == 1
    assert "An account already exists with this email address" in result.output


def test_the_new_admin_can_sign_in(app: Flask, runner: FlaskCliRunner):
    from tests.webapp.auth.conftest import sign_in_with

    runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@council.example",
            "--name",
            "Rae Root",
            "--password",
            PASSWORD,
        ]
    )

    response = sign_in_with(app.test_client(), "root@council.example", PASSWORD)

    assert response.headers["Location"] == "/admin/users"

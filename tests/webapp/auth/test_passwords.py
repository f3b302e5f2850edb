"""Passwords: 12 characters or more and not on a list of 30,000 common ones, wherever a
password is chosen (registration, reset, invitation, the create-admin command), each refusal
shown next to the password field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from tests.webapp.auth.conftest import last_message, link_in
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from webapp.auth import passwords
from webapp.auth.passwords import TOO_COMMON, TOO_SHORT, common_passwords, password_problem
from webapp.models import Role, User

MakeUser = Callable[..., User]

# From the shipped list, 12 characters or more, typed as a person might.
COMMON_LONG = ["LeaveMeAlone", "qwerty123456", "1QAZ2WSX3EDC", " sonyericsson "]
GOOD = "a kettle, two owls and a lighthouse"


def test_the_list_is_a_real_one_of_at_least_ten_thousand_passwords():
    listed = common_passwords()

    assert len(listed) >= 10_000
    assert {"123456", "password", "qwerty", "dragon"} <= listed


@pytest.mark.parametrize("password", COMMON_LONG)
def test_common_passwords_are_refused_whatever_their_case(password: str):
    assert len(password.strip()) >= 12
    assert password_problem(password) == TOO_COMMON


def test_short_passwords_are_refused_before_the_list_is_read():
    assert password_problem("eleven char") == TOO_SHORT
    assert password_problem(GOOD) is None


def test_the_refusal_says_what_to_do():
    assert "Choose a less common one" in passwords.TOO_COMMON


def refused_on_the_password_field(response: TestResponse) -> None:
    html = response.get_data(as_text=True)
    page = parse_page(response)
    assert response.status_code == 200
    assert page.title.startswith("Error: ")
    assert 'href="#password"' in html
    assert 'id="password-error"' in html
    assert TOO_COMMON.split(":")[0] in html


def test_registration_refuses_a_common_password(client: FlaskClient):
    response = post_form(
        client,
        "/register",
        {
            "organisation_name": "Brookside Home Care CIC",
            "name": "Ada Brook",
            "email": "ada@brookside.example",
            "password": "LeaveMeAlone",
            "confirm_password": "LeaveMeAlone",
        },
    )

    refused_on_the_password_field(response)


def test_a_reset_refuses_a_common_password(app: Flask, client: FlaskClient, make_user: MakeUser):
    user = make_user(Role.ADMIN)
    post_form(client, "/forgot-password", {"email": user.email})
    link = link_in(last_message(app))

    response = post_form(
        client, link, {"password": "qwerty123456", "confirm_password": "qwerty123456"}
    )

    refused_on_the_password_field(response)


def test_accepting_an_invitation_refuses_a_common_password(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    sign_in: Callable[[User], FlaskClient],
):
    sign_in(make_user(Role.ADMIN))
    post_form(
        client,
        "/admin/users/invite",
        {"name": "Ivy Invited", "email": "ivy@council.example", "role": "commissioner"},
    )
    link = link_in(last_message(app))
    newcomer = app.test_client()

    response = post_form(
        newcomer, link, {"password": "1QAZ2WSX3EDC", "confirm_password": "1QAZ2WSX3EDC"}
    )

    refused_on_the_password_field(response)


def test_the_create_admin_command_refuses_a_common_password(runner: FlaskCliRunner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@council.example",
            "--name",
            "Rae Root",
            "--password",
            "sonyericsson",
        ]
    )

    assert result.exit_code == 1
    assert "Password is too easy to guess" in result.output

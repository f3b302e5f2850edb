"""Sessions: a new one at sign-in, every copy dead after sign-out, signed out when left idle."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.auth.conftest import reload, sign_in_with
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of, sign_out
from webapp.auth import sessions
from webapp.models import Role, User

MakeUser = Callable[..., User]


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def signed_in(client: FlaskClient) -> bool:
    return client.get("/admin/users").status_code == 200


def test_signing_in_issues_a_new_session_identifier(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    admin = make_user(Role.ADMIN)
    client.get("/sign-in")
    before = session_cookie(client)
    sign_in_with(client, admin.email)
    with client.session_transaction() as session:
        first_id = session[sessions.SESSION_ID]
    sign_out(client)
    sign_in_with(client, admin.email)

    with client.session_transaction() as session:
        assert session[sessions.SESSION_ID] != first_id
    assert session_cookie(client) != before


def test_a_copy_of_the_cookie_taken_while_signed_in_is_refused_after_sign_out(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    admin = make_user(Role.ADMIN)
    sign_in_with(client, admin.email)
    stolen = session_cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert signed_in(thief)

    sign_out(client)

    thief.set_cookie("session", stolen)
    assert not signed_in(thief)
    assert not signed_in(client)


def test_signing_out_ends_the_sessions_on_other_devices(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    admin = make_user(Role.ADMIN)
    laptop, phone = client, app.test_client()
    sign_in_with(laptop, admin.email)
    sign_in_with(phone, admin.email)
    assert signed_in(phone)

    sign_out(laptop)

    assert not signed_in(phone)


def idle_for(client: FlaskClient, seconds: int) -> None:
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN] = int(time.time()) - seconds


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out_with_a_message(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    sign_in_with(client, make_user(Role.ADMIN).email)
    idle_for(client, 31 * 60)

    response = client.get("/admin/users")

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/admin/users"
    page = client.get(response.headers["Location"])
    assert "You were signed out because you were inactive for 30 minutes" in (
        page.get_data(as_text=True)
    )
    assert parse_page(page).h1s == ["Sign in"]
    assert not signed_in(client)


def test_a_session_used_within_the_timeout_stays_signed_in_and_its_clock_restarts(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    sign_in_with(client, make_user(Role.ADMIN).email)
    idle_for(client, 29 * 60)

    assert signed_in(client)
    with client.session_transaction() as session:
        assert int(time.time()) - session[sessions.LAST_SEEN] < 60


def test_a_post_from_an_idle_session_changes_nothing_and_goes_to_sign_in(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    admin = make_user(Role.ADMIN)
    sign_in_with(client, admin.email)
    token = csrf_token_of(client, "/")
    idle_for(client, 31 * 60)

    # Signing out would end every session of the account: an idle session cannot do even that.
    response = client.post("/sign-out", data={"csrf_token": token})

    assert response.headers["Location"] == "/sign-in"
    assert reload(app, admin.id).session_version == admin.session_version


def test_the_idle_timeout_is_a_setting(app: Flask, client: FlaskClient, make_user: MakeUser):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=5)
    sign_in_with(client, make_user(Role.ADMIN).email)
    idle_for(client, 4 * 60)
    assert signed_in(client)

    idle_for(client, 6 * 60)
    response = client.get("/admin/users")

    assert response.status_code == 302
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you were inactive for 5 minutes" in text

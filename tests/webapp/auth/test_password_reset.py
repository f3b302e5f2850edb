"""Forgotten passwords: a one-use, one-hour link by email that signs other sessions out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.auth.conftest import last_message, link_in, reload, sign_in_with, update_user
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_in, csrf_token_of, post_form, sign_out
from webapp.mail import outbox_of
from webapp.models import Role, User

MakeUser = Callable[..., User]
NEW_PASSWORD = "seven lanterns over the canal"


def ask_for_reset(client: FlaskClient, email: str):
    return post_form(client, "/forgot-password", {"email": email})


def choose(
    client: FlaskClient, link: str, password: str = NEW_PASSWORD, confirm: str | None = None
):
    return post_form(client, link, {"password": password, "confirm_password": confirm or password})


@pytest.mark.parametrize("who", ["existing", "unknown"])
def test_forgot_password_always_says_the_same(
    app: Flask, client: FlaskClient, make_user: MakeUser, who: str
):
    make_user(Role.PROVIDER, email="known@example.org")
    email = "known@example.org" if who == "existing" else "unknown@example.org"

    response = ask_for_reset(client, email)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert parse_page(response).h1s == ["Check your email"]
    assert "If an account exists for" in html
    assert len(outbox_of(app)) == (1 if who == "existing" else 0)


def test_forgot_password_page_is_a_gov_uk_form(client: FlaskClient):
    page = parse_page(client.get("/forgot-password"))

    assert page.h1s == ["Reset your password"]
    assert "email" in page.ids
    assert page.duplicate_ids == []


def test_forgot_password_needs_an_email_address(client: FlaskClient):
    response = ask_for_reset(client, "")

    assert "Enter your email address" in response.get_data(as_text=True)
    assert parse_page(response).title.startswith("Error: ")


def test_no_reset_email_for_a_deactivated_account(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.EVALUATOR, email="gone@example.org", is_active=False)

    ask_for_reset(client, "gone@example.org")

    assert outbox_of(app) == []


def test_a_reset_link_sets_a_new_password_and_signs_the_user_in(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    user = make_user(Role.ADMIN, email="admin@example.org")
    ask_for_reset(client, "admin@example.org")
    message = last_message(app)
    assert message["Subject"].startswith("Reset your password")
    assert "1 hour" in message.get_content()
    link = link_in(message)

    assert parse_page(client.get(link)).h1s == ["Choose a new password"]
    response = choose(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200
    assert reload(app, user.id).session_version == user.session_version + 1
    sign_out(client)
    assert sign_in_with(client, "admin@example.org", NEW_PASSWORD).status_code == 302
    sign_out(client)
    assert sign_in_with(client, "admin@example.org").status_code == 200  # the old one fails


def test_a_used_reset_link_cannot_be_used_again(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.ADMIN, email="admin@example.org")
    ask_for_reset(client, "admin@example.org")
    link = link_in(last_message(app))
    choose(client, link)
    sign_out(client)

    again = client.get(link)
    replayed = post_form(
        client,
        link,
        {"password": "another lovely password", "confirm_password": "another lovely password"},
        token_from="/sign-in",
    )

    assert again.status_code == 400
    assert parse_page(again).h1s == ["This link cannot be used"]
    assert replayed.status_code == 400
    assert sign_in_with(client, "admin@example.org", "another lovely password").status_code == 200


def test_an_expired_reset_link_is_refused(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    move_clock: Callable[[timedelta], None],
):
    make_user(Role.COMMISSIONER, email="c@example.org")
    ask_for_reset(client, "c@example.org")
    link = link_in(last_message(app))

    move_clock(timedelta(hours=1, seconds=1))
    response = client.get(link)

    assert response.status_code == 400
    assert parse_page(response).h1s == ["This link has expired"]
    assert "/forgot-password" in response.get_data(as_text=True)


def test_a_reset_link_still_works_just_before_the_hour_is_up(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    move_clock: Callable[[timedelta], None],
):
    make_user(Role.COMMISSIONER, email="c@example.org")
    ask_for_reset(client, "c@example.org")
    link = link_in(last_message(app))

    move_clock(timedelta(minutes=59))

    assert client.get(link).status_code == 200


def test_an_older_reset_link_dies_once_a_newer_one_is_used(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.BOARD, email="b@example.org")
    ask_for_reset(client, "b@example.org")
    first = link_in(last_message(app))
    ask_for_reset(client, "b@example.org")
    second = link_in(last_message(app))

    choose(client, second)

    assert client.get(first).status_code == 400


def test_resetting_the_password_signs_out_every_other_session(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.ADMIN, email="admin@example.org")
    other_device = app.test_client()
    sign_in_with(other_device, "admin@example.org")
    assert other_device.get("/admin/users").status_code == 200

    ask_for_reset(client, "admin@example.org")
    choose(client, link_in(last_message(app)))

    assert other_device.get("/admin/users").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_a_weak_or_mismatched_new_password_is_explained_and_the_link_still_works(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.ADMIN, email="admin@example.org")
    ask_for_reset(client, "admin@example.org")
    link = link_in(last_message(app))

    weak = choose(client, link, "short")
    mismatched = choose(client, link, NEW_PASSWORD, "a different password")

    assert "Password must be 12 characters or more" in weak.get_data(as_text=True)
    assert "Passwords must match" in mismatched.get_data(as_text=True)
    assert NEW_PASSWORD not in mismatched.get_data(as_text=True)
    assert choose(client, link).status_code == 302


def test_resetting_confirms_an_unconfirmed_address(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    user = update_user(app, make_user(email="p@example.org").id, email_confirmed_at=None)
    ask_for_reset(client, "p@example.org")

    choose(client, link_in(last_message(app)))

    assert reload(app, user.id).email_confirmed_at is not None


def test_reset_links_use_the_public_address_not_the_request_host(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.ADMIN, email="admin@example.org")
    app.config["PUBLIC_BASE_URL"] = "https://commonweal.council.example/"
    forged = {"Host": "evil.example"}
    page = client.get("/forgot-password", headers=forged)
    token = csrf_token_in(page.get_data(as_text=True))

    client.post(
        "/forgot-password",
        data={"email": "admin@example.org", "csrf_token": token},
        headers=forged,
    )

    body = last_message(app).get_content()
    assert "https://commonweal.council.example/reset-password/" in body
    assert "evil.example" not in body


def test_asking_for_reset_links_is_rate_limited(app: Flask, client: FlaskClient):
    token = csrf_token_of(client, "/forgot-password")
    data = {"email": "someone@example.org", "csrf_token": token}

    statuses = [client.post("/forgot-password", data=data).status_code for _ in range(6)]

    # Five links a minute for one address (EMAIL_FORM_RATE_LIMIT), whoever asks.
    assert statuses == [200] * 5 + [429]
    assert "You have sent this form too many times" in (
        client.post("/forgot-password", data=data).get_data(as_text=True)
    )

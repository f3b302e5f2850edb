"""A provider registers its organisation, confirms its email address, then signs in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from config import Config, DevelopmentConfig, ProductionConfig
from tests.webapp.auth.conftest import last_message, link_in, sign_in_with, update_user
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.mail import outbox_of
from webapp.models import Organisation, Role, User
from webapp.services.accounts import hash_password

MakeUser = Callable[..., User]
PASSWORD = "a kettle, two owls and a lighthouse"

REGISTRATION = {
    "organisation_name": "Brookside Home Care CIC",
    "name": "Ada Brook",
    "email": "ada@brookside.example",
    "password": PASSWORD,
    "confirm_password": PASSWORD,
}


def register(client: FlaskClient, **changes: str):
    return post_form(client, "/register", {**REGISTRATION, **changes})


def stored_user(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None:
            db.session.expunge(user)
        return user


def registered(app: Flask) -> User:
    user = stored_user(app, REGISTRATION["email"])
    assert user is not None
    return user


def test_register_page_is_a_gov_uk_form(client: FlaskClient):
    page = parse_page(client.get("/register"))

    assert page.h1s == ["Register your organisation"]
    assert page.duplicate_ids == []
    assert {"organisation_name", "name", "email", "password", "confirm_password"} <= set(page.ids)
    assert "/sign-in" in page.links


def test_registering_creates_an_unconfirmed_provider_and_its_organisation(
    app: Flask, client: FlaskClient
):
    response = register(client)
    page = parse_page(response)

    assert response.status_code == 200
    assert page.h1s == ["Check your email"]
    assert "ada@brookside.example" in response.get_data(as_text=True)
    user = stored_user(app, "ada@brookside.example")
    assert user is not None
    assert user.role == Role.PROVIDER.value
    assert user.email_confirmed_at is None
    assert user.password_hash is not None
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    with app.app_context():
        organisation = db.session.get(Organisation, user.organisation_id)
        assert organisation is not None
        assert organisation.name == "Brookside Home Care CIC"


def test_registration_mails_a_confirmation_link_that_lets_the_provider_sign_in(
    app: Flask, client: FlaskClient
):
    register(client)
    message = last_message(app)
    assert message["To"] == "ada@brookside.example"
    assert message["Subject"].startswith("Confirm your email address")
    assert "3 days" in message.get_content()

    # Before confirming, signing in is refused.
    assert sign_in_with(client, "ada@brookside.example", PASSWORD).status_code == 200

    confirmed = client.get(link_in(message), follow_redirects=True)
    assert "Your email address is confirmed" in confirmed.get_data(as_text=True)
    assert confirmed.request.path == "/sign-in"

    assert sign_in_with(client, "ada@brookside.example", PASSWORD).status_code == 302


def test_a_confirmation_link_can_be_opened_twice_harmlessly(app: Flask, client: FlaskClient):
    register(client)
    link = link_in(last_message(app))

    client.get(link)
    first = registered(app).email_confirmed_at
    again = client.get(link)

    assert again.status_code == 302
    assert first is not None
    assert registered(app).email_confirmed_at == first


def test_an_expired_confirmation_link_is_refused(
    app: Flask, client: FlaskClient, move_clock: Callable[[timedelta], None]
):
    register(client)
    link = link_in(last_message(app))

    move_clock(timedelta(days=3, seconds=5))
    response = client.get(link)

    assert response.status_code == 400
    assert parse_page(response).h1s == ["This link has expired"]
    assert "/resend-confirmation" in response.get_data(as_text=True)
    assert registered(app).email_confirmed_at is None


def test_a_tampered_confirmation_link_is_refused(app: Flask, client: FlaskClient):
    register(client)
    link = link_in(last_message(app))

    response = client.get(link[:-3] + "abc")

    assert response.status_code == 400
    assert parse_page(response).h1s == ["This link cannot be used"]


def test_a_reset_link_is_not_a_confirmation_link(app: Flask, client: FlaskClient):
    register(client)
    post_form(client, "/forgot-password", {"email": "ada@brookside.example"})
    reset_token = link_in(last_message(app)).rsplit("/", 1)[1]

    response = client.get(f"/confirm/{reset_token}")

    assert response.status_code == 400


def test_an_email_already_registered_gets_an_email_and_the_same_page(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    make_user(Role.PROVIDER, email="ada@brookside.example")

    response = register(client, email="Ada@Brookside.example")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert parse_page(response).h1s == ["Check your email"]
    assert "already exists" not in html
    message = last_message(app)
    assert message["To"] == "ada@brookside.example"
    assert "already has one. No new account has been created." in message.get_content()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"organisation_name": ""}, "organisation_name", "Enter your organisation’s legal name"),
        ({"name": "  "}, "name", "Enter your full name"),
        ({"email": "ada at brookside"}, "email", "Enter an email address in the correct format"),
        (
            {"password": "short one", "confirm_password": "short one"},
            "password",
            "Password must be 12 characters or more",
        ),
        (
            {"password": "password1234", "confirm_password": "password1234"},
            "password",
            "Password is too easy to guess",
        ),
        (
            {"password": "ada@brookside.example", "confirm_password": "ada@brookside.example"},
            "password",
            "Password must not be your email address",
        ),
        (
            {"confirm_password": "something else entirely"},
            "confirm_password",
            "Passwords must match",
        ),
    ],
)
def test_problems_are_shown_next_to_their_fields_with_the_answers_kept(
    app: Flask, client: FlaskClient, changes: dict[str, str], field: str, message: str
):
    response = register(client, **changes)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert message in html
    assert f'href="#{field}"' in html
    assert "govuk-form-group--error" in html
    # Answers are kept, except passwords, which are never sent back.
    if field != "organisation_name":
        assert 'value="Brookside Home Care CIC"' in html
    assert PASSWORD not in html
    assert stored_user(app, "ada@brookside.example") is None
    assert outbox_of(app) == []


def test_resending_the_confirmation_sends_a_new_working_link(app: Flask, client: FlaskClient):
    register(client)

    prefilled = client.get("/resend-confirmation?email=ada@brookside.example")
    assert 'value="ada@brookside.example"' in prefilled.get_data(as_text=True)

    response = post_form(client, "/resend-confirmation", {"email": "ada@brookside.example"})

    assert parse_page(response).h1s == ["Check your email"]
    assert len(outbox_of(app)) == 2
    client.get(link_in(last_message(app)))
    assert sign_in_with(client, "ada@brookside.example", PASSWORD).status_code == 302


@pytest.mark.parametrize("who", ["unknown", "confirmed"])
def test_resending_says_the_same_but_sends_nothing_when_nothing_is_waiting(
    app: Flask, client: FlaskClient, make_user: MakeUser, who: str
):
    make_user(Role.PROVIDER, email="confirmed@example.org")
    email = "confirmed@example.org" if who == "confirmed" else "nobody@example.org"

    response = post_form(client, "/resend-confirmation", {"email": email})

    assert parse_page(response).h1s == ["Check your email"]
    assert outbox_of(app) == []


def test_a_signed_in_user_visiting_register_goes_to_their_start_page(
    client: FlaskClient, make_user: MakeUser, sign_in: Callable[[User], FlaskClient]
):
    sign_in(make_user(Role.ADMIN))

    response = client.get("/register")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"


def test_a_deactivated_account_cannot_be_confirmed(app: Flask, client: FlaskClient):
    register(client)
    link = link_in(last_message(app))
    update_user(app, registered(app).id, is_active=False)

    assert client.get(link).status_code == 400


def test_passwords_are_stored_by_the_configured_method_at_full_cost_outside_tests(
    app: Flask,
) -> None:
    """Tests hash at a lower scrypt cost to stay quick; every deployment keeps the full cost."""
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert DevelopmentConfig.PASSWORD_HASH_METHOD == ProductionConfig.PASSWORD_HASH_METHOD
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
    with app.app_context():
        assert hash_password("correct horse battery").startswith("scrypt:1024:8:1$")
        app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
        stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt:32768:8:1$")
    assert check_password_hash(stored, "correct horse battery")
